package dev.incidentengine.configdata;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.configdata.ConfigKind.Prepare;
import dev.incidentengine.configdata.ConfigKind.Reference;
import dev.incidentengine.incident.domain.IncidentTypeChecks;
import dev.incidentengine.incident.domain.RoleChecks;
import dev.incidentengine.incident.domain.RunbookChecks;
import dev.incidentengine.incident.domain.TierChecks;
import dev.incidentengine.incident.routing.InhibitRuleChecks;
import dev.incidentengine.incident.routing.LabelMatchers;
import dev.incidentengine.incident.routing.RouteChecks;
import dev.incidentengine.incident.routing.SilenceChecks;
import dev.incidentengine.model.config.LevelTarget;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.notifier.channel.ChannelChecks;
import dev.incidentengine.notifier.template.TemplateKeys;
import dev.incidentengine.schemas.ConfigProblem;
import dev.incidentengine.schemas.HeartbeatLimits;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import org.apache.avro.specific.SpecificRecord;

import static dev.incidentengine.schemas.Topics.CONFIG_ESCALATION_POLICIES;
import static dev.incidentengine.schemas.Topics.CONFIG_INCIDENT_TYPES;
import static dev.incidentengine.schemas.Topics.CONFIG_ROLES;
import static dev.incidentengine.schemas.Topics.CONFIG_SCHEDULES;
import static dev.incidentengine.schemas.Topics.CONFIG_SERVICES;
import static dev.incidentengine.schemas.Topics.CONFIG_TEAMS;
import static dev.incidentengine.schemas.Topics.CONFIG_TIERS;
import static dev.incidentengine.schemas.Topics.CONFIG_USERS;

/**
 * The kinds config files may hold, in their order, each with its owner's rules: routing's ({@code incident-domain}
 * routing: matchers, routes, silences, inhibit rules), the response process's ({@code incident-domain} domain: roles,
 * incident types, runbooks, tiers and response targets), the notifier's ({@code notifier-vocabulary}: channels and
 * template overrides), on-call's (this package: users, teams, schedules, escalation policies) and alert-ingest's
 * (integration keys, hashed here). The references between kinds are declared here, where every kind is known.
 */
final class ConfigKinds {

    private static final List<String> MATCHER_FIELDS = List.of("matchers", "sourceMatchers", "targetMatchers");
    /** Alertmanager-style string matchers ({@code service=~"check.*"}) may stand for the object form {label, op, value}. */
    private static final Prepare STRING_MATCHERS = (node, env, path) -> expandMatchers(node, path);

    static final List<ConfigKind<?>> ALL = List.of(
            kind("services", Topics.CONFIG_SERVICES, Prepare.NONE, ConfigKinds::checkService, (service, ref) -> {
                ref.to("escalationPolicyId", CONFIG_ESCALATION_POLICIES, "escalation policy", service.getEscalationPolicyId());
                ref.to("tier", CONFIG_TIERS, "tier", service.getTier());
            }),
            kind("integrations", Topics.CONFIG_INTEGRATIONS, (node, env, path) -> IntegrationKeys.hash(node, env),
                    integration -> {
                        if (integration.getHeartbeat() != null) {
                            HeartbeatLimits.check(integration.getHeartbeat());
                        }
                    }, (integration, ref) -> {
                        ref.to("serviceId", CONFIG_SERVICES, "service", integration.getServiceId());
                        each(ref, "allowedServices", CONFIG_SERVICES, "service", integration.getAllowedServices());
                    }),
            kind("users", Topics.CONFIG_USERS, Prepare.NONE, UserChecks::check, noReferences()),
            kind("teams", Topics.CONFIG_TEAMS, Prepare.NONE, TeamChecks::check, (team, ref) -> {
                each(ref, "members", CONFIG_USERS, "user", team.getMembers());
                ref.to("escalationPolicyId", CONFIG_ESCALATION_POLICIES, "escalation policy", team.getEscalationPolicyId());
                team.getRoleSchedules().forEach((role, schedule) -> {
                    ref.to("roleSchedules." + role, CONFIG_ROLES, "role", role);
                    ref.to("roleSchedules." + role, CONFIG_SCHEDULES, "schedule", schedule);
                });
            }),
            kind("schedules", Topics.CONFIG_SCHEDULES, Prepare.NONE, ConfigKinds::checkSchedule, (schedule, ref) -> {
                for (int i = 0; i < schedule.getLayers().size(); i++) {
                    each(ref, "layers[" + i + "].participants", CONFIG_USERS, "user", schedule.getLayers().get(i).getParticipants());
                }
                for (int i = 0; i < schedule.getOverrides().size(); i++) {
                    ref.to("overrides[" + i + "].userId", CONFIG_USERS, "user", schedule.getOverrides().get(i).getUserId());
                }
            }),
            kind("escalationPolicies", Topics.CONFIG_ESCALATION_POLICIES, Prepare.NONE, EscalationPolicyChecks::check, (policy, ref) -> {
                for (int i = 0; i < policy.getLevels().size(); i++) {
                    List<LevelTarget> targets = policy.getLevels().get(i).getTargets();
                    for (int j = 0; j < targets.size(); j++) {
                        LevelTarget target = targets.get(j);
                        String field = "levels[" + i + "].targets[" + j + "].id";
                        switch (target.getType()) {
                            case USER -> ref.to(field, CONFIG_USERS, "user", target.getId());
                            case SCHEDULE -> ref.to(field, CONFIG_SCHEDULES, "schedule", target.getId());
                            case TEAM -> ref.to(field, CONFIG_TEAMS, "team", target.getId());
                        }
                    }
                }
            }),
            kind("routes", Topics.CONFIG_ROUTES, STRING_MATCHERS, RouteChecks::check,
                    (route, ref) -> ref.to("incidentType", CONFIG_INCIDENT_TYPES, "incident type", route.getIncidentType())),
            kind("silences", Topics.CONFIG_SILENCES, STRING_MATCHERS, SilenceChecks::check, noReferences()),
            kind("inhibitRules", Topics.CONFIG_INHIBIT_RULES, STRING_MATCHERS, InhibitRuleChecks::check, noReferences()),
            kind("channels", Topics.CONFIG_CHANNELS, Prepare.NONE, ChannelChecks::check,
                    (channel, ref) -> each(ref, "services", CONFIG_SERVICES, "service", channel.getServices())),
            kind("statusPages", Topics.CONFIG_STATUS_PAGES, Prepare.NONE, noChecks(), noReferences()),
            kind("roles", Topics.CONFIG_ROLES, Prepare.NONE, RoleChecks::check, noReferences()),
            kind("incidentTypes", Topics.CONFIG_INCIDENT_TYPES, Prepare.NONE, IncidentTypeChecks::check, noReferences()),
            kind("runbooks", Topics.CONFIG_RUNBOOKS, STRING_MATCHERS, RunbookChecks::check, (runbook, ref) -> {
                each(ref, "services", CONFIG_SERVICES, "service", runbook.getServices());
                each(ref, "incidentTypes", CONFIG_INCIDENT_TYPES, "incident type", runbook.getIncidentTypes());
            }),
            kind("tiers", Topics.CONFIG_TIERS, Prepare.NONE, TierChecks::check, noReferences()));

    private ConfigKinds() {
    }

    private static <T extends SpecificRecord> ConfigKind<T> kind(String name, Topic<String, T> topic, Prepare prepare, Consumer<T> check,
            BiConsumer<T, Reference> references) {
        return new ConfigKind<>(name, topic, prepare, check, references);
    }

    private static <T> Consumer<T> noChecks() {
        return record -> {
        };
    }

    private static <T> BiConsumer<T, Reference> noReferences() {
        return (record, ref) -> {
        };
    }

    private static void each(Reference ref, String field, Topic<String, ?> topic, String noun, List<String> ids) {
        for (int i = 0; i < ids.size(); i++) {
            ref.to(field + "[" + i + "]", topic, noun, ids.get(i));
        }
    }

    /** A service is the notifier's (its template overrides) and the response process's (its response targets). */
    private static void checkService(ServiceConfig service) {
        TemplateKeys.check(service.getNotificationTemplates(), "notificationTemplates");
        TierChecks.targets(service.getResponseTargets(), "responseTargets");
    }

    /** The schedule library's own rules, so the loader refuses what escalation-stream would skip. */
    private static void checkSchedule(ScheduleConfig schedule) {
        List<String> problems = ScheduleChecks.problems(schedule);
        if (!problems.isEmpty()) {
            throw new ConfigProblem(problems.get(0));
        }
    }

    private static JsonNode expandMatchers(JsonNode node, String path) {
        if (!node.isObject()) {
            return node;
        }
        ObjectNode copy = ((ObjectNode) node).deepCopy();
        for (String field : MATCHER_FIELDS) {
            JsonNode list = copy.get(field);
            if (list == null || !list.isArray()) {
                continue;
            }
            ArrayNode expanded = copy.putArray(field);
            for (int i = 0; i < list.size(); i++) {
                JsonNode element = list.get(i);
                if (!element.isTextual()) {
                    expanded.add(element);
                    continue;
                }
                try {
                    expanded.add(AvroJson.write(LabelMatchers.parse(element.textValue())));
                } catch (IllegalArgumentException e) {
                    throw new ConfigDataException(path + "." + field + "[" + i + "]: " + e.getMessage());
                }
            }
        }
        return copy;
    }
}
