package dev.incidentengine.ingest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** A token bucket per integration, counted in alerts: {@code ratePerSecond} sustained, {@code burst} at once. */
final class RateLimiter {

    private final double ratePerNano;
    private final double burst;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long updated;

        Bucket(double tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }
    }

    /** @param ratePerSecond 0 turns limiting off */
    RateLimiter(double ratePerSecond, double burst, LongSupplier nanoTime) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    /** @return 0 when granted, else whole seconds until {@code permits} would be granted */
    long tryAcquire(String integrationId, int permits) {
        if (ratePerNano == 0) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        Bucket bucket = buckets.computeIfAbsent(integrationId, id -> new Bucket(burst, now));
        synchronized (bucket) {
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updated) * ratePerNano);
            bucket.updated = now;
            if (bucket.tokens >= permits) {
                bucket.tokens -= permits;
                return 0;
            }
            double missing = Math.min(permits, burst) - bucket.tokens;
            return Math.max(1, (long) Math.ceil(missing / ratePerNano / 1e9));
        }
    }
}
