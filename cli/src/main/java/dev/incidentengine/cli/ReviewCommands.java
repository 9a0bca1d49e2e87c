package dev.incidentengine.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.cli.IncidentCommands.Action;
import dev.incidentengine.cli.Output.Column;
import dev.incidentengine.incident.domain.Timeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code review show|require|publish|action add|action done}: the post-incident review of an incident, as events in its log. */
@Command(name = "review", description = "The post-incident review: require it, track action items, publish it.",
        subcommands = {ReviewCommands.Show.class, ReviewCommands.Require.class, ReviewCommands.Publish.class, ReviewCommands.ActionItems.class})
final class ReviewCommands {

    @Command(name = "show", description = "The review's state and the action items.")
    static final class Show implements Callable<Integer> {
        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            JsonNode incident = connection.client().get(IncidentCommands.PREFIX + "/" + id, Map.of());
            Output out = connection.out();
            if (out.json) {
                ObjectNode json = ApiClient.JSON.createObjectNode().put("incidentId", id);
                json.set("review", incident.path("review"));
                json.set("actionItems", incident.path("actionItems"));
                out.json(json);
                return 0;
            }
            Instant now = Instant.now();
            JsonNode review = incident.path("review");
            out.line(id + " (" + incident.path("severity").asText() + ", " + incident.path("status").asText() + "): " + incident.path("title").asText());
            if (!review.isObject()) {
                out.line("review: none asked for");
            } else if (review.hasNonNull("publishedAt")) {
                out.line("review: published " + review.path("publishedAt").asText() + " at " + review.path("url").asText());
            } else {
                Instant due = Instant.parse(review.path("dueAt").asText());
                out.line("review: " + (review.path("required").asBoolean() ? "required" : "recommended") + ", due " + due
                        + (due.isBefore(now) ? " (OVERDUE by " + Timeline.span(Duration.between(due, now)) + ")" : ""));
            }
            out.line("");
            out.table(incident.path("actionItems"), Column.field("ID", "actionItemId"), Column.field("PRIORITY", "priority"),
                    Column.field("OWNER", "owner"), Column.field("DUE", "dueAt"),
                    new Column("STATE", item -> item.hasNonNull("completedAt") ? "done " + item.path("completedAt").asText()
                            : Instant.parse(item.path("dueAt").asText()).isBefore(now) ? "OVERDUE" : "open"),
                    Column.field("TITLE", "title"), Column.field("LINK", "link"));
            return 0;
        }
    }

    @Command(name = "require", description = "Require a review of a resolved incident (SEV0/SEV1 get one on resolution), or move its due date.")
    static final class Require extends Action {
        @Option(names = "--due", description = "When: 2026-12-01, an RFC 3339 time, or from now: 3d, 48h, 2w (default: the engine's 48 h).")
        String due;

        @Option(names = {"-m", "--reason"})
        String reason;

        String action() {
            return "require-review";
        }

        Map<String, Object> body() {
            return fields("due", due == null ? null : Periods.when(due, "--due", Instant.now()).toString(), "reason", reason);
        }
    }

    @Command(name = "publish", description = "Link the written review: it satisfies the requirement.")
    static final class Publish extends Action {
        @Parameters(index = "1", paramLabel = "URL")
        String url;

        String action() {
            return "publish-review";
        }

        Map<String, Object> body() {
            return fields("url", url);
        }
    }

    @Command(name = "action", description = "Action items: follow-ups that keep it from happening again.",
            subcommands = {ActionItems.Add.class, ActionItems.Done.class})
    static final class ActionItems {

        @Command(name = "add", description = "Add an action item with its owner, due date and priority.")
        static final class Add extends Action {
            @Parameters(index = "1..*", paramLabel = "TITLE", arity = "1..*")
            List<String> title;

            @Option(names = "--owner", required = true, description = "Who will do it (a user id).")
            String owner;

            @Option(names = "--due", required = true, description = "By when: 2026-12-01, an RFC 3339 time, or from now: 3d, 2w.")
            String due;

            @Option(names = "--priority", defaultValue = "medium", description = "high, medium or low (default ${DEFAULT-VALUE}).")
            String priority;

            @Option(names = "--link", description = "A ticket or document.")
            String link;

            String action() {
                return "action-items";
            }

            Map<String, Object> body() {
                return fields("title", String.join(" ", title), "owner", owner, "due", Periods.when(due, "--due", Instant.now()).toString(), "priority", priority, "link", link);
            }

            @Override
            String describe(JsonNode outcome) {
                for (JsonNode event : outcome.path("events")) {
                    if (event.path("payload").path("type").asText().equals("ActionItemAdded")) {
                        return id + ": added " + event.path("payload").path("actionItemId").asText() + ", due "
                                + event.path("payload").path("dueAt").asText() + " (" + owner + ")";
                    }
                }
                return super.describe(outcome);
            }
        }

        @Command(name = "done", description = "Mark an action item completed.")
        static final class Done extends Action {
            @Parameters(index = "1", paramLabel = "ITEM", description = "Its id, such as AI-1.")
            String item;

            String action() {
                return "complete-action-item";
            }

            Map<String, Object> body() {
                return fields("actionItemId", item);
            }
        }
    }
}
