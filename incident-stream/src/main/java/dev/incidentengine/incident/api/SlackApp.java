package dev.incidentengine.incident.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.model.CommandOutcome;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Slack app: the buttons on the notifier's Slack messages ({@value #INTERACTIONS}, Slack's interactivity request URL) and
 * the slash command {@code /incident ack|take|resolve|note|status ID …} and {@code /incident oncall [SCHEDULE]} ({@value #COMMANDS}).
 *
 * <p>Every request must carry Slack's signature ({@link SlackSignature}): otherwise 401 and nothing else happens. The Slack
 * user (its member id) is mapped to an engine user with a role by {@link SlackUsers}; an unmapped user, or a viewer who asks for
 * a change, gets an ephemeral refusal and nothing changes. A change is the API's command ({@link ApiRequests#command}) with the
 * engine user as actor, sent through the API's command path ({@link IncidentApi}, which forwards the request to the instance
 * holding the incident); its id comes from Slack's (the action's {@code action_ts}, the command's {@code trigger_id}), so Slack's
 * retries change nothing twice. A button is answered 200 once Kafka acknowledged the command (Slack wants an answer within three
 * seconds); its outcome then updates the message in place ({@code chat.update}: who acted; the buttons go once it is resolved),
 * or a refusal, or that there was nothing to change, is shown to the user alone ({@code chat.postEphemeral}). A slash command
 * is answered with its outcome, waited for at most {@link Settings#outcomeWait}. Text from incidents and people is escaped for Slack's mrkdwn.
 *
 * <p>{@code oncall} (viewer role) asks escalation-stream, which holds the schedules, over HTTP ({@link OnCallLookup}) and answers
 * ephemerally, as Slack apps answer a question one person asked: the channel is not filled with lists nobody else asked for.
 * When escalation-stream cannot be asked the person is told so ({@code on-call lookup unavailable: …}), with a WARN and a metric.
 *
 * <p>Limits: a body of at most {@value #MAX_BODY_BYTES} bytes (413), a note of at most {@value #MAX_NOTE} characters.
 */
public final class SlackApp {

    public static final String INTERACTIONS = "/api/v1/slack/interactions";
    public static final String COMMANDS = "/api/v1/slack/commands";
    static final String SIGNATURE = "X-Slack-Signature";
    static final String TIMESTAMP = "X-Slack-Request-Timestamp";
    /** An interaction carries the message it came from, blocks and all: Slack's messages hold at most 50 blocks of 3,000 characters. */
    static final int MAX_BODY_BYTES = 256 * 1024;
    static final int MAX_NOTE = 3_000;
    /** The buttons the notifier puts on its messages ({@code action_id} to the API's action), in one actions block. */
    public static final String ACTIONS_BLOCK = "incident-actions";
    static final String ACTED_BLOCK = "incident-acted";
    static final Map<String, String> BUTTONS = Map.of("incident.acknowledge", "acknowledge", "incident.resolve", "resolve",
            "incident.take", "assign");
    private static final String USAGE = "Usage: `/incident ack ID`, `/incident take ID`, `/incident resolve ID [resolution]`, "
            + "`/incident note ID text`, `/incident status ID`, `/incident oncall [schedule]`";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(SlackApp.class);

    /**
     * The app's settings: its signing secret, the user map, Slack's Web API ({@code https://slack.com/api}) and the bot token
     * that updates messages (the notifier's), how long a slash command waits for its outcome (Slack waits three seconds), and
     * where {@code /incident oncall} asks who is on call.
     */
    public record Settings(byte[] signingSecret, SlackUsers users, URI apiBase, String botToken, Duration outcomeWait,
                           OnCallLookup.Settings oncall) {

        @Override
        public String toString() {
            // Never the secrets.
            return "SlackApp.Settings[apiBase=" + apiBase + ", outcomeWait=" + outcomeWait + ", oncall=" + oncall + "]";
        }
    }

    /** What a request asks for, read from Slack's payload (pure, {@link #interaction}, {@link #slashCommand}). */
    record Ask(String slackUser, String team, String channel, String messageTs, String verb, String incidentId, String text,
               String slackId, JsonNode message) {

        boolean button() {
            return messageTs != null;
        }
    }

    private final Settings settings;
    private final IncidentApi api;
    private final SlackSignature signature;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private MeterRegistry metrics;
    private OnCallLookup oncall;

    /** {@code settings} null: the app is not configured, and its endpoints answer 404. */
    public SlackApp(Settings settings, IncidentApi api, Clock clock) {
        this.settings = settings;
        this.api = api;
        this.clock = clock;
        this.signature = settings == null ? null : new SlackSignature(settings.signingSecret(), clock);
    }

    public void register(HttpServer server, MeterRegistry metrics) {
        this.metrics = metrics;
        if (settings != null) {
            // A user the Slack users file lists is a mention (Slack shows their name and profile), anyone else the engine's user id.
            oncall = new OnCallLookup(settings.oncall(), () -> ownAddress(server), http,
                    user -> settings.users().slackId(user).map(id -> "<@" + id + ">").orElseGet(() -> mrkdwn(user)));
        }
        server.route("POST", INTERACTIONS, (request, response, callback) -> receive(true, request, response, callback));
        server.route("POST", COMMANDS, (request, response, callback) -> receive(false, request, response, callback));
    }

    private boolean receive(boolean button, Request request, Response response, Callback callback) {
        String kind = button ? "interaction" : "command";
        try {
            if (settings == null) {
                throw new ApiError(404, null, "the Slack app is not configured (slack.signing.secret.file)");
            }
            byte[] body = IncidentApi.readBody(request, MAX_BODY_BYTES);
            if (body.length > MAX_BODY_BYTES) {
                throw new ApiError(413, "body", "larger than " + MAX_BODY_BYTES + " bytes");
            }
            SlackSignature.Verdict verdict = signature.verify(request.getHeaders().get(TIMESTAMP), request.getHeaders().get(SIGNATURE), body);
            if (verdict != SlackSignature.Verdict.VALID) {
                count(kind, verdict.name().toLowerCase(Locale.ROOT));
                LOG.warn("Slack {} refused ({}) from {}", kind, verdict, Request.getRemoteAddr(request));
                throw new ApiError(401, SIGNATURE, switch (verdict) {
                    case STALE -> "the request's timestamp is more than " + SlackSignature.WINDOW.toMinutes() + " minutes away";
                    case REPLAYED -> "this request was already received";
                    default -> "missing or not Slack's v0 signature of this request with the app's signing secret";
                });
            }
            Map<String, String> form = form(body);
            Ask ask;
            try {
                ask = button ? interaction(form) : slashCommand(form);
            } catch (ApiError typo) {
                if (button || !"text".equals(typo.field())) {
                    throw typo;
                }
                // A person's typo: Slack shows only a 200's answer to them.
                count(kind, "usage");
                ephemeralAnswer(said(typo), response, callback);
                return true;
            }
            if (ask == null) {
                count(kind, "ignored");
                response.setStatus(200);
                callback.succeeded();
                return true;
            }
            act(ask, request, body, response, callback);
        } catch (ApiError error) {
            if (error.status() != 401) {
                count(kind, error.status() == 404 ? "unconfigured" : "malformed");
            }
            HttpServer.drain(request);
            error.write(response, callback);
        }
        return true;
    }

    private void act(Ask ask, Request request, byte[] body, Response response, Callback callback) {
        String kind = ask.button() ? "interaction" : "command";
        ApiUser user = settings.users().user(ask.slackUser()).orElse(null);
        Role needed = ask.verb().equals("status") || ask.verb().equals("oncall") ? Role.VIEWER : Role.RESPONDER;
        if (user == null || !user.role().includes(needed)) {
            count(kind, user == null ? "unknown_user" : "forbidden");
            refuse(ask, user == null ? "Your Slack account is not mapped to an incident-engine user; nothing was changed."
                    : "You are a " + user.role().name().toLowerCase(Locale.ROOT) + " in incident-engine; this needs the role "
                    + needed.name().toLowerCase(Locale.ROOT) + ". Nothing was changed.", response, callback);
            return;
        }
        if (ask.verb().equals("oncall")) {
            oncall(ask, response, callback);
            return;
        }
        try {
            if (ask.verb().equals("status")) {
                api.incident(ask.incidentId(), request, body, response, callback).ifPresent(found -> {
                    IncidentState state = found.orElseThrow(() -> new ApiError(404, null, "unknown incident " + ask.incidentId()));
                    count(kind, "status");
                    ephemeralAnswer(status(state), response, callback);
                });
                return;
            }
            IncidentApi.Decided decided = new IncidentApi.Decided() {
                @Override
                public void stored(IncidentCommand command, Throwable failure) {
                    if (failure != null) {
                        LOG.error("Slack {}: command {} for {} not stored in Kafka", kind, command.getCommandId(), command.getIncidentId(), failure);
                        count(kind, "failed");
                        new ApiError(503, null, "the command could not be stored in Kafka; try again").write(response, callback);
                    } else if (ask.button()) {
                        count(kind, "accepted");
                        response.setStatus(200);
                        callback.succeeded();
                    }
                }

                @Override
                public void decided(IncidentCommand command, OutcomeWaiter.Outcome outcome) {
                    String said = outcome == null ? "Sent, but not decided within " + settings.outcomeWait().toMillis() + " ms: see "
                            + mrkdwn(command.getIncidentId()) + " in a moment."
                            : outcome.result().getOutcome() == CommandOutcome.REJECTED ? "Refused: " + mrkdwn(outcome.result().getReason())
                            : outcome.result().getOutcome() != CommandOutcome.APPLIED ? "Nothing to change: " + mrkdwn(command.getIncidentId())
                            + " is " + outcome.incident().getStatus().name().toLowerCase(Locale.ROOT) + "."
                            : done(ask, user, outcome.incident());
                    if (!ask.button()) {
                        count(kind, "accepted");
                        ephemeralAnswer(said, response, callback);
                    } else if (outcome != null && outcome.result().getOutcome() == CommandOutcome.APPLIED) {
                        updateMessage(ask, said, outcome.incident());
                    } else {
                        webApi("chat.postEphemeral", JSON.createObjectNode().put("channel", ask.channel()).put("user", ask.slackUser())
                                .put("text", said));
                    }
                }
            };
            api.command(ask.incidentId(), request, body, response, callback, incident -> command(ask, user), settings.outcomeWait(), decided);
        } catch (ApiError error) {
            // Said to the user in Slack, which shows a non-2xx answer only as "failed".
            count(kind, "refused");
            refuse(ask, mrkdwn(said(error)), response, callback);
        }
    }

    /** Who is on call, from escalation-stream; whatever happens, the person gets an answer within the lookup's timeout. */
    private void oncall(Ask ask, Response response, Callback callback) {
        oncall.lookup(ask.text()).whenComplete((text, thrown) -> {
            Throwable failure = thrown instanceof CompletionException && thrown.getCause() != null ? thrown.getCause() : thrown;
            if (failure == null) {
                count("command", "oncall");
                ephemeralAnswer(text, response, callback);
            } else if (failure instanceof OnCallLookup.UnknownSchedule) {
                count("command", "unknown_schedule");
                ephemeralAnswer("There is no schedule " + mrkdwn(ask.text()) + ". `/incident oncall` lists them all.", response, callback);
            } else {
                OnCallLookup.Unavailable unavailable = failure instanceof OnCallLookup.Unavailable known ? known
                        : new OnCallLookup.Unavailable("failed", failure.toString(), failure);
                count("command", "oncall_" + unavailable.outcome());
                LOG.warn("Slack /incident oncall: on-call lookup unavailable: {}", unavailable.getMessage());
                ephemeralAnswer("on-call lookup unavailable: " + mrkdwn(unavailable.getMessage()) + ". Try again, or look in the console.",
                        response, callback);
            }
        });
    }

    /** This instance's own HTTP server, where the local engine serves escalation-stream's API too (any address: loopback). */
    private static URI ownAddress(HttpServer server) {
        InetSocketAddress address = server.address();
        String host = address.getAddress() == null || address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getHostString();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort());
    }

    /** The API's command for what was asked, with the engine user as actor. */
    private IncidentCommand command(Ask ask, ApiUser user) {
        ObjectNode body = JSON.createObjectNode();
        switch (ask.verb()) {
            case "resolve" -> {
                if (ask.text() != null) {
                    body.put("resolution", ask.text());
                }
            }
            case "assign" -> body.put("userId", user.user());
            case "notes" -> body.put("text", ask.text());
            default -> { }
        }
        return ApiRequests.command(ask.verb(), ask.incidentId(), body.toString().getBytes(StandardCharsets.UTF_8),
                "slack:" + ask.team() + ":" + ask.slackId(), user, clock.instant());
    }

    /** A button's press: the first action of a {@code block_actions} payload; null for interactions the app does not act on. */
    static Ask interaction(Map<String, String> form) {
        JsonNode payload;
        try {
            payload = JSON.readTree(required(form.get("payload"), "payload"));
        } catch (IOException e) {
            throw new ApiError(400, "payload", "not JSON");
        }
        if (payload == null || !payload.isObject()) {
            throw new ApiError(400, "payload", "not a JSON object");
        }
        if (!payload.path("type").asText().equals("block_actions")) {
            return null;
        }
        JsonNode action = payload.path("actions").path(0);
        String verb = BUTTONS.get(action.path("action_id").asText());
        if (verb == null) {
            // The "Open incident" link button also reports its click.
            return null;
        }
        String channel = payload.path("container").path("channel_id").asText(payload.path("channel").path("id").asText(""));
        String ts = payload.path("container").path("message_ts").asText(payload.path("message").path("ts").asText(""));
        return new Ask(required(payload.path("user").path("id").asText(null), "user.id"),
                payload.path("team").path("id").asText(payload.path("user").path("team_id").asText("")),
                required(channel, "container.channel_id"), required(ts, "container.message_ts"), verb,
                incidentId(action.path("value").asText(null), "actions[0].value"), null,
                required(action.path("action_ts").asText(null), "actions[0].action_ts") + ":" + payload.path("user").path("id").asText(),
                payload.path("message"));
    }

    /** {@code /incident <verb> ID [text]}, from Slack's slash command form. */
    static Ask slashCommand(Map<String, String> form) {
        String user = required(form.get("user_id"), "user_id");
        String[] words = form.getOrDefault("text", "").strip().split("\\s+", 3);
        if (words[0].equalsIgnoreCase("oncall")) {
            if (words.length > 2) {
                throw new ApiError(400, "text", "Usage: `/incident oncall` (every schedule and policy) or `/incident oncall SCHEDULE`");
            }
            String schedule = words.length == 2 ? words[1] : null;
            if (schedule != null && !schedule.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
                throw new ApiError(400, "text", "not a schedule id: `/incident oncall SCHEDULE`");
            }
            return new Ask(user, form.getOrDefault("team_id", ""), form.get("channel_id"), null, "oncall", null, schedule,
                    required(form.get("trigger_id"), "trigger_id"), null);
        }
        String verb = switch (words[0].toLowerCase(Locale.ROOT)) {
            case "ack", "acknowledge" -> "acknowledge";
            case "take" -> "assign";
            case "resolve" -> "resolve";
            case "note" -> "notes";
            case "status" -> "status";
            default -> throw new ApiError(400, "text", USAGE);
        };
        if (words.length < 2) {
            throw new ApiError(400, "text", USAGE);
        }
        String text = words.length > 2 ? words[2].strip() : null;
        if (verb.equals("notes") && text == null) {
            throw new ApiError(400, "text", "a note needs its text: `/incident note ID text`");
        }
        if (text != null && text.length() > MAX_NOTE) {
            throw new ApiError(400, "text", "longer than " + MAX_NOTE + " characters");
        }
        return new Ask(user, form.getOrDefault("team_id", ""), form.get("channel_id"), null, verb, incidentId(words[1], "text"), text,
                required(form.get("trigger_id"), "trigger_id"), null);
    }

    /** An error's message without the field it names, for a person. */
    private static String said(ApiError error) {
        String message = error.getMessage();
        return error.field() != null && message.startsWith(error.field() + ": ") ? message.substring(error.field().length() + 2) : message;
    }

    private static String incidentId(String id, String field) {
        if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw new ApiError(400, field, "not an incident id");
        }
        return id;
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new ApiError(400, field, "missing");
        }
        return value;
    }

    /** {@code application/x-www-form-urlencoded}, as Slack posts both kinds of request. */
    static Map<String, String> form(byte[] body) {
        Map<String, String> fields = new HashMap<>();
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw new ApiError(400, "body", "empty: Slack posts a form");
        }
        for (String pair : text.split("&")) {
            int equals = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                if (fields.put(name, value) != null) {
                    throw new ApiError(400, name, "given twice");
                }
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, "body", "not a URL-encoded form");
            }
        }
        return fields;
    }

    /** What happened, for the message and the answer: {@code Acknowledged by <@U…> (alice)}. */
    private static String done(Ask ask, ApiUser user, IncidentState incident) {
        String what = switch (ask.verb()) {
            case "acknowledge" -> "Acknowledged";
            case "resolve" -> "Resolved";
            case "assign" -> "Taken";
            default -> "Note added";
        };
        return what + " by <@" + ask.slackUser() + "> (" + mrkdwn(user.user()) + ") · " + mrkdwn(incident.getIncidentId()) + " is "
                + incident.getStatus().name().toLowerCase(Locale.ROOT);
    }

    private static String status(IncidentState state) {
        return "*" + mrkdwn(state.getIncidentId()) + "* " + mrkdwn(state.getTitle()) + "\n" + state.getStatus().name().toLowerCase(Locale.ROOT)
                + " · " + state.getSeverity() + (state.getService() == null ? "" : " · " + mrkdwn(state.getService()))
                + (state.getAssigneeUserId() == null ? "" : " · assigned to " + mrkdwn(state.getAssigneeUserId()));
    }

    /**
     * Slack's mrkdwn escaping (https://docs.slack.dev/messaging/formatting-message-text#escaping): {@code & < >}, so that text
     * cannot mention, link or break the markup; formatting characters are left alone, as the notifier's cards leave them.
     */
    static String mrkdwn(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** The message the button was on, in place: who acted below its blocks; its buttons gone once the incident is resolved. */
    private void updateMessage(Ask ask, String said, IncidentState incident) {
        boolean over = incident.getStatus() == IncidentStatus.RESOLVED || incident.getStatus() == IncidentStatus.CLOSED;
        ObjectNode update = JSON.createObjectNode().put("channel", ask.channel()).put("ts", ask.messageTs())
                .put("text", ask.message().path("text").asText(incident.getTitle()));
        ArrayNode blocks = update.putArray("blocks");
        for (JsonNode block : ask.message().path("blocks")) {
            String id = block.path("block_id").asText();
            if (!id.equals(ACTED_BLOCK) && !(over && id.equals(ACTIONS_BLOCK))) {
                blocks.add(block);
            }
        }
        blocks.addObject().put("type", "context").put("block_id", ACTED_BLOCK).putArray("elements").addObject()
                .put("type", "mrkdwn").put("text", said);
        webApi("chat.update", update);
    }

    /** A refusal only the user sees: in the slash command's answer, or with chat.postEphemeral for a button. */
    private void refuse(Ask ask, String text, Response response, Callback callback) {
        if (!ask.button()) {
            ephemeralAnswer(text, response, callback);
            return;
        }
        response.setStatus(200);
        callback.succeeded();
        webApi("chat.postEphemeral", JSON.createObjectNode().put("channel", ask.channel()).put("user", ask.slackUser()).put("text", text));
    }

    private static void ephemeralAnswer(String text, Response response, Callback callback) {
        HttpServer.writeJson(response, callback, 200, Map.of("response_type", "ephemeral", "text", text));
    }

    /** Calls a Slack Web API method with the bot token; a failure is logged and counted, as the answer to Slack is already gone. */
    private void webApi(String method, ObjectNode body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(settings.apiBase() + "/" + method)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json; charset=utf-8").header("Authorization", "Bearer " + settings.botToken())
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((answer, failure) -> {
            String error = failure != null ? failure.getClass().getSimpleName()
                    : answer.statusCode() != 200 ? "HTTP " + answer.statusCode() : okOrError(answer.body());
            if (error != null) {
                LOG.error("Slack {} failed: {}", method, error);
                count("web-api", method + ":failed");
            } else {
                count("web-api", method + ":ok");
            }
        });
    }

    private static String okOrError(String body) {
        try {
            JsonNode answer = JSON.readTree(body);
            return answer.path("ok").asBoolean(false) ? null : answer.path("error").asText("no ok in the answer");
        } catch (IOException e) {
            return "not JSON";
        }
    }

    private void count(String kind, String outcome) {
        if (metrics == null) {
            return;
        }
        counters.computeIfAbsent(kind + '|' + outcome, key -> Counter.builder("slack_app_requests_total")
                .description("The Slack app's requests (interaction, command) by outcome (accepted, status, oncall, ignored, missing, "
                        + "stale, forged, replayed, unknown_user, forbidden, refused, malformed, failed, unknown_schedule, oncall_unconfigured, "
                        + "oncall_unreachable, oncall_timeout, oncall_refused, oncall_error, oncall_garbage), and its Web API calls (web-api)")
                .tags("kind", kind, "outcome", outcome).register(metrics)).increment();
    }
}
