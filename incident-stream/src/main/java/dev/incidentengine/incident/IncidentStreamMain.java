package dev.incidentengine.incident;

import dev.incidentengine.service.Service;
import dev.incidentengine.service.ServiceMain;

/** Runs incident-stream on its own: {@code [--config FILE]}, INCIDENT_* and KAFKA_* environment variables. */
public final class IncidentStreamMain {

    public static final String NAME = IncidentStreamService.NAME;

    private IncidentStreamMain() {
    }

    public static Service service(IncidentStreamConfig config) {
        return new IncidentStreamService(config);
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run(NAME, args, IncidentStreamConfig::new, IncidentStreamMain::service);
    }
}
