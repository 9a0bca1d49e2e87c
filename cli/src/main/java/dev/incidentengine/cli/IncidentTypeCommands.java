package dev.incidentengine.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.cli.Output.Column;
import dev.incidentengine.incident.domain.Timeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import static dev.incidentengine.cli.IncidentCommands.PREFIX;

/** {@code incident type ID TYPE}, {@code incident types}, and the response targets {@code incident show} prints. */
final class IncidentTypeCommands {

    private IncidentTypeCommands() {
    }

    @Command(name = "type", description = "Set the incident's type (service-outage, security-incident, …: see 'incident types').")
    static final class SetType implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "ID", description = "The incident.")
        String id;

        @Parameters(index = "1", paramLabel = "TYPE", description = "A type id.")
        String type;

        @Override
        public Integer call() {
            // PUT answers once the aggregate decided: applied, unchanged (already of that type), or a refusal (exit 5).
            JsonNode outcome = connection.client().put(PREFIX + "/" + id + "/type", Map.of(), Map.of("incidentType", type));
            Output out = connection.out();
            if (out.json) {
                out.json(outcome);
            } else {
                out.line(id + ": type " + outcome.path("outcome").asText("ACCEPTED").toLowerCase(Locale.ROOT)
                        + (outcome.path("incident").isObject() ? " (now " + outcome.path("incident").path("incidentType").asText() + ")" : ""));
            }
            return 0;
        }
    }

    @Command(name = "types", description = "The incident types routes and people set, and reports filter by.")
    static final class Types implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Override
        public Integer call() {
            JsonNode types = connection.client().get("/api/v1/incident-types", Map.of());
            Output out = connection.out();
            if (out.json) {
                out.json(types);
            } else {
                out.table(types.path("incidentTypes"), Column.field("ID", "id"), Column.field("NAME", "name"),
                        new Column("DESCRIPTION", row -> row.path("description").asText("")));
            }
            return 0;
        }
    }

    /** The line of {@code incident show}: the targets at its severity now, and whose they are. */
    static void targets(JsonNode incident, Output out) {
        JsonNode targets = incident.path("responseTargets");
        if (!targets.isObject()) {
            return;
        }
        out.line(String.format("%-19s acknowledge within %s, resolve within %s (%s)", "targets",
                Timeline.span(Duration.ofSeconds(targets.path("acknowledgeSeconds").asLong())),
                Timeline.span(Duration.ofSeconds(targets.path("resolveSeconds").asLong())),
                targets.path("fromTier").asBoolean() ? "tier " + incident.path("tier").asText() : "the engine's default"));
    }
}
