package dev.incidentengine.incident.api;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.configdata.IntegrationKeys;
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
import dev.incidentengine.service.api.ApiError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceCatalogTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE = "https://alerts.example.com";
    private static final String KEY = "checkout-integration-key-do-not-show";

    private final Map<String, ServiceConfig> services = new HashMap<>();
    private final Map<String, ServiceCatalog.Integration> integrations = new HashMap<>();
    private final Map<String, EscalationPolicyConfig> policies = new HashMap<>();
    private final Map<String, ServiceCatalog.Channel> channels = new HashMap<>();
    private final Map<String, TeamConfig> teams = new HashMap<>();
    private final Map<List<String>, Long> open = new HashMap<>();

    @Test
    void aServiceShowsItsTeamPolicyIntegrationsWithTheirSendersUrlsChannelsAndOpenCounts() throws Exception {
        service("checkout", "payments", "payments-default");
        teams.put("payments", team("payments", null));
        policies.put("payments-default", new EscalationPolicyConfig("payments-default", "Payments default", List.of(
                new EscalationLevel(List.of(new LevelTarget(TargetType.SCHEDULE, "payments-primary")), 10, false),
                new EscalationLevel(List.of(new LevelTarget(TargetType.TEAM, "payments"), new LevelTarget(TargetType.USER, "alice")),
                        15, true)), 1, null, false));
        integration("am", IntegrationType.ALERTMANAGER, "checkout");
        integration("generic", IntegrationType.GENERIC, "checkout");
        integration("grafana", IntegrationType.GRAFANA, "checkout");
        integration("pd", IntegrationType.PAGERDUTY, "checkout");
        integration("elsewhere", IntegrationType.GENERIC, "search");
        channel("room", ChannelType.SLACK_WEBHOOK, "checkout");
        channel("everyone", ChannelType.EMAIL);
        channel("search-room", ChannelType.TEAMS, "search");
        open.put(List.of("TRIGGERED", "SEV1", "checkout"), 2L);
        open.put(List.of("ACKNOWLEDGED", "SEV1", "checkout"), 1L);
        open.put(List.of("TRIGGERED", "SEV3", "checkout"), 4L);
        open.put(List.of("TRIGGERED", "SEV3", "search"), 9L);

        JsonNode checkout = write("checkout");

        assertThat(checkout.get("name").asText()).isEqualTo("Checkout service");
        assertThat(checkout.get("team")).isEqualTo(JSON.readTree("{\"id\": \"payments\", \"name\": \"Team payments\"}"));
        assertThat(checkout.get("openIncidents").asLong()).isEqualTo(7);
        assertThat(checkout.get("openBySeverity")).isEqualTo(JSON.readTree("{\"SEV0\": 0, \"SEV1\": 3, \"SEV2\": 0, \"SEV3\": 4, \"SEV4\": 0}"));
        assertThat(checkout.get("openByStatus")).isEqualTo(JSON.readTree("{\"ACKNOWLEDGED\": 1, \"TRIGGERED\": 6}"));
        JsonNode policy = checkout.get("escalationPolicy");
        assertThat(policy.get("name").asText()).isEqualTo("Payments default");
        assertThat(policy.get("from").asText()).isEqualTo("service");
        assertThat(policy.get("repeat").asInt()).isEqualTo(1);
        assertThat(policy.get("levels").get(1)).isEqualTo(JSON.readTree("""
                {"delayMinutes": 15, "roundRobin": true, "targetCount": 2,
                 "targets": [{"type": "TEAM", "id": "payments"}, {"type": "USER", "id": "alice"}]}"""));
        Map<String, String> urls = new HashMap<>();
        checkout.get("integrations").forEach(integration -> urls.put(integration.get("id").asText(), integration.get("url").asText()));
        assertThat(urls).isEqualTo(Map.of("am", BASE + "/api/v1/alertmanager", "generic", BASE + "/api/v1/alerts",
                "grafana", BASE + "/api/v1/grafana", "pd", BASE + "/v2/enqueue"));
        assertThat(checkout.get("integrations").get(3).get("credential").asText()).contains("routing_key");
        assertThat(checkout.get("integrations").get(1).get("credential").asText()).contains("Authorization: Bearer <integration key>");
        assertThat(names(checkout.get("channels"))).containsExactly("everyone", "room");
        assertThat(checkout.get("channels").get(0)).isEqualTo(JSON.readTree("""
                {"id": "everyone", "name": "Channel everyone", "type": "EMAIL", "everyService": true}"""));
    }

    @Test
    void withoutAPolicyOfItsOwnAServiceShowsItsTeamsAndAnUnknownPolicyByItsIdAlone() throws Exception {
        service("search", "platform", null);
        teams.put("platform", team("platform", "platform-default"));
        service("billing", "nobody", "not-configured");
        service("lonely", null, null);

        assertThat(write("search").get("escalationPolicy").get("from").asText()).isEqualTo("team");
        assertThat(write("search").get("escalationPolicy").get("id").asText()).isEqualTo("platform-default");
        JsonNode unknown = write("billing").get("escalationPolicy");
        assertThat(unknown.get("id").asText()).isEqualTo("not-configured");
        assertThat(unknown.get("name").isNull()).isTrue();
        assertThat(unknown.get("levels")).isEmpty();
        assertThat(write("billing").get("team")).isEqualTo(JSON.readTree("{\"id\": \"nobody\", \"name\": null}"));
        assertThat(write("lonely").get("escalationPolicy").isNull()).isTrue();
        assertThat(write("lonely").get("team").isNull()).isTrue();
        assertThat(write("lonely").get("openIncidents").asLong()).isZero();
        assertThat(write("lonely").get("openBySeverity").get("SEV0").asLong()).isZero();
    }

    @Test
    void anIntegrationAllowedToNameAServiceIsListedThereToo() throws Exception {
        service("checkout", null, null);
        service("payments", null, null);
        integrations.put("shared", new ServiceCatalog.Integration("shared", "Shared", IntegrationType.ALERTMANAGER, "checkout",
                List.of("payments", "checkout")));

        assertThat(names(write("checkout").get("integrations"))).containsExactly("shared");
        assertThat(names(write("payments").get("integrations"))).containsExactly("shared");
        assertThat(write("payments").get("integrations").get(0).get("serviceId").asText()).isEqualTo("checkout");
    }

    @Test
    void longListsAreCappedAndCounted() throws Exception {
        service("checkout", null, "big");
        List<EscalationLevel> levels = new ArrayList<>();
        List<LevelTarget> targets = IntStream.range(0, 30).mapToObj(i -> new LevelTarget(TargetType.USER, "user-" + i)).toList();
        IntStream.range(0, 40).forEach(i -> levels.add(new EscalationLevel(targets, 1, false)));
        policies.put("big", new EscalationPolicyConfig("big", "Big", levels, 0, null, false));
        IntStream.range(0, 30).forEach(i -> integration(String.format("i%02d", i), IntegrationType.GENERIC, "checkout"));
        IntStream.range(0, 30).forEach(i -> channel(String.format("c%02d", i), ChannelType.WEBHOOK));

        JsonNode checkout = write("checkout");

        assertThat(checkout.get("integrationCount").asInt()).isEqualTo(30);
        assertThat(checkout.get("integrations")).hasSize(ServiceCatalog.MAX_LISTED);
        assertThat(checkout.get("channelCount").asInt()).isEqualTo(30);
        assertThat(checkout.get("channels")).hasSize(ServiceCatalog.MAX_LISTED);
        assertThat(checkout.get("escalationPolicy").get("levelCount").asInt()).isEqualTo(40);
        assertThat(checkout.get("escalationPolicy").get("levels")).hasSize(ServiceCatalog.MAX_LISTED);
        assertThat(checkout.get("escalationPolicy").get("levels").get(0).get("targetCount").asInt()).isEqualTo(30);
        assertThat(checkout.get("escalationPolicy").get("levels").get(0).get("targets")).hasSize(ServiceCatalog.MAX_LISTED);
    }

    @Test
    void servicesPageInTheOrderOfTheirIds() {
        List.of("c", "a", "e", "b", "d").forEach(id -> service(id, null, null));
        ServiceCatalog catalog = catalog();

        ServiceCatalog.Page first = catalog.page(null, 2);
        ServiceCatalog.Page second = catalog.page("b", 2);
        ServiceCatalog.Page last = catalog.page("d", 2);

        assertThat(first.services()).extracting(ServiceConfig::getId).containsExactly("a", "b");
        assertThat(first.more()).isTrue();
        assertThat(second.services()).extracting(ServiceConfig::getId).containsExactly("c", "d");
        assertThat(last.services()).extracting(ServiceConfig::getId).containsExactly("e");
        assertThat(last.more()).isFalse();
        assertThat(catalog.page("zzz", 2).services()).isEmpty();
        assertThat(catalog.size()).isEqualTo(5);
    }

    /** What the view keeps of integrations and channels holds no key hash, address or secret name: the answer cannot show one. */
    @Test
    void noSecretOfAnIntegrationOrChannelIsWritten() throws Exception {
        service("checkout", null, null);
        integrations.put("generic", ServiceCatalog.Integration.of(IntegrationConfig.newBuilder().setId("generic").setName("Generic")
                .setType(IntegrationType.GENERIC).setServiceId("checkout").setKeySha256(IntegrationKeys.sha256(KEY)).build()));
        List<ChannelConfig> secretive = List.of(
                channelConfig("slack", ChannelType.SLACK_WEBHOOK, "https://hooks.slack.com/services/T000/B000/XXXXSECRET", "SLACK_HOOK_SECRET"),
                channelConfig("mail", ChannelType.EMAIL, "stakeholders@example.com,cfo@example.com", null),
                channelConfig("hook", ChannelType.WEBHOOK, "https://user:password@hooks.example.com/in?token=abc123", "WEBHOOK_SIGNING"),
                channelConfig("pd", ChannelType.PAGERDUTY, null, "PAGERDUTY_ROUTING_KEY"),
                channelConfig("sms", ChannelType.SMS, "+4915100000001", "TWILIO_TOKEN"));
        secretive.forEach(config -> channels.put(config.getId(), ServiceCatalog.Channel.of(config)));

        String answer = write("checkout").toString();

        assertThat(names(JSON.readTree(answer).get("channels"))).containsExactly("hook", "mail", "pd", "slack", "sms");
        assertThat(answer).doesNotContain(KEY, IntegrationKeys.sha256(KEY), "XXXXSECRET", "hooks.slack.com", "stakeholders@", "cfo@",
                "password", "abc123", "hooks.example.com", "+49151", "_SECRET", "WEBHOOK_SIGNING", "ROUTING_KEY", "TWILIO");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "limit=0 | limit",
            "limit=201 | limit",
            "limit=ten | limit",
            "cursor=!!! | cursor",
            "cursor= | cursor",
            "service=checkout | service",
    })
    void badServicesPagesAreRefusedNamingTheParameter(String parameter, String field) {
        String[] pair = parameter.split("=", 2);
        assertThatThrownBy(() -> ApiRequests.servicesPage(Map.of(pair[0], List.of(pair[1]))))
                .isInstanceOfSatisfying(ApiError.class, error -> {
                    assertThat(error.status()).isEqualTo(400);
                    assertThat(error.field()).isEqualTo(field);
                });
    }

    @Test
    void aServicesCursorIsTheLastIdOfThePageBefore() {
        String cursor = ApiRequests.serviceCursor("checkout/eu ✓");

        assertThat(ApiRequests.servicesPage(Map.of("cursor", List.of(cursor), "limit", List.of("200"))))
                .isEqualTo(new ApiRequests.ServicesPage("checkout/eu ✓", 200));
        assertThat(ApiRequests.servicesPage(Map.of())).isEqualTo(new ApiRequests.ServicesPage(null, ServiceCatalog.DEFAULT_LIMIT));
        assertThatThrownBy(() -> ApiRequests.servicesPage(Map.of("cursor", List.of("a".repeat(2_000)))))
                .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.field()).isEqualTo("cursor"));
        assertThatThrownBy(() -> ApiRequests.noParameters(Map.of("limit", List.of("1"))))
                .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.field()).isEqualTo("limit"));
    }

    private void service(String id, String teamId, String policyId) {
        services.put(id, ServiceConfig.newBuilder().setId(id).setName(capitalized(id) + " service")
                .setTeamId(teamId).setEscalationPolicyId(policyId).build());
    }

    private static String capitalized(String id) {
        return Character.toUpperCase(id.charAt(0)) + id.substring(1);
    }

    private static TeamConfig team(String id, String policyId) {
        return TeamConfig.newBuilder().setId(id).setName("Team " + id).setMembers(List.of("alice")).setEscalationPolicyId(policyId).build();
    }

    private void integration(String id, IntegrationType type, String serviceId) {
        integrations.put(id, new ServiceCatalog.Integration(id, "Integration " + id, type, serviceId, List.of()));
    }

    private void channel(String id, ChannelType type, String... services) {
        channels.put(id, new ServiceCatalog.Channel(id, "Channel " + id, type, List.of(services)));
    }

    private static ChannelConfig channelConfig(String id, ChannelType type, String address, String secret) {
        return ChannelConfig.newBuilder().setId(id).setName(id).setType(type).setAddress(address).setSecret(secret).build();
    }

    private ServiceCatalog catalog() {
        return new ServiceCatalog(new ServiceCatalog.Config(services, integrations, policies, channels, teams), open, BASE);
    }

    private JsonNode write(String id) throws Exception {
        ServiceCatalog catalog = catalog();
        StringWriter text = new StringWriter();
        try (JsonGenerator out = JSON.getFactory().createGenerator(text)) {
            catalog.write(catalog.service(id), out);
        }
        return JSON.readTree(text.toString());
    }

    private static List<String> names(JsonNode items) {
        List<String> ids = new ArrayList<>();
        items.forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }
}
