package dev.incidentengine.notifier;

import java.util.List;

import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.ServiceMain;
import dev.incidentengine.service.TopicReadinessService;

/** Runs notifier on its own: {@code [--config FILE]}, INCIDENT_* and KAFKA_* environment variables. */
public final class NotifierMain {

    public static final String NAME = "notifier";

    private NotifierMain() {
    }

    /** Delivers incident events to people and channels (issue #6). Until then it reports whether Kafka holds its topics. */
    public static Service service(NotifierConfig config) {
        return new TopicReadinessService(NAME, config, List.of(Topics.INCIDENT_EVENTS, Topics.NOTIFICATION_RESULTS, Topics.CONFIG_USERS));
    }

    public static void main(String[] args) throws InterruptedException {
        ServiceMain.run(NAME, args, NotifierConfig::new, NotifierMain::service);
    }
}
