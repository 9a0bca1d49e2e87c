package dev.incidentengine.incident;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.AcknowledgeIncident;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.service.DeadLetters;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.Samples;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The aggregate on a real broker, exactly-once: commands in; events, state and dead letters out. */
@WithKafka
class IncidentStreamIT {

    private static final String ID = "INC-20261122-0042";

    @TempDir
    Path stateDir;

    @Test
    void commandsBecomeEventsAndState_poisonGoesToTheDlq(KafkaTestCluster kafka) throws Exception {
        IncidentTopics topics = IncidentTestTopics.create(kafka);
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, stateDir.toString());
        settings.put("kafka.commit.interval.ms", "100");
        settings.put(IncidentStreamConfig.APPLICATION_ID_CONFIG, IncidentTestTopics.applicationId(topics));
        try (ServiceRunner runner = new ServiceRunner("127.0.0.1", 0,
                List.of(new IncidentStreamService(new IncidentStreamConfig(settings), topics))).start()) {
            await("incident-stream running").atMost(Duration.ofSeconds(60)).until(runner::ready);

            kafka.produce(topics.commands(), List.of(
                    Map.entry(ID, command("c1", new AttachAlert(Samples.alert("fp-1").build(), "checkout|HighErrorRate", null, true, null))),
                    Map.entry(ID, command("c2", new AcknowledgeIncident("on it"))),
                    Map.entry(ID, command("c2", new AcknowledgeIncident("on it")))));
            try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(kafka.producerProps(), new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(topics.commands().name(), ID.getBytes(StandardCharsets.UTF_8),
                        "not avro".getBytes(StandardCharsets.UTF_8))).get();
            }

            List<ConsumerRecord<String, IncidentEvent>> events = kafka.consume(topics.events(), 3, Duration.ofSeconds(60));
            assertThat(events).extracting(record -> record.value().getPayload())
                    .hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class, IncidentAcknowledged.class);
            // The state is written once per commit: one record or two, the last acknowledged.
            await("the acknowledged state").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<ConsumerRecord<String, IncidentState>> states =
                        TopicContents.readToEnd(kafka.bootstrapServers(), topics.state(), kafka.serdes(), Duration.ofSeconds(30));
                assertThat(states).isNotEmpty();
                assertThat(states.get(states.size() - 1).value().getStatus()).isEqualTo(IncidentStatus.ACKNOWLEDGED);
            });
            ConsumerRecord<byte[], byte[]> dead = kafka.consume(topics.deadLetters(), 1, Duration.ofSeconds(30)).get(0);
            assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("not avro");
            assertThat(Arrays.stream(dead.headers().toArray()).map(Header::key)).contains(DeadLetters.REASON, DeadLetters.ERROR);
        }
    }

    private static IncidentCommand command(String id, Object payload) {
        return IncidentCommand.newBuilder()
                .setCommandId(id)
                .setIncidentId(ID)
                .setActor(new Actor(ActorType.USER, "alice", null))
                .setTimestamp(Instant.parse("2026-11-22T09:00:00Z"))
                .setPayload(payload)
                .build();
    }
}
