package dev.incidentengine.notifier.delivery;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.function.Function;

/**
 * One delivery over HTTP, tried until it succeeds or the {@link RetryPolicy} gives up. Worth a
 * retry: a timeout, a refused or broken connection, 5xx, 429 (after its Retry-After, if longer
 * than the backoff). Not worth one: any other 4xx, the request itself is wrong (a bad token, a
 * deleted channel), and repeating it changes nothing. An API that reports errors in a 2xx body
 * (Slack) passes a check that reads it and says which are worth a retry.
 */
public final class HttpDelivery {

    /** How it ended: delivered (with the last response) or failed (with why); attempts and the time it took either way. */
    public record Outcome(boolean delivered, int status, String body, String error, int attempts, Duration took) {
    }

    /** What a 2xx answer may still say: the request failed (Slack's {@code "ok":false}), worth a retry or not. */
    public record Refusal(String error, boolean retry) {
    }

    /** Waits between attempts; tests may pass one that records instead. */
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private static final int MAX_ERROR_BODY = 200;

    private final HttpClient client;
    private final RetryPolicy policy;
    private final Sleeper sleeper;

    public HttpDelivery(HttpClient client, RetryPolicy policy, Sleeper sleeper) {
        this.client = client;
        this.policy = policy;
        this.sleeper = sleeper;
    }

    public Outcome send(HttpRequest request) throws InterruptedException {
        return send(request, body -> Optional.empty());
    }

    /** As {@link #send(HttpRequest)}, with {@code check} reading every 2xx body for a refusal. */
    public Outcome send(HttpRequest request, Function<String, Optional<Refusal>> check) throws InterruptedException {
        long started = System.nanoTime();
        String error = null;
        int status = 0;
        String body = null;
        for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) {
            Optional<Duration> retryAfter = Optional.empty();
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                status = response.statusCode();
                body = response.body();
                if (status / 100 == 2) {
                    Optional<Refusal> refusal = check.apply(body);
                    if (refusal.isEmpty()) {
                        return new Outcome(true, status, body, null, attempt, Duration.ofNanos(System.nanoTime() - started));
                    }
                    error = refusal.get().error();
                    if (!refusal.get().retry()) {
                        return new Outcome(false, status, body, error + " (not retried)", attempt, Duration.ofNanos(System.nanoTime() - started));
                    }
                } else {
                    error = "HTTP " + status + (body == null || body.isBlank() ? "" : ": " + abbreviate(body));
                    if (status != 429 && status / 100 != 5) {
                        return new Outcome(false, status, body, error + " (not retried)", attempt, Duration.ofNanos(System.nanoTime() - started));
                    }
                    retryAfter = response.headers().firstValue("Retry-After").flatMap(HttpDelivery::retryAfter);
                }
            } catch (IOException e) {
                // Timeouts, refused and reset connections: the endpoint may answer next time.
                status = 0;
                body = null;
                error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            if (attempt < policy.maxAttempts()) {
                sleeper.sleep(policy.backoff(attempt, retryAfter));
            }
        }
        return new Outcome(false, status, body, error + " (gave up after " + policy.maxAttempts() + " attempts)", policy.maxAttempts(),
                Duration.ofNanos(System.nanoTime() - started));
    }

    /** Retry-After as seconds or as an HTTP date. */
    static Optional<Duration> retryAfter(String value) {
        String text = value.strip();
        if (text.matches("\\d{1,9}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(text)));
        }
        try {
            Duration until = Duration.between(Instant.now(), ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return Optional.of(until.isNegative() ? Duration.ZERO : until);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String abbreviate(String text) {
        String line = text.strip().replaceAll("\\s+", " ");
        return line.length() <= MAX_ERROR_BODY ? line : line.substring(0, MAX_ERROR_BODY) + "…";
    }
}
