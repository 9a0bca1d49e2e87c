package dev.incidentengine.status;

import java.time.Duration;
import java.util.Map;

import dev.incidentengine.service.EngineConfig;
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

    public static final ConfigDef CONFIG_DEF = withApiTokens(baseDefinition(DEFAULT_HTTP_PORT))
            .define(PAGE_ID_CONFIG, Type.STRING, "public", Importance.LOW,
                    "Id of the statusPages config record this instance serves at /status.")
            // The page's writer.
            .define(APPLICATION_ID_CONFIG, Type.STRING, StatusPageTopology.APPLICATION_ID, Importance.LOW,
                    "Kafka Streams application.id of the page's writer: the consumer group, and the prefix of its internal topics.")
            .define(PUNCTUATION_MS_CONFIG, Type.LONG, 1_000L, Range.between(10, 60_000), Importance.LOW,
                    "How often (wall clock) the page's writer announces, starts and completes maintenance: the most it is late.");

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
}
