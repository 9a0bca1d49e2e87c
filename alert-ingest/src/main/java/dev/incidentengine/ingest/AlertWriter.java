package dev.incidentengine.ingest;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.incidentengine.model.Alert;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes the alerts of a request to Kafka with the shared idempotent, acks=all producer, and
 * completes when Kafka has acknowledged every one of them, or fails when any could not be written
 * within the timeout. A client that retries after a failure may write an alert twice; its
 * fingerprint makes the copy a no-op downstream. Unchanged resends are absorbed before ({@link Resends}).
 */
final class AlertWriter extends RecordWriter<Alert> {

    /** @param timeout how long sending (metadata, buffer space, acknowledgement) may take in all */
    AlertWriter(Map<String, Object> producerProps, Serializer<String> keySerializer, Serializer<Alert> valueSerializer,
                String topic, Duration timeout) {
        super(producerProps, keySerializer, valueSerializer, topic, Alert::getFingerprint, "ingest_kafka_produce_seconds", timeout);
    }

    /** Writes the batch's alerts to write; each one Kafka acknowledged is remembered as its fingerprint's last written. */
    CompletableFuture<Void> write(Resends.Batch batch) {
        return write(batch.write(), batch::acked);
    }
}
