package dev.incidentengine.service;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

import dev.incidentengine.schemas.Topic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.streams.StreamsConfig;

/**
 * Client settings for the engine. The guarantees (idempotent producers with acks=all,
 * read_committed consumers, exactly_once_v2 streams, explicit internal names) are set last,
 * so a {@code KAFKA_*} variable cannot weaken them.
 */
public final class KafkaClients {

    /** Key of {@link EngineConfig#recordsMaxBytes()} in Streams properties, for {@link StreamsApp} and the exception handlers. */
    public static final String MAX_RECORD_BYTES = "incident-engine.records.max.bytes";

    private KafkaClients() {
    }

    public static Map<String, Object> admin(EngineConfig config) {
        return config.kafkaProperties();
    }

    public static Map<String, Object> producer(EngineConfig config, String clientId) {
        Map<String, Object> props = withClientId(config, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return props;
    }

    public static Map<String, Object> consumer(EngineConfig config, String groupId) {
        Map<String, Object> props = withClientId(config, groupId);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return props;
    }

    public static Properties streams(EngineConfig config, String applicationId) {
        Properties props = new Properties();
        props.putAll(config.kafkaProperties());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        // Global stores (config tables) go through the processing exception handler like every other processor;
        // the main consumer's copy keeps the partition assignor's view of the config from warning otherwise.
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        props.put(StreamsConfig.mainConsumerPrefix(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG), true);
        // A record that cannot be read, processed or written is a dead letter; the stream goes on.
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandlers.Deserialization.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandlers.Processing.class);
        props.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandlers.Production.class);
        props.put(MAX_RECORD_BYTES, config.recordsMaxBytes());
        props.putIfAbsent(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
        // Tasks with two inputs (alerts and commands; events and results) need no time order across them, so a task
        // processes whatever has arrived: with the default (0) Streams checked every other input before each record,
        // formatting a log line each time, a tenth of incident-stream's thread in an alert storm (JFR, bench/storm).
        props.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        // Changelogs and repartition topics carry small Avro records: lz4 cuts their bytes about five-fold
        // and the broker's CPU with them (measured in bench/incidents).
        if (!props.containsKey(ProducerConfig.COMPRESSION_TYPE_CONFIG)) {
            props.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        }
        // Under exactly-once a produce right after a commit is refused (CONCURRENT_TRANSACTIONS) until the previous
        // transaction's markers are written, and the producer backs off exponentially up to retry.backoff.max.ms (1 s):
        // on a busy cluster the next commit's flush then waited up to a second for that alone (bench/chaos).
        if (!props.containsKey(ProducerConfig.RETRY_BACKOFF_MS_CONFIG) && !props.containsKey(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG)) {
            props.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 20);
            props.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG), 100);
        }
        return props;
    }

    /**
     * Streams settings for an app whose dead letters (records it cannot read, process or write)
     * go to {@code deadLetters} with {@link DeadLetters}' headers; without one they are only counted and logged.
     */
    public static Properties streams(EngineConfig config, String applicationId, Topic<byte[], byte[]> deadLetters) {
        Properties props = streams(config, applicationId);
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, deadLetters.name());
        return props;
    }

    private static Map<String, Object> withClientId(EngineConfig config, String clientId) {
        Map<String, Object> props = new HashMap<>(config.kafkaProperties());
        props.putIfAbsent("client.id", clientId);
        return props;
    }

    /** Sends a record; the future completes once Kafka acknowledged it, or with why it could not be written. */
    public static <K, V> CompletableFuture<RecordMetadata> send(Producer<K, V> producer, ProducerRecord<K, V> record) {
        CompletableFuture<RecordMetadata> written = new CompletableFuture<>();
        try {
            producer.send(record, (metadata, failure) -> {
                if (failure != null) {
                    written.completeExceptionally(failure);
                } else {
                    written.complete(metadata);
                }
            });
        } catch (RuntimeException e) {
            written.completeExceptionally(e);
        }
        return written;
    }
}
