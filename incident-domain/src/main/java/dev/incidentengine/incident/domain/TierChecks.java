package dev.incidentengine.incident.domain;

import java.util.Map;

import dev.incidentengine.model.ResponseTarget;
import dev.incidentengine.model.config.TierConfig;
import dev.incidentengine.schemas.ConfigFields;

import static dev.incidentengine.schemas.ConfigProblem.require;

/** A service tier's rules beyond its schema: response targets by severity, as a service may also override them. */
public final class TierChecks {

    private TierChecks() {
    }

    /** @throws dev.incidentengine.schemas.ConfigProblem naming the first field that breaks them */
    public static void check(TierConfig tier) {
        targets(tier.getTargets(), "targets");
        ConfigFields.id(tier.getId(), "id");
    }

    /** Targets keyed SEV0…SEV4, each acknowledged within a minute or more and resolved no sooner than acknowledged. */
    public static void targets(Map<String, ResponseTarget> targets, String field) {
        targets.forEach((severity, target) -> {
            require(severity.matches("SEV[0-4]"), field + "." + severity, "must be keyed SEV0…SEV4");
            require(target.getAcknowledgeMinutes() >= 1, field + "." + severity + ".acknowledgeMinutes",
                    "must be at least 1, not " + target.getAcknowledgeMinutes());
            require(target.getResolveMinutes() >= target.getAcknowledgeMinutes(), field + "." + severity + ".resolveMinutes",
                    "must be at least acknowledgeMinutes (" + target.getAcknowledgeMinutes() + "), not " + target.getResolveMinutes());
        });
    }
}
