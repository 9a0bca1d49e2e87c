package dev.incidentengine.status;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.ComponentStatusChanged;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.MaintenanceChanged;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.PublicIncidentChanged;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.schemas.EventHeaders;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.incidentengine.status.Pages.config;
import static dev.incidentengine.status.Pages.oneOff;
import static dev.incidentengine.status.Pages.published;
import static dev.incidentengine.status.Pages.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The page's writer on a real broker: public incident events (with the header) on the incidents log's partitions, a
 * maintenance window, and an override through the HTTP API, across a stop in the middle of a burst and a restart.
 * The page's log has each update once and its sequences are 1..n without a gap.
 */
@WithKafka
class StatusPageWriterIT {

    private static final String RESPONDER = "it-responder-token";
    private static final int INCIDENTS = 300;

    @TempDir
    Path dir;

    @Test
    void theLogOfThePage_isWholeAndSingle_acrossARestartMidBurst(KafkaTestCluster kafka) throws Exception {
        StatusTopics topics = topics(kafka);
        kafka.produce(topics.config(), List.of(Map.entry("public", config("api", "db"))));
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant start = now.plusSeconds(20);
        kafka.produce(topics.silences(), List.of(Map.entry("upgrade", oneOff("upgrade", start, start.plusSeconds(5), 1, "db"))));

        Set<String> updates = ConcurrentHashMap.newKeySet();
        CompletableFuture<Void> burst;
        long beforeStop;
        try (ServiceRunner first = start(kafka, topics)) {
            await("maintenance announced").atMost(Duration.ofSeconds(60)).until(() -> payloads(kafka, topics).stream()
                    .anyMatch(payload -> payload instanceof MaintenanceChanged));
            // A burst of published and resolved incidents, one acknowledged record at a time; the app stops in the middle.
            burst = CompletableFuture.runAsync(() -> publishAndResolve(kafka, topics, now, updates));
            await("part of the burst on the page").atMost(Duration.ofSeconds(60)).until(() -> incidentChanges(kafka, topics) >= 20);
        }
        beforeStop = incidentChanges(kafka, topics);
        try (ServiceRunner second = start(kafka, topics)) {
            burst.get(120, TimeUnit.SECONDS);
            assertThat(beforeStop).as("stopped mid-burst").isLessThan(updates.size());
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + second.httpAddress().getPort() + "/api/v1/status-page/components/api/override"))
                    .header("Authorization", "Bearer " + RESPONDER).header("Idempotency-Key", "it-override")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"status\": \"partial_outage\", \"reason\": \"checking\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);

            await("every update, the override and the maintenance completed").atMost(Duration.ofSeconds(90)).until(() -> {
                List<Object> payloads = payloads(kafka, topics);
                return payloads.stream().filter(p -> p instanceof PublicIncidentChanged).count() >= updates.size()
                        && payloads.stream().anyMatch(p -> p instanceof ComponentStatusChanged c && c.getOverride() != null)
                        && payloads.stream().anyMatch(p -> p instanceof MaintenanceChanged m && m.getStatus() == MaintenanceStatus.COMPLETED);
            });
            int written = payloads(kafka, topics).size();
            await("nothing more written (a record written twice would follow)").during(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(250)).atMost(Duration.ofSeconds(10))
                    .until(() -> payloads(kafka, topics).size() == written);
        }

        List<StatusPageEvent> log = TopicContents.readToEnd(kafka.bootstrapServers(), topics.page(), kafka.serdes(), Duration.ofSeconds(10))
                .stream().map(ConsumerRecord::value).toList();
        assertThat(log).extracting(StatusPageEvent::getSequence).as("contiguous from 1")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, log.size()).boxed().toList());
        assertThat(log).extracting(StatusPageEvent::getPageId).containsOnly("public");
        List<String> written = log.stream().filter(e -> e.getPayload() instanceof PublicIncidentChanged)
                .map(e -> ((PublicIncidentChanged) e.getPayload()).getUpdate().getId()).toList();
        assertThat(written).as("each update once").doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(updates);
        assertThat(log.stream().map(StatusPageEvent::getPayload).filter(p -> p instanceof MaintenanceChanged)
                .map(p -> ((MaintenanceChanged) p).getStatus()))
                .containsExactly(MaintenanceStatus.SCHEDULED, MaintenanceStatus.IN_PROGRESS, MaintenanceStatus.COMPLETED);
        Map<String, ComponentStatus> last = new HashMap<>();
        log.stream().map(StatusPageEvent::getPayload).filter(p -> p instanceof ComponentStatusChanged)
                .map(p -> (ComponentStatusChanged) p).forEach(changed -> {
                    assertThat(changed.getFrom()).as("from what it was").isEqualTo(last.getOrDefault(changed.getComponentId(),
                            ComponentStatus.OPERATIONAL));
                    last.put(changed.getComponentId(), changed.getTo());
                });
        assertThat(last).containsEntry("api", ComponentStatus.PARTIAL_OUTAGE).containsEntry("db", ComponentStatus.OPERATIONAL);
    }

    /** Publishes {@value #INCIDENTS} incidents on api and resolves each, with the header on their public events. */
    private static void publishAndResolve(KafkaTestCluster kafka, StatusTopics topics, Instant at, Set<String> updates) {
        try (KafkaProducer<String, IncidentEvent> producer = kafka.producer(topics.incidentEvents(), Map.of())) {
            for (int i = 0; i < INCIDENTS; i++) {
                String id = "INC-IT-" + i;
                for (IncidentEvent event : List.of(published(id, 3, at, Severity.SEV2, "api"),
                        update(id, 7, at.plusSeconds(1), PublicIncidentStatus.RESOLVED, "api"))) {
                    RecordHeaders headers = new RecordHeaders();
                    EventHeaders.markPublic(headers);
                    producer.send(new ProducerRecord<>(topics.incidentEvents().name(), null, id, event, headers)).get();
                    updates.add("u-" + id + "-" + event.getSequence());
                }
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long incidentChanges(KafkaTestCluster kafka, StatusTopics topics) {
        return payloads(kafka, topics).stream().filter(payload -> payload instanceof PublicIncidentChanged).count();
    }

    private static List<Object> payloads(KafkaTestCluster kafka, StatusTopics topics) {
        return TopicContents.readToEnd(kafka.bootstrapServers(), topics.page(), kafka.serdes(), Duration.ofSeconds(10)).stream()
                .map(record -> record.value().getPayload()).toList();
    }

    private ServiceRunner start(KafkaTestCluster kafka, StatusTopics topics) throws Exception {
        Path tokens = dir.resolve("tokens.yaml");
        Files.writeString(tokens, "tokens:\n  - {user: rita, role: responder, token: " + RESPONDER + "}\n");
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        settings.put(EngineConfig.API_TOKENS_FILE_CONFIG, tokens.toString());
        Path secret = dir.resolve("status-secret");
        Files.writeString(secret, "a status secret of at least 32 bytes, for this test only");
        settings.put(StatusPageServiceConfig.SECRET_FILE_CONFIG, secret.toString());
        settings.put(StatusPageServiceConfig.APPLICATION_ID_CONFIG, "status-" + topics.page().name());
        settings.put(StatusPageServiceConfig.PUNCTUATION_MS_CONFIG, "200");
        ServiceRunner runner = new ServiceRunner("127.0.0.1", 0,
                List.of(new StatusPageService(new StatusPageServiceConfig(settings), topics))).start();
        await("status-page running").atMost(Duration.ofSeconds(60)).until(runner::ready);
        return runner;
    }

    static StatusTopics topics(KafkaTestCluster kafka) {
        StatusTopics d = StatusTopics.DEFAULT;
        return new StatusTopics(kafka.createTopic(d.incidentEvents()), kafka.createTopic(d.commands()), kafka.createTopic(d.page()),
                kafka.createTopic(d.subscribers()), kafka.createTopic(d.config()), kafka.createTopic(d.silences()),
                kafka.createTopic(d.deadLetters()));
    }
}
