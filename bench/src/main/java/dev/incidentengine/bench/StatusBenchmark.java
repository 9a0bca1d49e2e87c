package dev.incidentengine.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.deploy.KafkaBroker;
import dev.incidentengine.model.PublicIncidentChanged;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.status.StatusPageServiceConfig;
import dev.incidentengine.status.StatusPageTopology;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import static dev.incidentengine.bench.BenchSupport.deleteRecursively;
import static dev.incidentengine.bench.BenchSupport.exitCode;
import static dev.incidentengine.testkit.TopicContents.freePort;
import static dev.incidentengine.bench.BenchSupport.report;

/**
 * The status page on this machine: a real broker process, the local engine (all services, the
 * status page's among them) in a JVM of its own, and the load, the readers and an SMTP sink in
 * this one, all on the same cores. Before the engine starts: {@code --days} of published incidents
 * and public maintenance over {@code --components} components ({@link StatusHistory}), written as
 * the aggregate writes them, so the engine's own status-page writer builds the page's log.
 * (1) Reads: {@code /healthz} (the same server and client with no page at all: the baseline),
 * {@code /status} and {@code /api/v2/summary.json} in turn, each open loop at {@code --rate} requests/s
 * on a fixed schedule, every latency counted from the request's planned send time (a stalled
 * server cannot hide behind a client that waits for it): first right after the start (cold), then
 * {@code --seconds} each (warm). (2) Publish → page: an incident opened by an alert, published, then
 * {@code --updates} public updates through the API on a fixed schedule, each timed from the API's
 * 2xx until a reader polling {@code /api/v2/summary.json} (with If-None-Match) sees it, against a
 * plain read_committed consumer of {@code status.page.v1}. (3) Fan-out: {@code --subscribers}
 * confirmed e-mail subscribers, then a public update, counted at an SMTP sink in this JVM until
 * every subscriber has it, against raw SMTP to the same sink; then a second update with the
 * engine killed (SIGKILL) part-way through its fan-out and started again on the same data: every
 * subscriber must get that update exactly once. The sink is this JVM's, not the local engine's
 * own, so that it outlives the kill.
 */
@Command(name = "status-benchmark", mixinStandardHelpOptions = true)
public final class StatusBenchmark implements Callable<Integer> {

    @Option(names = "--components", defaultValue = "50", description = "Components of the status page (default ${DEFAULT-VALUE}).")
    int components;

    @Option(names = "--days", defaultValue = "730", description = "Days of history (default ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--incidents-per-week", defaultValue = "3", description = "Published incidents a week in the history (default ${DEFAULT-VALUE}).")
    int incidentsPerWeek;

    @Option(names = "--rate", defaultValue = "500", description = "Requests per second to each page (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--cold-seconds", defaultValue = "5",
            description = "Seconds of each page right after the engine's start (default ${DEFAULT-VALUE}).")
    int coldSeconds;

    @Option(names = "--seconds", defaultValue = "30", description = "Seconds of each page warm (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--connections", defaultValue = "4",
            description = "HTTP clients the reads go out on, in turn; each opens connections as it needs them (default ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--updates", defaultValue = "100", description = "Public updates timed from publication to page (default ${DEFAULT-VALUE}).")
    int updates;

    @Option(names = "--update-every-ms", defaultValue = "500", description = "One public update this often (default ${DEFAULT-VALUE}).")
    int updateEveryMs;

    @Option(names = "--poll-ms", defaultValue = "10",
            description = "The page reader asks /api/v2/summary.json again this long after each answer (default ${DEFAULT-VALUE}).")
    int pollMs;

    @Option(names = "--subscribers", defaultValue = "10000", description = "Confirmed e-mail subscribers (default ${DEFAULT-VALUE}).")
    int subscribers;

    @Option(names = "--kill-after", defaultValue = "0.33",
            description = "The second fan-out's engine is SIGKILLed once this share of the subscribers has the update (default ${DEFAULT-VALUE}).")
    double killAfter;

    @Option(names = "--stall-seconds", defaultValue = "120",
            description = "A fan-out fails when no message arrives for this long (default ${DEFAULT-VALUE}).")
    int stallSeconds;

    @Option(names = "--engine-jvm-options", defaultValue = BenchSupport.LOCAL_ENGINE_JVM_OPTIONS,
            description = "JVM options of the local engine (default '${DEFAULT-VALUE}', as ./incident-engine runs it).")
    String engineJvmOptions;

    @Option(names = "--engine-setting", paramLabel = "KEY=VALUE",
            description = "A service setting passed to the local engine (repeatable), over the benchmark's own.")
    Map<String, String> engineSettings = new LinkedHashMap<>();

    @Option(names = "--config-dir", defaultValue = "deploy/local",
            description = "The local engine's example configuration, copied with the benchmark's status page and maintenance "
                    + "(default ${DEFAULT-VALUE}).")
    Path configDir;

    @Option(names = "--token", defaultValue = "demo-responder-token-change-me",
            description = "A responder's API token in the configuration (default ${DEFAULT-VALUE}).")
    String token;

    @Option(names = "--integration-key", defaultValue = "demo-integration-key-change-me",
            description = "An integration key in the configuration, for the alert that opens the published incident (default ${DEFAULT-VALUE}).")
    String integrationKey;

    @Option(names = "--keep-data-dir", description = "Keep the run's directory (broker data, engine state, logs) even when every check passed.")
    boolean keepDataDir;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PAGE_ID = "public";
    private static final List<String> PAGES = List.of("/healthz", "/status", "/api/v2/summary.json");
    /** A second message of a subscriber would come a little after its first: the time given it to show. */
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final Duration UPDATE_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, String> failures = new LinkedHashMap<>();
    private final Map<String, String> missedTargets = new LinkedHashMap<>();
    private final RecordSerdes serdes = RecordSerdes.singleObject();
    /** Marks this run's text, so nothing of another run or of the demo configuration is counted. */
    private final String nonce = UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient api = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private Path dir;
    private String bootstrap;
    private SmtpSink mail;
    private StatusHistory history;
    private Inbox inbox;
    /** The engine running now: a fan-out with a kill starts another. */
    private EngineProcess engine;

    public static void main(String[] args) {
        System.exit(new CommandLine(new StatusBenchmark()).execute(args));
    }

    /** The checks that failed in the last run (not the performance targets). */
    Map<String, String> failures() {
        return failures;
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(configDir.resolve("secrets").resolve("api-tokens.yaml"))) {
            throw new IllegalArgumentException("no secrets/api-tokens.yaml in " + configDir + ": --config-dir names the local engine's configuration");
        }
        dir = Files.createTempDirectory("status-bench");
        mail = SmtpSink.start();
        inbox = new Inbox(mail);
        KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"), "127.0.0.1", freePort(), freePort());
        try {
            broker.start(Duration.ofSeconds(60));
            bootstrap = broker.bootstrapServers();
            try (Admin admin = admin()) {
                BenchSupport.createTopics(admin, Topics.ALL);
            }
            report("machine: %d cores, %s, Java %s, load average %s; run directory %s", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name"), System.getProperty("java.version"), BenchSupport.loadAverage(), dir);
            history = new StatusHistory(components, days, incidentsPerWeek, Instant.now());
            long writing = System.nanoTime();
            long records = history.write(bootstrap);
            report("history: %,d days, %,d components, %,d published incidents (%d still open) with %,d public updates; %,d records written "
                    + "in %.1f s", days, components, history.incidents(), StatusHistory.OPEN, history.publicUpdates(), records,
                    (System.nanoTime() - writing) / 1e9);
            writeConfig(dir.resolve("config"));

            long launched = System.nanoTime();
            engine = startEngine("engine-1");
            awaitHistory(launched);
            checkHistoryTimes(launched);

            Map<String, Reads> cold = reads(coldSeconds, "cold");
            Map<String, Reads> warm = reads(seconds, "warm");
            Publish publish = publish();
            writeSubscribers();
            Fanout first = fanout(publish.incidentId, 1, false);
            double smtpRate = rawSmtp(first.messageBytes);
            Fanout second = fanout(publish.incidentId, 2, true);

            for (String deadLetters : List.of(Topics.STATUS_DLQ.name(), Topics.NOTIFICATION_DLQ.name())) {
                long dead = BenchSupport.committedRecords(bootstrap, deadLetters);
                if (dead > 0) {
                    failures.put("nothing dead-lettered", dead + " records on " + deadLetters);
                }
            }
            printTables(cold, warm, publish, first, second, smtpRate);
            report("load average at the end: %s", BenchSupport.loadAverage());
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // A phase that cannot go on (the engine never ready, exited): the report says so and the run ends.
            failures.put("the run went on to the end", e.toString());
            e.printStackTrace();
        } finally {
            if (engine != null) {
                engine.close();
                engine = null;
            }
            broker.close();
            mail.close();
            if (keepDataDir || !failures.isEmpty()) {
                report("run directory kept: %s", dir);
            } else {
                deleteRecursively(dir);
            }
        }
        Map<String, String> all = new LinkedHashMap<>(failures);
        all.putAll(missedTargets);
        return exitCode(all);
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    // ---- configuration and the engine

    /**
     * The example configuration, with its status page (any file that defines {@code statusPages})
     * replaced by the benchmark's, and the benchmark's public maintenance beside it.
     */
    private void writeConfig(Path config) throws IOException {
        Files.createDirectories(config.resolve("secrets"));
        try (Stream<Path> files = Files.list(configDir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                if (!Files.readString(file, StandardCharsets.UTF_8).lines().anyMatch(line -> line.startsWith("statusPages:"))) {
                    Files.copy(file, config.resolve(file.getFileName()));
                }
            }
        }
        try (Stream<Path> secrets = Files.list(configDir.resolve("secrets"))) {
            for (Path file : secrets.filter(Files::isRegularFile).toList()) {
                Files.copy(file, config.resolve("secrets").resolve(file.getFileName()));
            }
        }
        Files.writeString(config.resolve("bench-status-page.yaml"), history.pageYaml(PAGE_ID), StandardCharsets.UTF_8);
        Files.writeString(config.resolve("bench-maintenance.yaml"), history.maintenanceYaml(), StandardCharsets.UTF_8);
    }

    /** The local engine on our broker, config and data dir (the same for every start), e-mail to this JVM's sink; once /readyz says 200. */
    private EngineProcess startEngine(String name) throws IOException, InterruptedException {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("notifier.smtp.host", "127.0.0.1");
        settings.put("notifier.smtp.port", Integer.toString(mail.port()));
        // All the load comes from this one address: the per-client limit (20/s by default) would refuse most of it.
        settings.put(StatusPageServiceConfig.SITE_RATE_PER_SECOND_CONFIG, "1000000");
        settings.put(StatusPageServiceConfig.SITE_RATE_BURST_CONFIG, "1000000");
        settings.putAll(engineSettings);
        List<String> arguments = new ArrayList<>(List.of("--bootstrap-servers", bootstrap, "--config-dir", dir.resolve("config").toString(),
                "--data-dir", dataDir().toString(), "--sink-port", "0", "--smtp-port", "0"));
        settings.forEach((key, value) -> arguments.addAll(List.of("--setting", key + "=" + value)));
        List<String> jvmOptions = Arrays.stream(engineJvmOptions.strip().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        long begin = System.nanoTime();
        EngineProcess started = EngineProcess.startLocalEngine(dir.resolve(name), jvmOptions, arguments, freePort());
        try {
            started.awaitReady(Duration.ofMinutes(10));
        } catch (RuntimeException notReady) {
            started.close();
            throw notReady;
        }
        report("%s: pid %d, JVM options %s, settings %s; ready in %.1f s, RSS %,d MiB; its log: %s", name, started.pid(), jvmOptions, settings,
                (System.nanoTime() - begin) / 1e9, started.rssKb() / 1024, started.log());
        return started;
    }

    private Path dataDir() {
        return dir.resolve("engine-data");
    }

    /**
     * Waits until the page serves the whole history: the page's writer has read every incident
     * event (its group's committed offsets, also of its repartition topic), and the public page has
     * read the page's log to its last event ({@code status_page_view_version} on /metrics).
     */
    private void awaitHistory(long launched) throws Exception {
        try (Admin admin = admin()) {
            List<String> inputs = new ArrayList<>(List.of(Topics.INCIDENT_EVENTS.name()));
            admin.listTopics().names().get(10, TimeUnit.SECONDS).stream()
                    .filter(topic -> topic.startsWith(StatusPageTopology.APPLICATION_ID + "-") && topic.endsWith("-repartition"))
                    .forEach(inputs::add);
            BenchSupport.awaitCaughtUp(admin, engine, Map.of(StatusPageTopology.APPLICATION_ID, inputs), "the page's writer taking in the history");
        }
        AtomicLong last = new AtomicLong();
        Deserializer<StatusPageEvent> events = Topics.STATUS_PAGE.valueSerde(serdes).deserializer();
        BenchSupport.scan(bootstrap, Topics.STATUS_PAGE.name(), true,
                record -> last.accumulateAndGet(events.deserialize(record.topic(), record.value()).getSequence(), Math::max));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (pageVersion() < last.get()) {
            if (!engine.alive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("the public page did not read its log to version " + last.get() + " within 10 minutes; see "
                        + engine.log());
            }
            Thread.sleep(200);
        }
        report("the page serves the whole history (version %,d) %.1f s after the engine's launch; RSS %,d MiB", last.get(),
                (System.nanoTime() - launched) / 1e9, engine.rssKb() / 1024);
    }

    private static final Pattern VIEW_VERSION = Pattern.compile("(?m)^status_page_view_version(?:\\{[^}]*})? ([0-9.eE+]+)$");

    /** The page version the public page serves, from the engine's /metrics; 0 before it serves one. */
    private long pageVersion() throws IOException, InterruptedException {
        Matcher version = VIEW_VERSION.matcher(engine.metrics());
        return version.find() ? (long) Double.parseDouble(version.group(1)) : 0;
    }

    /**
     * The page's log as the engine's writer built it from the history: its incident events should
     * carry the history's times, not the time the writer read them (else the whole history lands on
     * today's bar and day).
     */
    private void checkHistoryTimes(long launchedNanos) {
        Instant launched = Instant.now().minusNanos(System.nanoTime() - launchedNanos);
        Deserializer<StatusPageEvent> events = Topics.STATUS_PAGE.valueSerde(serdes).deserializer();
        AtomicLong historical = new AtomicLong();
        AtomicLong stampedNow = new AtomicLong();
        AtomicLong total = new AtomicLong();
        BenchSupport.scan(bootstrap, Topics.STATUS_PAGE.name(), true, record -> {
            total.incrementAndGet();
            StatusPageEvent event = events.deserialize(record.topic(), record.value());
            if (event.getPayload() instanceof PublicIncidentChanged changed && changed.getIncidentId().startsWith("INC-PUB-")
                    && changed.getUpdate() != null) {
                historical.incrementAndGet();
                if (!event.getTimestamp().isBefore(launched) || !changed.getUpdate().getCreatedAt().isBefore(launched)) {
                    stampedNow.incrementAndGet();
                }
            }
        });
        report("the page's log: %,d events, %,d of them the history's public updates (%,d expected), %,d of those stamped after the engine's "
                + "launch", total.get(), historical.get(), history.publicUpdates(), stampedNow.get());
        if (historical.get() != history.publicUpdates()) {
            failures.put("every public update of the history in the page's log", historical.get() + " of " + history.publicUpdates());
        }
        if (stampedNow.get() > 0) {
            failures.put("the page's log keeps the history's times", stampedNow.get() + " of " + historical.get()
                    + " public updates stamped with the time the writer read them");
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return api.send(HttpRequest.newBuilder(URI.create(engine.baseUrl() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String bearer, JsonNode body) throws IOException, InterruptedException {
        return api.send(HttpRequest.newBuilder(URI.create(engine.baseUrl() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    // ---- (1) reads

    /** One page's requests in one phase: latency from the planned send time (ns), errors, the first request's latency, a sample answer. */
    private static final class Reads {
        final Histogram latency = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
        final AtomicLong errors = new AtomicLong();
        volatile String firstError;
        volatile long firstNanos = -1;
        volatile String sample;
        volatile int bytes;

        synchronized void record(long nanos) {
            latency.recordValue(Math.min(nanos, TimeUnit.MINUTES.toNanos(1)));
        }

        void fail(String what) {
            if (errors.incrementAndGet() == 1) {
                firstError = what;
            }
        }

        double ms(double percentile) {
            return latency.getValueAtPercentile(percentile) / 1e6;
        }

        String cell() {
            return String.format("%.1f / %.1f / %.1f", ms(50), ms(99), latency.getMaxValue() / 1e6);
        }
    }

    /** Each page in turn, open loop at the rate for {@code seconds}. */
    private Map<String, Reads> reads(int seconds, String phase) throws Exception {
        List<HttpClient> clients = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            clients.add(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build());
        }
        Map<String, Reads> byPage = new LinkedHashMap<>();
        for (String page : PAGES) {
            Reads reads = openLoop(clients, page, seconds);
            byPage.put(page, reads);
            report("%s %s: %,d requests at %d/s; p50 / p99 / max %s ms, first %.1f ms; %,d errors%s; %,d bytes; RSS %,d MiB", phase, page,
                    reads.latency.getTotalCount() + reads.errors.get(), rate, reads.cell(), reads.firstNanos / 1e6, reads.errors.get(),
                    reads.firstError == null ? "" : " (first: " + reads.firstError + ")", reads.bytes, engine.rssKb() / 1024);
            if (reads.errors.get() > 0) {
                failures.put(phase + " " + page + ": every request answered 200", reads.errors.get() + " not; first: " + reads.firstError);
            }
        }
        checkSamples(byPage, phase);
        return byPage;
    }

    /** Requests at the rate for {@code seconds}, on the clients in turn, each timed from its planned send time until its whole answer. */
    private Reads openLoop(List<HttpClient> clients, String page, int seconds) throws Exception {
        Reads reads = new Reads();
        URI uri = URI.create(engine.baseUrl() + page);
        long total = (long) rate * seconds;
        long begin = System.nanoTime();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (long n = 0; n < total; n++) {
            long due = begin + n * TimeUnit.SECONDS.toNanos(1) / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            // As a browser asks (and the baseline too): the site serves the gzipped copy it made once per change.
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Accept-Encoding", "gzip").build();
            HttpClient client = clients.get((int) (n % clients.size()));
            // The first answer is kept as the phase's sample; the others are read to their end and dropped, so a backlog of large
            // pages holds no memory.
            if (n == 0) {
                pending.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) -> {
                    if (answered(reads, due, failure, response == null ? 0 : response.statusCode())) {
                        reads.firstNanos = System.nanoTime() - due;
                        reads.bytes = response.body().length;
                        reads.sample = new String(gunzipped(response), StandardCharsets.UTF_8);
                    }
                }));
            } else {
                pending.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) ->
                        answered(reads, due, failure, response == null ? 0 : response.statusCode())));
            }
        }
        for (CompletableFuture<?> future : pending) {
            try {
                future.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Counted as an error above.
            }
        }
        return reads;
    }

    /** The answer's body, unzipped when it came gzipped. */
    private static byte[] gunzipped(HttpResponse<byte[]> response) {
        if (!response.headers().firstValue("Content-Encoding").orElse("").equalsIgnoreCase("gzip")) {
            return response.body();
        }
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(response.body()))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records a request due at {@code due} that just ended; whether it was answered 200. */
    private static boolean answered(Reads reads, long due, Throwable failure, int status) {
        long took = System.nanoTime() - due;
        if (failure != null || status != 200) {
            reads.fail(failure != null ? failure.toString() : "answered " + status);
            return false;
        }
        reads.record(took);
        return true;
    }

    /** What the pages served is the benchmark's page: its name, its components and the history's open incidents. */
    private void checkSamples(Map<String, Reads> byPage, String phase) throws IOException {
        String html = byPage.get("/status").sample;
        if (html == null || !html.contains("Bench Status") || !html.contains(StatusHistory.group(0))) {
            failures.put(phase + ": /status shows the benchmark's page", html == null ? "no answer" : html.substring(0, Math.min(200, html.length())));
        }
        String summary = byPage.get("/api/v2/summary.json").sample;
        if (summary == null) {
            failures.put(phase + ": /api/v2/summary.json answered", "no answer");
            return;
        }
        JsonNode json = JSON.readTree(summary);
        int shown = json.path("components").size();
        long open = 0;
        for (JsonNode incident : json.path("incidents")) {
            open += incident.path("id").asText().startsWith("INC-PUB-") ? 1 : 0;
        }
        if (!json.path("page").path("name").asText().equals("Bench Status") || shown < components * 24 / 25 || open != StatusHistory.OPEN) {
            failures.put(phase + ": /api/v2/summary.json is the benchmark's page", String.format("page %s, %d components, %d of the history's "
                    + "open incidents", json.path("page").path("name"), shown, open));
        }
    }

    // ---- (2) publish → page

    private record Publish(String incidentId, Histogram answered, Histogram raw, Histogram page, long missing, long polls, long notModified) {
    }

    /**
     * Opens an incident with an alert and publishes it; then the public updates at a fixed interval,
     * each timed from its 2xx (answered after the aggregate's outcome, {@code ?wait=true}) until the
     * page reader's {@code /api/v2/summary.json} has it and until a plain consumer of {@code status.page.v1} has its page event.
     */
    private Publish publish() throws Exception {
        String incidentId = openIncident();
        ObjectNode publication = JSON.createObjectNode().put("title", "Bench publication " + nonce).put("impact", "minor")
                .put("status", "investigating").put("message", "Bench publication " + nonce + " investigating");
        publication.putArray("components").add(StatusHistory.componentId(0)).add(StatusHistory.componentId(1 % components));
        command(incidentId, "publication", publication);

        Pattern marker = Pattern.compile("Bench update (\\d+) " + nonce);
        long[] answeredAt = new long[updates];
        AtomicLongArray pageAt = new AtomicLongArray(updates);
        AtomicLongArray rawAt = new AtomicLongArray(updates);
        Histogram answered = histogram();
        PageReader reader = new PageReader(marker, pageAt);
        RawPageConsumer raw = new RawPageConsumer(marker, rawAt);
        reader.start();
        raw.start();
        try {
            long begin = System.nanoTime();
            for (int u = 0; u < updates; u++) {
                long due = begin + u * TimeUnit.MILLISECONDS.toNanos(updateEveryMs);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                ObjectNode update = JSON.createObjectNode().put("status", u % 2 == 0 ? "identified" : "monitoring")
                        .put("message", "Bench update " + u + " " + nonce);
                long sent = System.nanoTime();
                command(incidentId, "public-updates", update);
                answeredAt[u] = System.nanoTime();
                answered.recordValue(answeredAt[u] - sent);
            }
            long deadline = System.nanoTime() + UPDATE_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline && (missing(pageAt) > 0 || missing(rawAt) > 0)) {
                Thread.sleep(50);
            }
        } finally {
            reader.finish();
            raw.finish();
        }
        Histogram page = histogram();
        Histogram rawLatency = histogram();
        for (int u = 0; u < updates; u++) {
            if (pageAt.get(u) != 0) {
                page.recordValue(Math.max(0, pageAt.get(u) - answeredAt[u]));
            }
            if (rawAt.get(u) != 0) {
                rawLatency.recordValue(Math.max(0, rawAt.get(u) - answeredAt[u]));
            }
        }
        long missing = missing(pageAt);
        if (missing > 0 || missing(rawAt) > 0) {
            failures.put("publish → page: every update on the page and in its log", String.format("%d of %d not on the page, %d not in the log "
                    + "within %d s", missing, updates, missing(rawAt), UPDATE_TIMEOUT.toSeconds()));
        }
        report("publish → page: %d updates every %d ms on %s; answered p50 %.0f, p99 %.0f ms; → status.page.v1 p50 %.0f, p99 %.0f ms; → "
                        + "summary.json p50 %.0f, p99 %.0f, max %.0f ms; the reader asked %,d times (%,d answered 304)", updates, updateEveryMs,
                incidentId, ms(answered, 50), ms(answered, 99), ms(rawLatency, 50), ms(rawLatency, 99), ms(page, 50), ms(page, 99),
                page.getMaxValue() / 1e6, reader.polls.get(), reader.notModified.get());
        return new Publish(incidentId, answered, rawLatency, page, missing, reader.polls.get(), reader.notModified.get());
    }

    private static long missing(AtomicLongArray at) {
        long missing = 0;
        for (int i = 0; i < at.length(); i++) {
            missing += at.get(i) == 0 ? 1 : 0;
        }
        return missing;
    }

    /** Sends an alert through the example's integration and returns the id of the incident it opened. */
    private String openIncident() throws Exception {
        String summary = "Bench status page " + nonce;
        HttpResponse<String> sent = post("/api/v1/alerts", integrationKey, JSON.createObjectNode().put("summary", summary)
                .put("severity", "SEV2").put("dedupKey", "bench-status-" + nonce));
        if (sent.statusCode() / 100 != 2) {
            throw new IllegalStateException("the alert was refused: " + sent.statusCode() + " " + sent.body());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            HttpResponse<String> list = api.send(HttpRequest.newBuilder(URI.create(engine.baseUrl() + "/api/v1/incidents?limit=50&search="
                            + URLEncoder.encode(nonce, StandardCharsets.UTF_8))).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (list.statusCode() == 200) {
                for (JsonNode incident : JSON.readTree(list.body()).path("incidents")) {
                    if (incident.path("title").asText().contains(nonce)) {
                        return incident.path("incidentId").asText();
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the alert opened no incident within 60 s");
    }

    /** An incident command through the API, answered once the aggregate decided it; fails unless applied. */
    private void command(String incidentId, String action, JsonNode body) throws Exception {
        HttpResponse<String> answer = post("/api/v1/incidents/" + incidentId + "/" + action + "?wait=true", token, body);
        if (answer.statusCode() / 100 != 2) {
            throw new IllegalStateException(action + " of " + incidentId + " answered " + answer.statusCode() + ": " + answer.body());
        }
    }

    /**
     * Asks {@code /api/v2/summary.json} again {@code --poll-ms} after each answer, with the last
     * answer's ETag, as a widget would; notes when each update's text first appears.
     */
    private final class PageReader extends Thread {
        private final Pattern marker;
        private final AtomicLongArray seenAt;
        private final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong polls = new AtomicLong();
        final AtomicLong notModified = new AtomicLong();
        final AtomicReference<String> error = new AtomicReference<>();

        PageReader(Pattern marker, AtomicLongArray seenAt) {
            super("bench-page-reader");
            this.marker = marker;
            this.seenAt = seenAt;
            setDaemon(true);
        }

        @Override
        public void run() {
            String etag = null;
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            while (running.get()) {
                try {
                    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(engine.baseUrl() + "/api/v2/summary.json"))
                            .timeout(Duration.ofSeconds(10));
                    if (etag != null) {
                        request.header("If-None-Match", etag);
                    }
                    HttpResponse<String> answer = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                    long now = System.nanoTime();
                    polls.incrementAndGet();
                    if (answer.statusCode() == 304) {
                        notModified.incrementAndGet();
                    } else if (answer.statusCode() == 200) {
                        etag = answer.headers().firstValue("ETag").orElse(null);
                        Matcher found = marker.matcher(answer.body());
                        while (found.find()) {
                            int u = Integer.parseInt(found.group(1));
                            if (u < seenAt.length()) {
                                seenAt.compareAndSet(u, 0, now);
                            }
                        }
                    } else {
                        error.compareAndSet(null, answer.statusCode() + " " + answer.body());
                    }
                    Thread.sleep(pollMs);
                } catch (IOException e) {
                    error.compareAndSet(null, e.toString());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void finish() throws InterruptedException {
            running.set(false);
            join(15_000);
            if (error.get() != null) {
                failures.put("publish → page: the page reader's requests answered", error.get());
            }
        }
    }

    /** A plain read_committed consumer of {@code status.page.v1} from its end: when each update's page event is readable. */
    private final class RawPageConsumer extends Thread {
        private final Pattern marker;
        private final AtomicLongArray seenAt;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Deserializer<StatusPageEvent> events = Topics.STATUS_PAGE.valueSerde(serdes).deserializer();

        RawPageConsumer(Pattern marker, AtomicLongArray seenAt) {
            super("bench-raw-page-consumer");
            this.marker = marker;
            this.seenAt = seenAt;
            consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.STATUS_PAGE.name()).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
        }

        @Override
        public void run() {
            try {
                while (true) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        long now = System.nanoTime();
                        if (events.deserialize(record.topic(), record.value()).getPayload() instanceof PublicIncidentChanged changed
                                && changed.getUpdate() != null) {
                            Matcher found = marker.matcher(changed.getUpdate().getMessage());
                            if (found.find()) {
                                int u = Integer.parseInt(found.group(1));
                                if (u < seenAt.length()) {
                                    seenAt.compareAndSet(u, 0, now);
                                }
                            }
                        }
                    }
                }
            } catch (WakeupException e) {
                // Done.
            } finally {
                consumer.close();
            }
        }

        void finish() throws InterruptedException {
            consumer.wakeup();
            join(10_000);
        }
    }

    // ---- (3) fan-out

    private static String address(int s) {
        return String.format("subscriber-%05d@bench.example", s);
    }

    /**
     * The subscribers, confirmed, sealed as the page seals them, then one that is not: its
     * confirmation e-mail says the notifier's copy of the subscribers (read in order from the
     * topic's one partition) holds all of them.
     */
    private void writeSubscribers() throws Exception {
        long begin = System.nanoTime();
        String sentinel = "sentinel-" + nonce + "@bench.example";
        BenchSubscribers.write(bootstrap, dataDir(), PAGE_ID, subscribers, StatusBenchmark::address, sentinel);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(stallSeconds);
        while (!inbox.reached(sentinel)) {
            if (!engine.alive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("no confirmation e-mail to a new subscriber within " + stallSeconds + " s");
            }
            Thread.sleep(50);
            inbox.poll();
        }
        report("subscribers: %,d confirmed e-mail subscribers written and taken in by the notifier in %.1f s (a new subscriber's "
                + "confirmation e-mail written after them arrived)", subscribers, (System.nanoTime() - begin) / 1e9);
    }

    /** One update's fan-out: what arrived and when, against the subscribers; with a kill, when and how long the restart took. */
    private record Fanout(long delivered, long copies, long missing, long duplicated, long strangers, double firstMs,
                          double lastMs, double perSecond, long killedAfter, double restartSeconds, int messageBytes) {
    }

    /**
     * Posts public update {@code n} and counts its messages at the sink until every subscriber has
     * one; with {@code kill}, SIGKILLs the engine once {@code --kill-after} of them have it and starts it again on
     * the same data. Then waits {@link #SETTLE} for late copies, and counts per subscriber the
     * distinct Message-IDs (a re-sent copy of a delivery has the same one) and the copies.
     */
    private Fanout fanout(String incidentId, int n, boolean kill) throws Exception {
        String text = "Bench fan-out " + n + " " + nonce;
        // What arrived before (the raw SMTP baseline's messages) is read now, not while this fan-out is watched.
        inbox.poll();
        command(incidentId, "public-updates", JSON.createObjectNode().put("status", n % 2 == 0 ? "identified" : "monitoring")
                .put("message", text));
        long answered = System.nanoTime();
        long killedAfter = -1;
        long killedAt = 0;
        double restartSeconds = 0;
        long lastProgress = System.nanoTime();
        long delivered = 0;
        long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            inbox.poll();
            long now = System.nanoTime();
            Inbox.Update update = inbox.update(text);
            if (update.recipients() != delivered) {
                delivered = update.recipients();
                lastProgress = now;
            }
            if (kill && killedAfter < 0 && delivered >= Math.max(1, (long) (subscribers * killAfter))) {
                killedAfter = delivered;
                engine.kill();
                killedAt = System.nanoTime();
                report("fan-out %d: engine SIGKILLed after %,d of %,d messages", n, delivered, subscribers);
                long restarting = System.nanoTime();
                engine = startEngine("engine-2");
                restartSeconds = (System.nanoTime() - restarting) / 1e9;
                lastProgress = System.nanoTime();
            }
            if (delivered >= subscribers) {
                break;
            }
            if (!engine.alive() || now - lastProgress > TimeUnit.SECONDS.toNanos(stallSeconds)) {
                failures.put("fan-out " + n + ": every subscriber's message arrived", String.format("%,d of %,d; %s", delivered, subscribers,
                        engine.alive() ? "nothing arrived for " + stallSeconds + " s" : "the engine exited"));
                break;
            }
            if (now > nextReport) {
                report("  fan-out %d: %.0f s: %,d of %,d arrived; engine RSS %,d MiB", n, (now - answered) / 1e9, delivered, subscribers,
                        engine.rssKb() / 1024);
                nextReport = now + TimeUnit.SECONDS.toNanos(5);
            }
            Thread.sleep(10);
        }
        long settled = System.nanoTime() + SETTLE.toNanos();
        while (System.nanoTime() < settled) {
            inbox.poll();
            Thread.sleep(200);
        }
        Inbox.Update update = inbox.update(text);
        Set<String> expected = new HashSet<>();
        for (int s = 0; s < subscribers; s++) {
            expected.add(address(s));
        }
        long missing = expected.stream().filter(a -> !update.idsByRecipient().containsKey(a)).count();
        long duplicated = update.idsByRecipient().entrySet().stream().filter(e -> expected.contains(e.getKey()) && e.getValue().size() > 1).count();
        long strangers = update.idsByRecipient().keySet().stream().filter(a -> !expected.contains(a)).count();
        double firstMs = (update.first() - answered) / 1e6;
        double lastMs = (update.last() - answered) / 1e6;
        // With a kill, the rate of the engine that finished the fan-out: what arrived once the killed one was gone.
        long since = killedAt;
        long[] arrived = update.arrivals().stream().mapToLong(Long::longValue).filter(t -> t > since).sorted().toArray();
        double perSecond = arrived.length < 2 ? 0 : arrived.length / ((arrived[arrived.length - 1] - arrived[0]) / 1e9);
        report("fan-out %d: %,d of %,d subscribers, %,d messages; first %.0f ms, last %.1f s after the update's 2xx (%,.0f messages/s first to "
                        + "last); %,d missing, %,d with more than one Message-ID, %,d to addresses not subscribed", n, update.recipients(), subscribers,
                update.copies(), firstMs, lastMs / 1e3, perSecond, missing, duplicated, strangers);
        String check = "fan-out " + n + (kill ? " across a SIGKILL" : "") + ": every subscriber got the update exactly once";
        if (missing > 0 || duplicated > 0 || strangers > 0) {
            failures.put(check, String.format("%,d missing, %,d more than once, %,d to addresses not subscribed", missing, duplicated, strangers));
        }
        if (kill && (killedAfter < 0 || killedAfter >= subscribers)) {
            failures.put("fan-out " + n + ": the engine was killed part-way", "the fan-out was complete before the kill");
        }
        return new Fanout(update.recipients(), update.copies(), missing, duplicated, strangers, firstMs, lastMs, perSecond, killedAfter,
                restartSeconds, update.messageBytes());
    }

    /**
     * Raw SMTP into the same sink: as many messages as there are subscribers, each as large as
     * the fan-out's, from this JVM over four connections at once; messages/s.
     */
    private double rawSmtp(int messageBytes) throws Exception {
        Properties properties = new Properties();
        properties.put("mail.smtp.host", "127.0.0.1");
        properties.put("mail.smtp.port", Integer.toString(mail.port()));
        Session session = Session.getInstance(properties);
        String body = "Bench raw SMTP " + nonce + "\n";
        // Padded to the fan-out's size: the same message, headers included, bytes for bytes.
        body += "x".repeat(Math.max(0, messageBytes - Inbox.size(rawMessage(session, 0, body))));
        String text = body;
        int senders = 4;
        AtomicReference<Exception> failed = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        long begin = System.nanoTime();
        for (int t = 0; t < senders; t++) {
            int from = t;
            Thread thread = new Thread(() -> {
                try (Transport transport = session.getTransport("smtp")) {
                    transport.connect();
                    for (int s = from; s < subscribers; s += senders) {
                        MimeMessage message = rawMessage(session, s, text);
                        transport.sendMessage(message, message.getAllRecipients());
                    }
                } catch (Exception e) {
                    failed.compareAndSet(null, e);
                }
            }, "bench-raw-smtp-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double perSecond = subscribers / ((System.nanoTime() - begin) / 1e9);
        if (failed.get() != null) {
            failures.put("raw SMTP baseline", failed.get().toString());
        }
        report("raw SMTP: %,d messages of about %,d bytes to the same sink over %d connections: %,.0f messages/s", subscribers, messageBytes,
                senders, perSecond);
        return perSecond;
    }

    private static MimeMessage rawMessage(Session session, int s, String body) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("status@bench.example"));
        message.setRecipients(Message.RecipientType.TO, new Address[] {new InternetAddress(String.format("raw-%05d@bench.example", s))});
        message.setSubject("Bench raw SMTP " + s);
        message.setText(body, "UTF-8");
        message.saveChanges();
        return message;
    }

    /**
     * The messages at the benchmark's SMTP sink, by the fan-out update whose text they carry: when
     * each arrived, its envelope recipients and its Message-ID (a re-sent copy of a delivery has the same one).
     */
    static final class Inbox {
        record Update(long recipients, long copies, long first, long last, List<Long> arrivals, Map<String, Set<String>> idsByRecipient,
                      int messageBytes) {
        }

        /** A fan-out update's text, wherever the message's lines were wrapped. */
        private static final Pattern UPDATE = Pattern.compile("Bench\\s+fan-out\\s+(\\d+)\\s+([0-9a-f]{8})");
        /** A part whose text can only be read decoded. */
        private static final Pattern BASE64 = Pattern.compile("(?i)Content-Transfer-Encoding:\\s*base64");
        /** The Message-ID header, folded or not. */
        private static final Pattern MESSAGE_ID = Pattern.compile("(?i)\r\nMessage-ID:\\s*(<[^>]*>)");
        private final SmtpSink sink;
        private final Session session = Session.getInstance(new Properties());
        private final Map<String, List<Long>> arrivals = new HashMap<>();
        private final Map<String, Map<String, Set<String>>> ids = new HashMap<>();
        private final Map<String, Integer> sizes = new HashMap<>();
        private final Set<String> recipients = new HashSet<>();

        Inbox(SmtpSink sink) {
            this.sink = sink;
        }

        /** Takes in the messages that arrived since the last call. */
        synchronized void poll() throws IOException, MessagingException {
            for (SmtpSink.Received received = sink.next(); received != null; received = sink.next()) {
                recipients.addAll(received.recipients());
                // Read as it came (7bit or quoted-printable, soft line breaks joined): parsing each MIME message costs milliseconds.
                String raw = "\r\n" + new String(received.data(), StandardCharsets.ISO_8859_1).replace("=\r\n", "");
                Matcher found = UPDATE.matcher(raw);
                Matcher id = MESSAGE_ID.matcher(raw);
                if (!found.find()) {
                    if (!BASE64.matcher(raw).find()) {
                        continue;
                    }
                    MimeMessage message = new MimeMessage(session, new ByteArrayInputStream(received.data()));
                    String text = text(message);
                    found = UPDATE.matcher(text == null ? "" : text);
                    if (!found.find()) {
                        continue;
                    }
                }
                String update = "Bench fan-out " + found.group(1) + " " + found.group(2);
                String messageId = id.find() ? id.group(1) : "none";
                arrivals.computeIfAbsent(update, u -> new ArrayList<>()).add(received.nanoTime());
                sizes.putIfAbsent(update, received.data().length);
                for (String recipient : received.recipients()) {
                    ids.computeIfAbsent(update, u -> new HashMap<>()).computeIfAbsent(recipient, r -> new HashSet<>()).add(messageId);
                }
            }
        }

        /** Whether any message to this address arrived. */
        synchronized boolean reached(String address) {
            return recipients.contains(address);
        }

        synchronized Update update(String text) {
            List<Long> at = arrivals.getOrDefault(text, List.of());
            Map<String, Set<String>> byRecipient = ids.getOrDefault(text, Map.of());
            long first = at.stream().mapToLong(Long::longValue).min().orElse(0);
            long last = at.stream().mapToLong(Long::longValue).max().orElse(0);
            return new Update(byRecipient.size(), at.size(), first, last, List.copyOf(at), Map.copyOf(byRecipient), sizes.getOrDefault(text, 0));
        }

        static int size(MimeMessage message) throws IOException, MessagingException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            message.writeTo(bytes);
            return bytes.size();
        }

        /** The message's text: all its text parts, decoded. */
        private static String text(Part part) throws MessagingException, IOException {
            if (part.isMimeType("text/*")) {
                return part.getContent().toString();
            }
            if (part.getContent() instanceof Multipart multipart) {
                StringBuilder text = new StringBuilder();
                for (int i = 0; i < multipart.getCount(); i++) {
                    String inner = text(multipart.getBodyPart(i));
                    if (inner != null) {
                        text.append(inner).append('\n');
                    }
                }
                return text.toString();
            }
            return null;
        }
    }

    // ---- the report

    private static Histogram histogram() {
        return new Histogram(TimeUnit.MINUTES.toNanos(5), 3);
    }

    private static double ms(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e6;
    }

    private void printTables(Map<String, Reads> cold, Map<String, Reads> warm, Publish publish, Fanout first, Fanout second, double smtpRate) {
        System.out.println();
        System.out.printf("| GET at %d requests/s, %d components, %d days of history (%d incidents, %,d public updates) | cold: first request ms "
                + "| cold p50 / p99 / max ms (%d s) | warm p50 / p99 / max ms (%d s) | errors | bytes |%n", rate, components, days,
                history.incidents(), history.publicUpdates(), coldSeconds, seconds);
        System.out.println("|---|---|---|---|---|---|");
        for (String page : PAGES) {
            Reads c = cold.get(page);
            Reads w = warm.get(page);
            System.out.printf("| `%s`%s | %.1f | %s | %s | %d | %,d |%n", page, page.equals("/healthz") ? " (baseline: no page)" : "",
                    c.firstNanos / 1e6, c.cell(), w.cell(), c.errors.get() + w.errors.get(), w.bytes);
        }
        System.out.println();
        System.out.printf("| publish → page, %d public updates every %d ms | p50 ms | p99 ms | max ms |%n", updates, updateEveryMs);
        System.out.println("|---|---|---|---|");
        latencyRow("`POST .../public-updates?wait=true` answered (from its send)", publish.answered);
        latencyRow("2xx → a plain read_committed consumer of `status.page.v1` has the page event (baseline)", publish.raw);
        latencyRow(String.format("2xx → `/api/v2/summary.json` serves it (polled every %d ms with If-None-Match: %,d requests, %,d answered 304)",
                pollMs, publish.polls, publish.notModified), publish.page);
        System.out.println();
        System.out.printf("| fan-out to %,d confirmed e-mail subscribers | messages (distinct subscribers) | 2xx → first | 2xx → last "
                + "| messages/s, first to last (after the kill) | exactly once (one Message-ID each) |%n", subscribers);
        System.out.println("|---|---|---|---|---|---|");
        fanoutRow("update 1", first);
        System.out.printf("| raw SMTP: %,d messages of %,d bytes from this JVM to the same sink over 4 connections (baseline) | %,d | | | %,.0f | |%n",
                subscribers, first.messageBytes, subscribers, smtpRate);
        fanoutRow(String.format("update 2, engine SIGKILLed after %,d had arrived, /readyz 200 again %.1f s later; %,d copies sent again "
                + "after the restart with their Message-ID", second.killedAfter, second.restartSeconds, second.copies - second.delivered), second);
        System.out.println();
        System.out.println("| target | result | met |");
        System.out.println("|---|---|---|");
        for (String page : List.of("/status", "/api/v2/summary.json")) {
            double p99 = warm.get(page).ms(99);
            target(String.format("`%s` p99 ≤ 50 ms at %d/s (warm)", page, rate), String.format("%.1f ms (cold %.1f ms)", p99, cold.get(page).ms(99)),
                    p99 <= 50);
        }
        double publishP99 = ms(publish.page, 99);
        target("publish → page p99 ≤ 1 s", String.format("%.0f ms%s", publishP99, publish.missing > 0 ? ", " + publish.missing + " not shown" : ""),
                publishP99 <= 1000 && publish.missing == 0);
        target(String.format("fan-out to %,d subscribers (messages/s), none duplicated after a restart", subscribers), String.format(
                "%,.0f messages/s (raw SMTP %,.0f); after the kill: %,d missing, %,d with two Message-IDs, %,d copies sent again", first.perSecond,
                smtpRate, second.missing, second.duplicated, second.copies - second.delivered), second.missing == 0 && second.duplicated == 0);
    }

    private static void latencyRow(String name, Histogram histogram) {
        System.out.printf("| %s | %.0f | %.0f | %.0f |%n", name, ms(histogram, 50), ms(histogram, 99), histogram.getMaxValue() / 1e6);
    }

    private static void fanoutRow(String name, Fanout fanout) {
        System.out.printf("| %s | %,d (%,d) | %.0f ms | %.1f s | %,.0f | %s |%n", name, fanout.copies, fanout.delivered, fanout.firstMs,
                fanout.lastMs / 1e3, fanout.perSecond, fanout.missing == 0 && fanout.duplicated == 0 && fanout.strangers == 0 ? "yes"
                        : String.format("no: %,d missing, %,d duplicated", fanout.missing, fanout.duplicated));
    }

    private void target(String name, String result, boolean met) {
        System.out.printf("| %s | %s | %s |%n", name, result, met ? "yes" : "no");
        if (!met) {
            missedTargets.put(name, result);
        }
    }
}
