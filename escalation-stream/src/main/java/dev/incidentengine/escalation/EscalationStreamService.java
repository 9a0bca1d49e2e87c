package dev.incidentengine.escalation;

import java.util.List;

import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.TopicReadiness;
import io.micrometer.core.instrument.MeterRegistry;

/** Pages the people on call and escalates until someone acknowledges. */
public final class EscalationStreamService implements Service {

    public static final String NAME = "escalation-stream";
    static final List<Topic<?, ?>> TOPICS = List.of(Topics.INCIDENT_EVENTS, Topics.INCIDENT_COMMANDS, Topics.CONFIG_ESCALATION_POLICIES, Topics.CONFIG_SCHEDULES, Topics.CONFIG_USERS, Topics.CONFIG_TEAMS);

    private final EscalationStreamConfig config;
    private TopicReadiness readiness;

    public EscalationStreamService(EscalationStreamConfig config) {
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
