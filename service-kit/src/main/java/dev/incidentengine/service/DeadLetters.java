package dev.incidentengine.service;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one dead-letter contract of every stage (Streams handlers, raw alerts, the notifier's
 * sender): a dead letter keeps the original key, value and headers, and adds the headers below,
 * which say why, where and when it failed. Each one is counted ({@code dead_letters_total{app,reason}})
 * and logged at ERROR: a dead letter is data the engine did not handle.
 */
public final class DeadLetters {

    /** Why, a short fixed word: one of the reasons below, or a stage's own (e.g. {@code invalid-json}). */
    public static final String REASON = "dlq.reason";
    /** The error: exception class and message, or the stage's explanation. */
    public static final String ERROR = "dlq.error";
    /** The application (alert-ingest, incident-stream, escalation-stream, notifier). */
    public static final String APP = "dlq.app";
    /** The processor node, or the component outside Streams. */
    public static final String PROCESSOR = "dlq.processor";
    /** Where the input record came from, when known. */
    public static final String SOURCE_TOPIC = "dlq.source.topic";
    public static final String SOURCE_PARTITION = "dlq.source.partition";
    public static final String SOURCE_OFFSET = "dlq.source.offset";
    /** The topic a record could not be written to (production errors). */
    public static final String TARGET_TOPIC = "dlq.target.topic";
    /** When it was dead-lettered, ISO-8601 UTC. */
    public static final String TIME = "dlq.time";
    /** Set, to the value's size in bytes, when the value was left out because it alone is too large to write. */
    public static final String VALUE_OMITTED = "dlq.value.omitted";

    public static final String DESERIALIZATION_ERROR = "deserialization-error";
    public static final String PROCESSING_ERROR = "processing-error";
    public static final String SERIALIZATION_ERROR = "serialization-error";
    public static final String PRODUCTION_ERROR = "production-error";
    public static final String RECORD_TOO_LARGE = "record-too-large";

    /** Key under which Streams apps' configs carry the instance their exception handlers use. */
    public static final String CONFIG = "incident-engine.dead-letters";

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    // Headers stay small: an exception message can be long (it may quote a whole record).
    private static final int MAX_ERROR_CHARS = 2_000;

    /** Where a record was read. */
    public record Origin(String topic, int partition, long offset) {
        public static Optional<Origin> of(Optional<RecordMetadata> metadata) {
            return metadata.map(m -> new Origin(m.topic(), m.partition(), m.offset()));
        }

        @Override
        public String toString() {
            return topic + "-" + partition + "@" + offset;
        }
    }

    private final String app;
    private final MeterRegistry metrics;
    private final Clock clock;

    public DeadLetters(String app, MeterRegistry metrics, Clock clock) {
        this.app = app;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * The instance a Streams app's configs carry ({@link StreamsApp} puts it there), for its handlers
     * and processors; topology tests run an app without one, and get one that counts into a registry of its own.
     */
    public static DeadLetters of(Map<String, ?> appConfigs) {
        return appConfigs.get(CONFIG) instanceof DeadLetters configured ? configured
                : new DeadLetters(String.valueOf(appConfigs.get(StreamsConfig.APPLICATION_ID_CONFIG)), new SimpleMeterRegistry(),
                Clock.systemUTC());
    }

    /**
     * Counts and logs a dead letter and returns its headers: {@code original}'s, then the contract's.
     *
     * @param target the topic it could not be written to, or null
     */
    public Headers headers(Headers original, String reason, String error, String processor, Optional<Origin> origin,
                           String target) {
        String shortError = error == null ? "" : error.length() > MAX_ERROR_CHARS ? error.substring(0, MAX_ERROR_CHARS) + "..." : error;
        log.error("Dead letter of {} from {}{} ({}): {}", app, origin.map(Origin::toString).orElse("no input record"),
                target == null ? "" : " to " + target, reason, shortError);
        Counter.builder("dead.letters").description("Records sent to a dead-letter topic (or dropped where none is configured), by reason")
                .tag("app", app).tag("reason", reason).register(metrics).increment();
        Headers headers = original == null ? new RecordHeaders() : new RecordHeaders(original.toArray());
        add(headers, REASON, reason);
        add(headers, ERROR, shortError);
        add(headers, APP, app);
        add(headers, PROCESSOR, processor);
        origin.ifPresent(o -> {
            add(headers, SOURCE_TOPIC, o.topic());
            add(headers, SOURCE_PARTITION, Integer.toString(o.partition()));
            add(headers, SOURCE_OFFSET, Long.toString(o.offset()));
        });
        if (target != null) {
            add(headers, TARGET_TOPIC, target);
        }
        add(headers, TIME, clock.instant().toString());
        return headers;
    }

    /** A dead letter for {@code topic}: the original key and value, and {@link #headers}. */
    public ProducerRecord<byte[], byte[]> record(String topic, byte[] key, byte[] value, Headers original, String reason,
                                                 String error, String processor, Optional<Origin> origin, String target) {
        return new ProducerRecord<>(topic, null, key, value, headers(original, reason, error, processor, origin, target));
    }

    private static void add(Headers headers, String name, String value) {
        headers.add(name, (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
    }
}
