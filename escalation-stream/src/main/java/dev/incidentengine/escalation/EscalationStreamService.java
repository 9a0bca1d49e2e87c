package dev.incidentengine.escalation;

import java.time.Duration;
import java.util.Properties;

import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.TopicReadiness;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the escalation topology ({@link EscalationTopology}): pages people and escalates until someone acknowledges. */
public final class EscalationStreamService implements Service {

    public static final String NAME = "escalation-stream";
    private static final Logger log = LoggerFactory.getLogger(EscalationStreamService.class);

    private final EscalationStreamConfig config;
    private final EscalationTopics topics;
    private TopicReadiness readiness;
    private KafkaStreams streams;

    public EscalationStreamService(EscalationStreamConfig config, EscalationTopics topics) {
        this.config = config;
        this.topics = topics;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start(MeterRegistry metrics) {
        readiness = new TopicReadiness(config, NAME, topics.all());
        Properties props = KafkaClients.streams(config, config.applicationId(), topics.deadLetters());
        // A warm copy of the timers on a second instance, so a failover fires them without replaying changelogs.
        props.putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        streams = new KafkaStreams(EscalationTopology.build(topics, config.recordSerdes(), config.punctuation()), props);
        new KafkaStreamsMetrics(streams).bindTo(metrics);
        streams.setUncaughtExceptionHandler(error -> {
            log.error("Escalation stream thread failed; replacing it", error);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
    }

    @Override
    public boolean ready() {
        return readiness != null && readiness.ready() && streams != null && streams.state().isRunningOrRebalancing();
    }

    @Override
    public void close() {
        if (streams != null) {
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(10)));
        }
        if (readiness != null) {
            readiness.close();
        }
    }
}
