package dev.incidentengine.notifier;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.SessionEvent;
import dev.incidentengine.model.SessionEventType;
import dev.incidentengine.notifier.channel.Channel;
import dev.incidentengine.notifier.channel.Message;
import dev.incidentengine.notifier.channel.Result;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.api.Sessions;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mails the console's sign-in links: each {@code LINK_REQUESTED} record of the session log becomes
 * an e-mail, through the e-mail channel and its retries, to the address the record names. The
 * record holds no secret; the link's token is signed here with the session secret that the API's
 * instances share, so neither the topic nor the log ever holds a working link.
 *
 * <p>At least once: offsets are committed after the mails of a poll went out, so a crash may send
 * a link twice (the same link, which still works once). A link that expired before it could be sent
 * is dropped.
 */
final class SignInLinkMailer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SignInLinkMailer.class);

    private final KafkaConsumer<String, SessionEvent> consumer;
    private final Topic<String, SessionEvent> topic;
    private final Channel email;
    private final Sessions sessions;
    private final String baseUrl;
    private final Clock clock;
    private final Thread thread = new Thread(this::run, "notifier-signin-links");
    private volatile boolean running = true;

    SignInLinkMailer(Map<String, Object> consumerProps, Topic<String, SessionEvent> topic, RecordSerdes serdes, Channel email,
                     Sessions sessions, String baseUrl, Clock clock) {
        this.consumer = new KafkaConsumer<>(consumerProps, topic.keySerde(serdes).deserializer(), topic.valueSerde(serdes).deserializer());
        this.topic = topic;
        this.email = email;
        this.sessions = sessions;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.clock = clock;
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic.name()));
            while (running) {
                ConsumerRecords<String, SessionEvent> records;
                try {
                    records = consumer.poll(Duration.ofMillis(500));
                } catch (RecordDeserializationException e) {
                    log.error("Sign-in link mailer skips the unreadable record at {} offset {}: {}", e.topicPartition(), e.offset(),
                            e.getMessage());
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                    continue;
                }
                for (ConsumerRecord<String, SessionEvent> record : records) {
                    if (record.value() != null && record.value().getType() == SessionEventType.LINK_REQUESTED) {
                        mail(record.value());
                    }
                }
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
            }
        } catch (WakeupException e) {
            // Closing.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("Sign-in links are no longer mailed: {}", e.toString(), e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    private void mail(SessionEvent request) throws InterruptedException {
        if (!clock.instant().isBefore(request.getExpiresAt())) {
            log.info("The sign-in link of user {} expired before it could be mailed", request.getUser());
            return;
        }
        String token = sessions.linkToken(new Sessions.Link(request.getUser(), request.getFingerprint(), request.getNonce(),
                request.getExpiresAt()));
        String url = baseUrl + "/signin/link" + (request.getNext() == null ? "" : "?next=" + URLEncoder.encode(request.getNext(),
                StandardCharsets.UTF_8)) + "#" + token;
        long minutes = Math.max(1, Duration.between(clock.instant(), request.getExpiresAt()).toMinutes());
        String text = "Someone asked to sign in to the incident console as " + request.getUser() + ". This link signs you in, once, "
                + "within the next " + minutes + " minutes:\n\n" + url + "\n\nIf it was not you, ignore this e-mail: without the link "
                + "nothing happens.\n";
        Result result = email.send(new Message("signin-link-" + request.getNonce(), null, null, request.getAddress(), null,
                "Your sign-in link to the incident console", text, null, url, null, null, null, null, null));
        if (result.delivered()) {
            log.info("Mailed a sign-in link to user {}", request.getUser());
        } else {
            log.warn("Could not mail a sign-in link to user {}: {}", request.getUser(), result.error());
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
