package dev.incidentengine.notifier.channel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.incidentengine.notifier.channel.LocalHttpServer.Answer;
import dev.incidentengine.notifier.channel.LocalHttpServer.Request;

import static dev.incidentengine.notifier.channel.ChannelFixtures.TIMEOUT;
import static dev.incidentengine.notifier.channel.ChannelFixtures.delivery;
import static dev.incidentengine.notifier.channel.ChannelFixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

class SlackWebhookChannelTest {

    private final List<Duration> waits = new ArrayList<>();
    private LocalHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = LocalHttpServer.answering(Answer.of(200, "ok"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void postsTheIncidentCardAsBlockKit() throws Exception {
        Message message = message(server.baseUrl() + "/services/T000/B000/XXXX", null);
        SlackWebhookChannel channel = new SlackWebhookChannel(delivery(waits), TIMEOUT);

        Result result = channel.send(message);

        assertThat(result.delivered()).isTrue();
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(channel.endpoint(message)).isEqualTo(server.baseUrl().replace("http://", "slack-webhook:"));
        Request request = server.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/services/T000/B000/XXXX");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("Idempotency-Key")).isEqualTo(message.deliveryId());
        JsonNode body = request.json();
        assertThat(body.path("text").asText()).isEqualTo(message.title());
        assertSlackBlocks(body.path("blocks"), message);
    }

    @Test
    void aLongTitleIsCutForTheHeader_andWithoutAUrlThereIsNoButton() throws Exception {
        Message m = message(server.baseUrl() + "/services/T000/B000/XXXX", null);
        Message longTitle = new Message(m.deliveryId(), m.incidentId(), m.kind(), m.address(), null, "x".repeat(400), m.text(), null, null,
                m.severity(), m.status(), m.service(), m.eventJson(), null);

        new SlackWebhookChannel(delivery(waits), TIMEOUT).send(longTitle);

        JsonNode blocks = server.requests().get(0).json().path("blocks");
        assertThat(blocks.get(0).path("text").path("text").asText()).hasSize(150).endsWith("…");
        assertThat(blocks).extracting(block -> block.path("type").asText()).containsExactly("header", "section", "context");
    }

    @Test
    void slacksTextErrorIsNotRetried() throws Exception {
        server.then(Answer.of(404, "no_service"));

        Result result = new SlackWebhookChannel(delivery(waits), TIMEOUT).send(message(server.baseUrl() + "/services/T/B/gone", null));

        assertThat(result.delivered()).isFalse();
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.error()).isEqualTo("HTTP 404: no_service (not retried)");
    }

    /** The card both Slack channels send. */
    static void assertSlackBlocks(JsonNode blocks, Message message) {
        assertThat(blocks).extracting(block -> block.path("type").asText()).containsExactly("header", "section", "context", "actions");
        assertThat(blocks.get(0).path("text").path("type").asText()).isEqualTo("plain_text");
        assertThat(blocks.get(0).path("text").path("text").asText()).isEqualTo(message.title());
        assertThat(blocks.get(1).path("text").path("type").asText()).isEqualTo("mrkdwn");
        assertThat(blocks.get(1).path("text").path("text").asText()).isEqualTo(message.text());
        assertThat(blocks.get(2).path("elements").get(0).path("text").asText())
                .isEqualTo(String.join(" · ", message.severity(), message.status(), message.service(), message.incidentId()));
        JsonNode button = blocks.get(3).path("elements").get(0);
        assertThat(button.path("type").asText()).isEqualTo("button");
        assertThat(button.path("url").asText()).isEqualTo(message.url());
    }
}
