package dev.incidentengine.notifier;

import dev.incidentengine.service.Service;
import dev.incidentengine.service.ServiceMain;

/** Runs notifier on its own: {@code [--config FILE]}, INCIDENT_* and KAFKA_* environment variables. */
public final class NotifierMain {

    public static final String NAME = NotifierService.NAME;

    private NotifierMain() {
    }

    public static Service service(NotifierConfig config) {
        return new NotifierService(config, NotifierTopics.DEFAULT);
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run(NAME, args, NotifierConfig::new, NotifierMain::service);
    }
}
