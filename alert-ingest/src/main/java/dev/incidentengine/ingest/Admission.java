package dev.incidentengine.ingest;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Admission by incident-stream's backlog. An alert waits behind every record queued before it in
 * its partition, so a storm that outruns incident-stream would delay every other service's
 * incidents by as long as the storm's backlog. While the backlog is longer than {@code maxBacklogMs},
 * sources offering more than {@code quietPerSecond} alerts a second are refused (the caller answers
 * 503 with Retry-After, which Alertmanager, Grafana and PagerDuty clients retry), and quiet sources
 * still get through, behind a backlog of at most about that limit.
 *
 * <p>The backlog comes from samples of the consumer group's lag ({@link #observe}); between samples,
 * alerts admitted since the last one are added. Its length in time is the lag over the rate at
 * which incident-stream drained it while it had work: a rate measured while it idled would
 * understate what it can do (and one that ran dry between samples is left out). Pure: the caller brings the samples and the clock.
 */
final class Admission {

    /** How much busy history the drain rate is taken from. */
    private static final long RATE_WINDOW_NANOS = 5_000_000_000L;
    private static final long SECOND_NANOS = 1_000_000_000L;
    /** Sources tracked at once; beyond this (a sender making up group keys), a source is tracked as its integration. */
    static final int MAX_SOURCES = 10_000;
    /** Records a second incident-stream is taken to drain before it was ever seen busy: a slow machine's figure. */
    static final long ASSUMED_PER_SECOND = 1_000;
    /** A lag this small is no sign of work: records sent since the last commit, transaction markers. */
    static final long BUSY_LAG = 50;

    private final long maxBacklogMs;
    private final double quietPerSecond;
    private final LongSupplier nanoTime;
    private final Map<String, Offered> sources = new ConcurrentHashMap<>();
    /** Busy intervals between samples: {nanos, records drained}, oldest first. */
    private final Deque<long[]> busy = new ArrayDeque<>();
    /** Sums of {@link #busy}: read on every request, so kept rather than summed. */
    private long busyNanos;
    private long busyDrained;

    private long sampledAt;
    private long sampledLag;
    private long committed = -1;
    private long admittedSinceSample;

    /** Alerts a source offered in the current and the previous second. */
    private static final class Offered {
        long second;
        long current;
        long previous;

        synchronized long add(long now, long alerts) {
            long s = now / SECOND_NANOS;
            if (s != second) {
                previous = s == second + 1 ? current : 0;
                current = 0;
                second = s;
            }
            current += alerts;
            // The previous second's share that is still within the last second, plus this one's.
            double previousShare = 1.0 - (double) (now % SECOND_NANOS) / SECOND_NANOS;
            return current + Math.round(previous * previousShare);
        }

        synchronized boolean idleSince(long now) {
            return now / SECOND_NANOS > second + 1;
        }
    }

    /** @param maxBacklogMs 0 turns admission off */
    Admission(long maxBacklogMs, double quietPerSecond, LongSupplier nanoTime) {
        this.maxBacklogMs = maxBacklogMs;
        this.quietPerSecond = quietPerSecond;
        this.nanoTime = nanoTime;
    }

    /**
     * A sample of the group: records not yet consumed ({@code lag}) and the sum of its committed
     * offsets. A negative committed sum means the group has committed nothing yet.
     */
    synchronized void observe(long lag, long committedSum) {
        long now = nanoTime.getAsLong();
        // Busy throughout: work queued at both samples. An interval that drained a little and then idled would understate the rate.
        if (committed >= 0 && committedSum >= committed && sampledLag > BUSY_LAG && lag > BUSY_LAG) {
            long[] interval = {now - sampledAt, committedSum - committed};
            busy.addLast(interval);
            busyNanos += interval[0];
            busyDrained += interval[1];
            while (busy.size() > 1 && busyNanos - busy.peekFirst()[0] >= RATE_WINDOW_NANOS) {
                long[] oldest = busy.removeFirst();
                busyNanos -= oldest[0];
                busyDrained -= oldest[1];
            }
        }
        committed = committedSum;
        sampledLag = Math.max(0, lag);
        sampledAt = now;
        admittedSinceSample = 0;
        sources.values().removeIf(offered -> offered.idleSince(now));
    }

    /** Counts the alerts against their source; true when the source offers more than the quiet rate. */
    boolean busy(String source, String integration, int alerts) {
        if (maxBacklogMs == 0) {
            return false;
        }
        String key = sources.size() < MAX_SOURCES || sources.containsKey(source) ? source : integration;
        return sources.computeIfAbsent(key, k -> new Offered()).add(nanoTime.getAsLong(), alerts) > quietPerSecond;
    }

    /**
     * Whether alerts may be written now, counting them into the backlog if so: always those of a
     * quiet source, and a busy source's while the backlog is within the limit.
     */
    synchronized boolean tryAdmit(boolean busy, int alerts) {
        if (busy && backlogMs() > maxBacklogMs) {
            return false;
        }
        admittedSinceSample += alerts;
        return true;
    }

    /** The backlog's estimated length in milliseconds: 0 when none, {@link Long#MAX_VALUE} when nothing drains it. */
    synchronized long backlogMs() {
        long lag = sampledLag + admittedSinceSample;
        if (lag == 0) {
            return 0;
        }
        if (busy.isEmpty()) {
            // Never busy yet: assume a modest rate until one is measured.
            return lag * 1000 / ASSUMED_PER_SECOND;
        }
        if (busyDrained == 0) {
            return Long.MAX_VALUE; // busy, and nothing moved
        }
        return (long) Math.min(Long.MAX_VALUE, lag * (busyNanos / 1e6) / busyDrained);
    }

    /** The lag at the last sample plus what was admitted since. */
    synchronized long backlogRecords() {
        return sampledLag + admittedSinceSample;
    }
}
