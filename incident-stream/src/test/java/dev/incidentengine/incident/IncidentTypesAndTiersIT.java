package dev.incidentengine.incident;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.ResponseTarget;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TierConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.Samples;
import dev.incidentengine.testkit.WithKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static dev.incidentengine.incident.IncidentApiIT.RESPONDER;
import static dev.incidentengine.incident.IncidentApiIT.VIEWER;
import static dev.incidentengine.incident.IncidentApiIT.assertError;
import static dev.incidentengine.incident.IncidentApiIT.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Through a real broker: an incident of a tiered service opens with the route's type and its tier's targets, a responder
 * changes its type with PUT (answered once the aggregate decided), and the report is narrowed by type and tier.
 */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IncidentTypesAndTiersIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final KafkaTestCluster kafka;
    private IncidentTopics topics;
    private ServiceRunner runner;
    private IncidentApiIT.Api api;

    @TempDir
    static Path dir;

    IncidentTypesAndTiersIT(KafkaTestCluster kafka) {
        this.kafka = kafka;
    }

    @BeforeAll
    void start() throws Exception {
        topics = IncidentTestTopics.create(kafka);
        kafka.produce(topics.tiers(), List.of(Map.entry("core-api", TierConfig.newBuilder().setId("core-api").setName("Core API")
                .setTargets(Map.of("SEV2", new ResponseTarget(10, 120))).build())));
        kafka.produce(topics.services(), List.of(Map.entry("checkout", ServiceConfig.newBuilder().setId("checkout").setName("Checkout")
                .setTier("core-api").build())));
        runner = new ServiceRunner("127.0.0.1", 0, List.of(new IncidentStreamService(IncidentApiIT.config(kafka, topics, dir, "types"),
                topics))).start();
        api = new IncidentApiIT.Api("http://127.0.0.1:" + runner.httpAddress().getPort());
        await("incident-stream ready").atMost(Duration.ofSeconds(60)).until(runner::ready);
    }

    @AfterAll
    void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    @Test
    void anIncidentOpensWithTheRoutesTypeAndItsTiersTargets_aResponderChangesItsType_andReportsFilterByBoth() throws Exception {
        JsonNode types = json(api.get("/api/v1/incident-types", VIEWER));
        assertThat(types.get("incidentTypes").findValuesAsText("id")).as("the defaults: none configured").hasSize(7)
                .contains("service-outage", "deployment-related");

        JsonNode incident = openInTier();
        String id = incident.get("incidentId").asText();
        assertThat(incident.get("incidentType").asText()).isEqualTo("service-outage");
        assertThat(incident.get("responseTargets").toString())
                .isEqualTo("{\"acknowledgeSeconds\":600,\"resolveSeconds\":7200,\"fromTier\":true}");

        HttpResponse<String> set = put("/api/v1/incidents/" + id + "/type", RESPONDER, "{\"incidentType\": \"deployment-related\"}");
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(json(set).get("outcome").asText()).isEqualTo("APPLIED");
        assertThat(json(set).get("events").get(0).get("payload").toString()).contains("\"type\":\"IncidentTypeChanged\"",
                "\"from\":\"service-outage\"", "\"to\":\"deployment-related\"");
        assertThat(json(set).get("incident").get("incidentType").asText()).isEqualTo("deployment-related");
        HttpResponse<String> again = put("/api/v1/incidents/" + id + "/type", RESPONDER, "{\"incidentType\": \"deployment-related\"}");
        assertThat(json(again).get("outcome").asText()).isEqualTo("UNCHANGED");

        assertError(put("/api/v1/incidents/" + id + "/type", RESPONDER, "{\"incidentType\": \"alien-invasion\"}"), 400, "incidentType");
        assertError(put("/api/v1/incidents/" + id + "/type", RESPONDER, "{}"), 400, "incidentType");
        assertError(put("/api/v1/incidents/" + id + "/type", VIEWER, "{\"incidentType\": \"service-outage\"}"), 403, null);
        assertError(put("/api/v1/incidents/" + id + "/severity", RESPONDER, "{\"severity\": \"SEV1\"}"), 404, null);
        assertError(api.post("/api/v1/incidents/" + id + "/type", RESPONDER, "{\"incidentType\": \"service-outage\"}"), 404, null);
        assertError(put("/api/v1/incidents/INC-nope/type", RESPONDER, "{\"incidentType\": \"service-outage\"}"), 404, null);
        assertThat(json(api.get("/api/v1/incidents/" + id, VIEWER)).get("incidentType").asText()).isEqualTo("deployment-related");

        String report = "/api/v1/reports?service=checkout";
        await("the type change in the report").atMost(Duration.ofSeconds(30)).until(() -> json(api.get(report
                + "&type=deployment-related&tier=core-api", VIEWER)).get("totals").get("incidents").asInt() == 1);
        assertThat(json(api.get(report + "&type=service-outage", VIEWER)).get("totals").get("incidents").asInt()).isZero();
        assertThat(json(api.get(report + "&tier=core-api", VIEWER)).get("byType").findValuesAsText("group"))
                .containsExactly("deployment-related");
        assertError(api.get(report + "&type=", VIEWER), 400, "type");
    }

    /**
     * Opens incidents of checkout as correlation does for a route of type service-outage, until one opens in tier core-api: the
     * aggregate reads the tier and the service from global stores, which may be a moment behind the broker when it starts.
     */
    private JsonNode openInTier() {
        return await("an incident opened in tier core-api").atMost(Duration.ofSeconds(60)).until(() -> {
            String id = "INC-" + UUID.randomUUID().toString().substring(0, 8);
            Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            kafka.produce(topics.commands(), List.of(Map.entry(id, IncidentCommand.newBuilder().setCommandId("open-" + id)
                    .setIncidentId(id).setActor(new Actor(ActorType.INTEGRATION, "demo-alertmanager", null)).setTimestamp(at)
                    .setPayload(new AttachAlert(Samples.alert("fp-" + id).setService("checkout").setSeverity(Severity.SEV2)
                            .setStartsAt(at).setReceivedAt(at).build(), "checkout|HighErrorRate", null, true, "service-outage"))
                    .build())));
            return json(await("incident " + id).atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/v1/incidents/" + id, VIEWER),
                    response -> response.statusCode() == 200));
        }, incident -> incident.path("tier").asText("").equals("core-api"));
    }

    private HttpResponse<String> put(String path, String token, String body) throws Exception {
        URI uri = URI.create(api.base() + path);
        return HTTP.send(HttpRequest.newBuilder(uri).PUT(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type",
                "application/json").header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
