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
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.RequestRole;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.model.config.RotationUnit;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ScheduleLayer;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Incident Commander paging on a real broker, across a restart: the app stops while the request is pending and starts
 * again, and the team's IC schedule is requested once, on time (or at once, if the restart took past the due time), and
 * not again before its next request is due.
 */
@WithKafka
class RoleRequestIT {

    private static final String ID = "INC-20261205-0-0001";

    @TempDir
    Path stateDir;

    @Test
    void aSev1WithoutCommander_requestsTheIcScheduleOnce_onTime_acrossARestart(KafkaTestCluster kafka) {
        EscalationTopics topics = EscalationRestartIT.topics(kafka);
        kafka.produce(topics.roles(), List.of(Map.entry("commander",
                new RoleConfig("commander", "Incident Commander", null, List.of("SEV0", "SEV1"), 1))));
        kafka.produce(topics.schedules(), List.of(Map.entry("ic", new ScheduleConfig("ic", "IC", "UTC", List.of(
                new ScheduleLayer("daily", List.of("carol"), 1, RotationUnit.DAYS, "2026-01-01T00:00:00", List.of())), List.of()))));
        kafka.produce(topics.teams(), List.of(Map.entry("payments", new TeamConfig("payments", "Payments", List.of(), null,
                Map.of("commander", "ic"), null))));
        kafka.produce(topics.services(), List.of(Map.entry("checkout",
                new ServiceConfig("checkout", "Checkout", null, "payments", null, Map.of(), null, Map.of()))));
        Instant opened = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        try (ServiceRunner first = start(kafka, topics)) {
            kafka.produce(topics.events(), List.of(Map.entry(ID, IncidentEvent.newBuilder()
                    .setEventId("open/0").setIncidentId(ID).setSequence(1).setTimestamp(opened)
                    .setActor(new Actor(ActorType.INTEGRATION, "alertmanager", null)).setCauseId("open")
                    .setPayload(new IncidentOpened("Checkout down", Severity.SEV1, "checkout", "k", null, Map.of(), true, null, null,
                            Map.of(), null, null))
                    .build())));
            await("the open consumed").atMost(Duration.ofSeconds(60)).until(() -> consumed(kafka, topics) >= 1);
        }
        Instant due = opened.plus(Duration.ofMinutes(1));
        try (ServiceRunner second = start(kafka, topics)) {
            // On time if the app is back before the due time, else as soon as it is; slack for the group to settle after the restart.
            Instant expected = Instant.now().isAfter(due) ? Instant.now() : due;
            await("commander requested").atMost(Duration.ofSeconds(90)).until(() -> requests(kafka, topics).size() == 1);
            ConsumerRecord<String, IncidentCommand> request = requests(kafka, topics).get(0);
            assertThat(request.value().getTimestamp()).as("on time").isBetween(due, expected.plusSeconds(15));
            assertThat(request.value().getCommandId()).isEqualTo("request-role:" + ID + ":commander@" + due.toEpochMilli());
            assertThat(((RequestRole) request.value().getPayload()).getTargets().get(0).getUserIds()).containsExactly("carol");
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20)).until(() -> requests(kafka, topics).size() == 1);
        }
    }

    /** Events the app committed as consumed: the open is in its stores before it stops. */
    private static long consumed(KafkaTestCluster kafka, EscalationTopics topics) throws Exception {
        return kafka.admin().listConsumerGroupOffsets("escalation-" + topics.events().name()).partitionsToOffsetAndMetadata().get()
                .values().stream().filter(java.util.Objects::nonNull).mapToLong(OffsetAndMetadata::offset).sum();
    }

    private static List<ConsumerRecord<String, IncidentCommand>> requests(KafkaTestCluster kafka, EscalationTopics topics) {
        return TopicContents.readToEnd(kafka.bootstrapServers(), topics.commands(), kafka.serdes(), Duration.ofSeconds(10)).stream()
                .filter(record -> record.value().getPayload() instanceof RequestRole).toList();
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
}
