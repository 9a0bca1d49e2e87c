package dev.incidentengine.incident.api;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AddNote;
import dev.incidentengine.model.CompleteActionItem;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.ReopenIncident;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.schemas.TicketMarkers;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.api.ApiError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receivers of Jira's and GitHub's webhooks ({@value #JIRA}, {@value #GITHUB}): what people do to a ticket that carries an
 * incident's marker label ({@link TicketMarkers}) comes back as an incident command on {@code incident.commands.v1}. A ticket
 * resolved (Jira: its status moved into the done category; GitHub: closed as completed) resolves the incident, or completes
 * the action item an action item's ticket tracks, or with {@link Resolution#NOTE} only adds a note; reopened reopens it; a
 * comment becomes a note. The actor is {@code INTEGRATION jira:<account>} or {@code github:<login>}; changes by the
 * connector's own account are ignored, so the engine does not hear its own echo.
 *
 * <p>Each request is authenticated by its HMAC-SHA256 signature over the raw body, compared in constant time: GitHub's
 * {@code X-Hub-Signature-256: sha256=<hex>}
 * (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries), Jira's {@code X-Hub-Signature:
 * sha256=<hex>} (https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks). A command's id comes
 * from the change it reports (Jira's changelog or comment id, GitHub's comment id or close time; else the delivery's id), so a
 * redelivery, or the same comment reported by two events, changes nothing. The answer is 200 once Kafka acknowledged the
 * command (503 otherwise, so the sender retries), 202 {@code ignored} for an event about no incident, 401 for a bad
 * signature, 400 for a malformed body, 413 past {@value #MAX_BODY_BYTES} bytes.
 */
public final class TicketWebhooks {

    public static final String JIRA = "/api/v1/ticket-webhooks/jira";
    public static final String GITHUB = "/api/v1/ticket-webhooks/github";
    /** Jira's issue events carry the whole issue, custom fields included; more than this is not a webhook of ours. */
    static final int MAX_BODY_BYTES = 1024 * 1024;
    /** The most of a comment a note keeps. */
    static final int MAX_NOTE = 4_000;
    private static final int MAX_COMMAND_ID = 200;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(TicketWebhooks.class);

    /** What a resolved or reopened ticket does to its incident. */
    public enum Resolution { RESOLVE, NOTE }

    /**
     * One system's receiver: its secret, the connector's own account there (Jira account id or user name, GitHub login), and
     * the places whose tickets may change incidents (Jira project keys, GitHub {@code owner/name}; empty: any), so a person who
     * labels an issue elsewhere with a marker cannot resolve an incident from there.
     */
    public record Receiver(byte[] secret, String account, Set<String> places) {

        boolean allows(String place) {
            return places.isEmpty() || places.stream().anyMatch(allowed -> allowed.equalsIgnoreCase(place));
        }
    }

    /**
     * {@code jira} or {@code github} null: that receiver is not configured (404). {@code jiraDoneStatuses}: the statuses a
     * reopened ticket comes from, when the event does not say the status category.
     */
    public record Settings(Receiver jira, Receiver github, Resolution resolution, boolean comments, Set<String> jiraDoneStatuses) {
    }

    /** What a delivery asks for: a command, or nothing, and why. */
    sealed interface Outcome permits Send, Ignored {
    }

    record Send(IncidentCommand command) implements Outcome {
    }

    record Ignored(String why) implements Outcome {
    }

    @FunctionalInterface
    private interface Interpreter {
        Outcome interpret(Request request, JsonNode payload);
    }

    private final Settings settings;
    private final Function<IncidentCommand, CompletableFuture<?>> commands;
    private final Clock clock;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private MeterRegistry metrics;

    /** {@code commands} completes once Kafka acknowledged the command ({@link IncidentApi#sendCommand}). */
    public TicketWebhooks(Settings settings, Function<IncidentCommand, CompletableFuture<?>> commands, Clock clock) {
        this.settings = settings;
        this.commands = commands;
        this.clock = clock;
    }

    public void register(HttpServer http, MeterRegistry metrics) {
        this.metrics = metrics;
        http.route("POST", JIRA, (request, response, callback) -> receive("jira", settings.jira(), "X-Hub-Signature",
                (req, payload) -> jira(payload, req.getHeaders().get("X-Atlassian-Webhook-Identifier"), settings, clock.instant()),
                request, response, callback));
        http.route("POST", GITHUB, (request, response, callback) -> receive("github", settings.github(), "X-Hub-Signature-256",
                (req, payload) -> github(req.getHeaders().get("X-GitHub-Event"), req.getHeaders().get("X-GitHub-Delivery"), payload,
                        settings, clock.instant()),
                request, response, callback));
    }

    private boolean receive(String system, Receiver receiver, String signatureHeader, Interpreter interpreter, Request request,
                            Response response, Callback callback) {
        try {
            if (receiver == null) {
                throw new ApiError(404, null, "the " + system + " webhook receiver is not configured (ticketing." + system
                        + ".webhook.secret.file)");
            }
            byte[] body = IncidentApi.readBody(request, MAX_BODY_BYTES);
            if (body.length > MAX_BODY_BYTES) {
                throw new ApiError(413, "body", "larger than " + MAX_BODY_BYTES + " bytes");
            }
            if (!signed(receiver.secret(), request.getHeaders().get(signatureHeader), body)) {
                LOG.warn("{} webhook refused: missing or wrong {} from {}", system, signatureHeader, Request.getRemoteAddr(request));
                throw new ApiError(401, signatureHeader, "missing or not the HMAC-SHA256 of the body with the configured secret");
            }
            JsonNode payload;
            try {
                payload = JSON.readTree(body);
            } catch (java.io.IOException e) {
                throw new ApiError(400, "body", "not JSON");
            }
            if (payload == null || !payload.isObject()) {
                throw new ApiError(400, "body", "not a JSON object");
            }
            Outcome outcome = interpreter.interpret(request, payload);
            if (outcome instanceof Ignored ignored) {
                count(system, "ignored");
                HttpServer.writeJson(response, callback, 202, Map.of("ignored", ignored.why()));
                return true;
            }
            IncidentCommand command = ((Send) outcome).command();
            commands.apply(command).whenComplete((stored, failure) -> {
                if (failure != null) {
                    LOG.error("{} webhook: command {} for {} not stored in Kafka", system, command.getCommandId(), command.getIncidentId(),
                            failure);
                    count(system, "failed");
                    new ApiError(503, null, "the command could not be stored in Kafka; deliver again later").write(response, callback);
                } else {
                    count(system, "accepted");
                    HttpServer.writeJson(response, callback, 200, Map.of("commandId", command.getCommandId(), "incidentId",
                            command.getIncidentId()));
                }
            });
        } catch (ApiError error) {
            count(system, error.status() == 401 ? "unauthorized" : error.status() == 404 ? "unconfigured" : "malformed");
            HttpServer.drain(request);
            error.write(response, callback);
        }
        return true;
    }

    /** Whether {@code header} is {@code sha256=} and the hex HMAC-SHA256 of the body, compared in constant time. */
    static boolean signed(byte[] secret, String header, byte[] body) {
        if (header == null || !header.startsWith("sha256=")) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            byte[] expected = HexFormat.of().formatHex(mac.doFinal(body)).getBytes(StandardCharsets.US_ASCII);
            byte[] given = header.substring("sha256=".length()).strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
            return MessageDigest.isEqual(expected, given);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /**
     * A Jira event: {@code jira:issue_updated} with a {@code status} changelog item (resolved or reopened), or with a comment
     * ({@code issue_commented}: it carries the issue's labels, which {@code comment_created} events of Jira Cloud may not), or
     * {@code comment_created}. https://developer.atlassian.com/cloud/jira/platform/webhooks/#example-callback-for-an-issue-related-event
     */
    static Outcome jira(JsonNode payload, String deliveryId, Settings settings, Instant now) {
        String event = payload.path("webhookEvent").asText("");
        if (event.isEmpty()) {
            throw new ApiError(400, "webhookEvent", "missing: not a Jira webhook payload");
        }
        if (!event.equals("jira:issue_updated") && !event.equals("comment_created")) {
            return new Ignored("event " + event + " is not one the engine acts on");
        }
        JsonNode issue = payload.path("issue");
        if (!issue.isObject() || issue.path("key").asText("").isEmpty()) {
            throw new ApiError(400, "issue", "missing from a " + event + " event");
        }
        Optional<TicketMarkers.Marked> marked = marker(issue.path("fields").path("labels"), false);
        if (marked.isEmpty()) {
            return new Ignored("issue " + issue.path("key").asText() + " has no " + TicketMarkers.LABEL_PREFIX + " label");
        }
        String key = issue.path("key").asText();
        String project = issue.path("fields").path("project").path("key")
                .asText(key.contains("-") ? key.substring(0, key.lastIndexOf('-')) : "");
        if (!settings.jira().allows(project)) {
            return new Ignored("project " + project + " is not one of ticketing.jira.projects");
        }
        String ticket = "Jira " + key;
        JsonNode comment = payload.path("comment");
        JsonNode status = null;
        for (JsonNode item : payload.path("changelog").path("items")) {
            if (item.path("field").asText().equals("status")) {
                status = item;
            }
        }
        JsonNode user = status != null || !comment.isObject() ? payload.path("user") : comment.path("author");
        String account = firstOf(user, "accountId", "name", "key");
        if (isAccount(settings.jira().account(), user, "accountId", "name", "key", "emailAddress")) {
            return new Ignored("made by the connector's own account");
        }
        Actor actor = new Actor(ActorType.INTEGRATION, "jira:" + (account.isEmpty() ? "unknown" : account),
                user.path("displayName").asText(null));
        if (status != null) {
            String to = status.path("toString").asText("");
            String category = issue.path("fields").path("status").path("statusCategory").path("key").asText("");
            boolean done = category.isEmpty() ? settings.jiraDoneStatuses().contains(to) : category.equals("done");
            boolean reopened = !done && settings.jiraDoneStatuses().contains(status.path("fromString").asText(""));
            String changelogId = payload.path("changelog").path("id").asText("");
            String commandId = !changelogId.isEmpty() ? "jira:" + issue.path("id").asText() + ":changelog:" + changelogId
                    : "jira:delivery:" + required(deliveryId, "X-Atlassian-Webhook-Identifier");
            if (done) {
                return resolved(marked.get(), commandId, actor, ticket + " moved to " + to, settings, now);
            }
            if (reopened) {
                return reopened(marked.get(), commandId, actor, ticket + " reopened (" + to + ")", settings, now);
            }
            return new Ignored("a status change to " + to + " neither resolves nor reopens");
        }
        if (comment.isObject()) {
            return commented(marked.get(), "jira:comment:" + required(comment.path("id").asText(null), "comment.id"), actor, ticket,
                    text(comment.path("body")), settings, now);
        }
        return new Ignored("an update of neither the status nor the comments");
    }

    /**
     * A GitHub event: {@code issues} {@code closed} or {@code reopened}, {@code issue_comment} {@code created}; {@code ping}
     * is answered. https://docs.github.com/en/webhooks/webhook-events-and-payloads#issues
     */
    static Outcome github(String event, String deliveryId, JsonNode payload, Settings settings, Instant now) {
        if (event == null || event.isBlank()) {
            throw new ApiError(400, "X-GitHub-Event", "missing");
        }
        if (event.equals("ping")) {
            return new Ignored("ping: the receiver is reachable and the signature holds");
        }
        String action = payload.path("action").asText("");
        boolean issueEvent = event.equals("issues") && (action.equals("closed") || action.equals("reopened"));
        boolean commentEvent = event.equals("issue_comment") && action.equals("created");
        if (!issueEvent && !commentEvent) {
            return new Ignored("event " + event + (action.isEmpty() ? "" : " " + action) + " is not one the engine acts on");
        }
        JsonNode issue = payload.path("issue");
        if (!issue.isObject() || !issue.path("number").canConvertToLong()) {
            throw new ApiError(400, "issue", "missing from an " + event + " event");
        }
        String repository = payload.path("repository").path("full_name").asText("");
        if (!settings.github().allows(repository)) {
            return new Ignored("repository " + repository + " is not one of ticketing.github.repositories");
        }
        String ticket = "GitHub " + repository + "#" + issue.path("number").asLong();
        Optional<TicketMarkers.Marked> marked = marker(issue.path("labels"), true);
        if (marked.isEmpty()) {
            return new Ignored(ticket + " has no " + TicketMarkers.LABEL_PREFIX + " label");
        }
        String login = payload.path("sender").path("login").asText("");
        if (!login.isEmpty() && login.equalsIgnoreCase(settings.github().account())) {
            return new Ignored("made by the connector's own account");
        }
        Actor actor = new Actor(ActorType.INTEGRATION, "github:" + (login.isEmpty() ? "unknown" : login), null);
        if (commentEvent) {
            JsonNode comment = payload.path("comment");
            return commented(marked.get(), "github:comment:" + required(comment.path("id").asText(null), "comment.id"), actor, ticket,
                    comment.path("body").asText(""), settings, now);
        }
        if (action.equals("reopened")) {
            return reopened(marked.get(), "github:delivery:" + required(deliveryId, "X-GitHub-Delivery"), actor, ticket + " reopened",
                    settings, now);
        }
        String commandId = "github:" + issue.path("id").asText() + ":closed:" + required(issue.path("closed_at").asText(null), "issue.closed_at");
        if (issue.path("state_reason").asText("completed").equals("not_planned")) {
            // Closed as not planned says nothing about the incident's cause being fixed: a note, whatever the resolution.
            return note(marked.get(), commandId, actor, ticket + " closed as not planned", now);
        }
        return resolved(marked.get(), commandId, actor, ticket + " closed", settings, now);
    }

    private static Outcome resolved(TicketMarkers.Marked marked, String commandId, Actor actor, String what, Settings settings, Instant now) {
        if (settings.resolution() == Resolution.NOTE) {
            return note(marked, commandId, actor, what, now);
        }
        Object payload = marked.actionItemId() != null ? new CompleteActionItem(marked.actionItemId()) : new ResolveIncident(what);
        return new Send(command(marked, commandId, actor, payload, now));
    }

    private static Outcome reopened(TicketMarkers.Marked marked, String commandId, Actor actor, String what, Settings settings, Instant now) {
        // An action item has no reopening: its ticket reopened is a note.
        if (settings.resolution() == Resolution.NOTE || marked.actionItemId() != null) {
            return note(marked, commandId, actor, what, now);
        }
        return new Send(command(marked, commandId, actor, new ReopenIncident(what), now));
    }

    private static Outcome commented(TicketMarkers.Marked marked, String commandId, Actor actor, String ticket, String text,
                                     Settings settings, Instant now) {
        if (!settings.comments()) {
            return new Ignored("comments are not brought back (ticketing.inbound.comments=ignore)");
        }
        if (text.isBlank()) {
            return new Ignored("an empty comment");
        }
        String said = text.strip();
        if (said.length() > MAX_NOTE) {
            said = said.substring(0, Character.isHighSurrogate(said.charAt(MAX_NOTE - 1)) ? MAX_NOTE - 1 : MAX_NOTE) + " … (cut; the "
                    + "rest is on the ticket)";
        }
        return note(marked, commandId, actor, ticket + ", " + (actor.getName() != null ? actor.getName() : actor.getId()) + ": " + said, now);
    }

    private static Outcome note(TicketMarkers.Marked marked, String commandId, Actor actor, String text, Instant now) {
        String about = marked.actionItemId() == null ? "" : "[" + marked.actionItemId() + "] ";
        return new Send(command(marked, commandId, actor, new AddNote(about + text), now));
    }

    private static IncidentCommand command(TicketMarkers.Marked marked, String commandId, Actor actor, Object payload, Instant now) {
        if (commandId.length() > MAX_COMMAND_ID) {
            throw new ApiError(400, "body", "ids longer than Jira's or GitHub's");
        }
        return IncidentCommand.newBuilder().setCommandId(commandId).setIncidentId(marked.incidentId()).setActor(actor)
                .setTimestamp(now).setPayload(payload).build();
    }

    /** The incident a ticket's labels mark: Jira's are strings, GitHub's objects with a name. The first marker label counts. */
    private static Optional<TicketMarkers.Marked> marker(JsonNode labels, boolean named) {
        for (JsonNode label : labels) {
            Optional<TicketMarkers.Marked> marked = TicketMarkers.parse(named ? label.path("name").asText("") : label.asText(""));
            if (marked.isPresent()) {
                return marked;
            }
        }
        return Optional.empty();
    }

    private static boolean isAccount(String account, JsonNode user, String... fields) {
        for (String field : fields) {
            if (!user.path(field).asText("").isEmpty() && user.path(field).asText().equals(account)) {
                return true;
            }
        }
        return false;
    }

    private static String firstOf(JsonNode user, String... fields) {
        for (String field : fields) {
            if (!user.path(field).asText("").isEmpty()) {
                return user.path(field).asText();
            }
        }
        return "";
    }

    private static String required(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new ApiError(400, field, "missing");
        }
        return value;
    }

    /** A comment's text: a string (REST v2 and webhooks), or the text of an ADF document. */
    private static String text(JsonNode body) {
        if (body.isTextual()) {
            return body.asText();
        }
        StringBuilder out = new StringBuilder();
        appendText(body, out);
        return out.toString();
    }

    private static void appendText(JsonNode node, StringBuilder out) {
        switch (node.path("type").asText()) {
            case "text" -> out.append(node.path("text").asText());
            case "hardBreak" -> out.append('\n');
            case "mention", "emoji" -> out.append(node.path("attrs").path("text").asText());
            default -> {
                if (!node.path("type").asText().equals("doc") && node.has("content") && !out.isEmpty()) {
                    out.append('\n');
                }
                node.path("content").forEach(child -> appendText(child, out));
            }
        }
    }

    private void count(String system, String outcome) {
        if (metrics == null) {
            return;
        }
        counters.computeIfAbsent(system + '|' + outcome, key -> Counter.builder("ticket_webhooks_total")
                .description("Ticket webhook deliveries by system and outcome (accepted, ignored, unauthorized, malformed, "
                        + "unconfigured, failed)")
                .tags("system", system, "outcome", outcome).register(metrics)).increment();
    }
}
