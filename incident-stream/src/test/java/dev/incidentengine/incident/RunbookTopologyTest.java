package dev.incidentengine.incident;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.incidentengine.incident.domain.LifecyclePolicy;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.MarkRunbookStep;
import dev.incidentengine.model.RunbookAttached;
import dev.incidentengine.model.RunbookStep;
import dev.incidentengine.model.RunbookStepMarked;
import dev.incidentengine.model.RunbookStepOutcome;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.model.config.RunbookConfig;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.testkit.Samples;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Runbooks from {@code config.runbooks.v1} (a global store) attached as an alert opens an incident, and changed without a restart. */
class RunbookTopologyTest {

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final IncidentTopics topics = IncidentTopics.DEFAULT;
    private TopologyTestDriver driver;
    private TestInputTopic<String, Alert> alerts;
    private TestInputTopic<String, IncidentCommand> commands;
    private TestInputTopic<String, RunbookConfig> runbooks;
    private TestOutputTopic<String, IncidentEvent> events;
    private TestOutputTopic<String, IncidentState> states;

    @BeforeEach
    void setUp() {
        Properties props = KafkaClients.streams(new IncidentStreamConfig(Map.of()), IncidentTopology.APPLICATION_ID, topics.deadLetters());
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/runbook-topology-test-" + System.nanoTime());
        driver = new TopologyTestDriver(IncidentTopology.build(topics, serdes, LifecyclePolicy.DEFAULT, new SimpleMeterRegistry()), props,
                Samples.T0);
        alerts = input(topics.alerts());
        commands = input(topics.commands());
        runbooks = input(topics.runbooks());
        events = output(topics.events());
        states = output(topics.state());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void theMatchingRunbookIsAttachedWhenAnAlertOpensAnIncident_andItsStepsAreMarkedThroughCommands() {
        runbooks.pipeInput("high-error-rate", runbook("high-error-rate", "HighErrorRate", "Open the error dashboard", "Roll back"));
        runbooks.pipeInput("latency", runbook("latency", "HighLatency", "Check p99"));

        fire("fp-1", "HighErrorRate");

        List<IncidentEvent> opened = events.readValuesToList();
        assertThat(opened).extracting(IncidentEvent::getPayload)
                .hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class, RunbookAttached.class);
        RunbookAttached attached = (RunbookAttached) opened.get(2).getPayload();
        assertThat(attached.getRunbookId()).isEqualTo("high-error-rate");
        assertThat(attached.getMatched()).isTrue();
        String id = opened.get(0).getIncidentId();

        commands.pipeInput(id, IncidentCommand.newBuilder().setCommandId("mark-1").setIncidentId(id)
                .setActor(new Actor(ActorType.USER, "alice", null)).setTimestamp(Samples.T0.plusSeconds(60))
                .setPayload(new MarkRunbookStep("high-error-rate", 2, RunbookStepOutcome.DONE, "rolled back 4.2.1")).build());

        assertThat(events.readValuesToList()).extracting(IncidentEvent::getPayload)
                .containsExactly(new RunbookStepMarked("high-error-rate", 2, RunbookStepOutcome.DONE, "rolled back 4.2.1"));
        IncidentState state = states.readKeyValuesToMap().get(id);
        assertThat(state.getRunbooks()).singleElement().satisfies(runbook -> assertThat(runbook.getSteps())
                .extracting(RunbookStep::getOutcome, RunbookStep::getMarkedBy)
                .containsExactly(tuple(null, null), tuple(RunbookStepOutcome.DONE, "alice")));
    }

    @Test
    void aChangedRunbookAppliesToTheNextIncidentWithoutARestart_andADeletedOneNoLonger() {
        runbooks.pipeInput("high-error-rate", runbook("high-error-rate", "HighErrorRate", "Old step"));
        fire("fp-1", "HighErrorRate");
        assertThat(attachedSteps()).containsExactly(List.of("Old step"));

        runbooks.pipeInput("high-error-rate", runbook("high-error-rate", "HighErrorRate", "New step 1", "New step 2"));
        // The rules are compiled again at most once a second of wall-clock time.
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        fire("fp-2", "HighErrorRate", "payments");
        assertThat(attachedSteps()).containsExactly(List.of("New step 1", "New step 2"));

        runbooks.pipeInput("high-error-rate", null);
        driver.advanceWallClockTime(Duration.ofSeconds(2));
        fire("fp-3", "HighErrorRate", "search");
        assertThat(attachedSteps()).as("deleted: nothing matches").isEmpty();
    }

    @Test
    void anInvalidRunbookOnTheTopicIsSkipped_andTheNextByPriorityIsAttached() {
        runbooks.pipeInput("broken", RunbookConfig.newBuilder(runbook("broken", "HighErrorRate", "x")).setPriority(1)
                .setMatchers(List.of(new LabelMatcher("alertname", MatchOp.REGEX, "(unclosed"))).build());
        runbooks.pipeInput("fallback", runbook("fallback", ".*", "Look at the dashboards"));

        fire("fp-1", "HighErrorRate");

        assertThat(events.readValuesToList()).extracting(IncidentEvent::getPayload).filteredOn(RunbookAttached.class::isInstance)
                .singleElement().extracting(payload -> ((RunbookAttached) payload).getRunbookId()).isEqualTo("fallback");
    }

    private List<List<String>> attachedSteps() {
        return events.readValuesToList().stream().map(IncidentEvent::getPayload).filter(RunbookAttached.class::isInstance)
                .map(payload -> ((RunbookAttached) payload).getSteps()).toList();
    }

    private void fire(String fingerprint, String alertname) {
        fire(fingerprint, alertname, "checkout");
    }

    private void fire(String fingerprint, String alertname, String service) {
        Alert alert = Samples.alert(fingerprint).setService(service).setLabels(Map.of("alertname", alertname, "service", service)).build();
        alerts.pipeInput(fingerprint, alert, alert.getReceivedAt());
    }

    private static RunbookConfig runbook(String id, String alertnames, String... steps) {
        return RunbookConfig.newBuilder().setId(id).setTitle(id).setMatchers(List.of(new LabelMatcher("alertname", MatchOp.REGEX, alertnames)))
                .setSteps(List.of(steps)).build();
    }

    private <K, V> TestInputTopic<K, V> input(Topic<K, V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde(serdes).serializer(), topic.valueSerde(serdes).serializer());
    }

    private <K, V> TestOutputTopic<K, V> output(Topic<K, V> topic) {
        return driver.createOutputTopic(topic.name(), topic.keySerde(serdes).deserializer(), topic.valueSerde(serdes).deserializer());
    }
}
