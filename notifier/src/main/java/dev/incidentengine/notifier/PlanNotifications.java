package dev.incidentengine.notifier;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.incidentengine.incident.domain.ResponseRules;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.NotificationPlan;
import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.notifier.plan.Composer;
import dev.incidentengine.notifier.plan.Planner;
import dev.incidentengine.notifier.plan.WarRooms;
import dev.incidentengine.notifier.template.Templates;
import dev.incidentengine.service.CommitPacing;
import dev.incidentengine.service.ConfigView;
import dev.incidentengine.service.Deadlines;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs the {@link Planner} per incident. Contact steps wait in the deadline-indexed timer store as
 * {@code deadline|incident|event|user|step}; a wall-clock punctuation takes the due ones and sends
 * those the plan still holds as pending (an acknowledgement read before it cancelled them).
 */
final class PlanNotifications implements Processor<String, Object, String, SpecificRecord> {

    private static final Logger log = LoggerFactory.getLogger(PlanNotifications.class);

    private final Planner planner;
    private final Composer composer;
    private final WarRooms warRooms;
    private final Duration punctuation;
    private final CommitPacing pacing;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, NotificationPlan> plans;
    private KeyValueStore<String, String> rooms;
    private Deadlines timers;
    private Directory directory;

    PlanNotifications(Planner planner, Composer composer, WarRooms warRooms, Duration punctuation, CommitPacing pacing) {
        this.planner = planner;
        this.pacing = pacing;
        this.composer = composer;
        this.warRooms = warRooms;
        this.punctuation = punctuation;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        pacing.schedule(context);
        plans = context.getStateStore(NotifierTopology.PLAN_STORE);
        rooms = context.getStateStore(NotifierTopology.WAR_ROOM_STORE);
        timers = new Deadlines(context.getStateStore(NotifierTopology.TIMER_STORE));
        directory = new Directory(context);
        context.schedule(punctuation, PunctuationType.WALL_CLOCK_TIME, now -> fireDue(Instant.ofEpochMilli(now)));
    }

    @Override
    public void process(Record<String, Object> record) {
        Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        NotificationPlan plan = record.key() == null ? null : plans.get(record.key());
        if (record.value() instanceof IncidentEvent event && event.getIncidentId().equals(record.key())) {
            Planner.Changes changes = planner.onEvent(plan, event, now);
            apply(plan, changes, now);
            // A storm's alerts change no war room: no store read for them.
            if (WarRooms.concerns(event)) {
                String room = rooms.get(record.key());
                apply(record.key(), room, warRooms.onEvent(WarRooms.Room.parse(room), changes.plan(), event, planner.fresh(event, now),
                        directory, now), now);
            }
        } else if (record.value() instanceof NotificationResult result && result.getIncidentId().equals(record.key())) {
            Planner.Changes changes = planner.onResult(plan, result);
            apply(plan, changes, now);
            String room = rooms.get(record.key());
            apply(record.key(), room, warRooms.onResult(WarRooms.Room.parse(room), changes.plan(), result, directory, now), now);
        } else {
            // Kafka's processing handler puts the record on the DLQ with this message.
            throw new IllegalArgumentException(record.value() == null ? "no value in the record (null)"
                    : "record key '" + record.key() + "' is not the incident its value is about");
        }
    }

    private void fireDue(Instant now) {
        for (Deadlines.Due due : timers.takeDue(now)) {
            if (due.what().startsWith(WarRooms.TIMER_PREFIX)) {
                String incidentId = due.what().substring(WarRooms.TIMER_PREFIX.length());
                String room = rooms.get(incidentId);
                apply(incidentId, room, warRooms.onDue(WarRooms.Room.parse(room), now), now);
                continue;
            }
            Planner.Timer timer = Planner.Timer.parse(due.at(), due.what());
            NotificationPlan plan = plans.get(timer.incidentId());
            apply(plan, planner.onDue(plan, timer), now);
        }
    }

    private void apply(NotificationPlan before, Planner.Changes changes, Instant now) {
        NotificationPlan after = changes.plan();
        if (after != null && !after.equals(before)) {
            if (after.getStatus().equals(IncidentStatus.CLOSED.name())) {
                plans.delete(after.getIncidentId());
            } else {
                plans.put(after.getIncidentId(), after);
            }
        }
        changes.cancel().forEach(timer -> timers.delete(timer.at(), timer.key()));
        changes.schedule().forEach(timer -> timers.put(timer.at(), timer.key(), ""));
        for (Planner.Send send : changes.sends()) {
            Composer.Composed composed = composer.compose(send, after, directory, now);
            try (MDC.MDCCloseable ignored = MDC.putCloseable("incident", after.getIncidentId())) {
                for (NotificationRequest request : composed.requests()) {
                    log.debug("Requesting {} via {} to {}", request.getKind(), request.getChannel(), request.getTarget());
                    context.forward(new Record<>(request.getIncidentId(), request, now.toEpochMilli()));
                }
                for (NotificationResult failure : composed.failures()) {
                    log.warn("Cannot page {} step {}: {}", failure.getTarget(), failure.getStep(), failure.getError());
                    context.forward(new Record<>(failure.getIncidentId(), failure, now.toEpochMilli()));
                }
            }
        }
    }

    /** Keeps the war room's changes; its requests and commands go out with the planner's, in the same transaction. */
    private void apply(String incidentId, String before, WarRooms.Changes changes, Instant now) {
        if (changes.room() == null) {
            if (before != null) {
                rooms.delete(incidentId);
            }
        } else {
            String after = changes.room().json();
            if (!after.equals(before)) {
                rooms.put(incidentId, after);
            }
        }
        if (changes.archiveAt() != null) {
            timers.put(changes.archiveAt(), WarRooms.TIMER_PREFIX + incidentId, "");
        }
        try (MDC.MDCCloseable ignored = MDC.putCloseable("incident", incidentId)) {
            for (NotificationRequest request : changes.requests()) {
                log.info("War room: requesting {} of {}", request.getKind(), request.getAddress());
                context.forward(new Record<>(incidentId, request, now.toEpochMilli()));
            }
            for (IncidentCommand command : changes.commands()) {
                log.info("War room: {}", command.getPayload());
                context.forward(new Record<>(incidentId, command, now.toEpochMilli()));
            }
        }
    }

    /** {@link Composer.Directory} over the config topics' global stores, compiled at most once a second. */
    private static final class Directory implements Composer.Directory, WarRooms.Directory {

        private final ProcessorContext<?, ?> context;
        private final ConfigView<UserConfig, Map<String, UserConfig>> users;
        private final ConfigView<ServiceConfig, Map<String, ServiceConfig>> services;
        private final ConfigView<ChannelConfig, List<ChannelConfig>> channels;
        private final ConfigView<TeamConfig, Map<String, TeamConfig>> teams;
        private final ConfigView<RoleConfig, Map<String, RoleConfig>> roles;

        Directory(ProcessorContext<?, ?> context) {
            this.context = context;
            this.users = ConfigView.byId(context.getStateStore(NotifierTopology.USERS_STORE), UserConfig::getId);
            // The loader refuses templates that do not compile; a record written around it is reported here, and
            // rendering falls back to the default template.
            this.services = ConfigView.byId(context.getStateStore(NotifierTopology.SERVICES_STORE), ServiceConfig::getId,
                    Directory::templateProblems);
            this.channels = new ConfigView<>(context.getStateStore(NotifierTopology.CHANNELS_STORE), list -> list, list -> List.of());
            this.teams = ConfigView.byId(context.getStateStore(NotifierTopology.TEAMS_STORE), TeamConfig::getId);
            this.roles = ConfigView.byId(context.getStateStore(NotifierTopology.ROLES_STORE), RoleConfig::getId);
        }

        private static List<String> templateProblems(Map<String, ServiceConfig> services) {
            List<String> problems = new ArrayList<>();
            services.values().forEach(service -> service.getNotificationTemplates().forEach((key, template) -> {
                try {
                    Templates.check(key, template);
                } catch (IllegalArgumentException e) {
                    problems.add("service " + service.getId() + ": " + e.getMessage());
                }
            }));
            return problems;
        }

        @Override
        public UserConfig user(String id) {
            return users.get(context.currentSystemTimeMs()).get(id);
        }

        @Override
        public ServiceConfig service(String id) {
            return services.get(context.currentSystemTimeMs()).get(id);
        }

        @Override
        public TeamConfig team(String id) {
            return teams.get(context.currentSystemTimeMs()).get(id);
        }

        @Override
        public List<ChannelConfig> channels() {
            return channels.get(context.currentSystemTimeMs());
        }

        /** As the aggregate knows roles: the configured ones, else the seeds'. */
        @Override
        public String roleName(String id) {
            Map<String, RoleConfig> configured = roles.get(context.currentSystemTimeMs());
            return (configured.isEmpty() ? ResponseRules.DEFAULT_ROLES : configured.values()).stream()
                    .filter(role -> role.getId().equals(id)).map(RoleConfig::getName).findFirst().orElse(id);
        }
    }
}
