package dev.incidentengine.incident.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.CorrelationGroup;
import dev.incidentengine.model.GroupIncident;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentGroupUpdate;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.ResolveAlert;

/**
 * Which incident an alert belongs to, as pure functions over the {@link CorrelationGroup} of its
 * correlation key and the incident the alert was last attached to (kept per alert beside the group,
 * so the group stays small however many alerts its key has). An alert goes back to the incident it was attached to while that one is open or
 * resolved within the reopen window (the aggregate reopens it); otherwise it joins the newest open
 * incident of its key if that is younger than the grouping window; otherwise it opens a new one.
 */
public final class Correlation {

    /** Hands out new incident ids. */
    public interface IncidentIds {
        String next(Instant at);
    }

    /** The group after the step (null: nothing left to remember) and the command it calls for (null: none). */
    public record Outcome(CorrelationGroup group, IncidentCommand command) {
    }

    /** What decides the incident of an alert, and what a new incident opens with: from its route. */
    public record Grouping(Duration window, boolean autoResolve, String escalationPolicyId, String incidentType) {
    }

    private final Duration reopenWindow;

    public Correlation(Duration reopenWindow) {
        this.reopenWindow = reopenWindow;
    }

    /**
     * A firing alert that is news; {@code attachedTo} the incident it was last attached to (null:
     * none). {@code notInto} names an incident that refused the alert (it closed meanwhile), which
     * it must not be sent to again.
     */
    public Outcome firing(CorrelationGroup group, String key, Alert alert, String attachedTo, Grouping grouping, Instant now,
                          IncidentIds ids, String notInto) {
        CorrelationGroup next = prune(copy(group), now);
        Map<String, GroupIncident> incidents = next.getIncidents();
        String target = attachedTo;
        if (target == null || target.equals(notInto) || !takesAlerts(incidents.get(target), now)) {
            String current = next.getCurrentIncidentId();
            GroupIncident newest = current == null ? null : incidents.get(current);
            if (newest != null && !current.equals(notInto) && openAt(newest, now)
                    && now.isBefore(newest.getOpenedAt().plus(grouping.window()))) {
                target = current;
            } else {
                target = ids.next(now);
                incidents.put(target, new GroupIncident(IncidentStatus.TRIGGERED, now, null));
                next.setCurrentIncidentId(target);
            }
        }
        AttachAlert attach = new AttachAlert(alert, key, grouping.escalationPolicyId(), grouping.autoResolve(),
                grouping.incidentType());
        return new Outcome(next, command(target, "attach", alert.getFingerprint(), actor(alert), now, attach));
    }

    /** A firing alert's resolution, for the incident that holds it ({@code attachedTo}; null: none, and no command). */
    public IncidentCommand resolved(String attachedTo, String fingerprint, Actor actor, Instant endedAt, Instant now) {
        return attachedTo == null ? null
                : command(attachedTo, "resolve", fingerprint, actor, now, new ResolveAlert(fingerprint, endedAt));
    }

    /** An alert acknowledged at its source acknowledges the incident that holds it ({@code attachedTo}). */
    public IncidentCommand acknowledged(String attachedTo, String key, Alert alert, Instant now) {
        return attachedTo == null ? null
                : command(attachedTo, "ack", alert.getFingerprint(), actor(alert), now, new AttachAlert(alert, key, null, true, null));
    }

    /** An incident of the group changed status (or was merged away). */
    public CorrelationGroup update(CorrelationGroup group, IncidentGroupUpdate update) {
        if (group == null || !group.getIncidents().containsKey(update.getIncidentId())) {
            return group;
        }
        CorrelationGroup next = copy(group);
        String id = update.getIncidentId();
        if (update.getStatus() == IncidentStatus.CLOSED || update.getMergedInto() != null) {
            forget(next, id);
        } else {
            GroupIncident incident = next.getIncidents().get(id);
            next.getIncidents().put(id, new GroupIncident(update.getStatus(), incident.getOpenedAt(),
                    update.getStatus() == IncidentStatus.RESOLVED ? update.getAt() : null));
        }
        return next.getIncidents().isEmpty() ? null : next;
    }

    private boolean takesAlerts(GroupIncident incident, Instant now) {
        return incident != null && (isOpen(incident) || incident.getStatus() == IncidentStatus.RESOLVED
                && now.isBefore(incident.getResolvedAt().plus(reopenWindow)));
    }

    /** Forgets resolved incidents past their reopen window: no alert can join them any more. */
    private CorrelationGroup prune(CorrelationGroup group, Instant now) {
        group.getIncidents().entrySet().stream()
                .filter(e -> !isOpen(e.getValue()) && !takesAlerts(e.getValue(), now))
                .map(Map.Entry::getKey).toList()
                .forEach(id -> forget(group, id));
        return group;
    }

    /** Drops an incident: no alert joins it any more (a merged incident's firing alerts moved with the merge). */
    private static void forget(CorrelationGroup group, String id) {
        group.getIncidents().remove(id);
        if (id.equals(group.getCurrentIncidentId())) {
            group.setCurrentIncidentId(null);
        }
    }

    /**
     * Whether the incident was open when the alert was received: an alert held up on its way (a
     * failover, a backlog) still joins the incident that was open then, and reopens it if it has
     * resolved since, instead of opening an incident of its own.
     */
    private static boolean openAt(GroupIncident incident, Instant received) {
        return isOpen(incident) || incident.getStatus() == IncidentStatus.RESOLVED && incident.getResolvedAt().isAfter(received);
    }

    private static boolean isOpen(GroupIncident incident) {
        return incident.getStatus() == IncidentStatus.TRIGGERED || incident.getStatus() == IncidentStatus.ACKNOWLEDGED;
    }

    private static CorrelationGroup copy(CorrelationGroup group) {
        return group == null
                ? new CorrelationGroup(null, new HashMap<>(), Map.of())
                : new CorrelationGroup(group.getCurrentIncidentId(), new HashMap<>(group.getIncidents()), Map.of());
    }

    /** Command ids derive from the alert and the time, so the same input gives the same command. */
    private static IncidentCommand command(String incidentId, String kind, String fingerprint, Actor actor, Instant now,
                                           Object payload) {
        return IncidentCommand.newBuilder()
                .setCommandId(kind + ":" + fingerprint + "@" + now.toEpochMilli())
                .setIncidentId(incidentId)
                .setActor(actor)
                .setTimestamp(now)
                .setPayload(payload)
                .build();
    }

    /** The alert's integration, or the system that raised it. */
    public static Actor actor(Alert alert) {
        return alert.getIntegrationId() != null
                ? new Actor(ActorType.INTEGRATION, alert.getIntegrationId(), alert.getSource())
                : new Actor(ActorType.SYSTEM, alert.getSource(), null);
    }
}
