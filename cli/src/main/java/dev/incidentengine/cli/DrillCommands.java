package dev.incidentengine.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.cli.Output.Column;
import dev.incidentengine.incident.domain.PublicationRules;
import dev.incidentengine.incident.domain.ResponseRules;
import dev.incidentengine.incident.domain.Timeline;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.model.config.StatusPageConfig;
import dev.incidentengine.schemas.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import static dev.incidentengine.cli.ApiClient.query;

/** {@code drill start|end|report}: exercise the response process on a real service, through the normal path, and judge it. */
@Command(name = "drill", description = "Run a drill (an incident marked DRILL everywhere, left out of the response figures) and report on drills.",
        subcommands = {DrillCommands.Start.class, DrillCommands.End.class, DrillCommands.Report.class})
final class DrillCommands {

    static final String DRILLS = "/api/v1/drills";

    @Command(name = "start", description = "Open a drill: its alert goes through the service's route, escalation and runbooks like any other.")
    static final class Start implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Option(names = "--service", required = true, description = "The service drilled (a configured service id).")
        String service;

        @Option(names = "--scenario", required = true, description = "What is drilled, e.g. database-failover (letters, digits, . _ -).")
        String scenario;

        @Option(names = "--severity", description = "SEV0..SEV4 (default SEV1: a major incident's process, with an Incident Commander).")
        String severity;

        @Option(names = "--title", description = "The incident's title (default 'Drill: <scenario> on <service>').")
        String title;

        @Option(names = "--description", description = "What responders should know.")
        String description;

        @Option(names = "--wait", defaultValue = "30s", description = "How long to wait for the incident to open (default ${DEFAULT-VALUE}; 0 does not wait).")
        String wait;

        /** How often the incident is looked for while waiting. */
        private static final Duration POLL = Duration.ofMillis(250);

        @Override
        public Integer call() {
            Duration waitFor = wait.strip().matches("0+s?") ? Duration.ZERO : seconds(wait);
            ApiClient client = connection.client();
            ObjectNode drill = (ObjectNode) client.post(DRILLS, Map.of(), IncidentCommands.Action.fields("service", service, "scenario", scenario,
                    "severity", severity, "title", title, "description", description));
            String drillId = drill.path("drillId").asText();
            JsonNode incident = waitFor.isZero() ? null : await(client, drillId, waitFor);
            drill.put("incidentId", incident == null ? null : incident.path("incidentId").asText());
            Output out = connection.out();
            if (out.json) {
                out.json(drill);
            } else if (incident != null) {
                out.line("DRILL " + drillId + " started: incident " + incident.path("incidentId").asText() + " (" + incident.path("severity").asText()
                        + " on " + incident.path("service").asText() + ", scenario " + drill.path("scenario").asText() + ")");
                out.line("End it with: incidentctl drill end " + incident.path("incidentId").asText());
            } else {
                out.line("DRILL " + drillId + " started (its alert is stored); find its incident with: incidentctl incidents list --search " + drillId);
            }
            if (incident == null && !waitFor.isZero()) {
                throw new CliError(CliError.FAILED, "drill " + drillId + ": no incident opened within " + wait
                        + " (its alert may be held by a silence or an inhibition rule, or incident-stream is behind); look again with"
                        + " incidentctl incidents list --search " + drillId);
            }
            return 0;
        }

        /** The drill's incident once the read side lists it (its id is a search word: the drill_id label). */
        private static JsonNode await(ApiClient client, String drillId, Duration waitFor) {
            Instant deadline = Instant.now().plus(waitFor);
            while (true) {
                JsonNode page = client.get(IncidentCommands.PREFIX, query("search", drillId, "limit", "1"));
                for (JsonNode incident : page.path("incidents")) {
                    return incident;
                }
                if (Instant.now().isAfter(deadline)) {
                    return null;
                }
                LockSupport.parkNanos(POLL.toNanos());
            }
        }

        private static Duration seconds(String text) {
            String value = text.strip().toLowerCase(Locale.ROOT);
            if (value.matches("\\d{1,6}s?")) {
                return Duration.ofSeconds(Long.parseLong(value.replace("s", "")));
            }
            return Periods.span(value, "--wait");
        }
    }

    @Command(name = "end", description = "End a drill: resolve its incident (refused for an incident that is not a drill).")
    static final class End extends IncidentCommands.Action {
        @Option(names = {"-m", "--message"}, description = "The resolution (default 'Drill ended').")
        String message;

        String action() {
            return "resolve";
        }

        Map<String, Object> body() {
            return fields("resolution", message == null ? "Drill ended" : message);
        }

        @Override
        public Integer call() {
            JsonNode incident = connection.client().get(IncidentCommands.PREFIX + "/" + id, Map.of());
            if (!incident.hasNonNull("drill")) {
                throw new CliError(CliError.REFUSED, id + " is not a drill; resolve a real incident with incidentctl resolve " + id);
            }
            return super.call();
        }
    }

    @Command(name = "report", description = "Each drill of a period: time to acknowledge, incident commander in time, status updates on cadence, "
            + "runbook steps done, a verdict; and totals. Replayed from Kafka.")
    static final class Report implements Callable<Integer> {
        @Mixin
        KafkaSource kafka;

        @Mixin
        OutputFormat format;

        @Option(names = "--since", defaultValue = "90d", description = "Drills opened since: a span back from now (90d), a date or an RFC 3339 time (default ${DEFAULT-VALUE}: a quarter).")
        String since;

        @Option(names = "--until", description = "Drills opened before: a date (its end), an RFC 3339 time, or a span back from now (default: now).")
        String until;

        @Option(names = "--update-every", description = "The status update cadence drills are judged by (default: the status page's "
                + "updateEveryMinutes for the drill's severity, the page's defaults when none is configured).")
        String updateEvery;

        @Option(names = "--status-page", defaultValue = PublicationRules.DEFAULT_ID, description = "The status page whose cadence applies (default ${DEFAULT-VALUE}).")
        String statusPage;

        @Override
        public Integer call() {
            Output out = format.out();
            Instant now = Instant.now();
            Instant from = moment(since, "--since", now);
            Instant to = until == null ? now : moment(until, "--until", now);
            if (!from.isBefore(to)) {
                throw new CliError(CliError.USAGE, "--since must be before --until");
            }
            IncidentLog log = kafka.log();
            DrillReport report = new DrillReport(from, to, rules(log), cadence(log));
            // Only the period's start bounds the read: a drill's acknowledgement or resolution may come after --until.
            log.readAll(Topics.INCIDENT_EVENTS, from, record -> {
                if (record.value() != null) {
                    report.event(record.key(), record.value());
                }
            });
            ObjectNode json = report.json(now);
            if (out.json) {
                out.json(json);
                return 0;
            }
            JsonNode totals = json.get("totals");
            out.line(totals.get("drills").asInt() + " drills opened from " + json.get("since").asText() + " to " + json.get("until").asText()
                    + ": " + totals.get("passed").asInt() + " passed");
            if (totals.get("drills").asInt() == 0) {
                return 0;
            }
            out.line("");
            out.table(json.get("drills"), Column.field("INCIDENT", "incidentId"), Column.field("SCENARIO", "scenario"),
                    Column.field("SERVICE", "service"), Column.field("SEV", "severity"),
                    new Column("ACK (TARGET)", row -> span(row.path("acknowledge").path("seconds")) + " ("
                            + span(row.path("acknowledge").path("targetSeconds")) + ")"),
                    new Column("ACK vs TARGET", row -> bar(row.path("acknowledge").path("seconds"), row.path("acknowledge").path("targetSeconds"))),
                    new Column("IC", row -> judged(row.path("commander").path("inTime"), span(row.path("commander").path("afterSeconds")))),
                    new Column("UPDATES", row -> judged(row.path("statusUpdates").path("onCadence"), row.path("statusUpdates").path("count").asText()
                            + ", longest gap " + span(row.path("statusUpdates").path("longestGapSeconds")))),
                    new Column("RUNBOOK", row -> row.path("runbookSteps").path("done").asText() + "/" + row.path("runbookSteps").path("total").asText()),
                    new Column("VERDICT", row -> row.path("verdict").asText() + (row.path("misses").isEmpty() ? ""
                            : ": " + String.join(", ", texts(row.path("misses"))))));
            out.line("");
            out.line("Acknowledged in time " + totals.get("acknowledgedInTime").asInt() + "/" + totals.get("drills").asInt()
                    + "; incident commander in time " + totals.get("commanderInTime").asInt() + "/" + totals.get("commanderRequired").asInt()
                    + "; updates on cadence " + totals.get("onCadence").asInt() + "/" + totals.get("cadenceJudged").asInt()
                    + "; runbook steps done " + totals.get("runbookStepsDone").asInt() + "/" + totals.get("runbookSteps").asInt());
            return 0;
        }

        /** The roles as configured ({@code config.roles.v1}, read whole: a few records), else the defaults. */
        private static ResponseRules rules(IncidentLog log) {
            Map<String, RoleConfig> roles = new HashMap<>();
            log.readAll(Topics.CONFIG_ROLES, Instant.EPOCH, record -> {
                if (record.value() == null) {
                    roles.remove(record.key());
                } else {
                    roles.put(record.key(), record.value());
                }
            });
            return ResponseRules.of(roles.values(), List.of(), List.of(), List.of(), List.of());
        }

        /** {@code --update-every}, else the configured status page's cadence per severity ({@code config.status-pages.v1}). */
        private Function<Severity, Optional<Duration>> cadence(IncidentLog log) {
            if (updateEvery != null) {
                Duration every = Periods.span(updateEvery, "--update-every");
                return severity -> Optional.of(every);
            }
            Map<String, StatusPageConfig> pages = new HashMap<>();
            log.readAll(Topics.CONFIG_STATUS_PAGES, Instant.EPOCH, record -> {
                if (record.value() == null) {
                    pages.remove(record.key());
                } else {
                    pages.put(record.key(), record.value());
                }
            });
            PublicationRules page = PublicationRules.of(new ArrayList<>(pages.values()), statusPage);
            // No page configured: a page's default cadence (StatusPageConfig.updateEveryMinutes: 30 min for SEV0/1, 2 h, 1 day).
            PublicationRules judged = page.exists() ? page
                    : PublicationRules.of(StatusPageConfig.newBuilder().setId(statusPage).setName(statusPage).setComponents(List.of()).build());
            return judged::cadence;
        }

        /** A span back from now (90d), else a date or time. */
        private static Instant moment(String text, String option, Instant now) {
            String value = text.strip();
            return value.matches("\\d{4}-\\d{2}-\\d{2}") || value.contains("T") ? Periods.when(value, option, now)
                    : now.minus(Periods.span(value, option));
        }

        private static String span(JsonNode seconds) {
            return seconds.isNull() || seconds.isMissingNode() ? "-" : Timeline.span(Duration.ofSeconds(seconds.asLong()));
        }

        private static String judged(JsonNode verdict, String detail) {
            return (verdict.isNull() || verdict.isMissingNode() ? "n/a" : verdict.asBoolean() ? "ok" : "MISSED") + " (" + detail + ")";
        }

        /** Time taken against the target at a glance: ten cells are the target; past it the bar ends in '!'. */
        static String bar(JsonNode seconds, JsonNode target) {
            if (seconds.isNull() || seconds.isMissingNode()) {
                return "never";
            }
            long cells = Math.round(10.0 * seconds.asLong() / Math.max(1, target.asLong()));
            return cells <= 10 ? "#".repeat((int) cells) + ".".repeat(10 - (int) cells) : "#".repeat(10) + "!";
        }

        private static List<String> texts(JsonNode array) {
            List<String> texts = new ArrayList<>();
            array.forEach(node -> texts.add(node.asText()));
            return texts;
        }
    }
}
