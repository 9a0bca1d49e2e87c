package dev.incidentengine.schemas;

import java.time.Duration;
import java.util.List;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.CommandResult;
import dev.incidentengine.model.DeliveryRecord;
import dev.incidentengine.model.HeartbeatPing;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.OnCallOverride;
import dev.incidentengine.model.SessionEvent;
import dev.incidentengine.model.StatusPageCommand;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.model.StatusSubscriber;
import dev.incidentengine.model.SuppressedAlert;
import dev.incidentengine.model.TicketLink;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.IncidentTypeConfig;
import dev.incidentengine.model.config.InhibitRuleConfig;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.model.config.RouteConfig;
import dev.incidentengine.model.config.RunbookConfig;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.StatusPageConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.model.config.TierConfig;
import dev.incidentengine.model.config.UserConfig;

import static dev.incidentengine.schemas.Topic.Cleanup.COMPACT;
import static dev.incidentengine.schemas.Topic.Cleanup.DELETE;

/** Every topic of the engine: the one place where topic names are written. */
public final class Topics {

    private static final int DATA_PARTITIONS = 6;
    private static final Duration WEEK = Duration.ofDays(7);
    private static final Duration FOREVER = null;

    /** Raw JSON alerts produced by clients; a header names the format. */
    public static final Topic<String, byte[]> ALERTS_RAW =
            new Topic<>("alerts.raw.v1", String.class, byte[].class, DATA_PARTITIONS, DELETE, WEEK);
    /** Normalized alerts, keyed by fingerprint. */
    public static final Topic<String, Alert> ALERTS =
            new Topic<>("alerts.v1", String.class, Alert.class, DATA_PARTITIONS, DELETE, WEEK);
    /** Alerts that could not be read or normalized, with headers that say why. */
    public static final Topic<byte[], byte[]> ALERTS_DLQ =
            new Topic<>("alerts.dlq.v1", byte[].class, byte[].class, 1, DELETE, Duration.ofDays(30));
    /** Firing alerts held back by a silence or an inhibition rule, and how that ended; keyed by fingerprint. */
    public static final Topic<String, SuppressedAlert> ALERTS_SUPPRESSED =
            new Topic<>("alerts.suppressed.v1", String.class, SuppressedAlert.class, DATA_PARTITIONS, DELETE, Duration.ofDays(30));
    /** Firing alerts that match an inhibition rule's source, keyed by fingerprint (tombstone once resolved); read as a global table. */
    public static final Topic<String, Alert> ALERTS_INHIBITING =
            new Topic<>("alerts.inhibiting.v1", String.class, Alert.class, 1, COMPACT, FOREVER);
    /** Commands on incidents, keyed by incident id. */
    /** Heartbeat pings (issue 21), keyed by heartbeat id: alert-ingest writes them for HTTP pings and Watchdog alerts; anyone may. */
    public static final Topic<String, HeartbeatPing> HEARTBEATS =
            new Topic<>("heartbeats.v1", String.class, HeartbeatPing.class, DATA_PARTITIONS, DELETE, Duration.ofDays(1));

    public static final Topic<String, IncidentCommand> INCIDENT_COMMANDS =
            new Topic<>("incident.commands.v1", String.class, IncidentCommand.class, DATA_PARTITIONS, DELETE, WEEK);
    /** The incident log, keyed by incident id; the source of truth, never deleted. */
    public static final Topic<String, IncidentEvent> INCIDENT_EVENTS =
            new Topic<>("incident.events.v1", String.class, IncidentEvent.class, DATA_PARTITIONS, DELETE, FOREVER);
    /** Commands and events the incident stream could not read or process, with headers that say why. */
    public static final Topic<byte[], byte[]> INCIDENT_DLQ =
            new Topic<>("incident.dlq.v1", byte[].class, byte[].class, 1, DELETE, Duration.ofDays(30));
    /** How each command was decided, keyed by incident id; lets an API caller wait for its command. */
    public static final Topic<String, CommandResult> INCIDENT_COMMAND_RESULTS =
            new Topic<>("incident.command-results.v1", String.class, CommandResult.class, DATA_PARTITIONS, DELETE, Duration.ofDays(1));
    /** Latest state of each incident, keyed by incident id. */
    public static final Topic<String, IncidentState> INCIDENT_STATE =
            new Topic<>("incident.state.v1", String.class, IncidentState.class, DATA_PARTITIONS, COMPACT, FOREVER);
    /** Notifications that are due, rendered and addressed, keyed by incident id: the notifier's planner to its sender. */
    public static final Topic<String, NotificationRequest> NOTIFICATION_REQUESTS =
            new Topic<>("notification.requests.v1", String.class, NotificationRequest.class, DATA_PARTITIONS, DELETE, WEEK);
    /** What the sender did with each delivery, keyed by delivery id, in the partition of its request; checked before every send. */
    public static final Topic<String, DeliveryRecord> NOTIFICATION_DELIVERIES =
            new Topic<>("notification.deliveries.v1", String.class, DeliveryRecord.class, DATA_PARTITIONS, COMPACT, FOREVER);
    /** Outcome of every notification delivery, keyed by incident id. */
    public static final Topic<String, NotificationResult> NOTIFICATION_RESULTS =
            new Topic<>("notification.results.v1", String.class, NotificationResult.class, DATA_PARTITIONS, DELETE, FOREVER);
    /** Events and requests the notifier could not read or process, with headers that say why. */
    public static final Topic<byte[], byte[]> NOTIFICATION_DLQ =
            new Topic<>("notification.dlq.v1", byte[].class, byte[].class, 1, DELETE, Duration.ofDays(30));

    /**
     * On-call overrides people make through the API, keyed by override id (a tombstone removes one); read whole by every
     * instance that computes who is on call, as the config topics are. Not config: {@code config apply} never touches it.
     */
    public static final Topic<String, OnCallOverride> ONCALL_OVERRIDES =
            new Topic<>("oncall.overrides.v1", String.class, OnCallOverride.class, 1, COMPACT, FOREVER);

    /**
     * The console's sign-in links asked for and used, and its sessions signed out, keyed by nonce; every instance reads it
     * whole, so a link works once and a signed-out session is refused everywhere. Tombstoned once expired.
     */
    public static final Topic<String, SessionEvent> CONSOLE_SESSIONS =
            new Topic<>("console.sessions.v1", String.class, SessionEvent.class, 1, COMPACT, FOREVER);

    /** People's changes to the status page that are not an incident's (overrides, maintenance updates), keyed by page id. */
    public static final Topic<String, StatusPageCommand> STATUS_COMMANDS =
            new Topic<>("status.commands.v1", String.class, StatusPageCommand.class, 1, DELETE, WEEK);
    /**
     * The status page's log, keyed by page id: everything the public page shows folds from it, and every instance reads it
     * whole. One partition, so the page has one order; small, since only public facts reach it. Never deleted.
     */
    public static final Topic<String, StatusPageEvent> STATUS_PAGE =
            new Topic<>("status.page.v1", String.class, StatusPageEvent.class, 1, DELETE, FOREVER);
    /** Commands and events the status page could not read or process, with headers that say why. */
    public static final Topic<byte[], byte[]> STATUS_DLQ =
            new Topic<>("status.dlq.v1", byte[].class, byte[].class, 1, DELETE, Duration.ofDays(30));
    /** Status page subscribers, keyed by subscriber id; a tombstone deletes one (addresses only sealed). Read whole. */
    public static final Topic<String, StatusSubscriber> STATUS_SUBSCRIBERS =
            new Topic<>("status.subscribers.v1", String.class, StatusSubscriber.class, 1, COMPACT, FOREVER);

    /**
     * Each ticketing connector's tickets and progress per incident, keyed by {@code <connector>/<incident id>} and written to
     * the partition number of the incident's events (so as many partitions as {@link #INCIDENT_EVENTS}): a sink task reads
     * the partitions it was given and finds its tickets without a search. Written by the connector only.
     */
    public static final Topic<String, TicketLink> TICKET_LINKS =
            new Topic<>("ticket.links.v1", String.class, TicketLink.class, DATA_PARTITIONS, COMPACT, FOREVER);

    /** Incident events the ticketing sink could not apply (a ticket system refused them, 4xx), with Connect's error headers. */
    public static final Topic<byte[], byte[]> TICKET_DLQ =
            new Topic<>("ticket.dlq.v1", byte[].class, byte[].class, 1, DELETE, Duration.ofDays(30));

    /**
     * The ticketing source's cursor, keyed by ticket system, written when it moved without a command to carry it (people made
     * no change the engine takes): Connect commits a source's offsets only with records, and without this a restart would
     * read again from "now" and miss what people did meanwhile (Debezium's heartbeats, for the same reason).
     */
    public static final Topic<byte[], byte[]> TICKET_SOURCE_HEARTBEATS =
            new Topic<>("ticket.source-heartbeats.v1", byte[].class, byte[].class, 1, COMPACT, FOREVER);

    /** Kafka Connect's own topics, for the workers that run the ticketing connectors (named in each worker's config). */
    public static final Topic<byte[], byte[]> CONNECT_CONFIGS =
            new Topic<>("connect.configs.v1", byte[].class, byte[].class, 1, COMPACT, FOREVER);
    public static final Topic<byte[], byte[]> CONNECT_OFFSETS =
            new Topic<>("connect.offsets.v1", byte[].class, byte[].class, DATA_PARTITIONS, COMPACT, FOREVER);
    public static final Topic<byte[], byte[]> CONNECT_STATUS =
            new Topic<>("connect.status.v1", byte[].class, byte[].class, 1, COMPACT, FOREVER);

    public static final Topic<String, ServiceConfig> CONFIG_SERVICES = config("services", ServiceConfig.class);
    public static final Topic<String, IntegrationConfig> CONFIG_INTEGRATIONS = config("integrations", IntegrationConfig.class);
    public static final Topic<String, UserConfig> CONFIG_USERS = config("users", UserConfig.class);
    public static final Topic<String, TeamConfig> CONFIG_TEAMS = config("teams", TeamConfig.class);
    public static final Topic<String, ScheduleConfig> CONFIG_SCHEDULES = config("schedules", ScheduleConfig.class);
    public static final Topic<String, EscalationPolicyConfig> CONFIG_ESCALATION_POLICIES =
            config("escalation-policies", EscalationPolicyConfig.class);
    public static final Topic<String, RouteConfig> CONFIG_ROUTES = config("routes", RouteConfig.class);
    public static final Topic<String, SilenceConfig> CONFIG_SILENCES = config("silences", SilenceConfig.class);
    public static final Topic<String, InhibitRuleConfig> CONFIG_INHIBIT_RULES = config("inhibit-rules", InhibitRuleConfig.class);
    public static final Topic<String, ChannelConfig> CONFIG_CHANNELS = config("channels", ChannelConfig.class);
    public static final Topic<String, StatusPageConfig> CONFIG_STATUS_PAGES = config("status-pages", StatusPageConfig.class);
    public static final Topic<String, RoleConfig> CONFIG_ROLES = config("roles", RoleConfig.class);
    public static final Topic<String, RunbookConfig> CONFIG_RUNBOOKS = config("runbooks", RunbookConfig.class);
    public static final Topic<String, TierConfig> CONFIG_TIERS = config("tiers", TierConfig.class);
    public static final Topic<String, IncidentTypeConfig> CONFIG_INCIDENT_TYPES = config("incident-types", IncidentTypeConfig.class);

    public static final List<Topic<?, ?>> ALL = List.of(
            ALERTS_RAW, ALERTS, ALERTS_DLQ, ALERTS_SUPPRESSED, ALERTS_INHIBITING, HEARTBEATS,
            INCIDENT_COMMANDS, INCIDENT_EVENTS, INCIDENT_STATE, INCIDENT_COMMAND_RESULTS, INCIDENT_DLQ,
            NOTIFICATION_REQUESTS, NOTIFICATION_DELIVERIES, NOTIFICATION_RESULTS, NOTIFICATION_DLQ, ONCALL_OVERRIDES, CONSOLE_SESSIONS,
            STATUS_COMMANDS, STATUS_PAGE, STATUS_SUBSCRIBERS, STATUS_DLQ,
            TICKET_LINKS, TICKET_DLQ, TICKET_SOURCE_HEARTBEATS, CONNECT_CONFIGS, CONNECT_OFFSETS, CONNECT_STATUS,
            CONFIG_SERVICES, CONFIG_INTEGRATIONS, CONFIG_USERS, CONFIG_TEAMS, CONFIG_SCHEDULES,
            CONFIG_ESCALATION_POLICIES, CONFIG_ROUTES, CONFIG_SILENCES, CONFIG_INHIBIT_RULES, CONFIG_CHANNELS, CONFIG_STATUS_PAGES,
            CONFIG_ROLES, CONFIG_RUNBOOKS, CONFIG_TIERS, CONFIG_INCIDENT_TYPES);

    private Topics() {
    }

    /** Config is data: compacted, one partition, read by every instance as a global table. */
    private static <V> Topic<String, V> config(String kind, Class<V> type) {
        return new Topic<>("config." + kind + ".v1", String.class, type, 1, COMPACT, FOREVER);
    }
}
