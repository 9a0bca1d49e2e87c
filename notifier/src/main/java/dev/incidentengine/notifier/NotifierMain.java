package dev.incidentengine.notifier;

import dev.incidentengine.service.ServiceMain;

/** Runs notifier on its own: {@code [--config FILE]}, INCIDENT_* and KAFKA_* environment variables. */
public final class NotifierMain {

    private NotifierMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run(NotifierService.NAME, args, NotifierConfig::new, NotifierService::new);
    }
}
