package dev.incidentengine.incident;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.incidentengine.incident.domain.Correlation;
import dev.incidentengine.incident.domain.LifecyclePolicy;
import dev.incidentengine.incident.routing.InhibitRules;
import dev.incidentengine.incident.routing.Route;
import dev.incidentengine.incident.routing.Routes;
import dev.incidentengine.incident.routing.Silences;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertTrack;
import dev.incidentengine.model.CorrelationGroup;
import dev.incidentengine.model.IncidentGroupUpdate;
import dev.incidentengine.model.SuppressedAlert;
import dev.incidentengine.model.SuppressionReason;
import dev.incidentengine.model.config.InhibitRuleConfig;
import dev.incidentengine.model.config.RouteConfig;
import dev.incidentengine.model.config.SilenceConfig;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Dedupe, suppression and correlation of the alerts of one correlation key, in one task so they
 * share a partition: a firing alert that already fires is counted, not forwarded; a silenced or
 * inhibited one is recorded and held; news becomes an attach or resolve command for the incident
 * that {@link Correlation} picks. Once a second (wall clock) alerts whose endsAt passed resolve,
 * and held alerts whose silence or inhibition ended go on to an incident.
 */
final class Correlate implements Processor<String, SpecificRecord, String, Object> {

    /** A change to the inhibiting-alerts table: the alert, or null once it stopped firing. */
    record Inhibiting(Alert alert) {
    }

    private record Suppression(SuppressionReason reason, String ruleId) {
    }

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final Actor EXPIRY = new Actor(ActorType.SYSTEM, "incident-stream", "alert endsAt passed");

    private final Correlation correlation;
    private final IncidentMetrics metrics;
    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, AlertTrack> tracks;
    private KeyValueStore<String, CorrelationGroup> groups;
    private KeyValueStore<String, SuppressedAlert> suppressed;
    private KeyValueStore<String, Long> incidentCounters;
    private Deadlines expiries;
    private ConfigView<RouteConfig, Routes> routes;
    private ConfigView<SilenceConfig, Silences> silences;
    private ConfigView<InhibitRuleConfig, InhibitRules> inhibitRules;
    private ConfigView<Alert, List<Alert>> inhibitingAlerts;

    Correlate(LifecyclePolicy policy, IncidentMetrics metrics) {
        this.correlation = new Correlation(policy.reopenWindow());
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        tracks = context.getStateStore(IncidentTopology.DEDUPE_STORE);
        groups = context.getStateStore(IncidentTopology.GROUP_STORE);
        suppressed = context.getStateStore(IncidentTopology.SUPPRESSED_STORE);
        incidentCounters = context.getStateStore(IncidentTopology.ID_STORE);
        expiries = new Deadlines(context.getStateStore(IncidentTopology.EXPIRY_STORE));
        routes = new ConfigView<>(context.getStateStore(IncidentTopology.ROUTES_STORE), Routes::of, Routes::problems);
        silences = new ConfigView<>(context.getStateStore(IncidentTopology.SILENCES_STORE), Silences::of, Silences::problems);
        inhibitRules = new ConfigView<>(context.getStateStore(IncidentTopology.INHIBIT_RULES_STORE), InhibitRules::of,
                InhibitRules::problems);
        inhibitingAlerts = new ConfigView<>(context.getStateStore(IncidentTopology.INHIBITING_STORE), List::copyOf, alerts -> List.of());
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, now -> {
            expireAlerts(Instant.ofEpochMilli(now));
            releaseSuppressed(Instant.ofEpochMilli(now));
        });
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        if (record.value() instanceof Alert alert) {
            onAlert(record.key(), alert);
        } else if (record.value() instanceof IncidentGroupUpdate update) {
            onUpdate(record.key(), update);
        }
    }

    private void onAlert(String key, Alert alert) {
        Instant now = alert.getReceivedAt();
        String fingerprint = alert.getFingerprint();
        AlertTrack track = tracks.get(fingerprint);
        switch (alert.getStatus()) {
            case FIRING -> {
                if (track != null) {
                    refresh(track, alert, now);
                } else {
                    fireNew(key, alert, now);
                }
            }
            case RESOLVED -> {
                if (track != null) {
                    metrics.alert("resolved");
                    end(fingerprint, track, Correlation.actor(alert), alert.getEndsAt() != null ? alert.getEndsAt() : now, now);
                } else {
                    metrics.alert("ignored");
                }
            }
            case ACKNOWLEDGED -> {
                if (track == null || track.getAcknowledged() || track.getSuppressed()) {
                    metrics.alert("ignored");
                } else {
                    metrics.alert("acknowledged");
                    track.setAcknowledged(true);
                    tracks.put(fingerprint, track);
                    send(correlation.acknowledged(groups.get(key), key, alert, now), key);
                }
            }
        }
    }

    /** A firing alert that already fires: counted; news only when its severity changed. */
    private void refresh(AlertTrack track, Alert alert, Instant now) {
        boolean severityChanged = track.getSeverity() != alert.getSeverity();
        metrics.alert("duplicate");
        track.setCount(track.getCount() + 1);
        track.setLastSeenAt(now);
        track.setSeverity(alert.getSeverity());
        expireAt(track, alert);
        tracks.put(alert.getFingerprint(), track);
        if (severityChanged && !track.getSuppressed()) {
            attach(track.getCorrelationKey(), alert, now, null);
        }
    }

    private void fireNew(String key, Alert alert, Instant now) {
        AlertTrack track = new AlertTrack(key, alert.getSeverity(), 1L, now, now, null, false, false, false);
        expireAt(track, alert);
        if (inhibitRules.get(context.currentSystemTimeMs()).isSource(alert)) {
            track.setInhibiting(true);
            context.forward(new Record<>(alert.getFingerprint(), new Inhibiting(alert), now.toEpochMilli()));
        }
        Optional<Suppression> suppression = suppression(alert, now);
        metrics.alert(suppression.isPresent() ? "suppressed" : "new");
        suppression.ifPresent(s -> {
            track.setSuppressed(true);
            SuppressedAlert held = new SuppressedAlert(alert, s.reason(), s.ruleId(), now, null, false);
            suppressed.put(alert.getFingerprint(), held);
            context.forward(new Record<>(alert.getFingerprint(), held, now.toEpochMilli()));
        });
        tracks.put(alert.getFingerprint(), track);
        if (suppression.isEmpty()) {
            attach(key, alert, now, null);
        }
    }

    /** The alert stopped firing: resolved by its source, or its endsAt passed. */
    private void end(String fingerprint, AlertTrack track, Actor actor, Instant endedAt, Instant now) {
        tracks.delete(fingerprint);
        if (track.getInhibiting()) {
            context.forward(new Record<>(fingerprint, new Inhibiting(null), now.toEpochMilli()));
        }
        if (track.getSuppressed()) {
            SuppressedAlert held = suppressed.get(fingerprint);
            suppressed.delete(fingerprint);
            if (held != null) {
                held.setEndedAt(now);
                context.forward(new Record<>(fingerprint, held, now.toEpochMilli()));
            }
            return;
        }
        String key = track.getCorrelationKey();
        send(correlation.resolved(groups.get(key), fingerprint, actor, endedAt, now), key);
    }

    private void attach(String key, Alert alert, Instant now, String notInto) {
        Route route = routes.get(context.currentSystemTimeMs()).select(alert);
        Correlation.Grouping grouping = new Correlation.Grouping(route.groupWindow(), route.autoResolve(), route.escalationPolicyId());
        send(correlation.firing(groups.get(key), key, RouteAlert.withService(alert, route), grouping, now, this::nextIncidentId,
                notInto), key);
    }

    private void send(Correlation.Outcome outcome, String key) {
        if (outcome.group() == null) {
            groups.delete(key);
        } else {
            groups.put(key, outcome.group());
        }
        if (outcome.command() != null) {
            context.forward(new Record<>(outcome.command().getIncidentId(), outcome.command(),
                    outcome.command().getTimestamp().toEpochMilli()));
        }
    }

    private void onUpdate(String key, IncidentGroupUpdate update) {
        CorrelationGroup group = correlation.update(groups.get(key), update);
        if (group == null) {
            groups.delete(key);
        } else {
            groups.put(key, group);
        }
        Alert bounced = update.getBouncedAlert();
        if (bounced != null) {
            AlertTrack track = tracks.get(bounced.getFingerprint());
            if (track != null && !track.getSuppressed()) {
                attach(key, bounced, update.getAt(), update.getIncidentId());
            }
        }
    }

    /**
     * Incident ids name the day (UTC) and the partition of the correlation key, then count: unique
     * across partitions and instances without coordination, and the same when the input is replayed.
     */
    private String nextIncidentId(Instant at) {
        String day = DAY.format(at);
        Long last = incidentCounters.get(day);
        long next = last == null ? 1 : last + 1;
        incidentCounters.put(day, next);
        return String.format("INC-%s-%d-%04d", day, context.taskId().partition(), next);
    }

    private Optional<Suppression> suppression(Alert alert, Instant at) {
        long wallClock = context.currentSystemTimeMs();
        Optional<String> silence = silences.get(wallClock).silencing(alert, at);
        if (silence.isPresent()) {
            return Optional.of(new Suppression(SuppressionReason.SILENCED, silence.get()));
        }
        InhibitRules rules = inhibitRules.get(wallClock);
        if (rules.isEmpty()) {
            return Optional.empty();
        }
        return rules.inhibiting(alert, inhibitingAlerts.get(wallClock))
                .map(rule -> new Suppression(SuppressionReason.INHIBITED, rule));
    }

    /** Indexes the alert's endsAt (deadline|fingerprint) so the punctuation scans only what is due. */
    private void expireAt(AlertTrack track, Alert alert) {
        track.setEndsAt(alert.getEndsAt());
        if (alert.getEndsAt() != null) {
            expiries.put(alert.getEndsAt(), alert.getFingerprint(), track.getCorrelationKey());
        }
    }

    private void expireAlerts(Instant now) {
        for (Deadlines.Due due : expiries.takeDue(now)) {
            AlertTrack track = tracks.get(due.what());
            // A refresh moved or removed endsAt: that later deadline (or none) counts, not this one.
            if (track != null && due.at().equals(track.getEndsAt())) {
                metrics.alert("expired");
                end(due.what(), track, EXPIRY, due.at(), now);
            }
        }
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
            AlertTrack track = tracks.get(fingerprint);
            if (track != null) {
                track.setSuppressed(false);
                tracks.put(fingerprint, track);
                attach(track.getCorrelationKey(), held.getAlert(), now, null);
            }
        }
    }
}
