package dev.incidentengine.escalation;

import java.time.Duration;
import java.util.Map;

import dev.incidentengine.service.EngineConfig;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef;

/** Configuration of escalation-stream: the shared engine settings; HTTP on port 8082 by default. */
public final class EscalationStreamConfig extends EngineConfig {

    public static final int DEFAULT_HTTP_PORT = 8082;
    public static final String APPLICATION_ID_CONFIG = "escalation.application.id";
    public static final String PUNCTUATION_MS_CONFIG = "escalation.punctuation.ms";

    public static final ConfigDef CONFIG_DEF = withApiTokens(baseDefinition(DEFAULT_HTTP_PORT))
            .define(APPLICATION_ID_CONFIG, Type.STRING, EscalationTopology.APPLICATION_ID, Importance.LOW,
                    "Kafka Streams application.id: the consumer group, and the prefix of the internal topics.")
            // Every half second: a timer fires at most that late plus the punctuation's own work, which keeps p99
            // lateness under a second at 1,000 due timers a second (bench/escalation). A punctuation costs what is due,
            // not what is pending, so looking more often costs little.
            .define(PUNCTUATION_MS_CONFIG, Type.LONG, 500L, Range.between(10, 60_000), Importance.LOW,
                    "How often (wall clock) due escalation timers are looked for: the most a timer fires late, "
                            + "besides a busy stream thread.");

    public EscalationStreamConfig(Map<?, ?> originals) {
        super(CONFIG_DEF, originals);
    }

    public String applicationId() {
        return getString(APPLICATION_ID_CONFIG);
    }

    public Duration punctuation() {
        return Duration.ofMillis(getLong(PUNCTUATION_MS_CONFIG));
    }
}
