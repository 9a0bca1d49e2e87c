package dev.incidentengine.notifier.testnotify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.notifier.testnotify.TestNotifications.Scope;
import dev.incidentengine.notifier.testnotify.TestNotifications.Target;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.JsonBodies;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifier's test-notification API, for {@code incidentctl test-notify}; admin role, since a test messages real people.
 * <ul>
 *   <li>{@code POST /api/v1/notifications/tests} {@code {"user": id} | {"channel": id} | {"all": true}}, optional {@code runId}
 *       (the client's idempotency key: the same run asked again sends nothing new): writes one test request per target to
 *       {@code notification.requests.v1} and answers 202 with the run and its targets once Kafka acknowledged them all.</li>
 *   <li>{@code GET /api/v1/notifications/tests/{runId}}: the results of the run's deliveries seen so far.</li>
 * </ul>
 * Bounded: at most {@code maxTargets} targets per run and {@code runsPerMinute} runs a minute (429 with Retry-After).
 */
public final class TestNotificationApi {

    public static final String PATH = "/api/v1/notifications/tests";
    private static final Logger log = LoggerFactory.getLogger(TestNotificationApi.class);
    private static final int MAX_BODY_BYTES = 4 * 1024;
    private static final Set<String> FIELDS = Set.of("user", "channel", "all", "runId");
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{7,63}");
    private static final Duration WINDOW = Duration.ofMinutes(1);

    /** The notifier's side: its config as the planner's global stores hold it, Kafka, and the results read so far. */
    public interface Source {
        List<UserConfig> users();

        List<ChannelConfig> channels();

        /** Completes when Kafka acknowledged every request. */
        CompletableFuture<?> write(List<NotificationRequest> requests);

        List<NotificationResult> results(String runId);
    }

    /** @param maxTargets contacts and channels one run may message; @param runsPerMinute runs this instance starts a minute */
    public record Limits(int maxTargets, int runsPerMinute) {
    }

    private final ApiTokens tokens;
    private final Source source;
    private final TestNotifications messages;
    private final Limits limits;
    private final Clock clock;
    private final Deque<Instant> recentRuns = new ArrayDeque<>();

    public TestNotificationApi(ApiTokens tokens, Source source, TestNotifications messages, Limits limits, Clock clock) {
        this.tokens = tokens;
        this.source = source;
        this.messages = messages;
        this.limits = limits;
        this.clock = clock;
    }

    public void register(HttpServer http) {
        http.route("POST", PATH, (request, response, callback) -> {
            try {
                start(tokens.authorize(request, response, Role.ADMIN), request, response, callback);
            } catch (ApiError error) {
                HttpServer.drain(request);
                error.write(response, callback);
            }
            return true;
        });
        http.route("GET", PATH + "/*", (request, response, callback) -> {
            try {
                tokens.authorize(request, response, Role.ADMIN);
                String runId = Request.getPathInContext(request).substring(PATH.length() + 1);
                HttpServer.writeJson(response, callback, 200, results(runId(runId)));
            } catch (ApiError error) {
                error.write(response, callback);
            }
            return true;
        });
    }

    private void start(ApiUser user, Request request, Response response, Callback callback) {
        JsonNode body = JsonBodies.object(request, MAX_BODY_BYTES, FIELDS, "{\"user\": id} | {\"channel\": id} | {\"all\": true}");
        String runId = body.hasNonNull("runId") ? runId(text(body, "runId")) : UUID.randomUUID().toString();
        Scope scope = scope(body);
        List<Target> targets = TestNotifications.targets(scope, source.users(), source.channels(), limits.maxTargets());
        admit(response);
        Instant now = clock.instant();
        List<NotificationRequest> requests = targets.stream().map(target -> messages.request(runId, target, user.user(), now)).toList();
        log.info("Test notification run {} by {}: {} targets", runId, user.user(), targets.size());
        source.write(requests).whenComplete((written, failure) -> {
            if (failure != null) {
                new ApiError(503, null, "the test requests could not be written to Kafka; retry with the same runId " + runId + " ("
                        + failure.getMessage() + ")").write(response, callback);
                return;
            }
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("runId", runId);
            answer.put("requestedBy", user.user());
            answer.put("requestedAt", now.toString());
            answer.put("targets", targets.stream().map(target -> target(runId, target)).toList());
            answer.put("results", PATH + "/" + runId);
            HttpServer.writeJson(response, callback, 202, answer);
        });
    }

    /** Counts a run against this minute's budget, or refuses it with 429 and when to try again. */
    private void admit(Response response) {
        Instant now = clock.instant();
        synchronized (recentRuns) {
            while (!recentRuns.isEmpty() && !recentRuns.peekFirst().plus(WINDOW).isAfter(now)) {
                recentRuns.removeFirst();
            }
            if (recentRuns.size() >= limits.runsPerMinute()) {
                long wait = Math.max(1, Duration.between(now, recentRuns.peekFirst().plus(WINDOW)).toSeconds() + 1);
                response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(wait));
                throw new ApiError(429, null, "at most " + limits.runsPerMinute() + " test runs a minute (notifier.test.runs.per.minute): "
                        + "a test messages people; retry in " + wait + " s");
            }
            recentRuns.addLast(now);
        }
    }

    private Map<String, Object> results(String runId) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("runId", runId);
        answer.put("results", source.results(runId).stream().map(TestNotificationApi::result).toList());
        return answer;
    }

    private static Map<String, Object> target(String runId, Target target) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("deliveryId", TestNotifications.deliveryId(runId, target));
        json.put("kind", target.kind());
        json.put("id", target.id());
        json.put("name", target.name());
        json.put("channel", target.channel());
        json.put("type", target.type());
        json.put("address", TestNotifications.masked(target));
        return json;
    }

    private static Map<String, Object> result(NotificationResult result) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("deliveryId", result.getDeliveryId());
        json.put("outcome", result.getOutcome().name());
        json.put("error", result.getError());
        json.put("attempts", result.getAttempts());
        json.put("latencyMillis", result.getLatencyMillis());
        json.put("at", result.getTimestamp().toString());
        return json;
    }

    private static Scope scope(JsonNode body) {
        String user = body.hasNonNull("user") ? text(body, "user") : null;
        String channel = body.hasNonNull("channel") ? text(body, "channel") : null;
        JsonNode all = body.path("all");
        if (!all.isMissingNode() && !all.isNull() && !all.isBoolean()) {
            throw new ApiError(400, "all", "must be true or false");
        }
        int chosen = (user != null ? 1 : 0) + (channel != null ? 1 : 0) + (all.asBoolean(false) ? 1 : 0);
        if (chosen != 1) {
            throw new ApiError(400, "user", "give exactly one of user, channel or all: true");
        }
        return new Scope(user, channel, all.asBoolean(false));
    }

    private static String runId(String value) {
        if (!RUN_ID.matcher(value).matches()) {
            throw new ApiError(400, "runId", "must be 8 to 64 letters, digits and dashes, starting with a letter or digit");
        }
        return value;
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (!value.isTextual() || value.textValue().isBlank()) {
            throw new ApiError(400, field, "must be a non-empty string");
        }
        return value.textValue().strip();
    }
}
