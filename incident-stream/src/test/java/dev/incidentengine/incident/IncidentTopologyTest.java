package dev.incidentengine.incident;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import dev.incidentengine.incident.domain.IncidentLifecycle;
import dev.incidentengine.incident.domain.LifecyclePolicy;
import dev.incidentengine.model.AcknowledgeIncident;
import dev.incidentengine.model.AddNote;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertResolved;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.AlertTrack;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.CommandOutcome;
import dev.incidentengine.model.CommandRejected;
import dev.incidentengine.model.CommandResult;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentFlapping;
import dev.incidentengine.model.IncidentMerged;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentPublished;
import dev.incidentengine.model.PostPublicUpdate;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.PublicUpdateMissed;
import dev.incidentengine.model.PublicUpdatePosted;
import dev.incidentengine.model.PublishIncident;
import dev.incidentengine.model.MergeIncident;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.model.ReviewRequired;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.SuppressedAlert;
import dev.incidentengine.model.SuppressionReason;
import dev.incidentengine.model.config.InhibitRuleConfig;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.model.config.RouteConfig;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.StatusComponentConfig;
import dev.incidentengine.model.config.StatusPageConfig;
import dev.incidentengine.model.config.StatusTemplates;
import dev.incidentengine.model.config.WeeklyWindow;
import dev.incidentengine.schemas.EventHeaders;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.DeadLetters;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.testkit.Samples;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The whole incident-stream topology in a TopologyTestDriver: alerts and commands in, incidents out. */
class IncidentTopologyTest {

    private static final Instant T0 = Samples.T0;
    private static final Actor ALICE = new Actor(ActorType.USER, "alice", null);

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final MeterRegistry metrics = new SimpleMeterRegistry();
    private final IncidentTopics topics = IncidentTopics.DEFAULT;
    private TopologyTestDriver driver;
    private TestInputTopic<String, Alert> alerts;
    private TestInputTopic<String, IncidentCommand> commands;
    private TestInputTopic<byte[], byte[]> rawCommands;
    private TestInputTopic<String, RouteConfig> routes;
    private TestInputTopic<String, SilenceConfig> silences;
    private TestInputTopic<String, InhibitRuleConfig> inhibitRules;
    private TestInputTopic<String, StatusPageConfig> statusPages;
    private TestOutputTopic<String, IncidentEvent> events;
    private TestOutputTopic<String, IncidentState> states;
    private TestOutputTopic<String, CommandResult> results;
    private TestOutputTopic<String, SuppressedAlert> suppressed;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private final List<IncidentEvent> log = new ArrayList<>();
    private int commandIds;

    @BeforeEach
    void setUp() {
        Properties props = KafkaClients.streams(new IncidentStreamConfig(Map.of()), IncidentTopology.APPLICATION_ID, topics.deadLetters());
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/incident-topology-test-" + System.nanoTime());
        driver = new TopologyTestDriver(IncidentTopology.build(topics, serdes, LifecyclePolicy.DEFAULT, metrics), props, T0);
        alerts = input(topics.alerts());
        commands = input(topics.commands());
        routes = input(topics.routes());
        silences = input(topics.silences());
        inhibitRules = input(topics.inhibitRules());
        statusPages = input(topics.statusPages());
        rawCommands = driver.createInputTopic(topics.commands().name(), new ByteArraySerializer(), new ByteArraySerializer());
        events = output(topics.events());
        states = output(topics.state());
        results = output(topics.commandResults());
        suppressed = output(topics.suppressed());
        deadLetters = driver.createOutputTopic(topics.deadLetters().name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    /** Lets the settle time pass (5 s by default), so incidents whose alerts all resolved resolve. */
    private void settle() {
        driver.advanceWallClockTime(Duration.ofSeconds(6));
    }

    @Test
    void everyProcessorStoreAndInternalTopicIsNamed() {
        String description = IncidentTopology.build(topics, serdes, LifecyclePolicy.DEFAULT, metrics).describe().toString();

        assertThat(description).doesNotContain("KSTREAM-", "KTABLE-")
                .contains("alerts-by-correlation-key-repartition", "incident-commands-by-owner-repartition",
                        IncidentTopology.DEDUPE_STORE, IncidentTopology.GROUP_STORE, IncidentTopology.INCIDENT_STORE);
    }

    // --- the aggregate -------------------------------------------------------------------------

    @Test
    void commandsBecomeEventsOnTheLogStateOnTheCompactedTopicAndAResultForPeople() {
        String id = "INC-20261122-0-0007";
        commands.pipeInput(id, command(id, new AttachAlert(Samples.alert("fp-1").build(), "checkout|HighErrorRate", null, true, null),
                Samples.ENGINE));
        commands.pipeInput(id, command(id, new AcknowledgeIncident("on it"), ALICE));

        assertThat(newEvents()).extracting(IncidentEvent::getPayload)
                .hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class, IncidentAcknowledged.class);
        List<IncidentState> written = states.readValuesToList();
        assertThat(written).extracting(IncidentState::getVersion).containsExactly(2L, 3L);
        KeyValueStore<String, IncidentState> store = driver.getKeyValueStore(IncidentTopology.INCIDENT_STORE);
        assertThat(store.get(id)).isEqualTo(written.get(1));
        // Only the person's command gets a result: the engine's own commands have no one waiting.
        assertThat(results.readValuesToList()).singleElement().satisfies(result -> {
            assertThat(result.getOutcome()).isEqualTo(CommandOutcome.APPLIED);
            assertThat(result.getSequence()).isEqualTo(3L);
            assertThat(result.getEventIds()).containsExactly(log.get(2).getEventId());
        });
    }

    @Test
    void everyEventOnTheLogCarriesItsIncidentsServiceAndStatusAfterIt_andTheStatusBeforeWhenItChanged() {
        String id = "INC-20261122-0-0008";
        commands.pipeInput(id, command(id, new AttachAlert(Samples.alert("fp-1").build(), "checkout|HighErrorRate", null, true, null),
                Samples.ENGINE));
        commands.pipeInput(id, command(id, new AddNote("looking"), ALICE));
        commands.pipeInput(id, command(id, new AcknowledgeIncident("on it"), ALICE));

        List<TestRecord<String, IncidentEvent>> written = events.readRecordsToList();
        assertThat(written).extracting(record -> record.getValue().getPayload().getClass().getSimpleName(),
                        record -> EventHeaders.text(record.getHeaders(), EventHeaders.SERVICE),
                        record -> EventHeaders.text(record.getHeaders(), EventHeaders.STATUS),
                        record -> EventHeaders.text(record.getHeaders(), EventHeaders.PREVIOUS_STATUS))
                .containsExactly(
                        tuple("IncidentOpened", "checkout", "TRIGGERED", null),
                        tuple("AlertAttached", "checkout", "TRIGGERED", null),
                        tuple("NoteAdded", "checkout", "TRIGGERED", null),
                        tuple("IncidentAcknowledged", "checkout", "ACKNOWLEDGED", "TRIGGERED"));
    }

    @Test
    void aPublishedIncidentsEventsAreMarkedPublic_andItsResolutionReachesThePage() {
        statusPages.pipeInput("public", statusPage(List.of(), Map.of()));
        String id = openByCommand();
        commands.pipeInput(id, command(id, new AddNote("internal"), ALICE));
        commands.pipeInput(id, command(id, new PublishIncident("Checkout is slow", PublicImpact.MINOR, List.of("checkout"),
                PublicIncidentStatus.INVESTIGATING, null), ALICE));
        commands.pipeInput(id, command(id, new AddNote("still internal, but of a public incident"), ALICE));
        commands.pipeInput(id, command(id, new ResolveIncident("rolled back"), ALICE));

        List<TestRecord<String, IncidentEvent>> written = events.readRecordsToList();
        assertThat(written).extracting(record -> record.getValue().getPayload().getClass().getSimpleName(),
                        record -> EventHeaders.isPublic(record.getHeaders()))
                .containsExactly(tuple("IncidentOpened", false), tuple("AlertAttached", false), tuple("NoteAdded", false),
                        tuple("IncidentPublished", true), tuple("NoteAdded", true), tuple("IncidentResolved", true),
                        tuple("PublicUpdatePosted", true), tuple("ReviewRequired", true));
        PublicUpdatePosted resolution = (PublicUpdatePosted) written.get(6).getValue().getPayload();
        assertThat(resolution.getAutomatic()).isTrue();
        assertThat(resolution.getStatus()).isEqualTo(PublicIncidentStatus.RESOLVED);
        assertThat(resolution.getMessage()).startsWith("This incident has been resolved and Checkout is operating normally");
    }

    @Test
    void anIncidentOfAnAutoPublishedSeverityOnACoveredServiceIsPublishedAsItOpens() {
        statusPages.pipeInput("public", statusPage(List.of(Severity.SEV2), Map.of()));
        statusPages.pipeInput("other", StatusPageConfig.newBuilder(statusPage(List.of(Severity.SEV3), Map.of())).setId("other").build());
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        fire("fp-1", T0);
        fire(alert("fp-2", T0).setService("payments").setLabels(Map.of("alertname", "HighErrorRate", "service", "payments")).build());

        List<TestRecord<String, IncidentEvent>> written = events.readRecordsToList();
        assertThat(written).filteredOn(record -> record.getValue().getPayload() instanceof IncidentPublished).singleElement()
                .satisfies(record -> {
                    IncidentPublished published = (IncidentPublished) record.getValue().getPayload();
                    assertThat(published.getAutomatic()).isTrue();
                    assertThat(published.getComponents()).containsExactly("checkout");
                    assertThat(published.getImpact()).isEqualTo(PublicImpact.MINOR);
                    assertThat(EventHeaders.isPublic(record.getHeaders())).isTrue();
                });
    }

    @Test
    void aPublishedIncidentWithoutAnUpdateRemindsOncePerCadence() {
        statusPages.pipeInput("public", statusPage(List.of(), Map.of("SEV2", 2)));
        String id = openByCommand();
        commands.pipeInput(id, command(id, new PublishIncident("Checkout is slow", PublicImpact.MINOR, List.of("checkout"),
                PublicIncidentStatus.INVESTIGATING, "Looking into it"), ALICE));
        Instant due = T0.plusSeconds(commandIds).plus(Duration.ofMinutes(2));
        newEvents();

        driver.advanceWallClockTime(Duration.ofSeconds(110));
        assertThat(newEvents()).as("not due yet").isEmpty();
        driver.advanceWallClockTime(Duration.ofSeconds(20));
        for (int second = 0; second < 30; second++) {
            driver.advanceWallClockTime(Duration.ofSeconds(1));
        }
        List<IncidentEvent> reminded = newEvents();
        assertThat(reminded).extracting(IncidentEvent::getPayload)
                .containsExactly(new PublicUpdateMissed(due, T0.plusSeconds(commandIds), null));
        assertThat(driver.<String, IncidentState>getKeyValueStore(IncidentTopology.INCIDENT_STORE).get(id).getPublication().getNextUpdateDueAt())
                .as("one cadence after the reminder").isEqualTo(reminded.get(0).getTimestamp().plus(Duration.ofMinutes(2)));

        driver.advanceWallClockTime(Duration.ofMinutes(2));
        assertThat(newEvents()).as("the next period reminds again").hasSize(1);
        commands.pipeInput(id, command(id, new PostPublicUpdate(PublicIncidentStatus.RESOLVED, null, null, null), ALICE));
        newEvents();
        driver.advanceWallClockTime(Duration.ofMinutes(10));
        assertThat(newEvents()).as("resolved on the page: no cadence").isEmpty();
    }

    @Test
    void repeatedRejectedAndNoOpCommandsSayWhatHappened() {
        String id = openByCommand();
        IncidentCommand ack = command(id, new AcknowledgeIncident(null), ALICE);
        commands.pipeInput(id, ack);
        commands.pipeInput(id, ack);
        commands.pipeInput(id, command(id, new AcknowledgeIncident("again"), ALICE));
        commands.pipeInput(id, command(id, new ResolveIncident(null), ALICE));
        commands.pipeInput(id, command(id, new AcknowledgeIncident(null), ALICE));
        commands.pipeInput("INC-NONE", command("INC-NONE", new AcknowledgeIncident(null), ALICE));

        assertThat(results.readValuesToList()).extracting(CommandResult::getOutcome).containsExactly(
                CommandOutcome.APPLIED, CommandOutcome.DUPLICATE, CommandOutcome.UNCHANGED, CommandOutcome.APPLIED,
                CommandOutcome.REJECTED, CommandOutcome.REJECTED);
        assertThat(newEvents()).filteredOn(e -> e.getPayload() instanceof CommandRejected)
                .extracting(e -> ((CommandRejected) e.getPayload()).getReason())
                .containsExactly("cannot acknowledge a resolved incident", "unknown incident INC-NONE");
    }

    @Test
    void poisonCommandsGoToTheDlqAndTheStreamGoesOn() {
        String id = "INC-20261122-0-0001";
        rawCommands.pipeInput(new TestRecord<>(id.getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8)));
        commands.pipeInput("INC-OTHER", command(id, new AcknowledgeIncident(null), ALICE));
        openByCommand();

        // The undecodable record is skipped here; IncidentStreamIT sees Kafka's handler put it on the DLQ.
        assertThat(deadLetters.readRecordsToList()).singleElement().satisfies(record -> {
            assertThat(header(record, DeadLetters.ERROR)).contains("is not the command's incident");
            assertThat(header(record, DeadLetters.SOURCE_OFFSET)).isEqualTo("1");
        });
        assertThat(newEvents()).hasSize(2);
    }

    // --- dedupe and correlation ----------------------------------------------------------------

    @Test
    void aFiringAlertThatAlreadyFiresIsCountedNotRepeated() {
        fire("fp-1", T0);
        fire("fp-1", T0.plusSeconds(30));
        fire("fp-1", T0.plusSeconds(60));

        assertThat(newEvents()).extracting(IncidentEvent::getPayload)
                .hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class);
        KeyValueStore<String, AlertTrack> tracks = driver.getKeyValueStore(IncidentTopology.DEDUPE_STORE);
        assertThat(tracks.get("fp-1").getCount()).isEqualTo(3L);
        assertThat(tracks.get("fp-1").getLastSeenAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(metrics.counter("incident_alerts_total", "outcome", "new").count()).isEqualTo(1.0);
        assertThat(metrics.counter("incident_alerts_total", "outcome", "duplicate").count()).isEqualTo(2.0);
        assertThat(metrics.counter("incident_events_total", "type", "IncidentOpened").count()).isEqualTo(1.0);
    }

    @Test
    void alertsOfOneKeyJoinTheIncidentWithinTheWindowAndOpenANewOneAfterIt() {
        fire("fp-1", T0);
        fire("fp-2", T0.plusSeconds(240));
        fire("fp-3", T0.plusSeconds(301));
        fire(alert("fp-4", T0.plusSeconds(10)).setLabels(Map.of("alertname", "DiskFull", "service", "checkout")).build());

        List<IncidentEvent> all = newEvents();
        assertThat(all).filteredOn(e -> e.getPayload() instanceof IncidentOpened).hasSize(3);
        assertThat(incidentOf(all, "fp-2")).isEqualTo(incidentOf(all, "fp-1"));
        assertThat(incidentOf(all, "fp-3")).isNotEqualTo(incidentOf(all, "fp-1"));
        assertThat(incidentOf(all, "fp-4")).isNotIn(incidentOf(all, "fp-1"), incidentOf(all, "fp-3"));
        assertThat(incidentOf(all, "fp-1")).matches("INC-20261122-[0-5]-000[1-3]");
        IncidentOpened opened = (IncidentOpened) all.get(0).getPayload();
        assertThat(opened.getCorrelationKey()).isEqualTo("default|service=checkout|alertname=HighErrorRate");
    }

    @Test
    void routesChooseGroupingWindowPolicyServiceAndAutoResolve() {
        routes.pipeInput("db", RouteConfig.newBuilder().setId("db").setPriority(10)
                .setMatchers(List.of(new LabelMatcher("team", MatchOp.EQUAL, "dba")))
                .setGroupBy(List.of("cluster")).setGroupWindowMinutes(60).setAutoResolve(false)
                .setEscalationPolicyId("dba-oncall").setService("database").build());
        fire(alert("db-1", T0).setLabels(Map.of("team", "dba", "cluster", "eu-1", "alertname", "ReplicaLag")).build());
        fire(alert("db-2", T0.plusSeconds(1800)).setLabels(Map.of("team", "dba", "cluster", "eu-1", "alertname", "SlowQueries")).build());
        resolve("db-1", T0.plusSeconds(1900));
        resolve("db-2", T0.plusSeconds(1901));

        List<IncidentEvent> all = newEvents();
        assertThat(incidentOf(all, "db-2")).isEqualTo(incidentOf(all, "db-1"));
        IncidentOpened opened = (IncidentOpened) all.get(0).getPayload();
        assertThat(opened.getCorrelationKey()).isEqualTo("db|cluster=eu-1");
        assertThat(opened.getEscalationPolicyId()).isEqualTo("dba-oncall");
        assertThat(opened.getService()).isEqualTo("database");
        assertThat(all).filteredOn(e -> e.getPayload() instanceof AlertResolved).hasSize(2);
        assertThat(all).noneMatch(e -> e.getPayload() instanceof IncidentResolved);
    }

    @Test
    void allAlertsResolvedResolvesTheIncident_andAFiringAgainWithinTheWindowReopensIt() {
        fire("fp-1", T0);
        fire("fp-2", T0.plusSeconds(5));
        resolve("fp-1", T0.plusSeconds(60));
        resolve("fp-1", T0.plusSeconds(61));
        resolve("fp-2", T0.plusSeconds(120));
        settle();
        fire("fp-2", T0.plusSeconds(600));
        resolve("fp-2", T0.plusSeconds(700));
        settle();
        fire("fp-2", T0.plusSeconds(700 + 31 * 60));

        List<IncidentEvent> all = newEvents();
        String first = incidentOf(all, "fp-1");
        assertThat(all).filteredOn(e -> e.getIncidentId().equals(first)).extracting(IncidentEvent::getPayload)
                .hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class, AlertAttached.class,
                        AlertResolved.class, AlertResolved.class, IncidentResolved.class, ReviewRequired.class,
                        IncidentReopened.class, AlertAttached.class, AlertResolved.class, IncidentResolved.class);
        assertThat(all).filteredOn(e -> e.getPayload() instanceof IncidentOpened).hasSize(2);
    }

    @Test
    void anIncidentResolvesOnlyOnceTheSettleTimePassedWithoutAFiringOfItsKey() {
        fire("fp-1", T0);
        resolve("fp-1", T0.plusSeconds(60));
        driver.advanceWallClockTime(Duration.ofSeconds(4));
        // Another alert of the key, read late from another partition: it joins the incident, which never resolved.
        fire("fp-2", T0.plusSeconds(59));
        settle();
        List<IncidentEvent> held = newEvents();
        assertThat(held).extracting(IncidentEvent::getPayload)
                .hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class, AlertResolved.class, AlertAttached.class);

        resolve("fp-2", T0.plusSeconds(70));
        driver.advanceWallClockTime(Duration.ofSeconds(4));
        assertThat(newEvents()).extracting(IncidentEvent::getPayload).hasExactlyElementsOfTypes(AlertResolved.class);
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(newEvents()).extracting(IncidentEvent::getPayload).first().isEqualTo(new IncidentResolved("all alerts resolved"));
        assertThat(states.readValuesToList()).last().satisfies(state -> {
            assertThat(state.getAlertCount()).isEqualTo(2);
            assertThat(state.getFiringAlertCount()).isZero();
        });
    }

    @Test
    void aStaleFiringAlertResolvesWhenItsEndsAtPasses() {
        fire(alert("fp-1", T0).setEndsAt(T0.plusSeconds(300)).build());
        fire(alert("fp-2", T0).setEndsAt(T0.plusSeconds(300)).build());
        fire(alert("fp-2", T0.plusSeconds(200)).setEndsAt(T0.plusSeconds(600)).build());

        driver.advanceWallClockTime(Duration.ofSeconds(301));
        assertThat(newEvents()).filteredOn(e -> e.getPayload() instanceof AlertResolved)
                .extracting(e -> ((AlertResolved) e.getPayload()).getFingerprint()).containsExactly("fp-1");

        driver.advanceWallClockTime(Duration.ofSeconds(300));
        settle();
        assertThat(newEvents()).extracting(IncidentEvent::getPayload)
                .hasExactlyElementsOfTypes(AlertResolved.class, IncidentResolved.class, ReviewRequired.class);
    }

    @Test
    void anAlertAcknowledgedAtItsSourceAcknowledgesItsIncident() {
        fire("fp-1", T0);
        fire(alert("fp-1", T0.plusSeconds(30)).setStatus(AlertStatus.ACKNOWLEDGED).build());
        fire(alert("fp-1", T0.plusSeconds(40)).setStatus(AlertStatus.ACKNOWLEDGED).build());

        assertThat(newEvents()).extracting(IncidentEvent::getPayload)
                .hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class, IncidentAcknowledged.class);
    }

    @Test
    void aHigherSeverityOfAFiringAlertRaisesTheIncident() {
        fire("fp-1", T0);
        fire(alert("fp-1", T0.plusSeconds(30)).setSeverity(Severity.SEV0).build());

        assertThat(newEvents()).extracting(IncidentEvent::getPayload)
                .hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class, AlertAttached.class, SeverityChanged.class);
    }

    // --- silences and inhibition ---------------------------------------------------------------

    @Test
    void aSilencedAlertOpensNoIncidentIsRecorded_andOpensOneWhenTheSilenceEndsWhileItFires() {
        silences.pipeInput("s1", silence("s1", T0.minusSeconds(60), T0.plusSeconds(600), null));
        fire("fp-1", T0);
        fire("fp-2", T0.plusSeconds(1));
        resolve("fp-2", T0.plusSeconds(2));

        assertThat(newEvents()).isEmpty();
        assertThat(suppressed.readValuesToList()).extracting(s -> s.getAlert().getFingerprint(), SuppressedAlert::getReason,
                        SuppressedAlert::getRuleId, SuppressedAlert::getReleased, s -> s.getEndedAt() != null)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("fp-1", SuppressionReason.SILENCED, "s1", false, false),
                        org.assertj.core.groups.Tuple.tuple("fp-2", SuppressionReason.SILENCED, "s1", false, false),
                        org.assertj.core.groups.Tuple.tuple("fp-2", SuppressionReason.SILENCED, "s1", false, true));

        driver.advanceWallClockTime(Duration.ofSeconds(601));

        assertThat(newEvents()).extracting(IncidentEvent::getPayload).hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class);
        assertThat(suppressed.readValuesToList()).singleElement().satisfies(s -> assertThat(s.getReleased()).isTrue());
    }

    @Test
    void aSilenceJudgesTheServiceARouteAssigns_asTheIncidentHoldsIt() {
        routes.pipeInput("db", RouteConfig.newBuilder().setId("db").setPriority(10)
                .setMatchers(List.of(new LabelMatcher("team", MatchOp.EQUAL, "dba"))).setService("database").build());
        silences.pipeInput("s1", SilenceConfig.newBuilder(silence("s1", null, null, null))
                .setMatchers(List.of(new LabelMatcher("service", MatchOp.EQUAL, "database"))).build());
        fire(alert("db-1", T0).setService("checkout").setLabels(Map.of("team", "dba", "alertname", "ReplicaLag")).build());
        fire(alert("web-1", T0).setService("checkout").setLabels(Map.of("team", "web", "alertname", "ReplicaLag")).build());

        assertThat(suppressed.readValuesToList()).extracting(s -> s.getAlert().getFingerprint()).containsExactly("db-1");
        assertThat(newEvents()).filteredOn(e -> e.getPayload() instanceof AlertAttached)
                .extracting(e -> ((AlertAttached) e.getPayload()).getAlert().getFingerprint()).containsExactly("web-1");
    }

    @Test
    void deletingASilenceReleasesItsAlerts_andAWeeklyMaintenanceWindowHoldsAlertsInside() {
        // 2026-11-22 is a Sunday; 09:00 UTC is 10:00 in Berlin.
        silences.pipeInput("maint", silence("maint", null, null,
                new WeeklyWindow(List.of("SUNDAY"), "09:30", "10:30", "Europe/Berlin")));
        fire("fp-1", T0);
        assertThat(newEvents()).isEmpty();

        silences.pipeInput("maint", null);
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(newEvents()).extracting(IncidentEvent::getPayload).hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class);
    }

    @Test
    void anAlertIsInhibitedWhileAMatchingSourceFiresWithEqualLabels() {
        inhibitRules.pipeInput("dc-down", new InhibitRuleConfig("dc-down",
                List.of(new LabelMatcher("alertname", MatchOp.EQUAL, "DatacenterDown")),
                List.of(new LabelMatcher("severity", MatchOp.REGEX, "SEV[2-4]")), List.of("dc")));
        fire(alert("src", T0).setSeverity(Severity.SEV0).setLabels(Map.of("alertname", "DatacenterDown", "dc", "fra")).build());
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        fire(alert("same-dc", T0.plusSeconds(10)).setLabels(Map.of("alertname", "HighLatency", "dc", "fra")).build());
        fire(alert("other-dc", T0.plusSeconds(10)).setLabels(Map.of("alertname", "HighLatency", "dc", "ams")).build());

        List<IncidentEvent> all = newEvents();
        assertThat(all).filteredOn(e -> e.getPayload() instanceof AlertAttached)
                .extracting(e -> ((AlertAttached) e.getPayload()).getAlert().getFingerprint()).containsExactlyInAnyOrder("src", "other-dc");
        assertThat(suppressed.readValuesToList()).singleElement().satisfies(s -> {
            assertThat(s.getReason()).isEqualTo(SuppressionReason.INHIBITED);
            assertThat(s.getRuleId()).isEqualTo("dc-down");
        });

        resolve("src", T0.plusSeconds(60));
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        assertThat(newEvents()).filteredOn(e -> e.getPayload() instanceof AlertAttached)
                .extracting(e -> ((AlertAttached) e.getPayload()).getAlert().getFingerprint()).containsExactly("same-dc");
    }

    // --- flapping, close, merge ----------------------------------------------------------------

    @Test
    void aFlappingIncidentResolvesOnlyAfterAQuietPeriod() {
        fire("fp-1", T0);
        for (int i = 1; i <= 4; i++) {
            resolve("fp-1", T0.plusSeconds(i * 60L));
            settle();
            fire("fp-1", T0.plusSeconds(i * 60L + 30));
        }
        resolve("fp-1", T0.plusSeconds(300));

        List<IncidentEvent> all = newEvents();
        assertThat(all).filteredOn(e -> e.getPayload() instanceof IncidentFlapping).hasSize(1);
        assertThat(all.get(all.size() - 1).getPayload()).isInstanceOf(AlertResolved.class);

        driver.advanceWallClockTime(Duration.ofSeconds(300 + 15 * 60 + 1));
        assertThat(newEvents()).extracting(IncidentEvent::getPayload).singleElement().isInstanceOfSatisfying(IncidentResolved.class,
                resolved -> assertThat(resolved.getResolution()).contains("quiet"));
    }

    @Test
    void aResolvedIncidentClosesAfterTheCloseDelay_andItsAlertThenOpensANewIncident() {
        fire("fp-1", T0);
        resolve("fp-1", T0.plusSeconds(10));
        settle();
        driver.advanceWallClockTime(Duration.ofMinutes(61));
        List<IncidentEvent> closed = newEvents();
        assertThat(closed.get(closed.size() - 1).getPayload()).isInstanceOf(IncidentClosed.class);

        fire("fp-1", T0.plusSeconds(3700));
        List<IncidentEvent> later = newEvents();
        assertThat(later.get(0).getPayload()).isInstanceOf(IncidentOpened.class);
        assertThat(later.get(0).getIncidentId()).isNotEqualTo(closed.get(0).getIncidentId());
    }

    @Test
    void mergingMovesTheFiringAlertsSoTheyResolveTheTarget() {
        fire("fp-1", T0);
        fire(alert("fp-2", T0.plusSeconds(1)).setLabels(Map.of("alertname", "DiskFull", "service", "checkout")).build());
        List<IncidentEvent> opened = newEvents();
        String source = incidentOf(opened, "fp-2");
        String target = incidentOf(opened, "fp-1");

        commands.pipeInput(source, command(source, new MergeIncident(target), ALICE));
        resolve("fp-2", T0.plusSeconds(120));
        resolve("fp-1", T0.plusSeconds(130));
        settle();

        List<IncidentEvent> all = newEvents();
        assertThat(all).filteredOn(e -> e.getIncidentId().equals(source)).extracting(IncidentEvent::getPayload)
                .hasExactlyElementsOfTypes(IncidentMerged.class);
        assertThat(all).filteredOn(e -> e.getIncidentId().equals(target)).extracting(IncidentEvent::getPayload)
                .hasExactlyElementsOfTypes(AlertAttached.class, AlertResolved.class, AlertResolved.class, IncidentResolved.class,
                        ReviewRequired.class);
    }

    // --- storms ----------------------------------------------------------------------------------

    @Test
    void aStormOf100000AlertsIsOneIncidentWhoseStateStaysSmall_andItResolvesAndReopens() {
        int storm = 100_000;
        TestOutputTopic<String, byte[]> rawStates = driver.createOutputTopic(topics.state().name(), new StringDeserializer(),
                new ByteArrayDeserializer());
        for (int i = 0; i < storm; i++) {
            fire("node-" + i, T0.plusMillis(i));
        }
        fire(alert("unrelated", T0.plusSeconds(101)).setLabels(Map.of("alertname", "DiskFull", "service", "billing")).build());

        Map<Class<?>, Long> kinds = countKinds(newEvents());
        assertThat(kinds).containsEntry(IncidentOpened.class, 2L).containsEntry(AlertAttached.class, storm + 1L);
        assertThat(largest(rawStates)).as("the state record holds counts and a sample, not the storm").isLessThan(4 * 1024);

        for (int i = 0; i < storm; i++) {
            resolve("node-" + i, T0.plusSeconds(200).plusMillis(i));
        }
        settle();
        assertThat(countKinds(newEvents())).containsEntry(AlertResolved.class, (long) storm).containsEntry(IncidentResolved.class, 1L);
        assertThat(largest(rawStates)).isLessThan(4 * 1024);

        fire("node-7", T0.plusSeconds(400));
        assertThat(newEvents()).extracting(IncidentEvent::getPayload)
                .hasExactlyElementsOfTypes(IncidentReopened.class, AlertAttached.class);
        IncidentState reopened = serdes.serde(IncidentState.class, false).deserializer()
                .deserialize(topics.state().name(), lastValue(rawStates));
        assertThat(reopened.getAlertCount()).isEqualTo(storm);
        assertThat(reopened.getFiringAlertCount()).isEqualTo(1);
        assertThat(reopened.getAlerts()).hasSize(IncidentLifecycle.ALERT_SAMPLE);
    }

    @Test
    void mergingTwoLargeIncidentsMovesEveryFiringAlert_soTheirResolutionsResolveTheTarget() {
        int each = 5_000;
        for (int i = 0; i < each; i++) {
            fire("web-" + i, T0.plusMillis(i));
            fire(alert("db-" + i, T0.plusMillis(i)).setLabels(Map.of("alertname", "DiskFull", "service", "checkout")).build());
        }
        List<IncidentEvent> opened = newEvents();
        String target = incidentOf(opened, "web-0");
        String source = incidentOf(opened, "db-0");
        for (int i = 0; i < each; i += 2) {
            resolve("db-" + i, T0.plusSeconds(20).plusMillis(i));
        }
        newEvents();

        commands.pipeInput(source, command(source, new MergeIncident(target), ALICE));
        List<IncidentEvent> merged = newEvents();
        assertThat(merged).filteredOn(e -> e.getIncidentId().equals(target) && e.getPayload() instanceof AlertAttached)
                .as("the source's firing alerts, and only those").hasSize(each / 2);
        for (int i = 0; i < each; i++) {
            resolve("web-" + i, T0.plusSeconds(60).plusMillis(i));
            resolve("db-" + i, T0.plusSeconds(60).plusMillis(i));
        }
        settle();
        List<IncidentEvent> all = newEvents();
        assertThat(all).filteredOn(e -> e.getIncidentId().equals(source)).isEmpty();
        assertThat(countKinds(all.stream().filter(e -> e.getIncidentId().equals(target)).toList()))
                .containsEntry(AlertResolved.class, each + each / 2L).containsEntry(IncidentResolved.class, 1L);
    }

    private static Map<Class<?>, Long> countKinds(List<IncidentEvent> events) {
        return events.stream().collect(Collectors.groupingBy(e -> e.getPayload().getClass(), Collectors.counting()));
    }

    /** The largest record written since the last read (read one at a time: a storm's states do not fit in a list). */
    private static int largest(TestOutputTopic<String, byte[]> records) {
        int largest = 0;
        while (!records.isEmpty()) {
            largest = Math.max(largest, records.readValue().length);
        }
        return largest;
    }

    private static byte[] lastValue(TestOutputTopic<String, byte[]> records) {
        byte[] last = null;
        while (!records.isEmpty()) {
            last = records.readValue();
        }
        return last;
    }

    @Test
    void unreadableAndInvalidAlertsGoToTheDlq() {
        driver.createInputTopic(topics.alerts().name(), new ByteArraySerializer(), new ByteArraySerializer())
                .pipeInput("fp-x".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8));
        alerts.pipeInput("fp-y", null);
        fire("fp-1", T0);

        assertThat(deadLetters.readRecordsToList()).singleElement()
                .satisfies(record -> assertThat(header(record, DeadLetters.ERROR)).contains("no alert"));
        assertThat(newEvents()).hasSize(2);
    }

    @Test
    void anUnreadableConfigRecordIsSkippedAndAlertsFlowOn() {
        driver.createInputTopic(topics.routes().name(), new ByteArraySerializer(), new ByteArraySerializer())
                .pipeInput("bad".getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8));
        silences.pipeInput("no-matchers", SilenceConfig.newBuilder().setId("no-matchers").setMatchers(List.of())
                .setAuthor("mallory").build());
        fire("fp-1", T0);

        assertThat(newEvents()).extracting(IncidentEvent::getPayload).hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class);
    }

    // --- helpers -------------------------------------------------------------------------------

    private String openByCommand() {
        String id = "INC-20261122-0-0001";
        commands.pipeInput(id, command(id, new AttachAlert(Samples.alert("fp-1").build(), "k", null, true, null), Samples.ENGINE));
        return id;
    }

    private static Alert.Builder alert(String fingerprint, Instant at) {
        return Samples.alert(fingerprint).setStartsAt(at).setReceivedAt(at);
    }

    private void fire(String fingerprint, Instant at) {
        fire(alert(fingerprint, at).build());
    }

    private void fire(Alert alert) {
        alerts.pipeInput(alert.getFingerprint(), alert, alert.getReceivedAt());
    }

    private void resolve(String fingerprint, Instant at) {
        fire(alert(fingerprint, at).setStatus(AlertStatus.RESOLVED).setEndsAt(at).build());
    }

    private static StatusPageConfig statusPage(List<Severity> autoPublish, Map<String, Integer> cadence) {
        StatusPageConfig.Builder page = StatusPageConfig.newBuilder().setId("public").setName("Demo Shop Status")
                .setComponents(List.of(StatusComponentConfig.newBuilder().setId("checkout").setName("Checkout").build()))
                .setAutoPublish(autoPublish).setTemplates(StatusTemplates.newBuilder().build());
        return cadence.isEmpty() ? page.build() : page.setUpdateEveryMinutes(cadence).build();
    }

    private static SilenceConfig silence(String id, Instant from, Instant to, WeeklyWindow weekly) {
        return SilenceConfig.newBuilder().setId(id)
                .setMatchers(List.of(new LabelMatcher("service", MatchOp.EQUAL, "checkout")))
                .setStartsAt(from).setEndsAt(to).setWeekly(weekly)
                .setAuthor("alice").setComment("deploy").build();
    }

    /** The events written since the last call, also kept in {@link #log}. */
    private List<IncidentEvent> newEvents() {
        List<IncidentEvent> fresh = events.readValuesToList();
        log.addAll(fresh);
        return fresh;
    }

    private String incidentOf(List<IncidentEvent> events, String fingerprint) {
        return events.stream()
                .filter(e -> e.getPayload() instanceof AlertAttached a && a.getAlert().getFingerprint().equals(fingerprint))
                .map(IncidentEvent::getIncidentId).findFirst().orElseThrow();
    }

    private IncidentCommand command(String incidentId, Object payload, Actor actor) {
        return IncidentCommand.newBuilder()
                .setCommandId("cmd-" + (++commandIds))
                .setIncidentId(incidentId)
                .setActor(actor)
                .setTimestamp(T0.plusSeconds(commandIds))
                .setPayload(payload)
                .build();
    }

    private <K, V> TestInputTopic<K, V> input(Topic<K, V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde(serdes).serializer(), topic.valueSerde(serdes).serializer());
    }

    private <K, V> TestOutputTopic<K, V> output(Topic<K, V> topic) {
        return driver.createOutputTopic(topic.name(), topic.keySerde(serdes).deserializer(), topic.valueSerde(serdes).deserializer());
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
