package dev.incidentengine.incident;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.LinkTicket;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.StatusComponentConfig;
import dev.incidentengine.model.config.StatusPageConfig;
import dev.incidentengine.model.config.StatusTemplates;
import dev.incidentengine.schemas.EventHeaders;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.Samples;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The incidents HTTP API on a real broker: queries, commands with ?wait=true, idempotency, tokens and roles, bad input. */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IncidentApiIT {

    static final String RESPONDER = "alice-responder-token";
    static final String VIEWER = "victor-viewer-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaTestCluster kafka;
    private IncidentTopics topics;
    private ServiceRunner runner;
    private Api api;

    @TempDir
    static Path dir;

    IncidentApiIT(KafkaTestCluster kafka) {
        this.kafka = kafka;
    }

    @BeforeAll
    void start() throws Exception {
        topics = IncidentTestTopics.create(kafka);
        runner = new ServiceRunner("127.0.0.1", 0, List.of(new IncidentStreamService(config(kafka, topics, dir, "single"), topics))).start();
        api = new Api("http://127.0.0.1:" + runner.httpAddress().getPort());
        await("incident-stream ready").atMost(Duration.ofSeconds(60)).until(runner::ready);
    }

    @AfterAll
    void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    /** Settings for one instance: its own state dir, a free HTTP port, the tokens of these tests. */
    static IncidentStreamConfig config(KafkaTestCluster kafka, IncidentTopics topics, Path dir, String instance) throws Exception {
        return config(kafka, topics, dir, instance, Map.of());
    }

    /** With {@code more} settings, which may name another tokens file. */
    static IncidentStreamConfig config(KafkaTestCluster kafka, IncidentTopics topics, Path dir, String instance, Map<String, String> more)
            throws Exception {
        Path tokens = dir.resolve("api-tokens.yaml");
        Files.writeString(tokens, """
                tokens:
                  - {user: alice, role: responder, token: %s}
                  - {user: victor, role: viewer, token: %s}
                """.formatted(RESPONDER, VIEWER));
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("state-" + instance).toString());
        settings.put("kafka.commit.interval.ms", "100");
        settings.put("kafka.client.id", instance);
        settings.put(IncidentStreamConfig.APPLICATION_ID_CONFIG, IncidentTestTopics.applicationId(topics));
        settings.put(IncidentStreamConfig.API_TOKENS_FILE_CONFIG, tokens.toString());
        settings.putAll(more);
        return new IncidentStreamConfig(settings);
    }

    /** Opens an incident the way correlation does: an AttachAlert command of a firing alert, from an integration. */
    static void open(KafkaTestCluster kafka, IncidentTopics topics, String incidentId, String service, Severity severity, Instant at) {
        IncidentCommand command = IncidentCommand.newBuilder()
                .setCommandId("open-" + incidentId)
                .setIncidentId(incidentId)
                .setActor(new Actor(ActorType.INTEGRATION, "demo-alertmanager", null))
                .setTimestamp(at)
                .setPayload(new AttachAlert(Samples.alert("fp-" + incidentId).setService(service).setSeverity(severity)
                        .setStartsAt(at).setReceivedAt(at).build(), service + "|HighErrorRate", null, true, null))
                .build();
        kafka.produce(topics.commands(), List.of(Map.entry(incidentId, command)));
    }

    private String openNow(String service) {
        String id = "INC-" + UUID.randomUUID().toString().substring(0, 8);
        open(kafka, topics, id, service, Severity.SEV2, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        await("incident " + id + " in the view").atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/api/v1/incidents/" + id, VIEWER).statusCode() == 200);
        return id;
    }

    @Test
    void aResponderAcknowledgesAndResolves_waitingForTheOutcome() throws Exception {
        String id = openNow("checkout");

        HttpResponse<String> ack = api.post("/api/v1/incidents/" + id + "/acknowledge?wait=true", RESPONDER, "{\"message\": \"on it\"}");
        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        JsonNode acked = json(ack);
        assertThat(acked.get("outcome").asText()).isEqualTo("APPLIED");
        assertThat(acked.get("events")).hasSize(1);
        JsonNode event = acked.get("events").get(0);
        assertThat(event.get("payload").get("type").asText()).isEqualTo("IncidentAcknowledged");
        assertThat(event.get("payload").get("message").asText()).isEqualTo("on it");
        assertThat(event.get("actor").get("type").asText()).isEqualTo("USER");
        assertThat(event.get("actor").get("id").asText()).isEqualTo("alice");
        assertThat(acked.get("incident").get("status").asText()).isEqualTo("ACKNOWLEDGED");
        assertThat(acked.get("incident").get("version").asLong()).isEqualTo(event.get("sequence").asLong());

        HttpResponse<String> again = api.post("/api/v1/incidents/" + id + "/acknowledge?wait=true", RESPONDER, "");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(json(again).get("outcome").asText()).isEqualTo("UNCHANGED");
        assertThat(json(again).get("events")).isEmpty();

        HttpResponse<String> resolve = api.post("/api/v1/incidents/" + id + "/resolve?wait=true", RESPONDER,
                "{\"resolution\": \"rolled back\"}");
        assertThat(resolve.statusCode()).as(resolve.body()).isEqualTo(200);
        assertThat(json(resolve).get("events")).extracting(e -> e.get("payload").get("type").asText())
                .as("a SEV2: a review recommended").containsExactly("IncidentResolved", "ReviewRequired");
        assertThat(json(resolve).get("incident").get("status").asText()).isEqualTo("RESOLVED");

        HttpResponse<String> late = api.post("/api/v1/incidents/" + id + "/acknowledge?wait=true", RESPONDER, "{}");
        assertThat(late.statusCode()).as(late.body()).isEqualTo(409);
        assertThat(json(late).get("outcome").asText()).isEqualTo("REJECTED");
        assertThat(json(late).get("error").asText()).isEqualTo("cannot acknowledge a resolved incident");

        JsonNode log = json(api.get("/api/v1/incidents/" + id + "/events", VIEWER)).get("events");
        List<String> types = new ArrayList<>();
        log.forEach(e -> types.add(e.get("payload").get("type").asText()));
        assertThat(types).containsExactly("IncidentOpened", "AlertAttached", "IncidentAcknowledged", "IncidentResolved",
                "ReviewRequired", "CommandRejected");

        JsonNode shown = json(api.get("/api/v1/incidents/" + id, VIEWER));
        assertThat(shown.get("incidentId").asText()).isEqualTo(id);
        assertThat(shown.get("status").asText()).isEqualTo("RESOLVED");
        assertThat(shown.get("openedAt").asText()).endsWith("Z");
        assertThat(shown.get("alerts")).hasSize(1);
        assertThat(shown.get("alerts").get(0).get("fingerprint").asText()).isEqualTo("fp-" + id);
        assertThat(shown.get("alerts").get(0).get("alert").get("labels").get("alertname").asText()).isEqualTo("HighErrorRate");
        assertThat(shown.has("processedCommandIds")).isFalse();
    }

    @Test
    void withoutWait_aCommandIsAcceptedOnceKafkaHasIt() throws Exception {
        String id = openNow("checkout");

        HttpResponse<String> note = api.post("/api/v1/incidents/" + id + "/notes", RESPONDER, "{\"text\": \"looking at the logs\"}");

        assertThat(note.statusCode()).as(note.body()).isEqualTo(202);
        assertThat(json(note).get("incidentId").asText()).isEqualTo(id);
        assertThat(json(note).get("commandId").asText()).hasSize(36);
        await("the note in the log").atMost(Duration.ofSeconds(30)).until(() ->
                api.get("/api/v1/incidents/" + id + "/events", VIEWER).body().contains("looking at the logs"));
    }

    @Test
    void theSameCommandIdTwice_hasOneEffect() throws Exception {
        String id = openNow("checkout");
        String path = "/api/v1/incidents/" + id + "/notes?wait=true";

        HttpResponse<String> first = api.post(path, RESPONDER, "{\"text\": \"restarting the pods\"}", "Idempotency-Key", "note-1");
        HttpResponse<String> second = api.post(path, RESPONDER, "{\"text\": \"restarting the pods\", \"commandId\": \"note-1\"}");
        HttpResponse<String> other = api.post(path, RESPONDER, "{\"text\": \"pods restarted\"}");

        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(json(first).get("outcome").asText()).isEqualTo("APPLIED");
        assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
        assertThat(json(second).get("commandId").asText()).isEqualTo("note-1");
        assertThat(json(second).get("events")).isEqualTo(json(first).get("events"));
        // The third command's outcome means the repeat before it on the same partition was decided too.
        assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
        String log = api.get("/api/v1/incidents/" + id + "/events", VIEWER).body();
        assertThat(log.split("NoteAdded", -1)).hasSize(3);
        assertThat(log.split("restarting the pods", -1)).hasSize(2);
    }

    @Test
    void theListFiltersOrdersNewestFirstAndPages() throws Exception {
        String service = "list-" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        open(kafka, topics, "INC-" + service + "-1", service + "-a", Severity.SEV2, now.minusSeconds(180));
        open(kafka, topics, "INC-" + service + "-2", service + "-a", Severity.SEV1, now.minusSeconds(120));
        open(kafka, topics, "INC-" + service + "-3", service + "-b", Severity.SEV3, now.minusSeconds(60));
        String both = "/api/v1/incidents?service=" + service + "-a," + service + "-b";
        await("three incidents listed").atMost(Duration.ofSeconds(30)).until(() -> ids(api.get(both, VIEWER)).size() == 3);

        assertThat(ids(api.get(both, VIEWER))).containsExactly("INC-" + service + "-3", "INC-" + service + "-2", "INC-" + service + "-1");
        HttpResponse<String> firstPage = api.get(both + "&limit=2", VIEWER);
        assertThat(ids(firstPage)).containsExactly("INC-" + service + "-3", "INC-" + service + "-2");
        String cursor = json(firstPage).get("nextCursor").asText();
        HttpResponse<String> secondPage = api.get(both + "&limit=2&cursor=" + cursor, VIEWER);
        assertThat(ids(secondPage)).containsExactly("INC-" + service + "-1");
        assertThat(json(secondPage).get("nextCursor").isNull()).isTrue();

        assertThat(ids(api.get("/api/v1/incidents?service=" + service + "-a&severity=sev1", VIEWER))).containsExactly("INC-" + service + "-2");
        assertThat(ids(api.get(both + "&since=" + now.minusSeconds(150), VIEWER)))
                .containsExactly("INC-" + service + "-3", "INC-" + service + "-2");
        assertThat(ids(api.get(both + "&status=ACKNOWLEDGED", VIEWER))).isEmpty();
        assertThat(api.post("/api/v1/incidents/INC-" + service + "-1/acknowledge?wait=true", RESPONDER, "").statusCode()).isEqualTo(200);
        assertThat(ids(api.get(both + "&status=acknowledged,resolved", VIEWER))).containsExactly("INC-" + service + "-1");

        JsonNode summary = json(api.get(both + "&limit=1", VIEWER)).get("incidents").get(0);
        assertThat(summary.get("service").asText()).isEqualTo(service + "-b");
        assertThat(summary.get("severity").asText()).isEqualTo("SEV3");
        assertThat(summary.get("alertCount").asInt()).isEqualTo(1);
        assertThat(summary.get("firingAlertCount").asInt()).isEqualTo(1);

        assertError(api.get("/api/v1/incidents?status=open", VIEWER), 400, "status");
        assertError(api.get("/api/v1/incidents?since=yesterday", VIEWER), 400, "since");
        assertError(api.get("/api/v1/incidents?limit=1000", VIEWER), 400, "limit");
        assertError(api.get("/api/v1/incidents?cursor=garbage", VIEWER), 400, "cursor");
        assertError(api.get("/api/v1/incidents?sevrity=SEV1", VIEWER), 400, "sevrity");
    }

    @Test
    void aResponderPublishesAnIncidentToTheStatusPageAndPostsAnUpdate() throws Exception {
        configureStatusPage();
        JsonNode page = json(api.get("/api/v1/status-page/config", VIEWER));
        assertThat(page.get("id").asText()).isEqualTo("public");
        assertThat(page.get("components")).extracting(c -> c.get("id").asText() + "/" + c.get("name").asText() + "/" + c.get("group").asText())
                .containsExactly("checkout/Checkout/Shop", "storefront/Storefront/null");
        String id = openNow("checkout");
        assertThat(json(api.get("/api/v1/incidents/" + id, VIEWER)).get("publication").isNull()).isTrue();

        HttpResponse<String> published = api.post("/api/v1/incidents/" + id + "/publication?wait=true", RESPONDER,
                "{\"title\": \"Checkout is slow\", \"impact\": \"minor\", \"components\": [\"checkout\"]}");

        assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
        JsonNode event = json(published).get("events").get(0).get("payload");
        assertThat(event.get("type").asText()).isEqualTo("IncidentPublished");
        assertThat(event.get("message").asText()).isEqualTo("We are investigating reports of a problem affecting Checkout. "
                + "We will post an update within 2 hours.");
        JsonNode publication = json(published).get("incident").get("publication");
        assertThat(publication.get("status").asText()).isEqualTo("investigating");
        assertThat(publication.get("impact").asText()).isEqualTo("minor");
        assertThat(publication.get("nextUpdateDueAt").asText()).endsWith("Z");

        HttpResponse<String> update = api.post("/api/v1/incidents/" + id + "/public-updates?wait=true", RESPONDER,
                "{\"status\": \"identified\", \"message\": \"A bad deploy; rolling back.\", \"impact\": \"major\","
                        + " \"components\": [\"checkout\", \"storefront\"]}");
        assertThat(update.statusCode()).as(update.body()).isEqualTo(200);
        JsonNode shown = json(api.get("/api/v1/incidents/" + id, VIEWER)).get("publication");
        assertThat(shown.get("status").asText()).isEqualTo("identified");
        assertThat(shown.get("impact").asText()).isEqualTo("major");
        assertThat(shown.get("components")).extracting(JsonNode::asText).containsExactly("checkout", "storefront");
        assertThat(shown.get("updates").asInt()).isEqualTo(2);

        HttpResponse<String> again = api.post("/api/v1/incidents/" + id + "/publication?wait=true", RESPONDER,
                "{\"title\": \"Again\", \"impact\": \"minor\", \"components\": []}");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
        assertThat(json(again).get("error").asText()).isEqualTo("already published: post a public update instead");
        HttpResponse<String> resolved = api.post("/api/v1/incidents/" + id + "/resolve?wait=true", RESPONDER, "{}");
        assertThat(json(resolved).get("events")).extracting(e -> e.get("payload").get("type").asText())
                .contains("IncidentResolved", "PublicUpdatePosted");
        assertThat(json(resolved).get("incident").get("publication").get("status").asText()).isEqualTo("resolved");

        // On the log, the status page's writer reads a published incident's events by their header alone.
        List<String> marked = new ArrayList<>();
        TopicContents.readToEnd(kafka.bootstrapServers(), topics.events(), kafka.serdes(), Duration.ofSeconds(30)).stream()
                .filter(record -> record.key().equals(id))
                .forEach(record -> marked.add(record.value().getPayload().getClass().getSimpleName() + "="
                        + EventHeaders.isPublic(record.headers())));
        assertThat(marked).startsWith("IncidentOpened=false", "AlertAttached=false")
                .contains("IncidentPublished=true", "PublicUpdatePosted=true", "IncidentResolved=true")
                .filteredOn(line -> line.endsWith("=false")).hasSize(2);
    }

    @Test
    void badPublicationsAndPublicUpdatesAreRefusedAndChangeNothing() throws Exception {
        configureStatusPage();
        String id = openNow("checkout");
        String publish = "/api/v1/incidents/" + id + "/publication?wait=true";
        String update = "/api/v1/incidents/" + id + "/public-updates?wait=true";
        String good = "\"impact\": \"minor\", \"components\": [\"checkout\"]";

        assertError(api.post(publish, RESPONDER, "{" + good + "}"), 400, "title");
        assertError(api.post(publish, RESPONDER, "{\"title\": \"" + "t".repeat(201) + "\", " + good + "}"), 400, "title");
        assertError(api.post(publish, RESPONDER, "{\"title\": 7, " + good + "}"), 400, "title");
        assertError(api.post(publish, RESPONDER, "{\"title\": \"t\", \"components\": []}"), 400, "impact");
        assertError(api.post(publish, RESPONDER, "{\"title\": \"t\", \"impact\": \"huge\", \"components\": []}"), 400, "impact");
        assertError(api.post(publish, RESPONDER, "{\"title\": \"t\", \"impact\": \"minor\"}"), 400, "components");
        assertError(api.post(publish, RESPONDER, "{\"title\": \"t\", \"impact\": \"minor\", \"components\": \"checkout\"}"), 400, "components");
        assertError(api.post(publish, RESPONDER, "{\"title\": \"t\", \"impact\": \"minor\", \"components\": [1]}"), 400, "components");
        assertError(api.post(publish, RESPONDER, "{\"title\": \"t\", \"impact\": \"minor\", \"components\": [\"payments\"]}"), 400, "components");
        assertError(api.post(publish, RESPONDER, "{\"title\": \"t\", \"impact\": \"minor\", \"components\": [\"checkout\", \"checkout\"]}"),
                400, "components");
        assertError(api.post(publish, RESPONDER, "{\"title\": \"t\", " + good + ", \"status\": \"fixed\"}"), 400, "status");
        assertError(api.post(publish, RESPONDER, "{\"title\": \"t\", " + good + ", \"message\": \"\"}"), 400, "message");
        assertError(api.post(publish, RESPONDER, "{\"title\": \"t\", " + good + ", \"message\": \"" + "m".repeat(5_001) + "\"}"),
                400, "message");
        assertError(api.post(publish, RESPONDER, "{\"title\": \"t\", " + good + ", \"colour\": \"red\"}"), 400, "colour");
        assertError(api.post(publish, RESPONDER, "{\"title\": "), 400, "body");
        assertError(api.post(publish, VIEWER, "{\"title\": \"t\", " + good + "}"), 403, null);
        assertError(api.post(publish, null, "{\"title\": \"t\", " + good + "}"), 401, null);
        assertError(api.post("/api/v1/incidents/INC-NOPE/publication", RESPONDER, "{\"title\": \"t\", " + good + "}"), 404, null);

        assertError(api.post(update, RESPONDER, "{\"message\": \"m\"}"), 400, "status");
        assertError(api.post(update, RESPONDER, "{\"status\": \"bogus\", \"message\": \"m\"}"), 400, "status");
        assertError(api.post(update, RESPONDER, "{\"status\": \"identified\", \"message\": \"m\", \"impact\": \"all\"}"), 400, "impact");
        assertError(api.post(update, RESPONDER, "{\"status\": \"identified\", \"message\": \"m\", \"components\": [\"nope\"]}"),
                400, "components");
        assertError(api.post(update, RESPONDER, "{\"status\": \"identified\", \"title\": \"t\"}"), 400, "title");
        HttpResponse<String> unpublished = api.post(update, RESPONDER, "{\"status\": \"identified\", \"message\": \"m\"}");
        assertThat(unpublished.statusCode()).as(unpublished.body()).isEqualTo(409);
        assertThat(json(unpublished).get("error").asText()).isEqualTo("not published: publish the incident first");
        assertError(api.get("/api/v1/status-page/config?x=1", VIEWER), 400, "x");
        assertError(api.get("/api/v1/status-page/config", null), 401, null);

        JsonNode log = json(api.get("/api/v1/incidents/" + id + "/events", VIEWER)).get("events");
        assertThat(log).extracting(e -> e.get("payload").get("type").asText())
                .containsExactly("IncidentOpened", "AlertAttached", "CommandRejected");
        assertThat(json(api.get("/api/v1/incidents/" + id, VIEWER)).get("publication").isNull()).isTrue();
    }

    /** The status page of the local engine's demo: checkout (grouped) and storefront; SEV2 updates every 2 hours. */
    private void configureStatusPage() {
        kafka.produce(topics.statusPages(), List.of(Map.entry("public", StatusPageConfig.newBuilder().setId("public")
                .setName("Demo Shop Status")
                .setComponents(List.of(StatusComponentConfig.newBuilder().setId("checkout").setName("Checkout").setGroup("Shop").build(),
                        StatusComponentConfig.newBuilder().setId("storefront").setName("Storefront").build()))
                .setTemplates(StatusTemplates.newBuilder().build())
                .build())));
        await("the status page config read").atMost(Duration.ofSeconds(30))
                .until(() -> json(api.get("/api/v1/status-page/config", VIEWER)).get("configured").asBoolean());
    }

    @Test
    void credentialsRolesAndBadRequestsAreRefused() throws Exception {
        String id = openNow("checkout");
        String ack = "/api/v1/incidents/" + id + "/acknowledge";

        HttpResponse<String> anonymous = api.get("/api/v1/incidents", null);
        assertError(anonymous, 401, null);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(value -> assertThat(value).startsWith("Bearer"));
        assertError(api.post(ack, null, "{}"), 401, null);
        assertError(api.get("/api/v1/incidents", "not-a-token"), 403, null);
        assertError(api.post(ack, VIEWER, "{}"), 403, null);
        assertThat(api.get("/api/v1/incidents", VIEWER).statusCode()).isEqualTo(200);
        assertThat(api.get("/api/v1/incidents/" + id + "/events", RESPONDER).statusCode()).isEqualTo(200);

        assertError(api.get("/api/v1/incidents/INC-NOPE", VIEWER), 404, null);
        assertError(api.get("/api/v1/incidents/INC-NOPE/events", VIEWER), 404, null);
        assertError(api.get("/api/v1/incidents/" + id + "/events?order=latest", VIEWER), 400, "order");
        assertError(api.get("/api/v1/incidents/" + id + "/events?cursor=7", VIEWER), 400, "cursor");
        assertError(api.get("/api/v1/incidents/" + id + "/events?sort=newest", VIEWER), 400, "sort");
        assertError(api.post("/api/v1/incidents/INC-NOPE/acknowledge", RESPONDER, "{}"), 404, null);
        String postmortem = "/api/v1/incidents/" + id + "/postmortem";
        assertError(api.get(postmortem, null), 401, null);
        assertError(api.get(postmortem, "not-a-token"), 403, null);
        assertError(api.get("/api/v1/incidents/INC-NOPE/postmortem", VIEWER), 404, null);
        assertError(api.get(postmortem + "?format=pdf", VIEWER), 400, "format");
        assertError(api.get(postmortem + "/extra", VIEWER), 404, null);
        assertError(api.post(postmortem, RESPONDER, "{}"), 404, null);
        assertError(api.post("/api/v1/incidents/" + id + "/escalate", RESPONDER, "{}"), 404, null);

        assertError(api.post(ack, RESPONDER, "{\"mesage\": \"typo\"}"), 400, "mesage");
        assertError(api.post(ack, RESPONDER, "{\"message\": "), 400, "body");
        assertError(api.post(ack, RESPONDER, "{\"expectedVersion\": \"two\"}"), 400, "expectedVersion");
        assertError(api.post(ack + "?wait=maybe", RESPONDER, "{}"), 400, "wait");
        assertError(api.post("/api/v1/incidents/" + id + "/notes", RESPONDER, "{}"), 400, "text");
        assertError(api.post("/api/v1/incidents/" + id + "/severity", RESPONDER, "{\"severity\": \"SEV7\"}"), 400, "severity");
        assertError(api.post("/api/v1/incidents/" + id + "/merge", RESPONDER, "{\"into\": \"INC-NOPE\"}"), 400, "into");
        assertError(api.post("/api/v1/incidents/" + id + "/notes", RESPONDER, "{\"text\": \"" + "x".repeat(70_000) + "\"}"), 413, null);

        // Nothing refused reached the incident.
        JsonNode log = json(api.get("/api/v1/incidents/" + id + "/events", VIEWER)).get("events");
        assertThat(log).hasSize(2);
        JsonNode newest = json(api.get("/api/v1/incidents/" + id + "/events?order=newest&limit=1", VIEWER));
        assertThat(newest.get("events").get(0).get("eventId")).isEqualTo(log.get(1).get("eventId"));
        JsonNode older = json(api.get("/api/v1/incidents/" + id + "/events?order=newest&limit=1&cursor=" + newest.get("nextCursor").asText(), VIEWER));
        assertThat(older.get("events").get(0).get("eventId")).isEqualTo(log.get(0).get("eventId"));
        assertThat(older.get("nextCursor").isNull()).isTrue();
    }

    /**
     * A storm's postmortem: 10,000 alerts attached through the aggregate, acknowledged, noted and
     * resolved by a person; the viewer reads the review in Markdown, written from the whole log
     * streamed from the events store, its timeline the first and last 20 alert events and every act.
     */
    @Test
    void aTicketLinkedByTheConnectorShowsOnTheIncident_inItsEvents_andInItsPostmortem() throws Exception {
        String id = openNow("checkout");
        TicketRef ticket = new TicketRef("redmine", "42", "https://redmine.example/issues/42", null);
        IncidentCommand link = IncidentCommand.newBuilder().setCommandId("ticket-" + id).setIncidentId(id)
                .setActor(new Actor(ActorType.INTEGRATION, "connect:redmine-ops", null)).setTimestamp(Instant.now())
                .setPayload(new LinkTicket(ticket)).build();
        kafka.produce(topics.commands(), List.of(Map.entry(id, link), Map.entry(id, IncidentCommand.newBuilder(link).setCommandId("again").build())));

        String incident = "/api/v1/incidents/" + id;
        await("the ticket on the incident").atMost(Duration.ofSeconds(30))
                .until(() -> json(api.get(incident, VIEWER)).get("tickets").size() == 1);
        assertThat(json(api.get(incident, VIEWER)).get("tickets").get(0).toString())
                .isEqualTo("{\"system\":\"redmine\",\"key\":\"42\",\"url\":\"https://redmine.example/issues/42\",\"actionItemId\":null}");
        JsonNode events = json(api.get(incident + "/events", VIEWER)).get("events");
        assertThat(events.findValues("type").stream().map(JsonNode::asText).filter("TicketLinked"::equals)).as("linked once").hasSize(1);
        assertThat(api.get(incident + "/postmortem", VIEWER).body()).contains("| Ticket | [42](https://redmine.example/issues/42) (redmine) |");
    }

    @Test
    void aPostmortemIsWrittenFromTheLog_itsTimelineBoundedInAStorm() throws Exception {
        int storm = 10_000;
        String id = "INC-" + UUID.randomUUID().toString().substring(0, 8);
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<Map.Entry<String, IncidentCommand>> attaches = new ArrayList<>();
        for (int i = 0; i < storm; i++) {
            attaches.add(Map.entry(id, IncidentCommand.newBuilder().setCommandId("attach-" + id + "-" + i).setIncidentId(id)
                    .setActor(new Actor(ActorType.INTEGRATION, "demo-alertmanager", null)).setTimestamp(at.plusMillis(i))
                    .setPayload(new AttachAlert(Samples.alert("fp-" + id + "-" + i).setService("checkout").setStartsAt(at.plusMillis(i))
                            .setReceivedAt(at.plusMillis(i)).build(), "checkout|HighErrorRate", null, true, null)).build()));
        }
        kafka.produce(topics.commands(), attaches);
        await("the storm in the view").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    HttpResponse<String> shown = api.get("/api/v1/incidents/" + id, VIEWER);
                    return shown.statusCode() == 200 && json(shown).get("alertCount").asInt() == storm;
                });
        String incident = "/api/v1/incidents/" + id;
        assertThat(api.post(incident + "/acknowledge?wait=true", RESPONDER, "{\"message\": \"on it\"}").statusCode()).isEqualTo(200);
        assertThat(api.post(incident + "/notes?wait=true", RESPONDER, "{\"text\": \"<img src=x onerror=alert(1)>\"}").statusCode())
                .isEqualTo(200);
        assertThat(api.post(incident + "/resolve?wait=true", RESPONDER, "{\"resolution\": \"rolled back\"}").statusCode()).isEqualTo(200);

        long started = System.nanoTime();
        HttpResponse<String> review = api.get(incident + "/postmortem", VIEWER);
        long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(review.statusCode()).as(review.body()).isEqualTo(200);
        assertThat(review.headers().firstValue("Content-Type")).hasValue("text/markdown; charset=utf-8");
        String markdown = review.body();
        assertThat(markdown).startsWith("# Post-incident review: High error rate on checkout (" + id + ")\n").contains(
                "| Service | checkout |", "| Alerts | " + storm + " |", "| Resolved | ", " by alice: rolled back |",
                "- alice: acknowledged, note, resolved",
                "| alice | note: \\<img src=x onerror=alert(1)\\> |",
                "| - | … 9,960 more alert events (attached or resolved) not shown … |",
                "Notifications: not in this document (the read side does not keep them; `incidentctl postmortem " + id + "`");
        assertThat(markdown.lines().filter(line -> line.contains("| alert fp-"))).hasSize(40);
        assertThat(api.get(incident + "/postmortem", RESPONDER).body()).isEqualTo(markdown);
        System.out.printf("postmortem of a %,d-alert incident: %d ms, %,d bytes%n", storm, millis, markdown.length());
    }

    @Test
    void aReportSumsTheIncidentsOfAPeriod_forViewers_andBadPeriodsAreRefused() throws Exception {
        String service = "reports-" + UUID.randomUUID().toString().substring(0, 8);
        String acked = openNow(service);
        String open = openNow(service);
        assertThat(api.post("/api/v1/incidents/" + acked + "/acknowledge?wait=true", RESPONDER, "{}").statusCode()).isEqualTo(200);
        assertThat(api.post("/api/v1/incidents/" + acked + "/resolve?wait=true", RESPONDER, "{}").statusCode()).isEqualTo(200);
        String path = "/api/v1/reports?service=" + service;

        JsonNode report = await("both incidents in the report").atMost(Duration.ofSeconds(30))
                .until(() -> json(api.get(path, VIEWER)), answer -> answer.get("totals").get("resolved").asInt() == 1);
        assertThat(report.get("to").asText()).isEqualTo(LocalDate.now(ZoneOffset.UTC).toString());
        assertThat(report.get("from").asText()).isEqualTo(LocalDate.now(ZoneOffset.UTC).minusDays(29).toString());
        JsonNode totals = report.get("totals");
        assertThat(totals.get("incidents").asInt()).as(open + " counts, never acknowledged").isEqualTo(2);
        assertThat(totals.get("acknowledged").asInt()).isEqualTo(1);
        assertThat(totals.get("targetMet").asInt()).as("a SEV2 acknowledged and resolved within seconds").isEqualTo(1);
        assertThat(report.get("byService").findValuesAsText("group")).containsExactly(service);
        assertThat(report.get("bySeverity").findValuesAsText("group")).containsExactly("SEV2");
        assertThat(report.get("noisiestAlerts").get(0).toString()).isEqualTo("{\"alert\":\"" + service + " / HighErrorRate\",\"attached\":2}");
        assertThat(json(api.get(path + "&severity=SEV1", RESPONDER)).get("totals").get("incidents").asInt()).isZero();
        assertThat(json(api.get(path + "&bucket=week&from=2026-01-01&to=2027-01-01", VIEWER)).get("series").get(0).get("start").asText())
                .as("weeks start on Monday").isEqualTo(LocalDate.now(ZoneOffset.UTC).with(java.time.DayOfWeek.MONDAY).toString());

        assertError(api.get(path, null), 401, null);
        assertError(api.get(path, "not-a-token"), 403, null);
        assertError(api.get(path + "&from=yesterday", VIEWER), 400, "from");
        assertError(api.get(path + "&to=2026-02-30", VIEWER), 400, "to");
        assertError(api.get(path + "&from=2026-12-02&to=2026-12-01", VIEWER), 400, "from");
        assertError(api.get(path + "&from=2025-10-30&to=2026-12-04", VIEWER), 400, "from");
        assertThat(api.get(path + "&from=2025-10-31&to=2026-12-04", VIEWER).statusCode()).as("400 days").isEqualTo(200);
        assertError(api.get(path + "&bucket=month", VIEWER), 400, "bucket");
        assertError(api.get(path + "&severity=SEV7", VIEWER), 400, "severity");
        assertError(api.get(path + "&service=other", VIEWER), 400, "service");
        assertError(api.get("/api/v1/reports?service=", VIEWER), 400, "service");
        assertError(api.get(path + "&limit=5", VIEWER), 400, "limit");
    }

    @Test
    void aDrillStartsThroughTheNormalPath_oncePerIdempotencyKey_andBadInputIsRefusedNamingTheField() throws Exception {
        String service = "drills-" + UUID.randomUUID().toString().substring(0, 8);
        kafka.produce(topics.services(), List.of(Map.entry(service, ServiceConfig.newBuilder().setId(service).setName("Drilled").build())));
        String body = "{\"service\": \"" + service + "\", \"scenario\": \"cache-loss\", \"severity\": \"SEV2\"}";
        HttpResponse<String> started = await("the view read the service").atMost(Duration.ofSeconds(30))
                .until(() -> api.post("/api/v1/drills", RESPONDER, body, "Idempotency-Key", service), answer -> answer.statusCode() != 400);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        JsonNode drill = json(started);
        String drillId = drill.get("drillId").asText();
        assertThat(drill.get("fingerprint").asText()).isEqualTo("drill:" + drillId);
        assertThat(drill.get("startedBy").asText()).isEqualTo("alice");
        JsonNode incident = await("the drill's incident").atMost(Duration.ofSeconds(30)).until(
                () -> json(api.get(drill.get("incidents").asText(), VIEWER)).get("incidents"), found -> found.size() == 1).get(0);
        assertThat(incident.get("drill").asText()).isEqualTo("cache-loss");
        assertThat(incident.get("severity").asText()).isEqualTo("SEV2");
        assertThat(incident.get("correlationKey").asText()).isEqualTo("|drill|drill:" + drillId);

        HttpResponse<String> again = api.post("/api/v1/drills", RESPONDER, body, "Idempotency-Key", service);
        assertThat(json(again).get("drillId").asText()).as("a retry names the same drill").isEqualTo(drillId);
        await("the retry opens nothing more").atMost(Duration.ofSeconds(10)).during(Duration.ofSeconds(2)).until(
                () -> json(api.get("/api/v1/incidents?service=" + service, VIEWER)).get("incidents").size(), count -> count == 1);
        assertThat(json(api.get("/api/v1/incidents/" + incident.get("incidentId").asText(), VIEWER)).get("alertCount").asInt()).isEqualTo(1);
        openNow(service);
        await("drills excluded from the figures: the real incident alone").atMost(Duration.ofSeconds(30)).during(Duration.ofSeconds(2))
                .until(() -> json(api.get("/api/v1/reports?service=" + service, VIEWER)).get("totals").get("incidents").asInt(),
                        count -> count == 1);

        assertError(api.post("/api/v1/drills", null, body), 401, null);
        assertError(api.post("/api/v1/drills", VIEWER, body), 403, null);
        assertError(api.post("/api/v1/drills", RESPONDER, "{\"service\": \"nope\", \"scenario\": \"x\"}"), 400, "service");
        assertError(api.post("/api/v1/drills", RESPONDER, "{\"service\": \"" + service + "\", \"scenario\": \"a b\"}"), 400, "scenario");
        assertError(api.post("/api/v1/drills", RESPONDER, "{\"service\": \"" + service + "\", \"scenario\": \"x\", \"drill\": \"y\"}"),
                400, "drill");
        assertError(api.post("/api/v1/drills", RESPONDER, "{\"title\": \"" + "x".repeat(70_000) + "\"}"), 413, null);
    }

    @Test
    void aStaleExpectedVersionIsRejected() throws Exception {
        String id = openNow("checkout");

        HttpResponse<String> stale = api.post("/api/v1/incidents/" + id + "/severity?wait=true", RESPONDER,
                "{\"severity\": \"critical\", \"expectedVersion\": 1}");
        HttpResponse<String> current = api.post("/api/v1/incidents/" + id + "/severity?wait=true", RESPONDER,
                "{\"severity\": \"critical\", \"expectedVersion\": 2}");

        assertThat(stale.statusCode()).as(stale.body()).isEqualTo(409);
        assertThat(json(stale).get("error").asText()).startsWith("stale version");
        assertThat(current.statusCode()).as(current.body()).isEqualTo(200);
        assertThat(json(current).get("incident").get("severity").asText()).isEqualTo("SEV1");
    }

    @Test
    void aResponderTakesHandsOverAndReleasesARole_shownOnTheIncident_andBadInputIsRefused() throws Exception {
        String id = openNow("checkout");
        String commander = "/api/v1/incidents/" + id + "/roles/commander";

        HttpResponse<String> taken = api.send("PUT", commander + "?wait=true", RESPONDER, "{\"userId\": \"alice\"}");
        assertThat(taken.statusCode()).as(taken.body()).isEqualTo(200);
        assertThat(json(taken).get("events").get(0).get("payload").get("type").asText()).isEqualTo("RoleAssigned");
        assertThat(json(taken).get("incident").get("roles").get("commander").asText()).isEqualTo("alice");

        String handover = "{\"userId\": \"bob\", \"reason\": \"end of shift\"}";
        HttpResponse<String> handed = api.send("PUT", commander + "?wait=true", RESPONDER, handover, "Idempotency-Key", "handover-1");
        HttpResponse<String> repeated = api.send("PUT", commander + "?wait=true", RESPONDER, handover, "Idempotency-Key", "handover-1");
        assertThat(handed.statusCode()).as(handed.body()).isEqualTo(200);
        assertThat(json(handed).get("events").get(0).get("payload").get("previousUserId").asText()).isEqualTo("alice");
        assertThat(json(repeated).get("events")).isEqualTo(json(handed).get("events"));
        assertThat(json(api.get("/api/v1/incidents/" + id, VIEWER)).get("roles").get("commander").asText()).isEqualTo("bob");

        HttpResponse<String> released = api.send("DELETE", commander + "?wait=true", RESPONDER, "{\"reason\": \"stood down\"}");
        assertThat(released.statusCode()).as(released.body()).isEqualTo(200);
        assertThat(json(released).get("incident").get("roles")).isEmpty();
        assertThat(api.send("DELETE", commander, RESPONDER, "").statusCode()).as("no body: accepted").isEqualTo(202);

        HttpResponse<String> unknown = api.send("PUT", "/api/v1/incidents/" + id + "/roles/captain?wait=true", RESPONDER,
                "{\"userId\": \"alice\"}");
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(409);
        assertThat(json(unknown).get("error").asText()).startsWith("unknown role 'captain' (known: [commander, communications");
        assertError(api.send("PUT", "/api/v1/incidents/" + id + "/roles/Boss", RESPONDER, "{\"userId\": \"alice\"}"), 400, "role");
        assertError(api.send("PUT", commander, RESPONDER, "{}"), 400, "userId");
        assertError(api.send("PUT", commander, RESPONDER, "{\"userId\": \"Alice Smith\"}"), 400, "userId");
        assertError(api.send("PUT", commander, RESPONDER, "{\"userId\": \"alice\", \"role\": \"x\"}"), 400, "role");
        assertError(api.send("DELETE", commander, RESPONDER, "{\"userId\": \"alice\"}"), 400, "userId");
        assertError(api.send("PUT", commander, VIEWER, "{\"userId\": \"alice\"}"), 403, null);
        assertError(api.send("PUT", "/api/v1/incidents/" + id + "/owner/x", RESPONDER, "{}"), 404, null);
        assertError(api.send("PUT", "/api/v1/incidents/INC-nope/roles/commander", RESPONDER, "{\"userId\": \"alice\"}"), 404, null);

        HttpResponse<String> roles = api.get("/api/v1/roles", VIEWER);
        assertThat(roles.statusCode()).as(roles.body()).isEqualTo(200);
        assertThat(json(roles).get("roles").get(0).get("id").asText()).isEqualTo("commander");
        assertThat(json(roles).get("roles").get(0).get("requiredSeverities").toString()).isEqualTo("[\"SEV0\",\"SEV1\"]");
    }

    static void assertError(HttpResponse<String> response, int status, String field) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode body = json(response);
        assertThat(body.get("error").asText()).isNotBlank();
        if (field == null) {
            assertThat(body.has("field")).as(response.body()).isFalse();
        } else {
            assertThat(body.get("field").asText()).as(response.body()).isEqualTo(field);
        }
    }

    private static List<String> ids(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        json(response).get("incidents").forEach(incident -> ids.add(incident.get("incidentId").asText()));
        return ids;
    }

    static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    /** A small client for the API. */
    record Api(String base) {
        private static final HttpClient HTTP = HttpClient.newHttpClient();

        HttpResponse<String> get(String path, String token) throws Exception {
            return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), token);
        }

        HttpResponse<String> post(String path, String token, String body, String... headers) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .header("Content-Type", "application/json");
            for (int i = 0; i < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            return send(request, token);
        }

        HttpResponse<String> send(String method, String path, String token, String body, String... headers) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .method(method, HttpRequest.BodyPublishers.ofString(body))
                    .header("Content-Type", "application/json");
            for (int i = 0; i < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            return send(request, token);
        }

        HttpResponse<String> delete(String path, String token) throws Exception {
            return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE(), token);
        }

        private static HttpResponse<String> send(HttpRequest.Builder request, String token) throws Exception {
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
