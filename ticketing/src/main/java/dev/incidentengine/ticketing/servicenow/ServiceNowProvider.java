package dev.incidentengine.ticketing.servicenow;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

import dev.incidentengine.model.Severity;
import dev.incidentengine.ticketing.HttpUrlValidator;
import dev.incidentengine.ticketing.TicketHttp;
import dev.incidentengine.ticketing.TicketSystem;
import dev.incidentengine.ticketing.TicketSystemProvider;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * {@code ticket.system=servicenow}: incidents in ServiceNow's {@code incident} table through the Table API. Polled: people's
 * resolutions, closures, reopenings and comments come back through {@link ServiceNowSystem#changesSince}.
 */
public final class ServiceNowProvider implements TicketSystemProvider {

    public static final String URL = "servicenow.url";
    public static final String USER = "servicenow.user";
    public static final String PASSWORD = "servicenow.password";
    public static final String TOKEN = "servicenow.token";
    public static final String CLIENT_ID = "servicenow.oauth.client.id";
    public static final String CLIENT_SECRET = "servicenow.oauth.client.secret";
    public static final String ASSIGNMENT_GROUP = "servicenow.assignment.group";
    public static final String CALLER = "servicenow.caller";
    public static final String CATEGORY = "servicenow.category";
    public static final String IMPACT_PREFIX = "servicenow.impact.";
    public static final String URGENCY_PREFIX = "servicenow.urgency.";
    public static final String CLOSE_CODE = "servicenow.close.code";
    public static final String COMMENT_FIELD = "servicenow.comment.field";
    public static final String POLL_DELAY_MS = "servicenow.poll.delay.ms";

    /**
     * Impact and urgency by severity, each severity on its own priority of ServiceNow's default lookup (1/1 Critical, 1/2 High,
     * 2/2 Moderate, 2/3 Low, 3/3 Planning): https://www.servicenow.com/docs/r/it-service-management/incident-management/def-prio-lookup-rules.html
     */
    private static final Map<Severity, int[]> DEFAULT_IMPACT_URGENCY = Map.of(
            Severity.SEV0, new int[] {1, 1},
            Severity.SEV1, new int[] {1, 2},
            Severity.SEV2, new int[] {2, 2},
            Severity.SEV3, new int[] {2, 3},
            Severity.SEV4, new int[] {3, 3});
    private static final String GROUP = "ServiceNow";

    private static String secret(AbstractConfig config, String name) {
        Password secret = config.getPassword(name);
        return secret == null || secret.value().isEmpty() ? null : secret.value();
    }

    @Override
    public String system() {
        return ServiceNowSystem.SYSTEM;
    }

    @Override
    public void define(ConfigDef def) {
        int order = 0;
        def.define(URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, HttpUrlValidator.INSTANCE, Importance.HIGH,
                        "The instance's URL, https://<instance>.service-now.com.", GROUP, ++order, ConfigDef.Width.LONG, "Instance URL")
                .define(USER, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(), Importance.HIGH,
                        "The integration user's user_name: the basic-auth login with " + PASSWORD + ", and the author whose changes "
                                + "are the connector's own (with a token or an OAuth client, the user they act as).",
                        GROUP, ++order, ConfigDef.Width.MEDIUM, "User")
                .define(PASSWORD, Type.PASSWORD, null, Importance.HIGH,
                        "The user's password (basic auth), through a config provider. Either this or " + TOKEN + ".",
                        GROUP, ++order, ConfigDef.Width.MEDIUM, "Password")
                .define(TOKEN, Type.PASSWORD, null, Importance.HIGH,
                        "A long-lived OAuth access token (Authorization: Bearer), through a config provider. One of this, "
                                + PASSWORD + " and " + CLIENT_SECRET + ".",
                        GROUP, ++order, ConfigDef.Width.MEDIUM, "OAuth token")
                .define(CLIENT_ID, Type.STRING, "", Importance.HIGH,
                        "An OAuth client (Application Registry) with the client credentials grant (system property "
                                + "glide.oauth.inbound.client.credential.grant_type.enabled, and its OAuth Application User): the "
                                + "connector fetches tokens from /oauth_token.do and renews them before they expire. With " + CLIENT_SECRET + ".",
                        GROUP, ++order, ConfigDef.Width.MEDIUM, "OAuth client id")
                .define(CLIENT_SECRET, Type.PASSWORD, null, Importance.HIGH,
                        "The OAuth client's secret, through a config provider. One of this, " + PASSWORD + " and " + TOKEN + ".",
                        GROUP, ++order, ConfigDef.Width.MEDIUM, "OAuth client secret")
                .define(ASSIGNMENT_GROUP, Type.STRING, "", Importance.MEDIUM,
                        "assignment_group of new incidents: a group's sys_id or name (ServiceNow looks a reference up by its display "
                                + "value when it is not a sys_id). Empty: none.",
                        GROUP, ++order, ConfigDef.Width.MEDIUM, "Assignment group")
                .define(CALLER, Type.STRING, "", Importance.LOW, "caller_id of new incidents (sys_id or user name). Empty: none.",
                        GROUP, ++order, ConfigDef.Width.MEDIUM, "Caller")
                .define(CATEGORY, Type.STRING, "", Importance.LOW, "category of new incidents (a choice value). Empty: none.",
                        GROUP, ++order, ConfigDef.Width.MEDIUM, "Category");
        for (Severity severity : Severity.values()) {
            int[] impactUrgency = DEFAULT_IMPACT_URGENCY.get(severity);
            def.define(IMPACT_PREFIX + severity, Type.INT, impactUrgency[0], Range.between(1, 3), Importance.LOW,
                            "impact of an incident of " + severity + " (1 High, 2 Medium, 3 Low).", GROUP, ++order,
                            ConfigDef.Width.SHORT, "Impact " + severity)
                    .define(URGENCY_PREFIX + severity, Type.INT, impactUrgency[1], Range.between(1, 3), Importance.LOW,
                            "urgency of an incident of " + severity + " (1 High, 2 Medium, 3 Low).", GROUP, ++order,
                            ConfigDef.Width.SHORT, "Urgency " + severity);
        }
        def.define(CLOSE_CODE, Type.STRING, "Solution provided", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "close_code set when the connector resolves or closes an incident a person has not (ServiceNow requires it, "
                                + "with close_notes). A value of the instance's choice list: Solution provided, Workaround provided, "
                                + "Resolved by caller, … (older instances: Solved (Permanently), …).",
                        GROUP, ++order, ConfigDef.Width.MEDIUM, "Close code")
                .define(COMMENT_FIELD, Type.STRING, "work_notes", ConfigDef.ValidString.in("work_notes", "comments"),
                        Importance.MEDIUM,
                        "The journal the connector writes to and reads back: work_notes (internal) or comments (seen by the caller).",
                        GROUP, ++order, ConfigDef.Width.SHORT, "Comment field")
                .define(POLL_DELAY_MS, Type.LONG, 10_000L, Range.atLeast(0), Importance.LOW,
                        "The source reads only changes older than this: ServiceNow's times have whole seconds, and a change "
                                + "committed late within a second it already read would be missed. Covers the clock difference too.",
                        GROUP, ++order, ConfigDef.Width.SHORT, "Poll delay (ms)");
    }

    @Override
    public TicketSystem create(AbstractConfig config, TicketHttp http) {
        return new ServiceNowSystem(settings(config), http, Clock.systemUTC());
    }

    @Override
    public boolean polled() {
        return true;
    }

    /**
     * What a single validator cannot check: exactly one of password, token and OAuth client secret, and a client id with
     * the secret. Thrown as a {@link ConfigException} naming the setting, as a validator would.
     */
    static ServiceNowSystem.Settings settings(AbstractConfig config) {
        String user = config.getString(USER).strip();
        String password = secret(config, PASSWORD);
        String token = secret(config, TOKEN);
        String clientSecret = secret(config, CLIENT_SECRET);
        String clientId = config.getString(CLIENT_ID).strip();
        long given = Stream.of(password, token, clientSecret).filter(Objects::nonNull).count();
        if (given != 1) {
            throw new ConfigException(given == 0 ? PASSWORD : password != null && token != null ? TOKEN : CLIENT_SECRET, "[hidden]",
                    "give exactly one of " + PASSWORD + " (basic auth), " + TOKEN + " and " + CLIENT_SECRET + " (OAuth)");
        }
        if (clientSecret != null && clientId.isEmpty()) {
            throw new ConfigException(CLIENT_ID, clientId, "an OAuth client secret needs its client id");
        }
        if (password != null && user.contains(":")) {
            throw new ConfigException(USER, user, "a basic-auth user name cannot contain ':'");
        }
        String authorization = password != null
                ? "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8))
                : token != null ? "Bearer " + token : null;
        Map<Severity, int[]> impactUrgency = new EnumMap<>(Severity.class);
        for (Severity severity : Severity.values()) {
            impactUrgency.put(severity, new int[] {config.getInt(IMPACT_PREFIX + severity), config.getInt(URGENCY_PREFIX + severity)});
        }
        return new ServiceNowSystem.Settings(HttpUrlValidator.base(config.getString(URL)), user, authorization,
                clientSecret == null ? "" : clientId, clientSecret,
                config.getString(ASSIGNMENT_GROUP).strip(), config.getString(CALLER).strip(), config.getString(CATEGORY).strip(),
                impactUrgency, config.getString(CLOSE_CODE).strip(), config.getString(COMMENT_FIELD),
                Duration.ofMillis(config.getLong(POLL_DELAY_MS)));
    }
}
