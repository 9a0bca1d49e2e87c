package dev.incidentengine.deploy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.cli.Incidentctl;
import dev.incidentengine.slack.SlackServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 19's "done when" on the local engine with deploy/local's config: a SEV1 nobody takes command of pages the IC rotation
 * for the role, gets a war room in the local Slack-shaped server and its runbook; people take command and work the runbook;
 * the postmortem shows the roles, the runbook's steps and the tier's RTO. A drill runs through the normal path and is
 * reported on its own. ({@code incidentctl test-notify --all} on the same config: {@link LocalEngineTestNotifyIT}.)
 */
class LocalEngineResponseIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VIEWER = "demo-viewer-token-change-me";
    private static final String RESPONDER = "demo-responder-token-change-me";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    void aSev1GetsAnIcPage_aWarRoom_andItsRunbook_andTheReviewShowsThem_andADrillIsReportedOnItsOwn() throws Exception {
        // deploy/local as it is, but the commander required within a minute (the least a role takes), not 5, to keep the test short.
        Path config = dataDir.resolve("config");
        EngineCalls.copyTree(Path.of("../local"), config);
        Path response = config.resolve("response.yaml");
        String roles = Files.readString(response);
        assertThat(roles).contains("requiredWithinMinutes: 5");
        Files.writeString(response, roles.replace("requiredWithinMinutes: 5", "requiredWithinMinutes: 1"));
        LocalEngine engine = EngineCalls.localEngine(dataDir.resolve("data"), config);
        try {
            engine.start();
            SlackServer slack = engine.sinks().slack();
            assertThat(slack).as("deploy/local/secrets/LOCAL_SLACK_BOT_TOKEN starts the Slack-shaped server").isNotNull();

            assertThat(send("POST", engine.httpUrl() + "/api/v1/alerts", "demo-integration-key-change-me",
                    "{\"summary\":\"Checkout <!channel> error rate above 5%\",\"severity\":\"critical\",\"dedupKey\":\"response-local-it\"}")
                    .statusCode()).isEqualTo(202);
            String id = await("the incident").atMost(Duration.ofSeconds(30)).until(() -> {
                for (JsonNode incident : JSON.readTree(send("GET", engine.httpUrl() + "/api/v1/incidents", VIEWER, null).body()).get("incidents")) {
                    if (incident.get("title").asText().equals("Checkout <!channel> error rate above 5%")) {
                        return incident.get("incidentId").asText();
                    }
                }
                return null;
            }, Objects::nonNull);
            String name = "incident-" + id.toLowerCase(Locale.ROOT);

            JsonNode opened = incident(engine, id);
            assertThat(opened.path("severity").asText()).isEqualTo("SEV1");
            assertThat(opened.path("tier").asText()).isEqualTo("core-api");
            assertThat(opened.path("runbooks").get(0).path("runbookId").asText()).as("matched at open").isEqualTo("high-error-rate");

            // The war room: made in the local Slack, its summary pinned, recorded on the incident.
            await("the war room with its summary pinned").atMost(Duration.ofSeconds(60))
                    .until(() -> slack.channel(name) != null && slack.channel(name).pinned().size() == 1);
            JsonNode withRoom = await("recorded on the incident").atMost(Duration.ofSeconds(30))
                    .until(() -> incident(engine, id), shown -> shown.path("warRoom").isObject());
            assertThat(withRoom.path("warRoom").path("system").asText()).isEqualTo("slack");
            assertThat(withRoom.path("warRoom").path("name").asText()).isEqualTo("#" + name);
            assertThat(withRoom.path("warRoom").path("url").asText()).isEqualTo(slack.url() + "?channel=" + slack.channel(name).id());
            assertThat(send("GET", slack.url(), null, null).body()).as("people look at the local Slack with a GET")
                    .contains(name, "Checkout &lt;!channel&gt; error rate above 5%");

            // Nobody took command within the minute: the IC rotation is paged for the role.
            await("the IC rotation paged for the role").atMost(Duration.ofMinutes(3))
                    .until(() -> incident(engine, id).path("roleRequests").has("commander"));
            // Whoever is on the rotation gets it on their first contact (carol and alice: Slack).
            await("the role request delivered").atMost(Duration.ofSeconds(60)).until(() -> engine.sinks().received().stream()
                    .anyMatch(received -> String.valueOf(received.subject()).contains("Take Incident Commander"))
                    || slack.calls("chat.postMessage").stream().anyMatch(call -> call.args().toString().contains("Take Incident Commander")));

            // carol takes command and works the runbook; the incident resolves.
            assertThat(send("PUT", engine.httpUrl() + "/api/v1/incidents/" + id + "/roles/commander", RESPONDER,
                    "{\"userId\": \"carol\", \"reason\": \"paged for IC\"}").statusCode()).isEqualTo(200);
            assertThat(send("PUT", engine.httpUrl() + "/api/v1/incidents/" + id + "/runbooks/high-error-rate/steps/1", RESPONDER,
                    "{\"outcome\": \"done\", \"note\": \"errors began with deploy 4.3.0\"}").statusCode()).isEqualTo(200);
            assertThat(send("PUT", engine.httpUrl() + "/api/v1/incidents/" + id + "/runbooks/high-error-rate/steps/2", RESPONDER,
                    "{\"outcome\": \"skipped\"}").statusCode()).isEqualTo(200);
            assertThat(send("POST", engine.httpUrl() + "/api/v1/incidents/" + id + "/resolve?wait=true", RESPONDER, "{}").statusCode())
                    .isEqualTo(200);

            String review = await("the postmortem with the last step").atMost(Duration.ofSeconds(30))
                    .until(() -> send("GET", engine.httpUrl() + "/api/v1/incidents/" + id + "/postmortem", VIEWER, null).body(),
                            body -> body.contains("Responders by role") && body.contains("skipped"));
            assertThat(review).contains("| War room | [#" + name + "](", "commander", "carol", "## Runbooks", "High error rate", "**done**",
                    "errors began with deploy 4.3.0", "in tier core-api", "(RTO)");

            // A drill through the normal path, marked and left out of the figures, reported on its own.
            Run drill = incidentctl(engine, "drill", "start", "--service", "checkout", "--scenario", "database-failover",
                    "--url", engine.httpUrl(), "--token", RESPONDER, "-o", "json");
            assertThat(drill.exit()).as(drill.err()).isZero();
            String drillIncident = JSON.readTree(drill.out()).get("incidentId").asText();
            assertThat(incident(engine, drillIncident).path("drill").asText()).isEqualTo("database-failover");
            assertThat(incidentctl(engine, "drill", "end", drillIncident, "--url", engine.httpUrl(), "--token", RESPONDER).exit()).isZero();
            Run report = incidentctl(engine, "drill", "report", "--since", "1d", "--bootstrap-servers", engine.bootstrap(), "-o", "json");
            assertThat(report.exit()).as(report.err()).isZero();
            assertThat(JSON.readTree(report.out()).get("drills")).singleElement()
                    .satisfies(row -> assertThat(row.get("incidentId").asText()).isEqualTo(drillIncident));
        } finally {
            engine.stop();
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run incidentctl(LocalEngine engine, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Incidentctl.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private JsonNode incident(LocalEngine engine, String id) throws Exception {
        return JSON.readTree(send("GET", engine.httpUrl() + "/api/v1/incidents/" + id, VIEWER, null).body());
    }

    private HttpResponse<String> send(String method, String url, String bearer, String body) throws Exception {
        return EngineCalls.send(http, method, url, bearer, body);
    }
}
