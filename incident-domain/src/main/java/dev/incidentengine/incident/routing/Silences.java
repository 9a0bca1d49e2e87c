package dev.incidentengine.incident.routing;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.WeeklyWindow;

/** Silences and maintenance windows. */
public final class Silences {

    private static final Pattern HH_MM = Pattern.compile("([01]\\d|2[0-3]):[0-5]\\d");

    private record Silence(String id, AlertMatcher matcher, Instant startsAt, Instant endsAt, Weekly weekly) {

        boolean activeAt(Instant at) {
            return (startsAt == null || !at.isBefore(startsAt))
                    && (endsAt == null || at.isBefore(endsAt))
                    && (weekly == null || weekly.contains(at));
        }
    }

    /** A weekly window in local time; when {@code to} is at or before {@code from} it ends on the next day. */
    private record Weekly(Set<DayOfWeek> days, LocalTime from, LocalTime to, ZoneId zone) {

        boolean contains(Instant at) {
            ZonedDateTime local = at.atZone(zone);
            LocalTime time = local.toLocalTime();
            DayOfWeek day = local.getDayOfWeek();
            if (from.isBefore(to)) {
                return startsOn(day) && !time.isBefore(from) && time.isBefore(to);
            }
            return (startsOn(day) && !time.isBefore(from)) || (startsOn(day.minus(1)) && time.isBefore(to));
        }

        private boolean startsOn(DayOfWeek day) {
            return days.isEmpty() || days.contains(day);
        }
    }

    private final List<Silence> silences;
    private final List<String> problems;

    private Silences(List<Silence> silences, List<String> problems) {
        this.silences = silences;
        this.problems = problems;
    }

    /**
     * Invalid configs are skipped and reported in {@link #problems()}; a silence without matchers is invalid (it would
     * silence everything).
     */
    public static Silences of(Collection<SilenceConfig> configs) {
        List<Silence> silences = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (SilenceConfig config : configs) {
            try {
                silences.add(compile(config));
            } catch (IllegalArgumentException e) {
                problems.add("silence '" + config.getId() + "': " + e.getMessage());
            }
        }
        silences.sort(Comparator.comparing(Silence::id));
        return new Silences(List.copyOf(silences), List.copyOf(problems));
    }

    private static Silence compile(SilenceConfig config) {
        if (config.getMatchers().isEmpty()) {
            throw new IllegalArgumentException("has no matchers (it would silence every alert)");
        }
        AlertMatcher matcher = AlertMatcher.of(config.getMatchers());
        if (config.getStartsAt() != null && config.getEndsAt() != null && !config.getEndsAt().isAfter(config.getStartsAt())) {
            throw new IllegalArgumentException("endsAt " + config.getEndsAt() + " is not after startsAt " + config.getStartsAt());
        }
        Weekly weekly = config.getWeekly() == null ? null : weekly(config.getWeekly());
        return new Silence(config.getId(), matcher, config.getStartsAt(), config.getEndsAt(), weekly);
    }

    private static Weekly weekly(WeeklyWindow window) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (String day : window.getDays()) {
            try {
                days.add(DayOfWeek.valueOf(day.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("weekly.days: '" + day + "' is not one of MONDAY..SUNDAY");
            }
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(window.getTimeZone());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("weekly.timeZone: '" + window.getTimeZone() + "' is not a time zone");
        }
        return new Weekly(days, localTime(window.getFrom(), "from"), localTime(window.getTo(), "to"), zone);
    }

    private static LocalTime localTime(String text, String field) {
        if (!HH_MM.matcher(text).matches()) {
            throw new IllegalArgumentException("weekly." + field + ": '" + text + "' is not a local time HH:mm");
        }
        return LocalTime.parse(text);
    }

    /** The id of an active silence that matches the alert at that instant, if any (lowest id first for determinism). */
    public Optional<String> silencing(Alert alert, Instant at) {
        for (Silence silence : silences) {
            if (silence.activeAt(at) && silence.matcher().matches(alert)) {
                return Optional.of(silence.id());
            }
        }
        return Optional.empty();
    }

    public boolean isEmpty() {
        return silences.isEmpty();
    }

    public List<String> problems() {
        return problems;
    }
}
