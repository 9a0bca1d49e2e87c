package dev.incidentengine.ingest;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.incidentengine.model.Alert;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes the alerts of a request to Kafka with the shared idempotent, acks=all producer, and
 * completes when Kafka has acknowledged every one of them, or fails when any could not be
 * written within the timeout. A client that retries after a failure may write an alert twice;
 * its fingerprint makes the copy a no-op downstream.
 */
final class AlertWriter implements AutoCloseable {

    private final Map<String, Object> producerProps;
    private final Serializer<String> keySerializer;
    private final Serializer<Alert> valueSerializer;
    private final String topic;
    private volatile KafkaProducer<String, Alert> producer;
    private Timer produceTimer;

    /** @param timeout how long sending (metadata, buffer space, acknowledgement) may take in all */
    AlertWriter(Map<String, Object> producerProps, Serializer<String> keySerializer, Serializer<Alert> valueSerializer,
                String topic, Duration timeout) {
        this.producerProps = new HashMap<>(producerProps);
        int millis = (int) timeout.toMillis();
        this.producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis);
        this.producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1_000, millis / 2));
        this.producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis);
        this.producerProps.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 1);
        this.producerProps.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        this.keySerializer = keySerializer;
        this.valueSerializer = valueSerializer;
        this.topic = topic;
    }

    void start(MeterRegistry metrics) {
        produceTimer = Timer.builder("ingest_kafka_produce_seconds")
                .description("Time from sending a request's alerts to Kafka until Kafka acknowledged all of them")
                .publishPercentileHistogram()
                .register(metrics);
        producer = new KafkaProducer<>(producerProps, keySerializer, valueSerializer);
    }

    /** Completes when Kafka acknowledged every alert; fails as soon as one cannot be written. */
    CompletableFuture<Void> write(List<Alert> alerts) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (producer == null) {
            done.completeExceptionally(new IllegalStateException("the alert writer has not started"));
            return done;
        }
        long start = System.nanoTime();
        AtomicInteger pending = new AtomicInteger(alerts.size());
        try {
            for (Alert alert : alerts) {
                producer.send(new ProducerRecord<>(topic, alert.getFingerprint(), alert), (metadata, failure) -> {
                    if (failure != null) {
                        done.completeExceptionally(failure);
                    } else if (pending.decrementAndGet() == 0) {
                        produceTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                        done.complete(null);
                    }
                });
            }
        } catch (KafkaException | IllegalStateException e) {
            // No metadata or no buffer space within the timeout, or closing.
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
