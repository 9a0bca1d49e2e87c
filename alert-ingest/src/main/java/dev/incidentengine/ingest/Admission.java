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
 * understate what it can do, so only work committed while the lag stayed above {@link #BUSY_LAG}
 * counts.
 *
 * <p>Committed offsets move once a commit, and a busy incident-stream commits less often (up to once
 * a second, see service-kit's CommitPacing): its lag then also counts what it read since its last
 * commit. So the work of the time since the offsets last moved, at the rate of the last gap between
 * two moves, is taken off, for at most as long as that gap: a stream that stops committing is not
 * credited with work it may not be doing, and one busy without a commit for {@link #STALLED_NANOS}
 * is an endless backlog. Pure: the caller brings the samples and the clock.
 */
final class Admission {

    /** How much busy history the drain rate is taken from. */
    private static final long RATE_WINDOW_NANOS = 5_000_000_000L;
    /** Busy this long without a commit: the group is stuck (a commit comes at least once a second when it works). */
    static final long STALLED_NANOS = 5_000_000_000L;
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
    /** Busy intervals between commits: {nanos, records drained}, oldest first. */
    private final Deque<long[]> busy = new ArrayDeque<>();
    /** Sums of {@link #busy}: read on every request, so kept rather than summed. */
    private long busyNanos;
    private long busyDrained;

    /** The committed sum at the last sample; negative before the group committed. */
    private long committed = -1;
    /** When the committed offsets last moved, and to what sum. */
    private long movedAt = -1;
    private long committedAtMove;
    /** The last gap between two moves, and what was committed over it; -1 before there was one. */
    private long gapNanos = -1;
    private long gapDrained;
    /** Since when every sample's lag was above {@link #BUSY_LAG}; -1 when the last one's was not. */
    private long busySince = -1;

    private long sampledLag;
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
        boolean busyNow = lag > BUSY_LAG;
        if (committedSum >= 0 && (committed < 0 || committedSum < committed)) {
            // The first commit seen, or fewer partitions than before: start over from here.
            movedAt = now;
            committedAtMove = committedSum;
            gapNanos = -1;
        } else if (committedSum > committed) {
            long drained = committedSum - committedAtMove;
            gapNanos = now - movedAt;
            gapDrained = drained;
            // Busy throughout: work queued at every sample since the commit before, or since the backlog began.
            if (busyNow && busySince >= 0) {
                addBusy(now - Math.max(busySince, movedAt), drained);
            }
            movedAt = now;
            committedAtMove = committedSum;
        }
        busySince = !busyNow ? -1 : busySince < 0 ? now : busySince;
        committed = committedSum;
        sampledLag = Math.max(0, lag);
        admittedSinceSample = 0;
        sources.values().removeIf(offered -> offered.idleSince(now));
    }

    private void addBusy(long nanos, long drained) {
        if (nanos <= 0) {
            return;
        }
        busy.addLast(new long[] {nanos, drained});
        busyNanos += nanos;
        busyDrained += drained;
        while (busy.size() > 1 && busyNanos - busy.peekFirst()[0] >= RATE_WINDOW_NANOS) {
            long[] oldest = busy.removeFirst();
            busyNanos -= oldest[0];
            busyDrained -= oldest[1];
        }
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
        if (busySince >= 0 && nanoTime.getAsLong() - Math.max(busySince, movedAt) > STALLED_NANOS) {
            return Long.MAX_VALUE; // work queued, and nothing committed for a long time
        }
        double perMs = busy.isEmpty() ? ASSUMED_PER_SECOND / 1000.0 : busyDrained / (busyNanos / 1e6);
        return (long) Math.min(Long.MAX_VALUE, unread(lag) / perMs);
    }

    /** The records still to read: the lag less the work done since the committed offsets last moved. */
    private double unread(long lag) {
        if (gapNanos <= 0) {
            return lag;
        }
        long sinceMove = Math.min(nanoTime.getAsLong() - movedAt, gapNanos);
        return Math.max(0, lag - (double) gapDrained / gapNanos * sinceMove);
    }

    /** The lag at the last sample plus what was admitted since, less the work done since the last commit. */
    synchronized long backlogRecords() {
        return Math.round(unread(sampledLag + admittedSinceSample));
    }
}
