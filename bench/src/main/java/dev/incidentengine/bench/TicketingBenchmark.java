package dev.incidentengine.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.incidentengine.deploy.KafkaBroker;
import dev.incidentengine.deploy.connect.ConnectWorker;
import dev.incidentengine.model.ActionItemAdded;
import dev.incidentengine.model.ActionItemCompleted;
import dev.incidentengine.model.ActionItemPriority;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.LinkTicket;
import dev.incidentengine.model.NoteAdded;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.StatusUpdatePosted;
import dev.incidentengine.model.TicketLink;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.ticketing.TicketSystem;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import static dev.incidentengine.testkit.TopicContents.freePort;
import static dev.incidentengine.bench.BenchSupport.millis;
import static dev.incidentengine.bench.BenchSupport.report;

/**
 * {@code ./bench/ticketing}: the ticketing sink in a real distributed Connect worker (its own JVM, the packaged plugin on
 * {@code plugin.path}), on a real broker, against a real Redmine (Debian's, on a copy of its sqlite database) and the Jira
 * contract server. Incident logs are written straight to {@code incident.events.v1}, as incident-stream writes them, so what
 * is measured is the connector and the ticket system. Per system:
 * <ol>
 *   <li>Latency, cold then warm: incidents opened one at a time at a pace well below capacity; from IncidentOpened's append
 *       to the connector's LinkTicket command, written right after the ticket was made (the ticket exists).</li>
 *   <li>Throughput: N incident lifecycles (opened, acknowledged, a note, a status update, resolved, every k-th with an action
 *       item added and completed, closed) written at once; tickets/s and events/s until every incident's log is applied
 *       ({@code ticket.links.v1} says so). The worker is killed with SIGKILL part way and started again.</li>
 *   <li>Baseline, in the same run with the same client: the connector's own {@link TicketSystem} client making a
 *       lifecycle's requests directly, one after another, so the ratio says what Kafka and Connect cost.</li>
 *   <li>Checks: one ticket per incident and per action item, every event's comment once (by the markers the connector puts
 *       in them), nothing in the dead-letter topic.</li>
 * </ol>
 */
@Command(name = "ticketing-benchmark", mixinStandardHelpOptions = true)
public final class TicketingBenchmark implements Callable<Integer> {

    private static final Pattern MARKER = Pattern.compile("incident-engine event (\\S+)\\)");
    private static final Actor ALICE = new Actor(ActorType.USER, "alice", "Alice Example");

    @Option(names = "--systems", split = ",", defaultValue = "redmine,jira", description = "Ticket systems to run against (default: ${DEFAULT-VALUE}).")
    List<String> systems;

    @Option(names = "--incidents", defaultValue = "10000", description = "Incident lifecycles of the throughput phase (default: ${DEFAULT-VALUE}).")
    int incidents;

    @Option(names = "--action-items-every", defaultValue = "10", description = "Every k-th incident gets an action item (default: ${DEFAULT-VALUE}).")
    int actionItemsEvery;

    @Option(names = "--tasks", defaultValue = "1", description = "The sink's tasks.max (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--paced", defaultValue = "100", description = "Incidents of the latency phase (default: ${DEFAULT-VALUE}).")
    int paced;

    @Option(names = "--pace-ms", defaultValue = "250", description = "Time between the latency phase's incidents (default: ${DEFAULT-VALUE}).")
    long paceMs;

    @Option(names = "--cold", defaultValue = "10", description = "The latency phase's first incidents, reported as cold (default: ${DEFAULT-VALUE}).")
    int cold;

    @Option(names = "--baseline", defaultValue = "200", description = "Lifecycles the client makes directly, for the baseline (default: ${DEFAULT-VALUE}).")
    int baseline;

    @Option(names = "--kill-at", defaultValue = "0.4",
            description = "SIGKILL the worker when this share of the throughput phase's tickets exist; 0: never (default: ${DEFAULT-VALUE}).")
    double killAt;

    @Option(names = "--plugin-path", defaultValue = "ticketing/target/plugin", description = "Where the plugin was built (default: ${DEFAULT-VALUE}).")
    Path pluginPath;

    private final Map<String, String> failures = new LinkedHashMap<>();
    private final List<String> rows = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new TicketingBenchmark()).execute(args));
    }

    Map<String, String> failures() {
        return failures;
    }

    @Override
    public Integer call() throws Exception {
        // The JDK's HTTP server (the Jira contract server, in this JVM) waits out Nagle's algorithm on every answer
        // (about 40 ms) unless told otherwise: that would be measured as the connector's time.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Path dir = Files.createTempDirectory("ticketing-bench");
        report("ticketing benchmark: %s, %,d lifecycles (%d tasks), %d paced, kill at %.0f%%, load %s", systems, incidents, tasks, paced,
                killAt * 100, BenchSupport.loadAverage());
        try (KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"), "127.0.0.1", freePort(), freePort())) {
            broker.start(Duration.ofSeconds(60));
            String bootstrap = broker.bootstrapServers();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                BenchSupport.createTopics(admin, Topics.ALL);
            }
            ConnectWorker worker = new ConnectWorker(new ConnectWorker.Options(dir.resolve("connect"), bootstrap, "127.0.0.1", freePort(),
                    pluginPath, Map.of()));
            try (worker) {
                long started = System.nanoTime();
                worker.start(Duration.ofSeconds(120));
                report("Connect worker up in %,d ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                for (String system : systems) {
                    try (BenchTarget target = BenchTarget.start(system, dir.resolve(system))) {
                        run(target, worker, bootstrap);
                    }
                }
            }
        }
        report("%n| system | measure | value |%n|---|---|---|");
        rows.forEach(row -> report("%s", row));
        BenchSupport.keepIfFailed(dir, failures);
        return BenchSupport.exitCode(failures);
    }

    private void run(BenchTarget target, ConnectWorker worker, String bootstrap) throws Exception {
        String system = target.system();
        String connector = system + "-bench";
        String prefix = system.substring(0, 1).toUpperCase() + "-" + Long.toString(System.currentTimeMillis(), 36).toUpperCase();

        baseline(target, prefix + "-B");

        Map<String, String> config = new LinkedHashMap<>(target.connectorSettings());
        config.put("connector.class", "dev.incidentengine.ticketing.TicketSinkConnector");
        config.put("tasks.max", Integer.toString(tasks));
        config.put("topics", Topics.INCIDENT_EVENTS.name());
        config.put("ticket.system", system);
        config.put("ticket.kafka.bootstrap.servers", bootstrap);
        config.put("errors.tolerance", "all");
        config.put("errors.deadletterqueue.topic.name", Topics.TICKET_DLQ.name());
        config.put("errors.deadletterqueue.context.headers.enable", "true");
        long created = System.currentTimeMillis();
        worker.putConnector(connector, config);
        worker.awaitRunning(connector, tasks, Duration.ofSeconds(60));

        try (Progress progress = new Progress(bootstrap, connector);
             KafkaProducer<String, IncidentEvent> producer = producer(bootstrap)) {
            progress.start();
            latency(system, prefix + "-L", producer, progress, created);
            throughput(system, prefix + "-T", producer, progress, worker, connector);
        }
        check(target, prefix);
        worker.deleteConnector(connector);
    }

    /** The same requests as a lifecycle, made directly by the connector's client, one after another. */
    private void baseline(BenchTarget target, String prefix) throws Exception {
        TicketSystem client = target.client();
        Histogram create = new Histogram(3);
        long started = System.nanoTime();
        int requests = 0;
        for (int i = 0; i < baseline; i++) {
            String id = prefix + "-" + i;
            long t0 = System.nanoTime();
            TicketSystem.Subject subject = TicketSystem.Subject.incident(id);
            client.find(subject);
            var ticket = client.create(new TicketSystem.NewTicket(subject, "Baseline incident " + i, "Baseline", Severity.SEV2, "checkout",
                    List.of(), null, Map.of()));
            create.recordValue(System.nanoTime() - t0);
            client.comment(ticket, "acknowledged");
            client.comment(ticket, "a note");
            client.comment(ticket, "a status update");
            client.transition(ticket, TicketSystem.Transition.RESOLVE, "resolved");
            client.transition(ticket, TicketSystem.Transition.CLOSE, "closed");
            requests += 7;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        rows.add(String.format("| %s | baseline: the client alone, %d lifecycles one after another | %.1f lifecycles/s, %.0f requests/s;"
                + " find+create p50 %.1f ms, p99 %.1f ms |", target.system(), baseline, baseline / seconds, requests / seconds,
                millis(create, 50), millis(create, 99)));
    }

    /**
     * Incidents one at a time: IncidentOpened's append → its LinkTicket command. The first one is timed from the connector's
     * creation (its tasks join their consumer group and load their links first); cold are the next few.
     */
    private void latency(String system, String prefix, KafkaProducer<String, IncidentEvent> producer, Progress progress, long created)
            throws Exception {
        producer.send(record(prefix + "-first", 1, new IncidentOpened("First incident", Severity.SEV2, "checkout", null, null, Map.of(),
                true, null, null, java.util.Map.of(), null, null))).get();
        Long first = progress.awaitLinked(prefix + "-first", Duration.ofSeconds(120));
        if (first == null) {
            failures.put(system + " latency", "no ticket for the first incident within 120 s");
            return;
        }
        rows.add(String.format("| %s | connector created → its first ticket | %,d ms |", system, first - created));
        Histogram coldHistogram = new Histogram(3);
        Histogram warm = new Histogram(3);
        for (int i = 0; i < paced; i++) {
            String id = prefix + "-" + i;
            long appended = producer.send(record(id, 1, new IncidentOpened("Paced incident " + i, Severity.SEV2, "checkout", null, null,
                    Map.of(), true, null, null, java.util.Map.of(), null, null))).get().timestamp();
            Long linked = progress.awaitLinked(id, Duration.ofSeconds(60));
            if (linked == null) {
                failures.put(system + " latency", "no ticket for " + id + " within 60 s");
                return;
            }
            (i < cold ? coldHistogram : warm).recordValue(Math.max(0, linked - appended) * 1_000_000);
            Thread.sleep(paceMs);
        }
        rows.add(String.format("| %s | IncidentOpened → ticket exists, cold (first %d after the connector started) | p50 %.0f ms, p99 %.0f ms |",
                system, cold, millis(coldHistogram, 50), millis(coldHistogram, 99)));
        rows.add(String.format("| %s | IncidentOpened → ticket exists, warm (%d, one every %d ms) | p50 %.0f ms, p99 %.0f ms |", system,
                paced - cold, paceMs, millis(warm, 50), millis(warm, 99)));
    }

    /** N lifecycles at once; the worker killed part way. */
    private void throughput(String system, String prefix, KafkaProducer<String, IncidentEvent> producer, Progress progress,
                            ConnectWorker worker, String connector) throws Exception {
        Map<String, Long> lastSequence = new HashMap<>();
        int events = 0;
        long started = System.currentTimeMillis();
        for (int i = 0; i < incidents; i++) {
            List<Object> log = lifecycle(i);
            String id = prefix + "-" + i;
            for (int s = 0; s < log.size(); s++) {
                producer.send(record(id, s + 1, log.get(s)));
            }
            lastSequence.put(id, (long) log.size());
            events += log.size();
        }
        producer.flush();
        report("%s: %,d lifecycles (%,d events) written in %,d ms", system, incidents, events, System.currentTimeMillis() - started);

        boolean killed = killAt <= 0;
        long downtime = 0;
        long lastReport = System.nanoTime();
        while (!progress.allApplied(lastSequence)) {
            int linked = progress.linked(prefix);
            if (!killed && linked >= killAt * incidents) {
                long killedAt = System.currentTimeMillis();
                worker.kill();
                report("%s: worker killed (SIGKILL) with %,d of %,d tickets made; starting it again", system, linked, incidents);
                worker.start(Duration.ofSeconds(120));
                worker.awaitRunning(connector, tasks, Duration.ofSeconds(120));
                progress.awaitMoreLinked(prefix, linked, Duration.ofSeconds(180));
                downtime = System.currentTimeMillis() - killedAt;
                killed = true;
            }
            if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(30)) {
                report("  … %s: %,d of %,d tickets, worker RSS %,d MiB", system, linked, incidents, ProcStats.rssKb(worker.pid()) / 1024);
                lastReport = System.nanoTime();
            }
            Thread.sleep(200);
        }
        long finished = progress.lastAppliedAt(lastSequence.keySet());
        double seconds = (finished - started) / 1000.0;
        int tickets = incidents + (incidents + actionItemsEvery - 1) / actionItemsEvery;
        rows.add(String.format("| %s | throughput: %,d lifecycles (%,d events, %,d tickets) written at once | %.1f tickets/s, %.0f events/s"
                + " (%.0f s in all) |", system, incidents, events, tickets, tickets / seconds, events / seconds, seconds));
        if (killAt > 0) {
            rows.add(String.format("| %s | SIGKILL of the worker at %.0f%%: until tickets were made again | %,d ms |", system, killAt * 100,
                    downtime));
        }
    }

    /** The log of the i-th incident of the throughput phase. */
    private List<Object> lifecycle(int i) {
        List<Object> log = new ArrayList<>(List.of(
                new IncidentOpened("Checkout errors " + i + " <script>alert(1)</script>", Severity.SEV2, "checkout", null, null, Map.of(), true, null, null, java.util.Map.of(), null, null),
                new IncidentAcknowledged("on it"),
                new NoteAdded("Rolled back *deploy* 42 [link](http://example.com)"),
                new StatusUpdatePosted("Errors are down to 1%"),
                new IncidentResolved("rolled back")));
        if (i % actionItemsEvery == 0) {
            log.add(new ActionItemAdded("AI-1", "Alert on queue depth", "bob", Instant.now().plus(Duration.ofDays(7)),
                    ActionItemPriority.HIGH, null));
            log.add(new ActionItemCompleted("AI-1"));
        }
        log.add(new IncidentClosed(null));
        return log;
    }

    /** One ticket per incident and action item; every event's comment once, none missing. */
    private void check(BenchTarget target, String prefix) throws Exception {
        String system = target.system();
        Map<String, List<TicketRef>> tickets = target.ticketsByMarker(prefix);
        long duplicated = tickets.values().stream().filter(found -> found.size() > 1).count();
        int actionItems = (incidents + actionItemsEvery - 1) / actionItemsEvery;
        int expected = baseline + 1 + paced + incidents + actionItems;
        if (duplicated > 0 || tickets.size() != expected) {
            failures.put(system + " one ticket each", tickets.size() + " subjects with tickets of " + expected + " expected, " + duplicated
                    + " with more than one");
        }
        // Read back by the connector's own client, 4 at a time: each ticket's comments, counted by the event they name.
        Map<String, Integer> markers = new ConcurrentHashMap<>();
        ExecutorService readers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> reads = new ArrayList<>();
            for (var subject : tickets.entrySet()) {
                if (!subject.getKey().startsWith(prefix + "-T")) {
                    continue;
                }
                for (TicketRef ticket : subject.getValue()) {
                    reads.add(readers.submit(() -> {
                        for (String comment : target.client().recentComments(ticket, 100)) {
                            Matcher marker = MARKER.matcher(comment);
                            while (marker.find()) {
                                markers.merge(marker.group(1), 1, Integer::sum);
                            }
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> read : reads) {
                read.get();
            }
        } finally {
            readers.shutdownNow();
        }
        long twice = markers.values().stream().filter(count -> count > 1).count();
        // Each lifecycle comments on acknowledge, note, status update, resolve and close; its action item's completion too.
        int expectedComments = 5 * incidents + actionItems;
        if (twice > 0 || markers.size() != expectedComments) {
            failures.put(system + " every comment once", markers.size() + " events commented of " + expectedComments + " expected, " + twice
                    + " more than once");
        }
        rows.add(String.format("| %s | checks, read back from %s: one ticket per subject, every comment once (by its marker) | %,d subjects,"
                + " %d with two tickets; %,d events commented of %,d, %d twice |", system, system, tickets.size(), duplicated, markers.size(),
                expectedComments, twice));
    }

    private static ProducerRecord<String, IncidentEvent> record(String id, long sequence, Object payload) {
        return new ProducerRecord<>(Topics.INCIDENT_EVENTS.name(), id, IncidentEvent.newBuilder().setEventId(id + "/" + sequence)
                .setIncidentId(id).setSequence(sequence).setTimestamp(Instant.now()).setActor(ALICE).setPayload(payload).build());
    }

    private static KafkaProducer<String, IncidentEvent> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), Topics.INCIDENT_EVENTS.valueSerde(RecordSerdes.singleObject()).serializer());
    }

    /** What the connector reports: its LinkTicket commands (a ticket was made) and its progress on ticket.links.v1. */
    private static final class Progress implements AutoCloseable {
        private final KafkaConsumer<String, IncidentCommand> commands;
        private final KafkaConsumer<String, TicketLink> links;
        private final String connector;
        private final Map<String, Long> linkedAt = new ConcurrentHashMap<>();
        private final Map<String, Long> applied = new ConcurrentHashMap<>();
        private final Map<String, Long> appliedAt = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread = new Thread(this::run, "bench-progress");

        Progress(String bootstrap, String connector) {
            RecordSerdes serdes = RecordSerdes.singleObject();
            Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "bench-progress-" + UUID.randomUUID(), ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            this.commands = new KafkaConsumer<>(props, new StringDeserializer(),
                    Topics.INCIDENT_COMMANDS.valueSerde(serdes).deserializer());
            this.links = new KafkaConsumer<>(props, new StringDeserializer(), Topics.TICKET_LINKS.valueSerde(serdes).deserializer());
            this.connector = connector;
        }

        void start() {
            commands.subscribe(List.of(Topics.INCIDENT_COMMANDS.name()));
            links.subscribe(List.of(Topics.TICKET_LINKS.name()));
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            while (running.get()) {
                for (ConsumerRecord<String, IncidentCommand> record : commands.poll(Duration.ofMillis(50))) {
                    if (record.value() != null && record.value().getPayload() instanceof LinkTicket link
                            && link.getTicket().getActionItemId() == null) {
                        linkedAt.putIfAbsent(record.key(), record.timestamp());
                    }
                }
                for (ConsumerRecord<String, TicketLink> record : links.poll(Duration.ofMillis(50))) {
                    TicketLink link = record.value();
                    if (link != null && link.getConnector().equals(connector)
                            && link.getAppliedSequence() > applied.getOrDefault(link.getIncidentId(), 0L)) {
                        applied.put(link.getIncidentId(), link.getAppliedSequence());
                        appliedAt.put(link.getIncidentId(), record.timestamp());
                    }
                }
            }
        }

        Long awaitLinked(String id, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                Long at = linkedAt.get(id);
                if (at != null) {
                    return at;
                }
                Thread.sleep(1);
            }
            return null;
        }

        int linked(String prefix) {
            return (int) linkedAt.keySet().stream().filter(id -> id.startsWith(prefix)).count();
        }

        void awaitMoreLinked(String prefix, int than, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (linked(prefix) <= than) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no ticket made within " + timeout + " of the worker's restart");
                }
                Thread.sleep(20);
            }
        }

        boolean allApplied(Map<String, Long> lastSequence) {
            return lastSequence.entrySet().stream().allMatch(entry -> applied.getOrDefault(entry.getKey(), 0L) >= entry.getValue());
        }

        long lastAppliedAt(Set<String> ids) {
            return ids.stream().mapToLong(id -> appliedAt.getOrDefault(id, 0L)).max().orElse(0);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5_000);
            commands.close();
            links.close();
        }
    }
}
