package dev.incidentengine.notifier.channel;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import dev.incidentengine.notifier.delivery.HttpDelivery;
import dev.incidentengine.notifier.delivery.Signatures;

/**
 * A status page webhook subscriber: the body is Statuspage's webhook JSON ({@code meta}, {@code page}, {@code incident}),
 * rendered by the planner, signed ({@link Signatures}) with the subscriber's own secret. {@link Message#secret()} is that
 * secret itself here, not a name: the sender derives it from the status secret just before sending, and it is never stored.
 */
public final class StatusWebhookChannel implements Channel {

    private final HttpDelivery delivery;
    private final Duration requestTimeout;

    public StatusWebhookChannel(HttpDelivery delivery, Duration requestTimeout) {
        this.delivery = delivery;
        this.requestTimeout = requestTimeout;
    }

    @Override
    public String endpoint(Message message) {
        return ChannelRequests.endpoint("status-webhook:", message.address());
    }

    @Override
    public Result send(Message message) throws InterruptedException {
        return ChannelRequests.guarded(() -> Result.of(delivery.send(request(message)), null));
    }

    private HttpRequest request(Message message) {
        URI uri = ChannelRequests.httpUri(message.address());
        byte[] body = message.eventJson().getBytes(StandardCharsets.UTF_8);
        long now = Instant.now().getEpochSecond();
        return ChannelRequests.post(uri, requestTimeout, message.deliveryId(), "application/json", body)
                .header(Signatures.TIMESTAMP_HEADER, Long.toString(now))
                .header(Signatures.SIGNATURE_HEADER, Signatures.sign(message.secret().getBytes(StandardCharsets.UTF_8), now, body))
                .build();
    }
}
