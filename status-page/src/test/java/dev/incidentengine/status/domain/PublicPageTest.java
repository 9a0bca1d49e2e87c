package dev.incidentengine.status.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.status.domain.PublicPage.Component;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PublicPageTest {

    private static final Instant T0 = Instant.parse("2026-06-01T08:00:00Z");

    private final PageEvents log = new PageEvents("public");
    private final PublicPage page = new PublicPage("public");

    private void apply(StatusPageEvent event) {
        page.apply(event);
    }

    @Test
    void componentsAreListedInConfigOrderWithTheirGroupsAndStatuses() {
        apply(log.configured(T0, "Acme", "UTC", "api", "API", null, "eu", "EU", "Regions", "us", "US", "Regions", "web", "Website", null));
        apply(log.status(T0.plusSeconds(60), "us", ComponentStatus.OPERATIONAL, ComponentStatus.PARTIAL_OUTAGE));

        List<Component> components = page.components();

        assertThat(components).extracting(Component::id).containsExactly("api", "group-regions", "eu", "us", "web");
        assertThat(components).extracting(Component::position).containsExactly(1, 2, 3, 4, 5);
        Component group = components.get(1);
        assertThat(group.group()).isTrue();
        assertThat(group.members()).containsExactly("eu", "us");
        assertThat(group.status()).as("a group shows its worst member").isEqualTo(ComponentStatus.PARTIAL_OUTAGE);
        assertThat(components.get(3).groupId()).isEqualTo("group-regions");
        assertThat(page.overall()).isEqualTo(new PublicPage.Overall("major", "Partial System Outage"));
    }

    @Test
    void overallStatusBlendsComponentsAndUnresolvedIncidents() {
        apply(log.configured(T0, "Acme", "UTC", "api", "API", null));
        assertThat(page.overall()).isEqualTo(new PublicPage.Overall("none", "All Systems Operational"));
        apply(log.status(T0.plusSeconds(1), "api", ComponentStatus.OPERATIONAL, ComponentStatus.UNDER_MAINTENANCE));
        assertThat(page.overall()).isEqualTo(new PublicPage.Overall("maintenance", "Service Under Maintenance"));
        apply(log.status(T0.plusSeconds(2), "api", ComponentStatus.UNDER_MAINTENANCE, ComponentStatus.DEGRADED_PERFORMANCE));
        assertThat(page.overall()).isEqualTo(new PublicPage.Overall("minor", "Minor Service Outage"));
        apply(log.incident(T0.plusSeconds(3), "i1", "Down", PublicImpact.CRITICAL, PublicIncidentStatus.INVESTIGATING, T0, "Looking", List.of("api")));
        assertThat(page.overall()).isEqualTo(new PublicPage.Overall("critical", "Major System Outage"));
        apply(log.incident(T0.plusSeconds(4), "i1", "Down", PublicImpact.CRITICAL, PublicIncidentStatus.RESOLVED, T0, "Fixed", List.of("api")));
        assertThat(page.overall()).isEqualTo(new PublicPage.Overall("minor", "Minor Service Outage"));
    }

    @Test
    void anIncidentKeepsEveryUpdateNewestFirstOnceEach() {
        apply(log.configured(T0, "Acme", "UTC", "api", "API", null));
        StatusPageEvent first = log.incident(T0.plusSeconds(10), "i1", "Slow", PublicImpact.MINOR, PublicIncidentStatus.INVESTIGATING, T0, "Looking", List.of("api"));
        apply(first);
        apply(log.incident(T0.plusSeconds(20), "i1", "Slow", PublicImpact.MINOR, PublicIncidentStatus.MONITORING, T0, "Fix deployed", List.of("api")));
        assertThat(page.apply(first)).as("a record read again").isFalse();

        PublicPage.Incident incident = page.unresolvedIncidents().get(0);

        assertThat(incident.updates()).extracting(PublicPage.Update::message).containsExactly("Fix deployed", "Looking");
        assertThat(incident.monitoringAt()).isEqualTo(T0.plusSeconds(20));
        assertThat(page.version()).isEqualTo(3);
    }

    @Test
    void historyIsBoundedByTheWindowAndTheFiftyMostRecent() {
        apply(log.configured(T0, "Acme", "UTC", "api", "API", null));
        apply(log.incident(T0, "open-old", "Still open", PublicImpact.MINOR, PublicIncidentStatus.IDENTIFIED, T0, "Open", List.of()));
        // 200 resolved incidents, one a day.
        Instant at = T0;
        for (int i = 0; i < 200; i++) {
            at = T0.plus(Duration.ofDays(i + 1));
            apply(log.incident(at, "i" + i, "Incident " + i, PublicImpact.MINOR, PublicIncidentStatus.RESOLVED, at, "Resolved", List.of()));
        }

        List<PublicPage.Incident> kept = page.incidents();

        Instant windowStart = page.historyStart(at);
        assertThat(kept).filteredOn(incident -> incident.resolved() && incident.createdAt().isBefore(windowStart)).isEmpty();
        assertThat(kept).filteredOn(PublicPage.Incident::resolved).hasSize(90);
        assertThat(kept).extracting(PublicPage.Incident::id).contains("open-old");
        assertThat(page.recentIncidents()).hasSize(PublicPage.RECENT);
        assertThat(page.recentIncidents().get(0).id()).isEqualTo("i199");
    }

    @Test
    void aQuietPageKeepsItsFiftyMostRecentIncidentsWhateverTheirAge() {
        apply(log.configured(T0, "Acme", "UTC", "api", "API", null));
        for (int i = 0; i < 60; i++) {
            Instant at = T0.plus(Duration.ofDays(i));
            apply(log.incident(at, "i" + i, "Incident " + i, PublicImpact.MINOR, PublicIncidentStatus.RESOLVED, at, "Resolved", List.of()));
        }
        Instant muchLater = T0.plus(Duration.ofDays(800));
        apply(log.status(muchLater, "api", ComponentStatus.OPERATIONAL, ComponentStatus.OPERATIONAL));

        assertThat(page.incidents()).hasSize(PublicPage.RECENT);
        assertThat(page.incidents().get(PublicPage.RECENT - 1).id()).isEqualTo("i10");
    }

    @Test
    void maintenanceIsUpcomingThenActiveThenRecentAndACancelledOneLeaves() {
        apply(log.configured(T0, "Acme", "UTC", "db", "Database", null));
        Instant from = T0.plus(Duration.ofDays(2));
        Instant until = from.plus(Duration.ofHours(2));
        apply(log.maintenance(T0, "m1", "Upgrade", MaintenanceStatus.SCHEDULED, from, until, "Planned", List.of("db")));
        apply(log.maintenance(T0, "m2", "Other", MaintenanceStatus.SCHEDULED, from, until, "Planned", List.of("db")));
        assertThat(page.upcomingMaintenances()).extracting(PublicPage.Maintenance::id).containsExactlyInAnyOrder("m1", "m2");

        apply(log.maintenance(from, "m1", "Upgrade", MaintenanceStatus.IN_PROGRESS, from, until, "Started", List.of("db")));
        apply(log.maintenanceCancelled(from, "m2"));
        assertThat(page.activeMaintenances()).extracting(PublicPage.Maintenance::id).containsExactly("m1");
        assertThat(page.upcomingMaintenances()).isEmpty();

        apply(log.maintenance(until, "m1", "Upgrade", MaintenanceStatus.COMPLETED, from, until, "Done", List.of("db")));
        PublicPage.Maintenance done = page.recentMaintenances().get(0);
        assertThat(done.completedAt()).isEqualTo(until);
        assertThat(done.updates()).extracting(PublicPage.Update::status).containsExactly("completed", "in_progress", "scheduled");
    }

    @Test
    void uptimeFollowsTheComponentsStatusChanges() {
        apply(log.configured(T0, "Acme", "UTC", "api", "API", null));
        apply(log.status(T0.plus(Duration.ofDays(3)), "api", ComponentStatus.OPERATIONAL, ComponentStatus.MAJOR_OUTAGE));
        apply(log.status(T0.plus(Duration.ofDays(3)).plus(Duration.ofHours(6)), "api", ComponentStatus.MAJOR_OUTAGE, ComponentStatus.OPERATIONAL));

        List<ComponentUptime.DayUptime> days = page.uptime("api", T0.plus(Duration.ofDays(10)));

        assertThat(days).hasSize(PublicPage.HISTORY_DAYS);
        assertThat(days).filteredOn(ComponentUptime.DayUptime::hasData).hasSize(11);
        assertThat(days).filteredOn(day -> day.ms(ComponentStatus.MAJOR_OUTAGE) > 0).singleElement()
                .satisfies(day -> assertThat(day.uptimePercent()).isEqualTo(75.0));
    }
}
