package dev.incidentengine.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import static dev.incidentengine.cli.ApiClient.query;

/** {@code incidentctl role ID ROLE USER}: take or hand over a response role; {@code --release} gives it up. */
@Command(name = "role", description = "Take or hand over a response role (role INC-1 commander alice), or --release it.")
final class RoleCommand implements Callable<Integer> {

    @Mixin
    Connection connection;

    @Parameters(index = "0", paramLabel = "ID", description = "The incident.")
    String id;

    @Parameters(index = "1", paramLabel = "ROLE", description = "A role id: commander, communications, technical, operations, scribe, …")
    String role;

    @Parameters(index = "2", paramLabel = "USER", arity = "0..1", description = "Who takes the role (the holder hands it over).")
    String user;

    @Option(names = "--release", description = "Nobody holds the role any more.")
    boolean release;

    @Option(names = {"-m", "--reason"})
    String reason;

    @Override
    public Integer call() {
        if (release == (user != null)) {
            throw new CliError(CliError.USAGE, "give USER to take or hand over the role, or --release (not both)");
        }
        String path = IncidentCommands.PREFIX + "/" + encode(id) + "/roles/" + encode(role);
        JsonNode outcome = connection.client().send(release ? "DELETE" : "PUT", path, query("wait", "true"),
                IncidentCommands.Action.fields("userId", user, "reason", reason));
        Output out = connection.out();
        if (out.json) {
            out.json(outcome);
        } else {
            out.line(describe(outcome));
        }
        return 0;
    }

    /** "INC-1: commander handed over from alice to bob", or what else came of it. */
    private String describe(JsonNode outcome) {
        String result = outcome.path("outcome").asText("ACCEPTED");
        for (JsonNode event : outcome.path("events")) {
            JsonNode assigned = event.path("payload");
            if (assigned.path("type").asText().equals("RoleAssigned")) {
                String from = assigned.path("previousUserId").asText(null);
                String to = assigned.path("userId").asText(null);
                return id + ": " + role + (to == null ? " released (was " + from + ")"
                        : from == null ? " taken by " + to : " handed over from " + from + " to " + to);
            }
        }
        return id + ": " + role + " " + result.toLowerCase(Locale.ROOT)
                + (result.equals("UNCHANGED") ? (release ? " (nobody held it)" : " (" + user + " holds it already)") : "");
    }

    /** The roles on {@code incident show}: who holds each, and those requested while free. */
    static void show(JsonNode incident, Output out) {
        incident.path("roles").fields().forEachRemaining(held ->
                out.line(String.format("%-19s %s", "role " + held.getKey(), held.getValue().asText())));
        incident.path("roleRequests").fields().forEachRemaining(requested ->
                out.line(String.format("%-19s free, requested %s", "role " + requested.getKey(), requested.getValue().asText())));
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
