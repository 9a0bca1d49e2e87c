package dev.incidentengine.status.subscriptions;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

import dev.incidentengine.model.StatusSubscriber;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscribers, read whole from the compacted {@code status.subscribers.v1} (one partition) by each instance: by id, and
 * by address digest so an address is found without being stored. Memory grows with the subscribers only (a few hundred
 * bytes each). {@link #awaitCurrent} waits until what was written before a request is read, so a confirmation link followed
 * at once, on any instance, finds its subscriber.
 */
final class SubscriberDirectory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SubscriberDirectory.class);

    private final KafkaConsumer<String, StatusSubscriber> consumer;
    private final Topic<String, StatusSubscriber> topic;
    private final Map<String, StatusSubscriber> byId = new ConcurrentHashMap<>();
    private final Map<String, String> idByDigest = new ConcurrentHashMap<>();
    private final Thread thread = new Thread(this::run, "status-subscribers");
    private final Object progress = new Object();
    /** System.nanoTime() at the start of the last poll after which the directory had read the whole topic; guarded by progress. */
    private long currentAsOf = Long.MIN_VALUE;
    private volatile boolean caughtUp;
    private volatile boolean failed;
    private volatile boolean running = true;

    SubscriberDirectory(Map<String, Object> consumerProps, Topic<String, StatusSubscriber> topic, RecordSerdes serdes) {
        consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(consumerProps, topic.keySerde(serdes).deserializer(), topic.valueSerde(serdes).deserializer());
        this.topic = topic;
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Empty once the topic was read to its end once. */
    Optional<String> problem() {
        return failed ? Optional.of("subscribers: the reader stopped (see the ERROR log)")
                : caughtUp ? Optional.empty() : Optional.of("subscribers: reading " + topic.name());
    }

    Optional<StatusSubscriber> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    Optional<StatusSubscriber> byDigest(String digest) {
        String id = idByDigest.get(digest);
        return id == null ? Optional.empty() : byId(id);
    }

    /** Waits until every record written before this call is read, up to {@code timeout}; false if it is not. */
    boolean awaitCurrent(Duration timeout) throws InterruptedException {
        long asked = System.nanoTime();
        long deadline = asked + timeout.toNanos();
        synchronized (progress) {
            while (currentAsOf - asked < 0 || currentAsOf == Long.MIN_VALUE) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                progress.wait(Math.max(1, left / 1_000_000));
            }
        }
        return true;
    }

    private void run() {
        TopicPartition partition = new TopicPartition(topic.name(), 0);
        try {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            while (running) {
                long started = System.nanoTime();
                try {
                    for (ConsumerRecord<String, StatusSubscriber> record : consumer.poll(Duration.ofMillis(100))) {
                        apply(record.key(), record.value());
                    }
                } catch (RecordDeserializationException e) {
                    log.error("Skipping the unreadable subscriber at {} offset {}: {}", e.topicPartition(), e.offset(), e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                    continue;
                }
                OptionalLong lag = consumer.currentLag(partition);
                if (lag.isPresent() && lag.getAsLong() == 0) {
                    caughtUp = true;
                    synchronized (progress) {
                        currentAsOf = started;
                        progress.notifyAll();
                    }
                }
            }
        } catch (WakeupException e) {
            // Closing.
        } catch (RuntimeException e) {
            failed = true;
            log.error("Subscribers are no longer read; subscriptions answer 503: {}", e.toString(), e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    private void apply(String id, StatusSubscriber subscriber) {
        if (id == null) {
            return;
        }
        StatusSubscriber old = subscriber == null ? byId.remove(id) : byId.put(id, subscriber);
        if (old != null) {
            idByDigest.remove(old.getAddressDigest(), id);
        }
        if (subscriber != null) {
            idByDigest.put(subscriber.getAddressDigest(), id);
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
