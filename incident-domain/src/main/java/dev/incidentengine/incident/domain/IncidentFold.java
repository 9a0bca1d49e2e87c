package dev.incidentengine.incident.domain;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.AttachedAlert;
import dev.incidentengine.model.CommandRejected;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentState;

/**
 * One incident folded from its log in memory, its alerts beside the state: what replays (incidentctl,
 * tests) use where the engine keeps the alerts in a store.
 */
public final class IncidentFold {

    private final IncidentLifecycle lifecycle;
    private final Map<String, AttachedAlert> alerts = new HashMap<>();
    private IncidentState state;

    public IncidentFold(IncidentLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    /** The incident so far; null before it opened. */
    public IncidentState state() {
        return state;
    }

    /** Every alert attached so far, as the incident holds it. */
    public Map<String, AttachedAlert> alerts() {
        return alerts;
    }

    /** Folds the next event of the log; a rejection before the incident exists changes nothing. */
    public IncidentFold apply(IncidentEvent event) {
        if (state == null && event.getPayload() instanceof CommandRejected) {
            return this;
        }
        String fingerprint = IncidentLifecycle.fingerprint(event);
        AttachedAlert before = fingerprint == null ? null : alerts.get(fingerprint);
        state = lifecycle.evolve(state, event, before);
        AttachedAlert after = IncidentLifecycle.alertAfter(event, before);
        if (after != null) {
            alerts.put(fingerprint, after);
        }
        return this;
    }

    /** Decides a command on the incident as folded so far, and folds its events. */
    public List<IncidentEvent> decide(IncidentCommand command) {
        IncidentLifecycle.Decided decided = lifecycle.decideAndFold(command, state, (incident, fingerprint) -> alerts.get(fingerprint));
        state = decided.state();
        alerts.putAll(decided.alerts());
        return decided.events();
    }
}
