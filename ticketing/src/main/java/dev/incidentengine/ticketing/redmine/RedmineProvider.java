package dev.incidentengine.ticketing.redmine;

import java.net.URI;
import java.util.EnumMap;
import java.util.Map;

import dev.incidentengine.model.Severity;
import dev.incidentengine.ticketing.HttpUrlValidator;
import dev.incidentengine.ticketing.TicketHttp;
import dev.incidentengine.ticketing.TicketSystem;
import dev.incidentengine.ticketing.TicketSystemProvider;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** {@code ticket.system=redmine}: the {@code redmine.*} settings and {@link RedmineSystem}. Names default to Redmine's own. */
public final class RedmineProvider implements TicketSystemProvider {

    public static final String URL = "redmine.url";
    public static final String API_KEY = "redmine.api.key";
    public static final String PROJECT = "redmine.project";
    public static final String TRACKER = "redmine.tracker";
    public static final String PRIORITY_PREFIX = "redmine.priority.";
    public static final String STATUS_RESOLVED = "redmine.status.resolved";
    public static final String STATUS_CLOSED = "redmine.status.closed";
    public static final String STATUS_REOPENED = "redmine.status.reopened";
    public static final String INCIDENT_FIELD = "redmine.incident.field";
    private static final String GROUP = "Redmine";
    /** Redmine's default priorities, most urgent first. */
    private static final Map<Severity, String> PRIORITIES = Map.of(Severity.SEV0, "Immediate", Severity.SEV1, "Urgent",
            Severity.SEV2, "High", Severity.SEV3, "Normal", Severity.SEV4, "Low");

    @Override
    public String system() {
        return RedmineSystem.SYSTEM;
    }

    @Override
    public void define(ConfigDef def) {
        int order = 0;
        def.define(URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, HttpUrlValidator.INSTANCE, Importance.HIGH,
                        "Redmine's base URL, with its path if it has one: https://redmine.example.com", GROUP, ++order, Width.LONG, "Redmine URL")
                .define(API_KEY, Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, RedmineProvider::checkKey, Importance.HIGH,
                        "API key of the connector's Redmine user (My account > API access key), as ${file:…} or ${env:…}. The user "
                                + "needs to add and edit issues in the project; the source leaves this user's own changes out, so give the sink and the source the same key.",
                        GROUP, ++order, Width.MEDIUM, "API key")
                .define(PROJECT, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                        "Identifier (or id) of the project issues are created in: ops.", GROUP, ++order, Width.SHORT, "Project")
                .define(TRACKER, Type.STRING, "Bug", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "Name of the tracker of the issues, one of the project's.", GROUP, ++order, Width.SHORT, "Tracker")
                .define(INCIDENT_FIELD, Type.STRING, "Incident", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "The issue custom field (a string field, for the tracker, \"Used as a filter\") that holds the incident's id, "
                                + "by which the connector finds its issues: its name (looked up with an administrator's key) or its id.",
                        GROUP, ++order, Width.SHORT, "Incident field")
                .define(STATUS_RESOLVED, Type.STRING, "Resolved", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "Name of the status an issue takes when its incident resolves; set by a person, it resolves the incident.",
                        GROUP, ++order, Width.SHORT, "Resolved status")
                .define(STATUS_CLOSED, Type.STRING, "Closed", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "Name of the status an issue takes when its incident closes or its action item completes.", GROUP, ++order,
                        Width.SHORT, "Closed status")
                .define(STATUS_REOPENED, Type.STRING, "New", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "Name of the status an issue takes when its incident reopens.", GROUP, ++order, Width.SHORT, "Reopened status");
        for (Severity severity : Severity.values()) {
            def.define(PRIORITY_PREFIX + severity.name(), Type.STRING, PRIORITIES.get(severity), Importance.LOW,
                    "Name of the Redmine priority for " + severity.name() + "; empty: Redmine's default priority.", GROUP, ++order,
                    Width.SHORT, "Priority for " + severity.name());
        }
    }

    @Override
    public TicketSystem create(AbstractConfig config, TicketHttp http) {
        return new RedmineSystem(settings(config), http);
    }

    public static RedmineSystem.Settings settings(AbstractConfig config) {
        Map<Severity, String> priorities = new EnumMap<>(Severity.class);
        for (Severity severity : Severity.values()) {
            String name = config.getString(PRIORITY_PREFIX + severity.name()).strip();
            if (!name.isEmpty()) {
                priorities.put(severity, name);
            }
        }
        return new RedmineSystem.Settings(URI.create(config.getString(URL).strip()), config.getPassword(API_KEY).value(),
                config.getString(PROJECT).strip(), config.getString(TRACKER).strip(), priorities,
                config.getString(STATUS_RESOLVED).strip(), config.getString(STATUS_CLOSED).strip(),
                config.getString(STATUS_REOPENED).strip(), config.getString(INCIDENT_FIELD).strip());
    }

    @Override
    public boolean polled() {
        return true;
    }


    private static void checkKey(String name, Object value) {
        if (!(value instanceof Password password) || password.value().isBlank()) {
            throw new ConfigException(name, "[hidden]", "is required: the connector user's API key, as ${file:…} or ${env:…}");
        }
    }
}
