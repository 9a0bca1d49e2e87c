package dev.incidentengine.incident.api;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.incidentengine.incident.domain.ResponseRules;
import dev.incidentengine.model.SetIncidentType;
import dev.incidentengine.model.config.IncidentTypeConfig;
import dev.incidentengine.service.api.ApiError;

/**
 * {@code PUT /api/v1/incidents/{id}/type} ({"incidentType": "service-outage"}) and {@code GET /api/v1/incident-types}.
 * A type config does not know is refused here first, as a 400 on the field, so a typo never waits for the aggregate's
 * refusal; the aggregate checks again against the config it decides by.
 */
final class IncidentTypeRequests {

    static final String TYPES = "/api/v1/incident-types";
    /** The command's name as a path segment: {@code PUT .../{id}/type}. */
    static final String ACTION = "type";
    static final List<String> FIELDS = List.of("incidentType");

    private IncidentTypeRequests() {
    }

    static SetIncidentType setType(ApiRequests.Body body) {
        String type = body.requiredText("incidentType").strip();
        if (type.length() > ResponseRules.MAX_ID) {
            throw new ApiError(400, "incidentType", "longer than " + ResponseRules.MAX_ID + " characters");
        }
        return new SetIncidentType(type);
    }

    static void checkKnown(SetIncidentType set, Map<String, IncidentTypeConfig> types) {
        if (!types.containsKey(set.getIncidentType())) {
            throw new ApiError(400, "incidentType", "unknown type '" + set.getIncidentType() + "' (known: " + types.keySet()
                    + "; GET " + TYPES + ")");
        }
    }

    /** {@code {"incidentTypes": [{"id", "name", "description"}]}} in config order. */
    static void write(Map<String, IncidentTypeConfig> types, JsonGenerator out) throws IOException {
        out.writeStartObject();
        out.writeArrayFieldStart("incidentTypes");
        for (IncidentTypeConfig type : types.values()) {
            out.writeStartObject();
            out.writeStringField("id", type.getId());
            out.writeStringField("name", type.getName());
            out.writeStringField("description", type.getDescription());
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeEndObject();
    }
}
