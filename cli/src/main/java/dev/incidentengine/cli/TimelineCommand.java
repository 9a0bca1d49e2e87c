package dev.incidentengine.cli;

import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.schemas.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code timeline ID}: the incident's story replayed from {@code incident.events.v1} and {@code notification.results.v1}. */
@Command(name = "timeline", description = "Replay an incident's events and deliveries from Kafka, in time order.")
final class TimelineCommand implements Callable<Integer> {

    @Option(names = "--bootstrap-servers", required = true, defaultValue = "${env:INCIDENTCTL_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
            description = "Kafka (env INCIDENTCTL_BOOTSTRAP_SERVERS; default ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default ${DEFAULT-VALUE}).")
    String output;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        Output out = new Output(switch (output) {
            case "table" -> false;
            case "json" -> true;
            default -> throw new CliError(CliError.USAGE, "-o must be table or json, not '" + output + "'");
        });
        IncidentLog log = new IncidentLog(bootstrapServers);
        List<IncidentEvent> events = log.read(Topics.INCIDENT_EVENTS, id, Output.err);
        if (events.isEmpty()) {
            throw new CliError(CliError.NOT_FOUND, "no events of incident " + id + " in " + Topics.INCIDENT_EVENTS.name());
        }
        List<NotificationResult> results = log.read(Topics.NOTIFICATION_RESULTS, id, Output.err);
        List<Timeline.Entry> entries = Timeline.of(events, results);
        if (out.json) {
            ArrayNode rows = ApiClient.JSON.createArrayNode();
            entries.forEach(entry -> rows.addObject().put("at", entry.at().toString()).put("sinceStartSeconds", entry.sinceStart().toSeconds())
                    .put("what", entry.what()).put("who", entry.who()));
            out.json(ApiClient.JSON.createObjectNode().put("incidentId", id).set("timeline", rows));
        } else {
            ArrayNode rows = ApiClient.JSON.createArrayNode();
            entries.forEach(entry -> rows.addObject().put("at", entry.at().toString()).put("elapsed", Timeline.elapsed(entry.sinceStart()))
                    .put("who", entry.who()).put("what", entry.what()));
            out.table(rows, Output.Column.field("TIME", "at"), Output.Column.field("ELAPSED", "elapsed"), Output.Column.field("WHO", "who"),
                    Output.Column.field("WHAT", "what"));
        }
        return 0;
    }
}
