package dev.incidentengine.configdata;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
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
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.ContactType;
import dev.incidentengine.model.config.EscalationLevel;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.ResponseTarget;
import dev.incidentengine.model.config.IncidentTypeConfig;
import dev.incidentengine.model.config.InhibitRuleConfig;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.LevelTarget;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.model.config.NotificationRule;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.model.config.RouteConfig;
import dev.incidentengine.model.config.RunbookConfig;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.model.config.TierConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.model.config.WeeklyWindow;
import dev.incidentengine.schemas.RunbookLimits;
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
        KINDS.put("channels", Topics.CONFIG_CHANNELS);
        KINDS.put("statusPages", Topics.CONFIG_STATUS_PAGES);
        KINDS.put("roles", Topics.CONFIG_ROLES);
        KINDS.put("incidentTypes", Topics.CONFIG_INCIDENT_TYPES);
        KINDS.put("runbooks", Topics.CONFIG_RUNBOOKS);
        KINDS.put("tiers", Topics.CONFIG_TIERS);
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<String> MATCHER_FIELDS = List.of("matchers", "sourceMatchers", "targetMatchers");
    private static final Pattern STRING_MATCHER = Pattern.compile("\\s*([^\\s=!~\"]+)\\s*(=~|!~|!=|=)\\s*(.*?)\\s*");
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");
    private static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{6,14}");
    private static final int MAX_REPEAT = 9;
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    /** A secret's name: a file in the notifier's secrets directory (so no path, no leading dot) or an INCIDENT_SECRET_ variable. */
    public static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern SLACK_CONVERSATION = Pattern.compile("[CGDU][A-Z0-9]{6,}");
    /** What notifier templates and channel subscriptions call the kinds of message, and the channels that render them. */
    public static final List<String> MESSAGE_KINDS = List.of("page", "opened", "acknowledged", "resolved", "reopened",
            "severity-changed", "status-update", "closed", "review-required", "public-update-due", "role-requested");
    /** The news a channel may subscribe to: not what is addressed to a person (pages, public update reminders). */
    private static final List<String> CHANNEL_EVENTS = MESSAGE_KINDS.stream()
            .filter(kind -> !kind.equals("page") && !kind.equals("public-update-due") && !kind.equals("role-requested")).toList();
    /** The channels a template may be written for (the notifier renders these; its MessageKind is held to MESSAGE_KINDS by a test). */
    public static final List<String> TEMPLATE_CHANNELS = List.of("slack", "slack-webhook", "teams", "email", "webhook", "sms", "voice",
            "pagerduty");
    private static final Pattern TEMPLATE_KEY = Pattern.compile(
            "((" + String.join("|", TEMPLATE_CHANNELS) + ")/)?(" + String.join("|", MESSAGE_KINDS) + ")\\.(title|text|html)");

    private ConfigData() {
    }

    /** The kinds files may hold, in their order, and the topic of each. */
    public static Map<String, Topic<String, ? extends SpecificRecord>> kinds() {
        return Collections.unmodifiableMap(KINDS);
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
     * Fails on the first id that names a user, team, schedule, escalation policy or service the entries do not define. A kind is
     * checked only when the entries define at least one record of it, so that a directory holding only routes still loads.
     */
    private static void checkReferences(List<Entry> entries) {
        Map<String, Set<String>> ids = new HashMap<>();
        for (Entry entry : entries) {
            ids.computeIfAbsent(entry.topic().name(), name -> new HashSet<>()).add(entry.id());
        }
        References references = new References(ids);
        for (Entry entry : entries) {
            if (entry.value() instanceof TeamConfig team) {
                for (int i = 0; i < team.getMembers().size(); i++) {
                    references.require(entry, "members[" + i + "]", Topics.CONFIG_USERS, "user", team.getMembers().get(i));
                }
                references.require(entry, "escalationPolicyId", Topics.CONFIG_ESCALATION_POLICIES, "escalation policy",
                        team.getEscalationPolicyId());
                team.getRoleSchedules().forEach((role, schedule) -> {
                    references.require(entry, "roleSchedules." + role, Topics.CONFIG_ROLES, "role", role);
                    references.require(entry, "roleSchedules." + role, Topics.CONFIG_SCHEDULES, "schedule", schedule);
                });
            } else if (entry.value() instanceof ServiceConfig service) {
                references.require(entry, "escalationPolicyId", Topics.CONFIG_ESCALATION_POLICIES, "escalation policy",
                        service.getEscalationPolicyId());
                references.require(entry, "tier", Topics.CONFIG_TIERS, "tier", service.getTier());
            } else if (entry.value() instanceof RouteConfig route) {
                references.require(entry, "incidentType", Topics.CONFIG_INCIDENT_TYPES, "incident type", route.getIncidentType());
            } else if (entry.value() instanceof RunbookConfig runbook) {
                for (int i = 0; i < runbook.getServices().size(); i++) {
                    references.require(entry, "services[" + i + "]", Topics.CONFIG_SERVICES, "service", runbook.getServices().get(i));
                }
                for (int i = 0; i < runbook.getIncidentTypes().size(); i++) {
                    references.require(entry, "incidentTypes[" + i + "]", Topics.CONFIG_INCIDENT_TYPES, "incident type",
                            runbook.getIncidentTypes().get(i));
                }
            } else if (entry.value() instanceof ScheduleConfig schedule) {
                for (int i = 0; i < schedule.getLayers().size(); i++) {
                    List<String> participants = schedule.getLayers().get(i).getParticipants();
                    for (int j = 0; j < participants.size(); j++) {
                        references.require(entry, "layers[" + i + "].participants[" + j + "]", Topics.CONFIG_USERS, "user",
                                participants.get(j));
                    }
                }
                for (int i = 0; i < schedule.getOverrides().size(); i++) {
                    references.require(entry, "overrides[" + i + "].userId", Topics.CONFIG_USERS, "user",
                            schedule.getOverrides().get(i).getUserId());
                }
            } else if (entry.value() instanceof IntegrationConfig integration) {
                references.require(entry, "serviceId", Topics.CONFIG_SERVICES, "service", integration.getServiceId());
                for (int i = 0; i < integration.getAllowedServices().size(); i++) {
                    references.require(entry, "allowedServices[" + i + "]", Topics.CONFIG_SERVICES, "service",
                            integration.getAllowedServices().get(i));
                }
            } else if (entry.value() instanceof ChannelConfig channel) {
                for (int i = 0; i < channel.getServices().size(); i++) {
                    references.require(entry, "services[" + i + "]", Topics.CONFIG_SERVICES, "service", channel.getServices().get(i));
                }
            } else if (entry.value() instanceof EscalationPolicyConfig policy) {
                for (int i = 0; i < policy.getLevels().size(); i++) {
                    List<LevelTarget> targets = policy.getLevels().get(i).getTargets();
                    for (int j = 0; j < targets.size(); j++) {
                        LevelTarget target = targets.get(j);
                        String field = "levels[" + i + "].targets[" + j + "].id";
                        switch (target.getType()) {
                            case USER -> references.require(entry, field, Topics.CONFIG_USERS, "user", target.getId());
                            case SCHEDULE -> references.require(entry, field, Topics.CONFIG_SCHEDULES, "schedule", target.getId());
                            case TEAM -> references.require(entry, field, Topics.CONFIG_TEAMS, "team", target.getId());
                        }
                    }
                }
            }
        }
    }

    /** The ids defined per config topic name. */
    private record References(Map<String, Set<String>> ids) {

        void require(Entry entry, String field, Topic<String, ? extends SpecificRecord> topic, String kind, String id) {
            Set<String> defined = ids.get(topic.name());
            if (id == null || defined == null || defined.contains(id)) {
                return;
            }
            throw new ConfigDataException(entry.origin() + ": " + field + ": " + kind + " '" + id
                    + "' is not defined in any file of this directory");
        }
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
                    || topic == Topics.CONFIG_INHIBIT_RULES || topic == Topics.CONFIG_RUNBOOKS;
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

    /** Checks what the schema cannot express, so that bad routing and on-call config fails at load, not in the stream. */
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
        } else if (value instanceof UserConfig user) {
            validateUser(user, path);
        } else if (value instanceof TeamConfig team) {
            requireNotBlank(team.getMembers(), path + ".members");
            if (team.getWarRoomUrl() != null) {
                requireHttpUrl(team.getWarRoomUrl(), path + ".warRoomUrl");
            }
        } else if (value instanceof EscalationPolicyConfig policy) {
            validatePolicy(policy, path);
        } else if (value instanceof ScheduleConfig schedule) {
            validateSchedule(schedule, path);
        } else if (value instanceof ChannelConfig channel) {
            validateChannel(channel, path);
        } else if (value instanceof ServiceConfig service) {
            service.getNotificationTemplates().forEach((key, template) -> validateTemplate(key, template, path + ".notificationTemplates"));
            validateTargets(service.getResponseTargets(), path + ".responseTargets");
        } else if (value instanceof RoleConfig role) {
            validateSeverities(role.getRequiredSeverities(), path + ".requiredSeverities");
            AvroJson.require(role.getRequiredWithinMinutes() >= 1, path + ".requiredWithinMinutes",
                    "must be at least 1, not " + role.getRequiredWithinMinutes());
        } else if (value instanceof RunbookConfig runbook) {
            validateMatchers(runbook.getMatchers(), path + ".matchers");
            String problem = RunbookLimits.problem(runbook);
            AvroJson.require(problem == null, path + ".steps", problem);
            if (runbook.getUrl() != null) {
                requireHttpUrl(runbook.getUrl(), path + ".url");
            }
        } else if (value instanceof TierConfig tier) {
            validateTargets(tier.getTargets(), path + ".targets");
        }
        String id = value.get(value.getSchema().getField("id").pos()).toString();
        if (value instanceof RoleConfig || value instanceof IncidentTypeConfig || value instanceof RunbookConfig || value instanceof TierConfig) {
            AvroJson.require(ID.matcher(id).matches(), path + ".id", "must be lower-case letters, digits and dashes (at most 64), not '" + id + "'");
        }
    }

    private static void validateTargets(Map<String, ResponseTarget> targets, String path) {
        targets.forEach((severity, target) -> {
            AvroJson.require(severity.matches("SEV[0-4]"), path + "." + severity, "must be keyed SEV0…SEV4");
            AvroJson.require(target.getAcknowledgeMinutes() >= 1, path + "." + severity + ".acknowledgeMinutes",
                    "must be at least 1, not " + target.getAcknowledgeMinutes());
            AvroJson.require(target.getResolveMinutes() >= target.getAcknowledgeMinutes(), path + "." + severity + ".resolveMinutes",
                    "must be at least acknowledgeMinutes (" + target.getAcknowledgeMinutes() + "), not " + target.getResolveMinutes());
        });
    }

    private static void validateSeverities(List<String> severities, String path) {
        for (int i = 0; i < severities.size(); i++) {
            String severity = severities.get(i);
            AvroJson.require(severity.matches("SEV[0-4]"), path + "[" + i + "]", "must be SEV0…SEV4, not '" + severity + "'");
        }
    }

    private static void validateChannel(ChannelConfig channel, String path) {
        String address = channel.getAddress();
        String where = path + ".address";
        switch (channel.getType()) {
            case SLACK -> AvroJson.require(address != null && SLACK_CONVERSATION.matcher(address).matches(), where,
                    "must be a Slack channel or member id such as C0123ABCD, not '" + address + "'");
            case SLACK_WEBHOOK, TEAMS, WEBHOOK -> requireHttpUrl(address, where);
            case EMAIL -> {
                AvroJson.require(address != null, where, "must list e-mail addresses");
                for (String one : address.split(",")) {
                    AvroJson.require(EMAIL.matcher(one.strip()).matches(), where, "'" + one.strip() + "' is not an e-mail address");
                }
            }
            case SMS -> AvroJson.require(address != null && E164.matcher(address).matches(), where,
                    "must be a phone number in E.164 form such as +4915100000001, not '" + address + "'");
            case PAGERDUTY -> {
                if (address != null) {
                    requireHttpUrl(address, where);
                }
                AvroJson.require(channel.getSecret() != null, path + ".secret", "must name the secret holding the PagerDuty routing key");
            }
        }
        AvroJson.require(channel.getSecret() == null || SECRET_NAME.matcher(channel.getSecret()).matches(), path + ".secret",
                "must be the name of a secrets file or INCIDENT_SECRET_ variable ([A-Za-z0-9_.-], not starting with '.'), not its value");
        for (int i = 0; i < channel.getEvents().size(); i++) {
            String kind = channel.getEvents().get(i);
            AvroJson.require(CHANNEL_EVENTS.contains(kind), path + ".events[" + i + "]",
                    "must be one of " + CHANNEL_EVENTS + ", not '" + kind + "'");
        }
        validateSeverities(channel.getSeverities(), path + ".severities");
        requireNotBlank(channel.getServices(), path + ".services");
    }

    private static void requireHttpUrl(String address, String where) {
        boolean valid;
        try {
            URI uri = address == null ? null : new URI(address);
            valid = uri != null && uri.getHost() != null && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()));
        } catch (URISyntaxException e) {
            valid = false;
        }
        AvroJson.require(valid, where, "must be an http(s) URL, not '" + address + "'");
    }

    /** A message template override: a known key and a template that compiles, so a typo fails at load, not in a page. */
    private static void validateTemplate(String key, String template, String path) {
        AvroJson.require(TEMPLATE_KEY.matcher(key).matches(), path + "." + key,
                "is not a template key: [<channel>/]<kind>.<part>, kinds " + MESSAGE_KINDS + ", parts title, text, html");
        try {
            Mustache.compiler().compile(template);
        } catch (MustacheException e) {
            throw new ConfigDataException(path + "." + key + ": the template does not compile (" + e.getMessage() + ")");
        }
    }

    private static void validateUser(UserConfig user, String path) {
        validateZone(user.getTimeZone(), path + ".timeZone");
        Set<ContactType> types = EnumSet.noneOf(ContactType.class);
        for (int i = 0; i < user.getContacts().size(); i++) {
            ContactMethod contact = user.getContacts().get(i);
            String address = contact.getAddress();
            String where = path + ".contacts[" + i + "].address";
            AvroJson.require(!address.isBlank(), where, "must not be blank");
            switch (contact.getType()) {
                case EMAIL -> AvroJson.require(EMAIL.matcher(address).matches(), where,
                        "must be an e-mail address such as alice@example.com, not '" + address + "'");
                case SMS, VOICE -> AvroJson.require(E164.matcher(address).matches(), where,
                        "must be a phone number in E.164 form such as +4915100000001, not '" + address + "'");
                default -> {
                }
            }
            types.add(contact.getType());
        }
        for (int i = 0; i < user.getNotificationRules().size(); i++) {
            NotificationRule rule = user.getNotificationRules().get(i);
            String where = path + ".notificationRules[" + i + "]";
            AvroJson.require(rule.getDelayMinutes() >= 0, where + ".delayMinutes",
                    "must be 0 or more, not " + rule.getDelayMinutes());
            AvroJson.require(types.contains(rule.getContactType()), where + ".contactType",
                    rule.getContactType() + " but the user has no " + rule.getContactType() + " contact");
        }
    }

    private static void validatePolicy(EscalationPolicyConfig policy, String path) {
        AvroJson.require(!policy.getLevels().isEmpty(), path + ".levels", "must hold at least one level");
        for (int i = 0; i < policy.getLevels().size(); i++) {
            EscalationLevel level = policy.getLevels().get(i);
            String where = path + ".levels[" + i + "]";
            AvroJson.require(!level.getTargets().isEmpty(), where + ".targets", "must hold at least one target");
            for (int j = 0; j < level.getTargets().size(); j++) {
                AvroJson.require(!level.getTargets().get(j).getId().isBlank(), where + ".targets[" + j + "].id",
                        "must not be blank");
            }
            AvroJson.require(level.getDelayMinutes() >= 1, where + ".delayMinutes",
                    "must be at least 1, not " + level.getDelayMinutes() + " (a delay of 0 would page every level at once)");
        }
        AvroJson.require(policy.getRepeat() >= 0 && policy.getRepeat() <= MAX_REPEAT, path + ".repeat",
                "must be between 0 and " + MAX_REPEAT + ", not " + policy.getRepeat());
        Integer ackTimeout = policy.getAckTimeoutMinutes();
        AvroJson.require(ackTimeout == null || ackTimeout >= 1, path + ".ackTimeoutMinutes",
                "must be at least 1 when given, not " + ackTimeout);
    }

    /** The schedule library's own rules (ScheduleChecks), so the loader refuses what escalation-stream would skip. */
    private static void validateSchedule(ScheduleConfig schedule, String path) {
        List<String> problems = ScheduleChecks.problems(schedule);
        if (!problems.isEmpty()) {
            throw new ConfigDataException(path + "." + problems.get(0));
        }
    }

    private static void requireNotBlank(List<String> values, String path) {
        for (int i = 0; i < values.size(); i++) {
            AvroJson.require(!values.get(i).isBlank(), path + "[" + i + "]", "must not be blank");
        }
    }

    private static void validateMatchers(List<LabelMatcher> matchers, String path) {
        for (int i = 0; i < matchers.size(); i++) {
            LabelMatcher matcher = matchers.get(i);
            AvroJson.require(!matcher.getLabel().isBlank(), path + "[" + i + "].label", "must not be blank");
            if (matcher.getOp() == MatchOp.REGEX || matcher.getOp() == MatchOp.NOT_REGEX) {
                try {
                    // RE2 syntax, as the engine evaluates it (linear time) and Alertmanager writes it.
                    com.google.re2j.Pattern.compile(matcher.getValue());
                } catch (com.google.re2j.PatternSyntaxException e) {
                    throw new ConfigDataException(path + "[" + i + "].value: '" + matcher.getValue()
                            + "' is not a valid regular expression (" + e.getDescription() + ")");
                }
            }
        }
    }

    private static void validateWeekly(WeeklyWindow weekly, String path) {
        validateDays(weekly.getDays(), path + ".days");
        validateLocalTime(weekly.getFrom(), path + ".from");
        validateLocalTime(weekly.getTo(), path + ".to");
        validateZone(weekly.getTimeZone(), path + ".timeZone");
    }

    private static void validateDays(List<String> days, String path) {
        for (int i = 0; i < days.size(); i++) {
            String day = days.get(i);
            AvroJson.require(ScheduleChecks.dayOfWeek(day) != null, path + "[" + i + "]", "must be one of MONDAY..SUNDAY, not '" + day + "'");
        }
    }

    private static void validateLocalTime(String time, String path) {
        AvroJson.require(ScheduleChecks.isLocalTime(time), path, "must be a local time HH:mm, not '" + time + "'");
    }

    private static void validateZone(String zone, String path) {
        AvroJson.require(ScheduleChecks.zone(zone) != null, path, "must be an IANA time zone such as Europe/Berlin, not '" + zone + "'");
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
