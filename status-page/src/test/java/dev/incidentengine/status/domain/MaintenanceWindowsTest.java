package dev.incidentengine.status.domain;

import java.time.Instant;
import java.util.List;

import dev.incidentengine.model.PublicSilence;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MaintenanceWindowsTest {

    @Test
    void oneOff_untilItEnds() {
        Instant start = Instant.parse("2026-12-10T02:00:00Z");
        Instant end = Instant.parse("2026-12-10T04:00:00Z");
        PublicSilence silence = silence(start, end, List.of(), null, null, "UTC");
        assertThat(MaintenanceWindows.next(silence, start.minusSeconds(1))).contains(new MaintenanceWindows.Occurrence("s", start, end));
        assertThat(MaintenanceWindows.next(silence, start.plusSeconds(60))).contains(new MaintenanceWindows.Occurrence("s", start, end));
        assertThat(MaintenanceWindows.next(silence, end)).isEmpty();
        silence.setDoneUntil(end);
        assertThat(MaintenanceWindows.next(silence, start)).as("completed early").isEmpty();
    }

    @Test
    void weekly_theNextOccurrence_thenTheOneAfter_inItsZone() {
        // Sundays 22:00-02:00 Berlin (past midnight): 2026-12-06 is a Sunday, Berlin is UTC+1 in December.
        PublicSilence silence = silence(null, null, List.of("SUNDAY"), "22:00", "02:00", "Europe/Berlin");
        Instant first = Instant.parse("2026-12-06T21:00:00Z");
        Instant firstEnd = Instant.parse("2026-12-07T01:00:00Z");
        assertThat(MaintenanceWindows.next(silence, Instant.parse("2026-12-05T10:00:00Z")))
                .contains(new MaintenanceWindows.Occurrence("s@2026-12-06", first, firstEnd));
        assertThat(MaintenanceWindows.next(silence, firstEnd.minusSeconds(1))).as("running").map(MaintenanceWindows.Occurrence::id)
                .contains("s@2026-12-06");
        assertThat(MaintenanceWindows.next(silence, firstEnd)).contains(new MaintenanceWindows.Occurrence("s@2026-12-13",
                Instant.parse("2026-12-13T21:00:00Z"), Instant.parse("2026-12-14T01:00:00Z")));
        silence.setDoneUntil(firstEnd);
        assertThat(MaintenanceWindows.next(silence, first)).as("done early").map(MaintenanceWindows.Occurrence::id).contains("s@2026-12-13");
    }

    @Test
    void weekly_acrossDaylightSavingTime_keepsLocalTime() {
        // Sunday 2027-03-28 Berlin moves to UTC+2.
        PublicSilence silence = silence(null, null, List.of("SUNDAY"), "09:00", "10:00", "Europe/Berlin");
        assertThat(MaintenanceWindows.next(silence, Instant.parse("2027-03-22T00:00:00Z")).orElseThrow().start())
                .isEqualTo(Instant.parse("2027-03-28T07:00:00Z"));
    }

    @Test
    void weekly_withinItsBounds_everyDayWhenNoneNamed() {
        Instant startsAt = Instant.parse("2026-12-08T00:00:00Z");
        Instant endsAt = Instant.parse("2026-12-09T03:00:00Z");
        PublicSilence silence = silence(startsAt, endsAt, List.of(), "02:00", "04:00", "UTC");
        assertThat(MaintenanceWindows.next(silence, Instant.parse("2026-12-01T00:00:00Z"))).contains(new MaintenanceWindows.Occurrence(
                "s@2026-12-08", Instant.parse("2026-12-08T02:00:00Z"), Instant.parse("2026-12-08T04:00:00Z")));
        assertThat(MaintenanceWindows.next(silence, Instant.parse("2026-12-08T05:00:00Z"))).as("cut at endsAt")
                .contains(new MaintenanceWindows.Occurrence("s@2026-12-09", Instant.parse("2026-12-09T02:00:00Z"), endsAt));
        assertThat(MaintenanceWindows.next(silence, endsAt)).isEmpty();
    }

    @Test
    void windowsThatCannotBeRead_areRefused() {
        assertThatThrownBy(() -> MaintenanceWindows.check(silence(Instant.EPOCH, null, List.of(), null, null, "UTC")))
                .hasMessageContaining("startsAt and endsAt");
        assertThatThrownBy(() -> MaintenanceWindows.check(silence(null, null, List.of("FUNDAY"), "01:00", "02:00", "UTC")))
                .hasMessageContaining("FUNDAY");
        assertThatThrownBy(() -> MaintenanceWindows.check(silence(null, null, List.of(), "25:00", "02:00", "UTC")))
                .hasMessageContaining("25:00");
        assertThatThrownBy(() -> MaintenanceWindows.check(silence(null, null, List.of(), "01:00", "02:00", "Mars/Olympus")))
                .hasMessageContaining("Mars/Olympus");
    }

    private static PublicSilence silence(Instant startsAt, Instant endsAt, List<String> days, String from, String to, String zone) {
        return new PublicSilence("s", "t", "m", List.of("db"), 7, startsAt, endsAt, days, from, to, zone, Instant.EPOCH);
    }
}
