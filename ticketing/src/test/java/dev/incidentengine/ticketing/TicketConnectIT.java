package dev.incidentengine.ticketing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.LinkTicket;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The connector in a real Connect worker (its own JVM) against the in-process broker and a local ticket server over real
 * HTTP: lifecycles become tickets, comments and transitions once each, across a SIGKILL of the worker; 429 and 503 are
 * retried; 4xx and unreadable records go to the dead-letter queue while the connector runs on; bad configurations are
 * named by Connect's validation; people's changes come back as commands.
 */
@WithKafka
class TicketConnectIT {

    private static final String TOKEN = "s3cret-token";

    static final Path dir = Path.of("target", "connect-it", Long.toString(System.currentTimeMillis()));
    static KafkaTestCluster kafka;
    static LocalTicketServer server;
    static ConnectWorker worker;

    @BeforeAll
    static void start(KafkaTestCluster cluster) throws Exception {
        kafka = cluster;
        server = new LocalTicketServer(TOKEN);
        worker = ConnectWorker.create(kafka.bootstrapServers(), dir.resolve("worker"), ConnectWorker.pluginPathWithTestSystems(dir),
                Map.of("LOCAL_TICKET_TOKEN", TOKEN)).start();
    }

    @AfterAll
    static void stop() {
        if (worker != null) {
            worker.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Topics of one connector, named for it alone on the shared broker. */
    record Topics4(Topic<String, IncidentEvent> events, Topic<String, ?> links, Topic<String, IncidentCommand> commands, Topic<byte[], byte[]> dlq) {
    }

    private static Topics4 topics() {
        return new Topics4(kafka.createTopic(Topics.INCIDENT_EVENTS), kafka.createTopic(Topics.TICKET_LINKS),
                kafka.createTopic(Topics.INCIDENT_COMMANDS), kafka.createTopic(Topics.INCIDENT_DLQ));
    }

    private static Map<String, String> sink(String name, Topics4 topics) {
        Map<String, String> config = new HashMap<>();
        config.put("name", name);
        config.put("connector.class", TicketSinkConnector.class.getName());
        config.put("tasks.max", "2");
        config.put("topics", topics.events().name());
        config.put(TicketSinkConnector.EVENTS_TOPIC, topics.events().name());
        config.put("key.converter", TicketSinkConnector.BYTE_ARRAY_CONVERTER);
        config.put("value.converter", TicketSinkConnector.BYTE_ARRAY_CONVERTER);
        config.put("errors.tolerance", "all");
        config.put("errors.deadletterqueue.topic.name", topics.dlq().name());
        config.put("errors.deadletterqueue.topic.replication.factor", "1");
        config.put("errors.deadletterqueue.context.headers.enable", "true");
        config.put("ticket.system", "local");
        config.put("local.url", server.url());
        config.put("local.token", "${env:LOCAL_TICKET_TOKEN}");
        config.put("local.field.team", "{{service}}-oncall");
        config.put("ticket.incident.url", "https://incidents.example.com/incidents/{{id}}");
        config.put("ticket.links.topic", topics.links().name());
        config.put("ticket.commands.topic", topics.commands().name());
        config.put("ticket.kafka.bootstrap.servers", kafka.bootstrapServers());
        config.put("ticket.retry.backoff.ms", "50");
        config.put("ticket.retry.backoff.max.ms", "500");
        return config;
    }

    private static void produce(Topic<String, IncidentEvent> topic, List<Lifecycle> incidents) {
        kafka.produce(topic, Lifecycle.interleaved(incidents));
    }

    /** The incident has its one ticket, its action item's, and every comment exactly once. */
    private static void assertSynced(Lifecycle incident) {
        assertThat(server.withMarker(incident.incidentId)).as("tickets of " + incident.incidentId).hasSize(1);
        LocalTicketServer.Ticket ticket = server.withMarker(incident.incidentId).get(0);
        assertThat(ticket.status).isEqualTo("closed");
        assertThat(ticket.severity).isEqualTo("SEV1");
        assertThat(ticket.fields).containsEntry("team", "checkout-oncall");
        assertThat(ticket.description).contains("https://incidents.example.com/incidents/" + incident.incidentId);
        List<String> comments = server.comments(ticket.key);
        assertThat(comments).hasSize(Lifecycle.FULL_INCIDENT_COMMENTS);
        for (IncidentEvent event : incident.events) {
            long copies = comments.stream().filter(text -> text.contains(TicketSync.marker(event))).count();
            assertThat(copies).as("comments of " + event.getEventId()).isLessThanOrEqualTo(1);
        }
        List<LocalTicketServer.Ticket> items = server.withMarker(incident.incidentId + "/AI-1");
        assertThat(items).hasSize(1);
        assertThat(items.get(0).parent).isEqualTo(ticket.key);
        assertThat(items.get(0).status).isEqualTo("closed");
    }

    @Test
    void lifecyclesBecomeTicketsOnceAcrossAKilledWorker() {
        Topics4 topics = topics();
        worker.putConnector("tickets-kill", sink("tickets-kill", topics));
        worker.awaitRunning("tickets-kill", 2);
        List<Lifecycle> first = IntStream.range(0, 20).mapToObj(i -> Lifecycle.full("INC-KILL-" + i)).toList();
        List<Lifecycle> second = IntStream.range(20, 40).mapToObj(i -> Lifecycle.full("INC-KILL-" + i)).toList();
        server.delay(Duration.ofMillis(15));
        produce(topics.events(), first);
        await().atMost(Duration.ofSeconds(60)).until(() -> server.tickets().stream().filter(t -> t.marker.startsWith("INC-KILL-")).count() >= 8);
        worker.kill();
        produce(topics.events(), second);
        worker.start();
        server.delay(Duration.ZERO);
        worker.awaitRunning("tickets-kill", 2);
        List<Lifecycle> all = new ArrayList<>(first);
        all.addAll(second);
        await().atMost(Duration.ofSeconds(120)).untilAsserted(() -> all.forEach(TicketConnectIT::assertSynced));

        // Every ticket was linked back to its incident; repeats carry the same command id.
        List<ConsumerRecord<String, IncidentCommand>> commands = TopicContents.readToEnd(kafka.bootstrapServers(), topics.commands(),
                kafka.serdes(), Duration.ofSeconds(30));
        assertThat(commands).allSatisfy(record -> assertThat(record.value().getPayload()).isInstanceOf(LinkTicket.class));
        assertThat(commands.stream().map(record -> record.value().getCommandId()).distinct().count()).isEqualTo(80);
        assertThat(commands).allSatisfy(record -> assertThat(record.key()).isEqualTo(record.value().getIncidentId()));
        worker.deleteConnector("tickets-kill");
    }

    @Test
    void rateLimitsAndOutagesAreRetriedAndRefusalsGoToTheDeadLetterQueue() throws Exception {
        Topics4 topics = topics();
        Map<String, String> config = sink("tickets-faults", topics);
        config.put("ticket.retry.max.wait.ms", "1500");
        worker.putConnector("tickets-faults", config);
        worker.awaitRunning("tickets-faults", 2);
        // Retry-After 1 s is waited in the task; 3 s is longer than ticket.retry.max.wait.ms: Connect delivers the batch again.
        server.failNext(2, "POST /api/tickets ", 429, Map.of("Retry-After", "1"), "{\"error\":\"slow down\"}");
        server.failNext(1, "POST /api/tickets ", 429, Map.of("Retry-After", "3"), "{\"error\":\"slow down more\"}");
        server.failNext(3, "/comments", 503, Map.of(), "{\"error\":\"maintenance\"}");
        server.refuse("REFUSE-400", 400, "{\"error\":\"summary rejected\"}");
        server.refuse("INC-FAULT-404", 404, "{\"error\":\"no such project\"}");
        Lifecycle ok = Lifecycle.full("INC-FAULT-OK");
        Lifecycle refused = new Lifecycle("INC-FAULT-400").opened(dev.incidentengine.model.Severity.SEV1, "checkout", "REFUSE-400 in the title");
        Lifecycle missing = new Lifecycle("INC-FAULT-404").opened(dev.incidentengine.model.Severity.SEV1, "checkout", "finds nothing").note("a note");
        produce(topics.events(), List.of(ok, refused, missing));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerProps(), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topics.events().name(), "INC-GARBAGE".getBytes(StandardCharsets.UTF_8),
                    "not avro".getBytes(StandardCharsets.UTF_8))).get();
        }
        Lifecycle after = Lifecycle.full("INC-FAULT-AFTER");
        produce(topics.events(), List.of(after));

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            assertSynced(ok);
            assertSynced(after);
        });
        assertThat(server.withMarker("INC-FAULT-400")).isEmpty();
        // 400 and 404 on the creates (the note of the incident without a ticket changes nothing); the unreadable record.
        // Partitions go at their own pace (one may be waiting out a Retry-After): wait for all three.
        Map<String, String> why = new HashMap<>();
        List<ConsumerRecord<byte[], byte[]>> dead = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            dead.clear();
            dead.addAll(TopicContents.readToEnd(kafka.bootstrapServers(), topics.dlq(), kafka.serdes(), Duration.ofSeconds(30)));
            why.clear();
            for (ConsumerRecord<byte[], byte[]> record : dead) {
                why.put(new String(record.key(), StandardCharsets.UTF_8), header(record, "__connect.errors.exception.message"));
            }
            assertThat(why.keySet()).containsExactlyInAnyOrder("INC-FAULT-400", "INC-FAULT-404", "INC-GARBAGE");
        });
        assertThat(dead).hasSize(3);
        assertThat(why.get("INC-FAULT-400")).contains("local refused create: HTTP 400").contains("summary rejected");
        assertThat(why.get("INC-FAULT-404")).contains("HTTP 404").contains("no such project");
        assertThat(why.get("INC-GARBAGE")).contains("not Avro single-object encoded");
        assertThat(dead).allSatisfy(record -> assertThat(header(record, "__connect.errors.connector.name")).isEqualTo("tickets-faults"));
        assertThat(server.pendingFaults()).as("every 429 and 503 was answered, and retried").isZero();
        assertThat(worker.status("tickets-faults").path("connector").path("state").asText()).isEqualTo("RUNNING");
        worker.deleteConnector("tickets-faults");
    }

    @Test
    void withoutADeadLetterQueueARefusalFailsTheTaskSayingWhy() {
        Topics4 topics = topics();
        Map<String, String> config = sink("tickets-strict", topics);
        config.remove("errors.tolerance");
        config.remove("errors.deadletterqueue.topic.name");
        config.put("tasks.max", "1");
        worker.putConnector("tickets-strict", config);
        worker.awaitRunning("tickets-strict", 1);
        server.refuse("STRICT-403", 403, "{\"error\":\"project is read-only\"}");
        produce(topics.events(), List.of(new Lifecycle("INC-STRICT-1").opened(dev.incidentengine.model.Severity.SEV1, "checkout", "STRICT-403")));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            var task = worker.status("tickets-strict").path("tasks").get(0);
            assertThat(task.path("state").asText()).isEqualTo("FAILED");
            assertThat(task.path("trace").asText()).contains("INC-STRICT-1").contains("local refused create: HTTP 403")
                    .contains("project is read-only").contains("errors.tolerance");
        });
        worker.deleteConnector("tickets-strict");
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Test
    void validationNamesEachBadSetting() {
        Topics4 topics = topics();
        String sinkClass = TicketSinkConnector.class.getName();
        Map<String, Map.Entry<String, String>> cases = new java.util.LinkedHashMap<>();
        cases.put("ticket.system", Map.entry("ticket.system", "bugzilla"));
        cases.put("local.url", Map.entry("local.url", "not a url"));
        cases.put("ticket.template.summary", Map.entry("ticket.template.summary", "{{#unclosed}}"));
        cases.put("local.field.team", Map.entry("local.field.team", "{{/nope}}"));
        cases.put("ticket.severities", Map.entry("ticket.severities", "SEV9"));
        cases.put("ticket.comment.events", Map.entry("ticket.comment.events", "note,gossip"));
        cases.put("topics", Map.entry("topics", "incident.state.v1"));
        cases.put("value.converter", Map.entry("value.converter", "org.apache.kafka.connect.json.JsonConverter"));
        for (Map.Entry<String, Map.Entry<String, String>> bad : cases.entrySet()) {
            Map<String, String> config = sink("validate", topics);
            config.put(bad.getValue().getKey(), bad.getValue().getValue());
            var validation = worker.validate(sinkClass, config);
            assertThat(ConnectWorker.errors(validation, bad.getKey())).as(bad.getKey() + "=" + bad.getValue().getValue()).isNotEmpty();
        }
        Map<String, String> missingUrl = sink("validate", topics);
        missingUrl.remove("local.url");
        assertThat(ConnectWorker.errors(worker.validate(sinkClass, missingUrl), "local.url")).isNotEmpty();
        Map<String, String> good = sink("validate", topics);
        assertThat(worker.validate(sinkClass, good).path("error_count").asInt()).isZero();
    }

    @Test
    void peopleResolvingTicketsResolveTheirIncidents() throws Exception {
        Topics4 topics = topics();
        worker.putConnector("tickets-people", sink("tickets-people", topics));
        worker.awaitRunning("tickets-people", 2);
        Map<String, String> source = new HashMap<>();
        source.put("name", "tickets-people-source");
        source.put("connector.class", TicketSourceConnector.class.getName());
        source.put("tasks.max", "1");
        source.put("key.converter", TicketSinkConnector.BYTE_ARRAY_CONVERTER);
        source.put("value.converter", TicketSinkConnector.BYTE_ARRAY_CONVERTER);
        source.put("ticket.system", "local");
        source.put("local.url", server.url());
        source.put("local.token", "${env:LOCAL_TICKET_TOKEN}");
        source.put("ticket.commands.topic", topics.commands().name());
        source.put("ticket.poll.interval.ms", "200");
        source.put("ticket.heartbeat.topic", kafka.createTopic(Topics.TICKET_SOURCE_HEARTBEATS).name());
        worker.putConnector("tickets-people-source", source);
        worker.awaitRunning("tickets-people-source", 1);

        produce(topics.events(), List.of(new Lifecycle("INC-PEOPLE-1").opened(dev.incidentengine.model.Severity.SEV2, "checkout", "Slow pages")));
        await().atMost(Duration.ofSeconds(60)).until(() -> server.withMarker("INC-PEOPLE-1").size() == 1);
        String key = server.withMarker("INC-PEOPLE-1").get(0).key;
        server.personChanged(key, "resolved", "bob", "Bob Example", "fixed the cache");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<IncidentCommand> resolutions = TopicContents.readToEnd(kafka.bootstrapServers(), topics.commands(), kafka.serdes(), Duration.ofSeconds(30))
                    .stream().map(ConsumerRecord::value).filter(command -> command.getPayload() instanceof ResolveIncident).toList();
            assertThat(resolutions).singleElement().satisfies(command -> {
                assertThat(command.getIncidentId()).isEqualTo("INC-PEOPLE-1");
                assertThat(command.getActor().getId()).isEqualTo("local:bob");
                assertThat(command.getCommandId()).startsWith("local:");
                assertThat(((ResolveIncident) command.getPayload()).getResolution()).contains("fixed the cache").contains(key);
            });
        });
        worker.deleteConnector("tickets-people-source");
        worker.deleteConnector("tickets-people");
    }
}
