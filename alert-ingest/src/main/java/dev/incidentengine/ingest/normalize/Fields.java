package dev.incidentengine.ingest.normalize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.Alert;

/** Reads typed fields from JSON within the limits and collects every problem, so one answer can name them all. */
final class Fields {

    /** Go's zero time: what Alertmanager sends as endsAt while an alert fires. */
    private static final String GO_ZERO_TIME = "0001-01-01T00:00:00Z";
    private static final Instant GO_ZERO_INSTANT = Instant.parse(GO_ZERO_TIME);

    /** Names in error paths are cut to this, so a 10 KiB label name does not make a 10 KiB answer. */
    private static final int MAX_NAME_SHOWN = 64;

    private final List<FieldError> errors = new ArrayList<>();
    private final AlertLimits limits;
    private int limitErrors;

    Fields(AlertLimits limits) {
        this.limits = limits;
    }

    AlertLimits limits() {
        return limits;
    }

    void error(String field, String message) {
        errors.add(new FieldError(field, message));
    }

    /** A value over one of the limits. */
    private void overLimit(String field, String message) {
        error(field, message);
        limitErrors++;
    }

    boolean hasErrors() {
        return !errors.isEmpty();
    }

    /** Throws when anything was wrong. */
    void check() {
        if (!errors.isEmpty()) {
            throw new InvalidPayloadException(errors, limitErrors == errors.size());
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
            overLimit(path, "must be at most " + maxLength + " characters, not " + text.length());
            return null;
        }
        return text;
    }

    /** Labels with names and values within their lengths; their count is checked by {@link #labelCount}. */
    Map<String, String> labels(JsonNode parent, String name, String path, boolean required) {
        Map<String, String> labels = stringMap(parent, name, path, required);
        labels.forEach((label, value) -> {
            checkName(label, path);
            checkLength(path + "." + shown(label), value, limits.maxLabelValueLength());
        });
        return labels;
    }

    void labelCount(Map<String, String> labels, String path) {
        if (labels.size() > limits.maxLabels()) {
            overLimit(path, "must hold at most " + limits.maxLabels() + " labels, not " + labels.size());
        }
    }

    /** Annotations: names within their length, values within the annotation length. */
    Map<String, String> annotations(JsonNode parent, String name, String path) {
        Map<String, String> annotations = stringMap(parent, name, path, false);
        annotations.forEach((annotation, value) -> {
            checkName(annotation, path);
            checkLength(path + "." + shown(annotation), value, limits.maxAnnotationLength());
        });
        return annotations;
    }

    /** A value within {@code maxLength} characters; null passes. */
    void checkLength(String path, String value, int maxLength) {
        if (value != null && value.length() > maxLength) {
            overLimit(path, "must be at most " + maxLength + " characters, not " + value.length());
        }
    }

    private void checkName(String name, String path) {
        if (name.length() > limits.maxNameLength()) {
            overLimit(path + "." + shown(name), "the name must be at most " + limits.maxNameLength()
                    + " characters, not " + name.length());
        }
    }

    private static String shown(String name) {
        return name.length() <= MAX_NAME_SHOWN ? name : name.substring(0, MAX_NAME_SHOWN) + "...";
    }

    /** The alert, if its serialized form is within {@code maxAlertBytes}. */
    Alert checkSize(Alert alert, String path) {
        int bytes;
        try {
            bytes = alert.toByteBuffer().remaining();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes > limits.maxAlertBytes()) {
            overLimit(path, "the alert is " + bytes + " bytes serialized; the limit is " + limits.maxAlertBytes());
        }
        return alert;
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
