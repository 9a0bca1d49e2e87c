package dev.incidentengine.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AffectedComponent;
import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.PageConfigured;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentChanged;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.PublicUpdate;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.model.StatusSubscriber;
import dev.incidentengine.model.SubscriberKind;
import dev.incidentengine.notifier.delivery.Signatures;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.service.api.SubscriberSeal;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WebhookSink;
import dev.incidentengine.testkit.WithKafka;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Status page subscribers on a real broker: a page event with an update fans out to the confirmed subscribers whose
 * components it touches, webhooks signed with each one's secret, e-mail through GreenMail; a stop and restart mid-fan-out sends
 * none twice (a kill may repeat what was sent but not yet recorded, as for pages: see NotifierRestartIT).
 */
@WithKafka
class StatusSubscribersIT {

    static final String SECRET = "0123456789abcdef0123456789abcdef-status";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final GreenMailExtension mail = new GreenMailExtension(ServerSetupTest.SMTP);

    @TempDir
    Path dir;

    private final SubscriberSeal seal = new SubscriberSeal(SECRET.getBytes(StandardCharsets.UTF_8));

    @Test
    void aWebhookSubscriberGetsStatuspagesJsonSignedWithItsSecret_andOthersWhatConcernsThem(KafkaTestCluster kafka) throws Exception {
        NotifierTopics topics = NotifierIT.topics(kafka);
        try (WebhookSink sink = WebhookSink.start()) {
            kafka.produce(topics.subscribers(), List.of(
                    Map.entry("hook", subscriber("hook", SubscriberKind.WEBHOOK, sink.url("/hook"), true, List.of("api"))),
                    Map.entry("other", subscriber("other", SubscriberKind.WEBHOOK, sink.url("/other"), true, List.of("billing"))),
                    Map.entry("pending", subscriber("pending", SubscriberKind.WEBHOOK, sink.url("/pending"), false, List.of())),
                    Map.entry("gone", subscriber("gone", SubscriberKind.WEBHOOK, sink.url("/gone"), true, List.of())),
                    new AbstractMap.SimpleEntry<>("gone", null)));
            try (ServiceRunner ignored = start(kafka, topics, "webhooks")) {
                kafka.produce(topics.statusPage(), List.of(Map.entry("public", configured(1)),
                        Map.entry("public", update(2, "p2", "Checkout <errors>", List.of("api", "web")))));
                await("the webhook").atMost(Duration.ofSeconds(60)).until(() -> sink.received().size() == 1);
                await("its result").atMost(Duration.ofSeconds(30)).until(() -> results(kafka, topics).size() == 1);
            }
            WebhookSink.Received hook = sink.received().get(0);
            assertThat(hook.path()).isEqualTo("/hook");
            assertThat(hook.header("Idempotency-Key")).isEqualTo("p2:hook");
            assertThat(Signatures.verify(seal.webhookSecret("hook").getBytes(StandardCharsets.UTF_8), hook.header(Signatures.SIGNATURE_HEADER),
                    hook.header(Signatures.TIMESTAMP_HEADER), hook.body().getBytes(StandardCharsets.UTF_8), Instant.now().getEpochSecond(), 300))
                    .as("signed with the subscriber's own secret").isTrue();
            assertThat(Signatures.verify(seal.webhookSecret("other").getBytes(StandardCharsets.UTF_8), hook.header(Signatures.SIGNATURE_HEADER),
                    hook.header(Signatures.TIMESTAMP_HEADER), hook.body().getBytes(StandardCharsets.UTF_8), Instant.now().getEpochSecond(), 300))
                    .isFalse();
            JsonNode body = JSON.readTree(hook.body());
            assertThat(body.at("/meta/unsubscribe").asText()).startsWith("https://status.example.com/status/subscriptions/unsubscribe?id=hook&token=");
            assertThat(body.at("/page/name").asText()).isEqualTo("Example Status");
            assertThat(body.at("/incident/id").asText()).isEqualTo("INC-1");
            assertThat(body.at("/incident/name").asText()).isEqualTo("Checkout <errors>");
            assertThat(body.at("/incident/status").asText()).isEqualTo("identified");
            assertThat(body.at("/incident/impact").asText()).isEqualTo("major");
            assertThat(body.at("/incident/incident_updates/0/body").asText()).isEqualTo("We found it & fix it.");
            assertThat(body.at("/incident/incident_updates/0/affected_components/0/new_status").asText()).isEqualTo("partial_outage");
            NotificationResult result = results(kafka, topics).get(0);
            assertThat(result.getOutcome()).isEqualTo(DeliveryOutcome.DELIVERED);
            assertThat(result.getKind()).isEqualTo("status-incident");
            assertThat(result.getIncidentId()).as("not the incident's own: its timeline is not the page's").isEqualTo("status:INC-1");
            assertThat(result.toString()).doesNotContain(sink.url("/hook")).doesNotContain(seal.webhookSecret("hook"));
            assertThat(TopicContents.readToEnd(kafka.bootstrapServers(), topics.requests(), kafka.serdes(), Duration.ofSeconds(10)))
                    .hasSize(1).allSatisfy(request -> assertThat(request.value().toString()).doesNotContain("127.0.0.1")
                            .doesNotContain("token="));
        }
    }

    @Test
    void aNotifierRestartMidFanOutDeliversNoneTwice(KafkaTestCluster kafka) throws Exception {
        NotifierTopics topics = NotifierIT.topics(kafka);
        int count = 5000;
        List<Map.Entry<String, StatusSubscriber>> subscribers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = String.format("s%05d", i);
            subscribers.add(Map.entry(id, subscriber(id, SubscriberKind.EMAIL, "reader" + i + "@example.com", true, List.of())));
        }
        kafka.produce(topics.subscribers(), subscribers);
        try (ServiceRunner first = start(kafka, topics, "restart")) {
            kafka.produce(topics.statusPage(), List.of(Map.entry("public", update(1, "p1", "Slow checkout", List.of("api")))));
            // Stopped (as on SIGTERM) at the first mail: the sender finishes and records the deliveries it took, and leaves the
            // rest of the fan-out's requests for the next notifier.
            await("the fan-out under way").atMost(Duration.ofSeconds(60)).until(() -> mail.getReceivedMessages().length >= 1);
        }
        assertThat(mail.getReceivedMessages().length).as("stopped mid-fan-out").isLessThan(count);
        try (ServiceRunner second = start(kafka, topics, "restart")) {
            await("every subscriber").atMost(Duration.ofSeconds(180)).until(() -> mail.getReceivedMessages().length >= count);
            await("every result").atMost(Duration.ofSeconds(60)).until(() -> results(kafka, topics).size() >= count);
        }
        MimeMessage[] received = mail.getReceivedMessages();
        Map<String, Long> perRecipient = Arrays.stream(received).collect(Collectors.groupingBy(message -> {
            try {
                return message.getAllRecipients()[0].toString();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, Collectors.counting()));
        assertThat(perRecipient).hasSize(count);
        assertThat(perRecipient.values()).as("none twice").containsOnly(1L);
        assertThat(received).hasSize(count);
        Set<String> delivered = results(kafka, topics).stream().map(NotificationResult::getDeliveryId).collect(Collectors.toSet());
        assertThat(delivered).hasSize(count);
        MimeMessage one = received[0];
        assertThat(one.getHeader("List-Unsubscribe")[0]).startsWith("<https://status.example.com/status/subscriptions/unsubscribe?id=s");
        assertThat(one.getHeader("List-Unsubscribe-Post")).containsExactly("List-Unsubscribe=One-Click");
    }

    static StatusSubscriber subscriber(String id, SubscriberKind kind, String address, boolean confirmed, List<String> components) {
        SubscriberSeal seal = new SubscriberSeal(SECRET.getBytes(StandardCharsets.UTF_8));
        Instant now = Instant.now();
        return new StatusSubscriber(id, "public", kind, ByteBuffer.wrap(seal.seal(address)), seal.keyId(), seal.digest(address),
                components, confirmed, now, confirmed ? now : null);
    }

    static StatusPageEvent configured(long sequence) {
        return new StatusPageEvent("cfg" + sequence, "public", sequence, Instant.now(), new Actor(ActorType.SYSTEM, "config", null), null,
                new PageConfigured("Example Status", "https://status.example.com/status", "UTC", List.of()));
    }

    static StatusPageEvent update(long sequence, String eventId, String title, List<String> components) {
        Instant now = Instant.now();
        PublicUpdate update = new PublicUpdate("u-" + eventId, "identified", "We found it & fix it.", now,
                List.of(new AffectedComponent(components.get(0), ComponentStatus.OPERATIONAL, ComponentStatus.PARTIAL_OUTAGE)));
        return new StatusPageEvent(eventId, "public", sequence, now, new Actor(ActorType.USER, "alice", null), null,
                new PublicIncidentChanged("INC-1", title, PublicImpact.MAJOR, PublicIncidentStatus.IDENTIFIED, components,
                        now.minusSeconds(60), null, update));
    }

    private List<NotificationResult> results(KafkaTestCluster kafka, NotifierTopics topics) {
        return TopicContents.readToEnd(kafka.bootstrapServers(), topics.results(), kafka.serdes(), Duration.ofSeconds(10)).stream()
                .map(record -> record.value()).toList();
    }

    private ServiceRunner start(KafkaTestCluster kafka, NotifierTopics topics, String name) throws Exception {
        Path secret = dir.resolve("status-secret");
        if (!Files.exists(secret)) {
            Files.writeString(secret, SECRET);
        }
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        settings.put(NotifierConfig.APPLICATION_ID_CONFIG, "notifier-" + name + "-" + topics.events().name());
        settings.put(NotifierConfig.SMTP_HOST_CONFIG, "127.0.0.1");
        settings.put(NotifierConfig.SMTP_PORT_CONFIG, Integer.toString(mail.getSmtp().getPort()));
        settings.put(NotifierConfig.SMTP_TLS_CONFIG, "NONE");
        settings.put(NotifierConfig.STATUS_URL_CONFIG, "https://status.example.com");
        settings.put(NotifierConfig.STATUS_SECRET_FILE_CONFIG, secret.toString());
        settings.put("kafka.commit.interval.ms", "100");
        // A stop lets every delivery the sender took finish and records it, however many (SIGTERM, not a kill).
        settings.put(NotifierConfig.SHUTDOWN_WAIT_MS_CONFIG, "120000");
        ServiceRunner runner = new ServiceRunner("127.0.0.1", 0, List.of(new NotifierService(new NotifierConfig(settings), topics))).start();
        await("notifier running").atMost(Duration.ofSeconds(60)).until(runner::ready);
        return runner;
    }
}
