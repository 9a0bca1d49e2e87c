package dev.incidentengine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.incidentengine.model.Alert;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.TopicCreator;
import dev.incidentengine.schemas.Topics;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** What the benchmark harnesses share: output, ports, the raw-Kafka baseline topics and counting what Kafka holds. */
final class BenchSupport {

    /** The JVM options {@code ./incident-engine} gives the local engine when INCIDENT_ENGINE_JAVA_OPTS is unset; keep the two the same. */
    static final String LOCAL_ENGINE_JVM_OPTIONS = "-Xmx1g -XX:TieredStopAtLevel=1";

    private BenchSupport() {
    }

    static void report(String format, Object... args) {
        System.out.printf(format + "%n", args);
    }

    /** The machine's load average over 1, 5 and 15 minutes, as /proc has it: how busy the shared cores were. */
    static String loadAverage() {
        try {
            return String.join(" ", Arrays.copyOf(Files.readString(Path.of("/proc/loadavg")).split(" "), 3));
        } catch (IOException e) {
            return "unknown";
        }
    }

    static double millis(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e6;
    }

    /** Deletes a directory and everything in it; nothing if it is not there. */
    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** A run's directory goes when every check passed, and stays for inspection when one failed. */
    static void keepIfFailed(Path dir, Map<String, String> failures) throws IOException {
        if (failures.isEmpty()) {
            deleteRecursively(dir);
        } else {
            report("kept %s for inspection", dir);
        }
    }

    /** Reports the failed checks; the harness's exit code: 0 when none failed. */
    static int exitCode(Map<String, String> failures) {
        failures.forEach((check, detail) -> report("FAILED: %s (%s)", check, detail));
        return failures.isEmpty() ? 0 : 1;
    }

    /**
     * Creates the topics (one replica) and returns once every partition's leader answers: the
     * create call returns before that, and an idempotent producer that writes at once can see
     * NOT_LEADER_OR_FOLLOWER and then OUT_OF_ORDER_SEQUENCE_NUMBER on its first batches. Asking
     * each partition's end offset is answered by its leader only.
     */
    static void createTopics(Admin admin, Collection<? extends Topic<?, ?>> topics) throws Exception {
        TopicCreator.ensureCreated(admin, topics, Optional.of((short) 1));
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        for (Topic<?, ?> topic : topics) {
            for (int p = 0; p < topic.partitions(); p++) {
                partitions.put(new TopicPartition(topic.name(), p), OffsetSpec.latest());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                admin.listOffsets(partitions).all().get(30, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("partitions of " + topics + " not served by a leader after 60 s", e.getCause());
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * Returns once each group has committed every record of its topics (asked every 200 ms): the
     * engine has taken in what was written before. Reports progress every 30 s.
     */
    static void awaitCaughtUp(Admin admin, EngineProcess engine, Map<String, List<String>> topicsByGroup, String name) throws Exception {
        long lastReport = System.nanoTime();
        while (true) {
            long lag = 0;
            for (var group : topicsByGroup.entrySet()) {
                long behind = lag(admin, group.getKey(), group.getValue());
                lag = behind < 0 || lag < 0 ? -1 : lag + behind;
            }
            if (lag == 0) {
                return;
            }
            if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(30)) {
                report("  … %s: %s, RSS %,d MiB", name, lag < 0 ? "not every group has committed yet" : String.format("%,d records to go", lag),
                        engine.rssKb() / 1024);
                lastReport = System.nanoTime();
            }
            if (!engine.alive()) {
                throw new IllegalStateException("the engine exited; see " + engine.log());
            }
            Thread.sleep(200);
        }
    }

    /** Records of these topics the group has not committed yet; -1 before it committed anything on a partition that has records. */
    static long lag(Admin admin, String group, List<String> topics) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).forEach((topic, description) ->
                description.partitions().forEach(partition -> latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest())));
        long lag = 0;
        for (var end : admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet()) {
            OffsetAndMetadata at = committed.get(end.getKey());
            if (end.getValue().offset() > 0 && at == null) {
                return -1;
            }
            lag += Math.max(0, end.getValue().offset() - (at == null ? 0 : at.offset()));
        }
        return lag;
    }

    /** A topic for the raw-Kafka baseline, shaped like {@code alerts.v1}. */
    static Topic<String, Alert> baselineTopic(String name) {
        return new Topic<>("bench.raw-baseline." + name + ".v1", String.class, Alert.class, Topics.ALERTS.partitions(),
                Topic.Cleanup.DELETE, Duration.ofHours(1));
    }

    /** How many records a read_committed consumer sees on the topic, from the beginning to its current end. */
    static long committedRecords(String bootstrap, String topic) {
        AtomicLong count = new AtomicLong();
        scan(bootstrap, topic, true, record -> count.incrementAndGet());
        return count.get();
    }

    /** The largest record's value on a topic, and how many records it holds. */
    record Largest(long records, int valueBytes) {
    }

    /** Reads every record written to the topic (aborted transactions' too: each was written) for its largest value. */
    static Largest largestRecord(String bootstrap, String topic) {
        AtomicLong records = new AtomicLong();
        AtomicInteger largest = new AtomicInteger();
        scan(bootstrap, topic, false, record -> {
            records.incrementAndGet();
            largest.accumulateAndGet(record.serializedValueSize(), Math::max);
        });
        return new Largest(records.get(), largest.get());
    }

    /** Reads the topic from its beginning to its current end. */
    static void scan(String bootstrap, String topic, boolean committedOnly, Consumer<ConsumerRecord<byte[], byte[]>> action) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, committedOnly ? "read_committed" : "read_uncommitted",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(500)).forEach(action);
            }
        }
    }

    /** Like alert-ingest's writer: idempotent, acks=all, lz4. */
    static KafkaProducer<byte[], byte[]> producer(String bootstrap, int lingerMs) {
        return new KafkaProducer<>(producerProperties(bootstrap, lingerMs), new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The settings of {@link #producer}, for a producer with serializers of its own. */
    static Map<String, Object> producerProperties(String bootstrap, int lingerMs) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        return props;
    }

    private static final int BASELINE_RUNS = 3;

    /**
     * Raw Kafka's rate for these records: produced by {@link #producer} to a fresh topic shaped like
     * {@code alerts.v1} and consumed back read_committed by a plain consumer, until the last is read.
     * A few seconds only, so it runs {@value #BASELINE_RUNS} times (a topic each); the median, in records/s.
     */
    static double rawKafka(String bootstrap, String name, List<byte[]> keys, List<byte[]> values) throws Exception {
        List<Topic<String, Alert>> topics = IntStream.rangeClosed(1, BASELINE_RUNS).mapToObj(run -> baselineTopic(name + "-" + run)).toList();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            createTopics(admin, topics);
        }
        List<Double> runs = new ArrayList<>();
        for (Topic<String, Alert> topic : topics) {
            runs.add(values.size() / rawKafkaSeconds(bootstrap, topic.name(), keys, values));
        }
        List<Double> sorted = runs.stream().sorted().toList();
        double median = sorted.get(BASELINE_RUNS / 2);
        report("raw Kafka: %,d records produced and read back read_committed: median %,.0f records/s of %s", values.size(), median,
                runs.stream().map(r -> String.format("%,.0f", r)).collect(Collectors.joining(", ")));
        return median;
    }

    private static double rawKafkaSeconds(String bootstrap, String topic, List<byte[]> keys, List<byte[]> values) throws Exception {
        long records = values.size();
        AtomicLong consumed = new AtomicLong();
        AtomicLong doneAt = new AtomicLong();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = producer(bootstrap, 5)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            partitions.forEach(consumer::position);
            producer.partitionsFor(topic);
            long readUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            Thread reader = new Thread(() -> {
                while (consumed.get() < records && System.nanoTime() < readUntil) {
                    consumed.addAndGet(consumer.poll(Duration.ofMillis(100)).count());
                }
                if (consumed.get() >= records) {
                    doneAt.set(System.nanoTime());
                }
            }, "raw-baseline-reader");
            long start = System.nanoTime();
            reader.start();
            for (int i = 0; i < values.size(); i++) {
                producer.send(new ProducerRecord<>(topic, keys.get(i), values.get(i)));
            }
            producer.flush();
            reader.join();
            if (doneAt.get() == 0) {
                throw new IllegalStateException("raw Kafka: only " + consumed.get() + " of " + records + " records read back");
            }
            return (doneAt.get() - start) / 1e9;
        }
    }

    /** Raw Kafka: records produced at {@code rate} for {@code seconds} and read back read_committed; the produce-to-read latency. */
    static String rawKafkaLatency(String bootstrap, int rate, int seconds) throws Exception {
        String topic = "bench.raw-latency-" + System.nanoTime() + ".v1";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get();
        }
        Histogram latency = new Histogram(3);
        AtomicLong read = new AtomicLong();
        int records = rate * seconds;
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "bench-raw-" + System.nanoTime(), ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of(topic));
                while (read.get() < records) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                        latency.recordValue(Math.max(0, System.currentTimeMillis() - Long.parseLong(record.value())) * 1_000_000L);
                        read.incrementAndGet();
                    }
                }
            }
        });
        reader.start();
        Thread.sleep(2_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new StringSerializer())) {
            long start = System.nanoTime();
            for (int i = 0; i < records; i++) {
                long due = start + i * 1_000_000_000L / rate;
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
                producer.send(new ProducerRecord<>(topic, Integer.toString(i), Long.toString(System.currentTimeMillis())));
            }
        }
        reader.join(60_000);
        return String.format("p50 %.0f ms, p99 %.0f ms", millis(latency, 50), millis(latency, 99));
    }
}
