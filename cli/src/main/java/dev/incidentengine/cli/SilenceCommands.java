package dev.incidentengine.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.cli.Output.Column;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import static dev.incidentengine.cli.ApiClient.query;

/** {@code silence add|list|expire}: Alertmanager-style silences through the API. */
@Command(name = "silence", description = "Add, list and expire silences.", subcommands = {SilenceCommands.Add.class,
        SilenceCommands.ListSilences.class, SilenceCommands.Expire.class})
final class SilenceCommands {

    static final String PATH = "/api/v1/silences";

    @Command(name = "add", description = "Silence alerts that match every --match for a while.")
    static final class Add implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Option(names = "--match", required = true, description = "A matcher: label=value, label!=value, label=~regex, label!~regex.")
        List<String> matchers;

        @Option(names = "--for", required = true, description = "How long: 30m, 2h, 1d.")
        String duration;

        @Option(names = "--comment", required = true, description = "Why.")
        String comment;

        @Override
        public Integer call() {
            JsonNode silence = connection.client().post(PATH, query("wait", "true"),
                    Map.of("matchers", matchers, "duration", duration, "comment", comment));
            Output out = connection.out();
            if (out.json) {
                out.json(silence);
            } else {
                out.line(silence.path("id").asText() + ": " + silence.path("state").asText() + " until " + silence.path("endsAt").asText());
            }
            return 0;
        }
    }

    @Command(name = "list", description = "Active and pending silences (--state to choose).")
    static final class ListSilences implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Option(names = "--state", description = "active, pending, expired (comma-separated).")
        String state;

        @Override
        public Integer call() {
            JsonNode answer = connection.client().get(PATH, query("state", state));
            Output out = connection.out();
            if (out.json) {
                out.json(answer);
            } else {
                out.table(answer.path("silences"), Column.field("ID", "id"), Column.field("STATE", "state"),
                        new Column("MATCHERS", row -> matchers(row.path("matchers"))), Column.field("ENDS", "endsAt"),
                        Column.field("AUTHOR", "author"), Column.field("COMMENT", "comment"));
            }
            return 0;
        }

        private static String matchers(JsonNode list) {
            StringBuilder text = new StringBuilder();
            list.forEach(matcher -> text.append(text.length() == 0 ? "" : ",").append(matcher.path("label").asText())
                    .append(switch (matcher.path("op").asText()) {
                        case "NOT_EQUAL" -> "!=";
                        case "REGEX" -> "=~";
                        case "NOT_REGEX" -> "!~";
                        default -> "=";
                    }).append(matcher.path("value").asText()));
            return text.toString();
        }
    }

    @Command(name = "expire", description = "End a silence now.")
    static final class Expire implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            JsonNode silence = connection.client().delete(PATH + "/" + id);
            Output out = connection.out();
            if (out.json) {
                out.json(silence);
            } else {
                out.line(id + ": expired");
            }
            return 0;
        }
    }
}
