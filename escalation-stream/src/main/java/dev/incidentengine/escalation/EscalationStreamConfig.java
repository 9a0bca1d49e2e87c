package dev.incidentengine.escalation;

import java.util.Map;

import dev.incidentengine.service.EngineConfig;
import org.apache.kafka.common.config.ConfigDef;

/** Configuration of escalation-stream: the shared engine settings; HTTP on port 8082 by default. */
public final class EscalationStreamConfig extends EngineConfig {

    public static final int DEFAULT_HTTP_PORT = 8082;
    public static final ConfigDef CONFIG_DEF = baseDefinition(DEFAULT_HTTP_PORT);

    public EscalationStreamConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals);
    }
}
