package dev.incidentengine.notifier.channel;

import java.time.Duration;

import dev.incidentengine.notifier.delivery.HttpDelivery;

/**
 * A Slack incoming webhook (the URL is the credential): the Block Kit card. Slack answers 200 {@code ok}, or a 4xx with a text
 * error ({@code no_service}, {@code invalid_token}) that no retry fixes.
 */
public final class SlackWebhookChannel implements Channel {

    private final HttpDelivery delivery;
    private final Duration requestTimeout;

    public SlackWebhookChannel(HttpDelivery delivery, Duration requestTimeout) {
        this.delivery = delivery;
        this.requestTimeout = requestTimeout;
    }

    @Override
    public String endpoint(Message message) {
        return ChannelRequests.endpoint("slack-webhook:", message.address());
    }

    @Override
    public Result send(Message message) throws InterruptedException {
        return ChannelRequests.guarded(() -> Result.of(delivery.send(ChannelRequests.postJson(ChannelRequests.httpUri(message.address()),
                requestTimeout, message.deliveryId(), SlackBlocks.message(message)).build()), null));
    }
}
