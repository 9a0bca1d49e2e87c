package dev.incidentengine.service.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.incidentengine.model.SessionEvent;
import dev.incidentengine.model.SessionEventType;
import dev.incidentengine.model.config.ContactType;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.TopicTail;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every instance must know of the console's sessions, on a compacted topic
 * ({@code console.sessions.v1}) that each instance reads whole from its start: the sign-in links
 * asked for (the notifier mails them), the links used, and the sessions signed out.
 *
 * <p>A link works once across instances: redeeming it writes a {@code LINK_REDEEMED} record, reads
 * the topic up to that record, and wins only if it is the first redemption of the link's nonce in
 * the topic's order, which every instance sees the same. A sign-out is a {@code SIGNED_OUT} record
 * that every instance's {@link Sessions} refuses from then on. Entries live until the link or session
 * expires; then each instance forgets them and writes a tombstone, so the topic and the memory stay
 * bounded by what can still be used. While the log is read at start, sessions answer 503 (a signed-out
 * one must not pass meanwhile); bearer tokens are not affected.
 *
 * <p>The incident API's instance also follows the users ({@code config.users.v1}): a link goes to a
 * user's configured e-mail address.
 */
public final class SessionLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SessionLog.class);
    /** How long a write waits for Kafka, and a redemption for this instance to have read its own record. */
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

    /** Where a user's sign-in link goes. */
    public record Mailbox(String user, String address) {
    }

    private final Sessions sessions;
    private final Map<String, Object> consumerProps;
    private final Map<String, Object> producerProps;
    private final Topic<String, SessionEvent> topic;
    /** Null: the users are not followed (an instance that sends no links). */
    private final Topic<String, UserConfig> users;
    private final RecordSerdes serdes;
    private final Clock clock;

    /** Per link nonce: the offset of its first redemption. */
    private final Map<String, Long> firstRedemption = new ConcurrentHashMap<>();
    /** Every nonce the topic holds, until when it matters. */
    private final Map<String, Instant> expiries = new ConcurrentHashMap<>();
    /** Per user: their e-mail addresses. */
    private final Map<String, List<String>> addresses = new ConcurrentHashMap<>();
    /** Per partition of the session topic: the offset after the last record read. Its monitor wakes redemptions. */
    private final Map<Integer, Long> read = new HashMap<>();

    private final Deserializer<String> keys;
    private final Deserializer<SessionEvent> events;
    /** Null: the users are not followed. */
    private final Deserializer<UserConfig> userConfigs;
    private KafkaProducer<String, SessionEvent> producer;
    private TopicTail tail;
    private Instant nextSweep = Instant.MIN;
    private volatile boolean running = true;

    public SessionLog(Sessions sessions, Map<String, Object> consumerProps, Map<String, Object> producerProps,
                      Topic<String, SessionEvent> topic, Topic<String, UserConfig> users, RecordSerdes serdes, Clock clock) {
        this.sessions = sessions;
        this.consumerProps = consumerProps;
        this.producerProps = producerProps;
        this.topic = topic;
        this.users = users;
        this.serdes = serdes;
        this.clock = clock;
        this.keys = topic.keySerde(serdes).deserializer();
        this.events = topic.valueSerde(serdes).deserializer();
        this.userConfigs = users == null ? null : users.valueSerde(serdes).deserializer();
    }

    public void start() {
        sessions.awaitLog(this::ready);
        producer = new KafkaProducer<>(producerProps, topic.keySerde(serdes).serializer(), topic.valueSerde(serdes).serializer());
        // Every instance reads everything: no group, no commits.
        tail = new TopicTail("session-log", consumerProps, users == null ? List.of(topic.name()) : List.of(topic.name(), users.name()),
                this::read, this::afterPoll);
        tail.start();
    }

    /** True once everything written before the start has been read. */
    public boolean ready() {
        return tail != null && tail.ready();
    }

    /** The user a login names (their id, or one of their e-mail addresses, in any case) and the address their link goes to. */
    public Optional<Mailbox> mailbox(String login) {
        List<String> own = addresses.get(login);
        if (own != null) {
            return own.stream().findFirst().map(address -> new Mailbox(login, address));
        }
        for (Map.Entry<String, List<String>> user : addresses.entrySet()) {
            for (String address : user.getValue()) {
                if (address.equalsIgnoreCase(login)) {
                    return Optional.of(new Mailbox(user.getKey(), address));
                }
            }
        }
        return Optional.empty();
    }

    /** Asks for a link to be mailed to {@code address}; returns once Kafka has the request. */
    public void requestLink(Sessions.Link link, String address, String next) {
        write(event(SessionEventType.LINK_REQUESTED, link.nonce(), link.user(), link.expiresAt())
                .setFingerprint(link.fingerprint()).setAddress(address).setNext(next).build());
    }

    /** Uses a link: true if this is its first use in the topic's order, on any instance. */
    public boolean redeem(Sessions.Link link) {
        RecordMetadata written = write(event(SessionEventType.LINK_REDEEMED, link.nonce(), link.user(), link.expiresAt()).build());
        long deadline = System.nanoTime() + WAIT.toNanos();
        synchronized (read) {
            while (read.getOrDefault(written.partition(), 0L) <= written.offset()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !running) {
                    throw new ApiError(503, null, "the sign-in could not be checked against the other instances in time; retry");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(read, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ApiError(503, null, "interrupted; retry");
                }
            }
        }
        return Long.valueOf(written.offset()).equals(firstRedemption.get(link.nonce()));
    }

    /** Signs a session out on every instance: here at once, elsewhere as they read it; returns once Kafka has it. */
    public void signOut(Sessions.Session session) {
        sessions.signOut(session.nonce(), session.expiresAt());
        write(event(SessionEventType.SIGNED_OUT, session.nonce(), session.user(), session.expiresAt()).build());
    }

    private SessionEvent.Builder event(SessionEventType type, String nonce, String user, Instant expiresAt) {
        return SessionEvent.newBuilder().setType(type).setNonce(nonce).setUser(user).setAt(clock.instant()).setExpiresAt(expiresAt);
    }

    private RecordMetadata write(SessionEvent event) {
        try {
            return producer.send(new ProducerRecord<>(topic.name(), event.getNonce(), event)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, null, "interrupted; retry");
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Cannot write the {} of user {} to {}: {}", event.getType(), event.getUser(), topic.name(), e.toString());
            throw new ApiError(503, null, "Kafka did not take the sign-in in time; retry");
        }
    }

    private void read(ConsumerRecord<byte[], byte[]> record) {
        String key = keys.deserialize(record.topic(), record.key());
        if (!record.topic().equals(topic.name())) {
            applyUser(key, userConfigs.deserialize(record.topic(), record.headers(), record.value()));
            return;
        }
        try {
            apply(key, events.deserialize(record.topic(), record.headers(), record.value()), record.offset());
        } finally {
            synchronized (read) {
                read.merge(record.partition(), record.offset() + 1, Math::max);
            }
        }
    }

    /** Wakes the redemptions waiting for what was read; sweeps now and then. */
    private void afterPoll() {
        synchronized (read) {
            read.notifyAll();
        }
        if (!clock.instant().isBefore(nextSweep)) {
            sweep();
            nextSweep = clock.instant().plus(SWEEP_EVERY);
        }
    }

    private void apply(String nonce, SessionEvent event, long offset) {
        if (event == null) {
            firstRedemption.remove(nonce);
            expiries.remove(nonce);
            return;
        }
        expiries.put(nonce, event.getExpiresAt());
        switch (event.getType()) {
            case LINK_REDEEMED -> firstRedemption.putIfAbsent(nonce, offset);
            case SIGNED_OUT -> sessions.signOut(nonce, event.getExpiresAt());
            case LINK_REQUESTED -> {
                // The notifier mails it; the link itself says who and until when.
            }
        }
    }

    private void applyUser(String id, UserConfig user) {
        List<String> emails = user == null ? List.of() : user.getContacts().stream()
                .filter(contact -> contact.getType() == ContactType.EMAIL).map(contact -> contact.getAddress().strip()).toList();
        if (emails.isEmpty()) {
            addresses.remove(id);
        } else {
            addresses.put(id, emails);
        }
    }

    /** Forgets what has expired and tombstones it; every instance does, a tombstone twice is harmless. */
    private void sweep() {
        Instant now = clock.instant();
        List<String> expired = new ArrayList<>();
        expiries.forEach((nonce, expiresAt) -> {
            if (!now.isBefore(expiresAt)) {
                expired.add(nonce);
            }
        });
        for (String nonce : expired) {
            expiries.remove(nonce);
            firstRedemption.remove(nonce);
            producer.send(new ProducerRecord<>(topic.name(), nonce, null), (metadata, error) -> {
                if (error != null) {
                    log.warn("Cannot tombstone an expired entry of {} (the next sweep tries again): {}", topic.name(), error.toString());
                }
            });
        }
    }

    @Override
    public void close() {
        running = false;
        if (tail != null) {
            tail.close();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(2));
        }
    }
}
