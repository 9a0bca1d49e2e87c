package dev.incidentengine.schemas;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;

/**
 * A Kafka topic with its key/value types and the configuration it is created with.
 * Instances live in {@link Topics}, the only place topic names are written.
 *
 * @param retention how long records are kept; {@code null} keeps them forever
 */
public record Topic<K, V>(
        String name,
        Class<K> keyType,
        Class<V> valueType,
        int partitions,
        Cleanup cleanup,
        Duration retention) {

    public enum Cleanup {
        DELETE("delete"), COMPACT("compact");

        private final String policy;

        Cleanup(String policy) {
            this.policy = policy;
        }
    }

    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keyType, "keyType");
        Objects.requireNonNull(valueType, "valueType");
        Objects.requireNonNull(cleanup, "cleanup");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1: " + name);
        }
    }

    public Serde<K> keySerde(RecordSerdes serdes) {
        return serdes.serde(keyType, true);
    }

    public Serde<V> valueSerde(RecordSerdes serdes) {
        return serdes.serde(valueType, false);
    }

    /** Topic-level configs for creation on a cluster with the given replication factor. */
    public Map<String, String> configs(short replicationFactor) {
        return Map.of(
                TopicConfig.CLEANUP_POLICY_CONFIG, cleanup.policy,
                TopicConfig.RETENTION_MS_CONFIG, retention == null ? "-1" : Long.toString(retention.toMillis()),
                // Keep writes available with one broker down, never acknowledged by a single copy.
                TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(Math.min(2, replicationFactor)));
    }
}
