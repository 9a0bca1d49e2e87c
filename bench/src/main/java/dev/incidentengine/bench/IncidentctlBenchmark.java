package dev.incidentengine.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.deploy.KafkaBroker;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertResolved;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.ContactPlan;
import dev.incidentengine.model.ContactStep;
import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.EscalationTarget;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.Link;
import dev.incidentengine.model.NoteAdded;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.StatusUpdatePosted;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.TopicCreator;
import dev.incidentengine.schemas.Topics;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import static dev.incidentengine.bench.BenchSupport.exitCode;
import static dev.incidentengine.bench.BenchSupport.freePort;
import static dev.incidentengine.bench.BenchSupport.keepIfFailed;
import static dev.incidentengine.bench.BenchSupport.millis;
import static dev.incidentengine.bench.BenchSupport.report;

/**
 * incidentctl's replay commands on this machine, as a person runs them: {@code ./incidentctl}
 * (the root script, its own JVM, its default heap) against a real broker whose
 * {@code incident.events.v1} holds a month of incidents (default 100,000 incidents of 10 events,
 * 1,000,000 records, in time order, interleaved across incidents as the engine writes them, with
 * the engine's incident ids, keys, partitions and record times) and whose
 * {@code notification.results.v1} holds their deliveries. (1) {@code timeline ID} for incidents
 * chosen at random, wall time including JVM start, beside a raw consumer reading the same
 * partitions from the same start offset. (2) {@code report --since 30d} (table and JSON), wall
 * time and peak memory, beside a raw consumer reading both topics whole, and the same records
 * deserialized and held in this JVM (what the report's heap must hold). Every run's output is
 * checked against what was produced.
 */
@Command(name = "incidentctl-benchmark", mixinStandardHelpOptions = true)
public final class IncidentctlBenchmark implements Callable<Integer> {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
    private static final Pattern DATED_ID = Pattern.compile("INC-(\\d{8})-.*");
    private static final Pattern REPORT_HEADLINE = Pattern.compile("^(\\d+) incidents opened since ", Pattern.MULTILINE);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--incidents", defaultValue = "100000", description = "Incidents in the log (default ${DEFAULT-VALUE}).")
    int incidents;

    @Option(names = "--events-per-incident", defaultValue = "10", description = "Events of each incident, at least 5 (default ${DEFAULT-VALUE}).")
    int eventsPerIncident;

    @Option(names = "--timelines", defaultValue = "20", description = "Incidents whose timeline is replayed, chosen at random (default ${DEFAULT-VALUE}).")
    int timelines;

    @Option(names = "--days", defaultValue = "30", description = "Days the incidents are spread over, and the report's --since (default ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--seed", defaultValue = "20261122", description = "Seed of the generated log and the chosen incidents (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--compression", defaultValue = "lz4",
            description = "The load producer's compression; lz4 is what the engine's Kafka Streams producers write (default ${DEFAULT-VALUE}).")
    String compression;

    @Option(names = "--producer-batch-size", defaultValue = "16384",
            description = "The load producer's batch.size; 0 writes one record per batch, as the engine does at a month's low rate (default ${DEFAULT-VALUE}).")
    int producerBatchSize;

    @Option(names = "--incidentctl", defaultValue = "incidentctl", description = "The CLI's script, from the working directory (default ${DEFAULT-VALUE}).")
    Path incidentctl;

    @Option(names = "--timeout-seconds", defaultValue = "300", description = "Longest one incidentctl run may take (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--retry-heaps", split = ",", defaultValue = "512m,1g,2g,4g",
            description = "When the report fails with the script's default heap: the heaps (-Xmx) tried in turn to learn what it needs (default ${DEFAULT-VALUE}).")
    List<String> retryHeaps;

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final Map<String, String> failures = new LinkedHashMap<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new IncidentctlBenchmark()).execute(args));
    }

    /** What one produced incident should look like when replayed. */
    record Incident(String id, long openedAtMs, String title, String resolution, int events, int results, int pages, int deliveredPages) {

        /** Timeline lines: every event, every delivery and the detection line (every incident has an alert). */
        int timelineEntries() {
            return events + results + 1;
        }
    }

    /** The produced log. */
    record Load(List<Incident> incidents, long events, long results, double seconds, Instant base) {
    }

    /** One incidentctl run. */
    record Run(List<String> command, int exit, long nanos, String out, String err, long peakRssKb, double cpuSeconds, Instant started,
               Instant ended) {

        boolean outOfMemory() {
            return err.contains("OutOfMemoryError") || out.contains("OutOfMemoryError");
        }

        String describe() {
            return String.format("exit %d, %.2f s, peak RSS %,d MiB, CPU %.1f s", exit, nanos / 1e9, peakRssKb / 1024, cpuSeconds);
        }
    }

    /** Records read by a raw consumer: from its creation to the last record; then its close. */
    record RawRead(long records, long bytes, long nanos, long closeNanos) {
    }

    @Override
    public Integer call() throws Exception {
        if (eventsPerIncident < 5) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--events-per-incident must be at least 5");
        }
        Path script = incidentctl.toAbsolutePath().normalize();
        requireBuilt(script);
        Path dir = Files.createTempDirectory("incidentctl-bench");
        List<String> rows = new ArrayList<>();
        try (KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"), "127.0.0.1", freePort(), freePort())) {
            broker.start(Duration.ofSeconds(60));
            String bootstrap = broker.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                TopicCreator.ensureCreated(admin, Topics.ALL, Optional.of((short) 1));
            }
            Load load = produce(bootstrap);
            long records = load.events() + load.results();
            rows.add(String.format("| load: %,d incidents × %d events (%,d on %s, %d partitions) + %,d results, over %d days | %,.0f records/s "
                            + "(%.1f s; idempotent, acks=all, %s); %s | |", incidents, eventsPerIncident, load.events(),
                    Topics.INCIDENT_EVENTS.name(), Topics.INCIDENT_EVENTS.partitions(), load.results(), days, records / load.seconds(),
                    load.seconds(), compression, logSizes(bootstrap)));

            // Raw Kafka first: it also proves that every produced record is there, read_committed.
            rawRead(bootstrap, allPartitions(), null);
            RawRead whole = rawRead(bootstrap, allPartitions(), null);
            report("raw Kafka: both topics whole, %,d records (%,d MiB) in %.2f s", whole.records(), whole.bytes() >> 20, whole.nanos() / 1e9);
            if (whole.records() != records) {
                failures.put("every produced record readable read_committed", whole.records() + " of " + records);
            }

            Path outputs = Files.createDirectories(dir.resolve("outputs"));
            Cli cli = new Cli(script, bootstrap, outputs);
            rows.addAll(timelines(cli, bootstrap, load));
            rows.addAll(reports(cli, load, whole));
            rows.add(heldInMemory(bootstrap));
        } catch (Exception | Error e) {
            failures.put("the run", e.toString());
            throw e;
        } finally {
            report("");
            report("| measure | result | target |");
            report("|---|---|---|");
            rows.forEach(row -> report("%s", row));
            report("");
            keepIfFailed(dir, failures);
        }
        return exitCode(failures);
    }

    /** The root script would build the CLI with {@code mvn install} if it were missing: refuse instead (bench/incidentctl packages it). */
    private static void requireBuilt(Path script) throws IOException {
        Path root = script.getParent();
        Path classpath = root.resolve("cli/target/incidentctl.classpath");
        if (!Files.isExecutable(script) || !Files.exists(classpath) || !Files.exists(root.resolve("cli/target/incidentctl-0.1.0-SNAPSHOT.jar"))) {
            throw new IllegalStateException(script + " is not built: run ./bench/incidentctl, which packages the CLI first");
        }
        for (String entry : Files.readString(classpath).strip().split(":")) {
            if (!Files.exists(Path.of(entry))) {
                throw new IllegalStateException("incidentctl's class path names " + entry + ", which is missing: run ./bench/incidentctl");
            }
        }
    }

    // ---------------------------------------------------------------- the log

    /** The log, produced in time order (record time = event time), incidents interleaved as they overlap. */
    private Load produce(String bootstrap) throws Exception {
        Instant base = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        LogGenerator generator = new LogGenerator(new Random(seed), base, days, incidents, eventsPerIncident);
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-incidentctl-load");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, producerBatchSize);
        Serializer<IncidentEvent> events = Topics.INCIDENT_EVENTS.valueSerde(serdes).serializer();
        Serializer<NotificationResult> results = Topics.NOTIFICATION_RESULTS.valueSerde(serdes).serializer();
        Serializer<Object> values = (topic, value) -> value instanceof IncidentEvent event ? events.serialize(topic, event)
                : results.serialize(topic, (NotificationResult) value);
        List<Incident> produced = new ArrayList<>(incidents);
        AtomicReference<Exception> error = new AtomicReference<>();
        AtomicLong eventCount = new AtomicLong();
        AtomicLong resultCount = new AtomicLong();
        PriorityQueue<LogGenerator.Pending> pending = new PriorityQueue<>(
                Comparator.comparingLong(LogGenerator.Pending::at).thenComparingLong(LogGenerator.Pending::order));
        report("producing %,d incidents × %d events over the %d days before %s ...", incidents, eventsPerIncident, days, base);
        long start = System.nanoTime();
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(props, new StringSerializer(), values)) {
            java.util.function.Consumer<LogGenerator.Pending> send = next -> {
                ProducerRecord<String, Object> record = next.record();
                (record.value() instanceof IncidentEvent ? eventCount : resultCount).incrementAndGet();
                producer.send(record, (metadata, e) -> {
                    if (e != null) {
                        error.compareAndSet(null, e);
                    }
                });
            };
            for (int i = 0; i < incidents; i++) {
                LogGenerator.Generated incident = generator.next(i);
                while (!pending.isEmpty() && pending.peek().at() < incident.expected().openedAtMs()) {
                    send.accept(pending.poll());
                }
                pending.addAll(incident.records());
                produced.add(incident.expected());
                if ((i + 1) % Math.max(1, incidents / 10) == 0) {
                    report("  %,d incidents generated, %,d records sent", i + 1, eventCount.get() + resultCount.get());
                }
                if (error.get() != null) {
                    throw error.get();
                }
            }
            while (!pending.isEmpty()) {
                send.accept(pending.poll());
            }
            producer.flush();
        }
        if (error.get() != null) {
            throw error.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        report("produced %,d events and %,d results in %.1f s: %,.0f records/s (%,.0f events/s)", eventCount.get(), resultCount.get(),
                seconds, (eventCount.get() + resultCount.get()) / seconds, eventCount.get() / seconds);
        return new Load(produced, eventCount.get(), resultCount.get(), seconds, base);
    }

    /** Bytes on disk of the two topics, from the broker's log dirs. */
    private static String logSizes(String bootstrap) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Map<String, Long> bytes = new LinkedHashMap<>();
            for (Map<String, LogDirDescription> node : admin.describeLogDirs(List.of(1)).allDescriptions().get().values()) {
                node.values().forEach(logDir -> logDir.replicaInfos().forEach((partition, info) -> {
                    if (partition.topic().equals(Topics.INCIDENT_EVENTS.name()) || partition.topic().equals(Topics.NOTIFICATION_RESULTS.name())) {
                        bytes.merge(partition.topic(), info.size(), Long::sum);
                    }
                }));
            }
            return String.format("on disk %,d MiB events, %,d MiB results", bytes.getOrDefault(Topics.INCIDENT_EVENTS.name(), 0L) >> 20,
                    bytes.getOrDefault(Topics.NOTIFICATION_RESULTS.name(), 0L) >> 20);
        } catch (Exception e) {
            return "on disk: unknown (" + e.getMessage() + ")";
        }
    }

    // ---------------------------------------------------------------- timeline

    private List<String> timelines(Cli cli, String bootstrap, Load load) throws Exception {
        // The JVM start alone, with the jars in the page cache as they are for every later run.
        cli.run(Map.of(), "--version");
        Histogram start = new Histogram(3);
        for (int i = 0; i < 3; i++) {
            Run version = cli.run(Map.of(), "--version");
            start.recordValue(version.nanos());
        }
        report("JVM start and exit: ./incidentctl --version p50 %.0f ms", millis(start, 50));

        Random random = new Random(seed + 1);
        List<Incident> chosen = new ArrayList<>();
        java.util.Set<Integer> picked = new java.util.HashSet<>();
        while (chosen.size() < Math.min(timelines, load.incidents().size())) {
            int index = random.nextInt(load.incidents().size());
            if (picked.add(index)) {
                chosen.add(load.incidents().get(index));
            }
        }
        rawIncidentRead(bootstrap, chosen.get(0).id());
        Histogram wall = new Histogram(3);
        Histogram raw = new Histogram(3);
        Histogram close = new Histogram(3);
        long peakRss = 0;
        double cpu = 0;
        long rawRecords = 0;
        int passed = 0;
        for (Incident incident : chosen) {
            Run run = cli.run(Map.of(), "timeline", incident.id(), "--bootstrap-servers", bootstrap);
            RawRead rawRead = rawIncidentRead(bootstrap, incident.id());
            wall.recordValue(run.nanos());
            raw.recordValue(rawRead.nanos());
            close.recordValue(rawRead.closeNanos());
            peakRss = Math.max(peakRss, run.peakRssKb());
            cpu += run.cpuSeconds();
            rawRecords += rawRead.records();
            List<String> problems = checkTimeline(run, incident);
            if (problems.isEmpty()) {
                passed++;
            } else {
                failures.put("timeline " + incident.id(), String.join("; ", problems) + " (" + run.describe() + ")");
            }
            report("timeline %s (opened %s): %s; raw read of its partitions from the CLI's start offset %,d records in %.0f ms, "
                    + "then 2 consumer closes %.0f ms%s", incident.id(), Instant.ofEpochMilli(incident.openedAtMs()), run.describe(),
                    rawRead.records(), rawRead.nanos() / 1e6, rawRead.closeNanos() / 1e6,
                    problems.isEmpty() ? "" : " — FAILED: " + String.join("; ", problems));
        }
        Histogram quickClose = new Histogram(3);
        for (Incident incident : chosen.subList(0, Math.min(5, chosen.size()))) {
            quickClose.recordValue(rawIncidentRead(bootstrap, incident.id(), Duration.ZERO).closeNanos());
        }
        int jsonRuns = Math.min(3, chosen.size());
        int jsonPassed = 0;
        Histogram jsonWall = new Histogram(3);
        for (Incident incident : chosen.subList(0, jsonRuns)) {
            Run run = cli.run(Map.of(), "timeline", incident.id(), "--bootstrap-servers", bootstrap, "-o", "json");
            jsonWall.recordValue(run.nanos());
            List<String> problems = checkTimelineJson(run, incident);
            if (problems.isEmpty()) {
                jsonPassed++;
            } else {
                failures.put("timeline -o json " + incident.id(), String.join("; ", problems) + " (" + run.describe() + ")");
            }
            report("timeline -o json %s: %s%s", incident.id(), run.describe(),
                    problems.isEmpty() ? "" : " — FAILED: " + String.join("; ", problems));
        }
        String result = String.format("p50 %.0f ms, max %.0f ms (%d incidents, %d checked correct; peak RSS %,d MiB, CPU %.1f s per run)",
                millis(wall, 50), wall.getMaxValue() / 1e6, chosen.size(), passed, peakRss / 1024, cpu / chosen.size());
        report("timeline: %s", result);
        if (wall.getMaxValue() >= 2_000_000_000L) {
            failures.put("timeline under 2 s including JVM start", result);
        }
        List<String> rows = new ArrayList<>();
        rows.add(String.format("| `./incidentctl timeline ID`, wall incl. JVM start | %s | < 2 s |", result));
        rows.add(String.format("| `timeline ID -o json`, output parsed and counted | p50 %.0f ms (%d runs, %d correct) | |", millis(jsonWall, 50),
                jsonRuns, jsonPassed));
        rows.add(String.format("| raw Kafka: the same partitions from the CLI's start offset (in this JVM, bytes only, avg %,d records) "
                        + "| p50 %.0f ms, max %.0f ms; CLI/raw p50 %.1f× | |", rawRecords / chosen.size(), millis(raw, 50), raw.getMaxValue() / 1e6,
                millis(wall, 50) / Math.max(0.001, millis(raw, 50))));
        rows.add(String.format("| the two consumers' close() after those reads, as incidentctl closes them (each waits fetch.max.wait.ms, 500 ms, "
                + "for the broker to end its fetch session) | p50 %.0f ms; with close(CloseOptions.timeout(Duration.ZERO)) p50 %.0f ms | |",
                millis(close, 50), millis(quickClose, 50)));
        rows.add(String.format("| JVM start and exit: `./incidentctl --version` | p50 %.0f ms | |", millis(start, 50)));
        return rows;
    }

    private static List<String> checkTimeline(Run run, Incident incident) {
        List<String> problems = new ArrayList<>();
        if (run.exit() != 0) {
            problems.add("exit " + run.exit() + ": " + lastLine(run.err()));
            return problems;
        }
        if (!run.out().contains(incident.title())) {
            problems.add("no title '" + incident.title() + "'");
        }
        if (!run.out().contains("resolved: " + incident.resolution())) {
            problems.add("no resolution '" + incident.resolution() + "'");
        }
        long lines = run.out().lines().filter(line -> !line.isBlank()).count();
        if (lines != incident.timelineEntries() + 1) {
            problems.add("table of " + (lines - 1) + " entries, not " + incident.timelineEntries());
        }
        return problems;
    }

    private static List<String> checkTimelineJson(Run run, Incident incident) {
        List<String> problems = new ArrayList<>();
        if (run.exit() != 0) {
            problems.add("exit " + run.exit() + ": " + lastLine(run.err()));
            return problems;
        }
        try {
            JsonNode json = JSON.readTree(run.out());
            JsonNode timeline = json.path("timeline");
            if (!incident.id().equals(json.path("incidentId").asText())) {
                problems.add("incidentId " + json.path("incidentId"));
            }
            if (timeline.size() != incident.timelineEntries()) {
                problems.add(timeline.size() + " entries, not " + incident.timelineEntries());
            }
            long opened = 0;
            long resolved = 0;
            long deliveries = 0;
            String previous = "";
            for (JsonNode entry : timeline) {
                String what = entry.path("what").asText();
                opened += what.startsWith("opened ") && what.endsWith(": " + incident.title()) ? 1 : 0;
                resolved += what.equals("resolved: " + incident.resolution()) ? 1 : 0;
                deliveries += entry.path("who").asText().equals("notifier") ? 1 : 0;
                if (entry.path("at").asText().compareTo(previous) < 0 && entry.path("at").asText().length() == previous.length()) {
                    problems.add("not in time order at " + entry.path("at").asText());
                }
                previous = entry.path("at").asText();
            }
            if (opened != 1 || resolved != 1) {
                problems.add(opened + " opened and " + resolved + " resolved entries matching, not 1 and 1");
            }
            if (deliveries != incident.results()) {
                problems.add(deliveries + " deliveries, not " + incident.results());
            }
        } catch (IOException e) {
            problems.add("not JSON: " + e.getMessage());
        }
        return problems;
    }

    /** What the CLI's timeline reads, raw: the incident's partition of both topics, from a day before the date in its id. */
    private RawRead rawIncidentRead(String bootstrap, String incidentId) {
        return rawIncidentRead(bootstrap, incidentId, null);
    }

    private RawRead rawIncidentRead(String bootstrap, String incidentId, Duration closeTimeout) {
        long from = startOf(incidentId).toEpochMilli();
        int partition = Utils.toPositive(Utils.murmur2(incidentId.getBytes(StandardCharsets.UTF_8))) % Topics.INCIDENT_EVENTS.partitions();
        RawRead events = rawRead(bootstrap, List.of(new TopicPartition(Topics.INCIDENT_EVENTS.name(), partition)), from, closeTimeout);
        int resultPartition = Utils.toPositive(Utils.murmur2(incidentId.getBytes(StandardCharsets.UTF_8))) % Topics.NOTIFICATION_RESULTS.partitions();
        RawRead results = rawRead(bootstrap, List.of(new TopicPartition(Topics.NOTIFICATION_RESULTS.name(), resultPartition)), from, closeTimeout);
        return new RawRead(events.records() + results.records(), events.bytes() + results.bytes(), events.nanos() + results.nanos(),
                events.closeNanos() + results.closeNanos());
    }

    /** As incidentctl's IncidentLog: a day before the date in the id (INC-yyyyMMdd-…), else the beginning. */
    static Instant startOf(String incidentId) {
        Matcher dated = DATED_ID.matcher(incidentId);
        if (dated.matches()) {
            try {
                return java.time.LocalDate.parse(dated.group(1), DateTimeFormatter.BASIC_ISO_DATE).minusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e) {
                // not a date
            }
        }
        return Instant.EPOCH;
    }

    // ---------------------------------------------------------------- report

    private List<String> reports(Cli cli, Load load, RawRead whole) throws Exception {
        List<String> rows = new ArrayList<>();
        String since = days + "d";
        Run table = cli.run(Map.of(), "report", "--since", since, "--bootstrap-servers", cli.bootstrap());
        report("report --since %s: %s", since, table.describe());
        Map<String, String> env = Map.of();
        String heapNote = "";
        if (table.exit() != 0) {
            String why = table.outOfMemory() ? "OutOfMemoryError with the script's default -Xmx128m" : lastLine(table.err());
            failures.put("report --since " + since + " with the script's defaults", why + " (" + table.describe() + ")");
            rows.add(String.format("| `./incidentctl report --since %s`, script defaults (-Xmx128m) | FAILED: %s after %.1f s (peak RSS %,d MiB) | < 30 s |",
                    since, why, table.nanos() / 1e9, table.peakRssKb() / 1024));
            // Only to learn what the report needs: the smallest of the retry heaps that works.
            for (String heap : retryHeaps) {
                Map<String, String> larger = Map.of("INCIDENTCTL_JAVA_OPTS", "-Xmx" + heap + " -XX:TieredStopAtLevel=1");
                Run retry = cli.run(larger, "report", "--since", since, "--bootstrap-servers", cli.bootstrap());
                report("report --since %s with -Xmx%s: %s%s", since, heap, retry.describe(), retry.outOfMemory() ? " (OutOfMemoryError)" : "");
                if (retry.exit() == 0) {
                    table = retry;
                    env = larger;
                    heapNote = " with INCIDENTCTL_JAVA_OPTS=-Xmx" + heap;
                    break;
                }
                rows.add(String.format("| `report --since %s` with -Xmx%s | FAILED: %s after %.1f s | |", since, heap,
                        retry.outOfMemory() ? "OutOfMemoryError" : lastLine(retry.err()), retry.nanos() / 1e9));
            }
            if (table.exit() != 0) {
                return rows;
            }
        }
        long[] expected = expectedIncidents(load, table);
        List<String> problems = new ArrayList<>();
        Matcher headline = REPORT_HEADLINE.matcher(table.out());
        if (!headline.find()) {
            problems.add("no 'N incidents opened since' line");
        } else if (Long.parseLong(headline.group(1)) < expected[0] || Long.parseLong(headline.group(1)) > expected[1]) {
            problems.add(headline.group(1) + " incidents, not " + range(expected));
        }
        if (!problems.isEmpty()) {
            failures.put("report --since " + since + heapNote, String.join("; ", problems));
        }
        double wholeSeconds = whole.nanos() / 1e9;
        String result = String.format("%.1f s%s (peak RSS %,d MiB, CPU %.1f s; %s incidents reported, %s produced in the window)%s", table.nanos() / 1e9,
                heapNote, table.peakRssKb() / 1024, table.cpuSeconds(), headline.find(0) ? headline.group(1) : "?", range(expected),
                problems.isEmpty() ? "" : " — FAILED: " + String.join("; ", problems));
        report("report: %s", result);
        if (table.nanos() >= 30_000_000_000L) {
            failures.put("report --since " + since + " under 30 s", result);
        }
        rows.add(String.format("| `./incidentctl report --since %s`%s, wall incl. JVM start | %s | < 30 s |", since, heapNote, result));

        Run json = cli.run(env, "report", "--since", since, "--bootstrap-servers", cli.bootstrap(), "-o", "json");
        List<String> jsonProblems = json.exit() == 0 ? checkReportJson(json, load, expectedIncidents(load, json)) : List.of("exit " + json.exit()
                + (json.outOfMemory() ? " (OutOfMemoryError)" : ": " + lastLine(json.err())));
        if (!jsonProblems.isEmpty()) {
            failures.put("report --since " + since + " -o json" + heapNote, String.join("; ", jsonProblems) + " (" + json.describe() + ")");
        }
        report("report -o json: %s%s", json.describe(), jsonProblems.isEmpty() ? ", counts match" : " — FAILED: " + String.join("; ", jsonProblems));
        rows.add(String.format("| `report --since %s -o json`%s: incidents, severities, pages, deliveries counted | %.1f s, %s | |", since, heapNote,
                json.nanos() / 1e9, jsonProblems.isEmpty() ? "every count as produced" : "FAILED: " + String.join("; ", jsonProblems)));
        rows.add(String.format("| raw Kafka: both topics whole (in this JVM, bytes only), %,d records, %,d MiB | %.1f s (%,.0f records/s); CLI report/raw %.1f× "
                + "| |", whole.records(), whole.bytes() >> 20, wholeSeconds, whole.records() / wholeSeconds, table.nanos() / 1e9 / wholeSeconds));
        return rows;
    }

    /** The incidents opened in the report's window: between the window as it was when the run started and when it ended. */
    private long[] expectedIncidents(Load load, Run run) {
        Duration window = Duration.ofDays(days);
        long late = run.ended().minus(window).toEpochMilli();
        long early = run.started().minus(window).toEpochMilli();
        long fewest = load.incidents().stream().filter(incident -> incident.openedAtMs() >= late).count();
        long most = load.incidents().stream().filter(incident -> incident.openedAtMs() >= early).count();
        return new long[] {fewest, most};
    }

    private static String range(long[] expected) {
        return expected[0] == expected[1] ? String.format("%,d", expected[0]) : String.format("%,d to %,d", expected[0], expected[1]);
    }

    private List<String> checkReportJson(Run run, Load load, long[] expected) {
        List<String> problems = new ArrayList<>();
        try {
            JsonNode json = JSON.readTree(run.out());
            long reported = json.path("incidents").asLong(-1);
            if (reported < expected[0] || reported > expected[1]) {
                problems.add("incidents " + reported + ", not " + range(expected));
            }
            long bySeverity = 0;
            for (JsonNode row : json.path("bySeverity")) {
                bySeverity += row.path("incidents").asLong();
            }
            long byService = 0;
            for (JsonNode row : json.path("byService")) {
                byService += row.path("incidents").asLong();
            }
            if (bySeverity != reported || byService != reported) {
                problems.add("by severity " + bySeverity + ", by service " + byService + ", not " + reported);
            }
            if (expected[0] == expected[1]) {
                // Pages and deliveries are exact only when the window's incidents are known exactly.
                long since = Instant.parse(json.path("since").asText()).toEpochMilli();
                long pages = 0;
                long delivered = 0;
                for (Incident incident : load.incidents()) {
                    if (incident.openedAtMs() >= since) {
                        pages += incident.pages();
                        delivered += incident.deliveredPages();
                    }
                }
                long reportedPages = 0;
                long reportedDelivered = 0;
                for (JsonNode row : json.path("pagesPerResponder")) {
                    reportedPages += row.path("pages").asLong();
                    reportedDelivered += row.path("notificationsDelivered").asLong();
                }
                if (reportedPages != pages || reportedDelivered != delivered) {
                    problems.add(String.format("pages %d and delivered %d, not %d and %d", reportedPages, reportedDelivered, pages, delivered));
                }
            }
            if (json.path("noisiestAlerts").isEmpty()) {
                problems.add("no noisiest alerts");
            }
        } catch (IOException | DateTimeParseException e) {
            problems.add("not the report's JSON: " + e.getMessage());
        }
        return problems;
    }

    // ---------------------------------------------------------------- raw Kafka and memory

    private static List<TopicPartition> allPartitions() {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < Topics.INCIDENT_EVENTS.partitions(); p++) {
            partitions.add(new TopicPartition(Topics.INCIDENT_EVENTS.name(), p));
        }
        for (int p = 0; p < Topics.NOTIFICATION_RESULTS.partitions(); p++) {
            partitions.add(new TopicPartition(Topics.NOTIFICATION_RESULTS.name(), p));
        }
        return partitions;
    }

    private static Map<String, Object> consumerProps(String bootstrap) {
        // As incidentctl's IncidentLog reads.
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
    }

    /** A plain consumer, byte arrays, read_committed: the partitions from {@code sinceMillis} (null: the beginning) to their end as reading began. */
    private static RawRead rawRead(String bootstrap, List<TopicPartition> partitions, Long sinceMillis) {
        return rawRead(bootstrap, partitions, sinceMillis, null);
    }

    /** @param closeTimeout the close's timeout; null closes as incidentctl does, with {@code close()} */
    private static RawRead rawRead(String bootstrap, List<TopicPartition> partitions, Long sinceMillis, Duration closeTimeout) {
        long start = System.nanoTime();
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps(bootstrap), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        long records = 0;
        long bytes = 0;
        long read;
        try {
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            seek(consumer, partitions, sinceMillis, end);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                        records++;
                        bytes += record.serializedKeySize() + record.serializedValueSize();
                    }
                }
            }
            read = System.nanoTime() - start;
        } finally {
            long closing = System.nanoTime();
            // close() as incidentctl calls it waits for the broker to answer the fetch that ends the fetch session.
            if (closeTimeout == null) {
                consumer.close();
            } else {
                consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(closeTimeout));
            }
            start = System.nanoTime() - closing;
        }
        return new RawRead(records, bytes, read, start);
    }

    private static void seek(KafkaConsumer<?, ?> consumer, Collection<TopicPartition> partitions, Long sinceMillis, Map<TopicPartition, Long> end) {
        if (sinceMillis == null) {
            consumer.seekToBeginning(partitions);
            return;
        }
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(p -> query.put(p, sinceMillis));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
        partitions.forEach(p -> consumer.seek(p, found.get(p) == null ? end.get(p) : found.get(p).offset()));
    }

    /** Both topics read and deserialized with the project's serdes, and held as the report holds them: the time, and the heap they take. */
    private String heldInMemory(String bootstrap) {
        Runtime runtime = Runtime.getRuntime();
        System.gc();
        long before = runtime.totalMemory() - runtime.freeMemory();
        long start = System.nanoTime();
        List<ConsumerRecord<String, Object>> held = new ArrayList<>();
        Deserializer<IncidentEvent> events = Topics.INCIDENT_EVENTS.valueSerde(serdes).deserializer();
        Deserializer<NotificationResult> results = Topics.NOTIFICATION_RESULTS.valueSerde(serdes).deserializer();
        List<TopicPartition> partitions = allPartitions();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps(bootstrap),
                new org.apache.kafka.common.serialization.StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            consumer.seekToBeginning(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    Object value = record.topic().equals(Topics.INCIDENT_EVENTS.name()) ? events.deserialize(record.topic(), record.value())
                            : results.deserialize(record.topic(), record.value());
                    held.add(new ConsumerRecord<>(record.topic(), record.partition(), record.offset(), record.key(), value));
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.gc();
        long retained = runtime.totalMemory() - runtime.freeMemory() - before;
        String result = String.format("%.1f s; %,d records retain %,d MiB (%,d bytes each)", seconds, held.size(), retained >> 20,
                retained / Math.max(1, held.size()));
        report("deserialized and held in this JVM: %s", result);
        held.clear();
        return String.format("| both topics read and deserialized with the project's serdes, held as the report holds them (in this JVM, C2) | %s | "
                + "report's heap: -Xmx128m |", result);
    }

    private static String lastLine(String text) {
        List<String> lines = text.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("reading ")).toList();
        return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
    }

    // ---------------------------------------------------------------- running incidentctl

    /** {@code ./incidentctl} as a person runs it: its own JVM, the script's default options, outputs kept in files. */
    private final class Cli {

        private final Path script;
        private final String bootstrap;
        private final Path outputs;
        private int runs;

        Cli(Path script, String bootstrap, Path outputs) {
            this.script = script;
            this.bootstrap = bootstrap;
            this.outputs = outputs;
        }

        String bootstrap() {
            return bootstrap;
        }

        Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>();
            command.add(script.toString());
            command.addAll(List.of(args));
            int n = ++runs;
            Path out = outputs.resolve(n + "-" + args[0] + ".out");
            Path err = outputs.resolve(n + "-" + args[0] + ".err");
            ProcessBuilder builder = new ProcessBuilder(command).directory(script.getParent().toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            // The script's defaults: no JVM options or broker from this shell.
            builder.environment().remove("INCIDENTCTL_JAVA_OPTS");
            builder.environment().remove("INCIDENTCTL_BOOTSTRAP_SERVERS");
            builder.environment().putAll(env);
            Instant started = Instant.now();
            long start = System.nanoTime();
            Process process = builder.start();
            long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            long peak = 0;
            double cpu = 0;
            boolean timedOut = false;
            while (!process.waitFor(50, TimeUnit.MILLISECONDS)) {
                peak = Math.max(peak, ProcStats.peakRssKb(process.pid()));
                cpu = Math.max(cpu, ProcStats.cpuSeconds(process.pid()));
                if (System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    process.waitFor();
                    timedOut = true;
                    break;
                }
            }
            long nanos = System.nanoTime() - start;
            Instant ended = Instant.now();
            String stderr = Files.readString(err) + (timedOut ? "\ntimed out after " + timeoutSeconds + " s" : "");
            return new Run(command, timedOut ? -1 : process.exitValue(), nanos, Files.readString(out), stderr, peak, cpu, started, ended);
        }
    }

    // ---------------------------------------------------------------- the generator

    /**
     * A month of incidents as the engine writes them: ids INC-yyyyMMdd-P-NNNN (the day, the partition
     * of the correlation key, a count per day and partition), the events of the lifecycle's commands
     * (event ids command/index, contiguous sequences, the command's actor and time), the pages of
     * escalation-stream and the notifier's results. Incidents open at a steady pace with a jitter;
     * each one's events follow over minutes to hours, so incidents overlap in the log.
     */
    static final class LogGenerator {

        record Pending(long at, long order, ProducerRecord<String, Object> record) {
        }

        record Generated(Incident expected, List<Pending> records) {
        }

        private record AlertKind(String name, String summary, String description) {
        }

        private record Ev(long at, Actor actor, String command, int index, Object payload) {
        }

        private static final String[] SERVICES = {"checkout", "payments", "search", "catalog", "cart", "identity", "orders", "shipping",
            "inventory", "pricing", "recommendations", "notifications", "gateway", "billing", "reporting", "media", "reviews", "accounts",
            "fraud", "ledger"};
        private static final AlertKind[] ALERTS = {
            new AlertKind("HighErrorRate", "High error rate on %s: %.1f%% of requests failing", "5xx ratio above 5%% for 10 minutes"),
            new AlertKind("HighLatency", "p99 latency of %s at %.1f s", "p99 above 2 s for 10 minutes"),
            new AlertKind("PodCrashLooping", "%s pods crash looping (%.0f restarts in 15 min)", "a pod restarted more than 5 times"),
            new AlertKind("DiskAlmostFull", "Disk of %s database %.0f%% full", "above 90%% and growing"),
            new AlertKind("KafkaConsumerLag", "Consumer lag of %s at %.0fk records", "lag growing for 15 minutes"),
            new AlertKind("SaturatedConnectionPool", "%s connection pool saturated (%.0f waiting)", "no free connection for 5 minutes"),
            new AlertKind("CertificateExpiry", "TLS certificate of %s expires in %.0f days", "renewal failed"),
            new AlertKind("QueueBacklog", "%s job queue backlog of %.0fk jobs", "backlog above threshold for 20 minutes")};
        private static final String[] PEOPLE = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
            "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "uma", "victor", "wendy", "xavier", "yara", "zoe", "aaron", "bella",
            "chen", "dmitri", "esther", "farid", "gita", "hugo", "ines", "jonas", "keiko", "liam", "maya", "noah", "oskar", "priya", "quinn"};
        private static final String[][] PLANS = {{"SMS", "VOICE"}, {"SLACK", "SMS"}, {"EMAIL", "SMS"}, {"VOICE", "SMS"}};
        private static final int[] STEP_DELAYS = {5, 3, 5, 10};
        private static final String[] ACK_MESSAGES = {"on it", "looking", "investigating", null, "ack, checking dashboards", null};
        private static final String[] NOTES = {"Started after deploy %s; rolling back", "Error budget burn %.0f%% in the last hour",
            "Upstream provider reports degraded service (ticket %s)", "Scaled out to %.0f replicas", "Runbook step 3 done, no change",
            "Customer support reports failures, ref %s", "Disabled feature flag %s", "Restarted the consumers; lag draining at %.0fk/min"};
        private static final String[] UPDATES = {"Investigating elevated errors on %s", "Mitigation in progress on %s; most requests succeed",
            "Identified the cause on %s; fix rolling out", "Monitoring %s after the fix"};
        private static final String[] RESOLUTIONS = {"Rolled back deploy %s", "Failed over to the secondary database (%s)",
            "Raised the connection pool limit (%s)", "Renewed the certificate (%s)", "Cleared the backlog after fixing the consumer (%s)",
            "Provider incident over (%s)", "Freed disk space and added an alert on growth (%s)"};
        private static final Actor ESCALATION = new Actor(ActorType.SYSTEM, "escalation-stream", "Escalation");
        private static final Actor LIFECYCLE = new Actor(ActorType.SYSTEM, "incident-stream", "incident lifecycle timer");
        private static final long MINUTE = 60_000;
        private static final long WEEK = 7 * 24 * 60 * MINUTE;

        private final Random random;
        private final long baseMs;
        private final long firstOpenMs;
        private final double spacingMs;
        private final int eventsPerIncident;
        private final Map<String, Integer> counters = new HashMap<>();
        private long order;

        LogGenerator(Random random, Instant base, int days, int incidents, int eventsPerIncident) {
            this.random = random;
            this.baseMs = base.toEpochMilli();
            // An hour inside the window at its old end, so a report run within the hour counts every incident; the last opens ten minutes ago.
            this.firstOpenMs = baseMs - Duration.ofDays(days).toMillis() + 60 * MINUTE;
            this.spacingMs = (baseMs - 10 * MINUTE - firstOpenMs) / (double) incidents;
            this.eventsPerIncident = eventsPerIncident;
        }

        Generated next(int index) {
            long t0 = firstOpenMs + (long) (index * spacingMs + random.nextDouble() * spacingMs);
            int serviceIndex = random.nextInt(SERVICES.length);
            String service = SERVICES[serviceIndex];
            AlertKind kind = ALERTS[random.nextInt(ALERTS.length)];
            Severity severity = severity();
            String correlationKey = "default|service=" + service + "|alertname=" + kind.name();
            int owner = Utils.toPositive(Utils.murmur2(correlationKey.getBytes(StandardCharsets.UTF_8))) % Topics.ALERTS.partitions();
            String day = DAY.format(Instant.ofEpochMilli(t0));
            int count = counters.merge(day + "/" + owner, 1, Integer::sum);
            String id = String.format("INC-%s-%d-%04d", day, owner, count);
            String policy = service + "-default";
            // Two services a team of four; the on-call turn changes weekly.
            int team = serviceIndex / 2 * 4;
            long week = t0 / WEEK;
            String primary = PEOPLE[team + (int) (week % 4)];
            String secondary = PEOPLE[team + (int) ((week + 1) % 4)];

            // What happens, within the events each incident has.
            int budget = eventsPerIncident - 5;
            boolean autoResolve = random.nextDouble() < 0.4 && budget >= 1;
            budget -= autoResolve ? 1 : 0;
            boolean closed = random.nextDouble() < 0.7 && budget >= 1;
            budget -= closed ? 1 : 0;
            boolean secondLevel = random.nextDouble() < 0.25 && budget >= 1;
            budget -= secondLevel ? 1 : 0;
            boolean secondAlert = random.nextDouble() < 0.3 && budget >= (autoResolve ? 2 : 1);
            budget -= secondAlert ? (autoResolve ? 2 : 1) : 0;
            Severity secondSeverity = severity;
            boolean raised = false;
            if (secondAlert && severity.ordinal() > 0 && random.nextDouble() < 0.4 && budget >= 1) {
                secondSeverity = Severity.values()[severity.ordinal() - 1];
                raised = true;
                budget--;
            }
            boolean personSeverity = random.nextDouble() < 0.15 && budget >= 1;
            budget -= personSeverity ? 1 : 0;
            int notes = budget;

            // When (ms after opening), then squeezed if the incident would end after now.
            long policyDelay = (severity.ordinal() <= 2 ? 5 : 15) * MINUTE;
            long esc0 = 300 + random.nextInt(2_000);
            long esc1 = secondLevel ? policyDelay + 300 + random.nextInt(2_000) : -1;
            double u = random.nextDouble();
            long ack = secondLevel ? esc1 + 30_000 + (long) (u * u * 15 * MINUTE) : esc0 + 15_000 + (long) (u * u * (policyDelay - 45_000));
            long[] meanResolve = {40, 60, 90, 180, 300};
            long resolve = ack + 5 * MINUTE + Math.min(12 * 60 * MINUTE,
                    (long) (-Math.log(1 - random.nextDouble()) * meanResolve[severity.ordinal()] * MINUTE));
            boolean closedByTimer = random.nextDouble() < 0.85;
            long close = closedByTimer ? resolve + 60 * MINUTE : resolve + 5 * MINUTE + random.nextInt(180) * MINUTE;
            long secondAlertAt = ack + (long) ((0.2 + 0.3 * random.nextDouble()) * (resolve - ack));
            long personAt = ack + (long) ((0.55 + 0.35 * random.nextDouble()) * (resolve - ack));
            long firstAlertEnds = secondAlert ? resolve - 2 * MINUTE : resolve;
            long[] noteAt = new long[notes];
            for (int i = 0; i < notes; i++) {
                noteAt[i] = ack + (long) (random.nextDouble() * (resolve - ack));
            }
            long last = closed ? close : resolve;
            long limit = baseMs - 1_000 - t0;
            if (last > limit) {
                double squeeze = limit / (double) last;
                esc0 = (long) (esc0 * squeeze);
                esc1 = (long) (esc1 * squeeze);
                ack = (long) (ack * squeeze);
                resolve = (long) (resolve * squeeze);
                close = (long) (close * squeeze);
                secondAlertAt = (long) (secondAlertAt * squeeze);
                personAt = (long) (personAt * squeeze);
                firstAlertEnds = (long) (firstAlertEnds * squeeze);
                for (int i = 0; i < notes; i++) {
                    noteAt[i] = (long) (noteAt[i] * squeeze);
                }
            }

            // The events, each with its command's actor and id.
            String instance = service + "-" + (1 + random.nextInt(24));
            double value = 1 + random.nextDouble() * 98;
            Alert first = alert(kind, service, instance, severity, value, t0, t0 - (20_000 + random.nextInt(280_000)));
            Actor integration = new Actor(ActorType.INTEGRATION, first.getIntegrationId(), first.getSource());
            List<Ev> events = new ArrayList<>();
            String attach = "attach:" + first.getFingerprint() + "@" + t0;
            events.add(new Ev(t0, integration, attach, 0, new IncidentOpened(first.getSummary(), severity, service, correlationKey, policy,
                    first.getLabels(), true)));
            events.add(new Ev(t0, integration, attach, 1, new AlertAttached(first)));
            List<long[]> pages = new ArrayList<>();
            long escalatedAt = t0 + esc0;
            events.add(new Ev(escalatedAt, ESCALATION, "escalate:0:0:" + id + ":1@" + escalatedAt, 0,
                    new IncidentEscalated(policy, 0, 0, List.of(target(service + "-primary", primary)))));
            pages.add(new long[] {escalatedAt, index(primary)});
            String acknowledger = primary;
            if (secondLevel) {
                long at = t0 + esc1;
                events.add(new Ev(at, ESCALATION, "escalate:0:1:" + id + ":1@" + at, 0,
                        new IncidentEscalated(policy, 1, 0, List.of(target(service + "-secondary", secondary)))));
                pages.add(new long[] {at, index(secondary)});
                acknowledger = secondary;
            }
            Actor person = person(acknowledger);
            events.add(new Ev(t0 + ack, person, uuid(), 0, new IncidentAcknowledged(ACK_MESSAGES[random.nextInt(ACK_MESSAGES.length)])));
            Severity current = severity;
            Alert second = null;
            if (secondAlert) {
                AlertKind other = ALERTS[random.nextInt(ALERTS.length)];
                long at = t0 + secondAlertAt;
                second = alert(other, service, service + "-" + (1 + random.nextInt(24)), secondSeverity, 1 + random.nextDouble() * 98, at,
                        at - (20_000 + random.nextInt(100_000)));
                if (second.getFingerprint().equals(first.getFingerprint())) {
                    second.setFingerprint(second.getFingerprint() + "-2");
                }
                String command = "attach:" + second.getFingerprint() + "@" + at;
                events.add(new Ev(at, integration, command, 0, new AlertAttached(second)));
                if (raised) {
                    events.add(new Ev(at, integration, command, 1, new SeverityChanged(current, secondSeverity, "alert " + second.getFingerprint(), false)));
                    current = secondSeverity;
                }
            }
            if (personSeverity) {
                Severity to = current.ordinal() > 0 && random.nextBoolean() ? Severity.values()[current.ordinal() - 1]
                        : Severity.values()[Math.min(4, current.ordinal() + 1)];
                if (to == current) {
                    to = Severity.values()[current.ordinal() - 1];
                }
                events.add(new Ev(t0 + personAt, person, uuid(), 0, new SeverityChanged(current, to,
                        to.ordinal() < current.ordinal() ? "customer impact confirmed" : "impact limited to internal tools", true)));
            }
            for (int i = 0; i < notes; i++) {
                String who = random.nextInt(3) == 0 ? PEOPLE[team + random.nextInt(4)] : acknowledger;
                Object payload = random.nextInt(3) == 0
                        ? new StatusUpdatePosted(String.format(UPDATES[random.nextInt(UPDATES.length)], service))
                        : new NoteAdded(note(NOTES[random.nextInt(NOTES.length)]));
                events.add(new Ev(t0 + noteAt[i], person(who), uuid(), 0, payload));
            }
            String resolution;
            long resolvedAt = t0 + resolve;
            if (autoResolve) {
                resolution = "all alerts resolved";
                if (second != null) {
                    long at = t0 + firstAlertEnds;
                    events.add(new Ev(at, integration, "resolve:" + first.getFingerprint() + "@" + at, 0,
                            new AlertResolved(first.getFingerprint(), Instant.ofEpochMilli(at - 45_000))));
                }
                Alert lastAlert = second != null ? second : first;
                String command = "resolve:" + lastAlert.getFingerprint() + "@" + resolvedAt;
                events.add(new Ev(resolvedAt, integration, command, 0, new AlertResolved(lastAlert.getFingerprint(),
                        Instant.ofEpochMilli(resolvedAt - 45_000))));
                events.add(new Ev(resolvedAt, integration, command, 1, new IncidentResolved(resolution)));
            } else {
                resolution = String.format(RESOLUTIONS[random.nextInt(RESOLUTIONS.length)], "OPS-" + (10_000 + random.nextInt(90_000)));
                events.add(new Ev(resolvedAt, person, uuid(), 0, new IncidentResolved(resolution)));
            }
            if (closed) {
                long at = t0 + close;
                events.add(closedByTimer
                        ? new Ev(at, LIFECYCLE, "timer:close:" + id + ":" + (eventsPerIncident - 1), 0, new IncidentClosed("closed 60 min after it resolved"))
                        : new Ev(at, person, uuid(), 0, new IncidentClosed("postmortem scheduled")));
            }
            events.sort(Comparator.comparingLong(Ev::at));
            if (events.size() != eventsPerIncident) {
                throw new IllegalStateException(id + ": " + events.size() + " events, not " + eventsPerIncident);
            }

            List<Pending> records = new ArrayList<>();
            List<String> escalations = new ArrayList<>();
            String openedEventId = null;
            String resolvedEventId = null;
            for (int i = 0; i < events.size(); i++) {
                Ev ev = events.get(i);
                IncidentEvent event = IncidentEvent.newBuilder().setEventId(ev.command() + "/" + ev.index()).setIncidentId(id).setSequence(i + 1)
                        .setTimestamp(Instant.ofEpochMilli(ev.at())).setActor(ev.actor()).setCauseId(ev.command()).setPayload(ev.payload()).build();
                records.add(pending(Topics.INCIDENT_EVENTS.name(), id, ev.at(), event));
                if (ev.payload() instanceof IncidentEscalated) {
                    escalations.add(event.getEventId());
                } else if (ev.payload() instanceof IncidentOpened) {
                    openedEventId = event.getEventId();
                } else if (ev.payload() instanceof IncidentResolved) {
                    resolvedEventId = event.getEventId();
                }
            }

            // The notifier: each paged user's contact steps until the acknowledgement; the service's room hears of severe ones.
            int results = 0;
            int delivered = 0;
            long acknowledgedAt = t0 + ack;
            for (int level = 0; level < pages.size(); level++) {
                long[] page = pages.get(level);
                int user = (int) page[1];
                String[] plan = PLANS[user % PLANS.length];
                long[] stepAt = {page[0], page[0] + STEP_DELAYS[user % STEP_DELAYS.length] * MINUTE};
                for (int step = 0; step < 2; step++) {
                    if (step > 0 && stepAt[step] >= acknowledgedAt) {
                        break;
                    }
                    NotificationResult result = result(id, escalations.get(level), "page", PEOPLE[user], plan[step].toLowerCase(), step, stepAt[step]);
                    records.add(pending(Topics.NOTIFICATION_RESULTS.name(), id, result.getTimestamp().toEpochMilli(), result));
                    results++;
                    delivered += result.getOutcome() == DeliveryOutcome.DELIVERED ? 1 : 0;
                }
            }
            if (severity.ordinal() <= 2) {
                for (String[] news : new String[][] {{"opened", openedEventId, Long.toString(t0)}, {"resolved", resolvedEventId, Long.toString(resolvedAt)}}) {
                    NotificationResult result = result(id, news[1], news[0], service + "-room", "slack", 0, Long.parseLong(news[2]));
                    records.add(pending(Topics.NOTIFICATION_RESULTS.name(), id, result.getTimestamp().toEpochMilli(), result));
                    results++;
                }
            }
            return new Generated(new Incident(id, t0, first.getSummary(), resolution, events.size(), results, pages.size(), delivered), records);
        }

        private Pending pending(String topic, String key, long at, Object value) {
            return new Pending(at, order++, new ProducerRecord<>(topic, null, at, key, value));
        }

        private Severity severity() {
            double p = random.nextDouble();
            return p < 0.02 ? Severity.SEV0 : p < 0.10 ? Severity.SEV1 : p < 0.35 ? Severity.SEV2 : p < 0.80 ? Severity.SEV3 : Severity.SEV4;
        }

        private Alert alert(AlertKind kind, String service, String instance, Severity severity, double value, long receivedAt, long startsAt) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("alertname", kind.name());
            labels.put("service", service);
            labels.put("env", "prod");
            labels.put("severity", severity.name().toLowerCase());
            labels.put("instance", instance + ":9102");
            labels.put("team", "team-" + (java.util.Arrays.asList(SERVICES).indexOf(service) / 2));
            String summary = String.format(kind.summary(), service, value);
            Map<String, String> annotations = Map.of("summary", summary, "description", String.format(kind.description()),
                    "runbook_url", "https://runbooks.example/" + service + "/" + kind.name());
            String fingerprint = "prod-alertmanager/" + Long.toHexString(Utils.murmur2((kind.name() + "|" + instance).getBytes(StandardCharsets.UTF_8))
                    & 0xffffffffL) + Long.toHexString(random.nextInt() & 0xffffffffL);
            return Alert.newBuilder().setFingerprint(fingerprint).setStatus(AlertStatus.FIRING).setSeverity(severity).setSummary(summary)
                    .setDescription(String.format(kind.description())).setLabels(labels).setAnnotations(annotations).setSource(instance + ":9102")
                    .setIntegrationId("prod-alertmanager").setService(service)
                    .setLinks(List.of(new Link("https://grafana.example/d/" + service, "Dashboard"),
                            new Link("https://runbooks.example/" + service + "/" + kind.name(), "Runbook")))
                    .setStartsAt(Instant.ofEpochMilli(startsAt)).setEndsAt(null).setReceivedAt(Instant.ofEpochMilli(receivedAt))
                    .setRawFormat(RawFormat.ALERTMANAGER).build();
        }

        private static EscalationTarget target(String schedule, String user) {
            int index = index(user);
            String[] plan = PLANS[index % PLANS.length];
            return new EscalationTarget(TargetType.SCHEDULE, schedule, List.of(user), List.of(new ContactPlan(user,
                    List.of(new ContactStep(plan[0], 0), new ContactStep(plan[1], STEP_DELAYS[index % STEP_DELAYS.length])))));
        }

        private NotificationResult result(String incidentId, String eventId, String kind, String target, String channel, int step, long at) {
            double p = random.nextDouble();
            boolean failed = p < 0.02;
            int attempts = failed ? 3 : p < 0.1 ? 2 : 1;
            long latency = 150 + random.nextInt(1_800) + (attempts - 1) * 2_000L;
            return NotificationResult.newBuilder().setDeliveryId(eventId + ":" + target + ":" + channel + ":" + step).setIncidentId(incidentId)
                    .setEventId(eventId).setChannel(channel).setKind(kind).setTarget(target).setStep(step)
                    .setOutcome(failed ? DeliveryOutcome.FAILED : DeliveryOutcome.DELIVERED).setAttempts(attempts).setLatencyMillis(latency)
                    .setProviderMessageId(failed ? null : token() + token()).setError(failed ? "HTTP 503 from the provider" : null)
                    .setTimestamp(Instant.ofEpochMilli(at + latency)).build();
        }

        private static int index(String person) {
            return java.util.Arrays.asList(PEOPLE).indexOf(person);
        }

        private static Actor person(String id) {
            return new Actor(ActorType.USER, id, Character.toUpperCase(id.charAt(0)) + id.substring(1));
        }

        private String uuid() {
            return new UUID(random.nextLong() & 0xffffffffffff0fffL | 0x4000L, random.nextLong() & 0x3fffffffffffffffL | 0x8000000000000000L).toString();
        }

        private String note(String template) {
            return template.contains("%s") ? String.format(template, token()) : String.format(template, random.nextDouble() * 100);
        }

        private String token() {
            return Integer.toHexString(random.nextInt() & 0x7fffffff);
        }
    }
}
