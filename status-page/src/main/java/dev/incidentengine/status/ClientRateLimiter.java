package dev.incidentengine.status;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per client address: {@code perSecond} requests sustained, {@code burst} at once. At most
 * {@code maxClients} buckets are kept: beyond, full buckets (clients quiet long enough to have refilled) are
 * forgotten, at most once a second; if that frees nothing, new clients share one bucket, so a flood of
 * addresses costs bounded memory and slows only the newcomers.
 */
final class ClientRateLimiter {

    private static final String OVERFLOW = "*";
    private static final long SWEEP_EVERY_NANOS = 1_000_000_000L;

    private static final class Bucket {
        double tokens;
        long updated;

        Bucket(double tokens, long updated) {
            this.tokens = tokens;
            this.updated = updated;
        }
    }

    private final double perNano;
    private final double burst;
    private final int maxClients;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private volatile long lastSweep;

    ClientRateLimiter(double perSecond, int burst, int maxClients, LongSupplier nanoTime) {
        if (perSecond <= 0 || burst < 1 || maxClients < 1) {
            throw new IllegalArgumentException("a rate limit needs a positive rate, burst and client count");
        }
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.maxClients = maxClients;
        this.nanoTime = nanoTime;
        this.lastSweep = nanoTime.getAsLong() - SWEEP_EVERY_NANOS;
    }

    /** Takes one request of {@code client}: 0 when allowed, else the whole seconds until it would be (Retry-After). */
    long acquire(String client) {
        long now = nanoTime.getAsLong();
        Bucket bucket = buckets.get(client);
        if (bucket == null) {
            if (buckets.size() >= maxClients) {
                sweep(now);
            }
            String key = buckets.size() >= maxClients ? OVERFLOW : client;
            bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
        }
        synchronized (bucket) {
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updated) * perNano);
            bucket.updated = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - bucket.tokens) / perNano / 1e9));
        }
    }

    private void sweep(long now) {
        if (now - lastSweep < SWEEP_EVERY_NANOS) {
            return;
        }
        lastSweep = now;
        buckets.entrySet().removeIf(entry -> {
            Bucket bucket = entry.getValue();
            synchronized (bucket) {
                return bucket.tokens + (now - bucket.updated) * perNano >= burst;
            }
        });
    }

    int clients() {
        return buckets.size();
    }
}
