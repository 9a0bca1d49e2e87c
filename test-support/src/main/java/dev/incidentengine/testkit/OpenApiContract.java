package dev.incidentengine.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Checks answers against a Swagger 2.0 document: the status must be one the operation documents,
 * and the body must fit that response's schema ({@code type}, {@code required}, {@code enum},
 * {@code $ref}, {@code allOf}, {@code items}, {@code minItems}, {@code additionalProperties},
 * {@code format: date-time}). The subset Alertmanager's document uses; a keyword outside it fails
 * the check rather than passing unread.
 */
public final class OpenApiContract {

    /** Alertmanager 0.25.0's API v2, as published at that tag (see the resource's header). */
    public static final String ALERTMANAGER_0_25 = "/alertmanager/openapi-v0.25.0.yaml";

    private static final List<String> KNOWN = List.of("type", "properties", "required", "enum", "$ref", "allOf", "items",
            "minItems", "additionalProperties", "format", "description", "default", "collectionFormat");

    private final JsonNode document;

    private OpenApiContract(JsonNode document) {
        this.document = document;
    }

    public static OpenApiContract load(String resource) {
        try (InputStream in = OpenApiContract.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + resource);
            }
            return new OpenApiContract(new ObjectMapper(new YAMLFactory()).readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What is wrong with an answer to {@code method path} (the document's path, e.g.
     * {@code /silence/{silenceID}}); empty when it fits. A body of null means none was sent.
     */
    public List<String> violations(String method, String path, int status, JsonNode body) {
        JsonNode operation = document.path("paths").path(path).path(method.toLowerCase(java.util.Locale.ROOT));
        if (operation.isMissingNode()) {
            return List.of(method + " " + path + " is not in the document");
        }
        JsonNode response = operation.path("responses").path(Integer.toString(status));
        if (response.isMissingNode()) {
            List<String> documented = new ArrayList<>();
            operation.path("responses").fieldNames().forEachRemaining(documented::add);
            return List.of(method + " " + path + " answered " + status + "; documented: " + documented);
        }
        response = resolve(response);
        List<String> problems = new ArrayList<>();
        if (response.has("schema")) {
            if (body == null) {
                problems.add("a body is documented, none was sent");
            } else {
                check(response.get("schema"), body, "$", problems);
            }
        }
        return problems;
    }

    /** What is wrong with {@code value} as an instance of the definition {@code name}. */
    public List<String> violations(String definition, JsonNode value) {
        List<String> problems = new ArrayList<>();
        check(document.path("definitions").path(definition), value, "$", problems);
        return problems;
    }

    private JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            String[] parts = node.get("$ref").asText().substring(2).split("/");
            JsonNode target = document;
            for (String part : parts) {
                target = target.path(part);
            }
            if (target.isMissingNode()) {
                throw new IllegalStateException("unresolved " + node.get("$ref"));
            }
            node = target;
        }
        return node;
    }

    private void check(JsonNode schemaNode, JsonNode value, String at, List<String> problems) {
        JsonNode schema = resolve(schemaNode);
        for (Iterator<String> keys = schema.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!KNOWN.contains(key)) {
                throw new IllegalStateException("schema keyword " + key + " at " + at + " is not checked");
            }
        }
        if (schema.has("allOf")) {
            schema.get("allOf").forEach(part -> check(part, value, at, problems));
        }
        String type = schema.path("type").asText(null);
        if (type == null && (schema.has("properties") || schema.has("required"))) {
            type = "object";
        }
        if (type == null) {
            return;
        }
        switch (type) {
            case "object" -> {
                if (!value.isObject()) {
                    problems.add(at + " must be an object, is " + value.getNodeType());
                    return;
                }
                schema.path("required").forEach(name -> {
                    if (!value.has(name.asText()) || value.get(name.asText()).isNull()) {
                        problems.add(at + "." + name.asText() + " is required");
                    }
                });
                for (Map.Entry<String, JsonNode> field : (Iterable<Map.Entry<String, JsonNode>>) value::fields) {
                    JsonNode property = schema.path("properties").get(field.getKey());
                    if (property != null) {
                        check(property, field.getValue(), at + "." + field.getKey(), problems);
                    } else if (schema.has("additionalProperties")) {
                        check(schema.get("additionalProperties"), field.getValue(), at + "." + field.getKey(), problems);
                    }
                }
            }
            case "array" -> {
                if (!value.isArray()) {
                    problems.add(at + " must be an array, is " + value.getNodeType());
                    return;
                }
                if (value.size() < schema.path("minItems").asInt(0)) {
                    problems.add(at + " must have at least " + schema.get("minItems").asInt() + " items");
                }
                for (int i = 0; i < value.size(); i++) {
                    check(schema.get("items"), value.get(i), at + "[" + i + "]", problems);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    problems.add(at + " must be a string, is " + value.getNodeType());
                    return;
                }
                if (schema.has("enum")) {
                    List<String> allowed = new ArrayList<>();
                    schema.get("enum").forEach(option -> allowed.add(option.asText()));
                    if (!allowed.contains(value.asText())) {
                        problems.add(at + " must be one of " + allowed + ", is " + value.asText());
                    }
                }
                if ("date-time".equals(schema.path("format").asText())) {
                    try {
                        OffsetDateTime.parse(value.asText());
                    } catch (DateTimeParseException e) {
                        problems.add(at + " must be an RFC 3339 date-time, is " + value.asText());
                    }
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    problems.add(at + " must be a boolean, is " + value.getNodeType());
                }
            }
            default -> throw new IllegalStateException("type " + type + " at " + at + " is not checked");
        }
    }
}
