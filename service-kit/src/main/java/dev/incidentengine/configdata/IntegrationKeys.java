package dev.incidentengine.configdata;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Integration keys: given in a file as {@code key}, {@code keyEnv} or {@code keyFile} (or already as {@code keySha256}),
 * and only their SHA-256 reaches the topic, as alert-ingest compares it.
 */
public final class IntegrationKeys {

    private IntegrationKeys() {
    }

    /** The integration as read, its key replaced by {@code keySha256}; errors name the integration (the loader adds the file). */
    static JsonNode hash(JsonNode node, Map<String, String> env) {
        if (!node.isObject()) {
            return node;
        }
        ObjectNode copy = ((ObjectNode) node).deepCopy();
        String where = "integration " + (node.hasNonNull("id") ? node.get("id").asText() : "without id");
        List<String> given = Stream.of("key", "keyEnv", "keyFile", "keySha256").filter(copy::hasNonNull).toList();
        if (given.size() != 1) {
            throw new ConfigDataException(where + ": give exactly one of key, keyEnv, keyFile (or keySha256), not " + given);
        }
        String source = given.get(0);
        if (source.equals("keySha256")) {
            return copy;
        }
        String reference = copy.remove(source).asText();
        String key = switch (source) {
            case "key" -> reference;
            case "keyEnv" -> env.get(reference);
            default -> readKeyFile(Path.of(reference), where);
        };
        if (key == null || key.isBlank()) {
            throw new ConfigDataException(where + ": " + source + " '" + reference + "' gives no key");
        }
        copy.put("keySha256", sha256(key.strip()));
        return copy;
    }

    private static String readKeyFile(Path path, String where) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigDataException(where + ": cannot read keyFile " + path);
        }
    }

    /** Hex SHA-256, as integration keys (and API tokens) are stored and compared. */
    public static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
