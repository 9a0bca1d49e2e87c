package dev.incidentengine.notifier.send;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import dev.incidentengine.notifier.channel.Channel;
import dev.incidentengine.notifier.channel.Message;
import dev.incidentengine.notifier.channel.Result;
import dev.incidentengine.notifier.delivery.HttpDelivery;

/**
 * Where deliveries run: each endpoint (an SMTP server, a webhook host, the SMS provider) has its own
 * threads and circuit breaker, each channel its rate limit, so a slow or dead endpoint holds up only
 * what goes to it.
 *
 * <p>Within an endpoint, deliveries of one incident to one address form a lane: they go one at a
 * time in the order submitted (event order), each after the one before it ended, retries included,
 * so "resolved" never overtakes "acknowledged". Lanes of different incidents or addresses run in
 * parallel on the endpoint's threads.
 */
public final class Endpoints implements AutoCloseable {

    /** Tuning: threads per endpoint, failures in a row that open a breaker, how long it stays open, deliveries per second per channel. */
    public record Settings(int threadsPerEndpoint, int breakerThreshold, Duration breakerOpenFor, Map<String, Double> ratePerSecond) {
    }

    private final Settings settings;
    private final LongSupplier nanoTime;
    private final HttpDelivery.Sleeper sleeper;
    private final Map<String, ExecutorService> workers = new ConcurrentHashMap<>();
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private final Map<String, RateLimiter> limits = new ConcurrentHashMap<>();
    /** Deliveries waiting behind the running one of their lane; a lane without an entry is idle. Guarded by itself. */
    private final Map<String, Queue<Runnable>> lanes = new HashMap<>();
    private final AtomicInteger running = new AtomicInteger();

    /** {@code nanoTime} is what breakers, rate limits and delivery times read; {@code sleeper} is how a rate limit waits. */
    public Endpoints(Settings settings, LongSupplier nanoTime, HttpDelivery.Sleeper sleeper) {
        this.settings = settings;
        this.nanoTime = nanoTime;
        this.sleeper = sleeper;
    }

    /** The production clock: {@link System#nanoTime}, and sleeping the thread. */
    public static Endpoints system(Settings settings) {
        return new Endpoints(settings, System::nanoTime, duration -> TimeUnit.NANOSECONDS.sleep(duration.toNanos()));
    }

    /**
     * Runs the delivery on the endpoint's threads, after every delivery submitted before it for the same incident and address,
     * and hands its result to {@code done}, on that thread.
     */
    void submit(String channelName, Channel channel, Message message, Consumer<Result> done) {
        String endpoint = channel.endpoint(message);
        CircuitBreaker breaker = breakers.computeIfAbsent(endpoint,
                e -> new CircuitBreaker(settings.breakerThreshold(), settings.breakerOpenFor(), nanoTime));
        Double rate = settings.ratePerSecond().get(channelName);
        RateLimiter limit = rate == null ? null : limits.computeIfAbsent(channelName, c -> new RateLimiter(rate, nanoTime, sleeper));
        ExecutorService pool = workers.computeIfAbsent(endpoint, this::pool);
        String lane = endpoint + '\n' + message.address() + '\n' + message.incidentId();
        Runnable delivery = () -> {
            try {
                done.accept(deliver(endpoint, breaker, limit, channel, message));
            } finally {
                running.decrementAndGet();
            }
        };
        running.incrementAndGet();
        synchronized (lanes) {
            Queue<Runnable> waiting = lanes.get(lane);
            if (waiting != null) {
                waiting.add(delivery);
                return;
            }
            lanes.put(lane, new ArrayDeque<>());
        }
        pool.execute(() -> runLane(pool, lane, delivery));
    }

    /** Runs one delivery of the lane, then hands the lane's next to the pool (not this thread: other lanes get their turn). */
    private void runLane(ExecutorService pool, String lane, Runnable delivery) {
        try {
            delivery.run();
        } finally {
            Runnable next;
            synchronized (lanes) {
                next = lanes.get(lane).poll();
                if (next == null) {
                    lanes.remove(lane);
                }
            }
            if (next != null) {
                pool.execute(() -> runLane(pool, lane, next));
            }
        }
    }

    private Result deliver(String endpoint, CircuitBreaker breaker, RateLimiter limit, Channel channel, Message message) {
        long started = nanoTime.getAsLong();
        try {
            if (!breaker.allow()) {
                return Result.failed("circuit open: " + endpoint + " failed " + settings.breakerThreshold() + " deliveries in a row",
                        since(started));
            }
            if (limit != null) {
                limit.acquire();
            }
            Result result = channel.send(message);
            // A failure that was retried was the endpoint's (timeouts, 5xx); one that was not is the message's own (a bad address).
            breaker.record(result.delivered() || result.attempts() <= 1);
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.failed("interrupted while shutting down", since(started));
        } catch (RuntimeException e) {
            return Result.failed(e.getClass().getSimpleName() + ": " + e.getMessage(), since(started));
        }
    }

    private Duration since(long started) {
        return Duration.ofNanos(nanoTime.getAsLong() - started);
    }

    private ExecutorService pool(String endpoint) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(settings.threadsPerEndpoint(), settings.threadsPerEndpoint(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "notifier-" + endpoint);
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    int running() {
        return running.get();
    }

    /** Endpoints whose breaker is open now. */
    int openBreakers() {
        return (int) breakers.values().stream().filter(CircuitBreaker::open).count();
    }

    boolean breakerOpen(String endpoint) {
        CircuitBreaker breaker = breakers.get(endpoint);
        return breaker != null && breaker.open();
    }

    @Override
    public void close() {
        workers.values().forEach(ExecutorService::shutdownNow);
    }
}
