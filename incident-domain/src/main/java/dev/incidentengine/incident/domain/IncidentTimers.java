package dev.incidentengine.incident.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.CloseIncident;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.RecordPublicUpdateMissed;
import dev.incidentengine.model.ResolveIncident;

/**
 * The lifecycle's own deadlines: closing a resolved incident after the close delay, resolving a
 * flapping incident once its alerts have been quiet for the quiet period, and resolving an incident
 * whose alerts all resolved once the settle time passed without a new firing, and reminding a published
 * incident's owner when its next public update is overdue. {@link #after} says
 * which deadlines a state sets; {@link #fire} turns a deadline into a command only if the state
 * still calls for it, so a timer made stale by later events simply does nothing.
 */
public final class IncidentTimers {

    public enum Kind { CLOSE, QUIET, SETTLE, PUBLIC_UPDATE }

    /**
     * A deadline; {@code token} names the quiet period (SETTLE) or the due time (PUBLIC_UPDATE) it was set for, so a
     * later one does not fire it.
     */
    public record Due(Instant at, Kind kind, String token) {
    }

    public static final Actor ENGINE = new Actor(ActorType.SYSTEM, "incident-stream", "incident lifecycle timer");

    private final LifecyclePolicy policy;

    public IncidentTimers(LifecyclePolicy policy) {
        this.policy = policy;
    }

    /**
     * The deadlines of {@code state}, reached from {@code before} (null: a new incident) at {@code now}
     * by the engine's clock. The settle time counts from when the engine saw the last resolution,
     * not from the alert's own time: a backlog must not shorten it.
     */
    public List<Due> after(IncidentState before, IncidentState state, Instant now) {
        List<Due> due = new ArrayList<>(2);
        if (state.getStatus() == IncidentStatus.RESOLVED && !policy.closeDelay().isZero()) {
            due.add(new Due(state.getResolvedAt().plus(policy.closeDelay()), Kind.CLOSE, ""));
        }
        quietSince(state).ifPresent(since -> due.add(new Due(since.plus(policy.flapQuietPeriod()), Kind.QUIET, "")));
        Instant quiet = state.getAlertsQuietSince();
        boolean newlyQuiet = quiet != null && (before == null || !quiet.equals(before.getAlertsQuietSince()));
        if (!policy.resolveSettle().isZero() && newlyQuiet && IncidentLifecycle.autoResolves(state)) {
            due.add(new Due(now.plus(policy.resolveSettle()), Kind.SETTLE, Long.toString(quiet.toEpochMilli())));
        }
        Instant publicUpdate = nextPublicUpdate(state);
        if (publicUpdate != null && (before == null || !publicUpdate.equals(nextPublicUpdate(before)))) {
            due.add(new Due(publicUpdate, Kind.PUBLIC_UPDATE, Long.toString(publicUpdate.toEpochMilli())));
        }
        return due;
    }

    /** The command a deadline calls for at {@code now}, or empty when the state no longer needs it. */
    public Optional<IncidentCommand> fire(Kind kind, String token, IncidentState state, Instant now) {
        boolean due = switch (kind) {
            case CLOSE -> state.getStatus() == IncidentStatus.RESOLVED && !policy.closeDelay().isZero()
                    && !state.getResolvedAt().plus(policy.closeDelay()).isAfter(now);
            case QUIET -> quietSince(state).filter(since -> !since.plus(policy.flapQuietPeriod()).isAfter(now)).isPresent();
            case SETTLE -> IncidentLifecycle.autoResolves(state) && state.getAlertsQuietSince() != null
                    && token.equals(Long.toString(state.getAlertsQuietSince().toEpochMilli()));
            case PUBLIC_UPDATE -> nextPublicUpdate(state) != null && !nextPublicUpdate(state).isAfter(now)
                    && token.equals(Long.toString(nextPublicUpdate(state).toEpochMilli()));
        };
        if (!due) {
            return Optional.empty();
        }
        Object payload = switch (kind) {
            case CLOSE -> new CloseIncident("closed " + policy.closeDelay().toMinutes() + " min after it resolved");
            case QUIET -> new ResolveIncident("quiet for " + policy.flapQuietPeriod().toMinutes() + " min after flapping");
            case SETTLE -> new ResolveIncident(IncidentLifecycle.ALL_ALERTS_RESOLVED);
            case PUBLIC_UPDATE -> new RecordPublicUpdateMissed(nextPublicUpdate(state));
        };
        return Optional.of(IncidentCommand.newBuilder()
                .setCommandId("timer:" + kind.name().toLowerCase() + ":" + state.getIncidentId() + ":" + state.getVersion())
                .setIncidentId(state.getIncidentId())
                .setActor(ENGINE)
                .setTimestamp(now)
                .setPayload(payload)
                .build());
    }

    private static Instant nextPublicUpdate(IncidentState state) {
        return state.getPublication() == null ? null : state.getPublication().getNextUpdateDueAt();
    }

    /** When the last alert of a flapping, auto-resolving, open incident resolved, if none fires now. */
    private static Optional<Instant> quietSince(IncidentState state) {
        boolean open = state.getStatus() == IncidentStatus.TRIGGERED || state.getStatus() == IncidentStatus.ACKNOWLEDGED;
        if (!open || !state.getFlapping() || !state.getAutoResolve()) {
            return Optional.empty();
        }
        return Optional.ofNullable(state.getAlertsQuietSince());
    }
}
