package dev.incidentengine.notifier.send;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.DeliveryRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * What the sender did, per request partition, read from the compacted {@code notification.deliveries.v1}
 * (read_committed, so only what committed with its offsets) when the partition is assigned, and
 * kept up to date by the sender's own writes. Used by the sender's poll thread only.
 */
final class Ledger {

    private final String topic;
    private final Consumer<String, DeliveryRecord> reader;
    private final Map<Integer, Map<String, DeliveryRecord>> byPartition = new HashMap<>();

    Ledger(String topic, Consumer<String, DeliveryRecord> reader) {
        this.topic = topic;
        this.reader = reader;
    }

    /** Reads the partitions' records to their end. */
    void load(Collection<Integer> partitions) {
        List<TopicPartition> assigned = partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
        reader.assign(assigned);
        reader.seekToBeginning(assigned);
        Map<TopicPartition, Long> ends = reader.endOffsets(assigned);
        partitions.forEach(p -> byPartition.put(p, new HashMap<>()));
        while (assigned.stream().anyMatch(tp -> reader.position(tp) < ends.get(tp))) {
            for (ConsumerRecord<String, DeliveryRecord> record : reader.poll(Duration.ofMillis(200))) {
                Map<String, DeliveryRecord> entries = byPartition.get(record.partition());
                if (record.value() == null) {
                    entries.remove(record.key());
                } else {
                    entries.put(record.key(), record.value());
                }
            }
        }
        reader.assign(List.of());
    }

    void drop(Collection<Integer> partitions) {
        partitions.forEach(byPartition::remove);
    }

    DeliveryRecord get(int partition, String key) {
        Map<String, DeliveryRecord> entries = byPartition.get(partition);
        return entries == null ? null : entries.get(key);
    }

    void put(int partition, String key, DeliveryRecord record) {
        Map<String, DeliveryRecord> entries = byPartition.get(partition);
        if (entries != null) {
            entries.put(key, record);
        }
    }

    void close() {
        reader.close();
    }
}
