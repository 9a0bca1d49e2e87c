package dev.incidentengine.incident.feed;

import java.util.Set;

import dev.incidentengine.model.IncidentStatus;

/**
 * Which events a change feed client wants: of these incidents (empty: any; the console's incident
 * page follows one), of incidents of these services (empty: any), and with
 * these statuses (empty: any). An event passes the status filter when the incident has one of them
 * after it, or had one before it: a live list filtered to open incidents sees the resolve that takes
 * one away. Events that carry no service or status (written before the log had them) pass.
 */
public record FeedFilter(Set<String> incidents, Set<String> services, Set<IncidentStatus> statuses) {

    public static final FeedFilter ALL = new FeedFilter(Set.of(), Set.of(), Set.of());

    public FeedFilter {
        incidents = Set.copyOf(incidents);
        services = Set.copyOf(services);
        statuses = Set.copyOf(statuses);
    }

    boolean matches(String incidentId, String service, IncidentStatus status, IncidentStatus previous) {
        if (!incidents.isEmpty() && !incidents.contains(incidentId)) {
            return false;
        }
        if (status == null) {
            return true;
        }
        if (!services.isEmpty() && (service == null || !services.contains(service))) {
            return false;
        }
        return statuses.isEmpty() || statuses.contains(status) || previous != null && statuses.contains(previous);
    }
}
