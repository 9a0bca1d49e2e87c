package dev.incidentengine.escalation;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.EscalateIncident;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentSnoozed;
import dev.incidentengine.model.RecordEscalationExhausted;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.EscalationLevel;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.LevelTarget;
import dev.incidentengine.model.config.RotationUnit;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ScheduleLayer;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.KafkaClients;
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
    private TopologyTestDriver driver;
    private TestInputTopic<String, IncidentEvent> events;
    private TestOutputTopic<String, IncidentCommand> commands;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private int sequence;

    @BeforeEach
    void setUp() {
        Properties props = KafkaClients.streams(new EscalationStreamConfig(Map.of()), EscalationTopology.APPLICATION_ID, topics.deadLetters());
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/escalation-topology-test-" + System.nanoTime());
        driver = new TopologyTestDriver(EscalationTopology.build(topics, serdes, Duration.ofSeconds(1)), props, T0);
        events = input(topics.events());
        commands = driver.createOutputTopic(topics.commands().name(), topics.commands().keySerde(serdes).deserializer(),
                topics.commands().valueSerde(serdes).deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters().name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        input(topics.schedules()).pipeInput("primary", new ScheduleConfig("primary", "Primary", "Europe/Berlin", List.of(
                new ScheduleLayer("weekly", List.of("alice", "bob"), 1, RotationUnit.WEEKS, "2026-11-16T09:00:00", List.of())), List.of()));
        input(topics.teams()).pipeInput("payments", new TeamConfig("payments", "Payments", List.of("alice", "bob"), "payments-default"));
        input(topics.services()).pipeInput("checkout", new ServiceConfig("checkout", "Checkout", null, "payments", null));
        input(topics.policies()).pipeInput("payments-default", new EscalationPolicyConfig("payments-default", "Payments", List.of(
                new EscalationLevel(List.of(new LevelTarget(TargetType.SCHEDULE, "primary")), 10, false),
                new EscalationLevel(List.of(new LevelTarget(TargetType.TEAM, "payments")), 15, false)), 0, null, false));
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void everyProcessorStoreAndInternalTopicIsNamed() {
        String description = EscalationTopology.build(topics, serdes, Duration.ofSeconds(1)).describe().toString();

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
                new String(record.headers().lastHeader("__streams.errors.message").value(), StandardCharsets.UTF_8))
                .contains("is not the event's incident"));
        assertThat(pages()).hasSize(1);
    }

    private void open() {
        events.pipeInput(ID, event(new IncidentOpened("Checkout errors", Severity.SEV2, "checkout", "checkout|HighErrorRate", null,
                Map.of(), true), new Actor(ActorType.INTEGRATION, "alertmanager", null)));
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
