package dev.incidentengine.status;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClientRateLimiterTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    private void advanceSeconds(double seconds) {
        nanos.addAndGet((long) (seconds * 1e9));
    }

    @Test
    void aClientGetsItsBurstThenItsRateAndIsToldWhenToComeBack() {
        ClientRateLimiter limiter = new ClientRateLimiter(0.5, 3, 10, nanos::get);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.acquire("10.0.0.1")).isZero();
        }
        assertThat(limiter.acquire("10.0.0.1")).as("Retry-After: one token at 0.5/s").isEqualTo(2);
        assertThat(limiter.acquire("10.0.0.2")).as("another client has its own bucket").isZero();
        advanceSeconds(2);
        assertThat(limiter.acquire("10.0.0.1")).isZero();
    }

    @Test
    void manyAddressesCostBoundedMemory_quietOnesAreForgottenAndNewcomersShareOneBucketMeanwhile() {
        ClientRateLimiter limiter = new ClientRateLimiter(1, 2, 3, nanos::get);
        for (int i = 0; i < 3; i++) {
            limiter.acquire("client-" + i);
        }
        // Three remembered: a fourth and a fifth share the overflow bucket (burst 2), the sixth is refused.
        assertThat(limiter.acquire("client-3")).isZero();
        assertThat(limiter.acquire("client-4")).isZero();
        assertThat(limiter.acquire("client-5")).isPositive();
        assertThat(limiter.clients()).isEqualTo(4);

        advanceSeconds(5);
        assertThat(limiter.acquire("client-6")).as("the refilled buckets were forgotten").isZero();
        assertThat(limiter.clients()).isLessThanOrEqualTo(3);
    }

    @Test
    void ifNoneMatchTakesAListAWeakTagAndAStar() {
        assertThat(PublicSite.matches("\"1.2\"", "\"1.2\"")).isTrue();
        assertThat(PublicSite.matches("\"0.1\", W/\"1.2\"", "\"1.2\"")).isTrue();
        assertThat(PublicSite.matches("*", "\"1.2\"")).isTrue();
        assertThat(PublicSite.matches("\"1.2\"", "W/\"1.2\"")).as("the gzipped representation's weak tag").isTrue();
        assertThat(PublicSite.matches("\"1.3\"", "\"1.2\"")).isFalse();
        assertThat(PublicSite.matches(null, "\"1.2\"")).isFalse();
    }
}
