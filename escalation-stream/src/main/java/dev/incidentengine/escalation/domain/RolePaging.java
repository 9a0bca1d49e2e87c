package dev.incidentengine.escalation.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import dev.incidentengine.model.EscalationTarget;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentMerged;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.RequestRole;
import dev.incidentengine.model.RoleAssigned;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.config.RoleConfig;

/**
 * Required response roles as pure functions over an incident's {@link Watch}: while the incident is open at a severity a
 * role requires ({@link RoleConfig#getRequiredSeverities}) and nobody holds the role, a request is due
 * {@code requiredWithinMinutes} after the incident opened, was raised to that severity, reopened, or the role was
 * released. When it comes due, the team's schedule for the role is paged ({@link RequestRole}), and again every
 * {@code requiredWithinMinutes} while the role stays free, {@value #MAX_REQUESTS} requests in all. Taking the role,
 * the incident ending, or its severity dropping below the role's cancels what is due.
 */
public final class RolePaging {

    /** Requests per role and episode (the first and its repeats): people who ignored three pages need a person, not a fourth. */
    public static final int MAX_REQUESTS = 3;

    /** Where roles are paged: the schedule a service's team gives a role, and the target it resolves to. */
    public interface Directory {
        /** The schedule the service's team pages for {@code role}, if it names one. */
        Optional<String> roleSchedule(String service, String role);

        /** The schedule's on-call user at {@code at}, with how to reach them. */
        EscalationTarget schedule(String scheduleId, Instant at);
    }

    /**
     * What an incident needs for its roles: its service, severity, whether it is open, the roles held, and per role still
     * to be requested, when (epoch millis) and how many requests went before.
     */
    public record Watch(String service, String severity, boolean open, Set<String> held, Map<String, Due> due) {
    }

    /** The next request of a role: at (epoch millis), and the requests already sent. */
    public record Due(long at, int sent) {
    }

    /** The watch after a step (null: forget the incident), and the request to send (null: none) with its command id. */
    public record Step(Watch watch, RequestRole request, String commandId) {
    }

    private final Directory directory;

    public RolePaging(Directory directory) {
        this.directory = directory;
    }

    /** An event of the incident's log, with the roles as configured now. */
    public Step onEvent(Watch watch, IncidentEvent event, Map<String, RoleConfig> roles) {
        Object payload = event.getPayload();
        Instant at = event.getTimestamp();
        if (payload instanceof IncidentOpened opened) {
            return step(arm(new Watch(opened.getService(), opened.getSeverity().name(), true, Set.of(), Map.of()), roles, at));
        }
        if (watch == null || payload instanceof IncidentClosed) {
            return step(null);
        }
        if (payload instanceof SeverityChanged changed) {
            return step(arm(new Watch(watch.service(), changed.getTo().name(), watch.open(), watch.held(), watch.due()), roles, at));
        }
        if (payload instanceof RoleAssigned assigned) {
            Set<String> held = new HashSet<>(watch.held());
            if (assigned.getUserId() == null) {
                held.remove(assigned.getRole());
            } else {
                held.add(assigned.getRole());
            }
            return step(arm(new Watch(watch.service(), watch.severity(), watch.open(), Set.copyOf(held), watch.due()), roles, at));
        }
        if (payload instanceof IncidentResolved || payload instanceof IncidentMerged) {
            return step(new Watch(watch.service(), watch.severity(), false, watch.held(), Map.of()));
        }
        if (payload instanceof IncidentReopened) {
            return step(arm(new Watch(watch.service(), watch.severity(), true, watch.held(), watch.due()), roles, at));
        }
        return new Step(watch, null, null);
    }

    /**
     * The request of {@code role} that came due at {@code dueAt}, taken at {@code now}: sent if the role is still required
     * and free, with a command id of incident, role and due time (taken twice, it is the same command).
     */
    public Step onDue(String incidentId, Watch watch, String role, Instant dueAt, Instant now, Map<String, RoleConfig> roles) {
        Due due = watch.due().get(role);
        RoleConfig config = roles.get(role);
        if (due == null || due.at() != dueAt.toEpochMilli()) {
            return new Step(watch, null, null);
        }
        Map<String, Due> next = new TreeMap<>(watch.due());
        if (config == null || !requires(watch, config)) {
            next.remove(role);
            return step(new Watch(watch.service(), watch.severity(), watch.open(), watch.held(), Map.copyOf(next)));
        }
        int sent = due.sent() + 1;
        if (sent < MAX_REQUESTS) {
            next.put(role, new Due(dueAt.plus(within(config)).toEpochMilli(), sent));
        } else {
            next.remove(role);
        }
        List<EscalationTarget> targets = directory.roleSchedule(watch.service(), role)
                .map(schedule -> List.of(directory.schedule(schedule, now))).orElse(List.of());
        String reason = config.getName() + " still free " + minutes(config) + " minutes into a " + watch.severity() + " incident"
                + (sent > 1 ? " (request " + sent + " of " + MAX_REQUESTS + ")" : "");
        return new Step(new Watch(watch.service(), watch.severity(), watch.open(), watch.held(), Map.copyOf(next)),
                new RequestRole(role, targets, reason), "request-role:" + incidentId + ":" + role + "@" + dueAt.toEpochMilli());
    }

    /** Every role the incident requires and nobody holds gets a due request (one already due stays); the others none. */
    private static Watch arm(Watch watch, Map<String, RoleConfig> roles, Instant at) {
        Map<String, Due> due = new TreeMap<>();
        for (RoleConfig role : roles.values()) {
            if (requires(watch, role)) {
                Due before = watch.due().get(role.getId());
                due.put(role.getId(), before != null ? before : new Due(at.plus(within(role)).toEpochMilli(), 0));
            }
        }
        return new Watch(watch.service(), watch.severity(), watch.open(), watch.held(), Map.copyOf(due));
    }

    private static boolean requires(Watch watch, RoleConfig role) {
        return watch.open() && !watch.held().contains(role.getId()) && role.getRequiredSeverities().contains(watch.severity());
    }

    private static Duration within(RoleConfig role) {
        return Duration.ofMinutes(minutes(role));
    }

    /** At least a minute: a role cannot be due the instant an incident opens, before anybody could take it. */
    private static int minutes(RoleConfig role) {
        return Math.max(1, role.getRequiredWithinMinutes());
    }

    private static Step step(Watch watch) {
        return new Step(watch, null, null);
    }
}
