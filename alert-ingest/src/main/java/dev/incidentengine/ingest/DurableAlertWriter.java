package dev.incidentengine.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import dev.incidentengine.model.Alert;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the alerts of many requests in one Kafka transaction (group commit) and completes each
 * request's future only when its records are committed, or failed and aborted. So a request is
 * answered 2xx only when its alerts are durable, and a request answered 503 left nothing that a
 * read_committed reader sees: the client's retry doubles nothing.
 */
final class DurableAlertWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DurableAlertWriter.class);
    private static final int COMMIT_ATTEMPTS = 3;

    private record Pending(List<Alert> alerts, CompletableFuture<Void> done) {
    }

    private final Map<String, Object> producerProps;
    private final Serializer<String> keySerializer;
    private final Serializer<Alert> valueSerializer;
    private final String topic;
    private final int maxBatchRecords;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private Timer commitTimer;
    private final Thread thread;
    private KafkaProducer<String, Alert> producer;
    private volatile boolean running = true;
    private volatile boolean healthy = true;

    /**
     * @param producerProps must hold a {@code transactional.id} unique to this instance
     * @param timeout how long one Kafka operation (init, send, commit) may block
     */
    DurableAlertWriter(Map<String, Object> producerProps, Serializer<String> keySerializer, Serializer<Alert> valueSerializer,
                       String topic, Duration timeout, int maxBatchRecords) {
        if (!producerProps.containsKey(ProducerConfig.TRANSACTIONAL_ID_CONFIG)) {
            throw new IllegalArgumentException("The alert writer needs a transactional.id");
        }
        this.producerProps = new HashMap<>(producerProps);
        int millis = (int) timeout.toMillis();
        this.producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis);
        this.producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1_000, millis / 2));
        this.producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis);
        this.producerProps.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        this.producerProps.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        this.keySerializer = keySerializer;
        this.valueSerializer = valueSerializer;
        this.topic = topic;
        this.maxBatchRecords = maxBatchRecords;
        this.thread = new Thread(this::run, "alert-writer");
        thread.setDaemon(true);
    }

    void start(MeterRegistry metrics) {
        commitTimer = Timer.builder("ingest_kafka_commit_seconds")
                .description("Time to write and commit one group of requests to Kafka")
                .publishPercentileHistogram()
                .register(metrics);
        thread.start();
    }

    /** Completes when every alert is committed to Kafka; fails when none of them is. */
    CompletableFuture<Void> write(List<Alert> alerts) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new IllegalStateException("alert writer is closed"));
        } else {
            queue.add(new Pending(alerts, done));
        }
        return done;
    }

    /** False after the last commit failed, until one succeeds. */
    boolean healthy() {
        return healthy;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                int records = first.alerts().size();
                Pending next;
                while (records < maxBatchRecords && (next = queue.poll()) != null) {
                    batch.add(next);
                    records += next.alerts().size();
                }
                commit(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            } finally {
                batch.clear();
            }
        }
        failAll(new IllegalStateException("alert writer is closed"));
        closeProducer();
    }

    private void commit(List<Pending> batch) {
        long start = System.nanoTime();
        try {
            KafkaProducer<String, Alert> active = producer();
            active.beginTransaction();
            for (Pending pending : batch) {
                for (Alert alert : pending.alerts()) {
                    active.send(new ProducerRecord<>(topic, alert.getFingerprint(), alert));
                }
            }
            commitWithRetries(active);
            commitTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            healthy = true;
            batch.forEach(pending -> pending.done().complete(null));
        } catch (RuntimeException e) {
            healthy = false;
            log.warn("Could not write {} request(s) to {}: {}", batch.size(), topic, e.toString());
            abortOrReset(e);
            batch.forEach(pending -> pending.done().completeExceptionally(e));
        }
    }

    /** A commit that timed out may still complete: retry it rather than guess. */
    private void commitWithRetries(KafkaProducer<String, Alert> active) {
        for (int attempt = 1; ; attempt++) {
            try {
                active.commitTransaction();
                return;
            } catch (TimeoutException e) {
                if (attempt == COMMIT_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private void abortOrReset(RuntimeException cause) {
        if (producer == null) {
            return;
        }
        boolean fatal = cause instanceof ProducerFencedException || cause instanceof OutOfOrderSequenceException
                || cause instanceof AuthorizationException || cause instanceof TimeoutException;
        if (!fatal) {
            try {
                producer.abortTransaction();
                return;
            } catch (KafkaException e) {
                log.warn("Abort failed, starting a new producer: {}", e.toString());
            }
        }
        // A new producer with the same transactional.id fences the old one; its open transaction aborts.
        closeProducer();
    }

    private KafkaProducer<String, Alert> producer() {
        if (producer == null) {
            KafkaProducer<String, Alert> created = new KafkaProducer<>(producerProps, keySerializer, valueSerializer);
            try {
                created.initTransactions();
            } catch (RuntimeException e) {
                created.close(Duration.ZERO);
                throw e;
            }
            producer = created;
        }
        return producer;
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(1));
            producer = null;
        }
    }

    private void failAll(Exception cause) {
        Pending pending;
        while ((pending = queue.poll()) != null) {
            pending.done().completeExceptionally(cause);
        }
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
