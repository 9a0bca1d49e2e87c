package dev.incidentengine.status;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.TopicTail;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * A compacted config topic read whole and kept current, each record kept as a projection ({@code keep} null: not kept), so
 * what the view holds is bounded by what its user needs. Every instance holds it, unlike the writer's store, which only the
 * instance running the writer's task has.
 */
final class CompactedView<V, T> implements AutoCloseable {

    private final Deserializer<String> keys;
    private final Deserializer<V> values;
    private final Function<V, T> keep;
    private final Map<String, T> byId = new ConcurrentHashMap<>();
    private final TopicTail tail;

    CompactedView(Map<String, Object> consumerProps, Topic<String, V> topic, RecordSerdes serdes, Function<V, T> keep) {
        this.keys = topic.keySerde(serdes).deserializer();
        this.values = topic.valueSerde(serdes).deserializer();
        this.keep = keep;
        this.tail = new TopicTail("status-view-" + topic.name(), consumerProps, List.of(topic.name()), this::read);
    }

    void start() {
        tail.start();
    }

    Optional<T> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Empty once everything written before the start has been read and while the view is kept current. */
    Optional<String> problem() {
        return tail.problem();
    }

    private void read(ConsumerRecord<byte[], byte[]> record) {
        String key = keys.deserialize(record.topic(), record.key());
        V value = values.deserialize(record.topic(), record.headers(), record.value());
        T kept = value == null ? null : keep.apply(value);
        if (kept == null) {
            byId.remove(key);
        } else {
            byId.put(key, kept);
        }
    }

    @Override
    public void close() {
        tail.close();
    }
}
