package dev.incidentengine.status.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.LiveMaintenance;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.OpenPublicIncident;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.Severity;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.model.ComponentStatus.DEGRADED_PERFORMANCE;
import static dev.incidentengine.model.ComponentStatus.MAJOR_OUTAGE;
import static dev.incidentengine.model.ComponentStatus.OPERATIONAL;
import static dev.incidentengine.model.ComponentStatus.PARTIAL_OUTAGE;
import static dev.incidentengine.model.ComponentStatus.UNDER_MAINTENANCE;
import static org.assertj.core.api.Assertions.assertThat;

class ComponentStatusesTest {

    private static final Map<String, ComponentStatus> SEVERITY_STATUS = Map.of("SEV0", MAJOR_OUTAGE, "SEV1", PARTIAL_OUTAGE,
            "SEV2", DEGRADED_PERFORMANCE);
    private static final Instant T = Instant.parse("2026-12-05T10:00:00Z");

    @Test
    void worstOrder_majorPartialDegradedMaintenanceOperational() {
        assertThat(List.of(OPERATIONAL, UNDER_MAINTENANCE, DEGRADED_PERFORMANCE, PARTIAL_OUTAGE, MAJOR_OUTAGE))
                .isSortedAccordingTo((a, b) -> Integer.compare(ComponentStatuses.severity(a), ComponentStatuses.severity(b)));
        assertThat(ComponentStatuses.worse(UNDER_MAINTENANCE, DEGRADED_PERFORMANCE)).isEqualTo(DEGRADED_PERFORMANCE);
        assertThat(ComponentStatuses.worse(OPERATIONAL, UNDER_MAINTENANCE)).isEqualTo(UNDER_MAINTENANCE);
        assertThat(ComponentStatuses.worse(MAJOR_OUTAGE, PARTIAL_OUTAGE)).isEqualTo(MAJOR_OUTAGE);
    }

    @Test
    void nothingHoldsIt_operational() {
        assertThat(derive("api", null, List.of(), List.of())).isEqualTo(new ComponentStatuses.Derived(OPERATIONAL, null, List.of(), List.of()));
    }

    @Test
    void overlappingIncidents_theWorstWins_andEachIsNamed() {
        var derived = derive("api", null, List.of(incident("a", Severity.SEV2, "api"), incident("b", Severity.SEV1, "api", "web"),
                incident("c", Severity.SEV0, "web")), List.of());
        assertThat(derived.status()).isEqualTo(PARTIAL_OUTAGE);
        assertThat(derived.incidentIds()).containsExactly("a", "b");
    }

    @Test
    void resolvedIncidentsAndUnmappedSeverities_leaveItOperational() {
        var resolved = new OpenPublicIncident("r", PublicIncidentStatus.RESOLVED, Severity.SEV0, List.of("api"), T, 1L);
        var postmortem = new OpenPublicIncident("p", PublicIncidentStatus.POSTMORTEM, Severity.SEV0, List.of("api"), T, 1L);
        assertThat(derive("api", null, List.of(resolved, postmortem, incident("s4", Severity.SEV4, "api")), List.of()).status())
                .isEqualTo(OPERATIONAL);
    }

    @Test
    void maintenanceInProgress_underMaintenance_unlessAnIncidentIsWorse() {
        List<LiveMaintenance> running = List.of(maintenance("m", MaintenanceStatus.IN_PROGRESS, "api"));
        assertThat(derive("api", null, List.of(), running).status()).isEqualTo(UNDER_MAINTENANCE);
        var both = derive("api", null, List.of(incident("a", Severity.SEV2, "api")), running);
        assertThat(both.status()).isEqualTo(DEGRADED_PERFORMANCE);
        assertThat(both.incidentIds()).containsExactly("a");
        assertThat(both.maintenanceIds()).containsExactly("m");
        assertThat(derive("api", null, List.of(), List.of(maintenance("v", MaintenanceStatus.VERIFYING, "api"))).status())
                .as("verifying still runs").isEqualTo(UNDER_MAINTENANCE);
        assertThat(derive("api", null, List.of(), List.of(maintenance("s", MaintenanceStatus.SCHEDULED, "api"))).status())
                .as("scheduled does not").isEqualTo(OPERATIONAL);
        assertThat(derive("web", null, List.of(), running).status()).as("another component").isEqualTo(OPERATIONAL);
    }

    @Test
    void anOverrideWins_overIncidentsAndMaintenance_whichStayNamed() {
        var derived = derive("api", OPERATIONAL, List.of(incident("a", Severity.SEV0, "api")),
                List.of(maintenance("m", MaintenanceStatus.IN_PROGRESS, "api")));
        assertThat(derived).isEqualTo(new ComponentStatuses.Derived(OPERATIONAL, OPERATIONAL, List.of("a"), List.of("m")));
        assertThat(derive("api", MAJOR_OUTAGE, List.of(), List.of()).status()).isEqualTo(MAJOR_OUTAGE);
    }

    private static ComponentStatuses.Derived derive(String id, ComponentStatus override, List<OpenPublicIncident> incidents,
                                                    List<LiveMaintenance> maintenances) {
        return ComponentStatuses.derive(id, override, incidents, maintenances, SEVERITY_STATUS);
    }

    private static OpenPublicIncident incident(String id, Severity severity, String... components) {
        return new OpenPublicIncident(id, PublicIncidentStatus.INVESTIGATING, severity, List.of(components), T, 1L);
    }

    private static LiveMaintenance maintenance(String id, MaintenanceStatus status, String... components) {
        return new LiveMaintenance(id, id, "t", "m", status, List.of(components), T, T.plusSeconds(3600));
    }
}
