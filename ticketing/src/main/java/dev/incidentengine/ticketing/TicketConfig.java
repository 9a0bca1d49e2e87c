package dev.incidentengine.ticketing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.incidentengine.model.Severity;
import dev.incidentengine.schemas.Topics;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;

/**
 * The settings of both connectors: which system ({@code ticket.system}, its own {@code <system>.*} settings), which incidents
 * get tickets, what becomes a comment, the templates, where the sink keeps its links and how HTTP retries. The sink and the
 * source define the settings they use ({@link #sinkDef}, {@link #sourceDef}); {@link #withFieldTemplates} validates the
 * settings ConfigDef cannot define.
 */
public final class TicketConfig extends AbstractConfig {

    public static final String SYSTEM = "ticket.system";
    public static final String SEVERITIES = "ticket.severities";
    public static final String SERVICES = "ticket.services";
    public static final String COMMENT_EVENTS = "ticket.comment.events";
    public static final String LABELS = "ticket.labels";
    public static final String SINCE = "ticket.since";
    public static final String TEMPLATE_PREFIX = "ticket.template.";
    public static final String SUMMARY_TEMPLATE = TEMPLATE_PREFIX + "summary";
    public static final String DESCRIPTION_TEMPLATE = TEMPLATE_PREFIX + "description";
    public static final String COMMENT_TEMPLATE = TEMPLATE_PREFIX + "comment";
    public static final String RESOLUTION_TEMPLATE = TEMPLATE_PREFIX + "resolution";
    public static final String ACTION_SUMMARY_TEMPLATE = TEMPLATE_PREFIX + "action.summary";
    public static final String ACTION_DESCRIPTION_TEMPLATE = TEMPLATE_PREFIX + "action.description";
    /** {@code <system>.field.<field id>=<template>}: a system-specific field of new tickets, rendered like the summary. */
    public static final String FIELD_INFIX = ".field.";
    public static final String INCIDENT_URL = "ticket.incident.url";
    public static final String LINKS_TOPIC = "ticket.links.topic";
    public static final String COMMANDS_TOPIC = "ticket.commands.topic";
    public static final String KAFKA_PREFIX = "ticket.kafka.";
    public static final String KAFKA_BOOTSTRAP = KAFKA_PREFIX + "bootstrap.servers";
    public static final String MAX_INCIDENTS = "ticket.max.incidents";
    public static final String RECENT_COMMENTS = "ticket.recent.comments";
    public static final String HTTP_TIMEOUT_MS = "ticket.http.timeout.ms";
    public static final String RETRY_ATTEMPTS = "ticket.retry.attempts";
    public static final String RETRY_BACKOFF_MS = "ticket.retry.backoff.ms";
    public static final String RETRY_BACKOFF_MAX_MS = "ticket.retry.backoff.max.ms";
    public static final String RETRY_MAX_WAIT_MS = "ticket.retry.max.wait.ms";
    public static final String POLL_INTERVAL_MS = "ticket.poll.interval.ms";
    public static final String POLL_MAX_CHANGES = "ticket.poll.max.changes";
    public static final String HEARTBEAT_TOPIC = "ticket.heartbeat.topic";
    public static final String HEARTBEAT_INTERVAL_MS = "ticket.heartbeat.interval.ms";
    public static final String INBOUND_RESOLUTION = "ticket.inbound.resolution";
    public static final String INBOUND_REOPEN = "ticket.inbound.reopen";
    public static final String INBOUND_COMMENTS = "ticket.inbound.comments";

    /** Incident events that can become comments, by their name in {@link #COMMENT_EVENTS}. */
    public enum CommentEvent {
        STATUS_UPDATE, NOTE, ACKNOWLEDGED, SEVERITY, ASSIGNED, ESCALATED, UNACKNOWLEDGED, SNOOZED, REVIEW, PUBLIC_UPDATE;

        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static CommentEvent of(String id) {
            return valueOf(id.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /** What a person's resolution (or reopening) in the ticket does to the incident. */
    public enum Inbound { RESOLVE, REOPEN, NOTE }

    static final String DEFAULT_SUMMARY = "{{severity}} {{id}}: {{title}}";
    static final String DEFAULT_DESCRIPTION = """
            Incident {{id}}: {{title}}
            Severity: {{severity}}
            {{#service}}Service: {{service}}
            {{/service}}Opened: {{openedAt}}
            {{#url}}Incident: {{url}}
            {{/url}}
            This ticket follows the incident: its updates are added as comments and it is resolved and closed with it.""";
    static final String DEFAULT_COMMENT = "{{headline}}{{#text}}\n\n{{text}}{{/text}}";
    static final String DEFAULT_RESOLUTION = "Resolved by {{actor}}.{{#text}}\n\n{{text}}{{/text}}{{#url}}\n\n{{url}}{{/url}}";
    static final String DEFAULT_ACTION_SUMMARY = "{{actionItem.id}} of {{id}}: {{actionItem.title}}";
    static final String DEFAULT_ACTION_DESCRIPTION = """
            Action item {{actionItem.id}} of incident {{id}} ({{title}}).
            Owner: {{actionItem.owner}}
            Due: {{actionItem.dueAt}}
            Priority: {{actionItem.priority}}
            {{#actionItem.link}}Link: {{actionItem.link}}
            {{/actionItem.link}}{{#url}}Incident: {{url}}
            {{/url}}""";

    private static final List<String> DEFAULT_COMMENT_EVENTS = List.of(CommentEvent.STATUS_UPDATE.id(), CommentEvent.NOTE.id(),
            CommentEvent.ACKNOWLEDGED.id(), CommentEvent.SEVERITY.id(), CommentEvent.ASSIGNED.id());
    private static final String GROUP = "Ticketing";

    private final TicketSystemProvider provider;

    public TicketConfig(ConfigDef def, Map<String, String> props) {
        super(def, props);
        this.provider = TicketSystems.named(getString(SYSTEM))
                .orElseThrow(() -> new ConfigException(SYSTEM, getString(SYSTEM), "unknown system; known: " + TicketSystems.names()));
    }

    /** The sink's settings, with those of the system named in {@code props} (if it is known). */
    public static ConfigDef sinkDef(Map<String, String> props) {
        ConfigDef def = common(props);
        def.define(SEVERITIES, Type.LIST, Arrays.stream(Severity.values()).map(Enum::name).toList(), enumList(Severity.class),
                        Importance.HIGH, "Severities whose incidents get a ticket, when they open or when a severity change makes them qualify.", GROUP, 10, ConfigDef.Width.MEDIUM, SEVERITIES)
                .define(SERVICES, Type.LIST, List.of(), Importance.HIGH,
                        "Services whose incidents get a ticket; empty: every service (and incidents without one).", GROUP, 11, ConfigDef.Width.MEDIUM, SERVICES)
                .define(COMMENT_EVENTS, Type.LIST, DEFAULT_COMMENT_EVENTS, commentEventsValidator(), Importance.MEDIUM,
                        "Incident events that become comments on the ticket, of: " + Arrays.stream(CommentEvent.values()).map(CommentEvent::id).toList()
                                + ". Resolution, reopening, merge and closing are always transitions with a comment.", GROUP, 12, ConfigDef.Width.LONG, COMMENT_EVENTS)
                .define(SINCE, Type.STRING, "", instant(), Importance.MEDIUM,
                        "Only events from this time on (ISO-8601, e.g. 2026-12-01T00:00:00Z) open tickets: a connector started on "
                                + "an engine with a year of history opens no ticket for each old incident (one still active gets "
                                + "one at its next qualifying severity change). Empty: every event.", GROUP, 14, ConfigDef.Width.MEDIUM, SINCE)
                .define(LABELS, Type.LIST, List.of(), Importance.LOW, "Labels for every new ticket, where the system has labels.", GROUP, 13, ConfigDef.Width.MEDIUM, LABELS)
                .define(SUMMARY_TEMPLATE, Type.STRING, DEFAULT_SUMMARY, template(), Importance.MEDIUM,
                        "Mustache template of an incident ticket's summary (plain text: the system's client escapes it for its markup).", GROUP, 20, ConfigDef.Width.LONG, SUMMARY_TEMPLATE)
                .define(DESCRIPTION_TEMPLATE, Type.STRING, DEFAULT_DESCRIPTION, template(), Importance.MEDIUM,
                        "Mustache template of an incident ticket's description.", GROUP, 21, ConfigDef.Width.LONG, DESCRIPTION_TEMPLATE)
                .define(COMMENT_TEMPLATE, Type.STRING, DEFAULT_COMMENT, template(), Importance.MEDIUM,
                        "Mustache template of a comment: {{headline}} says what happened, {{text}} is the note or message.", GROUP, 22, ConfigDef.Width.LONG, COMMENT_TEMPLATE)
                .define(RESOLUTION_TEMPLATE, Type.STRING, DEFAULT_RESOLUTION, template(), Importance.MEDIUM,
                        "Mustache template of the comment that resolves the ticket.", GROUP, 23, ConfigDef.Width.LONG, RESOLUTION_TEMPLATE)
                .define(ACTION_SUMMARY_TEMPLATE, Type.STRING, DEFAULT_ACTION_SUMMARY, template(), Importance.LOW,
                        "Mustache template of an action item ticket's summary ({{actionItem.title}}, …).", GROUP, 24, ConfigDef.Width.LONG, ACTION_SUMMARY_TEMPLATE)
                .define(ACTION_DESCRIPTION_TEMPLATE, Type.STRING, DEFAULT_ACTION_DESCRIPTION, template(), Importance.LOW,
                        "Mustache template of an action item ticket's description.", GROUP, 25, ConfigDef.Width.LONG, ACTION_DESCRIPTION_TEMPLATE)
                .define(INCIDENT_URL, Type.STRING, "", template(), Importance.MEDIUM,
                        "Template of the link to an incident in the engine's console, e.g. https://incidents.example.com/incidents/{{id}}; "
                                + "empty: tickets carry no link.", GROUP, 26, ConfigDef.Width.LONG, INCIDENT_URL)
                .define(LINKS_TOPIC, Type.STRING, Topics.TICKET_LINKS.name(), new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "Compacted topic of the connector's tickets and progress per incident (as many partitions as the events topic).", GROUP, 30, ConfigDef.Width.MEDIUM, LINKS_TOPIC)
                .define(KAFKA_BOOTSTRAP, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                        "Brokers of the links and commands topics. Other " + KAFKA_PREFIX + "* settings (TLS, SASL) go to the task's own "
                                + "producer and consumer.", GROUP, 31, ConfigDef.Width.LONG, KAFKA_BOOTSTRAP)
                .define(MAX_INCIDENTS, Type.INT, 50_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                        "Incidents a task keeps in memory; the least recently updated beyond it are dropped and found again in the "
                                + "ticket system (a search) when they change.", GROUP, 32, ConfigDef.Width.SHORT, MAX_INCIDENTS)
                .define(RECENT_COMMENTS, Type.INT, 50, ConfigDef.Range.between(1, 100), Importance.LOW,
                        "After a restart, how many recent comments of a ticket are searched for a comment already posted.", GROUP, 33, ConfigDef.Width.SHORT, RECENT_COMMENTS);
        return def;
    }

    /** The source's settings, with those of the system named in {@code props}. */
    public static ConfigDef sourceDef(Map<String, String> props) {
        return common(props)
                .define(POLL_INTERVAL_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(100), Importance.MEDIUM,
                        "How often the ticket system is asked for people's changes.", GROUP, 40, ConfigDef.Width.SHORT, POLL_INTERVAL_MS)
                .define(POLL_MAX_CHANGES, Type.INT, 100, ConfigDef.Range.between(1, 1000), Importance.LOW,
                        "Changes read per request.", GROUP, 41, ConfigDef.Width.SHORT, POLL_MAX_CHANGES)
                .define(HEARTBEAT_TOPIC, Type.STRING, Topics.TICKET_SOURCE_HEARTBEATS.name(), new ConfigDef.NonEmptyString(), Importance.LOW,
                        "Where the cursor is written when it moved without a command to carry it, so Connect commits it.", GROUP, 45,
                        ConfigDef.Width.MEDIUM, HEARTBEAT_TOPIC)
                .define(HEARTBEAT_INTERVAL_MS, Type.LONG, 60_000L, ConfigDef.Range.atLeast(0), Importance.LOW,
                        "The most time a moved cursor goes without being written (0: never; a restart then reads again from where "
                                + "a command last carried it, or from now).", GROUP, 46, ConfigDef.Width.SHORT, HEARTBEAT_INTERVAL_MS)
                .define(INBOUND_RESOLUTION, Type.STRING, "resolve", ConfigDef.ValidString.in("resolve", "note"), Importance.MEDIUM,
                        "A ticket resolved or closed by a person: resolve the incident, or only add a note to it.", GROUP, 42, ConfigDef.Width.SHORT, INBOUND_RESOLUTION)
                .define(INBOUND_REOPEN, Type.STRING, "reopen", ConfigDef.ValidString.in("reopen", "note"), Importance.MEDIUM,
                        "A ticket reopened by a person: reopen the incident, or only add a note to it.", GROUP, 43, ConfigDef.Width.SHORT, INBOUND_REOPEN)
                .define(INBOUND_COMMENTS, Type.BOOLEAN, false, Importance.MEDIUM,
                        "Whether people's comments on tickets become notes on their incidents.", GROUP, 44, ConfigDef.Width.SHORT, INBOUND_COMMENTS);
    }

    private static ConfigDef common(Map<String, String> props) {
        ConfigDef def = new ConfigDef()
                .define(SYSTEM, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, system(), Importance.HIGH,
                        "The ticketing system, one of " + TicketSystems.names() + "; its settings are named <system>.*.", GROUP, 1, ConfigDef.Width.SHORT, SYSTEM)
                .define(COMMANDS_TOPIC, Type.STRING, Topics.INCIDENT_COMMANDS.name(), new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "Where commands for incidents go (ticket links; people's changes to tickets).", GROUP, 2, ConfigDef.Width.MEDIUM, COMMANDS_TOPIC)
                .define(HTTP_TIMEOUT_MS, Type.LONG, 30_000L, ConfigDef.Range.atLeast(100), Importance.LOW,
                        "Timeout of one HTTP request to the ticket system.", GROUP, 50, ConfigDef.Width.SHORT, HTTP_TIMEOUT_MS)
                .define(RETRY_ATTEMPTS, Type.INT, TicketHttp.Retry.DEFAULT.maxAttempts(), ConfigDef.Range.between(1, 20), Importance.LOW,
                        "Attempts of a request answered 429, 5xx or not at all, before the task hands the retry to Connect.", GROUP, 51, ConfigDef.Width.SHORT, RETRY_ATTEMPTS)
                .define(RETRY_BACKOFF_MS, Type.LONG, TicketHttp.Retry.DEFAULT.initialBackoff().toMillis(), ConfigDef.Range.atLeast(1), Importance.LOW,
                        "First wait between attempts; it doubles up to " + RETRY_BACKOFF_MAX_MS + ".", GROUP, 52, ConfigDef.Width.SHORT, RETRY_BACKOFF_MS)
                .define(RETRY_BACKOFF_MAX_MS, Type.LONG, TicketHttp.Retry.DEFAULT.maxBackoff().toMillis(), ConfigDef.Range.atLeast(1), Importance.LOW,
                        "Longest wait between attempts.", GROUP, 53, ConfigDef.Width.SHORT, RETRY_BACKOFF_MAX_MS)
                .define(RETRY_MAX_WAIT_MS, Type.LONG, TicketHttp.Retry.DEFAULT.maxWait().toMillis(), ConfigDef.Range.atLeast(0), Importance.LOW,
                        "Longest Retry-After waited in the task; a longer one is handed to Connect (the task pauses and retries the batch).", GROUP, 54, ConfigDef.Width.SHORT, RETRY_MAX_WAIT_MS);
        String system = props == null ? null : props.get(SYSTEM);
        if (system != null) {
            TicketSystems.named(system.trim()).ifPresent(provider -> provider.define(def));
        }
        return def;
    }

    public TicketSystemProvider provider() {
        return provider;
    }

    public TicketHttp.Retry retry() {
        return new TicketHttp.Retry(getInt(RETRY_ATTEMPTS), Duration.ofMillis(getLong(RETRY_BACKOFF_MS)),
                Duration.ofMillis(getLong(RETRY_BACKOFF_MAX_MS)), Duration.ofMillis(getLong(RETRY_MAX_WAIT_MS)));
    }

    public Duration httpTimeout() {
        return Duration.ofMillis(getLong(HTTP_TIMEOUT_MS));
    }

    public Set<Severity> severities() {
        return getList(SEVERITIES).stream().map(name -> Severity.valueOf(name.trim()))
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Severity.class)));
    }

    /** {@link #SINCE}, or null. */
    public java.time.Instant since() {
        String value = getString(SINCE).trim();
        return value.isEmpty() ? null : java.time.Instant.parse(value);
    }

    public Set<CommentEvent> commentEvents() {
        return getList(COMMENT_EVENTS).stream().map(CommentEvent::of)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(CommentEvent.class)));
    }

    /** {@code <system>.field.<id>} templates, by field id, in the order of their ids. */
    public Map<String, String> fieldTemplates() {
        return fieldTemplates(originalsStrings(), provider.system());
    }

    static Map<String, String> fieldTemplates(Map<String, String> props, String system) {
        String prefix = system + FIELD_INFIX;
        Map<String, String> fields = new TreeMap<>();
        props.forEach((key, value) -> {
            if (key.startsWith(prefix) && key.length() > prefix.length()) {
                fields.put(key.substring(prefix.length()), value);
            }
        });
        return fields;
    }

    /** The task's own Kafka client settings: every {@code ticket.kafka.*} setting without the prefix. */
    public Map<String, Object> kafkaClientProps() {
        Map<String, Object> client = new HashMap<>();
        originals().forEach((key, value) -> {
            if (key.startsWith(KAFKA_PREFIX)) {
                client.put(key.substring(KAFKA_PREFIX.length()), value);
            }
        });
        return client;
    }

    /**
     * The values ConfigDef validated, and one for each {@code <system>.field.<id>} template (settings ConfigDef cannot
     * define, their ids being the system's), with an error when it is not a valid template.
     */
    static List<ConfigValue> withFieldTemplates(Map<String, String> props, List<ConfigValue> values) {
        List<ConfigValue> all = new ArrayList<>(values);
        String system = props.get(SYSTEM) == null ? null : props.get(SYSTEM).trim();
        if (system != null && TicketSystems.named(system).isPresent()) {
            fieldTemplates(props, system).forEach((field, text) -> {
                String name = system + FIELD_INFIX + field;
                ConfigValue value = new ConfigValue(name, text, List.of(), new ArrayList<>());
                try {
                    TicketTemplates.check(name, text);
                } catch (IllegalArgumentException e) {
                    value.addErrorMessage(e.getMessage());
                }
                all.add(value);
            });
        }
        return all;
    }

    /** How long validation waits for the ticket system, in one attempt. */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(10);
    private static final java.util.regex.Pattern CONFIG_NAME = java.util.regex.Pattern.compile("for configuration (\\S+?):? ");

    /**
     * When every setting is valid on its own, asks the ticket system itself ({@link TicketSystem#check()}): a name it does not
     * know is an error on the setting the system names; a refusal (a wrong key, a missing project) or no answer is one on
     * {@code <system>.url}, with the system's reason.
     */
    static List<ConfigValue> checkAgainstSystem(ConfigDef def, Map<String, String> props, List<ConfigValue> values) {
        if (values.stream().anyMatch(value -> !value.errorMessages().isEmpty())) {
            return values;
        }
        TicketConfig config = new TicketConfig(def, props);
        String system = config.provider().system();
        TicketHttp http = TicketHttp.create(system, new TicketHttp.Retry(1, Duration.ofMillis(100), Duration.ofMillis(100), Duration.ZERO),
                CHECK_TIMEOUT);
        String field = system + ".url";
        String message;
        try (TicketSystem client = config.provider().create(config, http)) {
            client.check();
            return values;
        } catch (ConfigException e) {
            java.util.regex.Matcher named = CONFIG_NAME.matcher(e.getMessage());
            field = named.find() ? named.group(1) : field;
            message = e.getMessage();
        } catch (TicketException e) {
            message = e.getMessage();
        }
        List<ConfigValue> checked = new ArrayList<>(values);
        String name = field;
        ConfigValue target = checked.stream().filter(value -> value.name().equals(name)).findFirst().orElseGet(() -> {
            ConfigValue added = new ConfigValue(name, null, List.of(), new ArrayList<>());
            checked.add(added);
            return added;
        });
        target.addErrorMessage(message);
        return checked;
    }

    private static ConfigDef.Validator system() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value == null || TicketSystems.named(value.toString().trim()).isEmpty()) {
                    throw new ConfigException(name, value, "unknown ticketing system; known: " + TicketSystems.names());
                }
            }

            @Override
            public String toString() {
                return String.join(", ", TicketSystems.names());
            }
        };
    }

    private static ConfigDef.Validator template() {
        return (name, value) -> {
            try {
                TicketTemplates.check(name, (String) value);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(name, value, e.getMessage());
            }
        };
    }

    private static ConfigDef.Validator instant() {
        return (name, value) -> {
            String text = value == null ? "" : value.toString().trim();
            if (!text.isEmpty()) {
                try {
                    java.time.Instant.parse(text);
                } catch (java.time.format.DateTimeParseException e) {
                    throw new ConfigException(name, value, "not an ISO-8601 instant such as 2026-12-01T00:00:00Z");
                }
            }
        };
    }

    private static <E extends Enum<E>> ConfigDef.Validator enumList(Class<E> type) {
        return (name, value) -> {
            @SuppressWarnings("unchecked")
            List<String> items = (List<String>) value;
            if (items.isEmpty()) {
                throw new ConfigException(name, value, "at least one is needed");
            }
            for (String item : items) {
                try {
                    Enum.valueOf(type, item.trim());
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name, item, "unknown; known: " + Arrays.toString(type.getEnumConstants()));
                }
            }
        };
    }

    private static ConfigDef.Validator commentEventsValidator() {
        return (name, value) -> {
            @SuppressWarnings("unchecked")
            List<String> items = (List<String>) value;
            for (String item : items) {
                try {
                    CommentEvent.of(item);
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(name, item, "unknown event; known: " + Arrays.stream(CommentEvent.values()).map(CommentEvent::id).toList());
                }
            }
        };
    }
}
