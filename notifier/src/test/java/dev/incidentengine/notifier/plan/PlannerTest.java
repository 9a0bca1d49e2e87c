package dev.incidentengine.notifier.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.incidentengine.model.ContactPlan;
import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentSnoozed;
import dev.incidentengine.model.NotificationPlan;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.ReviewRequired;
import dev.incidentengine.model.StatusUpdatePosted;
import dev.incidentengine.model.StepState;
import dev.incidentengine.notifier.channel.MessageKind;
import dev.incidentengine.notifier.plan.Planner.Changes;
import dev.incidentengine.notifier.plan.Planner.Send;
import dev.incidentengine.notifier.plan.Planner.Timer;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.testkit.Samples.T0;
import static dev.incidentengine.testkit.Samples.escalated;
import static dev.incidentengine.testkit.Samples.event;
import static dev.incidentengine.testkit.Samples.opened;
import static dev.incidentengine.testkit.Samples.plan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

class PlannerTest {

    private static final String ID = "INC-20261122-0-0001";
    private static final Instant PAGED = T0.plusSeconds(5);

    private final Planner planner = new Planner(Duration.ofHours(1));

    @Test
    void anOpenedIncidentIsNewsForSubscribedChannels() {
        Changes changes = planner.onEvent(null, opened(ID, "e1").build(), T0.plusSeconds(2));

        assertThat(changes.plan().getTitle()).isEqualTo("High error rate on checkout");
        assertThat(changes.plan().getStatus()).isEqualTo("TRIGGERED");
        assertThat(changes.sends()).extracting(Send::kind).containsExactly(MessageKind.OPENED);
    }

    @Test
    void aReviewRequiredOnResolutionIsNewsToo() {
        Changes opened = planner.onEvent(null, opened(ID, "e1").build(), T0.plusSeconds(2));
        Changes review = planner.onEvent(opened.plan(), event(ID, "e2", T0.plusSeconds(600),
                new ReviewRequired(true, T0.plus(Duration.ofHours(48)), "SEV1 incidents are reviewed")), T0.plusSeconds(601));

        assertThat(review.sends()).extracting(Send::kind).containsExactly(MessageKind.REVIEW_REQUIRED);
    }

    @Test
    void aPageSendsTheImmediateStepsAndSchedulesTheLaterOnes() {
        Changes changes = page(plan("alice", "EMAIL", 0, "SMS", 5), plan("bob", "SLACK", 0, "EMAIL", 0));

        assertThat(changes.sends()).extracting(Send::userId, Send::step, Send::contactType)
                .containsExactly(tuple("alice", 0, "EMAIL"),
                        tuple("bob", 0, "SLACK"), tuple("bob", 1, "EMAIL"));
        assertThat(changes.sends()).allMatch(send -> send.kind() == MessageKind.PAGE && send.eventId().equals("e2"));
        assertThat(changes.schedule()).containsExactly(new Timer(PAGED.plus(Duration.ofMinutes(5)), ID, "e2", "alice", 1));
    }

    @Test
    void acknowledgementCancelsTheStepsNotYetSent_andADueTimerAfterItSendsNothing() {
        Changes paged = page(plan("alice", "EMAIL", 0, "SMS", 5));
        Changes acked = planner.onEvent(paged.plan(), event(ID, "e3", PAGED.plusSeconds(60), new IncidentAcknowledged("on it")),
                PAGED.plusSeconds(61));

        assertThat(acked.cancel()).containsExactly(paged.schedule().get(0));
        assertThat(acked.sends()).extracting(Send::kind).containsExactly(MessageKind.ACKNOWLEDGED);
        assertThat(acked.plan().getPages().get(0).getSteps()).extracting(s -> s.getState())
                .containsExactly(StepState.REQUESTED, StepState.CANCELLED);
        assertThat(planner.onDue(acked.plan(), paged.schedule().get(0)).sends()).isEmpty();
    }

    @Test
    void aDueStepOfAnUnacknowledgedPageIsSentOnce() {
        Changes paged = page(plan("alice", "EMAIL", 0, "SMS", 5));
        Timer sms = paged.schedule().get(0);

        Changes due = planner.onDue(paged.plan(), sms);
        assertThat(due.sends()).extracting(Send::userId, Send::step, Send::contactType, Send::eventId)
                .containsExactly(tuple("alice", 1, "SMS", "e2"));
        assertThat(planner.onDue(due.plan(), sms).sends()).as("the same timer again").isEmpty();
    }

    @Test
    void aFailedStepBringsTheNextContactMethodForwardToNow() {
        Changes paged = page(plan("alice", "EMAIL", 0, "SMS", 5, "VOICE", 10));

        Changes failed = planner.onResult(paged.plan(), result("e2", "alice", 0, DeliveryOutcome.FAILED));

        assertThat(failed.sends()).extracting(Send::step, Send::contactType).containsExactly(tuple(1, "SMS"));
        assertThat(failed.cancel()).containsExactly(paged.schedule().get(0));
        Changes delivered = planner.onResult(failed.plan(), result("e2", "alice", 1, DeliveryOutcome.DELIVERED));
        assertThat(delivered.sends()).isEmpty();
        assertThat(delivered.plan().getPages().get(0).getSteps()).extracting(s -> s.getState())
                .containsExactly(StepState.FAILED, StepState.DELIVERED, StepState.PENDING);
    }

    @Test
    void aUserPagedAgainFollowsTheNewPage() {
        Changes first = page(plan("alice", "EMAIL", 0, "SMS", 5));
        Changes second = planner.onEvent(first.plan(), escalated(ID, "e9", PAGED.plusSeconds(120), 0, plan("alice", "EMAIL", 0, "SMS", 5)),
                PAGED.plusSeconds(121));

        assertThat(second.cancel()).containsExactly(first.schedule().get(0));
        assertThat(second.sends()).extracting(Send::eventId).containsExactly("e9");
        assertThat(second.plan().getPages()).hasSize(1);
    }

    @Test
    void resolutionSnoozeAndCloseStopPagesAndCloseForgets() {
        Changes paged = page(plan("alice", "EMAIL", 0, "SMS", 5));
        assertThat(planner.onEvent(paged.plan(), event(ID, "e4", PAGED.plusSeconds(9), new IncidentSnoozed(PAGED.plusSeconds(3600))),
                PAGED.plusSeconds(9)).cancel()).hasSize(1);
        Changes resolved = planner.onEvent(paged.plan(), event(ID, "e5", PAGED.plusSeconds(10), new IncidentResolved("rolled back")),
                PAGED.plusSeconds(10));
        assertThat(resolved.cancel()).hasSize(1);
        assertThat(resolved.sends()).extracting(Send::kind).containsExactly(MessageKind.RESOLVED);
        assertThat(resolved.plan().getResolvedAt()).isEqualTo(PAGED.plusSeconds(10));

        Changes closed = planner.onEvent(resolved.plan(), event(ID, "e6", PAGED.plusSeconds(20), new IncidentClosed(null)),
                PAGED.plusSeconds(20));
        assertThat(closed.plan().getStatus()).isEqualTo("CLOSED");
        assertThat(closed.sends()).extracting(Send::kind).containsExactly(MessageKind.CLOSED);
    }

    @Test
    void eventsOlderThanTheMaximumAgeUpdateTheStateButSendNothing() {
        Instant muchLater = PAGED.plus(Duration.ofHours(2));
        Changes opened = planner.onEvent(null, opened(ID, "e1").build(), muchLater);
        Changes paged = planner.onEvent(opened.plan(), escalated(ID, "e2", PAGED, 0, plan("alice", "EMAIL", 0, "SMS", 5)), muchLater);
        Changes update = planner.onEvent(paged.plan(), event(ID, "e3", PAGED, new StatusUpdatePosted("still looking")), muchLater);

        assertThat(List.of(opened, paged, update)).allMatch(changes -> changes.sends().isEmpty() && changes.schedule().isEmpty());
        assertThat(opened.plan()).isNotNull();
    }

    @Test
    void eventsOfAnIncidentNeverSeenOpenChangeNothing() {
        Changes changes = planner.onEvent(null, event(ID, "e3", PAGED, new IncidentAcknowledged(null)), PAGED);

        assertThat(changes.plan()).isNull();
        assertThat(changes.sends()).isEmpty();
    }

    private Changes page(ContactPlan... plans) {
        NotificationPlan open = planner.onEvent(null, opened(ID, "e1").build(), T0.plusSeconds(2)).plan();
        IncidentEvent page = escalated(ID, "e2", PAGED, 0, plans);
        return planner.onEvent(open, page, PAGED.plusMillis(100));
    }

    private static NotificationResult result(String eventId, String userId, int step, DeliveryOutcome outcome) {
        return NotificationResult.newBuilder()
                .setDeliveryId(eventId + ":" + userId + ":x:" + step).setIncidentId(ID).setEventId(eventId).setChannel("x")
                .setKind("page").setTarget(userId).setStep(step).setOutcome(outcome).setAttempts(1).setLatencyMillis(3)
                .setTimestamp(PAGED.plusSeconds(1)).build();
    }
}
