package dev.incidentengine.incident;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.configdata.IntegrationKeys;
import dev.incidentengine.incident.IncidentApiIT.Api;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.ChannelType;
import dev.incidentengine.model.config.EscalationLevel;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.model.config.IntegrationType;
import dev.incidentengine.model.config.LevelTarget;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.WithKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static dev.incidentengine.incident.IncidentApiIT.assertError;
import static dev.incidentengine.incident.IncidentApiIT.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The services API on a real broker: the configuration as the config topics hold it, the open
 * counts as incidents open, roles, bad input, and no secret of the configuration in any answer.
 */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IncidentServicesApiIT {

    private static final String VIEWER = "vera-viewer-token";
    private static final String RESPONDER = "rob-responder-token";
    private static final String ADMIN = "ada-admin-token";
    private static final String FEED = "vera-feed-token";
    private static final String KEY = "checkout-integration-key-never-shown";
    private static final String HOOK = "https://hooks.example.com/in/T0KEN-IN-PATH?sig=abc123";
    private static final String MAILS = "stakeholders@example.com,cfo@example.com";
    private static final String SECRET_NAME = "PAYMENTS_ROOM_SIGNING_SECRET";

    private final KafkaTestCluster kafka;
    private IncidentTopics topics;
    private ServiceRunner runner;
    private Api api;

    @TempDir
    static Path dir;

    IncidentServicesApiIT(KafkaTestCluster kafka) {
        this.kafka = kafka;
    }

    @BeforeAll
    void start() throws Exception {
        topics = IncidentTestTopics.create(kafka);
        kafka.produce(topics.services(), List.of(
                Map.entry("checkout", ServiceConfig.newBuilder().setId("checkout").setName("Checkout").setDescription("The shop's checkout")
                        .setTeamId("payments").build()),
                Map.entry("search", ServiceConfig.newBuilder().setId("search").setName("Search").setEscalationPolicyId("platform-default")
                        .build()),
                Map.entry("retired", ServiceConfig.newBuilder().setId("retired").setName("Retired").build())));
        kafka.produce(topics.services(), List.of(new AbstractMap.SimpleEntry<String, ServiceConfig>("retired", null)));
        kafka.produce(topics.teams(), List.of(Map.entry("payments", TeamConfig.newBuilder().setId("payments").setName("Payments team")
                .setEscalationPolicyId("payments-default").build())));
        kafka.produce(topics.escalationPolicies(), List.of(Map.entry("payments-default", new EscalationPolicyConfig("payments-default",
                "Payments default", List.of(new EscalationLevel(List.of(new LevelTarget(TargetType.SCHEDULE, "payments-primary")), 10, false)),
                1, null, false))));
        kafka.produce(topics.integrations(), List.of(
                Map.entry("checkout-am", integration("checkout-am", IntegrationType.ALERTMANAGER, "checkout")),
                Map.entry("checkout-pd", integration("checkout-pd", IntegrationType.PAGERDUTY, "checkout"))));
        kafka.produce(topics.channels(), List.of(
                Map.entry("payments-room", ChannelConfig.newBuilder().setId("payments-room").setName("Payments room").setType(ChannelType.WEBHOOK)
                        .setAddress(HOOK).setSecret(SECRET_NAME).setServices(List.of("checkout")).build()),
                Map.entry("stakeholders", ChannelConfig.newBuilder().setId("stakeholders").setName("Stakeholders").setType(ChannelType.EMAIL)
                        .setAddress(MAILS).build())));
        Path tokens = dir.resolve("services-tokens.yaml");
        Files.writeString(tokens, """
                tokens:
                  - {user: vera, role: viewer, token: %s}
                  - {user: rob, role: responder, token: %s}
                  - {user: ada, role: admin, token: %s}
                  - {user: vera, role: feed, token: %s}
                """.formatted(VIEWER, RESPONDER, ADMIN, FEED));
        runner = new ServiceRunner("127.0.0.1", 0, List.of(new IncidentStreamService(IncidentApiIT.config(kafka, topics, dir, "services",
                Map.of(IncidentStreamConfig.API_TOKENS_FILE_CONFIG, tokens.toString(),
                        IncidentStreamConfig.API_RECEIVERS_BASE_URL_CONFIG, "https://alerts.example.com/")), topics))).start();
        api = new Api("http://127.0.0.1:" + runner.httpAddress().getPort());
        await("incident-stream ready").atMost(Duration.ofSeconds(60)).until(runner::ready);
    }

    @AfterAll
    void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    @Test
    void eachServiceShowsItsConfigurationWithItsSendersUrls_andItsOpenIncidentsAsTheyOpen() throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        IncidentApiIT.open(kafka, topics, "INC-20261205-1-0001", "checkout", Severity.SEV1, now);
        IncidentApiIT.open(kafka, topics, "INC-20261205-2-0002", "checkout", Severity.SEV3, now);
        IncidentApiIT.open(kafka, topics, "INC-20261205-3-0003", "search", Severity.SEV3, now);

        JsonNode list = await("the open counts").atMost(Duration.ofSeconds(60)).until(() -> json(api.get("/api/v1/services", VIEWER)),
                answer -> answer.get("services").get(0).get("openIncidents").asLong() == 2
                        && answer.get("services").get(1).get("openIncidents").asLong() == 1);

        assertThat(list.get("total").asInt()).as("the tombstoned service is gone").isEqualTo(2);
        assertThat(list.get("nextCursor").isNull()).isTrue();
        assertThat(list.get("receiverBaseUrl").asText()).isEqualTo("https://alerts.example.com");
        assertThat(list.get("receiverBaseUrlFrom").asText()).isEqualTo("config");
        JsonNode checkout = list.get("services").get(0);
        assertThat(checkout.get("id").asText()).isEqualTo("checkout");
        assertThat(checkout.get("description").asText()).isEqualTo("The shop's checkout");
        assertThat(checkout.get("team").get("name").asText()).isEqualTo("Payments team");
        assertThat(checkout.get("openBySeverity").get("SEV1").asLong()).isEqualTo(1);
        assertThat(checkout.get("openBySeverity").get("SEV3").asLong()).isEqualTo(1);
        assertThat(checkout.get("openByStatus").get("TRIGGERED").asLong()).isEqualTo(2);
        assertThat(checkout.get("escalationPolicy").get("id").asText()).isEqualTo("payments-default");
        assertThat(checkout.get("escalationPolicy").get("from").asText()).isEqualTo("team");
        assertThat(checkout.get("escalationPolicy").get("levels").get(0).get("targets").get(0).get("id").asText()).isEqualTo("payments-primary");
        assertThat(checkout.get("integrations").get(0).get("url").asText()).isEqualTo("https://alerts.example.com/api/v1/alertmanager");
        assertThat(checkout.get("integrations").get(1).get("url").asText()).isEqualTo("https://alerts.example.com/v2/enqueue");
        assertThat(ids(checkout.get("channels"))).containsExactly("payments-room", "stakeholders");
        JsonNode search = list.get("services").get(1);
        assertThat(search.get("escalationPolicy").get("name").isNull()).as("a policy the config does not hold").isTrue();
        assertThat(search.get("integrations")).isEmpty();
        assertThat(ids(search.get("channels"))).containsExactly("stakeholders");

        JsonNode one = json(api.get("/api/v1/services/checkout", VIEWER));
        assertThat(one).isEqualTo(checkout);

        // Paged by id: the first page's cursor leads to the second.
        JsonNode first = json(api.get("/api/v1/services?limit=1", VIEWER));
        assertThat(ids(first.get("services"))).containsExactly("checkout");
        JsonNode second = json(api.get("/api/v1/services?limit=1&cursor=" + first.get("nextCursor").asText(), VIEWER));
        assertThat(ids(second.get("services"))).containsExactly("search");
        assertThat(second.get("nextCursor").isNull()).isTrue();
    }

    @Test
    void noAnswerHoldsAKeyAnAddressOrASecret() throws Exception {
        await("the config read").atMost(Duration.ofSeconds(60))
                .until(() -> api.get("/api/v1/services/checkout", VIEWER).body().contains("payments-room"));
        for (String token : List.of(VIEWER, RESPONDER, ADMIN)) {
            for (String path : List.of("/api/v1/services", "/api/v1/services/checkout", "/api/v1/services/search")) {
                HttpResponse<String> answer = api.get(path, token);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                assertThat(answer.body()).as(path).doesNotContain(KEY, IntegrationKeys.sha256(KEY), "hooks.example.com", "T0KEN", "abc123",
                        "stakeholders@", "cfo@", SECRET_NAME, "keySha256", "address", "secret");
            }
        }
    }

    @Test
    void credentialsRolesAndBadRequestsAreRefused() throws Exception {
        for (String path : List.of("/api/v1/services", "/api/v1/services/checkout")) {
            assertError(api.get(path, null), 401, null);
            assertError(api.get(path, "not-a-token"), 403, null);
            assertError(api.get(path, FEED), 403, null);
        }
        assertError(api.get("/api/v1/services?limit=0", VIEWER), 400, "limit");
        assertError(api.get("/api/v1/services?limit=201", VIEWER), 400, "limit");
        assertError(api.get("/api/v1/services?limit=all", VIEWER), 400, "limit");
        assertError(api.get("/api/v1/services?limit=1&limit=2", VIEWER), 400, "limit");
        assertError(api.get("/api/v1/services?cursor=***", VIEWER), 400, "cursor");
        assertError(api.get("/api/v1/services?service=checkout", VIEWER), 400, "service");
        assertError(api.get("/api/v1/services/checkout?limit=1", VIEWER), 400, "limit");
        assertError(api.get("/api/v1/services/no-such-service", VIEWER), 404, null);
        assertError(api.get("/api/v1/services/checkout/integrations", VIEWER), 404, null);
        assertError(api.get("/api/v1/services/", VIEWER), 404, null);
        assertThat(api.post("/api/v1/services", ADMIN, "{}").statusCode()).as("no writes here").isEqualTo(405);
        assertThat(api.delete("/api/v1/services/checkout", ADMIN).statusCode()).isEqualTo(405);
        assertThat(api.get("/api/v1/services/checkout", VIEWER).statusCode()).as("nothing refused changed anything").isEqualTo(200);
    }

    private static IntegrationConfig integration(String id, IntegrationType type, String serviceId) {
        return IntegrationConfig.newBuilder().setId(id).setName(id).setType(type).setServiceId(serviceId)
                .setKeySha256(IntegrationKeys.sha256(KEY)).build();
    }

    private static List<String> ids(JsonNode items) {
        List<String> ids = new ArrayList<>();
        items.forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }
}
