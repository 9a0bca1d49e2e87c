package dev.incidentengine.deploy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.testkit.RedmineServer;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithRedmine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The issue's "done when", end to end: {@code ./incident-engine local --connect} with the ticketing connectors on its Connect
 * worker and a real Redmine. An alert opens an incident, the incident a Redmine issue (linked back on the incident), its
 * acknowledgement and note become notes, its resolution resolves the issue, its action item becomes a related issue; alice
 * closing that issue in Redmine completes the action item in the engine, and her reopening the incident's issue reopens it.
 */
@WithRedmine
class LocalEngineTicketingIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESPONDER = "demo-responder-token-change-me";
    private static final String VIEWER = "demo-viewer-token-change-me";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    void anIncidentsLifeIsARedmineIssues_andPeoplesChangesInRedmineComeBack(RedmineServer redmine) throws Exception {
        LocalEngine engine = EngineCalls.localEngine(dataDir, Path.of("../local"),
                "--connect", "--connect-port", Integer.toString(TopicContents.freePort()), "--connect-plugin-path", "../../ticketing/target/plugin");
        try {
            engine.start();
            String connect = engine.connectUrl().orElseThrow();
            Path keyFile = dataDir.resolve("redmine.properties");
            Files.writeString(keyFile, "redmine.api.key=" + redmine.adminKey() + "\n");
            Map<String, String> sink = connector(engine, redmine, keyFile);
            sink.put("connector.class", "dev.incidentengine.ticketing.TicketSinkConnector");
            sink.put("topics", "incident.events.v1");
            sink.put("errors.tolerance", "all");
            sink.put("errors.deadletterqueue.topic.name", "ticket.dlq.v1");
            sink.put("errors.deadletterqueue.context.headers.enable", "true");
            Map<String, String> source = connector(engine, redmine, keyFile);
            source.put("connector.class", "dev.incidentengine.ticketing.TicketSourceConnector");
            source.put("ticket.poll.interval.ms", "500");
            assertThat(send("PUT", connect + "/connectors/redmine-sink/config", null, JSON.writeValueAsString(sink)).statusCode()).isEqualTo(201);
            assertThat(send("PUT", connect + "/connectors/redmine-source/config", null, JSON.writeValueAsString(source)).statusCode()).isEqualTo(201);

            String dedupKey = "tickets-" + UUID.randomUUID();
            assertThat(send("POST", engine.httpUrl() + "/api/v1/alerts", "demo-integration-key-change-me",
                    "{\"summary\": \"Checkout error rate above 5%\", \"severity\": \"SEV2\", \"dedupKey\": \"" + dedupKey + "\"}").statusCode())
                    .isEqualTo(202);
            String id = await("the incident").atMost(Duration.ofSeconds(60)).until(() -> {
                JsonNode list = json(send("GET", engine.httpUrl() + "/api/v1/incidents?status=TRIGGERED", VIEWER, null));
                for (JsonNode incident : list.path("incidents")) {
                    if (incident.path("title").asText().contains("Checkout error rate")) {
                        return incident.path("incidentId").asText();
                    }
                }
                return null;
            }, found -> found != null);
            String incident = engine.httpUrl() + "/api/v1/incidents/" + id;

            JsonNode ticket = await("the Redmine issue, linked on the incident").atMost(Duration.ofSeconds(90))
                    .until(() -> json(send("GET", incident, VIEWER, null)).path("tickets"), tickets -> tickets.size() == 1).get(0);
            assertThat(ticket.path("system").asText()).isEqualTo("redmine");
            String issue = ticket.path("key").asText();
            assertThat(ticket.path("url").asText()).isEqualTo(redmine.url() + "/issues/" + issue);

            assertThat(send("POST", incident + "/acknowledge?wait=true", RESPONDER, "{\"message\": \"on it\"}").statusCode()).isEqualTo(200);
            assertThat(send("POST", incident + "/notes?wait=true", RESPONDER, "{\"text\": \"rolled back the deploy\"}").statusCode()).isEqualTo(200);
            assertThat(send("POST", incident + "/resolve?wait=true", RESPONDER, "{\"resolution\": \"rolled back\"}").statusCode()).isEqualTo(200);
            assertThat(send("POST", incident + "/action-items?wait=true", RESPONDER, "{\"title\": \"Alert on queue depth\", \"owner\": \"bob\", "
                    + "\"due\": \"" + Instant.now().plus(Duration.ofDays(7)) + "\"}").statusCode()).isEqualTo(200);

            JsonNode resolved = await("the issue resolved, with the notes and the action item's related issue").atMost(Duration.ofSeconds(90))
                    .until(() -> redmine(redmine, "/issues/" + issue + ".json?include=journals,relations").path("issue"),
                            found -> found.path("status").path("name").asText().equals("Resolved") && found.path("relations").size() == 1);
            assertThat(resolved.path("journals").findValuesAsText("notes")).anyMatch(note -> note.contains("on it"))
                    .anyMatch(note -> note.contains("rolled back the deploy"));
            JsonNode relation = resolved.path("relations").get(0);
            String actionItemIssue = relation.path("issue_id").asText().equals(issue) ? relation.path("issue_to_id").asText()
                    : relation.path("issue_id").asText();
            await("the action item's ticket on the incident").atMost(Duration.ofSeconds(60)).until(() ->
                    json(send("GET", incident, VIEWER, null)).path("tickets").findValuesAsText("actionItemId").contains("AI-1"));

            // alice, in Redmine: closes the action item's issue, then reopens the incident's.
            alice(redmine, actionItemIssue, "Closed", "done: the alert is live");
            await("the action item completed in the engine").atMost(Duration.ofSeconds(60)).until(() ->
                    json(send("GET", incident, VIEWER, null)).path("actionItems").get(0).hasNonNull("completedAt"));
            alice(redmine, issue, "New", "still failing for some customers");
            await("the incident reopened by alice's change").atMost(Duration.ofSeconds(60)).until(() ->
                    json(send("GET", incident, VIEWER, null)).path("status").asText().equals("TRIGGERED"));
            JsonNode events = json(send("GET", incident + "/events", VIEWER, null)).path("events");
            assertThat(events.findValuesAsText("type")).contains("TicketLinked", "ActionItemCompleted", "IncidentReopened");
            assertThat(events.findValues("actor").stream().map(actor -> actor.path("id").asText())).contains("redmine:alice");
        } finally {
            engine.stop();
        }
    }

    /** The settings both connectors share: the system, its key through the file config provider, the engine's Kafka. */
    private static Map<String, String> connector(LocalEngine engine, RedmineServer redmine, Path keyFile) {
        Map<String, String> config = new HashMap<>();
        config.put("tasks.max", "1");
        config.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        config.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        config.put("ticket.system", "redmine");
        config.put("ticket.kafka.bootstrap.servers", engine.bootstrap());
        config.put("ticket.incident.url", engine.httpUrl() + "/incidents/{{id}}");
        config.put("redmine.url", redmine.url());
        config.put("redmine.project", redmine.project());
        config.put("redmine.api.key", "${file:" + keyFile.toAbsolutePath() + ":redmine.api.key}");
        return config;
    }

    /** A change alice makes in Redmine, with her own key: a status by name, and a note. */
    private void alice(RedmineServer redmine, String issue, String status, String note) throws Exception {
        String statusId = null;
        for (JsonNode candidate : redmine(redmine, "/issue_statuses.json").path("issue_statuses")) {
            if (candidate.path("name").asText().equals(status)) {
                statusId = candidate.path("id").asText();
            }
        }
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(redmine.url() + "/issues/" + issue + ".json"))
                .header("X-Redmine-API-Key", redmine.aliceKey()).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"issue\": {\"status_id\": " + statusId + ", \"notes\": \"" + note + "\"}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(204);
    }

    private JsonNode redmine(RedmineServer redmine, String path) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(redmine.url() + path))
                .header("X-Redmine-API-Key", redmine.adminKey()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body());
    }

    private HttpResponse<String> send(String method, String url, String bearer, String body) throws Exception {
        return EngineCalls.send(http, method, url, bearer, body);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return JSON.readTree(response.body());
    }
}
