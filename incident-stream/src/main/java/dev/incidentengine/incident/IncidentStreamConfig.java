package dev.incidentengine.incident;

import java.util.Map;

import dev.incidentengine.service.EngineConfig;
import org.apache.kafka.common.config.ConfigDef;

/** Configuration of incident-stream: the shared engine settings; HTTP on port 8081 by default. */
public final class IncidentStreamConfig extends EngineConfig {

    public static final int DEFAULT_HTTP_PORT = 8081;
    public static final ConfigDef CONFIG_DEF = baseDefinition(DEFAULT_HTTP_PORT);

    public IncidentStreamConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals);
    }
}
