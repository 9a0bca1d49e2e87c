package dev.incidentengine.cli;

import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.cli.Output.Column;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import static dev.incidentengine.cli.ApiClient.query;

/** {@code oncall}: who is on call now (or at a time), per schedule. */
@Command(name = "oncall", description = "Who is on call, per schedule.")
final class OnCallCommand implements Callable<Integer> {

    @Mixin
    Connection connection;

    @Option(names = "--schedule", description = "One schedule; default: all.")
    String schedule;

    @Option(names = "--at", description = "An RFC 3339 time; default: now.")
    String at;

    @Override
    public Integer call() {
        JsonNode answer = connection.client().get("/api/v1/oncall", query("schedule", schedule, "at", at));
        Output out = connection.out();
        if (out.json) {
            out.json(answer);
            return 0;
        }
        // One schedule answers with itself; all answer with a list under "oncall".
        JsonNode rows = answer.has("oncall") ? answer.get("oncall") : ApiClient.JSON.createArrayNode().add(answer);
        out.table(rows, Column.field("SCHEDULE", "schedule"), new Column("ON CALL", row -> row.path("userId").asText("(nobody)")),
                new Column("UNTIL", row -> row.path("shift").path("end").asText("-")));
        return 0;
    }
}
