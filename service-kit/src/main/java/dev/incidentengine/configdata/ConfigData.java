package dev.incidentengine.configdata;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import org.apache.avro.specific.SpecificRecord;

/**
 * Configuration as data: YAML or JSON files whose top-level keys name a kind ({@code services},
 * {@code integrations}, {@code users}, {@code teams}, {@code schedules}, {@code escalationPolicies})
 * and hold a list of records. Everything is validated before anything is applied.
 * Integration keys are given as {@code key}, {@code keyEnv} or {@code keyFile} and only their
 * SHA-256 reaches the topic.
 */
public final class ConfigData {

    /** One record for a config topic. */
    public record Entry(Topic<String, ? extends SpecificRecord> topic, String id, SpecificRecord value, String origin) {
    }

    private static final Map<String, Topic<String, ? extends SpecificRecord>> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put("services", Topics.CONFIG_SERVICES);
        KINDS.put("integrations", Topics.CONFIG_INTEGRATIONS);
        KINDS.put("users", Topics.CONFIG_USERS);
        KINDS.put("teams", Topics.CONFIG_TEAMS);
        KINDS.put("schedules", Topics.CONFIG_SCHEDULES);
        KINDS.put("escalationPolicies", Topics.CONFIG_ESCALATION_POLICIES);
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigData() {
    }

    /** Reads every {@code .yaml}, {@code .yml} and {@code .json} file of {@code dir}, or fails naming the first problem. */
    public static List<Entry> readDirectory(Path dir, Map<String, String> env) {
        if (!Files.isDirectory(dir)) {
            throw new ConfigDataException(dir + ": not a directory");
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.filter(f -> f.getFileName().toString().matches(".*\\.(ya?ml|json)")).sorted().toList();
        } catch (IOException e) {
            throw new ConfigDataException(dir + ": cannot list (" + e.getMessage() + ")");
        }
        List<Entry> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Path file : files) {
            for (Entry entry : readFile(file, env)) {
                if (!seen.add(entry.topic().name() + "/" + entry.id())) {
                    throw new ConfigDataException(entry.origin() + ": id '" + entry.id() + "' is defined twice");
                }
                entries.add(entry);
            }
        }
        return entries;
    }

    public static List<Entry> readFile(Path file, Map<String, String> env) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw new ConfigDataException(file + ": not valid YAML/JSON (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new ConfigDataException(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return List.of();
        }
        if (!root.isObject()) {
            throw new ConfigDataException(file + ": must be a mapping of kinds " + KINDS.keySet());
        }
        List<Entry> entries = new ArrayList<>();
        root.properties().forEach(kind -> {
            Topic<String, ? extends SpecificRecord> topic = KINDS.get(kind.getKey());
            if (topic == null) {
                throw new ConfigDataException(file + ": unknown kind '" + kind.getKey() + "' (known: " + KINDS.keySet() + ")");
            }
            if (!kind.getValue().isArray()) {
                throw new ConfigDataException(file + ": " + kind.getKey() + " must be a list");
            }
            UnaryOperator<JsonNode> prepare = topic == Topics.CONFIG_INTEGRATIONS ? node -> hashKey(node, env, file) : node -> node;
            for (int i = 0; i < kind.getValue().size(); i++) {
                JsonNode node = kind.getValue().get(i);
                String origin = file + ": " + kind.getKey() + "[" + i + "]" + (node.hasNonNull("id") ? " (id " + node.get("id").asText() + ")" : "");
                SpecificRecord value;
                try {
                    value = AvroJson.read(prepare.apply(node), topic.valueType(), kind.getKey() + "[" + i + "]");
                } catch (ConfigDataException e) {
                    throw new ConfigDataException(file + ": " + e.getMessage());
                }
                entries.add(new Entry(topic, value.get(value.getSchema().getField("id").pos()).toString(), value, origin));
            }
        });
        return entries;
    }

    private static JsonNode hashKey(JsonNode node, Map<String, String> env, Path file) {
        if (!node.isObject()) {
            return node;
        }
        ObjectNode copy = ((ObjectNode) node).deepCopy();
        String where = file + ": integration " + (node.hasNonNull("id") ? node.get("id").asText() : "without id");
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

    /** Hex SHA-256, as integration keys are stored and compared. */
    public static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
