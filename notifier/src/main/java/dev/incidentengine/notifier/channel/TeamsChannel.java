package dev.incidentengine.notifier.channel;

import java.time.Duration;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.incidentengine.notifier.delivery.HttpDelivery;

/**
 * A Microsoft Teams incoming webhook (the URL is the credential): an Adaptive Card with the incident's facts and a link. Title
 * and text arrive as markdown with their values made inert ({@link Markup#teams}); so are the facts here, which Teams reads as
 * markdown too.
 */
public final class TeamsChannel implements Channel {

    private final HttpDelivery delivery;
    private final Duration requestTimeout;

    public TeamsChannel(HttpDelivery delivery, Duration requestTimeout) {
        this.delivery = delivery;
        this.requestTimeout = requestTimeout;
    }

    @Override
    public String endpoint(Message message) {
        return ChannelRequests.endpoint("teams:", message.address());
    }

    @Override
    public Result send(Message message) throws InterruptedException {
        return ChannelRequests.guarded(() -> Result.of(delivery.send(ChannelRequests.postJson(ChannelRequests.httpUri(message.address()),
                requestTimeout, message.deliveryId(), body(message)).build()), null));
    }

    private static ObjectNode body(Message message) {
        ObjectNode body = ChannelRequests.JSON.createObjectNode().put("type", "message");
        ObjectNode attachment = body.putArray("attachments").addObject()
                .put("contentType", "application/vnd.microsoft.card.adaptive")
                .putNull("contentUrl");
        ObjectNode card = attachment.putObject("content")
                .put("$schema", "http://adaptivecards.io/schemas/adaptive-card.json")
                .put("type", "AdaptiveCard")
                .put("version", "1.4");
        ArrayNode blocks = card.putArray("body");
        blocks.addObject().put("type", "TextBlock").put("text", message.title()).put("size", "Medium").put("weight", "Bolder").put("wrap", true);
        blocks.addObject().put("type", "TextBlock").put("text", message.text()).put("wrap", true);
        ArrayNode facts = blocks.addObject().put("type", "FactSet").putArray("facts");
        fact(facts, "Severity", message.severity());
        fact(facts, "Status", message.status());
        fact(facts, "Service", message.service());
        fact(facts, "Incident", message.incidentId());
        ArrayNode actions = card.putArray("actions");
        String link = Markup.httpLink(message.url());
        if (link != null) {
            actions.addObject().put("type", "Action.OpenUrl").put("title", "Open incident").put("url", link);
        }
        return body;
    }

    // Teams rejects a fact without a value.
    private static void fact(ArrayNode facts, String title, String value) {
        if (value != null) {
            facts.addObject().put("title", title).put("value", Markup.teams(value));
        }
    }
}
