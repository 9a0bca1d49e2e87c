package dev.incidentengine.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.incidentengine.configdata.IntegrationKeys;
import dev.incidentengine.deploy.KafkaBroker;
import dev.incidentengine.ingest.AlertIngestConfig;
import dev.incidentengine.ingest.AlertIngestService;
import dev.incidentengine.ingest.heartbeat.Heartbeats;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.HeartbeatPing;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.HeartbeatSettings;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.model.config.IntegrationType;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.service.ServiceRunner;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import static dev.incidentengine.bench.BenchSupport.exitCode;
import static dev.incidentengine.testkit.TopicContents.freePort;
import static dev.incidentengine.bench.BenchSupport.keepIfFailed;
import static dev.incidentengine.bench.BenchSupport.millis;
import static dev.incidentengine.bench.BenchSupport.report;

/**
 * Heartbeat lateness on a real broker with alert-ingest: {@code --heartbeats} integrations with a heartbeat of
 * {@code --interval-seconds} are registered; each is pinged on {@code heartbeats.v1} once in the first half interval
 * (a steady stream of pings), and all but {@code --dead-percent} of them again every half interval, so the dead ones
 * fall due spread over half an interval while the rest stay pending. Lateness is the time from a dead heartbeat's
 * deadline (its alert's startsAt) to the alert: its receivedAt (the punctuation that fired it) and when this reader
 * saw it on {@code alerts.v1} (read_committed). Checks: every dead heartbeat fired exactly once, no living one fired.
 */
@Command(name = "heartbeat-benchmark", mixinStandardHelpOptions = true)
public final class HeartbeatBenchmark implements Callable<Integer> {

    @Option(names = "--heartbeats", defaultValue = "100000", description = "Heartbeats registered (default ${DEFAULT-VALUE}).")
    int heartbeats;

    @Option(names = "--interval-seconds", defaultValue = "120", description = "Each heartbeat's interval (default ${DEFAULT-VALUE}).")
    int intervalSeconds;

    @Option(names = "--dead-percent", defaultValue = "10", description = "Heartbeats that stop after their first ping (default ${DEFAULT-VALUE}).")
    int deadPercent;

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final Map<String, String> checkFailures = new LinkedHashMap<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new HeartbeatBenchmark()).execute(args));
    }

    /** Failed checks of correctness (not of the performance target), for CI's short run. */
    Map<String, String> checkFailures() {
        return checkFailures;
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("heartbeat-bench");
        try (KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"), "127.0.0.1", freePort(), freePort())) {
            broker.start(Duration.ofSeconds(60));
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                BenchSupport.createTopics(admin, Topics.ALL);
            }
            String result = run(broker.bootstrapServers(), dir);
            report("");
            report("| measure | result | target |");
            report("|---|---|---|");
            report("| heartbeat lateness, %,d registered, %,d missed over %d s: deadline → alert (fired; readable read_committed) | %s | p99 ≤ 1 s |",
                    heartbeats, dead(), intervalSeconds / 2, result);
        } finally {
            failures.putAll(checkFailures);
            keepIfFailed(dir, failures);
        }
        return exitCode(failures);
    }

    private int dead() {
        return (int) java.util.stream.IntStream.range(0, heartbeats).filter(this::isDead).count();
    }

    private boolean isDead(int i) {
        return i % 100 < deadPercent;
    }

    private String run(String bootstrap, Path dir) throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        settings.put(EngineConfig.HTTP_PORT_CONFIG, "0");
        AlertIngestConfig config = new AlertIngestConfig(settings);
        long registerStart = System.nanoTime();
        try (KafkaProducer<String, IntegrationConfig> producer = new KafkaProducer<>(KafkaClients.producer(config, "bench-config"),
                new StringSerializer(), Topics.CONFIG_INTEGRATIONS.valueSerde(serdes).serializer())) {
            HeartbeatSettings heartbeat = HeartbeatSettings.newBuilder().setIntervalSeconds(intervalSeconds).setGraceSeconds(0)
                    .setAlertname(null).setSeverity(Severity.SEV3).setSummary(null).build();
            for (int i = 0; i < heartbeats; i++) {
                IntegrationConfig integration = IntegrationConfig.newBuilder().setId(id(i)).setName("Bench " + i)
                        .setType(IntegrationType.GENERIC).setServiceId("bench").setKeySha256(IntegrationKeys.sha256("key-" + i))
                        .setAllowedServices(List.of()).setHeartbeat(heartbeat).build();
                producer.send(new ProducerRecord<>(Topics.CONFIG_INTEGRATIONS.name(), integration.getId(), integration));
            }
            producer.flush();
        }
        report("registered %,d heartbeats of %d s in %.1f s", heartbeats, intervalSeconds, (System.nanoTime() - registerStart) / 1e9);

        Histogram fired = new Histogram(3);
        Histogram readable = new Histogram(3);
        Map<String, Integer> firings = new ConcurrentHashMap<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread watcher = watch(bootstrap, fired, readable, firings, watching);
        try (ServiceRunner ingest = new ServiceRunner("127.0.0.1", 0, List.of(new AlertIngestService(config))).start();
             KafkaProducer<String, HeartbeatPing> pings = new KafkaProducer<>(KafkaClients.producer(config, "bench-pings"),
                     new StringSerializer(), Topics.HEARTBEATS.valueSerde(serdes).serializer())) {
            Instant readyBy = Instant.now().plusSeconds(120);
            while (!ingest.ready()) {
                if (Instant.now().isAfter(readyBy)) {
                    throw new IllegalStateException("alert-ingest not ready within 120 s");
                }
                Thread.sleep(100);
            }
            awaitArmed(bootstrap, config.applicationId());
            // Every heartbeat once per half interval; the dead ones only in the first round. The living are pinged until
            // every dead one's deadline (its first-round ping + the interval) has passed and a few seconds more.
            long half = intervalSeconds * 1_000_000_000L / 2;
            long start = System.nanoTime();
            long end = start + 3 * half + 5_000_000_000L;
            int round = 0;
            while (System.nanoTime() < end) {
                long roundStart = start + round * half;
                for (int i = 0; i < heartbeats && System.nanoTime() < end; i++) {
                    if (round > 0 && isDead(i)) {
                        continue;
                    }
                    long due = roundStart + i * half / heartbeats;
                    while (System.nanoTime() < due) {
                        Thread.onSpinWait();
                    }
                    pings.send(new ProducerRecord<>(Topics.HEARTBEATS.name(), id(i), HeartbeatPing.newBuilder().setHeartbeatId(id(i))
                            .setReceivedAt(Instant.now()).setVia("kafka").build()));
                }
                report("  round %d of pings sent; %,d missed heartbeats seen so far", round, firings.size());
                round++;
            }
            Instant settle = Instant.now().plusSeconds(10);
            while (firings.size() < dead() && Instant.now().isBefore(settle)) {
                Thread.sleep(100);
            }
        } finally {
            watching.set(false);
            watcher.join(10_000);
        }
        long wrongs = firings.keySet().stream().filter(id -> !isDead(Integer.parseInt(id.substring(3)))).count();
        long twice = firings.values().stream().filter(count -> count > 1).count();
        if (firings.size() - wrongs != dead()) {
            checkFailures.put("every dead heartbeat fired", (firings.size() - wrongs) + " of " + dead());
        }
        if (wrongs > 0) {
            checkFailures.put("no living heartbeat fired", wrongs + " did");
        }
        if (twice > 0) {
            checkFailures.put("each fired once", twice + " fired more than once");
        }
        String result = String.format("fired p50 %.0f ms, p99 %.0f ms, max %.0f ms; readable p50 %.0f ms, p99 %.0f ms, max %.0f ms (%,d alerts)",
                millis(fired, 50), millis(fired, 99), fired.getMaxValue() / 1e6, millis(readable, 50), millis(readable, 99),
                readable.getMaxValue() / 1e6, readable.getTotalCount());
        report("lateness: %s", result);
        if (millis(readable, 99) > 1000) {
            failures.put("p99 lateness ≤ 1 s", result);
        }
        return result;
    }

    /**
     * Until every heartbeat is armed: a ping read before its heartbeat's config is dropped (it is no heartbeat yet), so
     * pinging earlier would make living heartbeats miss. The config topic is read whole once the group committed its end;
     * the repartitioned configs once at most a transaction marker per partition is left.
     */
    private static void awaitArmed(String bootstrap, String applicationId) throws Exception {
        String repartition = applicationId + "-heartbeat-integrations-repartition";
        Instant armedBy = Instant.now().plusSeconds(300);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            while (true) {
                long configs = BenchSupport.lag(admin, applicationId, List.of(Topics.CONFIG_INTEGRATIONS.name()));
                long repartitioned = configs == 0 ? BenchSupport.lag(admin, applicationId, List.of(repartition)) : -1;
                if (repartitioned >= 0 && repartitioned <= Topics.HEARTBEATS.partitions()) {
                    return;
                }
                if (Instant.now().isAfter(armedBy)) {
                    throw new IllegalStateException("heartbeats not armed within 300 s");
                }
                Thread.sleep(200);
            }
        }
    }

    private static String id(int i) {
        return "hb-" + i;
    }

    /** Reads alerts.v1 from its end at the start, as a pager would see them. */
    private Thread watch(String bootstrap, Histogram fired, Histogram readable, Map<String, Integer> firings, AtomicBoolean watching) {
        KafkaConsumer<String, Alert> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                Topics.ALERTS.valueSerde(serdes).deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.ALERTS.name()).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        Thread watcher = new Thread(() -> {
            try (consumer) {
                while (watching.get()) {
                    for (ConsumerRecord<String, Alert> record : consumer.poll(Duration.ofMillis(50))) {
                        Alert alert = record.value();
                        if (alert.getStatus() == AlertStatus.FIRING && alert.getFingerprint().startsWith(Heartbeats.FINGERPRINT_PREFIX)) {
                            Instant now = Instant.now();
                            fired.recordValue(Math.max(0, Duration.between(alert.getStartsAt(), alert.getReceivedAt()).toNanos()));
                            readable.recordValue(Math.max(0, Duration.between(alert.getStartsAt(), now).toNanos()));
                            firings.merge(alert.getIntegrationId(), 1, Integer::sum);
                        }
                    }
                }
            }
        }, "heartbeat-bench-watcher");
        watcher.setDaemon(true);
        watcher.start();
        return watcher;
    }
}
