package dev.incidentengine.incident.domain;

import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.schemas.ConfigFields;

import static dev.incidentengine.schemas.ConfigProblem.require;

/** A response role's rules beyond its schema (see {@link ResponseRules}). */
public final class RoleChecks {

    private RoleChecks() {
    }

    /** @throws dev.incidentengine.schemas.ConfigProblem naming the first field that breaks them */
    public static void check(RoleConfig role) {
        ConfigFields.severities(role.getRequiredSeverities(), "requiredSeverities");
        require(role.getRequiredWithinMinutes() >= 1, "requiredWithinMinutes", "must be at least 1, not " + role.getRequiredWithinMinutes());
        ConfigFields.id(role.getId(), "id");
    }
}
