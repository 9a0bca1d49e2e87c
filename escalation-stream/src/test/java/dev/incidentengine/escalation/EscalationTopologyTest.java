package dev.incidentengine.escalation;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.ContactPlan;
import dev.incidentengine.model.ContactStep;
import dev.incidentengine.model.EscalateIncident;
import dev.incidentengine.model.ExpireAcknowledgement;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentAssigned;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentSnoozed;
import dev.incidentengine.model.IncidentUnacknowledged;
import dev.incidentengine.model.OnCallOverride;
import dev.incidentengine.model.RecordEscalationExhausted;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.ContactType;
import dev.incidentengine.model.config.EscalationLevel;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.LevelTarget;
import dev.incidentengine.model.config.NotificationRule;
import dev.incidentengine.model.config.RotationUnit;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ScheduleLayer;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.DeadLetters;
import dev.incidentengine.service.KafkaClients;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The escalation topology in a TopologyTestDriver: events in, escalations out, timers on the driver's wall clock. */
class EscalationTopologyTest {

    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final String ID = "INC-20261122-0-0001";
    private static final Actor ALICE = new Actor(ActorType.USER, "alice", null);

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final EscalationTopics topics = EscalationTopics.DEFAULT;
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, IncidentEvent> events;
    private TestOutputTopic<String, IncidentCommand> commands;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private TestInputTopic<String, EscalationPolicyConfig> policies;
    private int sequence;

    @BeforeEach
    void setUp() {
        Properties props = KafkaClients.streams(new EscalationStreamConfig(Map.of()), EscalationTopology.APPLICATION_ID, topics.deadLetters());
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/escalation-topology-test-" + System.nanoTime());
        driver = new TopologyTestDriver(EscalationTopology.build(topics, serdes, Duration.ofSeconds(1), metrics), props, T0);
        events = input(topics.events());
        commands = driver.createOutputTopic(topics.commands().name(), topics.commands().keySerde(serdes).deserializer(),
                topics.commands().valueSerde(serdes).deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters().name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        input(topics.schedules()).pipeInput("primary", new ScheduleConfig("primary", "Primary", "Europe/Berlin", List.of(
                new ScheduleLayer("weekly", List.of("alice", "bob"), 1, RotationUnit.WEEKS, "2026-11-16T09:00:00", List.of())), List.of()));
        input(topics.users()).pipeInput("alice", new UserConfig("alice", "Alice", "Europe/Berlin",
                List.of(new ContactMethod(ContactType.SLACK, "U123"), new ContactMethod(ContactType.SMS, "+4915100000001")),
                List.of(new NotificationRule(ContactType.SLACK, 0), new NotificationRule(ContactType.SMS, 5))));
        input(topics.teams()).pipeInput("payments", new TeamConfig("payments", "Payments", List.of("alice", "bob"), "payments-default", java.util.Map.of(), null));
        input(topics.services()).pipeInput("checkout", new ServiceConfig("checkout", "Checkout", null, "payments", null, Map.of(), null, java.util.Map.of()));
        policies = input(topics.policies());
        policies.pipeInput("payments-default", policy(0, null));
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void everyProcessorStoreAndInternalTopicIsNamed() {
        String description = EscalationTopology.build(topics, serdes, Duration.ofSeconds(1), metrics).describe().toString();

        assertThat(description).doesNotContain("KSTREAM-", "KTABLE-")
                .contains(EscalationTopology.STATE_STORE, EscalationTopology.TIMER_STORE);
    }

    @Test
    void theOnCallUserIsPagedAtOnce_thenTheTeamWhenNobodyAcknowledgesWithinTheDelay() {
        open();

        // The service's team's policy; alice holds the weekly rotation that started on the 16th.
        assertThat(pages()).singleElement().satisfies(page -> {
            assertThat(page.getLevel()).isZero();
            assertThat(page.getTargets().get(0).getUserIds()).containsExactly("alice");
            assertThat(page.getTargets().get(0).getPlans()).containsExactly(new ContactPlan("alice",
                    List.of(new ContactStep("SLACK", 0), new ContactStep("SMS", 5))));
        });
        driver.advanceWallClockTime(Duration.ofMinutes(9));
        assertThat(pages()).isEmpty();
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        assertThat(pages()).singleElement().satisfies(page -> {
            assertThat(page.getLevel()).isEqualTo(1);
            assertThat(page.getTargets().get(0).getUserIds()).containsExactly("alice", "bob");
        });
        driver.advanceWallClockTime(Duration.ofMinutes(30));
        assertThat(payloads()).as("repeat 0: the policy ran once, and the incident records that")
                .containsExactly(new RecordEscalationExhausted("payments-default", 1));
        assertThat(List.of("1", "2")).as("escalations by level on /metrics")
                .allSatisfy(level -> assertThat(metrics.get("incident_escalations_total").tag("level", level).counter().count()).isEqualTo(1.0));
    }

    @Test
    void anOverrideOnTheOverridesTopic_isWhomTheSchedulesLevelPages_andItsTombstoneGivesTheShiftBack() {
        input(topics.overrides()).pipeInput("o-1", new OnCallOverride("o-1", "primary", "bob", T0.minusSeconds(3600),
                T0.plusSeconds(3600), "alice", T0.minusSeconds(60), "swapped for a dentist's appointment", null, null));
        open();
        assertThat(pages()).singleElement().satisfies(page -> assertThat(page.getTargets().get(0).getUserIds()).containsExactly("bob"));

        events.pipeInput(ID, event(new IncidentResolved("fixed"), ALICE));
        input(topics.overrides()).pipeInput("o-1", (OnCallOverride) null);
        // The directory reads its stores again at most once a second.
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        events.pipeInput(ID, event(new IncidentReopened("again"), ALICE));
        assertThat(pages()).singleElement().satisfies(page -> assertThat(page.getTargets().get(0).getUserIds()).containsExactly("alice"));
    }

    @Test
    void anAcknowledgementStopsTheTimer_evenWhenItArrivesTheInstantTheTimerIsDue() {
        open();
        pages();
        driver.advanceWallClockTime(Duration.ofMinutes(10).minusMillis(1));

        events.pipeInput(ID, event(new IncidentAcknowledged("on it"), ALICE));
        driver.advanceWallClockTime(Duration.ofHours(1));

        assertThat(pages()).isEmpty();
    }

    @Test
    void aSnoozedIncidentIsPagedAgainFromLevel0WhenTheSnoozeEnds() {
        open();
        pages();
        Instant until = T0.plusSeconds(1800);
        events.pipeInput(ID, event(new IncidentSnoozed(until), ALICE));

        driver.advanceWallClockTime(Duration.ofMinutes(29));
        assertThat(pages()).isEmpty();
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        assertThat(pages()).singleElement().extracting(EscalateIncident::getLevel).isEqualTo(0);
    }

    @Test
    void aPolicyWithRepeatsRunsAgainFromLevel0_thenRecordsThatItIsExhausted() {
        policies.pipeInput("payments-default", policy(1, null));
        open();

        List<Object> sent = new java.util.ArrayList<>();
        for (int minute = 0; minute < 60; minute++) {
            sent.addAll(payloads());
            driver.advanceWallClockTime(Duration.ofMinutes(1));
        }

        assertThat(sent).filteredOn(EscalateIncident.class::isInstance).map(EscalateIncident.class::cast)
                .extracting(page -> page.getRound() * 10 + page.getLevel()).as("round * 10 + level").containsExactly(0, 1, 10, 11);
        assertThat(sent).last().isEqualTo(new RecordEscalationExhausted("payments-default", 2));
    }

    @Test
    void aReassignmentPagesTheAssignee_andAPolicyReassignmentStartsThatPolicy() {
        open();
        pages();

        events.pipeInput(ID, event(new IncidentAssigned("carol", null), ALICE));
        assertThat(pages()).singleElement().satisfies(page -> assertThat(page.getTargets().get(0).getUserIds()).containsExactly("carol"));
        events.pipeInput(ID, event(new IncidentAssigned(null, "payments-default"), ALICE));
        assertThat(pages()).singleElement().satisfies(page -> assertThat(page.getLevel()).isZero());
        driver.advanceWallClockTime(Duration.ofMinutes(10));
        assertThat(pages()).as("the restarted policy's own timer").singleElement()
                .satisfies(page -> assertThat(page.getLevel()).isEqualTo(1));
    }

    @Test
    void anAcknowledgementThatOutlastsTheAckTimeoutExpires_andTheIncidentEscalatesAgain() {
        policies.pipeInput("payments-default", policy(0, 30));
        open();
        pages();
        events.pipeInput(ID, event(new IncidentAcknowledged("looking"), ALICE));

        driver.advanceWallClockTime(Duration.ofMinutes(29));
        assertThat(payloads()).isEmpty();
        driver.advanceWallClockTime(Duration.ofMinutes(1));
        assertThat(payloads()).singleElement().isInstanceOf(ExpireAcknowledgement.class);

        events.pipeInput(ID, event(new IncidentUnacknowledged("acknowledgement expired"), Escalate.ACTOR));
        assertThat(pages()).singleElement().satisfies(page -> assertThat(page.getLevel()).isZero());
    }

    @Test
    void aResolvedIncidentIsNotPagedAgain() {
        open();
        pages();
        events.pipeInput(ID, event(new IncidentResolved("fixed"), ALICE));

        driver.advanceWallClockTime(Duration.ofHours(2));

        assertThat(pages()).isEmpty();
    }

    @Test
    void aRecordThatIsNotAnEventOfItsIncidentGoesToTheDlqAndTheStreamGoesOn() {
        TestInputTopic<byte[], byte[]> raw = driver.createInputTopic(topics.events().name(), new ByteArraySerializer(), new ByteArraySerializer());
        raw.pipeInput(new TestRecord<>(ID.getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8)));
        events.pipeInput("INC-OTHER", event(new IncidentAcknowledged(null), ALICE));
        open();

        assertThat(deadLetters.readRecordsToList()).singleElement().satisfies(record -> assertThat(
                new String(record.headers().lastHeader(DeadLetters.ERROR).value(), StandardCharsets.UTF_8))
                .contains("is not the event's incident"));
        assertThat(pages()).hasSize(1);
    }

    /** Level 0: the primary schedule (10 min), level 1: the payments team (15 min). */
    private static EscalationPolicyConfig policy(int repeat, Integer ackTimeoutMinutes) {
        return new EscalationPolicyConfig("payments-default", "Payments", List.of(
                new EscalationLevel(List.of(new LevelTarget(TargetType.SCHEDULE, "primary")), 10, false),
                new EscalationLevel(List.of(new LevelTarget(TargetType.TEAM, "payments")), 15, false)), repeat, ackTimeoutMinutes, false);
    }

    private void open() {
        events.pipeInput(ID, event(new IncidentOpened("Checkout errors", Severity.SEV2, "checkout", "checkout|HighErrorRate", null,
                Map.of(), true, null, null, java.util.Map.of(), null, null), new Actor(ActorType.INTEGRATION, "alertmanager", null)));
    }

    private List<Object> payloads() {
        return commands.readValuesToList().stream().map(IncidentCommand::getPayload).toList();
    }

    private List<EscalateIncident> pages() {
        return payloads().stream().filter(EscalateIncident.class::isInstance).map(EscalateIncident.class::cast).toList();
    }

    private IncidentEvent event(Object payload, Actor actor) {
        sequence++;
        return IncidentEvent.newBuilder()
                .setEventId("c" + sequence + "/0")
                .setIncidentId(ID)
                .setSequence(sequence)
                .setTimestamp(T0)
                .setActor(actor)
                .setCauseId("c" + sequence)
                .setPayload(payload)
                .build();
    }

    private <K, V> TestInputTopic<K, V> input(Topic<K, V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde(serdes).serializer(), topic.valueSerde(serdes).serializer());
    }
}
