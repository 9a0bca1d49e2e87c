package dev.incidentengine.notifier;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.incidentengine.notifier.channel.Markup;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.api.SubscriberSeal;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * Configuration of the notifier: the shared engine settings, HTTP on port 8083 by default, and how
 * to reach each channel's provider. Credentials are never values here, only the names of secrets
 * (files in {@value #SECRETS_DIR_CONFIG}, or {@code INCIDENT_SECRET_<NAME>} environment variables).
 */
public final class NotifierConfig extends EngineConfig {

    public static final int DEFAULT_HTTP_PORT = 8083;
    public static final String APPLICATION_ID_CONFIG = "notifier.application.id";
    public static final String PUNCTUATION_MS_CONFIG = "notifier.punctuation.ms";
    public static final String MAX_EVENT_AGE_MINUTES_CONFIG = "notifier.max.event.age.minutes";
    public static final String LINKS_BASE_URL_CONFIG = "notifier.links.base.url";
    public static final String SECRETS_DIR_CONFIG = "notifier.secrets.dir";
    public static final String HTTP_TIMEOUT_MS_CONFIG = "notifier.http.timeout.ms";
    public static final String RETRY_ATTEMPTS_CONFIG = "notifier.retry.attempts";
    public static final String RETRY_BASE_MS_CONFIG = "notifier.retry.base.ms";
    public static final String RETRY_CAP_MS_CONFIG = "notifier.retry.cap.ms";
    public static final String ENDPOINT_THREADS_CONFIG = "notifier.endpoint.threads";
    public static final String BREAKER_THRESHOLD_CONFIG = "notifier.breaker.threshold";
    public static final String BREAKER_OPEN_MS_CONFIG = "notifier.breaker.open.ms";
    public static final String RATE_LIMITS_CONFIG = "notifier.rate.limits";
    public static final String SHUTDOWN_WAIT_MS_CONFIG = "notifier.shutdown.wait.ms";
    public static final String SENDER_COMMIT_TIMEOUT_MS_CONFIG = "notifier.sender.commit.timeout.ms";
    public static final String WEBHOOK_SECRET_CONFIG = "notifier.webhook.secret";
    public static final String SMTP_HOST_CONFIG = "notifier.smtp.host";
    public static final String SMTP_PORT_CONFIG = "notifier.smtp.port";
    public static final String SMTP_USERNAME_CONFIG = "notifier.smtp.username";
    public static final String SMTP_PASSWORD_SECRET_CONFIG = "notifier.smtp.password.secret";
    public static final String SMTP_FROM_CONFIG = "notifier.smtp.from";
    public static final String SMTP_TLS_CONFIG = "notifier.smtp.tls";
    public static final String SLACK_API_URL_CONFIG = "notifier.slack.api.url";
    public static final String SLACK_TOKEN_SECRET_CONFIG = "notifier.slack.token.secret";
    public static final String SMS_URL_CONFIG = "notifier.sms.url";
    public static final String SMS_ACCOUNT_CONFIG = "notifier.sms.account";
    public static final String SMS_TOKEN_SECRET_CONFIG = "notifier.sms.token.secret";
    public static final String SMS_FROM_CONFIG = "notifier.sms.from";
    public static final String PAGERDUTY_URL_CONFIG = "notifier.pagerduty.url";
    public static final String STATUS_SECRET_FILE_CONFIG = SubscriberSeal.CONFIG;
    public static final String STATUS_URL_CONFIG = "notifier.status.url";
    public static final String WARROOM_SEVERITIES_CONFIG = "notifier.warroom.severities";
    public static final String WARROOM_SLACK_TOKEN_SECRET_CONFIG = "notifier.warroom.slack.token.secret";
    public static final String WARROOM_SLACK_LINK_CONFIG = "notifier.warroom.slack.link";
    public static final String WARROOM_ARCHIVE_AFTER_CONFIG = "notifier.warroom.archive.after";
    public static final String TEST_MAX_TARGETS_CONFIG = "notifier.test.max.targets";
    public static final String TEST_RUNS_PER_MINUTE_CONFIG = "notifier.test.runs.per.minute";

    public static final ConfigDef CONFIG_DEF = baseDefinition(DEFAULT_HTTP_PORT)
            .define(APPLICATION_ID_CONFIG, Type.STRING, NotifierTopology.APPLICATION_ID, Importance.LOW,
                    "Kafka Streams application.id of the planner, and the consumer group of the sender (with -sender).")
            .define(PUNCTUATION_MS_CONFIG, Type.LONG, 500L, Range.between(10, 60_000), Importance.LOW,
                    "How often (wall clock) due contact steps are looked for.")
            .define(MAX_EVENT_AGE_MINUTES_CONFIG, Type.INT, 60, Range.atLeast(1), Importance.MEDIUM,
                    "Events older than this are read but notify nobody: a new notifier replaying an old log pages no one.")
            .define(LINKS_BASE_URL_CONFIG, Type.STRING, null, Importance.MEDIUM,
                    "Public base URL of the engine (e.g. https://incidents.example.com); messages link to each incident's page of the console under it.")
            .define(EngineConfig.API_SESSION_SECRET_FILE_CONFIG, Type.STRING, null, Importance.MEDIUM,
                    "The console's session secret file, the same as the API's: the console's sign-in links are signed with it and "
                            + "mailed to users (with notifier.links.base.url and an SMTP host). None: no sign-in links are mailed.")
            .define(SECRETS_DIR_CONFIG, Type.STRING, null, Importance.MEDIUM,
                    "Directory of secret files, one per secret name; a variable INCIDENT_SECRET_<NAME> (upper case, . and - as _) wins.")
            .define(HTTP_TIMEOUT_MS_CONFIG, Type.LONG, 10_000L, Range.between(100, 300_000), Importance.LOW,
                    "Timeout of one HTTP request to a channel (each attempt), its answer included; at most 64 KiB of an answer is read.")
            .define(RETRY_ATTEMPTS_CONFIG, Type.INT, 5, Range.between(1, 20), Importance.LOW, "Attempts per delivery.")
            .define(RETRY_BASE_MS_CONFIG, Type.LONG, 500L, Range.atLeast(1), Importance.LOW, "First backoff between attempts.")
            .define(RETRY_CAP_MS_CONFIG, Type.LONG, 30_000L, Range.atLeast(1), Importance.LOW, "Longest backoff between attempts.")
            .define(ENDPOINT_THREADS_CONFIG, Type.INT, 8, Range.between(1, 256), Importance.LOW,
                    "Deliveries at once per endpoint (an SMTP server, a webhook host, the SMS provider).")
            .define(BREAKER_THRESHOLD_CONFIG, Type.INT, 5, Range.atLeast(1), Importance.LOW,
                    "Failed deliveries in a row that open an endpoint's circuit breaker.")
            .define(BREAKER_OPEN_MS_CONFIG, Type.LONG, 30_000L, Range.atLeast(1), Importance.LOW,
                    "How long an open breaker fails deliveries at once before one is tried again.")
            .define(RATE_LIMITS_CONFIG, Type.STRING, "sms=10,voice=2,slack=20,slack-webhook=20,teams=4,slack-warroom=1", Importance.LOW,
                    "Deliveries per second per channel, channel=rate pairs; channels not named are not limited.")
            .define(SHUTDOWN_WAIT_MS_CONFIG, Type.LONG, 10_000L, Range.atLeast(0), Importance.LOW,
                    "On shutdown or rebalance, how long running deliveries may finish before their partitions are let go.")
            .define(SENDER_COMMIT_TIMEOUT_MS_CONFIG, Type.LONG, 30_000L, Range.between(1_000, 600_000), Importance.LOW,
                    "How long the sender waits for the broker in one commit (the producer's max.block.ms); a commit that "
                            + "times out makes the notifier not ready until one succeeds.")
            .define(WEBHOOK_SECRET_CONFIG, Type.STRING, null, Importance.MEDIUM,
                    "Name of the secret that signs webhooks to users' WEBHOOK contacts and channels without a secret of their own.")
            .define(SMTP_HOST_CONFIG, Type.STRING, null, Importance.HIGH, "SMTP server for e-mail; none: e-mail deliveries fail.")
            .define(SMTP_PORT_CONFIG, Type.INT, 587, Range.between(1, 65535), Importance.HIGH, "SMTP port.")
            .define(SMTP_USERNAME_CONFIG, Type.STRING, null, Importance.MEDIUM, "SMTP user; none: no authentication.")
            .define(SMTP_PASSWORD_SECRET_CONFIG, Type.STRING, null, Importance.MEDIUM, "Name of the secret holding the SMTP password.")
            .define(SMTP_FROM_CONFIG, Type.STRING, "incident-engine@localhost", Importance.MEDIUM, "Sender address of e-mails.")
            .define(SMTP_TLS_CONFIG, Type.STRING, "STARTTLS_REQUIRED", ConfigDef.ValidString.in("NONE", "STARTTLS", "STARTTLS_REQUIRED", "SMTPS"),
                    Importance.MEDIUM, "STARTTLS_REQUIRED (refuses a server that does not upgrade to TLS), SMTPS, or, relaxed for a local "
                            + "sink or a relay on the same host only: STARTTLS (when offered) or NONE.")
            .define(SLACK_API_URL_CONFIG, Type.STRING, "https://slack.com/api", Importance.LOW, "Slack Web API base URL.")
            .define(SLACK_TOKEN_SECRET_CONFIG, Type.STRING, null, Importance.MEDIUM,
                    "Name of the secret holding the Slack bot token (chat.postMessage, chat.update); none: Slack pages fail.")
            .define(SMS_URL_CONFIG, Type.STRING, "https://api.twilio.com", Importance.LOW, "Base URL of the Twilio-compatible SMS/voice API.")
            .define(SMS_ACCOUNT_CONFIG, Type.STRING, null, Importance.MEDIUM, "Account SID at the SMS/voice provider; none: SMS and voice fail.")
            .define(SMS_TOKEN_SECRET_CONFIG, Type.STRING, null, Importance.MEDIUM, "Name of the secret holding the provider's auth token.")
            .define(SMS_FROM_CONFIG, Type.STRING, null, Importance.MEDIUM, "Number SMS and calls come from (E.164).")
            .define(PAGERDUTY_URL_CONFIG, Type.STRING, "https://events.pagerduty.com/v2/enqueue", Importance.LOW,
                    "Events API v2 URL for channels of type PAGERDUTY without an address.")
            .define(STATUS_SECRET_FILE_CONFIG, Type.STRING, null, Importance.HIGH,
                    "The status page's secret file, the same as the status-page service's: subscribers' addresses are opened, and "
                            + "their links and webhook secrets derived, with keys from it. None: status page subscribers hear nothing; "
                            + "a file that cannot be read stops the notifier.")
            .define(STATUS_URL_CONFIG, Type.STRING, null, Importance.MEDIUM,
                    "Public base URL of the status page (e.g. https://status.example.com); subscribers' confirm and unsubscribe "
                            + "links go under it. Default: notifier.links.base.url.")
            .define(WARROOM_SEVERITIES_CONFIG, Type.LIST, "SEV0,SEV1", Importance.MEDIUM,
                    "Severities whose incidents get a war room (at open, or when raised into one): the service's team's warRoomUrl, "
                            + "else, with notifier.warroom.slack.token.secret, a Slack channel incident-<id>. Empty: none.")
            .define(WARROOM_SLACK_TOKEN_SECRET_CONFIG, Type.STRING, null, Importance.MEDIUM,
                    "Name of the secret holding the Slack bot token that makes war room channels (scopes channels:manage, "
                            + "channels:read, channels:join, chat:write, pins:write); none: no Slack war rooms.")
            .define(WARROOM_SLACK_LINK_CONFIG, Type.STRING, "https://slack.com/app_redirect?channel=", Importance.LOW,
                    "A Slack war room's link: this and the channel id (e.g. https://acme.slack.com/archives/).")
            .define(WARROOM_ARCHIVE_AFTER_CONFIG, Type.STRING, "PT24H", Importance.LOW,
                    "How long after the incident closes its Slack war room is archived (ISO-8601 duration, e.g. PT24H).")
            .define(EngineConfig.API_TOKENS_FILE_CONFIG, Type.STRING, "", Importance.HIGH,
                    "YAML file of the API's tokens, the same as the incident API's: test notifications (incidentctl test-notify) "
                            + "need an admin token. Empty: no tokens, every call is refused.")
            .define(TEST_MAX_TARGETS_CONFIG, Type.INT, 100, Range.between(1, 1_000), Importance.LOW,
                    "Contacts and channels one test notification run may message.")
            .define(TEST_RUNS_PER_MINUTE_CONFIG, Type.INT, 6, Range.between(1, 600), Importance.LOW,
                    "Test notification runs this notifier starts a minute (more get 429): each one messages people.");

    public NotifierConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals);
        rateLimits();
        String links = getString(LINKS_BASE_URL_CONFIG);
        if (links != null && !links.isBlank() && Markup.httpLink(links) == null) {
            // Every message links under it (hrefs, buttons): no javascript:, data: or relative links.
            throw new ConfigException(LINKS_BASE_URL_CONFIG, links, "must be an absolute http(s) URL, e.g. https://incidents.example.com");
        }
        try {
            if (warRoomArchiveAfter().isNegative()) {
                throw new ConfigException(WARROOM_ARCHIVE_AFTER_CONFIG, getString(WARROOM_ARCHIVE_AFTER_CONFIG), "must not be negative");
            }
        } catch (java.time.format.DateTimeParseException e) {
            throw new ConfigException(WARROOM_ARCHIVE_AFTER_CONFIG, getString(WARROOM_ARCHIVE_AFTER_CONFIG), "must be an ISO-8601 duration, e.g. PT24H");
        }
        for (String severity : getList(WARROOM_SEVERITIES_CONFIG)) {
            if (!severity.matches("SEV[0-4]")) {
                throw new ConfigException(WARROOM_SEVERITIES_CONFIG, severity, "must be severities SEV0 to SEV4, e.g. SEV0,SEV1");
            }
        }
        if (Markup.httpLink(getString(WARROOM_SLACK_LINK_CONFIG)) == null) {
            throw new ConfigException(WARROOM_SLACK_LINK_CONFIG, getString(WARROOM_SLACK_LINK_CONFIG), "must be an absolute http(s) URL");
        }
        String status = getString(STATUS_URL_CONFIG);
        if (status != null && !status.isBlank() && Markup.httpLink(status) == null) {
            throw new ConfigException(STATUS_URL_CONFIG, status, "must be an absolute http(s) URL, e.g. https://status.example.com");
        }
    }

    /** The status page's keys, or null when no status secret file is configured. */
    public SubscriberSeal subscriberSeal() {
        String file = getString(STATUS_SECRET_FILE_CONFIG);
        return file == null || file.isBlank() ? null : SubscriberSeal.load(file);
    }

    /** Where subscribers' links point: {@value #STATUS_URL_CONFIG}, else {@value #LINKS_BASE_URL_CONFIG}; null when neither is set. */
    public String statusUrl() {
        String url = getString(STATUS_URL_CONFIG);
        return url != null && !url.isBlank() ? url : getString(LINKS_BASE_URL_CONFIG);
    }

    public Duration warRoomArchiveAfter() {
        return Duration.parse(getString(WARROOM_ARCHIVE_AFTER_CONFIG));
    }

    public String applicationId() {
        return getString(APPLICATION_ID_CONFIG);
    }

    public Duration punctuation() {
        return Duration.ofMillis(getLong(PUNCTUATION_MS_CONFIG));
    }

    public Duration maxEventAge() {
        return Duration.ofMinutes(getInt(MAX_EVENT_AGE_MINUTES_CONFIG));
    }

    public Duration millis(String key) {
        return Duration.ofMillis(getLong(key));
    }

    /** {@value #RATE_LIMITS_CONFIG} as channel → deliveries per second. */
    public Map<String, Double> rateLimits() {
        Map<String, Double> limits = new LinkedHashMap<>();
        String text = getString(RATE_LIMITS_CONFIG).strip();
        if (text.isEmpty()) {
            return limits;
        }
        for (String pair : text.split(",")) {
            String[] parts = pair.split("=", 2);
            try {
                double rate = Double.parseDouble(parts[1].strip());
                if (rate <= 0) {
                    throw new NumberFormatException();
                }
                limits.put(parts[0].strip(), rate);
            } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
                throw new ConfigException(RATE_LIMITS_CONFIG, text, "must be channel=rate pairs with positive rates, e.g. sms=10,voice=2");
            }
        }
        return limits;
    }
}
