package dev.incidentengine.notifier.channel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.notifier.channel.LocalHttpServer.Answer;
import dev.incidentengine.notifier.template.Templates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.notifier.channel.ChannelFixtures.TIMEOUT;
import static dev.incidentengine.notifier.channel.ChannelFixtures.delivery;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Alert text written to do harm (mass mentions, fake "Acknowledge" links, images, HTML, a javascript: link), rendered by the
 * default templates and sent to a real local server: what arrives shows it, inert, in each channel's markup.
 */
class InjectionTest {

    private static final String HOSTILE = "DB down <!channel> <!here> <@U123> @everyone <http://evil.example/ack|Acknowledge>"
            + " [Acknowledge](javascript:alert(1)) ![pixel](http://evil.example/p.png) <img src=x onerror=alert(1)> &lt;b&gt; & co";
    private static final Templates TEMPLATES = Templates.defaults();

    private final List<Duration> waits = new ArrayList<>();
    private LocalHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = LocalHttpServer.answering(Answer.of(200, "{\"ok\":true,\"channel\":\"C0123ABCD\",\"ts\":\"1.2\"}"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void slackShowsAlertTextButObeysNoneOfIt() throws Exception {
        Message message = message("slack-webhook", server.baseUrl() + "/services/T0/B0/X", "javascript:alert(1)");

        assertThat(new SlackWebhookChannel(delivery(waits), TIMEOUT).send(message).delivered()).isTrue();

        JsonNode body = server.requests().get(0).json();
        String fallback = body.path("text").asText();
        String section = body.path("blocks").get(1).path("text").path("text").asText();
        for (String mrkdwn : List.of(fallback, section)) {
            assertThat(mrkdwn).doesNotContain("<!channel>", "<!here>", "<@U123>", "<http://evil.example", "@everyone", "<img")
                    .contains("&lt;!channel&gt;", "&lt;@U123&gt;", "&lt;http://evil.example/ack|Acknowledge&gt;", "&amp;lt;b&amp;gt; &amp; co");
            // No '<' is left that Slack could read as a control sequence; the template's own text has none.
            assertThat(mrkdwn).doesNotContain("<");
        }
        assertThat(body.path("blocks").get(1).path("text").path("type").asText()).isEqualTo("mrkdwn");
        JsonNode header = body.path("blocks").get(0).path("text");
        assertThat(header.path("type").asText()).isEqualTo("plain_text");
        assertThat(header.path("text").asText()).as("plain_text shows the title as written").contains("DB down <!channel> <!here>");
        assertThat(body.toString()).as("no button to a javascript: link").doesNotContain("\"button\"");
    }

    @Test
    void teamsShowsAlertTextWithoutLinksImagesOrHtml() throws Exception {
        Message message = message("teams", server.baseUrl() + "/webhookb2/abc", "javascript:alert(1)");

        assertThat(new TeamsChannel(delivery(waits), TIMEOUT).send(message).delivered()).isTrue();

        JsonNode card = server.requests().get(0).json().path("attachments").get(0).path("content");
        List<String> texts = new ArrayList<>();
        card.path("body").forEach(block -> texts.add(block.path("text").asText()));
        card.path("body").get(2).path("facts").forEach(fact -> texts.add(fact.path("value").asText()));
        assertThat(texts.get(0)).contains("DB down").contains("Acknowledge");
        assertThat(texts).allSatisfy(text -> assertThat(text)
                .doesNotContainPattern("\\]\\(")          // a markdown link or image
                .doesNotContainPattern("<[A-Za-z!/@]")    // a tag, an autolink, a mention
                .doesNotContainPattern("&[A-Za-z#]"));    // an entity
        assertThat(card.path("actions")).as("no action to a javascript: link").isEmpty();
    }

    @Test
    void htmlEmailEscapesAlertText() {
        String html = TEMPLATES.render("email", MessageKind.ACKNOWLEDGED, context(), Map.of()).html();

        assertThat(html).doesNotContain("<img src", "<http://evil", "<!channel>", "<@U")
                .contains("&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;", "&amp;lt;b&amp;gt; &amp; co", "&lt;@U999&gt; Mallory")
                .contains("href=\"https://incidents.example/INC-7\"");
    }

    @Test
    void onlyHttpLinksAreKept() {
        assertThat(Markup.httpLink("https://incidents.example/INC-7")).isEqualTo("https://incidents.example/INC-7");
        assertThat(Markup.httpLink(" HTTP://incidents.example/x ")).isEqualTo("HTTP://incidents.example/x");
        for (String link : new String[] {"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>x</b>", "vbscript:x", "file:///etc/passwd",
                "//evil.example/x", "http:no-host", "not a url"}) {
            assertThat(Markup.httpLink(link)).as(link).isNull();
        }
    }

    /**
     * The message the composer makes for the channel, rendered by the default templates with alert text in title and note; its
     * link ({@code url}) as a request on the topic might carry it.
     */
    private static Message message(String channel, String address, String url) {
        Templates.Rendered rendered = TEMPLATES.render(channel, MessageKind.ACKNOWLEDGED, context(), Map.of());
        return new Message("e3:room:" + channel + ":0", "INC-7", MessageKind.ACKNOWLEDGED, address, null, rendered.title(), rendered.text(),
                null, url, "SEV1", "ACKNOWLEDGED", "<b>checkout</b> [x](http://evil.example)", null, null);
    }

    private static Map<String, Object> context() {
        Map<String, Object> incident = Map.of("id", "INC-7", "title", HOSTILE, "severity", "SEV1", "status", "ACKNOWLEDGED",
                "service", "checkout", "url", "https://incidents.example/INC-7", "openedAt", "2026-05-01T10:15:00Z", "alerts", 1);
        Map<String, Object> event = Map.of("kind", "acknowledged", "actor", "<@U999> Mallory", "at", "2026-05-01T10:20:00Z",
                "message", HOSTILE);
        return Map.of("incident", incident, "event", event);
    }
}
