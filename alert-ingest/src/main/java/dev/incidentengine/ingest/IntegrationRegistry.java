package dev.incidentengine.ingest;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.incidentengine.configdata.IntegrationKeys;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.TopicTail;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The integrations, read whole from their compacted topic and kept current, so a new or revoked
 * key takes effect without a restart. Keys are looked up by their SHA-256, as stored.
 */
public final class IntegrationRegistry implements Integrations, AutoCloseable {

    private final Deserializer<String> keys;
    private final Deserializer<IntegrationConfig> values;
    private final Map<String, IntegrationConfig> byId = new ConcurrentHashMap<>();
    private final Map<String, IntegrationConfig> byKeyHash = new ConcurrentHashMap<>();
    private final TopicTail tail;

    public IntegrationRegistry(Map<String, Object> consumerProps, Topic<String, IntegrationConfig> topic, RecordSerdes serdes) {
        this.keys = topic.keySerde(serdes).deserializer();
        this.values = topic.valueSerde(serdes).deserializer();
        this.tail = new TopicTail("integration-registry", consumerProps, List.of(topic.name()), this::read);
    }

    public void start() {
        tail.start();
    }

    /** True once everything written before the start has been read. */
    @Override
    public boolean ready() {
        return tail.ready();
    }

    @Override
    public Optional<IntegrationConfig> byKey(String key) {
        return Optional.ofNullable(byKeyHash.get(IntegrationKeys.sha256(key.strip())));
    }

    @Override
    public Optional<IntegrationConfig> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    private void read(ConsumerRecord<byte[], byte[]> record) {
        String key = keys.deserialize(record.topic(), record.key());
        IntegrationConfig value = values.deserialize(record.topic(), record.headers(), record.value());
        IntegrationConfig previous = value == null ? byId.remove(key) : byId.put(key, value);
        if (previous != null) {
            byKeyHash.remove(previous.getKeySha256());
        }
        if (value != null) {
            byKeyHash.put(value.getKeySha256(), value);
        }
    }

    @Override
    public void close() {
        tail.close();
    }
}
