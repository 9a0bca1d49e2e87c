package dev.incidentengine.incident;

import dev.incidentengine.service.ServiceMain;

/** Runs incident-stream on its own: {@code [--config FILE]}, INCIDENT_* and KAFKA_* environment variables. */
public final class IncidentStreamMain {

    private IncidentStreamMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run(IncidentStreamService.NAME, args, IncidentStreamConfig::new, IncidentStreamService::new);
    }
}
