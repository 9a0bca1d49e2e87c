package dev.incidentengine.notifier.channel;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.incidentengine.notifier.channel.LocalHttpServer.Answer;
import dev.incidentengine.notifier.channel.LocalHttpServer.Request;
import dev.incidentengine.notifier.delivery.Signatures;

import static dev.incidentengine.notifier.channel.ChannelFixtures.EVENT_JSON;
import static dev.incidentengine.notifier.channel.ChannelFixtures.SECRETS;
import static dev.incidentengine.notifier.channel.ChannelFixtures.SECRET_VALUES;
import static dev.incidentengine.notifier.channel.ChannelFixtures.TIMEOUT;
import static dev.incidentengine.notifier.channel.ChannelFixtures.delivery;
import static dev.incidentengine.notifier.channel.ChannelFixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

class WebhookChannelTest {

    private final List<Duration> waits = new ArrayList<>();
    private LocalHttpServer server;

    @BeforeEach
    void start() throws Exception {
        server = LocalHttpServer.answering(Answer.of(200, "{\"received\":true}"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void postsTheIncidentAndItsEvent_signedWithTheSecretTheMessageNames() throws Exception {
        Message message = message(server.baseUrl() + "/hooks/incidents", "webhook-signing");
        WebhookChannel channel = new WebhookChannel(delivery(waits), SECRETS, TIMEOUT, "unused-default");

        Result result = channel.send(message);

        assertThat(result.delivered()).isTrue();
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.providerMessageId()).isNull();
        assertThat(channel.endpoint(message)).isEqualTo(server.baseUrl().replace("http://", "webhook:"));
        Request request = server.requests().get(0);
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/hooks/incidents");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("Idempotency-Key")).isEqualTo(message.deliveryId());
        assertThat(request.header("User-Agent")).isEqualTo("incident-engine");
        assertThat(verified(request, SECRET_VALUES.get("webhook-signing"))).isTrue();
        JsonNode body = request.json();
        assertThat(body.path("deliveryId").asText()).isEqualTo(message.deliveryId());
        assertThat(body.path("kind").asText()).isEqualTo("opened");
        assertThat(body.path("text").asText()).isEqualTo(message.text());
        JsonNode incident = body.path("incident");
        assertThat(incident.path("id").asText()).isEqualTo("INC-42");
        assertThat(incident.path("title").asText()).isEqualTo(message.title());
        assertThat(incident.path("severity").asText()).isEqualTo("SEV1");
        assertThat(incident.path("status").asText()).isEqualTo("TRIGGERED");
        assertThat(incident.path("service").asText()).isEqualTo("checkout");
        assertThat(incident.path("url").asText()).isEqualTo(message.url());
        assertThat(body.path("event")).isEqualTo(ChannelRequests.JSON.readTree(EVENT_JSON));
    }

    @Test
    void theDefaultSecretSigns_whenTheMessageNamesNone() throws Exception {
        new WebhookChannel(delivery(waits), SECRETS, TIMEOUT, "webhook-signing").send(message(server.baseUrl() + "/hook", null));

        assertThat(verified(server.requests().get(0), SECRET_VALUES.get("webhook-signing"))).isTrue();
    }

    @Test
    void withNoSecretAtAll_theRequestGoesUnsigned_andAMissingEventIsNull() throws Exception {
        Result result = new WebhookChannel(delivery(waits), SECRETS, TIMEOUT, null).send(withEvent(null));

        assertThat(result.delivered()).isTrue();
        Request request = server.requests().get(0);
        assertThat(request.header(Signatures.SIGNATURE_HEADER)).isNull();
        assertThat(request.header(Signatures.TIMESTAMP_HEADER)).isNull();
        assertThat(request.json().get("event").isNull()).isTrue();
    }

    @Test
    void anEventThatIsNotJsonFailsAtOnce() throws Exception {
        Result result = new WebhookChannel(delivery(waits), SECRETS, TIMEOUT, null).send(withEvent("{oops"));

        assertThat(result.delivered()).isFalse();
        assertThat(result.error()).isEqualTo("eventJson is not valid JSON (not retried)");
        assertThat(server.requests()).isEmpty();
    }

    private Message withEvent(String eventJson) {
        Message m = message(server.baseUrl() + "/hook", null);
        return new Message(m.deliveryId(), m.incidentId(), m.kind(), m.address(), null, m.title(), m.text(), null, m.url(), m.severity(),
                m.status(), m.service(), eventJson, null);
    }

    private static boolean verified(Request request, String secret) {
        return Signatures.verify(secret.getBytes(StandardCharsets.UTF_8), request.header(Signatures.SIGNATURE_HEADER),
                request.header(Signatures.TIMESTAMP_HEADER), request.body(), Instant.now().getEpochSecond(), 300);
    }
}
