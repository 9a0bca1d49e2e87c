package dev.incidentengine.notifier;

import java.util.List;

import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.TopicReadiness;
import io.micrometer.core.instrument.MeterRegistry;

/** Delivers incident events to people and channels. */
public final class NotifierService implements Service {

    public static final String NAME = "notifier";
    static final List<Topic<?, ?>> TOPICS = List.of(Topics.INCIDENT_EVENTS, Topics.NOTIFICATION_RESULTS, Topics.CONFIG_USERS);

    private final NotifierConfig config;
    private TopicReadiness readiness;

    public NotifierService(NotifierConfig config) {
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
