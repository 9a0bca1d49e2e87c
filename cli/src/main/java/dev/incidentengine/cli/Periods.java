package dev.incidentengine.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The spans and times people type: "30m", "2h", "1h30m", "3d", "2w"; "2026-12-01" or an RFC 3339 time. */
final class Periods {

    private static final Pattern SPAN = Pattern.compile("(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?");
    private static final Pattern WAIT = Pattern.compile("(?:(\\d{1,6})m)?(?:(\\d{1,6})s)?");

    private Periods() {
    }

    /** A positive span such as 90m, 1h30m, 3d, 2w; {@code option} names the flag in the error. */
    static Duration span(String text, String option) {
        Matcher matcher = SPAN.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (matcher.matches()) {
            try {
                Duration span = Duration.ofDays(7 * number(matcher.group(1)) + number(matcher.group(2)))
                        .plusHours(number(matcher.group(3))).plusMinutes(number(matcher.group(4)));
                if (span.toMinutes() >= 1) {
                    return span;
                }
            } catch (ArithmeticException | NumberFormatException e) {
                // reported below
            }
        }
        throw new CliError(CliError.USAGE, option + " must be a span such as 30m, 2h, 1h30m, 3d or 2w, not '" + text + "'");
    }

    /** A positive wait in minutes and seconds: 30s, 2m, 1m30s; {@code option} names the flag in the error. */
    static Duration wait(String text, String option) {
        Matcher matcher = WAIT.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (matcher.matches()) {
            Duration wait = Duration.ofMinutes(number(matcher.group(1))).plusSeconds(number(matcher.group(2)));
            if (!wait.isZero()) {
                return wait;
            }
        }
        throw new CliError(CliError.USAGE, option + " must be a wait such as 30s, 2m or 1m30s, not '" + text + "'");
    }

    /** Whole minutes: a span, or a plain number of minutes ("90"). */
    static long minutes(String text, String option) {
        return text.strip().matches("\\d{1,9}") ? Long.parseLong(text.strip()) : span(text, option).toMinutes();
    }

    /** "2026-12-01" (the end of that day, UTC), an RFC 3339 time, or a span from {@code now} (3d, 48h). */
    static Instant when(String text, String option, Instant now) {
        String value = text.strip();
        try {
            if (value.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return LocalDate.parse(value).plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).minusSeconds(1);
            }
            if (value.contains("T")) {
                return OffsetDateTime.parse(value).toInstant();
            }
        } catch (DateTimeParseException e) {
            throw new CliError(CliError.USAGE, option + " must be a date (2026-12-01), an RFC 3339 time or a span from now (3d, 48h), not '"
                    + text + "'");
        }
        return now.plus(span(value, option));
    }

    private static long number(String digits) {
        return digits == null ? 0 : Long.parseLong(digits);
    }
}
