package dev.incidentengine.status;

import dev.incidentengine.service.Service;
import dev.incidentengine.service.ServiceMain;

/** Runs the status page on its own: {@code [--config FILE]}, INCIDENT_* and KAFKA_* environment variables. */
public final class StatusPageMain {

    public static final String NAME = StatusPageService.NAME;

    private StatusPageMain() {
    }

    public static Service service(StatusPageServiceConfig config) {
        return new StatusPageService(config, StatusTopics.DEFAULT);
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run(NAME, args, StatusPageServiceConfig::new, StatusPageMain::service);
    }
}
