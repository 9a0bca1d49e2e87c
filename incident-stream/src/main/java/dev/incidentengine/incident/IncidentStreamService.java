package dev.incidentengine.incident;

import java.time.Duration;
import java.util.List;

import dev.incidentengine.incident.domain.IncidentLifecycle;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.TopicReadiness;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the incident aggregate ({@link IncidentTopology}). Dedupe, correlation and the API follow (issue #4). */
public final class IncidentStreamService implements Service {

    public static final String NAME = "incident-stream";
    private static final Logger log = LoggerFactory.getLogger(IncidentStreamService.class);

    private final IncidentStreamConfig config;
    private final IncidentTopics topics;
    private TopicReadiness readiness;
    private KafkaStreams streams;

    public IncidentStreamService(IncidentStreamConfig config) {
        this(config, IncidentTopics.DEFAULT);
    }

    public IncidentStreamService(IncidentStreamConfig config, IncidentTopics topics) {
        this.config = config;
        this.topics = topics;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start(MeterRegistry metrics) {
        readiness = new TopicReadiness(config, NAME, List.<Topic<?, ?>>of(topics.commands(), topics.events(), topics.state(),
                topics.deadLetters(), Topics.ALERTS));
        streams = new KafkaStreams(IncidentTopology.build(topics, config.recordSerdes(), new IncidentLifecycle(config.lifecyclePolicy())),
                KafkaClients.streams(config, IncidentTopology.APPLICATION_ID, topics.deadLetters()));
        new KafkaStreamsMetrics(streams).bindTo(metrics);
        streams.setUncaughtExceptionHandler(error -> {
            log.error("Incident stream thread failed; replacing it", error);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
    }

    @Override
    public boolean ready() {
        return readiness != null && readiness.ready() && streams.state().isRunningOrRebalancing();
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
