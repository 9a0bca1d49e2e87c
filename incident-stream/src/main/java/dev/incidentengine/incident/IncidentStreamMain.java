package dev.incidentengine.incident;

import java.util.List;

import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.ServiceMain;
import dev.incidentengine.service.TopicReadinessService;

/** Runs incident-stream on its own: {@code [--config FILE]}, INCIDENT_* and KAFKA_* environment variables. */
public final class IncidentStreamMain {

    public static final String NAME = "incident-stream";

    private IncidentStreamMain() {
    }

    /** Turns alerts and commands into the incident log (issue #4). Until then it reports whether Kafka holds its topics. */
    public static Service service(IncidentStreamConfig config) {
        return new TopicReadinessService(NAME, config, List.of(Topics.ALERTS, Topics.INCIDENT_COMMANDS, Topics.INCIDENT_EVENTS, Topics.INCIDENT_STATE, Topics.CONFIG_SERVICES));
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run(NAME, args, IncidentStreamConfig::new, IncidentStreamMain::service);
    }
}
