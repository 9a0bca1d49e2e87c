package dev.incidentengine.incident;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.Severity;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The change feed on a real broker: live events, resume after a disconnect without loss or repeat, filters, bad requests. */
@WithKafka
class ChangeFeedIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void aClientThatReconnectsWithItsLastEventId_getsEveryChangeOnce_fromTheBufferOrFromTheLog(KafkaTestCluster kafka) throws Exception {
        IncidentTopics topics = IncidentTestTopics.create(kafka);
        // A buffer of three events: a client away for more than that catches up from the log.
        try (ServiceRunner runner = start(kafka, topics, "feed", Map.of(IncidentStreamConfig.API_STREAM_BUFFER_EVENTS_CONFIG, "3"))) {
            IncidentApiIT.Api api = new IncidentApiIT.Api(base(runner));
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

            Sse first = Sse.open(base(runner) + "/api/v1/stream", null);
            IncidentApiIT.open(kafka, topics, "INC-FEED-1", "checkout", Severity.SEV2, now);
            IncidentApiIT.open(kafka, topics, "INC-FEED-2", "payments", Severity.SEV2, now);
            await("both openings on the feed").atMost(Duration.ofSeconds(60))
                    .until(() -> types(first).stream().filter("IncidentOpened"::equals).count() == 2);
            String lastId = first.events.get(first.events.size() - 1).id();
            first.close();

            // Away: more changes than the buffer holds.
            await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/v1/incidents/INC-FEED-1", IncidentApiIT.VIEWER).statusCode() == 200);
            assertThat(api.post("/api/v1/incidents/INC-FEED-1/acknowledge?wait=true", IncidentApiIT.RESPONDER, "").statusCode()).isEqualTo(200);
            assertThat(api.post("/api/v1/incidents/INC-FEED-1/notes?wait=true", IncidentApiIT.RESPONDER, "{\"text\": \"looking\"}")
                    .statusCode()).isEqualTo(200);
            assertThat(api.post("/api/v1/incidents/INC-FEED-2/resolve?wait=true", IncidentApiIT.RESPONDER, "").statusCode()).isEqualTo(200);
            IncidentApiIT.open(kafka, topics, "INC-FEED-3", "checkout", Severity.SEV1, now);

            Sse resumed = Sse.open(base(runner) + "/api/v1/stream", lastId);
            Sse fresh = Sse.open(base(runner) + "/api/v1/stream", null);
            try (resumed; fresh) {
                // The log as it stands once INC-FEED-3's opening (a command, decided a moment later) is in it.
                List<String> log = await("the resumed client has every event of the log")
                        .atMost(Duration.ofSeconds(60)).until(() -> {
                            List<IncidentEvent> events = log(kafka, topics);
                            return events.stream().anyMatch(event -> event.getIncidentId().equals("INC-FEED-3")) ? eventIds(events) : List.of();
                        }, ids -> !ids.isEmpty() && received(first, resumed).equals(ids));
                assertThat(received(first, resumed)).as("nothing twice").doesNotHaveDuplicates();
                assertThat(types(resumed)).contains("IncidentAcknowledged", "NoteAdded", "IncidentResolved", "IncidentOpened");
                assertThat(log).hasSizeGreaterThan(3);

                // Live after the catch-up: a change now reaches both the resumed and a fresh client, once.
                assertThat(api.post("/api/v1/incidents/INC-FEED-1/resolve?wait=true", IncidentApiIT.RESPONDER, "").statusCode())
                        .isEqualTo(200);
                await().atMost(Duration.ofSeconds(30)).until(() -> types(fresh).contains("IncidentResolved")
                        && received(first, resumed).equals(eventIds(log(kafka, topics))));
                assertThat(received(first, resumed)).doesNotHaveDuplicates();
                JsonNode resolved = fresh.events.stream().map(Sse.Event::data).filter(data -> data.get("type").asText().equals("IncidentResolved"))
                        .findFirst().orElseThrow();
                assertThat(resolved.get("incidentId").asText()).isEqualTo("INC-FEED-1");
                assertThat(resolved.get("status").asText()).isEqualTo("RESOLVED");
                assertThat(resolved.get("service").asText()).isEqualTo("checkout");
                assertThat(resolved.get("event").get("payload").get("type").asText()).isEqualTo("IncidentResolved");
            }
        }
    }

    @Test
    void aFilteredClient_getsItsServicesChanges_includingTheOneThatTakesAnIncidentOutOfItsStatuses(KafkaTestCluster kafka) throws Exception {
        IncidentTopics topics = IncidentTestTopics.create(kafka);
        try (ServiceRunner runner = start(kafka, topics, "filtered", Map.of())) {
            IncidentApiIT.Api api = new IncidentApiIT.Api(base(runner));
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            try (Sse open = Sse.open(base(runner) + "/api/v1/stream?service=checkout&status=triggered,acknowledged", null)) {
                IncidentApiIT.open(kafka, topics, "INC-F-1", "checkout", Severity.SEV2, now);
                IncidentApiIT.open(kafka, topics, "INC-F-2", "payments", Severity.SEV2, now);
                await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/v1/incidents/INC-F-2", IncidentApiIT.VIEWER).statusCode() == 200
                        && api.get("/api/v1/incidents/INC-F-1", IncidentApiIT.VIEWER).statusCode() == 200);
                assertThat(api.post("/api/v1/incidents/INC-F-1/resolve?wait=true", IncidentApiIT.RESPONDER, "").statusCode()).isEqualTo(200);
                assertThat(api.post("/api/v1/incidents/INC-F-1/notes?wait=true", IncidentApiIT.RESPONDER, "{\"text\": \"after\"}")
                        .statusCode()).isEqualTo(200);
                assertThat(api.post("/api/v1/incidents/INC-F-2/resolve?wait=true", IncidentApiIT.RESPONDER, "").statusCode()).isEqualTo(200);

                // The unfiltered log, once it holds the last change, tells what the filtered client should have.
                await().atMost(Duration.ofSeconds(30)).until(() -> log(kafka, topics).stream()
                        .anyMatch(event -> event.getIncidentId().equals("INC-F-2") && event.getPayload().getClass().getSimpleName()
                                .equals("IncidentResolved")));
                await().atMost(Duration.ofSeconds(30)).until(() -> types(open).contains("IncidentResolved"));
                assertThat(open.events).allSatisfy(event -> assertThat(event.data().get("incidentId").asText()).isEqualTo("INC-F-1"));
                assertThat(types(open)).startsWith("IncidentOpened").contains("IncidentResolved")
                        .as("a note on the resolved incident is not a change of the open ones").doesNotContain("NoteAdded");
            }
        }
    }

    @Test
    void badRequests_areRefusedWithTheReason(KafkaTestCluster kafka) throws Exception {
        IncidentTopics topics = IncidentTestTopics.create(kafka);
        try (ServiceRunner runner = start(kafka, topics, "refusals", Map.of())) {
            String stream = base(runner) + "/api/v1/stream";
            assertThat(get(stream, null, Map.of()).statusCode()).isEqualTo(401);
            Map<String, String> refused = Map.of(
                    "?lastEventId=abc", "Last-Event-ID",
                    "?lastEventId=1.2", "each of the log's " + topics.events().partitions() + " partitions",
                    "?lastEventId=-1" + ".0".repeat(topics.events().partitions() - 1), "Last-Event-ID",
                    "?status=sleeping", "status",
                    "?colour=red", "unknown parameter");
            for (Map.Entry<String, String> request : refused.entrySet()) {
                HttpResponse<String> answer = get(stream + request.getKey(), IncidentApiIT.VIEWER, Map.of());
                assertThat(answer.statusCode()).as(request.getKey()).isEqualTo(400);
                assertThat(answer.body()).as(request.getKey()).contains(request.getValue());
            }
            String beyond = String.join(".", Collections.nCopies(topics.events().partitions(), "999999"));
            HttpResponse<String> ahead = get(stream, IncidentApiIT.VIEWER, Map.of("Last-Event-ID", beyond));
            assertThat(ahead.statusCode()).isEqualTo(400);
            assertThat(ahead.body()).contains("is not a position of this log");
        }
    }

    private ServiceRunner start(KafkaTestCluster kafka, IncidentTopics topics, String instance, Map<String, String> extra) throws Exception {
        IncidentStreamConfig base = IncidentApiIT.config(kafka, topics, dir, instance);
        Map<String, Object> settings = new HashMap<>(base.originals());
        settings.putAll(extra);
        ServiceRunner runner = new ServiceRunner("127.0.0.1", 0, List.of(new IncidentStreamService(new IncidentStreamConfig(settings), topics)))
                .start();
        await("ready").atMost(Duration.ofSeconds(60)).until(runner::ready);
        return runner;
    }

    private static String base(ServiceRunner runner) {
        return "http://127.0.0.1:" + runner.httpAddress().getPort();
    }

    private static HttpResponse<String> get(String uri, String token, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The whole log now, in each partition's order (read_committed). */
    private static List<IncidentEvent> log(KafkaTestCluster kafka, IncidentTopics topics) {
        try (KafkaConsumer<String, IncidentEvent> consumer = kafka.consumer(topics.events(), "unused")) {
            List<TopicPartition> partitions = consumer.partitionsFor(topics.events().name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, IncidentEvent>> records = new ArrayList<>();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records.stream().map(ConsumerRecord::value).toList();
        }
    }

    private static List<String> eventIds(List<IncidentEvent> log) {
        return log.stream().map(IncidentEvent::getEventId).sorted().toList();
    }

    private static List<String> received(Sse... clients) {
        List<String> ids = new ArrayList<>();
        for (Sse client : clients) {
            client.events.forEach(event -> ids.add(event.data().get("event").get("eventId").asText()));
        }
        ids.sort(null);
        return ids;
    }

    private static List<String> types(Sse client) {
        return client.events.stream().map(event -> event.data().get("type").asText()).toList();
    }

    /** A Server-Sent Events client: reads the stream on a thread of its own until closed. */
    private static final class Sse implements AutoCloseable {

        record Event(String id, JsonNode data) {
        }

        final List<Event> events = new CopyOnWriteArrayList<>();
        private final InputStream body;
        private final Thread reader;

        private Sse(InputStream body) {
            this.body = body;
            this.reader = new Thread(this::read, "sse-client");
            reader.setDaemon(true);
            reader.start();
        }

        static Sse open(String uri, String lastEventId) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri))
                    .header("Authorization", "Bearer " + IncidentApiIT.VIEWER).header("Accept", "text/event-stream");
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/event-stream"));
            return new Sse(response.body());
        }

        private void read() {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String id = null;
                StringBuilder data = new StringBuilder();
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.isEmpty()) {
                        if (data.length() > 0) {
                            events.add(new Event(id, JSON.readTree(data.toString())));
                            data.setLength(0);
                        }
                    } else if (line.startsWith("id: ")) {
                        id = line.substring(4);
                    } else if (line.startsWith("data: ")) {
                        data.append(line.substring(6));
                    }
                }
            } catch (IOException e) {
                // Closed.
            }
        }

        @Override
        public void close() throws Exception {
            body.close();
            reader.join(5_000);
        }
    }
}
