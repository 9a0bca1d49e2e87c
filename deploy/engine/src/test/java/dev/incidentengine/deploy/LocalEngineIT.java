package dev.incidentengine.deploy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.cli.Incidentctl;
import dev.incidentengine.configdata.IntegrationKeys;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.testkit.Samples;
import dev.incidentengine.testkit.TopicContents;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The local engine end to end: its own broker process, every topic, the example config and the
 * services; stopping leaves no process; a second start keeps what the first one stored.
 */
class LocalEngineIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final RecordSerdes serdes = RecordSerdes.singleObject();

    @TempDir
    Path dataDir;

    @Test
    void startsEverything_stopsCleanly_andKeepsDataAcrossRestarts() throws Exception {
        int kafkaPort = TopicContents.freePort();
        int controllerPort = TopicContents.freePort();
        Alert alert = Samples.alert("fp-local-" + UUID.randomUUID()).build();

        LocalEngine first = engine(kafkaPort, controllerPort);
        try {
            long started = System.nanoTime();
            first.start();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));

            assertThat(get(first.httpUrl() + "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(first.httpUrl() + "/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("alert-ingest", "incident-stream", "escalation-stream", "notifier", "status-page");
            assertThat(get(first.httpUrl() + "/metrics").body()).contains("jvm_memory_used_bytes");
            // The incidents API, with the demo tokens of deploy/local/secrets/api-tokens.yaml.
            assertThat(get(first.httpUrl() + "/api/v1/incidents").statusCode()).isEqualTo(401);
            assertThat(get(first.httpUrl() + "/api/v1/incidents", "demo-viewer-token-change-me").statusCode()).isEqualTo(200);
            assertThat(post(first.httpUrl() + "/api/v1/incidents/INC-NONE/acknowledge", "demo-responder-token-change-me", "{}"))
                    .isEqualTo(404);

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, first.bootstrap()))) {
                assertThat(admin.listTopics().names().get()).containsAll(Topics.ALL.stream().map(Topic::name).toList());
            }
            List<ConsumerRecord<String, IntegrationConfig>> integrations = readAll(first.bootstrap(), Topics.CONFIG_INTEGRATIONS);
            assertThat(integrations).extracting(ConsumerRecord::key).contains("demo-generic");
            assertThat(integrations.get(0).value().getKeySha256()).isEqualTo(IntegrationKeys.sha256("demo-integration-key-change-me"));

            produce(first.bootstrap(), Topics.ALERTS, alert.getFingerprint(), alert);
            // Every receiver and the Kafka path, with the demo integration's key.
            String key = "demo-integration-key-change-me";
            assertThat(post(first.httpUrl() + "/api/v1/alerts", key, "{\"summary\":\"Disk full on db-1\",\"dedupKey\":\"local-it\"}"))
                    .isEqualTo(202);
            assertThat(post(first.httpUrl() + "/api/v1/alertmanager", key, """
                    {"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"LocalIT"},
                     "startsAt":"2026-11-22T09:00:00Z","fingerprint":"am-local-it"}]}""")).isEqualTo(202);
            assertThat(post(first.httpUrl() + "/api/v1/grafana", key, """
                    {"version":"1","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"LocalIT"},
                     "startsAt":"2026-11-22T09:00:00Z","fingerprint":"grafana-local-it","dashboardURL":"http://g/d"}]}"""))
                    .isEqualTo(202);
            assertThat(post(first.httpUrl() + "/v2/enqueue", null, """
                    {"routing_key":"%s","event_action":"trigger","dedup_key":"pd-local-it",
                     "payload":{"summary":"PD local","source":"it","severity":"error"}}""".formatted(key))).isEqualTo(202);
            produceRaw(first.bootstrap(), "{\"summary\":\"raw local\",\"dedupKey\":\"raw-local-it\"}");
            await("every receiver's alert stored").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(readAll(first.bootstrap(), Topics.ALERTS)).extracting(ConsumerRecord::key).contains(
                            "demo-generic/local-it", "demo-generic/am-local-it", "demo-generic/grafana-local-it",
                            "demo-generic/pd-local-it", "demo-generic/raw-local-it"));

            // The alerts became incidents that a person lists, acknowledges and resolves through the API.
            String viewer = "demo-viewer-token-change-me";
            String responder = "demo-responder-token-change-me";
            JsonNode disk = await("the generic alert's incident listed").atMost(Duration.ofSeconds(30)).until(() -> {
                JsonNode listed = JSON.readTree(get(first.httpUrl() + "/api/v1/incidents?status=TRIGGERED", viewer).body());
                for (JsonNode incident : listed.get("incidents")) {
                    if (incident.get("title").asText().equals("Disk full on db-1")) {
                        return incident;
                    }
                }
                return null;
            }, java.util.Objects::nonNull);
            String incident = first.httpUrl() + "/api/v1/incidents/" + disk.get("incidentId").asText();
            assertThat(JSON.readTree(get(incident, viewer).body()).get("alerts").toString()).contains("demo-generic/local-it");
            // Who is on call, from the schedules escalation-stream holds; the iCalendar feed of that user.
            JsonNode onCall = JSON.readTree(get(first.httpUrl() + "/api/v1/oncall?schedule=payments-primary", viewer).body());
            assertThat(onCall.get("userId").asText()).isIn("alice", "bob");
            String onCallUser = onCall.get("userId").asText();
            assertThat(get(first.httpUrl() + "/api/v1/users/" + onCallUser + "/shifts.ics?token=demo-" + onCallUser + "-feed-token-change-me")
                    .body()).startsWith("BEGIN:VCALENDAR").contains("BEGIN:VEVENT");
            // checkout's policy pages the on-call user of the example schedule at once.
            await("the on-call user paged").atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get(incident + "/events", viewer)
                    .body()).contains("IncidentEscalated", "payments-primary"));
            // The notifier pages them by e-mail (their first rule) into the local e-mail sink, and tells the team's webhook.
            String incidentId = disk.get("incidentId").asText();
            await("the page in the local e-mail sink").atMost(Duration.ofSeconds(30)).until(() -> first.sinks().received().stream()
                    .anyMatch(r -> r.via().equals("e-mail") && incidentId.equals(r.incidentId()) && r.subject().contains("Disk full on db-1")
                            && r.to().matches("(alice|bob)@example.com")));
            HttpResponse<String> ack = send(incident + "/acknowledge?wait=true", responder, "{\"message\": \"on it\"}");
            assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
            assertThat(JSON.readTree(ack.body()).get("outcome").asText()).isEqualTo("APPLIED");
            HttpResponse<String> resolve = send(incident + "/resolve?wait=true", responder, "{\"resolution\": \"freed space\"}");
            assertThat(resolve.statusCode()).as(resolve.body()).isEqualTo(200);
            assertThat(JSON.readTree(get(incident, viewer).body()).get("status").asText()).isEqualTo("RESOLVED");
            await("opened, acknowledged and resolved at the team's webhook").atMost(Duration.ofSeconds(30)).until(() -> first.sinks()
                    .received().stream().filter(r -> r.to().equals("/hooks/payments-room") && incidentId.equals(r.incidentId()))
                    .map(r -> r.text().split(":")[0]).toList().containsAll(List.of("opened", "acknowledged", "resolved")));
            // incidentctl against the local engine: who is on call (escalation-stream's API), and the incident's timeline from Kafka.
            assertThat(Incidentctl.run("oncall", "--schedule", "payments-primary", "--url", first.httpUrl(), "--token", viewer)).isZero();
            assertThat(Incidentctl.run("timeline", incidentId, "--bootstrap-servers", first.bootstrap())).isZero();
            assertThat(Incidentctl.run("oncall", "--schedule", "nope", "--url", first.httpUrl(), "--token", viewer)).isEqualTo(3);
            // Response metrics for Prometheus: open incidents, times to acknowledge and resolve, escalations, deliveries.
            await("response metrics").atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(first.httpUrl() + "/metrics").body())
                    .contains("incident_open{service=\"checkout\",severity=\"SEV", "incident_time_to_acknowledge_seconds_count{",
                            "incident_time_to_resolve_seconds_bucket{", "incident_escalations_total{level=\"1\"}",
                            "notifier_deliveries_total{channel=\"email\",outcome=\"delivered\"}"));
            // What a person sees at the sink: GET lists what arrived.
            assertThat(get(first.sinks().webhookUrl() + "/").body()).contains("Disk full on db-1", "/hooks/payments-room", "e-mail");
            assertThat(get(incident + "/events", viewer).body())
                    .contains("IncidentOpened", "AlertAttached", "IncidentAcknowledged", "IncidentResolved", "alice");
        } finally {
            first.stop();
        }
        assertThat(brokerProcesses()).as("broker processes after stop").isEmpty();

        LocalEngine second = engine(kafkaPort, controllerPort);
        try {
            second.start();
            List<ConsumerRecord<String, Alert>> alerts = readAll(second.bootstrap(), Topics.ALERTS);
            assertThat(alerts).extracting(ConsumerRecord::value).contains(alert);
            assertThat(alerts).extracting(ConsumerRecord::key).contains("demo-generic/local-it");
        } finally {
            second.stop();
        }
        assertThat(brokerProcesses()).isEmpty();
    }

    private LocalEngine engine(int kafkaPort, int controllerPort) {
        LocalEngine engine = new LocalEngine();
        new CommandLine(engine).parseArgs(
                "--data-dir", dataDir.toString(),
                "--kafka-port", Integer.toString(kafkaPort),
                "--controller-port", Integer.toString(controllerPort),
                "--http-port", "0",
                "--sink-port", "0",
                "--smtp-port", "0",
                "--config-dir", Path.of("../local").toString());
        return engine;
    }

    private List<ProcessHandle> brokerProcesses() {
        String marker = dataDir.toString();
        return ProcessHandle.allProcesses()
                .filter(process -> KafkaBroker.commandLine(process).contains(marker))
                .filter(ProcessHandle::isAlive)
                .toList();
    }

    private int post(String url, String bearer, String body) throws Exception {
        return send(url, bearer, body).statusCode();
    }

    private HttpResponse<String> send(String url, String bearer, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void produceRaw(String bootstrap, String json) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new org.apache.kafka.common.serialization.StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.ALERTS_RAW.name(), null, json.getBytes());
            record.headers().add("integration", "demo-generic".getBytes());
            producer.send(record).get();
        }
    }

    private <V> void produce(String bootstrap, Topic<String, V> topic, String key, V value) throws Exception {
        try (KafkaProducer<String, V> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                topic.keySerde(serdes).serializer(), topic.valueSerde(serdes).serializer())) {
            producer.send(new ProducerRecord<>(topic.name(), key, value)).get();
        }
    }

    private <V> List<ConsumerRecord<String, V>> readAll(String bootstrap, Topic<String, V> topic) {
        return TopicContents.readToEnd(bootstrap, topic, serdes, Duration.ofSeconds(30));
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url, String bearer) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + bearer).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
