package dev.incidentengine.incident.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.ResponseTarget;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.schemas.ResponseTargets;

/**
 * How an incident was responded to, as reports judge it (the one definition {@code incidentctl
 * report}, reviews and the console's reports share): opened, first acknowledged, last resolved
 * (a reopened incident keeps its earlier resolution until it is resolved again), and its severity
 * now, whose {@link ResponseTargets} it is judged by: among {@code targets}, those of its tier as they
 * were when it opened (empty: the engine's defaults).
 */
public record ResponseTimes(Instant openedAt, Severity severity, Instant acknowledged, Instant resolved,
                            Map<String, ResponseTarget> targets) {

    /** The response of an incident that has just opened. */
    public static ResponseTimes opened(IncidentEvent event, IncidentOpened opened) {
        return new ResponseTimes(event.getTimestamp(), opened.getSeverity(), null, null, opened.getResponseTargets());
    }

    /** The response after one more event of the incident's log. */
    public ResponseTimes next(IncidentEvent event) {
        Object payload = event.getPayload();
        Instant at = event.getTimestamp();
        if (payload instanceof IncidentOpened opened) {
            return opened(event, opened);
        } else if (payload instanceof IncidentAcknowledged && acknowledged == null) {
            return new ResponseTimes(openedAt, severity, at, resolved, targets);
        } else if (payload instanceof IncidentResolved) {
            return new ResponseTimes(openedAt, severity, acknowledged, at, targets);
        } else if (payload instanceof SeverityChanged changed) {
            return new ResponseTimes(openedAt, changed.getTo(), acknowledged, resolved, targets);
        }
        return this;
    }

    /** Opened → first acknowledged; null when never. */
    public Duration toAcknowledge() {
        return acknowledged == null ? null : Duration.between(openedAt, acknowledged);
    }

    /** Opened → last resolved; null when not resolved. */
    public Duration toResolve() {
        return resolved == null ? null : Duration.between(openedAt, resolved);
    }

    /** The targets at its severity now. */
    public ResponseTargets target() {
        return ResponseTargets.of(targets, severity);
    }

    public boolean acknowledgedInTime() {
        return acknowledged != null && toAcknowledge().compareTo(target().acknowledge()) <= 0;
    }

    public boolean resolvedInTime() {
        return resolved != null && toResolve().compareTo(target().resolve()) <= 0;
    }

    /** Acknowledged and resolved in time; an incident still open has not met it. */
    public boolean targetMet() {
        return acknowledgedInTime() && resolvedInTime();
    }
}
