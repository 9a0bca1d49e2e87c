package dev.incidentengine.ingest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.ingest.heartbeat.Watchdog;
import dev.incidentengine.ingest.normalize.AlertLimits;
import dev.incidentengine.ingest.normalize.AlertmanagerFormat;
import dev.incidentengine.ingest.normalize.GenericFormat;
import dev.incidentengine.ingest.normalize.InvalidPayloadException;
import dev.incidentengine.ingest.normalize.PagerDutyFormat;
import dev.incidentengine.ingest.normalize.Source;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.service.DeadLetters;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The Kafka path: JSON alerts produced onto {@code alerts.raw.v1} (header {@code format}:
 * generic, alertmanager, grafana or pagerduty; optional header {@code integration}: an
 * integration id) become {@code Alert} records on {@code alerts.v1}; what cannot goes to
 * {@code alerts.dlq.v1} with the original bytes and headers that say why and where from. An alert that is its
 * integration's heartbeat ({@link Watchdog}) becomes a ping on {@code heartbeats.v1} instead.
 */
public final class RawAlertTopology {

    public static final String APPLICATION_ID = "alert-ingest";
    public static final String FORMAT_HEADER = "format";
    public static final String INTEGRATION_HEADER = "integration";
    public static final String SOURCE = "raw-alerts-source";
    public static final String PROCESSOR = "raw-alert-normalize";
    public static final String ALERTS_SINK = "alerts-sink";
    public static final String DLQ_SINK = "alerts-dlq-sink";
    public static final String HEARTBEATS_SINK = "raw-heartbeats-sink";

    private RawAlertTopology() {
    }

    public static Topology build(IngestTopics topics, RecordSerdes serdes, Integrations integrations, AlertLimits limits,
                                 Clock clock) {
        return addTo(new Topology(), topics, serdes, integrations, limits, clock);
    }

    /** Adds the raw path to a topology (alert-ingest's app also runs {@code HeartbeatTopology}). */
    public static Topology addTo(Topology topology, IngestTopics topics, RecordSerdes serdes, Integrations integrations,
                                 AlertLimits limits, Clock clock) {
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), topics.raw().name());
        topology.addProcessor(PROCESSOR, () -> new Normalizer(integrations, limits, clock), SOURCE);
        topology.addSink(ALERTS_SINK, topics.alerts().name(), topics.alerts().keySerde(serdes).serializer(),
                topics.alerts().valueSerde(serdes).serializer(), PROCESSOR);
        topology.addSink(DLQ_SINK, topics.dlq().name(), new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
        topology.addSink(HEARTBEATS_SINK, topics.heartbeats().name(), topics.heartbeats().keySerde(serdes).serializer(),
                topics.heartbeats().valueSerde(serdes).serializer(), PROCESSOR);
        return topology;
    }

    /** Why a raw record went to the DLQ. */
    static final class Rejected extends Exception {
        final String reason;

        Rejected(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    static final class Normalizer implements Processor<byte[], byte[], Object, Object> {

        private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

        private final Integrations integrations;
        private final AlertLimits limits;
        private final Clock clock;
        private ProcessorContext<Object, Object> context;
        private DeadLetters deadLetters;

        Normalizer(Integrations integrations, AlertLimits limits, Clock clock) {
            this.integrations = integrations;
            this.limits = limits;
            this.clock = clock;
        }

        @Override
        public void init(ProcessorContext<Object, Object> context) {
            this.context = context;
            this.deadLetters = DeadLetters.of(context.appConfigs());
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            try {
                Watchdog.Split split = normalize(record);
                for (Alert alert : split.alerts()) {
                    context.forward(new Record<>(alert.getFingerprint(), alert, record.timestamp()), ALERTS_SINK);
                }
                if (split.ping() != null) {
                    context.forward(new Record<>(split.ping().getHeartbeatId(), split.ping(), record.timestamp()), HEARTBEATS_SINK);
                }
            } catch (Rejected e) {
                deadLetter(record, e.reason, e.getMessage());
            } catch (RuntimeException e) {
                deadLetter(record, "processing-error", e.toString());
            }
        }

        /** The record's alerts, less its integration's watchdog alert, which is a heartbeat ping. */
        private Watchdog.Split normalize(Record<byte[], byte[]> record) throws Rejected {
            String format = header(record.headers(), FORMAT_HEADER).map(f -> f.toLowerCase(Locale.ROOT)).orElse("generic");
            JsonNode body = parse(record.value());
            IntegrationConfig integration = integration(record.headers(), format, body);
            Instant now = clock.instant();
            Source source = Source.of(integration, now);
            try {
                List<Alert> alerts = switch (format) {
                    case "generic" -> GenericFormat.normalize(body, source, limits);
                    case "alertmanager" -> AlertmanagerFormat.alertmanager().normalize(body, source, limits);
                    case "grafana" -> AlertmanagerFormat.grafana().normalize(body, source, limits);
                    case "pagerduty" -> List.of(PagerDutyFormat.normalize(body, source, limits).alert());
                    default -> throw new Rejected("unknown-format",
                            "header format '" + format + "' is not one of generic, alertmanager, grafana, pagerduty");
                };
                return Watchdog.split(integration, alerts, "raw", now);
            } catch (InvalidPayloadException e) {
                throw new Rejected(e.overLimit() ? "over-limit" : "invalid-payload", e.getMessage());
            }
        }

        private static JsonNode parse(byte[] value) throws Rejected {
            if (value == null || value.length == 0) {
                throw new Rejected("invalid-json", "the record has no value");
            }
            try {
                return JSON.readTree(value);
            } catch (JacksonException e) {
                throw new Rejected("invalid-json", e.getOriginalMessage());
            } catch (IOException e) {
                throw new Rejected("invalid-json", e.getMessage());
            }
        }

        private IntegrationConfig integration(Headers headers, String format, JsonNode body) throws Rejected {
            Optional<String> id = header(headers, INTEGRATION_HEADER);
            if (id.isPresent()) {
                return integrations.byId(id.get()).orElseThrow(() ->
                        new Rejected("unknown-integration", "integration '" + id.get() + "' does not exist"));
            }
            if (format.equals("pagerduty")) {
                Optional<String> key = PagerDutyFormat.routingKey(body);
                if (key.isPresent()) {
                    return integrations.byKey(key.get()).orElseThrow(() ->
                            new Rejected("unknown-integration", "routing_key matches no integration"));
                }
            }
            return null;
        }

        private void deadLetter(Record<byte[], byte[]> record, String reason, String message) {
            context.forward(new Record<Object, Object>(record.key(), record.value(), record.timestamp(),
                    deadLetters.headers(record.headers(), reason, message, PROCESSOR, DeadLetters.Origin.of(context.recordMetadata()),
                            null)), DLQ_SINK);
        }

        private static Optional<String> header(Headers headers, String name) {
            Header header = headers.lastHeader(name);
            return header == null || header.value() == null ? Optional.empty()
                    : Optional.of(new String(header.value(), StandardCharsets.UTF_8).strip()).filter(s -> !s.isEmpty());
        }

    }
}
