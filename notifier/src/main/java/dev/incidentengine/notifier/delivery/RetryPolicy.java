package dev.incidentengine.notifier.delivery;

import java.time.Duration;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * How often and how far apart a delivery is tried: exponential backoff from {@code base}, capped
 * at {@code cap}, with full jitter (a random wait up to the backoff, so senders that failed
 * together do not retry together), and a server's Retry-After honoured when it asks for longer.
 */
public record RetryPolicy(int maxAttempts, Duration base, Duration cap, DoubleSupplier random) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(30), Math::random);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, not " + maxAttempts);
        }
    }

    /** The wait before attempt {@code attempt + 1}, after attempt {@code attempt} (1-based) failed. */
    public Duration backoff(int attempt, Optional<Duration> retryAfter) {
        long ceiling = Math.min(cap.toMillis(), base.toMillis() << Math.min(attempt - 1, 20));
        Duration jittered = Duration.ofMillis((long) (random.getAsDouble() * ceiling));
        return retryAfter.filter(asked -> asked.compareTo(jittered) > 0).map(asked -> asked.compareTo(cap) > 0 ? cap : asked)
                .orElse(jittered);
    }
}
