package dev.incidentengine.incident.domain;

import dev.incidentengine.model.AttachedAlert;
import dev.incidentengine.model.IncidentState;

/**
 * An incident's attached alerts, kept beside its state and looked up one at a time: an alert costs
 * the same whether its incident holds one alert or a hundred thousand. The state carries only the
 * counts and a sample ({@link IncidentLifecycle#ALERT_SAMPLE}).
 */
@FunctionalInterface
public interface AttachedAlerts {

    /** How {@code incident} holds the alert, or null when it is not attached to it. */
    AttachedAlert get(IncidentState incident, String fingerprint);
}
