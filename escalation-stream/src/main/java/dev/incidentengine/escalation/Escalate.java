package dev.incidentengine.escalation;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import dev.incidentengine.escalation.domain.Escalation;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.EscalateIncident;
import dev.incidentengine.model.EscalationState;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.service.CommitPacing;
import dev.incidentengine.service.Deadlines;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs {@link Escalation} per incident: events move the incident's {@link EscalationState}, and
 * its next step waits in the deadline-indexed timer store as {@code deadline|incident|episode}.
 * A wall-clock punctuation takes what is due and fires it only if the incident still waits for
 * exactly that step (same episode and deadline, still triggered): an acknowledgement read before
 * the punctuation wins, and the aggregate refuses an escalation of an incident acknowledged after.
 */
final class Escalate implements Processor<String, IncidentEvent, String, IncidentCommand> {

    static final Actor ACTOR = new Actor(ActorType.SYSTEM, "escalation-stream", "Escalation");
    private static final Logger log = LoggerFactory.getLogger(Escalate.class);

    private final Duration punctuation;
    private final CommitPacing pacing;
    private final MeterRegistry metrics;
    private ProcessorContext<String, IncidentCommand> context;
    private KeyValueStore<String, EscalationState> states;
    private Deadlines timers;
    private Escalation escalation;

    Escalate(Duration punctuation, CommitPacing pacing, MeterRegistry metrics) {
        this.punctuation = punctuation;
        this.pacing = pacing;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, IncidentCommand> context) {
        this.context = context;
        pacing.schedule(context);
        states = context.getStateStore(EscalationTopology.STATE_STORE);
        timers = new Deadlines(context.getStateStore(EscalationTopology.TIMER_STORE));
        KeyValueStore<String, Long> turns = context.getStateStore(EscalationTopology.TURNS_STORE);
        escalation = new Escalation(new ConfigDirectory(context), (policyId, level) -> {
            String key = policyId + "|" + level;
            Long turn = turns.get(key);
            long next = turn == null ? 0 : turn + 1;
            turns.put(key, next);
            return next;
        });
        context.schedule(punctuation, PunctuationType.WALL_CLOCK_TIME, now -> fireDue(Instant.ofEpochMilli(now)));
    }

    @Override
    public void process(Record<String, IncidentEvent> record) {
        IncidentEvent event = record.value();
        if (event == null || !event.getIncidentId().equals(record.key())) {
            // Kafka's processing handler puts the record on the DLQ with this message.
            throw new IllegalArgumentException(event == null ? "no event in the record (null value)"
                    : "record key '" + record.key() + "' is not the event's incident '" + event.getIncidentId() + "'");
        }
        EscalationState before = states.get(event.getIncidentId());
        apply(event.getIncidentId(), before, escalation.onEvent(before, event), event.getTimestamp(), false);
    }

    private void fireDue(Instant now) {
        for (Deadlines.Due due : timers.takeDue(now)) {
            int separator = due.what().lastIndexOf('|');
            String incidentId = due.what().substring(0, separator);
            EscalationState state = states.get(incidentId);
            if (state != null && state.getEpisode() == Integer.parseInt(due.what().substring(separator + 1))
                    && due.at().equals(state.getNextAt())) {
                apply(incidentId, state, escalation.onDue(state, now), now, true);
            }
        }
    }

    /** The timer a state waits on, as the timer store keys it; null when it waits on none. */
    private record Timer(Instant at, String what) {
        static Timer of(String incidentId, EscalationState state) {
            return state == null || state.getNextAt() == null ? null : new Timer(state.getNextAt(), incidentId + "|" + state.getEpisode());
        }
    }

    /** @param timerTaken the punctuation already took {@code before}'s timer from the store */
    private void apply(String incidentId, EscalationState before, Escalation.Step step, Instant at, boolean timerTaken) {
        EscalationState after = step.state();
        if (after == null) {
            if (before != null) {
                states.delete(incidentId);
            }
        } else if (!after.equals(before)) {
            states.put(incidentId, after);
        }
        Timer old = Timer.of(incidentId, before);
        Timer next = Timer.of(incidentId, after);
        if (!Objects.equals(old, next)) {
            if (old != null && !timerTaken) {
                timers.delete(old.at(), old.what());
            }
            if (next != null) {
                timers.put(next.at(), next.what(), "");
            }
        }
        if (step.command() != null) {
            send(incidentId, after, step.command(), at);
        }
    }

    private void send(String incidentId, EscalationState state, Object payload, Instant at) {
        String kind = payload instanceof EscalateIncident page ? "escalate:" + page.getRound() + ":" + page.getLevel()
                : payload.getClass().getSimpleName();
        IncidentCommand command = IncidentCommand.newBuilder()
                .setCommandId(kind + ":" + incidentId + ":" + state.getEpisode() + "@" + at.toEpochMilli())
                .setIncidentId(incidentId)
                .setActor(ACTOR)
                .setTimestamp(at)
                .setPayload(payload)
                .build();
        try (MDC.MDCCloseable ignored = MDC.putCloseable("incident", incidentId)) {
            if (payload instanceof EscalateIncident page) {
                // Counted as pages are sent; a task retried after a crash may count one twice (the log stays exact).
                Counter.builder("incident_escalations_total").description("Escalation levels paged, by level (1 = first)")
                        .tag("level", Integer.toString(page.getLevel() + 1)).register(metrics).increment();
                log.info("Paging level {} (round {}) of policy {}: {}", page.getLevel(), page.getRound(), page.getPolicyId(), page.getTargets());
            } else {
                log.info("{}", payload);
            }
        }
        context.forward(new Record<>(incidentId, command, at.toEpochMilli()));
    }
}
