package dev.incidentengine.incident.routing;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.incidentengine.model.Alert;

/**
 * A route as applied to alerts.
 *
 * @param id the route's id, the first part of its correlation keys
 * @param groupBy labels whose values form the correlation key
 * @param groupWindow an alert joins the open incident of its key when that incident is younger than this
 * @param autoResolve resolve the incident when all its alerts have resolved
 * @param escalationPolicyId the policy of its incidents, or null for the service's
 * @param service overrides the service the alert came with, or null
 * @param incidentType the type of the incidents it opens, or null
 */
public record Route(String id, List<String> groupBy, Duration groupWindow, boolean autoResolve, String escalationPolicyId,
                   String service, String incidentType) {

    /** Where the correlation keys of drills begin (see {@link #correlationKey}). */
    public static final String DRILL_KEY_PREFIX = "|drill|";

    public static final Route DEFAULT = new Route("default", List.of("service", "alertname"), Duration.ofMinutes(5), true,
            null, null, null);

    public Route {
        Objects.requireNonNull(id, "id");
        groupBy = List.copyOf(groupBy);
        if (groupBy.isEmpty() || groupBy.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("groupBy must name at least one label and no blank one, not " + groupBy);
        }
        if (groupWindow.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("group window must be at least 1 minute, not " + groupWindow);
        }
    }

    /**
     * The correlation key of an alert on this route: route id, then each group-by label=value, e.g.
     * "default|service=checkout|alertname=HighLatency"; an absent label gives an empty value. Label values are
     * read with {@link AlertMatcher#labelValue}; a backslash or '|' inside the id, a label or a value is
     * escaped with a backslash so that different alerts cannot collide.
     *
     * <p>A drill's alert is keyed by itself, {@value #DRILL_KEY_PREFIX} and its fingerprint (one per drill): no route's key
     * begins with '|' (an id's is escaped), so a drill never joins a real incident, nor a real alert a drill.
     */
    public String correlationKey(Alert alert) {
        if (alert.getDrill() != null) {
            return DRILL_KEY_PREFIX + escape(alert.getFingerprint());
        }
        StringBuilder key = new StringBuilder(escape(id));
        for (String label : groupBy) {
            String value = AlertMatcher.labelValue(alert, label);
            key.append('|').append(escape(label)).append('=').append(value == null ? "" : escape(value));
        }
        return key.toString();
    }

    private static String escape(String text) {
        return text.indexOf('\\') < 0 && text.indexOf('|') < 0 ? text : text.replace("\\", "\\\\").replace("|", "\\|");
    }
}
