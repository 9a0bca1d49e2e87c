package dev.incidentengine.incident.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.AttachedAlert;
import dev.incidentengine.model.CloseIncident;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.ResolveIncident;

/**
 * The lifecycle's own deadlines: closing a resolved incident after the close delay, and resolving
 * a flapping incident once its alerts have been quiet for the quiet period. {@link #after} says
 * which deadlines a state sets; {@link #fire} turns a deadline into a command only if the state
 * still calls for it, so a timer made stale by later events simply does nothing.
 */
public final class IncidentTimers {

    public enum Kind { CLOSE, QUIET }

    public record Due(Instant at, Kind kind) {
    }

    public static final Actor ENGINE = new Actor(ActorType.SYSTEM, "incident-stream", "incident lifecycle timer");

    private final LifecyclePolicy policy;

    public IncidentTimers(LifecyclePolicy policy) {
        this.policy = policy;
    }

    public List<Due> after(IncidentState state) {
        List<Due> due = new ArrayList<>(2);
        if (state.getStatus() == IncidentStatus.RESOLVED && !policy.closeDelay().isZero()) {
            due.add(new Due(state.getResolvedAt().plus(policy.closeDelay()), Kind.CLOSE));
        }
        quietSince(state).ifPresent(since -> due.add(new Due(since.plus(policy.flapQuietPeriod()), Kind.QUIET)));
        return due;
    }

    /** The command a deadline calls for at {@code now}, or empty when the state no longer needs it. */
    public Optional<IncidentCommand> fire(Kind kind, IncidentState state, Instant now) {
        boolean due = switch (kind) {
            case CLOSE -> state.getStatus() == IncidentStatus.RESOLVED && !policy.closeDelay().isZero()
                    && !state.getResolvedAt().plus(policy.closeDelay()).isAfter(now);
            case QUIET -> quietSince(state).filter(since -> !since.plus(policy.flapQuietPeriod()).isAfter(now)).isPresent();
        };
        if (!due) {
            return Optional.empty();
        }
        Object payload = kind == Kind.CLOSE
                ? new CloseIncident("closed " + policy.closeDelay().toMinutes() + " min after it resolved")
                : new ResolveIncident("quiet for " + policy.flapQuietPeriod().toMinutes() + " min after flapping");
        return Optional.of(IncidentCommand.newBuilder()
                .setCommandId("timer:" + kind.name().toLowerCase() + ":" + state.getIncidentId() + ":" + state.getVersion())
                .setIncidentId(state.getIncidentId())
                .setActor(ENGINE)
                .setTimestamp(now)
                .setPayload(payload)
                .build());
    }

    /** When the last alert of a flapping, auto-resolving, open incident resolved, if all of them have. */
    private static Optional<Instant> quietSince(IncidentState state) {
        boolean open = state.getStatus() == IncidentStatus.TRIGGERED || state.getStatus() == IncidentStatus.ACKNOWLEDGED;
        if (!open || !state.getFlapping() || !state.getAutoResolve() || state.getAlerts().isEmpty()
                || state.getAlerts().values().stream().anyMatch(a -> a.getStatus() != AlertStatus.RESOLVED)) {
            return Optional.empty();
        }
        return state.getAlerts().values().stream().map(AttachedAlert::getResolvedAt).max(Instant::compareTo);
    }
}
