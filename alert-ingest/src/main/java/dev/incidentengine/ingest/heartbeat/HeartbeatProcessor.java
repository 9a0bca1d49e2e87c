package dev.incidentengine.ingest.heartbeat;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.HeartbeatPing;
import dev.incidentengine.model.HeartbeatState;
import dev.incidentengine.service.Deadlines;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs {@link Heartbeats} per heartbeat: its state in {@value HeartbeatTopology#STATE_STORE}, the deadline it waits on
 * in {@value HeartbeatTopology#DEADLINE_STORE} as {@code <due millis>|<id>}. The punctuation takes only what is due,
 * so its cost grows with due heartbeats, not with all of them; taking a deadline, the state that says it fired and
 * the alert are one exactly-once transaction, so a deadline that passed while the app was down fires once after.
 */
final class HeartbeatProcessor implements Processor<String, Object, String, Alert> {

    private static final Logger log = LoggerFactory.getLogger(HeartbeatProcessor.class);

    private final Duration punctuation;
    private final MeterRegistry metrics;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, HeartbeatState> states;
    private Deadlines deadlines;
    private Counter missed;
    private Counter resolved;
    private Counter unknown;
    private Timer lateness;
    private long lastUnknownLog;

    HeartbeatProcessor(Duration punctuation, MeterRegistry metrics) {
        this.punctuation = punctuation;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        states = context.getStateStore(HeartbeatTopology.STATE_STORE);
        deadlines = new Deadlines(context.getStateStore(HeartbeatTopology.DEADLINE_STORE));
        missed = Counter.builder("heartbeat_missed_total").description("Heartbeats that missed their deadline (an alert fired)")
                .register(metrics);
        resolved = Counter.builder("heartbeat_resolved_total").description("Missed heartbeats heard again or removed (the alert resolved)")
                .register(metrics);
        unknown = Counter.builder("heartbeat_unknown_pings_total")
                .description("Pings on heartbeats.v1 for an id that has no heartbeat configured (dropped)").register(metrics);
        lateness = Timer.builder("heartbeat_fire_lateness_seconds")
                .description("From a heartbeat's deadline to the punctuation that fired it").publishPercentileHistogram().register(metrics);
        context.schedule(punctuation, PunctuationType.WALL_CLOCK_TIME, now -> fireDue(Instant.ofEpochMilli(now)));
    }

    @Override
    public void process(Record<String, Object> record) {
        String id = record.key();
        if (id == null) {
            throw new IllegalArgumentException("a heartbeat record without a key (the heartbeat id)"); // to the DLQ
        }
        HeartbeatState before = states.get(id);
        if (record.value() instanceof HeartbeatTopology.Configured configured) {
            String problem = configured.integration() == null || configured.integration().getHeartbeat() == null ? null
                    : Heartbeats.problem(configured.integration().getHeartbeat());
            if (problem != null) {
                log.error("Integration {} has an invalid heartbeat, which is off until fixed: {}", id, problem);
            }
            apply(id, before, Heartbeats.configure(before, id, configured.integration(), now()), false);
        } else if (record.value() instanceof HeartbeatPing ping) {
            if (!id.equals(ping.getHeartbeatId())) {
                throw new IllegalArgumentException("record key '" + id + "' is not the ping's heartbeat '" + ping.getHeartbeatId() + "'");
            }
            if (before == null) {
                unknown.increment();
                long now = System.nanoTime();
                if (now - lastUnknownLog > TimeUnit.MINUTES.toNanos(1)) {
                    lastUnknownLog = now;
                    log.warn("A ping for heartbeat '{}', which is not configured (no integration with a heartbeat of that id), was dropped", id);
                }
                return;
            }
            apply(id, before, Heartbeats.ping(before, ping), false);
        } else {
            throw new IllegalArgumentException("not a heartbeat input: " + record.value());
        }
    }

    private void fireDue(Instant now) {
        for (Deadlines.Due due : deadlines.takeDue(now)) {
            HeartbeatState state = states.get(due.what());
            Heartbeats.Step step = Heartbeats.due(state, due.at(), now);
            if (step.alert() != null) {
                lateness.record(Duration.between(due.at(), now));
            }
            apply(due.what(), state, step, true);
        }
    }

    /** @param deadlineTaken the punctuation already took {@code before}'s deadline from the store */
    private void apply(String id, HeartbeatState before, Heartbeats.Step step, boolean deadlineTaken) {
        HeartbeatState after = step.state();
        if (after == null) {
            if (before != null) {
                states.delete(id);
            }
        } else if (!after.equals(before)) {
            states.put(id, after);
        }
        Instant old = before == null ? null : before.getDueAt();
        Instant next = after == null ? null : after.getDueAt();
        if (!Objects.equals(old, next)) {
            if (old != null && !deadlineTaken) {
                deadlines.delete(old, id);
            }
            if (next != null) {
                deadlines.put(next, id, "");
            }
        }
        Alert alert = step.alert();
        if (alert != null) {
            try (MDC.MDCCloseable ignored = MDC.putCloseable("heartbeat", id)) {
                switch (alert.getStatus()) {
                    case FIRING -> {
                        missed.increment();
                        log.warn("Heartbeat {} ({}) missed its deadline {}: firing {}", id, after.getName(), after.getMissedSince(),
                                alert.getFingerprint());
                    }
                    default -> {
                        resolved.increment();
                        log.info("Heartbeat {} is no longer missed: resolving {}", id, alert.getFingerprint());
                    }
                }
            }
            context.forward(new Record<>(alert.getFingerprint(), alert, alert.getReceivedAt().toEpochMilli()));
        }
    }

    private Instant now() {
        return Instant.ofEpochMilli(context.currentSystemTimeMs());
    }
}
