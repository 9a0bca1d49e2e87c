package dev.incidentengine.escalation.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.incidentengine.escalation.schedule.Schedule;
import dev.incidentengine.model.ContactStep;
import dev.incidentengine.model.EscalationTarget;
import dev.incidentengine.model.OnCallOverride;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.model.config.UserConfig;

/**
 * The configuration escalation reads, as it stood at one moment: policies, schedules with the overrides people made
 * (merged by {@link Schedule#withOverrides}), teams, services and users, by id. Both the escalation stream and the
 * on-call API resolve targets through it, so the API names whom a page would reach.
 */
public record ConfigSnapshot(Map<String, EscalationPolicyConfig> policies, Map<String, Schedule> schedules,
                             Map<String, OnCallOverride> overrides, Map<String, TeamConfig> teams,
                             Map<String, ServiceConfig> services, Map<String, UserConfig> users) implements Escalation.Directory, RolePaging.Directory {

    /** The valid schedules compiled, with their overrides; what is wrong with the others goes to {@code problems}. */
    public static Map<String, Schedule> schedules(Collection<ScheduleConfig> configs, Collection<OnCallOverride> overrides,
                                                  List<String> problems) {
        Map<String, List<OnCallOverride>> bySchedule = overrides.stream().collect(Collectors.groupingBy(OnCallOverride::getScheduleId));
        Map<String, Schedule> byId = new HashMap<>();
        for (ScheduleConfig config : configs) {
            List<String> found = Schedule.problems(config);
            if (found.isEmpty()) {
                byId.put(config.getId(), Schedule.of(config).withOverrides(bySchedule.getOrDefault(config.getId(), List.of())));
            } else {
                found.forEach(problem -> problems.add("schedule " + config.getId() + ": " + problem));
            }
        }
        return byId;
    }

    /** A snapshot of whole lists, as the stores hold them; invalid schedules are left out. */
    public static ConfigSnapshot of(Collection<EscalationPolicyConfig> policies, Collection<ScheduleConfig> schedules,
                                    Collection<OnCallOverride> overrides, Collection<TeamConfig> teams,
                                    Collection<ServiceConfig> services, Collection<UserConfig> users) {
        return new ConfigSnapshot(byId(policies, EscalationPolicyConfig::getId), schedules(schedules, overrides, new ArrayList<>()),
                byId(overrides, OnCallOverride::getId), byId(teams, TeamConfig::getId), byId(services, ServiceConfig::getId),
                byId(users, UserConfig::getId));
    }

    private static <C> Map<String, C> byId(Collection<C> all, java.util.function.Function<C, String> id) {
        return all.stream().collect(Collectors.toMap(id, c -> c, (a, b) -> b));
    }

    @Override
    public Optional<EscalationPolicyConfig> policy(String id) {
        return Optional.ofNullable(policies.get(id));
    }

    @Override
    public Optional<String> policyOfService(String service) {
        ServiceConfig config = service == null ? null : services.get(service);
        if (config == null) {
            return Optional.empty();
        }
        if (config.getEscalationPolicyId() != null) {
            return Optional.of(config.getEscalationPolicyId());
        }
        TeamConfig team = config.getTeamId() == null ? null : teams.get(config.getTeamId());
        return Optional.ofNullable(team == null ? null : team.getEscalationPolicyId());
    }

    @Override
    public Optional<String> roleSchedule(String service, String role) {
        ServiceConfig config = service == null ? null : services.get(service);
        TeamConfig team = config == null || config.getTeamId() == null ? null : teams.get(config.getTeamId());
        return Optional.ofNullable(team == null ? null : team.getRoleSchedules().get(role));
    }

    @Override
    public EscalationTarget schedule(String scheduleId, Instant at) {
        return Escalation.target(this, TargetType.SCHEDULE, scheduleId, users(TargetType.SCHEDULE, scheduleId, at));
    }

    @Override
    public List<String> users(TargetType type, String id, Instant at) {
        return switch (type) {
            case USER -> List.of(id);
            case SCHEDULE -> Optional.ofNullable(schedules.get(id)).flatMap(schedule -> schedule.onCallAt(at)).map(List::of).orElse(List.of());
            case TEAM -> Optional.ofNullable(teams.get(id)).map(TeamConfig::getMembers).orElse(List.of());
        };
    }

    @Override
    public List<ContactStep> contactSteps(String userId) {
        UserConfig user = users.get(userId);
        return user == null ? List.of() : user.getNotificationRules().stream()
                .map(rule -> new ContactStep(rule.getContactType().name(), rule.getDelayMinutes())).toList();
    }
}
