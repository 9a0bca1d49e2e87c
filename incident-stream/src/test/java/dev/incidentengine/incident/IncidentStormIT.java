package dev.incidentengine.incident;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.Samples;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The storm that wedged the engine, on a real broker: with every alert in the incident's state, a
 * node-down storm of about 11,000 alerts made that record pass 1 MiB, the write failed, the stream
 * thread died on it again and again, and no incident opened for any service. Now the state stays
 * small, and unrelated incidents keep opening while the storm goes on.
 */
@WithKafka
class IncidentStormIT {

    private static final int STORM = 15_000;
    private static final int UNRELATED = 20;

    @TempDir
    Path stateDir;

    @Test
    void aStormPastTheOldWedgeIsOneIncident_stateStaysSmall_andUnrelatedIncidentsKeepOpening(KafkaTestCluster kafka) {
        IncidentTopics topics = IncidentTestTopics.create(kafka);
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, stateDir.toString());
        settings.put(IncidentStreamConfig.APPLICATION_ID_CONFIG, IncidentTestTopics.applicationId(topics));
        try (ServiceRunner runner = new ServiceRunner("127.0.0.1", 0,
                List.of(new IncidentStreamService(new IncidentStreamConfig(settings), topics))).start()) {
            await("incident-stream running").atMost(Duration.ofSeconds(60)).until(runner::ready);

            Instant now = Instant.now();
            List<Map.Entry<String, Alert>> alerts = new ArrayList<>();
            for (int i = 0; i < STORM; i++) {
                alerts.add(entry(node(i, now).build()));
                if (i % (STORM / UNRELATED) == 0) {
                    int service = i / (STORM / UNRELATED);
                    alerts.add(entry(Samples.alert("unrelated-" + service).setReceivedAt(now)
                            .setLabels(Map.of("alertname", "DiskFull", "service", "billing-" + service)).build()));
                }
            }
            kafka.produce(topics.alerts(), alerts);

            List<IncidentEvent> events = kafka.consume(topics.events(), 2 * UNRELATED + 1 + STORM, Duration.ofMinutes(3)).stream()
                    .map(ConsumerRecord::value).toList();
            Map<String, List<IncidentEvent>> byIncident = events.stream().collect(Collectors.groupingBy(IncidentEvent::getIncidentId));
            assertThat(byIncident).hasSize(UNRELATED + 1);
            assertThat(byIncident.values()).filteredOn(log -> log.size() > 2).singleElement().satisfies(storm -> {
                assertThat(storm.get(0).getPayload()).isInstanceOf(IncidentOpened.class);
                assertThat(storm).filteredOn(e -> e.getPayload() instanceof AlertAttached).hasSize(STORM);
            });
            assertThat(runner.ready()).as("the stream is still running").isTrue();

            List<Map.Entry<String, Alert>> resolutions = new ArrayList<>();
            for (int i = 0; i < STORM; i++) {
                resolutions.add(entry(node(i, now).setStatus(AlertStatus.RESOLVED).setEndsAt(Instant.now()).build()));
            }
            kafka.produce(topics.alerts(), resolutions);
            await("the storm's incident resolved once all its alerts did").atMost(Duration.ofMinutes(3)).until(() ->
                    TopicContents.readToEnd(kafka.bootstrapServers(), topics.events(), kafka.serdes(), Duration.ofSeconds(60)).stream()
                            .anyMatch(record -> record.value().getPayload() instanceof IncidentResolved));

            List<ConsumerRecord<String, IncidentState>> states =
                    TopicContents.readToEnd(kafka.bootstrapServers(), topics.state(), kafka.serdes(), Duration.ofSeconds(60));
            assertThat(states.stream().mapToInt(ConsumerRecord::serializedValueSize).max().orElseThrow())
                    .as("largest record on incident.state.v1").isLessThan(64 * 1024);
            assertThat(states.stream().mapToInt(record -> record.value().getAlertCount()).max()).hasValue(STORM);
            assertThat(TopicContents.readToEnd(kafka.bootstrapServers(), topics.deadLetters(), kafka.serdes(), Duration.ofSeconds(30)))
                    .isEmpty();
        }
    }

    /** Shaped like Alertmanager's: with every alert in the state, 15,000 of these made a record of about 1.5 MB. */
    private static Alert.Builder node(int i, Instant at) {
        return Samples.alert(String.format("demo-alertmanager/%016x", i * 0x9E3779B97F4A7C15L)).setReceivedAt(at)
                .setSummary("Node node-" + i + ":9100 of the checkout cluster is down")
                .setLabels(Map.of("alertname", "NodeDown", "service", "checkout", "instance", "node-" + i + ":9100"));
    }

    private static Map.Entry<String, Alert> entry(Alert alert) {
        return Map.entry(alert.getFingerprint(), alert);
    }
}
