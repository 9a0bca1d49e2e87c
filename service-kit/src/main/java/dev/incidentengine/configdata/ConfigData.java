package dev.incidentengine.configdata;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.incidentengine.schemas.ConfigProblem;
import dev.incidentengine.schemas.Topic;
import org.apache.avro.specific.SpecificRecord;

/**
 * Configuration as data: YAML or JSON files whose top-level keys name a kind ({@code services},
 * {@code integrations}, {@code users}, {@code teams}, {@code schedules}, {@code escalationPolicies},
 * {@code routes}, {@code silences}, {@code inhibitRules}, …: {@link ConfigKinds}) and hold a list of records. Everything is
 * validated before anything is applied: each record against its schema, then by its kind's owner's rules, then the
 * ids it names against the records of every file.
 */
public final class ConfigData {

    /** One record for a config topic. */
    public record Entry(Topic<String, ? extends SpecificRecord> topic, String id, SpecificRecord value, String origin) {
    }

    private static final Map<String, ConfigKind<?>> KINDS = new LinkedHashMap<>();
    private static final Map<String, ConfigKind<?>> KINDS_BY_TOPIC = new HashMap<>();

    static {
        for (ConfigKind<?> kind : ConfigKinds.ALL) {
            KINDS.put(kind.name(), kind);
            KINDS_BY_TOPIC.put(kind.topic().name(), kind);
        }
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private ConfigData() {
    }

    /** The kinds files may hold, in their order, and the topic of each. */
    public static Map<String, Topic<String, ? extends SpecificRecord>> kinds() {
        Map<String, Topic<String, ? extends SpecificRecord>> topics = new LinkedHashMap<>();
        KINDS.forEach((name, kind) -> topics.put(name, kind.topic()));
        return Collections.unmodifiableMap(topics);
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
        checkReferences(entries);
        return entries;
    }

    /**
     * Fails on the first id that names a record of a kind the entries do not define. A kind is checked only when the
     * entries define at least one record of it, so that a directory holding only routes still loads.
     */
    private static void checkReferences(List<Entry> entries) {
        Map<String, Set<String>> ids = new HashMap<>();
        for (Entry entry : entries) {
            ids.computeIfAbsent(entry.topic().name(), name -> new HashSet<>()).add(entry.id());
        }
        for (Entry entry : entries) {
            references(KINDS_BY_TOPIC.get(entry.topic().name()), entry, ids);
        }
    }

    private static <T extends SpecificRecord> void references(ConfigKind<T> kind, Entry entry, Map<String, Set<String>> ids) {
        kind.references().accept(kind.topic().valueType().cast(entry.value()), (field, topic, noun, id) -> {
            Set<String> defined = ids.get(topic.name());
            if (id != null && defined != null && !defined.contains(id)) {
                throw new ConfigDataException(entry.origin() + ": " + field + ": " + noun + " '" + id
                        + "' is not defined in any file of this directory");
            }
        });
    }

    /**
     * {@code ${NAME}} in a file is the environment variable NAME, so one directory serves several
     * places (hosts, URLs). Secrets go by name ({@code secret}, {@code keyEnv}), never substituted in.
     */
    private static String substitute(String text, Map<String, String> env, Path file) {
        Matcher reference = ENV_REFERENCE.matcher(text);
        StringBuilder result = new StringBuilder();
        while (reference.find()) {
            String value = env.get(reference.group(1));
            if (value == null) {
                throw new ConfigDataException(file + ": ${" + reference.group(1) + "} is not set in the environment");
            }
            reference.appendReplacement(result, Matcher.quoteReplacement(value));
        }
        return reference.appendTail(result).toString();
    }

    public static List<Entry> readFile(Path file, Map<String, String> env) {
        JsonNode root;
        try {
            root = YAML.readTree(substitute(Files.readString(file, StandardCharsets.UTF_8), env, file));
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
        root.properties().forEach(property -> {
            ConfigKind<?> kind = KINDS.get(property.getKey());
            if (kind == null) {
                throw new ConfigDataException(file + ": unknown kind '" + property.getKey() + "' (known: " + KINDS.keySet() + ")");
            }
            if (!property.getValue().isArray()) {
                throw new ConfigDataException(file + ": " + property.getKey() + " must be a list");
            }
            for (int i = 0; i < property.getValue().size(); i++) {
                entries.add(read(kind, property.getValue().get(i), property.getKey() + "[" + i + "]", file, env));
            }
        });
        return entries;
    }

    /** One record at {@code path} (such as {@code routes[2]}): prepared, read against its schema, checked by its owner's rules. */
    private static <T extends SpecificRecord> Entry read(ConfigKind<T> kind, JsonNode node, String path, Path file, Map<String, String> env) {
        String origin = file + ": " + path + (node.hasNonNull("id") ? " (id " + node.get("id").asText() + ")" : "");
        T value;
        try {
            value = AvroJson.read(kind.prepare().apply(node, env, path), kind.topic().valueType(), path);
            try {
                kind.check().accept(value);
            } catch (ConfigProblem e) {
                throw new ConfigDataException(path + "." + e.getMessage());
            }
        } catch (ConfigDataException e) {
            throw new ConfigDataException(file + ": " + e.getMessage());
        }
        return new Entry(kind.topic(), value.get(value.getSchema().getField("id").pos()).toString(), value, origin);
    }
}
