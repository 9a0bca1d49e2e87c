package dev.incidentengine.incident;

import java.time.Duration;
import java.util.Map;

import dev.incidentengine.incident.domain.LifecyclePolicy;
import dev.incidentengine.service.EngineConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Configuration of incident-stream: the shared engine settings plus the lifecycle's rules. */
public final class IncidentStreamConfig extends EngineConfig {

    public static final int DEFAULT_HTTP_PORT = 8081;
    public static final String REOPEN_WINDOW_MINUTES_CONFIG = "incident.reopen.window.minutes";
    public static final String FLAP_REOPENS_CONFIG = "incident.flap.reopens";
    public static final String FLAP_WINDOW_MINUTES_CONFIG = "incident.flap.window.minutes";

    public static final ConfigDef CONFIG_DEF = baseDefinition(DEFAULT_HTTP_PORT)
            .define(REOPEN_WINDOW_MINUTES_CONFIG, Type.INT, 30, Range.atLeast(0), Importance.MEDIUM,
                    "An alert that fires again within this many minutes after its incident resolved reopens it.")
            .define(FLAP_REOPENS_CONFIG, Type.INT, 3, Range.atLeast(1), Importance.LOW,
                    "More reopens than this within the flap window mark an incident flapping.")
            .define(FLAP_WINDOW_MINUTES_CONFIG, Type.INT, 60, Range.atLeast(1), Importance.LOW,
                    "The window, in minutes, flapping is counted in.");

    public IncidentStreamConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals);
    }

    public LifecyclePolicy lifecyclePolicy() {
        return new LifecyclePolicy(Duration.ofMinutes(getInt(REOPEN_WINDOW_MINUTES_CONFIG)), getInt(FLAP_REOPENS_CONFIG),
                Duration.ofMinutes(getInt(FLAP_WINDOW_MINUTES_CONFIG)), LifecyclePolicy.DEFAULT.rememberedCommands());
    }
}
