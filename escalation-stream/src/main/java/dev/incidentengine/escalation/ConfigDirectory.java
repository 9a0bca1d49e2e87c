package dev.incidentengine.escalation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import dev.incidentengine.escalation.domain.ConfigSnapshot;
import dev.incidentengine.escalation.domain.Escalation;
import dev.incidentengine.escalation.domain.RolePaging;
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
import dev.incidentengine.service.ConfigView;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * {@link Escalation.Directory} over the global stores of the config topics and the overrides topic: a
 * {@link ConfigSnapshot} built again when the views reload, at most once a second.
 */
final class ConfigDirectory implements Escalation.Directory, RolePaging.Directory {

    private final ProcessorContext<?, ?> context;
    private final ConfigView<EscalationPolicyConfig, Map<String, EscalationPolicyConfig>> policies;
    /** The schedules as configured, with the ones the loader should have refused logged. */
    private final ConfigView<ScheduleConfig, List<ScheduleConfig>> schedules;
    private final ConfigView<OnCallOverride, Map<String, OnCallOverride>> overrides;
    private final ConfigView<TeamConfig, Map<String, TeamConfig>> teams;
    private final ConfigView<ServiceConfig, Map<String, ServiceConfig>> services;
    private final ConfigView<UserConfig, Map<String, UserConfig>> users;
    private List<Object> builtFrom = List.of();
    private ConfigSnapshot snapshot;

    ConfigDirectory(ProcessorContext<?, ?> context) {
        this.context = context;
        this.policies = view(context, EscalationTopology.POLICIES_STORE, EscalationPolicyConfig::getId);
        this.schedules = new ConfigView<>(context.getStateStore(EscalationTopology.SCHEDULES_STORE), List::copyOf, configs -> {
            List<String> problems = new ArrayList<>();
            configs.forEach(config -> Schedule.problems(config).forEach(problem -> problems.add("schedule " + config.getId() + ": " + problem)));
            return problems;
        });
        this.overrides = view(context, EscalationTopology.OVERRIDES_STORE, OnCallOverride::getId);
        this.teams = view(context, EscalationTopology.TEAMS_STORE, TeamConfig::getId);
        this.services = view(context, EscalationTopology.SERVICES_STORE, ServiceConfig::getId);
        this.users = view(context, EscalationTopology.USERS_STORE, UserConfig::getId);
    }

    private static <C> ConfigView<C, Map<String, C>> view(ProcessorContext<?, ?> context, String store, Function<C, String> id) {
        return ConfigView.byId(context.getStateStore(store), id);
    }

    /** The snapshot of the views as they are now. */
    private ConfigSnapshot snapshot() {
        long now = context.currentSystemTimeMs();
        List<Object> parts = List.of(policies.get(now), schedules.get(now), overrides.get(now), teams.get(now), services.get(now),
                users.get(now));
        boolean same = snapshot != null;
        for (int i = 0; same && i < parts.size(); i++) {
            same = parts.get(i) == builtFrom.get(i);
        }
        if (!same) {
            Map<String, OnCallOverride> made = overrides.get(now);
            snapshot = new ConfigSnapshot(policies.get(now), ConfigSnapshot.schedules(schedules.get(now), made.values(), new ArrayList<>()),
                    made, teams.get(now), services.get(now), users.get(now));
            builtFrom = parts;
        }
        return snapshot;
    }

    @Override
    public Optional<EscalationPolicyConfig> policy(String id) {
        return snapshot().policy(id);
    }

    @Override
    public Optional<String> policyOfService(String service) {
        return snapshot().policyOfService(service);
    }

    @Override
    public List<String> users(TargetType type, String id, Instant at) {
        return snapshot().users(type, id, at);
    }

    @Override
    public List<ContactStep> contactSteps(String userId) {
        return snapshot().contactSteps(userId);
    }

    @Override
    public Optional<String> roleSchedule(String service, String role) {
        return snapshot().roleSchedule(service, role);
    }

    @Override
    public EscalationTarget schedule(String scheduleId, Instant at) {
        return snapshot().schedule(scheduleId, at);
    }
}
