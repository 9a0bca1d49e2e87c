package dev.incidentengine.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code incident publish|public-update}: an incident on the status page. Public text only: what is typed here is
 * what customers read. Words as Statuspage's: impact none, minor, major, critical; status investigating, identified,
 * monitoring, resolved, postmortem.
 */
@Command(name = "incident", description = "One incident: show it, set its type, publish it to the status page and post its public updates.",
        subcommands = {PublicationCommands.Publish.class, PublicationCommands.PublicUpdate.class, IncidentCommands.Show.class,
                IncidentTypeCommands.SetType.class, IncidentTypeCommands.Types.class})
final class PublicationCommands {

    private PublicationCommands() {
    }

    /** The line for people: the outcome and how the incident stands on the status page. */
    private static String describe(IncidentCommands.Action action, JsonNode outcome) {
        JsonNode publication = outcome.path("incident").path("publication");
        return action.id + ": " + action.action() + " " + outcome.path("outcome").asText("ACCEPTED").toLowerCase(Locale.ROOT)
                + (publication.isObject() ? " (public: " + publication.path("status").asText() + ", " + publication.path("impact").asText()
                + " impact, next update due " + publication.path("nextUpdateDueAt").asText("never") + ")" : "");
    }

    @Command(name = "publish", description = "Show the incident on the status page (once; then post public updates).")
    static final class Publish extends IncidentCommands.Action {
        @Option(names = "--title", required = true, description = "The public title (not the internal one).")
        String title;

        @Option(names = "--impact", required = true, description = "none, minor, major or critical.")
        String impact;

        @Option(names = "--component", paramLabel = "ID", description = "A status page component it affects (repeat for more).")
        List<String> components = List.of();

        @Option(names = "--status", description = "investigating (default), identified, monitoring or resolved.")
        String status;

        @Option(names = {"-m", "--message"}, description = "The first public update (default: the page's initial template).")
        String message;

        String action() {
            return "publication";
        }

        Map<String, Object> body() {
            return fields("title", title, "impact", impact, "components", components, "status", status, "message", message);
        }

        @Override
        String describe(JsonNode outcome) {
            return PublicationCommands.describe(this, outcome);
        }
    }

    @Command(name = "public-update", description = "Post a public update of a published incident.")
    static final class PublicUpdate extends IncidentCommands.Action {
        @Option(names = "--status", required = true, description = "investigating, identified, monitoring, resolved or postmortem.")
        String status;

        @Option(names = {"-m", "--message"}, description = "What customers read (only a resolved update may leave it to the template).")
        String message;

        @Option(names = "--impact", description = "A new impact: none, minor, major or critical.")
        String impact;

        @Option(names = "--component", paramLabel = "ID", description = "The components it now affects (repeat; replaces the list).")
        List<String> components;

        String action() {
            return "public-updates";
        }

        Map<String, Object> body() {
            return fields("status", status, "message", message, "impact", impact, "components", components);
        }

        @Override
        String describe(JsonNode outcome) {
            return PublicationCommands.describe(this, outcome);
        }
    }
}
