package dev.incidentengine.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.SessionLog;
import dev.incidentengine.service.api.Sessions;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing in with a one-time link mailed to the user's configured address (DESIGN.md, "Sessions and CSRF").
 *
 * <p>Asking for a link answers the same whatever the login names, at once: whether a user, an
 * address and a token were found, and the write to Kafka, happen afterwards on a thread of their own,
 * so neither the answer nor its time tells who exists. The link's session gets the role of the
 * user's first API token in the tokens file; a user without one gets no link.
 */
final class SignInLinks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SignInLinks.class);
    /** Link requests one client (address) may make per window, and links one user may be sent. */
    static final int PER_CLIENT = 10;
    static final int PER_USER = 3;
    static final Duration WINDOW = Duration.ofMinutes(15);
    /** Clients and users tracked at once; past it, new clients are refused until windows end. */
    private static final int MAX_TRACKED = 10_000;
    private static final int MAX_LOGIN = 320;
    private static final int MAX_NEXT = 512;
    private static final int MAX_PENDING = 64;

    private final ApiTokens tokens;
    private final Sessions sessions;
    private final SessionLog sessionLog;
    private final Duration ttl;
    private final Clock clock;
    private final Limiter clients;
    private final Limiter users;
    /** One thread: the requests are few (rate-limited), and a slow Kafka must not take the HTTP server's threads. */
    private final ThreadPoolExecutor sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_PENDING),
            runnable -> {
                Thread thread = new Thread(runnable, "console-signin-links");
                thread.setDaemon(true);
                return thread;
            });

    SignInLinks(ApiTokens tokens, SessionLog sessionLog, Duration ttl, Clock clock) {
        this.tokens = tokens;
        this.sessions = tokens.sessions().orElseThrow(() -> new IllegalArgumentException("sign-in links need sessions"));
        this.sessionLog = sessionLog;
        this.ttl = ttl;
        this.clock = clock;
        this.clients = new Limiter(PER_CLIENT, clock);
        this.users = new Limiter(PER_USER, clock);
    }

    /** {@code {"login": "alice" | "alice@example.com", "next": "/incidents/..."}}: 202 whoever it names. */
    Map<String, Object> request(Request request, Response response) {
        JsonNode body = Console.jsonBody(request);
        String login = text(body, "login", MAX_LOGIN, true);
        String next = text(body, "next", MAX_NEXT, false);
        if (next != null && (!next.startsWith("/") || next.startsWith("//") || next.chars().anyMatch(c -> c < 0x21 || c == '\\'))) {
            throw new ApiError(400, "next", "must be a path of this console, like /incidents");
        }
        String client = Request.getRemoteAddr(request);
        Optional<Duration> wait = clients.take(client);
        if (wait.isPresent()) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(wait.get().toSeconds() + 1));
            throw new ApiError(429, null, "at most " + PER_CLIENT + " sign-in links may be asked for from one address in "
                    + WINDOW.toMinutes() + " minutes; try again later");
        }
        try {
            sender.execute(() -> send(login, next));
        } catch (RejectedExecutionException e) {
            throw new ApiError(503, null, "too many sign-in links are being sent; retry in a moment");
        }
        return Map.of("requested", true, "expiresInMinutes", ttl.toMinutes());
    }

    private void send(String login, String next) {
        try {
            Optional<SessionLog.Mailbox> mailbox = sessionLog.mailbox(login);
            Optional<String> fingerprint = mailbox.flatMap(found -> tokens.linkFingerprint(found.user()));
            if (fingerprint.isEmpty()) {
                // The login itself is not logged: it may be anyone's address, or a password typed in the wrong field.
                log.info("No sign-in link sent: the login names no user with an e-mail address and an API token");
                return;
            }
            String user = mailbox.get().user();
            if (users.take(user).isPresent()) {
                log.info("No sign-in link sent to user {}: {} were sent in {} minutes", user, PER_USER, WINDOW.toMinutes());
                return;
            }
            sessionLog.requestLink(new Sessions.Link(user, fingerprint.get(), Sessions.newNonce(), clock.instant().plus(ttl)),
                    mailbox.get().address(), next);
            log.info("Sign-in link asked for by user {}", user);
        } catch (RuntimeException e) {
            log.warn("No sign-in link sent: {}", e.getMessage());
        }
    }

    /** {@code {"token": "..."}} from a link: a new session's cookie for its user, the first time it is used on any instance. */
    String redeem(Request request) {
        JsonNode body = Console.jsonBody(request);
        Sessions.Link link = sessions.verifyLink(text(body, "token", 512, true))
                .orElseThrow(() -> new ApiError(403, null, "this sign-in link is not valid or has expired: ask for a new one"));
        ApiUser user = tokens.user(link.user(), link.fingerprint())
                .orElseThrow(() -> new ApiError(403, null, "the API token this link was made for is no longer valid: ask for a new link"));
        if (!sessionLog.redeem(link)) {
            log.info("Refused a sign-in link of user {} used a second time", link.user());
            throw new ApiError(403, null, "this sign-in link was used already: ask for a new one");
        }
        log.info("User {} signed in with a link", user.user());
        return sessions.issue(link.user(), link.fingerprint());
    }

    private static String text(JsonNode body, String field, int maxLength, boolean required) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new ApiError(400, field, "is required");
            }
            return null;
        }
        if (!value.isTextual() || value.textValue().isBlank()) {
            throw new ApiError(400, field, "must be a non-empty string");
        }
        if (value.textValue().length() > maxLength) {
            throw new ApiError(400, field, "must be at most " + maxLength + " characters");
        }
        return value.textValue().strip();
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }

    /** At most {@code max} takes per key in each {@link #WINDOW}, for at most {@link #MAX_TRACKED} keys at once. */
    private static final class Limiter {

        private record Window(Instant start, int taken) {
        }

        private final int max;
        private final Clock clock;
        private final Map<String, Window> windows = new HashMap<>();

        Limiter(int max, Clock clock) {
            this.max = max;
            this.clock = clock;
        }

        /** Empty if {@code key} may go on; else how long until it may. */
        synchronized Optional<Duration> take(String key) {
            Instant now = clock.instant();
            if (windows.size() >= MAX_TRACKED) {
                windows.values().removeIf(window -> !now.isBefore(window.start().plus(WINDOW)));
            }
            Window window = windows.get(key);
            if (window == null || !now.isBefore(window.start().plus(WINDOW))) {
                if (windows.size() >= MAX_TRACKED) {
                    return Optional.of(WINDOW);
                }
                window = new Window(now, 0);
            }
            if (window.taken() >= max) {
                return Optional.of(Duration.between(now, window.start().plus(WINDOW)));
            }
            windows.put(key, new Window(window.start(), window.taken() + 1));
            return Optional.empty();
        }
    }
}
