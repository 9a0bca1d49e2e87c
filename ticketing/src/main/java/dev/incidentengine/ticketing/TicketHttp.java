package dev.incidentengine.ticketing;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP for every ticketing system: JSON in and out, retries with exponential backoff and jitter for what is worth a retry
 * (no answer, 429, 5xx, and GitHub's 403 with {@code x-ratelimit-remaining: 0}), honouring {@code Retry-After} (seconds or an
 * HTTP date) and GitHub's {@code x-ratelimit-reset}. A write (any method but GET and HEAD) is repeated here only when the
 * system cannot have done it: 429, 503, GitHub's rate limit, or a connection never made. After any other failure (a timeout,
 * a broken connection, 500, 502, 504) the write may have been done all the same (a Redmine on sqlite answered 204 after 30 s,
 * past the client's timeout): it fails as retriable at once, and the connector looks for it in the ticket before it writes
 * again. A wait longer than {@link Retry#maxWait()} is not waited here: the
 * request fails as {@linkplain TicketException#retriable() retriable}, and the task hands the wait to Connect. Any other 4xx is
 * {@linkplain TicketException#refused refused} at once. Bodies are read up to {@value #MAX_BODY} bytes.
 */
public final class TicketHttp {

    /** How often and how long to retry. */
    public record Retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxWait) {

        public static final Retry DEFAULT = new Retry(5, Duration.ofMillis(500), Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    /** Waits between attempts; tests pass one that records instead. */
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** A 2xx answer (or an accepted other status), its body read. */
    public record Response(int status, String body, java.net.http.HttpHeaders headers) {

        public JsonNode json() {
            try {
                return body.isEmpty() ? JSON.nullNode() : JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + abbreviate(body), e);
            }
        }
    }

    public static final ObjectMapper JSON = new ObjectMapper();
    /** Requests that change nothing, so repeating them is always safe. */
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD");
    /** Enough for a page of search results of any of the four systems. */
    public static final int MAX_BODY = 4 * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(TicketHttp.class);
    private static final int MAX_ERROR_BODY = 300;

    private final String system;
    private final HttpClient client;
    private final Retry retry;
    private final Duration timeout;
    private final Sleeper sleeper;
    private final Clock clock;

    public TicketHttp(String system, HttpClient client, Retry retry, Duration timeout, Sleeper sleeper, Clock clock) {
        this.system = system;
        this.client = client;
        this.retry = retry;
        this.timeout = timeout;
        this.sleeper = sleeper;
        this.clock = clock;
    }

    /** With the JDK's client, real sleeps and the system clock. */
    public static TicketHttp create(String system, Retry retry, Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        return new TicketHttp(system, client, retry, timeout, duration -> Thread.sleep(duration.toMillis()), Clock.systemUTC());
    }

    /** A request builder with the timeout and JSON headers set. */
    public HttpRequest.Builder request(java.net.URI uri) {
        return HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json");
    }

    public static HttpRequest.BodyPublisher json(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Sends until a 2xx answer; see the class comment for what else happens. */
    public Response send(String operation, HttpRequest request) throws TicketException {
        return send(operation, request, Set.of());
    }

    /** As {@link #send(String, HttpRequest)}, but the given non-2xx statuses (404, say) are answers too. */
    public Response send(String operation, HttpRequest request, Set<Integer> accepted) throws TicketException {
        boolean safe = SAFE_METHODS.contains(request.method());
        Duration backoff = retry.initialBackoff();
        for (int attempt = 1; ; attempt++) {
            int status = 0;
            Duration asked = null;
            String why;
            Throwable cause = null;
            try {
                HttpResponse<InputStream> answer = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                status = answer.statusCode();
                String body = read(answer.body());
                if ((status >= 200 && status < 300) || accepted.contains(status)) {
                    return new Response(status, body, answer.headers());
                }
                asked = waitAsked(answer);
                boolean rateLimited = status == 429 || (status == 403 && asked != null);
                if (status < 500 && !rateLimited) {
                    throw TicketException.refused(system, operation, status, abbreviate(body));
                }
                why = "HTTP " + status + (body.isBlank() ? "" : " " + abbreviate(body));
                if (!safe && !rateLimited && status != 503) {
                    throw TicketException.unavailable(system, operation, status, asked, why + " (may have been done: not repeated blindly)", null);
                }
            } catch (IOException e) {
                why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
                if (!safe && !(e instanceof ConnectException || e instanceof HttpConnectTimeoutException)) {
                    throw TicketException.unavailable(system, operation, 0, null, why + " (may have been done: not repeated blindly)", e);
                }
                cause = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw TicketException.unavailable(system, operation, 0, null, "interrupted", e);
            }
            Duration wait = asked != null ? asked : jittered(backoff);
            if (attempt >= retry.maxAttempts() || wait.compareTo(retry.maxWait()) > 0) {
                throw TicketException.unavailable(system, operation, status, asked, why + " after " + attempt + " attempt(s)", cause);
            }
            LOG.warn("{} {}: {}; attempt {} of {}, next in {} ms", system, operation, why, attempt, retry.maxAttempts(), wait.toMillis());
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw TicketException.unavailable(system, operation, status, asked, "interrupted while waiting to retry", e);
            }
            backoff = backoff.multipliedBy(2).compareTo(retry.maxBackoff()) > 0 ? retry.maxBackoff() : backoff.multipliedBy(2);
        }
    }

    /** Retry-After (seconds or an HTTP date), or GitHub's exhausted rate limit ({@code x-ratelimit-reset}, epoch seconds). */
    private Duration waitAsked(HttpResponse<?> answer) {
        Optional<String> retryAfter = answer.headers().firstValue("Retry-After");
        if (retryAfter.isPresent()) {
            String value = retryAfter.get().trim();
            try {
                return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
            } catch (NumberFormatException notSeconds) {
                try {
                    Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                    return nonNegative(Duration.between(clock.instant(), at));
                } catch (DateTimeParseException notDate) {
                    return null;
                }
            }
        }
        if (answer.headers().firstValue("x-ratelimit-remaining").filter("0"::equals).isPresent()) {
            return answer.headers().firstValue("x-ratelimit-reset").map(reset -> {
                try {
                    return nonNegative(Duration.between(clock.instant(), Instant.ofEpochSecond(Long.parseLong(reset))));
                } catch (NumberFormatException e) {
                    return null;
                }
            }).orElse(null);
        }
        return null;
    }

    private static Duration nonNegative(Duration duration) {
        return duration.isNegative() ? Duration.ZERO : duration;
    }

    private static Duration jittered(Duration backoff) {
        long millis = backoff.toMillis();
        return Duration.ofMillis(millis / 2 + ThreadLocalRandom.current().nextLong(millis / 2 + 1));
    }

    private static String read(InputStream body) throws IOException {
        try (body) {
            byte[] bytes = body.readNBytes(MAX_BODY);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    static String abbreviate(String body) {
        String flat = body.replaceAll("\\s+", " ").trim();
        return flat.length() <= MAX_ERROR_BODY ? flat : flat.substring(0, MAX_ERROR_BODY) + "…";
    }
}
