package dev.incidentengine.bench;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import dev.incidentengine.model.StatusSubscriber;
import dev.incidentengine.model.SubscriberKind;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.api.SubscriberSeal;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Confirmed e-mail subscribers of the status page, written to {@code status.subscribers.v1} as
 * the page writes them once someone followed the confirmation link: the address sealed and
 * digested under the keys of the local engine's {@code <data-dir>/status-secret}.
 */
final class BenchSubscribers {

    /** The local engine's status secret, in its data directory. */
    private static final String STATUS_SECRET = "status-secret";

    private BenchSubscribers() {
    }

    static String id(int s) {
        return String.format("bench-subscriber-%06d", s);
    }

    /**
     * Writes {@code count} confirmed subscribers of every component, {@code address(s)} the address
     * of subscriber {@code s}, then {@code unconfirmed}, a subscription waiting for its confirmation.
     */
    static void write(String bootstrap, Path dataDir, String pageId, int count, IntFunction<String> address, String unconfirmed) {
        SubscriberSeal seal = SubscriberSeal.load(dataDir.resolve(STATUS_SECRET).toString());
        RecordSerdes serdes = RecordSerdes.singleObject();
        AtomicLong failed = new AtomicLong();
        Instant now = Instant.now();
        try (KafkaProducer<String, StatusSubscriber> producer = new KafkaProducer<>(BenchSupport.producerProperties(bootstrap, 20),
                new StringSerializer(), Topics.STATUS_SUBSCRIBERS.valueSerde(serdes).serializer())) {
            for (int s = 0; s <= count; s++) {
                boolean confirmed = s < count;
                String to = confirmed ? address.apply(s) : unconfirmed;
                StatusSubscriber subscriber = StatusSubscriber.newBuilder().setId(id(s)).setPageId(pageId).setKind(SubscriberKind.EMAIL)
                        .setSealedAddress(ByteBuffer.wrap(seal.seal(to))).setKeyId(seal.keyId()).setAddressDigest(seal.digest(to))
                        .setConfirmed(confirmed).setCreatedAt(now).setConfirmedAt(confirmed ? now : null).build();
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
