package dev.incidentengine.incident.api;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static dev.incidentengine.incident.api.SlackApp.mrkdwn;

/**
 * {@code /incident oncall [schedule]}: incident-stream cannot tell who is on call (escalation-stream holds the schedules,
 * overrides and policies), so it asks escalation-stream's {@code GET /api/v1/oncall[?schedule=ID]} with a viewer token and
 * renders the answer for Slack: per schedule who is on call now, until when, and who is next; per escalation policy whom its
 * first level pages now. The request is asynchronous and bounded by {@link Settings#timeout} (well inside Slack's 3 s), so
 * no thread waits on escalation-stream and nothing hangs. A failure completes the future with {@link Unavailable}, saying
 * what went wrong; an unknown schedule with {@link UnknownSchedule}.
 *
 * <p>Limits: an answer of at most {@value #MAX_ANSWER_BYTES} bytes is read; at most {@value #MAX_LINES} schedules and
 * {@value #MAX_LINES} policies are listed (Slack shows at most 40,000 characters of a message's text), the rest counted.
 */
public final class OnCallLookup {

    static final String PATH = "/api/v1/oncall";
    static final int MAX_ANSWER_BYTES = 1024 * 1024;
    static final int MAX_LINES = 50;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("EEE d MMM HH:mm 'UTC'").withZone(ZoneOffset.UTC);

    /**
     * Where escalation-stream is ({@code null}: this instance's own HTTP server, as in the local engine where one server hosts
     * every service), the viewer API token it is asked with ({@code null}: not configured), and how long it may take.
     */
    public record Settings(URI baseUrl, String token, Duration timeout) {

        @Override
        public String toString() {
            // Never the token.
            return "OnCallLookup.Settings[baseUrl=" + baseUrl + ", token=" + (token == null ? "none" : "***") + ", timeout=" + timeout + "]";
        }
    }

    /** escalation-stream could not be asked, or did not answer as its API does; the message says what, for a person. */
    static final class Unavailable extends RuntimeException {
        private final String outcome;

        Unavailable(String outcome, String message, Throwable cause) {
            super(message, cause);
            this.outcome = outcome;
        }

        /** The metric's outcome: unconfigured, unreachable, timeout, refused (401/403), error (another status), garbage. */
        String outcome() {
            return outcome;
        }
    }

    /** The schedule asked for does not exist (escalation-stream's 404 {@code unknown schedule}). */
    static final class UnknownSchedule extends RuntimeException {
        UnknownSchedule(String schedule) {
            super(schedule);
        }
    }

    private final Settings settings;
    private final Supplier<URI> ownServer;
    private final HttpClient http;
    private final Function<String, String> person;

    /** {@code person}: how an engine user is named in the text (mrkdwn), a Slack mention where the user is known. */
    OnCallLookup(Settings settings, Supplier<URI> ownServer, HttpClient http, Function<String, String> person) {
        this.settings = settings;
        this.ownServer = ownServer;
        this.http = http;
        this.person = person;
    }

    /** The Slack text of who is on call: of {@code schedule}, or of every schedule and policy ({@code schedule} null). */
    CompletableFuture<String> lookup(String schedule) {
        URI base;
        try {
            if (settings.token() == null) {
                throw new Unavailable("unconfigured", "incident-stream has no API token to ask escalation-stream with "
                        + "(slack.oncall.token.file)", null);
            }
            base = settings.baseUrl() != null ? settings.baseUrl() : ownServer.get();
        } catch (Unavailable unavailable) {
            return CompletableFuture.failedFuture(unavailable);
        }
        URI uri = URI.create(base.toString().replaceAll("/+$", "") + PATH
                + (schedule == null ? "" : "?schedule=" + URLEncoder.encode(schedule, StandardCharsets.UTF_8)));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(settings.timeout()).header("Accept", "application/json")
                .header("Authorization", "Bearer " + settings.token()).GET().build();
        String where = base.getHost() + ":" + base.getPort();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                .thenApply(response -> {
                    try (var body = response.body()) {
                        return new Answer(response.statusCode(), body.readNBytes(MAX_ANSWER_BYTES + 1));
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                })
                // The request's timeout ends the wait for the headers; this one bounds the body too.
                .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((answer, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                        boolean timeout = cause instanceof TimeoutException || cause instanceof HttpTimeoutException;
                        throw new Unavailable(timeout ? "timeout" : "unreachable", timeout
                                ? "escalation-stream (" + where + ") did not answer within " + settings.timeout().toMillis() + " ms"
                                : "escalation-stream (" + where + ") cannot be reached (" + cause.getClass().getSimpleName() + ")", cause);
                    }
                    return render(answer, schedule, where);
                });
    }

    private record Answer(int status, byte[] body) {
    }

    private String render(Answer answer, String schedule, String where) {
        JsonNode json = null;
        if (answer.body().length <= MAX_ANSWER_BYTES) {
            try {
                json = JSON.readTree(answer.body());
            } catch (IOException e) {
                json = null;
            }
        }
        if (answer.status() != 200) {
            String error = json != null ? json.path("error").asText("") : "";
            if (answer.status() == 404 && schedule != null && error.startsWith("unknown schedule")) {
                throw new UnknownSchedule(schedule);
            }
            String outcome = answer.status() == 401 || answer.status() == 403 ? "refused" : "error";
            throw new Unavailable(outcome, "escalation-stream (" + where + ") answered " + answer.status()
                    + (error.isBlank() ? "" : ": " + error.substring(0, Math.min(error.length(), 200)))
                    // A 404 of the path itself: the server asked is not escalation-stream.
                    + (answer.status() == 404 ? " (is slack.oncall.url escalation-stream's address?)" : ""), null);
        }
        try {
            if (json == null || !json.isObject()) {
                throw new IllegalArgumentException("not a JSON object" + (answer.body().length > MAX_ANSWER_BYTES ? " of at most "
                        + MAX_ANSWER_BYTES + " bytes" : ""));
            }
            return schedule != null ? "*On call now*\n" + schedule(json) : everything(json);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new Unavailable("garbage", "escalation-stream (" + where + ") answered with what is not its on-call answer ("
                    + e.getMessage() + ")", e);
        }
    }

    private String everything(JsonNode json) {
        JsonNode schedules = array(json, "oncall");
        JsonNode policies = array(json, "policies");
        StringBuilder text = new StringBuilder("*On call now*");
        if (schedules.isEmpty()) {
            text.append("\nNo schedules are configured.");
        }
        lines(text, schedules, this::schedule, "schedules");
        if (!policies.isEmpty()) {
            text.append("\n*Escalation policies: whom level 1 pages now*");
            lines(text, policies, this::policy, "policies");
        }
        return text.toString();
    }

    private interface Line {
        String render(JsonNode item);
    }

    private static void lines(StringBuilder text, JsonNode items, Line line, String what) {
        for (int i = 0; i < Math.min(items.size(), MAX_LINES); i++) {
            text.append('\n').append(line.render(items.get(i)));
        }
        if (items.size() > MAX_LINES) {
            text.append("\n… and ").append(items.size() - MAX_LINES).append(" more ").append(what)
                    .append(": ask for one with `/incident oncall SCHEDULE`");
        }
    }

    /** {@code • *Payments primary* (payments-primary): alice until <date>, then bob until <date>}. */
    private String schedule(JsonNode schedule) {
        String id = text(schedule, "schedule");
        JsonNode shift = object(schedule, "shift");
        JsonNode next = schedule.path("next");
        StringBuilder line = new StringBuilder("• *").append(mrkdwn(schedule.path("name").asText(id))).append("* (")
                .append(mrkdwn(id)).append("): ").append(who(schedule.path("userId"))).append(" until ").append(date(text(shift, "end")));
        if (next.isObject()) {
            line.append(", then ").append(who(next.path("userId"))).append(" until ").append(date(text(next, "end")));
        }
        return line.toString();
    }

    /** {@code • *Payments default*: alice (schedule payments-primary); from <date>: bob}. */
    private String policy(JsonNode policy) {
        String id = text(policy, "policy");
        StringBuilder line = new StringBuilder("• *").append(mrkdwn(policy.path("name").asText(id))).append("*: ").append(page(policy));
        JsonNode next = policy.path("next");
        if (next.isObject()) {
            line.append("; from ").append(date(text(next, "at"))).append(": ").append(page(next));
        }
        return line.toString();
    }

    /** Whom a first page reaches: each target's users, with the target when it is not a user itself. */
    private String page(JsonNode page) {
        if (page.path("level").isNull() || page.path("level").isMissingNode()) {
            return "nobody (no level pages anyone)";
        }
        List<String> targets = new ArrayList<>();
        for (JsonNode target : array(page, "targets")) {
            List<String> users = new ArrayList<>();
            array(target, "userIds").forEach(user -> users.add(person.apply(user.asText())));
            String who = users.isEmpty() ? "nobody" : String.join(", ", users);
            String type = target.path("type").asText();
            targets.add(type.equals("USER") ? who : who + " (" + type.toLowerCase(Locale.ROOT).replace('_', ' ') + " "
                    + mrkdwn(target.path("id").asText()) + ")");
        }
        int level = page.path("level").asInt();
        return (targets.isEmpty() ? "nobody" : String.join(", ", targets)) + (level > 0 ? " (level " + (level + 1) + ": the levels "
                + "before page nobody)" : "") + (page.path("roundRobin").asBoolean() ? ", one of them by turns" : "");
    }

    private String who(JsonNode user) {
        return user.isTextual() && !user.asText().isBlank() ? person.apply(user.asText()) : "nobody (a gap)";
    }

    /** Slack's date formatting (https://docs.slack.dev/messaging/formatting-message-text#date-formatting): each reader's time zone. */
    private static String date(String instant) {
        Instant at = Instant.parse(instant);
        return "<!date^" + at.getEpochSecond() + "^{date_short_pretty} {time}|" + UTC.format(at) + ">";
    }

    private static JsonNode array(JsonNode json, String field) {
        JsonNode value = json.path(field);
        if (!value.isArray()) {
            throw new IllegalArgumentException(field + " is not a list");
        }
        return value;
    }

    private static JsonNode object(JsonNode json, String field) {
        JsonNode value = json.path(field);
        if (!value.isObject()) {
            throw new IllegalArgumentException(field + " is not an object");
        }
        return value;
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.path(field);
        if (!value.isTextual()) {
            throw new IllegalArgumentException(field + " is not a string");
        }
        return value.asText();
    }
}
