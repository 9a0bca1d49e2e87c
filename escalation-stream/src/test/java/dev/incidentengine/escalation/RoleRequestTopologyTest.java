package dev.incidentengine.escalation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.ContactPlan;
import dev.incidentengine.model.ContactStep;
import dev.incidentengine.model.EscalationTarget;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.RequestRole;
import dev.incidentengine.model.RoleAssigned;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.ContactType;
import dev.incidentengine.model.config.NotificationRule;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.model.config.RotationUnit;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ScheduleLayer;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.model.OnCallOverride;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.KafkaClients;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Incident Commander paging in a TopologyTestDriver: a SEV0/SEV1 nobody commands pages the team's IC schedule. */
class RoleRequestTopologyTest {

    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
    private static final String ID = "INC-20261205-0-0001";
    private static final Actor ALICE = new Actor(ActorType.USER, "alice", null);
    private static final Actor ENGINE = new Actor(ActorType.SYSTEM, "incident-stream", null);

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final EscalationTopics topics = EscalationTopics.DEFAULT;
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, IncidentEvent> events;
    private TestOutputTopic<String, IncidentCommand> commands;
    private Instant now = T0;
    private int sequence;

    @BeforeEach
    void setUp() {
        Properties props = KafkaClients.streams(new EscalationStreamConfig(Map.of()), EscalationTopology.APPLICATION_ID, topics.deadLetters());
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/role-request-topology-test-" + System.nanoTime());
        driver = new TopologyTestDriver(EscalationTopology.build(topics, serdes, Duration.ofSeconds(1), metrics), props, T0);
        events = input(topics.events());
        commands = driver.createOutputTopic(topics.commands().name(), topics.commands().keySerde(serdes).deserializer(),
                topics.commands().valueSerde(serdes).deserializer());
        input(topics.schedules()).pipeInput("ic-rotation", new ScheduleConfig("ic-rotation", "Incident Commanders", "UTC", List.of(
                new ScheduleLayer("weekly", List.of("carol", "dave"), 1, RotationUnit.WEEKS, "2026-11-30T09:00:00", List.of())), List.of()));
        input(topics.users()).pipeInput("carol", new UserConfig("carol", "Carol", "UTC",
                List.of(new ContactMethod(ContactType.SMS, "+4915100000003")), List.of(new NotificationRule(ContactType.SMS, 0))));
        input(topics.teams()).pipeInput("payments", new TeamConfig("payments", "Payments", List.of("alice", "bob"), null,
                Map.of("commander", "ic-rotation"), null));
        input(topics.services()).pipeInput("checkout", new ServiceConfig("checkout", "Checkout", null, "payments", null, Map.of(), null, Map.of()));
        input(topics.services()).pipeInput("search", new ServiceConfig("search", "Search", null, null, null, Map.of(), null, Map.of()));
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void aSev1NobodyCommands_pagesTheTeamsIcScheduleAfterFiveMinutes_thenTwiceMore_thenStops() {
        open(Severity.SEV1, "checkout");

        advance(Duration.ofMinutes(5).minusSeconds(1));
        assertThat(requests()).isEmpty();
        advance(Duration.ofSeconds(1));
        List<IncidentCommand> first = commands.readValuesToList();
        assertThat(first).singleElement().satisfies(command -> {
            assertThat(command.getCommandId()).as("derived from incident, role and due time")
                    .isEqualTo("request-role:" + ID + ":commander@" + T0.plus(Duration.ofMinutes(5)).toEpochMilli());
            assertThat(command.getPayload()).isEqualTo(new RequestRole("commander", List.of(new EscalationTarget(TargetType.SCHEDULE,
                    "ic-rotation", List.of("carol"), List.of(new ContactPlan("carol", List.of(new ContactStep("SMS", 0)))))),
                    "Incident Commander still free 5 minutes into a SEV1 incident"));
        });

        List<RequestRole> later = new ArrayList<>();
        for (int minute = 0; minute < 60; minute++) {
            advance(Duration.ofMinutes(1));
            later.addAll(requests());
        }
        assertThat(later).extracting(RequestRole::getReason).as("re-paged every 5 minutes, 3 requests in all")
                .containsExactly("Incident Commander still free 5 minutes into a SEV1 incident (request 2 of 3)",
                        "Incident Commander still free 5 minutes into a SEV1 incident (request 3 of 3)");
        assertThat(metrics.get("incident_role_requests_total").tag("role", "commander").counter().count()).isEqualTo(3.0);
    }

    @Test
    void takingTheRoleCancels_releasingItStartsTheClockAgain() {
        open(Severity.SEV0, "checkout");
        advance(Duration.ofMinutes(4));
        event(new RoleAssigned("commander", "alice", null, null));
        advance(Duration.ofMinutes(30));
        assertThat(requests()).isEmpty();

        event(new RoleAssigned("commander", null, "alice", "off shift"));
        advance(Duration.ofMinutes(5));
        assertThat(requests()).extracting(RequestRole::getRole).containsExactly("commander");
    }

    @Test
    void onlyRequiredSeveritiesAreWatched_aRaiseStartsTheClock_andADropCancels() {
        open(Severity.SEV3, "checkout");
        advance(Duration.ofMinutes(30));
        assertThat(requests()).as("the commander is not required for a SEV3").isEmpty();

        event(new SeverityChanged(Severity.SEV3, Severity.SEV1, "customers affected", true));
        advance(Duration.ofMinutes(4));
        event(new SeverityChanged(Severity.SEV1, Severity.SEV2, "contained", true));
        advance(Duration.ofMinutes(30));
        assertThat(requests()).isEmpty();

        event(new SeverityChanged(Severity.SEV2, Severity.SEV1, "spreading", true));
        advance(Duration.ofMinutes(5));
        assertThat(requests()).hasSize(1);
    }

    @Test
    void resolvingCancels_reopeningChecksAgain_andClosingForgetsTheIncident() {
        open(Severity.SEV1, "checkout");
        advance(Duration.ofMinutes(2));
        event(new IncidentResolved("rolled back"));
        advance(Duration.ofMinutes(30));
        assertThat(requests()).isEmpty();

        event(new IncidentReopened("again"));
        advance(Duration.ofMinutes(5));
        assertThat(requests()).hasSize(1);
        event(new IncidentResolved(null));
        event(new IncidentClosed(null));
        advance(Duration.ofHours(1));
        assertThat(requests()).isEmpty();
    }

    @Test
    void anOverrideOnTheIcSchedule_isWhomTheRequestPages() {
        input(topics.overrides()).pipeInput("o-1", new OnCallOverride("o-1", "ic-rotation", "dave", T0.minusSeconds(3600),
                T0.plusSeconds(7200), "carol", T0.minusSeconds(60), "swap", null, null));
        open(Severity.SEV1, "checkout");
        advance(Duration.ofMinutes(5));
        assertThat(requests()).singleElement().satisfies(request -> assertThat(request.getTargets().get(0).getUserIds()).containsExactly("dave"));
    }

    @Test
    void aServiceWhoseTeamHasNoIcSchedule_stillRecordsTheRequest_withoutTargets() {
        open(Severity.SEV1, "search");
        advance(Duration.ofMinutes(5));
        assertThat(requests()).singleElement().satisfies(request -> assertThat(request.getTargets()).isEmpty());
        assertThat(metrics.get("incident_role_requests_total").tag("targets", "none").counter().count()).isEqualTo(1.0);
    }

    @Test
    void configuredRolesReplaceTheDefaults_withTheirOwnSeveritiesAndTimes() {
        input(topics.roles()).pipeInput("commander", new RoleConfig("commander", "Incident Commander", null, List.of("SEV0"), 10));
        input(topics.roles()).pipeInput("communications", new RoleConfig("communications", "Communications Lead", null,
                List.of("SEV0", "SEV1"), 15));
        open(Severity.SEV1, "checkout");
        advance(Duration.ofMinutes(15));
        assertThat(requests()).extracting(RequestRole::getRole).containsExactly("communications");
    }

    private void open(Severity severity, String service) {
        event(new IncidentOpened("Checkout down", severity, service, "k", null, Map.of(), true, null, null, Map.of(), null, null));
    }

    private void advance(Duration duration) {
        now = now.plus(duration);
        driver.advanceWallClockTime(duration);
    }

    private List<RequestRole> requests() {
        return commands.readValuesToList().stream().map(IncidentCommand::getPayload).map(RequestRole.class::cast).toList();
    }

    private void event(Object payload) {
        sequence++;
        events.pipeInput(ID, IncidentEvent.newBuilder().setEventId("c" + sequence + "/0").setIncidentId(ID).setSequence(sequence)
                .setTimestamp(now).setActor(payload instanceof IncidentOpened ? ENGINE : ALICE).setCauseId("c" + sequence)
                .setPayload(payload).build());
    }

    private <K, V> TestInputTopic<K, V> input(Topic<K, V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde(serdes).serializer(), topic.valueSerde(serdes).serializer());
    }
}
