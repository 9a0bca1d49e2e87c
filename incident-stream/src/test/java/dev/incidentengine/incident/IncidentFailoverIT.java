package dev.incidentengine.incident;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import dev.incidentengine.incident.domain.IncidentFold;
import dev.incidentengine.incident.domain.IncidentLifecycle;
import dev.incidentengine.incident.domain.LifecyclePolicy;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertResolved;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.CommandRejected;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.Samples;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances share the six partitions; one leaves while alerts flow, either stopping cleanly or
 * killed outright (SIGKILL, its transaction left open). Afterwards every alert is attached to
 * exactly one incident, no event is missing or doubled, and folding the log from the beginning
 * gives exactly the states on {@code incident.state.v1}.
 */
@WithKafka
class IncidentFailoverIT {

    private static final Logger log = LoggerFactory.getLogger(IncidentFailoverIT.class);
    private static final int ALERTS = 2_000;
    private static final int KEYS = 80;

    @TempDir
    Path stateDir;

    @Test
    void anInstanceStopsMidTraffic_andNothingIsLostOrDoubled(KafkaTestCluster kafka) throws Exception {
        IncidentTopics topics = IncidentTestTopics.create(kafka);
        String applicationId = IncidentTestTopics.applicationId(topics);
        try (ServiceRunner first = instance(kafka, topics, applicationId, "a");
             ServiceRunner second = instance(kafka, topics, applicationId, "b")) {
            await("both instances running").atMost(Duration.ofSeconds(90)).until(() -> first.ready() && second.ready());
            sendAlerts(kafka, topics, () -> {
                log.info("Stopping instance a");
                first.close();
            });
            assertNothingLostOrDoubled(kafka, topics);
        }
    }

    @Test
    void anInstanceIsKilledMidTraffic_andNothingIsLostOrDoubled(KafkaTestCluster kafka) throws Exception {
        // The killed instance is a JVM of its own, so it reads the production topic names.
        IncidentTopics topics = IncidentTopics.DEFAULT;
        kafka.createTopics(topics.all());
        String applicationId = IncidentTopology.APPLICATION_ID + "-killed-" + UUID.randomUUID().toString().substring(0, 8);
        int port = TopicContents.freePort();
        Process first = process(kafka, applicationId, "a", port);
        try (ServiceRunner second = instance(kafka, topics, applicationId, "b")) {
            HttpClient http = HttpClient.newHttpClient();
            await("both instances running").atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> second.ready()
                    && http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
            sendAlerts(kafka, topics, () -> {
                log.info("Killing instance a (SIGKILL)");
                first.destroyForcibly().waitFor();
            });
            assertNothingLostOrDoubled(kafka, topics);
        } finally {
            first.destroyForcibly();
        }
    }

    /** Alerts fire twice each, {@code leave} runs halfway, then a fifth of them resolve. */
    private void sendAlerts(KafkaTestCluster kafka, IncidentTopics topics, Leave leave) throws Exception {
        try (KafkaProducer<String, Alert> producer = kafka.producer(topics.alerts(), Map.of())) {
            for (int i = 0; i < ALERTS; i++) {
                Alert alert = alert(i, AlertStatus.FIRING);
                producer.send(new ProducerRecord<>(topics.alerts().name(), alert.getFingerprint(), alert));
                producer.send(new ProducerRecord<>(topics.alerts().name(), alert.getFingerprint(), alert(i, AlertStatus.FIRING)));
                if (i == ALERTS / 2) {
                    producer.flush();
                    leave.run();
                }
                if (i % 50 == 0) {
                    Thread.sleep(100);
                }
            }
            for (int i = 0; i < ALERTS; i += 5) {
                Alert resolved = alert(i, AlertStatus.RESOLVED);
                producer.send(new ProducerRecord<>(topics.alerts().name(), resolved.getFingerprint(), resolved));
            }
        }
    }

    private interface Leave {
        void run() throws Exception;
    }

    private static void assertNothingLostOrDoubled(KafkaTestCluster kafka, IncidentTopics topics) {
        Set<String> resolvedFingerprints = new HashSet<>();
        for (int i = 0; i < ALERTS; i += 5) {
            resolvedFingerprints.add(alert(i, AlertStatus.RESOLVED).getFingerprint());
        }
        await("every alert attached and every resolution applied").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    List<IncidentEvent> events = values(kafka, topics);
                    return fingerprints(events, AlertAttached.class).size() == ALERTS
                            && fingerprints(events, AlertResolved.class).containsAll(resolvedFingerprints);
                });
        List<IncidentEvent> events = values(kafka, topics);

        Map<String, Set<String>> incidentsOfAlert = new HashMap<>();
        events.stream().filter(e -> e.getPayload() instanceof AlertAttached).forEach(e -> incidentsOfAlert
                .computeIfAbsent(((AlertAttached) e.getPayload()).getAlert().getFingerprint(), fp -> new HashSet<>()).add(e.getIncidentId()));
        assertThat(incidentsOfAlert).hasSize(ALERTS).allSatisfy((fingerprint, incidents) -> assertThat(incidents).hasSize(1));
        assertThat(events).noneMatch(e -> e.getPayload() instanceof CommandRejected);
        assertThat(events.stream().map(IncidentEvent::getEventId).collect(Collectors.toSet())).hasSize(events.size());
        Map<String, List<Long>> sequences = events.stream().collect(Collectors.groupingBy(IncidentEvent::getIncidentId,
                LinkedHashMap::new, Collectors.mapping(IncidentEvent::getSequence, Collectors.toList())));
        assertThat(sequences).allSatisfy((incident, seqs) ->
                assertThat(seqs).isEqualTo(LongStream.rangeClosed(1, seqs.size()).boxed().toList()));
        // Each correlation key fired within one grouping window, so each opened exactly one incident.
        assertThat(sequences).hasSize(KEYS);

        // Incidents whose alerts all resolved auto-resolve a settle time after their last resolution, maybe after the
        // read above: the state is compared with the fold of the log as it is when the state is read.
        IncidentLifecycle lifecycle = new IncidentLifecycle(LifecyclePolicy.DEFAULT);
        await("incident.state.v1 has caught up with the log").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    Map<String, IncidentState> written = new HashMap<>();
                    TopicContents.readToEnd(kafka.bootstrapServers(), topics.state(), kafka.serdes(), Duration.ofSeconds(30))
                            .forEach(record -> written.put(record.key(), record.value()));
                    Map<String, IncidentFold> folds = new HashMap<>();
                    values(kafka, topics).forEach(e -> folds.computeIfAbsent(e.getIncidentId(), id -> new IncidentFold(lifecycle)).apply(e));
                    Map<String, IncidentState> folded = new HashMap<>();
                    folds.forEach((id, fold) -> folded.put(id, fold.state()));
                    assertThat(written).isEqualTo(folded);
                });
    }

    /** incident-stream as users run it (IncidentStreamMain), in a JVM of its own that the test can kill outright. */
    private Process process(KafkaTestCluster kafka, String applicationId, String name, int httpPort) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), IncidentStreamMain.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(stateDir.resolve(name + ".log").toFile());
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("INCIDENT_APPLICATION_ID", applicationId);
        env.put("INCIDENT_STATE_DIR", stateDir.resolve(name).toString());
        env.put("INCIDENT_HTTP_PORT", Integer.toString(httpPort));
        env.put("KAFKA_COMMIT_INTERVAL_MS", "100");
        // The group notices the killed member after its session timeout; the broker's minimum keeps the test short.
        env.put("KAFKA_SESSION_TIMEOUT_MS", "6000");
        return builder.start();
    }

    private ServiceRunner instance(KafkaTestCluster kafka, IncidentTopics topics, String applicationId, String name) {
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, stateDir.resolve(name).toString());
        settings.put(IncidentStreamConfig.APPLICATION_ID_CONFIG, applicationId);
        settings.put("kafka.commit.interval.ms", "100");
        settings.put("kafka.session.timeout.ms", "6000");
        return new ServiceRunner("127.0.0.1", 0, List.of(new IncidentStreamService(new IncidentStreamConfig(settings), topics))).start();
    }

    /** Alert i fires in correlation key i % KEYS, all within one grouping window, so each key opens one incident. */
    private static Alert alert(int i, AlertStatus status) {
        Instant now = Instant.now();
        return Samples.alert("failover-" + i)
                .setStatus(status)
                .setLabels(Map.of("alertname", "Check" + (i % KEYS), "service", "checkout"))
                .setStartsAt(now)
                .setEndsAt(status == AlertStatus.RESOLVED ? now : null)
                .setReceivedAt(now)
                .build();
    }

    private static List<IncidentEvent> values(KafkaTestCluster kafka, IncidentTopics topics) {
        List<IncidentEvent> events = new ArrayList<>();
        for (ConsumerRecord<String, IncidentEvent> record
                : TopicContents.readToEnd(kafka.bootstrapServers(), topics.events(), kafka.serdes(), Duration.ofSeconds(30))) {
            events.add(record.value());
        }
        return events;
    }

    private static Set<String> fingerprints(List<IncidentEvent> events, Class<?> type) {
        return events.stream().filter(e -> type.isInstance(e.getPayload())).map(e -> e.getPayload() instanceof AlertAttached a
                ? a.getAlert().getFingerprint() : ((AlertResolved) e.getPayload()).getFingerprint()).collect(Collectors.toSet());
    }
}
