package dev.incidentengine.ingest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.ingest.normalize.Payloads;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.DeadLetters;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The HTTP receivers against a real broker: contracts, credentials, limits, and the bad-input matrix. */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertIngestHttpIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaTestCluster kafka;
    private final HttpClient http = HttpClient.newHttpClient();
    private IngestTopics topics;
    private ServiceRunner runner;
    private String base;

    @TempDir
    static Path stateDir;

    AlertIngestHttpIT(KafkaTestCluster kafka) {
        this.kafka = kafka;
    }

    @BeforeAll
    void start() {
        topics = new IngestTopics(kafka.createTopic(Topics.ALERTS_RAW), kafka.createTopic(Topics.ALERTS),
                kafka.createTopic(Topics.ALERTS_DLQ), kafka.createTopic(Topics.CONFIG_INTEGRATIONS), kafka.createTopic(Topics.HEARTBEATS));
        List<Map.Entry<String, IntegrationConfig>> integrations = Stream.of(
                MapIntegrations.integration("am", "shop", "am-key", "checkout"),
                MapIntegrations.integration("scoped", "checkout", "scoped-key", "payments"),
                MapIntegrations.integration("grafana", "shop", "grafana-key"),
                MapIntegrations.integration("pd", "db", "pd-key"),
                MapIntegrations.integration("generic", "checkout", "generic-key"),
                MapIntegrations.integration("matrix", "checkout", "matrix-key"),
                MapIntegrations.integration("limited", "checkout", "limited-key"),
                MapIntegrations.integration("raw", "checkout", "raw-key"),
                MapIntegrations.integration("revoked", "checkout", "revoked-key"))
                .map(i -> Map.entry(i.getId(), i)).toList();
        kafka.produce(topics.integrations(), integrations);

        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.HTTP_PORT_CONFIG, "0");
        settings.put(EngineConfig.STATE_DIR_CONFIG, stateDir.toString());
        settings.put(AlertIngestConfig.MAX_ALERTS_PER_REQUEST_CONFIG, "500");
        settings.put(AlertIngestConfig.RATE_LIMIT_CONFIG, "1");
        settings.put(AlertIngestConfig.RATE_LIMIT_BURST_CONFIG, "1000");
        settings.put(AlertIngestConfig.MAX_BODY_BYTES_CONFIG, Integer.toString(512 * 1024));
        AlertIngestConfig config = new AlertIngestConfig(settings);
        runner = new ServiceRunner("127.0.0.1", 0, List.of(new AlertIngestService(config, topics, Clock.systemUTC()))).start();
        base = "http://127.0.0.1:" + runner.httpAddress().getPort();
        await("alert-ingest ready").atMost(Duration.ofSeconds(60)).until(runner::ready);
    }

    @AfterAll
    void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    @Test
    void alertmanagerFiringResolvedAndGroupedBatches() throws Exception {
        assertThat(post("/api/v1/alertmanager", bearer("am-key"), Payloads.text("alertmanager-firing.json")).statusCode()).isEqualTo(202);
        HttpResponse<String> grouped = post("/api/v1/alertmanager", bearer("am-key"), Payloads.text("alertmanager-grouped-mixed.json"));
        assertThat(grouped.statusCode()).isEqualTo(202);
        assertThat(json(grouped).get("alerts").asInt()).isEqualTo(3);
        assertThat(post("/api/v1/alertmanager", bearer("am-key"), Payloads.text("alertmanager-resolved.json")).statusCode()).isEqualTo(202);

        List<Alert> alerts = awaitAlerts(alert -> "am".equals(alert.getIntegrationId()), 5);
        assertThat(alerts).filteredOn(alert -> alert.getFingerprint().equals("am/b4e1c5f6a7d8e9f0"))
                .extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
        assertThat(alerts).extracting(Alert::getService).contains("checkout", "shop");
    }

    @Test
    void everyWayOfPassingTheKeyWorks() throws Exception {
        String body = Payloads.text("grafana-firing.json");
        String basic = "Basic " + Base64.getEncoder().encodeToString("grafana:grafana-key".getBytes(StandardCharsets.UTF_8));

        assertThat(post("/api/v1/grafana", bearer("grafana-key"), body).statusCode()).isEqualTo(202);
        assertThat(post("/api/v1/grafana?key=grafana-key", Map.of(), body).statusCode()).isEqualTo(202);
        assertThat(post("/api/v1/grafana/grafana-key", Map.of(), body).statusCode()).isEqualTo(202);
        assertThat(post("/api/v1/grafana", Map.of("Authorization", basic), body).statusCode()).isEqualTo(202);

        // Stored once: the same firing alert again is an unchanged resend, answered and absorbed.
        assertThat(awaitAlerts(alert -> "grafana".equals(alert.getIntegrationId()), 1))
                .extracting(Alert::getFingerprint).containsOnly("grafana/57c6d9296de2ad39");
        assertThat(get("/metrics").body()).contains("ingest_alerts_absorbed_total{integration=\"grafana\"} 3.0");
    }

    @Test
    void pagerDutyTriggerAcknowledgeResolve_areCompatible() throws Exception {
        HttpResponse<String> trigger = post("/v2/enqueue", Map.of(), Payloads.text("pagerduty-trigger.json").replace("ROUTING_KEY", "pd-key"));
        assertThat(trigger.statusCode()).isEqualTo(202);
        assertThat(json(trigger)).isEqualTo(JSON.readTree(
                "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"srv01/mysql-replication-lag\"}"));

        HttpResponse<String> generated = post("/v2/enqueue", Map.of(),
                Payloads.text("pagerduty-trigger-without-dedup-key.json").replace("ROUTING_KEY", "pd-key"));
        assertThat(generated.statusCode()).isEqualTo(202);
        String dedupKey = json(generated).get("dedup_key").asText();
        assertThat(dedupKey).matches("[0-9a-f]{32}");

        assertThat(post("/v2/enqueue", Map.of(), Payloads.text("pagerduty-acknowledge.json").replace("ROUTING_KEY", "pd-key"))
                .statusCode()).isEqualTo(202);
        assertThat(post("/v2/enqueue", Map.of(), Payloads.text("pagerduty-resolve.json").replace("ROUTING_KEY", "pd-key"))
                .statusCode()).isEqualTo(202);

        List<Alert> alerts = awaitAlerts(alert -> "pd".equals(alert.getIntegrationId()), 4);
        assertThat(alerts).filteredOn(alert -> alert.getFingerprint().equals("pd/srv01/mysql-replication-lag"))
                .extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING, AlertStatus.ACKNOWLEDGED, AlertStatus.RESOLVED);
        assertThat(alerts).extracting(Alert::getFingerprint).contains("pd/" + dedupKey);
    }

    @Test
    void genericFormSingleAndBatch() throws Exception {
        assertThat(post("/api/v1/alerts", bearer("generic-key"), Payloads.text("generic-single.json")).statusCode()).isEqualTo(202);
        assertThat(post("/api/v1/alerts", bearer("generic-key"), Payloads.text("generic-batch.json")).statusCode()).isEqualTo(202);

        assertThat(awaitAlerts(alert -> "generic".equals(alert.getIntegrationId()), 3))
                .extracting(Alert::getStatus).containsExactly(AlertStatus.FIRING, AlertStatus.FIRING, AlertStatus.RESOLVED);
    }

    static Stream<Arguments> badInput() {
        String am = Payloads.text("alertmanager-firing.json");
        String pdTrigger = Payloads.text("pagerduty-trigger.json").replace("ROUTING_KEY", "matrix-key");
        String manyAlerts = "{\"alerts\":[" + String.join(",", java.util.Collections.nCopies(501,
                "{\"status\":\"firing\",\"labels\":{\"a\":\"b\"},\"startsAt\":\"2026-11-22T09:00:00Z\"}")) + "]}";
        return Stream.of(
                Arguments.of("no credentials", "/api/v1/alertmanager", Map.of(), am, 401, "credentials are missing"),
                Arguments.of("unknown key", "/api/v1/alertmanager", bearer("nope"), am, 403, "unknown or revoked"),
                Arguments.of("unknown path token", "/api/v1/alerts/nope", Map.of(), "{\"summary\":\"x\"}", 403, "unknown or revoked"),
                Arguments.of("malformed JSON", "/api/v1/alertmanager", bearer("matrix-key"), "{\"alerts\": [", 400, "body is not valid JSON"),
                Arguments.of("empty body", "/api/v1/alertmanager", bearer("matrix-key"), "", 400, "body is empty"),
                Arguments.of("duplicate key", "/api/v1/alerts", bearer("matrix-key"), "{\"summary\":\"a\",\"summary\":\"b\"}", 400, "Duplicate field"),
                Arguments.of("trailing garbage", "/api/v1/alerts", bearer("matrix-key"), "{\"summary\":\"a\"} x", 400, "body is not valid JSON"),
                Arguments.of("empty alert list", "/api/v1/alertmanager", bearer("matrix-key"), "{\"alerts\":[]}", 400, "must not be empty"),
                Arguments.of("wrong type", "/api/v1/alertmanager", bearer("matrix-key"), am.replace("\"labels\": {", "\"labels\": [0], \"x\": {"), 400, "alerts[0].labels"),
                Arguments.of("missing field", "/api/v1/alertmanager", bearer("matrix-key"), am.replace("\"startsAt\"", "\"started\""), 400, "alerts[0].startsAt: is required"),
                Arguments.of("bad timestamp", "/api/v1/grafana", bearer("matrix-key"), am.replace("2026-11-22T09:00:00.123456789Z", "22/11/2026"), 400, "alerts[0].startsAt: must be an RFC 3339"),
                Arguments.of("bad status", "/api/v1/alertmanager", bearer("matrix-key"), am.replace("\"status\": \"firing\",\n      \"labels\"", "\"status\": \"burning\",\n      \"labels\""), 400, "alerts[0].status"),
                Arguments.of("unknown key in our form", "/api/v1/alerts", bearer("matrix-key"), "{\"summary\":\"x\",\"severty\":\"P1\"}", 400, "severty: unknown field"),
                Arguments.of("bad severity", "/api/v1/alerts", bearer("matrix-key"), "{\"summary\":\"x\",\"severity\":\"urgent\"}", 400, "severity: must be"),
                Arguments.of("oversized body", "/api/v1/alerts", bearer("matrix-key"), "{\"summary\":\"" + "x".repeat(600 * 1024) + "\"}", 413, "over the limit"),
                Arguments.of("too many alerts", "/api/v1/alertmanager", bearer("matrix-key"), manyAlerts, 413, "501 alerts in one request"),
                Arguments.of("PD no routing key", "/v2/enqueue", Map.of(), pdTrigger.replace("\"routing_key\": \"matrix-key\",", ""), 401, "routing_key is missing"),
                Arguments.of("PD unknown routing key", "/v2/enqueue", Map.of(), pdTrigger.replace("matrix-key", "nope"), 403, "unknown or revoked"),
                Arguments.of("PD bad action", "/v2/enqueue", Map.of(), pdTrigger.replace("\"trigger\"", "\"escalate\""), 400, "event_action: must be trigger"),
                Arguments.of("PD long summary", "/v2/enqueue", Map.of(), pdTrigger.replace("Replication lag on srv01 above 300s", "s".repeat(1025)), 400, "payload.summary: must be at most 1024"),
                Arguments.of("PD resolve without key", "/v2/enqueue", Map.of(), "{\"routing_key\":\"matrix-key\",\"event_action\":\"resolve\"}", 400, "dedup_key: is required"),
                Arguments.of("PD wrong types", "/v2/enqueue", Map.of(), "{\"routing_key\":\"matrix-key\",\"event_action\":\"trigger\",\"payload\":{\"summary\":1,\"source\":\"s\",\"severity\":\"info\"}}", 400, "payload.summary: must be a string"),
                Arguments.of("too many labels", "/api/v1/alertmanager", bearer("matrix-key"), amAlerts(3, labels(65)), 400, "alerts[3].labels: must hold at most 64 labels, not 65"),
                Arguments.of("long label value", "/api/v1/alertmanager", bearer("matrix-key"), amAlerts(3, "{\"instance\":\"" + "v".repeat(2049) + "\"}"), 400, "alerts[3].labels.instance: must be at most 2048 characters"),
                Arguments.of("long commonLabels value", "/api/v1/alertmanager", bearer("matrix-key"), amAlerts(0, "{\"a\":\"b\"}").replace("{\"alerts\"", "{\"commonLabels\":{\"job\":\"" + "v".repeat(2049) + "\"},\"alerts\""), 400, "commonLabels.job: must be at most 2048"),
                Arguments.of("Grafana long summary", "/api/v1/grafana", bearer("matrix-key"), am.replace("\"summary\": \"", "\"summary\": \"" + "s".repeat(1024)), 400, "alerts[0].annotations.summary: must be at most 1024"),
                Arguments.of("long annotation", "/api/v1/alerts", bearer("matrix-key"), "{\"summary\":\"x\",\"annotations\":{\"trace\":\"" + "t".repeat(8193) + "\"}}", 400, "annotations.trace: must be at most 8192"),
                Arguments.of("alert over 32 KiB", "/api/v1/alerts", bearer("matrix-key"), "[{\"summary\":\"x\"},{\"summary\":\"y\",\"annotations\":" + labels(5).replace("\"v\"", "\"" + "x".repeat(8000) + "\"") + "}]", 400, "[1]: the alert is"),
                Arguments.of("PD long custom detail", "/v2/enqueue", Map.of(), pdTrigger.replace("\"custom_details\": {", "\"custom_details\": {\"trace\": \"" + "t".repeat(8193) + "\","), 400, "payload.custom_details.trace: must be at most 8192"));
    }

    /** An Alertmanager webhook of {@code index + 1} alerts, the last with the given labels. */
    private static String amAlerts(int index, String labels) {
        return "{\"alerts\":[" + String.join(",", java.util.stream.IntStream.rangeClosed(0, index).mapToObj(i ->
                "{\"status\":\"firing\",\"labels\":" + (i == index ? labels : "{\"n\":\"" + i + "\"}")
                        + ",\"startsAt\":\"2026-11-22T09:00:00Z\"}").toList()) + "]}";
    }

    private static String labels(int count) {
        return "{" + String.join(",", java.util.stream.IntStream.range(0, count).mapToObj(i -> "\"l" + i + "\":\"v\"").toList()) + "}";
    }

    @Test
    void anIntegrationsAlertsPageOnlyItsServices() throws Exception {
        String body = "{\"alerts\":[" + String.join(",", java.util.stream.Stream.of("payments", "billing", "checkout").map(service ->
                "{\"status\":\"firing\",\"labels\":{\"alertname\":\"Down\",\"service\":\"" + service
                        + "\"},\"startsAt\":\"2026-11-22T09:00:00Z\"}").toList())
                + ",{\"status\":\"firing\",\"labels\":{\"alertname\":\"NoService\"},\"startsAt\":\"2026-11-22T09:00:00Z\"}]}";
        assertThat(post("/api/v1/alertmanager", bearer("scoped-key"), body).statusCode()).isEqualTo(202);
        assertThat(post("/api/v1/alerts", bearer("scoped-key"), "{\"summary\":\"field\",\"service\":\"billing\"}").statusCode())
                .isEqualTo(202);

        List<Alert> stored = awaitAlerts(alert -> "scoped".equals(alert.getIntegrationId()), 5);
        assertThat(stored).extracting(Alert::getService).containsExactlyInAnyOrder("payments", "checkout", "checkout", "checkout", "checkout");
        assertThat(stored).filteredOn(alert -> alert.getAnnotations().containsKey("refused_service"))
                .allSatisfy(alert -> {
                    assertThat(alert.getService()).isEqualTo("checkout");
                    assertThat(alert.getAnnotations()).containsEntry("refused_service", "billing");
                    assertThat(alert.getLabels().getOrDefault("service", "checkout")).isEqualTo("checkout");
                })
                .hasSize(2);
        assertThat(get("/metrics").body()).contains("ingest_refused_service_alerts_total{integration=\"scoped\"} 2.0");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInput")
    void badInputIsRefusedWithAClearError(String name, String path, Map<String, String> headers, String body,
                                          int status, String message) throws Exception {
        HttpResponse<String> response = post(path, headers, body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).contains("application/json");
        assertThat(errorText(response)).contains(message);
        if (path.startsWith("/v2/")) {
            assertThat(json(response).get("errors").isArray()).isTrue();
            if (status == 400) {
                assertThat(json(response).get("status").asText()).isEqualTo("invalid event");
            }
        } else {
            assertThat(json(response).get("status").asText()).isEqualTo("rejected");
        }
    }

    @Test
    void refusedRequestsWriteNothing() throws Exception {
        for (Arguments arguments : badInput().toList()) {
            Object[] a = arguments.get();
            @SuppressWarnings("unchecked")
            Map<String, String> headers = (Map<String, String>) a[2];
            assertThat(post((String) a[1], headers, (String) a[3]).statusCode()).isGreaterThanOrEqualTo(400);
        }
        String sentinel = "{\"summary\":\"sentinel\",\"dedupKey\":\"sentinel\"}";
        assertThat(post("/api/v1/alerts", bearer("matrix-key"), sentinel).statusCode()).isEqualTo(202);

        // Every refused request was answered before the sentinel was sent: nothing of theirs can still arrive.
        List<Alert> matrix = readToEnd().stream().filter(alert -> "matrix".equals(alert.getIntegrationId())).toList();
        assertThat(matrix).extracting(Alert::getFingerprint).containsExactly("matrix/sentinel");
    }

    @Test
    void revokedKeyIsRefusedWithoutRestart() throws Exception {
        assertThat(post("/api/v1/alerts", bearer("revoked-key"), "{\"summary\":\"before\"}").statusCode()).isEqualTo(202);

        kafka.produce(topics.integrations(), java.util.Collections.singletonList(new java.util.AbstractMap.SimpleEntry<>("revoked", null)));

        await("revocation applied").atMost(Duration.ofSeconds(30)).until(() ->
                post("/api/v1/alerts", bearer("revoked-key"), "{\"summary\":\"after\"}").statusCode() == 403);
    }

    @Test
    void rateLimitAnswers429WithRetryAfter_andWritesNothing() throws Exception {
        String batch = "[" + String.join(",", java.util.Collections.nCopies(500, "{\"summary\":\"load\"}")) + "]";
        assertThat(post("/api/v1/alerts", bearer("limited-key"), batch).statusCode()).isEqualTo(202);
        assertThat(post("/api/v1/alerts", bearer("limited-key"), batch).statusCode()).isEqualTo(202);

        // As many again: refused whatever the machine's speed, as 1 a second refills them only in 500 s.
        HttpResponse<String> limited = post("/api/v1/alerts", bearer("limited-key"), batch.replace("load", "one more"));

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
        assertThat(post("/api/v1/alerts", bearer("generic-key"), "{\"summary\":\"other integrations go on\"}").statusCode())
                .isEqualTo(202);
        assertThat(readToEnd()).filteredOn(alert -> "limited".equals(alert.getIntegrationId())).hasSize(1000)
                .extracting(Alert::getSummary).doesNotContain("one more");
    }

    @Test
    void healthIsOpen_metricsCountOutcomes_andOtherMethodsAreRefused() throws Exception {
        post("/api/v1/alerts", bearer("nope"), "{}");

        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        String metrics = get("/metrics").body();
        assertThat(metrics).contains("ingest_requests_total{endpoint=\"generic\",integration=\"none\",outcome=\"forbidden\"}");
        assertThat(metrics).contains("ingest_request_seconds_bucket");
        assertThat(get("/api/v1/alerts").statusCode()).isEqualTo(405);
        assertThat(get("/api/v2/nothing").statusCode()).isEqualTo(404);
    }

    @Test
    void kafkaPathNormalizesRawJson_andDeadLettersWhatItCannot() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProps(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(raw("{\"summary\":\"raw path\",\"dedupKey\":\"raw-1\"}", "integration", "raw")).get();
            producer.send(raw(Payloads.text("alertmanager-grouped-mixed.json"), "format", "alertmanager", "integration", "raw")).get();
            producer.send(raw("{\"summary\": ", "integration", "raw")).get();
        }

        List<Alert> alerts = awaitAlerts(alert -> "raw".equals(alert.getIntegrationId()), 4);
        assertThat(alerts).extracting(Alert::getFingerprint).contains("raw/raw-1", "raw/1111aaaa2222bbbb", "raw/3333cccc4444dddd");
        assertThat(alerts).extracting(Alert::getService).containsOnly("checkout");
        List<ConsumerRecord<byte[], byte[]>> dead = kafka.consume(topics.dlq(), 1, Duration.ofSeconds(30));
        assertThat(dead).singleElement().satisfies(record -> {
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{\"summary\": ");
            assertThat(new String(record.headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8)).isEqualTo("invalid-json");
            assertThat(new String(record.headers().lastHeader(DeadLetters.SOURCE_TOPIC).value(), StandardCharsets.UTF_8))
                    .isEqualTo(topics.raw().name());
        });
    }

    private ProducerRecord<byte[], byte[]> raw(String json, String... headers) {
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topics.raw().name(), null, json.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            record.headers().add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return record;
    }

    private List<Alert> awaitAlerts(Predicate<Alert> filter, int count) {
        List<Alert> matching = new ArrayList<>();
        await("alerts on " + topics.alerts().name()).atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            matching.clear();
            readToEnd().stream().filter(filter).forEach(matching::add);
            assertThat(matching).hasSizeGreaterThanOrEqualTo(count);
        });
        assertThat(matching).hasSize(count);
        return matching;
    }

    /** Every alert on the topic, sorted by receive time. */
    private List<Alert> readToEnd() {
        List<Alert> alerts = new ArrayList<>(TopicContents.readToEnd(kafka.bootstrapServers(), topics.alerts(), kafka.serdes(),
                Duration.ofSeconds(30)).stream().map(ConsumerRecord::value).toList());
        alerts.sort(java.util.Comparator.comparing(Alert::getReceivedAt));
        return alerts;
    }

    private HttpResponse<String> post(String path, Map<String, String> headers, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The message and each error as "field: message" (webhooks) or as given (PagerDuty). */
    private static String errorText(HttpResponse<String> response) throws Exception {
        JsonNode body = json(response);
        StringBuilder text = new StringBuilder(body.path("message").asText());
        body.path("errors").forEach(error -> text.append('\n').append(error.isObject()
                ? error.path("field").asText() + ": " + error.path("message").asText() : error.asText()));
        return text.toString();
    }

    private static Map<String, String> bearer(String key) {
        return Map.of("Authorization", "Bearer " + key);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }
}
