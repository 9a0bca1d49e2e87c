package dev.incidentengine.deploy;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.cli.Incidentctl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * incidentctl against the local engine, as a newcomer uses it: every command and its error exits,
 * the newcomer's path (list, acknowledge, resolve, timeline, review) in processes of their own with
 * the environment variables the README gives, the rest in this JVM.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IncidentctlLocalIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VIEWER = "demo-viewer-token-change-me";
    private static final String RESPONDER = "demo-responder-token-change-me";
    private static final String INTEGRATION_KEY = "demo-integration-key-change-me";
    /** The commands that read Kafka rather than call the API, and the unknown one: no --url. */
    private static final Set<String> KAFKA_COMMANDS = Set.of("timeline", "postmortem", "report", "config", "rebuild", "frobnicate");

    /** This test's classpath as incidentctl's own: without the engine's logging backend (the CLI logs nothing). */
    private static final String CLI_CLASSPATH = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(entry -> !entry.contains("logback")).collect(Collectors.joining(File.pathSeparator));

    @TempDir
    static Path dataDir;

    private LocalEngine engine;

    /** What one run printed, and its exit code. */
    private record Run(int exit, String out, String err) {
    }

    @BeforeAll
    void start() throws Exception {
        engine = EngineCalls.localEngine(dataDir, Path.of("../local"));
        engine.start();
    }

    @AfterAll
    void stop() {
        if (engine != null) {
            engine.stop();
        }
    }

    @Test
    void aNewcomerListsAcknowledgesResolvesAndReviewsAnIncident_inProcessesOfTheirOwn() throws Exception {
        String id = alert("Checkout down", "SEV1");

        Run list = process("incidents", "list");
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out()).startsWith("ID").contains(id, "TRIGGERED", "SEV1", "Checkout down");
        assertThat(process("ack", id, "-m", "on it").out()).isEqualTo(id + ": acknowledge applied (now ACKNOWLEDGED, SEV1)\n");
        assertThat(process("resolve", id, "-m", "restarted the pods").out()).isEqualTo(id + ": resolve applied (now RESOLVED, SEV1)\n");
        Run timeline = process("timeline", id);
        assertThat(timeline.exit()).as(timeline.err()).isZero();
        assertThat(timeline.out()).contains("detected: Checkout down", "opened SEV1", "paged level 1", "acknowledged: on it", "alice",
                "resolved: restarted the pods", "review required, due ");
        Run postmortem = process("postmortem", id);
        assertThat(postmortem.out()).startsWith("# Post-incident review: Checkout down (" + id + ")")
                .contains("| Acknowledged | ", " by alice |", "| Review | required, due ", "## Action items");
        // The review is news for the service's channels too: the payments room hears when it is due.
        await("the review's due date at the team's webhook").atMost(Duration.ofSeconds(30)).until(() -> engine.sinks().received().stream()
                .anyMatch(r -> r.to().equals("/hooks/payments-room") && id.equals(r.incidentId()) && r.text().startsWith("review-required")));
        Run unknown = process("incidents", "show", "INC-20261122-0-9999");
        assertThat(unknown.exit()).isEqualTo(3);
        assertThat(unknown.err()).startsWith("incidentctl: ").doesNotContain("Exception", "\tat ");
    }

    @Test
    void everyCommandWorksAgainstTheLocalEngine_andEveryErrorHasItsExit() throws Exception {
        String id = alert("Payments slow", "SEV2");
        String duplicate = alert("Payments slow again", "SEV3");

        assertThat(run("incidents", "show", id, "--token", VIEWER).out()).contains("Payments slow", "TRIGGERED");
        assertThat(run("incidents", "list", "--severity", "SEV2", "--status", "TRIGGERED", "-o", "json", "--token", VIEWER).out()).contains(id);
        assertThat(run("merge", duplicate, id, "--token", RESPONDER).out()).contains("merge applied (now RESOLVED");
        assertThat(run("ack", id, "--token", RESPONDER).out()).contains("(now ACKNOWLEDGED, SEV2)");
        assertThat(run("note", id, "queue", "is", "backed", "up", "--token", RESPONDER).out()).contains("notes applied");
        assertThat(run("status-update", id, "Payments are delayed", "--token", RESPONDER).out()).contains("status-updates applied");
        assertThat(run("severity", id, "SEV1", "-m", "customers waiting", "--token", RESPONDER).out()).contains("(now ACKNOWLEDGED, SEV1)");
        assertThat(run("assign", id, "bob", "--token", RESPONDER).out()).contains("assign applied");
        assertThat(run("snooze", id, "30m", "--token", RESPONDER).out()).contains("snooze applied");
        assertThat(run("resolve", id, "--token", RESPONDER).out()).contains("(now RESOLVED, SEV1)");
        assertThat(run("reopen", id, "-m", "still slow", "--token", RESPONDER).out()).contains("(now TRIGGERED, SEV1)");
        assertThat(run("resolve", id, "-m", "drained the queue", "--token", RESPONDER).out()).contains("(now RESOLVED, SEV1)");
        assertThat(run("review", "show", id, "--token", VIEWER).out()).contains("review: required, due ");
        assertThat(run("review", "action", "add", id, "Alert", "on", "queue", "age", "--owner", "bob", "--due", "7d", "--token", RESPONDER)
                .out()).contains("added AI-1");
        assertThat(run("review", "action", "done", id, "AI-1", "--token", RESPONDER).out()).contains("complete-action-item applied");
        assertThat(run("review", "require", id, "--due", "5d", "--token", RESPONDER).out()).contains("require-review applied");
        assertThat(run("review", "publish", id, "https://wiki.example.com/pir/payments", "--token", RESPONDER).out())
                .contains("publish-review applied");
        assertThat(run("close", id, "--token", RESPONDER).out()).contains("(now CLOSED, SEV1)");
        assertThat(run("review", "show", id, "--token", VIEWER).out()).contains("published", "https://wiki.example.com/pir/payments", "done");

        assertThat(run("oncall", "--schedule", "payments-primary", "--token", VIEWER).out()).containsAnyOf("alice", "bob");
        Run silence = run("silence", "add", "--match", "service=payments", "--for", "1h", "--comment", "maintenance", "-o", "json",
                "--token", RESPONDER);
        assertThat(silence.exit()).as(silence.err()).isZero();
        String silenceId = JSON.readTree(silence.out()).get("id").asText();
        assertThat(run("silence", "list", "--token", VIEWER).out()).contains(silenceId, "maintenance");
        assertThat(run("silence", "expire", silenceId, "--token", RESPONDER).out()).isEqualTo(silenceId + ": expired\n");

        String kafka = engine.bootstrap();
        await("the closed incident's events readable").atMost(Duration.ofSeconds(10)).until(() ->
                run("timeline", id, "--bootstrap-servers", kafka).out().contains("closed"));
        assertThat(run("timeline", id, "--bootstrap-servers", kafka).out()).contains("firing (Payments slow again", "action item AI-1", "review published");
        assertThat(run("postmortem", id, "--bootstrap-servers", kafka).out()).contains("| Review | published ", "| AI-1 | Alert on queue age");
        JsonNode report = JSON.readTree(run("report", "--since", "1d", "-o", "json", "--bootstrap-servers", kafka).out());
        assertThat(report.get("incidents").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(report.get("reviews").get("published").asInt()).isGreaterThanOrEqualTo(1);
        Path config = Files.createDirectories(dataDir.resolve("config"));
        Files.writeString(config.resolve("services.yaml"), "services: [{id: ledger, name: Ledger, escalationPolicyId: payments-default}]\n");
        assertThat(run("config", "apply", "-f", config.toString(), "--bootstrap-servers", kafka).out())
                .isEqualTo("applied: {config.services.v1=1}\n");
        assertThat(run("config", "show", "--kind", "services", "--bootstrap-servers", kafka).out()).contains("ledger", "checkout");
        Files.writeString(config.resolve("services.yaml"), "services: [{id: ledger, name: Ledger, escalationPolicyId: 7}]\n");
        assertThat(run("config", "apply", "-f", config.toString(), "--bootstrap-servers", kafka).exit()).isEqualTo(5);
        Run rebuild = run("rebuild", "--verify", "--bootstrap-servers", kafka);
        assertThat(rebuild.exit()).as(rebuild.out() + rebuild.err()).isZero();

        // The errors people meet, each with its exit code and one line on stderr.
        assertThat(run("incidents", "show", "INC-20261122-0-9999", "--token", VIEWER).exit()).isEqualTo(3);
        assertThat(run("timeline", "INC-20261122-0-9999", "--bootstrap-servers", kafka).exit()).isEqualTo(3);
        assertThat(run("silence", "expire", "no-such-silence", "--token", RESPONDER).exit()).isEqualTo(3);
        assertThat(run("incidents", "list", "--token", "not-a-token")).isEqualTo(new Run(4, "", "incidentctl: not allowed: unknown API token\n"));
        assertThat(run("incidents", "list").exit()).as("no token").isEqualTo(4);
        assertThat(run("ack", id, "--token", VIEWER).exit()).as("a viewer acting").isEqualTo(4);
        assertThat(run("ack", id, "--token", RESPONDER)).isEqualTo(new Run(5, "", "incidentctl: cannot acknowledge a closed incident\n"));
        assertThat(run("severity", id, "SEV9", "--token", RESPONDER).exit()).isEqualTo(5);
        assertThat(run("review", "action", "done", id, "AI-7", "--token", RESPONDER).exit()).isEqualTo(5);
        assertThat(run("snooze", id, "soon", "--token", RESPONDER).exit()).isEqualTo(2);
        assertThat(run("incidents", "list", "-o", "xml", "--token", VIEWER).exit()).isEqualTo(2);
        assertThat(run("frobnicate").exit()).isEqualTo(2);
        Run unreachable = runAt("http://127.0.0.1:1", "incidents", "list", "--token", VIEWER);
        assertThat(unreachable.exit()).isEqualTo(6);
        assertThat(unreachable.err()).contains("cannot connect to http://127.0.0.1:1").doesNotContain("Exception");
    }

    /** Posts a generic alert with the demo integration's key; the id of the incident it opened. */
    private String alert(String summary, String severity) throws Exception {
        String body = JSON.writeValueAsString(Map.of("summary", summary, "severity", severity, "dedupKey", UUID.randomUUID().toString()));
        HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(engine.httpUrl() + "/api/v1/alerts"))
                .header("Authorization", "Bearer " + INTEGRATION_KEY).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        return await(summary + " listed").atMost(Duration.ofSeconds(30)).until(() -> {
            for (JsonNode incident : JSON.readTree(run("incidents", "list", "-o", "json", "--token", VIEWER).out()).get("incidents")) {
                if (incident.get("title").asText().equals(summary)) {
                    return incident.get("incidentId").asText();
                }
            }
            return null;
        }, Objects::nonNull);
    }

    /** incidentctl in a JVM of its own, told where the engine is the way the README says: INCIDENTCTL_* variables. */
    private Run process(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", CLI_CLASSPATH, Incidentctl.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(Map.of("INCIDENTCTL_URL", engine.httpUrl(), "INCIDENTCTL_TOKEN", RESPONDER,
                "INCIDENTCTL_BOOTSTRAP_SERVERS", engine.bootstrap()));
        Path out = dataDir.resolve("out-" + UUID.randomUUID());
        Path err = dataDir.resolve("err-" + UUID.randomUUID());
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("incidentctl " + String.join(" ", args) + " finished").isTrue();
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Run run(String... args) {
        return runAt(engine.httpUrl(), args);
    }

    /** incidentctl in this JVM; the API's commands get {@code --url} (flags follow their subcommand, so it goes last). */
    private static Run runAt(String url, String... args) {
        List<String> line = new ArrayList<>(List.of(args));
        if (!KAFKA_COMMANDS.contains(args[0])) {
            line.addAll(List.of("--url", url));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Incidentctl.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                line.toArray(String[]::new));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
