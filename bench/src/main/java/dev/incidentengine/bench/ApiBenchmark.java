package dev.incidentengine.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.deploy.KafkaBroker;
import dev.incidentengine.incident.IncidentStreamConfig;
import dev.incidentengine.incident.IncidentTopology;
import dev.incidentengine.incident.query.IncidentQueryTopology;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import static dev.incidentengine.bench.BenchSupport.deleteRecursively;
import static dev.incidentengine.testkit.TopicContents.freePort;
import static dev.incidentengine.bench.BenchSupport.millis;
import static dev.incidentengine.bench.BenchSupport.report;
import static dev.incidentengine.bench.IncidentHistory.id;
import static dev.incidentengine.bench.IncidentHistory.name;
import static dev.incidentengine.bench.IncidentHistory.service;

/**
 * The read side with a long history, on this machine: a real broker process; {@code --incidents}
 * incidents of {@code --events} events each written to {@code incident.events.v1} and
 * {@code incident.state.v1} as the aggregate writes them, a year apart; incident-stream in a JVM
 * of its own. Measures how long the read side takes to take that history in (against a raw
 * consumer of the same records), the API's latency at a steady request rate, cold and warm, the
 * engine's RSS, the time until ready on a restart with local state and with it wiped, and the
 * change feed's lag behind the log (against a raw consumer of the same events).
 */
@Command(name = "api-benchmark", mixinStandardHelpOptions = true)
public final class ApiBenchmark implements Callable<Integer> {

    private static final String TOKEN = "bench-viewer-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--incidents", defaultValue = "1000000", description = "Incidents in the history (default ${DEFAULT-VALUE}).")
    int incidents;

    @Option(names = "--rate", defaultValue = "200", description = "API requests per second, all kinds together (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--cold-seconds", defaultValue = "15", description = "Seconds measured right after the start (default ${DEFAULT-VALUE}).")
    int coldSeconds;

    @Option(names = "--warm-seconds", defaultValue = "60", description = "Seconds measured after those (default ${DEFAULT-VALUE}).")
    int warmSeconds;

    @Option(names = "--feed-rate", defaultValue = "1000", description = "Events per second in the change feed phase (default ${DEFAULT-VALUE}).")
    int feedRate;

    @Option(names = "--feed-seconds", defaultValue = "30", description = "Seconds of the change feed phase (default ${DEFAULT-VALUE}).")
    int feedSeconds;

    // incident-stream alone within 1 GiB at a million incidents: the heap limit sets the first start's peak, and C1 (as the
    // local engine runs) spares the compiler's memory and warm-up; a 10 ms pause goal halves G1's young pauses, which are
    // most of the API's p99 (README, Performance).
    @Option(names = "--engine-jvm-options", defaultValue = "-Xmx448m -XX:TieredStopAtLevel=1 -XX:MaxGCPauseMillis=10",
            description = "JVM options of incident-stream (default '${DEFAULT-VALUE}'); {start} is the start's number (1 to 3), "
                    + "e.g. -XX:StartFlightRecording=filename=engine-{start}.jfr.")
    String engineJvmOptions;

    @Option(names = "--keep-data-dir", description = "Keep the run's directory after a successful run.")
    boolean keepDataDir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private String bootstrap;
    private IncidentHistory history;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ApiBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("api-bench");
        KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"), "127.0.0.1", freePort(), freePort());
        broker.start(Duration.ofSeconds(60));
        bootstrap = broker.bootstrapServers();
        boolean succeeded = false;
        EngineProcess engine = null;
        try {
            try (Admin admin = admin()) {
                BenchSupport.createTopics(admin, Topics.ALL);
            }
            report("machine: %d cores, %s, Java %s", Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                    System.getProperty("java.version"));
            // One in a hundred stays open.
            history = new IncidentHistory(incidents, incidents / 100);
            long loadStart = System.nanoTime();
            long records = history.write(bootstrap);
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            report("history: %,d incidents, %,d events and %,d states written in %.1f s (%,.0f records/s, raw Kafka produce)",
                    incidents, (long) incidents * IncidentHistory.EVENTS, (long) incidents, loadSeconds, records / loadSeconds);
            double rawSeconds = rawRead();
            report("raw Kafka: a consumer reads those %,d records in %.1f s (%,.0f records/s)", records, rawSeconds, records / rawSeconds);

            Map<String, String> settings = settings(dir);
            engine = EngineProcess.start(dir.resolve("engine"), jvmOptions(1), settings, freePort());
            Start first = awaitStart(engine, "first start (the read side takes in the whole history)");
            report("read side took in the history at %,.0f records/s (raw consumer %,.0f; ratio %.2f)", records / first.caughtUpSeconds,
                    records / rawSeconds, rawSeconds / first.caughtUpSeconds);

            Queries cold = queries(engine, coldSeconds, "cold (right after taking in the history)");
            Queries warm = queries(engine, warmSeconds, "warm");
            long rssAfterQueries = engine.rssKb();
            Feed feed = feed(engine);
            long peakRss = engine.peakRssKb();

            engine.close();
            engine = EngineProcess.start(dir.resolve("engine"), jvmOptions(2), settings, freePort());
            Start withState = awaitStart(engine, "restart with local state");
            Queries afterRestart = queries(engine, coldSeconds, "cold (after a restart with local state)");
            engine.close();
            deleteRecursively(dir.resolve("engine/state"));
            engine = EngineProcess.start(dir.resolve("engine"), jvmOptions(3), settings, freePort());
            Start wiped = awaitStart(engine, "restart with local state wiped (restored from changelogs)");
            peakRss = Math.max(peakRss, engine.peakRssKb());

            System.out.println();
            System.out.printf("| requests at %d/s | get p50 / p99 ms | list p50 / p99 | deep page p50 / p99 | events p50 / p99 "
                    + "| search p50 / p99 | /healthz p50 / p99 (no read) | errors |%n", rate);
            System.out.println("|---|---|---|---|---|---|---|---|");
            for (Queries run : List.of(cold, warm, afterRestart)) {
                System.out.printf("| %s | %s | %s | %s | %s | %s | %s | %d |%n", run.name, run.cell("get"), run.cell("list"), run.cell("deep"),
                        run.cell("events"), run.cell("search"), run.cell("healthz"), run.errors.get());
            }
            System.out.println();
            System.out.println("| target | result | met |");
            System.out.println("|---|---|---|");
            target("get p99 ≤ 20 ms (warm)", warm.p99("get"), 20);
            target("list p99 ≤ 50 ms (warm, first page with filters)", warm.p99("list"), 50);
            target("list p99 ≤ 50 ms (warm, deep page)", warm.p99("deep"), 50);
            target("events p99 ≤ 50 ms (warm)", warm.p99("events"), 50);
            target("search p99 ≤ 200 ms (warm)", warm.p99("search"), 200);
            System.out.printf("| engine RSS ≤ 1 GiB at %,d incidents | %,d MiB peak over the run, %,d MiB after the queries | %s |%n",
                    incidents, peakRss / 1024, rssAfterQueries / 1024, yes(peakRss <= 1024 * 1024));
            System.out.printf("| ready ≤ 10 s after a restart with local state | ready in %.1f s, caught up in %.1f s | %s |%n",
                    withState.readySeconds, withState.caughtUpSeconds, yes(withState.readySeconds <= 10));
            System.out.printf("| ready after a restart with local state wiped (no target) | ready in %.1f s, caught up in %.1f s | – |%n",
                    wiped.readySeconds, wiped.caughtUpSeconds);
            System.out.printf("| change feed lag p99 ≤ 500 ms at %,d events/s | p50 %.1f, p99 %.1f, max %.1f ms (raw consumer p99 %.1f ms); "
                            + "%,d of %,d received | %s |%n", feedRate, millis(feed.sse, 50), millis(feed.sse, 99),
                    feed.sse.getMaxValue() / 1e6, millis(feed.raw, 99), feed.sse.getTotalCount(), feed.sent,
                    yes(millis(feed.sse, 99) <= 500 && feed.sse.getTotalCount() == feed.sent));
            if (feed.sse.getTotalCount() != feed.sent) {
                failures.put("change feed", feed.sse.getTotalCount() + " of " + feed.sent + " events received");
            }
            for (Queries run : List.of(cold, warm, afterRestart)) {
                if (run.errors.get() > 0) {
                    failures.put("queries " + run.name, run.errors.get() + " requests failed; first: " + run.firstError);
                }
            }
            failures.forEach((check, detail) -> report("FAILED %s: %s", check, detail));
            succeeded = failures.isEmpty();
            return succeeded ? 0 : 1;
        } finally {
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

    /** The checks that failed in the last run (not the performance targets). */
    Map<String, String> failures() {
        return failures;
    }

    private static void target(String name, double p99, double limit) {
        System.out.printf("| %s | %.1f ms | %s |%n", name, p99, yes(p99 <= limit));
    }

    private static String yes(boolean met) {
        return met ? "yes" : "no";
    }

    private List<String> jvmOptions(int start) {
        return Arrays.stream(engineJvmOptions.strip().split("\\s+")).filter(s -> !s.isEmpty())
                .map(option -> option.replace("{start}", Integer.toString(start))).toList();
    }

    private Map<String, String> settings(Path dir) throws IOException {
        Path tokens = dir.resolve("api-tokens.yaml");
        Files.writeString(tokens, "tokens:\n  - {user: bench, role: viewer, token: " + TOKEN + "}\n");
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("engine/state").toString());
        settings.put(IncidentStreamConfig.API_TOKENS_FILE_CONFIG, tokens.toString());
        return settings;
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    /** Seconds a plain consumer takes to read both topics from the start. */
    private double rawRead() {
        long begin = System.nanoTime();
        for (String topic : List.of(Topics.INCIDENT_EVENTS.name(), Topics.INCIDENT_STATE.name())) {
            BenchSupport.scan(bootstrap, topic, true, record -> {
            });
        }
        return (System.nanoTime() - begin) / 1e9;
    }

    // ---- starts

    private record Start(double readySeconds, double caughtUpSeconds) {
    }

    /** Time until /readyz says ready, and until the read side's group has read every input record. */
    private Start awaitStart(EngineProcess engine, String name) throws Exception {
        long begin = System.nanoTime();
        engine.awaitReady(Duration.ofMinutes(60));
        double ready = (System.nanoTime() - begin) / 1e9;
        try (Admin admin = admin()) {
            BenchSupport.awaitCaughtUp(admin, engine, Map.of(IncidentQueryTopology.applicationId(IncidentTopology.APPLICATION_ID),
                    List.of(Topics.INCIDENT_EVENTS.name(), Topics.INCIDENT_STATE.name(), Topics.INCIDENT_COMMAND_RESULTS.name())), name);
        }
        double caughtUp = (System.nanoTime() - begin) / 1e9;
        report("%s: ready in %.1f s, caught up in %.1f s, RSS %,d MiB", name, ready, caughtUp, engine.rssKb() / 1024);
        return new Start(ready, caughtUp);
    }

    // ---- queries

    private static final List<String> KINDS = List.of("get", "list", "deep", "events", "search", "healthz");

    private static final class Queries {
        final String name;
        final Map<String, Histogram> latency = new LinkedHashMap<>();
        final AtomicLong errors = new AtomicLong();
        volatile String firstError;

        Queries(String name) {
            this.name = name;
            for (String kind : KINDS) {
                latency.put(kind, new Histogram(TimeUnit.MINUTES.toNanos(1), 3));
            }
        }

        double p99(String kind) {
            return millis(latency.get(kind), 99);
        }

        String cell(String kind) {
            Histogram histogram = latency.get(kind);
            return String.format("%.1f / %.1f (%,d)", millis(histogram, 50), millis(histogram, 99), histogram.getTotalCount());
        }

        synchronized void record(String kind, long nanos) {
            latency.get(kind).recordValue(Math.min(nanos, TimeUnit.MINUTES.toNanos(1)));
        }

        void fail(String what) {
            if (errors.incrementAndGet() == 1) {
                firstError = what;
            }
        }
    }

    /**
     * Open loop at {@link #rate} requests/s, the six kinds in turn, each timed from when it was due
     * (a slow answer does not hold back the next request): a random incident, its events, a first page
     * of a filtered list, a page deep in one, a two-word search, and {@code /healthz}: the same
     * client, connection and server with no read at all, the floor the others are measured against.
     */
    private Queries queries(EngineProcess engine, int seconds, String name) throws Exception {
        Queries run = new Queries(name);
        Random random = new Random(seconds * 31L + name.length());
        String deepCursor = deepCursor(engine);
        List<IntFunction<String>> kinds = List.of(
                r -> "/api/v1/incidents/" + id(r),
                r -> "/api/v1/incidents?status=RESOLVED&service=" + service(r) + "&limit=50",
                r -> "/api/v1/incidents?service=svc-07&limit=50&cursor=" + deepCursor,
                r -> "/api/v1/incidents/" + id(r) + "/events",
                r -> "/api/v1/incidents?limit=50&search=" + URLEncoder.encode(name(r) + " " + service(r), StandardCharsets.UTF_8),
                r -> "/healthz");
        long total = (long) rate * seconds;
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long begin = System.nanoTime();
        List<java.util.concurrent.CompletableFuture<?>> pending = new ArrayList<>();
        for (long n = 0; n < total; n++) {
            long due = begin + n * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int kind = (int) (n % kinds.size());
            String path = kinds.get(kind).apply(random.nextInt(incidents));
            HttpRequest request = HttpRequest.newBuilder(URI.create(engine.baseUrl() + path)).header("Authorization", "Bearer " + TOKEN)
                    .timeout(Duration.ofSeconds(30)).build();
            pending.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) -> {
                long took = System.nanoTime() - due;
                if (failure != null || response.statusCode() != 200) {
                    run.fail(path + ": " + (failure != null ? failure.toString() : response.statusCode() + " "
                            + new String(response.body(), StandardCharsets.UTF_8)));
                } else {
                    run.record(KINDS.get(kind), took);
                }
            }));
        }
        for (var future : pending) {
            try {
                future.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Counted as an error above.
            }
        }
        report("queries %s: %,d requests at %d/s; get %s, list %s, deep page %s, events %s, search %s, /healthz %s ms (p50 / p99 (count)); "
                        + "errors %d; RSS %,d MiB", name, total, rate, run.cell("get"), run.cell("list"), run.cell("deep"), run.cell("events"),
                run.cell("search"), run.cell("healthz"), run.errors.get(), engine.rssKb() / 1024);
        return run;
    }

    /** The cursor of a page about a fifth into one service's list (its incidents over the whole year). */
    private String deepCursor(EngineProcess engine) throws Exception {
        int pages = Math.max(1, incidents / IncidentHistory.SERVICES / 50 / 5);
        String cursor = null;
        for (int page = 0; page < pages; page++) {
            JsonNode body = get(engine, "/api/v1/incidents?service=svc-07&limit=50" + (cursor == null ? "" : "&cursor=" + cursor));
            if (body.get("nextCursor").isNull()) {
                break;
            }
            cursor = body.get("nextCursor").asText();
        }
        return cursor;
    }

    private JsonNode get(EngineProcess engine, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(engine.baseUrl() + path))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    // ---- the change feed

    private record Feed(long sent, Histogram sse, Histogram raw) {
    }

    /**
     * New incidents' events at {@link #feedRate}/s for {@link #feedSeconds}: the time from each write
     * until the change feed delivered it, and until a plain consumer (read_committed) read it.
     */
    private Feed feed(EngineProcess engine) throws Exception {
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Histogram sse = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
        Histogram raw = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(URI.create(engine.baseUrl() + "/api/v1/stream"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofInputStream());
        if (stream.statusCode() != 200) {
            throw new IllegalStateException("the change feed answered " + stream.statusCode());
        }
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("data: ")) {
                        long now = System.nanoTime();
                        String eventId = JSON.readTree(line.substring(6)).get("event").get("eventId").asText();
                        Long sent = sentAt.get(eventId);
                        if (sent != null) {
                            synchronized (sse) {
                                sse.recordValue(Math.min(now - sent, TimeUnit.MINUTES.toNanos(1)));
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // Closed at the end of the phase.
            }
        }, "bench-sse");
        reader.setDaemon(true);
        reader.start();
        Map<String, Object> consumerProps = new LinkedHashMap<>();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.INCIDENT_EVENTS.name()).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        Thread rawReader = new Thread(() -> {
            try {
                while (true) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        long now = System.nanoTime();
                        Long sent = sentAt.get(new String(record.key(), StandardCharsets.UTF_8) + "/1");
                        if (sent != null) {
                            synchronized (raw) {
                                raw.recordValue(Math.min(now - sent, TimeUnit.MINUTES.toNanos(1)));
                            }
                        }
                    }
                }
            } catch (WakeupException e) {
                // Done.
            } finally {
                consumer.close();
            }
        }, "bench-raw-consumer");
        rawReader.start();

        Map<String, Object> props = new LinkedHashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        long sent = (long) feedRate * feedSeconds;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            long interval = TimeUnit.SECONDS.toNanos(1) / feedRate;
            long begin = System.nanoTime();
            for (int n = 0; n < sent; n++) {
                long due = begin + n * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                // One opening per new incident: the raw consumer finds it by key, the feed by event id.
                IncidentHistory.Incident incident = history.opened(incidents + n, Instant.now());
                sentAt.put(incident.events().get(0).getEventId(), due);
                producer.send(history.eventRecord(incident, 0));
            }
            producer.flush();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && (sse.getTotalCount() < sent || raw.getTotalCount() < sent)) {
            Thread.sleep(100);
        }
        consumer.wakeup();
        stream.body().close();
        rawReader.join(5_000);
        report("change feed: %,d events at %,d/s; lag p50 %.1f, p99 %.1f, max %.1f ms (%,d received); raw consumer p50 %.1f, p99 %.1f ms",
                sent, feedRate, millis(sse, 50), millis(sse, 99), sse.getMaxValue() / 1e6, sse.getTotalCount(), millis(raw, 50),
                millis(raw, 99));
        return new Feed(sent, sse, raw);
    }
}
