package dev.incidentengine.escalation.domain;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
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
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentSnoozed;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.IncidentUnacknowledged;
import dev.incidentengine.model.RecordEscalationExhausted;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
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
    private final EscalationPolicyConfig policy = new EscalationPolicyConfig("payments-default", "Payments", List.of(
            new EscalationLevel(List.of(new LevelTarget(TargetType.SCHEDULE, "primary")), 10, false),
            new EscalationLevel(List.of(new LevelTarget(TargetType.TEAM, "payments")), 15, false)), 1, null, false);

    private final Map<String, List<String>> onCall = new HashMap<>(Map.of("primary", List.of("alice")));
    private final Map<String, Long> turns = new HashMap<>();
    private final Escalation escalation = new Escalation(new Escalation.Directory() {
        @Override
        public Optional<EscalationPolicyConfig> policy(String id) {
            return id.equals(policy.getId()) ? Optional.of(policy) : Optional.empty();
        }

        @Override
        public Optional<String> policyOfService(String service) {
            return "checkout".equals(service) ? Optional.of(policy.getId()) : Optional.empty();
        }

        @Override
        public List<String> users(TargetType type, String id, Instant at) {
            return switch (type) {
                case USER -> List.of(id);
                case SCHEDULE -> onCall.getOrDefault(id, List.of());
                case TEAM -> List.of("alice", "bob");
            };
        }

        @Override
        public List<ContactStep> contactSteps(String userId) {
            return userId.equals("alice") ? List.of(new ContactStep("SLACK", 0), new ContactStep("SMS", 5), new ContactStep("VOICE", 10))
                    : userId.equals("bob") ? List.of(new ContactStep("EMAIL", 0)) : List.of();
        }
    }, (policyId, level) -> turns.merge(policyId + "|" + level, 1L, Long::sum) - 1);
    private int sequence;

    @Test
    void givenAnOpenedIncident_thenLevel0IsPagedAtOnce_withHowToReachEachUser_andTheNextLevelIsDueAfterItsDelay() {
        Escalation.Step step = escalation.onEvent(null, opened("checkout", null));

        assertThat(step.command()).isEqualTo(new EscalateIncident("payments-default", 0, 0,
                List.of(new EscalationTarget(TargetType.SCHEDULE, "primary", List.of("alice"), List.of(new ContactPlan("alice",
                        List.of(new ContactStep("SLACK", 0), new ContactStep("SMS", 5), new ContactStep("VOICE", 10))))))));
        assertThat(step.state().getNext()).isEqualTo(EscalationStep.NEXT_LEVEL);
        assertThat(step.state().getNextAt()).isEqualTo(T0.plusSeconds(600));
    }

    @Test
    void givenNobodyAcknowledges_thenLevelsAdvance_thePolicyRepeats_thenItIsExhausted() {
        Escalation.Step step = escalation.onEvent(null, opened("checkout", null));
        Instant due = step.state().getNextAt();

        step = escalation.onDue(step.state(), due);
        assertThat(page(step).getLevel()).isEqualTo(1);
        assertThat(page(step).getTargets().get(0).getUserIds()).containsExactly("alice", "bob");
        assertThat(step.state().getNextAt()).isEqualTo(due.plusSeconds(900));

        step = escalation.onDue(step.state(), step.state().getNextAt());
        assertThat(page(step)).extracting(EscalateIncident::getLevel, EscalateIncident::getRound).containsExactly(0, 1);
        step = escalation.onDue(step.state(), step.state().getNextAt());
        assertThat(page(step)).extracting(EscalateIncident::getLevel, EscalateIncident::getRound).containsExactly(1, 1);

        step = escalation.onDue(step.state(), step.state().getNextAt());
        assertThat(step.command()).as("the incident records it").isEqualTo(new RecordEscalationExhausted("payments-default", 2));
        assertThat(step.state().getExhausted()).isTrue();
        assertThat(step.state().getNextAt()).isNull();
    }

    @Test
    void givenAnAcknowledgement_thenNothingIsDueAnyMore_evenIfAnOldTimerFires() {
        EscalationState paged = escalation.onEvent(null, opened("checkout", null)).state();

        Escalation.Step acknowledged = escalation.onEvent(paged, event(new IncidentAcknowledged("on it"), ALICE));
        assertThat(acknowledged.command()).isNull();
        assertThat(acknowledged.state().getNextAt()).isNull();
        assertThat(escalation.onDue(acknowledged.state(), T0.plusSeconds(600)).command()).isNull();
    }

    @Test
    void givenAnAckTimeout_whenTheAcknowledgementOutlastsIt_thenItExpires_andTheUnacknowledgedIncidentEscalatesAgain() {
        policy.setAckTimeoutMinutes(60);
        EscalationState paged = escalation.onEvent(null, opened("checkout", null)).state();

        Escalation.Step acknowledged = escalation.onEvent(paged, event(new IncidentAcknowledged("on it"), ALICE));
        assertThat(acknowledged.state().getNext()).isEqualTo(EscalationStep.ACK_TIMEOUT);
        assertThat(acknowledged.state().getNextAt()).isEqualTo(T0.plusSeconds(3600));
        assertThat(escalation.onDue(acknowledged.state(), T0.plusSeconds(3600)).command()).isInstanceOf(ExpireAcknowledgement.class);

        Escalation.Step again = escalation.onEvent(acknowledged.state(), event(new IncidentUnacknowledged("timeout"), ALICE));
        assertThat(page(again).getLevel()).isZero();
        assertThat(again.state().getStatus()).isEqualTo(IncidentStatus.TRIGGERED);

        EscalationState resolved = escalation.onEvent(acknowledged.state(), event(new IncidentResolved("fixed"), ALICE)).state();
        assertThat(resolved.getNextAt()).as("resolving ends the wait").isNull();
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
        assertThat(page(woken).getLevel()).isZero();
        assertThat(woken.state().getNextAt()).isEqualTo(until.plusSeconds(600));
    }

    @Test
    void givenAReopen_thenANewEpisodeStartsAtLevel0() {
        EscalationState paged = escalation.onEvent(null, opened("checkout", null)).state();
        EscalationState acknowledged = escalation.onEvent(paged, event(new IncidentAcknowledged(null), ALICE)).state();

        Escalation.Step reopened = escalation.onEvent(acknowledged, event(new IncidentReopened("fired again"), ALICE));

        assertThat(page(reopened).getLevel()).isZero();
        assertThat(reopened.state().getEpisode()).isGreaterThan(acknowledged.getEpisode());
    }

    @Test
    void givenALevelThatResolvesToNobody_thenTheNextLevelIsPagedAtOnce() {
        onCall.clear();

        Escalation.Step step = escalation.onEvent(null, opened("checkout", null));

        assertThat(page(step).getLevel()).isEqualTo(1);
        assertThat(step.state().getNextAt()).isEqualTo(T0.plusSeconds(900));
    }

    @Test
    void givenNoPolicy_thenNobodyIsPaged() {
        Escalation.Step step = escalation.onEvent(null, opened("unknown-service", null));

        assertThat(step.command()).isNull();
        assertThat(step.state().getNextAt()).isNull();
    }

    @Test
    void givenAReassignment_thenTheUserIsPaged_orTheNewPolicyStarts() {
        EscalationState paged = escalation.onEvent(null, opened("other", null)).state();

        Escalation.Step toUser = escalation.onEvent(paged, event(new IncidentAssigned("carol", null), ALICE));
        assertThat(page(toUser).getTargets()).as("a user the configuration does not know: paged by id, no plan")
                .containsExactly(new EscalationTarget(TargetType.USER, "carol", List.of("carol"), List.of()));

        Escalation.Step toPolicy = escalation.onEvent(paged, event(new IncidentAssigned(null, "payments-default"), ALICE));
        assertThat(page(toPolicy).getLevel()).isZero();
        assertThat(toPolicy.state().getPolicyId()).isEqualTo("payments-default");
    }

    @Test
    void givenARoundRobinLevel_thenEachIncidentPagesTheNextUserInTurn() {
        policy.getLevels().get(0).setTargets(List.of(new LevelTarget(TargetType.TEAM, "payments")));
        policy.getLevels().get(0).setRoundRobin(true);

        List<List<String>> paged = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            paged.add(page(escalation.onEvent(null, opened("checkout", null))).getTargets().get(0).getUserIds());
        }

        assertThat(paged).containsExactly(List.of("alice"), List.of("bob"), List.of("alice"));
    }

    @Test
    void givenARiseInSeverity_thenThePolicyRestartsFromLevel0_onlyIfThePolicySaysSo() {
        EscalationState atLevel1 = escalation.onDue(escalation.onEvent(null, opened("checkout", null)).state(), T0.plusSeconds(600)).state();
        IncidentEvent rise = event(new SeverityChanged(Severity.SEV3, Severity.SEV1, "alert b", false), ALICE);
        IncidentEvent fall = event(new SeverityChanged(Severity.SEV1, Severity.SEV3, "alice", true), ALICE);

        assertThat(escalation.onEvent(atLevel1, rise).command()).as("off by default").isNull();
        policy.setRestartOnSeverityIncrease(true);
        assertThat(page(escalation.onEvent(atLevel1, rise)).getLevel()).isZero();
        assertThat(escalation.onEvent(atLevel1, fall).command()).as("a lower severity changes nothing").isNull();
    }

    @Test
    void givenAClosedIncident_thenItIsForgotten() {
        EscalationState paged = escalation.onEvent(null, opened("checkout", null)).state();

        assertThat(escalation.onEvent(paged, event(new IncidentClosed(null), ALICE)).state()).isNull();
    }

    private static EscalateIncident page(Escalation.Step step) {
        return (EscalateIncident) step.command();
    }

    private IncidentEvent opened(String service, String policyId) {
        return event(new IncidentOpened("Checkout errors", Severity.SEV2, service, service + "|HighErrorRate", policyId, Map.of(), true, null, null, java.util.Map.of(), null, null),
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
