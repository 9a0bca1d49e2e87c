package dev.incidentengine.status;

import java.time.Duration;
import java.util.Map;

import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.api.SubscriberSeal;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Configuration of the status-page service: the shared engine settings; HTTP on port 8085 by default. Each part of the
 * service (the page's writer, the public site, subscriptions) adds its keys in a block of its own below.
 */
public final class StatusPageServiceConfig extends EngineConfig {

    public static final int DEFAULT_HTTP_PORT = 8085;
    public static final String PAGE_ID_CONFIG = "status.page.id";
    // The page's writer.
    public static final String APPLICATION_ID_CONFIG = "status.application.id";
    public static final String PUNCTUATION_MS_CONFIG = "status.punctuation.ms";

    // The public site (PublicSite): /status, its feeds and /api/v2.
    public static final String SITE_RATE_PER_SECOND_CONFIG = "status.site.rate.per.second";
    public static final String SITE_RATE_BURST_CONFIG = "status.site.rate.burst";
    public static final String SITE_RATE_MAX_CLIENTS_CONFIG = "status.site.rate.max.clients";
    public static final String SITE_TRUST_FORWARDED_FOR_CONFIG = "status.site.trust.forwarded.for";
    public static final String SITE_STALLED_AFTER_MS_CONFIG = "status.site.stalled.after.ms";

    // Subscriptions.
    public static final String SECRET_FILE_CONFIG = SubscriberSeal.CONFIG;
    public static final String SUBSCRIPTIONS_PER_IP_CONFIG = "status.subscriptions.per.ip.per.hour";
    public static final String SUBSCRIPTIONS_PER_ADDRESS_CONFIG = "status.subscriptions.per.address.per.hour";
    public static final String SUBSCRIPTIONS_PRIVATE_WEBHOOKS_CONFIG = "status.subscriptions.private.webhooks";

    public static final ConfigDef CONFIG_DEF = withApiTokens(baseDefinition(DEFAULT_HTTP_PORT))
            .define(PAGE_ID_CONFIG, Type.STRING, "public", Importance.LOW,
                    "Id of the statusPages config record this instance serves at /status.")
            // The page's writer.
            .define(APPLICATION_ID_CONFIG, Type.STRING, StatusPageTopology.APPLICATION_ID, Importance.LOW,
                    "Kafka Streams application.id of the page's writer: the consumer group, and the prefix of its internal topics.")
            .define(PUNCTUATION_MS_CONFIG, Type.LONG, 1_000L, Range.between(10, 60_000), Importance.LOW,
                    "How often (wall clock) the page's writer announces, starts and completes maintenance: the most it is late.")
            // The public site.
            .define(SITE_RATE_PER_SECOND_CONFIG, Type.DOUBLE, 20.0, ConfigDef.Range.atLeast(0.01), Importance.MEDIUM,
                    "Requests per second each client address may make to the public site (/status, its feeds, /api/v2), sustained; "
                            + "beyond its burst a client gets 429 with Retry-After. An open page polls once a second.")
            .define(SITE_RATE_BURST_CONFIG, Type.INT, 100, ConfigDef.Range.atLeast(1), Importance.MEDIUM,
                    "Requests a client address may make to the public site at once.")
            .define(SITE_RATE_MAX_CLIENTS_CONFIG, Type.INT, 100_000, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "Client addresses the public site's rate limit remembers; beyond, new addresses share one limit.")
            .define(SITE_TRUST_FORWARDED_FOR_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM,
                    "Rate limit by the last address of X-Forwarded-For (the one a reverse proxy in front adds) instead of the "
                            + "connection's; only behind such a proxy, since a client can send any X-Forwarded-For.")
            .define(SITE_STALLED_AFTER_MS_CONFIG, Type.LONG, 30_000L, ConfigDef.Range.atLeast(1), Importance.LOW,
                    "How long the public page's reader may stay behind its log without advancing before /readyz, a metric and "
                            + "the log report it.")
            // Subscriptions.
            .define(SECRET_FILE_CONFIG, Type.STRING, null, Importance.HIGH,
                    "File (readable by the service's user only) holding at least 32 random bytes, the same for the status page and "
                            + "the notifier: subscribers' addresses are sealed, digested and their links signed with keys derived from it. "
                            + "Required: the service does not start without it.")
            .define(SUBSCRIPTIONS_PER_IP_CONFIG, Type.INT, 20, Range.between(1, 100_000), Importance.LOW,
                    "Subscription requests per client IP per hour (a token bucket of that size); more get 429 with Retry-After.")
            .define(SUBSCRIPTIONS_PER_ADDRESS_CONFIG, Type.INT, 5, Range.between(1, 1_000), Importance.LOW,
                    "Subscription requests per e-mail address or webhook URL per hour; bounds the confirmation mails one address gets.")
            .define(SUBSCRIPTIONS_PRIVATE_WEBHOOKS_CONFIG, Type.BOOLEAN, false, Importance.LOW,
                    "Whether webhook subscribers may name localhost and loopback, private or link-local IP addresses (a private page).");

    public StatusPageServiceConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals);
    }

    public String pageId() {
        return getString(PAGE_ID_CONFIG);
    }

    public String applicationId() {
        return getString(APPLICATION_ID_CONFIG);
    }

    public Duration punctuation() {
        return Duration.ofMillis(getLong(PUNCTUATION_MS_CONFIG));
    }

    public double siteRatePerSecond() {
        return getDouble(SITE_RATE_PER_SECOND_CONFIG);
    }

    public int siteRateBurst() {
        return getInt(SITE_RATE_BURST_CONFIG);
    }

    public int siteRateMaxClients() {
        return getInt(SITE_RATE_MAX_CLIENTS_CONFIG);
    }

    public boolean siteTrustForwardedFor() {
        return getBoolean(SITE_TRUST_FORWARDED_FOR_CONFIG);
    }

    public Duration siteStalledAfter() {
        return Duration.ofMillis(getLong(SITE_STALLED_AFTER_MS_CONFIG));
    }

    /** The subscribers' keys; a missing or short secret file stops the service with an error naming {@value #SECRET_FILE_CONFIG}. */
    public SubscriberSeal subscriberSeal() {
        return SubscriberSeal.load(getString(SECRET_FILE_CONFIG));
    }
}
