package dev.incidentengine.escalation.schedule;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import dev.incidentengine.model.config.RotationUnit;

/** One compiled rotation layer: who it puts on call at an instant, and the instants at which that can change. */
final class Layer {

    /** A daily window in local time starting on {@code days} (empty: every day); {@code to <= from} ends the next day. */
    record Restriction(Set<DayOfWeek> days, LocalTime from, LocalTime to) {
    }

    private record Window(Instant start, Instant end) {

        boolean contains(Instant t) {
            return !t.isBefore(start) && t.isBefore(end);
        }
    }

    private final String name;
    private final List<String> participants;
    private final int length;
    private final RotationUnit unit;
    private final ZonedDateTime start;
    private final List<Restriction> restrictions;

    Layer(String name, List<String> participants, int length, RotationUnit unit, ZonedDateTime start,
            List<Restriction> restrictions) {
        this.name = name;
        this.participants = List.copyOf(participants);
        this.length = length;
        this.unit = unit;
        this.start = start;
        this.restrictions = List.copyOf(restrictions);
    }

    String name() {
        return name;
    }

    List<String> participants() {
        return participants;
    }

    /** The layer's on-call user at {@code t}, or null: before its start or outside its restrictions. */
    String userAt(Instant t) {
        long k = rotationIndex(t);
        if (k < 0 || !insideRestrictions(t)) {
            return null;
        }
        return participants.get((int) (k % participants.size()));
    }

    /** Adds every instant in [from, to] at which {@link #userAt} may change; extra ones nearby are harmless. */
    void addBoundaries(Instant from, Instant to, Collection<Instant> out) {
        for (long k = Math.max(0, rotationIndex(from)); ; k++) {
            Instant handoff = handoff(k);
            if (handoff.isAfter(to)) {
                break;
            }
            out.add(handoff);
        }
        if (restrictions.isEmpty()) {
            return;
        }
        LocalDate last = to.atZone(zone()).toLocalDate().plusDays(1);
        for (LocalDate day = from.atZone(zone()).toLocalDate().minusDays(1); !day.isAfter(last); day = day.plusDays(1)) {
            for (Restriction restriction : restrictions) {
                Window window = window(restriction, day);
                if (window != null) {
                    out.add(window.start());
                    out.add(window.end());
                }
            }
        }
    }

    private ZoneId zone() {
        return start.getZone();
    }

    /** Whether restrictions let the layer's user be on call at {@code t}: no restrictions, or inside one window. */
    private boolean insideRestrictions(Instant t) {
        if (restrictions.isEmpty()) {
            return true;
        }
        // A window lasts at most a day (25 h across DST), so it starts the day before t's local date, on it, or, where
        // clocks fall back across midnight, the day after.
        LocalDate date = t.atZone(zone()).toLocalDate();
        for (LocalDate day = date.minusDays(1); !day.isAfter(date.plusDays(1)); day = day.plusDays(1)) {
            for (Restriction restriction : restrictions) {
                Window window = window(restriction, day);
                if (window != null && window.contains(t)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The restriction's window starting on {@code day}, or null if it starts on other days only. */
    private Window window(Restriction restriction, LocalDate day) {
        if (!restriction.days().isEmpty() && !restriction.days().contains(day.getDayOfWeek())) {
            return null;
        }
        LocalDate endDay = restriction.to().isAfter(restriction.from()) ? day : day.plusDays(1);
        // ZonedDateTime.of moves a time in a DST gap later by the gap and takes the earlier of two repeated times.
        return new Window(ZonedDateTime.of(day, restriction.from(), zone()).toInstant(),
                ZonedDateTime.of(endDay, restriction.to(), zone()).toInstant());
    }

    /** The index of the rotation period holding {@code t}: -1 before the first handoff. */
    private long rotationIndex(Instant t) {
        long elapsed = switch (unit) {
            case HOURS -> Duration.between(start.toInstant(), t).toHours();
            case DAYS -> ChronoUnit.DAYS.between(start.toLocalDateTime(), t.atZone(zone()).toLocalDateTime());
            case WEEKS -> ChronoUnit.WEEKS.between(start.toLocalDateTime(), t.atZone(zone()).toLocalDateTime());
        };
        // An estimate: DST makes local and elapsed time differ by an hour or so, which these loops correct.
        long k = Math.max(-1, Math.floorDiv(elapsed, length));
        while (k >= 0 && handoff(k).isAfter(t)) {
            k--;
        }
        while (!handoff(k + 1).isAfter(t)) {
            k++;
        }
        return k;
    }

    /** The k-th handoff (0: the start); Instant.MAX if it lies beyond what java.time can represent. */
    private Instant handoff(long k) {
        try {
            long units = Math.multiplyExact(k, (long) length);
            return switch (unit) {
                // Hours are elapsed time; days and weeks keep the local wall-clock time across DST (23 h or 25 h shifts).
                case HOURS -> start.toInstant().plus(Duration.ofHours(units));
                case DAYS -> start.plusDays(units).toInstant();
                case WEEKS -> start.plusWeeks(units).toInstant();
            };
        } catch (ArithmeticException | DateTimeException e) {
            return Instant.MAX;
        }
    }
}
