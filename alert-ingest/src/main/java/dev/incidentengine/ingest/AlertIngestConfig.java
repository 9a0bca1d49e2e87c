package dev.incidentengine.ingest;

import java.util.Map;

import dev.incidentengine.service.EngineConfig;
import org.apache.kafka.common.config.ConfigDef;

/** Configuration of alert-ingest: the shared engine settings; HTTP on port 8080 by default. */
public final class AlertIngestConfig extends EngineConfig {

    public static final int DEFAULT_HTTP_PORT = 8080;
    public static final ConfigDef CONFIG_DEF = baseDefinition(DEFAULT_HTTP_PORT);

    public AlertIngestConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals);
    }
}
