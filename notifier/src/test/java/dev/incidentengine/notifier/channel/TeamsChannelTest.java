package dev.incidentengine.notifier.channel;

import java.util.ArrayList;

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

class TeamsChannelTest {

    private LocalHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = LocalHttpServer.answering(Answer.of(200, "1"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void postsAnAdaptiveCardWithTheIncidentsFactsAndLink() throws Exception {
        Message message = message(server.baseUrl() + "/webhookb2/abc/IncomingWebhook/def", null);
        TeamsChannel channel = new TeamsChannel(delivery(new ArrayList<>()), TIMEOUT);

        Result result = channel.send(message);

        assertThat(result.delivered()).isTrue();
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(channel.endpoint(message)).isEqualTo(server.baseUrl().replace("http://", "teams:"));
        Request request = server.requests().get(0);
        assertThat(request.path()).isEqualTo("/webhookb2/abc/IncomingWebhook/def");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("Idempotency-Key")).isEqualTo(message.deliveryId());
        JsonNode body = request.json();
        assertThat(body.path("type").asText()).isEqualTo("message");
        JsonNode attachment = body.path("attachments").get(0);
        assertThat(attachment.path("contentType").asText()).isEqualTo("application/vnd.microsoft.card.adaptive");
        assertThat(attachment.get("contentUrl").isNull()).isTrue();
        JsonNode card = attachment.path("content");
        assertThat(card.path("$schema").asText()).isEqualTo("http://adaptivecards.io/schemas/adaptive-card.json");
        assertThat(card.path("type").asText()).isEqualTo("AdaptiveCard");
        assertThat(card.path("version").asText()).isEqualTo("1.4");
        JsonNode title = card.path("body").get(0);
        assertThat(title.path("text").asText()).isEqualTo(message.title());
        assertThat(title.path("size").asText()).isEqualTo("Medium");
        assertThat(title.path("weight").asText()).isEqualTo("Bolder");
        assertThat(title.path("wrap").asBoolean()).isTrue();
        assertThat(card.path("body").get(1).path("text").asText()).isEqualTo(message.text());
        JsonNode facts = card.path("body").get(2);
        assertThat(facts.path("type").asText()).isEqualTo("FactSet");
        assertThat(facts.path("facts")).extracting(fact -> fact.path("title").asText() + "=" + fact.path("value").asText())
                .containsExactly("Severity=SEV1", "Status=TRIGGERED", "Service=checkout", "Incident=INC-42");
        JsonNode action = card.path("actions").get(0);
        assertThat(action.path("type").asText()).isEqualTo("Action.OpenUrl");
        assertThat(action.path("url").asText()).isEqualTo(message.url());
    }
}
