package dev.incidentengine.escalation;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.EscalateIncident;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.EscalationLevel;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.LevelTarget;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Timers on a real broker survive restarts: the app stops while the next level is pending and
 * starts again before it is due, and the level is paged once, on time; then it stops and stays
 * down past the following deadline, and that level is paged right after the restart, once.
 */
@WithKafka
class EscalationRestartIT {

    private static final String ID = "INC-20261122-0-0001";

    @TempDir
    Path stateDir;

    @Test
    void timersFireOnceAcrossRestarts_onTimeIfPending_atOnceIfDueWhileDown(KafkaTestCluster kafka) throws Exception {
        EscalationTopics topics = topics(kafka);
        kafka.produce(topics.policies(), List.of(Map.entry("p", new EscalationPolicyConfig("p", "Test", List.of(
                level("alice"), level("bob"), level("carol")), 0, null, false))));
        Instant opened = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        try (ServiceRunner first = start(kafka, topics)) {
            kafka.produce(topics.events(), List.of(Map.entry(ID, IncidentEvent.newBuilder()
                    .setEventId("open/0").setIncidentId(ID).setSequence(1).setTimestamp(opened)
                    .setActor(new Actor(ActorType.INTEGRATION, "alertmanager", null)).setCauseId("open")
                    .setPayload(new IncidentOpened("Checkout errors", Severity.SEV2, "checkout", "k", "p", Map.of(), true, null, null, java.util.Map.of(), null, null))
                    .build())));
            await("level 0 paged").atMost(Duration.ofSeconds(60)).until(() -> pages(kafka, topics).size() == 1);
        }
        Instant level1 = opened.plus(Duration.ofMinutes(1));
        try (ServiceRunner second = start(kafka, topics)) {
            await("level 1 paged").atMost(Duration.ofSeconds(90)).until(() -> pages(kafka, topics).size() == 2);
            assertThat(pages(kafka, topics).get(1).value().getTimestamp()).as("on time").isBetween(level1, level1.plusSeconds(2));
        }
        Instant level2 = level1.plus(Duration.ofMinutes(1));
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), level2).toMillis() + 2_000));
        Instant restarted = Instant.now();
        try (ServiceRunner third = start(kafka, topics)) {
            await("level 2 paged after the restart").atMost(Duration.ofSeconds(30)).until(() -> pages(kafka, topics).size() == 3);
            assertThat(pages(kafka, topics).get(2).value().getTimestamp()).as("right after the restart")
                    .isBetween(restarted, restarted.plusSeconds(10));
            await("no level paged again").during(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10))
                    .until(() -> pages(kafka, topics).size() == 3);
        }
        assertThat(pages(kafka, topics)).extracting(record -> ((EscalateIncident) record.value().getPayload()).getLevel())
                .as("each level paged once").containsExactly(0, 1, 2);
    }

    private static EscalationLevel level(String user) {
        return new EscalationLevel(List.of(new LevelTarget(TargetType.USER, user)), 1, false);
    }

    private ServiceRunner start(KafkaTestCluster kafka, EscalationTopics topics) {
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, stateDir.toString());
        settings.put(EscalationStreamConfig.APPLICATION_ID_CONFIG, "escalation-" + topics.events().name());
        settings.put("kafka.commit.interval.ms", "100");
        ServiceRunner runner = new ServiceRunner("127.0.0.1", 0,
                List.of(new EscalationStreamService(new EscalationStreamConfig(settings), topics))).start();
        await("escalation-stream running").atMost(Duration.ofSeconds(60)).until(runner::ready);
        return runner;
    }

    private static List<ConsumerRecord<String, IncidentCommand>> pages(KafkaTestCluster kafka, EscalationTopics topics) {
        return TopicContents.readToEnd(kafka.bootstrapServers(), topics.commands(), kafka.serdes(), Duration.ofSeconds(10));
    }

    static EscalationTopics topics(KafkaTestCluster kafka) {
        EscalationTopics d = EscalationTopics.DEFAULT;
        return new EscalationTopics(kafka.createTopic(d.events()), kafka.createTopic(d.commands()), kafka.createTopic(d.policies()),
                kafka.createTopic(d.schedules()), kafka.createTopic(d.teams()), kafka.createTopic(d.users()),
                kafka.createTopic(d.services()), kafka.createTopic(d.overrides()), kafka.createTopic(d.roles()),
                kafka.createTopic(d.deadLetters()));
    }
}
