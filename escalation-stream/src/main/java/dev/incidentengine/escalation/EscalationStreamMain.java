package dev.incidentengine.escalation;

import java.util.List;

import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.ServiceMain;
import dev.incidentengine.service.TopicReadinessService;

/** Runs escalation-stream on its own: {@code [--config FILE]}, INCIDENT_* and KAFKA_* environment variables. */
public final class EscalationStreamMain {

    public static final String NAME = "escalation-stream";

    private EscalationStreamMain() {
    }

    /** Pages the people on call and escalates until someone acknowledges (issue #5). Until then it reports whether Kafka holds its topics. */
    public static Service service(EscalationStreamConfig config) {
        return new TopicReadinessService(NAME, config, List.of(Topics.INCIDENT_EVENTS, Topics.INCIDENT_COMMANDS, Topics.CONFIG_ESCALATION_POLICIES, Topics.CONFIG_SCHEDULES, Topics.CONFIG_USERS, Topics.CONFIG_TEAMS));
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run(NAME, args, EscalationStreamConfig::new, EscalationStreamMain::service);
    }
}
