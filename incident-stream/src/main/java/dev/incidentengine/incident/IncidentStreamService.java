package dev.incidentengine.incident;

import java.util.List;

import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.TopicReadiness;
import io.micrometer.core.instrument.MeterRegistry;

/** Turns alerts and commands into the incident log. */
public final class IncidentStreamService implements Service {

    public static final String NAME = "incident-stream";
    static final List<Topic<?, ?>> TOPICS = List.of(Topics.ALERTS, Topics.INCIDENT_COMMANDS, Topics.INCIDENT_EVENTS, Topics.INCIDENT_STATE, Topics.CONFIG_SERVICES);

    private final IncidentStreamConfig config;
    private TopicReadiness readiness;

    public IncidentStreamService(IncidentStreamConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start(MeterRegistry metrics) {
        readiness = new TopicReadiness(config, NAME, TOPICS);
    }

    @Override
    public boolean ready() {
        return readiness != null && readiness.ready();
    }

    @Override
    public void close() {
        if (readiness != null) {
            readiness.close();
        }
    }
}
