package dev.incidentengine.escalation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import dev.incidentengine.escalation.domain.Escalation;
import dev.incidentengine.escalation.schedule.Schedule;
import dev.incidentengine.model.ContactStep;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.service.ConfigView;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/** {@link Escalation.Directory} over the config topics' global stores, compiled at most once a second. */
final class ConfigDirectory implements Escalation.Directory {

    /** The compiled schedules, and the ones the loader should have refused. */
    private record Schedules(Map<String, Schedule> byId, List<String> problems) {
        static Schedules of(List<ScheduleConfig> configs) {
            Map<String, Schedule> byId = new HashMap<>();
            List<String> problems = new ArrayList<>();
            for (ScheduleConfig config : configs) {
                List<String> found = Schedule.problems(config);
                if (found.isEmpty()) {
                    byId.put(config.getId(), Schedule.of(config));
                } else {
                    found.forEach(problem -> problems.add("schedule " + config.getId() + ": " + problem));
                }
            }
            return new Schedules(byId, problems);
        }
    }

    private final ProcessorContext<?, ?> context;
    private final ConfigView<EscalationPolicyConfig, Map<String, EscalationPolicyConfig>> policies;
    private final ConfigView<ScheduleConfig, Schedules> schedules;
    private final ConfigView<TeamConfig, Map<String, TeamConfig>> teams;
    private final ConfigView<ServiceConfig, Map<String, ServiceConfig>> services;
    private final ConfigView<UserConfig, Map<String, UserConfig>> users;

    ConfigDirectory(ProcessorContext<?, ?> context) {
        this.context = context;
        this.policies = view(context, EscalationTopology.POLICIES_STORE, EscalationPolicyConfig::getId);
        this.schedules = new ConfigView<>(context.getStateStore(EscalationTopology.SCHEDULES_STORE), Schedules::of, Schedules::problems);
        this.teams = view(context, EscalationTopology.TEAMS_STORE, TeamConfig::getId);
        this.services = view(context, EscalationTopology.SERVICES_STORE, ServiceConfig::getId);
        this.users = view(context, EscalationTopology.USERS_STORE, UserConfig::getId);
    }

    private static <C> ConfigView<C, Map<String, C>> view(ProcessorContext<?, ?> context, String store, Function<C, String> id) {
        return ConfigView.byId(context.getStateStore(store), id);
    }

    @Override
    public Optional<EscalationPolicyConfig> policy(String id) {
        return Optional.ofNullable(policies.get(now()).get(id));
    }

    @Override
    public Optional<String> policyOfService(String service) {
        ServiceConfig config = service == null ? null : services.get(now()).get(service);
        if (config == null) {
            return Optional.empty();
        }
        if (config.getEscalationPolicyId() != null) {
            return Optional.of(config.getEscalationPolicyId());
        }
        TeamConfig team = config.getTeamId() == null ? null : teams.get(now()).get(config.getTeamId());
        return Optional.ofNullable(team == null ? null : team.getEscalationPolicyId());
    }

    @Override
    public List<String> users(TargetType type, String id, Instant at) {
        return switch (type) {
            case USER -> List.of(id);
            case SCHEDULE -> Optional.ofNullable(schedules.get(now()).byId().get(id))
                    .flatMap(schedule -> schedule.onCallAt(at)).map(List::of).orElse(List.of());
            case TEAM -> Optional.ofNullable(teams.get(now()).get(id)).map(TeamConfig::getMembers).orElse(List.of());
        };
    }

    @Override
    public List<ContactStep> contactSteps(String userId) {
        UserConfig user = users.get(now()).get(userId);
        return user == null ? List.of() : user.getNotificationRules().stream()
                .map(rule -> new ContactStep(rule.getContactType().name(), rule.getDelayMinutes())).toList();
    }

    private long now() {
        return context.currentSystemTimeMs();
    }
}
