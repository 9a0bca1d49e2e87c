package dev.incidentengine.escalation.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.incidentengine.escalation.schedule.Configs.layer;
import static dev.incidentengine.escalation.schedule.Configs.local;
import static dev.incidentengine.escalation.schedule.Configs.schedule;
import static dev.incidentengine.escalation.schedule.Configs.utc;
import static dev.incidentengine.escalation.schedule.Configs.window;
import static dev.incidentengine.model.config.RotationUnit.DAYS;
import static dev.incidentengine.model.config.RotationUnit.HOURS;
import static dev.incidentengine.model.config.RotationUnit.WEEKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Daylight saving time: Europe/Berlin changes on 2026-03-29 and 2026-10-25, America/New_York on 2026-03-08 and 2026-11-01. */
class ScheduleDstTest {

    /**
     * A daily handoff two days before the change: the handoffs on the eve of the change, on its day and the day after,
     * and the lengths of the two shifts between them.
     */
    @ParameterizedTest(name = "{0} {1}: {2}, {3}, {4}")
    @CsvSource({
            // 09:00 stays 09:00 local: the shift across the change is 23 h in spring and 25 h in autumn.
            "Europe/Berlin,    2026-03-27T09:00:00, 2026-03-28T08:00:00Z, 2026-03-29T07:00:00Z, 2026-03-30T07:00:00Z, 23, 24",
            "Europe/Berlin,    2026-10-23T09:00:00, 2026-10-24T07:00:00Z, 2026-10-25T08:00:00Z, 2026-10-26T08:00:00Z, 25, 24",
            "America/New_York, 2026-03-06T09:00:00, 2026-03-07T14:00:00Z, 2026-03-08T13:00:00Z, 2026-03-09T13:00:00Z, 23, 24",
            "America/New_York, 2026-10-30T09:00:00, 2026-10-31T13:00:00Z, 2026-11-01T14:00:00Z, 2026-11-02T14:00:00Z, 25, 24",
            // 02:30 does not exist on the spring day: that handoff moves to 03:30 (the same instant as the day before + 24 h).
            "Europe/Berlin,    2026-03-27T02:30:00, 2026-03-28T01:30:00Z, 2026-03-29T01:30:00Z, 2026-03-30T00:30:00Z, 24, 23",
            "America/New_York, 2026-03-06T02:30:00, 2026-03-07T07:30:00Z, 2026-03-08T07:30:00Z, 2026-03-09T06:30:00Z, 24, 23",
            // 02:30 happens twice on Berlin's autumn day: the handoff takes the first (summer time), then 25 h follow.
            "Europe/Berlin,    2026-10-23T02:30:00, 2026-10-24T00:30:00Z, 2026-10-25T00:30:00Z, 2026-10-26T01:30:00Z, 24, 25",
            // New York repeats 01:00-02:00, so 02:30 is unique there and the 25 h shift comes first; 01:30 repeats.
            "America/New_York, 2026-10-30T02:30:00, 2026-10-31T06:30:00Z, 2026-11-01T07:30:00Z, 2026-11-02T07:30:00Z, 25, 24",
            "America/New_York, 2026-10-30T01:30:00, 2026-10-31T05:30:00Z, 2026-11-01T05:30:00Z, 2026-11-02T06:30:00Z, 24, 25",
    })
    void givenDailyHandoff_whenClocksChange_thenHandoffsKeepTheLocalTime(String zone, String start, Instant eve, Instant day,
            Instant dayAfter, long firstHours, long secondHours) {
        Schedule schedule = Schedule.of(schedule(zone, List.of(layer("daily", 1, DAYS, start, List.of("a", "b")))));

        List<Shift> shifts = schedule.shifts(eve, dayAfter);

        assertThat(shifts).extracting(Shift::start, Shift::end, Shift::userId).containsExactly(
                tuple(eve, day, "b"), tuple(day, dayAfter, "a"));
        assertThat(shifts).extracting(shift -> Duration.between(shift.start(), shift.end()).toHours())
                .containsExactly(firstHours, secondHours);
        assertThat(schedule.onCallAt(day.minusMillis(1))).contains("b");
        assertThat(schedule.onCallAt(day)).contains("a");
    }

    @Test
    void givenWeeklyHandoffInBerlin_whenTheWeekHoldsTheSpringChange_thenTheShiftIs167Hours() {
        Schedule schedule = Schedule.of(schedule("Europe/Berlin",
                List.of(layer("weekly", 1, WEEKS, "2026-03-23T09:00:00", List.of("a", "b")))));

        List<Shift> shifts = schedule.shifts(utc("2026-03-23T08:00:00Z"), utc("2026-04-06T07:00:00Z"));

        assertThat(shifts).extracting(Shift::end).containsExactly(utc("2026-03-30T07:00:00Z"), utc("2026-04-06T07:00:00Z"));
        assertThat(Duration.between(shifts.get(0).start(), shifts.get(0).end())).isEqualTo(Duration.ofHours(167));
    }

    @Test
    void givenEightHourRotation_whenClocksSpringForward_thenHandoffsFollowElapsedTime() {
        Schedule schedule = Schedule.of(schedule("Europe/Berlin",
                List.of(layer("hours", 8, HOURS, "2026-03-28T22:00:00", List.of("a", "b", "c")))));

        assertThat(schedule.shifts(local("2026-03-28T22:00:00", "Europe/Berlin"), utc("2026-03-29T21:00:00Z")))
                .extracting(Shift::start)
                .containsExactly(utc("2026-03-28T21:00:00Z"), utc("2026-03-29T05:00:00Z"), utc("2026-03-29T13:00:00Z"));
        assertThat(local("2026-03-29T07:00:00", "Europe/Berlin")).as("the second handoff, in local time")
                .isEqualTo(utc("2026-03-29T05:00:00Z"));
    }

    /** A window on the night of the change: its instants, and its length with the hour skipped or repeated. */
    @ParameterizedTest(name = "{0} {1} {2}-{3}: {4} to {5}")
    @CsvSource({
            "Europe/Berlin,    2026-03-28, 22:00, 06:00, 2026-03-28T21:00:00Z, 2026-03-29T04:00:00Z, 7",
            "Europe/Berlin,    2026-10-24, 22:00, 06:00, 2026-10-24T20:00:00Z, 2026-10-25T05:00:00Z, 9",
            "America/New_York, 2026-03-07, 22:00, 06:00, 2026-03-08T03:00:00Z, 2026-03-08T10:00:00Z, 7",
            "America/New_York, 2026-10-31, 22:00, 06:00, 2026-11-01T02:00:00Z, 2026-11-01T11:00:00Z, 9",
            "Europe/Berlin,    2026-03-29, 01:00, 04:00, 2026-03-29T00:00:00Z, 2026-03-29T02:00:00Z, 2",
            "Europe/Berlin,    2026-10-25, 01:00, 04:00, 2026-10-24T23:00:00Z, 2026-10-25T03:00:00Z, 4",
    })
    void givenWindowHoldingTheChange_whenTheNightPasses_thenItCoversTheRealHours(String zone, String day, String from,
            String to, Instant start, Instant end, long hours) {
        Schedule schedule = Schedule.of(schedule(zone, List.of(
                layer("nights", 1, WEEKS, "2026-01-01T00:00:00", List.of("nora"), window(from, to)))));

        List<Shift> shifts = schedule.shifts(local(day + "T12:00:00", zone).minus(Duration.ofDays(1)),
                local(day + "T12:00:00", zone).plus(Duration.ofDays(1)));

        assertThat(shifts).filteredOn(shift -> shift.start().equals(start))
                .containsExactly(new Shift(start, end, "nora", "nights"));
        assertThat(Duration.between(start, end).toHours()).isEqualTo(hours);
        assertThat(schedule.onCallAt(start.minusMillis(1))).isEmpty();
        assertThat(schedule.onCallAt(end.minusMillis(1))).contains("nora");
        assertThat(schedule.onCallAt(end)).isEmpty();
    }

    @Test
    void givenWindowStartingInTheSkippedHour_thenItStartsWhenTheClocksResumeLater() {
        Schedule schedule = Schedule.of(schedule("Europe/Berlin", List.of(
                layer("early", 1, WEEKS, "2026-01-01T00:00:00", List.of("eve"), window("02:30", "05:00")))));

        // 02:30 moves on by the hour skipped, to 03:30 summer time, as ZonedDateTime.of resolves it.
        assertThat(schedule.shifts(utc("2026-03-29T00:00:00Z"), utc("2026-03-29T06:00:00Z")))
                .filteredOn(shift -> !shift.isGap())
                .containsExactly(new Shift(utc("2026-03-29T01:30:00Z"), utc("2026-03-29T03:00:00Z"), "eve", "early"));
        // 02:30 happens twice in autumn: the window starts at the first.
        assertThat(schedule.shifts(utc("2026-10-24T22:00:00Z"), utc("2026-10-25T06:00:00Z")))
                .filteredOn(shift -> !shift.isGap())
                .containsExactly(new Shift(utc("2026-10-25T00:30:00Z"), utc("2026-10-25T04:00:00Z"), "eve", "early"));
    }
}
