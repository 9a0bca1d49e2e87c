package dev.incidentengine.ingest.heartbeat;

import java.time.Duration;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.HeartbeatPing;
import dev.incidentengine.model.HeartbeatState;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The dead man's switch, a part of alert-ingest's Streams app (same application id):
 *
 * <pre>
 * config.integrations.v1 ─[heartbeat-integrations-source]─▶ repartition heartbeat-integrations (as heartbeats.v1) ─┐
 * heartbeats.v1 ─[heartbeat-pings-source]──────────────────────────────────────────────────────────────────────────┴▶
 *     [heartbeat] (heartbeat-store, heartbeat-deadline-store) ─▶ [heartbeat-alerts-sink] alerts.v1
 * </pre>
 * The integrations are read as a stream, not a global table, so a heartbeat configured is armed at once in the
 * task that owns its id; a wall-clock punctuation range-scans the deadline store for what is due.
 */
public final class HeartbeatTopology {

    public static final String PROCESSOR = "heartbeat";
    public static final String STATE_STORE = "heartbeat-store";
    public static final String DEADLINE_STORE = "heartbeat-deadline-store";
    static final String INTEGRATIONS_BY_ID = "heartbeat-integrations";

    /** An integration written (or, null, deleted), as the heartbeat processor reads it among the pings. */
    record Configured(IntegrationConfig integration) {
    }

    private HeartbeatTopology() {
    }

    /**
     * @param punctuation how often due deadlines are looked for (wall clock)
     */
    public static void add(StreamsBuilder builder, Topic<String, IntegrationConfig> integrations, Topic<String, HeartbeatPing> pings,
                           Topic<String, Alert> alerts, RecordSerdes serdes, Duration punctuation, MeterRegistry metrics) {
        Serde<String> keys = Serdes.String();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STATE_STORE), keys,
                serdes.serde(HeartbeatState.class, false)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DEADLINE_STORE), keys, Serdes.String()));
        KStream<String, Object> configured = builder
                .stream(integrations.name(), Consumed.with(keys, integrations.valueSerde(serdes)).withName("heartbeat-integrations-source"))
                .repartition(Repartitioned.<String, IntegrationConfig>as(INTEGRATIONS_BY_ID)
                        .withKeySerde(keys).withValueSerde(integrations.valueSerde(serdes))
                        .withNumberOfPartitions(pings.partitions()))
                .mapValues(integration -> (Object) new Configured(integration), Named.as("heartbeat-integrations-wrap"));
        KStream<String, Object> heard = builder
                .stream(pings.name(), Consumed.with(keys, pings.valueSerde(serdes)).withName("heartbeat-pings-source"))
                .mapValues(ping -> (Object) ping, Named.as("heartbeat-pings-widen"));
        configured.merge(heard, Named.as("heartbeat-inputs"))
                .process(() -> new HeartbeatProcessor(punctuation, metrics), Named.as(PROCESSOR), STATE_STORE, DEADLINE_STORE)
                .to(alerts.name(), Produced.with(keys, alerts.valueSerde(serdes)).withName("heartbeat-alerts-sink"));
    }
}
