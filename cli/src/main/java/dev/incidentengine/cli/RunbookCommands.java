package dev.incidentengine.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.cli.Output.Column;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import static dev.incidentengine.cli.ApiClient.query;

/**
 * {@code runbook show|attach|step|list}: the runbooks an incident follows and their steps. Marking a step waits for its
 * outcome, as every incident command does; marking it the same way again changes nothing.
 */
@Command(name = "runbook", description = "The runbooks an incident follows: show them, attach one, mark a step done or skipped.",
        subcommands = {RunbookCommands.Show.class, RunbookCommands.Attach.class, RunbookCommands.Step.class, RunbookCommands.ListRunbooks.class})
final class RunbookCommands {

    static final String RUNBOOKS = "/api/v1/runbooks";

    private RunbookCommands() {
    }

    @Command(name = "show", description = "The incident's runbooks, each step with its outcome (done, skipped or not done).")
    static final class Show implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "ID", description = "The incident.")
        String id;

        @Override
        public Integer call() {
            JsonNode runbooks = connection.client().get(IncidentCommands.PREFIX + "/" + id, Map.of()).path("runbooks");
            Output out = connection.out();
            if (out.json) {
                out.json(runbooks);
                return 0;
            }
            if (runbooks.isEmpty()) {
                out.line(id + ": no runbook attached (incidentctl runbook list; incidentctl runbook attach " + id + " RUNBOOK)");
            }
            for (JsonNode runbook : runbooks) {
                out.line(plain(runbook.path("title").asText()) + " (" + plain(runbook.path("runbookId").asText()) + ")"
                        + (runbook.hasNonNull("url") ? " " + plain(runbook.get("url").asText()) : ""));
                for (JsonNode step : runbook.path("steps")) {
                    String mark = step.hasNonNull("outcome") ? step.get("outcome").asText().toLowerCase(Locale.ROOT) + " by "
                            + plain(step.path("markedBy").asText()) + " at " + step.path("markedAt").asText()
                            + (step.hasNonNull("note") ? ": " + plain(step.get("note").asText()) : "") : "not done";
                    String number = String.format("%3d. ", step.path("number").asInt());
                    out.line(number + "[" + mark + "]");
                    for (String line : plain(step.path("text").asText()).split("\n")) {
                        out.line(" ".repeat(number.length()) + line);
                    }
                }
                out.line("");
            }
            return 0;
        }
    }

    @Command(name = "attach", description = "Attach a configured runbook to the incident (one matched at open is there already).")
    static final class Attach extends IncidentCommands.Action {
        @Parameters(index = "1", paramLabel = "RUNBOOK", description = "The runbook's id (incidentctl runbook list).")
        String runbookId;

        String action() {
            return "runbooks";
        }

        Map<String, Object> body() {
            return fields("runbookId", runbookId);
        }

        @Override
        String describe(JsonNode outcome) {
            return id + ": runbook " + runbookId + " " + outcome.path("outcome").asText("ACCEPTED").toLowerCase(Locale.ROOT)
                    + (outcome.path("events").isEmpty() && outcome.has("events") ? " (already attached)" : "");
        }
    }

    @Command(name = "step", description = "Mark a step of an attached runbook done or skipped, with a note.")
    static final class Step implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "ID", description = "The incident.")
        String id;

        @Parameters(index = "1", paramLabel = "RUNBOOK", description = "The runbook's id.")
        String runbookId;

        @Parameters(index = "2", paramLabel = "N", description = "The step's number, from 1.")
        int step;

        @Parameters(index = "3", paramLabel = "OUTCOME", description = "done or skipped.")
        String outcome;

        @Option(names = {"-m", "--note"}, paramLabel = "TEXT", description = "What was found or why it was skipped.")
        String note;

        @Override
        public Integer call() {
            if (!outcome.equals("done") && !outcome.equals("skipped")) {
                throw new CliError(CliError.USAGE, "OUTCOME must be done or skipped, not '" + outcome + "'");
            }
            JsonNode result = connection.client().put(IncidentCommands.PREFIX + "/" + id + "/runbooks/"
                    + URLEncoder.encode(runbookId, StandardCharsets.UTF_8) + "/steps/" + step, query("wait", "true"),
                    IncidentCommands.Action.fields("outcome", outcome, "note", note));
            Output out = connection.out();
            if (out.json) {
                out.json(result);
            } else {
                long done = 0;
                long total = 0;
                for (JsonNode runbook : result.path("incident").path("runbooks")) {
                    if (runbook.path("runbookId").asText().equals(runbookId)) {
                        total = runbook.path("steps").size();
                        for (JsonNode each : runbook.path("steps")) {
                            done += each.hasNonNull("outcome") ? 1 : 0;
                        }
                    }
                }
                out.line(id + ": " + runbookId + " step " + step + " " + outcome + " "
                        + result.path("outcome").asText("ACCEPTED").toLowerCase(Locale.ROOT)
                        + (result.path("events").isEmpty() && result.has("events") ? " (no change)" : "")
                        + (total > 0 ? " (" + done + " of " + total + " steps marked)" : ""));
            }
            return 0;
        }
    }

    @Command(name = "list", description = "The configured runbooks, in the order they are tried at open.")
    static final class ListRunbooks implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Override
        public Integer call() {
            JsonNode runbooks = connection.client().get(RUNBOOKS, Map.of());
            Output out = connection.out();
            if (out.json) {
                out.json(runbooks);
            } else {
                out.table(runbooks.path("runbooks"), Column.field("ID", "id"), Column.field("PRIORITY", "priority"),
                        new Column("STEPS", row -> Integer.toString(row.path("steps").size())),
                        new Column("TITLE", row -> plain(row.path("title").asText())),
                        new Column("PROBLEM", row -> row.hasNonNull("problem") ? plain(row.get("problem").asText()) : "-"));
            }
            return 0;
        }
    }

    /** Text from config or people as a terminal shows it: control characters (escape sequences) become spaces, lines stay. */
    static String plain(String text) {
        StringBuilder plain = new StringBuilder(text.length());
        text.codePoints().forEach(c -> plain.appendCodePoint(c != '\n' && Character.isISOControl(c) ? ' ' : c));
        return plain.toString();
    }
}
