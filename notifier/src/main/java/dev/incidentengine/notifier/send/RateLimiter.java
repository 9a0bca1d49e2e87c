package dev.incidentengine.notifier.send;

import java.time.Duration;

/** A token bucket: {@code perSecond} deliveries a second with bursts of as many; {@link #acquire} waits for a token. */
final class RateLimiter {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long refilled;

    RateLimiter(double perSecond) {
        this.perNano = perSecond / Duration.ofSeconds(1).toNanos();
        this.burst = Math.max(1, perSecond);
        this.tokens = burst;
        this.refilled = System.nanoTime();
    }

    void acquire() throws InterruptedException {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - refilled) * perNano);
            refilled = now;
            tokens -= 1; // may go negative: later callers queue behind this one
            wait = tokens >= 0 ? 0 : (long) (-tokens / perNano);
        }
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
