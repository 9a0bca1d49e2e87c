package dev.incidentengine.escalation;

import dev.incidentengine.service.ServiceMain;

/** Runs escalation-stream on its own: {@code [--config FILE]}, INCIDENT_* and KAFKA_* environment variables. */
public final class EscalationStreamMain {

    private EscalationStreamMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run(EscalationStreamService.NAME, args, EscalationStreamConfig::new, EscalationStreamService::new);
    }
}
