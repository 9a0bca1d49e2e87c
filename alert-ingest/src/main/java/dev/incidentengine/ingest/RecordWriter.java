package dev.incidentengine.ingest;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntConsumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes the records of a request to Kafka with an idempotent, acks=all producer, and completes
 * when Kafka has acknowledged every one of them, or fails when any could not be written within the
 * timeout. A client that retries after a failure may write a record twice: alerts are deduplicated
 * downstream by fingerprint, a heartbeat ping by its time.
 */
class RecordWriter<V> implements AutoCloseable {

    private final Map<String, Object> producerProps;
    private final Serializer<String> keySerializer;
    private final Serializer<V> valueSerializer;
    private final String topic;
    private final Function<V, String> keyOf;
    private final String timerName;
    private volatile KafkaProducer<String, V> producer;
    private Timer produceTimer;

    /** @param timeout how long sending (metadata, buffer space, acknowledgement) may take in all */
    RecordWriter(Map<String, Object> producerProps, Serializer<String> keySerializer, Serializer<V> valueSerializer,
                 String topic, Function<V, String> keyOf, String timerName, Duration timeout) {
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
        this.keyOf = keyOf;
        this.timerName = timerName;
    }

    void start(MeterRegistry metrics) {
        produceTimer = Timer.builder(timerName)
                .description("Time from sending a request's records to Kafka until Kafka acknowledged all of them")
                .publishPercentileHistogram()
                .register(metrics);
        producer = new KafkaProducer<>(producerProps, keySerializer, valueSerializer);
    }

    /** Completes when Kafka acknowledged every record; fails as soon as one cannot be written. */
    CompletableFuture<Void> write(List<V> records) {
        return write(records, index -> { });
    }

    /**
     * Like {@link #write(List)}, telling {@code acked} the index of each record Kafka acknowledged, on the producer's
     * thread and, within a partition, in the order Kafka stored them.
     */
    CompletableFuture<Void> write(List<V> records, IntConsumer acked) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (producer == null) {
            done.completeExceptionally(new IllegalStateException("the writer of " + topic + " has not started"));
            return done;
        }
        long start = System.nanoTime();
        if (records.isEmpty()) {
            done.complete(null);
            return done;
        }
        AtomicInteger pending = new AtomicInteger(records.size());
        try {
            for (int i = 0; i < records.size(); i++) {
                V record = records.get(i);
                int index = i;
                producer.send(new ProducerRecord<>(topic, keyOf.apply(record), record), (metadata, failure) -> {
                    if (failure != null) {
                        done.completeExceptionally(failure);
                        return;
                    }
                    acked.accept(index);
                    if (pending.decrementAndGet() == 0) {
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
