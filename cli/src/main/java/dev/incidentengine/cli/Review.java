package dev.incidentengine.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.configdata.AvroJson;
import dev.incidentengine.incident.domain.IncidentFacts;
import dev.incidentengine.incident.domain.Postmortem;
import dev.incidentengine.incident.domain.Timeline;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.NotificationResult;

/**
 * A post-incident review from the incident's log and deliveries: the Markdown document is
 * incident-domain's {@link Postmortem} (the API writes the same one); the facts it is written from
 * are JSON here, for tools.
 */
final class Review {

    private Review() {
    }

    /** What the review is written from, for tools: the facts, response times against the target, review, action items, timeline. */
    static ObjectNode json(String incidentId, List<IncidentEvent> events, List<NotificationResult> results) {
        IncidentFacts facts = IncidentFacts.of(incidentId, events);
        if (facts == null) {
            throw notAnIncident(incidentId);
        }
        ObjectNode json = ApiClient.JSON.createObjectNode().put("incidentId", incidentId).put("title", facts.title())
                .put("service", facts.service()).put("severity", facts.severity().name()).put("openedSeverity", facts.openedSeverity().name());
        time(json, "detectedAt", facts.detected());
        time(json, "openedAt", facts.openedAt());
        time(json, "acknowledgedAt", facts.acknowledged());
        json.put("acknowledgedBy", facts.acknowledgedBy());
        time(json, "resolvedAt", facts.resolved());
        json.put("resolvedBy", facts.resolvedBy()).put("resolution", facts.resolution());
        time(json, "closedAt", facts.closed());
        json.put("alerts", facts.alerts()).put("reopened", facts.reopened());
        json.put("detectionSeconds", Duration.between(facts.detected(), facts.openedAt()).toSeconds());
        seconds(json, "timeToAcknowledgeSeconds", facts.toAcknowledge());
        seconds(json, "timeToResolveSeconds", facts.toResolve());
        json.putObject("target").put("acknowledgeSeconds", facts.targets().acknowledge().toSeconds())
                .put("resolveSeconds", facts.targets().resolve().toSeconds()).put("acknowledgedInTime", facts.acknowledgedInTime())
                .put("resolvedInTime", facts.resolvedInTime()).put("met", facts.targetMet());
        json.set("review", facts.review() == null ? ApiClient.JSON.nullNode() : AvroJson.write(facts.review()));
        ArrayNode items = json.putArray("actionItems");
        facts.actionItems().forEach(item -> items.add(AvroJson.write(item)));
        json.set("timeline", timeline(Timeline.of(events, results)));
        return json;
    }

    /** The review in Markdown, with the deliveries' counts. */
    static String markdown(String incidentId, List<IncidentEvent> events, List<NotificationResult> results) {
        String markdown = Postmortem.markdown(incidentId, events, results);
        if (markdown == null) {
            throw notAnIncident(incidentId);
        }
        return markdown;
    }

    /** The timeline's entries as JSON rows: at, seconds since the start, what, who. */
    static ArrayNode timeline(List<Timeline.Entry> entries) {
        ArrayNode rows = ApiClient.JSON.createArrayNode();
        entries.forEach(entry -> rows.addObject().put("at", entry.at().toString()).put("sinceStartSeconds", entry.sinceStart().toSeconds())
                .put("what", entry.what()).put("who", entry.who()));
        return rows;
    }

    private static CliError notAnIncident(String incidentId) {
        return new CliError(CliError.NOT_FOUND, "the log of " + incidentId + " has no IncidentOpened: not an incident's log");
    }

    private static void time(ObjectNode json, String field, Instant at) {
        json.put(field, at == null ? null : at.toString());
    }

    private static void seconds(ObjectNode json, String field, Duration duration) {
        if (duration == null) {
            json.putNull(field);
        } else {
            json.put(field, duration.toSeconds());
        }
    }
}
