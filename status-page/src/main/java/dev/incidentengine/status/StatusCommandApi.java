package dev.incidentengine.status;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.OverrideComponentStatus;
import dev.incidentengine.model.PostMaintenanceUpdate;
import dev.incidentengine.model.StatusPageCommand;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.JsonBodies;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * People's changes to the status page that are not an incident's (responder role), written to {@code status.commands.v1}
 * and answered 202 with the command's id once Kafka acknowledged it; the page's writer applies each command once:
 * <ul>
 * <li>{@code PUT /api/v1/status-page/components/{id}/override} {@code {"status": "major_outage", "reason": "..."}}: the
 *     component shows that status whatever the incidents say;</li>
 * <li>{@code DELETE /api/v1/status-page/components/{id}/override}: it follows its incidents and maintenance again;</li>
 * <li>{@code POST /api/v1/status-page/maintenances/{id}/updates} {@code {"status": "verifying", "message": "..."}}: an
 *     update of an announced maintenance ({@code completed} ends it early).</li>
 * </ul>
 * An {@code Idempotency-Key} header names the command (a retry with the same key is applied once). A component the page's
 * config does not have, or a maintenance of no public silence, is a 404; a maintenance that is not announced or is over
 * is refused by the writer (logged and counted there), since only it knows.
 */
final class StatusCommandApi {

    static final String COMPONENTS = "/api/v1/status-page/components/";
    static final String MAINTENANCES = "/api/v1/status-page/maintenances/";
    static final int MAX_BODY_BYTES = 16 * 1024;
    static final int MAX_REASON = 500;
    static final int MAX_MESSAGE = 5_000;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");

    /** What the API reads and writes: the config as this instance holds it, and a producer. */
    interface Source {
        /** Whether the page's config names the component; throws {@link ApiError} 503 while the config is loading. */
        boolean componentExists(String componentId);

        /** Whether a public silence is the maintenance's ({@code silence} or {@code silence@date}); 503 while loading. */
        boolean maintenanceExists(String maintenanceId);

        /** Writes the command; completes once Kafka acknowledged it. */
        CompletableFuture<?> write(StatusPageCommand command);
    }

    private final ApiTokens tokens;
    private final String pageId;
    private final Source source;
    private final Clock clock;

    StatusCommandApi(ApiTokens tokens, String pageId, Source source, Clock clock) {
        this.tokens = tokens;
        this.pageId = pageId;
        this.source = source;
        this.clock = clock;
    }

    void register(HttpServer http) {
        http.route("PUT", COMPONENTS + "*", (request, response, callback) -> change(request, response, callback, user -> {
            String id = id(request, COMPONENTS, "override");
            JsonNode body = JsonBodies.object(request, MAX_BODY_BYTES, Set.of("status", "reason"), "{\"status\", \"reason\"}");
            ComponentStatus status = word(ComponentStatus.class, text(body, "status", true, 64), "status");
            String reason = text(body, "reason", false, MAX_REASON);
            component(id);
            return new OverrideComponentStatus(id, status, reason);
        }));
        http.route("DELETE", COMPONENTS + "*", (request, response, callback) -> change(request, response, callback, user -> {
            String id = id(request, COMPONENTS, "override");
            HttpServer.drain(request);
            component(id);
            return new OverrideComponentStatus(id, null, null);
        }));
        http.route("POST", MAINTENANCES + "*", (request, response, callback) -> change(request, response, callback, user -> {
            String id = id(request, MAINTENANCES, "updates");
            JsonNode body = JsonBodies.object(request, MAX_BODY_BYTES, Set.of("status", "message"), "{\"status\", \"message\"}");
            MaintenanceStatus status = word(MaintenanceStatus.class, text(body, "status", true, 64), "status");
            String message = text(body, "message", true, MAX_MESSAGE);
            if (!source.maintenanceExists(id)) {
                throw new ApiError(404, null, "unknown maintenance " + id + ": no public silence of that id");
            }
            return new PostMaintenanceUpdate(id, status, message);
        }));
    }

    private interface Payload {
        Object of(ApiUser user);
    }

    /** Authorizes (responder), reads the command, writes it and answers 202 once Kafka acknowledged it; or the error. */
    private boolean change(Request request, Response response, Callback callback, Payload payload) {
        try {
            ApiUser user = tokens.authorize(request, response, Role.RESPONDER);
            String key = request.getHeaders().get("Idempotency-Key");
            if (key != null && !ID.matcher(key).matches()) {
                throw new ApiError(400, "Idempotency-Key",
                        "must be letters, digits and . _ : @ - (at most 128, starting with a letter or digit)");
            }
            Object body = payload.of(user);
            StatusPageCommand command = new StatusPageCommand(key != null ? key : "spc-" + UUID.randomUUID(), pageId,
                    new Actor(ActorType.USER, user.user(), null), clock.instant().truncatedTo(ChronoUnit.MILLIS), body);
            source.write(command).whenComplete((metadata, failure) -> {
                if (failure != null) {
                    new ApiError(503, null, "the command could not be stored in Kafka; retry later with Idempotency-Key "
                            + command.getCommandId() + " (" + failure.getMessage() + ")").write(response, callback);
                    return;
                }
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("commandId", command.getCommandId());
                answer.put("pageId", pageId);
                HttpServer.writeJson(response, callback, 202, answer);
            });
        } catch (ApiError error) {
            HttpServer.drain(request);
            error.write(response, callback);
        }
        return true;
    }

    private void component(String id) {
        if (!source.componentExists(id)) {
            throw new ApiError(404, null, "unknown component " + id + ": status page " + pageId + " has none of that id");
        }
    }

    /** The id in {@code prefix{id}/{action}}. */
    private static String id(Request request, String prefix, String action) {
        String[] parts = Request.getPathInContext(request).substring(prefix.length()).split("/", -1);
        if (parts.length != 2 || !parts[1].equals(action)) {
            throw new ApiError(404, null, "not found: use " + prefix + "{id}/" + action);
        }
        if (!ID.matcher(parts[0]).matches()) {
            throw new ApiError(400, "id", "must be letters, digits and . _ : @ - (at most 128, starting with a letter or digit)");
        }
        return parts[0];
    }

    private static String text(JsonNode body, String field, boolean required, int max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new ApiError(400, field, "is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new ApiError(400, field, "must be a string");
        }
        String text = value.textValue().strip();
        if (text.isEmpty()) {
            throw new ApiError(400, field, "must not be empty");
        }
        if (text.length() > max) {
            throw new ApiError(400, field, "must be at most " + max + " characters, not " + text.length());
        }
        return text;
    }

    /** Statuspage's lower-case word for one of {@code type}'s values. */
    private static <E extends Enum<E>> E word(Class<E> type, String word, String field) {
        for (E value : type.getEnumConstants()) {
            if (value.name().toLowerCase(Locale.ROOT).equals(word)) {
                return value;
            }
        }
        throw new ApiError(400, field, "must be one of " + Arrays.stream(type.getEnumConstants())
                .map(value -> value.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")) + ", not '" + word + "'");
    }
}
