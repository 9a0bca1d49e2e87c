package dev.incidentengine.escalation.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.incidentengine.model.ContactPlan;
import dev.incidentengine.model.ContactStep;
import dev.incidentengine.model.EscalateIncident;
import dev.incidentengine.model.EscalationState;
import dev.incidentengine.model.EscalationStep;
import dev.incidentengine.model.EscalationTarget;
import dev.incidentengine.model.ExpireAcknowledgement;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentAssigned;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentMerged;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentSnoozed;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.IncidentUnacknowledged;
import dev.incidentengine.model.RecordEscalationExhausted;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.EscalationLevel;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.LevelTarget;

/**
 * Who is paged, and when, as pure functions over an incident's {@link EscalationState}: the
 * incident's events move it (an open or reopen starts the policy at level 0, an acknowledgement or
 * resolution stops it, a snooze pauses it until its end, a rise in severity restarts it if the
 * policy says so), and a due step pages the next level (one user in turn on a round-robin level),
 * then the policy again from level 0 for each repeat, then nobody: the policy is exhausted, which
 * the incident records. An acknowledgement that outlasts the policy's acknowledgement timeout
 * expires, and the incident escalates anew. Every start of the policy, and every pause, is a new
 * episode, so a step scheduled by an earlier one is stale.
 */
public final class Escalation {

    /** Policies and the people behind targets, as the configuration says now. */
    public interface Directory {
        Optional<EscalationPolicyConfig> policy(String id);

        /** The policy of a service (its own, else its team's), if any. */
        Optional<String> policyOfService(String service);

        /** The users a target stands for at {@code at}: the user, the schedule's on-call user, the team's members. */
        List<String> users(TargetType type, String id, Instant at);

        /** A user's notification rules as contact steps; empty for a user the configuration does not know. */
        List<ContactStep> contactSteps(String userId);
    }

    /** Whose turn it is on a round-robin level: counts up per policy and level on every call. */
    public interface Turns {
        long next(String policyId, int level);
    }

    /**
     * The state after a step (null: nothing to keep) and the command it sends the incident (null:
     * none): {@link EscalateIncident}, {@link ExpireAcknowledgement} or {@link RecordEscalationExhausted}.
     */
    public record Step(EscalationState state, Object command) {
    }

    private final Directory directory;
    private final Turns turns;

    public Escalation(Directory directory, Turns turns) {
        this.directory = directory;
        this.turns = turns;
    }

    /** An event of the incident's log. */
    public Step onEvent(EscalationState state, IncidentEvent event) {
        Object payload = event.getPayload();
        Instant at = event.getTimestamp();
        if (payload instanceof IncidentOpened opened) {
            EscalationState started = new EscalationState(event.getIncidentId(), IncidentStatus.TRIGGERED, opened.getService(),
                    opened.getEscalationPolicyId() != null ? opened.getEscalationPolicyId()
                            : directory.policyOfService(opened.getService()).orElse(null),
                    state == null ? 0 : state.getEpisode(), 0, 0, null, null, false);
            return start(started, at);
        }
        if (state == null) {
            return new Step(null, null);
        }
        EscalationState next = copy(state);
        if (payload instanceof IncidentReopened || payload instanceof IncidentUnacknowledged) {
            next.setStatus(IncidentStatus.TRIGGERED);
            return start(next, at);
        }
        if (payload instanceof IncidentAssigned assigned && assigned.getEscalationPolicyId() != null
                && next.getStatus() == IncidentStatus.TRIGGERED) {
            next.setPolicyId(assigned.getEscalationPolicyId());
            return start(next, at);
        }
        if (payload instanceof IncidentAssigned assigned && assigned.getUserId() != null
                && next.getStatus() == IncidentStatus.TRIGGERED) {
            // The assignee is paged now; the policy keeps running in case they do not answer either.
            return new Step(next, new EscalateIncident(next.getPolicyId(), next.getLevel(), next.getRound(),
                    List.of(target(TargetType.USER, assigned.getUserId(), List.of(assigned.getUserId())))));
        }
        if (payload instanceof SeverityChanged changed && changed.getTo().ordinal() < changed.getFrom().ordinal()
                && next.getStatus() == IncidentStatus.TRIGGERED
                && policyOf(next).map(EscalationPolicyConfig::getRestartOnSeverityIncrease).orElse(false)) {
            return start(next, at);
        }
        if (payload instanceof IncidentAcknowledged) {
            next.setStatus(IncidentStatus.ACKNOWLEDGED);
            Integer timeout = policyOf(next).map(EscalationPolicyConfig::getAckTimeoutMinutes).orElse(null);
            if (timeout == null) {
                return stop(next);
            }
            next.setEpisode(next.getEpisode() + 1);
            next.setNext(EscalationStep.ACK_TIMEOUT);
            next.setNextAt(at.plus(Duration.ofMinutes(timeout)));
            return new Step(next, null);
        }
        if (payload instanceof IncidentResolved || payload instanceof IncidentMerged) {
            next.setStatus(IncidentStatus.RESOLVED);
            return stop(next);
        }
        if (payload instanceof IncidentClosed) {
            // Nothing can restart a closed incident's policy: forget it.
            return new Step(null, null);
        }
        if (payload instanceof IncidentSnoozed snoozed && next.getStatus() == IncidentStatus.TRIGGERED) {
            next.setEpisode(next.getEpisode() + 1);
            next.setNext(EscalationStep.SNOOZE_END);
            next.setNextAt(snoozed.getUntil());
            return new Step(next, null);
        }
        return new Step(state, null);
    }

    /** The step due at {@code state.nextAt}, taken at {@code now}. */
    public Step onDue(EscalationState state, Instant now) {
        if (state.getNext() == EscalationStep.ACK_TIMEOUT && state.getStatus() == IncidentStatus.ACKNOWLEDGED) {
            // The incident answers with IncidentUnacknowledged, which starts the policy again.
            return stop(copy(state), new ExpireAcknowledgement("acknowledged without being resolved within the policy's "
                    + "acknowledgement timeout"));
        }
        if (state.getNext() == null || state.getStatus() != IncidentStatus.TRIGGERED) {
            return new Step(state, null);
        }
        EscalationState next = copy(state);
        if (state.getNext() == EscalationStep.SNOOZE_END) {
            return start(next, now);
        }
        return page(next, state.getLevel() + 1, state.getRound(), now);
    }

    /** A new episode from level 0 of the incident's policy. */
    private Step start(EscalationState state, Instant at) {
        state.setEpisode(state.getEpisode() + 1);
        state.setExhausted(false);
        return page(state, 0, 0, at);
    }

    /**
     * Pages {@code level} of {@code round}, or the first level after it that resolves to anybody
     * (a schedule with a gap pages nobody, so the next level is paged at once); past the last
     * level the policy repeats, and after the last repeat it is exhausted.
     */
    private Step page(EscalationState state, int level, int round, Instant at) {
        Optional<EscalationPolicyConfig> found = policyOf(state);
        if (found.isEmpty() || found.get().getLevels().isEmpty()) {
            return stop(state, null);
        }
        EscalationPolicyConfig policy = found.get();
        int levels = policy.getLevels().size();
        Optional<Paged> paged = firstWithAnybody(policy, level + round * levels, at);
        if (paged.isEmpty()) {
            state.setExhausted(true);
            return stop(state, new RecordEscalationExhausted(policy.getId(), policy.getRepeat() + 1));
        }
        int step = paged.get().step();
        EscalationLevel current = policy.getLevels().get(step % levels);
        List<EscalationTarget> targets = current.getRoundRobin() ? oneOf(paged.get().targets(), policy.getId(), step % levels)
                : paged.get().targets();
        state.setLevel(step % levels);
        state.setRound(step / levels);
        state.setNext(EscalationStep.NEXT_LEVEL);
        state.setNextAt(at.plus(Duration.ofMinutes(current.getDelayMinutes())));
        return new Step(state, new EscalateIncident(policy.getId(), step % levels, step / levels, targets));
    }

    /**
     * Who an incident opened at {@code at} under this policy would be paged first, as {@link #onEvent} starts a policy:
     * the first level whose targets resolve to anybody, with all of its users (a {@code roundRobin} level pages one of
     * them, in turn). Empty for an unknown policy, or one that resolves to nobody at {@code at}.
     */
    public Optional<EscalateIncident> firstPage(String policyId, Instant at) {
        return directory.policy(policyId).flatMap(policy -> firstWithAnybody(policy, 0, at)
                .map(paged -> new EscalateIncident(policy.getId(), paged.step() % policy.getLevels().size(),
                        paged.step() / policy.getLevels().size(), paged.targets())));
    }

    /** A step of a policy (level + round * levels) and its targets, resolved. */
    private record Paged(int step, List<EscalationTarget> targets) {
    }

    /** The first step from {@code from} on, repeats included, whose targets resolve to anybody at {@code at}. */
    private Optional<Paged> firstWithAnybody(EscalationPolicyConfig policy, int from, Instant at) {
        int levels = policy.getLevels().size();
        for (int step = from; step < levels * (policy.getRepeat() + 1); step++) {
            List<EscalationTarget> targets = resolve(policy.getLevels().get(step % levels), at);
            if (targets.stream().anyMatch(target -> !target.getUserIds().isEmpty())) {
                return Optional.of(new Paged(step, targets));
            }
        }
        return Optional.empty();
    }

    private Optional<EscalationPolicyConfig> policyOf(EscalationState state) {
        return state.getPolicyId() == null ? Optional.empty() : directory.policy(state.getPolicyId());
    }

    private List<EscalationTarget> resolve(EscalationLevel level, Instant at) {
        List<EscalationTarget> targets = new ArrayList<>();
        for (LevelTarget target : level.getTargets()) {
            targets.add(target(target.getType(), target.getId(), directory.users(target.getType(), target.getId(), at)));
        }
        return targets;
    }

    private EscalationTarget target(TargetType type, String id, List<String> users) {
        return target(directory, type, id, users);
    }

    /** A target with its users and how each is to be reached, as the configuration says when the level fires. */
    static EscalationTarget target(Directory directory, TargetType type, String id, List<String> users) {
        List<ContactPlan> plans = new ArrayList<>();
        for (String user : users) {
            List<ContactStep> steps = directory.contactSteps(user);
            if (!steps.isEmpty()) {
                plans.add(new ContactPlan(user, steps));
            }
        }
        return new EscalationTarget(type, id, List.copyOf(users), plans);
    }

    /** A round-robin level pages one of its users: the next in turn, within the target that holds them. */
    private List<EscalationTarget> oneOf(List<EscalationTarget> targets, String policyId, int level) {
        int users = targets.stream().mapToInt(target -> target.getUserIds().size()).sum();
        if (users <= 1) {
            return targets;
        }
        long turn = Math.floorMod(turns.next(policyId, level), users);
        for (EscalationTarget target : targets) {
            if (turn < target.getUserIds().size()) {
                return List.of(target(target.getType(), target.getId(), List.of(target.getUserIds().get((int) turn))));
            }
            turn -= target.getUserIds().size();
        }
        throw new IllegalStateException("turn " + turn + " beyond " + users + " users");
    }

    private static Step stop(EscalationState state) {
        return stop(state, null);
    }

    private static Step stop(EscalationState state, Object command) {
        state.setNext(null);
        state.setNextAt(null);
        return new Step(state, command);
    }

    private static EscalationState copy(EscalationState state) {
        return EscalationState.newBuilder(state).build();
    }
}
