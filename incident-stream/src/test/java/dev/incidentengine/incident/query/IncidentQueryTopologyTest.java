package dev.incidentengine.incident.query;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import dev.incidentengine.incident.IncidentStreamConfig;
import dev.incidentengine.incident.IncidentTopics;
import dev.incidentengine.incident.IncidentTopology;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertResolved;
import dev.incidentengine.model.CommandOutcome;
import dev.incidentengine.model.CommandResult;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.SuppressedAlert;
import dev.incidentengine.model.SuppressionReason;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.testkit.Samples;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.incident.query.QueryKeysTest.state;
import static org.assertj.core.api.Assertions.assertThat;

/** The read side's topology in a TopologyTestDriver: the state, log and results topics in, queryable stores out. */
class IncidentQueryTopologyTest {

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final IncidentTopics topics = IncidentTopics.DEFAULT;
    private Topology topology;
    private final LocalStores local = new LocalStores();
    private TopologyTestDriver driver;
    private TestInputTopic<String, IncidentState> states;
    private TestInputTopic<String, IncidentEvent> events;
    private TestInputTopic<String, CommandResult> results;

    @BeforeEach
    void setUp() {
        Properties props = KafkaClients.streams(new IncidentStreamConfig(Map.of()),
                IncidentQueryTopology.applicationId(IncidentTopology.APPLICATION_ID), topics.deadLetters());
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/incident-query-test-" + System.nanoTime());
        topology = IncidentQueryTopology.build(topics, serdes, props, new ResponseMetrics(registry), local);
        driver = new TopologyTestDriver(topology, props, Samples.T0);
        StringSerializer keys = new StringSerializer();
        states = driver.createInputTopic(topics.state().name(), keys, topics.state().valueSerde(serdes).serializer());
        events = driver.createInputTopic(topics.events().name(), keys, topics.events().valueSerde(serdes).serializer());
        results = driver.createInputTopic(topics.commandResults().name(), keys, topics.commandResults().valueSerde(serdes).serializer());
    }

    @AfterEach
    void tearDown() {
        if (driver != null) {
            driver.close();
        }
    }

    private List<String> listed(QueryKeys.Dimension dimension, String value) {
        KeyValueStore<String, String> index = driver.getKeyValueStore(IncidentQueryTopology.INDEX_STORE);
        String prefix = QueryKeys.prefix(dimension, value);
        List<String> ids = new ArrayList<>();
        try (KeyValueIterator<String, String> it = index.range(prefix, QueryKeys.end(prefix))) {
            it.forEachRemaining(entry -> ids.add(QueryKeys.incidentId(entry.key)));
        }
        return ids;
    }

    @Test
    void theIncidentStoreHoldsTheLatestState_andTheStateTopicIsItsChangelog() {
        states.pipeInput("INC-1", state("INC-1", "2026-12-04T10:00:00Z", IncidentStatus.TRIGGERED, "checkout", null));
        states.pipeInput("INC-1", state("INC-1", "2026-12-04T10:00:00Z", IncidentStatus.ACKNOWLEDGED, "checkout", "alice"));

        KeyValueStore<String, ValueAndTimestamp<IncidentState>> store = driver.getTimestampedKeyValueStore(IncidentQueryTopology.INCIDENT_STORE);
        assertThat(store.get("INC-1").value().getStatus()).isEqualTo(IncidentStatus.ACKNOWLEDGED);
        // One sub-topology: one task holds an incident's state, log and results.
        assertThat(topology.describe().subtopologies()).hasSize(1);
        // No second copy of incident.state.v1: the table restores from the topic itself.
        assertThat(topology.describe().toString()).doesNotContain(IncidentQueryTopology.INCIDENT_STORE + "-changelog");
        assertThat(driver.producedTopicNames()).noneMatch(topic -> topic.contains(IncidentQueryTopology.INCIDENT_STORE));
    }

    @Test
    void heldAlertsAreListedWhileHeld_untilReleasedOrResolved() {
        TestInputTopic<String, SuppressedAlert> held = driver.createInputTopic(topics.suppressed().name(), new StringSerializer(),
                topics.suppressed().valueSerde(serdes).serializer());
        Instant at = Instant.parse("2026-12-04T10:00:00Z");
        SuppressedAlert silenced = new SuppressedAlert(Samples.alert("fp-a").build(), "checkout/Disk", SuppressionReason.SILENCED, "s1",
                at, null, false);
        SuppressedAlert inhibited = new SuppressedAlert(Samples.alert("fp-b").build(), "checkout/Disk", SuppressionReason.INHIBITED,
                "node-down", at, null, false);
        held.pipeInput("fp-a", silenced);
        held.pipeInput("fp-b", inhibited);
        held.pipeInput("fp-c", new SuppressedAlert(Samples.alert("fp-c").build(), "checkout/Cpu", SuppressionReason.SILENCED, "s1", at,
                null, false));
        held.pipeInput("fp-c", new SuppressedAlert(Samples.alert("fp-c").build(), "checkout/Cpu", SuppressionReason.SILENCED, "s1", at,
                at.plusSeconds(60), false));
        held.pipeInput("fp-b", SuppressedAlert.newBuilder(inhibited).setEndedAt(at.plusSeconds(90)).setReleased(true).build());

        KeyValueStore<String, SuppressedAlert> store = driver.getKeyValueStore(IncidentQueryTopology.HELD_STORE);
        assertThat(store.get("fp-a")).isEqualTo(silenced);
        assertThat(store.get("fp-b")).as("released").isNull();
        assertThat(store.get("fp-c")).as("resolved while held").isNull();
        List<String> readable = new ArrayList<>();
        try (KeyValueIterator<String, SuppressedAlert> all = local.<SuppressedAlert>store(IncidentQueryTopology.HELD_STORE, 0).all()) {
            all.forEachRemaining(entry -> readable.add(entry.key));
        }
        assertThat(readable).as("what the API reads").containsExactly("fp-a");
        // Still one sub-topology: the partitions an instance covers are those of its held alerts too.
        assertThat(topology.describe().subtopologies()).hasSize(1);
    }

    @Test
    void theTaskCountsItsOpenIncidents_andTakesThemBackWhenItCloses() {
        states.pipeInput("INC-1", state("INC-1", "2026-12-04T10:00:00Z", IncidentStatus.TRIGGERED, "checkout", null));
        states.pipeInput("INC-2", state("INC-2", "2026-12-04T11:00:00Z", IncidentStatus.ACKNOWLEDGED, "checkout", "bob"));
        states.pipeInput("INC-3", state("INC-3", "2026-12-04T12:00:00Z", IncidentStatus.RESOLVED, "checkout", null));
        states.pipeInput("INC-2", state("INC-2", "2026-12-04T11:00:00Z", IncidentStatus.ACKNOWLEDGED, "checkout", "alice"));

        assertThat(open()).isEqualTo(2.0);
        states.pipeInput("INC-1", state("INC-1", "2026-12-04T10:00:00Z", IncidentStatus.RESOLVED, "checkout", null));
        assertThat(open()).isEqualTo(1.0);

        driver.close();
        driver = null;
        assertThat(open()).as("the task left: its incidents are counted where it runs next").isZero();
    }

    private double open() {
        return registry.get("incident_open").tags("severity", "SEV2", "service", "checkout").gauge().value();
    }

    @Test
    void anIncidentIsListedUnderWhatItIsNow_andNoLongerUnderWhatItWas() {
        states.pipeInput("INC-1", state("INC-1", "2026-12-04T10:00:00Z", IncidentStatus.TRIGGERED, "checkout", null));
        states.pipeInput("INC-2", state("INC-2", "2026-12-04T11:00:00Z", IncidentStatus.TRIGGERED, "payments", "bob"));

        assertThat(listed(QueryKeys.Dimension.ALL, "")).containsExactly("INC-2", "INC-1");
        assertThat(listed(QueryKeys.Dimension.STATUS, "TRIGGERED")).containsExactly("INC-2", "INC-1");

        states.pipeInput("INC-1", state("INC-1", "2026-12-04T10:00:00Z", IncidentStatus.ACKNOWLEDGED, "checkout", "alice"));
        states.pipeInput("INC-2", state("INC-2", "2026-12-04T11:00:00Z", IncidentStatus.TRIGGERED, "payments", null));

        assertThat(listed(QueryKeys.Dimension.STATUS, "TRIGGERED")).containsExactly("INC-2");
        assertThat(listed(QueryKeys.Dimension.STATUS, "ACKNOWLEDGED")).containsExactly("INC-1");
        assertThat(listed(QueryKeys.Dimension.ASSIGNEE, "alice")).containsExactly("INC-1");
        assertThat(listed(QueryKeys.Dimension.ASSIGNEE, "bob")).isEmpty();
        assertThat(listed(QueryKeys.Dimension.SERVICE, "checkout")).containsExactly("INC-1");
        assertThat(listed(QueryKeys.Dimension.ALL, "")).containsExactly("INC-2", "INC-1");

        // A tombstone (an incident removed from the compacted topic) unlists it everywhere.
        states.pipeInput("INC-1", (IncidentState) null);
        assertThat(listed(QueryKeys.Dimension.ALL, "")).containsExactly("INC-2");
        assertThat(listed(QueryKeys.Dimension.STATUS, "ACKNOWLEDGED")).isEmpty();
    }

    @Test
    void aChangeThatMovesNoKeyWritesNothingToTheIndex() {
        states.pipeInput("INC-1", state("INC-1", "2026-12-04T10:00:00Z", IncidentStatus.TRIGGERED, "checkout", null));
        List<TestOutputTopic<String, String>> logs = List.of(changelog(IncidentQueryTopology.INDEX_STORE),
                changelog(IncidentQueryTopology.INDEX_ENTRY_STORE), changelog(IncidentQueryTopology.FACTS_STORE));
        assertThat(logs).allSatisfy(log -> assertThat(log.readRecordsToList()).as("the opening is written").isNotEmpty());

        // What an attached alert or a note does to the state: nothing the index or the metrics keep.
        states.pipeInput("INC-1", state("INC-1", "2026-12-04T10:00:00Z", IncidentStatus.TRIGGERED, "checkout", null));
        assertThat(logs).allSatisfy(log -> assertThat(log.isEmpty()).isTrue());

        states.pipeInput("INC-1", state("INC-1", "2026-12-04T10:00:00Z", IncidentStatus.ACKNOWLEDGED, "checkout", null));
        // The status key out, the new one in, the incident's keys and facts: nothing else.
        assertThat(logs.get(0).readKeyValuesToList()).extracting(entry -> entry.key).containsExactlyInAnyOrder(
                QueryKeys.prefix(QueryKeys.Dimension.STATUS, "TRIGGERED") + QueryKeys.position(Instant.parse("2026-12-04T10:00:00Z"), "INC-1"),
                QueryKeys.prefix(QueryKeys.Dimension.STATUS, "ACKNOWLEDGED") + QueryKeys.position(Instant.parse("2026-12-04T10:00:00Z"), "INC-1"));
        assertThat(logs.get(1).readRecordsToList()).hasSize(1);
        assertThat(logs.get(2).readRecordsToList()).hasSize(1);
    }

    private TestOutputTopic<String, String> changelog(String store) {
        return driver.createOutputTopic(IncidentQueryTopology.applicationId(IncidentTopology.APPLICATION_ID) + "-" + store + "-changelog",
                new StringDeserializer(), new StringDeserializer());
    }

    @Test
    void anIncidentsEventsAreOneRangeInLogOrder_keptAsTheLogsBytes() {
        for (long seq : new long[] {1, 2, 10}) {
            events.pipeInput("INC-1", event("INC-1", seq));
            events.pipeInput("INC-10", event("INC-10", seq));
        }
        // A rejection: the sequence of the event before it.
        events.pipeInput("INC-1", IncidentEvent.newBuilder(event("INC-1", 10)).setEventId("INC-1/rejected").build());

        KeyValueStore<String, byte[]> store = driver.getKeyValueStore(IncidentQueryTopology.EVENT_STORE);
        List<String> ids = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = store.range(QueryKeys.eventsFrom("INC-1", 2), QueryKeys.eventsEnd("INC-1"))) {
            it.forEachRemaining(entry -> ids.add(topics.events().valueSerde(serdes).deserializer().deserialize(null, entry.value).getEventId()));
        }
        assertThat(ids).containsExactly("INC-1/2", "INC-1/10", "INC-1/rejected");
    }

    @Test
    void anIncidentsAlertsKeepTheOrderOfFirstAttachment_pointingAtTheirNewestCopy() {
        Instant t0 = Samples.T0;
        events.pipeInput("INC-1", attached("INC-1", 2, "fp-b", t0.plusSeconds(2)));
        events.pipeInput("INC-1", attached("INC-1", 3, "fp-a", t0.plusSeconds(3)));
        events.pipeInput("INC-1", Samples.event("INC-1", "INC-1/4", t0.plusSeconds(4), new AlertResolved("fp-b", t0.plusSeconds(4))));
        events.pipeInput("INC-1", attached("INC-1", 5, "fp-a", t0.plusSeconds(5)));
        events.pipeInput("INC-2", attached("INC-2", 2, "fp-a", t0.plusSeconds(6)));

        KeyValueStore<String, String> alerts = driver.getKeyValueStore(IncidentQueryTopology.ALERT_STORE);
        List<String> order = new ArrayList<>();
        try (KeyValueIterator<String, String> it = alerts.range(QueryKeys.alertAt("INC-1", 0), QueryKeys.alertsEnd("INC-1"))) {
            it.forEachRemaining(entry -> order.add(entry.value));
        }
        assertThat(order).containsExactly("fp-b", "fp-a");
        assertThat(AlertEntry.decode(alerts.get(QueryKeys.alert("INC-1", "fp-b"))))
                .isEqualTo(new AlertEntry(0, 2, 0, t0.plusSeconds(2), t0.plusSeconds(4)));
        assertThat(AlertEntry.decode(alerts.get(QueryKeys.alert("INC-1", "fp-a"))))
                .as("attached again: its newest copy, first attached as before")
                .isEqualTo(new AlertEntry(1, 5, 3, t0.plusSeconds(3), null));
        assertThat(AlertEntry.decode(alerts.get(QueryKeys.alert("INC-2", "fp-a")))).isEqualTo(new AlertEntry(0, 2, 4, t0.plusSeconds(6), null));
    }

    @Test
    void searchFindsAnIncidentByTheWordsOfItsTitleServiceAndLabels_andOfItsAlertsLabels_newestFirst() {
        Instant t0 = Samples.T0;
        searchable("INC-1", t0.plusSeconds(1), "High error rate on checkout", "checkout");
        searchable("INC-2", t0.plusSeconds(2), "Disk full on db-7", "payments");
        searchable("INC-3", t0.plusSeconds(3), "Checkout latency", "checkout");
        IncidentEvent alert = Samples.event("INC-2", "INC-2/2", t0.plusSeconds(4), new AlertAttached(Samples.alert("fp-x")
                .setLabels(Map.of("alertname", "DiskFull", "instance", "db-7.eu-west-1:9100")).build()));
        events.pipeInput("INC-2", IncidentEvent.newBuilder(alert).setSequence(2).build());

        assertThat(search("checkout")).containsExactly("INC-3", "INC-1");
        assertThat(search("CHECKOUT latency")).containsExactly("INC-3");
        assertThat(search("diskfull")).as("an alert's label").containsExactly("INC-2");
        assertThat(search("eu-west-1 db")).containsExactly("INC-2");
        assertThat(search("prod")).as("the incident's labels").containsExactly("INC-3", "INC-2", "INC-1");
        assertThat(search("checkout", "payments")).isEmpty();
        assertThat(search("nothing")).isEmpty();

        // Bounded: an incident with many distinct words is found by its first ones.
        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < IncidentQueryTopology.MAX_SEARCH_WORDS + 10; i++) {
            many.put("l" + i, "word" + i);
        }
        IncidentEvent wide = Samples.event("INC-1", "INC-1/2", t0.plusSeconds(5), new AlertAttached(Samples.alert("fp-y").setLabels(many).build()));
        events.pipeInput("INC-1", IncidentEvent.newBuilder(wide).setSequence(2).build());
        KeyValueStore<String, String> index = driver.getKeyValueStore(IncidentQueryTopology.INDEX_STORE);
        long words = 0;
        String prefix = QueryKeys.Dimension.WORD.name().toLowerCase(Locale.ROOT) + QueryKeys.SEPARATOR;
        try (KeyValueIterator<String, String> it = index.range(prefix, QueryKeys.end(prefix))) {
            while (it.hasNext()) {
                words += QueryKeys.incidentId(it.next().key).equals("INC-1") ? 1 : 0;
            }
        }
        assertThat(words).isEqualTo(IncidentQueryTopology.MAX_SEARCH_WORDS);
    }

    private void searchable(String id, Instant openedAt, String title, String service) {
        IncidentEvent opened = Samples.opened(id, id + "/1").setTimestamp(openedAt).build();
        ((IncidentOpened) opened.getPayload()).setTitle(title);
        ((IncidentOpened) opened.getPayload()).setService(service);
        events.pipeInput(id, opened);
        states.pipeInput(id, IncidentState.newBuilder(state(id, openedAt.toString(), IncidentStatus.TRIGGERED, service, null))
                .setTitle(title).build());
    }

    private List<String> search(String text, String... services) {
        IndexScan.Filter filter = new IndexScan.Filter(Set.of(), Set.of(services), Set.of(), Set.of(), null, QueryKeys.words(text));
        // Read as the API reads: through the stores the task's processors offer.
        IndexScan.Page page = IndexScan.page(List.of(new IndexScan.Partition(local.store(IncidentQueryTopology.INDEX_STORE, 0),
                id -> local.incident(0, id), local.store(IncidentQueryTopology.SEARCH_STORE, 0))), filter, null, 10);
        return page.incidents().stream().map(listed -> listed.incident().getIncidentId()).toList();
    }

    @Test
    void resultsAreFoundByIncidentAndCommand_untilTheyExpireWithTheTopic() {
        Instant at = Samples.T0;
        results.pipeInput("INC-1", new CommandResult("cmd-1", "INC-1", CommandOutcome.APPLIED, null, 3L, List.of("cmd-1/1"), at));

        KeyValueStore<String, CommandResult> store = driver.getKeyValueStore(IncidentQueryTopology.RESULT_STORE);
        assertThat(store.get(QueryKeys.result("INC-1", "cmd-1")).getOutcome()).isEqualTo(CommandOutcome.APPLIED);

        driver.advanceWallClockTime(IncidentQueryTopology.RESULT_RETENTION.minus(Duration.ofMinutes(2)));
        assertThat(store.get(QueryKeys.result("INC-1", "cmd-1"))).isNotNull();
        driver.advanceWallClockTime(Duration.ofMinutes(3));
        assertThat(store.get(QueryKeys.result("INC-1", "cmd-1"))).isNull();
        KeyValueStore<String, String> expiries = driver.getKeyValueStore(IncidentQueryTopology.RESULT_EXPIRY_STORE);
        assertThat(expiries.approximateNumEntries()).isZero();
    }

    private static IncidentEvent attached(String incidentId, long sequence, String fingerprint, Instant at) {
        IncidentEvent event = Samples.event(incidentId, incidentId + "/" + sequence, at,
                new AlertAttached(Samples.alert(fingerprint).build()));
        return IncidentEvent.newBuilder(event).setSequence(sequence).build();
    }

    private static IncidentEvent event(String incidentId, long sequence) {
        return IncidentEvent.newBuilder(Samples.opened(incidentId, incidentId + "/" + sequence).build()).setSequence(sequence).build();
    }
}
