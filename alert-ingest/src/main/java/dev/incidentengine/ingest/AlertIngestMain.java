package dev.incidentengine.ingest;

import dev.incidentengine.service.ServiceMain;

/** Runs alert-ingest on its own: {@code [--config FILE]}, INCIDENT_* and KAFKA_* environment variables. */
public final class AlertIngestMain {

    private AlertIngestMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run(AlertIngestService.NAME, args, AlertIngestConfig::new, AlertIngestService::new);
    }
}
