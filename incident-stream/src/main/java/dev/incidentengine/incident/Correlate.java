package dev.incidentengine.incident;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import dev.incidentengine.incident.domain.Correlation;
import dev.incidentengine.incident.domain.LifecyclePolicy;
import dev.incidentengine.incident.routing.InhibitRules;
import dev.incidentengine.incident.routing.Route;
import dev.incidentengine.incident.routing.Routes;
import dev.incidentengine.incident.routing.Silences;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.CorrelationGroup;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentGroupUpdate;
import dev.incidentengine.model.SuppressedAlert;
import dev.incidentengine.model.SuppressionReason;
import dev.incidentengine.model.config.InhibitRuleConfig;
import dev.incidentengine.model.config.RouteConfig;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.service.ConfigView;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Suppression and correlation of the news of one correlation key ({@link Dedupe} sent only news):
 * a firing alert matching an active silence, or inhibited by a firing source, is recorded and
 * held; other news becomes an attach or resolve command for the incident that {@link Correlation}
 * picks. Once a second (wall clock) held alerts whose silence or inhibition ended go on to an
 * incident. Part of {@link CorrelateAndDecide}'s task.
 */
final class Correlate {

    /** A change to the inhibiting-alerts table: the alert, or null once it stopped firing. */
    record Inhibiting(Alert alert) {
    }

    private record Suppression(SuppressionReason reason, String ruleId) {
    }

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);

    private final Correlation correlation;
    private final IncidentMetrics metrics;
    private ProcessorContext<String, Object> context;
    private Consumer<IncidentCommand> commands;
    private KeyValueStore<String, CorrelationGroup> groups;
    private AlertAttachments alerts;
    private KeyValueStore<String, SuppressedAlert> suppressed;
    private KeyValueStore<String, Long> incidentCounters;
    private ConfigView<RouteConfig, Routes> routes;
    private ConfigView<SilenceConfig, Silences> silences;
    private ConfigView<InhibitRuleConfig, InhibitRules> inhibitRules;
    private ConfigView<Alert, List<Alert>> inhibitingAlerts;

    Correlate(LifecyclePolicy policy, IncidentMetrics metrics) {
        this.correlation = new Correlation(policy.reopenWindow());
        this.metrics = metrics;
    }

    /** Commands for incidents go to {@code commands}; held alerts and inhibition sources are forwarded. */
    void init(ProcessorContext<String, Object> context, Consumer<IncidentCommand> commands) {
        this.context = context;
        this.commands = commands;
        groups = context.getStateStore(IncidentTopology.GROUP_STORE);
        alerts = new AlertAttachments(context.getStateStore(IncidentTopology.ALERT_STORE));
        suppressed = context.getStateStore(IncidentTopology.SUPPRESSED_STORE);
        incidentCounters = context.getStateStore(IncidentTopology.ID_STORE);
        routes = new ConfigView<>(context.getStateStore(IncidentTopology.ROUTES_STORE), Routes::of, Routes::problems);
        silences = new ConfigView<>(context.getStateStore(IncidentTopology.SILENCES_STORE), Silences::of, Silences::problems);
        inhibitRules = new ConfigView<>(context.getStateStore(IncidentTopology.INHIBIT_RULES_STORE), InhibitRules::of,
                InhibitRules::problems);
        inhibitingAlerts = new ConfigView<>(context.getStateStore(IncidentTopology.INHIBITING_STORE), List::copyOf, alerts -> List.of());
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, now -> releaseSuppressed(Instant.ofEpochMilli(now)));
    }

    /** News of an alert; {@code changed}: its severity changed while it fires. */
    void onNews(String key, Alert alert, boolean changed) {
        Instant now = alert.getReceivedAt();
        String fingerprint = alert.getFingerprint();
        SuppressedAlert held = suppressed.get(fingerprint);
        switch (alert.getStatus()) {
            case FIRING -> {
                if (held != null) {
                    held.setAlert(alert);
                    suppressed.put(fingerprint, held);
                    return;
                }
                if (!changed) {
                    if (inhibitRules.get(context.currentSystemTimeMs()).isSource(alert)) {
                        context.forward(new Record<>(fingerprint, new Inhibiting(alert), now.toEpochMilli()));
                    }
                    Optional<Suppression> suppression = suppression(alert, now);
                    if (suppression.isPresent()) {
                        hold(key, alert, suppression.get(), now);
                        return;
                    }
                }
                attach(key, alert, now, null);
            }
            case RESOLVED -> {
                if (inhibitRules.get(context.currentSystemTimeMs()).isSource(alert)) {
                    context.forward(new Record<>(fingerprint, new Inhibiting(null), now.toEpochMilli()));
                }
                if (held != null) {
                    suppressed.delete(fingerprint);
                    held.setEndedAt(now);
                    context.forward(new Record<>(fingerprint, held, now.toEpochMilli()));
                    return;
                }
                Instant endedAt = alert.getEndsAt() != null ? alert.getEndsAt() : now;
                send(correlation.resolved(attachedTo(key, fingerprint), fingerprint, Correlation.actor(alert), endedAt, now));
            }
            case ACKNOWLEDGED -> {
                if (held == null) {
                    send(correlation.acknowledged(attachedTo(key, fingerprint), key, alert, now));
                }
            }
        }
    }

    private void hold(String key, Alert alert, Suppression suppression, Instant now) {
        SuppressedAlert held = new SuppressedAlert(alert, key, suppression.reason(), suppression.ruleId(), now, null, false);
        suppressed.put(alert.getFingerprint(), held);
        metrics.alert("suppressed");
        context.forward(new Record<>(alert.getFingerprint(), held, now.toEpochMilli()));
    }

    private void attach(String key, Alert alert, Instant now, String notInto) {
        Route route = routes.get(context.currentSystemTimeMs()).select(alert);
        Correlation.Grouping grouping = new Correlation.Grouping(route.groupWindow(), route.autoResolve(), route.escalationPolicyId(),
                route.incidentType());
        CorrelationGroup group = group(key);
        Correlation.Outcome outcome = correlation.firing(group, key, Dedupe.withService(alert, route),
                alerts.attachedTo(key, alert.getFingerprint()), grouping, now, this::nextIncidentId, notInto);
        // Stored first: the incident may answer at once, with an update of this very group.
        keep(key, outcome.group());
        send(outcome.command());
    }

    private void send(IncidentCommand command) {
        if (command != null) {
            commands.accept(command);
        }
    }

    /** Where the alert of a key went; reading the group first moves an old release's record of it to the alert store. */
    private String attachedTo(String key, String fingerprint) {
        group(key);
        return alerts.attachedTo(key, fingerprint);
    }

    /** The group of a key; one kept by a release that held its alerts' incidents moves them to the alert store first. */
    private CorrelationGroup group(String key) {
        CorrelationGroup group = groups.get(key);
        if (group != null && !group.getFingerprints().isEmpty()) {
            alerts.migrate(key, group.getFingerprints());
            group = CorrelationGroup.newBuilder(group).setFingerprints(Map.of()).build();
            groups.put(key, group);
        }
        return group;
    }

    /** An incident changed status, or refused an alert because it closed meanwhile: that alert gets another incident. */
    void onUpdate(String key, IncidentGroupUpdate update) {
        keep(key, correlation.update(group(key), update));
        if (update.getBouncedAlert() != null) {
            attach(key, update.getBouncedAlert(), update.getAt(), update.getIncidentId());
        }
    }

    /** Stores the group of a key; null means nothing is left to remember. */
    private void keep(String key, CorrelationGroup group) {
        if (group == null) {
            groups.delete(key);
        } else {
            groups.put(key, group);
        }
    }

    /**
     * Incident ids name the day (UTC) and the partition of the correlation key, then count: unique
     * across partitions and instances without coordination, and the same when the input is replayed.
     * The partition also tells where the incident lives ({@link #partitionOf}).
     */
    private String nextIncidentId(Instant at) {
        String day = DAY.format(at);
        Long last = incidentCounters.get(day);
        long next = last == null ? 1 : last + 1;
        incidentCounters.put(day, next);
        return String.format("INC-%s-%d-%04d", day, context.taskId().partition(), next);
    }

    /** The partition named in an incident id, or -1 if the id is not one of ours. */
    static int partitionOf(String incidentId) {
        String[] parts = incidentId == null ? new String[0] : incidentId.split("-");
        if (parts.length != 4 || !parts[0].equals("INC") || parts[2].isEmpty() || parts[2].length() > 5
                || !parts[2].chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(parts[2]);
    }

    private Optional<Suppression> suppression(Alert alert, Instant at) {
        long wallClock = context.currentSystemTimeMs();
        Silences active = silences.get(wallClock);
        if (!active.isEmpty()) {
            // Judged as its incident holds it (a route may assign its service): what people see in the console and the silence
            // preview matches.
            Optional<String> silence = active.silencing(Dedupe.withService(alert, routes.get(wallClock).select(alert)), at);
            if (silence.isPresent()) {
                return Optional.of(new Suppression(SuppressionReason.SILENCED, silence.get()));
            }
        }
        InhibitRules rules = inhibitRules.get(wallClock);
        if (rules.isEmpty()) {
            return Optional.empty();
        }
        return rules.inhibiting(alert, inhibitingAlerts.get(wallClock))
                .map(rule -> new Suppression(SuppressionReason.INHIBITED, rule));
    }

    private void releaseSuppressed(Instant now) {
        List<SuppressedAlert> released = new ArrayList<>();
        try (KeyValueIterator<String, SuppressedAlert> all = suppressed.all()) {
            all.forEachRemaining(entry -> {
                if (suppression(entry.value.getAlert(), now).isEmpty()) {
                    released.add(entry.value);
                }
            });
        }
        for (SuppressedAlert held : released) {
            String fingerprint = held.getAlert().getFingerprint();
            suppressed.delete(fingerprint);
            held.setEndedAt(now);
            held.setReleased(true);
            metrics.alert("released");
            context.forward(new Record<>(fingerprint, held, now.toEpochMilli()));
            attach(held.getCorrelationKey(), held.getAlert(), now, null);
        }
    }
}
