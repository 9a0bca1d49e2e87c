package dev.incidentengine.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.deploy.KafkaBroker;
import dev.incidentengine.model.ActionItemAdded;
import dev.incidentengine.model.ActionItemCompleted;
import dev.incidentengine.model.ActionItemPriority;
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
import dev.incidentengine.model.ReviewPublished;
import dev.incidentengine.model.ReviewRequired;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.StatusUpdatePosted;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import static dev.incidentengine.bench.BenchSupport.exitCode;
import static dev.incidentengine.testkit.TopicContents.freePort;
import static dev.incidentengine.bench.BenchSupport.keepIfFailed;
import static dev.incidentengine.bench.BenchSupport.millis;
import static dev.incidentengine.bench.BenchSupport.report;

/**
 * incidentctl's replay commands on this machine, as a person runs them: {@code ./incidentctl}
 * (the root script, its own JVM, its default heap) against a real broker whose
 * {@code incident.events.v1} holds a month of incidents (default 100,000 incidents of 10 events,
 * 1,000,000 records, in time order, interleaved across incidents as the engine writes them, with
 * the engine's ids, keys, partitions, record times and post-incident reviews) and whose
 * {@code notification.results.v1} holds their deliveries. (1) {@code timeline ID} for incidents
 * chosen at random, wall time including JVM start, beside a raw consumer reading the same
 * partitions from the same start offset. (2) {@code report --since 30d}, wall time and peak
 * memory, beside a raw consumer reading both topics whole. Every output (table and JSON) is
 * checked against what was produced; a failed, wrong or slow run fails the benchmark.
 */
@Command(name = "incidentctl-benchmark", mixinStandardHelpOptions = true)
public final class IncidentctlBenchmark implements Callable<Integer> {

    private static final Pattern DATED_ID = Pattern.compile("INC-(\\d{8})-.*");
    private static final Pattern REPORT_HEADLINE = Pattern.compile("^(\\d+) incidents opened since (\\S+);", Pattern.MULTILINE);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--incidents", defaultValue = "100000", description = "Incidents in the log (default ${DEFAULT-VALUE}).")
    int incidents;

    @Option(names = "--events-per-incident", defaultValue = "10", description = "Events of each incident, at least 6 (default ${DEFAULT-VALUE}).")
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

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final Map<String, String> failures = new LinkedHashMap<>();
    // Set by call(): the script, the broker it reads, where its outputs are kept, how many runs so far.
    private Path script;
    private String bootstrap;
    private Path outputs;
    private int runs;

    public static void main(String[] args) {
        System.exit(new CommandLine(new IncidentctlBenchmark()).execute(args));
    }

    /** A produced post-incident review: ReviewRequired, maybe action item AI-1 (maybe completed later), maybe published. */
    record Review(boolean required, long dueAtMs, boolean published, boolean actionItem, boolean actionItemCompleted, long actionItemDueAtMs) {

        int events() {
            return 1 + (actionItem ? 1 : 0) + (actionItemCompleted ? 1 : 0) + (published ? 1 : 0);
        }
    }

    /** What one produced incident should look like when replayed; {@code review} null when it has none (it ended SEV3 or SEV4). */
    record Incident(String id, long openedAtMs, String title, String resolution, int events, int results, int pages, int deliveredPages,
                    Review review) {

        /** Timeline lines: every event, every delivery and the detection line (every incident has an alert). */
        int timelineEntries() {
            return events + results + 1;
        }
    }

    record Load(List<Incident> incidents, long events, long results, double seconds) {
    }

    /** One incidentctl run. */
    record Run(int exit, long nanos, String out, String err, long peakRssKb, double cpuSeconds) {

        String describe() {
            return String.format("exit %d, %.2f s, peak RSS %,d MiB, CPU %.1f s", exit, nanos / 1e9, peakRssKb / 1024, cpuSeconds);
        }
    }

    /** Records read by a raw consumer, from its creation to the last record. */
    record RawRead(long records, long bytes, long nanos) {
    }

    /** The report's {@code reviews}, its overdue lists as sorted incident ids. */
    record ReviewCounts(long required, long published, List<String> overdue, long actionItemsOpen, long actionItemsCompleted,
                        List<String> actionItemsOverdue) {

        static ReviewCounts of(JsonNode reviews) {
            return new ReviewCounts(reviews.path("required").asLong(-1), reviews.path("published").asLong(-1), ids(reviews.path("overdue")),
                    reviews.path("actionItemsOpen").asLong(-1), reviews.path("actionItemsCompleted").asLong(-1),
                    ids(reviews.path("actionItemsOverdue")));
        }

        private static List<String> ids(JsonNode rows) {
            return StreamSupport.stream(rows.spliterator(), false).map(row -> row.path("incidentId").asText()).sorted().toList();
        }

        /** As the report's table says it. */
        String line() {
            return String.format("Reviews: %d required, %d published, %d overdue; action items: %d open, %d completed, %d overdue", required,
                    published, overdue.size(), actionItemsOpen, actionItemsCompleted, actionItemsOverdue.size());
        }
    }

    /** What a report must count: the incidents opened at or after its since, their reviews and action items as of its now. */
    record Expected(long incidents, long pages, long delivered, ReviewCounts reviews) {

        static Expected of(List<Incident> produced, Instant since, Instant now) {
            List<Incident> in = produced.stream().filter(incident -> !Instant.ofEpochMilli(incident.openedAtMs()).isBefore(since)).toList();
            Predicate<Long> past = ms -> Instant.ofEpochMilli(ms).isBefore(now);
            Predicate<Review> openItem = review -> review.actionItem() && !review.actionItemCompleted();
            return new Expected(in.size(), in.stream().mapToLong(Incident::pages).sum(), in.stream().mapToLong(Incident::deliveredPages).sum(),
                    new ReviewCounts(reviewed(in, Review::required).size(), reviewed(in, Review::published).size(),
                            reviewed(in, review -> review.required() && !review.published() && past.test(review.dueAtMs())),
                            reviewed(in, openItem).size(), reviewed(in, Review::actionItemCompleted).size(),
                            reviewed(in, openItem.and(review -> past.test(review.actionItemDueAtMs())))));
        }

        /** The sorted ids of the incidents whose review matches. */
        private static List<String> reviewed(List<Incident> incidents, Predicate<Review> matches) {
            return incidents.stream().filter(incident -> incident.review() != null && matches.test(incident.review())).map(Incident::id)
                    .sorted().toList();
        }
    }

    @Override
    public Integer call() throws Exception {
        if (eventsPerIncident < 6) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--events-per-incident must be at least 6");
        }
        script = incidentctl.toAbsolutePath().normalize();
        requireBuilt(script);
        Path dir = Files.createTempDirectory("incidentctl-bench");
        List<String> rows = new ArrayList<>();
        try (KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"), "127.0.0.1", freePort(), freePort())) {
            broker.start(Duration.ofSeconds(60));
            bootstrap = broker.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                BenchSupport.createTopics(admin, Topics.ALL);
            }
            Load load = produce();
            long records = load.events() + load.results();
            rows.add(String.format("| load: %,d incidents × %d events (%,d on %s, %d partitions) + %,d results, over %d days (%s) | %,.0f records/s "
                            + "(%.1f s; idempotent, acks=all, %s) | |", incidents, eventsPerIncident, load.events(), Topics.INCIDENT_EVENTS.name(),
                    Topics.INCIDENT_EVENTS.partitions(), load.results(), days, Expected.of(load.incidents(), Instant.EPOCH, Instant.now()).reviews().line(),
                    records / load.seconds(), load.seconds(), compression));

            // Raw Kafka first: it also proves that every produced record is there, read_committed; the second read is the timed one.
            rawRead(allPartitions(), 0);
            RawRead whole = rawRead(allPartitions(), 0);
            report("raw Kafka: both topics whole, %,d records (%,d MiB) in %.2f s", whole.records(), whole.bytes() >> 20, whole.nanos() / 1e9);
            if (whole.records() != records) {
                failures.put("every produced record readable read_committed", whole.records() + " of " + records);
            }

            outputs = Files.createDirectories(dir.resolve("outputs"));
            rows.addAll(timelines(load));
            rows.addAll(reports(load, whole));
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

    /** The log, produced in time order (record time = event time), incidents interleaved as they overlap. */
    private Load produce() throws Exception {
        Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        LogGenerator generator = new LogGenerator(new Random(seed), base, days, incidents, eventsPerIncident);
        Map<String, Object> props = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.CLIENT_ID_CONFIG, "bench-incidentctl-load",
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true, ProducerConfig.COMPRESSION_TYPE_CONFIG, compression,
                ProducerConfig.BATCH_SIZE_CONFIG, producerBatchSize);
        Serializer<IncidentEvent> events = Topics.INCIDENT_EVENTS.valueSerde(serdes).serializer();
        Serializer<NotificationResult> results = Topics.NOTIFICATION_RESULTS.valueSerde(serdes).serializer();
        Serializer<Object> values = (topic, value) -> value instanceof IncidentEvent event ? events.serialize(topic, event)
                : results.serialize(topic, (NotificationResult) value);
        List<Incident> produced = new ArrayList<>(incidents);
        AtomicReference<Exception> error = new AtomicReference<>();
        AtomicLong eventCount = new AtomicLong();
        AtomicLong resultCount = new AtomicLong();
        // Records wait here until no incident still to be generated can have an earlier one.
        PriorityQueue<LogGenerator.Pending> pending = new PriorityQueue<>(
                Comparator.comparingLong(LogGenerator.Pending::at).thenComparingLong(LogGenerator.Pending::order));
        report("producing %,d incidents × %d events over the %d days before %s ...", incidents, eventsPerIncident, days, base);
        long start = System.nanoTime();
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(props, new StringSerializer(), values)) {
            LongConsumer sendBefore = until -> {
                while (!pending.isEmpty() && pending.peek().at() < until) {
                    ProducerRecord<String, Object> record = pending.poll().record();
                    (record.value() instanceof IncidentEvent ? eventCount : resultCount).incrementAndGet();
                    producer.send(record, (metadata, e) -> {
                        if (e != null) {
                            error.compareAndSet(null, e);
                        }
                    });
                }
            };
            for (int i = 0; i < incidents; i++) {
                LogGenerator.Generated incident = generator.next(i);
                sendBefore.accept(incident.expected().openedAtMs());
                pending.addAll(incident.records());
                produced.add(incident.expected());
                if ((i + 1) % Math.max(1, incidents / 10) == 0) {
                    report("  %,d incidents generated, %,d records sent", i + 1, eventCount.get() + resultCount.get());
                }
                if (error.get() != null) {
                    throw error.get();
                }
            }
            sendBefore.accept(Long.MAX_VALUE);
            producer.flush();
        }
        if (error.get() != null) {
            throw error.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        report("produced %,d events and %,d results in %.1f s: %,.0f records/s", eventCount.get(), resultCount.get(), seconds,
                (eventCount.get() + resultCount.get()) / seconds);
        return new Load(produced, eventCount.get(), resultCount.get(), seconds);
    }

    // ---------------------------------------------------------------- timeline

    private List<String> timelines(Load load) throws Exception {
        // The JVM start alone, with the jars in the page cache as they are for every later run.
        incidentctl("--version");
        Histogram start = new Histogram(3);
        for (int i = 0; i < 3; i++) {
            start.recordValue(incidentctl("--version").nanos());
        }
        report("JVM start and exit: ./incidentctl --version p50 %.0f ms", millis(start, 50));

        List<Incident> chosen = new ArrayList<>(load.incidents());
        Collections.shuffle(chosen, new Random(seed + 1));
        chosen = chosen.subList(0, Math.min(timelines, chosen.size()));
        rawIncidentRead(chosen.get(0).id());
        // Not counted: after a build the script's first run of a kind of command writes its class archive.
        Run first = incidentctl("timeline", chosen.get(0).id(), "--bootstrap-servers", bootstrap);
        // The script waits for that JVM rather than exec-ing it, so only the wall time says something.
        report("first timeline (writes the script's class archive when none fits the build yet): exit %d, %.2f s", first.exit(),
                first.nanos() / 1e9);
        Histogram wall = new Histogram(3);
        Histogram raw = new Histogram(3);
        Histogram jsonWall = new Histogram(3);
        long peakRss = 0;
        double cpu = 0;
        long rawRecords = 0;
        int passed = 0;
        int jsonPassed = 0;
        for (Incident incident : chosen) {
            Run run = incidentctl("timeline", incident.id(), "--bootstrap-servers", bootstrap);
            RawRead rawRead = rawIncidentRead(incident.id());
            wall.recordValue(run.nanos());
            raw.recordValue(rawRead.nanos());
            peakRss = Math.max(peakRss, run.peakRssKb());
            cpu += run.cpuSeconds();
            rawRecords += rawRead.records();
            List<String> problems = checked("timeline " + incident.id(), run, r -> checkTimeline(r, incident));
            passed += problems.isEmpty() ? 1 : 0;
            report("timeline %s (opened %s): %s; raw read of its partitions from the CLI's start offset %,d records in %.0f ms%s", incident.id(),
                    Instant.ofEpochMilli(incident.openedAtMs()), run.describe(), rawRead.records(), rawRead.nanos() / 1e6, failed(problems));
            if (jsonWall.getTotalCount() < 3) {
                Run json = incidentctl("timeline", incident.id(), "--bootstrap-servers", bootstrap, "-o", "json");
                jsonWall.recordValue(json.nanos());
                List<String> jsonProblems = checked("timeline -o json " + incident.id(), json, r -> checkTimelineJson(r, incident));
                jsonPassed += jsonProblems.isEmpty() ? 1 : 0;
                report("timeline -o json %s: %s%s", incident.id(), json.describe(), failed(jsonProblems));
            }
        }
        String result = String.format("p50 %.0f ms, max %.0f ms (%d incidents, %d checked correct; peak RSS %,d MiB, CPU %.1f s per run)",
                millis(wall, 50), wall.getMaxValue() / 1e6, chosen.size(), passed, peakRss / 1024, cpu / chosen.size());
        report("timeline: %s", result);
        if (wall.getMaxValue() >= 2_000_000_000L) {
            failures.put("timeline under 2 s including JVM start", result);
        }
        return List.of(String.format("| `./incidentctl timeline ID`, wall incl. JVM start | %s | < 2 s |", result),
                String.format("| `timeline ID -o json`, output parsed and counted | p50 %.0f ms (%d runs, %d correct) | |", millis(jsonWall, 50),
                        jsonWall.getTotalCount(), jsonPassed),
                String.format("| raw Kafka: the same partitions from the CLI's start offset, one consumer (in this JVM, bytes only, avg %,d records) "
                                + "| p50 %.0f ms, max %.0f ms; CLI/raw p50 %.1f× | |", rawRecords / chosen.size(), millis(raw, 50),
                        raw.getMaxValue() / 1e6, millis(wall, 50) / Math.max(0.001, millis(raw, 50))),
                String.format("| JVM start and exit: `./incidentctl --version` | p50 %.0f ms | |", millis(start, 50)));
    }

    private static List<String> checkTimeline(Run run, Incident incident) {
        long entries = run.out().lines().filter(line -> !line.isBlank()).count() - 1;
        boolean told = run.out().contains(": " + incident.title()) && run.out().contains("resolved: " + incident.resolution());
        return entries == incident.timelineEntries() && told ? List.of()
                : List.of(String.format("a table of %d entries, not %d; title and resolution %s", entries, incident.timelineEntries(),
                        told ? "there" : "missing"));
    }

    private static List<String> checkTimelineJson(Run run, Incident incident) throws IOException {
        List<String> problems = new ArrayList<>();
        JsonNode json = JSON.readTree(run.out());
        JsonNode timeline = json.path("timeline");
        if (!incident.id().equals(json.path("incidentId").asText())) {
            problems.add("incidentId " + json.path("incidentId"));
        }
        if (timeline.size() != incident.timelineEntries()) {
            problems.add(timeline.size() + " entries, not " + incident.timelineEntries());
        }
        long reviews = 0;
        long deliveries = 0;
        Instant previous = Instant.MIN;
        for (JsonNode entry : timeline) {
            String what = entry.path("what").asText();
            reviews += what.startsWith("review ") || what.startsWith("action item ") ? 1 : 0;
            deliveries += entry.path("who").asText().equals("notifier") ? 1 : 0;
            Instant at = Instant.parse(entry.path("at").asText());
            if (at.isBefore(previous)) {
                problems.add("not in time order at " + at);
            }
            previous = at;
        }
        long reviewEvents = incident.review() == null ? 0 : incident.review().events();
        if (reviews != reviewEvents) {
            problems.add(reviews + " review and action item entries, not " + reviewEvents);
        }
        if (deliveries != incident.results()) {
            problems.add(deliveries + " deliveries, not " + incident.results());
        }
        return problems;
    }

    /** What the CLI's timeline reads, raw: with one consumer, the incident's partition of both topics from a day before the date in its id. */
    private RawRead rawIncidentRead(String incidentId) {
        int hash = Utils.toPositive(Utils.murmur2(incidentId.getBytes(StandardCharsets.UTF_8)));
        return rawRead(List.of(new TopicPartition(Topics.INCIDENT_EVENTS.name(), hash % Topics.INCIDENT_EVENTS.partitions()),
                new TopicPartition(Topics.NOTIFICATION_RESULTS.name(), hash % Topics.NOTIFICATION_RESULTS.partitions())), startOf(incidentId));
    }

    /** As incidentctl's IncidentLog: a day before the date in the id (INC-yyyyMMdd-…), else the beginning; in epoch ms. */
    static long startOf(String incidentId) {
        Matcher dated = DATED_ID.matcher(incidentId);
        try {
            return dated.matches() ? LocalDate.parse(dated.group(1), DateTimeFormatter.BASIC_ISO_DATE).minusDays(1).atStartOfDay(ZoneOffset.UTC)
                    .toInstant().toEpochMilli() : 0;
        } catch (DateTimeParseException e) {
            return 0;
        }
    }

    // ---------------------------------------------------------------- report

    private List<String> reports(Load load, RawRead whole) throws Exception {
        String since = days + "d";
        Run table = incidentctl("report", "--since", since, "--bootstrap-servers", bootstrap);
        List<String> problems = checked("report --since " + since, table, run -> checkReportTable(run, load));
        String result = String.format("%.1f s (peak RSS %,d MiB, CPU %.1f s)%s", table.nanos() / 1e9, table.peakRssKb() / 1024, table.cpuSeconds(),
                problems.isEmpty() ? "; incidents and reviews as produced" : failed(problems));
        report("report --since %s: %s", since, result);
        if (table.nanos() >= 30_000_000_000L) {
            failures.put("report --since " + since + " under 30 s", result);
        }
        Run json = incidentctl("report", "--since", since, "--bootstrap-servers", bootstrap, "-o", "json");
        List<String> jsonProblems = checked("report --since " + since + " -o json", json, run -> checkReportJson(run, load));
        report("report -o json: %s%s", json.describe(), jsonProblems.isEmpty() ? "; every count as produced" : failed(jsonProblems));
        double wholeSeconds = whole.nanos() / 1e9;
        return List.of(String.format("| `./incidentctl report --since %s`, script defaults (-Xmx128m), wall incl. JVM start | %s | < 30 s |", since, result),
                String.format("| `report --since %s -o json`: incidents, severities, pages, deliveries, reviews, action items | %.1f s, %s | |", since,
                        json.nanos() / 1e9, jsonProblems.isEmpty() ? "every count as produced" : "FAILED: " + String.join("; ", jsonProblems)),
                String.format("| raw Kafka: both topics whole (in this JVM, bytes only), %,d records, %,d MiB | %.1f s (%,.0f records/s); "
                                + "CLI report/raw %.1f× | |", whole.records(), whole.bytes() >> 20, wholeSeconds, whole.records() / wholeSeconds,
                        table.nanos() / 1e9 / wholeSeconds));
    }

    /** The report's now is its since plus --since (the CLI takes its since from its clock): the since it prints makes what it counts exact. */
    private Expected expected(Load load, String since) {
        Instant from = Instant.parse(since);
        return Expected.of(load.incidents(), from, from.plus(Duration.ofDays(days)));
    }

    private List<String> checkReportTable(Run run, Load load) {
        Matcher headline = REPORT_HEADLINE.matcher(run.out());
        if (!headline.find()) {
            return List.of("no 'N incidents opened since T;' line");
        }
        Expected expected = expected(load, headline.group(2));
        List<String> problems = new ArrayList<>();
        if (Long.parseLong(headline.group(1)) != expected.incidents()) {
            problems.add(headline.group(1) + " incidents, not " + expected.incidents());
        }
        if (!run.out().contains(expected.reviews().line())) {
            problems.add("no '" + expected.reviews().line() + "'");
        }
        return problems;
    }

    private List<String> checkReportJson(Run run, Load load) throws IOException {
        List<String> problems = new ArrayList<>();
        JsonNode json = JSON.readTree(run.out());
        Expected expected = expected(load, json.path("since").asText());
        long reported = json.path("incidents").asLong(-1);
        long bySeverity = sum(json.path("bySeverity"), "incidents");
        long byService = sum(json.path("byService"), "incidents");
        long pages = sum(json.path("pagesPerResponder"), "pages");
        long delivered = sum(json.path("pagesPerResponder"), "notificationsDelivered");
        if (reported != expected.incidents() || bySeverity != reported || byService != reported) {
            problems.add(String.format("incidents %d (by severity %d, by service %d), not %d", reported, bySeverity, byService, expected.incidents()));
        }
        if (pages != expected.pages() || delivered != expected.delivered()) {
            problems.add(String.format("pages %d and delivered %d, not %d and %d", pages, delivered, expected.pages(), expected.delivered()));
        }
        if (json.path("noisiestAlerts").isEmpty()) {
            problems.add("no noisiest alerts");
        }
        ReviewCounts reviews = ReviewCounts.of(json.path("reviews"));
        if (!reviews.equals(expected.reviews())) {
            problems.add("'" + reviews.line() + "', not '" + expected.reviews().line() + "'"
                    + (reviews.line().equals(expected.reviews().line()) ? " (other incidents overdue)" : ""));
        }
        return problems;
    }

    private static long sum(JsonNode rows, String field) {
        return StreamSupport.stream(rows.spliterator(), false).mapToLong(row -> row.path(field).asLong()).sum();
    }

    // ---------------------------------------------------------------- checks and raw Kafka

    private interface Check {
        List<String> problems(Run run) throws IOException;
    }

    /** A run's problems (its exit, else what the check finds), recorded as a failure of {@code name} when there are some. */
    private List<String> checked(String name, Run run, Check check) {
        List<String> problems;
        try {
            problems = run.exit() != 0 ? List.of("exit " + run.exit() + ": " + lastLine(run.err())) : check.problems(run);
        } catch (IOException | RuntimeException e) {
            problems = List.of("unexpected output: " + e);
        }
        if (!problems.isEmpty()) {
            failures.put(name, String.join("; ", problems) + " (" + run.describe() + ")");
        }
        return problems;
    }

    private static String failed(List<String> problems) {
        return problems.isEmpty() ? "" : " — FAILED: " + String.join("; ", problems);
    }

    private static String lastLine(String text) {
        // Not the progress lines ("reading …: N%") that a long read prints on stderr.
        List<String> lines = text.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("reading ")).toList();
        return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
    }

    private static List<TopicPartition> allPartitions() {
        return Stream.of(Topics.INCIDENT_EVENTS, Topics.NOTIFICATION_RESULTS)
                .flatMap(topic -> IntStream.range(0, topic.partitions()).mapToObj(p -> new TopicPartition(topic.name(), p))).toList();
    }

    /** A byte-array consumer set up as incidentctl's IncidentLog: the partitions from {@code sinceMillis} to their ends as reading began. */
    private RawRead rawRead(List<TopicPartition> partitions, long sinceMillis) {
        long start = System.nanoTime();
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(p -> query.put(p, sinceMillis));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
            partitions.forEach(p -> consumer.seek(p, found.get(p) == null ? end.get(p) : found.get(p).offset()));
            long records = 0;
            long bytes = 0;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() < end.get(new TopicPartition(record.topic(), record.partition()))) {
                        records++;
                        bytes += record.serializedKeySize() + record.serializedValueSize();
                    }
                }
            }
            return new RawRead(records, bytes, System.nanoTime() - start);
        } finally {
            // As incidentctl closes: no group to leave, so no waiting out the fetch in flight.
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
    }

    /** {@code ./incidentctl} as a person runs it: its own JVM, the script's default options, outputs kept in files. */
    private Run incidentctl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        int n = ++runs;
        Path out = outputs.resolve(n + "-" + args[0] + ".out");
        Path err = outputs.resolve(n + "-" + args[0] + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(script.getParent().toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        // The script's defaults: no JVM options or broker from this shell.
        builder.environment().remove("INCIDENTCTL_JAVA_OPTS");
        builder.environment().remove("INCIDENTCTL_BOOTSTRAP_SERVERS");
        long start = System.nanoTime();
        Process process = builder.start();
        long deadline = start + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        long peak = 0;
        double cpu = 0;
        boolean timedOut = false;
        // The script execs java, so this pid is the JVM's; /proc forgets it at exit, so sample while it runs.
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
        String stderr = Files.readString(err) + (timedOut ? "\ntimed out after " + timeoutSeconds + " s" : "");
        return new Run(timedOut ? -1 : process.exitValue(), nanos, Files.readString(out), stderr, peak, cpu);
    }

    // ---------------------------------------------------------------- the generator

    /**
     * A month of incidents as the engine writes them: ids INC-yyyyMMdd-P-NNNN (the day, the partition
     * of the correlation key, a count per day and partition), the events of the lifecycle's commands
     * (event ids command/index, contiguous sequences, the command's actor and time), the pages of
     * escalation-stream, the notifier's results, and the reviews of incidents that end SEV0-SEV2.
     * Incidents open at a steady pace with a jitter; each one's events follow over minutes to hours
     * (its review's over days), so incidents overlap in the log.
     */
    static final class LogGenerator {

        record Pending(long at, long order, ProducerRecord<String, Object> record) {
        }

        record Generated(Incident expected, List<Pending> records) {
        }

        private record AlertKind(String name, String summary, String description) {
        }

        private record Ev(long at, Actor actor, String command, int index, Object payload) {

            String eventId() {
                return command + "/" + index;
            }
        }

        private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd").withZone(ZoneOffset.UTC);
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
        private static final long[] MEAN_RESOLVE_MINUTES = {40, 60, 90, 180, 300};
        private static final String[] ACK_MESSAGES = {"on it", "looking", "investigating", null, "ack, checking dashboards", null};
        private static final String[] NOTES = {"Started after deploy %s; rolling back", "Error budget burn %.0f%% in the last hour",
            "Upstream provider reports degraded service (ticket %s)", "Scaled out to %.0f replicas", "Runbook step 3 done, no change",
            "Customer support reports failures, ref %s", "Disabled feature flag %s", "Restarted the consumers; lag draining at %.0fk/min"};
        private static final String[] UPDATES = {"Investigating elevated errors on %s", "Mitigation in progress on %s; most requests succeed",
            "Identified the cause on %s; fix rolling out", "Monitoring %s after the fix"};
        private static final String[] RESOLUTIONS = {"Rolled back deploy %s", "Failed over to the secondary database (%s)",
            "Raised the connection pool limit (%s)", "Renewed the certificate (%s)", "Cleared the backlog after fixing the consumer (%s)",
            "Provider incident over (%s)", "Freed disk space and added an alert on growth (%s)"};
        private static final String[] ACTION_ITEMS = {"Alert on %s error budget burn before customers notice", "Add a canary stage to %s deploys",
            "Load test %s at twice the peak", "Automate the %s failover runbook", "Cap %s retries to stop retry storms"};
        private static final Actor ESCALATION = new Actor(ActorType.SYSTEM, "escalation-stream", "Escalation");
        private static final Actor LIFECYCLE = new Actor(ActorType.SYSTEM, "incident-stream", "incident lifecycle timer");
        private static final long MINUTE = 60_000;
        private static final long HOUR = 60 * MINUTE;
        private static final long DAY_MS = 24 * HOUR;
        private static final long REVIEW_DUE = 48 * HOUR; // the engine's incident.review.due.hours default

        private final Random random;
        private final long baseMs;
        private final long firstOpenMs;
        private final double spacingMs;
        private final int eventsPerIncident;
        private final Map<String, Integer> counters = new HashMap<>();
        private long order;
        private int budget;

        LogGenerator(Random random, Instant base, int days, int incidents, int eventsPerIncident) {
            this.random = random;
            this.baseMs = base.toEpochMilli();
            // An hour inside the window at its old end, so a report run within the hour counts every incident; the last opens ten minutes ago.
            this.firstOpenMs = baseMs - Duration.ofDays(days).toMillis() + HOUR;
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
            String id = String.format("INC-%s-%d-%04d", day, owner, counters.merge(day + "/" + owner, 1, Integer::sum));
            String policy = service + "-default";
            // Two services a team of four; the on-call turn changes weekly.
            int team = serviceIndex / 2 * 4;
            long week = t0 / (7 * DAY_MS);
            String primary = PEOPLE[team + (int) (week % 4)];
            String secondary = PEOPLE[team + (int) ((week + 1) % 4)];

            // What happens. Every incident has five events (opened, alert, page, acknowledged, resolved) and a sixth that is the
            // review the engine requires when it resolves SEV0-SEV1 (recommends for SEV2), else a note; what is drawn here takes
            // the slots beyond those, and notes fill the rest.
            budget = eventsPerIncident - 6;
            boolean autoResolve = draw(0.4, 1);
            boolean closed = draw(0.7, 1);
            boolean secondLevel = draw(0.25, 1);
            boolean secondAlert = draw(0.3, autoResolve ? 2 : 1);
            boolean raised = secondAlert && severity != Severity.SEV0 && draw(0.4, 1);
            Severity current = raised ? Severity.values()[severity.ordinal() - 1] : severity;
            boolean reviewed = current.ordinal() <= Severity.SEV2.ordinal();
            boolean required = current.ordinal() <= Severity.SEV1.ordinal();
            boolean actionItem = reviewed && draw(0.3, 1);
            boolean completed = actionItem && draw(0.5, 1);
            boolean published = reviewed && draw(required ? 0.6 : 0.2, 1);

            // When, in ms after opening; squeezed if the incident would end after now.
            long policyDelay = (severity.ordinal() <= 2 ? 5 : 15) * MINUTE;
            long esc0 = 300 + random.nextInt(2_000);
            long esc1 = policyDelay + 300 + random.nextInt(2_000);
            double u = random.nextDouble();
            long ack = secondLevel ? esc1 + 30_000 + (long) (u * u * 15 * MINUTE) : esc0 + 15_000 + (long) (u * u * (policyDelay - 45_000));
            long resolve = ack + 5 * MINUTE + Math.min(12 * HOUR,
                    (long) (-Math.log(1 - random.nextDouble()) * MEAN_RESOLVE_MINUTES[severity.ordinal()] * MINUTE));
            boolean closedByTimer = random.nextDouble() < 0.85;
            long close = closedByTimer ? resolve + HOUR : resolve + 5 * MINUTE + random.nextInt(180) * MINUTE;
            long limit = baseMs - 1_000 - t0;
            long last = closed ? close : resolve;
            if (last > limit) {
                double squeeze = limit / (double) last;
                esc0 *= squeeze;
                esc1 *= squeeze;
                ack *= squeeze;
                resolve *= squeeze;
                close *= squeeze;
            }
            long secondAlertAt = ack + (long) ((0.2 + 0.3 * random.nextDouble()) * (resolve - ack));
            // A review's follow-ups, each a command of its own, from four hours after the resolution (so after the close, at most
            // 3 h 5 min after it); one that would come after now is a note instead, so the incident keeps its events.
            long actionItemAt = resolve + 4 * HOUR + (long) (random.nextDouble() * 44 * HOUR);
            long actionItemDue = actionItemAt + (3 + random.nextInt(19)) * DAY_MS;
            long completedAt = actionItemAt + DAY_MS + (long) (random.nextDouble() * 13 * DAY_MS);
            long publishedAt = resolve + 4 * HOUR + (long) (random.nextDouble() * 92 * HOUR);
            actionItem &= actionItemAt <= limit;
            completed &= actionItem && completedAt <= limit;
            published &= publishedAt <= limit;

            // The events, each with its command's actor and id.
            String instance = service + "-" + (1 + random.nextInt(24));
            Alert first = alert(kind, service, instance, severity, t0, t0 - (20_000 + random.nextInt(280_000)));
            Actor integration = new Actor(ActorType.INTEGRATION, first.getIntegrationId(), first.getSource());
            List<Ev> events = new ArrayList<>();
            String attach = "attach:" + first.getFingerprint() + "@" + t0;
            Ev opened = new Ev(t0, integration, attach, 0, new IncidentOpened(first.getSummary(), severity, service, correlationKey, policy,
                    first.getLabels(), true, null, null, java.util.Map.of(), null, null));
            events.add(opened);
            events.add(new Ev(t0, integration, attach, 1, new AlertAttached(first)));
            // Escalation-stream pages the primary, and the secondary when the primary has not acknowledged after the policy's delay.
            List<String> paged = secondLevel ? List.of(primary, secondary) : List.of(primary);
            List<Ev> pages = new ArrayList<>();
            for (int level = 0; level < paged.size(); level++) {
                long at = t0 + (level == 0 ? esc0 : esc1);
                pages.add(new Ev(at, ESCALATION, "escalate:0:" + level + ":" + id + ":1@" + at, 0, new IncidentEscalated(policy, level, 0,
                        List.of(target(service + (level == 0 ? "-primary" : "-secondary"), paged.get(level))))));
            }
            events.addAll(pages);
            String acknowledger = paged.get(paged.size() - 1);
            Actor person = person(acknowledger);
            events.add(new Ev(t0 + ack, person, uuid(), 0, new IncidentAcknowledged(ACK_MESSAGES[random.nextInt(ACK_MESSAGES.length)])));
            Alert second = null;
            if (secondAlert) {
                long at = t0 + secondAlertAt;
                second = alert(ALERTS[random.nextInt(ALERTS.length)], service, service + "-" + (1 + random.nextInt(24)), current, at,
                        at - (20_000 + random.nextInt(100_000)));
                String command = "attach:" + second.getFingerprint() + "@" + at;
                events.add(new Ev(at, integration, command, 0, new AlertAttached(second)));
                if (raised) {
                    events.add(new Ev(at, integration, command, 1, new SeverityChanged(severity, current, "alert " + second.getFingerprint(), false)));
                }
            }
            long resolvedAt = t0 + resolve;
            String resolution;
            Ev resolved;
            if (autoResolve) {
                resolution = "all alerts resolved";
                if (second != null) {
                    long at = (t0 + secondAlertAt + resolvedAt) / 2;
                    events.add(new Ev(at, integration, "resolve:" + first.getFingerprint() + "@" + at, 0,
                            new AlertResolved(first.getFingerprint(), Instant.ofEpochMilli(at - 45_000))));
                }
                Alert lastAlert = second != null ? second : first;
                String command = "resolve:" + lastAlert.getFingerprint() + "@" + resolvedAt;
                events.add(new Ev(resolvedAt, integration, command, 0, new AlertResolved(lastAlert.getFingerprint(),
                        Instant.ofEpochMilli(resolvedAt - 45_000))));
                resolved = new Ev(resolvedAt, integration, command, 1, new IncidentResolved(resolution));
            } else {
                resolution = String.format(RESOLUTIONS[random.nextInt(RESOLUTIONS.length)], "OPS-" + (10_000 + random.nextInt(90_000)));
                resolved = new Ev(resolvedAt, person, uuid(), 0, new IncidentResolved(resolution));
            }
            events.add(resolved);
            Review review = null;
            if (reviewed) {
                // Decided with the resolution: its command, time and actor, the next event.
                events.add(new Ev(resolvedAt, resolved.actor(), resolved.command(), resolved.index() + 1, new ReviewRequired(required,
                        Instant.ofEpochMilli(resolvedAt + REVIEW_DUE), current + (required ? " incidents are reviewed" : " incidents are worth a review"))));
                review = new Review(required, resolvedAt + REVIEW_DUE, published, actionItem, completed, t0 + actionItemDue);
            }
            int notes = eventsPerIncident - events.size() - (closed ? 1 : 0) - (actionItem ? 1 : 0) - (completed ? 1 : 0) - (published ? 1 : 0);
            for (int i = 0; i < notes; i++) {
                String who = random.nextInt(3) == 0 ? PEOPLE[team + random.nextInt(4)] : acknowledger;
                Object payload = random.nextInt(3) == 0
                        ? new StatusUpdatePosted(String.format(UPDATES[random.nextInt(UPDATES.length)], service))
                        : new NoteAdded(note(NOTES[random.nextInt(NOTES.length)]));
                events.add(new Ev(t0 + ack + (long) (random.nextDouble() * (resolve - ack)), person(who), uuid(), 0, payload));
            }
            if (closed) {
                long at = t0 + close;
                // The timer's command names the incident's version when it fired: the events so far, all of them earlier.
                events.add(closedByTimer
                        ? new Ev(at, LIFECYCLE, "timer:close:" + id + ":" + events.size(), 0, new IncidentClosed("closed 60 min after it resolved"))
                        : new Ev(at, person, uuid(), 0, new IncidentClosed("postmortem scheduled")));
            }
            String itemOwner = PEOPLE[team + random.nextInt(4)];
            if (actionItem) {
                // HIGH or MEDIUM for a required review, MEDIUM or LOW for a recommended one.
                ActionItemPriority priority = ActionItemPriority.values()[(required ? 0 : 1) + random.nextInt(2)];
                String link = random.nextBoolean() ? "https://tracker.example/OPS-" + (10_000 + random.nextInt(90_000)) : null;
                events.add(new Ev(t0 + actionItemAt, person, uuid(), 0, new ActionItemAdded("AI-1", String.format(
                        ACTION_ITEMS[random.nextInt(ACTION_ITEMS.length)], service), itemOwner, Instant.ofEpochMilli(t0 + actionItemDue), priority, link)));
            }
            if (completed) {
                events.add(new Ev(t0 + completedAt, person(itemOwner), uuid(), 0, new ActionItemCompleted("AI-1")));
            }
            if (published) {
                events.add(new Ev(t0 + publishedAt, person, uuid(), 0, new ReviewPublished("https://docs.example/reviews/" + id)));
            }
            events.sort(Comparator.comparingLong(Ev::at)); // stable: a command's events at one time keep their order
            if (events.size() != eventsPerIncident) {
                throw new IllegalStateException(id + ": " + events.size() + " events, not " + eventsPerIncident);
            }
            List<Pending> records = new ArrayList<>();
            for (int i = 0; i < events.size(); i++) {
                Ev ev = events.get(i);
                records.add(pending(Topics.INCIDENT_EVENTS.name(), id, ev.at(), IncidentEvent.newBuilder().setEventId(ev.eventId()).setIncidentId(id)
                        .setSequence(i + 1).setTimestamp(Instant.ofEpochMilli(ev.at())).setActor(ev.actor()).setCauseId(ev.command())
                        .setPayload(ev.payload()).build()));
            }

            // The notifier: each paged user's contact steps until the acknowledgement; the service's room hears of severe ones.
            int delivered = 0;
            for (int level = 0; level < pages.size(); level++) {
                int user = index(paged.get(level));
                Ev page = pages.get(level);
                long[] stepAt = {page.at(), page.at() + STEP_DELAYS[user % STEP_DELAYS.length] * MINUTE};
                for (int step = 0; step < 2 && (step == 0 || stepAt[step] < t0 + ack); step++) {
                    NotificationResult result = result(id, page.eventId(), "page", PEOPLE[user], PLANS[user % PLANS.length][step].toLowerCase(), step,
                            stepAt[step]);
                    records.add(pending(Topics.NOTIFICATION_RESULTS.name(), id, result.getTimestamp().toEpochMilli(), result));
                    delivered += result.getOutcome() == DeliveryOutcome.DELIVERED ? 1 : 0;
                }
            }
            if (severity.ordinal() <= 2) {
                for (Ev news : List.of(opened, resolved)) {
                    NotificationResult result = result(id, news.eventId(), news == opened ? "opened" : "resolved", service + "-room", "slack", 0,
                            news.at());
                    records.add(pending(Topics.NOTIFICATION_RESULTS.name(), id, result.getTimestamp().toEpochMilli(), result));
                }
            }
            return new Generated(new Incident(id, t0, first.getSummary(), resolution, events.size(), records.size() - events.size(), pages.size(),
                    delivered, review), records);
        }

        /** True with probability p if the incident has {@code slots} events left to give, which it then gives. */
        private boolean draw(double p, int slots) {
            boolean drawn = random.nextDouble() < p && budget >= slots;
            budget -= drawn ? slots : 0;
            return drawn;
        }

        private Pending pending(String topic, String key, long at, Object value) {
            return new Pending(at, order++, new ProducerRecord<>(topic, null, at, key, value));
        }

        private Severity severity() {
            double p = random.nextDouble();
            return p < 0.02 ? Severity.SEV0 : p < 0.10 ? Severity.SEV1 : p < 0.35 ? Severity.SEV2 : p < 0.80 ? Severity.SEV3 : Severity.SEV4;
        }

        private Alert alert(AlertKind kind, String service, String instance, Severity severity, long receivedAt, long startsAt) {
            Map<String, String> labels = Map.of("alertname", kind.name(), "service", service, "env", "prod", "severity", severity.name().toLowerCase(),
                    "instance", instance + ":9102", "team", "team-" + (Arrays.asList(SERVICES).indexOf(service) / 2));
            String summary = String.format(kind.summary(), service, 1 + random.nextDouble() * 98);
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
            return Arrays.asList(PEOPLE).indexOf(person);
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
