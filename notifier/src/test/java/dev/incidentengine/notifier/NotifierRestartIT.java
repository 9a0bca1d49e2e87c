package dev.incidentengine.notifier;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.ChannelType;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WebhookSink;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static dev.incidentengine.testkit.Samples.opened;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The notifier, as users run it (NotifierMain in a JVM of its own), stopped in the middle of a burst
 * of notifications and started again: every notification reaches the receiver, none is lost, and
 * every delivery has exactly one result. Stopped with SIGTERM, nothing is sent twice; killed with
 * SIGKILL, only deliveries that ended between their send and their commit go again, with the same
 * Idempotency-Key, which is how a receiver recognises them.
 */
@WithKafka
class NotifierRestartIT {

    private static final Logger log = LoggerFactory.getLogger(NotifierRestartIT.class);
    private static final int NOTIFICATIONS = 600;
    /**
     * Deliveries that can be between send and commit when the kill comes: the endpoint's 8 threads' requests at the
     * receiver, and those that ended since the last commit (a commit every poll, ~10 ms on a quiet machine, up to
     * ~100 ms on a loaded one, at ~20 ms a delivery); seen: 20 quiet, 43 loaded. A sender that lost its commits
     * would repeat all of the first notifier's ~200.
     */
    private static final int MOST_REPEATED = 80;

    @TempDir
    Path dir;

    private final Map<Process, Integer> ports = new HashMap<>();

    @Test
    void stoppedMidBurst_everyNotificationArrivesOnce(KafkaTestCluster kafka) throws Exception {
        Map<String, Integer> received = burst(kafka, "term", Process::destroy);

        assertThat(received).hasSize(NOTIFICATIONS).allSatisfy((key, count) -> assertThat(count).as(key).isEqualTo(1));
    }

    @Test
    void killedMidBurst_nothingIsLost_andOnlyDeliveriesCaughtBetweenSendAndCommitGoAgain(KafkaTestCluster kafka) throws Exception {
        Map<String, Integer> received = burst(kafka, "kill", process -> {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        assertThat(received).hasSize(NOTIFICATIONS).allSatisfy((key, count) -> assertThat(count).as(key).isBetween(1, 2));
        assertThat(received.values().stream().mapToInt(Integer::intValue).sum() - NOTIFICATIONS).isLessThanOrEqualTo(MOST_REPEATED);
    }

    /** Sends a burst of incidents of service {@code name}, stops the first notifier at a third, starts a second; the requests each delivery id got. */
    private Map<String, Integer> burst(KafkaTestCluster kafka, String name, Consumer<Process> stop) throws Exception {
        // The first notifier is a JVM of its own, so it reads the production topic names; services keep the two tests apart.
        NotifierTopics topics = NotifierTopics.DEFAULT;
        kafka.createTopics(topics.all());
        String applicationId = "notifier-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
        String service = "svc-" + applicationId;
        try (WebhookSink sink = WebhookSink.start().delay("/" + name, Duration.ofMillis(20))) {
            kafka.produce(topics.channels(), List.of(Map.entry(service, new ChannelConfig(service, name, ChannelType.WEBHOOK,
                    sink.url("/" + name), null, List.of(service), List.of("opened"), List.of()))));
            Process first = start(kafka, applicationId, "first");
            Process second = null;
            try {
                awaitReady(first);
                try (KafkaProducer<String, IncidentEvent> producer = kafka.producer(topics.events(), Map.of())) {
                    for (int i = 0; i < NOTIFICATIONS; i++) {
                        String id = "INC-" + name + "-" + i;
                        producer.send(new ProducerRecord<>(topics.events().name(), id, opened(id, applicationId + "-e" + i)
                                .setTimestamp(Instant.now())
                                .setPayload(new IncidentOpened("Burst " + i, Severity.SEV2, service, "k" + i, null,
                                        Map.of(), true, null, null, java.util.Map.of(), null, null))
                                .build()));
                        if (i % 100 == 99) {
                            // A burst that keeps coming while the first notifier works: the next hundred once the one before last arrived.
                            producer.flush();
                            int sent = i + 1;
                            await("deliveries keep up").atMost(Duration.ofSeconds(60)).until(() -> sink.received().size() >= sent - 200);
                        }
                    }
                }
                await("a third delivered").atMost(Duration.ofSeconds(60)).until(() -> sink.received().size() >= NOTIFICATIONS / 3);
                log.info("Stopping the first notifier after {} deliveries", sink.received().size());
                stop.accept(first);
                second = start(kafka, applicationId, "second");
                await("every notification delivered").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> keys(sink).size() == NOTIFICATIONS);
                await("every delivery has its result").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                        .until(() -> results(kafka, topics, applicationId).size() >= NOTIFICATIONS);
                await("and no more").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                        .until(() -> results(kafka, topics, applicationId).size() == NOTIFICATIONS);
                List<NotificationResult> results = results(kafka, topics, applicationId);
                assertThat(results).hasSize(NOTIFICATIONS).allMatch(result -> result.getOutcome() == DeliveryOutcome.DELIVERED);
                assertThat(results.stream().map(NotificationResult::getDeliveryId).collect(Collectors.toSet())).isEqualTo(keys(sink).keySet());
                Map<String, Integer> counts = keys(sink);
                log.info("{} requests for {} notifications", sink.received().size(), counts.size());
                return counts;
            } finally {
                first.destroyForcibly();
                if (second != null) {
                    second.destroy();
                    second.waitFor();
                }
            }
        }
    }

    private static Map<String, Integer> keys(WebhookSink sink) {
        return sink.received().stream().collect(Collectors.toMap(r -> r.header("Idempotency-Key"), r -> 1, Integer::sum));
    }

    private static List<NotificationResult> results(KafkaTestCluster kafka, NotifierTopics topics, String applicationId) {
        return TopicContents.readToEnd(kafka.bootstrapServers(), topics.results(), kafka.serdes(), Duration.ofSeconds(10)).stream()
                .map(ConsumerRecord::value).filter(result -> result.getEventId().startsWith(applicationId)).toList();
    }

    private Process start(KafkaTestCluster kafka, String applicationId, String name) throws IOException {
        int port = TopicContents.freePort();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), NotifierMain.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("INCIDENT_NOTIFIER_APPLICATION_ID", applicationId);
        env.put("INCIDENT_STATE_DIR", dir.resolve(name).toString());
        env.put("INCIDENT_HTTP_PORT", Integer.toString(port));
        env.put("KAFKA_COMMIT_INTERVAL_MS", "100");
        // The group notices a killed member after its session timeout; the broker's minimum keeps the test short.
        env.put("KAFKA_SESSION_TIMEOUT_MS", "6000");
        Process process = builder.start();
        ports.put(process, port);
        return process;
    }

    private void awaitReady(Process process) {
        HttpClient http = HttpClient.newHttpClient();
        URI readyz = URI.create("http://127.0.0.1:" + ports.get(process) + "/readyz");
        await("notifier ready").atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() ->
                http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }
}
