package dev.incidentengine.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.testkit.OpenApiContract;
import dev.incidentengine.testkit.TopicContents;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The engine as a drop-in for Alertmanager, on the local engine's one port: a real Prometheus
 * (Debian's {@code prometheus}) evaluating an always-firing rule sends straight to it and an incident
 * opens; the real {@code amtool} (Debian's {@code prometheus-alertmanager}) lists the alerts and adds,
 * queries and expires a silence; every answer is checked against Alertmanager 0.25's OpenAPI document.
 */
class AlertmanagerApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OpenApiContract CONTRACT = OpenApiContract.load(OpenApiContract.ALERTMANAGER_0_25);
    private static final String KEY = "demo-integration-key-change-me";
    private static final String VIEWER = "demo-viewer-token-change-me";
    private static final String RESPONDER = "demo-responder-token-change-me";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    private static LocalEngine engine;
    private static final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void startEngine() throws Exception {
        engine = new LocalEngine();
        new CommandLine(engine).parseArgs(
                "--data-dir", dir.resolve("engine").toString(),
                "--kafka-port", Integer.toString(TopicContents.freePort()),
                "--controller-port", Integer.toString(TopicContents.freePort()),
                "--http-port", "0",
                "--sink-port", "0",
                "--smtp-port", "0",
                "--config-dir", Path.of("../local").toString());
        engine.start();
    }

    @AfterAll
    static void stop() {
        processes.forEach(Process::destroyForcibly);
        if (engine != null) {
            engine.stop();
        }
    }

    @Test
    void prometheusAlertingStraightAtTheEngine_opensAnIncident_andAmtoolListsItsAlert() throws Exception {
        assumeToolsInstalled();
        URI engineUrl = URI.create(engine.httpUrl());
        Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: amapi
                    interval: 1s
                    rules:
                      - alert: AmApiAlwaysFiring
                        expr: vector(1)
                        labels: {severity: critical}
                        annotations: {summary: "Always firing (Alertmanager API IT)"}
                """);
        Files.writeString(dir.resolve("prometheus.yml"), """
                global: {evaluation_interval: 1s}
                rule_files: [rules.yml]
                alerting:
                  alertmanagers:
                    - api_version: v2
                      authorization: {credentials: %s}
                      static_configs: [{targets: ["%s:%d"]}]
                """.formatted(KEY, engineUrl.getHost(), engineUrl.getPort()));
        start(List.of("/usr/bin/prometheus", "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("prometheus-data"),
                // Its first send comes before it has discovered the engine and is dropped; resend soon, not a minute later.
                "--rules.alert.resend-delay=1s", "--web.listen-address=127.0.0.1:" + TopicContents.freePort()),
                dir.resolve("prometheus.log"));

        // The demo routes correlate by service: the alert opens an incident, or joins the one open for its service.
        String filter = "?filter=" + encode("alertname=\"AmApiAlwaysFiring\"");
        JsonNode group;
        try {
            group = await("Prometheus' alert in an open incident").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> json(get("/api/v2/alerts/groups" + filter, VIEWER).body()), groups -> groups.size() == 1).get(0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("Prometheus' log:\n" + Files.readString(dir.resolve("prometheus.log")), e);
        }
        JsonNode incident = json(get("/api/v1/incidents/" + group.get("labels").get("incident").asText(), VIEWER).body());
        assertThat(incident.get("status").asText()).isEqualTo("TRIGGERED");

        HttpResponse<String> alerts = get("/api/v2/alerts" + filter, VIEWER);
        assertThat(CONTRACT.violations("get", "/alerts", alerts.statusCode(), json(alerts.body()))).isEmpty();
        JsonNode alert = json(alerts.body()).get(0);
        assertThat(alert.get("labels").get("alertname").asText()).isEqualTo("AmApiAlwaysFiring");
        assertThat(alert.get("annotations").get("summary").asText()).isEqualTo("Always firing (Alertmanager API IT)");
        assertThat(alert.get("status").get("state").asText()).isEqualTo("active");
        assertThat(Instant.parse(alert.get("endsAt").asText())).as("Prometheus sends endsAt ahead").isAfter(Instant.now());
        HttpResponse<String> groups = get("/api/v2/alerts/groups", VIEWER);
        assertThat(CONTRACT.violations("get", "/alerts/groups", groups.statusCode(), json(groups.body()))).isEmpty();

        assertThat(amtool("alert", "query")).contains("AmApiAlwaysFiring", "Always firing (Alertmanager API IT)");
        assertThat(amtool("alert", "query", "alertname=NoSuchAlert")).doesNotContain("AmApiAlwaysFiring");
    }

    @Test
    void amtoolAddsQueriesAndExpiresASilence() throws Exception {
        assumeToolsInstalled();
        String id = amtool("silence", "add", "alertname=AmApiMaintenance", "env=~\"dev|test\"", "--comment=Alertmanager API IT",
                "--duration=2h").strip();
        assertThat(id).matches("[0-9a-f-]{36}");

        assertThat(amtool("silence", "query")).contains(id, "AmApiMaintenance", "Alertmanager API IT");
        assertThat(amtool("silence", "query", "alertname=AmApiMaintenance")).contains(id);
        HttpResponse<String> silence = get("/api/v2/silence/" + id, VIEWER);
        assertThat(CONTRACT.violations("get", "/silence/{silenceID}", silence.statusCode(), json(silence.body()))).isEmpty();
        assertThat(json(silence.body()).get("createdBy").asText()).as("the token's user").isEqualTo("alice");
        assertThat(json(silence.body()).get("status").get("state").asText()).isEqualTo("active");
        // The engine's own API sees the same silence.
        assertThat(get("/api/v1/silences/" + id, VIEWER).body()).contains("AmApiMaintenance", "REGEX");

        // An alert it matches is held back: listed by `amtool alert query --silenced`, not by the default (active) query. The
        // stream reads a new silence within a second or so: alerts of new instances are sent until one is held.
        AtomicInteger sent = new AtomicInteger();
        String held = await("an alert held back by the silence").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    assertThat(send("POST", "/api/v2/alerts", "Bearer " + KEY, "[{\"labels\":{\"alertname\":\"AmApiMaintenance\","
                            + "\"env\":\"dev\",\"instance\":\"maint-" + sent.incrementAndGet() + "\"}}]").statusCode()).isEqualTo(200);
                    for (JsonNode group : json(get("/api/v2/alerts/groups?silenced=true&active=false", VIEWER).body())) {
                        if (group.get("labels").has("correlationKey")) {
                            return group.get("alerts").get(0).get("labels").get("instance").asText();
                        }
                    }
                    return null;
                }, instance -> instance != null);
        assertThat(amtool("alert", "query", "--silenced", "instance=" + held)).contains("AmApiMaintenance");
        assertThat(amtool("alert", "query", "instance=" + held)).doesNotContain("AmApiMaintenance");
        HttpResponse<String> suppressed = get("/api/v2/alerts?silenced=true&active=false&filter=" + encode("instance=\"" + held + "\""), VIEWER);
        assertThat(CONTRACT.violations("get", "/alerts", suppressed.statusCode(), json(suppressed.body()))).isEmpty();
        assertThat(json(suppressed.body()).get(0).get("status").get("silencedBy").get(0).asText()).isEqualTo(id);

        amtool("silence", "expire", id);
        await("the released alert active, in an incident").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                .until(() -> amtool("alert", "query", "instance=" + held).contains("AmApiMaintenance"));

        assertThat(amtool("silence", "query")).doesNotContain(id);
        assertThat(amtool("silence", "query", "--expired")).contains(id);
        HttpResponse<String> silences = get("/api/v2/silences", VIEWER);
        assertThat(CONTRACT.violations("get", "/silences", silences.statusCode(), json(silences.body()))).isEmpty();
    }

    @Test
    void postedAlerts_theValidOnesOfABatchAreStored_andEveryEndpointAnswersItsDocumentedStatuses() throws Exception {
        String batch = """
                [{"labels":{"alertname":"AmApiPosted","instance":"it-1"},"annotations":{"summary":"Posted through /api/v2/alerts"}},
                 {"labels":{"bad-name":"x"}}]""";
        HttpResponse<String> posted = send("POST", "/api/v2/alerts", "Basic " + basic("prometheus", KEY), batch);
        assertThat(posted.statusCode()).isEqualTo(400);
        assertThat(CONTRACT.violations("post", "/alerts", posted.statusCode(), json(posted.body()))).isEmpty();
        assertThat(json(posted.body()).textValue()).contains("[1].labels: invalid label name 'bad-name'");
        await("the valid alert of the batch opened an incident").atMost(Duration.ofSeconds(30)).until(() ->
                json(get("/api/v2/alerts?filter=alertname%3DAmApiPosted", VIEWER).body()).size() == 1);
        HttpResponse<String> ok = send("POST", "/api/v2/alerts", "Bearer " + KEY, "[{\"labels\":{\"alertname\":\"AmApiPosted\"}}]");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEmpty();

        assertThat(send("POST", "/api/v2/alerts", "Bearer " + VIEWER, "[]").statusCode()).as("an API token is no integration key")
                .isEqualTo(403);
        assertThat(get("/api/v2/alerts", null).statusCode()).isEqualTo(401);
        HttpResponse<String> viewerSilence = send("POST", "/api/v2/silences", "Bearer " + VIEWER, "{}");
        assertThat(viewerSilence.statusCode()).isEqualTo(403);
        assertThat(json(viewerSilence.body()).textValue()).contains("needs the role responder");
        HttpResponse<String> badSilence = send("POST", "/api/v2/silences", "Bearer " + RESPONDER, "{\"matchers\":[]}");
        assertThat(badSilence.statusCode()).isEqualTo(400);
        assertThat(CONTRACT.violations("post", "/silences", 400, json(badSilence.body()))).isEmpty();
        HttpResponse<String> unknownId = send("POST", "/api/v2/silences", "Bearer " + RESPONDER, """
                {"id":"00000000-0000-0000-0000-000000000000","matchers":[{"name":"a","value":"b","isRegex":false}],
                 "startsAt":"%s","endsAt":"%s","createdBy":"it","comment":"c"}""".formatted(Instant.now(), Instant.now().plusSeconds(60)));
        assertThat(unknownId.statusCode()).isEqualTo(404);
        assertThat(CONTRACT.violations("post", "/silences", 404, json(unknownId.body()))).isEmpty();
        assertThat(get("/api/v2/silence/no-such-silence", VIEWER).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/api/v2/silence/no-such-silence", "Bearer " + RESPONDER, null).statusCode()).isEqualTo(404);
        HttpResponse<String> badFilter = get("/api/v2/alerts?active=maybe", VIEWER);
        assertThat(badFilter.statusCode()).isEqualTo(400);
        assertThat(CONTRACT.violations("get", "/alerts", 400, json(badFilter.body()))).isEmpty();

        HttpResponse<String> status = get("/api/v2/status", VIEWER);
        assertThat(CONTRACT.violations("get", "/status", status.statusCode(), json(status.body()))).isEmpty();
        HttpResponse<String> receivers = get("/api/v2/receivers", VIEWER);
        assertThat(CONTRACT.violations("get", "/receivers", receivers.statusCode(), json(receivers.body()))).isEmpty();
        assertThat(receivers.body()).contains("{\"name\":\"checkout\"}");
    }

    /**
     * Grafana's Alertmanager data source of implementation "prometheus", pointed at the engine (URL: the engine's base URL;
     * credential: an API token as the data source's custom HTTP header {@code Authorization: Bearer <token>}), request for
     * request as Grafana sends them. Grafana cannot run here: the requests are read from github.com/grafana/grafana:
     * <ul>
     * <li>Save &amp; test: {@code public/app/plugins/datasource/alertmanager/DataSource.ts} (commit 0524cbafcfcf42e76480675784159fd31136e4d2,
     *     {@code testDatasource}): {@code GET /api/v1/status/buildinfo} first ({@code discoverAlertmanagerFeaturesByUrl},
     *     {@code public/app/features/alerting/unified/api/buildInfo.ts} at 14a38d0f6dbe001e8c93f4d89d8c87289fa323b4: an answer naming
     *     "Grafana Mimir" would make it Mimir), then {@code GET /alertmanager/api/v2/status}, whose 200 would fail the check ("detected a
     *     Mimir or Cortex endpoint"), then {@code GET /api/v2/status}, whose 200 passes it;</li>
     * <li>the alerting UI, through Grafana's proxy for an external Alertmanager: {@code pkg/services/ngalert/api/lotex_am.go}
     *     (023625e99fc441210d185860e9a9eba60c40d3d5: implementation "prometheus" maps to {@code /api/v2/alerts}, {@code /alerts/groups},
     *     {@code /silences}, {@code /silence/{id}}, {@code /status}; a silence is posted as Alertmanager's Go PostableSilence re-encoded,
     *     {@code Content-Type: application/json}) and {@code pkg/services/ngalert/api/util.go} (9e7daf9b1dd5be99a713dfdc1bc6dec997d9e532:
     *     {@code withPath} keeps the browser's query string; an answer of 400 or more is an error; {@code jsonExtractor} wants a JSON
     *     Content-Type and decodes into Alertmanager's Go models, so types and timestamps must fit them);</li>
     * <li>the queries: {@code public/app/features/alerting/unified/api/alertmanagerApi.ts} (0aff354e847331158a17a497ff48aa41b20e68b5:
     *     alerts with repeated {@code filter} (matchers as {@code encodeMatcher} writes them, {@code utils/matchers.ts} at
     *     077119ddfc7b3fcd1b1b22608b10ee92ea2d3040: {@code name="value"}, {@code name=~"regex"}) and {@code silenced}, {@code active},
     *     {@code inhibited}, {@code unprocessed}; groups with {@code filter}, {@code receiver}, {@code active}, {@code silenced},
     *     {@code inhibited}), {@code alertSilencesApi.ts} (1137a659434e2505dbdaa92c641d08041f2a7a93: silences and one silence with
     *     {@code ruleMetadata} and {@code accesscontrol}, create, expire by DELETE) and {@code alertmanager.ts}
     *     (02badfdbb1b64db13f6c250dcbbf8a88bd8c4243, {@code fetchAlerts}: {@code silenced}, {@code active}, {@code inhibited} before the filters);</li>
     * <li>the status, which Grafana decodes with Alertmanager's config loader:
     *     {@code pkg/services/ngalert/api/tooling/definitions/alertmanager.go} (0577088076c3920f31aa0ca03cf8ac62e08f4d5b,
     *     {@code GettableStatus.UnmarshalJSON} then {@code AsGrafanaRoute} of the root route): {@code config.original} must hold a route.
     *     The engine's said only a comment, which left Grafana without a route; it now names one.</li>
     * </ul>
     */
    @Test
    void grafanasAlertmanagerDataSource_itsHealthCheckAlertsGroupsSilencesAndStatus_asGrafanaSendsThem() throws Exception {
        assertThat(send("POST", "/api/v2/alerts", "Bearer " + KEY, """
                [{"labels":{"alertname":"GrafanaDsAlert","instance":"grafana-1","severity":"critical"},
                  "annotations":{"summary":"Seen through Grafana's Alertmanager data source"}}]""").statusCode()).isEqualTo(200);
        String filter = "filter=" + encode("alertname=\"GrafanaDsAlert\"");

        // Save & test.
        HttpResponse<String> buildInfo = grafana("GET", "/api/v1/status/buildinfo", VIEWER, null);
        assertThat(buildInfo.statusCode() == 200 && buildInfo.body().contains("Grafana Mimir")).as("not taken for Mimir").isFalse();
        assertThat(grafana("GET", "/alertmanager/api/v2/status", VIEWER, null).statusCode()).as("not taken for Mimir or Cortex")
                .isNotEqualTo(200);
        HttpResponse<String> health = grafana("GET", "/api/v2/status", VIEWER, null);
        assertThat(health.statusCode()).as("Health check passed").isEqualTo(200);

        // Alerts, as the alert list and the silence preview ask for them.
        JsonNode alerts = await("the alert, as Grafana lists it").atMost(Duration.ofSeconds(30)).until(() ->
                grafanaJson("/api/v2/alerts?" + filter + "&silenced=false&active=true&inhibited=false", VIEWER), list -> list.size() == 1);
        JsonNode alert = alerts.get(0);
        assertGoAlert(alert);
        assertThat(alert.path("labels").path("instance").asText()).isEqualTo("grafana-1");
        assertThat(alert.path("annotations").path("summary").asText()).isEqualTo("Seen through Grafana's Alertmanager data source");
        assertThat(alert.path("status").path("state").asText()).isEqualTo("active");
        String receiver = alert.path("receivers").path(0).path("name").asText();
        assertThat(grafanaJson("/api/v2/alerts?silenced=true&active=true&inhibited=true&" + filter, VIEWER)).hasSize(1);
        assertThat(grafanaJson("/api/v2/alerts?filter=" + encode("alertname=~\"GrafanaDs.*\"") + "&filter=" + encode("severity=\"critical\"")
                + "&silenced=true&active=true&inhibited=true&unprocessed=true", VIEWER)).hasSize(1);
        assertThat(grafanaJson("/api/v2/alerts?" + filter + "&active=false", VIEWER)).isEmpty();

        // Groups: every group, and the filtered ones of one receiver.
        JsonNode groups = grafanaJson("/api/v2/alerts/groups", VIEWER);
        assertThat(groups).allSatisfy(group -> {
            assertThat(group.path("labels").isObject()).isTrue();
            assertThat(group.path("receiver").path("name").isTextual()).isTrue();
            group.path("alerts").forEach(AlertmanagerApiIT::assertGoAlert);
        });
        JsonNode ours = grafanaJson("/api/v2/alerts/groups?" + filter + "&receiver=" + encode(receiver)
                + "&active=true&silenced=false&inhibited=false", VIEWER);
        assertThat(ours).hasSize(1);
        assertThat(ours.get(0).path("alerts")).extracting(each -> each.path("fingerprint").asText())
                .containsExactly(alert.path("fingerprint").asText());

        // A silence from Grafana's editor, as its proxy re-encodes it (Go's RFC 3339 with milliseconds, isEqual given).
        Instant now = Instant.now();
        String payload = """
                {"comment":"Silenced from Grafana","createdBy":"Grafana Admin","endsAt":"%s",                "matchers":[{"isEqual":true,"isRegex":false,"name":"alertname","value":"GrafanaDsAlert"}],"startsAt":"%s"}"""
                .formatted(GO_TIME.format(now.plus(Duration.ofHours(2))), GO_TIME.format(now));
        HttpResponse<String> created = grafana("POST", "/api/v2/silences", RESPONDER, payload);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertJson(created);
        String id = json(created.body()).path("silenceID").asText();
        assertThat(id).isNotBlank();

        JsonNode silenced = await("the alert silenced").atMost(Duration.ofSeconds(30)).until(() ->
                grafanaJson("/api/v2/alerts?" + filter + "&silenced=true&active=true&inhibited=true", VIEWER),
                list -> list.size() == 1 && list.get(0).path("status").path("state").asText().equals("suppressed"));
        assertThat(silenced.get(0).path("status").path("silencedBy")).extracting(JsonNode::asText).containsExactly(id);
        assertThat(grafanaJson("/api/v2/alerts?" + filter + "&silenced=false&active=true&inhibited=false", VIEWER)).isEmpty();

        JsonNode listed = grafanaJson("/api/v2/silences?ruleMetadata=true&accesscontrol=true", VIEWER);
        JsonNode silence = null;
        for (JsonNode each : listed) {
            assertGoSilence(each);
            if (each.path("id").asText().equals(id)) {
                silence = each;
            }
        }
        assertThat(silence).as("the new silence is listed").isNotNull();
        assertThat(silence.path("status").path("state").asText()).isEqualTo("active");
        assertThat(silence.path("comment").asText()).isEqualTo("Silenced from Grafana");
        assertThat(silence.path("matchers").get(0).path("isEqual").asBoolean()).isTrue();
        JsonNode one = grafanaJson("/api/v2/silence/" + id + "?ruleMetadata=true&accesscontrol=true", VIEWER);
        assertGoSilence(one);
        assertThat(one.path("id").asText()).isEqualTo(id);

        // Editing it ("Recreate silence") posts it again with its id; then it is expired from the list (DELETE).
        HttpResponse<String> edited = grafana("POST", "/api/v2/silences", RESPONDER, payload.replace("{\"comment\":\"Silenced from Grafana\"",
                "{\"id\":\"" + id + "\",\"comment\":\"Silenced from Grafana, edited\""));
        assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
        String current = json(edited.body()).path("silenceID").asText();
        assertThat(grafanaJson("/api/v2/silence/" + current, VIEWER).path("comment").asText()).isEqualTo("Silenced from Grafana, edited");
        HttpResponse<String> expired = grafana("DELETE", "/api/v2/silence/" + current, RESPONDER, null);
        assertThat(expired.statusCode()).as(expired.body()).isLessThan(400);
        assertThat(grafanaJson("/api/v2/silence/" + current, VIEWER).path("status").path("state").asText()).isEqualTo("expired");
        await("the alert active again").atMost(Duration.ofSeconds(30)).until(() ->
                grafanaJson("/api/v2/alerts?" + filter + "&silenced=false&active=true&inhibited=false", VIEWER), list -> list.size() == 1);

        // The status: what Grafana decodes, and a configuration with a root route whose receiver is defined.
        assertJson(health);
        JsonNode status = json(health.body());
        assertThat(status.path("cluster").path("status").isTextual()).isTrue();
        assertThat(status.path("versionInfo").path("version").isTextual()).isTrue();
        java.time.OffsetDateTime.parse(status.path("uptime").asText());
        JsonNode config = new ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readTree(status.path("config").path("original").asText());
        String root = config.path("route").path("receiver").asText();
        assertThat(root).as("Alertmanager's config loader needs a root route with a receiver").isNotBlank();
        List<String> receivers = new ArrayList<>();
        config.path("receivers").forEach(each -> receivers.add(each.path("name").asText()));
        assertThat(receivers).contains(root, receiver);
    }

    /** Go's strfmt.DateTime as Grafana's proxy re-encodes a posted silence: RFC 3339 with milliseconds. */
    private static final java.time.format.DateTimeFormatter GO_TIME = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(java.time.ZoneOffset.UTC);

    /** A request as Grafana's data source proxy sends it: the data source's custom header carries the API token. */
    private static HttpResponse<String> grafana(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(engine.httpUrl() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + token).header("Accept", "application/json, text/plain, */*")
                .header("User-Agent", "Grafana/12.3.0").header("X-Grafana-Org-Id", "1");
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A read as Grafana's proxy takes it: below 400, JSON by its Content-Type (jsonExtractor), decoded. */
    private static JsonNode grafanaJson(String path, String token) throws Exception {
        HttpResponse<String> response = grafana("GET", path, token, null);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        assertJson(response);
        return json(response.body());
    }

    private static void assertJson(HttpResponse<String> response) {
        assertThat(response.headers().firstValue("Content-Type")).as("Grafana's jsonExtractor wants a JSON Content-Type")
                .hasValueSatisfying(type -> assertThat(type).contains("json"));
    }

    /** What Grafana reads of an alert (AlertmanagerAlert), typed as Alertmanager's Go GettableAlert decodes it. */
    private static void assertGoAlert(JsonNode alert) {
        assertThat(alert.path("labels").isObject()).isTrue();
        alert.path("labels").forEach(value -> assertThat(value.isTextual()).isTrue());
        assertThat(alert.path("annotations").isObject()).isTrue();
        assertThat(alert.path("fingerprint").isTextual()).isTrue();
        for (String time : List.of("startsAt", "endsAt", "updatedAt")) {
            java.time.OffsetDateTime.parse(alert.path(time).asText());
        }
        assertThat(alert.path("receivers")).isNotEmpty().allSatisfy(receiver -> assertThat(receiver.path("name").isTextual()).isTrue());
        assertThat(alert.path("status").path("state").asText()).isIn("active", "suppressed", "unprocessed");
        assertThat(alert.path("status").path("silencedBy").isArray()).isTrue();
        assertThat(alert.path("status").path("inhibitedBy").isArray()).isTrue();
    }

    /** What Grafana reads of a silence (Silence), typed as Alertmanager's Go GettableSilence decodes it. */
    private static void assertGoSilence(JsonNode silence) {
        assertThat(silence.path("id").isTextual()).isTrue();
        assertThat(silence.path("status").path("state").asText()).isIn("active", "pending", "expired");
        for (String time : List.of("startsAt", "endsAt", "updatedAt")) {
            java.time.OffsetDateTime.parse(silence.path(time).asText());
        }
        assertThat(silence.path("createdBy").isTextual()).isTrue();
        assertThat(silence.path("comment").isTextual()).isTrue();
        assertThat(silence.path("matchers")).isNotEmpty().allSatisfy(matcher -> {
            assertThat(matcher.path("name").isTextual()).isTrue();
            assertThat(matcher.path("value").isTextual()).isTrue();
            assertThat(matcher.path("isRegex").isBoolean()).isTrue();
        });
    }

    /** Debian's prometheus and amtool; CI installs them and sets PROMETHEUS_REQUIRED=1, so there they fail rather than skip. */
    private static void assumeToolsInstalled() {
        boolean installed = Files.isExecutable(Path.of("/usr/bin/prometheus")) && Files.isExecutable(Path.of("/usr/bin/amtool"));
        org.junit.jupiter.api.Assumptions.assumeTrue(installed || "1".equals(System.getenv("PROMETHEUS_REQUIRED")),
                "apt-get install prometheus prometheus-alertmanager to run this test");
    }

    /** Runs amtool against the engine with the responder's API token, as its HTTP config file sends it; its output. */
    private static String amtool(String... args) throws Exception {
        Path config = dir.resolve("amtool-http.yml");
        if (!Files.exists(config)) {
            Files.writeString(config, "authorization:\n  credentials: " + RESPONDER + "\n");
        }
        List<String> command = new ArrayList<>(List.of("/usr/bin/amtool", "--alertmanager.url=" + engine.httpUrl(),
                "--http.config.file=" + config));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(dir, "amtool", ".out");
        Process process = start(command, output);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("amtool finished").isTrue();
        String text = Files.readString(output);
        assertThat(process.exitValue()).as(String.join(" ", args) + ": " + text).isZero();
        assertThat(text).as("amtool takes the engine for its own Alertmanager version").doesNotContain("Warning");
        return text;
    }

    private static Process start(List<String> command, Path output) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        processes.add(process);
        return process;
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        return send("GET", path, token == null ? null : "Bearer " + token, null);
    }

    private static HttpResponse<String> send(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(engine.httpUrl() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }
}
