package dev.incidentengine.escalation.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.incidentengine.model.config.ScheduleLayer;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.escalation.schedule.Configs.layer;
import static dev.incidentengine.escalation.schedule.Configs.local;
import static dev.incidentengine.escalation.schedule.Configs.override;
import static dev.incidentengine.escalation.schedule.Configs.schedule;
import static dev.incidentengine.escalation.schedule.Configs.utc;
import static dev.incidentengine.escalation.schedule.Configs.window;
import static dev.incidentengine.model.config.RotationUnit.DAYS;
import static dev.incidentengine.model.config.RotationUnit.HOURS;
import static dev.incidentengine.model.config.RotationUnit.WEEKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class ScheduleTest {

    private static final String BERLIN = "Europe/Berlin";

    // --- rotations

    @Test
    void givenWeeklyRotation_whenHandoffPasses_thenNextParticipant() {
        Schedule schedule = Schedule.of(schedule(BERLIN,
                List.of(layer("weekly", 1, WEEKS, "2026-11-02T09:00:00", List.of("alice", "bob")))));

        assertThat(schedule.onCallAt(utc("2026-11-02T08:00:00Z"))).contains("alice");
        assertThat(schedule.onCallAt(utc("2026-11-09T07:59:59.999Z"))).contains("alice");
        assertThat(schedule.onCallAt(utc("2026-11-09T08:00:00Z"))).contains("bob");
        assertThat(schedule.onCallAt(utc("2026-11-16T08:00:00Z"))).as("cycles back").contains("alice");
        assertThat(schedule.shifts(utc("2026-11-01T00:00:00Z"), utc("2026-11-23T08:00:00Z"))).containsExactly(
                new Shift(utc("2026-11-01T00:00:00Z"), utc("2026-11-02T08:00:00Z"), null, null),
                new Shift(utc("2026-11-02T08:00:00Z"), utc("2026-11-09T08:00:00Z"), "alice", "weekly"),
                new Shift(utc("2026-11-09T08:00:00Z"), utc("2026-11-16T08:00:00Z"), "bob", "weekly"),
                new Shift(utc("2026-11-16T08:00:00Z"), utc("2026-11-23T08:00:00Z"), "alice", "weekly"));
    }

    @Test
    void givenTwoDayRotationOfThree_whenDaysPass_thenParticipantsCycle() {
        Schedule schedule = Schedule.of(schedule("UTC",
                List.of(layer("days", 2, DAYS, "2026-11-02T06:00:00", List.of("a", "b", "c")))));

        assertThat(schedule.shifts(utc("2026-11-02T06:00:00Z"), utc("2026-11-10T06:00:00Z")))
                .extracting(Shift::userId, shift -> Duration.between(shift.start(), shift.end()).toDays())
                .containsExactly(tuple("a", 2L), tuple("b", 2L), tuple("c", 2L), tuple("a", 2L));
    }

    @Test
    void givenHourlyRotation_whenHoursPass_thenParticipantsCycle() {
        Schedule schedule = Schedule.of(schedule("UTC",
                List.of(layer("hours", 8, HOURS, "2026-11-02T00:00:00", List.of("a", "b", "c")))));

        assertThat(schedule.onCallAt(utc("2026-11-02T07:59:00Z"))).contains("a");
        assertThat(schedule.onCallAt(utc("2026-11-02T08:00:00Z"))).contains("b");
        assertThat(schedule.onCallAt(utc("2026-11-02T16:00:00Z"))).contains("c");
        assertThat(schedule.onCallAt(utc("2026-11-03T00:00:00Z"))).contains("a");
        assertThat(schedule.onCallAt(utc("2026-12-02T00:00:00Z"))).as("30 days = 90 shifts later").contains("a");
    }

    @Test
    void givenLayerStartingLater_whenBeforeItsStart_thenNobodyIsOnCall() {
        Schedule schedule = Schedule.of(schedule("UTC",
                List.of(layer("weekly", 1, WEEKS, "2026-11-02T09:00:00", List.of("alice", "bob")))));

        assertThat(schedule.onCallAt(utc("2026-11-02T08:59:59Z"))).isEmpty();
        assertThat(schedule.onCallAt(utc("2020-01-01T00:00:00Z"))).isEmpty();
        assertThat(schedule.onCallAt(utc("2026-11-02T09:00:00Z"))).contains("alice");
    }

    // --- restrictions

    @Test
    void givenOvernightRestriction_whenADayPasses_thenOnCallOnlyInsideTheWindow() {
        Schedule schedule = Schedule.of(schedule("UTC",
                List.of(layer("nights", 1, WEEKS, "2026-11-02T00:00:00", List.of("nora"), window("22:00", "06:00")))));

        assertThat(schedule.shifts(utc("2026-11-03T00:00:00Z"), utc("2026-11-04T12:00:00Z"))).containsExactly(
                new Shift(utc("2026-11-03T00:00:00Z"), utc("2026-11-03T06:00:00Z"), "nora", "nights"),
                new Shift(utc("2026-11-03T06:00:00Z"), utc("2026-11-03T22:00:00Z"), null, null),
                new Shift(utc("2026-11-03T22:00:00Z"), utc("2026-11-04T06:00:00Z"), "nora", "nights"),
                new Shift(utc("2026-11-04T06:00:00Z"), utc("2026-11-04T12:00:00Z"), null, null));
    }

    @Test
    void givenOvernightWindowOnFridays_whenItRunsIntoSaturday_thenTheDayItStartsOnCounts() {
        Schedule schedule = Schedule.of(schedule("UTC",
                List.of(layer("friday-night", 1, WEEKS, "2026-11-02T00:00:00", List.of("fred"),
                        window("22:00", "06:00", "FRIDAY")))));

        assertThat(schedule.onCallAt(utc("2026-11-06T21:59:00Z"))).isEmpty();
        assertThat(schedule.onCallAt(utc("2026-11-06T22:00:00Z"))).contains("fred");
        assertThat(schedule.onCallAt(utc("2026-11-07T05:59:00Z"))).as("Saturday morning").contains("fred");
        assertThat(schedule.onCallAt(utc("2026-11-07T06:00:00Z"))).isEmpty();
        assertThat(schedule.onCallAt(utc("2026-11-07T23:00:00Z"))).as("Saturday night").isEmpty();
        assertThat(schedule.onCallAt(utc("2026-11-06T01:00:00Z"))).as("Thursday night").isEmpty();
    }

    @Test
    void givenWeekdayAndRestOfWeekLayers_whenAWeekPasses_thenTheyAlternateWithoutGaps() {
        Schedule schedule = Schedule.of(schedule(BERLIN, List.of(
                layer("business-hours", 1, WEEKS, "2026-11-02T00:00:00", List.of("alice"),
                        window("09:00", "17:00", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY")),
                layer("rest", 1, WEEKS, "2026-11-02T00:00:00", List.of("carol"),
                        window("00:00", "09:00", "MONDAY"),
                        window("17:00", "09:00", "MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY"),
                        window("17:00", "00:00", "FRIDAY"),
                        window("00:00", "12:00", "SATURDAY", "SUNDAY"),
                        window("12:00", "00:00", "SATURDAY", "SUNDAY")))));

        List<Shift> week = schedule.shifts(local("2026-11-02T00:00:00", BERLIN), local("2026-11-09T00:00:00", BERLIN));

        assertThat(week).extracting(Shift::userId).containsExactly(
                "carol", "alice", "carol", "alice", "carol", "alice", "carol", "alice", "carol", "alice", "carol");
        assertThat(week.get(1)).isEqualTo(new Shift(local("2026-11-02T09:00:00", BERLIN), local("2026-11-02T17:00:00", BERLIN),
                "alice", "business-hours"));
        assertThat(week.get(10)).as("the weekend's windows merge into one shift").isEqualTo(new Shift(
                local("2026-11-06T17:00:00", BERLIN), local("2026-11-09T00:00:00", BERLIN), "carol", "rest"));
    }

    @Test
    void givenFollowTheSunLayers_whenADayPasses_thenEachRegionCoversItsHours() {
        Schedule schedule = Schedule.of(schedule("UTC", List.of(
                layer("apac", 1, WEEKS, "2026-11-02T00:00:00", List.of("carol"), window("00:00", "08:00")),
                layer("emea", 1, DAYS, "2026-11-02T08:00:00", List.of("alice", "bob"), window("08:00", "16:00")),
                layer("americas", 1, WEEKS, "2026-11-02T00:00:00", List.of("dave"), window("16:00", "00:00")))));

        assertThat(schedule.shifts(utc("2026-11-03T00:00:00Z"), utc("2026-11-05T00:00:00Z"))).containsExactly(
                new Shift(utc("2026-11-03T00:00:00Z"), utc("2026-11-03T08:00:00Z"), "carol", "apac"),
                new Shift(utc("2026-11-03T08:00:00Z"), utc("2026-11-03T16:00:00Z"), "bob", "emea"),
                new Shift(utc("2026-11-03T16:00:00Z"), utc("2026-11-04T00:00:00Z"), "dave", "americas"),
                new Shift(utc("2026-11-04T00:00:00Z"), utc("2026-11-04T08:00:00Z"), "carol", "apac"),
                new Shift(utc("2026-11-04T08:00:00Z"), utc("2026-11-04T16:00:00Z"), "alice", "emea"),
                new Shift(utc("2026-11-04T16:00:00Z"), utc("2026-11-05T00:00:00Z"), "dave", "americas"));
    }

    // --- layers and gaps

    @Test
    void givenRestrictedHigherLayer_whenItHasSomebody_thenItWinsElseTheLowerLayerCounts() {
        Schedule schedule = Schedule.of(schedule("UTC", List.of(
                layer("primary", 1, WEEKS, "2026-11-02T00:00:00", List.of("alice")),
                layer("nights", 1, WEEKS, "2026-11-02T00:00:00", List.of("bob"), window("22:00", "06:00")))));

        assertThat(schedule.onCallAt(utc("2026-11-03T23:00:00Z"))).contains("bob");
        assertThat(schedule.onCallAt(utc("2026-11-03T12:00:00Z"))).contains("alice");
        assertThat(schedule.shifts(utc("2026-11-03T12:00:00Z"), utc("2026-11-04T12:00:00Z"))).containsExactly(
                new Shift(utc("2026-11-03T12:00:00Z"), utc("2026-11-03T22:00:00Z"), "alice", "primary"),
                new Shift(utc("2026-11-03T22:00:00Z"), utc("2026-11-04T06:00:00Z"), "bob", "nights"),
                new Shift(utc("2026-11-04T06:00:00Z"), utc("2026-11-04T12:00:00Z"), "alice", "primary"));
    }

    @Test
    void givenUnrestrictedLayerLaterInTheList_whenBothHaveSomebody_thenItHidesTheEarlierLayer() {
        ScheduleLayer everyone = layer("everyone", 1, WEEKS, "2026-11-02T00:00:00", List.of("alice"));
        ScheduleLayer nights = layer("nights", 1, WEEKS, "2026-11-02T00:00:00", List.of("bob"), window("22:00", "06:00"));

        Schedule schedule = Schedule.of(schedule("UTC", List.of(nights, everyone)));

        assertThat(schedule.onCallAt(utc("2026-11-03T23:00:00Z"))).as("the unrestricted layer hides the nights").contains("alice");
    }

    @Test
    void givenLayersLeavingHoles_whenNobodyCovers_thenGapsAreReported() {
        Schedule schedule = Schedule.of(schedule("UTC", List.of(
                layer("mornings", 1, WEEKS, "2026-11-02T00:00:00", List.of("alice"), window("08:00", "12:00")),
                layer("afternoons", 1, WEEKS, "2026-11-02T00:00:00", List.of("bob"), window("13:00", "17:00")))));

        assertThat(schedule.onCallAt(utc("2026-11-03T12:30:00Z"))).isEmpty();
        assertThat(schedule.shifts(utc("2026-11-03T07:00:00Z"), utc("2026-11-03T18:00:00Z"))).containsExactly(
                new Shift(utc("2026-11-03T07:00:00Z"), utc("2026-11-03T08:00:00Z"), null, null),
                new Shift(utc("2026-11-03T08:00:00Z"), utc("2026-11-03T12:00:00Z"), "alice", "mornings"),
                new Shift(utc("2026-11-03T12:00:00Z"), utc("2026-11-03T13:00:00Z"), null, null),
                new Shift(utc("2026-11-03T13:00:00Z"), utc("2026-11-03T17:00:00Z"), "bob", "afternoons"),
                new Shift(utc("2026-11-03T17:00:00Z"), utc("2026-11-03T18:00:00Z"), null, null));
        assertThat(schedule.shifts(utc("2026-11-03T07:00:00Z"), utc("2026-11-03T18:00:00Z")).get(0).isGap()).isTrue();
    }

    @Test
    void givenNoLayers_thenEverythingIsAGap() {
        Schedule schedule = Schedule.of(schedule("UTC", List.of()));

        assertThat(schedule.shifts(utc("2026-11-03T00:00:00Z"), utc("2026-11-04T00:00:00Z")))
                .containsExactly(new Shift(utc("2026-11-03T00:00:00Z"), utc("2026-11-04T00:00:00Z"), null, null));
    }

    // --- overrides

    @Test
    void givenOverride_whenInsideItsInterval_thenTheOverrideUserIsOnCall() {
        Schedule schedule = Schedule.of(schedule("UTC",
                List.of(layer("weekly", 1, WEEKS, "2026-11-02T00:00:00", List.of("alice"), window("09:00", "17:00"))),
                override("olga", "2026-11-03T16:00:00Z", "2026-11-03T20:00:00Z")));

        assertThat(schedule.onCallAt(utc("2026-11-03T16:00:00Z"))).contains("olga");
        assertThat(schedule.onCallAt(utc("2026-11-03T20:00:00Z"))).as("end is exclusive").isEmpty();
        assertThat(schedule.shifts(utc("2026-11-03T09:00:00Z"), utc("2026-11-03T21:00:00Z"))).containsExactly(
                new Shift(utc("2026-11-03T09:00:00Z"), utc("2026-11-03T16:00:00Z"), "alice", "weekly"),
                new Shift(utc("2026-11-03T16:00:00Z"), utc("2026-11-03T20:00:00Z"), "olga", Shift.OVERRIDE),
                new Shift(utc("2026-11-03T20:00:00Z"), utc("2026-11-03T21:00:00Z"), null, null));
    }

    @Test
    void givenOverlappingOverrides_whenBothCover_thenTheLaterInTheListWins() {
        Schedule schedule = Schedule.of(schedule("UTC",
                List.of(layer("weekly", 1, WEEKS, "2026-11-02T00:00:00", List.of("alice"))),
                override("olga", "2026-11-03T10:00:00Z", "2026-11-03T14:00:00Z"),
                override("pete", "2026-11-03T12:00:00Z", "2026-11-03T13:00:00Z")));

        assertThat(schedule.shifts(utc("2026-11-03T09:00:00Z"), utc("2026-11-03T15:00:00Z")))
                .extracting(Shift::userId, Shift::start)
                .containsExactly(tuple("alice", utc("2026-11-03T09:00:00Z")), tuple("olga", utc("2026-11-03T10:00:00Z")),
                        tuple("pete", utc("2026-11-03T12:00:00Z")), tuple("olga", utc("2026-11-03T13:00:00Z")),
                        tuple("alice", utc("2026-11-03T14:00:00Z")));
    }

    // --- ranges

    @Test
    void givenHourlyRotation_whenAYearIsRequested_thenEveryHandoffIsAShift() {
        Schedule schedule = Schedule.of(schedule(BERLIN,
                List.of(layer("hourly", 1, HOURS, "2026-01-01T00:00:00", List.of("a", "b")))));
        Instant from = utc("2026-01-01T00:00:00Z");

        List<Shift> year = schedule.shifts(from, from.plus(Schedule.MAX_RANGE));

        assertThat(year).hasSize(366 * 24).allMatch(shift -> Duration.between(shift.start(), shift.end()).equals(Duration.ofHours(1)));
    }

    @Test
    void givenAbsurdRanges_whenShiftsAreAsked_thenRejectedOrEmpty() {
        Schedule schedule = Schedule.of(schedule("UTC", List.of(layer("w", 1, WEEKS, "2026-11-02T00:00:00", List.of("a")))));
        Instant from = utc("2026-01-01T00:00:00Z");

        assertThatThrownBy(() -> schedule.shifts(from, from.plus(Duration.ofDays(367))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("366 days");
        assertThatThrownBy(() -> schedule.shifts(from, from.minusSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(schedule.shifts(from, from)).isEmpty();
    }
}
