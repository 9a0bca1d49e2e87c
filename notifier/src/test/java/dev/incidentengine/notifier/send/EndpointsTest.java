package dev.incidentengine.notifier.send;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.incidentengine.notifier.channel.Channel;
import dev.incidentengine.notifier.channel.Message;
import dev.incidentengine.notifier.channel.MessageKind;
import dev.incidentengine.notifier.channel.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Isolation between endpoints, circuit breakers and rate limits, with channels that answer from a script. */
class EndpointsTest {

    private final ConcurrentLinkedQueue<String> done = new ConcurrentLinkedQueue<>();
    private Endpoints endpoints;

    @AfterEach
    void tearDown() {
        endpoints.close();
    }

    @Test
    void aHangingEndpointHoldsUpOnlyItsOwnDeliveries() throws InterruptedException {
        endpoints = new Endpoints(new Endpoints.Settings(2, 5, Duration.ofSeconds(30), Map.of()));
        CountDownLatch release = new CountDownLatch(1);
        Channel channel = channel(message -> {
            if (message.address().equals("hanging")) {
                release.await();
            }
            return delivered();
        });
        for (int i = 0; i < 4; i++) {
            submit(channel, "hanging", "h" + i);
        }
        for (int i = 0; i < 20; i++) {
            submit(channel, "healthy", "ok" + i);
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> done.size() == 20);
        assertThat(done).allMatch(id -> id.startsWith("ok"));
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> done.size() == 24);
    }

    @Test
    void failuresInARowThatWereRetriedOpenTheBreaker_thenOneTrialClosesIt() throws InterruptedException {
        endpoints = new Endpoints(new Endpoints.Settings(1, 3, Duration.ofMillis(300), Map.of()));
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger failing = new AtomicInteger(3);
        Channel channel = channel(message -> {
            calls.incrementAndGet();
            return failing.getAndDecrement() > 0 ? new Result(false, null, "HTTP 503", 3, Duration.ofMillis(5)) : delivered();
        });
        List<Result> results = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 5; i++) {
            endpoints.submit("webhook", channel, message("flaky", "d" + i), results::add);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 5);

        assertThat(calls).as("the last two failed at once, without a call").hasValue(3);
        assertThat(results.subList(3, 5)).allSatisfy(result -> assertThat(result.error()).startsWith("circuit open: flaky"));
        assertThat(endpoints.breakerOpen("flaky")).isTrue();
        Thread.sleep(350);
        endpoints.submit("webhook", channel, message("flaky", "trial"), results::add);
        await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 6);
        assertThat(results.get(5).delivered()).isTrue();
        assertThat(endpoints.breakerOpen("flaky")).isFalse();
    }

    @Test
    void aMessagesOwnFailureDoesNotOpenTheBreaker() {
        endpoints = new Endpoints(new Endpoints.Settings(1, 2, Duration.ofSeconds(30), Map.of()));
        Channel channel = channel(message -> new Result(false, null, "HTTP 404 (not retried)", 1, Duration.ofMillis(1)));
        for (int i = 0; i < 5; i++) {
            submit(channel, "strict", "d" + i);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> done.size() == 5);

        assertThat(endpoints.breakerOpen("strict")).isFalse();
    }

    @Test
    void aChannelsRateLimitSpacesItsDeliveries() {
        endpoints = new Endpoints(new Endpoints.Settings(4, 5, Duration.ofSeconds(30), Map.of("sms", 20.0)));
        AtomicLong first = new AtomicLong();
        AtomicLong last = new AtomicLong();
        Channel channel = channel(message -> {
            first.compareAndSet(0, System.nanoTime());
            last.set(System.nanoTime());
            return delivered();
        });
        for (int i = 0; i < 40; i++) {
            endpoints.submit("sms", channel, message("provider", "d" + i), result -> done.add("x"));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> done.size() == 40);

        // A burst of 20, then 20 more at 20 a second: about a second.
        assertThat(Duration.ofNanos(last.get() - first.get())).isBetween(Duration.ofMillis(850), Duration.ofMillis(3000));
    }

    private interface Script {
        Result answer(Message message) throws InterruptedException;
    }

    private static Channel channel(Script script) {
        return new Channel() {
            @Override
            public String endpoint(Message message) {
                return message.address();
            }

            @Override
            public Result send(Message message) throws InterruptedException {
                return script.answer(message);
            }
        };
    }

    private void submit(Channel channel, String endpoint, String id) {
        endpoints.submit("webhook", channel, message(endpoint, id), result -> done.add(id));
    }

    private static Result delivered() {
        return new Result(true, null, null, 1, Duration.ofMillis(1));
    }

    private static Message message(String endpoint, String deliveryId) {
        return new Message(deliveryId, "INC-1", MessageKind.PAGE, endpoint, null, "title", "text", null, null, "SEV2", "TRIGGERED",
                "Checkout", null, null);
    }
}
