package dev.incidentengine.incident;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.incident.api.TicketWebhooksTest;
import dev.incidentengine.model.Severity;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.WithKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Signed Jira and GitHub webhooks through incident-stream on a real broker: a ticket resolved in Jira resolves its incident,
 * a redelivery changes nothing, a GitHub comment becomes a note, by the ticket system's person.
 */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TicketWebhooksIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final KafkaTestCluster kafka;
    private IncidentTopics topics;
    private ServiceRunner runner;
    private String base;

    @TempDir
    static Path dir;

    TicketWebhooksIT(KafkaTestCluster kafka) {
        this.kafka = kafka;
    }

    @BeforeAll
    void start() throws Exception {
        topics = IncidentTestTopics.create(kafka);
        Path jiraSecret = Files.writeString(dir.resolve("jira-webhook.secret"), TicketWebhooksTest.JIRA_SECRET + "\n");
        Path githubSecret = Files.writeString(dir.resolve("github-webhook.secret"), TicketWebhooksTest.GITHUB_SECRET);
        IncidentStreamConfig config = IncidentApiIT.config(kafka, topics, dir, "webhooks", Map.of(
                IncidentStreamConfig.JIRA_WEBHOOK_SECRET_FILE_CONFIG, jiraSecret.toString(),
                IncidentStreamConfig.JIRA_ACCOUNT_CONFIG, TicketWebhooksTest.BOT_ACCOUNT,
                IncidentStreamConfig.GITHUB_WEBHOOK_SECRET_FILE_CONFIG, githubSecret.toString(),
                IncidentStreamConfig.GITHUB_LOGIN_CONFIG, TicketWebhooksTest.BOT_LOGIN));
        runner = new ServiceRunner("127.0.0.1", 0, List.of(new IncidentStreamService(config, topics))).start();
        base = "http://127.0.0.1:" + runner.httpAddress().getPort();
        await("incident-stream ready").atMost(Duration.ofSeconds(60)).until(runner::ready);
    }

    @AfterAll
    void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    @Test
    void aTicketResolvedInJiraResolvesItsIncidentOnce_andAGithubCommentBecomesANote() throws Exception {
        String id = "INC-" + UUID.randomUUID().toString().substring(0, 8);
        IncidentApiIT.open(kafka, topics, id, "checkout", Severity.SEV2, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        await("incident " + id + " open").atMost(Duration.ofSeconds(30)).until(() -> incident(id) != null);

        String resolved = TicketWebhooksTest.jiraStatusChange("incident-engine:" + id, "alice-id", "Done", "done", "4242");
        HttpResponse<String> answer = TicketWebhooksTest.jira(base, resolved);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        await("resolved from Jira").atMost(Duration.ofSeconds(30)).until(() -> incident(id).get("status").asText().equals("RESOLVED"));
        // Jira delivers again (it retries when it saw no answer): the same change, the same command id.
        assertThat(TicketWebhooksTest.jira(base, resolved).statusCode()).isEqualTo(200);

        HttpResponse<String> commented = TicketWebhooksTest.github(base, "issue_comment", UUID.randomUUID().toString(),
                TicketWebhooksTest.githubComment("incident-engine:" + id, "bob", "Root cause: a config push. [x](http://evil)"));
        assertThat(commented.statusCode()).as(commented.body()).isEqualTo(200);
        // Commands of one incident are decided in order: once the note is there, the redelivery was decided before it.
        await("note from GitHub").atMost(Duration.ofSeconds(30)).until(() -> types(id).contains("NoteAdded"));

        List<JsonNode> events = events(id);
        assertThat(types(id).stream().filter("IncidentResolved"::equals)).hasSize(1);
        JsonNode resolvedEvent = events.stream().filter(e -> e.path("payload").path("type").asText().equals("IncidentResolved"))
                .findFirst().orElseThrow();
        assertThat(resolvedEvent.path("actor").path("type").asText()).isEqualTo("INTEGRATION");
        assertThat(resolvedEvent.path("actor").path("id").asText()).isEqualTo("jira:alice-id");
        JsonNode note = events.stream().filter(e -> e.path("payload").path("type").asText().equals("NoteAdded")).findFirst().orElseThrow();
        assertThat(note.path("payload").path("text").asText()).isEqualTo("GitHub acme/ops#42, github:bob: Root cause: a config push. [x](http://evil)");
        assertThat(note.path("actor").path("id").asText()).isEqualTo("github:bob");
    }

    @Test
    void aBadSignatureIsRefusedBeforeAnythingIsProduced() throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/v1/ticket-webhooks/github"))
                .header("X-GitHub-Event", "issues").header("X-Hub-Signature-256", "sha256=" + "0".repeat(64))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(401);
    }

    private JsonNode incident(String id) throws Exception {
        HttpResponse<String> answer = get("/api/v1/incidents/" + id);
        return answer.statusCode() == 200 ? JSON.readTree(answer.body()) : null;
    }

    private List<JsonNode> events(String id) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        JSON.readTree(get("/api/v1/incidents/" + id + "/events?limit=500").body()).path("events").forEach(events::add);
        return events;
    }

    private List<String> types(String id) throws Exception {
        return events(id).stream().map(e -> e.path("payload").path("type").asText()).toList();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer "
                + IncidentApiIT.VIEWER).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
