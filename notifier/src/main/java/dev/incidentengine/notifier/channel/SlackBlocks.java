package dev.incidentengine.notifier.channel;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Block Kit message both Slack channels send: the incident's card, which chat.update replaces in place. Title and text
 * arrive as mrkdwn, their values escaped ({@link Markup#slack}); the header is plain_text, so it gets the title unescaped.
 */
final class SlackBlocks {

    private static final int MAX_HEADER = 150;
    private static final int MAX_SECTION = 3000;

    private SlackBlocks() {
    }

    /** The Slack app's buttons (incident-stream's {@code SlackApp}: the same block id and action ids), and what they do. */
    static final String ACTIONS_BLOCK = "incident-actions";
    private static final Map<String, String> BUTTONS = new LinkedHashMap<>();

    static {
        BUTTONS.put("incident.acknowledge", "Acknowledge");
        BUTTONS.put("incident.take", "Take");
        BUTTONS.put("incident.resolve", "Resolve");
    }

    /** {@code text} (the fallback notifications show) and {@code blocks}. */
    static ObjectNode message(Message message) {
        return message(message, false);
    }

    /**
     * With {@code buttons}, an incident that is not resolved gets acknowledge, take and resolve buttons: a press goes to the Slack
     * app's interactivity request URL (incident-stream's {@code /api/v1/slack/interactions}) with the incident id as value.
     */
    static ObjectNode message(Message message, boolean buttons) {
        ObjectNode body = ChannelRequests.JSON.createObjectNode().put("text", message.title());
        ArrayNode blocks = body.putArray("blocks");
        blocks.addObject().put("type", "header").set("text", plainText(ChannelRequests.cut(Markup.slackPlain(message.title()), MAX_HEADER)));
        // Slack refuses a section without text.
        if (message.text() != null && !message.text().isBlank()) {
            blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn")
                    .put("text", ChannelRequests.cut(message.text(), MAX_SECTION));
        }
        String context = Stream.of(message.severity(), message.status(), message.service(), message.incidentId())
                .filter(Objects::nonNull).collect(Collectors.joining(" · "));
        blocks.addObject().put("type", "context").putArray("elements").add(plainText(context));
        if (buttons && message.incidentId() != null && !"RESOLVED".equals(message.status()) && !"CLOSED".equals(message.status())) {
            ArrayNode elements = blocks.addObject().put("type", "actions").put("block_id", ACTIONS_BLOCK).putArray("elements");
            BUTTONS.forEach((actionId, label) -> {
                ObjectNode button = elements.addObject().put("type", "button").put("action_id", actionId).put("value", message.incidentId());
                button.set("text", plainText(label));
                if (actionId.equals("incident.acknowledge")) {
                    button.put("style", "primary");
                }
            });
        }
        String link = Markup.httpLink(message.url());
        if (link != null) {
            blocks.addObject().put("type", "actions").putArray("elements").addObject()
                    .put("type", "button").put("url", link).set("text", plainText("Open incident"));
        }
        return body;
    }

    private static ObjectNode plainText(String text) {
        return ChannelRequests.JSON.createObjectNode().put("type", "plain_text").put("text", text);
    }
}
