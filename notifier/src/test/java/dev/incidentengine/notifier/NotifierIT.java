package dev.incidentengine.notifier;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.RoleRequested;
import dev.incidentengine.model.RoleAssigned;
import dev.incidentengine.model.EscalationTarget;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.ChannelType;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.ContactType;
import dev.incidentengine.model.config.NotificationRule;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.notifier.delivery.Signatures;
import dev.incidentengine.service.DeadLetters;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WebhookSink;
import dev.incidentengine.testkit.WithKafka;
import jakarta.mail.internet.MimeMessage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static dev.incidentengine.testkit.Samples.escalated;
import static dev.incidentengine.testkit.Samples.event;
import static dev.incidentengine.testkit.Samples.opened;
import static dev.incidentengine.testkit.Samples.plan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The notifier on a real broker with real receivers: pages by e-mail (GreenMail) and signed webhooks
 * (a local HTTP server), news for a subscribed channel, a failed contact method moving on to the next,
 * every result on notification.results.v1.
 */
@WithKafka
class NotifierIT {

    private static final String ID = "INC-20261122-3-0001";
    private static final byte[] OPS_SECRET = "ops-signing-secret".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    static final GreenMailExtension mail = new GreenMailExtension(ServerSetupTest.SMTP);

    @TempDir
    Path dir;

    @Test
    void pagesAndNewsReachEveryChannel_andAFailedContactMethodMovesOnAtOnce(KafkaTestCluster kafka) throws Exception {
        NotifierTopics topics = topics(kafka);
        try (WebhookSink sink = WebhookSink.start()) {
            kafka.produce(topics.users(), List.of(
                    Map.entry("alice", new UserConfig("alice", "Alice Example", "Europe/Berlin",
                            List.of(new ContactMethod(ContactType.EMAIL, "alice@example.com"),
                                    new ContactMethod(ContactType.WEBHOOK, sink.url("/alice"))),
                            List.of(new NotificationRule(ContactType.EMAIL, 0), new NotificationRule(ContactType.WEBHOOK, 1)))),
                    // No SMS provider is configured: bob's SMS fails, and his e-mail, due in 10 minutes, goes at once.
                    Map.entry("bob", new UserConfig("bob", "Bob Example", "UTC",
                            List.of(new ContactMethod(ContactType.SMS, "+4915100000002"), new ContactMethod(ContactType.EMAIL, "bob@example.com")),
                            List.of(new NotificationRule(ContactType.SMS, 0), new NotificationRule(ContactType.EMAIL, 10))))));
            kafka.produce(topics.services(), List.of(Map.entry("checkout", new ServiceConfig("checkout", "Checkout", null, null, null, Map.of(), null, java.util.Map.of()))));
            kafka.produce(topics.channels(), List.of(Map.entry("ops", new ChannelConfig("ops", "Ops", ChannelType.WEBHOOK,
                    sink.url("/ops"), "OPS_SECRET", List.of("checkout"), List.of(), List.of()))));
            Files.writeString(dir.resolve("OPS_SECRET"), new String(OPS_SECRET, StandardCharsets.UTF_8));

            try (ServiceRunner notifier = start(kafka, topics, Map.of())) {
                Instant now = Instant.now();
                kafka.produce(topics.events(), List.of(
                        Map.entry(ID, opened(ID, "e1").setTimestamp(now).build()),
                        Map.entry(ID, escalated(ID, "e2", now.plusMillis(10), 0, plan("alice", "EMAIL", 0, "WEBHOOK", 1),
                                plan("bob", "SMS", 0, "EMAIL", 10)))));
                await("both pages by e-mail").atMost(Duration.ofSeconds(60)).until(() -> mail.getReceivedMessages().length == 2);
                kafka.produce(topics.events(), List.of(
                        Map.entry(ID, event(ID, "e3", Instant.now(), new IncidentAcknowledged("on it"))),
                        Map.entry(ID, event(ID, "e4", Instant.now().plusMillis(5), new IncidentResolved("rolled back")))));
                await("opened, acknowledged and resolved at the ops webhook").atMost(Duration.ofSeconds(30))
                        .until(() -> sink.received(r -> r.path().equals("/ops")).size() == 3);

                MimeMessage page = mail.getReceivedMessagesForDomain("alice@example.com")[0];
                assertThat(page.getSubject()).contains("High error rate on checkout");
                assertThat(page.getMessageID()).contains("e2");
                assertThat(sink.received(r -> r.path().equals("/ops"))).allSatisfy(request -> {
                    assertThat(Signatures.verify(OPS_SECRET, request.header(Signatures.SIGNATURE_HEADER),
                            request.header(Signatures.TIMESTAMP_HEADER), request.body().getBytes(StandardCharsets.UTF_8),
                            Instant.now().getEpochSecond(), 300)).as("signed with the channel's secret").isTrue();
                    assertThat(request.header("Idempotency-Key")).startsWith("e");
                }).extracting(request -> request.header("Idempotency-Key"))
                        .containsExactly("e1:ops:webhook:0", "e3:ops:webhook:0", "e4:ops:webhook:0");
                await("every result recorded").atMost(Duration.ofSeconds(30)).until(() -> results(kafka, topics).size() == 6);
                Map<String, NotificationResult> byDelivery = new HashMap<>();
                results(kafka, topics).forEach(record -> byDelivery.put(record.value().getDeliveryId(), record.value()));
                assertThat(byDelivery.get("e2:bob:sms:0").getOutcome()).isEqualTo(DeliveryOutcome.FAILED);
                assertThat(byDelivery.get("e2:bob:sms:0").getError()).isEqualTo("channel sms is not configured on this notifier");
                assertThat(byDelivery.get("e2:bob:email:1").getOutcome()).isEqualTo(DeliveryOutcome.DELIVERED);
                assertThat(byDelivery.get("e2:alice:email:0").getProviderMessageId()).isEqualTo(page.getMessageID());
                assertThat(byDelivery).doesNotContainKey("e2:alice:webhook:1");
                String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + notifier.httpAddress().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).contains("notifier_deliveries_total{channel=\"email\",outcome=\"delivered\"} 2.0",
                        "notifier_deliveries_total{channel=\"sms\",outcome=\"failed\"} 1.0", "notifier_breakers_open 0.0");
            }
        }
    }

    @Test
    void aRoleRequestReachesTheIcByEMail_asTheConfiguredRole_andTakingTheRoleStopsTheNextStep(KafkaTestCluster kafka) throws Exception {
        NotifierTopics topics = topics(kafka);
        try (WebhookSink sink = WebhookSink.start()) {
            kafka.produce(topics.users(), List.of(Map.entry("carol", new UserConfig("carol", "Carol Example", "UTC",
                    List.of(new ContactMethod(ContactType.EMAIL, "carol@example.com"), new ContactMethod(ContactType.WEBHOOK, sink.url("/carol"))),
                    List.of(new NotificationRule(ContactType.EMAIL, 0), new NotificationRule(ContactType.WEBHOOK, 1))))));
            kafka.produce(topics.roles(), List.of(Map.entry("commander",
                    new RoleConfig("commander", "Incident Lead", null, List.of("SEV0", "SEV1"), 5))));
            try (ServiceRunner notifier = start(kafka, topics, Map.of())) {
                Instant now = Instant.now();
                kafka.produce(topics.events(), List.of(
                        Map.entry(ID, opened(ID, "e1").setTimestamp(now).build()),
                        Map.entry(ID, event(ID, "e2", now.plusMillis(10), new RoleRequested("commander", List.of(new EscalationTarget(
                                TargetType.SCHEDULE, "ic-rotation", List.of("carol"), List.of(plan("carol", "EMAIL", 0, "WEBHOOK", 1)))),
                                "Incident Lead still free 5 minutes into a SEV1 incident")))));
                await("the request by e-mail").atMost(Duration.ofSeconds(60)).until(() -> mail.getReceivedMessages().length == 1);
                kafka.produce(topics.events(), List.of(Map.entry(ID, event(ID, "e3", Instant.now(),
                        new RoleAssigned("commander", "carol", null, null)))));

                MimeMessage request = mail.getReceivedMessages()[0];
                assertThat(request.getSubject()).startsWith("[SEV2] Take Incident Lead: ");
                await("its result recorded").atMost(Duration.ofSeconds(30)).until(() -> results(kafka, topics).size() == 1);
                assertThat(results(kafka, topics)).singleElement().satisfies(result -> {
                    assertThat(result.value().getKind()).isEqualTo("role-requested");
                    assertThat(result.value().getDeliveryId()).isEqualTo("e2:carol:email:0");
                });
                await().during(Duration.ofSeconds(70)).atMost(Duration.ofSeconds(90))
                        .until(() -> sink.received(r -> r.path().equals("/carol")).isEmpty());
            }
        }
    }

    @Test
    void anIncidentsSlackMessageIsUpdatedInPlace_andUnreadableRequestsAndEventsGoToTheDeadLetterQueue(KafkaTestCluster kafka) throws Exception {
        NotifierTopics topics = topics(kafka);
        String posted = "{\"ok\":true,\"channel\":\"C0123ABCD\",\"ts\":\"1700000000.000100\"}";
        try (WebhookSink slack = WebhookSink.start().body("/api/chat.postMessage", r -> posted).body("/api/chat.update", r -> posted)) {
            kafka.produce(topics.channels(), List.of(Map.entry("room", new ChannelConfig("room", "Room", ChannelType.SLACK, "C0123ABCD",
                    null, List.of(), List.of(), List.of()))));
            Files.writeString(dir.resolve("SLACK_BOT_TOKEN"), "xoxb-test-token");
            try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(kafka.producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(topics.requests().name(), ID.getBytes(StandardCharsets.UTF_8),
                        "not a request".getBytes(StandardCharsets.UTF_8))).get();
                raw.send(new ProducerRecord<>(topics.events().name(), ID.getBytes(StandardCharsets.UTF_8),
                        "not an event".getBytes(StandardCharsets.UTF_8))).get();
            }
            try (ServiceRunner notifier = start(kafka, topics, Map.of(NotifierConfig.SLACK_API_URL_CONFIG, slack.url("/api"),
                    NotifierConfig.SLACK_TOKEN_SECRET_CONFIG, "SLACK_BOT_TOKEN"))) {
                kafka.produce(topics.events(), List.of(Map.entry(ID, opened(ID, "e1").setTimestamp(Instant.now()).build())));
                await("the message posted").atMost(Duration.ofSeconds(60)).until(() -> slack.received().size() == 1);
                kafka.produce(topics.events(), List.of(
                        Map.entry(ID, event(ID, "e3", Instant.now(), new IncidentAcknowledged("on it"))),
                        Map.entry(ID, event(ID, "e4", Instant.now().plusMillis(5), new IncidentResolved("rolled back")))));
                await("the message updated twice").atMost(Duration.ofSeconds(30)).until(() -> slack.received().size() == 3);

                assertThat(slack.received()).extracting(WebhookSink.Received::path)
                        .containsExactly("/api/chat.postMessage", "/api/chat.update", "/api/chat.update");
                assertThat(slack.received()).allSatisfy(request ->
                        assertThat(request.header("Authorization")).isEqualTo("Bearer xoxb-test-token"));
                assertThat(slack.received().subList(1, 3)).allSatisfy(request ->
                        assertThat(request.body()).contains("\"ts\":\"1700000000.000100\"", "\"channel\":\"C0123ABCD\""));
                // The sender's unreadable request and the planner's unreadable event, each with the topic it came from and why.
                List<ConsumerRecord<byte[], byte[]>> dead = TopicContents.readToEnd(kafka.bootstrapServers(), topics.deadLetters(),
                        kafka.serdes(), Duration.ofSeconds(10));
                assertThat(dead).hasSize(2).allSatisfy(record -> assertThat(record.headers().lastHeader(DeadLetters.REASON)).isNotNull());
                assertThat(dead).extracting(record -> new String(record.headers().lastHeader(DeadLetters.SOURCE_TOPIC).value(),
                        StandardCharsets.UTF_8) + " " + new String(record.value(), StandardCharsets.UTF_8))
                        .containsExactlyInAnyOrder(topics.requests().name() + " not a request", topics.events().name() + " not an event");
            }
        }
    }

    private ServiceRunner start(KafkaTestCluster kafka, NotifierTopics topics, Map<String, String> extra) {
        Map<String, String> settings = new HashMap<>(extra);
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        settings.put(NotifierConfig.APPLICATION_ID_CONFIG, "notifier-" + topics.events().name());
        settings.put(NotifierConfig.SECRETS_DIR_CONFIG, dir.toString());
        settings.put(NotifierConfig.SMTP_HOST_CONFIG, "127.0.0.1");
        settings.put(NotifierConfig.SMTP_PORT_CONFIG, Integer.toString(mail.getSmtp().getPort()));
        settings.put(NotifierConfig.SMTP_TLS_CONFIG, "NONE");
        settings.put(NotifierConfig.LINKS_BASE_URL_CONFIG, "http://localhost:8080");
        settings.put("kafka.commit.interval.ms", "100");
        // /readyz is asked all through the start, as an orchestrator would: it says 503 until ready, never 500.
        int port = TopicContents.freePort();
        List<Integer> answers = new CopyOnWriteArrayList<>();
        AtomicBoolean asking = new AtomicBoolean(true);
        Thread prober = new Thread(() -> {
            HttpClient http = HttpClient.newHttpClient();
            HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build();
            while (asking.get()) {
                try {
                    answers.add(http.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode());
                } catch (IOException e) {
                    // not listening yet
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "readyz-prober");
        prober.start();
        ServiceRunner runner = new ServiceRunner("127.0.0.1", port, List.of(new NotifierService(new NotifierConfig(settings), topics))).start();
        await("notifier running").atMost(Duration.ofSeconds(60)).until(runner::ready);
        await("/readyz says so").atMost(Duration.ofSeconds(60)).until(() -> answers.contains(200));
        asking.set(false);
        assertThat(answers).as("/readyz while starting").doesNotContain(500).containsOnly(503, 200);
        return runner;
    }

    private static List<ConsumerRecord<String, NotificationResult>> results(KafkaTestCluster kafka, NotifierTopics topics) {
        return TopicContents.readToEnd(kafka.bootstrapServers(), topics.results(), kafka.serdes(), Duration.ofSeconds(10));
    }

    static NotifierTopics topics(KafkaTestCluster kafka) {
        NotifierTopics d = NotifierTopics.DEFAULT;
        return new NotifierTopics(kafka.createTopic(d.events()), kafka.createTopic(d.requests()), kafka.createTopic(d.deliveries()),
                kafka.createTopic(d.results()), kafka.createTopic(d.users()), kafka.createTopic(d.services()),
                kafka.createTopic(d.channels()), kafka.createTopic(d.deadLetters()), kafka.createTopic(d.statusPage()),
                kafka.createTopic(d.subscribers()),
                kafka.createTopic(d.commands()), kafka.createTopic(d.teams()), kafka.createTopic(d.roles()));
    }
}
