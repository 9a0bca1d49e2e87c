package dev.incidentengine.incident;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Map;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import dev.incidentengine.incident.api.OnCallLookup;
import dev.incidentengine.incident.api.SlackApp;
import dev.incidentengine.incident.api.SlackUsers;
import dev.incidentengine.incident.api.TicketWebhooks;
import dev.incidentengine.incident.domain.LifecyclePolicy;
import dev.incidentengine.incident.domain.PublicationRules;
import dev.incidentengine.incident.feed.ChangeFeed;
import dev.incidentengine.service.EngineConfig;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** Configuration of incident-stream: the shared engine settings plus the lifecycle's rules. */
public final class IncidentStreamConfig extends EngineConfig {

    public static final int DEFAULT_HTTP_PORT = 8081;
    public static final String APPLICATION_ID_CONFIG = "application.id";
    public static final String REOPEN_WINDOW_MINUTES_CONFIG = "incident.reopen.window.minutes";
    public static final String FLAP_REOPENS_CONFIG = "incident.flap.reopens";
    public static final String FLAP_WINDOW_MINUTES_CONFIG = "incident.flap.window.minutes";
    public static final String FLAP_QUIET_MINUTES_CONFIG = "incident.flap.quiet.minutes";
    public static final String CLOSE_DELAY_MINUTES_CONFIG = "incident.close.delay.minutes";
    public static final String REVIEW_DUE_HOURS_CONFIG = "incident.review.due.hours";
    public static final String RESOLVE_SETTLE_MS_CONFIG = "incident.resolve.settle.ms";
    public static final String API_WAIT_TIMEOUT_MS_CONFIG = "api.wait.timeout.ms";
    public static final String HTTP_ADVERTISED_HOST_CONFIG = "http.advertised.host";
    public static final String API_STREAM_MAX_CONNECTIONS_CONFIG = "api.stream.max.connections";
    public static final String API_STREAM_BUFFER_EVENTS_CONFIG = "api.stream.buffer.events";
    public static final String API_STREAM_BUFFER_BYTES_CONFIG = "api.stream.buffer.bytes";
    public static final String API_STREAM_CATCH_UP_THREADS_CONFIG = "api.stream.catchup.threads";
    public static final String API_RECEIVERS_BASE_URL_CONFIG = "api.receivers.base.url";
    public static final String TICKETING_RESOLUTION_CONFIG = "ticketing.inbound.resolution";
    public static final String TICKETING_COMMENTS_CONFIG = "ticketing.inbound.comments";
    public static final String JIRA_WEBHOOK_SECRET_FILE_CONFIG = "ticketing.jira.webhook.secret.file";
    public static final String JIRA_ACCOUNT_CONFIG = "ticketing.jira.account";
    public static final String JIRA_DONE_STATUSES_CONFIG = "ticketing.jira.done.statuses";
    public static final String JIRA_PROJECTS_CONFIG = "ticketing.jira.projects";
    public static final String GITHUB_REPOSITORIES_CONFIG = "ticketing.github.repositories";
    public static final String GITHUB_WEBHOOK_SECRET_FILE_CONFIG = "ticketing.github.webhook.secret.file";
    public static final String GITHUB_LOGIN_CONFIG = "ticketing.github.login";
    // The Slack app (SlackApp): secrets come from files, never from this configuration.
    public static final String SLACK_SIGNING_SECRET_FILE_CONFIG = "slack.signing.secret.file";
    public static final String SLACK_USERS_FILE_CONFIG = "slack.users.file";
    public static final String SLACK_BOT_TOKEN_FILE_CONFIG = "slack.bot.token.file";
    public static final String SLACK_API_URL_CONFIG = "slack.api.url";
    public static final String SLACK_WAIT_MS_CONFIG = "slack.wait.ms";
    public static final String SLACK_ONCALL_URL_CONFIG = "slack.oncall.url";
    public static final String SLACK_ONCALL_TOKEN_FILE_CONFIG = "slack.oncall.token.file";
    /** The most {@code /incident oncall} waits for escalation-stream: Slack gives up after 3 s. */
    static final Duration MAX_ONCALL_WAIT = Duration.ofMillis(2_500);
    /** Shorter webhook secrets are refused: GitHub and Jira accept any, so a weak one would be the operator's choice. */
    static final int MIN_WEBHOOK_SECRET_BYTES = 16;
    /** The same key as the status-page service's: one setting names the page both publish to and serve. */
    public static final String STATUS_PAGE_ID_CONFIG = "status.page.id";

    public static final ConfigDef CONFIG_DEF = withApiTokens(baseDefinition(DEFAULT_HTTP_PORT))
            .define(APPLICATION_ID_CONFIG, Type.STRING, IncidentTopology.APPLICATION_ID, Importance.LOW,
                    "Kafka Streams application.id: the consumer group, and the prefix of the internal topics. "
                            + "Instances with the same id share the work; another id is another engine.")
            .define(STATUS_PAGE_ID_CONFIG, Type.STRING, PublicationRules.DEFAULT_ID, Importance.LOW,
                    "Id of the statusPages config record incidents are published to (the status page the engine serves).")
            .define(REOPEN_WINDOW_MINUTES_CONFIG, Type.INT, 30, Range.atLeast(0), Importance.MEDIUM,
                    "An alert that fires again within this many minutes after its incident resolved reopens it.")
            .define(FLAP_REOPENS_CONFIG, Type.INT, 3, Range.atLeast(1), Importance.LOW,
                    "More reopens than this within the flap window mark an incident flapping.")
            .define(FLAP_WINDOW_MINUTES_CONFIG, Type.INT, 60, Range.atLeast(1), Importance.LOW,
                    "The window, in minutes, flapping is counted in.")
            .define(FLAP_QUIET_MINUTES_CONFIG, Type.INT, 15, Range.atLeast(0), Importance.LOW,
                    "A flapping incident whose alerts all resolved resolves after this many quiet minutes.")
            .define(CLOSE_DELAY_MINUTES_CONFIG, Type.INT, 60, Range.atLeast(0), Importance.MEDIUM,
                    "A resolved incident closes this many minutes after it resolved; 0 closes only by command.")
            .define(REVIEW_DUE_HOURS_CONFIG, Type.INT, 48, Range.atLeast(1), Importance.MEDIUM,
                    "A post-incident review (required for SEV0 and SEV1, recommended for SEV2) is due this many hours after resolution.")
            .define(RESOLVE_SETTLE_MS_CONFIG, Type.LONG, 5_000L, Range.between(0, 600_000), Importance.LOW,
                    "An incident whose alerts all resolved resolves this many milliseconds later, unless an alert of it fires "
                            + "meanwhile (alerts of one key travel through different partitions; under a backlog the resolutions "
                            + "read first must not resolve an incident whose other alerts are still on their way). 0: at once.")
            .define(API_WAIT_TIMEOUT_MS_CONFIG, Type.LONG, 10_000L, Range.between(0, 600_000), Importance.LOW,
                    "How long a command sent with ?wait=true waits for its outcome before the answer is 202.")
            .define(HTTP_ADVERTISED_HOST_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "The host other instances reach this one's HTTP server at, to forward a query to the instance that holds "
                            + "its incident (with the HTTP port). Empty: http.host, or this machine's name when http.host is a "
                            + "wildcard address such as 0.0.0.0. On Kubernetes: the pod's IP or its headless service name.")
            .define(API_STREAM_MAX_CONNECTIONS_CONFIG, Type.INT, ChangeFeed.Limits.DEFAULTS.maxConnections(), Range.between(1, 100_000),
                    Importance.LOW, "Change feed (/api/v1/stream) clients this instance serves at once; more are refused with 503.")
            .define(API_STREAM_BUFFER_EVENTS_CONFIG, Type.INT, ChangeFeed.Limits.DEFAULTS.ringEvents(), Range.between(1, 10_000_000),
                    Importance.LOW, "Recent events the change feed keeps in memory, rendered, for its live clients and for "
                            + "clients that reconnect shortly after a disconnect.")
            .define(API_STREAM_BUFFER_BYTES_CONFIG, Type.LONG, ChangeFeed.Limits.DEFAULTS.ringBytes(), Range.atLeast(1_024),
                    Importance.LOW, "The most memory the change feed's recent events take.")
            .define(API_STREAM_CATCH_UP_THREADS_CONFIG, Type.INT, ChangeFeed.Limits.DEFAULTS.catchUpThreads(), Range.between(1, 64),
                    Importance.LOW, "Change feed clients that resume from before the recent events read the log with a consumer "
                            + "of their own, this many at a time; the others wait their turn.")
            .define(API_RECEIVERS_BASE_URL_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "The public base URL senders reach alert-ingest's receivers at (e.g. https://alerts.example.com): the services "
                            + "API (/api/v1/services) shows each integration's URL under it. Empty: the scheme and host the request "
                            + "came to, which is right when one address serves the console and the receivers (the local engine, or "
                            + "a proxy that routes paths to the services).")
            .define(TICKETING_RESOLUTION_CONFIG, Type.STRING, "resolve", ConfigDef.ValidString.in("resolve", "note"), Importance.MEDIUM,
                    "What a ticket resolved by a person (Jira: moved into the done status category; GitHub: closed as completed) "
                            + "does to its incident, through the ticket webhooks: resolve resolves it (and reopened reopens it; an "
                            + "action item's ticket completes the action item), note only adds a note.")
            .define(TICKETING_COMMENTS_CONFIG, Type.STRING, "note", ConfigDef.ValidString.in("note", "ignore"), Importance.LOW,
                    "A comment people add to a ticket becomes a note on the incident (note), or not (ignore).")
            .define(JIRA_WEBHOOK_SECRET_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "File holding the secret of the Jira webhook that posts to /api/v1/ticket-webhooks/jira (at least "
                            + MIN_WEBHOOK_SECRET_BYTES + " bytes). Empty: that receiver answers 404.")
            .define(JIRA_ACCOUNT_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "The ticketing connector's Jira account (Cloud: its account id; Data Center: its user name): its own changes "
                            + "are not sent back. Required with " + JIRA_WEBHOOK_SECRET_FILE_CONFIG + ".")
            .define(JIRA_DONE_STATUSES_CONFIG, Type.LIST, "Done,Closed,Resolved", Importance.LOW,
                    "Jira statuses that count as done when an event does not carry the status category, and that a ticket is "
                            + "reopened from.")
            .define(JIRA_PROJECTS_CONFIG, Type.LIST, "", Importance.MEDIUM,
                    "Keys of the Jira projects whose tickets may change incidents (the connectors' projects). Empty: any, so "
                            + "anyone who can label an issue in any project can resolve an incident by its marker.")
            .define(GITHUB_WEBHOOK_SECRET_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "File holding the secret of the GitHub webhook that posts to /api/v1/ticket-webhooks/github (at least "
                            + MIN_WEBHOOK_SECRET_BYTES + " bytes). Empty: that receiver answers 404.")
            .define(GITHUB_LOGIN_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "The ticketing connector's GitHub login: its own changes are not sent back. Required with "
                            + GITHUB_WEBHOOK_SECRET_FILE_CONFIG + ".")
            .define(GITHUB_REPOSITORIES_CONFIG, Type.LIST, "", Importance.MEDIUM,
                    "The repositories (owner/name) whose issues may change incidents. Empty: any the webhook is installed on.")
            .define(SLACK_SIGNING_SECRET_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "File holding the Slack app's signing secret (Slack: Basic Information, App Credentials), which verifies "
                            + "requests to " + SlackApp.INTERACTIONS + " and " + SlackApp.COMMANDS + ". Empty: they answer 404.")
            .define(SLACK_USERS_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "YAML file mapping Slack member ids to engine users and their roles (users: [{slackUserId, user, role}]). "
                            + "Required with " + SLACK_SIGNING_SECRET_FILE_CONFIG + "; an unlisted Slack user can do nothing.")
            .define(SLACK_BOT_TOKEN_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "File holding the Slack bot token (xoxb-…, the notifier's) that updates a message after a button press "
                            + "(chat.update) and shows refusals (chat.postEphemeral). Required with " + SLACK_SIGNING_SECRET_FILE_CONFIG + ".")
            .define(SLACK_API_URL_CONFIG, Type.STRING, "https://slack.com/api", Importance.LOW, "Slack's Web API.")
            .define(SLACK_WAIT_MS_CONFIG, Type.LONG, 2_500L, Range.between(0, 60_000), Importance.LOW,
                    "How long a slash command waits for its outcome before it answers (Slack gives up after 3 s), and a button's "
                            + "outcome is waited for before the message is updated. /incident oncall waits as long for "
                            + "escalation-stream, at most " + MAX_ONCALL_WAIT.toMillis() + " ms and at least 100 ms.")
            .define(SLACK_ONCALL_URL_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "escalation-stream's base URL (e.g. http://escalation-stream:8080), which /incident oncall asks who is on "
                            + "call (GET /api/v1/oncall). Empty: this instance's own HTTP server, which is right when one server "
                            + "hosts every service (the local engine).")
            .define(SLACK_ONCALL_TOKEN_FILE_CONFIG, Type.STRING, "", Importance.MEDIUM,
                    "File holding an API token of escalation-stream's api.tokens.file with the viewer role, which /incident "
                            + "oncall asks escalation-stream with. Empty: /incident oncall answers that the lookup is not configured.");

    public IncidentStreamConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals);
        receiversBaseUrl();
        ticketWebhooks();
        slackApp();
    }

    /** The Slack app's settings, or null when no signing secret is configured; its files must be readable. */
    public SlackApp.Settings slackApp() {
        String secretFile = getString(SLACK_SIGNING_SECRET_FILE_CONFIG).strip();
        if (secretFile.isEmpty()) {
            return null;
        }
        String usersFile = getString(SLACK_USERS_FILE_CONFIG).strip();
        if (usersFile.isEmpty()) {
            throw new ConfigException(SLACK_USERS_FILE_CONFIG, "", "is required with " + SLACK_SIGNING_SECRET_FILE_CONFIG);
        }
        SlackUsers users;
        try {
            users = SlackUsers.load(Path.of(usersFile));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(SLACK_USERS_FILE_CONFIG, usersFile, e.getMessage());
        }
        Duration wait = Duration.ofMillis(getLong(SLACK_WAIT_MS_CONFIG));
        return new SlackApp.Settings(secretFile(SLACK_SIGNING_SECRET_FILE_CONFIG, MIN_WEBHOOK_SECRET_BYTES), users, httpUrl(SLACK_API_URL_CONFIG, false),
                new String(secretFile(SLACK_BOT_TOKEN_FILE_CONFIG, 1), StandardCharsets.UTF_8), wait,
                new OnCallLookup.Settings(httpUrl(SLACK_ONCALL_URL_CONFIG, true),
                        getString(SLACK_ONCALL_TOKEN_FILE_CONFIG).isBlank() ? null
                                : new String(secretFile(SLACK_ONCALL_TOKEN_FILE_CONFIG, 1), StandardCharsets.UTF_8),
                        wait.compareTo(MAX_ONCALL_WAIT) > 0 ? MAX_ONCALL_WAIT : wait.compareTo(Duration.ofMillis(100)) < 0
                                ? Duration.ofMillis(100) : wait));
    }

    /** An http(s) URL setting without trailing slashes; empty gives null when {@code emptyAllowed}. */
    private URI httpUrl(String key, boolean emptyAllowed) {
        String url = getString(key).strip().replaceAll("/+$", "");
        if (url.isEmpty() && emptyAllowed) {
            return null;
        }
        try {
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new URISyntaxException(url, "not http(s)");
            }
            URI uri = new URI(url);
            if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new URISyntaxException(url, "not a plain base URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            // The value may hold credentials: not repeated.
            throw new ConfigException(key, null, "is not a plain http(s) base URL (no credentials, query or fragment)");
        }
    }

    /** A secret's bytes from the file {@code key} names, stripped; the error names the file, never its content. */
    private byte[] secretFile(String key, int minBytes) {
        String file = getString(key).strip();
        if (file.isEmpty()) {
            throw new ConfigException(key, "", "is required with " + SLACK_SIGNING_SECRET_FILE_CONFIG);
        }
        byte[] secret;
        try {
            secret = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(key, file, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (secret.length < minBytes) {
            throw new ConfigException(key, file, "holds fewer than " + minBytes + " bytes");
        }
        return secret;
    }

    /** The ticket webhooks' settings; a receiver whose secret file is set needs the connector's account, and a readable secret. */
    public TicketWebhooks.Settings ticketWebhooks() {
        return new TicketWebhooks.Settings(webhookReceiver(JIRA_WEBHOOK_SECRET_FILE_CONFIG, JIRA_ACCOUNT_CONFIG, JIRA_PROJECTS_CONFIG),
                webhookReceiver(GITHUB_WEBHOOK_SECRET_FILE_CONFIG, GITHUB_LOGIN_CONFIG, GITHUB_REPOSITORIES_CONFIG),
                getString(TICKETING_RESOLUTION_CONFIG).equals("note") ? TicketWebhooks.Resolution.NOTE : TicketWebhooks.Resolution.RESOLVE,
                getString(TICKETING_COMMENTS_CONFIG).equals("note"), Set.copyOf(getList(JIRA_DONE_STATUSES_CONFIG)));
    }

    private TicketWebhooks.Receiver webhookReceiver(String fileKey, String accountKey, String placesKey) {
        String file = getString(fileKey).strip();
        if (file.isEmpty()) {
            return null;
        }
        String account = getString(accountKey).strip();
        if (account.isEmpty()) {
            // Without it the connector's own comments would come back as notes, and go out again as comments.
            throw new ConfigException(accountKey, "", "is required with " + fileKey + ": the connector's own changes must not come back");
        }
        byte[] secret;
        try {
            secret = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(fileKey, file, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (secret.length < MIN_WEBHOOK_SECRET_BYTES) {
            throw new ConfigException(fileKey, file, "holds fewer than " + MIN_WEBHOOK_SECRET_BYTES + " bytes");
        }
        return new TicketWebhooks.Receiver(secret, account, Set.copyOf(getList(placesKey)));
    }

    /** {@value #API_RECEIVERS_BASE_URL_CONFIG} without a trailing slash, or empty when not set. */
    public Optional<String> receiversBaseUrl() {
        String base = getString(API_RECEIVERS_BASE_URL_CONFIG).strip();
        if (base.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(base);
            if (("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) && uri.getHost() != null
                    && uri.getQuery() == null && uri.getFragment() == null && uri.getUserInfo() == null) {
                return Optional.of(base.replaceAll("/+$", ""));
            }
        } catch (URISyntaxException e) {
            // Refused below.
        }
        throw new ConfigException(API_RECEIVERS_BASE_URL_CONFIG, base,
                "must be an absolute http(s) URL without credentials, query or fragment, e.g. https://alerts.example.com");
    }

    public String statusPageId() {
        return getString(STATUS_PAGE_ID_CONFIG);
    }

    public String applicationId() {
        return getString(APPLICATION_ID_CONFIG);
    }

    public Duration apiWaitTimeout() {
        return Duration.ofMillis(getLong(API_WAIT_TIMEOUT_MS_CONFIG));
    }

    public ChangeFeed.Limits changeFeedLimits() {
        return new ChangeFeed.Limits(getInt(API_STREAM_BUFFER_EVENTS_CONFIG), getLong(API_STREAM_BUFFER_BYTES_CONFIG),
                getInt(API_STREAM_MAX_CONNECTIONS_CONFIG), getInt(API_STREAM_CATCH_UP_THREADS_CONFIG),
                ChangeFeed.Limits.DEFAULTS.heartbeat());
    }

    /** Where other instances reach this one's HTTP server: the advertised host, else the bound one unless it is a wildcard. */
    public String httpAdvertisedHost() {
        String advertised = getString(HTTP_ADVERTISED_HOST_CONFIG);
        if (!advertised.isBlank()) {
            return advertised.strip();
        }
        String bound = httpHost();
        if (!bound.equals("0.0.0.0") && !bound.equals("::") && !bound.equals("[::]")) {
            return bound;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(HTTP_ADVERTISED_HOST_CONFIG + " is empty, " + HTTP_HOST_CONFIG + " is " + bound
                    + " and this machine's name cannot be resolved: set " + HTTP_ADVERTISED_HOST_CONFIG, e);
        }
    }

    public LifecyclePolicy lifecyclePolicy() {
        return new LifecyclePolicy(Duration.ofMinutes(getInt(REOPEN_WINDOW_MINUTES_CONFIG)), getInt(FLAP_REOPENS_CONFIG),
                Duration.ofMinutes(getInt(FLAP_WINDOW_MINUTES_CONFIG)), Duration.ofMinutes(getInt(FLAP_QUIET_MINUTES_CONFIG)),
                Duration.ofMinutes(getInt(CLOSE_DELAY_MINUTES_CONFIG)), LifecyclePolicy.DEFAULT.rememberedCommands(),
                Duration.ofHours(getInt(REVIEW_DUE_HOURS_CONFIG)), Duration.ofMillis(getLong(RESOLVE_SETTLE_MS_CONFIG)));
    }
}
