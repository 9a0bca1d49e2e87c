package dev.incidentengine.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.configdata.ConfigData;
import dev.incidentengine.incident.IncidentStreamConfig;
import dev.incidentengine.incident.IncidentStreamService;
import dev.incidentengine.incident.IncidentTopics;
import dev.incidentengine.incident.domain.Postmortem;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.LinkWarRoom;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.model.config.RunbookConfig;
import dev.incidentengine.model.WarRoom;
import dev.incidentengine.model.config.StatusComponentConfig;
import dev.incidentengine.model.config.StatusPageConfig;
import dev.incidentengine.model.config.StatusTemplates;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.RecordedIncident;
import dev.incidentengine.testkit.Samples;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** incidentctl against incident-stream's API on a real broker: every incident command, silences, JSON output and the error exits. */
@WithKafka
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IncidentctlIT {

    private static final String RESPONDER = "alice-responder-token";
    private static final String VIEWER = "victor-viewer-token";
    private static final String ID = "INC-20261122-2-0042";

    @TempDir
    static Path dir;

    private ServiceRunner runner;
    private String url;

    /** What one run printed, and its exit code. */
    private record Run(int exit, String out, String err) {
    }

    @BeforeAll
    void start(KafkaTestCluster kafka) throws Exception {
        IncidentTopics topics = IncidentTopics.DEFAULT;
        kafka.createTopics(topics.all());
        Path tokens = dir.resolve("api-tokens.yaml");
        Files.writeString(tokens, """
                tokens:
                  - {user: alice, role: responder, token: %s}
                  - {user: victor, role: viewer, token: %s}
                """.formatted(RESPONDER, VIEWER));
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        settings.put(IncidentStreamConfig.API_TOKENS_FILE_CONFIG, tokens.toString());
        runner = new ServiceRunner("127.0.0.1", 0, List.of(new IncidentStreamService(new IncidentStreamConfig(settings), topics))).start();
        url = "http://127.0.0.1:" + runner.httpAddress().getPort();
        await("incident-stream ready").atMost(Duration.ofSeconds(60)).until(runner::ready);
        open(kafka, ID, Severity.SEV2);
    }

    private void open(KafkaTestCluster kafka, String id, Severity severity) {
        kafka.produce(IncidentTopics.DEFAULT.commands(), List.of(Map.entry(id, IncidentCommand.newBuilder()
                .setCommandId("open-" + id).setIncidentId(id).setActor(new Actor(ActorType.INTEGRATION, "demo", null))
                .setTimestamp(Instant.now())
                .setPayload(new AttachAlert(Samples.alert("fp-cli-" + id).setSeverity(severity).setStartsAt(Instant.now())
                        .setReceivedAt(Instant.now()).build(), "checkout|HighErrorRate|" + id, null, true, null))
                .build())));
        await("the incident listed").atMost(Duration.ofSeconds(30)).until(() -> run("incidents", "list", "--token", VIEWER).out().contains(id));
    }

    @AfterAll
    void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    @Test
    void aDrillRunsThroughTheNormalPath_isMarkedDrill_andIsReportedOnItsOwn(KafkaTestCluster kafka) throws Exception {
        String bootstrap = kafka.bootstrapServers();
        kafka.createTopics(List.of(Topics.NOTIFICATION_RESULTS));
        kafka.produce(IncidentTopics.DEFAULT.services(), List.of(Map.entry("checkout",
                ServiceConfig.newBuilder().setId("checkout").setName("Checkout").build())));
        int reportedBefore = checkoutIncidents(bootstrap);
        int apiReportedBefore = new ObjectMapper().readTree(api("/api/v1/reports?service=checkout", VIEWER).body())
                .get("totals").get("incidents").asInt();

        Run start = await("the service configured").atMost(Duration.ofSeconds(30)).until(() -> run("drill", "start", "--service", "checkout",
                "--scenario", "db-failover", "--token", RESPONDER, "-o", "json"), started -> started.exit() == 0);
        JsonNode drill = new ObjectMapper().readTree(start.out());
        String id = drill.get("incidentId").asText();
        String drillId = drill.get("drillId").asText();
        assertThat(drill.get("scenario").asText()).isEqualTo("db-failover");
        assertThat(drill.get("severity").asText()).isEqualTo("SEV1");
        JsonNode incident = new ObjectMapper().readTree(run("incidents", "show", id, "-o", "json", "--token", VIEWER).out());
        assertThat(incident.get("drill").asText()).isEqualTo("db-failover");
        assertThat(incident.get("title").asText()).isEqualTo("Drill: db-failover on checkout");
        assertThat(run("incidents", "show", id, "--token", VIEWER).out()).startsWith("DRILL (scenario db-failover)");
        assertThat(run("incidents", "list", "--search", drillId, "--token", VIEWER).out()).contains("[DRILL] Drill: db-failover on checkout");

        // A real alert that looks like the drill in every label opens an incident of its own, and it is no drill.
        String marker = "lookalike" + UUID.randomUUID().toString().substring(0, 8);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        kafka.produce(IncidentTopics.DEFAULT.alerts(), List.of(Map.entry("am/" + marker, Samples.alert("am/" + marker).setSeverity(Severity.SEV1)
                .setLabels(Map.of("alertname", "Drill: db-failover", "service", "checkout", "scenario", "db-failover", "drill", "true",
                        "drill_id", drillId, "env", marker)).setStartsAt(now).setReceivedAt(now).build())));
        JsonNode real = await("the look-alike's incident").atMost(Duration.ofSeconds(30)).until(() -> new ObjectMapper().readTree(
                run("incidents", "list", "--search", marker, "-o", "json", "--token", VIEWER).out()).path("incidents"), found -> found.size() == 1)
                .get(0);
        assertThat(real.get("incidentId").asText()).isNotEqualTo(id);
        assertThat(real.get("drill").isNull()).isTrue();
        assertThat(new ObjectMapper().readTree(run("incidents", "list", "--search", drillId, "-o", "json", "--token", VIEWER).out())
                .get("incidents")).as("the drill's id finds both; the drill holds only its own alert").hasSize(2);
        assertThat(new ObjectMapper().readTree(api("/api/v1/incidents/" + id, VIEWER).body()).get("alertCount").asInt()).isEqualTo(1);

        assertThat(run("ack", id, "--token", RESPONDER).exit()).isZero();
        assertThat(run("status-update", id, "Failing", "over", "--token", RESPONDER).exit()).isZero();
        Run notADrill = run("drill", "end", real.get("incidentId").asText(), "--token", RESPONDER);
        assertThat(notADrill.exit()).isEqualTo(CliError.REFUSED);
        assertThat(notADrill.err()).contains("is not a drill");
        Run end = run("drill", "end", id, "--token", RESPONDER);
        assertThat(end.exit()).as(end.err()).isZero();
        assertThat(end.out()).contains("resolve applied", "RESOLVED");

        Run timeline = runWithoutUrl("timeline", id, "--bootstrap-servers", bootstrap);
        assertThat(timeline.out()).startsWith("DRILL (scenario db-failover)").contains("opened DRILL (scenario db-failover) SEV1 on checkout");
        JsonNode report = new ObjectMapper().readTree(runWithoutUrl("report", "--since", "1d", "--service", "checkout", "-o", "json",
                "--bootstrap-servers", bootstrap).out());
        assertThat(report.get("drillsExcluded").asInt()).isEqualTo(1);
        assertThat(report.get("incidents").asInt()).as("the look-alike counts, the drill does not").isEqualTo(reportedBefore + 1);
        await("the read side's report: the look-alike, not the drill").atMost(Duration.ofSeconds(30))
                .during(Duration.ofSeconds(2)).until(() -> new ObjectMapper().readTree(api("/api/v1/reports?service=checkout", VIEWER).body())
                        .get("totals").get("incidents").asInt(), count -> count == apiReportedBefore + 1);

        Run drills = runWithoutUrl("drill", "report", "--since", "1d", "--update-every", "1h", "-o", "json", "--bootstrap-servers", bootstrap);
        assertThat(drills.exit()).as(drills.err()).isZero();
        JsonNode judged = new ObjectMapper().readTree(drills.out());
        assertThat(judged.get("drills")).singleElement().satisfies(row -> {
            assertThat(row.get("incidentId").asText()).isEqualTo(id);
            assertThat(row.get("scenario").asText()).isEqualTo("db-failover");
            assertThat(row.get("acknowledge").get("inTime").asBoolean()).isTrue();
            assertThat(row.get("commander").get("inTime").asBoolean()).as("nobody took command").isFalse();
            assertThat(row.get("statusUpdates").get("count").asInt()).isEqualTo(1);
            assertThat(row.get("statusUpdates").get("onCadence").asBoolean()).isTrue();
            assertThat(row.get("verdict").asText()).isEqualTo("FAIL");
            assertThat(row.get("misses").toString()).isEqualTo("[\"no incident commander\"]");
        });
        Run table = runWithoutUrl("drill", "report", "--since", "1d", "--bootstrap-servers", bootstrap);
        assertThat(table.out()).contains("1 drills opened from", "0 passed", id, "db-failover", "MISSED", "FAIL: no incident commander");
        assertThat(runWithoutUrl("drill", "report", "--since", "1d", "--until", "2d", "--bootstrap-servers", bootstrap).exit())
                .as("--until before --since").isEqualTo(CliError.USAGE);
        Run unknown = run("drill", "start", "--service", "nope", "--scenario", "x", "--token", RESPONDER);
        assertThat(unknown.exit()).isEqualTo(CliError.REFUSED);
        assertThat(unknown.err()).contains("service", "nope");
        assertThat(run("drill", "start", "--service", "checkout", "--scenario", "x", "--token", VIEWER).exit()).isEqualTo(CliError.NOT_ALLOWED);
    }

    private HttpResponse<String> api(String path, String token) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + path)).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int checkoutIncidents(String bootstrap) throws Exception {
        return new ObjectMapper().readTree(runWithoutUrl("report", "--since", "1d", "--service", "checkout", "-o", "json",
                "--bootstrap-servers", bootstrap).out()).get("incidents").asInt();
    }

    @Test
    void aResponderSetsTheIncidentsType_andShowPrintsTypeAndTargets(KafkaTestCluster kafka) {
        String id = "INC-20261122-2-0077";
        open(kafka, id, Severity.SEV2);

        assertThat(run("incident", "types", "--token", VIEWER).out()).startsWith("ID").contains("service-outage", "Data loss or corruption");
        assertThat(run("incident", "type", id, "deployment-related", "--token", RESPONDER))
                .isEqualTo(new Run(0, id + ": type applied (now deployment-related)\n", ""));
        assertThat(run("incident", "type", id, "deployment-related", "--token", RESPONDER).out()).contains("type unchanged");
        Run unknown = run("incident", "type", id, "alien-invasion", "--token", RESPONDER);
        assertThat(unknown.exit()).isEqualTo(CliError.REFUSED);
        assertThat(unknown.err()).contains("unknown type 'alien-invasion'", "(incidentType)");
        assertThat(run("incident", "type", id, "service-outage", "--token", VIEWER).exit()).isEqualTo(CliError.NOT_ALLOWED);
        assertThat(run("incident", "show", id, "--token", VIEWER).out()).contains("incidentType        deployment-related",
                "targets             acknowledge within 30m 00s, resolve within 8h 00m (the engine's default)");
    }

    @Test
    void peopleWorkAnIncidentFromTheTerminal() throws Exception {
        Run list = run("incidents", "list", "--status", "TRIGGERED", "--token", VIEWER);
        assertThat(list.exit()).isZero();
        assertThat(list.out()).startsWith("ID").contains(ID, "TRIGGERED", "SEV2", "checkout", "High error rate on checkout");
        JsonNode json = new ObjectMapper().readTree(run("incidents", "list", "-o", "json", "--token", VIEWER).out());
        assertThat(json.get("incidents").findValuesAsText("incidentId")).contains(ID);
        assertThat(run("incidents", "list", "--search", "ERROR rate higherrorrate", "--token", VIEWER).out())
                .as("words of the title and of an alert's labels").contains(ID);
        assertThat(run("incidents", "list", "--search", "error nowhere", "--token", VIEWER).out()).doesNotContain(ID);
        assertThat(run("incidents", "show", ID, "--token", VIEWER).out()).contains("title", "High error rate on checkout", "fp-cli");

        assertThat(run("ack", ID, "-m", "on it", "--token", RESPONDER)).isEqualTo(new Run(0, ID + ": acknowledge applied (now ACKNOWLEDGED, SEV2)\n", ""));
        assertThat(run("note", ID, "rolled", "back", "the", "deploy", "--token", RESPONDER).out()).contains("notes applied");
        assertThat(run("status-update", ID, "Checkout is degraded", "--token", RESPONDER).out()).contains("status-updates applied");
        assertThat(run("severity", ID, "SEV1", "-m", "customers affected", "--token", RESPONDER).out()).contains("(now ACKNOWLEDGED, SEV1)");
        assertThat(run("assign", ID, "alice", "--token", RESPONDER).out()).contains("assign applied");
        assertThat(run("resolve", ID, "-m", "rolled back", "--token", RESPONDER).out()).contains("(now RESOLVED, SEV1)");
        assertThat(run("reopen", ID, "--token", RESPONDER).out()).contains("(now TRIGGERED");
        assertThat(run("snooze", ID, "1h30m", "--token", RESPONDER).out()).contains("snooze applied");
        assertThat(run("resolve", ID, "--token", RESPONDER).out()).contains("(now RESOLVED");
        assertThat(run("close", ID, "--token", RESPONDER).out()).contains("(now CLOSED");
        assertThat(run("ack", ID, "--token", RESPONDER)).as("a closed incident refuses").satisfies(r -> {
            assertThat(r.exit()).isEqualTo(CliError.REFUSED);
            assertThat(r.err()).isEqualTo("incidentctl: cannot acknowledge a closed incident\n");
        });
    }

    @Test
    void aSev1sReviewIsRequiredOnResolution_itsActionItemsTracked_andItIsPublished(KafkaTestCluster kafka) throws Exception {
        String id = "INC-20261122-4-0043";
        open(kafka, id, Severity.SEV1);
        assertThat(run("review", "publish", id, "https://wiki.example.com/pir/43", "--token", RESPONDER)).as("still open").satisfies(r -> {
            assertThat(r.exit()).isEqualTo(CliError.REFUSED);
            assertThat(r.err()).isEqualTo("incidentctl: resolve the incident first: reviews follow resolution\n");
        });
        assertThat(run("review", "action", "add", id, "Alert", "on", "queue", "depth", "--owner", "bob", "--due", "14d", "--priority", "high",
                "--link", "https://tickets.example.com/OPS-12", "--token", RESPONDER).out()).startsWith(id + ": added AI-1, due ").endsWith(" (bob)\n");
        assertThat(run("resolve", id, "--token", RESPONDER).out()).contains("(now RESOLVED, SEV1)");

        Run required = run("review", "show", id, "--token", VIEWER);
        assertThat(required.out()).contains("review: required, due ", "AI-1", "HIGH", "bob", "open", "Alert on queue depth",
                "https://tickets.example.com/OPS-12").doesNotContain("OVERDUE");
        JsonNode review = new ObjectMapper().readTree(run("review", "show", id, "-o", "json", "--token", VIEWER).out()).get("review");
        assertThat(Duration.between(Instant.parse(review.get("requestedAt").asText()), Instant.parse(review.get("dueAt").asText())))
                .isEqualTo(Duration.ofHours(48));
        assertThat(run("review", "require", id, "--due", "2099-01-02", "-m", "after the holidays", "--token", RESPONDER).out())
                .contains("require-review applied");
        assertThat(run("review", "show", id, "--token", VIEWER).out()).contains("due 2099-01-02T23:59:59Z");
        assertThat(run("review", "action", "done", id, "AI-1", "--token", RESPONDER).out()).contains("complete-action-item applied");
        assertThat(run("review", "action", "done", id, "AI-9", "--token", RESPONDER)).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(CliError.REFUSED);
            assertThat(r.err()).isEqualTo("incidentctl: no action item AI-9 (known: [AI-1])\n");
        });
        assertThat(run("review", "action", "add", id, "x", "--owner", "bob", "--due", "yesterday", "--token", RESPONDER).exit())
                .isEqualTo(CliError.USAGE);
        assertThat(run("review", "publish", id, "wiki/pir/43", "--token", RESPONDER)).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(CliError.REFUSED);
            assertThat(r.err()).contains("url", "must be an http(s) URL");
        });
        assertThat(run("review", "publish", id, "https://wiki.example.com/pir/43", "--token", VIEWER).exit()).isEqualTo(CliError.NOT_ALLOWED);
        assertThat(run("review", "publish", id, "https://wiki.example.com/pir/43", "--token", RESPONDER).out())
                .contains("publish-review applied");
        assertThat(run("review", "show", id, "--token", VIEWER).out()).contains("review: published ", " at https://wiki.example.com/pir/43",
                "AI-1", "done ");
    }

    @Test
    void aResponderTakesHandsOverAndReleasesARole_andShowListsWhoHoldsIt(KafkaTestCluster kafka) throws Exception {
        String id = "INC-20261205-2-0077";
        open(kafka, id, Severity.SEV1);

        assertThat(run("role", id, "commander", "alice", "--token", RESPONDER)).isEqualTo(new Run(0, id + ": commander taken by alice\n", ""));
        assertThat(run("role", id, "commander", "alice", "--token", RESPONDER).out()).isEqualTo(id + ": commander unchanged (alice holds it already)\n");
        assertThat(run("role", id, "commander", "bob", "-m", "end of shift", "--token", RESPONDER).out())
                .isEqualTo(id + ": commander handed over from alice to bob\n");
        assertThat(run("incidents", "show", id, "--token", VIEWER).out()).contains(String.format("%-19s %s", "role commander", "bob"));
        JsonNode shown = new ObjectMapper().readTree(run("incidents", "show", id, "-o", "json", "--token", VIEWER).out());
        assertThat(shown.get("roles").get("commander").asText()).isEqualTo("bob");
        JsonNode released = new ObjectMapper().readTree(run("role", id, "commander", "--release", "-o", "json", "--token", RESPONDER).out());
        assertThat(released.get("events").get(0).get("payload").get("previousUserId").asText()).isEqualTo("bob");

        assertThat(run("role", id, "captain", "alice", "--token", RESPONDER)).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(CliError.REFUSED);
            assertThat(r.err()).startsWith("incidentctl: unknown role 'captain' (known: [commander");
        });
        assertThat(run("role", id, "commander", "--token", RESPONDER).exit()).as("neither USER nor --release").isEqualTo(CliError.USAGE);
        assertThat(run("role", id, "commander", "alice", "--release", "--token", RESPONDER).exit()).isEqualTo(CliError.USAGE);
        assertThat(run("role", id, "commander", "Alice Smith", "--token", RESPONDER).err()).contains("(userId)");
        assertThat(run("role", id, "commander", "alice", "--token", VIEWER).exit()).isEqualTo(CliError.NOT_ALLOWED);

        kafka.createTopics(List.of(Topics.NOTIFICATION_RESULTS)); // the report reads the deliveries too
        Run reported = runWithoutUrl("report", "--since", "1d", "-o", "json", "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(reported.exit()).as(reported.err()).isZero();
        JsonNode report = new ObjectMapper().readTree(reported.out());
        assertThat(report.path("incidentsCommanded").toString()).as("IC load: each commanded this incident: " + reported.out())
                .contains("{\"user\":\"alice\",\"incidents\":1}", "{\"user\":\"bob\",\"incidents\":1}");
    }

    @Test
    void errorsSayWhatIsWrongAndExitWithTheirCode() {
        assertThat(run("incidents", "show", "INC-NONE", "--token", VIEWER)).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(CliError.NOT_FOUND);
            assertThat(r.err()).startsWith("incidentctl: ").doesNotContain("Exception", "\tat ");
        });
        assertThat(run("incidents", "list").exit()).as("no token").isEqualTo(CliError.NOT_ALLOWED);
        assertThat(run("incidents", "list", "--token", "wrong").err()).isEqualTo("incidentctl: not allowed: unknown API token\n");
        assertThat(run("ack", ID, "--token", VIEWER).exit()).as("a viewer acknowledging").isEqualTo(CliError.NOT_ALLOWED);
        assertThat(run("severity", ID, "SEV9", "--token", RESPONDER)).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(CliError.REFUSED);
            assertThat(r.err()).contains("severity");
        });
        assertThat(run("snooze", ID, "soon", "--token", RESPONDER)).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(CliError.USAGE);
            assertThat(r.err()).contains("DURATION must be a span such as 30m", "not 'soon'");
        });
        assertThat(run("incidents", "list", "-o", "yaml", "--token", VIEWER).exit()).isEqualTo(CliError.USAGE);
        assertThat(runWithoutUrl("incidents", "list", "--token", VIEWER, "--url", "http://127.0.0.1:1")).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(CliError.UNREACHABLE);
            assertThat(r.err()).contains("cannot connect to http://127.0.0.1:1");
        });
        assertThat(runWithoutUrl("frobnicate").exit()).isEqualTo(CliError.USAGE);
        assertThat(runWithoutUrl("review", "action", "add", "--help")).as("every command has its help").satisfies(r -> {
            assertThat(r.exit()).isZero();
            assertThat(r.out()).startsWith("Usage: incidentctl review action add").contains("--owner", "--due", "--priority");
        });
    }

    @Test
    void aResponderPublishesAnIncidentAndPostsPublicUpdatesFromTheTerminal(KafkaTestCluster kafka) throws Exception {
        kafka.produce(IncidentTopics.DEFAULT.statusPages(), List.of(Map.entry("public", StatusPageConfig.newBuilder().setId("public")
                .setName("Demo Shop Status").setTemplates(StatusTemplates.newBuilder().build())
                .setComponents(List.of(StatusComponentConfig.newBuilder().setId("checkout").setName("Checkout").build(),
                        StatusComponentConfig.newBuilder().setId("storefront").setName("Storefront").build())).build())));
        String id = "INC-20261122-2-0077";
        open(kafka, id, Severity.SEV2);
        await("the status page config read").atMost(Duration.ofSeconds(30))
                .until(() -> run("incident", "publish", id, "--title", "t", "--impact", "minor", "--component", "nope",
                        "--token", RESPONDER).err().contains("no component nope on status page public"));

        Run published = run("incident", "publish", id, "--title", "Checkout is slow", "--impact", "minor", "--component", "checkout",
                "--token", RESPONDER);
        assertThat(published.exit()).as(published.err()).isZero();
        assertThat(published.out()).startsWith(id + ": publication applied (public: investigating, minor impact, next update due 20");
        Run update = run("incident", "public-update", id, "--status", "identified", "-m", "A bad deploy; rolling back.",
                "--impact", "major", "--component", "checkout", "--component", "storefront", "--token", RESPONDER, "-o", "json");
        assertThat(update.exit()).as(update.err()).isZero();
        JsonNode publication = new ObjectMapper().readTree(update.out()).get("incident").get("publication");
        assertThat(publication.get("status").asText()).isEqualTo("identified");
        assertThat(publication.get("impact").asText()).isEqualTo("major");
        assertThat(publication.get("components")).hasSize(2);

        assertThat(run("incident", "publish", id, "--title", "Again", "--impact", "minor", "--token", RESPONDER)).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(CliError.REFUSED);
            assertThat(r.err()).isEqualTo("incidentctl: already published: post a public update instead\n");
        });
        assertThat(run("incident", "public-update", id, "--status", "monitoring", "--token", RESPONDER)).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(CliError.REFUSED);
            assertThat(r.err()).contains("a public update needs a message");
        });
        assertThat(run("incident", "public-update", id, "--status", "fixed", "-m", "x", "--token", RESPONDER).err()).contains("status");
        assertThat(run("incident", "public-update", id, "--status", "resolved", "--token", RESPONDER).out())
                .startsWith(id + ": public-updates applied (public: resolved, major impact, next update due never)");
        assertThat(runWithoutUrl("incident", "publish", "--help").out()).contains("--title", "--impact", "--component", "--status");
    }

    @Test
    void anIncidentsWarRoomIsShown(KafkaTestCluster kafka) throws Exception {
        String id = "INC-20261122-2-0043";
        open(kafka, id, Severity.SEV1);
        WarRoom room = new WarRoom("slack", "C0123ABCD", "#incident-inc-20261122-2-0043", "https://slack.com/app_redirect?channel=C0123ABCD");
        kafka.produce(IncidentTopics.DEFAULT.commands(), List.of(Map.entry(id, IncidentCommand.newBuilder().setCommandId("warroom-link:" + id)
                .setIncidentId(id).setActor(new Actor(ActorType.SYSTEM, "notifier", "War room")).setTimestamp(Instant.now())
                .setPayload(new LinkWarRoom(room)).build())));

        await("the room shown").atMost(Duration.ofSeconds(30)).until(() -> run("incidents", "show", id, "--token", VIEWER).out()
                .contains("warRoom             #incident-inc-20261122-2-0043 (slack) https://slack.com/app_redirect?channel=C0123ABCD"));
        JsonNode json = new ObjectMapper().readTree(run("incidents", "show", id, "-o", "json", "--token", VIEWER).out());
        assertThat(json.path("warRoom").path("id").asText()).isEqualTo("C0123ABCD");
    }

    @Test
    void silencesAreAddedListedAndExpired() throws Exception {
        Run added = run("silence", "add", "--match", "service=checkout", "--match", "env=~prod|staging", "--for", "2h",
                "--comment", "deploy", "--token", RESPONDER, "-o", "json");
        assertThat(added.exit()).as(added.err()).isZero();
        String id = new ObjectMapper().readTree(added.out()).get("id").asText();
        assertThat(run("silence", "list", "--token", VIEWER).out()).contains(id, "active", "service=checkout,env=~prod|staging", "deploy");
        assertThat(run("silence", "expire", id, "--token", RESPONDER).out()).isEqualTo(id + ": expired\n");
        assertThat(run("silence", "list", "--state", "expired", "--token", VIEWER).out()).contains(id);
    }

    @Test
    void aResponderFollowsTheRunbookFromTheTerminal(KafkaTestCluster kafka) throws Exception {
        kafka.produce(IncidentTopics.DEFAULT.runbooks(), List.of(Map.entry("cli-runbook", RunbookConfig.newBuilder().setId("cli-runbook")
                .setTitle("Checkout errors").setMatchers(List.of(new LabelMatcher("alertname", MatchOp.EQUAL, "CliRunbookTest")))
                .setSteps(List.of("Open the **error** dashboard", "Roll back:\n`kubectl rollout undo deploy/checkout`")).build())));
        await("the runbook read").atMost(Duration.ofSeconds(30))
                .until(() -> run("runbook", "list", "--token", VIEWER).out().contains("cli-runbook"));
        String id = "INC-20261122-2-0091";
        open(kafka, id, Severity.SEV2);

        Run none = run("runbook", "show", id, "--token", VIEWER);
        assertThat(none.out()).isEqualTo(id + ": no runbook attached (incidentctl runbook list; incidentctl runbook attach " + id + " RUNBOOK)\n");
        // The aggregate compiles config at most once a second: the API may list the runbook a moment before the aggregate has it.
        await("attached").atMost(Duration.ofSeconds(30)).until(() -> run("runbook", "attach", id, "cli-runbook", "--token", RESPONDER).out(),
                out -> out.equals(id + ": runbook cli-runbook applied\n"));
        assertThat(run("runbook", "attach", id, "cli-runbook", "--token", RESPONDER).out()).contains("(already attached)");
        assertThat(run("runbook", "step", id, "cli-runbook", "2", "done", "--note", "rolled back", "--token", RESPONDER).out())
                .isEqualTo(id + ": cli-runbook step 2 done applied (1 of 2 steps marked)\n");
        assertThat(run("runbook", "show", id, "--token", VIEWER).out()).startsWith("Checkout errors (cli-runbook)\n"
                + "  1. [not done]\n     Open the **error** dashboard\n  2. [done by alice at ")
                .contains(": rolled back]\n     Roll back:\n     `kubectl rollout undo deploy/checkout`\n");
        JsonNode json = new ObjectMapper().readTree(run("runbook", "show", id, "-o", "json", "--token", VIEWER).out());
        assertThat(json.get(0).get("steps").get(1).get("outcome").asText()).isEqualTo("DONE");

        assertThat(run("runbook", "step", id, "cli-runbook", "3", "done", "--token", RESPONDER)).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(CliError.REFUSED);
            assertThat(r.err()).isEqualTo("incidentctl: step: runbook 'cli-runbook' has steps 1 to 2, not 3 (step)\n");
        });
        assertThat(run("runbook", "step", id, "cli-runbook", "1", "finished", "--token", RESPONDER).exit()).isEqualTo(CliError.USAGE);
        assertThat(run("runbook", "step", id, "cli-runbook", "1", "done", "--token", VIEWER).exit()).isEqualTo(CliError.NOT_ALLOWED);
        assertThat(run("runbook", "attach", id, "nope", "--token", RESPONDER).err()).contains("unknown runbook 'nope'");
    }

    @Test
    void aTimelineAndAReviewAreReplayedFromKafka_amongManyOtherIncidents(KafkaTestCluster kafka) throws Exception {
        // The recorded incident (RecordedIncident), its events between 3,000 of other incidents (every partition), and its deliveries.
        String id = RecordedIncident.ID;
        kafka.createTopics(List.of(Topics.NOTIFICATION_RESULTS));
        try (KafkaProducer<String, IncidentEvent> producer = kafka.producer(Topics.INCIDENT_EVENTS, Map.of())) {
            List<IncidentEvent> recorded = RecordedIncident.events();
            for (int i = 0; i < 3_000; i++) {
                String other = "INC-20261122-" + (i % 6) + "-" + (1000 + i);
                producer.send(new ProducerRecord<>(Topics.INCIDENT_EVENTS.name(), other, Samples.opened(other, "other-" + i)
                        .setTimestamp(Samples.T0.plusSeconds(i)).build()));
                if (i % 200 == 0 && i / 200 < recorded.size()) {
                    producer.send(new ProducerRecord<>(Topics.INCIDENT_EVENTS.name(), id, recorded.get(i / 200)));
                }
            }
        }
        kafka.produce(Topics.NOTIFICATION_RESULTS, RecordedIncident.results().stream().map(r -> Map.entry(id, r)).toList());

        Run timeline = runWithoutUrl("timeline", id, "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(timeline.exit()).as(timeline.err()).isZero();
        List<String> lines = timeline.out().lines().toList();
        assertThat(lines.get(0)).startsWith("TIME").contains("ELAPSED", "WHO", "WHAT");
        assertThat(lines.subList(1, lines.size())).hasSize(17).extracting(line -> line.substring(0, 20))
                .isSorted().first().isEqualTo("2026-11-22T09:00:00Z");
        assertThat(timeline.out()).contains("+4m 12s", "alice", "acknowledged: on it", "page to alice by email (step 1) delivered",
                "+1d 01h", "closed: resolved for 24 h").doesNotContain("other-");
        JsonNode json = new ObjectMapper().readTree(runWithoutUrl("timeline", id, "-o", "json", "--bootstrap-servers",
                kafka.bootstrapServers()).out());
        assertThat(json.get("timeline")).hasSize(17);
        assertThat(runWithoutUrl("timeline", "INC-20261122-0-9999", "--bootstrap-servers", kafka.bootstrapServers()).exit())
                .isEqualTo(CliError.NOT_FOUND);
        Run review = runWithoutUrl("postmortem", id, "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(review.exit()).as(review.err()).isZero();
        assertThat(review.out()).isEqualTo(Postmortem.markdown(id, RecordedIncident.events(), RecordedIncident.results()));
        JsonNode facts = new ObjectMapper().readTree(runWithoutUrl("postmortem", id, "-o", "json", "--bootstrap-servers",
                kafka.bootstrapServers()).out());
        assertThat(facts.get("timeToAcknowledgeSeconds").asLong()).isEqualTo(250);
        assertThat(runWithoutUrl("postmortem", id, "-o", "pdf", "--bootstrap-servers", kafka.bootstrapServers()).exit())
                .isEqualTo(CliError.USAGE);
        // Every partition, every incident of the period: the 3,000 others and the recorded one, whose page to alice was delivered.
        JsonNode report = new ObjectMapper().readTree(runWithoutUrl("report", "--since", "30d", "-o", "json", "--bootstrap-servers",
                kafka.bootstrapServers()).out());
        assertThat(report.get("incidents").asInt()).isGreaterThanOrEqualTo(3_001);
        assertThat(report.get("pagesPerResponder").toString()).contains("{\"user\":\"alice\",\"pages\":1,\"notificationsDelivered\":1}");
        assertThat(runWithoutUrl("report", "--since", "soon", "--bootstrap-servers", kafka.bootstrapServers()).exit()).isEqualTo(CliError.USAGE);
        assertThat(runWithoutUrl("report", "--service", "checkout", "--bootstrap-servers", kafka.bootstrapServers()).out())
                .contains("incidents opened since", "on checkout", "SEVERITY", "ACK P90", "TARGET MET", "NOISIEST ALERTS", "RESPONDER");
    }

    @Test
    void theReportsApiAndIncidentctlReportAgree_onTheSameLogs(KafkaTestCluster kafka) throws Exception {
        // Four incidents of their own service, two days ago: late and in-time acknowledgements, a severity raised after the
        // acknowledgement, a reopen resolved again, one never acknowledged, alerts with and without an alertname, pages (to people
        // no other test pages: the other tests' reports count every service).
        String service = "agree-" + UUID.randomUUID().toString().substring(0, 8);
        Instant t = Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.SECONDS);
        List<IncidentEvent> logs = new ArrayList<>();
        String a = "INC-20261203-1-" + service;
        logs.add(opened(a, t, Severity.SEV2, service));
        logs.add(event(a, t.plusSeconds(1), new AlertAttached(Samples.alert("fp-a1").setLabels(Map.of("alertname", "DiskFull")).build())));
        logs.add(event(a, t.plusSeconds(2), new AlertAttached(Samples.alert("fp-a2").setLabels(Map.of("alertname", "DiskFull")).build())));
        logs.add(Samples.escalated(a, a + "-page", t.plusSeconds(3), 1, Samples.plan("erin", "EMAIL", 0), Samples.plan("frank", "SMS", 0)));
        logs.add(event(a, t.plusSeconds(601), new IncidentAcknowledged("on it")));
        logs.add(event(a, t.plusSeconds(3 * 3600 + 7), new IncidentResolved(null)));
        String b = "INC-20261203-2-" + service;
        Instant tb = t.plusSeconds(3600);
        logs.add(opened(b, tb, Severity.SEV3, service));
        logs.add(event(b, tb.plusSeconds(5), new AlertAttached(Samples.alert("fp-b1").setLabels(Map.of("alertname", "Latency")).build())));
        logs.add(event(b, tb.plusSeconds(5 * 3600 + 3), new IncidentAcknowledged(null)));
        logs.add(event(b, tb.plusSeconds(5 * 3600 + 600), new SeverityChanged(Severity.SEV3, Severity.SEV1, "customers", true)));
        logs.add(event(b, tb.plusSeconds(6 * 3600), new IncidentResolved(null)));
        logs.add(event(b, tb.plusSeconds(6 * 3600 + 1800), new IncidentReopened("fired again")));
        logs.add(event(b, tb.plusSeconds(8 * 3600 + 11), new IncidentResolved(null)));
        String c = "INC-20261203-3-" + service;
        Instant tc = t.plusSeconds(7200);
        logs.add(opened(c, tc, Severity.SEV1, service));
        logs.add(event(c, tc.plusSeconds(1), new AlertAttached(Samples.alert("fp-c1").setLabels(Map.of()).setSummary("Queue stuck").build())));
        logs.add(Samples.escalated(c, c + "-page", tc.plusSeconds(2), 1, Samples.plan("erin", "EMAIL", 0)));
        String d = "INC-20261204-4-" + service;
        Instant td = t.plus(Duration.ofDays(1));
        logs.add(opened(d, td, Severity.SEV2, service));
        logs.add(event(d, td.plusSeconds(100), new IncidentAcknowledged(null)));
        logs.add(event(d, td.plusSeconds(200), new IncidentResolved(null)));
        kafka.createTopics(List.of(Topics.NOTIFICATION_RESULTS));
        kafka.produce(Topics.INCIDENT_EVENTS, logs.stream().map(event -> Map.entry(event.getIncidentId(), event)).toList());

        HttpClient http = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/api/v1/reports?service=" + service))
                .header("Authorization", "Bearer " + VIEWER).build();
        JsonNode api = await("the read side rolled the logs up").atMost(Duration.ofSeconds(30)).until(
                () -> new ObjectMapper().readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body()),
                answer -> answer.get("totals").get("resolved").asInt() == 3);
        Run run = runWithoutUrl("report", "--since", "30d", "--service", service, "-o", "json", "--bootstrap-servers", kafka.bootstrapServers());
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode cli = new ObjectMapper().readTree(run.out());

        assertThat(api.get("totals").get("incidents").asInt()).isEqualTo(cli.get("incidents").asInt()).isEqualTo(4);
        for (String grouping : List.of("bySeverity", "byService")) {
            assertThat(figures(api.get(grouping))).as(grouping).isEqualTo(figures(cli.get(grouping)));
        }
        assertThat(figures(cli.get("bySeverity"))).as("the figures compared are not all empty")
                .containsEntry("SEV1", List.of("2", "18003", "28811", "0")).containsEntry("SEV2", List.of("2", "351", "5504", "2"));
        assertThat(api.get("noisiestAlerts")).isEqualTo(cli.get("noisiestAlerts")).hasSize(3);
        Map<String, Integer> apiPages = new HashMap<>();
        api.get("pagesPerResponder").forEach(row -> apiPages.put(row.get("user").asText(), row.get("pages").asInt()));
        Map<String, Integer> cliPages = new HashMap<>();
        cli.get("pagesPerResponder").forEach(row -> cliPages.put(row.get("user").asText(), row.get("pages").asInt()));
        assertThat(apiPages).isEqualTo(cliPages).isEqualTo(Map.of("erin", 2, "frank", 1));
    }

    /** Per group: incidents, mean seconds to acknowledge and to resolve, targets met; as both reports name them. */
    private static Map<String, List<String>> figures(JsonNode groups) {
        Map<String, List<String>> figures = new HashMap<>();
        groups.forEach(group -> figures.put(group.get("group").asText(), List.of(group.get("incidents").asText(),
                group.get("acknowledgeMeanSeconds").asText(), group.get("resolveMeanSeconds").asText(), group.get("targetMet").asText())));
        return figures;
    }

    private static IncidentEvent opened(String id, Instant at, Severity severity, String service) {
        return Samples.event(id, id + "-opened", at, IncidentOpened.newBuilder().setTitle(id).setSeverity(severity).setService(service)
                .setCorrelationKey(id).setLabels(Map.of()).build());
    }

    private static IncidentEvent event(String id, Instant at, Object payload) {
        return Samples.event(id, id + "-" + at.toEpochMilli(), at, payload);
    }

    @Test
    void configIsAppliedAllOrNothing_andShownAsFilesWouldWriteIt(KafkaTestCluster kafka) throws Exception {
        kafka.createTopics(ConfigData.kinds().values());
        Path good = Files.createDirectories(dir.resolve("config-good"));
        Files.writeString(good.resolve("services.yaml"), """
                services: [{id: cli-svc, name: CLI service}]
                channels: [{id: cli-room, name: CLI room, type: WEBHOOK, address: "https://hooks.example.com/x", services: [cli-svc]}]
                """);
        Path bad = Files.createDirectories(dir.resolve("config-bad"));
        Files.writeString(bad.resolve("a.yaml"), "services: [{id: never-applied, name: Never}]\n");
        Files.writeString(bad.resolve("b.yaml"), "channels: [{id: x, name: X, type: SMS, address: 'not a phone'}]\n");
        String bootstrap = kafka.bootstrapServers();

        assertThat(runWithoutUrl("config", "apply", "-f", good.toString(), "--dry-run", "--bootstrap-servers", bootstrap).out())
                .contains("valid: {config.channels.v1=1, config.services.v1=1}", "nothing applied");
        assertThat(runWithoutUrl("config", "apply", "-f", bad.toString(), "--bootstrap-servers", bootstrap)).satisfies(r -> {
            assertThat(r.exit()).isEqualTo(CliError.REFUSED);
            assertThat(r.err()).contains("b.yaml", "channels[0].address", "E.164", "nothing applied");
        });
        assertThat(runWithoutUrl("config", "apply", "-f", good.toString(), "--bootstrap-servers", bootstrap).out())
                .isEqualTo("applied: {config.channels.v1=1, config.services.v1=1}\n");
        assertThat(new ObjectMapper().readTree(runWithoutUrl("config", "apply", "-f", good.toString(), "-o", "json", "--bootstrap-servers",
                bootstrap).out()).toString()).isEqualTo("{\"applied\":true,\"records\":{\"config.channels.v1\":1,\"config.services.v1\":1}}");
        String shown = runWithoutUrl("config", "show", "--bootstrap-servers", bootstrap).out();
        assertThat(shown).contains("services:", "id: \"cli-svc\"", "channels:", "https://hooks.example.com/x").doesNotContain("never-applied");
        JsonNode channels = new ObjectMapper().readTree(runWithoutUrl("config", "show", "--kind", "channels", "-o", "json",
                "--bootstrap-servers", bootstrap).out());
        assertThat(channels.get("channels").get(0).get("id").asText()).isEqualTo("cli-room");
        assertThat(runWithoutUrl("config", "show", "--kind", "nonsense", "--bootstrap-servers", bootstrap).exit()).isEqualTo(CliError.USAGE);
    }

    @Test
    void theUrlAndTokenComeFromTheEnvironmentOrAConfigFile() throws Exception {
        Connection.environment = Map.of("INCIDENTCTL_URL", url, "INCIDENTCTL_TOKEN", VIEWER);
        try {
            assertThat(runWithoutUrl("incidents", "list").exit()).isZero();
        } finally {
            Connection.environment = System.getenv();
        }
        Path config = dir.resolve("incidentctl.yaml");
        Files.writeString(config, "url: " + url + "\ntoken: " + VIEWER + "\n");
        assertThat(runWithoutUrl("incidents", "list", "--config", config.toString()).exit()).isZero();
    }

    /** Runs with this test's engine as --url (flags follow their subcommand, so it goes last). */
    private Run run(String... args) {
        String[] withUrl = Arrays.copyOf(args, args.length + 2);
        withUrl[args.length] = "--url";
        withUrl[args.length + 1] = url;
        return runWithoutUrl(withUrl);
    }

    private static Run runWithoutUrl(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Incidentctl.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
