package dev.incidentengine.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.incidentengine.configdata.ConfigData;
import dev.incidentengine.configdata.ConfigPublisher;
import dev.incidentengine.configdata.IntegrationKeys;
import dev.incidentengine.ingest.AlertIngestConfig;
import dev.incidentengine.ingest.AlertIngestService;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.model.config.IntegrationType;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.TopicCreator;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.TopicContents;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The broker stops while alerts stream in: requests get 503 with Retry-After, clients retry as
 * Alertmanager does, and after the broker is back every accepted alert is in Kafka; an alert is
 * stored twice only when its client had to retry it (the fingerprint makes that copy a no-op).
 */
class AlertIngestOutageIT {

    private static final String KEY = "outage-key";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final RecordSerdes serdes = RecordSerdes.singleObject();

    @TempDir
    Path dataDir;

    @Test
    void brokerOutageMidTraffic_answers503_thenLosesNothing() throws Exception {
        int kafkaPort = TopicContents.freePort();
        int controllerPort = TopicContents.freePort();
        KafkaBroker broker = new KafkaBroker(dataDir.resolve("kafka"), "127.0.0.1", kafkaPort, controllerPort);
        broker.start(Duration.ofSeconds(60));
        ServiceRunner runner = null;
        ExecutorService clients = Executors.newFixedThreadPool(3);
        try {
            prepare(broker.bootstrapServers());
            runner = new ServiceRunner("127.0.0.1", 0, List.of(new AlertIngestService(config(broker.bootstrapServers())))).start();
            ServiceRunner running = runner;
            await("ingest ready").atMost(Duration.ofSeconds(60)).until(running::ready);
            String url = "http://127.0.0.1:" + runner.httpAddress().getPort() + "/api/v1/alerts";

            Set<String> accepted = ConcurrentHashMap.newKeySet();
            Set<String> retried = ConcurrentHashMap.newKeySet();
            AtomicInteger unavailable = new AtomicInteger();
            AtomicBoolean sending = new AtomicBoolean(true);
            List<Future<?>> senders = new ArrayList<>();
            for (int client = 0; client < 3; client++) {
                int id = client;
                senders.add(clients.submit(() -> send(url, id, sending, accepted, retried, unavailable)));
            }
            await("traffic flows").atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= 100);

            broker.close();
            String readyz = "http://127.0.0.1:" + runner.httpAddress().getPort() + "/readyz";
            await("/readyz fails while Kafka is down").atMost(Duration.ofSeconds(30)).until(() -> status(readyz) == 503);
            await("503s while Kafka is down").atMost(Duration.ofSeconds(30)).until(() -> unavailable.get() >= 3);
            int acceptedWhileDown = accepted.size();
            // A few answered just before the 503s may still count.
            await("nothing accepted without Kafka").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                    .until(() -> accepted.size() <= acceptedWhileDown + 3);

            broker = new KafkaBroker(dataDir.resolve("kafka"), "127.0.0.1", kafkaPort, controllerPort);
            broker.start(Duration.ofSeconds(60));
            int beforeRecovery = accepted.size();
            await("traffic flows again").atMost(Duration.ofSeconds(90)).until(() -> accepted.size() >= beforeRecovery + 100);
            await("/readyz recovers").atMost(Duration.ofSeconds(60)).until(() -> status(readyz) == 200);
            sending.set(false);
            for (Future<?> sender : senders) {
                sender.get(120, TimeUnit.SECONDS);
            }

            Map<String, Long> stored = TopicContents.readToEnd(broker.bootstrapServers(), Topics.ALERTS, serdes, Duration.ofSeconds(60))
                    .stream().map(ConsumerRecord::key)
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            assertThat(stored.keySet()).as("every accepted alert stored").containsAll(accepted);
            assertThat(stored).as("stored twice only when retried").allSatisfy((fingerprint, count) ->
                    assertThat(count == 1 || retried.contains(fingerprint)).as(fingerprint + " stored " + count + " times").isTrue());
            assertThat(stored.keySet()).as("nothing stored that was not accepted").isSubsetOf(accepted);
            System.out.printf("outage: %d alerts accepted, %d answers 503, %d alerts stored twice%n", accepted.size(),
                    unavailable.get(), stored.values().stream().filter(count -> count > 1).count());
        } finally {
            clients.shutdownNow();
            if (runner != null) {
                runner.close();
            }
            broker.close();
        }
    }

    /** Sends alerts one by one, each retried until accepted, as Alertmanager retries its webhooks. */
    private void send(String url, int client, AtomicBoolean sending, Set<String> accepted, Set<String> retried,
                      AtomicInteger unavailable) {
        for (int sequence = 0; sending.get(); sequence++) {
            String key = "c" + client + "-" + sequence;
            String body = "{\"summary\":\"outage test\",\"dedupKey\":\"" + key + "\"}";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                            .header("Authorization", "Bearer " + KEY)
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 202) {
                        accepted.add("outage/" + key);
                        break;
                    }
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
                    assertThat(response.headers().firstValue("Retry-After")).isPresent();
                    unavailable.incrementAndGet();
                    retried.add("outage/" + key);
                    Thread.sleep(200);
                } catch (IOException e) {
                    throw new AssertionError("the receiver must answer, even without Kafka", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private int status(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void prepare(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicCreator.ensureCreated(admin, Topics.ALL, Optional.of((short) 1));
        }
        IntegrationConfig integration = new IntegrationConfig("outage", "Outage test", IntegrationType.GENERIC, "checkout",
                IntegrationKeys.sha256(KEY), List.of(), null);
        ConfigPublisher.publish(List.of(new ConfigData.Entry(Topics.CONFIG_INTEGRATIONS, integration.getId(), integration, "test")),
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), serdes);
    }

    private AlertIngestConfig config(String bootstrap) {
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(EngineConfig.STATE_DIR_CONFIG, dataDir.resolve("state").toString());
        settings.put(AlertIngestConfig.KAFKA_TIMEOUT_MS_CONFIG, "2000");
        settings.put(AlertIngestConfig.RETRY_AFTER_SECONDS_CONFIG, "1");
        settings.put(AlertIngestConfig.RATE_LIMIT_CONFIG, "0");
        return new AlertIngestConfig(settings);
    }
}
