package dev.incidentengine.incident.domain;

import dev.incidentengine.model.config.IncidentTypeConfig;
import dev.incidentengine.schemas.ConfigFields;

/** An incident type's rules beyond its schema: its id is named in commands, URLs and report filters. */
public final class IncidentTypeChecks {

    private IncidentTypeChecks() {
    }

    /** @throws dev.incidentengine.schemas.ConfigProblem naming the first field that breaks them */
    public static void check(IncidentTypeConfig type) {
        ConfigFields.id(type.getId(), "id");
    }
}
