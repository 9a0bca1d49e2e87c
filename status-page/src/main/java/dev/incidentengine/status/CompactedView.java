package dev.incidentengine.status;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A compacted config topic read whole and kept current by a thread of its own, each record kept as a projection
 * ({@code keep} null: not kept), so what the view holds is bounded by what its user needs. Every instance holds it,
 * unlike the writer's store, which only the instance running the writer's task has.
 */
final class CompactedView<V, T> implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CompactedView.class);

    private final KafkaConsumer<String, V> consumer;
    private final String topic;
    private final Function<V, T> keep;
    private final Map<String, T> byId = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean caughtUp;
    private volatile String failure;
    private volatile boolean running = true;

    CompactedView(Map<String, Object> consumerProps, Topic<String, V> topic, RecordSerdes serdes, Function<V, T> keep) {
        Map<String, Object> props = new HashMap<>(consumerProps);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(props, topic.keySerde(serdes).deserializer(), topic.valueSerde(serdes).deserializer());
        this.topic = topic.name();
        this.keep = keep;
        this.thread = new Thread(this::run, "status-view-" + topic.name());
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    Optional<T> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Empty once everything written before the start has been read and while the thread runs. */
    Optional<String> problem() {
        return failure != null ? Optional.of(topic + " cannot be read: " + failure)
                : caughtUp ? Optional.empty() : Optional.of(topic + " loading");
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
                    consumer.poll(Duration.ofMillis(500)).forEach(record -> {
                        T kept = record.value() == null ? null : keep.apply(record.value());
                        if (kept == null) {
                            byId.remove(record.key());
                        } else {
                            byId.put(record.key(), kept);
                        }
                    });
                } catch (RecordDeserializationException e) {
                    log.error("Skipping unreadable record at {}-{} offset {}: {}", topic, e.topicPartition().partition(), e.offset(),
                            e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
                if (!caughtUp && end.entrySet().stream().allMatch(entry -> consumer.position(entry.getKey()) >= entry.getValue())) {
                    caughtUp = true;
                }
            }
        } catch (WakeupException e) {
            // Closing.
        } catch (RuntimeException e) {
            log.error("The view of {} stopped: {}", topic, e.toString(), e);
            failure = e.toString();
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
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
