package dev.incidentengine.ticketing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.AddNote;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.LinkTicket;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.model.Severity;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.RedmineServer;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import dev.incidentengine.testkit.WithRedmine;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end with nothing stubbed: a Connect worker process running the sink and the Redmine source connectors, the
 * in-process broker, a real Redmine. Whole incident lifecycles reach Redmine across a SIGKILL of the worker (one issue per
 * incident, every comment once, the action item a related issue), and alice resolving an issue in Redmine reaches the
 * incident as a command.
 */
@WithKafka
@WithRedmine
class RedmineConnectIT {

    private static final Path DIR = Path.of("target", "redmine-connect-it", Long.toString(System.currentTimeMillis()));
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static KafkaTestCluster kafka;
    private static RedmineServer redmine;
    private static ConnectWorker worker;
    private static Path keyFile;

    @BeforeAll
    static void start(KafkaTestCluster cluster, RedmineServer server) throws IOException {
        kafka = cluster;
        redmine = server;
        // The sink reads the key from a file, the source from the worker's environment: Connect's two config providers.
        keyFile = DIR.resolve("secrets").resolve("redmine.properties").toAbsolutePath();
        Files.createDirectories(keyFile.getParent());
        Files.writeString(keyFile, "redmine.api.key=" + redmine.adminKey() + "\n");
        worker = ConnectWorker.create(kafka.bootstrapServers(), DIR.resolve("worker"), ConnectWorker.pluginPathWithTestSystems(DIR),
                Map.of("REDMINE_API_KEY", redmine.adminKey())).start();
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
    }

    record Topics4(Topic<String, IncidentEvent> events, Topic<String, ?> links, Topic<String, IncidentCommand> commands, Topic<byte[], byte[]> dlq) {
    }

    @Test
    void lifecyclesReachRedmineOnceAcrossAKilledWorkerAndAlicesResolutionComesBack() throws Exception {
        Topics4 topics = new Topics4(kafka.createTopic(Topics.INCIDENT_EVENTS), kafka.createTopic(Topics.TICKET_LINKS),
                kafka.createTopic(Topics.INCIDENT_COMMANDS), kafka.createTopic(Topics.INCIDENT_DLQ));
        worker.putConnector("redmine-sink", sink(topics));
        worker.putConnector("redmine-source", source(topics));
        worker.awaitRunning("redmine-sink", 2);
        worker.awaitRunning("redmine-source", 1);
        List<Lifecycle> first = IntStream.range(0, 8).mapToObj(i -> Lifecycle.full("INC-RM-" + i)).toList();
        List<Lifecycle> second = IntStream.range(8, 12).mapToObj(i -> Lifecycle.full("INC-RM-" + i)).toList();

        int before = issueCount();
        produce(topics.events(), first);
        // Mid-stream: some incidents have their issue, most of their lifecycles are still to come.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> issueCount() >= before + 2);
        worker.kill();
        produce(topics.events(), second);
        worker.start();
        worker.awaitRunning("redmine-sink", 2);
        worker.awaitRunning("redmine-source", 1);

        List<Lifecycle> all = new ArrayList<>(first);
        all.addAll(second);
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (Lifecycle incident : all) {
                assertSynced(incident);
            }
        });
        assertThat(TopicContents.readToEnd(kafka.bootstrapServers(), topics.dlq(), kafka.serdes(), Duration.ofSeconds(10))).isEmpty();

        // Alice works the incident that is still open in Redmine.
        Lifecycle open = new Lifecycle("INC-RM-ALICE").opened(Severity.SEV1, "payments", "Card payments declined");
        produce(topics.events(), List.of(open));
        await().atMost(Duration.ofSeconds(60)).until(() -> issues("INC-RM-ALICE").size() == 1);
        String key = issues("INC-RM-ALICE").get(0).path("id").asText();
        alice(key, Map.of("notes", "Found it: the card network's certificate expired"));
        alice(key, Map.of("status_id", status("Resolved"), "notes", "Rotated the certificate"));

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            List<IncidentCommand> people = peoplesCommands(topics);
            assertThat(people).extracting(command -> command.getPayload().getClass().getSimpleName())
                    .containsExactly("AddNote", "ResolveIncident");
        });
        List<IncidentCommand> people = peoplesCommands(topics);
        assertThat(people).allSatisfy(command -> {
            assertThat(command.getIncidentId()).isEqualTo("INC-RM-ALICE");
            assertThat(command.getActor().getId()).isEqualTo("redmine:alice");
            assertThat(command.getActor().getName()).isEqualTo("Alice Oncall");
            assertThat(command.getCommandId()).matches("redmine:\\d+");
        });
        assertThat(((AddNote) people.get(0).getPayload()).getText()).contains("certificate expired");
        assertThat(((ResolveIncident) people.get(1).getPayload()).getResolution()).contains(key).contains("Alice Oncall")
                .contains("Rotated the certificate");
        // Every ticket was linked back to its incident.
        List<IncidentCommand> links = commands(topics).stream().filter(command -> command.getPayload() instanceof LinkTicket).toList();
        assertThat(links.stream().map(IncidentCommand::getIncidentId).distinct()).hasSize(all.size() + 1);
        worker.deleteConnector("redmine-source");
        worker.deleteConnector("redmine-sink");
    }

    @Test
    void validationAsksRedmineAndTheShippedConfigsPassIt() throws Exception {
        Topics4 topics = new Topics4(kafka.createTopic(Topics.INCIDENT_EVENTS), kafka.createTopic(Topics.TICKET_LINKS),
                kafka.createTopic(Topics.INCIDENT_COMMANDS), kafka.createTopic(Topics.INCIDENT_DLQ));
        String sinkClass = TicketSinkConnector.class.getName();
        Map<String, String> sink = sink(topics);

        assertThat(worker.validate(sinkClass, sink).path("error_count").asInt()).isZero();
        assertThat(errors(sinkClass, sink, "redmine.tracker", "Incident", "redmine.tracker")).anyMatch(error -> error.contains("Bug, Feature, Support"));
        assertThat(errors(sinkClass, sink, "redmine.status.resolved", "Done", "redmine.status.resolved")).isNotEmpty();
        assertThat(errors(sinkClass, sink, "redmine.priority.SEV0", "P0", "redmine.priority.SEV0")).isNotEmpty();
        assertThat(errors(sinkClass, sink, "redmine.project", "nope", "redmine.url")).anyMatch(error -> error.contains("HTTP 404"));
        assertThat(errors(sinkClass, sink, "redmine.api.key", "0".repeat(40), "redmine.url")).anyMatch(error -> error.contains("HTTP 401"));
        assertThat(errors(TicketSourceConnector.class.getName(), source(topics), "redmine.status.closed", "Shut", "redmine.status.closed"))
                .isNotEmpty();

        // deploy/connect's files, pointed at this Redmine, broker and these topics, are valid as shipped otherwise.
        for (String file : List.of("redmine-sink.json", "redmine-source.json")) {
            JsonNode shipped = TicketHttp.JSON.readTree(Path.of("..", "deploy", "connect", file).toFile());
            Map<String, String> config = new HashMap<>(Map.of("name", shipped.path("name").asText()));
            shipped.path("config").fields().forEachRemaining(entry -> config.put(entry.getKey(), entry.getValue().asText()));
            assertThat(config.get("redmine.api.key")).startsWith("${file:");
            config.putAll(Map.of("redmine.url", redmine.url(), "redmine.api.key", "${file:" + keyFile + ":redmine.api.key}"));
            config.replaceAll((key, value) -> key.endsWith("bootstrap.servers") ? kafka.bootstrapServers() : value);
            JsonNode validation = worker.validate(config.get("connector.class"), config);
            List<String> errors = new ArrayList<>();
            validation.path("configs").forEach(value -> value.path("value").path("errors").forEach(error -> errors.add(error.asText())));
            assertThat(errors).as(file).isEmpty();
            assertThat(validation.path("error_count").asInt()).isZero();
        }
    }

    private static List<String> errors(String connectorClass, Map<String, String> config, String setting, String value, String field) {
        Map<String, String> bad = new HashMap<>(config);
        bad.put(setting, value);
        return ConnectWorker.errors(worker.validate(connectorClass, bad), field);
    }

    private static Map<String, String> common(String name, String connectorClass, Topics4 topics) {
        Map<String, String> config = new HashMap<>();
        config.put("name", name);
        config.put("connector.class", connectorClass);
        config.put("key.converter", TicketSinkConnector.BYTE_ARRAY_CONVERTER);
        config.put("value.converter", TicketSinkConnector.BYTE_ARRAY_CONVERTER);
        config.put("ticket.system", "redmine");
        config.put("redmine.url", redmine.url());
        config.put("redmine.project", redmine.project());
        config.put("ticket.commands.topic", topics.commands().name());
        return config;
    }

    private static Map<String, String> sink(Topics4 topics) {
        Map<String, String> config = common("redmine-sink", TicketSinkConnector.class.getName(), topics);
        config.put("tasks.max", "2");
        config.put("topics", topics.events().name());
        config.put(TicketSinkConnector.EVENTS_TOPIC, topics.events().name());
        config.put("redmine.api.key", "${file:" + keyFile + ":redmine.api.key}");
        config.put("errors.tolerance", "all");
        config.put("errors.deadletterqueue.topic.name", topics.dlq().name());
        config.put("errors.deadletterqueue.topic.replication.factor", "1");
        config.put("errors.deadletterqueue.context.headers.enable", "true");
        config.put("ticket.incident.url", "https://incidents.example.com/incidents/{{id}}");
        config.put("ticket.links.topic", topics.links().name());
        config.put("ticket.kafka.bootstrap.servers", kafka.bootstrapServers());
        return config;
    }

    private static Map<String, String> source(Topics4 topics) {
        Map<String, String> config = common("redmine-source", TicketSourceConnector.class.getName(), topics);
        config.put("tasks.max", "1");
        config.put("redmine.api.key", "${env:REDMINE_API_KEY}");
        config.put("ticket.poll.interval.ms", "500");
        config.put("ticket.inbound.comments", "true");
        return config;
    }

    private static void produce(Topic<String, IncidentEvent> topic, List<Lifecycle> incidents) {
        kafka.produce(topic, Lifecycle.interleaved(incidents));
    }

    /** One issue for the incident, closed, at the priority of its last severity, every comment once; its action item's too. */
    private static void assertSynced(Lifecycle incident) throws Exception {
        List<JsonNode> issues = issues(incident.incidentId);
        assertThat(issues).as("issues of " + incident.incidentId).hasSize(1);
        JsonNode issue = get("/issues/" + issues.get(0).path("id").asText() + ".json?include=journals,relations").path("issue");
        assertThat(issue.path("status").path("name").asText()).as(incident.incidentId).isEqualTo("Closed");
        assertThat(issue.path("priority").path("name").asText()).isEqualTo("Urgent");
        assertThat(issue.path("subject").asText()).contains(incident.incidentId);
        assertThat(issue.path("description").asText()).contains(escaped("https://incidents.example.com/incidents/" + incident.incidentId));
        List<String> notes = new ArrayList<>();
        issue.path("journals").forEach(journal -> {
            if (!journal.path("notes").asText().isBlank()) {
                notes.add(journal.path("notes").asText());
            }
        });
        assertThat(notes).as("notes of " + incident.incidentId).hasSize(Lifecycle.FULL_INCIDENT_COMMENTS);
        for (IncidentEvent event : incident.events) {
            String marker = escaped(TicketSync.marker(event));
            assertThat(notes.stream().filter(text -> text.contains(marker)).count()).as(event.getEventId()).isLessThanOrEqualTo(1);
        }
        List<JsonNode> items = issues(incident.incidentId + "/AI-1");
        assertThat(items).as("action items of " + incident.incidentId).hasSize(1);
        JsonNode item = get("/issues/" + items.get(0).path("id").asText() + ".json?include=relations").path("issue");
        assertThat(item.path("status").path("name").asText()).isEqualTo("Closed");
        assertThat(item.path("relations")).hasSize(1);
        JsonNode relation = item.path("relations").get(0);
        assertThat(relation.path("relation_type").asText()).isEqualTo("relates");
        assertThat(List.of(relation.path("issue_id").asText(), relation.path("issue_to_id").asText())).contains(issue.path("id").asText());
    }

    /** The issues whose Incident field is the marker. */
    private static List<JsonNode> issues(String marker) throws Exception {
        String field = "cf_" + redmine.incidentFieldId();
        List<JsonNode> issues = new ArrayList<>();
        get("/issues.json?project_id=" + redmine.project() + "&f%5B%5D=status_id&op%5Bstatus_id%5D=*&f%5B%5D=" + field + "&op%5B" + field
                + "%5D=%3D&v%5B" + field + "%5D%5B%5D=" + URLEncoder.encode(marker, StandardCharsets.UTF_8) + "&limit=100")
                .path("issues").forEach(issues::add);
        return issues;
    }

    private static int issueCount() throws Exception {
        return get("/issues.json?project_id=" + redmine.project() + "&status_id=*&limit=1").path("total_count").asInt();
    }

    private static String escaped(String text) {
        StringBuilder out = new StringBuilder();
        text.chars().forEach(c -> out.append(Character.isLetterOrDigit(c) || c == ' ' ? Character.toString(c) : "&#" + c + ";"));
        return out.toString();
    }

    private static List<IncidentCommand> commands(Topics4 topics) {
        return TopicContents.readToEnd(kafka.bootstrapServers(), topics.commands(), kafka.serdes(), Duration.ofSeconds(30)).stream()
                .map(ConsumerRecord::value).toList();
    }

    /** Commands from people's changes in Redmine, once each by command id (a repeat after a restart is the same command). */
    private static List<IncidentCommand> peoplesCommands(Topics4 topics) {
        Map<String, IncidentCommand> byId = new java.util.LinkedHashMap<>();
        commands(topics).stream().filter(command -> command.getActor().getId().toString().startsWith("redmine:"))
                .forEach(command -> byId.putIfAbsent(command.getCommandId(), command));
        return List.copyOf(byId.values());
    }

    private static int status(String name) throws Exception {
        for (JsonNode status : get("/issue_statuses.json").path("issue_statuses")) {
            if (status.path("name").asText().equals(name)) {
                return status.path("id").asInt();
            }
        }
        throw new IllegalArgumentException(name);
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(redmine.url() + path))
                .header("X-Redmine-API-Key", redmine.adminKey()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as("GET " + path).isEqualTo(200);
        return TicketHttp.JSON.readTree(answer.body());
    }

    private static void alice(String issue, Map<String, Object> fields) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(redmine.url() + "/issues/" + issue + ".json"))
                .header("X-Redmine-API-Key", redmine.aliceKey()).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(TicketHttp.JSON.writeValueAsString(Map.of("issue", fields)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(204);
    }
}
