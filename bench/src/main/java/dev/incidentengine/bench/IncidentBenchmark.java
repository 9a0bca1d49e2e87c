package dev.incidentengine.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import dev.incidentengine.deploy.KafkaBroker;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.Link;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.Severity;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import static dev.incidentengine.bench.BenchSupport.committedRecords;
import static dev.incidentengine.bench.BenchSupport.deleteRecursively;
import static dev.incidentengine.testkit.TopicContents.freePort;
import static dev.incidentengine.bench.BenchSupport.millis;
import static dev.incidentengine.bench.BenchSupport.producer;
import static dev.incidentengine.bench.BenchSupport.report;

/**
 * incident-stream under load on this machine: a real broker process, incident-stream in a JVM of
 * its own (so its resident memory is its own), producer and reader in this JVM. Measures the
 * sustained rate from {@code alerts.v1} to {@code incident.events.v1} (exactly-once, read
 * back read_committed) against raw Kafka produce+consume of the same records, then the latency
 * from an alert's write until its {@code IncidentOpened} is readable, open loop; checks that
 * every incident's log is complete, contiguous and free of duplicates.
 */
@Command(name = "incident-benchmark", mixinStandardHelpOptions = true)
public final class IncidentBenchmark implements Callable<Integer> {

    private static final String[] ALERT_NAMES = {"HighErrorRate", "HighLatency", "PodCrashLooping", "DiskFillingUp",
        "QueueBacklog", "CertificateExpiring", "ReplicationLag", "HighCpu", "MemoryPressure", "TargetDown",
        "SlowQueries", "ConnectionPoolExhausted", "Http5xxSpike", "KafkaConsumerLag", "NodeNotReady",
        "JobFailed", "BackupMissed", "TlsHandshakeErrors", "DnsFailures", "ThrottledRequests"};
    private static final Severity[] SEVERITIES = {Severity.SEV1, Severity.SEV2, Severity.SEV3, Severity.SEV4};

    @Option(names = "--alerts", defaultValue = "10000", description = "Distinct alerts per round (default ${DEFAULT-VALUE}).")
    int alerts;

    @Option(names = "--keys", defaultValue = "500", description = "Correlation keys per round (default ${DEFAULT-VALUE}).")
    int keys;

    @Option(names = "--posts", defaultValue = "3", description = "Times each alert is posted firing (default ${DEFAULT-VALUE}).")
    int posts;

    @Option(names = "--rounds", defaultValue = "10",
            description = "Rounds of the workload in the throughput phase, each with new alerts and keys (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup-rounds", defaultValue = "6", description = "Rounds run before measuring (default ${DEFAULT-VALUE}).")
    int warmupRounds;

    @Option(names = "--latency-rate", defaultValue = "1000",
            description = "Alerts per second in the latency phase (default ${DEFAULT-VALUE}).")
    int latencyRate;

    @Option(names = "--latency-duration", defaultValue = "30", description = "Seconds of the latency phase (default ${DEFAULT-VALUE}).")
    int latencySeconds;

    @Option(names = "--latency-warmup", defaultValue = "10",
            description = "Seconds at that rate before the latency phase is measured (default ${DEFAULT-VALUE}).")
    int latencyWarmupSeconds;

    @Option(names = "--commit-interval-ms",
            description = "The engine's commit.interval.ms (default: Kafka Streams' own, 100 ms under exactly-once).")
    Integer commitIntervalMs;

    @Option(names = "--engine-setting", paramLabel = "KEY=VALUE",
            description = "Any further incident-stream setting, e.g. kafka.num.stream.threads=2 (repeatable).")
    Map<String, String> engineSettings = new LinkedHashMap<>();

    @Option(names = "--keep-data-dir",
            description = "Keep the run's directory (broker data, engine state, log, metrics) after a successful run.")
    boolean keepDataDir;

    @Option(names = "--engine-jvm-options", defaultValue = "-Xmx1g",
            description = "JVM options of the incident-stream process (default '${DEFAULT-VALUE}': a service JVM with C2, "
                    + "for throughput; the local engine runs C1 only, see ./incident-engine).")
    String engineJvmOptions;

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final Serializer<Alert> alertSerializer = Topics.ALERTS.valueSerde(serdes).serializer();
    private String bootstrap;
    private final Map<String, String> failures = new LinkedHashMap<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new IncidentBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("incident-bench");
        KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"), "127.0.0.1", freePort(), freePort());
        broker.start(Duration.ofSeconds(60));
        bootstrap = broker.bootstrapServers();
        boolean succeeded = false;
        long brokerPid = Long.parseLong(Files.readString(dir.resolve("kafka/broker.pid")).strip());
        EngineProcess engine = null;
        EventWatcher watcher = null;
        try {
            prepare();
            List<String> jvmOptions = Arrays.stream(engineJvmOptions.strip().split("\\s+")).filter(s -> !s.isEmpty()).toList();
            engine = EngineProcess.start(dir.resolve("engine"), jvmOptions, engineConfig(dir), freePort());
            watcher = new EventWatcher(bootstrap, Topics.INCIDENT_EVENTS, serdes).start();
            engine.awaitReady(Duration.ofSeconds(90));

            report("machine: %d cores, %s, Java %s", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name"), System.getProperty("java.version"));
            report("engine: pid %d, JVM options %s, settings %s, RSS when ready %d MiB; its log: %s", engine.pid(), jvmOptions,
                    tunedSettings(), engine.rssKb() / 1024, engine.log());
            report("workload: %,d distinct alerts over %,d correlation keys a round, each posted %d times firing, %,d then resolved: "
                    + "%,d records a round", alerts, keys, posts, resolvedPerRound(), recordsPerRound());

            List<Workload> warmup = new ArrayList<>();
            for (int round = 1; round <= warmupRounds; round++) {
                warmup.add(workload("warm" + round, Instant.now()));
            }
            throughput(warmup, watcher, engine, brokerPid, "warm-up");

            List<Workload> measured = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                measured.add(workload("tp" + round, Instant.now()));
            }
            Throughput engineRun = throughput(measured, watcher, engine, brokerPid, "throughput");
            double raw = BenchSupport.rawKafka(bootstrap, "incidents", measured.stream().flatMap(w -> w.keys().stream()).toList(),
                    measured.stream().flatMap(w -> w.values().stream()).toList());
            Latency latency = latency(watcher, engine, brokerPid);

            String metrics = engine.metrics();
            Files.writeString(dir.resolve("engine/metrics.txt"), metrics);
            metrics.lines().filter(IncidentBenchmark::interesting).forEach(line -> report("engine metric: %s", line));
            report("engine memory at the end: RSS %,d MiB; heap %,.0f MiB used of %,.0f MiB committed; non-heap %,.0f MiB; "
                            + "direct buffers %,.0f MiB; the rest of RSS is native (RocksDB, thread stacks, malloc)",
                    engine.rssKb() / 1024, metricSum(metrics, "jvm_memory_used_bytes{area=\"heap\"") / MIB,
                    metricSum(metrics, "jvm_memory_committed_bytes{area=\"heap\"") / MIB,
                    metricSum(metrics, "jvm_memory_committed_bytes{area=\"nonheap\"") / MIB,
                    metricSum(metrics, "jvm_buffer_memory_used_bytes{id=\"direct\"") / MIB);
            String histogram = ProcStats.jcmd(engine.pid(), "GC.class_histogram");
            Files.writeString(dir.resolve("engine/heap-histogram.txt"), histogram);
            report("engine heap by class (live objects after a full GC; every class in the run directory's "
                            + "engine/heap-histogram.txt):%n%s",
                    histogram.lines().skip(1).limit(14).collect(Collectors.joining(System.lineSeparator())));
            verify(watcher);

            double rssMiB = engine.peakRssKb() / 1024.0;
            System.out.println();
            System.out.println("| phase | alerts | alerts/s | p50 ms | p99 ms | p99.9 ms | max ms | raw Kafka records/s | ratio "
                    + "| engine RSS max MiB |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            System.out.printf("| %s | %,d | %,.0f | – | – | – | – | %,.0f | %.2f | %,.0f |%n", engineRun.name, engineRun.records,
                    engineRun.perSecond(), raw, engineRun.perSecond() / raw, engineRun.peakRssKb / 1024.0);
            System.out.printf("| %s | %,d | %,.0f | %.1f | %.1f | %.1f | %.1f | – | – | %,.0f |%n", latency.name, latency.sent,
                    latency.sent / latency.seconds, millis(latency.fromSend, 50), millis(latency.fromSend, 99),
                    millis(latency.fromSend, 99.9), latency.fromSend.getMaxValue() / 1e6, latency.peakRssKb / 1024.0);
            System.out.println();
            System.out.println("| target | result | met |");
            System.out.println("|---|---|---|");
            System.out.printf("| ≥ 20,000 alerts/s alerts.v1 → incident.events.v1, exactly-once "
                            + "| %,.0f alerts/s (raw Kafka %,.0f records/s, ratio %.2f) | %s |%n",
                    engineRun.perSecond(), raw, engineRun.perSecond() / raw, yes(engineRun.perSecond() >= 20_000));
            System.out.printf("| p99 ≤ 300 ms alert written → IncidentOpened read_committed, at %,d alerts/s "
                            + "| p99 %.1f ms (p50 %.1f, p99.9 %.1f, max %.1f) | %s |%n",
                    latencyRate, millis(latency.fromSend, 99), millis(latency.fromSend, 50), millis(latency.fromSend, 99.9),
                    latency.fromSend.getMaxValue() / 1e6, yes(millis(latency.fromSend, 99) <= 300));
            System.out.printf("| ≤ 1 GiB RSS of the engine under that load | %,.0f MiB max over the run (JVM options %s) | %s |%n",
                    rssMiB, jvmOptions, yes(rssMiB <= 1024));
            failures.forEach((check, detail) -> report("FAILED %s: %s", check, detail));
            succeeded = failures.isEmpty();
            return succeeded ? 0 : 1;
        } finally {
            if (watcher != null) {
                watcher.close();
            }
            if (engine != null) {
                engine.close();
            }
            broker.close();
            if (succeeded && !keepDataDir) {
                deleteRecursively(dir);
            } else {
                report("run directory kept: %s", dir);
            }
        }
    }

    // ---- workload

    /** One round: every alert posted firing {@link #posts} times (all alerts, then again), then every tenth resolved. */
    private record Workload(String tag, List<byte[]> keys, List<byte[]> values) {
    }

    private int recordsPerRound() {
        return alerts * posts + resolvedPerRound();
    }

    /** Alert i has key i % keys; those with (i / keys) % 10 == 0 resolve, so no incident loses all its alerts. */
    private int resolvedPerRound() {
        int resolved = 0;
        for (int i = 0; i < alerts; i++) {
            resolved += resolves(i) ? 1 : 0;
        }
        return resolved;
    }

    private boolean resolves(int alert) {
        return (alert / keys) % 10 == 0;
    }

    private Workload workload(String tag, Instant at) {
        List<byte[]> recordKeys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        for (int post = 0; post < posts; post++) {
            for (int i = 0; i < alerts; i++) {
                Alert alert = alert(tag, i, i % keys, at.plusMillis(post)).build();
                recordKeys.add(alert.getFingerprint().getBytes(StandardCharsets.UTF_8));
                values.add(alertSerializer.serialize(Topics.ALERTS.name(), alert));
            }
        }
        for (int i = 0; i < alerts; i++) {
            if (resolves(i)) {
                Instant resolvedAt = at.plusMillis(posts);
                Alert alert = alert(tag, i, i % keys, resolvedAt).setStatus(AlertStatus.RESOLVED).setEndsAt(resolvedAt).build();
                recordKeys.add(alert.getFingerprint().getBytes(StandardCharsets.UTF_8));
                values.add(alertSerializer.serialize(Topics.ALERTS.name(), alert));
            }
        }
        return new Workload(tag, recordKeys, values);
    }

    /**
     * An Alertmanager alert as alert-ingest writes it. The default route groups by service and
     * alertname: key k is service {@code svc-<k / 20>}, alertname {@code <name k % 20>-<tag>}.
     */
    private static Alert.Builder alert(String tag, int alert, int key, Instant receivedAt) {
        String service = String.format("svc-%03d", key / ALERT_NAMES.length);
        String alertName = ALERT_NAMES[key % ALERT_NAMES.length] + "-" + tag;
        String instance = String.format("host-%05d:9100", alert);
        return Alert.newBuilder()
                .setFingerprint(String.format("bench/%s/%06d", tag, alert))
                .setStatus(AlertStatus.FIRING)
                .setSeverity(SEVERITIES[key % SEVERITIES.length])
                .setSummary(alertName + " on " + service + " " + instance)
                .setDescription("Above its threshold for 5 minutes")
                .setLabels(Map.of("alertname", alertName, "service", service, "instance", instance, "job", "node", "env", "prod"))
                .setAnnotations(Map.of("runbook_url", "https://runbooks.example/" + ALERT_NAMES[key % ALERT_NAMES.length]))
                .setSource("prometheus")
                .setIntegrationId("bench")
                .setService(service)
                .setLinks(List.of(new Link("http://prometheus.example:9090/graph?g0.expr=" + alertName, "generator")))
                .setStartsAt(receivedAt.minusSeconds(300))
                .setReceivedAt(receivedAt)
                .setRawFormat(RawFormat.ALERTMANAGER);
    }

    // ---- throughput

    private record Throughput(String name, long records, double seconds, long peakRssKb) {
        double perSecond() {
            return records / seconds;
        }
    }

    /** Produces every round as fast as it can and waits until the log shows each alert attached and each resolution. */
    private Throughput throughput(List<Workload> workloads, EventWatcher watcher, EngineProcess engine, long brokerPid, String name)
            throws Exception {
        long records = workloads.stream().mapToLong(w -> w.values().size()).sum();
        long expectedAttached = (long) workloads.size() * alerts;
        long expectedResolved = (long) workloads.size() * resolvedPerRound();
        LongSupplier attached = () -> workloads.stream().mapToLong(w -> watcher.counts(w.tag()).attached.get()).sum();
        LongSupplier resolved = () -> workloads.stream().mapToLong(w -> watcher.counts(w.tag()).resolved.get()).sum();
        TopicUsage before = topicUsage();
        CpuClock cpu = new CpuClock(engine.pid(), brokerPid);
        engine.resetPeak();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        double producedSeconds;
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, 5)) {
            for (Workload workload : workloads) {
                for (int i = 0; i < workload.values().size(); i++) {
                    producer.send(new ProducerRecord<>(Topics.ALERTS.name(), workload.keys().get(i), workload.values().get(i)),
                            (metadata, error) -> {
                                if (error != null) {
                                    errors.incrementAndGet();
                                }
                            });
                }
            }
            producer.flush();
            producedSeconds = (System.nanoTime() - start) / 1e9;
        }
        // Generous: a cold engine has run at a few hundred alerts/s.
        long deadline = start + TimeUnit.SECONDS.toNanos(120 + records / 250);
        long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (attached.getAsLong() < expectedAttached || resolved.getAsLong() < expectedResolved) {
            watcher.checkAlive();
            long now = System.nanoTime();
            if (now > deadline) {
                throw new IllegalStateException(String.format("%s: after %.0f s only %,d of %,d alerts attached, %,d of %,d resolved",
                        name, (now - start) / 1e9, attached.getAsLong(), expectedAttached, resolved.getAsLong(), expectedResolved));
            }
            if (now > nextReport) {
                report("  %s: %,d of %,d alerts attached, %,d of %,d resolved after %.0f s", name, attached.getAsLong(),
                        expectedAttached, resolved.getAsLong(), expectedResolved, (now - start) / 1e9);
                nextReport = now + TimeUnit.SECONDS.toNanos(5);
            }
            Thread.sleep(2);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Throughput result = new Throughput(name + ", " + workloads.size() + " rounds, exactly-once", records, seconds,
                engine.phasePeakRssKb());
        check(name + " producer", errors.get() == 0, errors.get() + " sends failed");
        report("%s: %,d records in %.2f s (all written to %s after %.2f s): %,.0f alerts/s; engine RSS max %,d MiB; %s",
                name, records, seconds, Topics.ALERTS.name(), producedSeconds, result.perSecond(), result.peakRssKb / 1024,
                cpu.describe(seconds));
        report("  engine CPU by thread: %s", cpu.engineThreads());
        report("  written meanwhile, per alert record: %s", topicUsage().minus(before).describe(records));
        return result;
    }

    // ---- latency

    private record Latency(String name, long sent, double seconds, Histogram fromSend, Histogram fromAck, long missing,
                           long peakRssKb) {
    }

    /**
     * Open loop: alerts at a fixed rate whatever the engine does, each of a new correlation key so
     * each opens an incident; latency from the planned send time until its IncidentOpened is read.
     * A first, shorter run at the same rate warms this path up (the JIT of both JVMs) and is not counted.
     */
    private Latency latency(EventWatcher watcher, EngineProcess engine, long brokerPid) throws Exception {
        openLoop(watcher, "latwarm", latencyWarmupSeconds);
        awaitOpens(watcher);
        watcher.latencyFromPlannedSend().getIntervalHistogram();
        watcher.latencyFromAck().getIntervalHistogram();
        watcher.completedOpens().clear();
        CpuClock cpu = new CpuClock(engine.pid(), brokerPid);
        engine.resetPeak();
        long count = (long) latencyRate * latencySeconds;
        long start = System.nanoTime();
        long errors = openLoop(watcher, "lat", latencySeconds);
        double seconds = (System.nanoTime() - start) / 1e9;
        awaitOpens(watcher);
        Latency result = new Latency(String.format("latency, %,d alerts/s open loop, each opens an incident", latencyRate), count,
                seconds, watcher.latencyFromPlannedSend().getIntervalHistogram(), watcher.latencyFromAck().getIntervalHistogram(),
                watcher.pendingOpens(), engine.phasePeakRssKb());
        check("latency producer", errors == 0, errors + " sends failed");
        check("latency: every alert opened an incident", result.missing == 0, result.missing + " of " + count + " never did");
        report("%s: %,d alerts in %.1f s after %d s of warm-up; from planned send p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms; "
                        + "from Kafka's ack p50 %.1f ms, p99 %.1f ms; engine RSS max %,d MiB", result.name, count, seconds,
                latencyWarmupSeconds, millis(result.fromSend, 50), millis(result.fromSend, 99), millis(result.fromSend, 99.9),
                result.fromSend.getMaxValue() / 1e6, millis(result.fromAck, 50), millis(result.fromAck, 99), result.peakRssKb / 1024);
        report("  worst seconds (planned send time since the start: max ms): %s", worstSeconds(watcher.completedOpens(), start));
        report("  %s", cpu.describe(seconds));
        report("  engine CPU by thread: %s", cpu.engineThreads());
        report("  benchmark JVM CPU by thread: %s", cpu.selfThreads());
        return result;
    }

    /** Sends {@code seconds} × {@link #latencyRate} alerts, each of a new key; returns how many sends failed. */
    private long openLoop(EventWatcher watcher, String tag, int seconds) throws Exception {
        long interval = TimeUnit.SECONDS.toNanos(1) / latencyRate;
        long count = (long) latencyRate * seconds;
        AtomicLong errors = new AtomicLong();
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, 1)) {
            producer.partitionsFor(Topics.ALERTS.name());
            long start = System.nanoTime();
            for (long i = 0; i < count; i++) {
                long planned = start + i * interval;
                long wait = planned - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                Alert alert = alert(tag, (int) i, 0, Instant.now())
                        .setSummary("LatencyProbe" + i + " on svc-" + tag)
                        .setLabels(Map.of("alertname", "LatencyProbe" + i, "service", "svc-" + tag, "job", "probe", "env", "prod"))
                        .setService("svc-" + tag)
                        .build();
                AtomicLong acked = watcher.expectOpen(alert.getFingerprint(), planned);
                producer.send(new ProducerRecord<>(Topics.ALERTS.name(), alert.getFingerprint().getBytes(StandardCharsets.UTF_8),
                        alertSerializer.serialize(Topics.ALERTS.name(), alert)), (metadata, error) -> {
                            if (error == null) {
                                acked.set(System.nanoTime());
                            } else {
                                errors.incrementAndGet();
                            }
                        });
            }
            producer.flush();
        }
        return errors.get();
    }

    private static void awaitOpens(EventWatcher watcher) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (watcher.pendingOpens() > 0 && System.nanoTime() < deadline) {
            watcher.checkAlive();
            Thread.sleep(10);
        }
    }

    /** The five seconds of the run whose alerts waited longest, to tell a stall from a spread. */
    private static String worstSeconds(Collection<long[]> opens, long start) {
        Map<Long, Long> maxBySecond = new HashMap<>();
        for (long[] open : opens) {
            maxBySecond.merge((open[0] - start) / 1_000_000_000L, open[1], Math::max);
        }
        return maxBySecond.entrySet().stream()
                .sorted(Map.Entry.<Long, Long>comparingByValue().reversed())
                .limit(5)
                .map(e -> String.format("%d s: %.0f", e.getKey(), e.getValue() / 1e6))
                .collect(Collectors.joining(", "));
    }

    // ---- checks

    private void verify(EventWatcher watcher) {
        long opened = 0;
        long keysWithIncidents = 0;
        long autoResolved = 0;
        long reopened = 0;
        long attached = 0;
        long resolved = 0;
        for (int round = 1; round <= rounds; round++) {
            EventWatcher.Counts counts = watcher.counts("tp" + round);
            opened += counts.opened.get();
            keysWithIncidents += counts.openedByKey.size();
            autoResolved += counts.incidentsResolved.get();
            reopened += counts.reopened.get();
            attached += counts.attached.get();
            resolved += counts.resolved.get();
        }
        long expectedKeys = (long) rounds * keys;
        // No incident loses all its alerts, so every IncidentResolved is spurious. Alerts of one key come from different
        // alerts.v1 partitions, read independently: under a backlog both resolutions of a key could be read before its
        // other alerts; the settle time before an auto-resolve (incident.resolve.settle.ms) is what keeps that from resolving it.
        report("checks: throughput phase opened %,d incidents for %,d correlation keys (expected %,d keys): %,d incidents "
                        + "auto-resolved (spurious), %,d reopened; "
                        + "%,d alerts attached, %,d resolved; whole log %,d events of %,d incidents, %d duplicate event ids, "
                        + "%d sequence gaps",
                opened, keysWithIncidents, expectedKeys, autoResolved, reopened, attached, resolved, watcher.events(),
                watcher.incidents(), watcher.duplicateIds(), watcher.sequenceGaps());
        check("one incident per correlation key", keysWithIncidents == expectedKeys && opened == expectedKeys,
                String.format("%,d incidents for %,d keys instead of %,d", opened, keysWithIncidents, expectedKeys));
        check("no spurious resolve or reopen", autoResolved == 0 && reopened == 0,
                String.format("%,d auto-resolved, %,d reopened", autoResolved, reopened));
        check("duplicate event ids", watcher.duplicateIds() == 0, Long.toString(watcher.duplicateIds()));
        check("contiguous sequences", watcher.sequenceGaps() == 0, watcher.sequenceGaps() + " gaps");
        long dead = committedRecords(bootstrap, Topics.INCIDENT_DLQ.name());
        check("nothing on " + Topics.INCIDENT_DLQ.name(), dead == 0, dead + " records");
    }

    private void check(String name, boolean passed, String detail) {
        if (!passed) {
            failures.put(name, detail);
        }
    }

    // ---- setup

    private void prepare() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            BenchSupport.createTopics(admin, Topics.ALL);
        }
    }

    /** What this run sets beyond the defaults. */
    private Map<String, String> tunedSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        if (commitIntervalMs != null) {
            settings.put(EngineConfig.KAFKA_PREFIX + "commit.interval.ms", commitIntervalMs.toString());
        }
        settings.putAll(engineSettings);
        return settings;
    }

    /** The production defaults, on our broker, state in the run's directory; no API tokens (the API is not measured). */
    private Map<String, String> engineConfig(Path dir) {
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("engine/state").toString());
        settings.putAll(tunedSettings());
        return settings;
    }

    // ---- reporting

    /** Offsets (transaction markers included) and log bytes per topic, internal topics of the engine included. */
    private record TopicUsage(Map<String, Long> offsets, Map<String, Long> bytes) {

        TopicUsage minus(TopicUsage before) {
            Map<String, Long> offsetDelta = new TreeMap<>();
            Map<String, Long> byteDelta = new TreeMap<>();
            offsets.forEach((topic, n) -> offsetDelta.put(topic, n - before.offsets.getOrDefault(topic, 0L)));
            bytes.forEach((topic, n) -> byteDelta.put(topic, n - before.bytes.getOrDefault(topic, 0L)));
            return new TopicUsage(offsetDelta, byteDelta);
        }

        String describe(long perRecords) {
            return bytes.entrySet().stream()
                    .filter(e -> offsets.getOrDefault(e.getKey(), 0L) > 0)
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .map(e -> String.format("%s %.2f records %,.0f bytes", e.getKey(), offsets.get(e.getKey()) / (double) perRecords,
                            e.getValue() / (double) perRecords))
                    .collect(Collectors.joining("; "));
        }
    }

    private TopicUsage topicUsage() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(admin.listTopics().names().get()).allTopicNames().get().values().forEach(description ->
                    description.partitions().forEach(p -> latest.put(new TopicPartition(description.name(), p.partition()),
                            OffsetSpec.latest())));
            Map<String, Long> offsets = new TreeMap<>();
            admin.listOffsets(latest).all().get().forEach((partition, info) -> offsets.merge(partition.topic(), info.offset(), Long::sum));
            int node = admin.describeCluster().nodes().get().iterator().next().id();
            Map<String, Long> bytes = new TreeMap<>();
            admin.describeLogDirs(List.of(node)).allDescriptions().get().get(node).values().forEach(dir ->
                    dir.replicaInfos().forEach((partition, replica) -> bytes.merge(partition.topic(), replica.size(), Long::sum)));
            return new TopicUsage(offsets, bytes);
        }
    }

    private static final double MIB = 1024.0 * 1024.0;

    /** The sum of the Prometheus samples whose line starts with {@code prefix}. */
    private static double metricSum(String metrics, String prefix) {
        return metrics.lines().filter(line -> line.startsWith(prefix))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static boolean interesting(String line) {
        return line.startsWith("kafka_stream_thread_") && (line.contains("_ratio") || line.contains("commit_latency")
                || line.contains("blocked_time")
                || line.contains("process_rate") || line.contains("poll_records_avg"))
                || line.startsWith("jvm_gc_pause_seconds_sum") || line.startsWith("jvm_gc_pause_seconds_count");
    }

    private static String yes(boolean met) {
        return met ? "yes" : "no";
    }

}
