package dev.incidentengine.service;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;

/**
 * Refuses, before the producer sees it, every record a Streams app writes (outputs, changelogs,
 * repartitions, dead letters) that is larger than the limit. The producer's own refusal of a
 * record above {@code max.request.size} puts an exactly-once transaction into an abortable error:
 * the task is then reprocessed from its last commit, fails on the same record, and so on forever.
 * Refused here, the record goes to the {@link DeadLetterHandlers.Production} handler (dead letter,
 * stream goes on) and the transaction stays good.
 */
final class RecordSizeGuard implements KafkaClientSupplier {

    // A record batch's header, one record's own framing and each header's varints; more than Kafka's exact sizes.
    private static final int BATCH_OVERHEAD = 61;
    private static final int RECORD_OVERHEAD = 21;
    private static final int HEADER_OVERHEAD = 10;

    private final int maxRecordBytes;

    RecordSizeGuard(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    /** An upper bound of a record's size in a batch of its own, uncompressed, as the producer and broker count it. */
    static long size(byte[] key, byte[] value, Headers headers) {
        long size = BATCH_OVERHEAD + RECORD_OVERHEAD + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
        if (headers != null) {
            for (Header header : headers) {
                size += HEADER_OVERHEAD + header.key().getBytes(StandardCharsets.UTF_8).length
                        + (header.value() == null ? 0 : header.value().length);
            }
        }
        return size;
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        Object requestSize = config.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        int limit = requestSize == null ? maxRecordBytes : Math.min(maxRecordBytes, Integer.parseInt(requestSize.toString()));
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
                long size = size(record.key(), record.value(), record.headers());
                if (size <= limit) {
                    return super.send(record, callback);
                }
                RecordTooLargeException tooLarge = new RecordTooLargeException("The record to " + record.topic() + " is " + size
                        + " bytes, more than the engine's limit of " + limit + " bytes (records.max.bytes, max.request.size)");
                if (callback != null) {
                    callback.onCompletion(new RecordMetadata(new TopicPartition(record.topic(), record.partition() == null ? -1
                            : record.partition()), -1, -1, -1, -1, -1), tooLarge);
                }
                return CompletableFuture.failedFuture(tooLarge);
            }
        };
    }

    @Override
    public Admin getAdmin(Map<String, Object> config) {
        return Admin.create(config);
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
        return getConsumer(config);
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return getConsumer(config);
    }
}
