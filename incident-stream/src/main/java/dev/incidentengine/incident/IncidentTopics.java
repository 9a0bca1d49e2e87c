package dev.incidentengine.incident;

import java.util.List;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.CommandResult;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.SuppressedAlert;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.IncidentTypeConfig;
import dev.incidentengine.model.config.InhibitRuleConfig;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.model.config.RouteConfig;
import dev.incidentengine.model.config.RunbookConfig;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.StatusPageConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.model.config.TierConfig;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;

/** The topics incident-stream reads and writes; injected, so tests run on topics of their own. */
public record IncidentTopics(
        Topic<String, Alert> alerts,
        Topic<String, IncidentCommand> commands,
        Topic<String, IncidentEvent> events,
        Topic<String, IncidentState> state,
        Topic<String, CommandResult> commandResults,
        Topic<String, SuppressedAlert> suppressed,
        Topic<String, Alert> inhibiting,
        Topic<String, RouteConfig> routes,
        Topic<String, SilenceConfig> silences,
        Topic<String, InhibitRuleConfig> inhibitRules,
        Topic<byte[], byte[]> deadLetters,
        // What the services API shows beside the open counts; read whole by the API's view.
        Topic<String, ServiceConfig> services,
        Topic<String, IntegrationConfig> integrations,
        Topic<String, EscalationPolicyConfig> escalationPolicies,
        Topic<String, ChannelConfig> channels,
        Topic<String, TeamConfig> teams,
        // The status page the aggregate publishes to: its components, auto-publish severities, cadence and templates.
        Topic<String, StatusPageConfig> statusPages,
        // The response process the aggregate opens incidents with (services above give their tiers).
        Topic<String, RoleConfig> roles,
        Topic<String, IncidentTypeConfig> incidentTypes,
        Topic<String, RunbookConfig> runbooks,
        Topic<String, TierConfig> tiers) {

    public static final IncidentTopics DEFAULT = new IncidentTopics(Topics.ALERTS, Topics.INCIDENT_COMMANDS, Topics.INCIDENT_EVENTS,
            Topics.INCIDENT_STATE, Topics.INCIDENT_COMMAND_RESULTS, Topics.ALERTS_SUPPRESSED, Topics.ALERTS_INHIBITING,
            Topics.CONFIG_ROUTES, Topics.CONFIG_SILENCES, Topics.CONFIG_INHIBIT_RULES, Topics.INCIDENT_DLQ,
            Topics.CONFIG_SERVICES, Topics.CONFIG_INTEGRATIONS, Topics.CONFIG_ESCALATION_POLICIES, Topics.CONFIG_CHANNELS, Topics.CONFIG_TEAMS,
            Topics.CONFIG_STATUS_PAGES, Topics.CONFIG_ROLES, Topics.CONFIG_INCIDENT_TYPES, Topics.CONFIG_RUNBOOKS, Topics.CONFIG_TIERS);

    public List<Topic<?, ?>> all() {
        return List.of(alerts, commands, events, state, commandResults, suppressed, inhibiting, routes, silences, inhibitRules,
                deadLetters, services, integrations, escalationPolicies, channels, teams, statusPages, roles, incidentTypes, runbooks, tiers);
    }
}
