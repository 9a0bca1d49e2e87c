package dev.incidentengine.status.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.LiveMaintenance;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.OpenPublicIncident;
import dev.incidentengine.model.PublicIncidentStatus;

/**
 * A component's status, from what holds it: a person's override if one is set; else the worst of what the unresolved
 * public incidents that list it make of it ({@code severityStatus[severity]}) and, while a maintenance covering it is in
 * progress (or verifying), under_maintenance; else operational.
 *
 * <p>Worst first: major_outage, partial_outage, degraded_performance, under_maintenance, operational. An incident during
 * maintenance therefore shows: maintenance is downtime people were told of, an incident is news they were not, and a
 * page that said "under maintenance" through an outage the maintenance did not plan would hide it. (Statuspage itself
 * leaves the choice to whoever updates the page; the engine makes it the same way every time.)
 */
public final class ComponentStatuses {

    /** Worst first. */
    private static final List<ComponentStatus> WORST_FIRST = List.of(ComponentStatus.MAJOR_OUTAGE, ComponentStatus.PARTIAL_OUTAGE,
            ComponentStatus.DEGRADED_PERFORMANCE, ComponentStatus.UNDER_MAINTENANCE, ComponentStatus.OPERATIONAL);

    private ComponentStatuses() {
    }

    /** The component's status and what holds it: the incidents and maintenance that move it, and the override it follows. */
    public record Derived(ComponentStatus status, ComponentStatus override, List<String> incidentIds, List<String> maintenanceIds) {
    }

    /** How bad a status is: higher is worse. */
    public static int severity(ComponentStatus status) {
        return WORST_FIRST.size() - 1 - WORST_FIRST.indexOf(status);
    }

    public static ComponentStatus worse(ComponentStatus a, ComponentStatus b) {
        return severity(a) >= severity(b) ? a : b;
    }

    public static boolean unresolved(PublicIncidentStatus status) {
        return status != PublicIncidentStatus.RESOLVED && status != PublicIncidentStatus.POSTMORTEM;
    }

    public static boolean running(MaintenanceStatus status) {
        return status == MaintenanceStatus.IN_PROGRESS || status == MaintenanceStatus.VERIFYING;
    }

    /**
     * @param override       a person's override of the component, or null
     * @param incidents      the open public incidents (others are skipped)
     * @param maintenances   the announced maintenance (only running ones count)
     * @param severityStatus from config, by severity name; a severity not named leaves the component operational
     */
    public static Derived derive(String componentId, ComponentStatus override, Collection<OpenPublicIncident> incidents,
                                 Collection<LiveMaintenance> maintenances, Map<String, ComponentStatus> severityStatus) {
        ComponentStatus status = ComponentStatus.OPERATIONAL;
        List<String> incidentIds = new ArrayList<>();
        for (OpenPublicIncident incident : incidents) {
            ComponentStatus made = severityStatus.get(incident.getSeverity().name());
            if (made != null && made != ComponentStatus.OPERATIONAL && unresolved(incident.getStatus())
                    && incident.getComponents().contains(componentId)) {
                incidentIds.add(incident.getIncidentId());
                status = worse(status, made);
            }
        }
        List<String> maintenanceIds = new ArrayList<>();
        for (LiveMaintenance maintenance : maintenances) {
            if (running(maintenance.getStatus()) && maintenance.getComponents().contains(componentId)) {
                maintenanceIds.add(maintenance.getId());
                status = worse(status, ComponentStatus.UNDER_MAINTENANCE);
            }
        }
        return new Derived(override != null ? override : status, override, List.copyOf(incidentIds), List.copyOf(maintenanceIds));
    }
}
