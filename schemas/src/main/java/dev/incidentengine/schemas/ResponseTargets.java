package dev.incidentengine.schemas;

import java.time.Duration;

import dev.incidentengine.model.Severity;

/** How fast an incident of a severity should be acknowledged and resolved: what reports and /metrics judge responses by. */
public record ResponseTargets(Duration acknowledge, Duration resolve) {

    public static ResponseTargets of(Severity severity) {
        return switch (severity) {
            case SEV0 -> new ResponseTargets(Duration.ofMinutes(5), Duration.ofHours(1));
            case SEV1 -> new ResponseTargets(Duration.ofMinutes(15), Duration.ofHours(4));
            case SEV2 -> new ResponseTargets(Duration.ofMinutes(30), Duration.ofHours(8));
            case SEV3 -> new ResponseTargets(Duration.ofHours(4), Duration.ofDays(3));
            case SEV4 -> new ResponseTargets(Duration.ofDays(1), Duration.ofDays(7));
        };
    }
}
