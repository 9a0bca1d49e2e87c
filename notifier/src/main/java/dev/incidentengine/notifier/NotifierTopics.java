package dev.incidentengine.notifier;

import java.util.List;

import dev.incidentengine.model.DeliveryRecord;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.model.StatusSubscriber;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;

/** The topics the notifier reads and writes; injected, so tests run on topics of their own. */
public record NotifierTopics(
        Topic<String, IncidentEvent> events,
        Topic<String, NotificationRequest> requests,
        Topic<String, DeliveryRecord> deliveries,
        Topic<String, NotificationResult> results,
        Topic<String, UserConfig> users,
        Topic<String, ServiceConfig> services,
        Topic<String, ChannelConfig> channels,
        Topic<byte[], byte[]> deadLetters,
        Topic<String, StatusPageEvent> statusPage,
        Topic<String, StatusSubscriber> subscribers,
        Topic<String, IncidentCommand> commands,
        Topic<String, TeamConfig> teams,
        Topic<String, RoleConfig> roles) {

    public static final NotifierTopics DEFAULT = new NotifierTopics(Topics.INCIDENT_EVENTS, Topics.NOTIFICATION_REQUESTS,
            Topics.NOTIFICATION_DELIVERIES, Topics.NOTIFICATION_RESULTS, Topics.CONFIG_USERS, Topics.CONFIG_SERVICES,
            Topics.CONFIG_CHANNELS, Topics.NOTIFICATION_DLQ, Topics.STATUS_PAGE, Topics.STATUS_SUBSCRIBERS,
            Topics.INCIDENT_COMMANDS, Topics.CONFIG_TEAMS, Topics.CONFIG_ROLES);

    public List<Topic<?, ?>> all() {
        return List.of(events, requests, deliveries, results, users, services, channels, deadLetters, statusPage, subscribers, commands, teams,
                roles);
    }
}
