package dev.incidentengine.status.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import dev.incidentengine.model.ComponentStatus;

/**
 * One component's status over time, from its {@code ComponentStatusChanged} timestamps, kept for
 * the uptime window only: the changes inside it and the status it started with. Days are counted in
 * the page's time zone when asked (so a change of zone, or a DST day of 23 or 25 hours, is exact).
 *
 * <p>Uptime the way Atlassian Statuspage counts it (help.statuspage.io, "Display historical uptime of
 * components", and Instatus' documentation of the same rule): a minute of major outage is a minute
 * down, a minute of partial outage counts 0.3 of a minute down, and degraded performance and
 * maintenance are not downtime. A day's uptime is {@code 1 - (major + 0.3 × partial) / known}, where
 * {@code known} is the part of the day the component existed and that has passed; a day before the
 * component existed has no data.
 */
public final class ComponentUptime {

    /** Statuspage's weight of a partial outage against a major one. */
    public static final double PARTIAL_OUTAGE_WEIGHT = 0.3;

    private final Instant start;
    /** Status changes inside the window, oldest first; {@code base} is the status before the first. */
    private final List<Instant> at = new ArrayList<>();
    private final List<ComponentStatus> to = new ArrayList<>();
    private ComponentStatus base;
    private Instant baseSince;

    /** A component on the page since {@code start}, operational then. */
    public ComponentUptime(Instant start) {
        this.start = start;
        this.base = ComponentStatus.OPERATIONAL;
        this.baseSince = start;
    }

    public Instant start() {
        return start;
    }

    public ComponentStatus current() {
        return to.isEmpty() ? base : to.get(to.size() - 1);
    }

    /** The status changed at {@code when}; changes before {@code keepFrom} fold into the starting status. */
    public void change(Instant when, ComponentStatus status, Instant keepFrom) {
        Instant last = to.isEmpty() ? baseSince : at.get(at.size() - 1);
        // A change dated before the last one (clocks of two writers) counts from the last: time never runs backwards.
        at.add(when.isBefore(last) ? last : when);
        to.add(status);
        int drop = 0;
        while (drop < at.size() && !at.get(drop).isAfter(keepFrom)) {
            drop++;
        }
        if (drop > 0) {
            base = to.get(drop - 1);
            baseSince = at.get(drop - 1);
            at.subList(0, drop).clear();
            to.subList(0, drop).clear();
        }
    }

    /** Changes held (for the memory bound's tests). */
    int changesHeld() {
        return at.size();
    }

    /**
     * The days {@code from}..{@code until} (inclusive) in {@code zone}, counted up to {@code asOf}.
     */
    public List<DayUptime> days(LocalDate from, LocalDate until, ZoneId zone, Instant asOf) {
        List<DayUptime> days = new ArrayList<>();
        int next = 0;
        ComponentStatus status = base;
        for (LocalDate day = from; !day.isAfter(until); day = day.plusDays(1)) {
            Instant dayStart = day.atStartOfDay(zone).toInstant();
            Instant dayEnd = day.plusDays(1).atStartOfDay(zone).toInstant();
            Instant known0 = max(dayStart, start);
            Instant known1 = min(dayEnd, asOf);
            long[] ms = new long[ComponentStatus.values().length];
            // Changes before this day set the status it starts with.
            while (next < at.size() && !at.get(next).isAfter(dayStart)) {
                status = to.get(next++);
            }
            Instant cursor = known0;
            int scan = next;
            ComponentStatus running = status;
            while (scan < at.size() && !at.get(scan).isAfter(cursor)) {
                running = to.get(scan++);
            }
            while (cursor.isBefore(known1)) {
                Instant segmentEnd = scan < at.size() && at.get(scan).isBefore(known1) ? at.get(scan) : known1;
                ms[running.ordinal()] += Duration.between(cursor, segmentEnd).toMillis();
                cursor = segmentEnd;
                while (scan < at.size() && !at.get(scan).isAfter(cursor)) {
                    running = to.get(scan++);
                }
            }
            days.add(new DayUptime(day, known1.isAfter(known0) ? Duration.between(known0, known1).toMillis() : 0, ms));
        }
        return days;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /**
     * One day of a component: how long the day was known ({@code knownMs}; 0 before the component existed
     * or in the future) and the milliseconds in each status, by {@link ComponentStatus#ordinal()}.
     */
    public record DayUptime(LocalDate day, long knownMs, long[] statusMs) {

        public long ms(ComponentStatus status) {
            return statusMs[status.ordinal()];
        }

        public boolean hasData() {
            return knownMs > 0;
        }

        /** Downtime in Statuspage's weighting, in milliseconds. */
        public double downMs() {
            return ms(ComponentStatus.MAJOR_OUTAGE) + PARTIAL_OUTAGE_WEIGHT * ms(ComponentStatus.PARTIAL_OUTAGE);
        }

        /** Uptime in percent; 100 for a day without data. */
        public double uptimePercent() {
            return knownMs == 0 ? 100.0 : 100.0 * (knownMs - downMs()) / knownMs;
        }

        /** The worst status the day saw: major over partial over degraded over maintenance over operational. */
        public ComponentStatus worst() {
            for (ComponentStatus status : List.of(ComponentStatus.MAJOR_OUTAGE, ComponentStatus.PARTIAL_OUTAGE,
                    ComponentStatus.DEGRADED_PERFORMANCE, ComponentStatus.UNDER_MAINTENANCE)) {
                if (ms(status) > 0) {
                    return status;
                }
            }
            return ComponentStatus.OPERATIONAL;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof DayUptime that && day.equals(that.day) && knownMs == that.knownMs
                    && java.util.Arrays.equals(statusMs, that.statusMs);
        }

        @Override
        public int hashCode() {
            return day.hashCode() * 31 + java.util.Arrays.hashCode(statusMs);
        }

        @Override
        public String toString() {
            return day + " known " + knownMs + " ms " + java.util.Arrays.toString(statusMs);
        }
    }

    /** Uptime in percent over {@code days}, weighting each by how long it was known; 100 without data. */
    public static double uptimePercent(List<DayUptime> days) {
        double known = 0;
        double down = 0;
        for (DayUptime day : days) {
            known += day.knownMs();
            down += day.downMs();
        }
        return known == 0 ? 100.0 : 100.0 * (known - down) / known;
    }
}
