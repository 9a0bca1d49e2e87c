package dev.incidentengine.ingest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import dev.incidentengine.configdata.IntegrationKeys;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.HeartbeatSettings;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.service.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ping endpoint's refusals, none of which writes anything: its writer is not started, so a ping that passes every
 * check is the 503 a Kafka outage gives (the 202 is {@code HeartbeatIT}'s, on a real broker).
 */
class HeartbeatEndpointTest {

    private final HttpClient client = HttpClient.newHttpClient();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private HttpServer http;
    private String base;

    @BeforeEach
    void start() {
        IntegrationConfig prom = IntegrationConfig.newBuilder(MapIntegrations.integration("prom", "monitoring", "prom-key"))
                .setHeartbeat(HeartbeatSettings.newBuilder().setIntervalSeconds(60).setGraceSeconds(0).setAlertname("Watchdog")
                        .setSeverity(Severity.SEV2).setSummary(null).build())
                .build();
        MapIntegrations integrations = new MapIntegrations(List.of(prom, MapIntegrations.integration("plain", "shop", "plain-key"),
                MapIntegrations.integration("other", "shop", "other-key")));
        AlertIngestConfig config = new AlertIngestConfig(Map.of(AlertIngestConfig.MAX_BODY_BYTES_CONFIG, "1024"));
        http = new HttpServer("127.0.0.1", 0);
        // One ping a second per integration, none in reserve: the second ping at once is over it.
        new HeartbeatEndpoint(integrations, IngestEndpointsTest.unstartedPings(RecordSerdes.singleObject()),
                new RateLimiter(1, 1, () -> 0L), config, metrics, Clock.systemUTC()).register(http);
        http.start();
        base = "http://127.0.0.1:" + http.address().getPort();
    }

    @AfterEach
    void stop() {
        http.close();
    }

    private HttpResponse<String> send(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest(name = "{0} {1} with [{2}] -> {3}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
            "GET  | /api/v1/heartbeats/prom                | none                  | 401 | credentials are missing",
            "POST | /api/v1/heartbeats/prom                | Bearer nope           | 403 | not the key of integration 'prom'",
            "GET  | /api/v1/heartbeats/prom                | Bearer other-key      | 403 | not the key of integration 'prom'",
            "GET  | /api/v1/heartbeats/ghost?key=prom-key  | none                  | 403 | not the key of integration 'ghost'",
            "GET  | /api/v1/heartbeats/plain               | Bearer plain-key      | 404 | has no heartbeat configured",
            "GET  | /api/v1/heartbeats/prom/extra          | Bearer prom-key       | 400 | must be an integration id",
            "GET  | /api/v1/heartbeats/-prom               | Bearer prom-key       | 400 | must be an integration id",
            "GET  | /api/v1/heartbeats/p%20rom             | Bearer prom-key       | 400 | must be an integration id",
            "PUT  | /api/v1/heartbeats/prom                | Bearer prom-key       | 405 | method not allowed",
            "GET  | /api/v1/heartbeats/prom                | Basic OnByb20ta2V5    | 503 | could not be stored in Kafka",
            "POST | /api/v1/heartbeats/prom?key=prom-key   | none                  | 503 | could not be stored in Kafka"})
    void refusesWhatIsNotAPingOfThisIntegrationsHeartbeat(String method, String path, String authorization, int status,
                                                          String message) throws Exception {
        HttpResponse<String> response = send(method, path, authorization, null);

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.body()).contains(message);
    }

    @Test
    void anIdOver128CharactersIsRefused() throws Exception {
        HttpResponse<String> response = send("GET", "/api/v1/heartbeats/" + "a".repeat(129), "Bearer prom-key", null);

        assertThat(response.statusCode()).isEqualTo(400);
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        HttpResponse<String> response = send("POST", "/api/v1/heartbeats/prom", "Bearer prom-key", "x".repeat(2048));

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(metrics.counter("ingest_heartbeat_requests_total", "outcome", "too_large").count()).isEqualTo(1);
    }

    @Test
    void pingsOverTheIntegrationsRateAre429WithRetryAfter() throws Exception {
        assertThat(send("GET", "/api/v1/heartbeats/prom", "Bearer prom-key", null).statusCode()).isEqualTo(503);

        HttpResponse<String> second = send("GET", "/api/v1/heartbeats/prom", "Bearer prom-key", null);

        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(second.headers().firstValue("Retry-After")).isPresent();
    }

    @Test
    void whileIntegrationsLoadAPingGets503WithRetryAfter() throws Exception {
        http.close();
        http = new HttpServer("127.0.0.1", 0);
        new HeartbeatEndpoint(new Integrations() {
            @Override
            public java.util.Optional<IntegrationConfig> byKey(String key) {
                return java.util.Optional.empty();
            }

            @Override
            public java.util.Optional<IntegrationConfig> byId(String id) {
                return java.util.Optional.empty();
            }

            @Override
            public boolean ready() {
                return false;
            }
        }, IngestEndpointsTest.unstartedPings(RecordSerdes.singleObject()), new RateLimiter(0, 1, System::nanoTime),
                new AlertIngestConfig(Map.of()), metrics, Clock.systemUTC()).register(http);
        http.start();
        base = "http://127.0.0.1:" + http.address().getPort();

        HttpResponse<String> response = send("GET", "/api/v1/heartbeats/prom", "Bearer prom-key", null);

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).contains("5");
    }
}
