package dev.incidentengine.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.cli.Output.Column;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import static dev.incidentengine.cli.ApiClient.query;

/**
 * {@code test-notify --user U | --channel C | --all}: a test message through each chosen contact or channel, by the notifier's
 * real delivery path, then a table of what was delivered and one verdict line. Exit 0 when all were delivered, 1 when one
 * failed, 7 when none failed but some result did not come within {@code --timeout}.
 */
@Command(name = "test-notify", description = "Send a test message through each contact of a user, one channel, or everything "
        + "configured, wait for every delivery and report it (needs an admin token: real people get these messages).",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:every test message delivered", "1:a delivery failed",
        "7:no failure, but a result did not come in time (--timeout)", "2-6:as for every command"})
final class TestNotifyCommand implements Callable<Integer> {

    static final String PATH = "/api/v1/notifications/tests";
    private static final Duration POLL = Duration.ofMillis(250);

    @Mixin
    Connection connection;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Scope scope;

    static final class Scope {
        @Option(names = "--user", description = "Every contact of this user.")
        String user;

        @Option(names = "--channel", description = "This channel.")
        String channel;

        @Option(names = "--all", description = "Every contact of every user and every channel.")
        boolean all;
    }

    @Option(names = "--timeout", defaultValue = "60s", description = "How long to wait for the deliveries: 30s, 2m (default ${DEFAULT-VALUE}).")
    String timeout;

    @Option(names = "--notifier-url", description = "The notifier's HTTP API when it runs apart from the engine's API "
            + "(env INCIDENTCTL_NOTIFIER_URL, config notifierUrl:; default: --url).")
    String notifierUrl;

    @Option(names = "--run-id", description = "Repeat this run (its own id, as printed): what it already sent is not sent again.")
    String runId;

    @Override
    public Integer call() throws InterruptedException {
        Duration wait = Periods.wait(timeout, "--timeout");
        Output out = connection.out();
        ApiClient notifier = connection.client(notifierUrl, "INCIDENTCTL_NOTIFIER_URL", "notifierUrl");
        Map<String, Object> body = new LinkedHashMap<>();
        if (scope.user != null) {
            body.put("user", scope.user);
        } else if (scope.channel != null) {
            body.put("channel", scope.channel);
        } else {
            body.put("all", true);
        }
        if (runId != null) {
            body.put("runId", runId);
        }
        JsonNode run = notifier.post(PATH, Map.of(), body);
        String id = run.path("runId").asText();
        if (!out.json) {
            out.line("Test run " + id + ": " + run.path("targets").size() + " test messages sent, waiting up to " + timeout + " for each delivery ...");
        }
        long deadline = System.nanoTime() + wait.toNanos();
        JsonNode results = notifier.get(PATH + "/" + id, query());
        while (!TestRun.complete(run, results) && System.nanoTime() < deadline) {
            Thread.sleep(POLL.toMillis());
            results = notifier.get(PATH + "/" + id, query());
        }
        ObjectNode report = TestRun.report(run, results);
        if (out.json) {
            out.json(report);
        } else {
            out.table(report.get("targets"), new Column("TARGET", row -> row.path("kind").asText() + " " + row.path("id").asText()),
                    Column.field("VIA", "channel"), Column.field("ADDRESS", "address"), Column.field("RESULT", "result"),
                    Column.field("REASON", "reason"), new Column("LATENCY", row -> row.path("latencyMillis").isNumber()
                            ? row.get("latencyMillis").asLong() + " ms" : "-"));
            out.line("");
            out.line(report.get("verdict").asText());
        }
        return report.get("exitCode").asInt();
    }
}
