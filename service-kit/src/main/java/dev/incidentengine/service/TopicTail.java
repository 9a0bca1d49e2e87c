package dev.incidentengine.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topics every instance reads whole, by a thread of its own: every partition assigned, from the beginning, no consumer group
 * and no commits; config and small compacted logs, not history. Each record goes to the reader in order, as bytes (the
 * reader deserializes it); a record the reader cannot take is skipped with an ERROR log. {@link #ready()} once everything written before the start was read; {@link #problem()} says why not, also when the
 * thread died. It waits for topics that do not exist yet.
 */
public final class TopicTail implements AutoCloseable {

    /** Takes one record; throws when it cannot (the record is skipped). */
    @FunctionalInterface
    public interface Reader {
        void read(ConsumerRecord<byte[], byte[]> record);
    }

    private static final Logger log = LoggerFactory.getLogger(TopicTail.class);

    private final String name;
    private final List<String> topics;
    private final Reader reader;
    private final Runnable afterPoll;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean caughtUp;
    private volatile String failure;
    private volatile boolean running = true;

    /**
     * @param name      the thread's name and what logs call it
     * @param afterPoll run after each poll's records were read (waiters to wake, sweeps), on the thread
     */
    public TopicTail(String name, Map<String, Object> consumerProps, List<String> topics, Reader reader, Runnable afterPoll) {
        Map<String, Object> props = new HashMap<>(consumerProps);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.name = name;
        this.topics = List.copyOf(topics);
        this.reader = reader;
        this.afterPoll = afterPoll;
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    public TopicTail(String name, Map<String, Object> consumerProps, List<String> topics, Reader reader) {
        this(name, consumerProps, topics, reader, () -> {
        });
    }

    public void start() {
        thread.start();
    }

    /** True once everything written before the start has been read, while the thread runs. */
    public boolean ready() {
        return caughtUp && failure == null;
    }

    /** Empty when {@link #ready()}; else why not. */
    public Optional<String> problem() {
        return failure != null ? Optional.of(topics + " cannot be read: " + failure)
                : caughtUp ? Optional.empty() : Optional.of(topics + " loading");
    }

    private void run() {
        try {
            List<TopicPartition> partitions = partitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofMinutes(5));
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    try {
                        reader.read(record);
                    } catch (RuntimeException e) {
                        log.error("{} skips the unreadable record at {}-{} offset {}: {}", name, record.topic(), record.partition(),
                                record.offset(), e.toString());
                    }
                }
                afterPoll.run();
                if (!caughtUp && end.entrySet().stream().allMatch(entry -> consumer.position(entry.getKey()) >= entry.getValue())) {
                    caughtUp = true;
                    log.info("{} caught up with {}", name, topics);
                }
            }
        } catch (WakeupException e) {
            // Closing.
        } catch (RuntimeException e) {
            log.error("{} stopped reading {}: {}", name, topics, e.toString(), e);
            failure = e.toString();
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    /** Every partition of the topics; waits while one does not exist yet. */
    private List<TopicPartition> partitions() {
        boolean warned = false;
        while (running) {
            List<TopicPartition> partitions = new ArrayList<>();
            try {
                topics.forEach(topic -> consumer.partitionsFor(topic, Duration.ofSeconds(30))
                        .forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition()))));
            } catch (TimeoutException e) {
                log.debug("{}: no partitions of {} yet: {}", name, topics, e.getMessage());
            }
            if (partitions.stream().map(TopicPartition::topic).distinct().count() == topics.size()) {
                return partitions;
            }
            if (!warned) {
                log.warn("{} waits for its topics {}", name, topics);
                warned = true;
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new WakeupException();
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
