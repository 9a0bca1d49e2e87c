package dev.incidentengine.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.configdata.AvroJson;
import dev.incidentengine.incident.domain.IncidentFacts;
import dev.incidentengine.model.ActionItem;
import dev.incidentengine.model.ActionItemAdded;
import dev.incidentengine.model.ActionItemCompleted;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.ReviewRequired;
import dev.incidentengine.model.ReviewStatus;
import dev.incidentengine.model.Severity;
import dev.incidentengine.schemas.ResponseTargets;

/**
 * A post-incident review in Markdown, from the incident's log: summary, impact, the response times
 * with their breakdown (detection: first alert → open; response: open → acknowledge; mitigation
 * and resolution: acknowledge → resolve), whether the severity's response target was met, the
 * responders, the timeline, the sections people fill in, and the review's state and action items.
 * Pure: the records in, the text out.
 */
final class Review {

    private Review() {
    }

    /** What the review is written from, for tools: the facts, response times against the target, review, action items, timeline. */
    static ObjectNode json(String incidentId, List<IncidentEvent> events, List<NotificationResult> results) {
        IncidentFacts facts = facts(incidentId, events);
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
        json.set("timeline", Timeline.json(Timeline.of(events, results)));
        return json;
    }

    static String markdown(String incidentId, List<IncidentEvent> events, List<NotificationResult> results) {
        IncidentFacts facts = facts(incidentId, events);
        Severity severity = facts.severity();
        Instant detected = facts.detected();
        Instant openedAt = facts.openedAt();
        Instant acknowledged = facts.acknowledged();
        Instant resolved = facts.resolved();
        Map<String, Set<String>> responders = new LinkedHashMap<>();
        for (IncidentEvent event : events) {
            if (event.getPayload() instanceof IncidentEscalated escalated) {
                escalated.getTargets().forEach(target -> target.getUserIds().forEach(user ->
                        responders.computeIfAbsent(user, u -> new LinkedHashSet<>()).add("paged (level " + (escalated.getLevel() + 1) + ")")));
            }
            if (event.getActor().getType() == ActorType.USER) {
                responders.computeIfAbsent(event.getActor().getId(), u -> new LinkedHashSet<>())
                        .add(role(event.getPayload()));
            }
        }
        StringBuilder md = new StringBuilder();
        md.append("# Post-incident review: ").append(facts.title()).append(" (").append(incidentId).append(")\n\n");
        md.append("## Summary\n\n| | |\n|---|---|\n");
        row(md, "Incident", incidentId);
        row(md, "Service", facts.service());
        row(md, "Severity", severity + (severity != facts.openedSeverity() ? " (opened as " + facts.openedSeverity() + ")" : ""));
        row(md, "Detected", detected.toString());
        row(md, "Opened", openedAt.toString());
        row(md, "Acknowledged", acknowledged == null ? "never" : acknowledged + by(facts.acknowledgedBy()));
        row(md, "Resolved", resolved == null ? "not yet" : resolved + by(facts.resolvedBy())
                + (facts.resolution() == null ? "" : ": " + facts.resolution()));
        row(md, "Closed", facts.closed() == null ? "not yet" : facts.closed().toString());
        row(md, "Alerts", Integer.toString(facts.alerts()));
        if (facts.reopened() > 0) {
            row(md, "Reopened", facts.reopened() + " time(s)");
        }
        row(md, "Review", review(facts));

        md.append("\n## Impact\n\n").append(resolved == null ? "Ongoing" : "For " + span(detected, resolved))
                .append(" from the first alert, ").append(facts.service()).append(" was affected: ").append(facts.title())
                .append(".\n\n_Who and what was affected, and how much (users, requests, revenue):_\n");

        md.append("\n## Response\n\n| measure | from → to | time |\n|---|---|---|\n");
        md.append("| detection | first alert → incident opened | ").append(span(detected, openedAt)).append(" |\n");
        md.append("| response (time to acknowledge) | opened → acknowledged | ").append(span(openedAt, acknowledged)).append(" |\n");
        md.append("| mitigation and resolution | acknowledged → resolved | ").append(span(acknowledged, resolved)).append(" |\n");
        md.append("| time to resolve | opened → resolved | ").append(span(openedAt, resolved)).append(" |\n");
        ResponseTargets target = facts.targets();
        md.append("\nResponse target for ").append(severity).append(": acknowledge within ").append(human(target.acknowledge()))
                .append(", resolve within ").append(human(target.resolve())).append(": **").append(facts.targetMet() ? "met" : "missed")
                .append("** (acknowledged ").append(verdict(openedAt, acknowledged, target.acknowledge(), facts.acknowledgedInTime()))
                .append(", resolved ").append(verdict(openedAt, resolved, target.resolve(), facts.resolvedInTime())).append(").\n");

        md.append("\n## Responders\n\n");
        responders.forEach((user, did) -> md.append("- ").append(user).append(": ").append(String.join(", ", did)).append('\n'));
        long failed = results.stream().filter(r -> r.getOutcome() == DeliveryOutcome.FAILED).count();
        md.append("\nNotifications: ").append(results.size() - failed).append(" delivered, ").append(failed).append(" failed.\n");

        md.append("\n## Timeline\n\n| time | since first alert | who | what |\n|---|---|---|---|\n");
        Timeline.of(events, results).forEach(entry -> md.append("| ").append(entry.at()).append(" | ").append(Timeline.elapsed(entry.sinceStart()))
                .append(" | ").append(entry.who()).append(" | ").append(entry.what().replace("|", "\\|")).append(" |\n"));

        md.append("\n## What went well\n\n- \n\n## What went wrong\n\n- \n\n## Where we got lucky\n\n- \n");
        md.append("\n## Action items\n\n| id | action | owner | due | priority | state |\n|---|---|---|---|---|---|\n");
        for (ActionItem item : facts.actionItems()) {
            md.append("| ").append(item.getActionItemId()).append(" | ").append(item.getTitle().replace("|", "\\|"))
                    .append(item.getLink() == null ? "" : " ([link](" + item.getLink() + "))").append(" | ").append(item.getOwner())
                    .append(" | ").append(item.getDueAt()).append(" | ").append(item.getPriority().name().toLowerCase())
                    .append(" | ").append(item.getCompletedAt() == null ? "open" : "done " + item.getCompletedAt()).append(" |\n");
        }
        if (facts.actionItems().isEmpty()) {
            md.append("| | | | | | |\n");
        }
        return md.toString();
    }

    /** What a person did, in a few words. */
    private static String role(Object payload) {
        if (payload instanceof ActionItemAdded item) {
            return "action item " + item.getActionItemId();
        } else if (payload instanceof ActionItemCompleted item) {
            return item.getActionItemId() + " done";
        } else if (payload instanceof ReviewRequired review) {
            return review.getRequired() ? "review required" : "review recommended";
        }
        return Timeline.describe(payload).split(": ")[0];
    }

    private static String review(IncidentFacts facts) {
        ReviewStatus review = facts.review();
        if (review == null) {
            return "not asked for";
        }
        if (review.getPublishedAt() != null) {
            return "published " + review.getPublishedAt() + ": " + review.getUrl();
        }
        return (review.getRequired() ? "required" : "recommended") + ", due " + review.getDueAt();
    }

    private static IncidentFacts facts(String incidentId, List<IncidentEvent> events) {
        IncidentFacts facts = IncidentFacts.of(incidentId, events);
        if (facts == null) {
            throw new CliError(CliError.NOT_FOUND, "the log of " + incidentId + " has no IncidentOpened: not an incident's log");
        }
        return facts;
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

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }

    private static String by(String actor) {
        return actor == null ? "" : " by " + actor;
    }

    private static String span(Instant from, Instant to) {
        return from == null || to == null ? "-" : Timeline.span(Duration.between(from, to));
    }

    private static String verdict(Instant from, Instant to, Duration within, boolean inTime) {
        return to == null ? "not yet" : inTime ? "in time" : "late by " + span(from.plus(within), to);
    }

    private static String human(Duration duration) {
        return duration.toDays() > 0 ? duration.toDays() + " d" : duration.toHours() > 0 ? duration.toHours() + " h" : duration.toMinutes() + " min";
    }
}
