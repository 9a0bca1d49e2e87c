package dev.incidentengine.service.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * The files that say who people are (API tokens, Slack users): YAML of one key holding a list of mappings of known fields.
 * Errors name the file, the entry and the field, so an operator can mend the file from the message alone.
 */
public final class YamlEntries {

    /** One entry of the list, and where it is ({@code file: key[i]}) for its errors. */
    public record Entry(JsonNode node, String where) {

        /** A required string field, stripped. */
        public String text(String field) {
            return YamlEntries.text(node, field, where);
        }
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private YamlEntries() {
    }

    /**
     * The entries under {@code key}, each checked to be a mapping of {@code fields} only; an empty file has none.
     *
     * @param what the file's name for a person ("the API tokens file")
     */
    public static List<Entry> read(Path path, String key, Set<String> fields, String what) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(path, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw new IllegalArgumentException(path + ": not valid YAML (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException(path + ": cannot read " + what + " (" + e.getMessage() + ")");
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return List.of();
        }
        if (!root.isObject() || root.size() != 1 || !root.path(key).isArray()) {
            throw new IllegalArgumentException(path + ": must be a mapping with one key, '" + key + "', holding a list");
        }
        List<String> known = fields.stream().sorted().toList();
        List<Entry> entries = new ArrayList<>();
        JsonNode list = root.get(key);
        for (int i = 0; i < list.size(); i++) {
            JsonNode node = list.get(i);
            String where = path + ": " + key + "[" + i + "]";
            if (!node.isObject()) {
                throw new IllegalArgumentException(where + ": must be a mapping of " + String.join(", ", known));
            }
            node.fieldNames().forEachRemaining(name -> {
                if (!fields.contains(name)) {
                    throw new IllegalArgumentException(where + "." + name + ": unknown field (known: " + known + ")");
                }
            });
            entries.add(new Entry(node, where));
        }
        return entries;
    }

    /** A required string field of {@code node}, stripped; {@code where} names the entry in errors. */
    public static String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException(where + "." + field + ": is required");
        }
        if (!value.isTextual() || value.textValue().isBlank()) {
            throw new IllegalArgumentException(where + "." + field + ": must be a non-empty string");
        }
        return value.textValue().strip();
    }
}
