package dev.incidentengine.notifier.channel;

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

    /** {@code text} (the fallback notifications show) and {@code blocks}. */
    static ObjectNode message(Message message) {
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
