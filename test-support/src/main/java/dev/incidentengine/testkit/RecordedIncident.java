package dev.incidentengine.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.incidentengine.model.ActionItemAdded;
import dev.incidentengine.model.ActionItemCompleted;
import dev.incidentengine.model.ActionItemPriority;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.NoteAdded;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.ReviewRequired;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.StatusUpdatePosted;

import static dev.incidentengine.testkit.Samples.ALICE;
import static dev.incidentengine.testkit.Samples.T0;
import static dev.incidentengine.testkit.Samples.escalated;
import static dev.incidentengine.testkit.Samples.event;
import static dev.incidentengine.testkit.Samples.opened;
import static dev.incidentengine.testkit.Samples.plan;

/**
 * A recorded incident's log and deliveries, read by the timeline, review and report tests of the
 * domain and of {@code incidentctl} against their golden files.
 */
public final class RecordedIncident {

    public static final String ID = "INC-20261122-3-0007";

    private RecordedIncident() {
    }

    /**
     * Detection at T0, opened 2 s later, paged, acknowledged at 4 min, a severity rise, notes and updates, resolved (a SEV1: its
     * review required), two action items, closed, one action item done; the review is never published.
     */
    public static List<IncidentEvent> events() {
        return List.of(
                opened(ID, "e1").setTimestamp(T0.plusSeconds(2)).build(),
                event(ID, "e2", T0.plusSeconds(2), new AlertAttached(Samples.alert("fp-checkout-5xx").setStartsAt(T0).build())),
                escalated(ID, "e3", T0.plusSeconds(3), 0, plan("alice", "EMAIL", 0, "SMS", 5)),
                by(ALICE, event(ID, "e4", T0.plusSeconds(252), new IncidentAcknowledged("on it"))),
                by(ALICE, event(ID, "e5", T0.plusSeconds(300), new SeverityChanged(Severity.SEV2, Severity.SEV1, "customers affected", true))),
                by(ALICE, event(ID, "e6", T0.plusSeconds(420), new NoteAdded("rolled back deploy 1234"))),
                by(ALICE, event(ID, "e7", T0.plusSeconds(480), new StatusUpdatePosted("Checkout recovering"))),
                by(ALICE, event(ID, "e8", T0.plusSeconds(1_500), new IncidentResolved("rollback"))),
                by(ALICE, event(ID, "e9", T0.plusSeconds(1_500), new ReviewRequired(true, T0.plusSeconds(1_500 + 48 * 3_600),
                        "SEV1 incidents are reviewed"))),
                by(ALICE, event(ID, "e10", T0.plusSeconds(3_600), new ActionItemAdded("AI-1", "Canary the checkout deploy", "bob",
                        T0.plus(Duration.ofDays(14)), ActionItemPriority.HIGH, "https://tickets.example.com/OPS-7"))),
                by(ALICE, event(ID, "e11", T0.plusSeconds(3_660), new ActionItemAdded("AI-2", "Alert on 5xx | by route", "alice",
                        T0.plus(Duration.ofDays(3)), ActionItemPriority.MEDIUM, null))),
                event(ID, "e12", T0.plusSeconds(90_000), new IncidentClosed("resolved for 24 h")),
                by(ALICE, event(ID, "e13", T0.plus(Duration.ofDays(2)), new ActionItemCompleted("AI-1"))));
    }

    /** Two deliveries and a failed one. */
    public static List<NotificationResult> results() {
        return List.of(
                result("e1:payments-room:webhook:0", "e1", "opened", "payments-room", "webhook", 0, DeliveryOutcome.DELIVERED, 1, 35, null,
                        T0.plusSeconds(3)),
                result("e3:alice:email:0", "e3", "page", "alice", "email", 0, DeliveryOutcome.DELIVERED, 1, 120, null, T0.plusSeconds(4)),
                result("e4:payments-room:webhook:0", "e4", "acknowledged", "payments-room", "webhook", 0, DeliveryOutcome.FAILED, 5, 31_000,
                        "HTTP 503 (gave up after 5 attempts)", T0.plusSeconds(283)));
    }

    /** The event, by {@code actor}. */
    public static IncidentEvent by(Actor actor, IncidentEvent event) {
        event.setActor(actor);
        return event;
    }

    public static NotificationResult result(String deliveryId, String eventId, String kind, String target, String channel, int step,
            DeliveryOutcome outcome, int attempts, long latency, String error, Instant at) {
        return NotificationResult.newBuilder().setDeliveryId(deliveryId).setIncidentId(ID).setEventId(eventId).setKind(kind)
                .setTarget(target).setChannel(channel).setStep(step).setOutcome(outcome).setAttempts(attempts).setLatencyMillis(latency)
                .setError(error).setTimestamp(at).build();
    }
}
