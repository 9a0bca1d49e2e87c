package dev.incidentengine.notifier.send;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * One endpoint's breaker: after {@code threshold} failures in a row it opens, and deliveries to the
 * endpoint fail at once for {@code openFor} instead of each waiting out its retries; then one
 * delivery tries (half-open), and its outcome closes or reopens the breaker.
 */
final class CircuitBreaker {

    private final int threshold;
    private final long openForNanos;
    private final LongSupplier nanoTime;
    private int failures;
    private long openUntil;
    private boolean trial;

    CircuitBreaker(int threshold, Duration openFor, LongSupplier nanoTime) {
        this.threshold = threshold;
        this.openForNanos = openFor.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Whether a delivery may go now; in half-open state only one at a time. */
    synchronized boolean allow() {
        if (failures < threshold) {
            return true;
        }
        if (nanoTime.getAsLong() - openUntil < 0 || trial) {
            return false;
        }
        trial = true;
        return true;
    }

    synchronized void record(boolean success) {
        trial = false;
        if (success) {
            failures = 0;
        } else if (++failures >= threshold) {
            openUntil = nanoTime.getAsLong() + openForNanos;
        }
    }

    synchronized boolean open() {
        return failures >= threshold;
    }
}
