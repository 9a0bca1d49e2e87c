package dev.incidentengine.status;

import java.util.List;

import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.StatusPageCommand;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.model.StatusSubscriber;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.StatusPageConfig;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;

/** The topics the status page reads and writes; injected, so tests run on topics of their own. */
public record StatusTopics(
        Topic<String, IncidentEvent> incidentEvents,
        Topic<String, StatusPageCommand> commands,
        Topic<String, StatusPageEvent> page,
        Topic<String, StatusSubscriber> subscribers,
        Topic<String, StatusPageConfig> config,
        Topic<String, SilenceConfig> silences,
        Topic<byte[], byte[]> deadLetters) {

    public static final StatusTopics DEFAULT = new StatusTopics(Topics.INCIDENT_EVENTS, Topics.STATUS_COMMANDS, Topics.STATUS_PAGE,
            Topics.STATUS_SUBSCRIBERS, Topics.CONFIG_STATUS_PAGES, Topics.CONFIG_SILENCES, Topics.STATUS_DLQ);

    public List<Topic<?, ?>> all() {
        return List.of(incidentEvents, commands, page, subscribers, config, silences, deadLetters);
    }
}
