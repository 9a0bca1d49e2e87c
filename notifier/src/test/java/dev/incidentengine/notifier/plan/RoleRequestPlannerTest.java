package dev.incidentengine.notifier.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.incidentengine.model.ContactPlan;
import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.EscalationTarget;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentMerged;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.NotificationPlan;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.RoleAssigned;
import dev.incidentengine.model.RoleRequested;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.notifier.channel.MessageKind;
import dev.incidentengine.notifier.plan.Planner.Changes;
import dev.incidentengine.notifier.plan.Planner.Send;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.testkit.Samples.T0;
import static dev.incidentengine.testkit.Samples.escalated;
import static dev.incidentengine.testkit.Samples.event;
import static dev.incidentengine.testkit.Samples.opened;
import static dev.incidentengine.testkit.Samples.plan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** A request to take a role pages its targets like an escalation, until the role is taken or the incident is over. */
class RoleRequestPlannerTest {

    private static final String ID = "INC-20261205-0-0001";
    private static final Instant REQUESTED = T0.plus(Duration.ofMinutes(5));

    private final Planner planner = new Planner(Duration.ofHours(1));

    @Test
    void aRoleRequestPagesItsTargets_asKindRoleRequested_withTheContactPlan() {
        Changes requested = request(plan("carol", "SLACK", 0, "SMS", 5));

        assertThat(requested.sends()).extracting(Send::kind, Send::userId, Send::step, Send::contactType)
                .containsExactly(tuple(MessageKind.ROLE_REQUESTED, "carol", 0, "SLACK"));
        assertThat(requested.schedule()).singleElement().satisfies(timer -> assertThat(timer.at()).isEqualTo(REQUESTED.plus(Duration.ofMinutes(5))));
        assertThat(requested.plan().getPages()).singleElement().satisfies(page -> assertThat(page.getRole()).isEqualTo("commander"));
        assertThat(planner.onDue(requested.plan(), requested.schedule().get(0)).sends())
                .extracting(Send::kind, Send::contactType).containsExactly(tuple(MessageKind.ROLE_REQUESTED, "SMS"));
    }

    @Test
    void anAcknowledgementStopsTheEscalation_butNotTheRequest_andTakingTheRoleStopsTheRequest() {
        Changes requested = request(plan("carol", "SLACK", 0, "SMS", 5));
        Changes paged = planner.onEvent(requested.plan(), escalated(ID, "e3", REQUESTED, 0, plan("carol", "EMAIL", 0, "VOICE", 10)),
                REQUESTED);
        assertThat(paged.cancel()).as("the escalation page and the role's run side by side").isEmpty();
        assertThat(paged.plan().getPages()).hasSize(2);

        Changes acked = planner.onEvent(paged.plan(), event(ID, "e4", REQUESTED.plusSeconds(30), new IncidentAcknowledged(null)),
                REQUESTED.plusSeconds(30));
        assertThat(acked.cancel()).extracting(Planner.Timer::eventId).containsExactly("e3");
        assertThat(planner.onDue(acked.plan(), requested.schedule().get(0)).sends()).as("still nobody commands")
                .extracting(Send::kind).containsExactly(MessageKind.ROLE_REQUESTED);

        Changes taken = planner.onEvent(acked.plan(), event(ID, "e5", REQUESTED.plusSeconds(60),
                new RoleAssigned("commander", "carol", null, null)), REQUESTED.plusSeconds(60));
        assertThat(taken.cancel()).extracting(Planner.Timer::eventId).containsExactly("e2");
        assertThat(planner.onDue(taken.plan(), requested.schedule().get(0)).sends()).isEmpty();
    }

    @Test
    void anotherRoleTakenLeavesTheRequestRunning_aFailedStepBringsTheNextForward() {
        Changes requested = request(plan("carol", "SLACK", 0, "SMS", 5));
        Changes other = planner.onEvent(requested.plan(), event(ID, "e3", REQUESTED.plusSeconds(10),
                new RoleAssigned("scribe", "dave", null, null)), REQUESTED.plusSeconds(10));
        assertThat(other.cancel()).isEmpty();

        Changes failed = planner.onResult(other.plan(), NotificationResult.newBuilder()
                .setDeliveryId("e2:carol:slack:0").setIncidentId(ID).setEventId("e2").setChannel("slack").setKind("role-requested")
                .setTarget("carol").setStep(0).setOutcome(DeliveryOutcome.FAILED).setAttempts(1).setLatencyMillis(3)
                .setTimestamp(REQUESTED.plusSeconds(11)).build());
        assertThat(failed.sends()).extracting(Send::kind, Send::contactType).containsExactly(tuple(MessageKind.ROLE_REQUESTED, "SMS"));
    }

    @Test
    void anIncidentOverStopsTheRequest_andARequestForAnIncidentOverPagesNobody() {
        Changes requested = request(plan("carol", "SLACK", 0, "SMS", 5));
        Changes resolved = planner.onEvent(requested.plan(), event(ID, "e3", REQUESTED.plusSeconds(10), new IncidentResolved(null)),
                REQUESTED.plusSeconds(10));
        assertThat(resolved.cancel()).hasSize(1);
        assertThat(planner.onEvent(resolved.plan(), requestEvent("e4", plan("dave", "SLACK", 0)), REQUESTED.plusSeconds(11)).sends())
                .isEmpty();

        Changes merged = planner.onEvent(request(plan("carol", "SLACK", 0, "SMS", 5)).plan(),
                event(ID, "e5", REQUESTED.plusSeconds(10), new IncidentMerged("INC-20261205-0-0002")), REQUESTED.plusSeconds(10));
        assertThat(merged.cancel()).hasSize(1);
    }

    @Test
    void aRepeatedRequestReplacesTheUsersEarlierOne() {
        Changes first = request(plan("carol", "SLACK", 0, "SMS", 5));
        Changes second = planner.onEvent(first.plan(), requestEvent("e9", plan("carol", "SLACK", 0, "SMS", 5)), REQUESTED.plusSeconds(300));

        assertThat(second.cancel()).containsExactly(first.schedule().get(0));
        assertThat(second.plan().getPages()).singleElement().satisfies(page -> assertThat(page.getEventId()).isEqualTo("e9"));
    }

    private Changes request(ContactPlan... plans) {
        NotificationPlan open = planner.onEvent(null, opened(ID, "e1").build(), T0.plusSeconds(2)).plan();
        return planner.onEvent(open, requestEvent("e2", plans), REQUESTED.plusMillis(100));
    }

    private static dev.incidentengine.model.IncidentEvent requestEvent(String eventId, ContactPlan... plans) {
        List<String> users = java.util.Arrays.stream(plans).map(ContactPlan::getUserId).toList();
        return event(ID, eventId, REQUESTED, new RoleRequested("commander",
                List.of(new EscalationTarget(TargetType.SCHEDULE, "ic-rotation", users, List.of(plans))), "Incident Commander still free"));
    }
}
