package dev.incidentengine.ticketing.jira;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.Severity;
import dev.incidentengine.ticketing.HttpUrlValidator;
import dev.incidentengine.ticketing.TicketHttp;
import dev.incidentengine.ticketing.TicketSystem;
import dev.incidentengine.ticketing.TicketSystem.Transition;
import dev.incidentengine.ticketing.TicketSystemProvider;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** {@code ticket.system=jira}: the {@code jira.*} settings and {@link JiraSystem}. */
public final class JiraProvider implements TicketSystemProvider {

    public static final String URL = "jira.url";
    public static final String API_VERSION = "jira.api.version";
    public static final String USER = "jira.user";
    public static final String TOKEN = "jira.token";
    public static final String PROJECT = "jira.project";
    public static final String ISSUE_TYPE = "jira.issue.type";
    public static final String PRIORITY_PREFIX = "jira.priority.";
    public static final String LABELS = "jira.labels";
    public static final String COMPONENTS = "jira.components";
    public static final String LINK_TYPE = "jira.link.type";
    public static final String TRANSITION_PREFIX = "jira.transition.";
    public static final String RESOLUTION = "jira.resolution";
    private static final String GROUP = "Jira";
    private static final Map<Severity, String> PRIORITIES = Map.of(Severity.SEV0, "Highest", Severity.SEV1, "High",
            Severity.SEV2, "Medium", Severity.SEV3, "Low", Severity.SEV4, "Lowest");
    private static final Map<Transition, String> TRANSITIONS = Map.of(Transition.RESOLVE, "Done", Transition.CLOSE, "",
            Transition.REOPEN, "To Do");

    @Override
    public String system() {
        return JiraSystem.SYSTEM;
    }

    @Override
    public void define(ConfigDef def) {
        def.define(URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, HttpUrlValidator.INSTANCE, Importance.HIGH,
                        "Jira's base URL: https://your-site.atlassian.net (Cloud) or https://jira.example.com (Data Center, with its "
                                + "context path if any).", GROUP, 1, ConfigDef.Width.LONG, "Jira URL")
                .define(API_VERSION, Type.INT, 3, JiraProvider::checkVersion, Importance.HIGH,
                        "3: Jira Cloud (REST v3, Atlassian Document Format). 2: Jira Server or Data Center (REST v2, wiki markup).",
                        GROUP, 2, ConfigDef.Width.SHORT, "API version")
                .define(USER, Type.STRING, "", Importance.HIGH,
                        "Cloud: the e-mail address of the connector's Atlassian account (basic auth with its API token). Data Center: "
                                + "empty, to send the token as a personal access token (Bearer).", GROUP, 3, ConfigDef.Width.MEDIUM, "User")
                .define(TOKEN, Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, JiraProvider::checkToken, Importance.HIGH,
                        "API token (Cloud) or personal access token (Data Center); give it as ${file:…} or ${env:…}, never inline.",
                        GROUP, 4, ConfigDef.Width.MEDIUM, "Token")
                .define(PROJECT, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, JiraProvider::checkProject, Importance.HIGH,
                        "Key of the project tickets are created in (OPS).", GROUP, 5, ConfigDef.Width.SHORT, "Project")
                .define(ISSUE_TYPE, Type.STRING, "Task", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "Name of the issue type of the tickets. Task is in every project; Incident exists in Jira Service Management "
                                + "projects.", GROUP, 6, ConfigDef.Width.SHORT, "Issue type")
                .define(LABELS, Type.LIST, "", JiraProvider::checkLabels, Importance.LOW,
                        "Labels every ticket gets (no spaces), besides its incident-engine:<incident> marker.", GROUP, 7,
                        ConfigDef.Width.LONG, "Labels")
                .define(COMPONENTS, Type.LIST, "", Importance.LOW, "Names of the project's components every ticket gets.", GROUP, 8,
                        ConfigDef.Width.LONG, "Components")
                .define(LINK_TYPE, Type.STRING, "Relates", new ConfigDef.NonEmptyString(), Importance.LOW,
                        "Name of the issue link type between an action item's ticket and its incident's.", GROUP, 9,
                        ConfigDef.Width.SHORT, "Link type")
                .define(RESOLUTION, Type.STRING, "", Importance.LOW,
                        "Name of the resolution the resolve and close transitions set (Fixed, Done), for workflows whose transition "
                                + "screen requires one; empty: none sent (simplified workflows set it themselves).", GROUP, 10,
                        ConfigDef.Width.SHORT, "Resolution");
        int order = 11;
        for (Severity severity : Severity.values()) {
            def.define(PRIORITY_PREFIX + severity.name(), Type.STRING, PRIORITIES.get(severity), Importance.LOW,
                    "Name of the Jira priority for " + severity.name() + "; empty: the ticket's priority is left to Jira.", GROUP,
                    order++, ConfigDef.Width.SHORT, "Priority for " + severity.name());
        }
        for (Transition transition : Transition.values()) {
            String name = transition.name().toLowerCase();
            def.define(TRANSITION_PREFIX + name, Type.STRING, TRANSITIONS.get(transition), Importance.MEDIUM,
                    "Name of the workflow transition that " + switch (transition) {
                        case RESOLVE -> "resolves a ticket when its incident resolves";
                        case CLOSE -> "closes a ticket when its incident closes (empty: the resolve transition's status is "
                                + "final, only a comment is posted)";
                        case REOPEN -> "reopens a ticket when its incident reopens";
                    } + ". Looked up on each use among the transitions the ticket's status offers; empty: only a comment.",
                    GROUP, order++, ConfigDef.Width.SHORT, "Transition to " + name);
        }
    }

    @Override
    public TicketSystem create(AbstractConfig config, TicketHttp http) {
        return new JiraSystem(settings(config), http);
    }

    /** The settings, checked together: Cloud needs a user, as its API tokens only work with basic auth. */
    public static JiraSystem.Settings settings(AbstractConfig config) {
        int version = config.getInt(API_VERSION);
        String user = config.getString(USER).strip();
        String token = config.getPassword(TOKEN).value();
        if (version == 3 && user.isEmpty()) {
            throw new ConfigException(USER, "", "is required for Jira Cloud (" + API_VERSION + "=3): the account's e-mail address, "
                    + "used with its API token");
        }
        String authorization = user.isEmpty() ? "Bearer " + token
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + token).getBytes(StandardCharsets.UTF_8));
        Map<Severity, String> priorities = new EnumMap<>(Severity.class);
        for (Severity severity : Severity.values()) {
            String name = config.getString(PRIORITY_PREFIX + severity.name()).strip();
            if (!name.isEmpty()) {
                priorities.put(severity, name);
            }
        }
        Map<Transition, String> transitions = new EnumMap<>(Transition.class);
        for (Transition transition : Transition.values()) {
            String name = config.getString(TRANSITION_PREFIX + transition.name().toLowerCase()).strip();
            if (!name.isEmpty()) {
                transitions.put(transition, name);
            }
        }
        return new JiraSystem.Settings(URI.create(config.getString(URL).strip()), version, authorization, config.getString(PROJECT),
                config.getString(ISSUE_TYPE).strip(), priorities, List.copyOf(config.getList(LABELS)),
                config.getList(COMPONENTS).stream().map(String::strip).filter(name -> !name.isEmpty()).toList(),
                config.getString(LINK_TYPE).strip(), transitions, config.getString(RESOLUTION).isBlank() ? null
                        : config.getString(RESOLUTION).strip());
    }

    @Override
    public boolean polled() {
        return false;
    }

    private static void checkVersion(String name, Object value) {
        if (value != null && (!(value instanceof Integer version) || (version != 2 && version != 3))) {
            throw new ConfigException(name, value, "must be 3 (Jira Cloud) or 2 (Jira Server / Data Center)");
        }
    }

    private static void checkToken(String name, Object value) {
        if (value instanceof Password password && password.value().isBlank()) {
            throw new ConfigException(name, "[hidden]", "is required: the API token or personal access token, as ${file:…} or ${env:…}");
        }
    }

    private static void checkProject(String name, Object value) {
        if (value != null && !value.toString().matches("[A-Z][A-Z0-9_]{0,254}")) {
            throw new ConfigException(name, value, "must be a project key: capital letters, digits and underscores, starting with a letter");
        }
    }

    private static void checkLabels(String name, Object value) {
        for (Object label : (List<?>) value) {
            String text = label.toString();
            if (text.isEmpty() || text.length() > 255 || text.chars().anyMatch(Character::isWhitespace)) {
                throw new ConfigException(name, value, "each label must be 1 to 255 characters without spaces; '" + text + "' is not");
            }
        }
    }
}
