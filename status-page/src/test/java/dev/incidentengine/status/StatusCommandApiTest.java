package dev.incidentengine.status;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.OverrideComponentStatus;
import dev.incidentengine.model.PostMaintenanceUpdate;
import dev.incidentengine.model.StatusPageCommand;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.api.ApiTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The status page's commands API on a real local HTTP server: what it writes, and the bad-input matrix (nothing written). */
class StatusCommandApiTest {

    private static final String RESPONDER = "responder-token";
    private static final String VIEWER = "viewer-token";
    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private HttpServer http;
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<StatusPageCommand> written = new CopyOnWriteArrayList<>();
    private volatile boolean kafkaDown;
    private String base;

    @BeforeEach
    void setUp() throws Exception {
        Path tokens = dir.resolve("tokens.yaml");
        Files.writeString(tokens, "tokens:\n  - {user: rita, role: responder, token: " + RESPONDER + "}\n"
                + "  - {user: victor, role: viewer, token: " + VIEWER + "}\n");
        http = new HttpServer("127.0.0.1", 0);
        new StatusCommandApi(ApiTokens.load(tokens.toString(), Map.of()), "public", new StatusCommandApi.Source() {
            @Override
            public boolean componentExists(String componentId) {
                return componentId.equals("api");
            }

            @Override
            public boolean maintenanceExists(String maintenanceId) {
                return maintenanceId.equals("upgrade") || maintenanceId.startsWith("weekly@");
            }

            @Override
            public CompletableFuture<?> write(StatusPageCommand command) {
                if (kafkaDown) {
                    return CompletableFuture.failedFuture(new IllegalStateException("broker unreachable"));
                }
                written.add(command);
                return CompletableFuture.completedFuture(null);
            }
        }, Clock.fixed(NOW, ZoneOffset.UTC)).register(http);
        http.start();
        base = "http://127.0.0.1:" + http.address().getPort();
    }

    @AfterEach
    void tearDown() {
        http.close();
    }

    @Test
    void override_setAndCleared_answered202WithTheCommandId() throws Exception {
        HttpResponse<String> set = send("PUT", "/api/v1/status-page/components/api/override", RESPONDER,
                "{\"status\": \"major_outage\", \"reason\": \"  confirmed by support  \"}", "idem-1");
        assertThat(set.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(set.body()).path("commandId").asText()).isEqualTo("idem-1");
        HttpResponse<String> cleared = send("DELETE", "/api/v1/status-page/components/api/override", RESPONDER, null, null);
        assertThat(cleared.statusCode()).isEqualTo(202);
        assertThat(written).hasSize(2);
        StatusPageCommand first = written.get(0);
        assertThat(first.getCommandId()).isEqualTo("idem-1");
        assertThat(first.getPageId()).isEqualTo("public");
        assertThat(first.getActor().getType()).isEqualTo(ActorType.USER);
        assertThat(first.getActor().getId()).isEqualTo("rita");
        assertThat(first.getTimestamp()).isEqualTo(NOW);
        assertThat(first.getPayload()).isEqualTo(new OverrideComponentStatus("api", ComponentStatus.MAJOR_OUTAGE, "confirmed by support"));
        assertThat(written.get(1).getPayload()).isEqualTo(new OverrideComponentStatus("api", null, null));
        assertThat(written.get(1).getCommandId()).isEqualTo(JSON.readTree(cleared.body()).path("commandId").asText()).startsWith("spc-");
    }

    @Test
    void maintenanceUpdate_answered202() throws Exception {
        HttpResponse<String> response = send("POST", "/api/v1/status-page/maintenances/weekly@2026-12-08/updates", RESPONDER,
                "{\"status\": \"verifying\", \"message\": \"Checking <b>replicas</b>\"}", null);
        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(written).singleElement().satisfies(command -> assertThat(command.getPayload())
                .isEqualTo(new PostMaintenanceUpdate("weekly@2026-12-08", MaintenanceStatus.VERIFYING, "Checking <b>replicas</b>")));
    }

    @Test
    void kafkaDown_503_sayingRetryWithTheKey() throws Exception {
        kafkaDown = true;
        HttpResponse<String> response = send("PUT", "/api/v1/status-page/components/api/override", RESPONDER, "{\"status\": \"operational\"}",
                "k-1");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(response.body()).path("error").asText()).contains("k-1");
    }

    @Test
    void badInput_clear4xx_nothingWritten() throws Exception {
        String override = "/api/v1/status-page/components/api/override";
        String updates = "/api/v1/status-page/maintenances/upgrade/updates";
        Object[][] cases = {
                // method, path, token, body, idempotency key, status, field (null: none named)
                {"PUT", override, null, "{\"status\": \"major_outage\"}", null, 401, null},
                {"PUT", override, "wrong-token", "{\"status\": \"major_outage\"}", null, 403, null},
                {"PUT", override, VIEWER, "{\"status\": \"major_outage\"}", null, 403, null},
                {"DELETE", override, VIEWER, null, null, 403, null},
                {"POST", updates, VIEWER, "{\"status\": \"verifying\", \"message\": \"m\"}", null, 403, null},
                {"PUT", override, RESPONDER, "{\"status\": \"MAJOR OUTAGE\"}", null, 400, "status"},
                {"PUT", override, RESPONDER, "{\"status\": \"down\"}", null, 400, "status"},
                {"PUT", override, RESPONDER, "{\"status\": \"MAJOR_OUTAGE\"}", null, 400, "status"},
                {"PUT", override, RESPONDER, "{\"status\": 3}", null, 400, "status"},
                {"PUT", override, RESPONDER, "{}", null, 400, "status"},
                {"PUT", override, RESPONDER, "{\"status\": \"\"}", null, 400, "status"},
                {"PUT", override, RESPONDER, "{\"status\": null}", null, 400, "status"},
                {"PUT", override, RESPONDER, "{\"status\": \"major_outage\", \"reason\": \"" + "r".repeat(501) + "\"}", null, 400, "reason"},
                {"PUT", override, RESPONDER, "{\"status\": \"major_outage\", \"color\": \"red\"}", null, 400, "color"},
                {"PUT", override, RESPONDER, "{\"status\": \"major_outage\", \"status\": \"operational\"}", null, 400, "body"},
                {"PUT", override, RESPONDER, "not json", null, 400, "body"},
                {"PUT", override, RESPONDER, "[\"major_outage\"]", null, 400, "body"},
                {"PUT", override, RESPONDER, "", null, 400, "body"},
                {"PUT", override, RESPONDER, "{\"status\": \"major_outage\", \"reason\": \"" + "x".repeat(17_000) + "\"}", null, 413, null},
                {"PUT", override, RESPONDER, "{\"status\": \"major_outage\"}", "bad key!", 400, "Idempotency-Key"},
                {"PUT", "/api/v1/status-page/components/nope/override", RESPONDER, "{\"status\": \"major_outage\"}", null, 404, null},
                {"DELETE", "/api/v1/status-page/components/nope/override", RESPONDER, null, null, 404, null},
                {"PUT", "/api/v1/status-page/components/api", RESPONDER, "{\"status\": \"major_outage\"}", null, 404, null},
                {"PUT", "/api/v1/status-page/components/api/override/x", RESPONDER, "{\"status\": \"major_outage\"}", null, 404, null},
                {"PUT", "/api/v1/status-page/components/%3Cscript%3E/override", RESPONDER, "{\"status\": \"major_outage\"}", null, 400, "id"},
                {"POST", updates, RESPONDER, "{\"status\": \"verifying\"}", null, 400, "message"},
                {"POST", updates, RESPONDER, "{\"message\": \"m\"}", null, 400, "status"},
                {"POST", updates, RESPONDER, "{\"status\": \"resolved\", \"message\": \"m\"}", null, 400, "status"},
                {"POST", updates, RESPONDER, "{\"status\": \"verifying\", \"message\": \"   \"}", null, 400, "message"},
                {"POST", updates, RESPONDER, "{\"status\": \"verifying\", \"message\": \"" + "m".repeat(5_001) + "\"}", null, 400, "message"},
                {"POST", "/api/v1/status-page/maintenances/other/updates", RESPONDER, "{\"status\": \"verifying\", \"message\": \"m\"}", null,
                        404, null},
                {"POST", "/api/v1/status-page/maintenances/upgrade/notes", RESPONDER, "{\"status\": \"verifying\", \"message\": \"m\"}", null,
                        404, null},
        };
        for (Object[] each : cases) {
            HttpResponse<String> response = send((String) each[0], (String) each[1], (String) each[2], (String) each[3], (String) each[4]);
            String what = each[0] + " " + each[1] + " " + abbreviate((String) each[3]);
            assertThat(response.statusCode()).as(what + ": " + response.body()).isEqualTo(each[5]);
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.path("error").asText()).as(what).isNotBlank();
            if (each[6] != null) {
                assertThat(body.path("field").asText()).as(what + ": " + response.body()).isEqualTo(each[6]);
            }
        }
        assertThat(written).as("nothing written").isEmpty();
    }

    private static String abbreviate(String text) {
        return text == null ? "" : text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }

    private HttpResponse<String> send(String method, String path, String token, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
