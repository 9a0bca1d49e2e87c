package dev.incidentengine.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.incidentengine.deploy.KafkaBroker;
import dev.incidentengine.deploy.LocalEngine;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.ChannelType;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.ContactType;
import dev.incidentengine.model.config.NotificationRule;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.notifier.NotifierConfig;
import dev.incidentengine.notifier.NotifierService;
import dev.incidentengine.notifier.NotifierTopics;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.testkit.WebhookSink;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import static dev.incidentengine.bench.BenchSupport.committedRecords;
import static dev.incidentengine.bench.BenchSupport.exitCode;
import static dev.incidentengine.testkit.TopicContents.freePort;
import static dev.incidentengine.bench.BenchSupport.keepIfFailed;
import static dev.incidentengine.bench.BenchSupport.millis;
import static dev.incidentengine.bench.BenchSupport.rawKafkaLatency;
import static dev.incidentengine.bench.BenchSupport.report;
import static dev.incidentengine.testkit.Samples.escalated;
import static dev.incidentengine.testkit.Samples.opened;
import static dev.incidentengine.testkit.Samples.plan;

/**
 * The notifier on this machine, on a real broker with real local receivers. (1) Throughput: a
 * backlog of incidents opened for a service whose channel is a local webhook sink, delivered as
 * fast as the notifier goes, beside raw Kafka producing and reading the same events. (2) Latency:
 * pages at a steady rate, from the IncidentEscalated record acknowledged by Kafka to the webhook
 * call, beside raw Kafka's produce-to-read latency; (3) the same while every page also goes to an
 * endpoint that never answers. (4) End to end on the local engine (its own broker): HTTP alerts
 * in at a steady rate, the on-call user's first page out at the webhook sink.
 */
@Command(name = "notifier-benchmark", mixinStandardHelpOptions = true)
public final class NotifierBenchmark implements Callable<Integer> {

    private static final Pattern E2E_TITLE = Pattern.compile("Bench e2e (-?\\d+)\\b");

    @Option(names = "--deliveries", defaultValue = "60000", description = "Notifications of the throughput phase (default ${DEFAULT-VALUE}).")
    int deliveries;

    @Option(names = "--rate", defaultValue = "100", description = "Pages per second of the latency phases (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seconds", defaultValue = "60", description = "Seconds of each latency phase (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--alert-rate", defaultValue = "100", description = "HTTP alerts per second end to end (default ${DEFAULT-VALUE}).")
    int alertRate;

    @Option(names = "--alert-seconds", defaultValue = "60", description = "Seconds of the end-to-end phase (default ${DEFAULT-VALUE}).")
    int alertSeconds;

    @Option(names = "--warmup-seconds", defaultValue = "15",
            description = "Seconds of alerts sent before the end-to-end phase's measured ones, at the same rate (default ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--phases", split = ",", defaultValue = "throughput,latency,e2e",
            description = "Phases to run: throughput (with latency, on one broker), e2e (default ${DEFAULT-VALUE}).")
    List<String> phases;

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final Map<String, String> failures = new LinkedHashMap<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new NotifierBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("notifier-bench");
        List<String> rows = new java.util.ArrayList<>();
        try {
            if (phases.contains("throughput") || phases.contains("latency")) {
                notifierPhases(dir, rows);
            }
            if (phases.contains("e2e")) {
                try (KafkaBroker broker = new KafkaBroker(dir.resolve("kafka-e2e"), "127.0.0.1", freePort(), freePort());
                     WebhookSink sink = WebhookSink.start()) {
                    broker.start(Duration.ofSeconds(60));
                    rows.add(endToEnd(broker.bootstrapServers(), dir, sink));
                }
            }
            report("");
            report("| measure | result | target |");
            report("|---|---|---|");
            rows.forEach(row -> report("%s", row));
        } finally {
            keepIfFailed(dir, failures);
        }
        return exitCode(failures);
    }

    /** Phases 1 to 3 on one broker and one notifier. */
    private void notifierPhases(Path dir, List<String> rows) throws Exception {
        try (KafkaBroker broker = new KafkaBroker(dir.resolve("kafka"), "127.0.0.1", freePort(), freePort());
             WebhookSink sink = WebhookSink.start();
             WebhookSink hanging = WebhookSink.start().delay("/hang", Duration.ofMinutes(5))) {
            broker.start(Duration.ofSeconds(60));
            String bootstrap = broker.bootstrapServers();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                BenchSupport.createTopics(admin, Topics.ALL);
            }
            Map<String, String> settings = new HashMap<>();
            settings.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            settings.put(EngineConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
            configure(bootstrap, settings, sink, hanging);
            String[] raw = preload(bootstrap, settings);
            try (ServiceRunner notifier = new ServiceRunner("127.0.0.1", 0,
                    List.of(new NotifierService(new NotifierConfig(settings), NotifierTopics.DEFAULT))).start()) {
                rows.add(throughput(sink, raw));
                // The backlog's last results and ledger records commit after its last delivery: let them, so phases do not overlap.
                Thread.sleep(10_000);
                rows.add(latency(bootstrap, settings, sink, false));
                rows.add(latency(bootstrap, settings, sink, true));
            }
            rows.add(String.format("| raw Kafka produce → read_committed, %d records/s, same broker | %s | |", rate,
                    rawKafkaLatency(bootstrap, rate, 10)));
        }
    }

    /** A channel for the throughput phase's service; a user paged by webhook, and one whose webhook never answers. */
    private void configure(String bootstrap, Map<String, String> settings, WebhookSink sink, WebhookSink hanging) throws Exception {
        NotifierConfig config = new NotifierConfig(settings);
        try (KafkaProducer<String, Object> producer = new KafkaProducer<>(KafkaClients.producer(config, "bench-config"),
                new StringSerializer(), (topic, value) -> serializer(topic).serialize(topic, value))) {
            producer.send(new ProducerRecord<>(Topics.CONFIG_CHANNELS.name(), "bench-room", new ChannelConfig("bench-room", "Bench room",
                    ChannelType.WEBHOOK, sink.url("/room"), null, List.of("bench-throughput"), List.of("opened"), List.of())));
            producer.send(new ProducerRecord<>(Topics.CONFIG_USERS.name(), "pager", user("pager", sink.url("/page"))));
            producer.send(new ProducerRecord<>(Topics.CONFIG_USERS.name(), "stuck", user("stuck", hanging.url("/hang"))));
            producer.flush();
        }
    }

    @SuppressWarnings("unchecked")
    private org.apache.kafka.common.serialization.Serializer<Object> serializer(String topic) {
        Topic<String, ?> config = topic.equals(Topics.CONFIG_CHANNELS.name()) ? Topics.CONFIG_CHANNELS : Topics.CONFIG_USERS;
        return (org.apache.kafka.common.serialization.Serializer<Object>) config.valueSerde(serdes).serializer();
    }

    private static UserConfig user(String id, String webhook) {
        return new UserConfig(id, id, "UTC", List.of(new ContactMethod(ContactType.WEBHOOK, webhook)),
                List.of(new NotificationRule(ContactType.WEBHOOK, 0)));
    }

    /** The throughput phase's incidents, produced before the notifier starts (raw produce rate); then read back raw (raw consume rate). */
    private String[] preload(String bootstrap, Map<String, String> settings) throws Exception {
        long start = System.nanoTime();
        try (KafkaProducer<String, IncidentEvent> producer = new KafkaProducer<>(KafkaClients.producer(new NotifierConfig(settings), "bench-load"),
                new StringSerializer(), Topics.INCIDENT_EVENTS.valueSerde(serdes).serializer())) {
            for (int i = 0; i < deliveries; i++) {
                String id = "INC-T-" + i;
                producer.send(new ProducerRecord<>(Topics.INCIDENT_EVENTS.name(), id, opened(id, "t" + i).setTimestamp(Instant.now())
                        .setPayload(new IncidentOpened("Bench " + i, Severity.SEV2, "bench-throughput", "k" + i, null, Map.of(), true, null, null, java.util.Map.of(), null, null))
                        .build()));
            }
        }
        double produced = deliveries / ((System.nanoTime() - start) / 1e9);
        start = System.nanoTime();
        long read = committedRecords(bootstrap, Topics.INCIDENT_EVENTS.name());
        double consumed = read / ((System.nanoTime() - start) / 1e9);
        report("preload: %,d events produced at %,.0f/s, read back raw at %,.0f/s", deliveries, produced, consumed);
        return new String[] {String.format("%,.0f", produced), String.format("%,.0f", consumed)};
    }

    private String throughput(WebhookSink sink, String[] raw) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
        while (sink.received(r -> r.path().equals("/room")).size() < deliveries && Instant.now().isBefore(deadline)) {
            Thread.sleep(200);
        }
        List<WebhookSink.Received> received = sink.received(r -> r.path().equals("/room"));
        long distinct = received.stream().map(r -> r.header("Idempotency-Key")).distinct().count();
        if (distinct < deliveries) {
            failures.put("every notification of the throughput phase delivered", distinct + " of " + deliveries);
            return "| deliveries/s | incomplete: " + distinct + " of " + deliveries + " | ≥ 2,000 |";
        }
        // The middle 80 %: the notifier's own pace, without its start and the last stragglers.
        long from = received.get(deliveries / 10).nanoTime();
        long to = received.get(deliveries * 9 / 10).nanoTime();
        double sustained = deliveries * 0.8 / ((to - from) / 1e9);
        double whole = deliveries / ((received.get(received.size() - 1).nanoTime() - received.get(0).nanoTime()) / 1e9);
        report("throughput: %,d deliveries, sustained %,.0f/s (middle 80 %%), %,.0f/s first to last", deliveries, sustained, whole);
        if (sustained < 2000) {
            failures.put("≥ 2,000 deliveries/s", String.format("%,.0f", sustained));
        }
        return String.format("| deliveries/s to a local webhook sink, backlog of %,d | %,.0f sustained (%,.0f first to last); raw Kafka: produce "
                + "%s/s, consume %s/s of the same events | ≥ 2,000 |", deliveries, sustained, whole, raw[0], raw[1]);
    }

    /** Pages at the rate; with {@code hanging}, each also goes to a user whose endpoint never answers. */
    private String latency(String bootstrap, Map<String, String> settings, WebhookSink sink, boolean hanging) throws Exception {
        String phase = hanging ? "h" : "l";
        Map<String, Long> acked = new ConcurrentHashMap<>();
        int pages = rate * seconds;
        try (KafkaProducer<String, IncidentEvent> producer = new KafkaProducer<>(KafkaClients.producer(new NotifierConfig(settings), "bench-pages"),
                new StringSerializer(), Topics.INCIDENT_EVENTS.valueSerde(serdes).serializer())) {
            long start = System.nanoTime();
            for (int i = 0; i < pages; i++) {
                long due = start + i * 1_000_000_000L / rate;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
                String id = "INC-" + phase + "-" + i;
                Instant now = Instant.now();
                producer.send(new ProducerRecord<>(Topics.INCIDENT_EVENTS.name(), id, opened(id, phase + "o" + i).setTimestamp(now)
                        .setPayload(new IncidentOpened("Page " + i, Severity.SEV1, "bench-pages", "k" + i, null, Map.of(), true, null, null, java.util.Map.of(), null, null)).build()));
                String eventId = phase + "e" + i;
                IncidentEvent page = hanging
                        ? escalated(id, eventId, now, 0, plan("pager", "WEBHOOK", 0), plan("stuck", "WEBHOOK", 0))
                        : escalated(id, eventId, now, 0, plan("pager", "WEBHOOK", 0));
                producer.send(new ProducerRecord<>(Topics.INCIDENT_EVENTS.name(), id, page),
                        (metadata, error) -> acked.put(eventId + ":pager:webhook:0", System.nanoTime()));
            }
        }
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline) && sink.received(r -> r.path().equals("/page") && acked.containsKey(r.header("Idempotency-Key")))
                .size() < pages) {
            Thread.sleep(200);
        }
        Histogram latency = new Histogram(3);
        for (WebhookSink.Received received : sink.received(r -> r.path().equals("/page"))) {
            Long at = acked.get(received.header("Idempotency-Key"));
            if (at != null) {
                latency.recordValue(Math.max(0, received.nanoTime() - at));
            }
        }
        String result = String.format("p50 %.0f ms, p99 %.0f ms, max %.0f ms (%,d of %,d pages)", millis(latency, 50), millis(latency, 99),
                latency.getMaxValue() / 1e6, latency.getTotalCount(), pages);
        report("latency%s: %s", hanging ? " with a hanging endpoint" : "", result);
        if (millis(latency, 99) > 200 || latency.getTotalCount() < pages) {
            failures.put("p99 ≤ 200 ms" + (hanging ? " with a hanging endpoint" : ""), result);
        }
        return String.format("| IncidentEscalated acknowledged by Kafka → webhook call, %d pages/s%s | %s | p99 ≤ 200 ms |", rate,
                hanging ? ", every page also to an endpoint that never answers" : "", result);
    }

    /** The local engine with a config of its own: HTTP alerts in at the rate, the on-call user's first page out at the sink. */
    private String endToEnd(String bootstrap, Path dir, WebhookSink sink) throws Exception {
        Path config = Files.createDirectories(dir.resolve("e2e-config"));
        Files.writeString(config.resolve("bench.yaml"), """
                services: [{id: bench, name: Bench, escalationPolicyId: bench-policy}]
                integrations: [{id: bench-generic, name: Bench, type: GENERIC, serviceId: bench, key: bench-key}]
                users:
                  - {id: oncall, name: On Call, contacts: [{type: WEBHOOK, address: "%s"}], notificationRules: [{contactType: WEBHOOK}]}
                escalationPolicies:
                  - {id: bench-policy, name: Bench, levels: [{targets: [{type: USER, id: oncall}], delayMinutes: 30}]}
                """.formatted(sink.url("/e2e")));
        LocalEngine engine = new LocalEngine();
        new CommandLine(engine).parseArgs("--bootstrap-servers", bootstrap, "--config-dir", config.toString(),
                "--data-dir", dir.resolve("e2e-data").toString(), "--http-port", "0", "--sink-port", "0", "--smtp-port", "0");
        Map<Integer, Long> sent = new ConcurrentHashMap<>();
        Map<Integer, Long> openedReadable = new ConcurrentHashMap<>();
        Map<Integer, Long> escalatedReadable = new ConcurrentHashMap<>();
        int alerts = alertRate * alertSeconds;
        AtomicBoolean watching = new AtomicBoolean(true);
        // Where the time goes: when each incident's IncidentOpened and IncidentEscalated became readable (read_committed).
        Thread watcher = new Thread(() -> {
            Map<String, Integer> indexOf = new HashMap<>();
            try (KafkaConsumer<String, IncidentEvent> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "bench-e2e-watch", ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                    Topics.INCIDENT_EVENTS.valueSerde(serdes).deserializer())) {
                consumer.subscribe(List.of(Topics.INCIDENT_EVENTS.name()));
                while (watching.get()) {
                    for (ConsumerRecord<String, IncidentEvent> record : consumer.poll(Duration.ofMillis(20))) {
                        long now = System.nanoTime();
                        if (record.value().getPayload() instanceof IncidentOpened opened) {
                            Matcher title = E2E_TITLE.matcher(opened.getTitle());
                            if (title.find()) {
                                indexOf.put(record.key(), Integer.parseInt(title.group(1)));
                                openedReadable.put(Integer.parseInt(title.group(1)), now);
                            }
                        } else if (record.value().getPayload() instanceof IncidentEscalated && indexOf.containsKey(record.key())) {
                            escalatedReadable.putIfAbsent(indexOf.get(record.key()), now);
                        }
                    }
                }
            }
        }, "bench-e2e-watch");
        watcher.start();
        try {
            engine.start();
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create(engine.httpUrl() + "/api/v1/alerts");
            long start = System.nanoTime();
            int warmup = alertRate * warmupSeconds;
            // Alerts before the measured ones (JIT, caches, the first rebalances) carry negative numbers: not measured.
            for (int i = -warmup; i < alerts; i++) {
                long due = start + (i + warmup) * 1_000_000_000L / alertRate;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
                if (i >= 0) {
                    sent.put(i, System.nanoTime());
                }
                http.sendAsync(HttpRequest.newBuilder(uri).header("Authorization", "Bearer bench-key")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"summary\":\"Bench e2e " + i + "\",\"dedupKey\":\"e2e-" + i
                                + "\",\"labels\":{\"alertname\":\"Bench e2e " + i + "\"}}")).build(), HttpResponse.BodyHandlers.discarding());
            }
            Instant deadline = Instant.now().plusSeconds(60);
            while (Instant.now().isBefore(deadline) && sink.received(r -> r.path().equals("/e2e")).size() < alerts + warmup) {
                Thread.sleep(200);
            }
        } finally {
            engine.stop();
            watching.set(false);
            watcher.join(10_000);
        }
        Histogram toOpened = new Histogram(3);
        Histogram toEscalated = new Histogram(3);
        sent.forEach((i, at) -> {
            if (openedReadable.containsKey(i) && escalatedReadable.containsKey(i)) {
                toOpened.recordValue(Math.max(0, openedReadable.get(i) - at));
                toEscalated.recordValue(Math.max(0, escalatedReadable.get(i) - openedReadable.get(i)));
            }
        });
        report("end to end, where the time goes: alert sent → IncidentOpened readable p50 %.0f ms, p99 %.0f ms; → IncidentEscalated readable"
                + " p50 %.0f ms, p99 %.0f ms", millis(toOpened, 50), millis(toOpened, 99), millis(toEscalated, 50), millis(toEscalated, 99));
        Histogram latency = new Histogram(3);
        for (WebhookSink.Received received : sink.received(r -> r.path().equals("/e2e"))) {
            Matcher title = E2E_TITLE.matcher(received.body());
            if (title.find() && sent.containsKey(Integer.parseInt(title.group(1)))) {
                latency.recordValue(Math.max(0, received.nanoTime() - sent.get(Integer.parseInt(title.group(1)))));
            }
        }
        String result = String.format("p50 %.0f ms, p99 %.0f ms, max %.0f ms (%,d of %,d alerts)", millis(latency, 50), millis(latency, 99),
                latency.getMaxValue() / 1e6, latency.getTotalCount(), alerts);
        report("end to end: %s", result);
        if (millis(latency, 99) > 1000 || latency.getTotalCount() < alerts) {
            failures.put("end to end p99 ≤ 1 s", result);
        }
        return String.format("| local engine: HTTP alert in → first page out (webhook), %d alerts/s | %s | p99 ≤ 1 s |", alertRate, result);
    }
}
