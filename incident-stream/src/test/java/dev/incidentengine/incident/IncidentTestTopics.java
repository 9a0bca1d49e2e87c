package dev.incidentengine.incident;

import dev.incidentengine.testkit.KafkaTestCluster;

/** A fresh set of incident-stream topics on a test broker, so tests do not see each other's records. */
final class IncidentTestTopics {

    private IncidentTestTopics() {
    }

    static IncidentTopics create(KafkaTestCluster kafka) {
        IncidentTopics d = IncidentTopics.DEFAULT;
        return new IncidentTopics(kafka.createTopic(d.alerts()), kafka.createTopic(d.commands()), kafka.createTopic(d.events()),
                kafka.createTopic(d.state()), kafka.createTopic(d.commandResults()), kafka.createTopic(d.suppressed()),
                kafka.createTopic(d.inhibiting()), kafka.createTopic(d.routes()), kafka.createTopic(d.silences()),
                kafka.createTopic(d.inhibitRules()), kafka.createTopic(d.deadLetters()),
                kafka.createTopic(d.services()), kafka.createTopic(d.integrations()), kafka.createTopic(d.escalationPolicies()),
                kafka.createTopic(d.channels()), kafka.createTopic(d.teams()), kafka.createTopic(d.statusPages()),
                kafka.createTopic(d.roles()), kafka.createTopic(d.incidentTypes()), kafka.createTopic(d.runbooks()), kafka.createTopic(d.tiers()));
    }

    /** An application.id of the test's own, so its consumer group and internal topics are new too. */
    static String applicationId(IncidentTopics topics) {
        return IncidentTopology.APPLICATION_ID + topics.alerts().name().substring(IncidentTopics.DEFAULT.alerts().name().length());
    }
}
