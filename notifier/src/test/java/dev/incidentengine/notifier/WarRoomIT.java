package dev.incidentengine.notifier;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.LinkWarRoom;
import dev.incidentengine.model.RecordWarRoomArchived;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.ContactType;
import dev.incidentengine.model.config.NotificationRule;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.slack.SlackServer;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.incidentengine.testkit.Samples.escalated;
import static dev.incidentengine.testkit.Samples.event;
import static dev.incidentengine.testkit.Samples.opened;
import static dev.incidentengine.testkit.Samples.plan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** War rooms through the real broker: the notifier (planner and sender) with the Slack-shaped server. */
@WithKafka
class WarRoomIT {

    private static final String TOKEN = "xoxb-war-room-it";

    @TempDir
    Path dir;

    @Test
    void aSev1GetsARoom_withItsResponder_archivedAfterClose_andADeadSlackShowsInReadiness(KafkaTestCluster kafka) throws Exception {
        NotifierTopics topics = NotifierIT.topics(kafka);
        kafka.produce(topics.users(), List.of(Map.entry("alice", new UserConfig("alice", "Alice", "UTC",
                List.of(new ContactMethod(ContactType.SLACK, "U0ALICE")), List.of(new NotificationRule(ContactType.SLACK, 0))))));
        String id = "INC-WARROOM-1";
        String name = "incident-inc-warroom-1";
        try (SlackServer slack = SlackServer.start("127.0.0.1", 0, TOKEN);
             ServiceRunner notifier = start(kafka, topics, slack, "PT2S")) {
            Instant now = Instant.now();
            kafka.produce(topics.events(), List.of(Map.entry(id, sev1(id, "e1", now)),
                    Map.entry(id, escalated(id, "e2", now.plusMillis(1), 0, plan("alice", "SLACK", 0)))));

            await("the room with alice in it").atMost(Duration.ofSeconds(60))
                    .until(() -> slack.channel(name) != null && slack.channel(name).members().contains("U0ALICE"));
            String channelId = slack.channel(name).id();
            assertThat(slack.channel(name).pinned()).hasSize(1);
            await("linked").atMost(Duration.ofSeconds(30)).until(() -> commands(kafka, topics).size() == 1);
            assertThat(commands(kafka, topics).get(0).getPayload()).isEqualTo(new LinkWarRoom(new dev.incidentengine.model.WarRoom("slack",
                    channelId, "#" + name, "https://slack.com/app_redirect?channel=" + channelId)));

            kafka.produce(topics.events(), List.of(Map.entry(id, event(id, "e3", Instant.now(), new IncidentClosed(null)))));
            await("archived two seconds after close").atMost(Duration.ofSeconds(30)).until(() -> slack.channel(name).archived());
            await("and recorded").atMost(Duration.ofSeconds(30)).until(() -> commands(kafka, topics).size() == 2);
            assertThat(commands(kafka, topics).get(1).getPayload()).isEqualTo(new RecordWarRoomArchived(channelId));
            assertThat(notifier.ready()).isTrue();

            // Slack dies: the next SEV1's room fails, and /readyz says why until Slack answers again.
            slack.down(true);
            String second = "INC-WARROOM-2";
            kafka.produce(topics.events(), List.of(Map.entry(second, sev1(second, "f1", Instant.now()))));
            await("not ready").atMost(Duration.ofSeconds(30)).until(() -> !notifier.ready());
            assertThat(notifier.readiness().toString()).contains("war room", "HTTP 503");
            slack.down(false);
            kafka.produce(topics.events(), List.of(Map.entry(second, escalated(second, "f2", Instant.now(), 0, plan("alice", "SLACK", 0)))));
            await("the room made on the incident's next news").atMost(Duration.ofSeconds(60))
                    .until(() -> slack.channel("incident-inc-warroom-2") != null && slack.channel("incident-inc-warroom-2").members().contains("U0ALICE"));
            await("ready again").atMost(Duration.ofSeconds(30)).until(notifier::ready);
            assertThat(slack.channels()).hasSize(2);
        }
    }

    /**
     * The notifier is killed (SIGKILL) after Slack made the channel and before the request was recorded as delivered: the next
     * notifier sends the request again, gets {@code name_taken}, finds the channel its bot made and reuses it.
     */
    @Test
    void killedMidCreation_theRestartedNotifierReusesTheChannel(KafkaTestCluster kafka) throws Exception {
        NotifierTopics topics = NotifierTopics.DEFAULT;
        kafka.createTopics(topics.all());
        String applicationId = "notifier-warroom-" + UUID.randomUUID().toString().substring(0, 8);
        String id = "INC-" + applicationId.toUpperCase();
        String name = "incident-" + id.toLowerCase();
        try (SlackServer slack = SlackServer.start("127.0.0.1", 0, TOKEN)) {
            CountDownLatch held = slack.hold("chat.postMessage");
            Process first = process(kafka, slack, applicationId, "first");
            Process second = null;
            try {
                kafka.produce(topics.events(), List.of(Map.entry(id, sev1(id, applicationId + "-e1", Instant.now()))));
                await("the channel made, its summary on the way").atMost(Duration.ofSeconds(90))
                        .until(() -> !slack.calls("chat.postMessage").isEmpty());
                first.destroyForcibly();
                first.waitFor();
                held.countDown();

                second = process(kafka, slack, applicationId, "second");
                await("the room finished by the second notifier").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                        .until(() -> slack.channel(name) != null && !slack.channel(name).pinned().isEmpty());
                await("linked").atMost(Duration.ofSeconds(30)).until(() -> links(kafka, topics, id).size() == 1);
                assertThat(slack.calls("conversations.create")).hasSize(2);
                assertThat(slack.calls("conversations.create").get(1).args()).containsEntry("name", name);
                assertThat(slack.channels()).extracting(SlackServer.View::name).containsExactly(name);
                assertThat(((LinkWarRoom) links(kafka, topics, id).get(0).getPayload()).getRoom().getId()).isEqualTo(slack.channel(name).id());
            } finally {
                first.destroyForcibly();
                if (second != null) {
                    second.destroy();
                    second.waitFor();
                }
            }
        }
    }

    private static IncidentEvent sev1(String id, String eventId, Instant at) {
        return opened(id, eventId).setTimestamp(at).setPayload(new IncidentOpened("Checkout down", Severity.SEV1, "checkout", "k", null,
                Map.of(), true, null, null, Map.of(), null, null)).build();
    }

    private static List<IncidentCommand> commands(KafkaTestCluster kafka, NotifierTopics topics) {
        return TopicContents.readToEnd(kafka.bootstrapServers(), topics.commands(), kafka.serdes(), Duration.ofSeconds(10)).stream()
                .map(ConsumerRecord::value).toList();
    }

    private static List<IncidentCommand> links(KafkaTestCluster kafka, NotifierTopics topics, String id) {
        return commands(kafka, topics).stream().filter(command -> command.getIncidentId().equals(id)).toList();
    }

    private ServiceRunner start(KafkaTestCluster kafka, NotifierTopics topics, SlackServer slack, String archiveAfter) throws IOException {
        Files.writeString(dir.resolve("warroom-token"), TOKEN);
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        settings.put(NotifierConfig.APPLICATION_ID_CONFIG, "notifier-" + topics.events().name());
        settings.put(NotifierConfig.SECRETS_DIR_CONFIG, dir.toString());
        settings.put(NotifierConfig.SLACK_API_URL_CONFIG, slack.apiUrl());
        settings.put(NotifierConfig.WARROOM_SLACK_TOKEN_SECRET_CONFIG, "warroom-token");
        settings.put(NotifierConfig.WARROOM_ARCHIVE_AFTER_CONFIG, archiveAfter);
        settings.put(NotifierConfig.RETRY_ATTEMPTS_CONFIG, "2");
        settings.put(NotifierConfig.RETRY_BASE_MS_CONFIG, "10");
        settings.put(NotifierConfig.PUNCTUATION_MS_CONFIG, "100");
        settings.put("kafka.commit.interval.ms", "100");
        ServiceRunner runner = new ServiceRunner("127.0.0.1", TopicContents.freePort(), List.of(new NotifierService(new NotifierConfig(settings),
                topics))).start();
        await("notifier running").atMost(Duration.ofSeconds(60)).until(runner::ready);
        return runner;
    }

    /** A notifier in a JVM of its own, so it can be killed; ready when it returns. */
    private Process process(KafkaTestCluster kafka, SlackServer slack, String applicationId, String name) throws IOException {
        int port = TopicContents.freePort();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), NotifierMain.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("INCIDENT_NOTIFIER_APPLICATION_ID", applicationId);
        env.put("INCIDENT_STATE_DIR", dir.resolve(name).toString());
        env.put("INCIDENT_HTTP_PORT", Integer.toString(port));
        env.put("INCIDENT_NOTIFIER_SLACK_API_URL", slack.apiUrl());
        env.put("INCIDENT_NOTIFIER_WARROOM_SLACK_TOKEN_SECRET", "warroom-token");
        env.put("INCIDENT_SECRET_WARROOM_TOKEN", TOKEN);
        env.put("KAFKA_COMMIT_INTERVAL_MS", "100");
        env.put("KAFKA_SESSION_TIMEOUT_MS", "6000");
        Process process = builder.start();
        HttpClient http = HttpClient.newHttpClient();
        URI readyz = URI.create("http://127.0.0.1:" + port + "/readyz");
        await("notifier " + name + " ready").atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() ->
                http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        return process;
    }
}
