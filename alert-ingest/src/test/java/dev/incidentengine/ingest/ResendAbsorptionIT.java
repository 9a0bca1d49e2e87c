package dev.incidentengine.ingest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.TestClock;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Prometheus' resends on a real broker: the same API v2 batch posted again is answered 200 and not
 * written again, an endsAt refresh once half its lead is used up is written, and so is a resolve.
 */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResendAbsorptionIT {

    private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration LEAD = Duration.ofMinutes(4);

    private final KafkaTestCluster kafka;
    private final HttpClient http = HttpClient.newHttpClient();
    /** The receivers' time, moved by the test. */
    private final TestClock clock = new TestClock(T);
    private IngestTopics topics;
    private ServiceRunner runner;
    private String base;

    @TempDir
    static Path stateDir;

    ResendAbsorptionIT(KafkaTestCluster kafka) {
        this.kafka = kafka;
    }

    @BeforeAll
    void start() {
        topics = new IngestTopics(kafka.createTopic(Topics.ALERTS_RAW), kafka.createTopic(Topics.ALERTS),
                kafka.createTopic(Topics.ALERTS_DLQ), kafka.createTopic(Topics.CONFIG_INTEGRATIONS), kafka.createTopic(Topics.HEARTBEATS));
        IntegrationConfig prometheus = MapIntegrations.integration("prom", "shop", "prom-key");
        kafka.produce(topics.integrations(), List.of(Map.entry(prometheus.getId(), prometheus)));
        AlertIngestConfig config = new AlertIngestConfig(Map.of(
                EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                EngineConfig.HTTP_PORT_CONFIG, "0",
                EngineConfig.STATE_DIR_CONFIG, stateDir.toString()));
        runner = new ServiceRunner("127.0.0.1", 0, List.of(new AlertIngestService(config, topics, clock))).start();
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
    void prometheusResends_areAnsweredButWrittenOnlyWhenNews() throws Exception {
        // The same batch, as Prometheus re-sends it: 200 each time, each alert stored once.
        for (int i = 0; i < 3; i++) {
            clock.set(T.plusSeconds(i));
            assertThat(post(batch(T.plus(LEAD))).statusCode()).isEqualTo(200);
        }
        assertThat(awaitStored(3)).extracting(Alert::getEndsAt).containsOnly(T.plus(LEAD));
        assertThat(metric()).contains("ingest_alerts_absorbed_total{integration=\"prom\"} 6.0");

        // A minute on, endsAt moved a minute: the written deadline is 3 of the new 4 minutes ahead, absorbed.
        clock.set(T.plusSeconds(60));
        assertThat(post(batch(clock.instant().plus(LEAD))).statusCode()).isEqualTo(200);
        // Past half the lead: less than 2 of the new 4 minutes left on the written deadline, so it is written.
        clock.set(T.plus(LEAD.dividedBy(2)).plusSeconds(1));
        Instant refreshed = clock.instant().plus(LEAD);
        assertThat(post(batch(refreshed)).statusCode()).isEqualTo(200);
        assertThat(awaitStored(6)).extracting(Alert::getEndsAt).containsOnly(T.plus(LEAD), refreshed);

        // Resolved (endsAt now): written, although the content is the same.
        clock.set(clock.instant().plusSeconds(10));
        assertThat(post(batch(clock.instant())).statusCode()).isEqualTo(200);
        List<Alert> stored = awaitStored(9);
        assertThat(stored.subList(6, 9)).extracting(Alert::getStatus).containsOnly(AlertStatus.RESOLVED);
        assertThat(stored.subList(0, 3)).extracting(Alert::getFingerprint).doesNotHaveDuplicates();
    }

    /** Three alerts of one rule as Prometheus posts them, firing since five minutes before T. */
    private static String batch(Instant endsAt) {
        return "[" + String.join(",", Stream.of("a", "b", "c").map(instance -> """
                {"labels":{"alertname":"DiskFull","instance":"%s","severity":"critical"},
                 "annotations":{"summary":"Disk full on %s"},"startsAt":"%s","endsAt":"%s",
                 "generatorURL":"http://prometheus:9090/graph"}""".formatted(instance, instance, T.minusSeconds(300), endsAt)).toList()) + "]";
    }

    private List<Alert> awaitStored(int count) {
        await("alerts on " + topics.alerts().name()).atMost(Duration.ofSeconds(30)).until(() -> readToEnd().size() >= count);
        // Every request was answered before: nothing more can still arrive.
        List<Alert> stored = readToEnd();
        assertThat(stored).hasSize(count);
        return stored;
    }

    private List<Alert> readToEnd() {
        return TopicContents.readToEnd(kafka.bootstrapServers(), topics.alerts(), kafka.serdes(), Duration.ofSeconds(30)).stream()
                .map(ConsumerRecord::value).sorted(java.util.Comparator.comparing(Alert::getReceivedAt)).toList();
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + IngestEndpoints.ALERTMANAGER_API))
                .header("Content-Type", "application/json").header("Authorization", "Bearer prom-key")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String metric() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
