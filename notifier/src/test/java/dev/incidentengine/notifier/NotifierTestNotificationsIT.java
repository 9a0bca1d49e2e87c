package dev.incidentengine.notifier;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.ChannelType;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.ContactType;
import dev.incidentengine.model.config.NotificationRule;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WebhookSink;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Test notifications through the notifier's real sender on a real broker: an admin's run reaches an e-mail (GreenMail) and
 * webhooks (a local server), a channel answering 500 and one on a dead port fail with their reasons, the same run asked again
 * sends nothing, the planner makes nothing of test results, and the endpoint is admin-only and rate-limited.
 */
@WithKafka
class NotifierTestNotificationsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "it-admin-token";
    private static final String VIEWER = "it-viewer-token";

    @RegisterExtension
    static final GreenMailExtension mail = new GreenMailExtension(ServerSetupTest.SMTP);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aRunReachesEveryTarget_namesEachFailure_andIsSentOnce(KafkaTestCluster kafka) throws Exception {
        NotifierTopics topics = NotifierIT.topics(kafka);
        try (WebhookSink sink = WebhookSink.start().status("/broken", 500)) {
            kafka.produce(topics.users(), List.of(Map.entry("alice", new UserConfig("alice", "Alice <b>Example</b>", "UTC",
                    List.of(new ContactMethod(ContactType.EMAIL, "alice@example.com"), new ContactMethod(ContactType.WEBHOOK, sink.url("/alice"))),
                    List.of(new NotificationRule(ContactType.EMAIL, 0))))));
            kafka.produce(topics.channels(), List.of(
                    Map.entry("ok", new ChannelConfig("ok", "Ops", ChannelType.WEBHOOK, sink.url("/ok"), null, List.of(), List.of(), List.of())),
                    Map.entry("broken", new ChannelConfig("broken", "Broken", ChannelType.WEBHOOK, sink.url("/broken"), null, List.of(),
                            List.of(), List.of())),
                    Map.entry("dead", new ChannelConfig("dead", "Dead", ChannelType.WEBHOOK,
                            "http://127.0.0.1:" + TopicContents.freePort() + "/hook", null, List.of(), List.of(), List.of()))));
            Path tokens = dir.resolve("tokens.yaml");
            Files.writeString(tokens, "tokens:\n  - {user: carol, role: admin, token: " + ADMIN + "}\n"
                    + "  - {user: bob, role: responder, token: " + VIEWER + "}\n");

            try (ServiceRunner notifier = start(kafka, topics, tokens)) {
                String base = "http://127.0.0.1:" + notifier.httpAddress().getPort() + "/api/v1/notifications/tests";
                assertThat(post(base, VIEWER, "{\"all\":true}").statusCode()).as("a responder may not page everyone").isEqualTo(403);
                assertThat(post(base, null, "{\"all\":true}").statusCode()).isEqualTo(401);
                HttpResponse<String> bad = post(base, ADMIN, "{\"all\":true,\"user\":\"alice\"}");
                assertThat(bad.statusCode()).isEqualTo(400);
                assertThat(JSON.readTree(bad.body()).get("field").asText()).isEqualTo("user");
                assertThat(post(base, ADMIN, "{\"channel\":\"nope\"}").statusCode()).isEqualTo(404);

                HttpResponse<String> started = post(base, ADMIN, "{\"all\":true,\"runId\":\"it-run-0001\"}");
                assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
                JsonNode run = JSON.readTree(started.body());
                assertThat(run.get("requestedBy").asText()).isEqualTo("carol");
                assertThat(run.get("targets")).extracting(target -> target.get("deliveryId").asText()).containsExactly(
                        "test:it-run-0001:user:alice:email:0", "test:it-run-0001:user:alice:webhook:1", "test:it-run-0001:channel:broken",
                        "test:it-run-0001:channel:dead", "test:it-run-0001:channel:ok");
                assertThat(run.get("targets").get(1).get("address").asText()).isEqualTo(sink.url("/…").replace("/…", "") + "/…");

                await("every result").atMost(Duration.ofSeconds(60)).until(() -> results(base + "/it-run-0001").size() == 5);
                Map<String, JsonNode> byDelivery = results(base + "/it-run-0001");
                assertThat(byDelivery.get("test:it-run-0001:user:alice:email:0").get("outcome").asText()).isEqualTo("DELIVERED");
                assertThat(byDelivery.get("test:it-run-0001:user:alice:webhook:1").get("outcome").asText()).isEqualTo("DELIVERED");
                assertThat(byDelivery.get("test:it-run-0001:channel:ok").get("outcome").asText()).isEqualTo("DELIVERED");
                assertThat(byDelivery.get("test:it-run-0001:channel:broken").get("outcome").asText()).isEqualTo("FAILED");
                assertThat(byDelivery.get("test:it-run-0001:channel:broken").get("error").asText()).contains("500");
                assertThat(byDelivery.get("test:it-run-0001:channel:dead").get("outcome").asText()).isEqualTo("FAILED");
                assertThat(byDelivery.get("test:it-run-0001:channel:dead").get("error").asText()).isNotBlank();

                assertThat(mail.getReceivedMessages()).hasSize(1);
                assertThat(mail.getReceivedMessages()[0].getSubject()).isEqualTo("Test notification from the incident engine at localhost — no action needed");
                JsonNode hook = JSON.readTree(sink.received(r -> r.path().equals("/alice")).get(0).body());
                assertThat(hook.get("kind").asText()).isEqualTo("test");
                assertThat(hook.get("incident").get("id").asText()).isEqualTo("test:it-run-0001");
                assertThat(hook.get("text").asText()).contains("Alice <b>Example</b>", "sent by carol", "Nothing is wrong");
                int sent = sink.received().size();

                // The same run again (a client retrying): accepted, and nothing is sent twice.
                assertThat(post(base, ADMIN, "{\"all\":true,\"runId\":\"it-run-0001\"}").statusCode()).isEqualTo(202);
                await("nothing more is sent").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                        .until(() -> sink.received().size() == sent && mail.getReceivedMessages().length == 1);
                HttpResponse<String> limited = post(base, ADMIN, "{\"user\":\"alice\"}");
                assertThat(limited.statusCode()).as("two runs a minute").isEqualTo(429);
                assertThat(limited.headers().firstValue("Retry-After")).isPresent();

                String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + notifier.httpAddress().getPort() + "/metrics"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).contains("notifier_test_results_healthy 1.0", "notifier_deliveries_total{channel=\"webhook\",outcome=\"failed\"} 2.0");

                List<ConsumerRecord<String, NotificationResult>> results = TopicContents.readToEnd(kafka.bootstrapServers(), topics.results(),
                        kafka.serdes(), Duration.ofSeconds(10));
                assertThat(results).hasSize(5).allSatisfy(result -> assertThat(result.key()).isEqualTo("test:it-run-0001"));
                Set<String> requested = TopicContents.readToEnd(kafka.bootstrapServers(), topics.requests(), kafka.serdes(), Duration.ofSeconds(10))
                        .stream().map(record -> record.value().getDeliveryId()).collect(Collectors.toSet());
                assertThat(requested).as("the planner requested nothing on test results, failed ones included")
                        .allSatisfy(id -> assertThat(id).startsWith("test:it-run-0001:")).hasSize(5);
            }
        }
    }

    private HttpResponse<String> post(String url, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, JsonNode> results(String url) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + ADMIN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        Map<String, JsonNode> byDelivery = new HashMap<>();
        JSON.readTree(answer.body()).get("results").forEach(result -> byDelivery.put(result.get("deliveryId").asText(), result));
        return byDelivery;
    }

    private ServiceRunner start(KafkaTestCluster kafka, NotifierTopics topics, Path tokens) {
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        settings.put(EngineConfig.API_TOKENS_FILE_CONFIG, tokens.toString());
        settings.put(NotifierConfig.APPLICATION_ID_CONFIG, "notifier-" + topics.events().name());
        settings.put(NotifierConfig.SMTP_HOST_CONFIG, "127.0.0.1");
        settings.put(NotifierConfig.SMTP_PORT_CONFIG, Integer.toString(mail.getSmtp().getPort()));
        settings.put(NotifierConfig.SMTP_TLS_CONFIG, "NONE");
        settings.put(NotifierConfig.LINKS_BASE_URL_CONFIG, "http://localhost:8080");
        settings.put(NotifierConfig.RETRY_ATTEMPTS_CONFIG, "2");
        settings.put(NotifierConfig.RETRY_BASE_MS_CONFIG, "50");
        settings.put(NotifierConfig.TEST_RUNS_PER_MINUTE_CONFIG, "2");
        ServiceRunner runner = new ServiceRunner("127.0.0.1", 0, List.of(new NotifierService(new NotifierConfig(settings), topics))).start();
        await("notifier running").atMost(Duration.ofSeconds(60)).until(runner::ready);
        return runner;
    }
}
