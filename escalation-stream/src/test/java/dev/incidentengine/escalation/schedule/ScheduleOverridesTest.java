package dev.incidentengine.escalation.schedule;

import java.time.Instant;
import java.util.List;

import dev.incidentengine.model.OnCallOverride;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.escalation.schedule.Configs.layer;
import static dev.incidentengine.escalation.schedule.Configs.override;
import static dev.incidentengine.escalation.schedule.Configs.schedule;
import static dev.incidentengine.escalation.schedule.Configs.utc;
import static dev.incidentengine.model.config.RotationUnit.DAYS;
import static dev.incidentengine.model.config.RotationUnit.WEEKS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Overrides made through the API merged into a schedule: over layers and the config's overrides, overlapping, across DST. */
class ScheduleOverridesTest {

    /** a and b take turns weekly at Monday 09:00 Berlin; Berlin leaves winter time on 2027-03-28 (08:00Z, then 07:00Z). */
    private static final Schedule BERLIN = Schedule.of(schedule("Europe/Berlin",
            List.of(layer("weekly", 1, WEEKS, "2027-03-15T09:00:00", List.of("a", "b")))));

    private static OnCallOverride made(String id, String schedule, String user, String start, String end, String createdAt) {
        return new OnCallOverride(id, schedule, user, utc(start), utc(end), "alice", utc(createdAt), "", null, null);
    }

    @Test
    void givenAnOverrideAcrossTheSpringChange_thenItHoldsExactlyItsInstants_andTheHandoffAfterStaysAtLocalTime() {
        // Saturday 12:00 Berlin (winter) to Monday 12:00 Berlin (summer): 47 hours, over the handoff of Monday 09:00 (07:00Z).
        Schedule merged = BERLIN.withOverrides(List.of(made("o1", "test", "olga", "2027-03-27T11:00:00Z", "2027-03-29T10:00:00Z",
                "2027-03-01T00:00:00Z")));

        assertThat(merged.shifts(utc("2027-03-22T08:00:00Z"), utc("2027-04-05T07:00:00Z")))
                .extracting(Shift::start, Shift::end, Shift::userId, Shift::layer).containsExactly(
                        tuple(utc("2027-03-22T08:00:00Z"), utc("2027-03-27T11:00:00Z"), "b", "weekly"),
                        tuple(utc("2027-03-27T11:00:00Z"), utc("2027-03-29T10:00:00Z"), "olga", Shift.OVERRIDE),
                        tuple(utc("2027-03-29T10:00:00Z"), utc("2027-04-05T07:00:00Z"), "a", "weekly"));
        assertThat(merged.onCallAt(utc("2027-03-29T09:59:59.999Z"))).contains("olga");
        assertThat(merged.onCallAt(utc("2027-03-29T10:00:00Z"))).contains("a");
        assertThat(BERLIN.onCallAt(utc("2027-03-28T12:00:00Z"))).as("the schedule itself is unchanged").contains("b");
    }

    @Test
    void givenAnOverrideEndingInTheAutumnRepeatedHour_thenItEndsAtItsInstant_notAtALocalTime() {
        // Berlin repeats 02:00-03:00 on 2027-10-31: 00:30Z is the first 02:30, 01:30Z the second.
        Schedule daily = Schedule.of(schedule("Europe/Berlin", List.of(layer("daily", 1, DAYS, "2027-10-29T09:00:00", List.of("a")))));
        Schedule merged = daily.withOverrides(List.of(made("o1", "test", "olga", "2027-10-30T22:00:00Z", "2027-10-31T00:30:00Z",
                "2027-10-01T00:00:00Z")));

        assertThat(merged.onCallAt(utc("2027-10-31T00:29:59Z"))).contains("olga");
        assertThat(merged.onCallAt(utc("2027-10-31T00:30:00Z"))).contains("a");
        assertThat(merged.onCallAt(utc("2027-10-31T01:15:00Z"))).as("the second 02:15 local").contains("a");
    }

    @Test
    void givenOverlappingOverrides_thenTheOneMadeLaterWins_whateverTheirOrder_andTheEarlierShowsAroundIt() {
        OnCallOverride early = made("o-early", "test", "olga", "2027-03-23T10:00:00Z", "2027-03-23T18:00:00Z", "2027-03-01T00:00:00Z");
        OnCallOverride late = made("o-late", "test", "pete", "2027-03-23T12:00:00Z", "2027-03-23T14:00:00Z", "2027-03-02T00:00:00Z");

        for (List<OnCallOverride> order : List.of(List.of(early, late), List.of(late, early))) {
            assertThat(BERLIN.withOverrides(order).shifts(utc("2027-03-23T09:00:00Z"), utc("2027-03-23T19:00:00Z")))
                    .extracting(Shift::start, Shift::userId).containsExactly(
                            tuple(utc("2027-03-23T09:00:00Z"), "b"),
                            tuple(utc("2027-03-23T10:00:00Z"), "olga"),
                            tuple(utc("2027-03-23T12:00:00Z"), "pete"),
                            tuple(utc("2027-03-23T14:00:00Z"), "olga"),
                            tuple(utc("2027-03-23T18:00:00Z"), "b"));
        }
    }

    @Test
    void givenTheConfigsOwnOverride_thenOneMadeThroughTheApiBeatsIt_andSameTimeTiesGoById() {
        Schedule withConfigOverride = Schedule.of(schedule("Europe/Berlin",
                List.of(layer("weekly", 1, WEEKS, "2027-03-15T09:00:00", List.of("a", "b"))),
                override("carl", "2027-03-23T00:00:00Z", "2027-03-24T00:00:00Z")));
        Schedule merged = withConfigOverride.withOverrides(List.of(
                made("o-2", "test", "pete", "2027-03-23T06:00:00Z", "2027-03-23T08:00:00Z", "2027-03-01T00:00:00Z"),
                made("o-1", "test", "olga", "2027-03-23T06:00:00Z", "2027-03-23T07:00:00Z", "2027-03-01T00:00:00Z")));

        assertThat(merged.onCallAt(utc("2027-03-23T05:00:00Z"))).contains("carl");
        assertThat(merged.onCallAt(utc("2027-03-23T06:30:00Z"))).as("same creation time: o-2 sorts after o-1").contains("pete");
        assertThat(merged.onCallAt(utc("2027-03-23T09:00:00Z"))).contains("carl");
    }

    @Test
    void givenOverridesOfAnotherSchedule_thenTheyAreLeftOut() {
        Schedule merged = BERLIN.withOverrides(List.of(made("o1", "other", "olga", "2027-03-23T10:00:00Z", "2027-03-23T18:00:00Z",
                "2027-03-01T00:00:00Z")));

        assertThat(merged.onCallAt(Instant.parse("2027-03-23T12:00:00Z"))).contains("b");
    }
}
