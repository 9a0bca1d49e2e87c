package dev.incidentengine.deploy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.testkit.SlackServer;
import dev.incidentengine.testkit.TopicContents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The local engine's war rooms: a SEV1 gets a channel in the local Slack-shaped server, recorded on the incident. */
class LocalEngineWarRoomIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VIEWER = "demo-viewer-token-change-me";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    void aSev1GetsAWarRoom_withItsOnCallUserInvited_andTheIncidentShowsIt() throws Exception {
        LocalEngine engine = new LocalEngine();
        new CommandLine(engine).parseArgs("--data-dir", dataDir.toString(), "--kafka-port", Integer.toString(TopicContents.freePort()),
                "--controller-port", Integer.toString(TopicContents.freePort()), "--http-port", "0", "--sink-port", "0", "--smtp-port", "0",
                "--config-dir", Path.of("../local").toString());
        try {
            engine.start();
            SlackServer slack = engine.sinks().slack();
            assertThat(slack).as("deploy/local/secrets/LOCAL_SLACK_BOT_TOKEN starts the Slack-shaped server").isNotNull();

            assertThat(send(engine.httpUrl() + "/api/v1/alerts", "demo-integration-key-change-me",
                    "{\"summary\":\"Checkout <!channel> down\",\"severity\":\"critical\",\"dedupKey\":\"warroom-local-it\"}").statusCode())
                    .isEqualTo(202);
            String id = await("the incident").atMost(Duration.ofSeconds(30)).until(() -> {
                for (JsonNode incident : JSON.readTree(send(engine.httpUrl() + "/api/v1/incidents", VIEWER, null).body()).get("incidents")) {
                    if (incident.get("title").asText().equals("Checkout <!channel> down")) {
                        return incident.get("incidentId").asText();
                    }
                }
                return null;
            }, java.util.Objects::nonNull);
            String name = "incident-" + id.toLowerCase(Locale.ROOT);

            // The on-call user (alice or bob) is paged; alice has a Slack id in deploy/local/people.yaml.
            await("the war room with its summary pinned").atMost(Duration.ofSeconds(60))
                    .until(() -> slack.channel(name) != null && slack.channel(name).pinned().size() == 1);
            JsonNode incident = await("recorded on the incident").atMost(Duration.ofSeconds(30))
                    .until(() -> JSON.readTree(send(engine.httpUrl() + "/api/v1/incidents/" + id, VIEWER, null).body()),
                            shown -> shown.path("warRoom").isObject());
            assertThat(incident.path("warRoom").path("system").asText()).isEqualTo("slack");
            assertThat(incident.path("warRoom").path("name").asText()).isEqualTo("#" + name);
            assertThat(incident.path("warRoom").path("url").asText()).isEqualTo(slack.url() + "?channel=" + slack.channel(name).id());
            assertThat(send(engine.httpUrl() + "/api/v1/incidents/" + id + "/postmortem", VIEWER, null).body())
                    .contains("| War room | [#" + name + "](", "war room #" + name + " (slack)");
            // People look at the local Slack with a GET.
            assertThat(send(slack.url(), null, null).body()).contains(name, "Checkout &lt;!channel&gt; down");
        } finally {
            engine.stop();
        }
    }

    private HttpResponse<String> send(String url, String bearer, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (body != null) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
