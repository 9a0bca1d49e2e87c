package dev.incidentengine.notifier.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * One delivery over HTTP, tried until it succeeds or the {@link RetryPolicy} gives up. Worth a
 * retry: a timeout, a refused or broken connection, 5xx, 429 (after its Retry-After, if longer
 * than the backoff). Not worth one: any other 4xx, the request itself is wrong (a bad token, a
 * deleted channel), and repeating it changes nothing. An API that reports errors in a 2xx body
 * (Slack) passes a check that reads it and says which are worth a retry.
 *
 * <p>A receiver cannot make the sender hold or wait for more than it must: of a response body only
 * the first {@value #MAX_BODY} bytes are read (then the connection is dropped), and the request's
 * timeout bounds the whole exchange, body included (the JDK client's own stops at the headers).
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

    /** The most of a response body that is read: Slack's, Twilio's and PagerDuty's answers are a few hundred bytes. */
    public static final int MAX_BODY = 64 * 1024;
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
                HttpResponse<String> response = exchange(request);
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

    /** Sends the request and reads at most {@link #MAX_BODY} bytes of the answer, all within the request's timeout. */
    private HttpResponse<String> exchange(HttpRequest request) throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<String>> response = client.sendAsync(request, info -> new BoundedBody(MAX_BODY));
        try {
            return request.timeout().isPresent()
                    ? response.get(request.timeout().get().toNanos(), TimeUnit.NANOSECONDS)
                    : response.get();
        } catch (TimeoutException e) {
            response.cancel(true);
            throw new HttpTimeoutException("no complete response within " + request.timeout().get().toMillis() + " ms");
        } catch (InterruptedException e) {
            response.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        }
    }

    /** A body as UTF-8 text, of which only the first {@code max} bytes are kept; reading stops there. */
    static final class BoundedBody implements HttpResponse.BodySubscriber<String> {

        private final int max;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<String> body = new CompletableFuture<>();
        private Flow.Subscription subscription;

        BoundedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<String> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                byte[] chunk = new byte[Math.min(buffer.remaining(), max - bytes.size())];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
            if (bytes.size() >= max) {
                subscription.cancel();
                onComplete();
            } else {
                subscription.request(1);
            }
        }

        @Override
        public void onError(Throwable error) {
            body.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toString(StandardCharsets.UTF_8));
        }
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
