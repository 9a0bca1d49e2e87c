package dev.incidentengine.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.incidentengine.deploy.KafkaBroker;
import dev.incidentengine.escalation.EscalationStreamConfig;
import dev.incidentengine.escalation.EscalationStreamService;
import dev.incidentengine.escalation.EscalationTopics;
import dev.incidentengine.escalation.EscalationTopology;
import dev.incidentengine.incident.IncidentStreamConfig;
import dev.incidentengine.incident.IncidentStreamService;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.EscalationLevel;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.LevelTarget;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.service.ServiceRunner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import static dev.incidentengine.bench.BenchSupport.deleteRecursively;
import static dev.incidentengine.bench.BenchSupport.exitCode;
import static dev.incidentengine.testkit.TopicContents.freePort;
import static dev.incidentengine.bench.BenchSupport.keepIfFailed;
import static dev.incidentengine.bench.BenchSupport.millis;
import static dev.incidentengine.bench.BenchSupport.rawKafkaLatency;
import static dev.incidentengine.bench.BenchSupport.report;

/**
 * escalation-stream's timers on this machine. (1) The cost of one punctuation with 1,000 timers due
 * among 10,000 and among 1,000,000 pending, on the real processor and RocksDB stores
 * (TopologyTestDriver, so the punctuation can be timed alone). (2) On a real broker with
 * incident-stream and escalation-stream: incidents open at a steady rate, each one's next level
 * due after the policy's delay, so once the delay has passed the pending timers stay at rate x
 * delay and rate fall due per second; lateness is the time from a deadline until its
 * IncidentEscalated is readable (read_committed), beside raw Kafka's produce-to-read latency at the
 * same rate. (3) escalation-stream restarted with the pending timers, with its local state and
 * without (restored from the changelog): the time from start until the first due timer's
 * IncidentEscalated is readable.
 */
@Command(name = "escalation-benchmark", mixinStandardHelpOptions = true)
public final class EscalationBenchmark implements Callable<Integer> {

    private static final String POLICY = "bench-policy";

    @Option(names = "--rate", defaultValue = "1000", description = "Incidents opened, and timers falling due, per second (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--delay-minutes", defaultValue = "2", description = "The policy's delay before the next level (default ${DEFAULT-VALUE}).")
    int delayMinutes;

    @Option(names = "--measure-seconds", defaultValue = "60", description = "Seconds of due timers measured (default ${DEFAULT-VALUE}).")
    int measureSeconds;

    @Option(names = "--punctuation-pending", split = ",", defaultValue = "10000,1000000",
            description = "Pending timer counts of the punctuation-cost phase (default ${DEFAULT-VALUE}).")
    List<Integer> punctuationPending;

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final Map<String, String> failures = new java.util.LinkedHashMap<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new EscalationBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        List<String> punctuations = new ArrayList<>();
        for (int pending : punctuationPending) {
            punctuations.add(punctuationCost(pending));
        }
        Path dir = Files.createTempDirectory("escalation-bench");
        try (KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"), "127.0.0.1", freePort(), freePort())) {
            broker.start(Duration.ofSeconds(60));
            String bootstrap = broker.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                BenchSupport.createTopics(admin, Topics.ALL);
            }
            String raw = rawKafkaLatency(bootstrap, rate, 10);
            String[] steady = steadyState(bootstrap, dir);
            report("");
            report("| measure | result | target |");
            report("|---|---|---|");
            punctuations.forEach(line -> report("%s", line));
            report("| lateness, %,d pending, %,d due/s: deadline → IncidentEscalated (its time; readable read_committed) | %s | p99 ≤ 1 s |",
                    rate * delayMinutes * 60, rate, steady[0]);
            report("| raw Kafka produce → read_committed, %,d records/s, same broker | %s | |", rate, raw);
            report("| restart with %s pending, local state kept: start → first due IncidentEscalated readable | %s | ≤ 10 s |", steady[1], steady[2]);
            report("| restart, local state wiped (changelog restore) | %s | ≤ 10 s |", steady[3]);
        } finally {
            keepIfFailed(dir, failures);
        }
        return exitCode(failures);
    }

    /** One punctuation taking 1,000 due timers among {@code pending}, timed on the real processor and stores. */
    private String punctuationCost(int pending) throws Exception {
        Instant t0 = Instant.parse("2026-11-22T00:00:00Z");
        Properties props = KafkaClients.streams(new EscalationStreamConfig(Map.of()), "punctuation-bench", Topics.INCIDENT_DLQ);
        Path state = Files.createTempDirectory("punctuation-bench");
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        EscalationTopics topics = EscalationTopics.DEFAULT;
        try (TopologyTestDriver driver = new TopologyTestDriver(EscalationTopology.build(topics, serdes, Duration.ofSeconds(1), new SimpleMeterRegistry()), props, t0)) {
            driver.createInputTopic(topics.policies().name(), new StringSerializer(), topics.policies().valueSerde(serdes).serializer())
                    .pipeInput(POLICY, policy(1));
            TestInputTopic<String, IncidentEvent> events = driver.createInputTopic(topics.events().name(), new StringSerializer(),
                    topics.events().valueSerde(serdes).serializer());
            // 1,000 incidents opened per second of event time: their next level falls due 1,000 a second, a minute later.
            long loadStart = System.nanoTime();
            for (int i = 0; i < pending; i++) {
                String id = "INC-P-" + i;
                events.pipeInput(id, opened(id, t0.plusMillis(i * 1000L / 1000)));
            }
            double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
            driver.advanceWallClockTime(Duration.ofSeconds(60));
            Histogram punctuation = new Histogram(3);
            // Ten punctuations, each taking the 1,000 timers of one second (10,000 pending hold ten seconds of them).
            for (int second = 0; second < 10; second++) {
                long start = System.nanoTime();
                driver.advanceWallClockTime(Duration.ofSeconds(1));
                punctuation.recordValue(System.nanoTime() - start);
            }
            report("punctuation: %,d pending (loaded in %.1f s): one punctuation taking 1,000 due timers p50 %.1f ms, max %.1f ms",
                    pending, loadSeconds, millis(punctuation, 50), punctuation.getMaxValue() / 1e6);
            return String.format("| one punctuation, 1,000 due among %,d pending | p50 %.1f ms, max %.1f ms | grows with due, not pending |",
                    pending, millis(punctuation, 50), punctuation.getMaxValue() / 1e6);
        } finally {
            deleteRecursively(state);
        }
    }

    /** Phases 2 and 3: steady load through both apps, then escalation-stream restarted twice. */
    private String[] steadyState(String bootstrap, Path dir) throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        try (KafkaProducer<String, EscalationPolicyConfig> config = new KafkaProducer<>(KafkaClients.producer(
                new EscalationStreamConfig(settings), "bench-config"), new StringSerializer(),
                Topics.CONFIG_ESCALATION_POLICIES.valueSerde(serdes).serializer())) {
            config.send(new ProducerRecord<>(Topics.CONFIG_ESCALATION_POLICIES.name(), POLICY, policy(delayMinutes))).get();
        }
        Map<String, Instant> opened = new ConcurrentHashMap<>();
        Histogram lateness = new Histogram(3);
        Histogram readable = new Histogram(3);
        AtomicReference<Instant> measureFrom = new AtomicReference<>(Instant.MAX);
        AtomicReference<Instant> measureTo = new AtomicReference<>(Instant.MAX);
        AtomicReference<Instant> firstAfterRestart = new AtomicReference<>();
        AtomicLong measured = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean watching = new java.util.concurrent.atomic.AtomicBoolean(true);
        Duration delay = Duration.ofMinutes(delayMinutes);
        Thread watcher = new Thread(() -> {
            try (KafkaConsumer<String, IncidentEvent> consumer = consumer(bootstrap, Topics.INCIDENT_EVENTS.valueSerde(serdes).deserializer())) {
                consumer.subscribe(List.of(Topics.INCIDENT_EVENTS.name()));
                while (watching.get()) {
                    for (ConsumerRecord<String, IncidentEvent> record : consumer.poll(Duration.ofMillis(50))) {
                        IncidentEvent event = record.value();
                        if (event.getPayload() instanceof IncidentOpened) {
                            opened.put(event.getIncidentId(), event.getTimestamp());
                        } else if (event.getPayload() instanceof IncidentEscalated escalated && escalated.getLevel() == 1
                                && opened.containsKey(event.getIncidentId())) {
                            Instant deadline = opened.get(event.getIncidentId()).plus(delay);
                            Instant now = Instant.now();
                            if (!deadline.isBefore(measureFrom.get()) && deadline.isBefore(measureTo.get())) {
                                // Fired: the page's time (the punctuation that took it); readable: when this reader saw it.
                                lateness.recordValue(Math.max(0, Duration.between(deadline, event.getTimestamp()).toNanos()));
                                readable.recordValue(Math.max(0, Duration.between(deadline, now).toNanos()));
                                measured.incrementAndGet();
                            }
                            firstAfterRestart.compareAndSet(null, now);
                        }
                    }
                }
            }
        });
        watcher.setDaemon(true);
        watcher.start();
        ServiceRunner incidents = new ServiceRunner("127.0.0.1", 0, List.of(new IncidentStreamService(new IncidentStreamConfig(settings)))).start();
        ServiceRunner escalation = startEscalation(settings);
        int total = rate * (delayMinutes * 60 + measureSeconds);
        try (KafkaProducer<String, IncidentCommand> producer = new KafkaProducer<>(KafkaClients.producer(
                new EscalationStreamConfig(settings), "bench-load"), new StringSerializer(),
                Topics.INCIDENT_COMMANDS.valueSerde(serdes).serializer())) {
            awaitReady(incidents, escalation);
            long start = System.nanoTime();
            Instant startedAt = Instant.now();
            measureFrom.set(startedAt.plus(delay));
            measureTo.set(startedAt.plus(delay).plusSeconds(measureSeconds));
            report("steady state: opening %,d incidents at %,d/s; timers of the last %d minutes pending, %,d due a second after the first %d minutes",
                    total, rate, delayMinutes, rate, delayMinutes);
            for (int i = 0; i < total; i++) {
                long due = start + i * 1_000_000_000L / rate;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
                String id = "INC-B-" + i;
                Instant now = Instant.now();
                producer.send(new ProducerRecord<>(Topics.INCIDENT_COMMANDS.name(), id, open(id, now)));
                if (i % (rate * 30) == 0) {
                    report("  %,d opened, %,d level-1 pages measured", i, measured.get());
                }
            }
        }
        Thread.sleep(Duration.between(Instant.now(), measureTo.get()).toMillis() + 5_000);
        String steady = String.format("fired p50 %.0f ms, p99 %.0f ms, max %.0f ms; readable p50 %.0f ms, p99 %.0f ms (%,d timers)",
                millis(lateness, 50), millis(lateness, 99), lateness.getMaxValue() / 1e6, millis(readable, 50), millis(readable, 99),
                lateness.getTotalCount());
        report("steady state: %s", steady);
        if (millis(lateness, 99) > 1000) {
            failures.put("p99 lateness ≤ 1 s", steady);
        }
        int expected = rate * measureSeconds;
        if (lateness.getTotalCount() < expected * 99L / 100) {
            failures.put("every measured timer fired", lateness.getTotalCount() + " of " + expected);
        }
        Instant loadEnded = measureTo.get();

        // Phase 3: the last timers are still pending; restart with local state, then without.
        String[] restarts = new String[2];
        String pendingAtRestart = "";
        for (int attempt = 0; attempt < 2; attempt++) {
            escalation.close();
            if (attempt == 1) {
                deleteRecursively(dir.resolve("state").resolve("escalation-stream"));
            }
            Thread.sleep(3_000);
            firstAfterRestart.set(null);
            Instant started = Instant.now();
            long pending = Math.max(0, rate * (delay.toMillis() - Duration.between(loadEnded, started).toMillis()) / 1000);
            if (attempt == 0) {
                pendingAtRestart = String.format("%,d", pending);
            }
            escalation = startEscalation(settings);
            Instant deadline = started.plusSeconds(60);
            while (firstAfterRestart.get() == null && Instant.now().isBefore(deadline)) {
                Thread.sleep(20);
            }
            Duration took = firstAfterRestart.get() == null ? null : Duration.between(started, firstAfterRestart.get());
            restarts[attempt] = took == null ? "none within 60 s" : String.format("%.1f s", took.toMillis() / 1000.0);
            if (took == null || took.compareTo(Duration.ofSeconds(10)) > 0) {
                failures.put("first due timer within 10 s of a restart (" + (attempt == 0 ? "state kept" : "state wiped") + ")", restarts[attempt]);
            }
            report("restart %s: first due page readable %s after the start", attempt == 0 ? "with local state" : "from the changelog",
                    restarts[attempt]);
        }
        escalation.close();
        incidents.close();
        watching.set(false);
        watcher.join(10_000);
        return new String[] {steady, pendingAtRestart, restarts[0], restarts[1]};
    }

    private static ServiceRunner startEscalation(Map<String, String> settings) {
        return new ServiceRunner("127.0.0.1", 0, List.of(new EscalationStreamService(new EscalationStreamConfig(settings),
                EscalationTopics.DEFAULT))).start();
    }

    private static void awaitReady(ServiceRunner... runners) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (!java.util.Arrays.stream(runners).allMatch(ServiceRunner::ready)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("services not ready within 60 s");
            }
            Thread.sleep(100);
        }
    }

    private static EscalationPolicyConfig policy(int delayMinutes) {
        return new EscalationPolicyConfig(POLICY, "Bench", List.of(
                new EscalationLevel(List.of(new LevelTarget(TargetType.USER, "alice")), delayMinutes, false),
                new EscalationLevel(List.of(new LevelTarget(TargetType.USER, "bob")), delayMinutes, false)), 0, null, false);
    }

    private static IncidentEvent opened(String id, Instant at) {
        return IncidentEvent.newBuilder().setEventId("open-" + id + "/0").setIncidentId(id).setSequence(1).setTimestamp(at)
                .setActor(new Actor(ActorType.INTEGRATION, "bench", null)).setCauseId("open-" + id)
                .setPayload(new IncidentOpened("Bench", Severity.SEV2, "bench", "k-" + id, POLICY, Map.of(), true, null, null, java.util.Map.of(), null, null)).build();
    }

    private static IncidentCommand open(String id, Instant at) {
        Alert alert = Alert.newBuilder().setFingerprint("fp-" + id).setStatus(dev.incidentengine.model.AlertStatus.FIRING)
                .setSeverity(Severity.SEV2).setSummary("Bench " + id).setSource("bench").setService("bench")
                .setStartsAt(at).setReceivedAt(at).setRawFormat(RawFormat.AVRO).build();
        return IncidentCommand.newBuilder().setCommandId("open-" + id).setIncidentId(id)
                .setActor(new Actor(ActorType.INTEGRATION, "bench", null)).setTimestamp(at)
                .setPayload(new AttachAlert(alert, "k-" + id, POLICY, true, null)).build();
    }

    private static <V> KafkaConsumer<String, V> consumer(String bootstrap, org.apache.kafka.common.serialization.Deserializer<V> values) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-" + System.nanoTime(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"), new StringDeserializer(), values);
    }
}
