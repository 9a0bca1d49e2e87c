package dev.incidentengine.incident.routing;

import java.time.Instant;
import java.util.List;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.WeeklyWindow;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.incident.routing.TestAlerts.alert;
import static dev.incidentengine.incident.routing.TestAlerts.eq;
import static dev.incidentengine.incident.routing.TestAlerts.re;
import static org.assertj.core.api.Assertions.assertThat;

class SilencesTest {

    private final Alert checkout = alert("a", "service", "checkout", "alertname", "HighLatency");
    private final Alert billing = alert("b", "service", "billing", "alertname", "HighLatency");

    @Test
    void givenAbsoluteWindow_thenActiveFromStartInclusiveToEndExclusive() {
        Silences silences = Silences.of(List.of(silence("s", at("2026-11-22T10:00:00Z"), at("2026-11-22T12:00:00Z"), null)));

        assertThat(silences.silencing(checkout, at("2026-11-22T09:59:59.999Z"))).isEmpty();
        assertThat(silences.silencing(checkout, at("2026-11-22T10:00:00Z"))).contains("s");
        assertThat(silences.silencing(checkout, at("2026-11-22T11:59:59.999Z"))).contains("s");
        assertThat(silences.silencing(checkout, at("2026-11-22T12:00:00Z"))).isEmpty();
    }

    @Test
    void givenOpenEnds_thenActiveSinceForeverOrForever() {
        Silences untilNoon = Silences.of(List.of(silence("s", null, at("2026-11-22T12:00:00Z"), null)));
        Silences fromNoon = Silences.of(List.of(silence("s", at("2026-11-22T12:00:00Z"), null, null)));

        assertThat(untilNoon.silencing(checkout, at("2000-01-01T00:00:00Z"))).contains("s");
        assertThat(untilNoon.silencing(checkout, at("2026-11-22T12:00:00Z"))).isEmpty();
        assertThat(fromNoon.silencing(checkout, at("2026-11-22T11:59:00Z"))).isEmpty();
        assertThat(fromNoon.silencing(checkout, at("2100-01-01T00:00:00Z"))).contains("s");
    }

    @Test
    void givenActiveSilence_thenOnlyMatchingAlertsAreSilenced() {
        Silences silences = Silences.of(List.of(silence("s", null, null, null)));

        assertThat(silences.silencing(checkout, TestAlerts.T0)).contains("s");
        assertThat(silences.silencing(billing, TestAlerts.T0)).isEmpty();
    }

    @Test
    void givenSeveralMatchingSilences_thenTheLowestIdWhateverTheOrderGiven() {
        SilenceConfig b = silence("b", null, null, null);
        SilenceConfig a = SilenceConfig.newBuilder(silence("a", null, null, null))
                .setMatchers(List.of(re("alertname", "High.*"))).build();
        SilenceConfig expired = silence("0-expired", null, at("2026-01-01T00:00:00Z"), null);

        assertThat(Silences.of(List.of(b, a, expired)).silencing(checkout, TestAlerts.T0)).contains("a");
        assertThat(Silences.of(List.of(expired, a, b)).silencing(checkout, TestAlerts.T0)).contains("a");
        assertThat(Silences.of(List.of(b, a, expired)).silencing(billing, TestAlerts.T0)).contains("a");
    }

    @Test
    void givenWeeklyWindowOnWorkdays_thenActiveOnlyThenAndFromInclusiveToExclusive() {
        Silences silences = Silences.of(List.of(silence("s", null, null,
                weekly(List.of("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"), "09:00", "17:00", "UTC"))));

        assertThat(silences.silencing(checkout, at("2026-11-23T08:59:59Z"))).isEmpty(); // Monday
        assertThat(silences.silencing(checkout, at("2026-11-23T09:00:00Z"))).contains("s");
        assertThat(silences.silencing(checkout, at("2026-11-23T16:59:59Z"))).contains("s");
        assertThat(silences.silencing(checkout, at("2026-11-23T17:00:00Z"))).isEmpty();
        assertThat(silences.silencing(checkout, at("2026-11-22T10:00:00Z"))).isEmpty(); // Sunday
    }

    @Test
    void givenWeeklyWindowWithoutDays_thenEveryDay() {
        Silences silences = Silences.of(List.of(silence("s", null, null, weekly(List.of(), "09:00", "17:00", "UTC"))));

        assertThat(silences.silencing(checkout, at("2026-11-22T10:00:00Z"))).contains("s"); // Sunday
        assertThat(silences.silencing(checkout, at("2026-11-23T10:00:00Z"))).contains("s"); // Monday
        assertThat(silences.silencing(checkout, at("2026-11-23T18:00:00Z"))).isEmpty();
    }

    @Test
    void givenWindowPastMidnight_thenItRunsIntoTheNextDay_andTheDayListNamesTheDayItStarts() {
        Silences silences = Silences.of(List.of(silence("s", null, null, weekly(List.of("FRIDAY"), "22:00", "06:00", "UTC"))));

        assertThat(silences.silencing(checkout, at("2026-11-27T21:59:59Z"))).isEmpty(); // Friday
        assertThat(silences.silencing(checkout, at("2026-11-27T22:00:00Z"))).contains("s");
        assertThat(silences.silencing(checkout, at("2026-11-28T00:00:00Z"))).contains("s"); // Saturday
        assertThat(silences.silencing(checkout, at("2026-11-28T05:59:59Z"))).contains("s");
        assertThat(silences.silencing(checkout, at("2026-11-28T06:00:00Z"))).isEmpty();
        assertThat(silences.silencing(checkout, at("2026-11-28T23:00:00Z"))).isEmpty(); // Saturday night is not listed
        assertThat(silences.silencing(checkout, at("2026-11-27T03:00:00Z"))).isEmpty(); // the night Thursday starts
    }

    @Test
    void givenWindowPastMidnightOnSunday_thenItRunsIntoMonday() {
        Silences silences = Silences.of(List.of(silence("s", null, null, weekly(List.of("sunday"), "22:00", "02:00", "UTC"))));

        assertThat(silences.silencing(checkout, at("2026-11-22T23:00:00Z"))).contains("s"); // Sunday
        assertThat(silences.silencing(checkout, at("2026-11-23T01:00:00Z"))).contains("s"); // Monday
        assertThat(silences.silencing(checkout, at("2026-11-23T23:00:00Z"))).isEmpty();
        assertThat(silences.silencing(checkout, at("2026-11-22T01:00:00Z"))).isEmpty(); // Saturday's night
    }

    @Test
    void givenFromEqualTo_thenTheWindowLastsADayFromThere() {
        Silences silences = Silences.of(List.of(silence("s", null, null, weekly(List.of("MONDAY"), "12:00", "12:00", "UTC"))));

        assertThat(silences.silencing(checkout, at("2026-11-23T11:59:00Z"))).isEmpty();
        assertThat(silences.silencing(checkout, at("2026-11-23T12:00:00Z"))).contains("s");
        assertThat(silences.silencing(checkout, at("2026-11-24T11:59:00Z"))).contains("s");
        assertThat(silences.silencing(checkout, at("2026-11-24T12:00:00Z"))).isEmpty();
    }

    @Test
    void givenTimeZone_thenTheWindowFollowsLocalTimeAcrossDaylightSaving() {
        Silences silences = Silences.of(List.of(silence("s", null, null, weekly(List.of(), "09:00", "17:00", "Europe/Berlin"))));

        // Saturday 2026-03-28, CET = UTC+1
        assertThat(silences.silencing(checkout, at("2026-03-28T07:59:00Z"))).isEmpty();
        assertThat(silences.silencing(checkout, at("2026-03-28T08:00:00Z"))).contains("s");
        assertThat(silences.silencing(checkout, at("2026-03-28T15:59:00Z"))).contains("s");
        // Monday 2026-03-30, CEST = UTC+2
        assertThat(silences.silencing(checkout, at("2026-03-30T06:59:00Z"))).isEmpty();
        assertThat(silences.silencing(checkout, at("2026-03-30T07:00:00Z"))).contains("s");
        assertThat(silences.silencing(checkout, at("2026-03-30T15:00:00Z"))).isEmpty();
    }

    @Test
    void givenWindowOverTheNightClocksGoForward_thenItIsAnHourShorter() {
        // 2026-03-29 in Berlin: 02:00 CET becomes 03:00 CEST at 01:00Z
        Silences silences = Silences.of(List.of(silence("s", null, null, weekly(List.of("SUNDAY"), "01:00", "04:00", "Europe/Berlin"))));

        assertThat(silences.silencing(checkout, at("2026-03-28T23:59:00Z"))).isEmpty();
        assertThat(silences.silencing(checkout, at("2026-03-29T00:00:00Z"))).contains("s");
        assertThat(silences.silencing(checkout, at("2026-03-29T01:00:00Z"))).contains("s");
        assertThat(silences.silencing(checkout, at("2026-03-29T01:59:00Z"))).contains("s");
        assertThat(silences.silencing(checkout, at("2026-03-29T02:00:00Z"))).isEmpty();
    }

    @Test
    void givenWindowOverTheNightClocksGoBack_thenItIsAnHourLonger() {
        // 2026-10-25 in Berlin: 03:00 CEST becomes 02:00 CET at 01:00Z
        Silences silences = Silences.of(List.of(silence("s", null, null, weekly(List.of("SUNDAY"), "02:00", "03:00", "Europe/Berlin"))));

        assertThat(silences.silencing(checkout, at("2026-10-24T23:59:00Z"))).isEmpty();
        assertThat(silences.silencing(checkout, at("2026-10-25T00:00:00Z"))).contains("s");
        assertThat(silences.silencing(checkout, at("2026-10-25T01:30:00Z"))).contains("s");
        assertThat(silences.silencing(checkout, at("2026-10-25T02:00:00Z"))).isEmpty();
    }

    @Test
    void givenWeeklyAndAbsoluteWindow_thenBothMustHold() {
        Silences silences = Silences.of(List.of(silence("s", at("2026-11-23T00:00:00Z"), at("2026-11-25T00:00:00Z"),
                weekly(List.of(), "09:00", "17:00", "UTC"))));

        assertThat(silences.silencing(checkout, at("2026-11-22T10:00:00Z"))).isEmpty();
        assertThat(silences.silencing(checkout, at("2026-11-24T10:00:00Z"))).contains("s");
        assertThat(silences.silencing(checkout, at("2026-11-24T18:00:00Z"))).isEmpty();
        assertThat(silences.silencing(checkout, at("2026-11-25T10:00:00Z"))).isEmpty();
    }

    @Test
    void givenInvalidSilences_thenTheyAreSkippedAndReported() {
        SilenceConfig noMatchers = SilenceConfig.newBuilder(silence("no-matchers", null, null, null)).setMatchers(List.of()).build();
        SilenceConfig badRegex = SilenceConfig.newBuilder(silence("bad-regex", null, null, null))
                .setMatchers(List.of(re("service", "[checkout"))).build();
        SilenceConfig backwards = silence("backwards", at("2026-11-22T12:00:00Z"), at("2026-11-22T12:00:00Z"), null);
        SilenceConfig badDay = silence("bad-day", null, null, weekly(List.of("MONDAY", "Funday"), "09:00", "17:00", "UTC"));
        SilenceConfig badFrom = silence("bad-from", null, null, weekly(List.of(), "9:00", "17:00", "UTC"));
        SilenceConfig badTo = silence("bad-to", null, null, weekly(List.of(), "09:00", "24:00", "UTC"));
        SilenceConfig badZone = silence("bad-zone", null, null, weekly(List.of(), "09:00", "17:00", "Europe/Atlantis"));

        Silences silences = Silences.of(List.of(noMatchers, badRegex, backwards, badDay, badFrom, badTo, badZone));

        assertThat(silences.isEmpty()).isTrue();
        assertThat(silences.silencing(checkout, at("2026-11-23T10:00:00Z"))).isEmpty();
        assertThat(silences.problems()).containsExactly(
                "silence 'no-matchers': has no matchers (it would silence every alert)",
                "silence 'bad-regex': matcher service=~\"[checkout\" has an invalid regular expression: missing closing ]",
                "silence 'backwards': endsAt 2026-11-22T12:00:00Z is not after startsAt 2026-11-22T12:00:00Z",
                "silence 'bad-day': weekly.days: 'Funday' is not one of MONDAY..SUNDAY",
                "silence 'bad-from': weekly.from: '9:00' is not a local time HH:mm",
                "silence 'bad-to': weekly.to: '24:00' is not a local time HH:mm",
                "silence 'bad-zone': weekly.timeZone: 'Europe/Atlantis' is not a time zone");
    }

    @Test
    void givenValidSilences_thenNotEmptyAndNoProblems() {
        Silences silences = Silences.of(List.of(silence("s", null, null, weekly(List.of("monday"), "09:00", "17:00", "UTC"))));

        assertThat(silences.isEmpty()).isFalse();
        assertThat(silences.problems()).isEmpty();
        assertThat(Silences.of(List.of()).isEmpty()).isTrue();
    }

    private static SilenceConfig silence(String id, Instant startsAt, Instant endsAt, WeeklyWindow weekly) {
        return SilenceConfig.newBuilder().setId(id).setMatchers(List.of(eq("service", "checkout")))
                .setStartsAt(startsAt).setEndsAt(endsAt).setWeekly(weekly).setAuthor("alice").build();
    }

    private static WeeklyWindow weekly(List<String> days, String from, String to, String timeZone) {
        return WeeklyWindow.newBuilder().setDays(days).setFrom(from).setTo(to).setTimeZone(timeZone).build();
    }

    private static Instant at(String instant) {
        return Instant.parse(instant);
    }
}
