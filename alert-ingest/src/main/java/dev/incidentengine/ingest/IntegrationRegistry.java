package dev.incidentengine.ingest;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.incidentengine.configdata.ConfigData;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The integrations, read whole from their compacted topic and kept current, so a new or revoked
 * key takes effect without a restart. Keys are looked up by their SHA-256, as stored.
 */
public final class IntegrationRegistry implements Integrations, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IntegrationRegistry.class);

    private final KafkaConsumer<String, IntegrationConfig> consumer;
    private final String topic;
    private final Map<String, IntegrationConfig> byId = new ConcurrentHashMap<>();
    private final Map<String, IntegrationConfig> byKeyHash = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean caughtUp;
    private volatile boolean running = true;

    public IntegrationRegistry(Map<String, Object> consumerProps, Topic<String, IntegrationConfig> topic, RecordSerdes serdes) {
        Map<String, Object> props = new HashMap<>(consumerProps);
        props.remove("group.id");
        this.consumer = new KafkaConsumer<>(props, topic.keySerde(serdes).deserializer(), topic.valueSerde(serdes).deserializer());
        this.topic = topic.name();
        this.thread = new Thread(this::run, "integration-registry");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** True once everything written before the start has been read. */
    @Override
    public boolean ready() {
        return caughtUp;
    }

    @Override
    public Optional<IntegrationConfig> byKey(String key) {
        return Optional.ofNullable(byKeyHash.get(ConfigData.sha256(key.strip())));
    }

    @Override
    public Optional<IntegrationConfig> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    private void run() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofMinutes(5)).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofMinutes(5));
            while (running) {
                try {
                    consumer.poll(Duration.ofMillis(500)).forEach(this::apply);
                } catch (RecordDeserializationException e) {
                    log.error("Skipping unreadable integration record at {}-{} offset {}: {}", topic,
                            e.topicPartition().partition(), e.offset(), e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
                if (!caughtUp && end.entrySet().stream().allMatch(entry -> consumer.position(entry.getKey()) >= entry.getValue())) {
                    caughtUp = true;
                    log.info("Integrations loaded: {}", byId.keySet());
                }
            }
        } catch (WakeupException e) {
            // Closing.
        } catch (RuntimeException e) {
            log.error("Integration registry stopped: {}", e.toString(), e);
            caughtUp = false;
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    private void apply(ConsumerRecord<String, IntegrationConfig> record) {
        IntegrationConfig previous = record.value() == null ? byId.remove(record.key()) : byId.put(record.key(), record.value());
        if (previous != null) {
            byKeyHash.remove(previous.getKeySha256());
        }
        if (record.value() != null) {
            byKeyHash.put(record.value().getKeySha256(), record.value());
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
