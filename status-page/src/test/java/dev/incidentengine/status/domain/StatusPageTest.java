package dev.incidentengine.status.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.AffectedComponent;
import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.ComponentStatusChanged;
import dev.incidentengine.model.MaintenanceCancelled;
import dev.incidentengine.model.MaintenanceChanged;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.PageConfigured;
import dev.incidentengine.model.PublicIncidentChanged;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.StatusPageCommand;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.model.StatusPageState;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.StatusPageConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.model.ComponentStatus.DEGRADED_PERFORMANCE;
import static dev.incidentengine.model.ComponentStatus.MAJOR_OUTAGE;
import static dev.incidentengine.model.ComponentStatus.OPERATIONAL;
import static dev.incidentengine.model.ComponentStatus.PARTIAL_OUTAGE;
import static dev.incidentengine.model.ComponentStatus.UNDER_MAINTENANCE;
import static dev.incidentengine.status.Pages.config;
import static dev.incidentengine.status.Pages.maintenanceUpdate;
import static dev.incidentengine.status.Pages.oneOff;
import static dev.incidentengine.status.Pages.override;
import static dev.incidentengine.status.Pages.published;
import static dev.incidentengine.status.Pages.severity;
import static dev.incidentengine.status.Pages.update;
import static dev.incidentengine.status.Pages.weekly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StatusPageTest {

    private static final Instant T = Instant.parse("2026-12-05T10:00:00Z");

    private StatusPage page;
    private StatusPageState state;
    /** Every event written so far, for the sequence check. */
    private final List<StatusPageEvent> log = new ArrayList<>();

    @BeforeEach
    void setUp() {
        page = new StatusPage("public", StatusPage.Limits.DEFAULT);
        state = page.initial();
    }

    @Test
    void configNamesThePage_onceUntilItChanges() {
        assertThat(apply(page.onConfig(state, config("api", "web"), T))).singleElement().isInstanceOfSatisfying(PageConfigured.class,
                configured -> assertThat(configured.getComponents()).extracting(c -> c.getId()).containsExactly("api", "web"));
        assertThat(apply(page.onConfig(state, config("api", "web"), T))).isEmpty();
        assertThat(apply(page.onConfig(state, config("api"), T))).hasSize(1);
        assertThat(apply(page.onConfig(state, StatusPageConfig.newBuilder(config("x")).setId("other").build(), T))).as("another page").isEmpty();
    }

    @Test
    void publishedIncident_movesItsComponents_andTheUpdateTellsHow_thenResolvedLeavesTheOpenSet() {
        apply(page.onConfig(state, config("api", "web", "db"), T));
        List<Object> published = apply(page.onIncidentEvent(state, published("INC-1", 5, T, Severity.SEV1, "api", "web")));
        assertThat(published).hasSize(3);
        PublicIncidentChanged changed = (PublicIncidentChanged) published.get(0);
        assertThat(changed.getStatus()).isEqualTo(PublicIncidentStatus.INVESTIGATING);
        assertThat(changed.getCreatedAt()).isEqualTo(T);
        assertThat(changed.getResolvedAt()).isNull();
        assertThat(changed.getUpdate().getStatus()).isEqualTo("investigating");
        assertThat(changed.getUpdate().getComponents()).containsExactly(new AffectedComponent("api", OPERATIONAL, PARTIAL_OUTAGE),
                new AffectedComponent("web", OPERATIONAL, PARTIAL_OUTAGE));
        assertThat(published.get(1)).isEqualTo(new ComponentStatusChanged("api", OPERATIONAL, PARTIAL_OUTAGE, null, null, List.of("INC-1"),
                List.of()));

        List<Object> resolved = apply(page.onIncidentEvent(state, update("INC-1", 9, T.plusSeconds(600), PublicIncidentStatus.RESOLVED,
                "api", "web")));
        PublicIncidentChanged closed = (PublicIncidentChanged) resolved.get(0);
        assertThat(closed.getResolvedAt()).isEqualTo(T.plusSeconds(600));
        assertThat(closed.getCreatedAt()).isEqualTo(T);
        assertThat(resolved.subList(1, 3)).containsExactly(
                new ComponentStatusChanged("api", PARTIAL_OUTAGE, OPERATIONAL, null, null, List.of(), List.of()),
                new ComponentStatusChanged("web", PARTIAL_OUTAGE, OPERATIONAL, null, null, List.of(), List.of()));
        assertThat(state.getIncidents()).isEmpty();
        assertThat(state.getClosed()).extracting(c -> c.getIncidentId()).containsExactly("INC-1");

        List<Object> postmortem = apply(page.onIncidentEvent(state, update("INC-1", 12, T.plusSeconds(9_000), PublicIncidentStatus.POSTMORTEM,
                "api", "web")));
        assertThat(postmortem).singleElement().isInstanceOfSatisfying(PublicIncidentChanged.class, p -> {
            assertThat(p.getCreatedAt()).as("kept").isEqualTo(T);
            assertThat(p.getResolvedAt()).as("kept").isEqualTo(T.plusSeconds(600));
        });
    }

    @Test
    void overlappingIncidents_andSeverityChanges() {
        apply(page.onConfig(state, config("api"), T));
        apply(page.onIncidentEvent(state, published("A", 3, T, Severity.SEV2, "api")));
        assertThat(status("api")).isEqualTo(DEGRADED_PERFORMANCE);
        apply(page.onIncidentEvent(state, published("B", 3, T, Severity.SEV1, "api")));
        assertThat(status("api")).isEqualTo(PARTIAL_OUTAGE);
        assertThat(apply(page.onIncidentEvent(state, severity("A", 4, T, Severity.SEV2, Severity.SEV0)))).singleElement()
                .isEqualTo(new ComponentStatusChanged("api", PARTIAL_OUTAGE, MAJOR_OUTAGE, null, null, List.of("A", "B"), List.of()));
        apply(page.onIncidentEvent(state, update("A", 5, T, PublicIncidentStatus.RESOLVED, "api")));
        assertThat(status("api")).as("B still holds it").isEqualTo(PARTIAL_OUTAGE);
        assertThat(apply(page.onIncidentEvent(state, update("B", 4, T, PublicIncidentStatus.MONITORING, "web")))).as("B leaves api")
                .hasSize(2);
        assertThat(status("api")).isEqualTo(OPERATIONAL);
        assertThat(apply(page.onIncidentEvent(state, severity("Z", 4, T, Severity.SEV2, Severity.SEV0)))).as("not published").isEmpty();
    }

    @Test
    void anEventReadTwice_changesNothing() {
        apply(page.onConfig(state, config("api"), T));
        apply(page.onIncidentEvent(state, published("A", 3, T, Severity.SEV2, "api")));
        assertThat(apply(page.onIncidentEvent(state, published("A", 3, T, Severity.SEV2, "api")))).isEmpty();
        apply(page.onIncidentEvent(state, update("A", 4, T, PublicIncidentStatus.RESOLVED, "api")));
        assertThat(apply(page.onIncidentEvent(state, update("A", 4, T, PublicIncidentStatus.RESOLVED, "api")))).isEmpty();
    }

    @Test
    void anUpdateOfAnIncidentNeverPublished_isRefused() {
        StatusPage.Decision decision = page.onIncidentEvent(state, update("X", 4, T, PublicIncidentStatus.MONITORING, "api"));
        assertThat(decision.rejection()).contains("not published");
        assertThat(decision.events()).isEmpty();
    }

    @Test
    void overrides_winOnceByCommandId_andGiveItBack() {
        apply(page.onConfig(state, config("api"), T));
        apply(page.onIncidentEvent(state, published("A", 3, T, Severity.SEV2, "api")));
        assertThat(apply(page.onCommand(state, override("c1", T, "api", MAJOR_OUTAGE)))).singleElement()
                .isEqualTo(new ComponentStatusChanged("api", DEGRADED_PERFORMANCE, MAJOR_OUTAGE, MAJOR_OUTAGE, "checking", List.of("A"), List.of()));
        assertThat(apply(page.onCommand(state, override("c1", T, "api", MAJOR_OUTAGE)))).as("same id").isEmpty();
        assertThat(apply(page.onCommand(state, override("c2", T, "api", DEGRADED_PERFORMANCE)))).as("same status, override told")
                .singleElement().isEqualTo(new ComponentStatusChanged("api", MAJOR_OUTAGE, DEGRADED_PERFORMANCE, DEGRADED_PERFORMANCE, "checking",
                        List.of("A"), List.of()));
        assertThat(apply(page.onIncidentEvent(state, update("A", 4, T, PublicIncidentStatus.RESOLVED, "api")))).as("held by the override")
                .hasSize(1);
        assertThat(status("api")).isEqualTo(DEGRADED_PERFORMANCE);
        assertThat(apply(page.onCommand(state, override("c3", T, "api", null)))).singleElement()
                .isEqualTo(new ComponentStatusChanged("api", DEGRADED_PERFORMANCE, OPERATIONAL, null, null, List.of(), List.of()));
        assertThat(apply(page.onCommand(state, override("c4", T, "api", null)))).as("no override to clear").isEmpty();

        StatusPage.Decision unknown = page.onCommand(state, override("c5", T, "nope", MAJOR_OUTAGE));
        assertThat(unknown.rejection()).contains("nope");
        assertThat(unknown.state()).isSameAs(state);
        assertThat(apply(page.onCommand(state, StatusPageCommand.newBuilder(override("c6", T, "api", MAJOR_OUTAGE)).setPageId("other").build())))
                .as("another page").isEmpty();
    }

    @Test
    void maintenance_announcedNoticeDaysAhead_startsAndCompletesOnTime() {
        Instant start = T.plus(Duration.ofDays(3));
        Instant end = start.plus(Duration.ofHours(2));
        apply(page.onConfig(state, config("api", "db"), T));
        assertThat(apply(page.onSilence(state, "upgrade", oneOff("upgrade", start, end, 1, "db"), T))).as("too early to announce").isEmpty();
        assertThat(apply(page.onTime(state, start.minus(Duration.ofDays(1)).minusSeconds(1)))).isEmpty();

        List<Object> announced = apply(page.onTime(state, start.minus(Duration.ofDays(1))));
        assertThat(announced).singleElement().isInstanceOfSatisfying(MaintenanceChanged.class, m -> {
            assertThat(m.getMaintenanceId()).isEqualTo("upgrade");
            assertThat(m.getStatus()).isEqualTo(MaintenanceStatus.SCHEDULED);
            assertThat(m.getScheduledFor()).isEqualTo(start);
            assertThat(m.getScheduledUntil()).isEqualTo(end);
            assertThat(m.getUpdate().getStatus()).isEqualTo("scheduled");
            assertThat(m.getUpdate().getMessage()).isEqualTo("We will upgrade the database.");
        });
        assertThat(apply(page.onTime(state, start.minusSeconds(1)))).isEmpty();

        List<Object> started = apply(page.onTime(state, start));
        assertThat(started).hasSize(2);
        assertThat(((MaintenanceChanged) started.get(0)).getStatus()).isEqualTo(MaintenanceStatus.IN_PROGRESS);
        assertThat(((MaintenanceChanged) started.get(0)).getUpdate().getComponents()).containsExactly(
                new AffectedComponent("db", OPERATIONAL, UNDER_MAINTENANCE));
        assertThat(started.get(1)).isEqualTo(new ComponentStatusChanged("db", OPERATIONAL, UNDER_MAINTENANCE, null, null, List.of(),
                List.of("upgrade")));

        List<Object> completed = apply(page.onTime(state, end));
        assertThat(((MaintenanceChanged) completed.get(0)).getStatus()).isEqualTo(MaintenanceStatus.COMPLETED);
        assertThat(completed.get(1)).isEqualTo(new ComponentStatusChanged("db", UNDER_MAINTENANCE, OPERATIONAL, null, null, List.of(), List.of()));
        assertThat(state.getMaintenances()).isEmpty();
        assertThat(apply(page.onTime(state, end.plusSeconds(3600)))).isEmpty();
    }

    @Test
    void maintenance_announcedAtOnceWhenConfigNamesItLate_andCancelledWhenTakenAway() {
        Instant start = T.plus(Duration.ofHours(1));
        apply(page.onConfig(state, config("db"), T));
        assertThat(apply(page.onSilence(state, "upgrade", oneOff("upgrade", start, start.plusSeconds(3600), 7, "db"), T)))
                .singleElement().isInstanceOf(MaintenanceChanged.class);
        assertThat(apply(page.onSilence(state, "upgrade", null, T))).singleElement().isEqualTo(new MaintenanceCancelled("upgrade"));
        assertThat(state.getSilences()).isEmpty();
        assertThat(apply(page.onSilence(state, "plain", SilenceConfig.newBuilder(oneOff("plain", start, start.plusSeconds(60), 7)).setStatusPage(null)
                .build(), T))).as("not public").isEmpty();
    }

    @Test
    void maintenance_runningWhenConfigNamesIt_startsInProgress_andAnIncidentDuringItShows() {
        apply(page.onConfig(state, config("db"), T));
        List<Object> events = apply(page.onSilence(state, "now", oneOff("now", T.minusSeconds(60), T.plusSeconds(3600), 7, "db"), T));
        assertThat(((MaintenanceChanged) events.get(0)).getStatus()).isEqualTo(MaintenanceStatus.IN_PROGRESS);
        assertThat(status("db")).isEqualTo(UNDER_MAINTENANCE);
        apply(page.onIncidentEvent(state, published("A", 3, T, Severity.SEV2, "db")));
        assertThat(status("db")).isEqualTo(DEGRADED_PERFORMANCE);
        apply(page.onIncidentEvent(state, update("A", 4, T, PublicIncidentStatus.RESOLVED, "db")));
        assertThat(status("db")).isEqualTo(UNDER_MAINTENANCE);
    }

    @Test
    void maintenanceUpdates_byPeople_verifyingThenCompletedEarly() {
        Instant start = T.plus(Duration.ofHours(1));
        apply(page.onConfig(state, config("db"), T));
        apply(page.onSilence(state, "upgrade", oneOff("upgrade", start, start.plusSeconds(7200), 7, "db"), T));
        assertThat(page.onCommand(state, maintenanceUpdate("m0", T, "other", MaintenanceStatus.VERIFYING)).rejection()).contains("other");
        apply(page.onTime(state, start));
        assertThat(page.onCommand(state, maintenanceUpdate("m1", start, "upgrade", MaintenanceStatus.SCHEDULED)).rejection())
                .contains("cannot be scheduled again");
        List<Object> verifying = apply(page.onCommand(state, maintenanceUpdate("m2", start, "upgrade", MaintenanceStatus.VERIFYING)));
        assertThat(verifying).singleElement().isInstanceOfSatisfying(MaintenanceChanged.class, m -> {
            assertThat(m.getUpdate().getId()).isEqualTo("m2");
            assertThat(m.getUpdate().getStatus()).isEqualTo("verifying");
        });
        List<Object> completed = apply(page.onCommand(state, maintenanceUpdate("m3", start, "upgrade", MaintenanceStatus.COMPLETED)));
        assertThat(completed).hasSize(2);
        assertThat(status("db")).isEqualTo(OPERATIONAL);
        assertThat(apply(page.onTime(state, start.plusSeconds(60)))).as("not announced again").isEmpty();
        assertThat(page.onCommand(state, maintenanceUpdate("m4", start, "upgrade", MaintenanceStatus.VERIFYING)).rejection()).contains("over");
    }

    @Test
    void weeklyMaintenance_eachOccurrenceInTurn() {
        // Tuesdays 02:00-03:00 UTC, announced a day ahead; 2026-12-08 is a Tuesday.
        apply(page.onConfig(state, config("db"), T));
        assertThat(apply(page.onSilence(state, "tue", weekly("tue", List.of("TUESDAY"), "02:00", "03:00", "UTC", 1, "db"), T))).isEmpty();
        Instant first = Instant.parse("2026-12-08T02:00:00Z");
        assertThat(apply(page.onTime(state, first.minus(Duration.ofDays(1))))).singleElement()
                .isInstanceOfSatisfying(MaintenanceChanged.class, m -> assertThat(m.getMaintenanceId()).isEqualTo("tue@2026-12-08"));
        apply(page.onTime(state, first));
        assertThat(status("db")).isEqualTo(UNDER_MAINTENANCE);
        List<Object> done = apply(page.onTime(state, first.plus(Duration.ofHours(1))));
        assertThat(done).hasSize(2);
        assertThat(((MaintenanceChanged) done.get(0)).getStatus()).isEqualTo(MaintenanceStatus.COMPLETED);
        Instant second = Instant.parse("2026-12-15T02:00:00Z");
        assertThat(apply(page.onTime(state, second.minus(Duration.ofDays(1))))).singleElement()
                .isInstanceOfSatisfying(MaintenanceChanged.class, m -> {
                    assertThat(m.getMaintenanceId()).isEqualTo("tue@2026-12-15");
                    assertThat(m.getScheduledFor()).isEqualTo(second);
                });
        // Completed early by a person: the one after is announced when its notice comes, not this one again.
        apply(page.onTime(state, second));
        apply(page.onCommand(state, maintenanceUpdate("done", second, "tue@2026-12-15", MaintenanceStatus.COMPLETED)));
        assertThat(apply(page.onTime(state, second.plusSeconds(60)))).isEmpty();
        assertThat(apply(page.onTime(state, Instant.parse("2026-12-21T02:00:00Z")))).singleElement()
                .isInstanceOfSatisfying(MaintenanceChanged.class, m -> assertThat(m.getMaintenanceId()).isEqualTo("tue@2026-12-22"));
    }

    @Test
    void aResolvedIncidentReopened_holdsItsComponentsAgain_atItsLatestSeverity() {
        apply(page.onConfig(state, config("api"), T));
        apply(page.onIncidentEvent(state, published("A", 3, T, Severity.SEV2, "api")));
        apply(page.onIncidentEvent(state, update("A", 4, T.plusSeconds(60), PublicIncidentStatus.RESOLVED, "api")));
        assertThat(apply(page.onIncidentEvent(state, severity("A", 5, T, Severity.SEV2, Severity.SEV0)))).as("nothing to show").isEmpty();
        List<Object> reopened = apply(page.onIncidentEvent(state, update("A", 6, T.plusSeconds(120), PublicIncidentStatus.INVESTIGATING,
                "api")));
        assertThat(((PublicIncidentChanged) reopened.get(0)).getResolvedAt()).isNull();
        assertThat(((PublicIncidentChanged) reopened.get(0)).getCreatedAt()).isEqualTo(T);
        assertThat(status("api")).isEqualTo(MAJOR_OUTAGE);
        assertThat(state.getClosed()).isEmpty();
    }

    @Test
    void configChanges_recomputeTheComponents() {
        apply(page.onConfig(state, config("api", "web"), T));
        apply(page.onIncidentEvent(state, published("A", 3, T, Severity.SEV2, "api", "web")));
        StatusPageConfig quieter = StatusPageConfig.newBuilder(config("api", "web")).setSeverityStatus(Map.of("SEV2", PARTIAL_OUTAGE)).build();
        assertThat(apply(page.onConfig(state, quieter, T))).as("same page, other statuses").containsExactly(
                new ComponentStatusChanged("api", DEGRADED_PERFORMANCE, PARTIAL_OUTAGE, null, null, List.of("A"), List.of()),
                new ComponentStatusChanged("web", DEGRADED_PERFORMANCE, PARTIAL_OUTAGE, null, null, List.of("A"), List.of()));
        List<Object> added = apply(page.onConfig(state, StatusPageConfig.newBuilder(quieter).setComponents(config("api", "db").getComponents())
                .build(), T));
        assertThat(added).hasSize(1).first().isInstanceOf(PageConfigured.class);
        assertThat(state.getComponents()).extracting(c -> c.getId()).containsExactly("api", "db");
    }

    @Test
    void aWindowMovedByConfig_isTheSameMaintenanceMoved_orAnotherOccurrence() {
        Instant start = T.plus(Duration.ofHours(2));
        apply(page.onConfig(state, config("db"), T));
        apply(page.onSilence(state, "upgrade", oneOff("upgrade", start, start.plusSeconds(3600), 7, "db"), T));
        assertThat(apply(page.onSilence(state, "upgrade", oneOff("upgrade", start.plusSeconds(600), start.plusSeconds(3600), 7, "db"), T)))
                .singleElement().isInstanceOfSatisfying(MaintenanceChanged.class, m -> {
                    assertThat(m.getScheduledFor()).isEqualTo(start.plusSeconds(600));
                    assertThat(m.getUpdate()).as("same message: no update").isNull();
                });
        apply(page.onSilence(state, "wk", weekly("wk", List.of("TUESDAY"), "02:00", "03:00", "UTC", 7, "db"), T));
        List<Object> moved = apply(page.onSilence(state, "wk", weekly("wk", List.of("WEDNESDAY"), "02:00", "03:00", "UTC", 7, "db"), T));
        assertThat(moved).hasSize(2);
        assertThat(moved.get(0)).isEqualTo(new MaintenanceCancelled("wk@2026-12-08"));
        assertThat(moved.get(1)).isInstanceOfSatisfying(MaintenanceChanged.class, m -> {
            assertThat(m.getMaintenanceId()).isEqualTo("wk@2026-12-09");
            assertThat(m.getStatus()).isEqualTo(MaintenanceStatus.SCHEDULED);
        });
    }

    @Test
    void aSilenceThatIsNoWindow_isRefused() {
        StatusPage.Decision decision = page.onSilence(state, "bad", oneOff("bad", T, null, 1, "db"), T);
        assertThat(decision.rejection()).contains("startsAt and endsAt");
        assertThat(decision.state()).isSameAs(state);
    }

    @Test
    void caps_bindTheState_andSayWhichWasPassed() {
        page = new StatusPage("public", new StatusPage.Limits(2, 2, 1, 2, 3));
        state = page.initial();
        assertThatThrownBy(() -> page.onConfig(state, config("a", "b", "c"), T)).isInstanceOf(StatusPage.LimitExceeded.class)
                .hasMessageContaining("3 components");
        apply(page.onConfig(state, config("a", "b"), T));
        apply(page.onIncidentEvent(state, published("I1", 1, T, Severity.SEV2, "a")));
        apply(page.onIncidentEvent(state, published("I2", 1, T, Severity.SEV2, "a")));
        assertThatThrownBy(() -> page.onIncidentEvent(state, published("I3", 1, T, Severity.SEV2, "a")))
                .isInstanceOf(StatusPage.LimitExceeded.class).hasMessageContaining("I3");
        for (int i = 1; i <= 2; i++) {
            apply(page.onIncidentEvent(state, update("I" + i, 2, T, PublicIncidentStatus.RESOLVED, "a")));
        }
        apply(page.onIncidentEvent(state, published("I3", 1, T, Severity.SEV2, "a")));
        apply(page.onIncidentEvent(state, update("I3", 2, T, PublicIncidentStatus.RESOLVED, "a")));
        assertThat(state.getClosed()).extracting(c -> c.getIncidentId()).as("the last resolved").containsExactly("I2", "I3");

        apply(page.onSilence(state, "s1", oneOff("s1", T.plus(Duration.ofDays(30)), T.plus(Duration.ofDays(31)), 1, "a"), T));
        assertThatThrownBy(() -> page.onSilence(state, "s2", oneOff("s2", T.plus(Duration.ofDays(30)), T.plus(Duration.ofDays(31)), 1, "a"), T))
                .isInstanceOf(StatusPage.LimitExceeded.class).hasMessageContaining("s2");

        for (int i = 0; i < 5; i++) {
            apply(page.onCommand(state, override("c" + i, T, "a", i % 2 == 0 ? MAJOR_OUTAGE : null)));
        }
        assertThat(state.getRecentCommandIds()).containsExactly("c2", "c3", "c4");
    }

    /** Applies a decision: checks its sequences follow the log's, keeps its state, returns its payloads. */
    private List<Object> apply(StatusPage.Decision decision) {
        assertThat(decision.rejection()).isNull();
        for (StatusPageEvent event : decision.events()) {
            assertThat(event.getSequence()).isEqualTo(log.size() + 1);
            assertThat(event.getEventId()).isEqualTo("public:" + event.getSequence());
            log.add(event);
        }
        assertThat(decision.state().getSequence()).isEqualTo(log.size());
        state = decision.state();
        return decision.events().stream().map(StatusPageEvent::getPayload).toList();
    }

    private ComponentStatus status(String id) {
        return state.getComponents().stream().filter(c -> c.getId().equals(id)).findFirst().orElseThrow().getStatus();
    }
}
