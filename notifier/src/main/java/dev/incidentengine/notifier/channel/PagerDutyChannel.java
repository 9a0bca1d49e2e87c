package dev.incidentengine.notifier.channel;

import java.net.URI;
import java.time.Duration;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.incidentengine.notifier.delivery.HttpDelivery;

/**
 * Forwards the incident to PagerDuty (Events API v2), keyed by incident id so that PagerDuty's incident follows ours: triggered,
 * acknowledged, resolved. The routing key is the secret the message names.
 */
public final class PagerDutyChannel implements Channel {

    private static final int MAX_SUMMARY = 1024;

    private final HttpDelivery delivery;
    private final Secrets secrets;
    private final Duration requestTimeout;
    private final String defaultEventsUrl;

    /** {@code defaultEventsUrl} is https://events.pagerduty.com/v2/enqueue in production; a message's address overrides it. */
    public PagerDutyChannel(HttpDelivery delivery, Secrets secrets, Duration requestTimeout, URI defaultEventsUrl) {
        this.delivery = delivery;
        this.secrets = secrets;
        this.requestTimeout = requestTimeout;
        this.defaultEventsUrl = ChannelRequests.httpUri(defaultEventsUrl.toString()).toString();
    }

    @Override
    public String endpoint(Message message) {
        return ChannelRequests.endpoint("pagerduty:", eventsUrl(message));
    }

    @Override
    public Result send(Message message) throws InterruptedException {
        return ChannelRequests.guarded(() -> {
            if (message.secret() == null) {
                throw new IllegalArgumentException("pagerduty: the message names no routing key secret");
            }
            ObjectNode body = body(message, ChannelRequests.secret(secrets, message.secret()));
            HttpDelivery.Outcome outcome = delivery.send(ChannelRequests.postJson(ChannelRequests.httpUri(eventsUrl(message)), requestTimeout,
                    message.deliveryId(), body).build());
            return Result.of(outcome, ChannelRequests.field(outcome.body(), "dedup_key"));
        });
    }

    private String eventsUrl(Message message) {
        return message.address() != null ? message.address() : defaultEventsUrl;
    }

    private static ObjectNode body(Message message, String routingKey) {
        String action = action(message.status());
        ObjectNode body = ChannelRequests.JSON.createObjectNode()
                .put("routing_key", routingKey)
                .put("event_action", action)
                .put("dedup_key", message.incidentId());
        if (action.equals("trigger")) {
            ObjectNode payload = body.putObject("payload")
                    .put("summary", ChannelRequests.cut(message.title(), MAX_SUMMARY))
                    .put("source", message.service())
                    .put("severity", severity(message.severity()));
            payload.putObject("custom_details")
                    .put("text", message.text())
                    .put("status", message.status())
                    .put("incident_url", Markup.httpLink(message.url()))
                    .set("event", ChannelRequests.event(message.eventJson()));
        }
        String link = Markup.httpLink(message.url());
        if (link != null) {
            body.putArray("links").addObject().put("href", link).put("text", "Incident " + message.incidentId());
        }
        return body;
    }

    private static String action(String status) {
        return switch (status == null ? "" : status) {
            case "ACKNOWLEDGED" -> "acknowledge";
            case "RESOLVED", "CLOSED" -> "resolve";
            default -> "trigger";
        };
    }

    // An unknown severity still pages, as an error rather than not at all.
    private static String severity(String severity) {
        return switch (severity == null ? "" : severity) {
            case "SEV0", "SEV1" -> "critical";
            case "SEV3" -> "warning";
            case "SEV4" -> "info";
            default -> "error";
        };
    }
}
