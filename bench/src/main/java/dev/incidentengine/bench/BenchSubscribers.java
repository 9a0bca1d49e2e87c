package dev.incidentengine.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import dev.incidentengine.model.StatusSubscriber;
import dev.incidentengine.model.SubscriberKind;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Confirmed e-mail subscribers of the status page, written to {@code status.subscribers.v1} as
 * the page writes them once someone followed the confirmation link: the address sealed and
 * digested under the keys of the local engine's {@code <data-dir>/status-secret}.
 */
final class BenchSubscribers {

    private BenchSubscribers() {
    }

    static String id(int s) {
        return String.format("bench-subscriber-%06d", s);
    }

    /** Writes {@code count} subscribers of every component, {@code address(s)} the address of subscriber {@code s}. */
    static void write(String bootstrap, Path dataDir, String pageId, int count, IntFunction<String> address) {
        Sealer sealer = Sealer.of(dataDir);
        RecordSerdes serdes = RecordSerdes.singleObject();
        AtomicLong failed = new AtomicLong();
        Instant now = Instant.now();
        try (KafkaProducer<String, StatusSubscriber> producer = new KafkaProducer<>(BenchSupport.producerProperties(bootstrap, 20),
                new StringSerializer(), Topics.STATUS_SUBSCRIBERS.valueSerde(serdes).serializer())) {
            for (int s = 0; s < count; s++) {
                String to = address.apply(s);
                StatusSubscriber subscriber = StatusSubscriber.newBuilder().setId(id(s)).setPageId(pageId).setKind(SubscriberKind.EMAIL)
                        .setSealedAddress(sealer.seal(to)).setKeyId(sealer.keyId()).setAddressDigest(sealer.digest(to))
                        .setConfirmed(true).setCreatedAt(now).setConfirmedAt(now).build();
                producer.send(new ProducerRecord<>(Topics.STATUS_SUBSCRIBERS.name(), subscriber.getId(), subscriber), (metadata, failure) -> {
                    if (failure != null) {
                        failed.incrementAndGet();
                    }
                });
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " subscribers were not written");
        }
    }
}
