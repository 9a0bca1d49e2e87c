package dev.incidentengine.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.incidentengine.configdata.IntegrationKeys;
import dev.incidentengine.incident.IncidentStreamConfig;
import dev.incidentengine.incident.IncidentStreamService;
import dev.incidentengine.incident.IncidentTopics;
import dev.incidentengine.ingest.AlertIngestConfig;
import dev.incidentengine.ingest.AlertIngestService;
import dev.incidentengine.ingest.IngestTopics;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.HeartbeatSettings;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.model.config.IntegrationType;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dead man's switch end to end on a real broker: alert-ingest (HTTP pings, the Watchdog through the Alertmanager
 * webhook and posted by Prometheus to API v2, the heartbeat's deadlines) and incident-stream (the normal path from an alert to an incident). Pings keep it
 * quiet; a missed one opens an incident; the next ping resolves it; alert-ingest stopped while a deadline passes fires
 * it once when it is back, from the state it kept.
 */
@WithKafka
class HeartbeatIT {

    private static final String KEY = "prom-key";
    private static final int INTERVAL_SECONDS = 10;

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path stateDir;

    @Test
    void pingsKeepItQuiet_aMissOpensAnIncident_thePingResolvesIt_aDeadlinePassedWhileDownFiresOnce(KafkaTestCluster kafka)
            throws Exception {
        IncidentTopics d = IncidentTopics.DEFAULT;
        IncidentTopics incidents = new IncidentTopics(kafka.createTopic(d.alerts()), kafka.createTopic(d.commands()),
                kafka.createTopic(d.events()), kafka.createTopic(d.state()), kafka.createTopic(d.commandResults()),
                kafka.createTopic(d.suppressed()), kafka.createTopic(d.inhibiting()), kafka.createTopic(d.routes()),
                kafka.createTopic(d.silences()), kafka.createTopic(d.inhibitRules()), kafka.createTopic(d.deadLetters()),
                kafka.createTopic(d.services()), kafka.createTopic(d.integrations()), kafka.createTopic(d.escalationPolicies()),
                kafka.createTopic(d.channels()), kafka.createTopic(d.teams()), kafka.createTopic(d.statusPages()),
                kafka.createTopic(d.roles()), kafka.createTopic(d.incidentTypes()), kafka.createTopic(d.runbooks()), kafka.createTopic(d.tiers()));
        IngestTopics ingest = new IngestTopics(kafka.createTopic(Topics.ALERTS_RAW), incidents.alerts(), kafka.createTopic(Topics.ALERTS_DLQ),
                incidents.integrations(), kafka.createTopic(Topics.HEARTBEATS));
        // Names of this test's own: no other test's consumer group, internal topics or changelogs.
        String suffix = incidents.alerts().name().substring(Topics.ALERTS.name().length());
        IntegrationConfig prom = IntegrationConfig.newBuilder().setId("prom").setName("Prometheus").setType(IntegrationType.ALERTMANAGER)
                .setServiceId("monitoring").setKeySha256(IntegrationKeys.sha256(KEY)).setAllowedServices(List.of())
                .setHeartbeat(HeartbeatSettings.newBuilder().setIntervalSeconds(INTERVAL_SECONDS).setGraceSeconds(0)
                        .setAlertname("Watchdog").setSeverity(Severity.SEV2).setSummary(null).build())
                .build();
        kafka.produce(ingest.integrations(), List.of(Map.entry(prom.getId(), prom)));

        Map<String, String> incidentSettings = settings(kafka, "incident");
        incidentSettings.put(IncidentStreamConfig.APPLICATION_ID_CONFIG, "incident-stream" + suffix);
        Map<String, String> ingestSettings = settings(kafka, "ingest");
        ingestSettings.put(AlertIngestConfig.APPLICATION_ID_CONFIG, "alert-ingest" + suffix);
        ingestSettings.put(AlertIngestConfig.HEARTBEAT_PUNCTUATION_MS_CONFIG, "100");

        ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor();
        try (ServiceRunner incidentStream = new ServiceRunner("127.0.0.1", 0,
                List.of(new IncidentStreamService(new IncidentStreamConfig(incidentSettings), incidents))).start()) {
            AtomicReference<ServiceRunner> alertIngest = new AtomicReference<>(startIngest(ingestSettings, ingest));
            await("both services ready").atMost(Duration.ofSeconds(90))
                    .until(() -> incidentStream.ready() && alertIngest.get().ready());

            // Pings every 2 s, by turns a GET, a POST and the Watchdog through the webhook: quiet past the interval.
            AtomicInteger turn = new AtomicInteger();
            var pinging = pinger.scheduleAtFixedRate(() -> {
                String base = base(alertIngest.get());
                int status = switch (turn.getAndIncrement() % 3) {
                    case 0 -> send(HttpRequest.newBuilder(URI.create(base + "/api/v1/heartbeats/prom?key=" + KEY)).GET());
                    case 1 -> send(HttpRequest.newBuilder(URI.create(base + "/api/v1/heartbeats/prom"))
                            .header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.noBody()));
                    default -> watchdog(base);
                };
                assertThat(status).isEqualTo(202);
            }, 0, 2, TimeUnit.SECONDS);
            await("quiet while pinged").during(Duration.ofSeconds(INTERVAL_SECONDS + 1)).atMost(Duration.ofSeconds(INTERVAL_SECONDS + 8))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> heartbeatAlerts(kafka, ingest).isEmpty());
            pinging.cancel(false);
            assertThat(turn.get()).as("pings sent").isGreaterThanOrEqualTo(6);
            Instant lastPing = Instant.now();

            // Missed: one alert, one incident through the normal path.
            List<Alert> fired = await("the missed heartbeat's alert").atMost(Duration.ofSeconds(INTERVAL_SECONDS + 15))
                    .until(() -> heartbeatAlerts(kafka, ingest), alerts -> !alerts.isEmpty());
            assertThat(fired).singleElement().satisfies(alert -> {
                assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
                assertThat(alert.getService()).isEqualTo("monitoring");
                assertThat(alert.getStartsAt()).isAfter(lastPing.plusSeconds(INTERVAL_SECONDS - 3));
            });
            await("an incident opened").atMost(Duration.ofSeconds(30)).until(() -> attached(kafka, incidents) == 1);

            // The Watchdog again, as Prometheus posts it straight to the engine: resolved, and the incident with it.
            assertThat(prometheusWatchdog(base(alertIngest.get()))).isEqualTo(200);
            await("resolved").atMost(Duration.ofSeconds(15)).until(() -> heartbeatAlerts(kafka, ingest).size() == 2);
            assertThat(heartbeatAlerts(kafka, ingest).get(1).getStatus()).isEqualTo(AlertStatus.RESOLVED);

            // Down while the next deadline passes; back, it fires once from the state it kept.
            Instant due = Instant.now().plusSeconds(INTERVAL_SECONDS);
            alertIngest.get().close();
            await("the incident resolved").atMost(Duration.ofSeconds(30)).until(() -> resolved(kafka, incidents) == 1);
            await("the deadline passed while alert-ingest was down").atMost(Duration.ofSeconds(INTERVAL_SECONDS + 5))
                    .pollInterval(Duration.ofMillis(200)).until(() -> Instant.now().isAfter(due.plusSeconds(1)));
            assertThat(heartbeatAlerts(kafka, ingest)).hasSize(2);
            alertIngest.set(startIngest(ingestSettings, ingest));
            await("fired after the restart").atMost(Duration.ofSeconds(60)).until(() -> heartbeatAlerts(kafka, ingest).size() == 3);
            await("fired once").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(8))
                    .until(() -> heartbeatAlerts(kafka, ingest).size() == 3);
            assertThat(heartbeatAlerts(kafka, ingest).get(2).getStatus()).isEqualTo(AlertStatus.FIRING);
            await("the incident of the second miss").atMost(Duration.ofSeconds(30)).until(() -> attached(kafka, incidents) == 2);
            alertIngest.get().close();
        } finally {
            pinger.shutdownNow();
        }
    }

    private Map<String, String> settings(KafkaTestCluster kafka, String dir) {
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        settings.put(EngineConfig.HTTP_PORT_CONFIG, "0");
        settings.put(EngineConfig.STATE_DIR_CONFIG, stateDir.resolve(dir).toString());
        settings.put("kafka.commit.interval.ms", "100");
        return settings;
    }

    private ServiceRunner startIngest(Map<String, String> settings, IngestTopics topics) {
        return new ServiceRunner("127.0.0.1", 0, List.of(new AlertIngestService(new AlertIngestConfig(settings), topics,
                Clock.systemUTC()))).start();
    }

    private static String base(ServiceRunner runner) {
        return "http://127.0.0.1:" + runner.httpAddress().getPort();
    }

    private int watchdog(String base) {
        return send(HttpRequest.newBuilder(URI.create(base + "/api/v1/alertmanager")).header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(WATCHDOG)));
    }

    /** Prometheus' Watchdog on Alertmanager's API v2, as {@code alerting.alertmanagers} sends it. */
    private int prometheusWatchdog(String base) {
        Instant now = Instant.now();
        String batch = "[{\"labels\":{\"alertname\":\"Watchdog\",\"severity\":\"none\"},\"annotations\":{},\"startsAt\":\"" + now
                + "\",\"endsAt\":\"" + now.plusSeconds(240) + "\"}]";
        return send(HttpRequest.newBuilder(URI.create(base + "/api/v2/alerts")).header("Authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(batch)));
    }

    private int send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<Alert> heartbeatAlerts(KafkaTestCluster kafka, IngestTopics topics) {
        return TopicContents.readToEnd(kafka.bootstrapServers(), topics.alerts(), kafka.serdes(), Duration.ofSeconds(10)).stream()
                .map(record -> record.value())
                .filter(alert -> alert.getFingerprint().equals("heartbeat:prom"))
                .toList();
    }

    private static List<IncidentEvent> events(KafkaTestCluster kafka, IncidentTopics topics) {
        return TopicContents.readToEnd(kafka.bootstrapServers(), topics.events(), kafka.serdes(), Duration.ofSeconds(10)).stream()
                .map(record -> record.value()).toList();
    }

    private static long attached(KafkaTestCluster kafka, IncidentTopics topics) {
        return events(kafka, topics).stream().filter(event -> event.getPayload() instanceof AlertAttached attached
                && attached.getAlert().getFingerprint().equals("heartbeat:prom")).count();
    }

    private static long resolved(KafkaTestCluster kafka, IncidentTopics topics) {
        return events(kafka, topics).stream().filter(event -> event.getPayload() instanceof IncidentResolved).count();
    }

    private static final String WATCHDOG = read("/heartbeat/alertmanager-watchdog.json");

    private static String read(String resource) {
        try (InputStream in = HeartbeatIT.class.getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
