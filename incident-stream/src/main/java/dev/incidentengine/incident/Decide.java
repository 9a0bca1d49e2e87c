package dev.incidentengine.incident;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import dev.incidentengine.incident.domain.IncidentLifecycle;
import dev.incidentengine.incident.domain.IncidentTimers;
import dev.incidentengine.incident.domain.LifecyclePolicy;
import dev.incidentengine.incident.domain.PublicationRules;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertResolved;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.AttachedAlert;
import dev.incidentengine.model.CommandOutcome;
import dev.incidentengine.model.CommandRejected;
import dev.incidentengine.model.CommandResult;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentGroupUpdate;
import dev.incidentengine.model.IncidentMerged;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentPublished;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.config.StatusPageConfig;
import dev.incidentengine.schemas.EventHeaders;
import dev.incidentengine.service.ConfigView;
import dev.incidentengine.service.Deadlines;
import dev.incidentengine.service.ObjectCachingStore;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.ProcessorNode;
import org.apache.kafka.streams.processor.internals.ProcessorRecordContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The incident aggregate: loads the incident, runs {@link IncidentLifecycle#decide}, forwards the
 * events and the new state, and what else follows from them — the result for a person waiting on
 * the command, status changes for correlation, alerts moving with a merge, and the lifecycle's
 * deadlines, which a wall-clock punctuation turns into commands once due. Part of
 * {@link CorrelateAndDecide}'s task.
 */
final class Decide {

    private static final Logger log = LoggerFactory.getLogger(Decide.class);
    /** The deadline kind that removes a closed incident's alerts from the store. */
    private static final String SWEEP = "SWEEP";
    private static final int SWEEP_BATCH = 1_000;

    private final IncidentLifecycle lifecycle;
    private final IncidentTimers timers;
    private final IncidentMetrics metrics;
    private ProcessorContext<String, Object> context;
    private Consumer<IncidentCommand> commands;
    private BiConsumer<String, IncidentGroupUpdate> groupUpdates;
    private KeyValueStore<String, IncidentState> incidents;
    private AlertAttachments alerts;
    private Deadlines deadlines;
    private final String statusPageId;
    private ConfigView<StatusPageConfig, PublicationRules> statusPage;
    private ResponseRulesView response;

    Decide(LifecyclePolicy policy, String statusPageId, IncidentMetrics metrics) {
        this.statusPageId = statusPageId;
        this.lifecycle = new IncidentLifecycle(policy, () -> statusPage.get(context.currentSystemTimeMs()),
                () -> response.get(context.currentSystemTimeMs()));
        this.timers = new IncidentTimers(policy);
        this.metrics = metrics;
    }

    /**
     * Commands for other incidents (alerts moving with a merge) go to {@code commands}; status
     * changes and refused alerts, by correlation key, to {@code groupUpdates}.
     */
    void init(ProcessorContext<String, Object> context, Consumer<IncidentCommand> commands,
              BiConsumer<String, IncidentGroupUpdate> groupUpdates) {
        this.context = context;
        this.commands = commands;
        this.groupUpdates = groupUpdates;
        incidents = context.getStateStore(IncidentTopology.INCIDENT_STORE);
        ObjectCachingStore.<String, IncidentState>of(incidents).whenWritten(stateWriter(context));
        alerts = new AlertAttachments(context.getStateStore(IncidentTopology.ALERT_STORE));
        deadlines = new Deadlines(context.getStateStore(IncidentTopology.TIMER_STORE));
        statusPage = new ConfigView<>(context.getStateStore(IncidentTopology.STATUS_PAGES_STORE),
                configs -> PublicationRules.of(configs, statusPageId), PublicationRules::problems);
        response = new ResponseRulesView(context);
        context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, now -> fireTimers(Instant.ofEpochMilli(now)));
    }

    void apply(IncidentCommand command, long timestamp) {
        String id = command.getIncidentId();
        IncidentState stored = incidents.get(id);
        IncidentState state = alerts.migrate(stored, IncidentLifecycle.ALERT_SAMPLE);
        if (state != stored) {
            incidents.put(id, state);
        }
        boolean repeated = state != null && state.getProcessedCommandIds().contains(command.getCommandId());
        IncidentLifecycle.Decided decided = lifecycle.decideAndFold(command, state, alerts);
        List<IncidentEvent> events = decided.events();
        IncidentState next = decided.state();
        CommandRejected rejected = null;
        String mergedInto = null;
        IncidentStatus status = state == null ? null : state.getStatus();
        String service = state == null ? null : state.getService();
        boolean published = state != null && state.getPublication() != null;
        for (IncidentEvent event : events) {
            published |= event.getPayload() instanceof IncidentPublished;
            IncidentStatus before = status;
            status = IncidentLifecycle.statusAfter(before, event.getPayload());
            if (event.getPayload() instanceof IncidentOpened opened) {
                service = opened.getService();
            }
            // A rejection can come before the incident exists: it has no status to tell.
            Headers headers = status == null ? new RecordHeaders() : EventHeaders.of(service, before, status);
            if (published) {
                EventHeaders.markPublic(headers);
            }
            context.forward(new Record<>(id, event, timestamp, headers));
            metrics.event(event.getPayload().getClass().getSimpleName());
            logLifecycle(event);
            if (event.getPayload() instanceof CommandRejected rejection) {
                rejected = rejection;
            }
            if (event.getPayload() instanceof IncidentMerged merged) {
                mergedInto = merged.getTargetIncidentId();
            }
        }
        if (next != null && next != state) {
            decided.alerts().values().forEach(alert -> alerts.put(next, alert));
            incidents.put(id, next);
            for (IncidentTimers.Due due : timers.after(state, next, Instant.ofEpochMilli(context.currentSystemTimeMs()))) {
                deadlines.put(due.at(), id + "|" + due.kind(), due.token());
            }
            if (next.getStatus() == IncidentStatus.CLOSED && (state == null || state.getStatus() != IncidentStatus.CLOSED)) {
                deadlines.put(Instant.ofEpochMilli(context.currentSystemTimeMs()), id + "|" + SWEEP, "");
            }
        }
        if (mergedInto != null && state != null) {
            moveAlerts(state, mergedInto, command);
        }
        tellCorrelation(command, state, next, rejected);
        if (command.getActor().getType() == ActorType.USER) {
            CommandOutcome outcome = rejected != null ? CommandOutcome.REJECTED
                    : repeated ? CommandOutcome.DUPLICATE : events.isEmpty() ? CommandOutcome.UNCHANGED : CommandOutcome.APPLIED;
            metrics.command(outcome.name().toLowerCase());
            context.forward(new Record<>(id, new CommandResult(command.getCommandId(), id, outcome,
                    rejected == null ? null : rejected.getReason(), next == null ? 0L : next.getVersion(),
                    events.stream().map(IncidentEvent::getEventId).toList(), command.getTimestamp()), timestamp));
        }
    }

    /**
     * Sends each incident's state to incident.state.v1 as it reaches the incident store: once per
     * commit, not once per command, so a storm's 100,000 alerts write a handful of state records,
     * not 100,000. The store writes at the latest while Streams flushes caches before committing,
     * inside the transaction; like Streams' own caching stores, the forward then names this
     * processor as the current node (internal API).
     */
    private static BiConsumer<String, IncidentState> stateWriter(ProcessorContext<String, Object> context) {
        InternalProcessorContext<String, Object> internal = (InternalProcessorContext<String, Object>) context;
        ProcessorNode<?, ?, ?, ?> self = internal.currentNode();
        return (id, state) -> {
            ProcessorNode<?, ?, ?, ?> node = internal.currentNode();
            ProcessorRecordContext record = internal.recordContext();
            long now = context.currentSystemTimeMs();
            try {
                internal.setCurrentNode(self);
                if (record == null) {
                    internal.setRecordContext(new ProcessorRecordContext(now, -1, -1, null, new RecordHeaders()));
                }
                context.forward(new Record<>(id, state, now));
            } finally {
                internal.setCurrentNode(node);
                internal.setRecordContext(record);
            }
        };
    }

    /** One log line per lifecycle step (not per alert), with the incident id in the MDC. */
    private static void logLifecycle(IncidentEvent event) {
        Object payload = event.getPayload();
        if (payload instanceof AlertAttached || payload instanceof AlertResolved || !log.isInfoEnabled()) {
            return;
        }
        try (MDC.MDCCloseable ignored = MDC.putCloseable("incident", event.getIncidentId())) {
            log.info("{} by {} {}: {}", payload.getClass().getSimpleName(), event.getActor().getType().name().toLowerCase(),
                    event.getActor().getId(), payload);
        }
    }

    /** Correlation learns of status changes, and gets back a firing alert the incident refused (it closed meanwhile). */
    private void tellCorrelation(IncidentCommand command, IncidentState before, IncidentState after, CommandRejected rejected) {
        IncidentState current = after != null ? after : before;
        if (current == null || current.getCorrelationKey() == null) {
            return;
        }
        Alert bounced = rejected != null && command.getPayload() instanceof AttachAlert attach
                && attach.getAlert().getStatus() == AlertStatus.FIRING ? attach.getAlert() : null;
        boolean changed = before == null || before.getStatus() != current.getStatus()
                || !Objects.equals(before.getMergedInto(), current.getMergedInto());
        if (bounced == null && (!changed || before == null)) {
            return;
        }
        Instant at = current.getClosedAt() != null ? current.getClosedAt()
                : current.getResolvedAt() != null ? current.getResolvedAt() : command.getTimestamp();
        groupUpdates.accept(current.getCorrelationKey(),
                new IncidentGroupUpdate(current.getIncidentId(), current.getStatus(), at, current.getMergedInto(), bounced));
    }

    /**
     * The firing alerts of a merged incident attach to the incident it merged into, so they resolve it
     * there, and correlation sends their news there. The one step whose work grows with the incident.
     */
    private void moveAlerts(IncidentState source, String target, IncidentCommand command) {
        for (AttachedAlert attached : alerts.firing(source)) {
            Alert alert = Alert.newBuilder()
                    .setFingerprint(attached.getFingerprint())
                    .setStatus(AlertStatus.FIRING)
                    .setSeverity(attached.getSeverity())
                    .setSummary(attached.getSummary())
                    .setSource("merged from " + source.getIncidentId())
                    .setService(source.getService())
                    .setStartsAt(attached.getAttachedAt())
                    .setReceivedAt(command.getTimestamp())
                    .setRawFormat(RawFormat.AVRO)
                    .build();
            IncidentCommand attach = IncidentCommand.newBuilder()
                    .setCommandId(command.getCommandId() + "/move/" + attached.getFingerprint())
                    .setIncidentId(target)
                    .setActor(command.getActor())
                    .setTimestamp(command.getTimestamp())
                    .setPayload(new AttachAlert(alert, null, null, true, null))
                    .build();
            commands.accept(attach);
            alerts.move(source.getCorrelationKey(), attached.getFingerprint(), source.getIncidentId(), target);
        }
    }

    private void fireTimers(Instant now) {
        for (Deadlines.Due due : deadlines.takeDue(now)) {
            String[] incidentAndKind = due.what().split("\\|");
            IncidentState state = incidents.get(incidentAndKind[0]);
            if (state == null) {
                continue;
            }
            if (incidentAndKind[1].equals(SWEEP)) {
                sweep(state, due.value(), now);
            } else {
                timers.fire(IncidentTimers.Kind.valueOf(incidentAndKind[1]), due.value(), state, now)
                        .ifPresent(command -> apply(command, now.toEpochMilli()));
            }
        }
    }

    /**
     * A closed incident's alerts leave the store, a bounded batch a punctuation, so closing a storm's
     * incident holds up nobody; the next batch is due at once.
     */
    private void sweep(IncidentState closed, String after, Instant now) {
        String next = alerts.sweep(closed.getIncidentId(), closed.getCorrelationKey(), after.isEmpty() ? null : after, SWEEP_BATCH);
        if (next != null) {
            deadlines.put(now, closed.getIncidentId() + "|" + SWEEP, next);
        }
    }
}
