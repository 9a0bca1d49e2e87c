package dev.incidentengine.escalation;

import java.util.List;

import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.OnCallOverride;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;

/** The topics escalation-stream reads and writes; injected, so tests run on topics of their own. */
public record EscalationTopics(
        Topic<String, IncidentEvent> events,
        Topic<String, IncidentCommand> commands,
        Topic<String, EscalationPolicyConfig> policies,
        Topic<String, ScheduleConfig> schedules,
        Topic<String, TeamConfig> teams,
        Topic<String, UserConfig> users,
        Topic<String, ServiceConfig> services,
        Topic<String, OnCallOverride> overrides,
        Topic<String, RoleConfig> roles,
        Topic<byte[], byte[]> deadLetters) {

    public static final EscalationTopics DEFAULT = new EscalationTopics(Topics.INCIDENT_EVENTS, Topics.INCIDENT_COMMANDS,
            Topics.CONFIG_ESCALATION_POLICIES, Topics.CONFIG_SCHEDULES, Topics.CONFIG_TEAMS, Topics.CONFIG_USERS,
            Topics.CONFIG_SERVICES, Topics.ONCALL_OVERRIDES, Topics.CONFIG_ROLES, Topics.INCIDENT_DLQ);

    public List<Topic<?, ?>> all() {
        return List.of(events, commands, policies, schedules, teams, users, services, overrides, roles, deadLetters);
    }
}
