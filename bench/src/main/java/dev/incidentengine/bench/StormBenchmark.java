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
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.incidentengine.deploy.KafkaBroker;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.testkit.WebhookSink;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import static dev.incidentengine.bench.BenchSupport.committedRecords;
import static dev.incidentengine.bench.BenchSupport.exitCode;
import static dev.incidentengine.testkit.TopicContents.freePort;
import static dev.incidentengine.bench.BenchSupport.keepIfFailed;
import static dev.incidentengine.bench.BenchSupport.millis;
import static dev.incidentengine.bench.BenchSupport.report;

/**
 * The local engine at outage scale: a real broker process, the local engine (all four services,
 * {@code ./incident-engine local}) in a JVM of its own with the script's heap, a config of the
 * benchmark's own, and its webhook receiver and SMTP sink in this JVM. (1) Storm: distinct alerts
 * of one service and alertname sent as Alertmanager webhooks as fast as ingest takes them, while
 * an unrelated alert opens an incident of another service every 100 ms; beside raw Kafka producing
 * and reading the same records. (2) Restart: the engine restarted on that data, and from the moment
 * /readyz answers 200, new incidents at a steady rate, each paged by webhook with "opened" news to
 * a webhook channel and an e-mail list; alert sent → page received, per 10-second window.
 */
@Command(name = "storm-benchmark", mixinStandardHelpOptions = true,
        description = "The local engine in an alert storm, and right after a restart under load.")
public final class StormBenchmark implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RESTART_TOKEN = Pattern.compile("bench-restart-(\\d+)");
    private static final int OTHER_SERVICES = 10;
    private static final String STORM_ALERTNAME = "NodeDown";
    private static final int SETTLE_SECONDS = 5;

    @Option(names = "--storm-alerts", description = "Distinct alerts of the storm (default 100,000; 10,000 with --quick).")
    Integer stormAlerts;

    @Option(names = "--batch", defaultValue = "64", description = "Alerts per Alertmanager webhook (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--clients", defaultValue = "4", description = "Concurrent HTTP clients sending the storm (default ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--unrelated-every-ms", defaultValue = "100",
            description = "An unrelated alert (a new incident of another service) this often during the storm (default ${DEFAULT-VALUE}).")
    int unrelatedEveryMs;

    @Option(names = "--warmup-seconds", defaultValue = "10",
            description = "Seconds of unrelated alerts alone before the storm, not counted (default ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--restart-rate", defaultValue = "50", description = "New incidents per second after the restart (default ${DEFAULT-VALUE}).")
    int restartRate;

    @Option(names = "--restart-seconds", description = "Seconds of load after the restart (default 120; 40 with --quick).")
    Integer restartSeconds;

    @Option(names = "--window-seconds", defaultValue = "10", description = "Width of a latency window after the restart (default ${DEFAULT-VALUE}).")
    int windowSeconds;

    @Option(names = "--warm-after-seconds", defaultValue = "30",
            description = "Windows starting this long after /readyz said 200 or later count as warm (default ${DEFAULT-VALUE}).")
    int warmAfterSeconds;

    @Option(names = "--phases", split = ",", defaultValue = "storm,restart",
            description = "Phases to run: storm, restart (the restart on the storm's data when both run; default ${DEFAULT-VALUE}).")
    List<String> phases;

    @Option(names = "--quick", description = "A short run for CI or a developer: 10,000 storm alerts, 40 s of load after the restart.")
    boolean quick;

    @Option(names = "--stall-seconds", defaultValue = "60",
            description = "A phase ends as failed when nothing it waits for arrives for this long (default ${DEFAULT-VALUE}).")
    int stallSeconds;

    @Option(names = "--engine-jvm-options", defaultValue = BenchSupport.LOCAL_ENGINE_JVM_OPTIONS,
            description = "JVM options of the engine process (default '${DEFAULT-VALUE}', what ./incident-engine gives it).")
    String engineJvmOptions;

    @Option(names = "--engine-setting", paramLabel = "KEY=VALUE",
            description = "A service setting passed to the local engine (repeatable), over its defaults "
                    + "(e.g. ingest.rate.limit.alerts.per.second, 20,000 a second per integration by default).")
    Map<String, String> engineSettings = new LinkedHashMap<>();

    @Option(names = "--keep-data-dir", description = "Keep the run's directory (broker data, engine state, logs) even when every check passed.")
    boolean keepDataDir;

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    /** Checks that must hold whatever the machine (what the IT asserts), and performance targets missed. */
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final Map<String, String> missedTargets = new LinkedHashMap<>();
    private final List<String> figures = new ArrayList<>();
    private final List<String> checks = new ArrayList<>();
    private final List<String> windowRows = new ArrayList<>();
    private String bootstrap;
    private Path dir;
    private WebhookSink sink;
    private GreenMail mail;

    public static void main(String[] args) {
        System.exit(new CommandLine(new StormBenchmark()).execute(args));
    }

    /** The checks that failed (not the performance targets), once the run is over. */
    Map<String, String> checkFailures() {
        return failures;
    }

    private int stormAlerts() {
        return stormAlerts != null ? stormAlerts : quick ? 10_000 : 100_000;
    }

    private int restartSeconds() {
        return restartSeconds != null ? restartSeconds : quick ? 40 : 120;
    }

    @Spec
    CommandSpec spec;

    private void validate() {
        List<String> unknown = phases.stream().filter(phase -> !List.of("storm", "restart").contains(phase)).toList();
        require(unknown.isEmpty(), "--phases: " + unknown + " is not storm or restart");
        require(stormAlerts() > 0, "--storm-alerts must be at least 1");
        require(batch > 0 && clients > 0 && unrelatedEveryMs > 0, "--batch, --clients and --unrelated-every-ms must be at least 1");
        require(restartRate > 0 && restartSeconds() > 0 && windowSeconds > 0, "--restart-rate, --restart-seconds and --window-seconds must be at least 1");
        require(warmupSeconds >= 0 && stallSeconds > 0, "--warmup-seconds must be at least 0, --stall-seconds at least 1");
    }

    private void require(boolean valid, String message) {
        if (!valid) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    @Override
    public Integer call() throws Exception {
        validate();
        dir = Files.createTempDirectory("storm-bench");
        mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        report("machine: %d cores, %s, Java %s; run directory %s", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("java.version"), dir);
        try (KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"), "127.0.0.1", freePort(), freePort());
             WebhookSink receiver = WebhookSink.start()) {
            sink = receiver;
            mail.start();
            broker.start(Duration.ofSeconds(60));
            bootstrap = broker.bootstrapServers();
            writeConfig(dir.resolve("config"));
            EventWatcher watcher = null;
            EngineProcess engine = null;
            try {
                if (phases.contains("storm")) {
                    engine = startEngine("engine-storm");
                    watcher = new EventWatcher(bootstrap, Topics.INCIDENT_EVENTS, serdes).start();
                    // The first storm meets a JVM that has compiled little yet; the second, into the same incident, a warm one.
                    storm(engine, watcher, "cold");
                    storm(engine, watcher, "warm");
                    long stopping = System.nanoTime();
                    engine.close();
                    engine = null;
                    report("storm: engine stopped (SIGTERM) in %.1f s", (System.nanoTime() - stopping) / 1e9);
                }
                if (phases.contains("restart")) {
                    long launched = System.nanoTime();
                    engine = startEngine("engine-restart");
                    long ready = System.nanoTime();
                    report("restart: the local engine's JVM started; /readyz answered 200 after %.1f s", (ready - launched) / 1e9);
                    figure("restart: engine JVM start → /readyz 200 (on the " + (phases.contains("storm") ? "storm's data" : "new data") + ")",
                            String.format("%.1f s", (ready - launched) / 1e9));
                    if (watcher == null) {
                        watcher = new EventWatcher(bootstrap, Topics.INCIDENT_EVENTS, serdes).start();
                    }
                    restart(engine, watcher, ready);
                }
            } catch (RuntimeException | IOException e) {
                // A phase that cannot go on (the engine never ready, exited): the report says so and the run ends.
                failures.put("the run went on to the end", e.getMessage());
            } finally {
                if (watcher != null) {
                    watcher.close();
                }
                if (engine != null) {
                    engine.close();
                }
            }
            printTables();
        } finally {
            mail.stop();
            // Kept for its logs when a check failed; a missed target alone is in the report.
            if (keepDataDir) {
                report("run directory kept: %s", dir);
            } else {
                keepIfFailed(dir, failures);
            }
        }
        Map<String, String> all = new LinkedHashMap<>(failures);
        all.putAll(missedTargets);
        return exitCode(all);
    }

    // ---- the engine and its configuration

    /** The local engine on our broker, config and data; returns once /readyz answers 200. */
    private EngineProcess startEngine(String name) throws IOException, InterruptedException {
        Map<String, String> settings = new LinkedHashMap<>();
        // E-mail to this JVM's SMTP sink rather than the local engine's own.
        settings.put("notifier.smtp.host", "127.0.0.1");
        settings.put("notifier.smtp.port", Integer.toString(mail.getSmtp().getPort()));
        settings.putAll(engineSettings);
        List<String> arguments = new ArrayList<>(List.of("--bootstrap-servers", bootstrap, "--config-dir", dir.resolve("config").toString(),
                "--data-dir", dir.resolve("engine-data").toString(), "--sink-port", "0", "--smtp-port", "0"));
        settings.forEach((key, value) -> arguments.addAll(List.of("--setting", key + "=" + value)));
        List<String> jvmOptions = Arrays.stream(engineJvmOptions.strip().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        EngineProcess engine = EngineProcess.startLocalEngine(dir.resolve(name), jvmOptions, arguments, freePort());
        try {
            engine.awaitReady(Duration.ofSeconds(120));
        } catch (RuntimeException notReady) {
            engine.close();
            throw notReady;
        }
        report("%s: pid %d, JVM options %s, settings %s, RSS when ready %,d MiB; its log: %s", name, engine.pid(), jvmOptions, settings,
                engine.rssKb() / 1024, engine.log());
        return engine;
    }

    /**
     * Services {@code storm}, {@code other-0..9} and {@code restart}, each with an Alertmanager
     * integration of its own and a policy that pages one person by webhook at once; "opened" news of
     * every service to a webhook channel and an e-mail list. Alerts follow the default route.
     */
    private void writeConfig(Path config) throws IOException {
        Files.createDirectories(config);
        List<String> services = new ArrayList<>(List.of("storm", "restart"));
        for (int i = 0; i < OTHER_SERVICES; i++) {
            services.add("other-" + i);
        }
        StringBuilder yaml = new StringBuilder("services:\n");
        services.forEach(service -> yaml.append("  - {id: ").append(service).append(", name: Bench ").append(service)
                .append(", escalationPolicyId: bench-policy}\n"));
        yaml.append("integrations:\n");
        services.forEach(service -> yaml.append("  - {id: ").append(integration(service)).append(", name: Bench ").append(service)
                .append(", type: ALERTMANAGER, serviceId: ").append(service).append(", key: ").append(key(service)).append("}\n"));
        yaml.append("""
                users:
                  - {id: oncall, name: On Call, contacts: [{type: WEBHOOK, address: "%s"}], notificationRules: [{contactType: WEBHOOK}]}
                escalationPolicies:
                  - {id: bench-policy, name: Bench, levels: [{targets: [{type: USER, id: oncall}], delayMinutes: 30}]}
                channels:
                  - {id: bench-room, name: Bench room, type: WEBHOOK, address: "%s", events: [opened]}
                  - {id: bench-list, name: Bench list, type: EMAIL, address: news@bench.example, events: [opened]}
                """.formatted(sink.url("/page"), sink.url("/news")));
        Files.writeString(config.resolve("bench.yaml"), yaml);
    }

    private long brokerPid() throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("kafka/broker.pid")).strip());
    }

    private static String integration(String service) {
        return service + "-am";
    }

    private static String key(String service) {
        return "bench-key-" + service;
    }

    /** The fingerprint ingest gives an Alertmanager alert with this identity: scoped by integration. */
    private static String fingerprint(String service, String identity) {
        return integration(service) + "/" + identity;
    }

    /** An Alertmanager webhook (payload version 4) of these alerts, all of one service and firing. */
    private static String webhook(String service, List<Map<String, Object>> alerts) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", "4");
        body.put("groupKey", "{}:{service=\"" + service + "\"}");
        body.put("truncatedAlerts", 0);
        body.put("status", "firing");
        body.put("receiver", "incident-engine");
        body.put("groupLabels", Map.of("service", service));
        body.put("commonLabels", Map.of("service", service, "env", "prod"));
        body.put("commonAnnotations", Map.of());
        body.put("externalURL", "http://alertmanager.example:9093");
        body.put("alerts", alerts);
        return JSON.writeValueAsString(body);
    }

    private static Map<String, Object> alert(String identity, Map<String, String> labels, String summary) {
        Map<String, Object> alert = new LinkedHashMap<>();
        alert.put("status", "firing");
        alert.put("labels", labels);
        alert.put("annotations", Map.of("summary", summary, "runbook_url", "https://runbooks.example/" + labels.get("alertname")));
        alert.put("startsAt", Instant.now().minusSeconds(60).toString());
        alert.put("endsAt", "0001-01-01T00:00:00Z");
        alert.put("generatorURL", "http://prometheus.example:9090/graph?g0.expr=up");
        alert.put("fingerprint", identity);
        return alert;
    }

    private static HttpClient httpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpRequest post(EngineProcess engine, String service, String body) {
        return HttpRequest.newBuilder(URI.create(engine.baseUrl() + "/api/v1/alertmanager"))
                .header("Authorization", "Bearer " + key(service))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    // ---- storm

    /** What the storm's HTTP clients saw. */
    private static final class Sent {
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong retried = new AtomicLong();
        final Map<String, Long> refused = new ConcurrentHashMap<>();
        volatile String firstRefusal;

        void refuse(String why) {
            if (firstRefusal == null) {
                firstRefusal = why;
            }
            refused.merge(why.length() > 60 ? why.substring(0, 60) : why, 1L, Long::sum);
        }
    }

    /** One storm; {@code run} (cold or warm) tags its alerts and names its figures. */
    private void storm(EngineProcess engine, EventWatcher watcher, String run) throws Exception {
        int alerts = stormAlerts();
        int batches = (alerts + batch - 1) / batch;
        String phase = "storm (" + run + ")";
        report("%s: %,d alerts of service storm, alertname %s (distinct instance), %d a webhook, %d clients; an unrelated alert "
                + "every %d ms, each a new incident of one of %d other services", phase, alerts, STORM_ALERTNAME, batch, clients,
                unrelatedEveryMs, OTHER_SERVICES);
        EventWatcher.Counts storm = watcher.counts(run);
        EventWatcher.Counts unrelated = watcher.counts(run + "-unrelated");
        Sent sent = new Sent();
        Sent unrelatedSent = new Sent();
        AtomicInteger nextBatch = new AtomicInteger();
        AtomicInteger unrelatedCount = new AtomicInteger();
        Queue<Long> unrelatedSentAt = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService senders = Executors.newFixedThreadPool(clients);
        ScheduledExecutorService unrelatedSender = Executors.newSingleThreadScheduledExecutor();
        HttpClient unrelatedHttp = httpClient();
        long start;
        boolean complete;
        CpuClock cpu;
        try {
            unrelatedSender.scheduleAtFixedRate(() -> {
                int i = unrelatedCount.getAndIncrement();
                String service = "other-" + (i % OTHER_SERVICES);
                String identity = String.format("%s-unrelated/%06d", run, i);
                try {
                    String body = webhook(service, List.of(alert(identity, Map.of("alertname", run + "Unrelated" + i, "service", service,
                            "severity", "warning"), "bench-" + run + "-unrelated-" + i)));
                    long now = System.nanoTime();
                    unrelatedSentAt.add(now);
                    watcher.expectOpen(fingerprint(service, identity), now);
                    unrelatedHttp.sendAsync(post(engine, service, body), HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                        if (error != null) {
                            unrelatedSent.refuse(error.toString());
                        } else if (response.statusCode() / 100 != 2) {
                            unrelatedSent.refuse(response.statusCode() + " " + response.body());
                        } else {
                            unrelatedSent.accepted.incrementAndGet();
                        }
                    });
                } catch (IOException e) {
                    unrelatedSent.refuse(e.toString());
                }
            }, 0, unrelatedEveryMs, TimeUnit.MILLISECONDS);
            // The hot paths of a JVM just started are not compiled yet: the unrelated alerts alone go first, not counted.
            if (run.equals("cold") && warmupSeconds > 0) {
                report("%s: %d s of unrelated alerts alone first (not counted)", phase, warmupSeconds);
                TimeUnit.SECONDS.sleep(warmupSeconds);
            }
            engine.resetPeak();
            cpu = new CpuClock(engine.pid(), brokerPid());
            start = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                senders.submit(() -> {
                    HttpClient http = httpClient();
                    for (int b = nextBatch.getAndIncrement(); b < batches && !stop.get(); b = nextBatch.getAndIncrement()) {
                        List<Map<String, Object>> batchAlerts = new ArrayList<>();
                        for (int i = b * batch; i < Math.min(alerts, (b + 1) * batch); i++) {
                            String instance = String.format("node-%06d:9100", i);
                            batchAlerts.add(alert(String.format("%s/%06d", run, i), Map.of("alertname", STORM_ALERTNAME, "service", "storm",
                                    "instance", instance, "job", "node", "severity", "critical"), "Node " + instance + " is down"));
                        }
                        send(http, post(engine, "storm", webhook("storm", batchAlerts)), batchAlerts.size(), sent, stop);
                    }
                    return null;
                });
            }

            // Generous, for a slow engine; a wedged one is caught by the stall check long before.
            long deadline = start + TimeUnit.SECONDS.toNanos(120 + alerts / 200);
            complete = await(phase, engine, () -> storm.attached.get() == alerts, deadline,
                    () -> storm.attached.get() + sent.accepted.get(),
                    () -> String.format("%,d of %,d alerts accepted, %,d attached to %d incident(s); unrelated: %,d sent, %,d opened",
                            sent.accepted.get(), alerts, storm.attached.get(), storm.attachedTo.size(), unrelatedCount.get(),
                            unrelated.opened.get()));
        } finally {
            stop.set(true);
            unrelatedSender.shutdownNow();
            senders.shutdown();
        }
        long end = complete ? storm.lastAttachedNanos.get() : System.nanoTime();
        senders.awaitTermination(60, TimeUnit.SECONDS);
        double seconds = (end - start) / 1e9;
        int unrelatedTotal = unrelatedCount.get();
        // The last unrelated alerts were sent just before the storm's end: their incidents open a little later.
        await(phase + ", the last unrelated incidents", engine, () -> watcher.pendingOpens() == 0,
                System.nanoTime() + TimeUnit.SECONDS.toNanos(stallSeconds), () -> unrelated.opened.get(), () -> String.format("%,d of %,d unrelated incidents opened", unrelated.opened.get(),
                        unrelatedTotal));
        // Of the unrelated alerts sent during the storm: write → IncidentOpened readable.
        long duringStorm = unrelatedSentAt.stream().filter(at -> at >= start && at <= end).count();
        Histogram latency = new Histogram(3);
        watcher.completedOpens().stream().filter(open -> open[0] >= start && open[0] <= end).forEach(open -> latency.recordValue(open[1]));
        report("%s: %,d of %,d alerts attached in %.1f s from the first send: %,.0f alerts/s; webhooks: %,d alerts accepted, %,d "
                        + "retried, refused %s; engine RSS max %,d MiB", phase, storm.attached.get(), alerts, seconds, storm.attached.get() / seconds,
                sent.accepted.get(), sent.retried.get(), sent.refused, engine.phasePeakRssKb() / 1024);

        report("%s: %s; engine threads: %s; benchmark threads: %s", phase, cpu.describe(seconds), cpu.engineThreads(), cpu.selfThreads());
        double perSecond = storm.attached.get() / seconds;
        target(String.format("%s: storm alerts/s through incident-stream: first send → every `AlertAttached` readable (%,d alerts, %d a "
                        + "webhook, %d clients)", phase, alerts, batch, clients),
                String.format("%,.0f (%,d in %.1f s%s)", perSecond, storm.attached.get(), seconds, complete ? "" : ", incomplete"),
                "≥ 10,000", complete && perSecond >= 10_000);
        target(phase + ": unrelated alert written → its `IncidentOpened` readable, during the storm",
                String.format("p50 %,.0f ms, p99 %,.0f ms, max %,.0f ms (%,d of %,d opened)", millis(latency, 50), millis(latency, 99),
                        latency.getMaxValue() / 1e6, latency.getTotalCount(), duringStorm),
                "p99 ≤ 1 s", latency.getTotalCount() == duringStorm && millis(latency, 99) <= 1000);
        BenchSupport.Largest state = BenchSupport.largestRecord(bootstrap, Topics.INCIDENT_STATE.name());
        BenchSupport.Largest events = BenchSupport.largestRecord(bootstrap, Topics.INCIDENT_EVENTS.name());
        target(phase + ": largest record written to `" + Topics.INCIDENT_STATE.name() + "`",
                String.format("%s (of %,d records)", kib(state.valueBytes()), state.records()), "≤ 64 KiB", state.valueBytes() <= 64 * 1024);
        figure(phase + ": largest record written to `" + Topics.INCIDENT_EVENTS.name() + "`",
                String.format("%s (of %,d records)", kib(events.valueBytes()), events.records()));
        double rssMiB = engine.phasePeakRssKb() / 1024.0;
        target(phase + ": engine RSS max, sampled every 500 ms (JVM options " + engineJvmOptions + ")", String.format("%,.0f MiB", rssMiB),
                "≤ 1,024 MiB", rssMiB <= 1024);
        rawKafka(run, alerts, perSecond);

        check(phase + ": every webhook accepted", sent.accepted.get() == alerts,
                String.format("%,d of %,d alerts; refused: %s; first: %s", sent.accepted.get(), alerts, sent.refused, sent.firstRefusal));
        check(phase + ": each alert attached exactly once", storm.attached.get() == alerts && storm.attachEvents.get() == alerts,
                String.format("%,d distinct of %,d, %,d AlertAttached events", storm.attached.get(), alerts, storm.attachEvents.get()));
        check(phase + ": one incident", storm.attachedTo.size() == 1, storm.attachedTo.size() + " incidents");
        long doubleOpened = unrelated.openedByKey.values().stream().filter(n -> n > 1).count();
        check(phase + ": every unrelated alert accepted and opened its own incident", unrelatedSent.accepted.get() == unrelatedTotal
                        && unrelated.opened.get() == unrelatedTotal && unrelated.openedByKey.size() == unrelatedTotal && doubleOpened == 0,
                String.format("%,d sent, %,d accepted (refused: %s), %,d opened for %,d keys, %d keys opened twice", unrelatedTotal,
                        unrelatedSent.accepted.get(), unrelatedSent.refused, unrelated.opened.get(), unrelated.openedByKey.size(), doubleOpened));
        engineChecks(phase, engine, watcher);
    }

    /** Sends one webhook until it is accepted: 429 and 503 wait their Retry-After, I/O errors a second; any other answer is a refusal. */
    private void send(HttpClient http, HttpRequest request, int alerts, Sent sent, AtomicBoolean stop) throws InterruptedException {
        while (!stop.get()) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 == 2) {
                    sent.accepted.addAndGet(alerts);
                    return;
                }
                if (response.statusCode() != 429 && response.statusCode() != 503) {
                    sent.refuse(response.statusCode() + " " + response.body());
                    return;
                }
                sent.retried.incrementAndGet();
                Thread.sleep(1000L * response.headers().firstValueAsLong("Retry-After").orElse(1));
            } catch (IOException e) {
                sent.retried.incrementAndGet();
                Thread.sleep(1000);
            }
        }
    }

    /** The storm's own alerts.v1 records, as ingest wrote them, produced and read back by raw Kafka on the same broker. */
    private void rawKafka(String run, int alerts, double enginePerSecond) throws Exception {
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        BenchSupport.scan(bootstrap, Topics.ALERTS.name(), true, record -> {
            if (new String(record.key(), StandardCharsets.UTF_8).startsWith(integration("storm") + "/" + run + "/")) {
                keys.add(record.key());
                values.add(record.value());
            }
        });
        if (values.isEmpty()) {
            figure("storm (" + run + "): raw Kafka", "no storm records on `alerts.v1`");
            return;
        }
        double raw = BenchSupport.rawKafka(bootstrap, "storm-" + run, keys, values);
        figure(String.format("storm (%s): raw Kafka, the storm's %,d `alerts.v1` records (average %,d bytes) produced (idempotent, acks=all, lz4) "
                + "and read back read_committed, same broker", run, values.size(), values.stream().mapToLong(v -> v.length).sum() / values.size()),
                String.format("%,.0f records/s (engine ÷ raw %.3f)", raw, enginePerSecond / raw));
    }

    // ---- restart

    private void restart(EngineProcess engine, EventWatcher watcher, long ready) throws Exception {
        int count = restartRate * restartSeconds();
        report("restart: %,d new incidents at %d a second for %d s from /readyz 200, each paged by webhook with opened news to a "
                + "webhook channel and an e-mail list", count, restartRate, restartSeconds());
        engine.resetPeak();
        long[] planned = new long[count];
        Sent sent = new Sent();
        HttpClient http = httpClient();
        Map<Long, Integer> indexByPlanned = new HashMap<>();
        for (int i = 0; i < count; i++) {
            planned[i] = ready + i * TimeUnit.SECONDS.toNanos(1) / restartRate;
            indexByPlanned.put(planned[i], i);
        }
        PageCount pages = new PageCount();
        long lastReport = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long wait = planned[i] - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            String identity = String.format("restart/%06d", i);
            String body = webhook("restart", List.of(alert(identity, Map.of("alertname", "RestartLoad" + i, "service", "restart",
                    "severity", "critical"), "bench-restart-" + i)));
            watcher.expectOpen(fingerprint("restart", identity), planned[i]);
            http.sendAsync(post(engine, "restart", body), HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                if (error != null) {
                    sent.refuse(error.toString());
                } else if (response.statusCode() / 100 != 2) {
                    sent.refuse(response.statusCode() + " " + response.body());
                } else {
                    sent.accepted.incrementAndGet();
                }
            });
            if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
                lastReport = System.nanoTime();
                pages.update();
                report("  restart: %.0f s: %,d alerts sent, %,d accepted; %,d pages, %,d webhook news, %,d e-mails arrived; engine RSS %,d MiB",
                        (lastReport - ready) / 1e9, i + 1, sent.accepted.get(), pages.pages, pages.news, pages.mails, engine.rssKb() / 1024);
            }
        }
        await("restart, after the last alert", engine, () -> pages.update().complete(count), System.nanoTime() + TimeUnit.SECONDS.toNanos(300),
                () -> pages.pages + pages.news + pages.mails,
                () -> String.format("%,d of %,d accepted; %,d pages, %,d webhook news, %,d e-mails arrived", sent.accepted.get(), count,
                        pages.pages, pages.news, pages.mails));
        // A second page or message of an incident would come a little after its first: give it the time to show.
        TimeUnit.SECONDS.sleep(SETTLE_SECONDS);

        // Per window of planned send time: alert sent → first page received, and → IncidentOpened readable.
        Map<Integer, Long> firstPage = new HashMap<>();
        Map<Integer, Set<String>> pageKeys = new HashMap<>();
        Map<Integer, Set<String>> newsKeys = new HashMap<>();
        for (WebhookSink.Received received : sink.received()) {
            Matcher token = RESTART_TOKEN.matcher(received.body());
            if (!token.find()) {
                continue;
            }
            int i = Integer.parseInt(token.group(1));
            String idempotencyKey = String.valueOf(received.header("Idempotency-Key"));
            if (received.path().equals("/page")) {
                firstPage.merge(i, received.nanoTime(), Math::min);
                pageKeys.computeIfAbsent(i, x -> new HashSet<>()).add(idempotencyKey);
            } else if (received.path().equals("/news")) {
                newsKeys.computeIfAbsent(i, x -> new HashSet<>()).add(idempotencyKey);
            }
        }
        Map<Integer, Set<String>> mailIds = mailsByIndex();
        long windowNanos = TimeUnit.SECONDS.toNanos(windowSeconds);
        int windows = (int) ((restartSeconds() * TimeUnit.SECONDS.toNanos(1) + windowNanos - 1) / windowNanos);
        Histogram[] pageLatency = new Histogram[windows];
        Histogram[] openLatency = new Histogram[windows];
        int[] sentInWindow = new int[windows];
        for (int w = 0; w < windows; w++) {
            pageLatency[w] = new Histogram(3);
            openLatency[w] = new Histogram(3);
        }
        for (int i = 0; i < count; i++) {
            int w = (int) ((planned[i] - ready) / windowNanos);
            sentInWindow[w]++;
            Long at = firstPage.get(i);
            if (at != null) {
                pageLatency[w].recordValue(Math.max(0, at - planned[i]));
            }
        }
        for (long[] open : watcher.completedOpens()) {
            Integer i = indexByPlanned.get(open[0]);
            if (i != null) {
                openLatency[(int) ((planned[i] - ready) / windowNanos)].recordValue(open[1]);
            }
        }
        for (int w = 0; w < windows; w++) {
            boolean warm = w * windowSeconds >= warmAfterSeconds;
            Histogram page = pageLatency[w];
            double p99 = millis(page, 99);
            boolean met = page.getTotalCount() == sentInWindow[w] && p99 <= (warm ? 1000 : 2000);
            windowRows.add(String.format("| %d–%d%s | %,d | %,d | %,.0f | %,.0f | %,.0f | %,.0f | %s | %s |", w * windowSeconds,
                    Math.min(restartSeconds(), (w + 1) * windowSeconds), warm ? " (warm)" : "", sentInWindow[w], page.getTotalCount(),
                    millis(page, 50), p99, page.getMaxValue() / 1e6, millis(openLatency[w], 99), warm ? "p99 ≤ 1 s" : "p99 ≤ 2 s",
                    met ? "PASS" : "FAIL"));
            if (!met) {
                missedTargets.put(String.format("restart: page p99 in window %d–%d s", w * windowSeconds, (w + 1) * windowSeconds),
                        String.format("p99 %,.0f ms, %,d of %,d pages", p99, page.getTotalCount(), sentInWindow[w]));
            }
        }
        figure("restart: engine RSS max", String.format("%,.0f MiB", engine.phasePeakRssKb() / 1024.0));

        check("restart: every alert accepted", sent.accepted.get() == count,
                String.format("%,d of %,d; refused: %s; first: %s", sent.accepted.get(), count, sent.refused, sent.firstRefusal));
        check("restart: every page arrived exactly once", exactlyOnce(pageKeys, count) == count, describe(pageKeys, count));
        check("restart: every webhook news arrived exactly once", exactlyOnce(newsKeys, count) == count, describe(newsKeys, count));
        check("restart: every e-mail news arrived exactly once", exactlyOnce(mailIds, count) == count, describe(mailIds, count));
        engineChecks("restart", engine, watcher);
    }

    /**
     * How many pages, webhook news and e-mails of the restart phase arrived so far (distinct
     * Idempotency-Keys and messages); looks only at what arrived since it last looked, so it is cheap to ask often.
     */
    private final class PageCount {
        private final Set<String> pageKeys = new HashSet<>();
        private final Set<String> newsKeys = new HashSet<>();
        private int seenRequests;
        private int seenMails;
        long pages;
        long news;
        long mails;

        PageCount update() {
            List<WebhookSink.Received> received = sink.received();
            for (WebhookSink.Received request : received.subList(seenRequests, received.size())) {
                if (request.body().contains("bench-restart-")) {
                    (request.path().equals("/page") ? pageKeys : newsKeys).add(request.path() + request.header("Idempotency-Key"));
                }
            }
            seenRequests = received.size();
            // One mailbox (the news list): messages in the order they arrived.
            MimeMessage[] messages = mail.getReceivedMessages();
            for (MimeMessage message : Arrays.asList(messages).subList(seenMails, messages.length)) {
                mails += subject(message).contains("bench-restart-") ? 1 : 0;
            }
            seenMails = messages.length;
            pages = pageKeys.size();
            news = newsKeys.size();
            return this;
        }

        boolean complete(int count) {
            return pages >= count && news >= count && mails >= count;
        }
    }

    /** The restart phase's e-mails: distinct Message-IDs (one per delivery) by incident. */
    private Map<Integer, Set<String>> mailsByIndex() {
        Map<Integer, Set<String>> byIndex = new HashMap<>();
        for (MimeMessage message : mail.getReceivedMessages()) {
            Matcher token = RESTART_TOKEN.matcher(subject(message) + " " + GreenMailUtil.getBody(message));
            if (token.find()) {
                try {
                    byIndex.computeIfAbsent(Integer.parseInt(token.group(1)), x -> new HashSet<>()).add(message.getMessageID());
                } catch (MessagingException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return byIndex;
    }

    private static String subject(MimeMessage message) {
        try {
            return String.valueOf(message.getSubject());
        } catch (MessagingException e) {
            return "";
        }
    }

    private static long exactlyOnce(Map<Integer, Set<String>> deliveries, int count) {
        return deliveries.entrySet().stream().filter(e -> e.getKey() < count && e.getValue().size() == 1).count();
    }

    private static String describe(Map<Integer, Set<String>> deliveries, int count) {
        long missing = count - deliveries.keySet().stream().filter(i -> i < count).count();
        long doubled = deliveries.values().stream().filter(ids -> ids.size() > 1).count();
        return String.format("%,d of %,d missing, %,d more than once", missing, count, doubled);
    }

    // ---- waiting, checks and the report

    /**
     * Waits until {@code done}, a progress line every 5 seconds. Gives up (a failed check, and
     * false) at the deadline, when {@code progress} has not moved for {@link #stallSeconds}, or when
     * the engine exits.
     */
    private boolean await(String phase, EngineProcess engine, BooleanSupplier done, long deadline, LongSupplier progress,
                          Supplier<String> status) throws Exception {
        long start = System.nanoTime();
        long lastProgress = progress.getAsLong();
        long movedAt = start;
        long nextReport = start + TimeUnit.SECONDS.toNanos(5);
        while (!done.getAsBoolean()) {
            long now = System.nanoTime();
            long current = progress.getAsLong();
            if (current != lastProgress) {
                lastProgress = current;
                movedAt = now;
            }
            String why = !engine.alive() ? "the engine exited"
                    : now > deadline ? String.format("not done within %.0f s", (deadline - start) / 1e9)
                    : now - movedAt > TimeUnit.SECONDS.toNanos(stallSeconds) ? "nothing moved for " + stallSeconds + " s" : null;
            if (why != null) {
                String detail = String.format("%s (%s; engine log: %d lines 'failed; replacing it'; /readyz %d)", why, status.get(),
                        engine.logLines(STREAM_THREAD_DIED), engine.readyStatus());
                report("  %s: %s", phase, detail);
                failures.put(phase + ": every awaited result arrived", detail);
                return false;
            }
            if (now > nextReport) {
                report("  %s: %.0f s: %s; engine RSS %,d MiB", phase, (now - start) / 1e9, status.get(), engine.rssKb() / 1024);
                nextReport = now + TimeUnit.SECONDS.toNanos(5);
            }
            Thread.sleep(200);
        }
        return true;
    }

    /** What the engine's log says when an uncaught exception killed a stream thread. */
    private static final String STREAM_THREAD_DIED = "failed; replacing it";

    /** The checks every phase ends with: no stream thread died, nothing dead-lettered, still ready. */
    private void engineChecks(String phase, EngineProcess engine, EventWatcher watcher) throws Exception {
        long died = engine.logLines(STREAM_THREAD_DIED);
        check(phase + ": no stream thread died", died == 0, died + " log lines '" + STREAM_THREAD_DIED + "' in " + engine.log());
        for (Topic<?, ?> topic : Topics.ALL) {
            if (topic.name().contains(".dlq.")) {
                long dead = committedRecords(bootstrap, topic.name());
                check(phase + ": nothing on " + topic.name(), dead == 0, dead + " records");
            }
        }
        check(phase + ": no duplicate event ids or sequence gaps", watcher.duplicateIds() == 0 && watcher.sequenceGaps() == 0,
                watcher.duplicateIds() + " duplicate ids, " + watcher.sequenceGaps() + " gaps");
        int ready = engine.readyStatus();
        check(phase + ": /readyz 200 at the end", ready == 200, "answered " + ready);
    }

    private void check(String name, boolean passed, String detail) {
        checks.add(String.format("| %s | %s | %s |", name, detail, passed ? "PASS" : "FAIL"));
        if (!passed) {
            failures.put(name, detail);
        }
    }

    /** A row of the figures table with its target. */
    private void target(String measure, String result, String target, boolean met) {
        figures.add(String.format("| %s | %s | %s | %s |", measure, result, target, met ? "PASS" : "FAIL"));
        if (!met) {
            missedTargets.put(measure + " " + target, result);
        }
    }

    /** A row of the figures table without a target. */
    private void figure(String measure, String result) {
        figures.add(String.format("| %s | %s | | |", measure, result));
    }

    private void printTables() {
        report("");
        report("| measure | result | target | met |");
        report("|---|---|---|---|");
        figures.forEach(row -> report("%s", row));
        report("");
        if (!windowRows.isEmpty()) {
            report("After the restart, %d new incidents a second from /readyz 200: alert sent → page received at the webhook receiver, "
                    + "by the alert's planned send time; warm: windows from %d s on", restartRate, warmAfterSeconds);
            report("");
            report("| window s | alerts | pages | p50 ms | p99 ms | max ms | → `IncidentOpened` readable p99 ms | target | met |");
            report("|---|---|---|---|---|---|---|---|---|");
            windowRows.forEach(row -> report("%s", row));
            report("");
        }
        report("| check | result | met |");
        report("|---|---|---|");
        checks.forEach(row -> report("%s", row));
        report("");
    }

    private static String kib(int bytes) {
        return String.format("%,.1f KiB", bytes / 1024.0);
    }
}
