package dev.incidentengine.ingest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Admission by backlog against a real broker: while the watched consumer group lags and does not
 * move, a busy source's webhook waits and is refused with 503, a quiet source's goes through, and
 * once the group caught up the busy source is admitted again.
 */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BacklogAdmissionIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GROUP = "backlog-admission-it";
    private static final TopicPartition INPUT = new TopicPartition("backlog-admission-it.input", 0);
    private static final int LAG = 2_000;

    private final KafkaTestCluster kafka;
    private final HttpClient http = HttpClient.newHttpClient();
    private IngestTopics topics;
    private ServiceRunner runner;
    private String base;

    @TempDir
    static Path stateDir;

    BacklogAdmissionIT(KafkaTestCluster kafka) {
        this.kafka = kafka;
    }

    @BeforeAll
    void start() throws Exception {
        topics = new IngestTopics(kafka.createTopic(Topics.ALERTS_RAW), kafka.createTopic(Topics.ALERTS),
                kafka.createTopic(Topics.ALERTS_DLQ), kafka.createTopic(Topics.CONFIG_INTEGRATIONS), kafka.createTopic(Topics.HEARTBEATS));
        IntegrationConfig integration = MapIntegrations.integration("backlog-am", "checkout", "backlog-key");
        kafka.produce(topics.integrations(), List.of(Map.entry(integration.getId(), integration)));

        // The watched group: LAG records behind, and no one reading them.
        kafka.admin().createTopics(List.of(new NewTopic(INPUT.topic(), 1, (short) 1))).all().get();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProps(), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < LAG; i++) {
                producer.send(new ProducerRecord<>(INPUT.topic(), new byte[] {1}));
            }
        }
        commitGroupAt(0);

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.HTTP_PORT_CONFIG, "0");
        settings.put(EngineConfig.STATE_DIR_CONFIG, stateDir.toString());
        settings.put(AlertIngestConfig.BACKLOG_GROUP_CONFIG, GROUP);
        settings.put(AlertIngestConfig.BACKLOG_MAX_MS_CONFIG, "100");
        settings.put(AlertIngestConfig.BACKLOG_MAX_WAIT_MS_CONFIG, "300");
        settings.put(AlertIngestConfig.BACKLOG_QUIET_RATE_CONFIG, "10");
        runner = new ServiceRunner("127.0.0.1", 0, List.of(new AlertIngestService(new AlertIngestConfig(settings), topics,
                Clock.systemUTC()))).start();
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
    void aBusySourceWaitsForTheBacklogAndAQuietOneDoesNot() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> busy = webhook("{}:{alertname=\"NodeDown\"}", "storm", 64);
        assertThat(busy.statusCode()).isEqualTo(503);
        assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(busy.body()).contains("incident-stream is behind");
        assertThat(System.nanoTime() - start).as("it waited for the backlog first").isGreaterThanOrEqualTo(300_000_000L);

        HttpResponse<String> quiet = webhook("{}:{alertname=\"DiskFull\"}", "quiet", 1);
        assertThat(quiet.statusCode()).isEqualTo(202);

        // Written: the quiet alert; the refused webhook's alerts were never written.
        List<String> written = TopicContents.readToEnd(kafka.bootstrapServers(), topics.alerts(), kafka.serdes(), Duration.ofSeconds(30))
                .stream().map(record -> record.value().getFingerprint()).toList();
        assertThat(written).contains("backlog-am/quiet-0")
                .noneMatch(fingerprint -> fingerprint.startsWith("backlog-am/storm-"));
        assertThat(metrics()).containsPattern("ingest_requests_total\\{endpoint=\"alertmanager\",integration=\"backlog-am\","
                + "outcome=\"backlogged\"} 1.0");

        // The group catches up: the busy source is admitted again.
        commitGroupAt(LAG);
        await("admitted once the group caught up").atMost(Duration.ofSeconds(30))
                .until(() -> webhook("{}:{alertname=\"NodeDown\"}", "after", 64).statusCode() == 202);
    }

    private void commitGroupAt(long offset) throws Exception {
        kafka.admin().alterConsumerGroupOffsets(GROUP, Map.of(INPUT, new OffsetAndMetadata(offset))).all().get();
    }

    private HttpResponse<String> webhook(String groupKey, String prefix, int alerts) throws Exception {
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < alerts; i++) {
            list.add(Map.of("status", "firing", "labels", Map.of("alertname", "NodeDown", "instance", prefix + i),
                    "annotations", Map.of("summary", "down"), "startsAt", "2026-12-04T06:00:00Z",
                    "fingerprint", prefix + "-" + i));
        }
        String body = JSON.writeValueAsString(Map.of("version", "4", "groupKey", groupKey, "status", "firing",
                "receiver", "engine", "groupLabels", Map.of(), "commonLabels", Map.of(), "commonAnnotations", Map.of(),
                "externalURL", "http://alertmanager:9093", "alerts", list));
        return http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/alertmanager"))
                .header("Authorization", "Bearer backlog-key").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String metrics() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
