package dev.incidentengine.notifier.channel;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.incidentengine.notifier.delivery.HttpDelivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An incident's war room in Slack, through the Web API with a bot token: one channel per incident. What a request does
 * depends on its kind:
 * <ul>
 * <li>{@code war-room-open} (address: the wanted name): {@code conversations.create}; on {@code name_taken} the channel of
 * that name is looked up ({@code conversations.list}) and reused when this bot made it (a create that succeeded before a
 * crash), else the next name ({@code -2}, {@code -3}, …) is tried. Then the summary is posted ({@code chat.postMessage})
 * and pinned ({@code pins.add}). The result's provider id is {@code channelId/name}.
 * <li>{@code war-room-invite} (address: the channel id; text: Slack user ids, comma-separated): {@code conversations.invite}
 * with {@code force}; {@code already_in_channel} is success.
 * <li>{@code war-room-pin} (address: the channel id): posts the text and pins it.
 * <li>{@code war-room-archive} (address: the channel id): {@code conversations.archive}; {@code already_archived} and a
 * channel deleted meanwhile are success.
 * </ul>
 * A call answered {@code not_in_channel} (someone removed the bot) joins the channel ({@code conversations.join}) and is
 * made once more. Slack's transient errors and HTTP 429 {@code ratelimited} (after its {@code Retry-After}) are retried by
 * {@link HttpDelivery}. Failures in a row are counted for the notifier's readiness, and the first is logged at ERROR.
 */
public final class SlackWarRoomChannel implements Channel {

    public static final String NAME = "slack-warroom";
    private static final Logger log = LoggerFactory.getLogger(SlackWarRoomChannel.class);
    /** Refusals that fail every war room until someone fixes the token or app: readiness shows them. */
    private static final Set<String> AUTH = Set.of("not_authed", "invalid_auth", "account_inactive", "token_revoked", "token_expired",
            "missing_scope", "not_allowed_token_type", "no_permission");
    /** How many taken names are tried ({@code name}, {@code name-2}, …) before the open fails. */
    private static final int NAMES = 5;
    /** Pages of {@code conversations.list} (1,000 channels each) read to find a taken name's channel. */
    private static final int LIST_PAGES = 50;

    private final HttpDelivery delivery;
    private final Secrets secrets;
    private final Duration requestTimeout;
    private final String apiBase;
    private final String tokenSecret;
    private volatile String botUserId;
    private volatile int failuresInRow;
    private volatile String lastError;

    /** {@code apiBase} is https://slack.com/api in production; {@code tokenSecret} names the bot token's secret. */
    public SlackWarRoomChannel(HttpDelivery delivery, Secrets secrets, Duration requestTimeout, URI apiBase, String tokenSecret) {
        this.delivery = delivery;
        this.secrets = secrets;
        this.requestTimeout = requestTimeout;
        this.apiBase = ChannelRequests.httpUri(apiBase.toString()).toString().replaceAll("/+$", "");
        this.tokenSecret = tokenSecret;
    }

    @Override
    public String endpoint(Message message) {
        return ChannelRequests.endpoint("slack-warroom:", apiBase);
    }

    @Override
    public Result send(Message message) throws InterruptedException {
        Calls calls = new Calls();
        Result result = ChannelRequests.guarded(() -> {
            if (message.address() == null || message.address().isBlank()) {
                throw new IllegalArgumentException("war room: no channel in address");
            }
            calls.token = ChannelRequests.secret(secrets, tokenSecret);
            String address = message.address().strip();
            return switch (message.kind()) {
                case WAR_ROOM_OPEN -> open(calls, message, address);
                case WAR_ROOM_INVITE -> {
                    if (message.text() == null || message.text().isBlank()) {
                        throw new IllegalArgumentException("war room: no users to invite");
                    }
                    yield calls.done(calls.inChannel("conversations.invite", address, Map.of("users", message.text(), "force", "true"),
                            Set.of("already_in_channel")), address);
                }
                case WAR_ROOM_PIN -> calls.done(postAndPin(calls, message, address), address);
                case WAR_ROOM_ARCHIVE -> calls.done(calls.inChannel("conversations.archive", address, Map.of(),
                        Set.of("already_archived", "channel_not_found")), address);
                default -> throw new IllegalArgumentException("war room: cannot send a " + message.kind().id());
            };
        });
        record(message, result);
        return result;
    }

    /**
     * Not ready while war rooms fail for Slack's or the token's sake (down, still failing after the retries, the token revoked, a
     * scope missing) until a war room call succeeds again; a refusal of one request (a bad user id) is not counted.
     */
    public Optional<String> problem() {
        int failures = failuresInRow;
        return failures == 0 ? Optional.empty() : Optional.of("war room: the last " + failures + " Slack calls failed (" + lastError + ")");
    }

    public boolean healthy() {
        return failuresInRow == 0;
    }

    private void record(Message message, Result result) {
        if (result.delivered()) {
            if (failuresInRow > 0) {
                log.info("War rooms reach Slack again, after {} failed calls", failuresInRow);
            }
            failuresInRow = 0;
            return;
        }
        String error = result.error() == null ? "" : result.error();
        if (error.startsWith("slack ") && error.endsWith("(not retried)") && AUTH.stream().noneMatch(code -> error.contains(": " + code + " "))) {
            log.warn("War room {} of incident {} refused: {}", message.kind().id(), message.incidentId(), error);
            return;
        }
        lastError = error;
        if (failuresInRow++ == 0) {
            log.error("War room {} of incident {} failed, Slack cannot be reached or refuses the token: {}", message.kind().id(),
                    message.incidentId(), error);
        }
    }

    private Result open(Calls calls, Message message, String name) throws InterruptedException {
        for (int i = 1; i <= NAMES; i++) {
            String candidate = i == 1 ? name : ChannelRequests.cut(name, 80 - 3) + "-" + i;
            HttpDelivery.Outcome created = calls.call("conversations.create", Map.of("name", candidate), Set.of());
            String id;
            if (created.delivered()) {
                id = ChannelRequests.answer(created.body()).path("channel").path("id").asText(null);
            } else if ("name_taken".equals(error(created.body()))) {
                JsonNode taken = find(calls, candidate);
                if (taken == null || !taken.path("creator").asText("").equals(botUser(calls)) || taken.path("is_archived").asBoolean()) {
                    continue; // a person's channel of that name, or one of ours already archived: the next name
                }
                id = taken.path("id").asText();
                log.info("War room {} exists (made before a restart): reused", candidate);
            } else {
                return calls.done(created, null);
            }
            if (id == null || id.isBlank()) {
                throw new IllegalStateException("war room: conversations.create answered no channel id");
            }
            HttpDelivery.Outcome pinned = postAndPin(calls, message, id);
            return calls.done(pinned, pinned.delivered() ? id + "/" + candidate : null);
        }
        return calls.failed("war room: names " + name + " to " + name + "-" + NAMES + " are all taken by others");
    }

    private HttpDelivery.Outcome postAndPin(Calls calls, Message message, String channel) throws InterruptedException {
        ObjectNode body = SlackBlocks.message(message).put("channel", channel);
        HttpDelivery.Outcome posted = calls.inChannelJson("chat.postMessage", channel, body);
        if (!posted.delivered()) {
            return posted;
        }
        String ts = ChannelRequests.field(posted.body(), "ts");
        return calls.inChannel("pins.add", channel, Map.of("timestamp", ts == null ? "" : ts), Set.of("already_pinned"));
    }

    /** The channel named {@code name}, archived ones included, or null. */
    private JsonNode find(Calls calls, String name) throws InterruptedException {
        String cursor = "";
        for (int page = 0; page < LIST_PAGES; page++) {
            HttpDelivery.Outcome listed = calls.call("conversations.list",
                    Map.of("limit", "1000", "exclude_archived", "false", "types", "public_channel,private_channel", "cursor", cursor), Set.of());
            if (!listed.delivered()) {
                throw new IllegalStateException("war room: cannot look up taken name " + name + ": " + listed.error());
            }
            JsonNode answer = ChannelRequests.answer(listed.body());
            for (JsonNode channel : answer.path("channels")) {
                if (channel.path("name").asText("").equals(name)) {
                    return channel;
                }
            }
            cursor = answer.path("response_metadata").path("next_cursor").asText("");
            if (cursor.isEmpty()) {
                return null;
            }
        }
        return null;
    }

    private String botUser(Calls calls) throws InterruptedException {
        if (botUserId == null) {
            HttpDelivery.Outcome me = calls.call("auth.test", Map.of(), Set.of());
            if (!me.delivered()) {
                throw new IllegalStateException("war room: auth.test failed: " + me.error());
            }
            botUserId = ChannelRequests.field(me.body(), "user_id");
        }
        return botUserId;
    }

    private static String error(String body) {
        String error = ChannelRequests.field(body, "error");
        return error != null ? error : "no ok in the answer";
    }

    /** The calls of one delivery: the token, and the attempts and time they took together. */
    private final class Calls {
        String token;
        int attempts;
        Duration took = Duration.ZERO;

        /** A form-encoded call; {@code fine} are errors that mean the call's aim is reached. */
        HttpDelivery.Outcome call(String method, Map<String, String> args, Set<String> fine) throws InterruptedException {
            String form = new LinkedHashMap<>(args).entrySet().stream()
                    .map(arg -> URLEncoder.encode(arg.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(arg.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
            return send(method, "application/x-www-form-urlencoded", form.getBytes(StandardCharsets.UTF_8), fine);
        }

        /** A call about a channel: on {@code not_in_channel} the bot joins it and calls once more. */
        HttpDelivery.Outcome inChannel(String method, String channel, Map<String, String> args, Set<String> fine) throws InterruptedException {
            Map<String, String> all = new LinkedHashMap<>(args);
            all.put("channel", channel);
            HttpDelivery.Outcome outcome = call(method, all, fine);
            return rejoined(outcome, channel) ? call(method, all, fine) : outcome;
        }

        HttpDelivery.Outcome inChannelJson(String method, String channel, ObjectNode body) throws InterruptedException {
            byte[] bytes = ChannelRequests.bytes(body);
            HttpDelivery.Outcome outcome = send(method, "application/json; charset=utf-8", bytes, Set.of());
            return rejoined(outcome, channel) ? send(method, "application/json; charset=utf-8", bytes, Set.of()) : outcome;
        }

        private boolean rejoined(HttpDelivery.Outcome outcome, String channel) throws InterruptedException {
            if (outcome.delivered() || !"not_in_channel".equals(error(outcome.body()))) {
                return false;
            }
            log.warn("The bot is not in war room {} (removed?): joining it", channel);
            return call("conversations.join", Map.of("channel", channel), Set.of()).delivered();
        }

        private HttpDelivery.Outcome send(String method, String type, byte[] body, Set<String> fine) throws InterruptedException {
            HttpDelivery.Outcome outcome = delivery.send(ChannelRequests.post(URI.create(apiBase + "/" + method), requestTimeout, null, type, body)
                    .header("Authorization", "Bearer " + token).build(), answer -> {
                        JsonNode json = ChannelRequests.answer(answer);
                        String error = json.path("error").asText("no ok in the answer");
                        return json.path("ok").asBoolean(false) || fine.contains(error) ? Optional.empty()
                                : Optional.of(new HttpDelivery.Refusal("slack " + method + ": " + error, SlackChannel.TRANSIENT.contains(error)));
                    });
            attempts += outcome.attempts();
            took = took.plus(outcome.took());
            return outcome;
        }

        Result done(HttpDelivery.Outcome last, String providerId) {
            return new Result(last.delivered(), last.delivered() ? providerId : null, last.error(), Math.max(1, attempts), took);
        }

        Result failed(String error) {
            return new Result(false, null, error, Math.max(1, attempts), took);
        }
    }
}
