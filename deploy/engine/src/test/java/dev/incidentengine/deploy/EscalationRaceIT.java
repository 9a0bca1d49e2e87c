package dev.incidentengine.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.incidentengine.escalation.EscalationStreamConfig;
import dev.incidentengine.escalation.EscalationStreamService;
import dev.incidentengine.escalation.EscalationTopics;
import dev.incidentengine.incident.IncidentStreamConfig;
import dev.incidentengine.incident.IncidentStreamService;
import dev.incidentengine.incident.IncidentTopics;
import dev.incidentengine.model.AcknowledgeIncident;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.EscalationLevel;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.LevelTarget;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.Samples;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Acknowledgements meeting due escalation timers, on a real broker with incident-stream and
 * escalation-stream: incidents are acknowledged within a second either side of the instant their
 * next level falls due. Whichever comes first, no incident's log shows a page after its
 * acknowledgement.
 */
@WithKafka
class EscalationRaceIT {

    private static final int INCIDENTS = 40;
    private static final Actor ALICE = new Actor(ActorType.USER, "alice", null);

    @TempDir
    Path stateDir;

    @Test
    void noPageIsRecordedAfterTheAcknowledgement(KafkaTestCluster kafka) throws Exception {
        IncidentTopics d = IncidentTopics.DEFAULT;
        IncidentTopics incidents = new IncidentTopics(kafka.createTopic(d.alerts()), kafka.createTopic(d.commands()),
                kafka.createTopic(d.events()), kafka.createTopic(d.state()), kafka.createTopic(d.commandResults()),
                kafka.createTopic(d.suppressed()), kafka.createTopic(d.inhibiting()), kafka.createTopic(d.routes()),
                kafka.createTopic(d.silences()), kafka.createTopic(d.inhibitRules()), kafka.createTopic(d.deadLetters()),
                kafka.createTopic(d.services()), kafka.createTopic(d.integrations()), kafka.createTopic(d.escalationPolicies()),
                kafka.createTopic(d.channels()), kafka.createTopic(d.teams()), kafka.createTopic(d.statusPages()),
                kafka.createTopic(d.roles()), kafka.createTopic(d.incidentTypes()), kafka.createTopic(d.runbooks()), kafka.createTopic(d.tiers()));
        EscalationTopics e = EscalationTopics.DEFAULT;
        EscalationTopics escalation = new EscalationTopics(incidents.events(), incidents.commands(), kafka.createTopic(e.policies()),
                kafka.createTopic(e.schedules()), kafka.createTopic(e.teams()), kafka.createTopic(e.users()),
                kafka.createTopic(e.services()), kafka.createTopic(e.overrides()), incidents.roles(), incidents.deadLetters());
        kafka.produce(escalation.policies(), List.of(Map.entry("p", new EscalationPolicyConfig("p", "Test", List.of(
                new EscalationLevel(List.of(new LevelTarget(TargetType.USER, "alice")), 1, false),
                new EscalationLevel(List.of(new LevelTarget(TargetType.USER, "bob")), 1, false)), 0, null, false))));

        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, stateDir.toString());
        settings.put("kafka.commit.interval.ms", "100");
        settings.put(IncidentStreamConfig.APPLICATION_ID_CONFIG, "incidents-" + incidents.events().name());
        settings.put(EscalationStreamConfig.APPLICATION_ID_CONFIG, "escalation-" + incidents.events().name());
        List<Service> services = List.of(new IncidentStreamService(new IncidentStreamConfig(settings), incidents),
                new EscalationStreamService(new EscalationStreamConfig(settings), escalation));
        try (ServiceRunner runner = new ServiceRunner("127.0.0.1", 0, services).start();
             KafkaProducer<String, IncidentCommand> producer = kafka.producer(incidents.commands(), Map.of())) {
            await("both apps running").atMost(Duration.ofSeconds(60)).until(runner::ready);
            Instant opened = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < INCIDENTS; i++) {
                String id = "INC-20261122-0-" + String.format("%04d", i + 1);
                ids.add(id);
                producer.send(new ProducerRecord<>(incidents.commands().name(), id, command(id, "open", opened,
                        new AttachAlert(Samples.alert("race-" + i).setService("checkout").setReceivedAt(opened).build(), "k" + i, "p", true, null),
                        new Actor(ActorType.INTEGRATION, "alertmanager", null))));
            }
            producer.flush();

            // The next level falls due one minute after the opening; acknowledge from a second before to a second after.
            Instant due = opened.plus(Duration.ofMinutes(1));
            for (int i = 0; i < INCIDENTS; i++) {
                Instant at = due.minusSeconds(1).plusMillis(2_000L * i / INCIDENTS);
                Thread.sleep(Math.max(0, Duration.between(Instant.now(), at).toMillis()));
                producer.send(new ProducerRecord<>(incidents.commands().name(), ids.get(i),
                        command(ids.get(i), "ack", Instant.now(), new AcknowledgeIncident("on it"), ALICE)));
            }
            producer.flush();

            await("every acknowledgement recorded").atMost(Duration.ofSeconds(30)).until(() ->
                    byIncident(kafka, incidents).values().stream().filter(log -> log.stream()
                            .anyMatch(event -> event.getPayload() instanceof IncidentAcknowledged)).count() == INCIDENTS);
            await("no page after an acknowledgement, for 3 s more").during(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(500)).atMost(Duration.ofSeconds(30))
                    .until(() -> byIncident(kafka, incidents).values().stream().allMatch(log -> indexOf(log, IncidentAcknowledged.class) < 0
                            || log.subList(indexOf(log, IncidentAcknowledged.class), log.size()).stream()
                                    .noneMatch(event -> event.getPayload() instanceof IncidentEscalated)));
            Map<String, List<IncidentEvent>> logs = byIncident(kafka, incidents);
            assertThat(logs).hasSize(INCIDENTS).allSatisfy((id, log) -> {
                int acknowledged = indexOf(log, IncidentAcknowledged.class);
                assertThat(log.subList(acknowledged, log.size())).as(id).noneMatch(event -> event.getPayload() instanceof IncidentEscalated);
                assertThat(log).as(id + " paged at level 0").anyMatch(event -> event.getPayload() instanceof IncidentEscalated);
            });
        }
    }

    private static IncidentCommand command(String id, String kind, Instant at, Object payload, Actor actor) {
        return IncidentCommand.newBuilder().setCommandId(kind + "-" + id).setIncidentId(id).setActor(actor).setTimestamp(at)
                .setPayload(payload).build();
    }

    private static Map<String, List<IncidentEvent>> byIncident(KafkaTestCluster kafka, IncidentTopics topics) {
        return TopicContents.readToEnd(kafka.bootstrapServers(), topics.events(), kafka.serdes(), Duration.ofSeconds(10)).stream()
                .map(ConsumerRecord::value)
                .collect(Collectors.groupingBy(IncidentEvent::getIncidentId, Collectors.toList()));
    }

    private static int indexOf(List<IncidentEvent> log, Class<?> type) {
        for (int i = 0; i < log.size(); i++) {
            if (type.isInstance(log.get(i).getPayload())) {
                return i;
            }
        }
        return -1;
    }
}
