package dev.incidentengine.incident;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.model.config.RunbookConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.WithKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static dev.incidentengine.incident.IncidentApiIT.RESPONDER;
import static dev.incidentengine.incident.IncidentApiIT.VIEWER;
import static dev.incidentengine.incident.IncidentApiIT.assertError;
import static dev.incidentengine.incident.IncidentApiIT.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Runbooks through the API on a real broker: matched at open, attached by a person, steps marked, the configured ones listed. */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunbookApiIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final KafkaTestCluster kafka;
    private IncidentTopics topics;
    private ServiceRunner runner;
    private IncidentApiIT.Api api;
    private String base;

    @TempDir
    static Path dir;

    RunbookApiIT(KafkaTestCluster kafka) {
        this.kafka = kafka;
    }

    @BeforeAll
    void start() throws Exception {
        topics = IncidentTestTopics.create(kafka);
        kafka.produce(topics.runbooks(), List.of(
                Map.entry("high-error-rate", runbook("high-error-rate", "High error rate", 20, "Open the error dashboard", "Roll back the last deploy")),
                Map.entry("database-issues", runbook("database-issues", "Database issues", 10, "Check replication lag"))));
        runner = new ServiceRunner("127.0.0.1", 0, List.of(new IncidentStreamService(IncidentApiIT.config(kafka, topics, dir, "single"),
                topics))).start();
        base = "http://127.0.0.1:" + runner.httpAddress().getPort();
        api = new IncidentApiIT.Api(base);
        await("incident-stream ready").atMost(Duration.ofSeconds(60)).until(runner::ready);
        await("the runbooks read").atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/api/v1/runbooks", VIEWER).statusCode() == 200
                        && json(api.get("/api/v1/runbooks", VIEWER)).get("runbooks").size() == 2);
    }

    @AfterAll
    void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    @Test
    void theMatchedRunbookIsOnTheIncident_aPersonAttachesAnother_andMarksItsSteps() throws Exception {
        String id = openNow();
        JsonNode incident = json(api.get("/api/v1/incidents/" + id, VIEWER));
        assertThat(incident.get("runbooks")).extracting(runbook -> runbook.get("runbookId").asText()).containsExactly("high-error-rate");
        assertThat(json(api.get("/api/v1/incidents?limit=500", VIEWER)).get("incidents")).filteredOn(listed -> listed.get("incidentId")
                .asText().equals(id)).singleElement().satisfies(listed -> assertThat(listed.has("runbooks")).as("shown with the incident alone")
                .isFalse());

        HttpResponse<String> attached = api.post("/api/v1/incidents/" + id + "/runbooks?wait=true", RESPONDER,
                "{\"runbookId\": \"database-issues\"}");
        assertThat(attached.statusCode()).as(attached.body()).isEqualTo(200);
        assertThat(json(attached).get("events").get(0).get("payload").get("type").asText()).isEqualTo("RunbookAttached");

        HttpResponse<String> marked = put("/api/v1/incidents/" + id + "/runbooks/high-error-rate/steps/2?wait=true", RESPONDER,
                "{\"outcome\": \"done\", \"note\": \"rolled back to 4.2.0\"}");
        assertThat(marked.statusCode()).as(marked.body()).isEqualTo(200);
        JsonNode step = json(marked).get("incident").get("runbooks").get(0).get("steps").get(1);
        assertThat(step.get("outcome").asText()).isEqualTo("DONE");
        assertThat(step.get("note").asText()).isEqualTo("rolled back to 4.2.0");
        assertThat(step.get("markedBy").asText()).isEqualTo("alice");

        HttpResponse<String> again = put("/api/v1/incidents/" + id + "/runbooks/high-error-rate/steps/2?wait=true", RESPONDER,
                "{\"outcome\": \"done\", \"note\": \"rolled back to 4.2.0\"}");
        assertThat(again.statusCode()).as("the same mark: no event").isEqualTo(200);
        assertThat(json(again).get("events").size()).isZero();

        HttpResponse<String> accepted = put("/api/v1/incidents/" + id + "/runbooks/high-error-rate/steps/1?wait=false", RESPONDER,
                "{\"outcome\": \"skipped\"}");
        assertThat(accepted.statusCode()).as("stored in Kafka, decided later").isEqualTo(202);
        await("the skip decided").atMost(Duration.ofSeconds(30)).until(() -> "SKIPPED".equals(json(api.get("/api/v1/incidents/" + id, VIEWER))
                .get("runbooks").get(0).get("steps").get(0).path("outcome").asText()));

        String postmortem = api.get("/api/v1/incidents/" + id + "/postmortem", VIEWER).body();
        assertThat(postmortem).contains("## Runbooks", "### High error rate (`high-error-rate`), matched when the incident opened",
                "2. **done** by alice at ", ": rolled back to 4.2.0", "### Database issues (`database-issues`), attached by alice");
    }

    @Test
    void theConfiguredRunbooksAreListedForViewers() throws Exception {
        JsonNode runbooks = json(api.get("/api/v1/runbooks", VIEWER)).get("runbooks");

        assertThat(runbooks).extracting(runbook -> runbook.get("id").asText()).containsExactly("database-issues", "high-error-rate");
        assertThat(runbooks.get(1).get("steps")).hasSize(2);
        assertError(api.get("/api/v1/runbooks", null), 401, null);
        assertError(api.get("/api/v1/runbooks?x=1", VIEWER), 400, "x");
    }

    @Test
    void badRequestsAreRefusedNamingTheField_andViewersMayNotMark() throws Exception {
        String id = openNow();
        String steps = "/api/v1/incidents/" + id + "/runbooks/high-error-rate/steps/";

        assertError(put(steps + "1", VIEWER, "{\"outcome\": \"done\"}"), 403, null);
        assertError(put(steps + "1", null, "{\"outcome\": \"done\"}"), 401, null);
        assertError(put(steps + "1", RESPONDER, "{\"outcome\": \"finished\"}"), 400, "outcome");
        assertError(put(steps + "3", RESPONDER, "{\"outcome\": \"done\"}"), 400, "step");
        assertError(put(steps + "one", RESPONDER, "{\"outcome\": \"done\"}"), 400, "step");
        assertError(put("/api/v1/incidents/" + id + "/runbooks/database-issues/steps/1", RESPONDER, "{\"outcome\": \"done\"}"), 404, "runbookId");
        assertError(put("/api/v1/incidents/INC-NOPE/runbooks/high-error-rate/steps/1", RESPONDER, "{\"outcome\": \"done\"}"), 404, null);
        assertError(put("/api/v1/incidents/" + id + "/runbooks/high-error-rate", RESPONDER, "{}"), 404, null);
        assertError(api.post("/api/v1/incidents/" + id + "/runbooks", RESPONDER, "{\"runbookId\": \"nope\"}"), 400, "runbookId");
        assertError(api.post("/api/v1/incidents/" + id + "/runbooks", RESPONDER, "{}"), 400, "runbookId");
        assertError(api.post("/api/v1/incidents/" + id + "/runbooks", VIEWER, "{\"runbookId\": \"database-issues\"}"), 403, null);
    }

    private String openNow() {
        String id = "INC-" + UUID.randomUUID().toString().substring(0, 8);
        IncidentApiIT.open(kafka, topics, id, "checkout", Severity.SEV2, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        await("incident " + id + " in the view").atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/api/v1/incidents/" + id, VIEWER).statusCode() == 200);
        return id;
    }

    private HttpResponse<String> put(String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).PUT(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static RunbookConfig runbook(String id, String title, int priority, String... steps) {
        List<LabelMatcher> matchers = id.equals("high-error-rate") ? List.of(new LabelMatcher("alertname", MatchOp.REGEX, ".*ErrorRate"))
                : List.of(new LabelMatcher("alertname", MatchOp.REGEX, "Postgres.*"));
        return RunbookConfig.newBuilder().setId(id).setTitle(title).setPriority(priority).setMatchers(matchers).setSteps(List.of(steps)).build();
    }
}
