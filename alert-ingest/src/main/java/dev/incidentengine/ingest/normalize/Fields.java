package dev.incidentengine.ingest.normalize;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** Reads typed fields from JSON and collects every problem, so one answer can name them all. */
final class Fields {

    /** Go's zero time: what Alertmanager sends as endsAt while an alert fires. */
    private static final String GO_ZERO_TIME = "0001-01-01T00:00:00Z";
    private static final Instant GO_ZERO_INSTANT = Instant.parse(GO_ZERO_TIME);

    private final List<FieldError> errors = new ArrayList<>();

    void error(String field, String message) {
        errors.add(new FieldError(field, message));
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** Throws when anything was wrong. */
    void check() {
        if (!errors.isEmpty()) {
            throw new InvalidPayloadException(errors);
        }
    }

    JsonNode object(JsonNode node, String path) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            error(path, "is required");
            return null;
        }
        if (!node.isObject()) {
            error(path, "must be an object");
            return null;
        }
        return node;
    }

    String text(JsonNode parent, String name, String path, boolean required, int maxLength) {
        JsonNode value = parent.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                error(path, "is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            error(path, "must be a string");
            return null;
        }
        String text = value.textValue();
        if (required && text.isBlank()) {
            error(path, "must not be empty");
            return null;
        }
        if (text.length() > maxLength) {
            error(path, "must be at most " + maxLength + " characters, not " + text.length());
            return null;
        }
        return text;
    }

    /** A map of strings; other scalar values are kept as their text, objects and arrays as JSON. */
    Map<String, String> stringMap(JsonNode parent, String name, String path, boolean required) {
        JsonNode value = parent.get(name);
        Map<String, String> map = new LinkedHashMap<>();
        if (value == null || value.isNull()) {
            if (required) {
                error(path, "is required");
            }
            return map;
        }
        if (!value.isObject()) {
            error(path, "must be an object of strings");
            return map;
        }
        value.forEachEntry((key, entry) -> {
            if (entry.isNull()) {
                return;
            }
            map.put(key, entry.isValueNode() ? entry.asText() : entry.toString());
        });
        return map;
    }

    /** An RFC 3339 timestamp; Go's zero time reads as absent. */
    Instant timestamp(JsonNode parent, String name, String path, boolean required) {
        JsonNode value = parent.get(name);
        if (value == null || value.isNull() || (value.isTextual() && value.textValue().isEmpty())) {
            if (required) {
                error(path, "is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            error(path, "must be an RFC 3339 timestamp such as 2026-11-22T09:00:00Z");
            return null;
        }
        if (value.textValue().equals(GO_ZERO_TIME)) {
            return null;
        }
        try {
            Instant instant = Rfc3339.parse(value.textValue());
            return instant.equals(GO_ZERO_INSTANT) ? null : instant;
        } catch (DateTimeException e) {
            error(path, "must be an RFC 3339 timestamp such as 2026-11-22T09:00:00Z, not '" + value.textValue() + "'");
            return null;
        }
    }
}
