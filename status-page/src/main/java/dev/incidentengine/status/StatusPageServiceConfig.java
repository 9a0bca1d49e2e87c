package dev.incidentengine.status;

import java.util.Map;

import dev.incidentengine.service.EngineConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * Configuration of the status-page service: the shared engine settings; HTTP on port 8085 by default. Each part of the
 * service (the page's writer, the public site, subscriptions) adds its keys in a block of its own below.
 */
public final class StatusPageServiceConfig extends EngineConfig {

    public static final int DEFAULT_HTTP_PORT = 8085;
    public static final String PAGE_ID_CONFIG = "status.page.id";

    public static final ConfigDef CONFIG_DEF = withApiTokens(baseDefinition(DEFAULT_HTTP_PORT))
            .define(PAGE_ID_CONFIG, Type.STRING, "public", Importance.LOW,
                    "Id of the statusPages config record this instance serves at /status.");

    public StatusPageServiceConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals);
    }

    public String pageId() {
        return getString(PAGE_ID_CONFIG);
    }
}
