package dev.incidentengine.notifier.send;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
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

/**
 * Isolation between endpoints, ordered lanes within one, circuit breakers and rate limits, with channels that answer from a
 * script and a clock the test moves.
 */
class EndpointsTest {

    private final ConcurrentLinkedQueue<String> done = new ConcurrentLinkedQueue<>();
    private final AtomicLong now = new AtomicLong();
    private final List<Duration> slept = new CopyOnWriteArrayList<>();
    private Endpoints endpoints;

    @AfterEach
    void tearDown() {
        endpoints.close();
    }

    private Endpoints endpoints(int threads, int breakerThreshold, Duration breakerOpenFor, Map<String, Double> rates) {
        endpoints = new Endpoints(new Endpoints.Settings(threads, breakerThreshold, breakerOpenFor, rates), now::get, duration -> {
            slept.add(duration);
            now.addAndGet(duration.toNanos());
        });
        return endpoints;
    }

    @Test
    void aHangingEndpointHoldsUpOnlyItsOwnDeliveries() {
        endpoints(2, 5, Duration.ofSeconds(30), Map.of());
        CountDownLatch release = new CountDownLatch(1);
        Channel channel = channel(message -> {
            if (message.address().equals("hanging")) {
                release.await();
            }
            return delivered();
        });
        for (int i = 0; i < 4; i++) {
            submit(channel, "hanging", "INC-" + i, "h" + i);
        }
        for (int i = 0; i < 20; i++) {
            submit(channel, "healthy", "INC-" + i, "ok" + i);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> done.size() == 20);
        assertThat(done).allMatch(id -> id.startsWith("ok"));
        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> done.size() == 24);
    }

    @Test
    void oneIncidentsDeliveriesToOneAddressWaitForTheOneBefore_whileOtherIncidentsGoOn() {
        endpoints(4, 5, Duration.ofSeconds(30), Map.of());
        CountDownLatch firstRetrying = new CountDownLatch(1);
        Channel channel = channel(message -> {
            if (message.deliveryId().equals("a1")) {
                firstRetrying.await(); // an endpoint that keeps failing it: the delivery is still being retried
            }
            return delivered();
        });
        submit(channel, "hooks", "INC-A", "a1");
        submit(channel, "hooks", "INC-A", "a2");
        submit(channel, "hooks", "INC-A", "a3");
        submit(channel, "hooks", "INC-B", "b1");
        submit(channel, "hooks", "INC-B", "b2");

        await().atMost(Duration.ofSeconds(30)).until(() -> done.size() == 2);
        await("INC-A's later news waits for its first").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(30))
                .until(() -> done.size() == 2);
        assertThat(done).containsExactly("b1", "b2");
        firstRetrying.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> done.size() == 5);
        assertThat(done).containsExactly("b1", "b2", "a1", "a2", "a3");
    }

    @Test
    void underLoad_eachIncidentsDeliveriesGoOneAtATimeInTheOrderSubmitted() {
        endpoints(8, 1_000, Duration.ofSeconds(30), Map.of());
        Map<String, AtomicInteger> sending = new ConcurrentHashMap<>();
        Map<String, Queue<Integer>> order = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        Channel channel = channel(message -> {
            AtomicInteger lane = sending.computeIfAbsent(message.incidentId(), id -> new AtomicInteger());
            if (lane.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            order.computeIfAbsent(message.incidentId(), id -> new ConcurrentLinkedQueue<>())
                    .add(Integer.parseInt(message.deliveryId().substring(message.deliveryId().indexOf('#') + 1)));
            Thread.yield();
            lane.decrementAndGet();
            return delivered();
        });
        int incidents = 50;
        int events = 20;
        for (int event = 0; event < events; event++) {
            for (int incident = 0; incident < incidents; incident++) {
                submit(channel, "hooks", "INC-" + incident, "INC-" + incident + "#" + event);
            }
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> done.size() == incidents * events);
        assertThat(overlaps).as("deliveries of one incident that ran at the same time").hasValue(0);
        List<Integer> inOrder = new ArrayList<>();
        for (int event = 0; event < events; event++) {
            inOrder.add(event);
        }
        assertThat(order).hasSize(incidents).allSatisfy((incident, sent) -> assertThat(sent).as(incident).containsExactlyElementsOf(inOrder));
    }

    @Test
    void failuresInARowThatWereRetriedOpenTheBreaker_thenOneTrialClosesIt() {
        endpoints(1, 3, Duration.ofMillis(300), Map.of());
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger failing = new AtomicInteger(3);
        Channel channel = channel(message -> {
            calls.incrementAndGet();
            return failing.getAndDecrement() > 0 ? new Result(false, null, "HTTP 503", 3, Duration.ofMillis(5)) : delivered();
        });
        List<Result> results = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 5; i++) {
            endpoints.submit("webhook", channel, message("flaky", "INC-1", "d" + i), results::add);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> results.size() == 5);

        assertThat(calls).as("the last two failed at once, without a call").hasValue(3);
        assertThat(results.subList(3, 5)).allSatisfy(result -> assertThat(result.error()).startsWith("circuit open: flaky"));
        assertThat(endpoints.breakerOpen("flaky")).isTrue();
        now.addAndGet(Duration.ofMillis(299).toNanos());
        endpoints.submit("webhook", channel, message("flaky", "INC-1", "still-open"), results::add);
        await().atMost(Duration.ofSeconds(30)).until(() -> results.size() == 6);
        assertThat(results.get(5).error()).startsWith("circuit open: flaky");
        now.addAndGet(Duration.ofMillis(1).toNanos());
        endpoints.submit("webhook", channel, message("flaky", "INC-1", "trial"), results::add);
        await().atMost(Duration.ofSeconds(30)).until(() -> results.size() == 7);
        assertThat(results.get(6).delivered()).isTrue();
        assertThat(calls).hasValue(4);
        assertThat(endpoints.breakerOpen("flaky")).isFalse();
    }

    @Test
    void aMessagesOwnFailureDoesNotOpenTheBreaker() {
        endpoints(1, 2, Duration.ofSeconds(30), Map.of());
        Channel channel = channel(message -> new Result(false, null, "HTTP 404 (not retried)", 1, Duration.ofMillis(1)));
        for (int i = 0; i < 5; i++) {
            submit(channel, "strict", "INC-1", "d" + i);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> done.size() == 5);

        assertThat(endpoints.breakerOpen("strict")).isFalse();
    }

    @Test
    void aChannelsRateLimitSpacesItsDeliveries() {
        endpoints(1, 5, Duration.ofSeconds(30), Map.of("sms", 20.0));
        List<Long> sentAt = new CopyOnWriteArrayList<>();
        Channel channel = channel(message -> {
            sentAt.add(now.get());
            return delivered();
        });
        for (int i = 0; i < 40; i++) {
            endpoints.submit("sms", channel, message("provider", "INC-" + i, "d" + i), result -> done.add("x"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> done.size() == 40);

        // A burst of 20 at once, then one every 50 ms: 20 more take a second.
        assertThat(sentAt.subList(0, 20)).containsOnly(0L);
        assertThat(Duration.ofNanos(sentAt.get(39))).isBetween(Duration.ofMillis(1000), Duration.ofMillis(1001));
        assertThat(slept).hasSize(20).allSatisfy(wait -> assertThat(wait).isBetween(Duration.ofMillis(49), Duration.ofMillis(51)));
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

    private void submit(Channel channel, String endpoint, String incidentId, String id) {
        endpoints.submit("webhook", channel, message(endpoint, incidentId, id), result -> done.add(id));
    }

    private static Result delivered() {
        return new Result(true, null, null, 1, Duration.ofMillis(1));
    }

    private static Message message(String endpoint, String incidentId, String deliveryId) {
        return new Message(deliveryId, incidentId, MessageKind.PAGE, endpoint, null, "title", "text", null, null, "SEV2", "TRIGGERED",
                "Checkout", null, null);
    }
}
