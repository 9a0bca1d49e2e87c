package dev.incidentengine.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.configdata.ConfigData;
import dev.incidentengine.configdata.ConfigPublisher;
import dev.incidentengine.configdata.IntegrationKeys;
import dev.incidentengine.deploy.KafkaBroker;
import dev.incidentengine.ingest.AlertIngestConfig;
import dev.incidentengine.ingest.AlertIngestService;
import dev.incidentengine.ingest.normalize.AlertLimits;
import dev.incidentengine.ingest.normalize.AlertmanagerFormat;
import dev.incidentengine.ingest.normalize.PagerDutyFormat;
import dev.incidentengine.ingest.normalize.Source;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.model.config.IntegrationType;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.ServiceRunner;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import static dev.incidentengine.bench.BenchSupport.baselineTopic;
import static dev.incidentengine.bench.BenchSupport.committedRecords;
import static dev.incidentengine.testkit.TopicContents.freePort;
import static dev.incidentengine.bench.BenchSupport.millis;
import static dev.incidentengine.bench.BenchSupport.report;

/**
 * alert-ingest under load on this machine: a real broker process, the service in this JVM, HTTP
 * clients in this JVM. Measures Alertmanager batches (closed loop, then open loop at half the
 * rate reached) and single PagerDuty events, checks that every accepted alert is in Kafka, and
 * produces the same records with a plain idempotent acks=all producer for the ratio.
 */
@Command(name = "ingest-benchmark", mixinStandardHelpOptions = true)
public final class IngestBenchmark implements Callable<Integer> {

    private static final String KEY = "bench-key";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--duration", defaultValue = "20", description = "Seconds measured per phase (default ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--warmup", defaultValue = "8", description = "Seconds of warm-up before measuring (default ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--concurrency", defaultValue = "4", description = "Concurrent Alertmanager clients (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--alerts-per-request", defaultValue = "64", description = "Alerts per Alertmanager request (default ${DEFAULT-VALUE}).")
    int alertsPerRequest;

    @Option(names = "--pd-concurrency", defaultValue = "16", description = "Concurrent PagerDuty clients (default ${DEFAULT-VALUE}).")
    int pdConcurrency;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final AtomicLong sequence = new AtomicLong();
    private String bootstrap;

    public static void main(String[] args) {
        System.exit(new CommandLine(new IngestBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("ingest-bench");
        KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"), "127.0.0.1", freePort(), freePort());
        broker.start(Duration.ofSeconds(60));
        bootstrap = broker.bootstrapServers();
        ServiceRunner runner = null;
        try {
            prepare();
            runner = new ServiceRunner("127.0.0.1", 0, List.of(new AlertIngestService(config(dir)))).start();
            while (!runner.ready()) {
                Thread.sleep(100);
            }
            String base = "http://127.0.0.1:" + runner.httpAddress().getPort();
            // Bodies are made before measuring, so the clients spend their CPU on HTTP only.
            IntFunction<byte[]> amBody = pool(IntStream.range(0, BODIES).mapToObj(this::alertmanagerBody).toList());
            IntFunction<byte[]> pdBody = pool(IntStream.range(0, BODIES).mapToObj(IngestBenchmark::pagerDutyBody).toList());

            report("machine: %d cores, %s, Java %s", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name"), System.getProperty("java.version"));
            closedLoop(base + "/api/v1/alertmanager", amBody, concurrency, warmupSeconds, alertsPerRequest, "warm-up");
            Result am = closedLoop(base + "/api/v1/alertmanager", amBody, concurrency, durationSeconds, alertsPerRequest,
                    "Alertmanager " + alertsPerRequest + " alerts/request, concurrency " + concurrency);
            double halfRate = am.requestsPerSecond() / 2;
            Result amHalf = openLoop(base + "/api/v1/alertmanager", amBody, halfRate, durationSeconds, alertsPerRequest,
                    String.format("Alertmanager at half that rate (%.0f requests/s, open loop)", halfRate));
            Result pd = closedLoop(base + "/v2/enqueue", pdBody, pdConcurrency, durationSeconds, 1,
                    "PagerDuty single events, concurrency " + pdConcurrency);

            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            metrics.lines().filter(line -> line.startsWith("ingest_kafka_produce_seconds_count")
                    || line.startsWith("ingest_kafka_produce_seconds_sum") || line.startsWith("ingest_kafka_produce_seconds_max"))
                    .forEach(line -> report("service metric: %s", line));
            long stored = committedRecords(bootstrap, Topics.ALERTS.name());
            long accepted = am.alertsAccepted + amHalf.alertsAccepted + pd.alertsAccepted + warmupAccepted;
            report("durability: %d alerts answered 2xx (warm-up included), %d stored on %s", accepted, stored, Topics.ALERTS.name());

            double rawAm = rawProduce(alertRecords(), am.alertsAccepted, "Alertmanager alerts", AM_BASELINE);
            double rawPd = rawProduce(pagerDutyRecords(), pd.alertsAccepted, "PagerDuty alerts", PD_BASELINE);

            System.out.println();
            System.out.println("| load | alerts/s | requests/s | p50 ms | p99 ms | p99.9 ms | max ms | raw Kafka records/s | ratio |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            row(am, rawAm);
            row(amHalf, rawAm);
            row(pd, rawPd);
            return stored >= accepted && am.errors + amHalf.errors + pd.errors == 0 ? 0 : 1;
        } finally {
            if (runner != null) {
                runner.close();
            }
            broker.close();
        }
    }

    private static final int BODIES = 1024;
    private static final Topic<String, Alert> AM_BASELINE = baselineTopic("alertmanager-alerts");
    private static final Topic<String, Alert> PD_BASELINE = baselineTopic("pagerduty-alerts");
    private long warmupAccepted;

    private IntFunction<byte[]> pool(List<byte[]> bodies) {
        return ignored -> bodies.get((int) (sequence.getAndIncrement() % bodies.size()));
    }

    private record Result(String name, long requests, long alertsAccepted, long errors, double seconds, Histogram latency) {
        double requestsPerSecond() {
            return requests / seconds;
        }

        double alertsPerSecond() {
            return alertsAccepted / seconds;
        }
    }

    private Result closedLoop(String url, IntFunction<byte[]> body, int clients, int seconds, int alertsEach, String name)
            throws Exception {
        Recorder recorder = new Recorder(3);
        AtomicLong requests = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    long sent = System.nanoTime();
                    int status = post(url, body.apply(0));
                    recorder.recordValue(System.nanoTime() - sent);
                    (status == 202 ? requests : errors).incrementAndGet();
                }
                return null;
            }));
        }
        for (var future : futures) {
            future.get();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        Result result = new Result(name, requests.get(), requests.get() * alertsEach, errors.get(), elapsed, recorder.getIntervalHistogram());
        if (name.equals("warm-up")) {
            warmupAccepted = result.alertsAccepted;
        }
        report("%s: %.0f alerts/s, %.0f requests/s, p99 %.1f ms, %d errors", name, result.alertsPerSecond(),
                result.requestsPerSecond(), millis(result.latency, 99), result.errors);
        return result;
    }

    /** Requests at a fixed rate whatever the answers; latency counts from the planned send time. */
    private Result openLoop(String url, IntFunction<byte[]> body, double perSecond, int seconds, int alertsEach, String name)
            throws Exception {
        Recorder recorder = new Recorder(3);
        AtomicLong requests = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        long interval = (long) (1e9 / perSecond);
        long start = System.nanoTime();
        long count = (long) (perSecond * seconds);
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            long planned = start + i * interval;
            long wait = planned - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            inFlight.add(http.sendAsync(request(url, body.apply(0)), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, failure) -> {
                        recorder.recordValue(System.nanoTime() - planned);
                        (failure == null && response.statusCode() == 202 ? requests : errors).incrementAndGet();
                    }));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).exceptionally(e -> null).join();
        double elapsed = (System.nanoTime() - start) / 1e9;
        Result result = new Result(name, requests.get(), requests.get() * alertsEach, errors.get(), elapsed, recorder.getIntervalHistogram());
        report("%s: %.0f alerts/s, p99 %.1f ms, %d errors", name, result.alertsPerSecond(), millis(result.latency, 99), result.errors);
        return result;
    }

    private int post(String url, byte[] body) {
        try {
            return http.send(request(url, body), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static HttpRequest request(String url, byte[] body) {
        return HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    /** As many of the same records as the service wrote, produced with a plain idempotent acks=all producer. */
    private double rawProduce(List<Alert> records, long count, String name, Topic<String, Alert> topic) throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<String, Alert> producer = new KafkaProducer<>(props, topic.keySerde(serdes).serializer(),
                topic.valueSerde(serdes).serializer())) {
            producer.partitionsFor(topic.name());
            long start = System.nanoTime();
            for (long i = 0; i < count; i++) {
                Alert alert = records.get((int) (i % records.size()));
                producer.send(new ProducerRecord<>(topic.name(), alert.getFingerprint(), alert));
            }
            producer.flush();
            double perSecond = count / ((System.nanoTime() - start) / 1e9);
            report("raw Kafka, %s: %d records, %.0f records/s", name, count, perSecond);
            return perSecond;
        }
    }

    /** The alerts of the same request bodies the clients sent, normalized as the service does. */
    private List<Alert> alertRecords() {
        List<Alert> records = new ArrayList<>();
        Source source = new Source("bench", "checkout", List.of(), Instant.now());
        for (int body = 0; body < BODIES; body++) {
            records.addAll(AlertmanagerFormat.alertmanager().normalize(readTree(alertmanagerBody(body)), source, AlertLimits.DEFAULTS));
        }
        return records;
    }

    private List<Alert> pagerDutyRecords() {
        List<Alert> records = new ArrayList<>();
        Source source = new Source("bench", "checkout", List.of(), Instant.now());
        for (int body = 0; body < BODIES; body++) {
            records.add(PagerDutyFormat.normalize(readTree(pagerDutyBody(body)), source, AlertLimits.DEFAULTS).alert());
        }
        return records;
    }

    private byte[] alertmanagerBody(int request) {
        StringBuilder alerts = new StringBuilder();
        for (int i = 0; i < alertsPerRequest; i++) {
            if (i > 0) {
                alerts.append(',');
            }
            alerts.append(String.format("{\"status\":\"firing\",\"labels\":{\"alertname\":\"HighLatency\",\"instance\":\"host-%d-%d:9100\","
                    + "\"job\":\"node\",\"service\":\"checkout\",\"severity\":\"warning\",\"region\":\"eu-west-1\"},"
                    + "\"annotations\":{\"summary\":\"p99 latency above 500ms on host-%d-%d\",\"description\":\"p99 has been above 500ms for 5 minutes\","
                    + "\"runbook_url\":\"https://runbooks.example/latency\"},\"startsAt\":\"2026-11-22T09:00:00.000Z\","
                    + "\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"http://prometheus.example:9090/graph?g0.expr=latency\","
                    + "\"fingerprint\":\"%016x\"}", request, i, request, i, request * 1000 + i));
        }
        return ("{\"receiver\":\"incident-engine\",\"status\":\"firing\",\"alerts\":[" + alerts
                + "],\"groupLabels\":{\"alertname\":\"HighLatency\"},\"commonLabels\":{\"alertname\":\"HighLatency\",\"job\":\"node\"},"
                + "\"commonAnnotations\":{},\"externalURL\":\"http://alertmanager.example:9093\",\"version\":\"4\","
                + "\"groupKey\":\"{}:{alertname=\\\"HighLatency\\\"}\",\"truncatedAlerts\":0}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] pagerDutyBody(int event) {
        return String.format("{\"routing_key\":\"%s\",\"event_action\":\"trigger\",\"dedup_key\":\"bench-%d\",\"payload\":{"
                + "\"summary\":\"Replication lag on db-%d above 300s\",\"source\":\"db-%d.example.com\",\"severity\":\"error\","
                + "\"component\":\"mysql\",\"group\":\"prod\",\"class\":\"replication\",\"custom_details\":{\"lag_seconds\":412}},"
                + "\"client\":\"Zabbix\",\"client_url\":\"https://zabbix.example/tr_events.php?triggerid=42\"}",
                KEY, event, event % 100, event % 100).getBytes(StandardCharsets.UTF_8);
    }

    private void prepare() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            BenchSupport.createTopics(admin, Topics.ALL);
            BenchSupport.createTopics(admin, List.of(AM_BASELINE, PD_BASELINE));
        }
        IntegrationConfig integration = new IntegrationConfig("bench", "Benchmark", IntegrationType.GENERIC, "checkout",
                IntegrationKeys.sha256(KEY), List.of(), null);
        ConfigPublisher.publish(List.of(new ConfigData.Entry(Topics.CONFIG_INTEGRATIONS, integration.getId(), integration, "bench")),
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), serdes);
    }

    private AlertIngestConfig config(Path dir) {
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        settings.put(AlertIngestConfig.RATE_LIMIT_CONFIG, "0");
        // The same bodies again and again: this measures writing them, so unchanged resends are not absorbed.
        settings.put(AlertIngestConfig.RESEND_CACHE_ENTRIES_CONFIG, "0");
        return new AlertIngestConfig(settings);
    }

    private void row(Result result, double raw) {
        System.out.printf("| %s | %.0f | %.0f | %.1f | %.1f | %.1f | %.1f | %.0f | %.2f |%n", result.name, result.alertsPerSecond(),
                result.requestsPerSecond(), millis(result.latency, 50), millis(result.latency, 99), millis(result.latency, 99.9),
                result.latency.getMaxValue() / 1e6, raw, result.alertsPerSecond() / raw);
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

}
