package dev.incidentengine.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.testkit.OpenApiContract;
import dev.incidentengine.testkit.TopicContents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The engine as a drop-in for Alertmanager, on the local engine's one port: a real Prometheus
 * (Debian's {@code prometheus}) evaluating an always-firing rule sends straight to it and an incident
 * opens; the real {@code amtool} (Debian's {@code prometheus-alertmanager}) lists the alerts and adds,
 * queries and expires a silence; every answer is checked against Alertmanager 0.25's OpenAPI document.
 */
class AlertmanagerApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OpenApiContract CONTRACT = OpenApiContract.load(OpenApiContract.ALERTMANAGER_0_25);
    private static final String KEY = "demo-integration-key-change-me";
    private static final String VIEWER = "demo-viewer-token-change-me";
    private static final String RESPONDER = "demo-responder-token-change-me";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    private static LocalEngine engine;
    private static final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void startEngine() throws Exception {
        engine = new LocalEngine();
        new CommandLine(engine).parseArgs(
                "--data-dir", dir.resolve("engine").toString(),
                "--kafka-port", Integer.toString(TopicContents.freePort()),
                "--controller-port", Integer.toString(TopicContents.freePort()),
                "--http-port", "0",
                "--sink-port", "0",
                "--smtp-port", "0",
                "--config-dir", Path.of("../local").toString());
        engine.start();
    }

    @AfterAll
    static void stop() {
        processes.forEach(Process::destroyForcibly);
        if (engine != null) {
            engine.stop();
        }
    }

    @Test
    void prometheusAlertingStraightAtTheEngine_opensAnIncident_andAmtoolListsItsAlert() throws Exception {
        assumeToolsInstalled();
        URI engineUrl = URI.create(engine.httpUrl());
        Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: amapi
                    interval: 1s
                    rules:
                      - alert: AmApiAlwaysFiring
                        expr: vector(1)
                        labels: {severity: critical}
                        annotations: {summary: "Always firing (Alertmanager API IT)"}
                """);
        Files.writeString(dir.resolve("prometheus.yml"), """
                global: {evaluation_interval: 1s}
                rule_files: [rules.yml]
                alerting:
                  alertmanagers:
                    - api_version: v2
                      authorization: {credentials: %s}
                      static_configs: [{targets: ["%s:%d"]}]
                """.formatted(KEY, engineUrl.getHost(), engineUrl.getPort()));
        start(List.of("/usr/bin/prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
                // Its first send comes before it has discovered the engine and is dropped; resend soon, not a minute later.
                "--rules.alert.resend-delay=1s", "--web.listen-address=127.0.0.1:" + TopicContents.freePort()),
                dir.resolve("prometheus.log"));

        // The demo routes correlate by service: the alert opens an incident, or joins the one open for its service.
        String filter = "?filter=" + encode("alertname=\"AmApiAlwaysFiring\"");
        JsonNode group;
        try {
            group = await("Prometheus' alert in an open incident").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> json(get("/api/v2/alerts/groups" + filter, VIEWER).body()), groups -> groups.size() == 1).get(0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("Prometheus' log:\n" + Files.readString(dir.resolve("prometheus.log")), e);
        }
        JsonNode incident = json(get("/api/v1/incidents/" + group.get("labels").get("incident").asText(), VIEWER).body());
        assertThat(incident.get("status").asText()).isEqualTo("TRIGGERED");

        HttpResponse<String> alerts = get("/api/v2/alerts" + filter, VIEWER);
        assertThat(CONTRACT.violations("get", "/alerts", alerts.statusCode(), json(alerts.body()))).isEmpty();
        JsonNode alert = json(alerts.body()).get(0);
        assertThat(alert.get("labels").get("alertname").asText()).isEqualTo("AmApiAlwaysFiring");
        assertThat(alert.get("annotations").get("summary").asText()).isEqualTo("Always firing (Alertmanager API IT)");
        assertThat(alert.get("status").get("state").asText()).isEqualTo("active");
        assertThat(Instant.parse(alert.get("endsAt").asText())).as("Prometheus sends endsAt ahead").isAfter(Instant.now());
        HttpResponse<String> groups = get("/api/v2/alerts/groups", VIEWER);
        assertThat(CONTRACT.violations("get", "/alerts/groups", groups.statusCode(), json(groups.body()))).isEmpty();

        assertThat(amtool("alert", "query")).contains("AmApiAlwaysFiring", "Always firing (Alertmanager API IT)");
        assertThat(amtool("alert", "query", "alertname=NoSuchAlert")).doesNotContain("AmApiAlwaysFiring");
    }

    @Test
    void amtoolAddsQueriesAndExpiresASilence() throws Exception {
        assumeToolsInstalled();
        String id = amtool("silence", "add", "alertname=AmApiMaintenance", "env=~\"dev|test\"", "--comment=Alertmanager API IT",
                "--duration=2h").strip();
        assertThat(id).matches("[0-9a-f-]{36}");

        assertThat(amtool("silence", "query")).contains(id, "AmApiMaintenance", "Alertmanager API IT");
        assertThat(amtool("silence", "query", "alertname=AmApiMaintenance")).contains(id);
        HttpResponse<String> silence = get("/api/v2/silence/" + id, VIEWER);
        assertThat(CONTRACT.violations("get", "/silence/{silenceID}", silence.statusCode(), json(silence.body()))).isEmpty();
        assertThat(json(silence.body()).get("createdBy").asText()).as("the token's user").isEqualTo("alice");
        assertThat(json(silence.body()).get("status").get("state").asText()).isEqualTo("active");
        // The engine's own API sees the same silence.
        assertThat(get("/api/v1/silences/" + id, VIEWER).body()).contains("AmApiMaintenance", "REGEX");

        amtool("silence", "expire", id);

        assertThat(amtool("silence", "query")).doesNotContain(id);
        assertThat(amtool("silence", "query", "--expired")).contains(id);
        HttpResponse<String> silences = get("/api/v2/silences", VIEWER);
        assertThat(CONTRACT.violations("get", "/silences", silences.statusCode(), json(silences.body()))).isEmpty();
    }

    @Test
    void postedAlerts_theValidOnesOfABatchAreStored_andEveryEndpointAnswersItsDocumentedStatuses() throws Exception {
        String batch = """
                [{"labels":{"alertname":"AmApiPosted","instance":"it-1"},"annotations":{"summary":"Posted through /api/v2/alerts"}},
                 {"labels":{"bad-name":"x"}}]""";
        HttpResponse<String> posted = send("POST", "/api/v2/alerts", "Basic " + basic("prometheus", KEY), batch);
        assertThat(posted.statusCode()).isEqualTo(400);
        assertThat(CONTRACT.violations("post", "/alerts", posted.statusCode(), json(posted.body()))).isEmpty();
        assertThat(json(posted.body()).textValue()).contains("[1].labels: invalid label name 'bad-name'");
        await("the valid alert of the batch opened an incident").atMost(Duration.ofSeconds(30)).until(() ->
                json(get("/api/v2/alerts?filter=alertname%3DAmApiPosted", VIEWER).body()).size() == 1);
        HttpResponse<String> ok = send("POST", "/api/v2/alerts", "Bearer " + KEY, "[{\"labels\":{\"alertname\":\"AmApiPosted\"}}]");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEmpty();

        assertThat(send("POST", "/api/v2/alerts", "Bearer " + VIEWER, "[]").statusCode()).as("an API token is no integration key")
                .isEqualTo(403);
        assertThat(get("/api/v2/alerts", null).statusCode()).isEqualTo(401);
        HttpResponse<String> viewerSilence = send("POST", "/api/v2/silences", "Bearer " + VIEWER, "{}");
        assertThat(viewerSilence.statusCode()).isEqualTo(403);
        assertThat(json(viewerSilence.body()).textValue()).contains("needs the role responder");
        HttpResponse<String> badSilence = send("POST", "/api/v2/silences", "Bearer " + RESPONDER, "{\"matchers\":[]}");
        assertThat(badSilence.statusCode()).isEqualTo(400);
        assertThat(CONTRACT.violations("post", "/silences", 400, json(badSilence.body()))).isEmpty();
        HttpResponse<String> unknownId = send("POST", "/api/v2/silences", "Bearer " + RESPONDER, """
                {"id":"00000000-0000-0000-0000-000000000000","matchers":[{"name":"a","value":"b","isRegex":false}],
                 "startsAt":"%s","endsAt":"%s","createdBy":"it","comment":"c"}""".formatted(Instant.now(), Instant.now().plusSeconds(60)));
        assertThat(unknownId.statusCode()).isEqualTo(404);
        assertThat(CONTRACT.violations("post", "/silences", 404, json(unknownId.body()))).isEmpty();
        assertThat(get("/api/v2/silence/no-such-silence", VIEWER).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/api/v2/silence/no-such-silence", "Bearer " + RESPONDER, null).statusCode()).isEqualTo(404);
        HttpResponse<String> badFilter = get("/api/v2/alerts?active=maybe", VIEWER);
        assertThat(badFilter.statusCode()).isEqualTo(400);
        assertThat(CONTRACT.violations("get", "/alerts", 400, json(badFilter.body()))).isEmpty();

        HttpResponse<String> status = get("/api/v2/status", VIEWER);
        assertThat(CONTRACT.violations("get", "/status", status.statusCode(), json(status.body()))).isEmpty();
        HttpResponse<String> receivers = get("/api/v2/receivers", VIEWER);
        assertThat(CONTRACT.violations("get", "/receivers", receivers.statusCode(), json(receivers.body()))).isEmpty();
        assertThat(receivers.body()).contains("{\"name\":\"checkout\"}");
    }

    /** Debian's prometheus and amtool; CI installs them and sets PROMETHEUS_REQUIRED=1, so there they fail rather than skip. */
    private static void assumeToolsInstalled() {
        boolean installed = Files.isExecutable(Path.of("/usr/bin/prometheus")) && Files.isExecutable(Path.of("/usr/bin/amtool"));
        org.junit.jupiter.api.Assumptions.assumeTrue(installed || "1".equals(System.getenv("PROMETHEUS_REQUIRED")),
                "apt-get install prometheus prometheus-alertmanager to run this test");
    }

    /** Runs amtool against the engine with the responder's API token, as its HTTP config file sends it; its output. */
    private static String amtool(String... args) throws Exception {
        Path config = dir.resolve("amtool-http.yml");
        if (!Files.exists(config)) {
            Files.writeString(config, "authorization:\n  credentials: " + RESPONDER + "\n");
        }
        List<String> command = new ArrayList<>(List.of("/usr/bin/amtool", "--alertmanager.url=" + engine.httpUrl(),
                "--http.config.file=" + config));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(dir, "amtool", ".out");
        Process process = start(command, output);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("amtool finished").isTrue();
        String text = Files.readString(output);
        assertThat(process.exitValue()).as(String.join(" ", args) + ": " + text).isZero();
        assertThat(text).as("amtool takes the engine for its own Alertmanager version").doesNotContain("Warning");
        return text;
    }

    private static Process start(List<String> command, Path output) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        processes.add(process);
        return process;
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        return send("GET", path, token == null ? null : "Bearer " + token, null);
    }

    private static HttpResponse<String> send(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(engine.httpUrl() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }
}
