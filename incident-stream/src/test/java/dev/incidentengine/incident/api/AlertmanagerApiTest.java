package dev.incidentengine.incident.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.Link;
import dev.incidentengine.model.SuppressedAlert;
import dev.incidentengine.model.SuppressionReason;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import dev.incidentengine.testkit.OpenApiContract;
import dev.incidentengine.testkit.Samples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Alertmanager API's shapes against Alertmanager 0.25's OpenAPI document, and its bad-input matrix. */
class AlertmanagerApiTest {

    private static final OpenApiContract CONTRACT = OpenApiContract.load(OpenApiContract.ALERTMANAGER_0_25);
    private static final Instant NOW = Instant.parse("2026-11-22T09:00:00Z");
    private static final ApiUser ALICE = new ApiUser("alice", Role.RESPONDER);

    @Test
    void theContractCheckFails_onAnAnswerThatDoesNotFit() {
        ObjectNode silence = AlertmanagerApi.silence(silence("s1", NOW.minusSeconds(60), NOW.plusSeconds(60)), NOW);
        silence.remove("id");
        silence.with("status").put("state", "sleeping");
        silence.withArray("matchers").addObject().put("name", "x");

        assertThat(CONTRACT.violations("gettableSilence", silence)).containsExactlyInAnyOrder("$.id is required",
                "$.status.state must be one of [expired, active, pending], is sleeping", "$.matchers[2].value is required",
                "$.matchers[2].isRegex is required");
        assertThat(CONTRACT.violations("get", "/silence/{silenceID}", 201, silence)).singleElement().asString()
                .contains("answered 201");
    }

    @Test
    void silences_fitTheDocument_activePendingExpiredAndConfiguredWithoutEnd() {
        List<SilenceConfig> silences = List.of(silence("active", NOW.minusSeconds(60), NOW.plusSeconds(60)),
                silence("pending", NOW.plusSeconds(60), NOW.plusSeconds(120)),
                silence("expired", NOW.minusSeconds(120), NOW.minusSeconds(60)),
                silence("config", null, null));

        ArrayNode listed = AlertmanagerApi.silences(List.of(), silences, NOW);

        assertThat(CONTRACT.violations("get", "/silences", 200, listed)).isEmpty();
        assertThat(listed).extracting(silence -> silence.get("id").asText() + ":" + silence.get("status").get("state").asText())
                .containsExactly("active:active", "config:active", "pending:pending", "expired:expired");
        JsonNode matchers = listed.get(0).get("matchers");
        assertThat(matchers.get(0).toString()).isEqualTo("{\"name\":\"alertname\",\"value\":\"Disk.*\",\"isRegex\":true,\"isEqual\":true}");
        assertThat(matchers.get(1).toString()).isEqualTo("{\"name\":\"env\",\"value\":\"dev\",\"isRegex\":false,\"isEqual\":false}");
        assertThat(listed.get(0).get("createdBy").asText()).isEqualTo("alice");
    }

    @Test
    void silenceFilter_selectsByTheSilencesMatchers_asAlertmanager() {
        List<SilenceConfig> silences = List.of(silence("disk", NOW.minusSeconds(60), NOW.plusSeconds(60)),
                SilenceConfig.newBuilder(silence("cpu", NOW.minusSeconds(60), NOW.plusSeconds(60)))
                        .setMatchers(List.of(new LabelMatcher("alertname", MatchOp.EQUAL, "HighCpu"))).build());

        assertThat(AlertmanagerApi.silences(AlertmanagerApi.matchers(List.of("alertname=\"HighCpu\""), "filter"), silences, NOW))
                .extracting(silence -> silence.get("id").asText()).containsExactly("cpu");
        assertThat(AlertmanagerApi.silences(AlertmanagerApi.matchers(List.of("{env=\"dev\"}"), "filter"), silences, NOW))
                .extracting(silence -> silence.get("id").asText()).containsExactly("disk");
        assertThat(AlertmanagerApi.silences(AlertmanagerApi.matchers(List.of("team=\"x\""), "filter"), silences, NOW)).isEmpty();
    }

    @Test
    void alerts_fitTheDocument_activeSilencedAndHeldBack() {
        Alert alert = Samples.alert("prom/abc").setLinks(List.of(new Link("http://prometheus/graph", "Source")))
                .setEndsAt(NOW.plusSeconds(240)).build();
        Alert noEnd = Samples.alert("prom/def").setService(null).setEndsAt(null).build();

        ObjectNode active = AlertmanagerApi.gettableAlert(alert, List.of(), List.of());
        ObjectNode silenced = AlertmanagerApi.gettableAlert(noEnd, List.of("s1"), List.of());
        ObjectNode heldBySilence = AlertmanagerApi.heldAlert(new SuppressedAlert(alert, "key", SuppressionReason.SILENCED, "s2", NOW,
                null, false));
        ObjectNode inhibited = AlertmanagerApi.heldAlert(new SuppressedAlert(noEnd, "key", SuppressionReason.INHIBITED, "node-down",
                NOW, null, false));

        assertThat(CONTRACT.violations("get", "/alerts", 200, JsonNodeFactory.instance.arrayNode().add(active).add(silenced)
                .add(heldBySilence).add(inhibited))).isEmpty();
        assertThat(active.get("status").toString()).isEqualTo("{\"state\":\"active\",\"silencedBy\":[],\"inhibitedBy\":[]}");
        assertThat(active.get("generatorURL").asText()).isEqualTo("http://prometheus/graph");
        assertThat(active.get("receivers").get(0).get("name").asText()).isEqualTo(alert.getService());
        assertThat(silenced.get("status").toString()).isEqualTo("{\"state\":\"suppressed\",\"silencedBy\":[\"s1\"],\"inhibitedBy\":[]}");
        assertThat(silenced.get("endsAt").asText()).isEqualTo("0001-01-01T00:00:00Z");
        assertThat(silenced.get("receivers").get(0).get("name").asText()).isEqualTo("default");
        assertThat(heldBySilence.get("status").toString()).isEqualTo("{\"state\":\"suppressed\",\"silencedBy\":[\"s2\"],\"inhibitedBy\":[]}");
        assertThat(heldBySilence.get("labels")).isEqualTo(active.get("labels"));
        assertThat(inhibited.get("status").toString()).isEqualTo("{\"state\":\"suppressed\",\"silencedBy\":[],\"inhibitedBy\":[\"node-down\"]}");
    }

    @Test
    void receivers_areTheServices_andDefault() {
        ArrayNode receivers = AlertmanagerApi.receivers(List.of(service("payments"), service("checkout")));

        assertThat(CONTRACT.violations("get", "/receivers", 200, receivers)).isEmpty();
        assertThat(receivers.toString()).isEqualTo("[{\"name\":\"checkout\"},{\"name\":\"default\"},{\"name\":\"payments\"}]");
    }

    /**
     * Grafana reads {@code config.original} with Alertmanager's config loader and takes its root route (definitions'
     * GettableStatus.UnmarshalJSON, AsGrafanaRoute; see AlertmanagerApiIT's Grafana test): it must be a configuration with
     * a route whose receiver is defined.
     */
    @Test
    void theStatusConfig_isAnAlertmanagerConfigurationWithARootRoute_namingTheReceivers() throws Exception {
        String original = AlertmanagerApi.originalConfig(List.of(service("payments"), service("checkout")));

        JsonNode config = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(original);
        assertThat(config.path("route").path("receiver").asText()).isEqualTo("default");
        assertThat(config.path("receivers")).extracting(receiver -> receiver.path("name").asText())
                .containsExactly("default", "checkout", "payments");
    }

    @Test
    void alertQuery_defaultsToEverything_andReadsGoBooleansFiltersAndReceiver() {
        AlertmanagerApi.AlertQuery all = AlertmanagerApi.alertQuery(Map.of());
        AlertmanagerApi.AlertQuery some = AlertmanagerApi.alertQuery(Map.of("silenced", List.of("false"), "active", List.of("1"),
                "filter", List.of("alertname=~\"Disk.*\"", "env!=\"dev\""), "receiver", List.of("check.*")));

        assertThat(List.of(all.active(), all.silenced(), all.inhibited(), all.unprocessed())).containsOnly(true);
        assertThat(some.silenced()).isFalse();
        assertThat(some.active()).isTrue();
        assertThat(some.filter().matches(Samples.alert("a").setLabels(Map.of("alertname", "DiskFull", "env", "prod")).build())).isTrue();
        assertThat(some.filter().matches(Samples.alert("a").setLabels(Map.of("alertname", "DiskFull", "env", "dev")).build())).isFalse();
        assertThat(some.receiver().matches("checkout")).isTrue();
        assertThat(some.receiver().matches("my-checkout")).as("anchored, as Alertmanager's").isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not a boolean     | active   | yes             | active: must be true or false, not 'yes'",
            "bad matcher       | filter   | alertname       | filter: bad matcher 'alertname'",
            "bad regex         | filter   | a=~\"(\"        | filter: ",
            "bad receiver      | receiver | (               | receiver: is not a valid regular expression",
    })
    void alertQuery_refusesBadParameters(String name, String parameter, String value, String message) {
        assertThatThrownBy(() -> AlertmanagerApi.alertQuery(Map.of(parameter, List.of(value))))
                .isInstanceOfSatisfying(ApiError.class, error -> {
                    assertThat(error.status()).isEqualTo(400);
                    assertThat(error.getMessage()).startsWith(message);
                });
        assertThatThrownBy(() -> AlertmanagerApi.alertQuery(Map.of("silenced", List.of("true", "false"))))
                .hasMessageContaining("must be given once");
    }

    @Test
    void postableSilence_asAmtoolSendsIt_becomesTheEnginesSilenceWithAUuid() {
        String body = """
                {"matchers":[{"name":"alertname","value":"Disk.*","isRegex":true,"isEqual":true},
                             {"name":"env","value":"dev","isRegex":false,"isEqual":false},
                             {"name":"job","value":"x","isRegex":false}],
                 "startsAt":"2026-11-22T09:00:00Z","endsAt":"2026-11-22T10:00:00Z","createdBy":"root","comment":"disk work","id":""}""";

        SilenceConfig silence = AlertmanagerApi.postableSilence(bytes(body), ALICE, NOW, id -> false);

        assertThat(silence.getId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(silence.getMatchers()).containsExactly(new LabelMatcher("alertname", MatchOp.REGEX, "Disk.*"),
                new LabelMatcher("env", MatchOp.NOT_EQUAL, "dev"), new LabelMatcher("job", MatchOp.EQUAL, "x"));
        assertThat(silence.getEndsAt()).isEqualTo(Instant.parse("2026-11-22T10:00:00Z"));
        assertThat(silence.getAuthor()).as("the token's user, not createdBy").isEqualTo("alice");
        assertThat(silence.getComment()).isEqualTo("disk work");
        assertThat(AlertmanagerApi.postableSilence(bytes(body.replace("\"id\":\"\"", "\"id\":\"known\"")), ALICE, NOW,
                "known"::equals).getId()).isEqualTo("known");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON                 | {                                                                  | 400 | body: is not valid JSON",
            "not an object            | []                                                                 | 400 | body: must be a silence object",
            "no matchers              | {\"startsAt\":\"S\",\"endsAt\":\"E\",\"createdBy\":\"a\",\"comment\":\"c\"} | 400 | matchers: is required",
            "empty matchers           | {\"matchers\":[],\"startsAt\":\"S\",\"endsAt\":\"E\",\"createdBy\":\"a\",\"comment\":\"c\"} | 400 | matchers: must be a list of at least one",
            "matcher not an object    | {\"matchers\":[\"a=b\"],\"startsAt\":\"S\",\"endsAt\":\"E\",\"createdBy\":\"a\",\"comment\":\"c\"} | 400 | matchers[0]: must be an object",
            "matcher without isRegex  | {\"matchers\":[{\"name\":\"a\",\"value\":\"b\"}],\"startsAt\":\"S\",\"endsAt\":\"E\",\"createdBy\":\"a\",\"comment\":\"c\"} | 400 | matchers[0].isRegex: is required",
            "matcher name not string  | {\"matchers\":[{\"name\":1,\"value\":\"b\",\"isRegex\":false}],\"startsAt\":\"S\",\"endsAt\":\"E\",\"createdBy\":\"a\",\"comment\":\"c\"} | 400 | matchers[0].name: must be a string",
            "isEqual not boolean      | {\"matchers\":[{\"name\":\"a\",\"value\":\"b\",\"isRegex\":false,\"isEqual\":\"no\"}],\"startsAt\":\"S\",\"endsAt\":\"E\",\"createdBy\":\"a\",\"comment\":\"c\"} | 400 | matchers[0].isEqual: must be true or false",
            "matches every alert      | {\"matchers\":[{\"name\":\"a\",\"value\":\".*\",\"isRegex\":true}],\"startsAt\":\"S\",\"endsAt\":\"E\",\"createdBy\":\"a\",\"comment\":\"c\"} | 400 | matchers: at least one matcher must not match the empty string",
            "bad regex                | {\"matchers\":[{\"name\":\"a\",\"value\":\"(\",\"isRegex\":true}],\"startsAt\":\"S\",\"endsAt\":\"E\",\"createdBy\":\"a\",\"comment\":\"c\"} | 400 | matchers[0]",
            "no createdBy             | {\"matchers\":[{\"name\":\"a\",\"value\":\"b\",\"isRegex\":false}],\"startsAt\":\"S\",\"endsAt\":\"E\",\"comment\":\"c\"} | 400 | createdBy: is required",
            "no comment               | {\"matchers\":[{\"name\":\"a\",\"value\":\"b\",\"isRegex\":false}],\"startsAt\":\"S\",\"endsAt\":\"E\",\"createdBy\":\"a\"} | 400 | comment: is required",
            "no endsAt                | {\"matchers\":[{\"name\":\"a\",\"value\":\"b\",\"isRegex\":false}],\"startsAt\":\"S\",\"createdBy\":\"a\",\"comment\":\"c\"} | 400 | endsAt: is required",
            "bad endsAt               | {\"matchers\":[{\"name\":\"a\",\"value\":\"b\",\"isRegex\":false}],\"startsAt\":\"S\",\"endsAt\":\"soon\",\"createdBy\":\"a\",\"comment\":\"c\"} | 400 | endsAt:",
            "ends before it starts    | {\"matchers\":[{\"name\":\"a\",\"value\":\"b\",\"isRegex\":false}],\"startsAt\":\"E\",\"endsAt\":\"S\",\"createdBy\":\"a\",\"comment\":\"c\"} | 400 | endsAt: must end after startsAt",
            "ended already            | {\"matchers\":[{\"name\":\"a\",\"value\":\"b\",\"isRegex\":false}],\"startsAt\":\"2026-11-22T07:00:00Z\",\"endsAt\":\"2026-11-22T08:00:00Z\",\"createdBy\":\"a\",\"comment\":\"c\"} | 400 | endsAt: must end in the future",
            "over a year              | {\"matchers\":[{\"name\":\"a\",\"value\":\"b\",\"isRegex\":false}],\"startsAt\":\"S\",\"endsAt\":\"2028-01-01T00:00:00Z\",\"createdBy\":\"a\",\"comment\":\"c\"} | 400 | endsAt: must end within 365 days",
            "unknown id               | {\"id\":\"nope\",\"matchers\":[{\"name\":\"a\",\"value\":\"b\",\"isRegex\":false}],\"startsAt\":\"S\",\"endsAt\":\"E\",\"createdBy\":\"a\",\"comment\":\"c\"} | 404 | silence nope not found",
    })
    void postableSilence_refusesBadInput(String name, String body, int status, String message) {
        String filled = body.replace("\"S\"", "\"2026-11-22T09:00:00Z\"").replace("\"E\"", "\"2026-11-22T10:00:00Z\"");

        assertThatThrownBy(() -> AlertmanagerApi.postableSilence(bytes(filled), ALICE, NOW, id -> false))
                .isInstanceOfSatisfying(ApiError.class, error -> {
                    assertThat(error.status()).isEqualTo(status);
                    assertThat(error.getMessage()).startsWith(message);
                });
    }

    @Test
    void postableSilence_tooManyMatchersOrTooLarge() {
        String matcher = "{\"name\":\"a\",\"value\":\"b\",\"isRegex\":false}";
        String many = "{\"matchers\":[" + String.join(",", java.util.Collections.nCopies(SilenceRequests.MAX_MATCHERS + 1, matcher))
                + "],\"startsAt\":\"2026-11-22T09:00:00Z\",\"endsAt\":\"2026-11-22T10:00:00Z\",\"createdBy\":\"a\",\"comment\":\"c\"}";

        assertThatThrownBy(() -> AlertmanagerApi.postableSilence(bytes(many), ALICE, NOW, id -> false))
                .hasMessageContaining("must be at most " + SilenceRequests.MAX_MATCHERS + " matchers");
        assertThatThrownBy(() -> AlertmanagerApi.postableSilence(new byte[ApiRequests.MAX_BODY_BYTES + 1], ALICE, NOW, id -> false))
                .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.status()).isEqualTo(413));
    }

    private static SilenceConfig silence(String id, Instant startsAt, Instant endsAt) {
        return SilenceConfig.newBuilder().setId(id)
                .setMatchers(List.of(new LabelMatcher("alertname", MatchOp.REGEX, "Disk.*"), new LabelMatcher("env", MatchOp.NOT_EQUAL, "dev")))
                .setStartsAt(startsAt).setEndsAt(endsAt).setWeekly(null).setAuthor("alice").setComment("maintenance").build();
    }

    private static ServiceConfig service(String id) {
        return ServiceConfig.newBuilder().setId(id).setName(id).build();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
