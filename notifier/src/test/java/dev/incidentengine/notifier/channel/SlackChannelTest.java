package dev.incidentengine.notifier.channel;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.incidentengine.notifier.channel.LocalHttpServer.Answer;
import dev.incidentengine.notifier.channel.LocalHttpServer.Request;

import static dev.incidentengine.notifier.channel.ChannelFixtures.SECRETS;
import static dev.incidentengine.notifier.channel.ChannelFixtures.SECRET_VALUES;
import static dev.incidentengine.notifier.channel.ChannelFixtures.TIMEOUT;
import static dev.incidentengine.notifier.channel.ChannelFixtures.delivery;
import static dev.incidentengine.notifier.channel.ChannelFixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

class SlackChannelTest {

    private static final String POSTED = "{\"ok\":true,\"channel\":\"C0INCIDENTS\",\"ts\":\"1700000000.000100\"}";

    private final List<Duration> waits = new ArrayList<>();
    private LocalHttpServer server;
    private SlackChannel channel;

    @BeforeEach
    void start() throws Exception {
        server = LocalHttpServer.answering(Answer.of(200, POSTED));
        channel = new SlackChannel(delivery(waits), SECRETS, TIMEOUT, URI.create(server.baseUrl() + "/api/"), "slack-bot-token");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void postsTheCardToTheChannel_withTheBotToken() throws Exception {
        Message message = message("C0INCIDENTS", null);

        Result result = channel.send(message);

        assertThat(result.delivered()).isTrue();
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.providerMessageId()).isEqualTo("C0INCIDENTS/1700000000.000100");
        assertThat(channel.endpoint(message)).isEqualTo(server.baseUrl().replace("http://", "slack:"));
        Request request = server.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/api/chat.postMessage");
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + SECRET_VALUES.get("slack-bot-token"));
        assertThat(request.header("Content-Type")).isEqualTo("application/json; charset=utf-8");
        JsonNode body = request.json();
        assertThat(body.path("channel").asText()).isEqualTo("C0INCIDENTS");
        assertThat(body.path("text").asText()).isEqualTo(message.title());
        assertSlackAppBlocks(body.path("blocks"), message);
    }

    @Test
    void theTokenTheMessageNamesWinsOverTheDefault() throws Exception {
        channel.send(message("U0ONCALL", "slack-other-token"));

        assertThat(server.requests().get(0).header("Authorization")).isEqualTo("Bearer " + SECRET_VALUES.get("slack-other-token"));
    }

    @Test
    void laterNewsUpdatesTheIncidentsMessageInPlace() throws Exception {
        Message message = message(MessageKind.ACKNOWLEDGED, "ACKNOWLEDGED", "C0INCIDENTS", null, "C0INCIDENTS/1700000000.000100");

        Result result = channel.send(message);

        assertThat(result.delivered()).isTrue();
        assertThat(result.providerMessageId()).isEqualTo("C0INCIDENTS/1700000000.000100");
        Request request = server.requests().get(0);
        assertThat(request.path()).isEqualTo("/api/chat.update");
        assertThat(request.json().path("channel").asText()).isEqualTo("C0INCIDENTS");
        assertThat(request.json().path("ts").asText()).isEqualTo("1700000000.000100");
        assertSlackAppBlocks(request.json().path("blocks"), message);
    }

    @Test
    void aResolvedIncidentsCardHasNoButtons() throws Exception {
        Message message = message(MessageKind.RESOLVED, "RESOLVED", "C0INCIDENTS", null, "C0INCIDENTS/1700000000.000100");

        channel.send(message);

        SlackWebhookChannelTest.assertSlackBlocks(server.requests().get(0).json().path("blocks"), message);
    }

    /** The card, with the Slack app's buttons (incident-stream's SlackApp reads their action ids and value) before the link. */
    private static void assertSlackAppBlocks(JsonNode blocks, Message message) {
        JsonNode actions = blocks.get(3);
        assertThat(actions.path("block_id").asText()).isEqualTo("incident-actions");
        assertThat(actions.path("elements")).extracting(button -> button.path("action_id").asText())
                .containsExactly("incident.acknowledge", "incident.take", "incident.resolve");
        assertThat(actions.path("elements")).allSatisfy(button -> {
            assertThat(button.path("type").asText()).isEqualTo("button");
            assertThat(button.path("value").asText()).isEqualTo(message.incidentId());
        });
        ArrayNode card = blocks.deepCopy();
        card.remove(3);
        SlackWebhookChannelTest.assertSlackBlocks(card, message);
    }

    @Test
    void aPageIsAlwaysANewMessage() throws Exception {
        channel.send(message(MessageKind.PAGE, "TRIGGERED", "U0ONCALL", null, "C0INCIDENTS/1700000000.000100"));

        assertThat(server.requests()).extracting(Request::path).containsExactly("/api/chat.postMessage");
        assertThat(server.requests().get(0).json().path("channel").asText()).isEqualTo("U0ONCALL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"message_not_found", "cant_update_message"})
    void aMessageThatCannotBeUpdatedIsPostedAnew(String error) throws Exception {
        server.then(Answer.of(200, "{\"ok\":false,\"error\":\"" + error + "\"}"));

        Result result = channel.send(message(MessageKind.RESOLVED, "RESOLVED", "C0INCIDENTS", null, "C0INCIDENTS/1600000000.000001"));

        assertThat(result.delivered()).isTrue();
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(result.providerMessageId()).isEqualTo("C0INCIDENTS/1700000000.000100");
        assertThat(server.requests()).extracting(Request::path).containsExactly("/api/chat.update", "/api/chat.postMessage");
    }

    @ParameterizedTest
    @ValueSource(strings = {"invalid_auth", "not_authed", "channel_not_found", "account_inactive"})
    void slacksPermanentErrorsFailAtOnce(String error) throws Exception {
        server.then(Answer.of(200, "{\"ok\":false,\"error\":\"" + error + "\"}"));

        Result result = channel.send(message("C0INCIDENTS", null));

        assertThat(result.delivered()).isFalse();
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.error()).isEqualTo("slack: " + error + " (not retried)");
        assertThat(waits).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"})
    void slacksTransientErrorsAreRetried(String error) throws Exception {
        server.then(Answer.of(200, "{\"ok\":false,\"error\":\"" + error + "\"}"));

        Result result = channel.send(message("C0INCIDENTS", null));

        assertThat(result.delivered()).isTrue();
        assertThat(result.attempts()).isEqualTo(2);
        assertThat(waits).containsExactly(Duration.ofMillis(5));
    }

    @Test
    void aTransientErrorThatLastsFailsAfterTheLastAttempt() throws Exception {
        String busy = "{\"ok\":false,\"error\":\"ratelimited\"}";
        server.then(Answer.of(200, busy), Answer.of(200, busy), Answer.of(200, busy));

        Result result = channel.send(message("C0INCIDENTS", null));

        assertThat(result.delivered()).isFalse();
        assertThat(result.attempts()).isEqualTo(3);
        assertThat(result.error()).isEqualTo("slack: ratelimited (gave up after 3 attempts)");
    }
}
