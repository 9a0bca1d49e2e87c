package dev.incidentengine.notifier;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.StatusUpdatePosted;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.ChannelType;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.WithKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.incidentengine.testkit.Samples.event;
import static dev.incidentengine.testkit.Samples.opened;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One incident's news reaches a channel in event order, under load: many incidents, several events each, all to one slow-ish
 * webhook receiver (a real local HTTP server) that answers some first attempts with 503, so deliveries are retried. What the
 * receiver saw, per incident, is in event order, retries included; how fast anything ran does not matter.
 */
@WithKafka
class OrderedDeliveryIT {

    private static final int INCIDENTS = 40;
    /** opened, acknowledged, two status updates, resolved. */
    private static final int EVENTS = 5;

    @TempDir
    Path dir;

    /** What the receiver saw: per incident, the event index of each request in arrival order, and of each it accepted. */
    private final Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
    private final Map<String, List<Integer>> accepted = new ConcurrentHashMap<>();
    private final Map<String, Boolean> refusedOnce = new ConcurrentHashMap<>();

    @Test
    void eachIncidentsNewsArrivesInEventOrder_retriesIncluded(KafkaTestCluster kafka) throws Exception {
        NotifierTopics topics = NotifierIT.topics(kafka);
        ExecutorService threads = Executors.newFixedThreadPool(16);
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        receiver.setExecutor(threads);
        receiver.createContext("/news", this::receive);
        receiver.start();
        try {
            kafka.produce(topics.channels(), List.of(Map.entry("room", new ChannelConfig("room", "Room", ChannelType.WEBHOOK,
                    "http://127.0.0.1:" + receiver.getAddress().getPort() + "/news", null, List.of(), List.of(), List.of()))));
            try (ServiceRunner ignored = start(kafka, topics)) {
                List<Map.Entry<String, IncidentEvent>> events = new ArrayList<>();
                Instant now = Instant.now();
                for (int k = 0; k < EVENTS; k++) {
                    for (int i = 0; i < INCIDENTS; i++) {
                        String id = "INC-20261122-7-" + String.format("%04d", i);
                        events.add(Map.entry(id, eventOf(id, k, now.plusMillis(k))));
                    }
                }
                kafka.produce(topics.events(), events);

                await("every incident's news accepted").atMost(Duration.ofSeconds(120))
                        .until(() -> accepted.values().stream().mapToInt(List::size).sum() == INCIDENTS * EVENTS);
            }
        } finally {
            receiver.stop(0);
            threads.shutdownNow();
        }

        List<Integer> inOrder = List.of(0, 1, 2, 3, 4);
        assertThat(refusedOnce).as("retried deliveries").isNotEmpty();
        assertThat(accepted).hasSize(INCIDENTS).allSatisfy((incident, events) -> assertThat(events).as(incident).isEqualTo(inOrder));
        assertThat(seen).allSatisfy((incident, events) -> assertThat(events).as(incident + ", attempts included").isSorted());
    }

    private static IncidentEvent eventOf(String id, int k, Instant at) {
        String eventId = id + "-e" + k;
        return switch (k) {
            case 0 -> opened(id, eventId).setTimestamp(at).build();
            case 1 -> event(id, eventId, at, new IncidentAcknowledged("on it"));
            case 2, 3 -> event(id, eventId, at, new StatusUpdatePosted("update " + k));
            default -> event(id, eventId, at, new IncidentResolved("rolled back"));
        };
    }

    /** Slow-ish (up to 15 ms), and a third of the deliveries are refused once with 503. */
    private void receive(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key"); // <incident>-e<k>:room:webhook:0
        String eventId = key.substring(0, key.indexOf(':'));
        String incident = eventId.substring(0, eventId.lastIndexOf("-e"));
        int k = Integer.parseInt(eventId.substring(eventId.lastIndexOf("-e") + 2));
        synchronized (seen) {
            seen.computeIfAbsent(incident, i -> new ArrayList<>()).add(k);
        }
        boolean refuse = Math.floorMod(key.hashCode(), 3) == 0 && refusedOnce.putIfAbsent(key, true) == null;
        try {
            Thread.sleep(Math.floorMod(key.hashCode(), 16)); // the receiver's own latency, not a wait of the test
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!refuse) {
            synchronized (accepted) {
                accepted.computeIfAbsent(incident, i -> new ArrayList<>()).add(k);
            }
        }
        byte[] answer = "{}".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(refuse ? 503 : 200, answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    private ServiceRunner start(KafkaTestCluster kafka, NotifierTopics topics) {
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        settings.put(NotifierConfig.APPLICATION_ID_CONFIG, "notifier-" + topics.events().name());
        settings.put(NotifierConfig.RETRY_BASE_MS_CONFIG, "10");
        settings.put(NotifierConfig.RETRY_CAP_MS_CONFIG, "50");
        settings.put("kafka.commit.interval.ms", "100");
        ServiceRunner runner = new ServiceRunner("127.0.0.1", 0, List.of(new NotifierService(new NotifierConfig(settings), topics))).start();
        await("notifier running").atMost(Duration.ofSeconds(60)).until(runner::ready);
        return runner;
    }
}
