package dev.incidentengine.escalation.schedule;

import java.time.Instant;
import java.util.List;

import dev.incidentengine.model.config.LayerRestriction;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ScheduleLayer;
import dev.incidentengine.model.config.ScheduleOverride;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.escalation.schedule.Configs.layer;
import static dev.incidentengine.escalation.schedule.Configs.override;
import static dev.incidentengine.escalation.schedule.Configs.schedule;
import static dev.incidentengine.escalation.schedule.Configs.window;
import static dev.incidentengine.model.config.RotationUnit.DAYS;
import static dev.incidentengine.model.config.RotationUnit.WEEKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScheduleProblemsTest {

    @Test
    void givenValidConfig_thenNoProblems() {
        ScheduleConfig config = schedule("Europe/Berlin",
                List.of(layer("weekly", 1, WEEKS, "2026-11-02T09:00:00", List.of("alice", "bob"),
                        window("22:00", "06:00", "monday ", "SUNDAY"))),
                override("carol", "2026-11-03T10:00:00Z", "2026-11-03T11:00:00Z"));

        assertThat(Schedule.problems(config)).isEmpty();
    }

    @Test
    void givenAMistakeInEachField_thenEachIsNamedByItsPath() {
        ScheduleConfig config = schedule("Mars/Olympus", List.of(
                        layer("ok", 1, WEEKS, "2026-11-02T09:00:00", List.of("alice"),
                                window("9:00", "17:00"), window("08:00", "24:00"), window("08:00", "17:00", "MONDAY", "Funday"),
                                window("12:00", "12:00")),
                        layer(" ", 0, DAYS, "x", List.of()),
                        layer("blank participant", 1, DAYS, "2026-11-02", List.of("alice", ""))),
                override("bob", "2026-11-03T11:00:00Z", "2026-11-03T11:00:00Z"),
                override(" ", "2026-11-03T11:00:00Z", "2026-11-03T12:00:00Z"));

        assertThat(Schedule.problems(config)).containsExactly(
                "timeZone: must be an IANA time zone such as Europe/Berlin, not 'Mars/Olympus'",
                "layers[0].restrictions[0].from: must be a local time HH:mm, not '9:00'",
                "layers[0].restrictions[1].to: must be a local time HH:mm, not '24:00'",
                "layers[0].restrictions[2].days[1]: must be one of MONDAY..SUNDAY, not 'Funday'",
                "layers[0].restrictions[3].to: must differ from from '12:00' (for whole days give two windows, 00:00 to 12:00 and 12:00 to 00:00)",
                "layers[1].name: must not be blank",
                "layers[1].participants: must name at least one user",
                "layers[1].rotationLength: must be at least 1, not 0",
                "layers[1].start: must be a local date-time such as 2026-11-02T09:00:00, not 'x'",
                "layers[2].participants[1]: must not be blank",
                "layers[2].start: must be a local date-time such as 2026-11-02T09:00:00, not '2026-11-02'",
                "overrides[0].end: must be after start 2026-11-03T11:00:00Z, not 2026-11-03T11:00:00Z",
                "overrides[1].userId: must not be blank");
    }

    @Test
    void givenInvalidConfig_whenCompiled_thenTheExceptionNamesTheField() {
        ScheduleConfig config = schedule("UTC", List.of(layer("weekly", 1, WEEKS, "2026-11-02T09:00:00", List.of())));

        assertThatThrownBy(() -> Schedule.of(config)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("schedule 'test': layers[0].participants: must name at least one user");
    }

    @Test
    void givenRecordsWithUnsetFields_thenProblemsNameThemInsteadOfFailing() {
        ScheduleLayer layer = new ScheduleLayer();
        layer.setRestrictions(List.of(new LayerRestriction()));
        ScheduleOverride override = new ScheduleOverride();
        override.setUserId("bob");
        override.setStart(Instant.EPOCH);
        ScheduleConfig config = new ScheduleConfig("test", "Test", null, List.of(layer), List.of(override));

        assertThat(Schedule.problems(config)).containsExactly(
                "timeZone: must be an IANA time zone such as Europe/Berlin, not 'null'",
                "layers[0].name: must not be blank",
                "layers[0].participants: must name at least one user",
                "layers[0].rotationLength: must be at least 1, not 0",
                "layers[0].rotationUnit: must be HOURS, DAYS or WEEKS",
                "layers[0].start: must be a local date-time such as 2026-11-02T09:00:00, not 'null'",
                "layers[0].restrictions[0].from: must be a local time HH:mm, not 'null'",
                "layers[0].restrictions[0].to: must be a local time HH:mm, not 'null'",
                "overrides[0].end: must be after start 1970-01-01T00:00:00Z, not null");
    }

    @Test
    void givenRecordWithoutLists_whenCompiled_thenNobodyIsEverOnCall() {
        ScheduleConfig config = new ScheduleConfig();
        config.setId("bare");
        config.setTimeZone("UTC");

        assertThat(Schedule.of(config).onCallAt(Instant.EPOCH)).isEmpty();
    }
}
