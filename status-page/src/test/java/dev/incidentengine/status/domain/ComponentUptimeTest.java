package dev.incidentengine.status.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.status.domain.ComponentUptime.DayUptime;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.model.ComponentStatus.DEGRADED_PERFORMANCE;
import static dev.incidentengine.model.ComponentStatus.MAJOR_OUTAGE;
import static dev.incidentengine.model.ComponentStatus.OPERATIONAL;
import static dev.incidentengine.model.ComponentStatus.PARTIAL_OUTAGE;
import static dev.incidentengine.model.ComponentStatus.UNDER_MAINTENANCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ComponentUptimeTest {

    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final Instant LONG_AGO = Instant.parse("2026-01-01T00:00:00Z");

    private static ComponentUptime since(Instant start) {
        return new ComponentUptime(start);
    }

    private static void change(ComponentUptime uptime, String at, ComponentStatus to) {
        uptime.change(Instant.parse(at), to, LONG_AGO);
    }

    private static DayUptime day(ComponentUptime uptime, String day, ZoneId zone, Instant asOf) {
        LocalDate date = LocalDate.parse(day);
        return uptime.days(date, date, zone, asOf).get(0);
    }

    @Test
    void overlappingIncidentsAndMaintenanceCountMajorFullyPartialAtThirtyPercentAndNeitherDegradedNorMaintenance() {
        ComponentUptime uptime = since(LONG_AGO);
        // Incident A: partial outage; incident B overlaps it with a major outage; B resolves, A holds partial;
        // A resolves while a maintenance starts; then a degraded hour; then all clear.
        change(uptime, "2026-03-02T10:00:00Z", PARTIAL_OUTAGE);
        change(uptime, "2026-03-02T10:30:00Z", MAJOR_OUTAGE);
        change(uptime, "2026-03-02T11:00:00Z", PARTIAL_OUTAGE);
        change(uptime, "2026-03-02T11:30:00Z", UNDER_MAINTENANCE);
        change(uptime, "2026-03-02T12:30:00Z", DEGRADED_PERFORMANCE);
        change(uptime, "2026-03-02T13:30:00Z", OPERATIONAL);

        DayUptime day = day(uptime, "2026-03-02", UTC, Instant.parse("2026-03-05T00:00:00Z"));

        assertThat(day.knownMs()).isEqualTo(Duration.ofDays(1).toMillis());
        assertThat(day.ms(MAJOR_OUTAGE)).isEqualTo(Duration.ofMinutes(30).toMillis());
        assertThat(day.ms(PARTIAL_OUTAGE)).isEqualTo(Duration.ofMinutes(60).toMillis());
        assertThat(day.ms(UNDER_MAINTENANCE)).isEqualTo(Duration.ofMinutes(60).toMillis());
        assertThat(day.ms(DEGRADED_PERFORMANCE)).isEqualTo(Duration.ofMinutes(60).toMillis());
        // 30 min major + 0.3 x 60 min partial = 48 min down of 1,440.
        assertThat(day.uptimePercent()).isCloseTo(100.0 * (1440 - 48) / 1440, within(1e-9));
        assertThat(day.worst()).isEqualTo(MAJOR_OUTAGE);
    }

    @Test
    void anOutageAcrossMidnightCountsOnBothDays() {
        ComponentUptime uptime = since(LONG_AGO);
        change(uptime, "2026-03-02T23:30:00Z", MAJOR_OUTAGE);
        change(uptime, "2026-03-03T00:30:00Z", OPERATIONAL);

        List<DayUptime> days = uptime.days(LocalDate.parse("2026-03-02"), LocalDate.parse("2026-03-03"), UTC,
                Instant.parse("2026-03-10T00:00:00Z"));

        assertThat(days).extracting(day -> day.ms(MAJOR_OUTAGE)).containsExactly(1_800_000L, 1_800_000L);
    }

    @Test
    void daysAreThePagesTimeZone() {
        ComponentUptime uptime = since(LONG_AGO);
        change(uptime, "2026-03-02T23:30:00Z", MAJOR_OUTAGE);
        change(uptime, "2026-03-03T00:30:00Z", OPERATIONAL);
        ZoneId berlin = ZoneId.of("Europe/Berlin");

        // 00:30 to 01:30 in Berlin (UTC+1): all of it on the 3rd.
        List<DayUptime> days = uptime.days(LocalDate.parse("2026-03-02"), LocalDate.parse("2026-03-03"), berlin,
                Instant.parse("2026-03-10T00:00:00Z"));

        assertThat(days).extracting(day -> day.ms(MAJOR_OUTAGE)).containsExactly(0L, 3_600_000L);
    }

    @Test
    void aDstDayHasTwentyThreeOrTwentyFiveHours() {
        ZoneId newYork = ZoneId.of("America/New_York");
        ComponentUptime uptime = since(LONG_AGO);
        change(uptime, "2026-03-08T05:00:00Z", MAJOR_OUTAGE); // midnight in New York, the day clocks spring forward
        change(uptime, "2026-03-09T04:00:00Z", OPERATIONAL); // the next midnight (EDT)
        change(uptime, "2026-11-01T04:00:00Z", PARTIAL_OUTAGE); // midnight EDT, the day clocks fall back
        change(uptime, "2026-11-02T05:00:00Z", OPERATIONAL); // the next midnight (EST)
        Instant later = Instant.parse("2026-12-01T00:00:00Z");

        DayUptime spring = day(uptime, "2026-03-08", newYork, later);
        DayUptime autumn = day(uptime, "2026-11-01", newYork, later);

        assertThat(spring.knownMs()).isEqualTo(Duration.ofHours(23).toMillis());
        assertThat(spring.ms(MAJOR_OUTAGE)).isEqualTo(Duration.ofHours(23).toMillis());
        assertThat(spring.uptimePercent()).isEqualTo(0.0);
        assertThat(autumn.knownMs()).isEqualTo(Duration.ofHours(25).toMillis());
        assertThat(autumn.ms(PARTIAL_OUTAGE)).isEqualTo(Duration.ofHours(25).toMillis());
        assertThat(autumn.uptimePercent()).isCloseTo(70.0, within(1e-9));
    }

    @Test
    void daysBeforeTheComponentHaveNoDataAndTodayCountsUpToNow() {
        ComponentUptime uptime = since(Instant.parse("2026-03-02T12:00:00Z"));
        change(uptime, "2026-03-03T06:00:00Z", MAJOR_OUTAGE);
        Instant now = Instant.parse("2026-03-03T12:00:00Z");

        List<DayUptime> days = uptime.days(LocalDate.parse("2026-03-01"), LocalDate.parse("2026-03-03"), UTC, now);

        assertThat(days.get(0).hasData()).isFalse();
        assertThat(days.get(1).knownMs()).isEqualTo(Duration.ofHours(12).toMillis());
        assertThat(days.get(1).uptimePercent()).isEqualTo(100.0);
        assertThat(days.get(2).knownMs()).isEqualTo(Duration.ofHours(12).toMillis());
        assertThat(days.get(2).uptimePercent()).isCloseTo(50.0, within(1e-9));
        // Over the three days: 6 h down of 24 h known.
        assertThat(ComponentUptime.uptimePercent(days)).isCloseTo(75.0, within(1e-9));
    }

    @Test
    void onlyTheWindowsChangesAreKept() {
        ComponentUptime uptime = since(LONG_AGO);
        Instant at = LONG_AGO;
        for (int i = 0; i < 400; i++) {
            at = at.plus(Duration.ofHours(12));
            uptime.change(at, i % 2 == 0 ? MAJOR_OUTAGE : OPERATIONAL, at.minus(Duration.ofDays(92)));
        }

        assertThat(uptime.changesHeld()).isLessThanOrEqualTo(92 * 2 + 1);
        // The first day of the window still starts in the status it had then.
        LocalDate first = LocalDate.ofInstant(at, UTC).minusDays(89);
        assertThat(uptime.days(first, first, UTC, at).get(0).ms(MAJOR_OUTAGE)).isEqualTo(Duration.ofHours(12).toMillis());
    }
}
