package dev.incidentengine.cli;

import java.util.LinkedHashMap;
import java.util.List;
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

/** {@code incidents list|show} and the commands people give an incident; each command waits for its outcome. */
@Command(name = "incidents", description = "List and show incidents.", subcommands = {IncidentCommands.ListIncidents.class,
        IncidentCommands.Show.class})
final class IncidentCommands {

    static final String PREFIX = "/api/v1/incidents";

    @Command(name = "list", description = "Incidents, newest first.")
    static final class ListIncidents implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Option(names = "--status", description = "TRIGGERED, ACKNOWLEDGED, RESOLVED, CLOSED (comma-separated).")
        String status;

        @Option(names = "--service", description = "Service ids (comma-separated).")
        String service;

        @Option(names = "--severity", description = "SEV0..SEV4 (comma-separated).")
        String severity;

        @Option(names = "--assignee", description = "User ids (comma-separated); 'me' is the token's user.")
        String assignee;

        @Option(names = "--mine", description = "Assigned to the token's user: --assignee me.")
        boolean mine;

        @Option(names = "--since", description = "Opened at or after: an RFC 3339 time.")
        String since;

        @Option(names = "--search", description = "Words that must all be in the incident's title, service or labels, "
                + "or its alerts' labels (whole words, any case).")
        String search;

        @Option(names = "--limit", defaultValue = "50", description = "At most this many (default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() {
            String assignees = mine ? (assignee == null ? "me" : assignee + ",me") : assignee;
            JsonNode page = connection.client().get(PREFIX, query("status", status, "service", service, "severity", severity,
                    "assignee", assignees, "since", since, "search", search, "limit", Integer.toString(limit)));
            Output out = connection.out();
            if (out.json) {
                out.json(page);
            } else {
                out.table(page.path("incidents"), Column.field("ID", "incidentId"), Column.field("STATUS", "status"),
                        Column.field("SEV", "severity"), Column.field("SERVICE", "service"), Column.field("OPENED", "openedAt"),
                        new Column("ALERTS", row -> row.path("firingAlertCount").asText() + "/" + row.path("alertCount").asText()),
                        new Column("TITLE", row -> (row.hasNonNull("drill") ? "[DRILL] " : "") + row.path("title").asText()));
            }
            return 0;
        }
    }

    @Command(name = "show", description = "One incident with its alerts.")
    static final class Show implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            JsonNode incident = connection.client().get(PREFIX + "/" + id, Map.of());
            Output out = connection.out();
            if (out.json) {
                out.json(incident);
                return 0;
            }
            if (incident.hasNonNull("drill")) {
                out.line("DRILL (scenario " + incident.get("drill").asText() + "): an exercise, not a real incident; end it with"
                        + " incidentctl drill end " + id);
            }
            for (String field : List.of("incidentId", "title", "status", "severity", "service", "incidentType", "tier", "drill", "assigneeUserId",
                    "escalationPolicyId", "openedAt", "acknowledgedAt", "resolvedAt", "closedAt", "snoozedUntil", "mergedInto")) {
                if (incident.hasNonNull(field)) {
                    out.line(String.format("%-19s %s", field, incident.get(field).asText()));
                }
            }
            IncidentTypeCommands.targets(incident, out);
            out.line(String.format("%-19s %d firing of %d", "alerts", incident.path("firingAlertCount").asInt(),
                    incident.path("alertCount").asInt()));
            for (JsonNode ticket : incident.path("tickets")) {
                out.line(String.format("%-19s %s (%s%s) %s", "ticket", ticket.path("key").asText(), ticket.path("system").asText(),
                        ticket.hasNonNull("actionItemId") ? ", " + ticket.path("actionItemId").asText() : "", ticket.path("url").asText()));
            }
            JsonNode room = incident.path("warRoom");
            if (room.isObject()) {
                out.line(String.format("%-19s %s (%s%s) %s", "warRoom", room.path("name").asText(), room.path("system").asText(),
                        incident.hasNonNull("warRoomArchivedAt") ? ", archived " + incident.get("warRoomArchivedAt").asText() : "",
                        room.path("url").asText()));
            }
            RoleCommand.show(incident, out);
            out.line("");
            out.table(incident.path("alerts"), Column.field("FINGERPRINT", "fingerprint"), Column.field("STATUS", "status"),
                    new Column("SUMMARY", row -> row.path("alert").path("summary").asText("-")));
            if (incident.hasNonNull("alertsNextCursor")) {
                out.line("… the first " + incident.path("alerts").size() + " alerts; all of them: GET " + PREFIX + "/" + id
                        + "/alerts");
            }
            return 0;
        }
    }

    /** A command on one incident: POST {@code /api/v1/incidents/ID/ACTION?wait=true}, then what came of it. */
    abstract static class Action implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "ID", description = "The incident.")
        String id;

        abstract String action();

        abstract Map<String, Object> body();

        @Override
        public Integer call() {
            JsonNode outcome = connection.client().post(PREFIX + "/" + id + "/" + action(), query("wait", "true"), body());
            Output out = connection.out();
            if (out.json) {
                out.json(outcome);
            } else {
                out.line(describe(outcome));
            }
            return 0;
        }

        /** The line for people: what came of the command and where the incident is now. */
        String describe(JsonNode outcome) {
            JsonNode incident = outcome.path("incident");
            return id + ": " + action() + " " + outcome.path("outcome").asText("ACCEPTED").toLowerCase(Locale.ROOT)
                    + (incident.isObject() ? " (now " + incident.path("status").asText() + ", " + incident.path("severity").asText() + ")" : "");
        }

        static Map<String, Object> fields(Object... pairs) {
            Map<String, Object> body = new LinkedHashMap<>();
            for (int i = 0; i < pairs.length; i += 2) {
                if (pairs[i + 1] != null) {
                    body.put((String) pairs[i], pairs[i + 1]);
                }
            }
            return body;
        }
    }

    @Command(name = "ack", description = "Acknowledge: you are on it; escalation stops.")
    static final class Ack extends Action {
        @Option(names = {"-m", "--message"})
        String message;

        String action() {
            return "acknowledge";
        }

        Map<String, Object> body() {
            return fields("message", message);
        }
    }

    @Command(name = "resolve", description = "Resolve the incident.")
    static final class Resolve extends Action {
        @Option(names = {"-m", "--message"}, description = "The resolution.")
        String message;

        String action() {
            return "resolve";
        }

        Map<String, Object> body() {
            return fields("resolution", message);
        }
    }

    @Command(name = "reopen", description = "Reopen a resolved incident.")
    static final class Reopen extends Action {
        @Option(names = {"-m", "--reason"})
        String reason;

        String action() {
            return "reopen";
        }

        Map<String, Object> body() {
            return fields("reason", reason);
        }
    }

    @Command(name = "assign", description = "Assign to a user (paged at once).")
    static final class Assign extends Action {
        @Parameters(index = "1", paramLabel = "USER")
        String user;

        String action() {
            return "assign";
        }

        Map<String, Object> body() {
            return fields("userId", user);
        }
    }

    @Command(name = "severity", description = "Change the severity (SEV0..SEV4, P0..P4, critical, …).")
    static final class Severity extends Action {
        @Parameters(index = "1", paramLabel = "SEVERITY")
        String severity;

        @Option(names = {"-m", "--reason"})
        String reason;

        String action() {
            return "severity";
        }

        Map<String, Object> body() {
            return fields("severity", severity, "reason", reason);
        }
    }

    @Command(name = "note", description = "Add a note to the incident's log.")
    static final class Note extends Action {
        @Parameters(index = "1..*", paramLabel = "TEXT", arity = "1..*")
        List<String> text;

        String action() {
            return "notes";
        }

        Map<String, Object> body() {
            return fields("text", String.join(" ", text));
        }
    }

    @Command(name = "status-update", description = "Post a status update (sent to subscribed channels).")
    static final class StatusUpdate extends Action {
        @Parameters(index = "1..*", paramLabel = "TEXT", arity = "1..*")
        List<String> text;

        String action() {
            return "status-updates";
        }

        Map<String, Object> body() {
            return fields("message", String.join(" ", text));
        }
    }

    @Command(name = "snooze", description = "Snooze for a duration (30m, 2h, 1h30m): escalation pauses until then.")
    static final class Snooze extends Action {
        @Parameters(index = "1", paramLabel = "DURATION")
        String duration;

        String action() {
            return "snooze";
        }

        Map<String, Object> body() {
            return fields("minutes", Periods.minutes(duration, "DURATION"));
        }
    }

    @Command(name = "merge", description = "Merge the incident into another.")
    static final class Merge extends Action {
        @Parameters(index = "1", paramLabel = "INTO")
        String into;

        String action() {
            return "merge";
        }

        Map<String, Object> body() {
            return fields("into", into);
        }
    }

    @Command(name = "close", description = "Close a resolved incident.")
    static final class Close extends Action {
        @Option(names = {"-m", "--reason"})
        String reason;

        String action() {
            return "close";
        }

        Map<String, Object> body() {
            return fields("reason", reason);
        }
    }
}
