package dev.incidentengine.cli;

import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.incidentengine.incident.domain.Timeline;
import dev.incidentengine.model.IncidentOpened;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code timeline ID}: the incident's story replayed from {@code incident.events.v1} and {@code notification.results.v1}. */
@Command(name = "timeline", description = "Replay an incident's events and deliveries from Kafka, in time order.")
final class TimelineCommand implements Callable<Integer> {

    @Mixin
    KafkaSource kafka;

    @Mixin
    OutputFormat format;

    @Parameters(index = "0", paramLabel = "ID")
    String id;

    @Override
    public Integer call() {
        Output out = format.out();
        IncidentLog.IncidentRecords records = kafka.log().incident(id);
        List<Timeline.Entry> entries = Timeline.of(records.events(), records.results());
        String drill = records.events().stream().map(event -> event.getPayload() instanceof IncidentOpened opened ? opened.getDrill() : null)
                .filter(java.util.Objects::nonNull).findFirst().orElse(null);
        if (out.json) {
            out.json(ApiClient.JSON.createObjectNode().put("incidentId", id).put("drill", drill).set("timeline", Review.timeline(entries)));
        } else {
            if (drill != null) {
                out.line("DRILL (scenario " + drill + "): an exercise, not a real incident");
            }
            ArrayNode rows = ApiClient.JSON.createArrayNode();
            entries.forEach(entry -> rows.addObject().put("at", entry.at().toString()).put("elapsed", Timeline.elapsed(entry.sinceStart()))
                    .put("who", entry.who()).put("what", entry.what()));
            out.table(rows, Output.Column.field("TIME", "at"), Output.Column.field("ELAPSED", "elapsed"), Output.Column.field("WHO", "who"),
                    Output.Column.field("WHAT", "what"));
        }
        return 0;
    }
}
