package dev.incidentengine.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.incidentengine.deploy.KafkaBroker;
import dev.incidentengine.deploy.cluster.LocalCluster;
import dev.incidentengine.deploy.cluster.ServiceKind;
import dev.incidentengine.deploy.cluster.ServiceProcess;
import dev.incidentengine.model.Alert;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.testkit.WebhookSink;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import static dev.incidentengine.bench.BenchSupport.committedRecords;
import static dev.incidentengine.bench.BenchSupport.loadAverage;
import static dev.incidentengine.bench.BenchSupport.report;
import static dev.incidentengine.bench.BenchSupport.scan;

/**
 * The cluster chaos test: deploy/cluster's three brokers and two processes of every service,
 * alerts at a steady rate through both ingest instances (the client notes which were answered
 * 2xx), and meanwhile, at seeded random moments: SIGKILL and restart of one broker and then
 * another, of one instance of each service, and one broker paused (SIGSTOP) for a while. Some
 * incidents are acknowledged through the API; escalation levels fire after a minute. Afterwards
 * it counts from the topics (read_committed) and from its webhook receiver: nothing lost, no
 * duplicate incident or event, {@code incidentctl rebuild --verify} clean, every page and news
 * message delivered (a duplicate only with the same idempotency key), no page after an
 * acknowledgement; and reports escalation lateness and each kill's outage.
 */
@Command(name = "chaos-benchmark", mixinStandardHelpOptions = true,
        description = "A cluster on this machine under load while brokers and services are killed, paused and restarted.")
public final class ChaosBenchmark implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int SERVICES = 10;
    private static final String TOKEN = "chaos-responder-token";
    private static final String NEWS_CHANNEL = "chaos-news";

    @Option(names = "--rate", description = "Alerts a second (default 500; 100 with --quick).")
    Integer rate;

    @Option(names = "--seconds", description = "Seconds of alerts (default 180; 60 with --quick).")
    Integer seconds;

    @Option(names = "--groups", description = "Incidents the alerts form: service and alertname groups, opened one after another (default 300; 40 with --quick).")
    Integer groups;

    @Option(names = "--broker-kills", description = "Brokers killed (SIGKILL) and restarted, one after another (default 2; 1 with --quick).")
    Integer brokerKills;

    @Option(names = "--service-kills", description = "Services of which one instance is killed and restarted (default 5, all; 1 with --quick).")
    Integer serviceKills;

    @Option(names = "--pause-seconds", description = "How long one broker is paused with SIGSTOP; 0: none (default 30; 10 with --quick).")
    Integer pauseSeconds;

    @Option(names = "--max-in-flight", defaultValue = "200", description = "Alert requests waiting for their answer at most (default ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--seed", description = "Seed of the random moments and choices (default: the time; printed).")
    Long seed;

    @Option(names = "--ack-every", defaultValue = "4", description = "Every n-th incident is acknowledged through the API (default ${DEFAULT-VALUE}).")
    int ackEvery;

    @Option(names = "--ack-after-seconds", defaultValue = "20", description = "Seconds after its opening an incident is acknowledged (default ${DEFAULT-VALUE}).")
    int ackAfterSeconds;

    @Option(names = "--escalation-minutes", defaultValue = "1", description = "The policy's delay before its second level (default ${DEFAULT-VALUE}).")
    int escalationMinutes;

    @Option(names = "--stall-seconds", defaultValue = "120", description = "The wait for results ends as failed when nothing arrives for this long (default ${DEFAULT-VALUE}).")
    int stallSeconds;

    @Option(names = "--max-wait-seconds", defaultValue = "600", description = "The longest the wait for results after the load may take (default ${DEFAULT-VALUE}).")
    int maxWaitSeconds;

    @Option(names = "--work-dir", defaultValue = "target/chaos", description = "The cluster's directory, made anew (default ${DEFAULT-VALUE}); the JSON report goes beside it.")
    Path workDir;

    @Option(names = "--root", description = "The source tree, whose <module>/target/dist holds the distributions (default: found upwards from here).")
    Path root;

    @Option(names = "--quick", description = "CI's short run: 100 alerts a second for 60 s, one broker killed, one paused for 10 s, one service instance killed.")
    boolean quick;

    @Option(names = "--keep-work-dir", description = "Keep the cluster's directory (logs, data) even when every check passed.")
    boolean keepWorkDir;

    @Option(names = "--setting", paramLabel = "[SERVICE:]KEY=VALUE", description = "A setting of every instance, or of one service's "
            + "(incident-stream:kafka.num.stream.threads=2); kafka.* go to Kafka's clients; repeatable.")
    Map<String, String> serviceSettings = new LinkedHashMap<>();

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final List<String> rows = new ArrayList<>();
    private final Map<String, Object> json = new LinkedHashMap<>();
    private final List<Disruption> disruptions = new ArrayList<>();
    private WebhookSink receiver;
    private LocalCluster cluster;
    private ClusterWatcher watcher;

    /** A kill or pause: what, when it began, when the process answered again. */
    private record Disruption(String what, Instant at, Instant readyAt) {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ChaosBenchmark()).execute(args));
    }

    Map<String, String> checkFailures() {
        return failures;
    }

    private int rate() {
        return rate != null ? rate : quick ? 100 : 500;
    }

    private int seconds() {
        return seconds != null ? seconds : quick ? 60 : 180;
    }

    private int groups() {
        return groups != null ? groups : quick ? 40 : 300;
    }

    private int brokerKills() {
        return brokerKills != null ? brokerKills : quick ? 1 : 2;
    }

    private int serviceKills() {
        return serviceKills != null ? serviceKills : quick ? 1 : ServiceKind.values().length;
    }

    private int pauseSeconds() {
        return pauseSeconds != null ? pauseSeconds : quick ? 10 : 30;
    }

    @Override
    public Integer call() throws Exception {
        long seedValue = seed != null ? seed : System.currentTimeMillis();
        Random random = new Random(seedValue);
        Path work = workDir.toAbsolutePath().normalize();
        Path source = root != null ? root : sourceRoot();
        report("chaos: %d alerts/s for %d s into %d incidents through both ingest instances; %d broker kill(s), %d service kill(s), "
                        + "one broker paused %d s; seed %d; %d cores, load %s; work dir %s", rate(), seconds(), groups(), brokerKills(),
                serviceKills(), pauseSeconds(), seedValue, Runtime.getRuntime().availableProcessors(), loadAverage(), work);
        json.put("parameters", Map.of("rate", rate(), "seconds", seconds(), "groups", groups(), "brokerKills", brokerKills(),
                "serviceKills", serviceKills(), "pauseSeconds", pauseSeconds(), "seed", seedValue, "cores",
                Runtime.getRuntime().availableProcessors()));
        LocalCluster.clean(work);
        Files.createDirectories(work);
        receiver = WebhookSink.start();
        try {
            Path config = writeConfig(work.resolve("config"));
            Map<ServiceKind, Map<String, String>> settings = new HashMap<>();
            settings.computeIfAbsent(ServiceKind.INCIDENT_STREAM, kind -> new HashMap<>())
                    .put(EngineConfig.API_TOKENS_FILE_CONFIG, config.resolve("secrets/api-tokens.yaml").toString());
            serviceSettings.forEach((key, value) -> {
                int colon = key.indexOf(':');
                ServiceKind kind = colon < 0 ? null : Arrays.stream(ServiceKind.values())
                        .filter(k -> k.distribution().equals(key.substring(0, colon))).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("--setting " + key + ": no service " + key.substring(0, colon)));
                settings.computeIfAbsent(kind, k -> new HashMap<>()).put(key.substring(colon + 1), value);
            });
            ServiceProcess.Launcher launcher = new ServiceProcess.Launcher(source, LocalCluster.SERVICE_JVM_OPTIONS);
            report("services start from %s", launcher.distributions() ? "their distributions (<module>/target/dist)" : "this JVM's class path "
                    + "(a distribution is missing: build with ./mvnw package)");
            long starting = System.nanoTime();
            cluster = new LocalCluster(new LocalCluster.Options(work.resolve("cluster"), config, Map.of(), settings, 3, 2, launcher));
            cluster.start();
            report("cluster ready in %.0f s: brokers %s; %d service processes", (System.nanoTime() - starting) / 1e9, cluster.bootstrapServers(),
                    cluster.services().size());
            watcher = new ClusterWatcher(cluster.bootstrapServers(), serdes).start();
            warmUp();
            run(random);
            verify();
        } catch (RuntimeException | IOException e) {
            failures.put("the run went on to the end", String.valueOf(e));
            e.printStackTrace(System.out);
        } finally {
            if (watcher != null) {
                watcher.close();
            }
            if (cluster != null) {
                cluster.close();
            }
            receiver.close();
        }
        printTable();
        json.put("failures", failures);
        Path reportFile = work.resolveSibling("chaos-report.json");
        JSON.writeValue(reportFile.toFile(), json);
        report("report: %s", reportFile);
        if (failures.isEmpty() && !keepWorkDir) {
            LocalCluster.clean(work);
        } else {
            report("kept %s", work);
        }
        return BenchSupport.exitCode(failures);
    }

    /** The directory holding mvnw and the service modules: this one or one above. */
    private static Path sourceRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("alert-ingest"))) {
                return dir;
            }
        }
        return Path.of("").toAbsolutePath();
    }

    // ---- configuration

    /**
     * Services {@code svc-0..9}, each with an Alertmanager integration; alerts group by service and
     * alertname into one incident each. A policy paging {@code first} at once and {@code second}
     * after the escalation delay, both by webhook to the receiver; "opened" news to a webhook channel;
     * a responder's API token for acknowledgements.
     */
    private Path writeConfig(Path config) throws IOException {
        Files.createDirectories(config.resolve("secrets"));
        StringBuilder yaml = new StringBuilder("services:\n");
        for (int s = 0; s < SERVICES; s++) {
            yaml.append("  - {id: svc-").append(s).append(", name: Chaos ").append(s).append(", escalationPolicyId: chaos-policy}\n");
        }
        yaml.append("integrations:\n");
        for (int s = 0; s < SERVICES; s++) {
            yaml.append("  - {id: svc-").append(s).append("-am, name: Chaos ").append(s).append(", type: ALERTMANAGER, serviceId: svc-").append(s)
                    .append(", key: ").append(key(s)).append("}\n");
        }
        yaml.append("""
                users:
                  - {id: first, name: First, contacts: [{type: WEBHOOK, address: "%s"}], notificationRules: [{contactType: WEBHOOK}]}
                  - {id: second, name: Second, contacts: [{type: WEBHOOK, address: "%s"}], notificationRules: [{contactType: WEBHOOK}]}
                escalationPolicies:
                  - {id: chaos-policy, name: Chaos, levels: [{targets: [{type: USER, id: first}], delayMinutes: %d}, {targets: [{type: USER, id: second}], delayMinutes: 30}]}
                channels:
                  - {id: %s, name: Chaos news, type: WEBHOOK, address: "%s", events: [opened]}
                routes:
                  - {id: chaos, priority: 10, matchers: ['alertname=~"Chaos.*"'], groupBy: [service, alertname], groupWindowMinutes: 60, autoResolve: false}
                """.formatted(receiver.url("/page/first"), receiver.url("/page/second"), escalationMinutes, NEWS_CHANNEL, receiver.url("/news")));
        Files.writeString(config.resolve("chaos.yaml"), yaml);
        Files.writeString(config.resolve("secrets/api-tokens.yaml"), """
                tokens:
                  - {user: first, role: responder, token: %s}
                """.formatted(TOKEN));
        return config;
    }

    private static String key(int service) {
        return "chaos-key-svc-" + service;
    }

    // ---- the run: load, acknowledgements and chaos

    /**
     * /readyz answers 200 while the Streams apps still rebalance (within a grace), so before the
     * load a warm-up alert (not one of the run's) goes through both ingest instances until its
     * incident opens: the run measures chaos, not the cluster's first minutes.
     */
    private void warmUp() throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        List<ServiceProcess> ingest = cluster.instances(ServiceKind.ALERT_INGEST);
        for (int attempt = 0; watcher.incidents() == 0; attempt++) {
            if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(300)) {
                throw new IllegalStateException("no incident opened within 300 s of the first warm-up alert");
            }
            String body = webhook(-1, 0).replace("\"Chaos0\"", "\"ChaosWarmUp\"").replace("chaos/-1", "warmup/" + attempt);
            HttpRequest request = HttpRequest.newBuilder(URI.create(ingest.get(attempt % ingest.size()).url() + "/api/v1/alertmanager"))
                    .header("Authorization", "Bearer " + key(0)).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(15)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
            try {
                http.send(request, HttpResponse.BodyHandlers.discarding());
            } catch (IOException e) {
                // Not yet: again in a moment.
            }
            Thread.sleep(5000);
        }
        report("warm-up: the first incident opened %.0f s after the first warm-up alert", (System.nanoTime() - start) / 1e9);
    }

    /** Alert i: its group, when it was answered 2xx (epoch millis; 0: not, or not yet). */
    private int[] groupOf;
    private AtomicLongArray answeredAt;
    private final AtomicLong refused = new AtomicLong();
    private final Map<String, Long> refusals = new ConcurrentHashMap<>();
    private final Map<String, Instant> acknowledged = new ConcurrentHashMap<>();
    private final AtomicLong ackFailures = new AtomicLong();
    private final HttpClient ackClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private void run(Random random) throws Exception {
        int total = rate() * seconds();
        groupOf = new int[total];
        answeredAt = new AtomicLongArray(total);
        // Groups open one after another over the first 80 % of the run; each alert goes to one of those open so far.
        double groupsPerAlert = groups() / (0.8 * total);
        for (int i = 0; i < total; i++) {
            groupOf[i] = random.nextInt(Math.max(1, Math.min(groups(), 1 + (int) (i * groupsPerAlert))));
        }
        long startNanos = System.nanoTime();
        List<Runnable> brokerPlan = brokerChaos(random, startNanos);
        List<Runnable> servicePlan = serviceChaos(random, startNanos);
        ScheduledExecutorService acks = Executors.newScheduledThreadPool(2);
        watcher.onOpened((incidentId, alert) -> {
            if (groupOf[alert] % ackEvery == 0) {
                acks.schedule(() -> acknowledge(incidentId, 0), ackAfterSeconds, TimeUnit.SECONDS);
            }
        });
        Thread brokers = chaosThread("broker-chaos", brokerPlan);
        Thread services = chaosThread("service-chaos", servicePlan);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        Semaphore inFlight = new Semaphore(maxInFlight);
        List<ServiceProcess> ingest = cluster.instances(ServiceKind.ALERT_INGEST);
        long nextReport = startNanos + TimeUnit.SECONDS.toNanos(10);
        for (int i = 0; i < total; i++) {
            long wait = startNanos + i * TimeUnit.SECONDS.toNanos(1) / rate() - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            int alert = i;
            int group = groupOf[i];
            int service = group % SERVICES;
            HttpRequest request = HttpRequest.newBuilder(URI.create(ingest.get(i % ingest.size()).url() + "/api/v1/alertmanager"))
                    .header("Authorization", "Bearer " + key(service)).header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(15)).POST(HttpRequest.BodyPublishers.ofString(webhook(alert, group))).build();
            // A client with a bounded number of requests in flight, as Alertmanager is: when ingest is slow, alerts go out later.
            inFlight.acquire();
            http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
                inFlight.release();
                if (error == null && response.statusCode() / 100 == 2) {
                    answeredAt.set(alert, System.currentTimeMillis());
                } else {
                    refused.incrementAndGet();
                    String why = error != null ? error.getClass().getSimpleName() : Integer.toString(response.statusCode());
                    refusals.merge(why, 1L, Long::sum);
                }
            });
            if (System.nanoTime() > nextReport) {
                nextReport += TimeUnit.SECONDS.toNanos(10);
                report("  %3.0f s: %,d alerts sent, %,d answered 2xx, %,d refused; %,d incidents, %,d acknowledged; %,d deliveries; load %s",
                        (System.nanoTime() - startNanos) / 1e9, i + 1, answered(), refused.get(), watcher.incidents(), acknowledged.size(),
                        receiver.received().size(), loadAverage());
            }
        }
        report("  load done after %.0f s; waiting for the chaos to end", (System.nanoTime() - startNanos) / 1e9);
        brokers.join();
        services.join();
        // Everything due: every alert answered 2xx attached, every escalation due fired, every delivery due arrived.
        awaitResults();
        acks.shutdownNow();
    }

    private long answered() {
        long n = 0;
        for (int i = 0; i < answeredAt.length(); i++) {
            n += answeredAt.get(i) != 0 ? 1 : 0;
        }
        return n;
    }

    /** Acknowledges through either incident-stream instance, again a second later until one answers 2xx. */
    private void acknowledge(String incidentId, int attempt) {
        List<ServiceProcess> api = cluster.instances(ServiceKind.INCIDENT_STREAM);
        ServiceProcess target = api.get((attempt + incidentId.hashCode() & 0x7fffffff) % api.size());
        try {
            HttpResponse<String> response = ackClient.send(HttpRequest.newBuilder(URI.create(target.url() + "/api/v1/incidents/" + incidentId + "/acknowledge"))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"chaos\"}")).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                acknowledged.put(incidentId, Instant.now());
                return;
            }
            report("  acknowledging %s at %s: %d %s", incidentId, target.name(), response.statusCode(), response.body());
        } catch (IOException e) {
            // The instance is down: the other one, a second later.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        ackFailures.incrementAndGet();
        if (attempt < 60) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            acknowledge(incidentId, attempt + 1);
        }
    }

    /** Broker kills one after another, and the pause, at random moments in 15–75 % of the run (one broker down at a time). */
    private List<Runnable> brokerChaos(Random random, long startNanos) {
        List<KafkaBroker> brokers = cluster.brokers();
        List<long[]> moments = new ArrayList<>();
        for (int k = 0; k < brokerKills(); k++) {
            moments.add(new long[] {moment(random, startNanos), random.nextInt(brokers.size()), 0});
        }
        if (pauseSeconds() > 0) {
            moments.add(new long[] {moment(random, startNanos), random.nextInt(brokers.size()), 1});
        }
        moments.sort(Comparator.comparingLong(m -> m[0]));
        List<Runnable> plan = new ArrayList<>();
        for (long[] m : moments) {
            KafkaBroker broker = brokers.get((int) m[1]);
            boolean pause = m[2] == 1;
            report("  plan: %s broker %d at %.0f s", pause ? "pause (SIGSTOP " + pauseSeconds() + " s)" : "SIGKILL + restart", broker.nodeId(),
                    (m[0] - startNanos) / 1e9);
            plan.add(() -> {
                sleepUntil(m[0]);
                Instant at = Instant.now();
                try {
                    if (pause) {
                        broker.pause();
                        report("  chaos: broker %d paused (SIGSTOP)", broker.nodeId());
                        Thread.sleep(TimeUnit.SECONDS.toMillis(pauseSeconds()));
                        broker.resume();
                        cluster.awaitFullyReplicated(Duration.ofSeconds(180));
                    } else {
                        report("  chaos: broker %d SIGKILL", broker.nodeId());
                        cluster.killAndRestart(broker, Duration.ofSeconds(180));
                    }
                    Disruption done = new Disruption((pause ? "broker " + broker.nodeId() + " paused " + pauseSeconds() + " s"
                            : "broker " + broker.nodeId() + " SIGKILL"), at, Instant.now());
                    report("  chaos: %s: back and fully replicated after %.1f s", done.what(), Duration.between(at, done.readyAt()).toMillis() / 1e3);
                    synchronized (disruptions) {
                        disruptions.add(done);
                    }
                } catch (Exception e) {
                    failures.put("broker chaos", String.valueOf(e));
                }
            });
        }
        return plan;
    }

    /** One instance of each of {@code serviceKills} services (seeded choice), at random moments in 15–75 % of the run. */
    private List<Runnable> serviceChaos(Random random, long startNanos) {
        List<ServiceKind> kinds = new ArrayList<>(List.of(ServiceKind.values()));
        java.util.Collections.shuffle(kinds, random);
        List<Map.Entry<Long, ServiceProcess>> moments = new ArrayList<>();
        for (ServiceKind kind : kinds.subList(0, Math.min(serviceKills(), kinds.size()))) {
            List<ServiceProcess> instances = cluster.instances(kind);
            moments.add(Map.entry(moment(random, startNanos), instances.get(random.nextInt(instances.size()))));
        }
        moments.sort(Map.Entry.comparingByKey());
        List<Runnable> plan = new ArrayList<>();
        for (Map.Entry<Long, ServiceProcess> m : moments) {
            ServiceProcess service = m.getValue();
            report("  plan: SIGKILL + restart %s at %.0f s", service.name(), (m.getKey() - startNanos) / 1e9);
            plan.add(() -> {
                sleepUntil(m.getKey());
                Instant at = Instant.now();
                try {
                    report("  chaos: %s SIGKILL", service.name());
                    cluster.killAndRestart(service, Duration.ofSeconds(300));
                    Disruption done = new Disruption(service.name() + " SIGKILL", at, Instant.now());
                    report("  chaos: %s: ready again after %.1f s", done.what(), Duration.between(at, done.readyAt()).toMillis() / 1e3);
                    synchronized (disruptions) {
                        disruptions.add(done);
                    }
                } catch (Exception e) {
                    failures.put("service chaos (" + service.name() + ")", String.valueOf(e));
                }
            });
        }
        return plan;
    }

    private long moment(Random random, long startNanos) {
        long span = TimeUnit.SECONDS.toNanos(seconds());
        return startNanos + (long) (span * (0.15 + 0.6 * random.nextDouble()));
    }

    private static void sleepUntil(long nanos) {
        long wait = nanos - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Thread chaosThread(String name, List<Runnable> plan) {
        Thread thread = new Thread(() -> plan.forEach(Runnable::run), name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** An Alertmanager webhook (version 4) of one firing alert: alertname {@code Chaos<group>}, fingerprint {@code chaos/<i>}. */
    private static String webhook(int alert, int group) {
        String service = "svc-" + (group % SERVICES);
        String alertname = "Chaos" + group;
        String labels = "{\"alertname\": \"%s\", \"service\": \"%s\", \"severity\": \"warning\"}".formatted(alertname, service);
        return """
                {"version": "4", "groupKey": "{}:{service=\\"%s\\"}", "truncatedAlerts": 0, "status": "firing", "receiver": "incident-engine",
                 "groupLabels": {"service": "%s"}, "commonLabels": {"service": "%s"}, "commonAnnotations": {}, "externalURL": "http://alertmanager.example:9093",
                 "alerts": [{"status": "firing", "labels": %s, "annotations": {"summary": "chaos alert %d"}, "startsAt": "%s",
                   "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus.example:9090/graph", "fingerprint": "chaos/%d"}]}
                """.formatted(service, service, service, labels, alert, Instant.now().minusSeconds(10), alert);
    }

    // ---- after the run

    /** The delivery ids (Idempotency-Key) due from the log: a page per user of each escalation, "opened" news per incident. */
    private Set<String> dueDeliveries() {
        Set<String> due = new HashSet<>();
        for (ClusterWatcher.Incident incident : watcher.snapshot()) {
            if (incident.openedEventId != null) {
                due.add(incident.openedEventId + ":" + NEWS_CHANNEL + ":webhook:0");
            }
            for (ClusterWatcher.Escalation escalation : incident.escalations) {
                for (String user : escalation.users()) {
                    due.add(escalation.eventId() + ":" + user + ":webhook:0");
                }
            }
        }
        return due;
    }

    private Set<String> deliveredKeys() {
        Set<String> keys = new HashSet<>();
        for (WebhookSink.Received received : receiver.received()) {
            keys.add(String.valueOf(received.header("Idempotency-Key")));
        }
        return keys;
    }

    /**
     * Escalations not yet fired although due: incidents opened longer than the delay ago, not
     * acknowledged (an acknowledgement that came first, even late, rightly stops the escalation).
     */
    private long escalationsPending() {
        Instant now = Instant.now();
        Duration delay = Duration.ofMinutes(escalationMinutes);
        return watcher.snapshot().stream().filter(incident -> incident.openedAt != null
                && incident.openedAt.plus(delay).plusSeconds(2).isBefore(now) && incident.acknowledgedAt == null
                && incident.escalations.stream().noneMatch(e -> e.level() >= 1)).count();
    }

    private long alertsNotAttached() {
        long missing = 0;
        for (int i = 0; i < answeredAt.length(); i++) {
            if (answeredAt.get(i) != 0 && !watcher.attached(i)) {
                missing++;
            }
        }
        return missing;
    }

    private void awaitResults() throws InterruptedException {
        Supplier<String> status = () -> String.format("%,d alerts answered 2xx not yet attached; %,d escalations due not fired; %,d of %,d deliveries due "
                + "not arrived", alertsNotAttached(), escalationsPending(), notArrived(), dueDeliveries().size());
        Instant lastOpen = watcher.snapshot().stream().map(i -> i.openedAt).filter(java.util.Objects::nonNull).max(Comparator.naturalOrder())
                .orElse(Instant.now());
        Instant escalationsDue = lastOpen.plus(Duration.ofMinutes(escalationMinutes)).plusSeconds(5);
        BooleanSupplier done = () -> Instant.now().isAfter(escalationsDue) && alertsNotAttached() == 0 && escalationsPending() == 0 && notArrived() == 0;
        long start = System.nanoTime();
        String last = "";
        long movedAt = start;
        long nextReport = start;
        while (!done.getAsBoolean()) {
            String now = status.get();
            if (!now.equals(last)) {
                last = now;
                movedAt = System.nanoTime();
            }
            if (System.nanoTime() - movedAt > TimeUnit.SECONDS.toNanos(stallSeconds)) {
                failures.put("every result due arrived", now + " (nothing moved for " + stallSeconds + " s)");
                return;
            }
            if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(maxWaitSeconds)) {
                failures.put("every result due arrived", now + " (not within " + maxWaitSeconds + " s)");
                return;
            }
            if (System.nanoTime() > nextReport) {
                report("  waiting: %s", now);
                nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            }
            Thread.sleep(500);
        }
        report("  every result due arrived %.0f s after the load; 5 s more for late duplicates", (System.nanoTime() - start) / 1e9);
        Thread.sleep(5000);
    }

    private long notArrived() {
        Set<String> delivered = deliveredKeys();
        return dueDeliveries().stream().filter(key -> !delivered.contains(key)).count();
    }

    private void verify() throws Exception {
        int total = answeredAt.length();
        long answered = answered();
        // alerts.v1, read_committed: the fingerprints stored.
        Set<Integer> stored = new HashSet<>();
        Topic<String, Alert> alerts = Topics.ALERTS;
        var deserializer = alerts.valueSerde(serdes).deserializer();
        scan(cluster.bootstrapServers(), alerts.name(), true, record -> {
            Alert alert = deserializer.deserialize(alerts.name(), record.value());
            Integer index = ClusterWatcher.alertIndex(alert.getFingerprint());
            if (index != null) {
                stored.add(index);
            }
        });
        long notStored = 0;
        long notAttached = 0;
        for (int i = 0; i < total; i++) {
            if (answeredAt.get(i) != 0) {
                notStored += stored.contains(i) ? 0 : 1;
                notAttached += watcher.attached(i) ? 0 : 1;
            }
        }
        long lost = Math.max(notStored, notAttached);
        long multiAttached = watcher.alertsInSeveralIncidents();
        long duplicateIncidents = watcher.duplicateIncidents();
        long duplicateEvents = watcher.duplicateIds();
        long gaps = watcher.sequenceGaps();

        LocalCluster.CliResult rebuild = cluster.incidentctl(Duration.ofMinutes(5), "rebuild", "--verify", "-o", "json",
                "--bootstrap-servers", cluster.bootstrapServers());
        long differing;
        try {
            differing = JSON.readTree(rebuild.output().substring(rebuild.output().indexOf('{'))).path("differing").asLong(-1);
        } catch (Exception e) {
            differing = -1;
        }

        // Deliveries: due (from the log) against what the receiver got, by idempotency key.
        Set<String> due = dueDeliveries();
        Map<String, List<WebhookSink.Received>> byKey = new HashMap<>();
        for (WebhookSink.Received received : receiver.received()) {
            byKey.computeIfAbsent(String.valueOf(received.header("Idempotency-Key")), k -> new ArrayList<>()).add(received);
        }
        long undelivered = due.stream().filter(key -> !byKey.containsKey(key)).count();
        long duplicateDeliveries = byKey.values().stream().mapToLong(list -> list.size() - 1).sum();
        long unexpected = byKey.keySet().stream().filter(key -> !due.contains(key)).count();
        long pages = byKey.entrySet().stream().filter(e -> e.getValue().get(0).path().startsWith("/page")).count();
        long news = byKey.size() - pages;
        // A page after its incident's acknowledgement: first sent after the ack was made.
        long pagesAfterAck = 0;
        Map<String, ClusterWatcher.Incident> incidents = new HashMap<>();
        Map<String, String> incidentOfEvent = new HashMap<>();
        for (ClusterWatcher.Incident incident : watcher.snapshot()) {
            incidents.put(incident.id, incident);
            incident.escalations.forEach(e -> incidentOfEvent.put(e.eventId(), incident.id));
        }
        for (var entry : byKey.entrySet()) {
            WebhookSink.Received first = entry.getValue().get(0);
            String eventId = entry.getKey().split(":")[0];
            ClusterWatcher.Incident incident = incidents.get(incidentOfEvent.get(eventId));
            if (first.path().startsWith("/page") && incident != null && incident.acknowledgedAt != null && first.at().isAfter(incident.acknowledgedAt)) {
                pagesAfterAck++;
                report("  page after acknowledgement: %s at %s, acknowledged at %s", entry.getKey(), first.at(), incident.acknowledgedAt);
            }
        }
        long escalationsAfterAck = watcher.escalationsAfterAck();

        // Escalation lateness: a second level's due time (opened + delay) to the event's time.
        Histogram lateness = new Histogram(3);
        for (ClusterWatcher.Incident incident : watcher.snapshot()) {
            for (ClusterWatcher.Escalation escalation : incident.escalations) {
                if (escalation.level() == 1 && incident.openedAt != null) {
                    Instant dueAt = incident.openedAt.plus(Duration.ofMinutes(escalationMinutes));
                    lateness.recordValue(Math.max(0, Duration.between(dueAt, escalation.at()).toMillis()));
                }
            }
        }

        // Outage per disruption: the longest an alert answered 2xx in [start, back + 30 s] waited until its attachment was readable.
        List<Map<String, Object>> outages = new ArrayList<>();
        long worstBrokerKill = 0;
        for (Disruption disruption : disruptions) {
            long from = disruption.at().toEpochMilli();
            long to = disruption.readyAt().plusSeconds(30).toEpochMilli();
            long worst = 0;
            long count = 0;
            for (int i = 0; i < total; i++) {
                long at = answeredAt.get(i);
                if (at >= from && at <= to) {
                    count++;
                    long attached = watcher.attachedAtMillis(i);
                    worst = Math.max(worst, attached == 0 ? 0 : attached - at);
                }
            }
            if (disruption.what().contains("broker") && disruption.what().contains("SIGKILL")) {
                worstBrokerKill = Math.max(worstBrokerKill, worst);
            }
            outages.add(Map.of("disruption", disruption.what(), "at", disruption.at().toString(), "backAfterMs",
                    Duration.between(disruption.at(), disruption.readyAt()).toMillis(), "alerts", count, "worstAlertToIncidentMs", worst));
            row("outage: " + disruption.what(), String.format("back after %.1f s; %,d alerts answered in the window; longest wait for the incident %,d ms",
                    Duration.between(disruption.at(), disruption.readyAt()).toMillis() / 1e3, count, worst), true);
        }

        long died = 0;
        for (ServiceProcess service : cluster.services()) {
            died += service.logLines("failed; replacing it");
        }
        long deadLettered = 0;
        for (Topic<?, ?> topic : Topics.ALL) {
            if (topic.name().contains(".dlq.")) {
                deadLettered += committedRecords(cluster.bootstrapServers(), topic.name());
            }
        }

        row("alerts sent / answered 2xx / refused", String.format("%,d / %,d / %,d %s", total, answered, refused.get(), refusals), true);
        row("incidents / acknowledged through the API", String.format("%,d / %,d (%,d attempts failed and were retried)", watcher.incidents(),
                acknowledged.size(), ackFailures.get()), true);
        check("lost: answered 2xx but not in alerts.v1 or attached to no incident", lost == 0,
                String.format("%,d (%,d not in %s, %,d not attached)", lost, notStored, alerts.name(), notAttached));
        check("alerts attached to more than one incident", multiAttached == 0, Long.toString(multiAttached));
        check("duplicate incidents (a group opened twice)", duplicateIncidents == 0, Long.toString(duplicateIncidents));
        check("duplicate events (same event id)", duplicateEvents == 0, Long.toString(duplicateEvents));
        check("missing events (gaps in an incident's sequence)", gaps == 0, Long.toString(gaps));
        check("incidentctl rebuild --verify: differences", differing == 0 && rebuild.exitCode() == 0,
                differing + " (exit " + rebuild.exitCode() + ")" + (differing == 0 ? "" : ": " + rebuild.output().strip()));
        check("undelivered: pages and news due, not received", undelivered == 0,
                String.format("%,d of %,d due (%,d pages, %,d news received)", undelivered, due.size(), pages, news));
        row("duplicate deliveries (same idempotency key, in flight at a kill)", String.format("%,d", duplicateDeliveries), true);
        row("deliveries not due (no escalation or opening of the log)", String.format("%,d", unexpected), true);
        check("pages after acknowledgement", pagesAfterAck == 0 && escalationsAfterAck == 0,
                String.format("%,d pages; %,d escalations written after the acknowledgement", pagesAfterAck, escalationsAfterAck));
        row("escalation lateness (second level: due → fired)", String.format("p50 %,d ms, p99 %,d ms, max %,d ms over %,d escalations",
                lateness.getValueAtPercentile(50), lateness.getValueAtPercentile(99), lateness.getMaxValue(), lateness.getTotalCount()), true);
        row("worst alert-to-incident delay during a broker kill", String.format("%,d ms", worstBrokerKill), true);
        check("nothing dead-lettered", deadLettered == 0, Long.toString(deadLettered));
        row("stream threads replaced (log lines 'failed; replacing it')", Long.toString(died), true);

        json.put("alerts", Map.of("sent", total, "answered2xx", answered, "refused", refused.get(), "lost", lost, "notStored", notStored,
                "notAttached", notAttached, "inSeveralIncidents", multiAttached));
        json.put("incidents", Map.of("count", watcher.incidents(), "duplicate", duplicateIncidents, "acknowledged", acknowledged.size()));
        json.put("events", Map.of("count", watcher.events(), "duplicate", duplicateEvents, "sequenceGaps", gaps));
        json.put("rebuildDifferences", differing);
        json.put("deliveries", Map.of("due", due.size(), "undelivered", undelivered, "duplicate", duplicateDeliveries, "notDue", unexpected,
                "pagesAfterAck", pagesAfterAck, "escalationsAfterAck", escalationsAfterAck));
        json.put("escalationLatenessMs", Map.of("p50", lateness.getValueAtPercentile(50), "p99", lateness.getValueAtPercentile(99),
                "max", lateness.getMaxValue(), "count", lateness.getTotalCount()));
        json.put("outages", outages);
        json.put("worstBrokerKillAlertToIncidentMs", worstBrokerKill);
        json.put("deadLettered", deadLettered);
    }

    private void check(String name, boolean passed, String detail) {
        row(name, detail, passed);
        if (!passed) {
            failures.put(name, detail);
        }
    }

    private void row(String name, String detail, boolean passed) {
        rows.add(String.format("| %s | %s | %s |", name, detail, passed ? "PASS" : "FAIL"));
    }

    private void printTable() {
        report("");
        report("| measure | result | |");
        report("|---|---|---|");
        rows.forEach(row -> report("%s", row));
        report("");
    }
}
