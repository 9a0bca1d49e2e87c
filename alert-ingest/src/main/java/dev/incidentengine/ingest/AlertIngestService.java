package dev.incidentengine.ingest;

import java.util.List;

import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.TopicReadiness;
import io.micrometer.core.instrument.MeterRegistry;

/** Receives alerts and writes them, normalized, to alerts.v1. */
public final class AlertIngestService implements Service {

    public static final String NAME = "alert-ingest";
    static final List<Topic<?, ?>> TOPICS = List.of(Topics.ALERTS_RAW, Topics.ALERTS, Topics.ALERTS_DLQ, Topics.INCIDENT_COMMANDS, Topics.CONFIG_INTEGRATIONS);

    private final AlertIngestConfig config;
    private TopicReadiness readiness;

    public AlertIngestService(AlertIngestConfig config) {
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
