package dev.incidentengine.service;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Streams' exception handlers for every engine app: a record that cannot be read, processed or
 * written goes to the app's dead-letter topic ({@link DeadLetters}' headers) and the stream goes
 * on. Only retriable write errors (the broker is away) are retried: Streams then reprocesses the
 * task from its last commit, which is what the broker's return needs.
 */
public final class DeadLetterHandlers {

    private DeadLetterHandlers() {
    }

    /** What every handler is configured with: the app's {@link DeadLetters}, its topic and the record size limit. */
    abstract static class Configured {
        DeadLetters deadLetters;
        String topic;
        int maxRecordBytes = Integer.MAX_VALUE;

        public void configure(Map<String, ?> configs) {
            deadLetters = DeadLetters.of(configs);
            Object dlq = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
            topic = dlq == null ? null : dlq.toString();
            Object max = configs.get(KafkaClients.MAX_RECORD_BYTES);
            if (max != null) {
                maxRecordBytes = Integer.parseInt(max.toString());
            }
        }

        /**
         * The dead letter for the input record of {@code context}, or none: when the app has no
         * dead-letter topic, or for a global store's processor, where Streams cannot send one
         * (the record is then counted and logged only).
         */
        List<ProducerRecord<byte[], byte[]>> letter(ErrorHandlerContext context, byte[] key, byte[] value, Headers headers,
                                                     String reason, Exception error, String target) {
            Optional<DeadLetters.Origin> origin = context.topic() == null ? Optional.empty()
                    : Optional.of(new DeadLetters.Origin(context.topic(), context.partition(), context.offset()));
            boolean global = context.taskId() != null && context.taskId().subtopology() < 0;
            if (topic == null || global || topic.equals(target)) {
                deadLetters.headers(headers, reason, error.toString(), context.processorNodeId(), origin, target);
                return List.of();
            }
            byte[] kept = RecordSizeGuard.size(key, value, headers) > maxRecordBytes ? null : value;
            ProducerRecord<byte[], byte[]> letter = deadLetters.record(topic, key, kept, headers, reason, error.toString(),
                    context.processorNodeId(), origin, target);
            if (kept != value) {
                letter.headers().add(DeadLetters.VALUE_OMITTED, Long.toString(value.length).getBytes(StandardCharsets.UTF_8));
            }
            return List.of(letter);
        }
    }

    /** A record whose key or value cannot be deserialized. */
    public static final class Deserialization extends Configured implements DeserializationExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
            return Response.resume(letter(context, record.key(), record.value(), record.headers(),
                    DeadLetters.DESERIALIZATION_ERROR, exception, null));
        }
    }

    /** A processor (or punctuator) that throws. */
    public static final class Processing extends Configured implements ProcessingExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
            return Response.resume(letter(context, context.sourceRawKey(), context.sourceRawValue(), context.headers(),
                    DeadLetters.PROCESSING_ERROR, exception, null));
        }
    }

    /**
     * A record that cannot be serialized or written, such as one over the size limit
     * ({@link RecordSizeGuard}). The dead letter holds the input record when Streams still has it
     * (serialization errors), else the record that could not be written, without its value when
     * that alone is too large.
     */
    public static final class Production extends Configured implements ProductionExceptionHandler {
        @Override
        public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
            if (exception instanceof RetriableException) {
                return Response.retry();
            }
            String reason = exception instanceof RecordTooLargeException ? DeadLetters.RECORD_TOO_LARGE : DeadLetters.PRODUCTION_ERROR;
            return Response.resume(letter(context, record.key(), record.value(), record.headers(), reason, exception, record.topic()));
        }

        @Override
        public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                                 SerializationExceptionOrigin origin) {
            return Response.resume(letter(context, context.sourceRawKey(), context.sourceRawValue(), context.headers(),
                    DeadLetters.SERIALIZATION_ERROR, exception, record.topic()));
        }
    }
}
