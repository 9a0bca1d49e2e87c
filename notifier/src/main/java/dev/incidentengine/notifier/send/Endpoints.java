package dev.incidentengine.notifier.send;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.incidentengine.notifier.channel.Channel;
import dev.incidentengine.notifier.channel.Message;
import dev.incidentengine.notifier.channel.Result;

/**
 * Where deliveries run: each endpoint (an SMTP server, a webhook host, the SMS provider) has its own
 * threads and circuit breaker, each channel its rate limit, so a slow or dead endpoint holds up only
 * what goes to it.
 */
public final class Endpoints implements AutoCloseable {

    /** Tuning: threads per endpoint, failures in a row that open a breaker, how long it stays open, deliveries per second per channel. */
    public record Settings(int threadsPerEndpoint, int breakerThreshold, Duration breakerOpenFor, Map<String, Double> ratePerSecond) {
    }

    private final Settings settings;
    private final Map<String, ExecutorService> workers = new ConcurrentHashMap<>();
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private final Map<String, RateLimiter> limits = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();

    Endpoints(Settings settings) {
        this.settings = settings;
    }

    /** Runs the delivery on the endpoint's threads and hands its result to {@code done}, on that thread. */
    void submit(String channelName, Channel channel, Message message, Consumer<Result> done) {
        String endpoint = channel.endpoint(message);
        CircuitBreaker breaker = breakers.computeIfAbsent(endpoint,
                e -> new CircuitBreaker(settings.breakerThreshold(), settings.breakerOpenFor(), System::nanoTime));
        Double rate = settings.ratePerSecond().get(channelName);
        RateLimiter limit = rate == null ? null : limits.computeIfAbsent(channelName, c -> new RateLimiter(rate));
        running.incrementAndGet();
        workers.computeIfAbsent(endpoint, this::pool).execute(() -> {
            long started = System.nanoTime();
            Result result;
            try {
                if (!breaker.allow()) {
                    result = Result.failed("circuit open: " + endpoint + " failed " + settings.breakerThreshold()
                            + " deliveries in a row", Duration.ofNanos(System.nanoTime() - started));
                } else {
                    if (limit != null) {
                        limit.acquire();
                    }
                    result = channel.send(message);
                    // A failure that was retried was the endpoint's (timeouts, 5xx); one that was not is the message's own (a bad address).
                    breaker.record(result.delivered() || result.attempts() <= 1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result = Result.failed("interrupted while shutting down", Duration.ofNanos(System.nanoTime() - started));
            } catch (RuntimeException e) {
                result = Result.failed(e.getClass().getSimpleName() + ": " + e.getMessage(), Duration.ofNanos(System.nanoTime() - started));
            }
            try {
                done.accept(result);
            } finally {
                running.decrementAndGet();
            }
        });
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
