package dev.incidentengine.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.incidentengine.incident.domain.IncidentLifecycle;
import dev.incidentengine.incident.domain.LifecyclePolicy;
import dev.incidentengine.model.ActionItem;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.ReviewStatus;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.schemas.ResponseTargets;

/**
 * What an incident's log says about its response, for reviews and reports: when the first alert
 * fired (detected), opened, first acknowledged, last resolved and closed, by whom, its severity
 * now and at opening, its alerts and reopenings; and its review and action items, folded with the
 * engine's own {@code evolve}.
 *
 * @param acknowledgedBy the person who acknowledged first; null when not a person
 * @param resolvedBy     the person who resolved last; null when not a person
 */
record IncidentFacts(String id, IncidentOpened opened, Instant openedAt, Instant detected, Instant acknowledged, String acknowledgedBy,
                     Instant resolved, String resolvedBy, String resolution, Instant closed, Severity severity, int alerts, int reopened,
                     ReviewStatus review, List<ActionItem> actionItems) {

    private static final IncidentLifecycle LIFECYCLE = new IncidentLifecycle(LifecyclePolicy.DEFAULT);

    /** The facts of a log; null when it holds no IncidentOpened. */
    static IncidentFacts of(String id, List<IncidentEvent> events) {
        IncidentOpened opened = null;
        Instant openedAt = null;
        Instant detected = null;
        Instant acknowledged = null;
        String acknowledgedBy = null;
        Instant resolved = null;
        String resolvedBy = null;
        String resolution = null;
        Instant closed = null;
        Severity severity = null;
        int alerts = 0;
        int reopened = 0;
        IncidentState state = null;
        for (IncidentEvent event : events) {
            Object payload = event.getPayload();
            if (state != null || payload instanceof IncidentOpened) {
                state = LIFECYCLE.evolve(state, event);
            }
            String person = event.getActor().getType() == ActorType.USER ? event.getActor().getId() : null;
            if (payload instanceof IncidentOpened open) {
                opened = open;
                openedAt = event.getTimestamp();
                severity = open.getSeverity();
            } else if (payload instanceof AlertAttached attached) {
                alerts++;
                Instant starts = attached.getAlert().getStartsAt();
                detected = detected == null || starts.isBefore(detected) ? starts : detected;
            } else if (payload instanceof IncidentAcknowledged && acknowledged == null) {
                acknowledged = event.getTimestamp();
                acknowledgedBy = person;
            } else if (payload instanceof IncidentResolved done) {
                resolved = event.getTimestamp();
                resolvedBy = person;
                resolution = done.getResolution();
            } else if (payload instanceof IncidentReopened) {
                reopened++;
            } else if (payload instanceof IncidentClosed) {
                closed = event.getTimestamp();
            } else if (payload instanceof SeverityChanged changed) {
                severity = changed.getTo();
            }
        }
        return opened == null ? null : new IncidentFacts(id, opened, openedAt, detected == null ? openedAt : detected, acknowledged,
                acknowledgedBy, resolved, resolvedBy, resolution, closed, severity, alerts, reopened, state.getReview(), state.getActionItems());
    }

    String service() {
        return opened.getService() == null ? "-" : opened.getService();
    }

    /** Opened → first acknowledged; null when never. */
    Duration toAcknowledge() {
        return acknowledged == null ? null : Duration.between(openedAt, acknowledged);
    }

    /** Opened → last resolved; null when not resolved. */
    Duration toResolve() {
        return resolved == null ? null : Duration.between(openedAt, resolved);
    }

    /** A required review not published by its due time. */
    boolean reviewOverdue(Instant now) {
        return review != null && review.getRequired() && review.getPublishedAt() == null && review.getDueAt().isBefore(now);
    }

    /** Action items not completed by their due time. */
    List<ActionItem> overdueActionItems(Instant now) {
        return actionItems.stream().filter(item -> item.getCompletedAt() == null && item.getDueAt().isBefore(now)).toList();
    }

    ResponseTargets targets() {
        return ResponseTargets.of(severity);
    }

    boolean acknowledgedInTime() {
        return toAcknowledge() != null && toAcknowledge().compareTo(targets().acknowledge()) <= 0;
    }

    boolean resolvedInTime() {
        return toResolve() != null && toResolve().compareTo(targets().resolve()) <= 0;
    }

    boolean targetMet() {
        return acknowledgedInTime() && resolvedInTime();
    }
}
