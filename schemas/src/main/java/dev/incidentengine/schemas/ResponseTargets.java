package dev.incidentengine.schemas;

import java.time.Duration;
import java.util.Map;

import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.ResponseTarget;
import dev.incidentengine.model.Severity;

/**
 * How fast an incident of a severity should be acknowledged and resolved: what reports, postmortems, the console and /metrics
 * judge responses by. An incident carries the targets of its service's tier as they were when it opened
 * ({@code IncidentOpened.responseTargets}); a severity its tier does not list, and incidents from before tiers, take the
 * engine's defaults below.
 */
public record ResponseTargets(Duration acknowledge, Duration resolve) {

    /** The engine's defaults. */
    public static ResponseTargets of(Severity severity) {
        return switch (severity) {
            case SEV0 -> new ResponseTargets(Duration.ofMinutes(5), Duration.ofHours(1));
            case SEV1 -> new ResponseTargets(Duration.ofMinutes(15), Duration.ofHours(4));
            case SEV2 -> new ResponseTargets(Duration.ofMinutes(30), Duration.ofHours(8));
            case SEV3 -> new ResponseTargets(Duration.ofHours(4), Duration.ofDays(3));
            case SEV4 -> new ResponseTargets(Duration.ofDays(1), Duration.ofDays(7));
        };
    }

    /** The targets for {@code severity} among an incident's (keyed by severity name), else the defaults. */
    public static ResponseTargets of(Map<String, ResponseTarget> targets, Severity severity) {
        ResponseTarget target = targets.get(severity.name());
        return target == null ? of(severity)
                : new ResponseTargets(Duration.ofMinutes(target.getAcknowledgeMinutes()), Duration.ofMinutes(target.getResolveMinutes()));
    }

    /** The targets the incident is judged by at its current severity. */
    public static ResponseTargets of(IncidentState state) {
        return of(state.getResponseTargets(), state.getSeverity());
    }
}
