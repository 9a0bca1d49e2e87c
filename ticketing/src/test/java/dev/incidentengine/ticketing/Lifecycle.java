package dev.incidentengine.ticketing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.ActionItemAdded;
import dev.incidentengine.model.ActionItemCompleted;
import dev.incidentengine.model.ActionItemPriority;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AlertResolved;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.NoteAdded;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.StatusUpdatePosted;
import dev.incidentengine.model.TicketLinked;
import dev.incidentengine.model.TicketRef;

/** An incident's log, written event by event with consecutive sequence numbers, as incident-stream writes it. */
final class Lifecycle {

    static final Actor ALICE = new Actor(ActorType.USER, "alice", "Alice Example");
    static final Instant T0 = Instant.parse("2026-11-22T09:00:00Z");

    final String incidentId;
    final List<IncidentEvent> events = new ArrayList<>();

    Lifecycle(String incidentId) {
        this.incidentId = incidentId;
    }

    /** The incidents' events keyed by incident, interleaved as incidents happen at once: each incident's stay in order. */
    static List<Map.Entry<String, IncidentEvent>> interleaved(List<Lifecycle> incidents) {
        List<Map.Entry<String, IncidentEvent>> records = new ArrayList<>();
        int longest = incidents.stream().mapToInt(incident -> incident.events.size()).max().orElse(0);
        for (int i = 0; i < longest; i++) {
            for (Lifecycle incident : incidents) {
                if (i < incident.events.size()) {
                    records.add(Map.entry(incident.incidentId, incident.events.get(i)));
                }
            }
        }
        return records;
    }

    Lifecycle add(Object payload) {
        long sequence = events.size() + 1;
        events.add(IncidentEvent.newBuilder()
                .setEventId("cmd-" + incidentId + "-" + sequence + "/0")
                .setIncidentId(incidentId)
                .setSequence(sequence)
                .setTimestamp(T0.plusSeconds(sequence * 60))
                .setActor(ALICE)
                .setPayload(payload)
                .build());
        return this;
    }

    Lifecycle opened(Severity severity, String service, String title) {
        return add(new IncidentOpened(title, severity, service, null, null, Map.of(), true, null, null, java.util.Map.of(), null, null));
    }

    Lifecycle acknowledged(String message) {
        return add(new IncidentAcknowledged(message));
    }

    Lifecycle note(String text) {
        return add(new NoteAdded(text));
    }

    Lifecycle statusUpdate(String message) {
        return add(new StatusUpdatePosted(message));
    }

    Lifecycle severity(Severity from, Severity to) {
        return add(new SeverityChanged(from, to, "impact grew", true));
    }

    Lifecycle alertResolved() {
        return add(new AlertResolved("fp-1", T0));
    }

    Lifecycle resolved(String resolution) {
        return add(new IncidentResolved(resolution));
    }

    Lifecycle reopened(String reason) {
        return add(new IncidentReopened(reason));
    }

    Lifecycle closed() {
        return add(new IncidentClosed("done"));
    }

    Lifecycle actionItem(String id, String title) {
        return add(new ActionItemAdded(id, title, "alice", T0.plusSeconds(7 * 86400), ActionItemPriority.HIGH, null));
    }

    Lifecycle actionItemDone(String id) {
        return add(new ActionItemCompleted(id));
    }

    Lifecycle ticketLinked(TicketRef ticket) {
        return add(new TicketLinked(ticket));
    }

    /** A whole incident: opened, acknowledged, a note, a status update, a severity change, resolved, an action item done, closed. */
    static Lifecycle full(String incidentId) {
        return new Lifecycle(incidentId)
                .opened(Severity.SEV2, "checkout", "Checkout errors for " + incidentId)
                .acknowledged("on it")
                .note("rolled back the deploy")
                .statusUpdate("error rate back to normal")
                .severity(Severity.SEV2, Severity.SEV1)
                .alertResolved()
                .resolved("bad deploy, rolled back")
                .actionItem("AI-1", "Alert on 5xx ratio")
                .actionItemDone("AI-1")
                .closed();
    }

    /** Events of a {@link #full} lifecycle that become comments, transitions included (not the opening, the alert, the item). */
    static final int FULL_INCIDENT_COMMENTS = 6;
}
