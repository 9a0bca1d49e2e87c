package dev.incidentengine.ingest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.incidentengine.model.HeartbeatPing;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a sender sees while the service is still starting: retryable answers, never a 403. */
class IngestEndpointsTest {

    private final HttpClient client = HttpClient.newHttpClient();
    private HttpServer http;

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
    }

    @Test
    void whileIntegrationsLoad_aValidLookingRequestGets503WithRetryAfter() throws Exception {
        Integrations loading = new Integrations() {
            @Override
            public Optional<IntegrationConfig> byKey(String key) {
                return Optional.empty();
            }

            @Override
            public Optional<IntegrationConfig> byId(String id) {
                return Optional.empty();
            }

            @Override
            public boolean ready() {
                return false;
            }
        };

        HttpResponse<String> response = post(start(loading), "/api/v1/alerts", "{\"summary\":\"x\"}");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).contains("5");
        assertThat(response.body()).contains("integrations are still loading");
    }

    @Test
    void beforeTheWriterStarted_anAcceptableRequestGets503() throws Exception {
        MapIntegrations known = new MapIntegrations(List.of(MapIntegrations.integration("i", "s", "key")));

        HttpResponse<String> response = post(start(known), "/api/v1/alerts", "{\"summary\":\"x\"}");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).contains("has not started");
    }

    /** Alertmanager API v2's refusals: Alertmanager's statuses, a JSON string naming what is wrong, nothing written. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "no credentials       |                 | [{\"labels\":{\"a\":\"b\"}}] | 401 | credentials are missing",
            "unknown bearer key   | Bearer nope     | [{\"labels\":{\"a\":\"b\"}}] | 403 | unknown or revoked integration key",
            "unknown basic auth   | Basic dTpub3Bl  | [{\"labels\":{\"a\":\"b\"}}] | 403 | unknown or revoked integration key",
            "not JSON             | Bearer key      | [{                                 | 400 | body is not valid JSON",
            "empty body           | Bearer key      | ''                                 | 400 | body is empty",
            "not an array         | Bearer key      | {\"labels\":{\"a\":\"b\"}}   | 400 | must be a JSON array of alerts",
            "every alert invalid  | Basic cHJvbTprZXk= | [{\"labels\":{}},{}]          | 400 | 2 invalid alert field(s): [0].labels: at least one label pair required; [1].labels: is required",
    })
    void alertmanagerApiRefusals(String name, String authorization, String body, int status, String message) throws Exception {
        MapIntegrations known = new MapIntegrations(List.of(MapIntegrations.integration("i", "s", "key")));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(start(known) + "/api/v2/alerts"))
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }

        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).textValue()).as(response.body())
                .contains(message);
    }

    @Test
    void alertmanagerApiOverTheSizeLimit_is413() throws Exception {
        MapIntegrations known = new MapIntegrations(List.of(MapIntegrations.integration("i", "s", "key")));
        String alert = "{\"labels\":{\"alertname\":\"A\"}}";
        String body = "[" + String.join(",", java.util.Collections.nCopies(1001, alert)) + "]";

        HttpResponse<String> response = post(start(known), "/api/v2/alerts", body);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("1001 alerts in one request; the limit is 1000");
    }

    private String start(Integrations integrations) {
        RecordSerdes serdes = RecordSerdes.singleObject();
        AlertIngestConfig config = new AlertIngestConfig(Map.of());
        AlertWriter unstarted = new AlertWriter(Map.of(), Topics.ALERTS.keySerde(serdes).serializer(),
                Topics.ALERTS.valueSerde(serdes).serializer(), Topics.ALERTS.name(), Duration.ofSeconds(1));
        http = new HttpServer("127.0.0.1", 0);
        new IngestEndpoints(integrations, unstarted, new Resends(0), new RateLimiter(0, 1, System::nanoTime), new Admission(0, 0, System::nanoTime), config, new SimpleMeterRegistry(),
                Clock.systemUTC(), unstartedPings(serdes)).register(http);
        http.start();
        return "http://127.0.0.1:" + http.address().getPort();
    }

    static RecordWriter<HeartbeatPing> unstartedPings(RecordSerdes serdes) {
        return new RecordWriter<>(Map.of(), Topics.HEARTBEATS.keySerde(serdes).serializer(), Topics.HEARTBEATS.valueSerde(serdes).serializer(),
                Topics.HEARTBEATS.name(), HeartbeatPing::getHeartbeatId, "test", Duration.ofSeconds(1));
    }

    private HttpResponse<String> post(String base, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer key")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
