package dev.incidentengine.incident;

import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;

/** The topics incident-stream reads and writes; injected, so tests run on topics of their own. */
public record IncidentTopics(
        Topic<String, IncidentCommand> commands,
        Topic<String, IncidentEvent> events,
        Topic<String, IncidentState> state,
        Topic<byte[], byte[]> deadLetters) {

    public static final IncidentTopics DEFAULT =
            new IncidentTopics(Topics.INCIDENT_COMMANDS, Topics.INCIDENT_EVENTS, Topics.INCIDENT_STATE, Topics.INCIDENT_DLQ);
}
