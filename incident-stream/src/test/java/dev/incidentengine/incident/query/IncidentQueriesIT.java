package dev.incidentengine.incident.query;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import dev.incidentengine.incident.IncidentStreamConfig;
import dev.incidentengine.incident.IncidentTopics;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.Samples;
import dev.incidentengine.testkit.WithKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.incidentengine.incident.query.QueryKeysTest.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two read-side instances on six partitions of a real broker: each key has one owner, and the instances' pages cover every partition. */
@WithKafka
class IncidentQueriesIT {

    private static final int INCIDENTS = 60;
    private static final int EVENTS = 10;

    @TempDir
    Path dir;

    @Test
    void everyIncidentIsFoundThroughItsOwner_andListsCoverEveryPartition_alsoAfterAnInstanceStops(KafkaTestCluster kafka) throws Exception {
        IncidentTopics d = IncidentTopics.DEFAULT;
        IncidentTopics topics = new IncidentTopics(d.alerts(), d.commands(), kafka.createTopic(d.events()), kafka.createTopic(d.state()),
                kafka.createTopic(d.commandResults()), kafka.createTopic(d.suppressed()), d.inhibiting(), d.routes(), d.silences(), d.inhibitRules(),
                kafka.createTopic(d.deadLetters()), d.services(), d.integrations(), d.escalationPolicies(), d.channels(), d.teams(),
                d.statusPages(), d.roles(), d.incidentTypes(), d.runbooks(), d.tiers());
        String applicationId = "incident-query-it-" + UUID.randomUUID().toString().substring(0, 8);
        HostInfo hostA = new HostInfo("instance-a", 1);
        HostInfo hostB = new HostInfo("instance-b", 2);
        SimpleMeterRegistry metricsA = new SimpleMeterRegistry();
        SimpleMeterRegistry metricsB = new SimpleMeterRegistry();
        LocalStores localA = new LocalStores();
        LocalStores localB = new LocalStores();
        KafkaStreams a = start(kafka, topics, applicationId, hostA, metricsA, localA);
        KafkaStreams b = start(kafka, topics, applicationId, hostB, metricsB, localB);
        try {
            IncidentQueries queriesA = new IncidentQueries(a, localA, hostA, topics.state().name(), topics.events().valueSerde(kafka.serdes()).deserializer());
            IncidentQueries queriesB = new IncidentQueries(b, localB, hostB, topics.state().name(), topics.events().valueSerde(kafka.serdes()).deserializer());
            List<String> ids = write(kafka, topics);

            await("every incident and its log readable from its owner").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> ids.stream().allMatch(id -> found(id, queriesA, queriesB)));
            Set<String> ownedByA = new HashSet<>();
            for (String id : ids) {
                IncidentQueries.Answer<Optional<IncidentState>> fromA = queriesA.incident(id);
                IncidentQueries.Answer<Optional<IncidentState>> fromB = queriesB.incident(id);
                if (fromA instanceof IncidentQueries.Answer.Here<Optional<IncidentState>> here) {
                    ownedByA.add(id);
                    assertThat(here.value()).get().extracting(IncidentState::getIncidentId).isEqualTo(id);
                    assertThat(fromB).isEqualTo(new IncidentQueries.Answer.There<Optional<IncidentState>>(hostA));
                } else {
                    assertThat(fromA).isEqualTo(new IncidentQueries.Answer.There<Optional<IncidentState>>(hostB));
                    assertThat(fromB).isInstanceOf(IncidentQueries.Answer.Here.class);
                }
            }
            assertThat(ownedByA).as("the work is shared").isNotEmpty().hasSizeLessThan(INCIDENTS);
            assertThat(queriesA.instances()).containsExactlyInAnyOrder(hostA, hostB);

            String id = ids.get(7);
            IncidentQueries queries = ownedByA.contains(id) ? queriesA : queriesB;
            List<IncidentQueries.LoggedEvent> page = ((IncidentQueries.Answer.Here<List<IncidentQueries.LoggedEvent>>) queries.events(id, "4", 3))
                    .value();
            assertThat(page).extracting(logged -> logged.event().getSequence()).containsExactly(5L, 6L, 7L);
            assertThat(page).allSatisfy(logged -> assertThat(logged.event().getIncidentId()).isEqualTo(id));
            List<IncidentQueries.LoggedEvent> next = ((IncidentQueries.Answer.Here<List<IncidentQueries.LoggedEvent>>) queries.events(id,
                    page.get(2).cursor(), 2)).value();
            assertThat(next).extracting(logged -> logged.event().getSequence()).containsExactly(8L, 9L);
            List<IncidentQueries.LoggedEvent> latest = ((IncidentQueries.Answer.Here<List<IncidentQueries.LoggedEvent>>) queries
                    .eventsNewestFirst(id, null, 3)).value();
            assertThat(latest).extracting(logged -> logged.event().getSequence()).containsExactly((long) EVENTS, EVENTS - 1L, EVENTS - 2L);
            List<IncidentQueries.LoggedEvent> older = ((IncidentQueries.Answer.Here<List<IncidentQueries.LoggedEvent>>) queries
                    .eventsNewestFirst(id, latest.get(2).cursor(), 100)).value();
            assertThat(older).extracting(logged -> logged.event().getSequence()).as("the rest, down to the first, and no other incident's")
                    .containsExactlyElementsOf(java.util.stream.LongStream.iterate(EVENTS - 3L, seq -> seq >= 1, seq -> seq - 1).boxed().toList());
            List<IncidentQueries.ListedAlert> alerts = ((IncidentQueries.Answer.Here<List<IncidentQueries.ListedAlert>>) queries.alerts(id, 2, 3)).value();
            assertThat(alerts).extracting(alert -> alert.alert().getFingerprint()).containsExactly(id + "-fp-4", id + "-fp-5", id + "-fp-6");
            assertThat(alerts).allSatisfy(alert -> assertThat(alert.status()).isEqualTo(AlertStatus.FIRING));

            assertListComplete(ids, List.of(queriesA, queriesB));
            assertThat(open(metricsA) + open(metricsB)).as("each instance counts the open incidents of its tasks").isEqualTo(INCIDENTS);

            // B stops: once the group has rebalanced, A holds every partition and answers everything itself.
            b.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(10)));
            await("A answers every incident itself").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> ids.stream().allMatch(incident -> queriesA.incident(incident) instanceof IncidentQueries.Answer.Here<?> here
                            && ((Optional<?>) here.value()).isPresent()));
            assertListComplete(ids, List.of(queriesA));
            await("A counts every open incident, B none").atMost(Duration.ofSeconds(30))
                    .until(() -> open(metricsA) == INCIDENTS && open(metricsB) == 0);
        } finally {
            a.close(Duration.ofSeconds(10));
            b.close(Duration.ofSeconds(10));
        }
    }

    /** Paging through every instance's pages (merged) lists each incident once, newest first, over every partition. */
    private static void assertListComplete(List<String> ids, List<IncidentQueries> instances) {
        List<String> listed = new ArrayList<>();
        String after = null;
        do {
            List<IndexScan.Listed> parts = new ArrayList<>();
            boolean more = false;
            Set<Integer> covered = new HashSet<>();
            for (IncidentQueries instance : instances) {
                IncidentQueries.LocalPage local = instance.localPage(IndexScan.Filter.NONE, after, 7);
                parts.addAll(local.page().incidents());
                more |= local.page().more();
                covered.addAll(local.partitions());
            }
            assertThat(covered).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
            // As the API merges the instances' parts.
            IndexScan.Page page = new IndexScan.Page(parts, IndexScan.firstInOrder(parts, IndexScan.Listed::position, 7) || more);
            page.incidents().forEach(incident -> listed.add(incident.incident().getIncidentId()));
            after = page.nextPosition();
        } while (after != null);
        // ids were opened a minute apart, the last newest.
        List<String> newestFirst = new ArrayList<>(ids);
        Collections.reverse(newestFirst);
        assertThat(listed).isEqualTo(newestFirst);
    }

    private static boolean found(String id, IncidentQueries a, IncidentQueries b) {
        for (IncidentQueries queries : List.of(a, b)) {
            if (queries.incident(id) instanceof IncidentQueries.Answer.Here<Optional<IncidentState>> here && here.value().isPresent()
                    && queries.events(id, null, 100) instanceof IncidentQueries.Answer.Here<List<IncidentQueries.LoggedEvent>> log
                    && log.value().size() == EVENTS) {
                return true;
            }
        }
        return false;
    }

    private static List<String> write(KafkaTestCluster kafka, IncidentTopics topics) throws Exception {
        List<String> ids = new ArrayList<>();
        Instant opened = Instant.parse("2026-12-04T00:00:00Z");
        try (KafkaProducer<String, IncidentState> states = kafka.producer(topics.state(), Map.of());
             KafkaProducer<String, IncidentEvent> events = kafka.producer(topics.events(), Map.of())) {
            for (int i = 0; i < INCIDENTS; i++) {
                String id = String.format("INC-20261204-0-%04d", i);
                ids.add(id);
                states.send(new ProducerRecord<>(topics.state().name(), id,
                        state(id, opened.plusSeconds(60L * i).toString(), IncidentStatus.TRIGGERED, "checkout", null)));
                for (long seq = 1; seq <= EVENTS; seq++) {
                    // Opened, then an alert attached by each further event.
                    IncidentEvent event = seq == 1 ? Samples.opened(id, id + "/1").build()
                            : Samples.event(id, id + "/" + seq, opened.plusSeconds(seq), new AlertAttached(Samples.alert(id + "-fp-" + seq).build()));
                    events.send(new ProducerRecord<>(topics.events().name(), id, IncidentEvent.newBuilder(event).setSequence(seq).build()));
                }
            }
        }
        return ids;
    }

    private static double open(SimpleMeterRegistry registry) {
        return registry.find("incident_open").gauges().stream().mapToDouble(gauge -> gauge.value()).sum();
    }

    private KafkaStreams start(KafkaTestCluster kafka, IncidentTopics topics, String applicationId, HostInfo host,
                               SimpleMeterRegistry metrics, LocalStores local) {
        IncidentStreamConfig config = new IncidentStreamConfig(Map.of(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                EngineConfig.STATE_DIR_CONFIG, dir.resolve(host.host()).toString()));
        Properties props = KafkaClients.streams(config, applicationId, topics.deadLetters());
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, host.host() + ":" + host.port());
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 0);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        KafkaStreams streams = new KafkaStreams(IncidentQueryTopology.build(topics, kafka.serdes(), props, new ResponseMetrics(metrics), local), props);
        streams.start();
        return streams;
    }
}
