package dev.incidentengine.configdata;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.incidentengine.model.config.InhibitRuleConfig;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.model.config.RouteConfig;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.WeeklyWindow;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import org.apache.avro.specific.SpecificRecord;

/**
 * Configuration as data: YAML or JSON files whose top-level keys name a kind ({@code services},
 * {@code integrations}, {@code users}, {@code teams}, {@code schedules}, {@code escalationPolicies},
 * {@code routes}, {@code silences}, {@code inhibitRules}) and hold a list of records. Everything is
 * validated before anything is applied. Integration keys are given as {@code key}, {@code keyEnv}
 * or {@code keyFile} and only their SHA-256 reaches the topic. Label matchers may be written as
 * Alertmanager strings such as {@code service=~"check.*"}.
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
        KINDS.put("routes", Topics.CONFIG_ROUTES);
        KINDS.put("silences", Topics.CONFIG_SILENCES);
        KINDS.put("inhibitRules", Topics.CONFIG_INHIBIT_RULES);
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<String> MATCHER_FIELDS = List.of("matchers", "sourceMatchers", "targetMatchers");
    private static final Pattern STRING_MATCHER = Pattern.compile("\\s*([^\\s=!~\"]+)\\s*(=~|!~|!=|=)\\s*(.*?)\\s*");
    private static final Pattern HH_MM = Pattern.compile("([01]\\d|2[0-3]):[0-5]\\d");

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
            boolean hasMatchers = topic == Topics.CONFIG_ROUTES || topic == Topics.CONFIG_SILENCES
                    || topic == Topics.CONFIG_INHIBIT_RULES;
            for (int i = 0; i < kind.getValue().size(); i++) {
                JsonNode node = kind.getValue().get(i);
                String path = kind.getKey() + "[" + i + "]";
                String origin = file + ": " + path + (node.hasNonNull("id") ? " (id " + node.get("id").asText() + ")" : "");
                SpecificRecord value;
                try {
                    JsonNode prepared = hasMatchers ? expandMatchers(node, path) : prepare.apply(node);
                    value = AvroJson.read(prepared, topic.valueType(), path);
                    validate(value, path);
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

    /** Turns Alertmanager-style string matchers ({@code service=~"check.*"}) into the object form {label, op, value}. */
    private static JsonNode expandMatchers(JsonNode node, String path) {
        if (!node.isObject()) {
            return node;
        }
        ObjectNode copy = ((ObjectNode) node).deepCopy();
        for (String field : MATCHER_FIELDS) {
            JsonNode list = copy.get(field);
            if (list == null || !list.isArray()) {
                continue;
            }
            ArrayNode expanded = copy.putArray(field);
            for (int i = 0; i < list.size(); i++) {
                JsonNode element = list.get(i);
                if (!element.isTextual()) {
                    expanded.add(element);
                    continue;
                }
                try {
                    expanded.add(AvroJson.write(parseMatcher(element.textValue())));
                } catch (ConfigDataException e) {
                    throw new ConfigDataException(path + "." + field + "[" + i + "]: " + e.getMessage());
                }
            }
        }
        return copy;
    }

    /**
     * One Alertmanager-style string matcher, e.g. {@code alertname="HighLatency"} or {@code env=~"dev|test"}: a label, then
     * {@code =}, {@code !=}, {@code =~} or {@code !~}, then a value, quotes optional. The regular expression is not checked here.
     *
     * @throws ConfigDataException saying what is wrong with the text (the caller adds where it was)
     */
    public static LabelMatcher parseMatcher(String text) {
        Matcher parts = STRING_MATCHER.matcher(text);
        if (!parts.matches()) {
            throw new ConfigDataException("'" + text + "' is not a matcher such as alertname=\"HighLatency\""
                    + " (a label, then =, !=, =~ or !~, then a value, quotes optional)");
        }
        MatchOp op = switch (parts.group(2)) {
            case "=" -> MatchOp.EQUAL;
            case "!=" -> MatchOp.NOT_EQUAL;
            case "=~" -> MatchOp.REGEX;
            default -> MatchOp.NOT_REGEX;
        };
        return new LabelMatcher(parts.group(1), op, unquote(parts.group(3)));
    }

    /** Alertmanager's rules: optional double quotes; \", \\ and \n are escapes, any other backslash is kept. */
    private static String unquote(String raw) {
        boolean quoted = raw.startsWith("\"");
        String body = quoted ? raw.substring(1) : raw;
        StringBuilder value = new StringBuilder();
        boolean closed = !quoted;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                char next = body.charAt(++i);
                switch (next) {
                    case 'n' -> value.append('\n');
                    case '"', '\\' -> value.append(next);
                    default -> value.append('\\').append(next);
                }
            } else if (c == '"') {
                if (!quoted || i < body.length() - 1) {
                    throw new ConfigDataException("unescaped double quote in matcher value " + raw);
                }
                closed = true;
            } else {
                value.append(c);
            }
        }
        if (!closed) {
            throw new ConfigDataException("matcher value " + raw + " lacks its closing double quote");
        }
        return value.toString();
    }

    /** Checks what the schema cannot express, so that bad routing config fails at load, not in the stream. */
    private static void validate(SpecificRecord value, String path) {
        if (value instanceof RouteConfig route) {
            validateMatchers(route.getMatchers(), path + ".matchers");
            AvroJson.require(route.getGroupWindowMinutes() >= 1, path + ".groupWindowMinutes",
                    "must be at least 1, not " + route.getGroupWindowMinutes());
            AvroJson.require(!route.getGroupBy().isEmpty(), path + ".groupBy", "must name at least one label");
            for (int i = 0; i < route.getGroupBy().size(); i++) {
                AvroJson.require(!route.getGroupBy().get(i).isBlank(), path + ".groupBy[" + i + "]", "must not be blank");
            }
        } else if (value instanceof SilenceConfig silence) {
            AvroJson.require(!silence.getMatchers().isEmpty(), path + ".matchers",
                    "must hold at least one matcher (a silence without matchers would silence every alert)");
            validateMatchers(silence.getMatchers(), path + ".matchers");
            AvroJson.require(silence.getStartsAt() == null || silence.getEndsAt() == null
                    || silence.getEndsAt().isAfter(silence.getStartsAt()), path + ".endsAt",
                    "must be after startsAt " + silence.getStartsAt() + ", not " + silence.getEndsAt());
            if (silence.getWeekly() != null) {
                validateWeekly(silence.getWeekly(), path + ".weekly");
            }
        } else if (value instanceof InhibitRuleConfig rule) {
            AvroJson.require(!rule.getSourceMatchers().isEmpty(), path + ".sourceMatchers", "must hold at least one matcher");
            AvroJson.require(!rule.getTargetMatchers().isEmpty(), path + ".targetMatchers", "must hold at least one matcher");
            validateMatchers(rule.getSourceMatchers(), path + ".sourceMatchers");
            validateMatchers(rule.getTargetMatchers(), path + ".targetMatchers");
        }
    }

    private static void validateMatchers(List<LabelMatcher> matchers, String path) {
        for (int i = 0; i < matchers.size(); i++) {
            LabelMatcher matcher = matchers.get(i);
            AvroJson.require(!matcher.getLabel().isBlank(), path + "[" + i + "].label", "must not be blank");
            if (matcher.getOp() == MatchOp.REGEX || matcher.getOp() == MatchOp.NOT_REGEX) {
                try {
                    Pattern.compile(matcher.getValue());
                } catch (PatternSyntaxException e) {
                    throw new ConfigDataException(path + "[" + i + "].value: '" + matcher.getValue()
                            + "' is not a valid regular expression (" + e.getDescription() + ")");
                }
            }
        }
    }

    private static void validateWeekly(WeeklyWindow weekly, String path) {
        for (int i = 0; i < weekly.getDays().size(); i++) {
            String day = weekly.getDays().get(i);
            AvroJson.require(Stream.of(DayOfWeek.values()).anyMatch(d -> d.name().equalsIgnoreCase(day.strip())),
                    path + ".days[" + i + "]", "must be one of MONDAY..SUNDAY, not '" + day + "'");
        }
        AvroJson.require(HH_MM.matcher(weekly.getFrom()).matches(), path + ".from", "must be a local time HH:mm, not '" + weekly.getFrom() + "'");
        AvroJson.require(HH_MM.matcher(weekly.getTo()).matches(), path + ".to", "must be a local time HH:mm, not '" + weekly.getTo() + "'");
        try {
            ZoneId.of(weekly.getTimeZone());
        } catch (DateTimeException e) {
            throw new ConfigDataException(path + ".timeZone: must be an IANA time zone such as Europe/Berlin, not '"
                    + weekly.getTimeZone() + "'");
        }
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
