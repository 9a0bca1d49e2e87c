package dev.incidentengine.incident;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.incidentengine.incident.domain.IncidentLifecycle;
import dev.incidentengine.incident.domain.LifecyclePolicy;
import dev.incidentengine.model.AcknowledgeIncident;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.CommandRejected;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.testkit.Samples;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
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

class IncidentTopologyTest {

    private static final String ID = "INC-20261122-0007";
    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final IncidentTopics topics = IncidentTopics.DEFAULT;
    private TopologyTestDriver driver;
    private TestInputTopic<String, IncidentCommand> commands;
    private TestInputTopic<byte[], byte[]> rawCommands;
    private TestOutputTopic<String, IncidentEvent> events;
    private TestOutputTopic<String, IncidentState> state;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private int commandIds;

    @BeforeEach
    void setUp() {
        Properties props = KafkaClients.streams(new IncidentStreamConfig(Map.of()), IncidentTopology.APPLICATION_ID, topics.deadLetters());
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/incident-topology-test-" + System.nanoTime());
        driver = new TopologyTestDriver(IncidentTopology.build(topics, serdes, new IncidentLifecycle(LifecyclePolicy.DEFAULT)), props);
        commands = driver.createInputTopic(topics.commands().name(), topics.commands().keySerde(serdes).serializer(),
                topics.commands().valueSerde(serdes).serializer());
        rawCommands = driver.createInputTopic(topics.commands().name(), new ByteArraySerializer(), new ByteArraySerializer());
        events = driver.createOutputTopic(topics.events().name(), topics.events().keySerde(serdes).deserializer(),
                topics.events().valueSerde(serdes).deserializer());
        state = driver.createOutputTopic(topics.state().name(), topics.state().keySerde(serdes).deserializer(),
                topics.state().valueSerde(serdes).deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters().name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void commandsBecomeEventsOnTheLogAndStateOnTheCompactedTopicAndStore() {
        send(new AttachAlert(Samples.alert("fp-1").build(), "checkout|HighErrorRate", null));
        send(new AcknowledgeIncident("on it"));

        List<IncidentEvent> log = events.readValuesToList();
        assertThat(log).extracting(IncidentEvent::getPayload)
                .hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class, IncidentAcknowledged.class);
        assertThat(log).extracting(IncidentEvent::getSequence).containsExactly(1L, 2L, 3L);
        List<IncidentState> states = state.readValuesToList();
        assertThat(states).extracting(IncidentState::getVersion).containsExactly(2L, 3L);
        KeyValueStore<String, IncidentState> store = driver.getKeyValueStore(IncidentTopology.STORE);
        assertThat(store.get(ID).getStatus()).isEqualTo(IncidentStatus.ACKNOWLEDGED);
        assertThat(store.get(ID)).isEqualTo(states.get(1));
    }

    @Test
    void repeatedCommandWritesNothing() {
        send(new AttachAlert(Samples.alert("fp-1").build(), null, null));
        IncidentCommand ack = command(new AcknowledgeIncident(null));
        commands.pipeInput(ID, ack);
        events.readValuesToList();
        state.readValuesToList();

        commands.pipeInput(ID, ack);

        assertThat(events.isEmpty()).isTrue();
        assertThat(state.isEmpty()).isTrue();
    }

    @Test
    void rejectionsAreLogged() {
        send(new AcknowledgeIncident(null));

        assertThat(events.readValue().getPayload()).isInstanceOfSatisfying(CommandRejected.class,
                rejected -> assertThat(rejected.getReason()).contains("unknown incident"));
        assertThat(state.isEmpty()).isTrue();
    }

    @Test
    void poisonRecordsGoToTheDlqAndTheStreamGoesOn() {
        rawCommands.pipeInput(new TestRecord<>(ID.getBytes(StandardCharsets.UTF_8), "not avro".getBytes(StandardCharsets.UTF_8)));
        commands.pipeInput("INC-OTHER", command(new AcknowledgeIncident(null)));
        send(new AttachAlert(Samples.alert("fp-1").build(), null, null));

        // The undecodable record is skipped here; IncidentStreamIT sees Kafka's handler put it on the DLQ.
        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).singleElement().satisfies(record -> {
            assertThat(header(record, "dlq.reason")).isEqualTo("invalid-command");
            assertThat(header(record, "dlq.error")).contains("is not the command's incident");
            assertThat(header(record, "dlq.source.offset")).isEqualTo("1");
        });
        assertThat(events.readValuesToList()).hasSize(2);
    }

    private void send(Object payload) {
        commands.pipeInput(ID, command(payload));
    }

    private IncidentCommand command(Object payload) {
        return IncidentCommand.newBuilder()
                .setCommandId("cmd-" + (++commandIds))
                .setIncidentId(ID)
                .setActor(new Actor(ActorType.USER, "alice", null))
                .setTimestamp(Instant.parse("2026-11-22T09:00:00Z").plusSeconds(commandIds))
                .setPayload(payload)
                .build();
    }

    private static String header(TestRecord<byte[], byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
