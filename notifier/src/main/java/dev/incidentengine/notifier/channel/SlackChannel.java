package dev.incidentengine.notifier.channel;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.incidentengine.notifier.delivery.HttpDelivery;

/**
 * Slack's Web API with a bot token: the incident's card is posted once ({@code chat.postMessage}) and then updated in place
 * ({@code chat.update}) as the incident changes; a page is always a new message, so it notifies. Both carry the Slack app's
 * buttons while the incident is open ({@link SlackBlocks#message(Message, boolean)}). Slack reports errors as HTTP 200
 * with {@code "ok":false}; only its transient ones are retried.
 */
public final class SlackChannel implements Channel {

    /** Slack's {@code error} codes worth trying again (the war room channel's calls share them). */
    static final Set<String> TRANSIENT = Set.of("ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout");
    private static final Set<String> UPDATE_IMPOSSIBLE = Set.of("message_not_found", "cant_update_message");

    private final HttpDelivery delivery;
    private final Secrets secrets;
    private final Duration requestTimeout;
    private final String apiBase;
    private final String defaultTokenSecret;

    /** {@code apiBase} is https://slack.com/api in production. */
    public SlackChannel(HttpDelivery delivery, Secrets secrets, Duration requestTimeout, URI apiBase, String defaultTokenSecret) {
        this.delivery = delivery;
        this.secrets = secrets;
        this.requestTimeout = requestTimeout;
        this.apiBase = ChannelRequests.httpUri(apiBase.toString()).toString().replaceAll("/+$", "");
        this.defaultTokenSecret = defaultTokenSecret;
    }

    @Override
    public String endpoint(Message message) {
        return ChannelRequests.endpoint("slack:", apiBase);
    }

    @Override
    public Result send(Message message) throws InterruptedException {
        return ChannelRequests.guarded(() -> {
            String secretName = message.secret() != null ? message.secret() : defaultTokenSecret;
            if (secretName == null) {
                throw new IllegalArgumentException("slack: no token secret configured");
            }
            String token = ChannelRequests.secret(secrets, secretName);
            String previous = message.previousMessageId();
            int slash = previous == null ? -1 : previous.indexOf('/');
            if (message.kind().toPerson() || slash <= 0) {
                return result(post(message, token));
            }
            ObjectNode update = ChannelRequests.JSON.createObjectNode()
                    .put("channel", previous.substring(0, slash))
                    .put("ts", previous.substring(slash + 1));
            HttpDelivery.Outcome updated = call("chat.update", token, message.deliveryId(), update.setAll(SlackBlocks.message(message, true)));
            if (updated.delivered() || !UPDATE_IMPOSSIBLE.contains(error(updated.body()))) {
                return result(updated);
            }
            // The message was deleted or is too old to edit: post the card anew.
            Result posted = result(post(message, token));
            return new Result(posted.delivered(), posted.providerMessageId(), posted.error(), updated.attempts() + posted.attempts(),
                    updated.took().plus(posted.took()));
        });
    }

    private HttpDelivery.Outcome post(Message message, String token) throws InterruptedException {
        if (message.address() == null || message.address().isBlank()) {
            throw new IllegalArgumentException("slack: no channel in address");
        }
        ObjectNode body = ChannelRequests.JSON.createObjectNode().put("channel", message.address().strip());
        return call("chat.postMessage", token, message.deliveryId(), body.setAll(SlackBlocks.message(message, true)));
    }

    private HttpDelivery.Outcome call(String method, String token, String deliveryId, JsonNode body) throws InterruptedException {
        return delivery.send(ChannelRequests.post(URI.create(apiBase + "/" + method), requestTimeout, deliveryId,
                        "application/json; charset=utf-8", ChannelRequests.bytes(body))
                .header("Authorization", "Bearer " + token)
                .build(), SlackChannel::refusal);
    }

    private static Optional<HttpDelivery.Refusal> refusal(String body) {
        if (ChannelRequests.answer(body).path("ok").asBoolean(false)) {
            return Optional.empty();
        }
        String error = error(body);
        return Optional.of(new HttpDelivery.Refusal("slack: " + error, TRANSIENT.contains(error)));
    }

    private static String error(String body) {
        String error = ChannelRequests.field(body, "error");
        return error != null ? error : "no ok in the answer";
    }

    private static Result result(HttpDelivery.Outcome outcome) {
        String channel = ChannelRequests.field(outcome.body(), "channel");
        String ts = ChannelRequests.field(outcome.body(), "ts");
        return Result.of(outcome, channel == null || ts == null ? null : channel + "/" + ts);
    }
}
