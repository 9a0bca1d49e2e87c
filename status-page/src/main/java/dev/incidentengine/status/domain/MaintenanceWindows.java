package dev.incidentengine.status.domain;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import dev.incidentengine.model.PublicSilence;

/**
 * When a public maintenance window runs: a one-off window from its silence's {@code startsAt} to {@code endsAt}, or each
 * occurrence of its weekly window inside those bounds. A weekly occurrence is a maintenance of its own on the page, its
 * id the silence's and the local date it starts ({@code db-nightly@2027-03-28}).
 */
public final class MaintenanceWindows {

    private MaintenanceWindows() {
    }

    public record Occurrence(String id, Instant start, Instant end) {
    }

    /**
     * The first occurrence that ends after {@code after} and after the silence's {@code doneUntil}, if any.
     *
     * @throws IllegalArgumentException when the silence is not a window (no end, or a weekly window that cannot be read)
     */
    public static Optional<Occurrence> next(PublicSilence silence, Instant after) {
        Instant from = after.isAfter(silence.getDoneUntil()) ? after : silence.getDoneUntil();
        if (silence.getWeeklyFrom() == null) {
            if (silence.getStartsAt() == null || silence.getEndsAt() == null) {
                throw new IllegalArgumentException("a public maintenance needs startsAt and endsAt, or a weekly window");
            }
            return silence.getEndsAt().isAfter(from) && silence.getEndsAt().isAfter(silence.getStartsAt())
                    ? Optional.of(new Occurrence(silence.getId(), silence.getStartsAt(), silence.getEndsAt())) : Optional.empty();
        }
        ZoneId zone = zone(silence.getWeeklyTimeZone());
        LocalTime start = time(silence.getWeeklyFrom());
        LocalTime end = time(silence.getWeeklyTo());
        Set<DayOfWeek> days = days(silence);
        Instant bound = silence.getStartsAt() != null && silence.getStartsAt().isAfter(from) ? silence.getStartsAt() : from;
        // An occurrence lasts at most a day, so the one that holds or follows `bound` starts at most a day before it.
        LocalDate day = bound.atZone(zone).toLocalDate().minusDays(1);
        for (int i = 0; i < 9; i++, day = day.plusDays(1)) {
            if (!days.contains(day.getDayOfWeek())) {
                continue;
            }
            Instant occurrenceStart = ZonedDateTime.of(day, start, zone).toInstant();
            Instant occurrenceEnd = ZonedDateTime.of(end.isAfter(start) ? day : day.plusDays(1), end, zone).toInstant();
            if (silence.getStartsAt() != null && occurrenceStart.isBefore(silence.getStartsAt())) {
                occurrenceStart = silence.getStartsAt();
            }
            if (silence.getEndsAt() != null && occurrenceEnd.isAfter(silence.getEndsAt())) {
                occurrenceEnd = silence.getEndsAt();
            }
            if (silence.getEndsAt() != null && !occurrenceStart.isBefore(silence.getEndsAt())) {
                return Optional.empty();
            }
            if (occurrenceEnd.isAfter(occurrenceStart) && occurrenceEnd.isAfter(from)) {
                return Optional.of(new Occurrence(silence.getId() + "@" + day, occurrenceStart, occurrenceEnd));
            }
        }
        return Optional.empty();
    }

    /** Checks what {@link #next} reads, so a window that cannot be read is refused when config names it. */
    public static void check(PublicSilence silence) {
        if (silence.getWeeklyFrom() == null) {
            if (silence.getStartsAt() == null || silence.getEndsAt() == null) {
                throw new IllegalArgumentException("a public maintenance needs startsAt and endsAt, or a weekly window");
            }
            return;
        }
        zone(silence.getWeeklyTimeZone());
        time(silence.getWeeklyFrom());
        time(silence.getWeeklyTo());
        days(silence);
    }

    private static Set<DayOfWeek> days(PublicSilence silence) {
        if (silence.getWeeklyDays().isEmpty()) {
            return EnumSet.allOf(DayOfWeek.class);
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String day : silence.getWeeklyDays()) {
            try {
                days.add(DayOfWeek.valueOf(day.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("weekly.days: '" + day + "' is not MONDAY..SUNDAY");
            }
        }
        return days;
    }

    private static LocalTime time(String text) {
        try {
            return LocalTime.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("weekly: '" + text + "' is not a local time HH:mm");
        }
    }

    private static ZoneId zone(String id) {
        try {
            return ZoneId.of(id);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("weekly.timeZone: '" + id + "' is not an IANA zone");
        }
    }
}
