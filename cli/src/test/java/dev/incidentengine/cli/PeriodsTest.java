package dev.incidentengine.cli;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The spans and times people type into incidentctl. */
class PeriodsTest {

    private static final Instant NOW = Instant.parse("2026-11-22T09:00:00Z");

    @Test
    void spansCombineWeeksDaysHoursAndMinutes() {
        assertThat(Periods.span("30m", "--for")).isEqualTo(Duration.ofMinutes(30));
        assertThat(Periods.span("1h30m", "--for")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Periods.span("2W", "--for")).isEqualTo(Duration.ofDays(14));
        assertThat(Periods.span(" 1d12h ", "--for")).isEqualTo(Duration.ofHours(36));
        assertThat(Periods.minutes("90", "DURATION")).isEqualTo(90);
        assertThat(Periods.minutes("2h", "DURATION")).isEqualTo(120);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "soon", "0m", "30s", "1.5h", "h", "m30", "99999999999999999999d", "1d 2h"})
    void anythingElseIsAUsageErrorNamingTheOption(String text) {
        assertThatThrownBy(() -> Periods.span(text, "--for")).isInstanceOfSatisfying(CliError.class, error -> {
            assertThat(error.exitCode).isEqualTo(CliError.USAGE);
            assertThat(error.getMessage()).startsWith("--for must be a span").contains("'" + text + "'");
        });
    }

    @Test
    void aDueDateIsADaysEndAnRfc3339TimeOrASpanFromNow() {
        assertThat(Periods.when("2026-12-01", "--due", NOW)).isEqualTo(Instant.parse("2026-12-01T23:59:59Z"));
        assertThat(Periods.when("2026-12-01T17:00:00+01:00", "--due", NOW)).isEqualTo(Instant.parse("2026-12-01T16:00:00Z"));
        assertThat(Periods.when("48h", "--due", NOW)).isEqualTo(Instant.parse("2026-11-24T09:00:00Z"));
        assertThatThrownBy(() -> Periods.when("2026-13-01", "--due", NOW)).hasMessageContaining("--due must be a date");
        assertThatThrownBy(() -> Periods.when("next friday", "--due", NOW)).hasMessageContaining("--due must be a span");
    }
}
