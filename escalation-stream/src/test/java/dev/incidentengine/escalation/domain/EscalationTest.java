package dev.incidentengine.escalation.domain;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.EscalateIncident;
import dev.incidentengine.model.EscalationState;
import dev.incidentengine.model.EscalationStep;
import dev.incidentengine.model.EscalationTarget;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentAssigned;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentSnoozed;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.EscalationLevel;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.LevelTarget;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EscalationTest {

    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final Actor ALICE = new Actor(ActorType.USER, "alice", null);

    /** Level 0: the primary schedule (10 min), level 1: the payments team (15 min); the whole policy once more. */
    private static final EscalationPolicyConfig POLICY = new EscalationPolicyConfig("payments-default", "Payments", List.of(
            new EscalationLevel(List.of(new LevelTarget(TargetType.SCHEDULE, "primary")), 10, false),
            new EscalationLevel(List.of(new LevelTarget(TargetType.TEAM, "payments")), 15, false)), 1, null);

    private final Map<String, List<String>> onCall = new HashMap<>(Map.of("primary", List.of("alice")));
    private final Escalation escalation = new Escalation(new Escalation.Directory() {
        @Override
        public Optional<EscalationPolicyConfig> policy(String id) {
            return id.equals(POLICY.getId()) ? Optional.of(POLICY) : Optional.empty();
        }

        @Override
        public Optional<String> policyOfService(String service) {
            return "checkout".equals(service) ? Optional.of(POLICY.getId()) : Optional.empty();
        }

        @Override
        public List<String> users(TargetType type, String id, Instant at) {
            return switch (type) {
                case USER -> List.of(id);
                case SCHEDULE -> onCall.getOrDefault(id, List.of());
                case TEAM -> List.of("alice", "bob");
            };
        }
    });
    private int sequence;

    @Test
    void givenAnOpenedIncident_thenLevel0IsPagedAtOnce_andTheNextLevelIsDueAfterItsDelay() {
        Escalation.Step step = escalation.onEvent(null, opened("checkout", null));

        assertThat(step.page()).isEqualTo(new EscalateIncident("payments-default", 0, 0,
                List.of(new EscalationTarget(TargetType.SCHEDULE, "primary", List.of("alice")))));
        assertThat(step.state().getNext()).isEqualTo(EscalationStep.NEXT_LEVEL);
        assertThat(step.state().getNextAt()).isEqualTo(T0.plusSeconds(600));
    }

    @Test
    void givenNobodyAcknowledges_thenLevelsAdvance_thePolicyRepeats_thenItIsExhausted() {
        Escalation.Step step = escalation.onEvent(null, opened("checkout", null));
        Instant due = step.state().getNextAt();

        step = escalation.onDue(step.state(), due);
        assertThat(step.page().getLevel()).isEqualTo(1);
        assertThat(step.page().getTargets().get(0).getUserIds()).containsExactly("alice", "bob");
        assertThat(step.state().getNextAt()).isEqualTo(due.plusSeconds(900));

        step = escalation.onDue(step.state(), step.state().getNextAt());
        assertThat(step.page()).extracting(EscalateIncident::getLevel, EscalateIncident::getRound).containsExactly(0, 1);
        step = escalation.onDue(step.state(), step.state().getNextAt());
        assertThat(step.page()).extracting(EscalateIncident::getLevel, EscalateIncident::getRound).containsExactly(1, 1);

        step = escalation.onDue(step.state(), step.state().getNextAt());
        assertThat(step.page()).isNull();
        assertThat(step.state().getExhausted()).isTrue();
        assertThat(step.state().getNextAt()).isNull();
    }

    @Test
    void givenAnAcknowledgement_thenNothingIsDueAnyMore_evenIfAnOldTimerFires() {
        EscalationState paged = escalation.onEvent(null, opened("checkout", null)).state();

        Escalation.Step acknowledged = escalation.onEvent(paged, event(new IncidentAcknowledged("on it"), ALICE));
        assertThat(acknowledged.page()).isNull();
        assertThat(acknowledged.state().getNextAt()).isNull();
        assertThat(escalation.onDue(acknowledged.state(), T0.plusSeconds(600)).page()).isNull();
    }

    @Test
    void givenASnooze_thenThePolicyPausesUntilItsEnd_andStartsAgainFromLevel0() {
        EscalationState paged = escalation.onEvent(null, opened("checkout", null)).state();
        Instant until = T0.plusSeconds(3600);

        Escalation.Step snoozed = escalation.onEvent(paged, event(new IncidentSnoozed(until), ALICE));
        assertThat(snoozed.state().getNext()).isEqualTo(EscalationStep.SNOOZE_END);
        assertThat(snoozed.state().getNextAt()).isEqualTo(until);
        assertThat(snoozed.state().getEpisode()).isGreaterThan(paged.getEpisode());

        Escalation.Step woken = escalation.onDue(snoozed.state(), until);
        assertThat(woken.page().getLevel()).isZero();
        assertThat(woken.state().getNextAt()).isEqualTo(until.plusSeconds(600));
    }

    @Test
    void givenAReopen_thenANewEpisodeStartsAtLevel0() {
        EscalationState paged = escalation.onEvent(null, opened("checkout", null)).state();
        EscalationState acknowledged = escalation.onEvent(paged, event(new IncidentAcknowledged(null), ALICE)).state();

        Escalation.Step reopened = escalation.onEvent(acknowledged, event(new IncidentReopened("fired again"), ALICE));

        assertThat(reopened.page().getLevel()).isZero();
        assertThat(reopened.state().getEpisode()).isGreaterThan(acknowledged.getEpisode());
    }

    @Test
    void givenALevelThatResolvesToNobody_thenTheNextLevelIsPagedAtOnce() {
        onCall.clear();

        Escalation.Step step = escalation.onEvent(null, opened("checkout", null));

        assertThat(step.page().getLevel()).isEqualTo(1);
        assertThat(step.state().getNextAt()).isEqualTo(T0.plusSeconds(900));
    }

    @Test
    void givenNoPolicy_thenNobodyIsPaged() {
        Escalation.Step step = escalation.onEvent(null, opened("unknown-service", null));

        assertThat(step.page()).isNull();
        assertThat(step.state().getNextAt()).isNull();
    }

    @Test
    void givenAReassignment_thenTheUserIsPaged_orTheNewPolicyStarts() {
        EscalationState paged = escalation.onEvent(null, opened("other", null)).state();

        Escalation.Step toUser = escalation.onEvent(paged, event(new IncidentAssigned("carol", null), ALICE));
        assertThat(toUser.page().getTargets()).containsExactly(new EscalationTarget(TargetType.USER, "carol", List.of("carol")));

        Escalation.Step toPolicy = escalation.onEvent(paged, event(new IncidentAssigned(null, "payments-default"), ALICE));
        assertThat(toPolicy.page().getLevel()).isZero();
        assertThat(toPolicy.state().getPolicyId()).isEqualTo("payments-default");
    }

    @Test
    void givenAClosedIncident_thenItIsForgotten() {
        EscalationState paged = escalation.onEvent(null, opened("checkout", null)).state();

        assertThat(escalation.onEvent(paged, event(new IncidentClosed(null), ALICE)).state()).isNull();
    }

    private IncidentEvent opened(String service, String policyId) {
        return event(new IncidentOpened("Checkout errors", Severity.SEV2, service, service + "|HighErrorRate", policyId, Map.of(), true),
                new Actor(ActorType.INTEGRATION, "alertmanager", null));
    }

    private IncidentEvent event(Object payload, Actor actor) {
        sequence++;
        return IncidentEvent.newBuilder()
                .setEventId("c" + sequence + "/0")
                .setIncidentId("INC-1")
                .setSequence(sequence)
                .setTimestamp(T0)
                .setActor(actor)
                .setCauseId("c" + sequence)
                .setPayload(payload)
                .build();
    }
}
