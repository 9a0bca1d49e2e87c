package dev.incidentengine.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.incident.IncidentStreamConfig;
import dev.incidentengine.incident.IncidentStreamService;
import dev.incidentengine.incident.IncidentTopics;
import dev.incidentengine.model.AcknowledgeIncident;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.model.Severity;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.Samples;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** rebuild --verify after a workload of 10,000 incidents through incident-stream: the folded log equals incident.state.v1, and a tampered state is found. */
@WithKafka
class RebuildIT {

    private static final int INCIDENTS = 10_000;

    @TempDir
    Path dir;

    private String bootstrap;

    @Test
    void theFoldedLogEqualsTheWrittenState_andATamperedStateIsReported(KafkaTestCluster kafka) throws Exception {
        IncidentTopics topics = IncidentTopics.DEFAULT;
        kafka.createTopics(topics.all());
        bootstrap = kafka.bootstrapServers();
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, dir.toString());
        try (ServiceRunner engine = new ServiceRunner("127.0.0.1", 0, List.of(new IncidentStreamService(new IncidentStreamConfig(settings),
                topics))).start();
             KafkaProducer<String, IncidentCommand> producer = kafka.producer(topics.commands(), Map.of())) {
            await("incident-stream ready").atMost(Duration.ofSeconds(60)).until(engine::ready);
            Instant now = Instant.now();
            for (int i = 0; i < INCIDENTS; i++) {
                String id = id(i);
                producer.send(new ProducerRecord<>(topics.commands().name(), id, command(id, "open", now, new AttachAlert(Samples.alert("fp-" + i)
                        .setLabels(Map.of("alertname", "Rebuild" + i, "service", "checkout")).setStartsAt(now).setReceivedAt(now).build(),
                        "checkout|Rebuild" + i, null, true, null))));
            }
            for (int i = 0; i < INCIDENTS; i += 5) {
                producer.send(new ProducerRecord<>(topics.commands().name(), id(i), command(id(i), "ack", now, new AcknowledgeIncident("on it"))));
            }
            for (int i = 0; i < INCIDENTS; i += 10) {
                producer.send(new ProducerRecord<>(topics.commands().name(), id(i), command(id(i), "resolve", now, new ResolveIncident(null))));
            }
            producer.flush();

            String verified = String.format("%,d incidents: the folded log equals incident.state.v1%n", INCIDENTS);
            await("every incident folded and equal").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(2))
                    .until(() -> rebuild().equals(verified));
        }
        // A state that the log does not explain: someone wrote a severity into incident.state.v1 by hand.
        Map<String, IncidentState> latest = new HashMap<>();
        TopicContents.readToEnd(kafka.bootstrapServers(), IncidentTopics.DEFAULT.state(), kafka.serdes(), Duration.ofSeconds(10))
                .forEach(record -> latest.put(record.key(), record.value()));
        String one = id(0);
        IncidentState tampered = IncidentState.newBuilder(latest.get(one)).setSeverity(Severity.SEV0).build();
        kafka.produce(IncidentTopics.DEFAULT.state(), List.of(Map.entry(one, tampered)));

        assertThat(rebuild()).isEqualTo(String.format("1 of %,d incidents differ:%n  %s: differs in [severity]%n", INCIDENTS, one));
        assertThat(rebuild("-o", "json")).isEqualToIgnoringWhitespace(String.format("{\"incidents\": %d, \"differing\": 1, \"differences\": "
                + "[{\"incidentId\": \"%s\", \"difference\": \"differs in [severity]\"}]}", INCIDENTS, one));
    }

    private static String id(int i) {
        return "INC-20261122-" + (i % 6) + "-" + (10_000 + i);
    }

    private static IncidentCommand command(String id, String kind, Instant at, Object payload) {
        return IncidentCommand.newBuilder().setCommandId(kind + "-" + id).setIncidentId(id)
                .setActor(kind.equals("open") ? new Actor(ActorType.INTEGRATION, "rebuild-it", null) : Samples.ALICE).setTimestamp(at).setPayload(payload).build();
    }

    private String rebuild(String... options) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> line = new ArrayList<>(List.of("rebuild", "--verify", "--bootstrap-servers", bootstrap));
        line.addAll(List.of(options));
        Incidentctl.run(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, line.toArray(String[]::new));
        return out.toString(StandardCharsets.UTF_8);
    }
}
