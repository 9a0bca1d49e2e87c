package dev.incidentengine.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.cli.Output.Column;
import dev.incidentengine.incident.domain.Timeline;
import dev.incidentengine.schemas.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code report}: response over the incidents of a period, replayed from Kafka. */
@Command(name = "report", description = "Incident volume, time to acknowledge and resolve, targets, reopens, noisy alerts, pages per responder.")
final class ReportCommand implements Callable<Integer> {

    @Mixin
    KafkaSource kafka;

    @Option(names = "--since", defaultValue = "30d", description = "Incidents opened in the last 30d, 12h, … (default ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--service", description = "Only this service's incidents.")
    String service;

    @Option(names = "--type", description = "Only incidents of this type (as they are now: service-outage, …).")
    String type;

    @Option(names = "--tier", description = "Only incidents of services of this tier (as when they opened).")
    String tier;

    @Mixin
    OutputFormat format;

    @Override
    public Integer call() {
        Output out = format.out();
        Instant now = Instant.now();
        Instant from = now.minus(Periods.span(since, "--since"));
        IncidentLog log = kafka.log();
        Report report = new Report(from, service, type, tier);
        // Events of incidents opened before the period may fall in it; incidents are judged by their open time.
        log.readAll(Topics.INCIDENT_EVENTS, from, record -> {
            if (record.value() != null) {
                report.event(record.key(), record.value());
            }
        });
        log.readAll(Topics.NOTIFICATION_RESULTS, from, record -> {
            if (record.value() != null) {
                report.result(record.value());
            }
        });
        ObjectNode json = report.json(now);
        if (out.json) {
            out.json(json);
            return 0;
        }
        out.line(json.get("incidents").asInt() + " incidents opened since " + json.get("since").asText()
                + (service == null ? "" : " on " + service) + (type == null ? "" : " of type " + type)
                + (tier == null ? "" : " in tier " + tier) + "; reopen rate " + Math.round(json.get("reopenRate").asDouble() * 100) + " %");
        for (String grouping : List.of("bySeverity", "byService", "byType", "byTier")) {
            out.line("");
            out.table(json.get(grouping), Column.field(grouping.substring(2).toUpperCase(Locale.ROOT), "group"),
                    Column.field("INCIDENTS", "incidents"), time("ACK MEAN", "acknowledgeMeanSeconds"), time("ACK P50", "acknowledgeP50Seconds"),
                    time("ACK P90", "acknowledgeP90Seconds"), time("RESOLVE MEAN", "resolveMeanSeconds"),
                    time("RESOLVE P50", "resolveP50Seconds"), time("RESOLVE P90", "resolveP90Seconds"),
                    new Column("TARGET MET", row -> row.get("targetMet").asText() + "/" + row.get("incidents").asText()));
        }
        out.line("");
        out.table(json.get("noisiestAlerts"), Column.field("NOISIEST ALERTS", "alert"), Column.field("ATTACHED", "attached"));
        out.line("");
        out.table(json.get("pagesPerResponder"), Column.field("RESPONDER", "user"), Column.field("PAGES", "pages"),
                Column.field("DELIVERED", "notificationsDelivered"));
        if (!json.path("incidentsCommanded").isEmpty()) {
            out.line("");
            out.table(json.get("incidentsCommanded"), Column.field("INCIDENT COMMANDER", "user"), Column.field("INCIDENTS", "incidents"));
        }
        JsonNode reviews = json.get("reviews");
        out.line("");
        out.line("Reviews: " + reviews.get("required").asInt() + " required, " + reviews.get("published").asInt() + " published, "
                + reviews.get("overdue").size() + " overdue; action items: " + reviews.get("actionItemsOpen").asInt() + " open, "
                + reviews.get("actionItemsCompleted").asInt() + " completed, " + reviews.get("actionItemsOverdue").size() + " overdue");
        if (!reviews.get("overdue").isEmpty()) {
            out.line("");
            out.table(reviews.get("overdue"), Column.field("OVERDUE REVIEW", "incidentId"), Column.field("SEV", "severity"),
                    Column.field("SERVICE", "service"), Column.field("DUE", "dueAt"), Column.field("TITLE", "title"));
        }
        if (!reviews.get("actionItemsOverdue").isEmpty()) {
            out.line("");
            out.table(reviews.get("actionItemsOverdue"), Column.field("OVERDUE ACTION ITEM", "incidentId"), Column.field("ID", "actionItemId"),
                    Column.field("PRIORITY", "priority"), Column.field("OWNER", "owner"), Column.field("DUE", "dueAt"), Column.field("TITLE", "title"));
        }
        return 0;
    }

    private static Column time(String header, String field) {
        return new Column(header, row -> row.get(field).isNull() ? "-" : Timeline.span(Duration.ofSeconds(row.get(field).asLong())));
    }
}
