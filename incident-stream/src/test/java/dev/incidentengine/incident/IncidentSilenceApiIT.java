package dev.incidentengine.incident;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.incident.IncidentApiIT.Api;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.SuppressedAlert;
import dev.incidentengine.model.SuppressionReason;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.Samples;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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

/** Silences through the HTTP API on a real broker: one holds a matching alert's incident back until it is expired. */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IncidentSilenceApiIT {

    private final KafkaTestCluster kafka;
    private IncidentTopics topics;
    private ServiceRunner runner;
    private Api api;

    @TempDir
    static Path dir;

    IncidentSilenceApiIT(KafkaTestCluster kafka) {
        this.kafka = kafka;
    }

    @BeforeAll
    void start() throws Exception {
        topics = IncidentTestTopics.create(kafka);
        runner = new ServiceRunner("127.0.0.1", 0, List.of(new IncidentStreamService(IncidentApiIT.config(kafka, topics, dir, "silences"),
                topics))).start();
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
    void aSilenceHoldsMatchingAlerts_andExpiringItOpensTheirIncident() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String silenced = "silenced-" + run;
        String other = "other-" + run;

        HttpResponse<String> created = api.post("/api/v1/silences?wait=true", RESPONDER, """
                {"matchers": ["service=\\"%s\\"", {"label": "env", "op": "EQUAL", "value": "prod"}],
                 "duration": "1h", "comment": "deploying the fix"}""".formatted(silenced));

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode silence = json(created);
        String id = silence.get("id").asText();
        assertThat(id).startsWith("silence-");
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/silences/" + id);
        assertThat(silence.get("state").asText()).isEqualTo("active");
        assertThat(silence.get("author").asText()).isEqualTo("alice");
        assertThat(silence.get("comment").asText()).isEqualTo("deploying the fix");
        assertThat(silence.get("matchers").get(0).get("op").asText()).isEqualTo("EQUAL");
        assertThat(silence.get("matchers").get(1).get("label").asText()).isEqualTo("env");
        assertThat(silence.get("endsAt").asText()).endsWith("Z");
        assertThat(ids(api.get("/api/v1/silences", VIEWER))).contains(id);
        assertThat(json(api.get("/api/v1/silences/" + id, VIEWER)).get("state").asText()).isEqualTo("active");

        // The stream reads silences on its own (a global store, compiled at most once a second). A probe silence made after
        // this one tells when it has: once an alert the probe matches is held, this silence applies too (config.silences.v1
        // has one partition, read in order).
        String probe = "probe-" + run;
        HttpResponse<String> probeSilence = api.post("/api/v1/silences?wait=true", RESPONDER, """
                {"matchers": ["service=\\"%s\\""], "duration": "1h", "comment": "probe"}""".formatted(probe));
        assertThat(probeSilence.statusCode()).as(probeSilence.body()).isEqualTo(201);
        AtomicInteger probes = new AtomicInteger();
        await("the stream applies the silences").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String fingerprint = "fp-" + probe + "-" + probes.incrementAndGet();
            kafka.produce(topics.alerts(), List.of(Map.entry(fingerprint, alert(fingerprint, probe, Instant.now()).build())));
            // Held, not an incident's alert the silence matches now: held alerts are grouped by correlation key.
            return json(api.get("/api/v2/alerts/groups?silenced=true&active=false&filter=" + encode("service=\"" + probe + "\""),
                    VIEWER)).findValue("correlationKey") != null;
        });
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        kafka.produce(topics.alerts(), List.of(Map.entry("fp-" + silenced, alert("fp-" + silenced, silenced, now).build()),
                Map.entry("fp-" + other, alert("fp-" + other, other, now).build())));

        await("the other alert's incident").atMost(Duration.ofSeconds(30)).until(() -> incidents(other).size() == 1);
        List<ConsumerRecord<String, SuppressedAlert>> held = await("the alert held").atMost(Duration.ofSeconds(30))
                .until(() -> TopicContents.readToEnd(kafka.bootstrapServers(), topics.suppressed(), kafka.serdes(), Duration.ofSeconds(10))
                        .stream().filter(record -> record.key().equals("fp-" + silenced)).toList(), records -> !records.isEmpty());
        assertThat(held).hasSize(1);
        assertThat(held.get(0).value().getReason()).isEqualTo(SuppressionReason.SILENCED);
        assertThat(held.get(0).value().getRuleId()).isEqualTo(id);
        assertThat(incidents(silenced)).as("no incident while silenced").isEmpty();
        // Alertmanager's API lists it (amtool alert query --silenced) as suppressed by the silence, only if silenced ones are asked for.
        String heldFilter = "filter=" + encode("service=\"" + silenced + "\"");
        JsonNode listed = await("the held alert in Alertmanager's API").atMost(Duration.ofSeconds(15))
                .until(() -> json(api.get("/api/v2/alerts?silenced=true&" + heldFilter, VIEWER)), alerts -> alerts.size() == 1).get(0);
        assertThat(listed.get("fingerprint").asText()).isEqualTo("fp-" + silenced);
        assertThat(listed.get("status").toString()).isEqualTo("{\"state\":\"suppressed\",\"silencedBy\":[\"" + id
                + "\"],\"inhibitedBy\":[]}");
        assertThat(json(api.get("/api/v2/alerts?silenced=false&" + heldFilter, VIEWER))).isEmpty();
        assertThat(json(api.get("/api/v2/alerts/groups?" + heldFilter, VIEWER)).get(0).get("labels").has("correlationKey")).isTrue();

        HttpResponse<String> expired = api.delete("/api/v1/silences/" + id + "?wait=true", RESPONDER);

        assertThat(expired.statusCode()).as(expired.body()).isEqualTo(200);
        assertThat(json(expired).get("state").asText()).isEqualTo("expired");
        assertThat(Instant.parse(json(expired).get("endsAt").asText())).isBetween(now, Instant.now());
        await("the held alert's incident").atMost(Duration.ofSeconds(15)).until(() -> incidents(silenced).size() == 1);
        await("the released alert listed as its incident's, active").atMost(Duration.ofSeconds(15)).until(() ->
                json(api.get("/api/v2/alerts?" + heldFilter, VIEWER)).findValuesAsText("state"), states -> states.equals(List.of("active")));
        assertThat(ids(api.get("/api/v1/silences", VIEWER))).doesNotContain(id);
        assertThat(ids(api.get("/api/v1/silences?state=expired", VIEWER))).contains(id);

        HttpResponse<String> again = api.delete("/api/v1/silences/" + id, RESPONDER);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(json(again).get("endsAt")).isEqualTo(json(expired).get("endsAt"));
    }

    @Test
    void aPendingSilenceIsListedAsPending_andAPostWithItsIdReplacesIt() throws Exception {
        String id = "maintenance-" + UUID.randomUUID().toString().substring(0, 8);
        Instant start = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        String body = """
                {"id": "%s", "matchers": ["service=\\"payments\\"", "alertname=~\\"Replica.*\\""],
                 "startsAt": "%s", "endsAt": "%s", "comment": "%s"}""";

        HttpResponse<String> created = api.post("/api/v1/silences?wait=true", RESPONDER,
                body.formatted(id, start, start.plus(Duration.ofHours(2)), "Postgres 17 upgrade"));
        HttpResponse<String> replaced = api.post("/api/v1/silences?wait=true", RESPONDER,
                body.formatted(id, start, start.plus(Duration.ofHours(3)), "Postgres 17 upgrade, longer"));

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created).get("state").asText()).isEqualTo("pending");
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
        assertThat(ids(api.get("/api/v1/silences?state=pending", VIEWER))).contains(id);
        assertThat(ids(api.get("/api/v1/silences?state=active", VIEWER))).doesNotContain(id);
        JsonNode shown = json(api.get("/api/v1/silences/" + id, VIEWER));
        assertThat(shown.get("comment").asText()).isEqualTo("Postgres 17 upgrade, longer");
        assertThat(Instant.parse(shown.get("endsAt").asText())).isEqualTo(start.plus(Duration.ofHours(3)));

        HttpResponse<String> expired = api.delete("/api/v1/silences/" + id + "?wait=true", RESPONDER);
        assertThat(expired.statusCode()).as(expired.body()).isEqualTo(200);
        assertThat(json(expired).get("state").asText()).isEqualTo("expired");
    }

    @Test
    void credentialsRolesAndBadRequestsAreRefused() throws Exception {
        String body = "{\"matchers\": [\"service=checkout\"], \"duration\": \"1h\", \"comment\": \"c\"}";

        assertError(api.get("/api/v1/silences", null), 401, null);
        assertError(api.post("/api/v1/silences", null, body), 401, null);
        assertError(api.delete("/api/v1/silences/any", null), 401, null);
        assertError(api.get("/api/v1/silences", "not-a-token"), 403, null);
        assertError(api.post("/api/v1/silences", VIEWER, body), 403, null);
        assertError(api.delete("/api/v1/silences/any", VIEWER), 403, null);

        assertError(api.delete("/api/v1/silences/no-such-silence", RESPONDER), 404, null);
        assertError(api.get("/api/v1/silences/no-such-silence", VIEWER), 404, null);
        assertError(api.get("/api/v1/silences?state=muted", VIEWER), 400, "state");
        assertError(api.post("/api/v1/silences", RESPONDER, "{\"duration\": \"1h\", \"comment\": \"c\"}"), 400, "matchers");
        assertError(api.post("/api/v1/silences", RESPONDER,
                "{\"matchers\": [\"env=~\\\"(dev\\\"\"], \"duration\": \"1h\", \"comment\": \"c\"}"), 400, "matchers[0]");
        assertError(api.post("/api/v1/silences", RESPONDER,
                "{\"matchers\": [\"alertname=~\\\".*\\\"\"], \"duration\": \"1h\", \"comment\": \"c\"}"), 400, "matchers");
        assertError(api.post("/api/v1/silences", RESPONDER,
                "{\"matchers\": [\"service=checkout\"], \"endsAt\": \"2020-01-01T00:00:00Z\", \"comment\": \"c\"}"), 400, "endsAt");
        assertError(api.post("/api/v1/silences", RESPONDER, "{\"matchers\": [\"service=checkout\"], \"comment\": \"c\"}"), 400, "endsAt");
        assertError(api.post("/api/v1/silences", RESPONDER, "{\"matchers\": [\"service=checkout\"], \"duration\": \"1h\"}"), 400, "comment");
        assertError(api.post("/api/v1/silences", RESPONDER, body.replace("}", ", \"createdBy\": \"x\"}")), 400, "createdBy");
        assertError(api.post("/api/v1/silences?wait=maybe", RESPONDER, body), 400, "wait");

        // Nothing refused reached the topic.
        assertThat(api.get("/api/v1/silences?state=active,pending,expired", VIEWER).body()).doesNotContain("\"comment\":\"c\"");
    }

    @Test
    void thePreviewListsTheFiringAlertsOfOpenIncidentsThatMatch_andRefusesBadRequests() throws Exception {
        String service = "preview-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<Map.Entry<String, Alert>> alerts = new ArrayList<>();
        for (String[] alert : new String[][] {{"pay-1", "payments"}, {"pay-2", "payments"}, {"search-1", "search"}}) {
            String fingerprint = service + "/" + alert[0];
            alerts.add(Map.entry(fingerprint, alert(fingerprint, service, now).setLabels(Map.of("alertname", "HighErrorRate",
                    "service", service, "team", alert[1])).build()));
        }
        kafka.produce(topics.alerts(), alerts);
        String query = "/api/v1/silences/preview?matchers=" + encode("service=\"" + service + "\"") + "&matchers=" + encode("team=~\"pay.*\"");

        // One incident (same service and alertname) with three firing alerts, two of which match.
        JsonNode preview = await("the alerts attached").atMost(Duration.ofSeconds(30)).until(() -> json(api.get(query, VIEWER)),
                answer -> answer.get("incidents").size() == 1 && answer.get("incidents").get(0).get("firingAlertCount").asInt() == 3
                        && answer.get("matchingAlerts").asInt() == 2);
        // In the order they were attached, which their partitions of alerts.v1 decide.
        assertThat(preview.get("alerts")).extracting(alert -> alert.get("fingerprint").asText())
                .containsExactlyInAnyOrder(service + "/pay-1", service + "/pay-2");
        assertThat(preview.get("alerts")).allSatisfy(alert -> assertThat(alert.get("labels").get("team").asText()).isEqualTo("payments"));
        assertThat(preview.get("matchingIncidents").asInt()).isEqualTo(1);
        JsonNode incident = preview.get("incidents").get(0);
        assertThat(incident.get("matchingAlerts").asInt()).isEqualTo(2);
        assertThat(incident.get("status").asText()).isEqualTo("TRIGGERED");
        assertThat(preview.get("alerts").get(0).get("incidentId").asText()).isEqualTo(incident.get("incidentId").asText());
        assertThat(preview.get("truncated").asBoolean()).isFalse();

        // A resolved alert fires no more: it is not previewed.
        Instant later = now.plusSeconds(1);
        kafka.produce(topics.alerts(), List.of(Map.entry(service + "/pay-2", Alert.newBuilder(alerts.get(1).getValue())
                .setStatus(dev.incidentengine.model.AlertStatus.RESOLVED).setEndsAt(later).setReceivedAt(later).build())));
        await("the resolution read").atMost(Duration.ofSeconds(30)).until(() -> json(api.get(query, VIEWER)).get("matchingAlerts").asInt() == 1);

        // Anyone who may read may preview; a session needs no CSRF token for this GET (a read changes nothing).
        assertThat(api.get(query, RESPONDER).statusCode()).isEqualTo(200);
        assertError(api.get(query, null), 401, null);
        assertError(api.get(query, "not-a-token"), 403, null);
        assertError(api.get("/api/v1/silences/preview", VIEWER), 400, "matchers");
        assertError(api.get("/api/v1/silences/preview?matchers=alertname", VIEWER), 400, "matchers[0]");
        assertError(api.get("/api/v1/silences/preview?matchers=a%3Db&matchers=" + encode("env=~\"(dev\""), VIEWER), 400, "matchers[1]");
        assertError(api.get("/api/v1/silences/preview?matchers=" + encode("alertname=~\".*\""), VIEWER), 400, "matchers");
        assertError(api.get("/api/v1/silences/preview?" + "matchers=a%3Db&".repeat(33), VIEWER), 400, "matchers");
        assertError(api.get("/api/v1/silences/preview?matchers=a%3Db&state=active", VIEWER), 400, "state");
        assertError(api.post("/api/v1/silences/preview", VIEWER, "{\"matchers\": [\"a=b\"]}"), 405, null);
        // On a client of its own: Jetty answers 414 and closes the connection, which the shared client would reuse for the next request.
        HttpResponse<String> tooLong = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                api.base() + "/api/v1/silences/preview?matchers=" + encode("a=~\"" + "x".repeat(20_000) + "\""))).header("Authorization",
                "Bearer " + VIEWER).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(tooLong.statusCode()).as("over the HTTP server's 8 KiB header limit: " + tooLong.body()).isEqualTo(414);
        // The preview id is no silence's.
        assertError(api.post("/api/v1/silences", RESPONDER, "{\"id\": \"preview\", \"matchers\": [\"a=b\"], \"duration\": \"1h\","
                + " \"comment\": \"c\"}"), 400, "id");
    }

    private static String encode(String text) {
        return java.net.URLEncoder.encode(text, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Alert.Builder alert(String fingerprint, String service, Instant at) {
        return Samples.alert(fingerprint).setService(service)
                .setLabels(Map.of("alertname", "HighErrorRate", "service", service, "env", "prod"))
                .setStartsAt(at).setReceivedAt(at);
    }

    private List<String> incidents(String service) throws Exception {
        HttpResponse<String> response = api.get("/api/v1/incidents?service=" + service, VIEWER);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        json(response).get("incidents").forEach(incident -> ids.add(incident.get("incidentId").asText()));
        return ids;
    }

    private static List<String> ids(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        json(response).get("silences").forEach(silence -> ids.add(silence.get("id").asText()));
        return ids;
    }
}
