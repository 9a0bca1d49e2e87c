package dev.incidentengine.notifier.channel;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.incidentengine.notifier.delivery.HttpDelivery;
import dev.incidentengine.notifier.delivery.Signatures;

/**
 * A generic webhook: the incident and its event as JSON, signed ({@link Signatures}) with the secret the message names, else
 * the default one; unsigned when there is neither.
 */
public final class WebhookChannel implements Channel {

    private final HttpDelivery delivery;
    private final Secrets secrets;
    private final Duration requestTimeout;
    private final String defaultSecret;

    public WebhookChannel(HttpDelivery delivery, Secrets secrets, Duration requestTimeout, String defaultSecret) {
        this.delivery = delivery;
        this.secrets = secrets;
        this.requestTimeout = requestTimeout;
        this.defaultSecret = defaultSecret;
    }

    @Override
    public String endpoint(Message message) {
        return ChannelRequests.endpoint("webhook:", message.address());
    }

    @Override
    public Result send(Message message) throws InterruptedException {
        return ChannelRequests.guarded(() -> Result.of(delivery.send(request(message)), null));
    }

    private HttpRequest request(Message message) {
        URI uri = ChannelRequests.httpUri(message.address());
        String secretName = message.secret() != null ? message.secret() : defaultSecret;
        byte[] body = ChannelRequests.bytes(body(message));
        HttpRequest.Builder request = ChannelRequests.post(uri, requestTimeout, message.deliveryId(), "application/json", body);
        if (secretName != null) {
            long now = Instant.now().getEpochSecond();
            byte[] secret = secrets.require(secretName).getBytes(StandardCharsets.UTF_8);
            request.header(Signatures.TIMESTAMP_HEADER, Long.toString(now)).header(Signatures.SIGNATURE_HEADER, Signatures.sign(secret, now, body));
        }
        return request.build();
    }

    private static ObjectNode body(Message message) {
        ObjectNode body = ChannelRequests.JSON.createObjectNode()
                .put("deliveryId", message.deliveryId())
                .put("kind", message.kind().id());
        body.putObject("incident")
                .put("id", message.incidentId())
                .put("title", message.title())
                .put("severity", message.severity())
                .put("status", message.status())
                .put("service", message.service())
                .put("url", message.url());
        body.put("text", message.text());
        body.set("event", ChannelRequests.event(message.eventJson()));
        return body;
    }
}
