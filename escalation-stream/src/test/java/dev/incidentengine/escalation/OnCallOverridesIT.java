package dev.incidentengine.escalation;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.EscalateIncident;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.OnCallOverride;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.EscalationLevel;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.LevelTarget;
import dev.incidentengine.model.config.RotationUnit;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ScheduleLayer;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Overrides through the API on a real broker: made by a responder (on the topic with its author), on call at once in
 * the on-call answer and in the page escalation-stream sends, retried without a second record, removed (a tombstone
 * before it begins, an early end while it runs); and the bad-input matrix, which writes nothing.
 */
@WithKafka
class OnCallOverridesIT {

    private static final String RESPONDER = "responder-token";
    private static final String VIEWER = "viewer-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newHttpClient();
    private String base;

    @Test
    void aResponderMakesAnOverride_itIsOnCallAndPaged_retriesAreOne_andRemovingItEndsIt(KafkaTestCluster kafka) throws Exception {
        EscalationTopics topics = EscalationRestartIT.topics(kafka);
        kafka.produce(topics.users(), List.of(Map.entry("alice", user("alice")), Map.entry("carol", user("carol"))));
        kafka.produce(topics.schedules(), List.of(Map.entry("primary", new ScheduleConfig("primary", "Primary", "Europe/Berlin", List.of(
                new ScheduleLayer("daily", List.of("alice"), 1, RotationUnit.DAYS, "2026-01-01T09:00:00", List.of())), List.of()))));
        kafka.produce(topics.policies(), List.of(Map.entry("p", new EscalationPolicyConfig("p", "Primary first", List.of(
                new EscalationLevel(List.of(new LevelTarget(TargetType.SCHEDULE, "primary")), 5, false)), 0, null, false))));

        try (ServiceRunner runner = start(kafka, topics)) {
            base = "http://127.0.0.1:" + runner.httpAddress().getPort();
            await("the schedule readable").atMost(Duration.ofSeconds(60)).until(() -> onCall().statusCode() == 200);
            assertThat(json(onCall()).get("userId").asText()).isEqualTo("alice");

            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            Instant end = now.plus(Duration.ofHours(2));
            String body = JSON.writeValueAsString(Map.of("user", "carol", "start", now.minusSeconds(60).toString(), "end", end.toString(),
                    "reason", "alice is on a plane"));
            HttpResponse<String> made = send("POST", "/api/v1/schedules/primary/overrides?wait=true", body, RESPONDER, "ovr-it-1");
            assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
            assertThat(made.headers().firstValue("Location")).hasValue("/api/v1/schedules/primary/overrides/ovr-it-1");
            JsonNode override = json(made);
            assertThat(override.get("createdBy").asText()).as("the signed-in user").isEqualTo("responder");
            assertThat(Instant.parse(override.get("start").asText())).as("a start in the past is taken as now").isAfterOrEqualTo(now);
            assertThat(override.get("state").asText()).isEqualTo("active");

            JsonNode onCall = json(onCall());
            assertThat(onCall.get("userId").asText()).isEqualTo("carol");
            assertThat(onCall.get("shift").get("layer").asText()).isEqualTo("override");
            assertThat(onCall.get("shift").get("end").asText()).isEqualTo(end.toString());
            JsonNode policy = json(get("/api/v1/oncall", VIEWER)).get("policies").get(0);
            assertThat(policy.get("targets").get(0).get("userIds")).extracting(JsonNode::asText).containsExactly("carol");
            assertThat(policy.get("next").get("at").asText()).isEqualTo(end.toString());

            // A retry (same key) answers with what is stored; the same key for something else is a conflict.
            HttpResponse<String> retried = send("POST", "/api/v1/schedules/primary/overrides", body, RESPONDER, "ovr-it-1");
            assertThat(retried.statusCode()).isEqualTo(200);
            assertThat(json(retried).get("createdAt").asText()).isEqualTo(override.get("createdAt").asText());
            HttpResponse<String> reused = send("POST", "/api/v1/schedules/primary/overrides", body.replace("carol", "alice"), RESPONDER,
                    "ovr-it-1");
            assertThat(reused.statusCode()).isEqualTo(409);

            // The escalation stream pages the override's user for an incident opened now.
            kafka.produce(topics.events(), List.of(Map.entry("INC-1", IncidentEvent.newBuilder().setEventId("open/0").setIncidentId("INC-1")
                    .setSequence(1).setTimestamp(Instant.now()).setActor(new Actor(ActorType.INTEGRATION, "alertmanager", null))
                    .setCauseId("open").setPayload(new IncidentOpened("Checkout errors", Severity.SEV2, "checkout", "k", "p", Map.of(), true, null, null, java.util.Map.of(), null, null))
                    .build())));
            EscalateIncident page = await("the page").atMost(Duration.ofSeconds(60)).until(() -> TopicContents.readToEnd(
                    kafka.bootstrapServers(), topics.commands(), kafka.serdes(), Duration.ofSeconds(10)).stream()
                    .map(record -> record.value().getPayload()).filter(EscalateIncident.class::isInstance).map(EscalateIncident.class::cast)
                    .findFirst().orElse(null), Objects::nonNull);
            assertThat(page.getTargets().get(0).getUserIds()).containsExactly("carol");

            badInputIsRefusedAndWritesNothing();

            // An upcoming override goes with a tombstone.
            HttpResponse<String> upcoming = send("POST", "/api/v1/schedules/primary/overrides?wait=true", JSON.writeValueAsString(Map.of(
                    "id", "ovr-it-2", "user", "alice", "start", end.plus(Duration.ofDays(1)).toString(),
                    "end", end.plus(Duration.ofDays(2)).toString(), "reason", "swap")), RESPONDER, null);
            assertThat(upcoming.statusCode()).as(upcoming.body()).isEqualTo(201);
            assertThat(json(upcoming).get("state").asText()).isEqualTo("upcoming");
            assertThat(send("DELETE", "/api/v1/schedules/primary/overrides/ovr-it-2", null, VIEWER, null).statusCode()).isEqualTo(403);
            HttpResponse<String> removed = send("DELETE", "/api/v1/schedules/primary/overrides/ovr-it-2?wait=true", null, RESPONDER, null);
            assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
            assertThat(json(removed).get("state").asText()).isEqualTo("removed");
            assertThat(overrideRecords(kafka, topics)).filteredOn(record -> record.key().equals("ovr-it-2")).extracting(ConsumerRecord::value)
                    .as("made, then its tombstone").hasSize(2).last().isNull();

            // The running one ends now, and says who ended it.
            HttpResponse<String> ended = send("DELETE", "/api/v1/schedules/primary/overrides/ovr-it-1?wait=true", null, RESPONDER, null);
            assertThat(ended.statusCode()).as(ended.body()).isEqualTo(200);
            assertThat(json(ended).get("state").asText()).isEqualTo("ended");
            assertThat(json(ended).get("removedBy").asText()).isEqualTo("responder");
            assertThat(json(onCall()).get("userId").asText()).isEqualTo("alice");
            assertThat(json(get("/api/v1/schedules/primary/overrides", VIEWER)).get("overrides")).isEmpty();
            assertThat(send("DELETE", "/api/v1/schedules/primary/overrides/ovr-it-1", null, RESPONDER, null).statusCode())
                    .as("removing an ended one changes nothing").isEqualTo(200);
            assertThat(send("DELETE", "/api/v1/schedules/primary/overrides/nope", null, RESPONDER, null).statusCode()).isEqualTo(404);
            assertThat(overrideRecords(kafka, topics)).filteredOn(record -> record.key().equals("ovr-it-1")).extracting(ConsumerRecord::value)
                    .as("made once (the retry wrote nothing), then ended early").hasSize(2).last()
                    .satisfies(last -> assertThat(last.getRemovedBy()).isEqualTo("responder"));
        }
    }

    /** Each refused with its status and field; afterwards the schedule's overrides are the one made before. */
    private void badInputIsRefusedAndWritesNothing() throws Exception {
        Instant now = Instant.now();
        String in1h = now.plus(Duration.ofHours(1)).toString();
        String in2h = now.plus(Duration.ofHours(2)).toString();
        Object[][] matrix = {
                // body, status, field
                {"{\"user\":\"carol\",\"start\":\"" + in1h + "\",\"end\":\"" + in2h + "\",\"reason\":\"r\",\"color\":\"red\"}", 400, "color"},
                {"{\"start\":\"" + in1h + "\",\"end\":\"" + in2h + "\",\"reason\":\"r\"}", 400, "user"},
                {"{\"user\":\"mallory\",\"start\":\"" + in1h + "\",\"end\":\"" + in2h + "\",\"reason\":\"r\"}", 400, "user"},
                {"{\"user\":42,\"start\":\"" + in1h + "\",\"end\":\"" + in2h + "\",\"reason\":\"r\"}", 400, "user"},
                {"{\"user\":\"carol\",\"start\":\"tomorrow\",\"end\":\"" + in2h + "\",\"reason\":\"r\"}", 400, "start"},
                {"{\"user\":\"carol\",\"start\":\"2027-03-28T09:00:00\",\"end\":\"" + in2h + "\",\"reason\":\"r\"}", 400, "start"},
                {"{\"user\":\"carol\",\"start\":\"" + in2h + "\",\"end\":\"" + in1h + "\",\"reason\":\"r\"}", 400, "end"},
                {"{\"user\":\"carol\",\"start\":\"" + now.minus(Duration.ofHours(3)) + "\",\"end\":\"" + now.minus(Duration.ofHours(1))
                        + "\",\"reason\":\"r\"}", 400, "end"},
                {"{\"user\":\"carol\",\"start\":\"" + in1h + "\",\"end\":\"" + now.plus(Duration.ofDays(40)) + "\",\"reason\":\"r\"}", 400, "end"},
                {"{\"user\":\"carol\",\"start\":\"" + now.plus(Duration.ofDays(200)) + "\",\"end\":\"" + now.plus(Duration.ofDays(201))
                        + "\",\"reason\":\"r\"}", 400, "start"},
                {"{\"user\":\"carol\",\"start\":\"" + in1h + "\",\"end\":\"" + in2h + "\"}", 400, "reason"},
                {"{\"user\":\"carol\",\"start\":\"" + in1h + "\",\"end\":\"" + in2h + "\",\"reason\":\"" + "x".repeat(501) + "\"}", 400, "reason"},
                {"{\"user\":\"carol\",\"start\":\"" + in1h + "\",\"end\":\"" + in2h + "\",\"reason\":\"r\",\"id\":\"../x\"}", 400, "id"},
                {"{\"user\":\"carol\",\"start\":\"" + in1h + "\",\"end\":\"" + in2h + "\",\"reason\":\"r\",\"user\":\"alice\"}", 400, "body"},
                {"{\"user\":", 400, "body"},
                {"[]", 400, "body"},
                {"{\"reason\":\"" + "x".repeat(20_000) + "\"}", 413, null},
        };
        for (Object[] row : matrix) {
            HttpResponse<String> refused = send("POST", "/api/v1/schedules/primary/overrides", (String) row[0], RESPONDER, null);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(row[1]);
            assertThat(json(refused).path("field").isMissingNode() ? null : json(refused).get("field").textValue())
                    .as(refused.body()).isEqualTo(row[2]);
        }
        String good = "{\"user\":\"carol\",\"start\":\"" + in1h + "\",\"end\":\"" + in2h + "\",\"reason\":\"r\"}";
        assertThat(send("POST", "/api/v1/schedules/primary/overrides?wait=true", good, RESPONDER, "a").statusCode())
                .as("the id from the Idempotency-Key header").isEqualTo(201);
        assertThat(json(send("POST", "/api/v1/schedules/primary/overrides", good.replace("}", ",\"id\":\"b\"}"), RESPONDER, "c"))
                .get("field").asText()).as("an id in the body other than the header's").isEqualTo("id");
        assertThat(send("POST", "/api/v1/schedules/nope/overrides", good, RESPONDER, null).statusCode()).isEqualTo(404);
        assertThat(send("POST", "/api/v1/schedules/primary/overrides", good, VIEWER, null).statusCode()).isEqualTo(403);
        assertThat(send("POST", "/api/v1/schedules/primary/overrides", good, null, null).statusCode()).isEqualTo(401);
        assertThat(send("POST", "/api/v1/schedules/primary/overrides?wait=maybe", good, RESPONDER, null).statusCode()).isEqualTo(400);
        assertThat(send("POST", "/api/v1/schedules/primary/shifts", good, RESPONDER, null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/api/v1/schedules/primary/overrides/a?wait=true", null, RESPONDER, null).statusCode()).isEqualTo(200);
        await("only the override made before").atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                json(get("/api/v1/schedules/primary/overrides", VIEWER)).get("overrides")).extracting(o -> o.get("id").asText())
                .containsExactly("ovr-it-1"));
    }

    private static UserConfig user(String id) {
        return new UserConfig(id, id, "UTC", List.of(), List.of());
    }

    private ServiceRunner start(KafkaTestCluster kafka, EscalationTopics topics) throws Exception {
        Path tokens = dir.resolve("tokens.yaml");
        Files.writeString(tokens, "tokens:\n  - {user: responder, role: responder, token: " + RESPONDER + "}\n"
                + "  - {user: victor, role: viewer, token: " + VIEWER + "}\n");
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        settings.put(EngineConfig.API_TOKENS_FILE_CONFIG, tokens.toString());
        settings.put(EscalationStreamConfig.APPLICATION_ID_CONFIG, "escalation-" + topics.events().name());
        ServiceRunner runner = new ServiceRunner("127.0.0.1", 0,
                List.of(new EscalationStreamService(new EscalationStreamConfig(settings), topics))).start();
        await("escalation-stream running").atMost(Duration.ofSeconds(60)).until(runner::ready);
        return runner;
    }

    private static List<ConsumerRecord<String, OnCallOverride>> overrideRecords(KafkaTestCluster kafka, EscalationTopics topics) {
        return TopicContents.readToEnd(kafka.bootstrapServers(), topics.overrides(), kafka.serdes(), Duration.ofSeconds(10));
    }

    private HttpResponse<String> onCall() throws Exception {
        return get("/api/v1/oncall?schedule=primary", VIEWER);
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return send("GET", path, null, token, null);
    }

    private HttpResponse<String> send(String method, String path, String body, String token, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }
}
