package dev.incidentengine.notifier.send;

import java.time.Duration;
import java.util.function.LongSupplier;

import dev.incidentengine.notifier.delivery.HttpDelivery;

/** A token bucket: {@code perSecond} deliveries a second with bursts of as many; {@link #acquire} waits for a token. */
final class RateLimiter {

    private final double perNano;
    private final double burst;
    private final LongSupplier nanoTime;
    private final HttpDelivery.Sleeper sleeper;
    private double tokens;
    private long refilled;

    RateLimiter(double perSecond, LongSupplier nanoTime, HttpDelivery.Sleeper sleeper) {
        this.perNano = perSecond / Duration.ofSeconds(1).toNanos();
        this.burst = Math.max(1, perSecond);
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
        this.tokens = burst;
        this.refilled = nanoTime.getAsLong();
    }

    void acquire() throws InterruptedException {
        long wait;
        synchronized (this) {
            long now = nanoTime.getAsLong();
            tokens = Math.min(burst, tokens + (now - refilled) * perNano);
            refilled = now;
            tokens -= 1; // may go negative: later callers queue behind this one
            wait = tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perNano);
        }
        if (wait > 0) {
            sleeper.sleep(Duration.ofNanos(wait));
        }
    }
}
