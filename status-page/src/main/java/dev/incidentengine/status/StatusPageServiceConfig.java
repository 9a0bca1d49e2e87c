package dev.incidentengine.status;

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
    public static final String SECRET_FILE_CONFIG = SubscriberSeal.CONFIG;
    public static final String SUBSCRIPTIONS_PER_IP_CONFIG = "status.subscriptions.per.ip.per.hour";
    public static final String SUBSCRIPTIONS_PER_ADDRESS_CONFIG = "status.subscriptions.per.address.per.hour";
    public static final String SUBSCRIPTIONS_PRIVATE_WEBHOOKS_CONFIG = "status.subscriptions.private.webhooks";

    public static final ConfigDef CONFIG_DEF = withApiTokens(baseDefinition(DEFAULT_HTTP_PORT))
            .define(PAGE_ID_CONFIG, Type.STRING, "public", Importance.LOW,
                    "Id of the statusPages config record this instance serves at /status.")
            // Subscriptions
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

    /** The subscribers' keys; a missing or short secret file stops the service with an error naming {@value #SECRET_FILE_CONFIG}. */
    public SubscriberSeal subscriberSeal() {
        return SubscriberSeal.load(getString(SECRET_FILE_CONFIG));
    }
}
