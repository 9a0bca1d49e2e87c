package dev.incidentengine.status.subscriptions;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Token buckets by key (a client IP, an address digest): each holds up to {@code capacity} requests and regains one every
 * {@code refill}. At most {@code maxKeys} buckets are kept, the least recently used dropped first, so a flood of distinct
 * keys costs bounded memory (a dropped key starts again full, which an attacker with that many addresses has anyway).
 */
final class TokenBuckets {

    private record Bucket(double tokens, long at) {
    }

    private final int capacity;
    private final long refillNanos;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> buckets;

    TokenBuckets(int capacity, Duration refill, int maxKeys, LongSupplier nanoTime) {
        this.capacity = capacity;
        this.refillNanos = refill.toNanos();
        this.nanoTime = nanoTime;
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > maxKeys;
            }
        };
    }

    /** Takes a token: {@link Duration#ZERO} when there was one, else how long until there is. */
    synchronized Duration take(String key) {
        long now = nanoTime.getAsLong();
        Bucket bucket = buckets.get(key);
        double tokens = bucket == null ? capacity : Math.min(capacity, bucket.tokens() + (double) (now - bucket.at()) / refillNanos);
        if (tokens >= 1) {
            buckets.put(key, new Bucket(tokens - 1, now));
            return Duration.ZERO;
        }
        buckets.put(key, new Bucket(tokens, now));
        return Duration.ofNanos((long) Math.ceil((1 - tokens) * refillNanos));
    }
}
