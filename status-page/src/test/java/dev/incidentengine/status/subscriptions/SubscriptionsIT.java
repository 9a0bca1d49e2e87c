package dev.incidentengine.status.subscriptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.incidentengine.model.StatusSubscriber;
import dev.incidentengine.model.SubscriberKind;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.service.api.SubscriberSeal;
import dev.incidentengine.service.api.SubscriberSeal.Purpose;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.WithKafka;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.Arguments;

/** The subscription endpoints on a real broker: e-mail and webhook subscriptions, links, the admin's forget, throttles, bad input. */
@WithKafka
class SubscriptionsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = "admin-token-0123456789";
    private static final String VIEWER = "viewer-token-0123456789";

    private final KafkaTestCluster kafka;
    private final HttpClient http = HttpClient.newHttpClient();
    private final SubscriberSeal seal = new SubscriberSeal("0123456789abcdef0123456789abcdef-status".getBytes(StandardCharsets.UTF_8));
    @TempDir
    Path dir;
    private ServiceRunner runner;
    private Topic<String, StatusSubscriber> topic;
    private String base;

    SubscriptionsIT(KafkaTestCluster kafka) {
        this.kafka = kafka;
    }

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    private void start(int perIp, int perAddress) throws Exception {
        topic = kafka.createTopic(Topics.STATUS_SUBSCRIBERS);
        Path tokens = Files.writeString(dir.resolve("api-tokens.yaml"), """
                tokens:
                  - {user: ada, role: admin, token: %s}
                  - {user: vic, role: viewer, token: %s}
                """.formatted(ADMIN, VIEWER));
        Subscriptions subscriptions = new Subscriptions(new Subscriptions.Settings("public", perIp, perAddress, false, false), seal,
                ApiTokens.load(tokens.toString(), Map.of()), kafka.producerProps(), kafka.consumerProps("unused"), topic, kafka.serdes(),
                Clock.systemUTC(), System::nanoTime);
        runner = new ServiceRunner("127.0.0.1", 0, List.of(service(subscriptions))).start();
        base = "http://127.0.0.1:" + runner.httpAddress().getPort();
        await("subscribers read").atMost(Duration.ofSeconds(30)).until(runner::ready);
    }

    /** What the status-page service does with its subscriptions. */
    static Service service(Subscriptions subscriptions) {
        return new Service() {
            @Override
            public String name() {
                return "status-subscriptions";
            }

            @Override
            public void routes(HttpServer server, MeterRegistry metrics) {
                subscriptions.routes(server);
            }

            @Override
            public void start(MeterRegistry metrics) {
                subscriptions.start();
            }

            @Override
            public Optional<String> problem() {
                return subscriptions.problem();
            }

            @Override
            public void close() {
                subscriptions.close();
            }
        };
    }

    @Test
    void anEmailSubscriptionIsConfirmedOnceAndUnsubscribedInOneClick_neverRevealingWhetherItExists() throws Exception {
        start(100, 10);
        HttpResponse<String> first = post("/status/subscriptions", "application/json", "{\"email\":\"Ada@Example.com\",\"components\":[\"api\"]}");
        assertThat(first.statusCode()).isEqualTo(202);
        StatusSubscriber pending = awaitSubscribers(1).get(0).value();
        assertThat(pending.getKind()).isEqualTo(SubscriberKind.EMAIL);
        assertThat(pending.getConfirmed()).isFalse();
        assertThat(pending.getComponents()).containsExactly("api");
        assertThat(pending.getAddressDigest()).isEqualTo(seal.digest("ada@example.com"));
        assertThat(new String(pending.getSealedAddress().array(), StandardCharsets.ISO_8859_1)).doesNotContainIgnoringCase("ada@example");
        assertThat(seal.open(pending.getSealedAddress().array(), pending.getKeyId())).isEqualTo("Ada@Example.com");
        String id = pending.getId();

        // Asked again while unconfirmed: the same answer, the same subscriber written again (its confirmation mail goes again).
        HttpResponse<String> again = post("/status/subscriptions", "application/json", "{\"email\":\"ada@example.com\"}");
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(awaitSubscribers(2).get(1).key()).isEqualTo(id);

        assertThat(get("/status/subscriptions/confirm?id=" + id + "&token=" + seal.token(Purpose.UNSUBSCRIBE, id)).statusCode())
                .as("the unsubscribe token does not confirm").isEqualTo(404);
        HttpResponse<String> confirmed = get("/status/subscriptions/confirm?id=" + id + "&token=" + seal.token(Purpose.CONFIRM, id));
        assertThat(confirmed.statusCode()).isEqualTo(200);
        assertThat(confirmed.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp -> assertThat(csp).contains("default-src 'none'"));
        assertThat(confirmed.body()).contains("<h1>Subscribed</h1>").doesNotContain("<script").doesNotContain("style");
        StatusSubscriber done = awaitSubscribers(3).get(2).value();
        assertThat(done.getConfirmed()).isTrue();
        assertThat(done.getConfirmedAt()).isNotNull();
        assertThat(get("/status/subscriptions/confirm?id=" + id + "&token=" + seal.token(Purpose.CONFIRM, id)).statusCode())
                .as("idempotent").isEqualTo(200);

        // Subscribed now: the same answer again, and nothing written (whoever asks may not own the address).
        HttpResponse<String> known = post("/status/subscriptions", "application/x-www-form-urlencoded; charset=UTF-8",
                "email=ada%40example.com&components%5B%5D=web");
        assertThat(known.statusCode()).isEqualTo(202);
        assertThat(known.body()).contains("Check your inbox");
        HttpResponse<String> unknown = post("/status/subscriptions", "application/x-www-form-urlencoded", "email=bob%40example.com");
        assertThat(unknown.body()).isEqualTo(known.body());
        List<ConsumerRecord<String, StatusSubscriber>> records = awaitSubscribers(4);
        assertThat(records).hasSize(4);
        assertThat(records.get(3).value().getAddressDigest()).isEqualTo(seal.digest("bob@example.com"));

        String unsubscribe = "/status/subscriptions/unsubscribe?id=" + id + "&token=" + seal.token(Purpose.UNSUBSCRIBE, id);
        HttpResponse<String> page = get(unsubscribe);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<form method=\"post\" action=\"" + unsubscribe.replace("&", "&amp;") + "\">")
                .doesNotContain("<script");
        assertThat(awaitSubscribers(4)).as("showing the page changes nothing").hasSize(4);
        HttpResponse<String> oneClick = post(unsubscribe, "application/x-www-form-urlencoded", "List-Unsubscribe=One-Click");
        assertThat(oneClick.statusCode()).isEqualTo(200);
        ConsumerRecord<String, StatusSubscriber> tombstone = awaitSubscribers(5).get(4);
        assertThat(tombstone.key()).isEqualTo(id);
        assertThat(tombstone.value()).isNull();
        assertThat(get("/status/subscriptions/confirm?id=" + id + "&token=" + seal.token(Purpose.CONFIRM, id)).statusCode())
                .as("gone").isEqualTo(404);
    }

    @Test
    void aWebhookIsConfirmedAtOnceAndItsSecretShownOnlyInTheAnswer() throws Exception {
        start(100, 10);
        HttpResponse<String> answer = post("/status/subscriptions", "application/json", "{\"endpoint\":\"https://hooks.example.com/status\"}");
        assertThat(answer.statusCode()).isEqualTo(202);
        JsonNode subscriber = JSON.readTree(answer.body()).get("subscriber");
        String id = subscriber.get("id").asText();
        assertThat(subscriber.get("secret").asText()).isEqualTo(seal.webhookSecret(id));
        assertThat(answer.headers().firstValue("Cache-Control")).hasValue("no-store");
        StatusSubscriber record = awaitSubscribers(1).get(0).value();
        assertThat(record.getId()).isEqualTo(id);
        assertThat(record.getConfirmed()).isTrue();
        assertThat(record.toString()).doesNotContain(seal.webhookSecret(id)).doesNotContain("hooks.example.com");

        // The same endpoint again: a new subscriber with a new secret replaces the old one.
        String second = JSON.readTree(post("/status/subscriptions", "application/json",
                "{\"endpoint\":\"https://hooks.example.com/status\"}").body()).get("subscriber").get("id").asText();
        List<ConsumerRecord<String, StatusSubscriber>> records = awaitSubscribers(3);
        assertThat(records.get(1).key()).isEqualTo(second);
        assertThat(records.get(2).key()).isEqualTo(id);
        assertThat(records.get(2).value()).isNull();
    }

    @Test
    void anAdminForgetsAnAddress() throws Exception {
        start(100, 10);
        post("/status/subscriptions", "application/json", "{\"email\":\"carol@example.com\"}");
        String id = awaitSubscribers(1).get(0).key();
        String forget = "/api/v1/status-page/subscribers?email=Carol%40example.com";
        assertThat(delete(forget, null).statusCode()).isEqualTo(401);
        assertThat(delete(forget, VIEWER).statusCode()).isEqualTo(403);
        assertThat(delete("/api/v1/status-page/subscribers", ADMIN).statusCode()).isEqualTo(400);
        assertThat(delete("/api/v1/status-page/subscribers?email=x&endpoint=https://a.example", ADMIN).statusCode()).isEqualTo(400);
        assertThat(delete("/api/v1/status-page/subscribers?email=not-an-address", ADMIN).statusCode()).isEqualTo(400);
        HttpResponse<String> forgotten = delete(forget, ADMIN);
        assertThat(forgotten.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(forgotten.body()).get("forgotten").asBoolean()).isTrue();
        ConsumerRecord<String, StatusSubscriber> tombstone = awaitSubscribers(2).get(1);
        assertThat(tombstone.key()).isEqualTo(id);
        assertThat(tombstone.value()).isNull();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(JSON.readTree(delete(forget, ADMIN).body()).get("forgotten").asBoolean()).isFalse());
    }

    @Test
    void aClientIpAndAnAddressAreThrottled() throws Exception {
        start(3, 2);
        assertThat(post("/status/subscriptions", "application/json", "{\"email\":\"dan@example.com\"}").statusCode()).isEqualTo(202);
        assertThat(post("/status/subscriptions", "application/json", "{\"email\":\"DAN@example.com\"}").statusCode()).isEqualTo(202);
        HttpResponse<String> address = post("/status/subscriptions", "application/json", "{\"email\":\"dan@example.com\"}");
        assertThat(address.statusCode()).isEqualTo(429);
        assertThat(address.headers().firstValue("Retry-After")).hasValueSatisfying(seconds -> assertThat(Long.parseLong(seconds))
                .isBetween(1L, 1800L));
        HttpResponse<String> ip = post("/status/subscriptions", "application/json", "{\"email\":\"eve@example.com\"}");
        assertThat(ip.statusCode()).isEqualTo(429);
        assertThat(ip.headers().firstValue("Retry-After")).isPresent();
        assertThat(awaitSubscribers(2)).as("throttled requests write nothing").hasSize(2);
    }

    static Stream<Arguments> badInput() {
        String big = "{\"email\":\"" + "a".repeat(5000) + "@example.com\"}";
        return Stream.of(
                Arguments.of("text/plain", "email=a@example.com", 415, null),
                Arguments.of("application/json", "not json", 400, null),
                Arguments.of("application/json", "[]", 400, null),
                Arguments.of("application/json", "{}", 400, "email"),
                Arguments.of("application/json", "{\"email\":\"a@example.com\",\"endpoint\":\"https://a.example\"}", 400, "email"),
                Arguments.of("application/json", "{\"email\":42}", 400, "email"),
                Arguments.of("application/json", "{\"email\":\"no-at-sign\"}", 400, "email"),
                Arguments.of("application/json", "{\"email\":\"<script>alert(1)</script>@example.com\"}", 400, "email"),
                Arguments.of("application/json", "{\"email\":\"a@example.com\\r\\nBcc: x@example.com\"}", 400, "email"),
                Arguments.of("application/json", "{\"email\":\"" + "a".repeat(65) + "@example.com\"}", 400, "email"),
                Arguments.of("application/json", "{\"email\":\"a@" + "b".repeat(250) + ".com\"}", 400, "email"),
                Arguments.of("application/json", "{\"email\":\"a@example.com\",\"admin\":true}", 400, "admin"),
                Arguments.of("application/json", "{\"endpoint\":\"javascript:alert(1)\"}", 400, "endpoint"),
                Arguments.of("application/json", "{\"endpoint\":\"ftp://example.com/x\"}", 400, "endpoint"),
                Arguments.of("application/json", "{\"endpoint\":\"https://user:pw@example.com/x\"}", 400, "endpoint"),
                Arguments.of("application/json", "{\"endpoint\":\"https://example.com/a b\"}", 400, "endpoint"),
                Arguments.of("application/json", "{\"endpoint\":\"http://127.0.0.1:8080/x\"}", 400, "endpoint"),
                Arguments.of("application/json", "{\"endpoint\":\"http://169.254.169.254/latest\"}", 400, "endpoint"),
                Arguments.of("application/json", "{\"endpoint\":\"http://[::1]/x\"}", 400, "endpoint"),
                Arguments.of("application/json", "{\"endpoint\":\"http://localhost/x\"}", 400, "endpoint"),
                Arguments.of("application/json", "{\"endpoint\":\"https://example.com/" + "a".repeat(2100) + "\"}", 400, "endpoint"),
                Arguments.of("application/json", "{\"email\":\"a@example.com\",\"components\":\"api\"}", 400, "components"),
                Arguments.of("application/json", "{\"email\":\"a@example.com\",\"components\":[\"<b>\"]}", 400, "components"),
                Arguments.of("application/json", "{\"email\":\"a@example.com\",\"components\":" + Stream.iterate(0, i -> i + 1).limit(51)
                        .map(i -> "\"c" + i + "\"").toList() + "}", 400, "components"),
                Arguments.of("application/json", big, 413, null),
                Arguments.of("application/x-www-form-urlencoded", "email=a%40example.com&email=b%40example.com", 400, "email"),
                Arguments.of("application/x-www-form-urlencoded", "email=%E0%A4%A", 400, null),
                Arguments.of("application/x-www-form-urlencoded", "email=a%40example.com&%3Cscript%3E=1", 400, "<script>"));
    }

    /** One server for the whole matrix: each bad request is followed by a good one on the same connection. */
    @Test
    void badInputIsRefusedClearlyAndWritesNothing() throws Exception {
        start(1000, 1000);
        List<Arguments> cases = badInput().toList();
        for (Arguments arguments : cases) {
            Object[] args = arguments.get();
            String type = (String) args[0];
            String body = (String) args[1];
            String field = (String) args[3];
            String described = type + " " + (body.length() > 80 ? body.substring(0, 80) + "..." : body);
            HttpResponse<String> answer = post("/status/subscriptions", type, body);
            assertThat(answer.statusCode()).as(described + ": " + answer.body()).isEqualTo((int) args[2]);
            if (type.equals("application/x-www-form-urlencoded")) {
                assertThat(answer.headers().firstValue("Content-Type")).as(described)
                        .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
                assertThat(answer.body()).as(described).doesNotContain("<script>").doesNotContain("<b>");
            } else {
                JsonNode error = JSON.readTree(answer.body());
                assertThat(error.get("error").asText()).as(described).isNotBlank();
                if (field != null) {
                    assertThat(error.get("field").asText()).as(described).isEqualTo(field);
                }
            }
            assertThat(post("/status/subscriptions", "application/json", "{\"email\":\"ok@example.com\"}").statusCode())
                    .as("a good request after " + described).isEqualTo(202);
        }
        List<ConsumerRecord<String, StatusSubscriber>> written = awaitSubscribers(cases.size());
        assertThat(written).as("only the good requests are written").hasSize(cases.size());
        assertThat(written.stream().map(record -> record.value().getAddressDigest()).distinct()).as("all for ok@example.com").hasSize(1);
        assertThat(get("/status/subscriptions/confirm?id=x&token=y").statusCode()).isEqualTo(404);
        assertThat(get("/status/subscriptions/unsubscribe?id=%3Cscript%3E&token=y").body()).doesNotContain("<script>");
    }

    private List<ConsumerRecord<String, StatusSubscriber>> awaitSubscribers(int count) {
        return kafka.consume(topic, count, Duration.ofSeconds(20));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String type, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> delete(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).DELETE();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
