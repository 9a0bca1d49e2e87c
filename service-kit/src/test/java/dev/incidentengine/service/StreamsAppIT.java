package dev.incidentengine.service;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.WithKafka;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Streams app on a real broker, exactly-once: a record too large to write is a dead letter and
 * the stream goes on; a thread that keeps dying, or one that is blocked, makes /readyz say so.
 */
@WithKafka
class StreamsAppIT {

    private static final Topic<byte[], byte[]> BYTES = new Topic<>("streams-app-it", byte[].class, byte[].class, 1,
            Topic.Cleanup.DELETE, Duration.ofDays(1));

    static final class Poison extends Error {
        Poison() {
            super("poison record");
        }
    }

    static final class TestConfig extends EngineConfig {
        TestConfig(Map<?, ?> originals) {
            super(baseDefinition(0), originals);
        }
    }

    @TempDir
    Path stateDir;

    private final HttpClient http = HttpClient.newHttpClient();
    /** Releases the processor blocked by a "block" record. */
    private final CountDownLatch unblock = new CountDownLatch(1);
    /**
     * A dead thread's consumer stays in the group until its session times out (Streams' consumers do not leave on close):
     * the broker's least session, not the 45 s default, before a replacement takes the tasks over.
     */
    private static final Map<String, String> SHORT_SESSION = Map.of(EngineConfig.KAFKA_PREFIX + "session.timeout.ms", "6000",
            EngineConfig.KAFKA_PREFIX + "heartbeat.interval.ms", "1000");
    /** The "fenced-…" records whose first processing failed as a broker-ended transaction does. */
    private final Set<String> fenced = ConcurrentHashMap.newKeySet();
    private ServiceRunner runner;

    @AfterEach
    void close() {
        unblock.countDown();
        if (runner != null) {
            runner.close();
        }
    }

    @Test
    void aRecordTooLargeToWriteIsADeadLetter_andTheNextRecordsAreProcessed(KafkaTestCluster kafka) throws Exception {
        Topic<byte[], byte[]> in = kafka.createTopic(BYTES);
        Topic<byte[], byte[]> out = kafka.createTopic(BYTES);
        Topic<byte[], byte[]> dlq = kafka.createTopic(Topics.INCIDENT_DLQ);
        AppService app = start(kafka, in, out, dlq, Map.of(EngineConfig.RECORDS_MAX_BYTES_CONFIG, "10000"));

        kafka.produce(in, List.of(entry(bytes("k1"), bytes("a")), entry(bytes("k2"), bytes("big")), entry(bytes("k3"), bytes("b"))));

        assertThat(kafka.consume(out, 2, Duration.ofSeconds(60))).extracting(record -> text(record.value()))
                .containsExactly("a", "b");
        ConsumerRecord<byte[], byte[]> dead = kafka.consume(dlq, 1, Duration.ofSeconds(30)).get(0);
        assertThat(text(dead.key())).isEqualTo("k2");
        assertThat(dead.value()).isNull();
        assertThat(header(dead, DeadLetters.REASON)).isEqualTo(DeadLetters.RECORD_TOO_LARGE);
        assertThat(header(dead, DeadLetters.APP)).isEqualTo(app.name());
        assertThat(header(dead, DeadLetters.SOURCE_TOPIC)).isEqualTo(in.name());
        assertThat(header(dead, DeadLetters.SOURCE_OFFSET)).isEqualTo("1");
        assertThat(header(dead, DeadLetters.TARGET_TOPIC)).isEqualTo(out.name());
        assertThat(header(dead, DeadLetters.VALUE_OMITTED)).isEqualTo("20000");
        assertThat(header(dead, DeadLetters.ERROR)).contains("RecordTooLargeException");
        assertThat(get("/metrics").body())
                .contains("dead_letters_total{app=\"" + app.name() + "\",reason=\"record-too-large\"} 1.0");
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void aThreadThatKeepsDyingIsReplacedOnceThenTheAppStopsAndIsNotReady(KafkaTestCluster kafka) throws Exception {
        Topic<byte[], byte[]> in = kafka.createTopic(BYTES);
        AppService app = start(kafka, in, kafka.createTopic(BYTES), kafka.createTopic(Topics.INCIDENT_DLQ), SHORT_SESSION);

        kafka.produce(in, List.of(entry(bytes("k"), bytes("die"))));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> readyz = get("/readyz");
            assertThat(readyz.statusCode()).isEqualTo(503);
            assertThat(readyz.body()).contains(app.name() + "\":\"thread-failures: stream threads failed twice");
        });
        String failures = "streams_thread_failures_total{app=\"" + app.name() + "\"} 2.0";
        assertThat(get("/metrics").body()).contains(failures,
                "streams_problem{app=\"" + app.name() + "\",problem=\"thread-failures\"} 1.0");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(app.streams.kafkaStreams().state()).isEqualTo(KafkaStreams.State.ERROR);
            assertThat(get("/metrics").body()).as("no more threads replaced").contains(failures);
        });
    }

    /** bench/chaos: a broker's restart ended a thread's transaction (InvalidTxnStateException at commit), twice in a few minutes. */
    @Test
    void threadsThatDieOfTheCluster_areReplacedEachTime_andTheAppStaysReady(KafkaTestCluster kafka) throws Exception {
        Topic<byte[], byte[]> in = kafka.createTopic(BYTES);
        Topic<byte[], byte[]> out = kafka.createTopic(BYTES);
        AppService app = start(kafka, in, out, kafka.createTopic(Topics.INCIDENT_DLQ), SHORT_SESSION);

        kafka.produce(in, List.of(entry(bytes("k1"), bytes("fenced-1")), entry(bytes("k2"), bytes("a")), entry(bytes("k3"), bytes("fenced-2"))));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(get("/metrics").body())
                .contains("streams_thread_failures_total{app=\"" + app.name() + "\"} 2.0"));
        assertThat(kafka.consume(out, 3, Duration.ofSeconds(60))).extracting(record -> text(record.value()))
                .as("each record processed once the new thread took it again").contains("fenced-1", "a", "fenced-2");
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/readyz").statusCode() == 200);
        assertThat(app.streams.kafkaStreams().state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    @Test
    void aThreadBlockedInAProcessorIsStuck_andReadyAgainOnceItMoves(KafkaTestCluster kafka) throws Exception {
        Topic<byte[], byte[]> in = kafka.createTopic(BYTES);
        AppService app = start(kafka, in, kafka.createTopic(BYTES), kafka.createTopic(Topics.INCIDENT_DLQ),
                Map.of(EngineConfig.STREAMS_STUCK_AFTER_CONFIG, "2000"));
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/readyz").statusCode() == 200);

        kafka.produce(in, List.of(entry(bytes("k"), bytes("block"))));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            HttpResponse<String> readyz = get("/readyz");
            assertThat(readyz.statusCode()).isEqualTo(503);
            assertThat(readyz.body()).contains(app.name() + "\":\"stuck: ", "has not polled for");
        });
        await("the gauge, published every second").atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(get("/metrics").body())
                .contains("streams_problem{app=\"" + app.name() + "\",problem=\"stuck\"} 1.0"));

        unblock.countDown();

        await().atMost(Duration.ofSeconds(60)).until(() -> get("/readyz").statusCode() == 200);
    }

    /** A service running the test topology: in → processor → out, its dead letters to dlq. */
    private final class AppService implements Service {
        private final String name = "app-" + UUID.randomUUID().toString().substring(0, 8);
        private final EngineConfig config;
        private final Topology topology;
        private final Properties props;
        private StreamsApp streams;

        AppService(EngineConfig config, Topic<byte[], byte[]> in, Topic<byte[], byte[]> out, Topic<byte[], byte[]> dlq) {
            this.config = config;
            this.topology = new Topology();
            topology.addSource("in", new ByteArrayDeserializer(), new ByteArrayDeserializer(), in.name());
            topology.addProcessor("act", Act::new, "in");
            topology.addSink("out", out.name(), new ByteArraySerializer(), new ByteArraySerializer(), "act");
            this.props = KafkaClients.streams(config, name, dlq);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void start(MeterRegistry metrics) {
            streams = StreamsApp.create(name, config, topology, props, metrics);
            streams.start();
        }

        @Override
        public Optional<String> problem() {
            return streams.problem().map(Object::toString);
        }

        @Override
        public void close() {
            streams.close();
        }
    }

    /** Echoes its input; "big" becomes 20,000 bytes, "die" kills the thread, "block" waits for {@link #unblock}. */
    final class Act implements Processor<byte[], byte[], byte[], byte[]> {
        private ProcessorContext<byte[], byte[]> context;

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            switch (text(record.value())) {
                case "big" -> context.forward(record.withValue(new byte[20_000]));
                case "die" -> throw new Poison();
                case "fenced-1", "fenced-2" -> {
                    // The first time only, as a transaction the broker ended, which a new thread's producer does not meet again.
                    // Thrown here as an Error (a processor's exceptions are dead letters); at commit, Streams throws it itself.
                    if (fenced.add(text(record.value()))) {
                        throw new Error("as at commit", new InvalidTxnStateException(
                                "The producer attempted a transactional operation in an invalid state."));
                    }
                    context.forward(record);
                }
                case "block" -> {
                    try {
                        unblock.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    context.forward(record);
                }
                default -> context.forward(record);
            }
        }
    }

    private AppService start(KafkaTestCluster kafka, Topic<byte[], byte[]> in, Topic<byte[], byte[]> out, Topic<byte[], byte[]> dlq,
                             Map<String, String> settings) {
        Map<String, String> config = new HashMap<>(settings);
        config.put(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(EngineConfig.STATE_DIR_CONFIG, stateDir.toString());
        AppService app = new AppService(new TestConfig(config), in, out, dlq);
        runner = new ServiceRunner("127.0.0.1", 0, List.of(app)).start();
        return app;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runner.httpAddress().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : text(header.value());
    }
}
