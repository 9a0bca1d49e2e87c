package dev.incidentengine.service;

import java.util.List;
import java.util.Optional;

import dev.incidentengine.schemas.Topic;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A service that, so far, only reports whether Kafka holds the topics it will work on: what
 * incident-stream, escalation-stream and the notifier run until their topologies arrive.
 */
public final class TopicReadinessService implements Service {

    private final String name;
    private final EngineConfig config;
    private final List<Topic<?, ?>> topics;
    private TopicReadiness readiness;

    public TopicReadinessService(String name, EngineConfig config, List<Topic<?, ?>> topics) {
        this.name = name;
        this.config = config;
        this.topics = List.copyOf(topics);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start(MeterRegistry metrics) {
        readiness = new TopicReadiness(config, name, topics);
    }

    @Override
    public Optional<String> problem() {
        return readiness == null ? Optional.of("not started") : readiness.problem();
    }

    @Override
    public void close() {
        if (readiness != null) {
            readiness.close();
        }
    }
}
