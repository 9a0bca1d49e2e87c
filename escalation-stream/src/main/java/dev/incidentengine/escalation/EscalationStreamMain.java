package dev.incidentengine.escalation;

import dev.incidentengine.service.Service;
import dev.incidentengine.service.ServiceMain;

/** Runs escalation-stream on its own: {@code [--config FILE]}, INCIDENT_* and KAFKA_* environment variables. */
public final class EscalationStreamMain {

    public static final String NAME = EscalationStreamService.NAME;

    private EscalationStreamMain() {
    }

    public static Service service(EscalationStreamConfig config) {
        return new EscalationStreamService(config, EscalationTopics.DEFAULT);
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run(NAME, args, EscalationStreamConfig::new, EscalationStreamMain::service);
    }
}
