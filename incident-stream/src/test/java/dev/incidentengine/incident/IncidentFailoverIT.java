package dev.incidentengine.incident;

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
import java.util.stream.Collectors;
import java.util.stream.LongStream;

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
 * Two instances share the six partitions; one stops while alerts flow. Afterwards every alert is
 * attached to exactly one incident, no event is missing or doubled, and folding the log from the
 * beginning gives exactly the states on {@code incident.state.v1}.
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
        ServiceRunner first = instance(kafka, topics, "a");
        ServiceRunner second = instance(kafka, topics, "b");
        await("both instances running").atMost(Duration.ofSeconds(90)).until(() -> first.ready() && second.ready());

        Set<String> resolvedFingerprints = new HashSet<>();
        try (KafkaProducer<String, Alert> producer = kafka.producer(topics.alerts(), Map.of())) {
            for (int i = 0; i < ALERTS; i++) {
                Alert alert = alert(i, AlertStatus.FIRING);
                producer.send(new ProducerRecord<>(topics.alerts().name(), alert.getFingerprint(), alert));
                producer.send(new ProducerRecord<>(topics.alerts().name(), alert.getFingerprint(), alert(i, AlertStatus.FIRING)));
                if (i == ALERTS / 2) {
                    producer.flush();
                    log.info("Stopping instance a after {} alerts", i);
                    first.close();
                }
                if (i % 50 == 0) {
                    Thread.sleep(100);
                }
            }
            // A fifth of the alerts resolve once all fired, so no incident is left with only resolved alerts.
            for (int i = 0; i < ALERTS; i += 5) {
                Alert resolved = alert(i, AlertStatus.RESOLVED);
                producer.send(new ProducerRecord<>(topics.alerts().name(), resolved.getFingerprint(), resolved));
                resolvedFingerprints.add(resolved.getFingerprint());
            }
        }

        await("every alert attached and every resolution applied").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    List<IncidentEvent> events = values(kafka, topics);
                    return fingerprints(events, AlertAttached.class).size() == ALERTS
                            && fingerprints(events, AlertResolved.class).containsAll(resolvedFingerprints);
                });
        second.close();
        List<IncidentEvent> events = values(kafka, topics);

        Map<String, Set<String>> incidentsOfAlert = new HashMap<>();
        events.stream().filter(e -> e.getPayload() instanceof AlertAttached).forEach(e -> incidentsOfAlert
                .computeIfAbsent(((AlertAttached) e.getPayload()).getAlert().getFingerprint(), fp -> new HashSet<>()).add(e.getIncidentId()));
        assertThat(incidentsOfAlert).hasSize(ALERTS).allSatisfy((fingerprint, incidents) -> assertThat(incidents).hasSize(1));
        assertThat(events).noneMatch(e -> e.getPayload() instanceof CommandRejected);
        assertThat(events.stream().map(IncidentEvent::getEventId).collect(Collectors.toSet())).hasSize(events.size());
        Map<String, List<Long>> sequences = events.stream().collect(Collectors.groupingBy(IncidentEvent::getIncidentId,
                LinkedHashMap::new, Collectors.mapping(IncidentEvent::getSequence, Collectors.toList())));
        assertThat(sequences).hasSize(KEYS).allSatisfy((incident, seqs) ->
                assertThat(seqs).isEqualTo(LongStream.rangeClosed(1, seqs.size()).boxed().toList()));

        IncidentLifecycle lifecycle = new IncidentLifecycle(LifecyclePolicy.DEFAULT);
        Map<String, IncidentState> folded = new HashMap<>();
        events.forEach(e -> folded.put(e.getIncidentId(), lifecycle.evolve(folded.get(e.getIncidentId()), e)));
        Map<String, IncidentState> written = new HashMap<>();
        TopicContents.readToEnd(kafka.bootstrapServers(), topics.state(), kafka.serdes(), Duration.ofSeconds(30))
                .forEach(record -> written.put(record.key(), record.value()));
        assertThat(written).isEqualTo(folded);
    }

    private ServiceRunner instance(KafkaTestCluster kafka, IncidentTopics topics, String name) {
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, stateDir.resolve(name).toString());
        settings.put("kafka.commit.interval.ms", "100");
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
