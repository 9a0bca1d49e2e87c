package dev.incidentengine.incident.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.AcknowledgeIncident;
import dev.incidentengine.model.ActionItem;
import dev.incidentengine.model.ActionItemAdded;
import dev.incidentengine.model.ActionItemCompleted;
import dev.incidentengine.model.ActionItemPriority;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AddActionItem;
import dev.incidentengine.model.AddNote;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertResolved;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.AssignIncident;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.AttachedAlert;
import dev.incidentengine.model.ChangeSeverity;
import dev.incidentengine.model.CloseIncident;
import dev.incidentengine.model.CommandRejected;
import dev.incidentengine.model.CompleteActionItem;
import dev.incidentengine.model.EscalateIncident;
import dev.incidentengine.model.EscalationExhausted;
import dev.incidentengine.model.ExpireAcknowledgement;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentAssigned;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentFlapping;
import dev.incidentengine.model.IncidentMerged;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentSnoozed;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.IncidentUnacknowledged;
import dev.incidentengine.model.MergeIncident;
import dev.incidentengine.model.NoteAdded;
import dev.incidentengine.model.PostStatusUpdate;
import dev.incidentengine.model.PublishReview;
import dev.incidentengine.model.LinkTicket;
import dev.incidentengine.model.TicketLinked;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.RecordEscalationExhausted;
import dev.incidentengine.model.ReopenIncident;
import dev.incidentengine.model.RequireReview;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.model.ReviewPublished;
import dev.incidentengine.model.ReviewRequired;
import dev.incidentengine.model.ReviewStatus;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.SnoozeIncident;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Given the commands that happened, when one more arrives, then these events (and this state). */
class IncidentLifecycleTest {

    private static final String ID = "INC-20261122-0001";
    private static final Instant T0 = Instant.parse("2026-11-22T09:00:00Z");
    private static final Actor ENGINE = new Actor(ActorType.SYSTEM, "incident-stream", null);
    private static final Actor ALICE = new Actor(ActorType.USER, "alice", "Alice");

    /** Resolving at once when the alerts resolved; the settle time has tests of its own. */
    private IncidentLifecycle lifecycle = new IncidentLifecycle(LifecyclePolicy.DEFAULT.withResolveSettle(Duration.ZERO));
    private final List<IncidentEvent> log = new ArrayList<>();
    /** The alerts beside the state, as the engine's store holds them. */
    private final Map<String, AttachedAlert> alerts = new HashMap<>();
    private IncidentState state;
    private Instant now = T0;
    private String id = ID;
    private int commands;

    @Test
    void givenNothing_whenAlertFires_thenIncidentOpensWithIt() {
        List<Object> events = when(attach(alert("a", Severity.SEV2)));

        assertThat(events).hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class);
        assertThat(((IncidentOpened) events.get(0)).getTitle()).isEqualTo("summary of a");
        assertThat(state.getStatus()).isEqualTo(IncidentStatus.TRIGGERED);
        assertThat(state.getSeverity()).isEqualTo(Severity.SEV2);
        assertThat(state.getVersion()).isEqualTo(2);
        assertThat(state.getAlerts()).containsOnlyKeys("a");
        assertThat(alerts).containsOnlyKeys("a");
        assertThat(state.getAlertCount()).isEqualTo(1);
        assertThat(state.getFiringAlertCount()).isEqualTo(1);
        assertThat(log).extracting(IncidentEvent::getSequence).containsExactly(1L, 2L);
    }

    @Test
    void givenNothing_whenAnythingButAFiringAlertFromCorrelation_thenUnknownIncident() {
        assertRejected(when(attach(resolved("a"))), "unknown incident");
        assertRejected(when(command(new AcknowledgeIncident(null), ALICE)), "unknown incident");
        // An alert moving with a merge carries no correlation key: a merge into a made-up id opens nothing.
        assertRejected(when(command(new AttachAlert(alert("a", Severity.SEV3), null, null, true, null), ALICE)), "unknown incident");
        assertThat(log).extracting(IncidentEvent::getSequence).containsOnly(0L);
    }

    @Test
    void givenIncident_whenMoreSevereAlertJoins_thenSeverityRises_butNotForALessSevereOne() {
        given(attach(alert("a", Severity.SEV3)));

        assertThat(when(attach(alert("b", Severity.SEV1)))).hasExactlyElementsOfTypes(AlertAttached.class, SeverityChanged.class);
        assertThat(when(attach(alert("c", Severity.SEV4)))).hasExactlyElementsOfTypes(AlertAttached.class);
        assertThat(state.getSeverity()).isEqualTo(Severity.SEV1);
    }

    @Test
    void givenAcknowledged_whenTheAcknowledgementExpires_thenTriggeredAgain_butNotWhenNotAcknowledged() {
        given(attach(alert("a", Severity.SEV3)));
        assertRejected(when(command(new ExpireAcknowledgement("ack timeout"), ENGINE)), "only acknowledged incidents");
        given(command(new AcknowledgeIncident("on it"), ALICE));

        assertThat(when(command(new ExpireAcknowledgement("acknowledged 60 minutes ago, not resolved"), ENGINE)))
                .containsExactly(new IncidentUnacknowledged("acknowledged 60 minutes ago, not resolved"));
        assertThat(state.getStatus()).isEqualTo(IncidentStatus.TRIGGERED);
        assertThat(state.getAcknowledgedAt()).isNull();
    }

    @Test
    void givenTriggered_whenTheEscalationIsExhausted_thenItIsRecorded_butNotForAnAcknowledgedIncident() {
        given(attach(alert("a", Severity.SEV3)));

        assertThat(when(command(new RecordEscalationExhausted("payments-default", 2), ENGINE)))
                .containsExactly(new EscalationExhausted("payments-default", 2));
        given(command(new AcknowledgeIncident(null), ALICE));
        assertRejected(when(command(new RecordEscalationExhausted("payments-default", 2), ENGINE)), "only triggered incidents");
    }

    @Test
    void givenAlertFiring_whenItFiresAgain_thenNothing() {
        given(attach(alert("a", Severity.SEV3)));

        assertThat(when(attach(alert("a", Severity.SEV3)))).isEmpty();
    }

    @Test
    void givenAlertFiring_whenItFiresWithAHigherSeverity_thenTheIncidentRises() {
        given(attach(alert("a", Severity.SEV3)));

        assertThat(when(attach(alert("a", Severity.SEV1)))).hasExactlyElementsOfTypes(AlertAttached.class, SeverityChanged.class);
        assertThat(state.getAlerts().get("a").getSeverity()).isEqualTo(Severity.SEV1);
        assertThat(state.getSeverity()).isEqualTo(Severity.SEV1);
    }

    @Test
    void givenARouteWithoutAutoResolve_whenAllAlertsResolve_thenTheIncidentStaysOpen() {
        given(command(new AttachAlert(alert("a", Severity.SEV3), "db|cluster=eu-1", null, false, null), ENGINE));

        assertThat(state.getAutoResolve()).isFalse();
        assertThat(when(attach(resolved("a")))).hasExactlyElementsOfTypes(AlertResolved.class);
        assertThat(state.getStatus()).isEqualTo(IncidentStatus.TRIGGERED);
        assertThat(when(command(new ResolveIncident("done"), ALICE))).hasExactlyElementsOfTypes(IncidentResolved.class);
    }

    @Test
    void givenPersonSetSeverity_whenMoreSevereAlertJoins_thenThePersonsChoiceHolds() {
        given(attach(alert("a", Severity.SEV3)), command(new ChangeSeverity(Severity.SEV4, "customer impact is nil"), ALICE));

        assertThat(when(attach(alert("b", Severity.SEV0)))).hasExactlyElementsOfTypes(AlertAttached.class);
        assertThat(state.getSeverity()).isEqualTo(Severity.SEV4);
        assertThat(state.getSeveritySetByPerson()).isTrue();
    }

    @Test
    void givenTwoAlerts_whenBothResolve_thenIncidentAutoResolves() {
        given(attach(alert("a", Severity.SEV3)), attach(alert("b", Severity.SEV3)));

        assertThat(when(attach(resolved("a")))).hasExactlyElementsOfTypes(AlertResolved.class);
        assertThat(when(attach(resolved("b")))).hasExactlyElementsOfTypes(AlertResolved.class, IncidentResolved.class);
        assertThat(state.getStatus()).isEqualTo(IncidentStatus.RESOLVED);
        assertThat(when(attach(resolved("b")))).as("a repeated resolve is not news").isEmpty();
    }

    @Test
    void acknowledgeOnlyTriggered() {
        given(attach(alert("a", Severity.SEV3)));

        assertThat(when(command(new AcknowledgeIncident("on it"), ALICE))).hasExactlyElementsOfTypes(IncidentAcknowledged.class);
        assertThat(state.getAcknowledgedAt()).isEqualTo(now);
        assertThat(when(command(new AcknowledgeIncident(null), ALICE))).isEmpty();
        given(command(new ResolveIncident("fixed"), ALICE));
        assertRejected(when(command(new AcknowledgeIncident(null), ALICE)), "cannot acknowledge a resolved incident");
    }

    @Test
    void sourceAcknowledgementOfAnAttachedAlertAcknowledgesTheIncident() {
        given(attach(alert("a", Severity.SEV3)));

        Alert ack = Alert.newBuilder(alert("a", Severity.SEV3)).setStatus(AlertStatus.ACKNOWLEDGED).build();
        assertThat(when(attach(ack))).hasExactlyElementsOfTypes(IncidentAcknowledged.class);
    }

    @Test
    void resolveAndClose() {
        given(attach(alert("a", Severity.SEV3)));

        assertRejected(when(command(new CloseIncident(null), ALICE)), "resolve the incident before closing it");
        assertThat(when(command(new ResolveIncident("rolled back"), ALICE))).hasExactlyElementsOfTypes(IncidentResolved.class);
        assertThat(when(command(new ResolveIncident(null), ALICE))).isEmpty();
        assertThat(when(command(new CloseIncident("reviewed"), ALICE))).hasExactlyElementsOfTypes(IncidentClosed.class);
        assertThat(when(command(new CloseIncident(null), ALICE))).isEmpty();
        assertRejected(when(command(new ResolveIncident(null), ALICE)), "cannot resolve a closed incident");
        assertRejected(when(attach(alert("a", Severity.SEV3))), "incident is closed");
        assertThat(state.getClosedAt()).isNotNull();
    }

    @Test
    void givenResolved_whenAlertFiresWithinTheReopenWindow_thenReopens_butNotAfterIt() {
        given(attach(alert("a", Severity.SEV3)), attach(resolved("a")));
        now = now.plus(Duration.ofMinutes(29));

        assertThat(when(attach(alert("a", Severity.SEV3)))).hasExactlyElementsOfTypes(IncidentReopened.class, AlertAttached.class);
        assertThat(state.getStatus()).isEqualTo(IncidentStatus.TRIGGERED);
        given(attach(resolved("a")));
        now = now.plus(Duration.ofMinutes(31));
        assertRejected(when(attach(alert("a", Severity.SEV3))), "belongs to a new incident");
    }

    @Test
    void givenItReopensTooOften_thenFlapping_andAutoResolveWaitsForAQuietResolve() {
        given(attach(alert("a", Severity.SEV3)), attach(resolved("a")));
        for (int flap = 0; flap < 3; flap++) {
            now = now.plus(Duration.ofMinutes(2));
            given(attach(alert("a", Severity.SEV3)));
            now = now.plus(Duration.ofMinutes(2));
            given(attach(resolved("a")));
        }
        assertThat(state.getFlapping()).isFalse();

        now = now.plus(Duration.ofMinutes(2));
        assertThat(when(attach(alert("a", Severity.SEV3))))
                .hasExactlyElementsOfTypes(IncidentFlapping.class, IncidentReopened.class, AlertAttached.class);
        assertThat(state.getFlapping()).isTrue();
        assertThat(when(attach(resolved("a")))).as("no auto-resolve while flapping").hasExactlyElementsOfTypes(AlertResolved.class);
        assertThat(state.getStatus()).isEqualTo(IncidentStatus.TRIGGERED);

        now = now.plus(Duration.ofMinutes(10));
        assertThat(when(command(new ResolveIncident("quiet for 10 minutes"), ENGINE))).hasExactlyElementsOfTypes(IncidentResolved.class);
        assertThat(state.getFlapping()).isFalse();
    }

    @Test
    void repeatedCommandIdOfAPersonYieldsNothingNew_andOnlyPeoplesIdsAreRemembered() {
        given(attach(alert("a", Severity.SEV3)));
        IncidentCommand ack = command(new AcknowledgeIncident(null), ALICE);

        assertThat(when(ack)).hasSize(1);
        assertThat(when(ack)).isEmpty();
        // Alert and timer commands are idempotent by content: attaching a firing alert again changes nothing.
        assertThat(state.getProcessedCommandIds()).containsExactly(ack.getCommandId());
        assertThat(when(attach(alert("a", Severity.SEV3)))).isEmpty();
    }

    @Test
    void staleExpectedVersionIsRejected_andRejectionsLeaveTheVersion() {
        given(attach(alert("a", Severity.SEV3)));
        IncidentCommand stale = IncidentCommand.newBuilder(command(new AddNote("looking"), ALICE)).setExpectedVersion(1L).build();
        IncidentCommand current = IncidentCommand.newBuilder(command(new AddNote("looking"), ALICE)).setExpectedVersion(2L).build();

        assertRejected(when(stale), "stale version: expected 1 but the incident is at 2");
        assertThat(log.get(log.size() - 1).getSequence()).isEqualTo(2);
        assertThat(state.getVersion()).isEqualTo(2);
        assertThat(when(current)).hasExactlyElementsOfTypes(NoteAdded.class);
        assertThat(state.getVersion()).isEqualTo(3);
    }

    @Test
    void escalateOnlyWhileTriggered() {
        given(attach(alert("a", Severity.SEV3)));

        assertThat(when(command(new EscalateIncident("policy", 0, 0, List.of()), ENGINE))).hasExactlyElementsOfTypes(IncidentEscalated.class);
        assertThat(state.getEscalationLevel()).isZero();
        given(command(new AcknowledgeIncident(null), ALICE));
        assertRejected(when(command(new EscalateIncident("policy", 1, 0, List.of()), ENGINE)), "only triggered incidents escalate");
    }

    @Test
    void assignNotesStatusUpdatesAndSnooze() {
        given(attach(alert("a", Severity.SEV3)));

        assertThat(when(command(new AssignIncident("bob", null), ALICE))).hasExactlyElementsOfTypes(IncidentAssigned.class);
        assertThat(when(command(new AssignIncident("bob", null), ALICE))).isEmpty();
        assertRejected(when(command(new AssignIncident(null, null), ALICE)), "needs a user or an escalation policy");
        assertRejected(when(command(new AddNote("  "), ALICE)), "a note needs text");
        assertThat(when(command(new PostStatusUpdate("Mitigation deployed"), ALICE))).hasSize(1);
        assertRejected(when(command(new SnoozeIncident(now.minusSeconds(1)), ALICE)), "is not in the future");
        assertThat(when(command(new SnoozeIncident(now.plus(Duration.ofHours(1))), ALICE))).hasExactlyElementsOfTypes(IncidentSnoozed.class);
        assertThat(state.getAssigneeUserId()).isEqualTo("bob");
        assertThat(state.getSnoozedUntil()).isEqualTo(now.plus(Duration.ofHours(1)));
        given(command(new ResolveIncident(null), ALICE));
        assertRejected(when(command(new SnoozeIncident(now.plus(Duration.ofHours(1))), ALICE)), "cannot snooze a resolved incident");
        assertThat(state.getSnoozedUntil()).isNull();
    }

    @Test
    void mergeEndsThisIncident() {
        given(attach(alert("a", Severity.SEV3)));

        assertRejected(when(command(new MergeIncident(ID), ALICE)), "into itself");
        assertThat(when(command(new MergeIncident("INC-20261122-0002"), ALICE))).hasExactlyElementsOfTypes(IncidentMerged.class);
        assertThat(state.getMergedInto()).isEqualTo("INC-20261122-0002");
        assertThat(state.getStatus()).isEqualTo(IncidentStatus.RESOLVED);
        assertRejected(when(command(new ReopenIncident(null), ALICE)), "merged into INC-20261122-0002");
        assertRejected(when(attach(alert("b", Severity.SEV3))), "belongs to a new incident");
    }

    @Test
    void reopenByCommand() {
        given(attach(alert("a", Severity.SEV3)));
        assertThat(when(command(new ReopenIncident("still broken"), ALICE))).as("already open").isEmpty();
        given(command(new ResolveIncident(null), ALICE));

        assertThat(when(command(new ReopenIncident("still broken"), ALICE))).hasExactlyElementsOfTypes(IncidentReopened.class);
        assertThat(state.getStatus()).isEqualTo(IncidentStatus.TRIGGERED);
        assertThat(state.getResolvedAt()).isNull();
    }

    @Test
    void givenASev1_whenItResolves_thenAReviewIsRequiredWithin48Hours_andASev2GetsOneRecommended() {
        given(attach(alert("a", Severity.SEV1)));
        now = now.plus(Duration.ofMinutes(40));

        assertThat(when(command(new ResolveIncident("rolled back"), ALICE)))
                .hasExactlyElementsOfTypes(IncidentResolved.class, ReviewRequired.class);
        assertThat(state.getReview()).isEqualTo(new ReviewStatus(true, now, now.plus(Duration.ofHours(48)), null, null));
        now = now.plus(Duration.ofMinutes(1));
        given(command(new ReopenIncident("again"), ALICE));
        assertThat(when(command(new ResolveIncident(null), ALICE))).as("already required").hasExactlyElementsOfTypes(IncidentResolved.class);

        id = "INC-20261122-0002";
        state = null;
        given(attach(alert("b", Severity.SEV2)));
        assertThat(when(attach(resolved("b")))).as("auto-resolved by its alert")
                .hasExactlyElementsOfTypes(AlertResolved.class, IncidentResolved.class, ReviewRequired.class);
        assertThat(state.getReview().getRequired()).isFalse();
        assertThat(when(command(new ChangeSeverity(Severity.SEV1, "worse than we thought"), ALICE)))
                .as("raised once resolved: now required").hasExactlyElementsOfTypes(SeverityChanged.class, ReviewRequired.class);
        assertThat(state.getReview().getRequired()).isTrue();
    }

    @Test
    void givenASev3_whenItResolves_thenNoReview_unlessAPersonAsks_andOnlyOnceItIsOver() {
        given(attach(alert("a", Severity.SEV3)));
        assertRejected(when(command(new RequireReview(null, null), ALICE)), "resolve the incident first");

        assertThat(when(command(new ResolveIncident(null), ALICE))).hasExactlyElementsOfTypes(IncidentResolved.class);
        given(command(new CloseIncident(null), ALICE));
        assertRejected(when(command(new RequireReview(now.minusSeconds(1), null), ALICE)), "is not in the future");
        assertThat(when(command(new RequireReview(null, "customers noticed"), ALICE))).hasExactlyElementsOfTypes(ReviewRequired.class);
        assertThat(state.getReview().getDueAt()).isEqualTo(now.plus(Duration.ofHours(48)));
        assertThat(when(command(new RequireReview(null, null), ALICE))).as("already required, no new date").isEmpty();
        Instant friday = now.plus(Duration.ofDays(4));
        assertThat(when(command(new RequireReview(friday, "after the holiday"), ALICE))).hasExactlyElementsOfTypes(ReviewRequired.class);
        assertThat(state.getReview().getDueAt()).isEqualTo(friday);
        assertThat(state.getReview().getRequestedAt()).as("still when first asked").isEqualTo(now);
    }

    @Test
    void actionItemsAreNumbered_completedOnce_andUnknownOnesRefused() {
        given(attach(alert("a", Severity.SEV3)));
        Instant due = now.plus(Duration.ofDays(14));

        assertThat(when(command(new AddActionItem("Alert on queue depth", "bob", due, ActionItemPriority.HIGH, "https://jira/OPS-1"), ALICE)))
                .singleElement().isEqualTo(new ActionItemAdded("AI-1", "Alert on queue depth", "bob", due, ActionItemPriority.HIGH, "https://jira/OPS-1"));
        given(command(new ResolveIncident(null), ALICE), command(new CloseIncident(null), ALICE));
        assertThat(when(command(new AddActionItem("Runbook for failover", "alice", due, ActionItemPriority.MEDIUM, null), ALICE)))
                .as("after close too").singleElement().extracting("actionItemId").isEqualTo("AI-2");
        assertRejected(when(command(new AddActionItem(" ", "alice", due, ActionItemPriority.LOW, null), ALICE)), "needs a title and an owner");
        assertRejected(when(command(new AddActionItem("Late", "alice", now, ActionItemPriority.LOW, null), ALICE)), "is not in the future");
        assertRejected(when(command(new CompleteActionItem("AI-9"), ALICE)), "no action item AI-9 (known: [AI-1, AI-2])");

        now = now.plus(Duration.ofDays(3));
        assertThat(when(command(new CompleteActionItem("AI-1"), ALICE))).singleElement().isEqualTo(new ActionItemCompleted("AI-1"));
        assertThat(when(command(new CompleteActionItem("AI-1"), ALICE))).isEmpty();
        assertThat(state.getActionItems()).extracting(ActionItem::getActionItemId, ActionItem::getCompletedAt)
                .containsExactly(tuple("AI-1", now), tuple("AI-2", null));
    }

    @Test
    void ticketsAreLinkedOnce_toTheIncidentOrAKnownActionItem_andTheirLimitsAreKept() {
        given(attach(alert("a", Severity.SEV2)));
        TicketRef ticket = new TicketRef("redmine", "42", "https://redmine.example/issues/42", null);
        Actor connector = Actor.newBuilder().setType(ActorType.INTEGRATION).setId("connect:redmine-ops").build();

        assertThat(when(command(new LinkTicket(ticket), connector))).singleElement().isEqualTo(new TicketLinked(ticket));
        assertThat(when(command(new LinkTicket(TicketRef.newBuilder(ticket).build()), connector))).as("a connector's retry").isEmpty();
        assertRejected(when(command(new LinkTicket(new TicketRef("redmine", "43", "https://redmine/issues/43", "AI-1")), connector)),
                "no action item AI-1");
        assertRejected(when(command(new LinkTicket(new TicketRef("redmine", "43", "javascript:alert(1)", null)), connector)),
                "must be an http(s) URL");
        assertRejected(when(command(new LinkTicket(new TicketRef(" ", "43", "https://redmine/issues/43", null)), connector)),
                "system must be 1 to 32 characters");

        given(command(new ResolveIncident(null), ALICE), command(new CloseIncident(null), ALICE),
                command(new AddActionItem("Alert on queue depth", "bob", now.plus(Duration.ofDays(7)), ActionItemPriority.HIGH, null), ALICE));
        TicketRef followUp = new TicketRef("redmine", "44", "https://redmine.example/issues/44", "AI-1");
        assertThat(when(command(new LinkTicket(followUp), connector))).as("after close").singleElement().isEqualTo(new TicketLinked(followUp));
        assertThat(state.getTickets()).containsExactly(ticket, followUp);
        assertThat(Timeline.describe(new TicketLinked(followUp))).isEqualTo("action item AI-1 ticket 44 (redmine): https://redmine.example/issues/44");
    }

    @Test
    void aPublishedReviewSatisfiesTheRequirement_andAMergedIncidentIsReviewedWithItsTarget() {
        given(attach(alert("a", Severity.SEV0)));
        assertRejected(when(command(new PublishReview("https://wiki/pir/1"), ALICE)), "resolve the incident first");
        given(command(new ResolveIncident(null), ALICE));
        now = now.plus(Duration.ofDays(1));

        assertThat(when(command(new PublishReview("https://wiki/pir/1"), ALICE))).hasExactlyElementsOfTypes(ReviewPublished.class);
        assertThat(when(command(new PublishReview("https://wiki/pir/1"), ALICE))).isEmpty();
        assertThat(state.getReview()).extracting(ReviewStatus::getRequired, ReviewStatus::getPublishedAt, ReviewStatus::getUrl)
                .containsExactly(true, now, "https://wiki/pir/1");
        assertRejected(when(command(new RequireReview(null, null), ALICE)), "already published: https://wiki/pir/1");

        id = "INC-20261122-0002";
        state = null;
        given(attach(alert("b", Severity.SEV1)));
        assertThat(when(command(new MergeIncident(ID), ALICE))).as("no review of its own").hasExactlyElementsOfTypes(IncidentMerged.class);
        assertRejected(when(command(new AddActionItem("x", "bob", now.plus(Duration.ofDays(1)), ActionItemPriority.LOW, null), ALICE)),
                "merged into " + ID + "; review that one");
    }

    @Test
    void givenAStormOf100000Alerts_thenOneIncidentCountsThemAndCarriesOnlyASample_andItResolvesAndReopens() {
        int storm = 100_000;
        given(attach(alert("node-0", Severity.SEV3)));
        int sizeWithOne = size(state);
        for (int i = 1; i < storm; i++) {
            assertThat(when(attach(alert("node-" + i, Severity.SEV3)))).hasExactlyElementsOfTypes(AlertAttached.class);
        }
        assertThat(state.getAlertCount()).isEqualTo(storm);
        assertThat(state.getFiringAlertCount()).isEqualTo(storm);
        assertThat(state.getAlerts()).hasSize(IncidentLifecycle.ALERT_SAMPLE).containsKey("node-0").doesNotContainKey("node-20");
        assertThat(size(state)).as("the state does not grow with the storm").isLessThan(sizeWithOne + 20 * 100);

        for (int i = 0; i < storm - 1; i++) {
            assertThat(when(attach(resolved("node-" + i)))).hasExactlyElementsOfTypes(AlertResolved.class);
        }
        assertThat(when(attach(resolved("node-" + (storm - 1))))).hasExactlyElementsOfTypes(AlertResolved.class, IncidentResolved.class);
        assertThat(state.getFiringAlertCount()).isZero();
        assertThat(state.getAlerts().get("node-0").getStatus()).isEqualTo(AlertStatus.RESOLVED);

        assertThat(when(attach(alert("node-99999", Severity.SEV3)))).hasExactlyElementsOfTypes(IncidentReopened.class, AlertAttached.class);
        assertThat(state.getAlertCount()).isEqualTo(storm);
        assertThat(state.getFiringAlertCount()).isEqualTo(1);
        assertThat(size(state)).isLessThan(sizeWithOne + 20 * 100);
    }

    @Test
    void givenAnIncident_whenAlertsResolveWithASettleTime_thenItStaysOpenForTheTimers() {
        lifecycle = new IncidentLifecycle(LifecyclePolicy.DEFAULT);
        given(attach(alert("a", Severity.SEV3)));

        assertThat(when(attach(resolved("a")))).hasExactlyElementsOfTypes(AlertResolved.class);
        assertThat(state.getStatus()).isEqualTo(IncidentStatus.TRIGGERED);
        assertThat(state.getAlertsQuietSince()).isEqualTo(now);
        assertThat(when(attach(alert("b", Severity.SEV3)))).as("another alert of the key joins it").hasExactlyElementsOfTypes(AlertAttached.class);
        assertThat(state.getAlertsQuietSince()).isNull();
    }

    @Test
    void givenAnIncident_whenNotesAndStatusUpdatesPileUp_thenTheyStopAtTheirCaps() {
        given(attach(alert("a", Severity.SEV3)));
        for (int i = 0; i < IncidentLifecycle.MAX_NOTES; i++) {
            given(command(new AddNote("note " + i), ALICE));
        }
        for (int i = 0; i < IncidentLifecycle.MAX_STATUS_UPDATES; i++) {
            given(command(new PostStatusUpdate("update " + i), ALICE));
        }
        assertRejected(when(command(new AddNote("one more"), ALICE)), "at most 1000 notes");
        assertRejected(when(command(new PostStatusUpdate("one more"), ALICE)), "at most 500 status updates");
        assertThat(state.getNoteCount()).isEqualTo(IncidentLifecycle.MAX_NOTES);
    }

    private static int size(IncidentState state) {
        try {
            return state.toByteBuffer().remaining();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void foldingTheLogFromTheStartRebuildsTheState() {
        given(attach(alert("a", Severity.SEV3)), attach(alert("b", Severity.SEV1)), command(new AcknowledgeIncident(null), ALICE),
                command(new AddNote("db failover"), ALICE), attach(resolved("a")), command(new AssignIncident("bob", "p2"), ALICE),
                attach(resolved("b")));
        now = now.plus(Duration.ofMinutes(5));
        given(attach(alert("a", Severity.SEV2)), command(new ResolveIncident(null), ALICE), command(new CloseIncident(null), ALICE),
                command(new AddActionItem("Failover drill", "bob", now.plus(Duration.ofDays(7)), ActionItemPriority.HIGH, null), ALICE),
                command(new CompleteActionItem("AI-1"), ALICE), command(new PublishReview("https://wiki/pir/7"), ALICE));
        assertThat(log).extracting(IncidentEvent::getPayload).as("the SEV1 needed its review").hasAtLeastOneElementOfType(ReviewRequired.class);

        IncidentFold rebuilt = new IncidentFold(lifecycle);
        log.forEach(rebuilt::apply);
        assertThat(rebuilt.state()).isEqualTo(state);
        assertThat(rebuilt.alerts()).isEqualTo(alerts);
        assertThat(log).extracting(IncidentEvent::getEventId).doesNotHaveDuplicates();
    }

    // --- given / when ---

    private void given(IncidentCommand... commandsSoFar) {
        for (IncidentCommand command : commandsSoFar) {
            when(command);
        }
    }

    private List<Object> when(IncidentCommand command) {
        AttachedAlerts lookup = (incident, fingerprint) -> alerts.get(fingerprint);
        IncidentLifecycle.Decided decided = lifecycle.decideAndFold(command, state, lookup);
        List<IncidentEvent> events = decided.events();
        assertThat(events).isEqualTo(lifecycle.decide(command, state, lookup));
        for (IncidentEvent event : events) {
            assertThat(event.getIncidentId()).isEqualTo(id);
            assertThat(event.getCauseId()).isEqualTo(command.getCommandId());
            if (!(event.getPayload() instanceof CommandRejected && state == null)) {
                String fingerprint = IncidentLifecycle.fingerprint(event);
                AttachedAlert before = fingerprint == null ? null : alerts.get(fingerprint);
                state = lifecycle.evolve(state, event, before);
                if (fingerprint != null) {
                    alerts.put(fingerprint, IncidentLifecycle.alertAfter(event, before));
                }
            }
            log.add(event);
        }
        assertThat(decided.state()).as("the state folded while deciding is the fold of the events").isEqualTo(state);
        decided.alerts().forEach((fingerprint, alert) -> assertThat(alerts.get(fingerprint)).isEqualTo(alert));
        return events.stream().map(IncidentEvent::getPayload).toList();
    }

    private static void assertRejected(List<Object> events, String reason) {
        assertThat(events).singleElement().isInstanceOfSatisfying(CommandRejected.class,
                rejected -> assertThat(rejected.getReason()).contains(reason));
    }

    private IncidentCommand attach(Alert alert) {
        return command(new AttachAlert(alert, "checkout|HighErrorRate", "payments-default", true, null), ENGINE);
    }

    private IncidentCommand command(Object payload, Actor actor) {
        return IncidentCommand.newBuilder()
                .setCommandId("cmd-" + (++commands))
                .setIncidentId(id)
                .setActor(actor)
                .setTimestamp(now)
                .setPayload(payload)
                .build();
    }

    private Alert alert(String fingerprint, Severity severity) {
        return Alert.newBuilder()
                .setFingerprint(fingerprint)
                .setStatus(AlertStatus.FIRING)
                .setSeverity(severity)
                .setSummary("summary of " + fingerprint)
                .setLabels(Map.of("alertname", "HighErrorRate", "service", "checkout"))
                .setSource("prometheus")
                .setService("checkout")
                .setStartsAt(now)
                .setReceivedAt(now)
                .setRawFormat(RawFormat.ALERTMANAGER)
                .build();
    }

    private Alert resolved(String fingerprint) {
        return Alert.newBuilder(alert(fingerprint, Severity.SEV3)).setStatus(AlertStatus.RESOLVED).setEndsAt(now).build();
    }
}
