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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import dev.incidentengine.deploy.KafkaBroker;
import dev.incidentengine.incident.IncidentTopology;
import dev.incidentengine.ingest.AlertIngestConfig;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.testkit.WebhookSink;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import static dev.incidentengine.bench.BenchSupport.exitCode;
import static dev.incidentengine.testkit.TopicContents.freePort;
import static dev.incidentengine.bench.BenchSupport.keepIfFailed;
import static dev.incidentengine.bench.BenchSupport.loadAverage;
import static dev.incidentengine.bench.BenchSupport.millis;
import static dev.incidentengine.bench.BenchSupport.report;

/**
 * {@code ./bench/ingest --versus-alertmanager}: Prometheus' way of sending alerts ({@code POST
 * /api/v2/alerts}, JSON arrays of postable alerts) at Debian's Alertmanager 0.25 and at the local
 * engine, side by side in one run, from one HTTP client with the same concurrency and the same
 * pre-built bodies. Each side in a process of its own (the engine's broker in a third), so the
 * resident memory /proc reports is each side's alone. Cold: the first seconds after each side
 * answered ready; warm: after a warm-up that has sent each side every distinct alert (Prometheus
 * resending firing alerts), Alertmanager and engine phases taking turns so the machine's noise hits
 * both, each engine phase followed by a wait until incident-stream has caught up. Checks: every distinct alert the engine answered
 * 2xx is on {@code alerts.v1} at its latest content, and the alerts answered are those written there plus those its resend
 * absorption answered without writing ({@code ingest_alerts_absorbed_total});
 * incident-stream takes them in during the run and has caught up at the end; Alertmanager counted
 * what it answered; nothing but the engine's documented backpressure was refused.
 */
@Command(name = "ingest-versus-alertmanager", mixinStandardHelpOptions = true,
        description = "Prometheus-style batches to Alertmanager 0.25 and to the engine's /api/v2/alerts, side by side.")
public final class AlertmanagerVersusBenchmark implements Callable<Integer> {

    static final Path ALERTMANAGER = Path.of("/usr/bin/prometheus-alertmanager");
    private static final String KEY = "bench-prometheus-key";
    /** Distinct rules: Alertmanager groups by alertname, so as many aggregation groups. */
    private static final int RULES = 16;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(120);
    /** The longest a warm-up goes on for a side that has not been sent every distinct alert yet. */
    private static final int WARMUP_MAX_SECONDS = 120;

    @Option(names = "--cold", defaultValue = "10", description = "Seconds measured right after each side answered ready (default ${DEFAULT-VALUE}).")
    int coldSeconds;

    @Option(names = "--warmup", defaultValue = "15", description = "Seconds of warm-up per side before the warm phases, longer until the "
            + "side has been sent every distinct alert (at most " + WARMUP_MAX_SECONDS + " s): warm is Prometheus resending firing alerts "
            + "(default ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--duration", defaultValue = "20", description = "Seconds per warm phase (default ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--rounds", defaultValue = "2", description = "Warm rounds, each an Alertmanager then an engine phase (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--concurrency", defaultValue = "4", description = "Concurrent requests, as Prometheus' senders (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--alerts-per-request", defaultValue = "64", description = "Alerts per request: Prometheus' max batch is 64 (default ${DEFAULT-VALUE}).")
    int alertsPerRequest;

    @Option(names = "--distinct-alerts", defaultValue = "65536",
            description = "Distinct alerts (label sets) the bodies hold, each posted again and again as Prometheus resends firing alerts "
                    + "(default ${DEFAULT-VALUE}).")
    int distinctAlerts;

    @Option(names = "--engine-jvm-options", defaultValue = BenchSupport.LOCAL_ENGINE_JVM_OPTIONS,
            description = "The engine JVM's options (default: ./incident-engine local's, ${DEFAULT-VALUE}).")
    String engineJvmOptions;

    @Option(names = "--engine-setting", paramLabel = "KEY=VALUE",
            description = "An engine setting (repeatable). The engine runs with its defaults, except the per-integration "
                    + "rate limit, which is off (ingest.rate.limit.alerts.per.second=0) as Alertmanager has none.")
    Map<String, String> engineSettings = new LinkedHashMap<>();

    @Option(names = "--alertmanager", description = "The Alertmanager binary (default: Debian's, ${DEFAULT-VALUE}).")
    Path alertmanager = ALERTMANAGER;

    @Spec
    CommandSpec spec;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final List<Phase> phases = new ArrayList<>();
    private List<byte[]> bodies;
    /** The bodies the engine answered 2xx at least once. */
    private final java.util.Set<Integer> engineAnswered = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Instant built;
    private Path dir;
    private int amPort;
    private String bootstrap;
    private Admin admin;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AlertmanagerVersusBenchmark()).execute(args));
    }

    /** The checks that failed (not the 2× target), once the run is over. */
    Map<String, String> checkFailures() {
        return failures;
    }

    private enum Side {
        ALERTMANAGER("Alertmanager 0.25"), ENGINE("engine");

        final String label;

        Side(String label) {
            this.label = label;
        }
    }

    /** What incident-stream did with alerts.v1 while an engine phase ran, and after it. */
    private record Consumption(long written, long takenIn, long behindAtEnd, double caughtUpSeconds) {
    }

    private record Phase(String kind, Side side, long requests, long alerts, long refused, long errors, double seconds,
                         Histogram latency, long rssPeakKb, Consumption consumption) {
        double alertsPerSecond() {
            return alerts / seconds;
        }
    }

    private void validate() {
        if (coldSeconds < 1 || durationSeconds < 1 || rounds < 1 || concurrency < 1 || warmupSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--cold, --duration, --rounds and --concurrency must be at least 1, --warmup at least 0");
        }
        if (alertsPerRequest < 1 || alertsPerRequest > 64) {
            throw new ParameterException(spec.commandLine(), "--alerts-per-request: 1 to 64, Prometheus' batch size");
        }
        if (distinctAlerts < alertsPerRequest || distinctAlerts % alertsPerRequest != 0) {
            throw new ParameterException(spec.commandLine(), "--distinct-alerts: a multiple of --alerts-per-request");
        }
    }

    @Override
    public Integer call() throws Exception {
        validate();
        if (!Files.isExecutable(alertmanager)) {
            failures.put("Alertmanager to compare with", alertmanager + " is not there: apt-get install prometheus-alertmanager");
            return exitCode(failures);
        }
        dir = Files.createTempDirectory("ingest-versus-am");
        report("machine: %d cores, %s, Java %s, load average %s; run directory %s", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("java.version"), loadAverage(), dir);
        // Bodies are made before anything starts, so the client spends its CPU on HTTP only.
        built = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        bodies = new ArrayList<>();
        for (int body = 0; body < distinctAlerts / alertsPerRequest; body++) {
            bodies.add(prometheusBatch(body, built));
        }
        report("%,d bodies of %d alerts (%,d distinct alerts over %d alertnames), %,d bytes each on average", bodies.size(), alertsPerRequest,
                bodies.size() * alertsPerRequest, RULES, bodies.stream().mapToLong(b -> b.length).sum() / bodies.size());

        try (KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"), "127.0.0.1", freePort(), freePort());
             WebhookSink sink = WebhookSink.start()) {
            broker.start(Duration.ofSeconds(60));
            bootstrap = broker.bootstrapServers();
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
            RssSampler brokerRss = new RssSampler(broker.pid());
            writeEngineConfig(dir.resolve("engine-config"), sink);
            Process am = null;
            RssSampler amRss = null;
            EngineProcess engine = null;
            try {
                // Alertmanager: started, then measured at once.
                long launched = System.nanoTime();
                am = startAlertmanager(sink);
                amRss = new RssSampler(am.pid());
                String amUrl = "http://127.0.0.1:" + amPort;
                awaitAlertmanagerReady(am, amUrl);
                report("Alertmanager: pid %d, /-/ready 200 after %.1f s, RSS %,d MiB; its log: %s", am.pid(),
                        (System.nanoTime() - launched) / 1e9, amRss.rssKb() / 1024, dir.resolve("alertmanager.log"));
                Target amTarget = new Target(Side.ALERTMANAGER, amUrl + "/api/v2/alerts", amRss::resetPeak, amRss::phasePeakKb, bodies.size());
                measure(amTarget, "cold", coldSeconds, false);

                // The engine (all its services: incident-stream consumes what ingest writes), started, then measured at once.
                launched = System.nanoTime();
                engine = startEngine();
                report("engine: pid %d, /readyz 200 after %.1f s, RSS %,d MiB; its log: %s", engine.pid(),
                        (System.nanoTime() - launched) / 1e9, engine.rssKb() / 1024, engine.log());
                EngineProcess running = engine;
                Target engineTarget = new Target(Side.ENGINE, engine.baseUrl() + "/api/v2/alerts", running::resetPeak, running::phasePeakRssKb, bodies.size());
                measure(engineTarget, "cold", coldSeconds, false);

                measure(amTarget, "warm-up", warmupSeconds, true);
                measure(engineTarget, "warm-up", warmupSeconds, true);
                for (int round = 1; round <= rounds; round++) {
                    measure(amTarget, "warm " + round, durationSeconds, false);
                    measure(engineTarget, "warm " + round, durationSeconds, false);
                }

                checkAlertmanager(amUrl);
                checkEngine(engine);
                report("webhook sink: %d notifications from Alertmanager, %d pages from the engine",
                        sink.received(r -> r.path().startsWith("/alertmanager")).size(), sink.received(r -> r.path().startsWith("/engine")).size());
                printTables(amRss, engine, brokerRss);
            } catch (IllegalStateException | IOException e) {
                // A side that cannot go on (not ready, exited, never caught up): the report says so and the run ends.
                failures.put("the run went on to the end", e.getMessage());
            } finally {
                brokerRss.close();
                if (amRss != null) {
                    amRss.close();
                }
                if (am != null) {
                    am.destroy();
                    if (!am.waitFor(30, TimeUnit.SECONDS)) {
                        am.destroyForcibly();
                    }
                }
                if (engine != null) {
                    engine.close();
                }
                admin.close();
            }
        }
        keepIfFailed(dir, failures);
        return exitCode(failures);
    }

    // ---- the two sides

    /**
     * Alertmanager as Prometheus users run it, clustering off (one instance, like the one engine):
     * alerts grouped by alertname to one webhook receiver, a sink in this JVM. The engine groups alike
     * (its default route: service and alertname) and pages one person per incident by webhook to the
     * same sink, so each side does its notification work, and little of it.
     */
    private Process startAlertmanager(WebhookSink sink) throws IOException {
        amPort = freePort();
        Path config = dir.resolve("alertmanager.yml");
        Files.writeString(config, """
                route:
                  receiver: sink
                  group_by: [alertname]
                receivers:
                  - name: sink
                    webhook_configs:
                      - url: "%s"
                """.formatted(sink.url("/alertmanager")));
        List<String> command = List.of(alertmanager.toString(), "--config.file=" + config, "--storage.path=" + dir.resolve("alertmanager-data"),
                "--web.listen-address=127.0.0.1:" + amPort, "--cluster.listen-address=");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("alertmanager.log").toFile())).start();
        // A benchmark stopped with Ctrl-C leaves no Alertmanager behind.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "alertmanager-stop"));
        return process;
    }

    private void awaitAlertmanagerReady(Process am, String url) throws InterruptedException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url + "/-/ready")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException notUp) {
                // Not listening yet.
            }
            if (!am.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("Alertmanager not ready (" + (am.isAlive() ? "still starting" : "exited " + am.exitValue())
                        + "); see " + dir.resolve("alertmanager.log"));
            }
            Thread.sleep(50);
        }
    }

    private EngineProcess startEngine() throws IOException, InterruptedException {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(AlertIngestConfig.RATE_LIMIT_CONFIG, "0");
        settings.putAll(engineSettings);
        List<String> arguments = new ArrayList<>(List.of("--bootstrap-servers", bootstrap, "--config-dir", dir.resolve("engine-config").toString(),
                "--data-dir", dir.resolve("engine-data").toString(), "--sink-port", "0", "--smtp-port", "0"));
        settings.forEach((key, value) -> arguments.addAll(List.of("--setting", key + "=" + value)));
        List<String> jvmOptions = Arrays.stream(engineJvmOptions.strip().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        EngineProcess engine = EngineProcess.startLocalEngine(dir.resolve("engine"), jvmOptions, arguments, freePort());
        try {
            engine.awaitReady(READY_TIMEOUT);
        } catch (RuntimeException notReady) {
            engine.close();
            throw notReady;
        }
        report("engine: JVM options %s, settings %s", jvmOptions, settings);
        return engine;
    }

    /** One service, its Alertmanager-type integration (the key Prometheus sends), and a policy that pages one person by webhook. */
    private static void writeEngineConfig(Path config, WebhookSink sink) throws IOException {
        Files.createDirectories(config);
        Files.writeString(config.resolve("bench.yaml"), """
                services:
                  - {id: bench, name: Bench, escalationPolicyId: bench-policy}
                integrations:
                  - {id: bench-prometheus, name: Bench Prometheus, type: ALERTMANAGER, serviceId: bench, key: %s}
                users:
                  - {id: oncall, name: On Call, contacts: [{type: WEBHOOK, address: "%s"}], notificationRules: [{contactType: WEBHOOK}]}
                escalationPolicies:
                  - {id: bench-policy, name: Bench, levels: [{targets: [{type: USER, id: oncall}], delayMinutes: 30}]}
                """.formatted(KEY, sink.url("/engine")));
    }

    // ---- load

    /** A side to post to; each goes through the bodies in the same order from the first. */
    private record Target(Side side, String url, Runnable resetPeak, LongSupplier phasePeakKb, int bodies, AtomicLong sent) {
        Target(Side side, String url, Runnable resetPeak, LongSupplier phasePeakKb, int bodies) {
            this(side, url, resetPeak, phasePeakKb, bodies, new AtomicLong());
        }

        boolean sentEveryAlert() {
            return sent.get() >= bodies;
        }
    }

    /**
     * A closed-loop phase against one side, for {@code seconds}, and if {@code untilEverySent} on until the side has been sent
     * every distinct alert; for the engine, then incident-stream's progress on what it wrote.
     */
    private void measure(Target target, String kind, int seconds, boolean untilEverySent) throws Exception {
        long[] before = target.side == Side.ENGINE ? alertsOffsets() : null;
        target.resetPeak.run();
        Recorder recorder = new Recorder(3);
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long latest = start + TimeUnit.SECONDS.toNanos(Math.max(seconds, WARMUP_MAX_SECONDS));
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < concurrency; c++) {
            clients.add(pool.submit(() -> {
                while (System.nanoTime() < end || untilEverySent && !target.sentEveryAlert() && System.nanoTime() < latest) {
                    int index = (int) (target.sent.getAndIncrement() % bodies.size());
                    byte[] body = bodies.get(index);
                    long sent = System.nanoTime();
                    String outcome;
                    try {
                        HttpResponse<String> response = http.send(request(target.url, body), HttpResponse.BodyHandlers.ofString());
                        int status = response.statusCode();
                        outcome = status / 100 == 2 ? null : status + " " + response.body();
                        if (outcome == null) {
                            accepted.incrementAndGet();
                            if (target.side == Side.ENGINE) {
                                engineAnswered.add(index);
                            }
                        } else if (target.side == Side.ENGINE && (status == 503 || status == 429)) {
                            // The engine's documented backpressure (incident-stream's backlog): Prometheus retries it.
                            refused.incrementAndGet();
                            outcome = null;
                        }
                    } catch (IOException e) {
                        outcome = e.toString();
                    }
                    recorder.recordValue(System.nanoTime() - sent);
                    if (outcome != null) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, outcome);
                    }
                }
                return null;
            }));
        }
        for (Future<?> client : clients) {
            client.get();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        long peak = target.phasePeakKb.getAsLong();
        Consumption consumption = target.side == Side.ENGINE ? consumption(before) : null;
        Phase phase = new Phase(kind, target.side, accepted.get(), accepted.get() * alertsPerRequest, refused.get(), errors.get(), elapsed,
                recorder.getIntervalHistogram(), peak, consumption);
        phases.add(phase);
        report("%s, %s: %,.0f alerts/s accepted, p50 %.1f ms, p99 %.1f ms, %d refused (backpressure), %d errors%s, RSS peak %,d MiB%s",
                kind, target.side.label, phase.alertsPerSecond(), millis(phase.latency, 50), millis(phase.latency, 99), phase.refused,
                phase.errors, firstError.get() == null ? "" : " (first: " + firstError.get() + ")", peak / 1024,
                consumption == null ? "" : String.format("; incident-stream took in %,d of the %,d alerts written, %,d behind at the end, "
                        + "caught up %.1f s later", consumption.takenIn, consumption.written, consumption.behindAtEnd, consumption.caughtUpSeconds));
        if (errors.get() > 0) {
            failures.put(kind + ", " + target.side.label + ": every request answered 2xx" + (target.side == Side.ENGINE ? " or backpressure" : ""),
                    errors.get() + " not, the first: " + firstError.get());
        }
    }

    private static HttpRequest request(String url, byte[] body) {
        // Alertmanager has no authentication and ignores the header; the engine takes the integration key from it.
        return HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    /**
     * A batch as Prometheus' notifier posts it: alerts of {@value #RULES} rules, each its labels
     * (alertname, the rule's labels, the series' instance and job, the external labels), its
     * annotations, startsAt, endsAt and generatorURL. Prometheus sets endsAt a few resend intervals
     * ahead and moves it with each resend; these bodies are made once, so it is an hour ahead and
     * every alert stays firing throughout the run on both sides. So once the engine has written an
     * alert, it absorbs every resend of it (alert-ingest's Resends): the best case; with endsAt
     * moving four resend intervals ahead, about one resend in three is written.
     */
    private byte[] prometheusBatch(int request, Instant built) {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < alertsPerRequest; i++) {
            int alert = request * alertsPerRequest + i;
            int rule = alert % RULES;
            if (i > 0) {
                json.append(',');
            }
            String instance = instance(alert);
            json.append(String.format("{\"labels\":{\"alertname\":\"BenchRule%02d\",\"severity\":\"%s\",\"instance\":\"%s\","
                            + "\"job\":\"node\",\"cluster\":\"eu-west-1\",\"prometheus\":\"monitoring/k8s\"},"
                            + "\"annotations\":{\"summary\":\"Rule %d firing on %s\",\"description\":\"Value 0.97 above 0.9 for 5m\","
                            + "\"runbook_url\":\"https://runbooks.example/rule-%d\"},\"startsAt\":\"%s\",\"endsAt\":\"%s\","
                            + "\"generatorURL\":\"http://prometheus-0:9090/graph?g0.expr=node_load1+%%3E+0.9&g0.tab=1\"}",
                    rule, rule % 4 == 0 ? "critical" : "warning", instance, rule, instance, rule,
                    startsAt(alert, built), endsAt(built)));
        }
        return json.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The distinct alert's instance label: unique to it. */
    private static String instance(int alert) {
        return String.format("10.%d.%d.%d:9100", alert >> 16 & 255, alert >> 8 & 255, alert & 255);
    }

    private static Instant startsAt(int alert, Instant built) {
        return built.minusSeconds(300 + alert % 600);
    }

    private static Instant endsAt(Instant built) {
        return built.plus(Duration.ofHours(1));
    }

    // ---- incident-stream's progress on alerts.v1

    /** The end offsets of alerts.v1 and incident-stream's committed offsets there, each summed over the partitions. */
    private long[] alertsOffsets() throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < Topics.ALERTS.partitions(); p++) {
            latest.put(new TopicPartition(Topics.ALERTS.name(), p), OffsetSpec.latest());
        }
        long written = 0;
        for (var end : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values()) {
            written += end.offset();
        }
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(IncidentTopology.APPLICATION_ID)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        long takenIn = 0;
        for (var at : committed.entrySet()) {
            if (at.getKey().topic().equals(Topics.ALERTS.name()) && at.getValue() != null) {
                takenIn += at.getValue().offset();
            }
        }
        return new long[] {written, takenIn};
    }

    /** What incident-stream took in since {@code before}, how far behind it was now, and how long it took to catch up. */
    private Consumption consumption(long[] before) throws Exception {
        long[] now = alertsOffsets();
        long start = System.nanoTime();
        long deadline = start + CATCH_UP_TIMEOUT.toNanos();
        long[] latest = now;
        // Caught up: the group committed alerts.v1 to its end (it commits every 100 ms, as exactly-once Streams do by default).
        while (latest[1] < latest[0]) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("incident-stream still " + (latest[0] - latest[1]) + " alerts behind on "
                        + Topics.ALERTS.name() + " " + CATCH_UP_TIMEOUT.toSeconds() + " s after the phase");
            }
            Thread.sleep(50);
            latest = alertsOffsets();
        }
        return new Consumption(now[0] - before[0], now[1] - before[1], now[0] - now[1], (System.nanoTime() - start) / 1e9);
    }

    // ---- checks

    /** Alertmanager counted the alerts it answered: its own alertmanager_alerts_received_total, none invalid. */
    private void checkAlertmanager(String url) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        long received = sumMetric(metrics, "alertmanager_alerts_received_total");
        long invalid = sumMetric(metrics, "alertmanager_alerts_invalid_total");
        long answered = phases.stream().filter(p -> p.side == Side.ALERTMANAGER).mapToLong(Phase::alerts).sum();
        report("Alertmanager: %,d alerts answered 2xx, %,d received by its count, %,d invalid", answered, received, invalid);
        if (received < answered || invalid > 0) {
            failures.put("Alertmanager took every alert it answered 2xx", received + " received, " + invalid + " invalid of " + answered);
        }
    }

    /**
     * Every distinct alert the engine answered 2xx is on alerts.v1 at its latest content (the bodies never change: firing, as
     * posted); every alert answered was written or absorbed as an unchanged resend; incident-stream took in all of it; the
     * engine is ready.
     */
    private void checkEngine(EngineProcess engine) throws Exception {
        long answered = phases.stream().filter(p -> p.side == Side.ENGINE).mapToLong(Phase::alerts).sum();
        String metrics = engine.metrics();
        long absorbed = sumMetric(metrics, "ingest_alerts_absorbed_total");
        var deserializer = Topics.ALERTS.valueSerde(RecordSerdes.singleObject()).deserializer();
        Map<String, Alert> latest = new HashMap<>();
        AtomicLong stored = new AtomicLong();
        BenchSupport.scan(bootstrap, Topics.ALERTS.name(), true, record -> {
            stored.incrementAndGet();
            Alert alert = deserializer.deserialize(Topics.ALERTS.name(), record.value());
            latest.put(alert.getLabels().get("instance"), alert);
        });
        report("durability: %,d alerts answered 2xx by the engine; %,d written to %s and %,d absorbed as unchanged resends "
                + "(ingest_alerts_absorbed_total): %,d; %,d distinct alerts there", answered, stored.get(), Topics.ALERTS.name(), absorbed,
                stored.get() + absorbed, latest.size());
        if (stored.get() + absorbed < answered) {
            failures.put("every alert the engine answered 2xx was written to " + Topics.ALERTS.name() + " or absorbed",
                    stored.get() + " written + " + absorbed + " absorbed < " + answered + " answered");
        }
        long missing = 0;
        String first = null;
        for (int body : engineAnswered) {
            for (int i = 0; i < alertsPerRequest; i++) {
                int alert = body * alertsPerRequest + i;
                Alert last = latest.get(instance(alert));
                if (last == null || last.getStatus() != AlertStatus.FIRING || !last.getStartsAt().equals(startsAt(alert, built))
                        || !endsAt(built).equals(last.getEndsAt()) || !("BenchRule%02d".formatted(alert % RULES)).equals(last.getLabels().get("alertname"))) {
                    missing++;
                    first = first != null ? first : instance(alert) + ": " + last;
                }
            }
        }
        report("durability: %,d distinct alerts answered 2xx, %,d of them not on %s as posted", engineAnswered.size() * alertsPerRequest,
                missing, Topics.ALERTS.name());
        if (missing > 0) {
            failures.put("every distinct alert the engine answered 2xx is on " + Topics.ALERTS.name() + " as posted",
                    missing + " not, the first: " + first);
        }
        long[] offsets = alertsOffsets();
        report("incident-stream: committed %,d of %,d records of %s", offsets[1], offsets[0], Topics.ALERTS.name());
        if (offsets[1] < offsets[0]) {
            failures.put("incident-stream took in every alert", offsets[1] + " of " + offsets[0]);
        }
        // How ingest answered (accepted, or held back for incident-stream's backlog) and how long its writes took.
        metrics.lines().filter(line -> line.startsWith("ingest_requests_total{") && line.contains("alertmanager-api")
                        || line.startsWith("ingest_alerts_absorbed_total")
                        || line.startsWith("ingest_backlog_seconds") || line.startsWith("ingest_kafka_produce_seconds_sum")
                        || line.startsWith("ingest_kafka_produce_seconds_count"))
                .forEach(line -> report("engine metric: %s", line));
        int ready = engine.readyStatus();
        if (ready != 200) {
            failures.put("the engine is ready at the end (no stream thread died)", "/readyz " + ready + "; see " + engine.log());
        }
    }

    private static long sumMetric(String metrics, String name) {
        return metrics.lines().filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    // ---- report

    private void printTables(RssSampler amRss, EngineProcess engine, RssSampler brokerRss) {
        System.out.println();
        System.out.println("| phase | side | alerts/s | requests/s | p50 ms | p99 ms | max ms | refused | errors | RSS peak MiB "
                + "| incident-stream: taken in / written, behind at end, caught up after |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Phase phase : phases) {
            Consumption c = phase.consumption;
            System.out.printf("| %s | %s | %,.0f | %,.0f | %.1f | %.1f | %.1f | %d | %d | %,d | %s |%n", phase.kind, phase.side.label,
                    phase.alertsPerSecond(), phase.requests / phase.seconds, millis(phase.latency, 50), millis(phase.latency, 99),
                    phase.latency.getMaxValue() / 1e6, phase.refused, phase.errors, phase.rssPeakKb / 1024,
                    c == null ? "" : String.format("%,d / %,d, %,d, %.1f s", c.takenIn, c.written, c.behindAtEnd, c.caughtUpSeconds));
        }
        Phase amCold = phase(Side.ALERTMANAGER, "cold");
        Phase engineCold = phase(Side.ENGINE, "cold");
        double amWarm = warmRate(Side.ALERTMANAGER);
        double engineWarm = warmRate(Side.ENGINE);
        Histogram amLatency = warmLatency(Side.ALERTMANAGER);
        Histogram engineLatency = warmLatency(Side.ENGINE);
        System.out.println();
        System.out.println("| | Alertmanager 0.25 | engine | engine ÷ Alertmanager |");
        System.out.println("|---|---|---|---|");
        System.out.printf("| cold, first %d s: alerts/s | %,.0f | %,.0f | %.2f |%n", coldSeconds, amCold.alertsPerSecond(),
                engineCold.alertsPerSecond(), engineCold.alertsPerSecond() / amCold.alertsPerSecond());
        System.out.printf("| cold: p50 / p99 ms | %.1f / %.1f | %.1f / %.1f | |%n", millis(amCold.latency, 50), millis(amCold.latency, 99),
                millis(engineCold.latency, 50), millis(engineCold.latency, 99));
        System.out.printf("| warm, %d × %d s each: alerts/s (target engine ≥ 2×) | %,.0f | %,.0f | %.2f |%n", rounds, durationSeconds, amWarm,
                engineWarm, engineWarm / amWarm);
        System.out.printf("| warm: p50 / p99 ms | %.1f / %.1f | %.1f / %.1f | |%n", millis(amLatency, 50), millis(amLatency, 99),
                millis(engineLatency, 50), millis(engineLatency, 99));
        List<Phase> engineWarmPhases = warm(Side.ENGINE);
        // Until incident-stream has taken in what the phase wrote: the rate the engine as a whole kept up.
        double throughIncidentStream = engineWarmPhases.stream().mapToLong(Phase::alerts).sum()
                / engineWarmPhases.stream().mapToDouble(p -> p.seconds + p.consumption.caughtUpSeconds).sum();
        System.out.printf("| warm: alerts/s until incident-stream caught up (answered ÷ (phase + catch-up)) | | %,.0f | %.2f |%n",
                throughIncidentStream, throughIncidentStream / amWarm);
        System.out.printf("| RSS max / end MiB | %,d / %,d | %,d / %,d | |%n", amRss.peakKb() / 1024, amRss.rssKb() / 1024,
                engine.peakRssKb() / 1024, engine.rssKb() / 1024);
        System.out.printf("| the engine's Kafka broker: RSS max / end MiB | | %,d / %,d | |%n", brokerRss.peakKb() / 1024, brokerRss.rssKb() / 1024);
        report("%n2× target (warm): %s (%.2f×); load average at the end %s", engineWarm >= 2 * amWarm ? "met" : "not met",
                engineWarm / amWarm, loadAverage());
    }

    private Phase phase(Side side, String kind) {
        return phases.stream().filter(p -> p.side == side && p.kind.equals(kind)).findFirst().orElseThrow();
    }

    private List<Phase> warm(Side side) {
        return phases.stream().filter(p -> p.side == side && p.kind.startsWith("warm ")).toList();
    }

    private double warmRate(Side side) {
        List<Phase> warm = warm(side);
        return warm.stream().mapToLong(Phase::alerts).sum() / warm.stream().mapToDouble(Phase::seconds).sum();
    }

    private Histogram warmLatency(Side side) {
        Histogram all = new Histogram(3);
        warm(side).forEach(p -> all.add(p.latency));
        return all;
    }
}
