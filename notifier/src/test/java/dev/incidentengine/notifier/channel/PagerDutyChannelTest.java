package dev.incidentengine.notifier.channel;

import java.net.URI;
import java.util.ArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.incidentengine.notifier.channel.LocalHttpServer.Answer;
import dev.incidentengine.notifier.channel.LocalHttpServer.Request;

import static dev.incidentengine.notifier.channel.ChannelFixtures.EVENT_JSON;
import static dev.incidentengine.notifier.channel.ChannelFixtures.SECRETS;
import static dev.incidentengine.notifier.channel.ChannelFixtures.SECRET_VALUES;
import static dev.incidentengine.notifier.channel.ChannelFixtures.TIMEOUT;
import static dev.incidentengine.notifier.channel.ChannelFixtures.delivery;
import static dev.incidentengine.notifier.channel.ChannelFixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

class PagerDutyChannelTest {

    private LocalHttpServer server;
    private PagerDutyChannel channel;

    @BeforeEach
    void start() throws Exception {
        server = LocalHttpServer.answering(Answer.of(202, "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"INC-42\"}"));
        channel = new PagerDutyChannel(delivery(new ArrayList<>()), SECRETS, TIMEOUT, URI.create(server.baseUrl() + "/v2/enqueue"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aTriggeredIncidentTriggers_withPayloadAndLink() throws Exception {
        Message message = message(null, "pd-routing-key");

        Result result = channel.send(message);

        assertThat(result.delivered()).isTrue();
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.providerMessageId()).isEqualTo("INC-42");
        assertThat(channel.endpoint(message)).isEqualTo(server.baseUrl().replace("http://", "pagerduty:"));
        Request request = server.requests().get(0);
        assertThat(request.path()).isEqualTo("/v2/enqueue");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        JsonNode body = request.json();
        assertThat(body.path("routing_key").asText()).isEqualTo(SECRET_VALUES.get("pd-routing-key"));
        assertThat(body.path("event_action").asText()).isEqualTo("trigger");
        assertThat(body.path("dedup_key").asText()).isEqualTo("INC-42");
        JsonNode payload = body.path("payload");
        assertThat(payload.path("summary").asText()).isEqualTo(message.title());
        assertThat(payload.path("source").asText()).isEqualTo("checkout");
        assertThat(payload.path("severity").asText()).isEqualTo("critical");
        JsonNode details = payload.path("custom_details");
        assertThat(details.path("text").asText()).isEqualTo(message.text());
        assertThat(details.path("status").asText()).isEqualTo("TRIGGERED");
        assertThat(details.path("incident_url").asText()).isEqualTo(message.url());
        assertThat(details.path("event")).isEqualTo(ChannelRequests.JSON.readTree(EVENT_JSON));
        assertThat(body.path("links").get(0).path("href").asText()).isEqualTo(message.url());
        assertThat(body.path("links").get(0).path("text").asText()).isEqualTo("Incident INC-42");
    }

    @ParameterizedTest
    @CsvSource({"ACKNOWLEDGED, acknowledge", "RESOLVED, resolve", "CLOSED, resolve"})
    void laterStatusesAcknowledgeOrResolve_withoutPayload(String status, String action) throws Exception {
        channel.send(message(MessageKind.STATUS_UPDATE, status, null, "pd-routing-key", null));

        JsonNode body = server.requests().get(0).json();
        assertThat(body.path("event_action").asText()).isEqualTo(action);
        assertThat(body.path("dedup_key").asText()).isEqualTo("INC-42");
        assertThat(body.has("payload")).isFalse();
    }

    @ParameterizedTest
    @CsvSource({"SEV0, critical", "SEV1, critical", "SEV2, error", "SEV3, warning", "SEV4, info"})
    void severitiesMapOntoPagerDutys(String severity, String expected) throws Exception {
        Message m = message(null, "pd-routing-key");
        channel.send(new Message(m.deliveryId(), m.incidentId(), m.kind(), null, m.secret(), m.title(), m.text(), null, m.url(), severity,
                m.status(), m.service(), m.eventJson(), null));

        assertThat(server.requests().get(0).json().path("payload").path("severity").asText()).isEqualTo(expected);
    }

    @Test
    void theMessagesAddressOverridesTheDefaultEventsUrl() throws Exception {
        Message message = message(server.baseUrl() + "/eu/v2/enqueue", "pd-routing-key");

        assertThat(channel.send(message).delivered()).isTrue();
        assertThat(server.requests()).extracting(Request::path).containsExactly("/eu/v2/enqueue");
    }
}
