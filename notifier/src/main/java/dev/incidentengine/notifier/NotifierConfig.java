package dev.incidentengine.notifier;

import java.util.Map;

import dev.incidentengine.service.EngineConfig;
import org.apache.kafka.common.config.ConfigDef;

/** Configuration of notifier: the shared engine settings; HTTP on port 8083 by default. */
public final class NotifierConfig extends EngineConfig {

    public static final int DEFAULT_HTTP_PORT = 8083;
    public static final ConfigDef CONFIG_DEF = baseDefinition(DEFAULT_HTTP_PORT);

    public NotifierConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals);
    }
}
