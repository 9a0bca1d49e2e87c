package dev.incidentengine.notifier.testnotify;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.incidentengine.model.NotificationResult;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The results of test runs, as they arrive on {@code notification.results.v1}: a thread of its own reads every partition from
 * where they ended when it started (never the history), read_committed, and keeps the results whose key (the incident id) is a
 * test run's; any other record is passed over by its key, undecoded. Bounded: the latest {@code maxRuns} runs, at most
 * {@code maxResults} results each. Runs started before this instance began are not known to it.
 */
public final class TestResults implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TestResults.class);
    private static final byte[] PREFIX = TestNotifications.INCIDENT_PREFIX.getBytes(StandardCharsets.UTF_8);
    private static final Duration POLL = Duration.ofMillis(200);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final Deserializer<NotificationResult> results;
    private final int maxResults;
    /** Run id -> delivery id -> result; the eldest run goes first. */
    private final Map<String, Map<String, NotificationResult>> runs;
    private final Thread thread;
    private volatile boolean positioned;
    private volatile String failure;
    private volatile boolean running = true;

    public TestResults(Consumer<byte[], byte[]> consumer, String topic, Deserializer<NotificationResult> results, int maxRuns, int maxResults) {
        this.consumer = consumer;
        this.topic = topic;
        this.results = results;
        this.maxResults = maxResults;
        this.runs = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Map<String, NotificationResult>> eldest) {
                return size() > maxRuns;
            }
        };
        this.thread = new Thread(this::run, "test-notify-results");
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Empty once every partition's end is known, so a run's results cannot be missed; else why not. */
    public Optional<String> problem() {
        return failure != null ? Optional.of("test-notify results: " + failure)
                : positioned ? Optional.empty() : Optional.of("test-notify results: " + topic + " loading");
    }

    /** The results of run {@code runId} seen so far. */
    public List<NotificationResult> of(String runId) {
        synchronized (runs) {
            Map<String, NotificationResult> run = runs.get(runId);
            return run == null ? List.of() : new ArrayList<>(run.values());
        }
    }

    private void run() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofMinutes(5)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            // The end is looked up lazily: fixing it now means every result written after this returns is read.
            partitions.forEach(consumer::position);
            positioned = true;
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    take(record);
                }
            }
        } catch (WakeupException e) {
            // Closing.
        } catch (RuntimeException e) {
            failure = e.toString();
            log.error("Test notification results cannot be read, so incidentctl test-notify waits in vain: {}", e.toString(), e);
        } finally {
            consumer.close();
        }
    }

    private void take(ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null || record.value() == null || !startsWith(record.key(), PREFIX)) {
            return;
        }
        NotificationResult result;
        try {
            result = results.deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            log.warn("Unreadable test notification result at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
            return;
        }
        String runId = result.getIncidentId().substring(TestNotifications.INCIDENT_PREFIX.length());
        synchronized (runs) {
            Map<String, NotificationResult> run = runs.computeIfAbsent(runId, id -> new LinkedHashMap<>());
            if (run.size() < maxResults || run.containsKey(result.getDeliveryId())) {
                run.put(result.getDeliveryId(), result);
            }
        }
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        if (key.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (key[i] != prefix[i]) {
                return false;
            }
        }
        return true;
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
