package dev.incidentengine.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** The headers a dead letter carries: the original headers, then why, where and when it failed. */
public final class DeadLetters {

    private DeadLetters() {
    }

    public static Headers headers(Headers original, String reason, String error, String processor,
                                  Optional<RecordMetadata> origin, Instant at) {
        Headers headers = new RecordHeaders(original.toArray());
        headers.add("dlq.reason", bytes(reason));
        headers.add("dlq.error", bytes(error));
        headers.add("dlq.processor", bytes(processor));
        headers.add("dlq.time", bytes(at.toString()));
        origin.ifPresent(meta -> {
            headers.add("dlq.source.topic", bytes(meta.topic()));
            headers.add("dlq.source.partition", bytes(Integer.toString(meta.partition())));
            headers.add("dlq.source.offset", bytes(Long.toString(meta.offset())));
        });
        return headers;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
