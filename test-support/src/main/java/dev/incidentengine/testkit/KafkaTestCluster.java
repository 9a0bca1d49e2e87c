package dev.incidentengine.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.TopicCreator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka for tests: an in-process single-node KRaft cluster, or an external one when
 * {@code KAFKA_BOOTSTRAP_SERVERS} is set. Tests share it, so each asks for its own topics with
 * {@link #createTopic(Topic)}, which gives a registry topic a unique name.
 */
public final class KafkaTestCluster implements AutoCloseable {

    public static final String BOOTSTRAP_ENV = "KAFKA_BOOTSTRAP_SERVERS";

    private static final Logger log = LoggerFactory.getLogger(KafkaTestCluster.class);
    private static final AtomicInteger TOPIC_COUNTER = new AtomicInteger();

    private final KafkaClusterTestKit embedded;
    private final String bootstrapServers;
    private final short replicationFactor;
    private final RecordSerdes serdes = RecordSerdes.singleObject();

    private KafkaTestCluster(KafkaClusterTestKit embedded, String bootstrapServers, short replicationFactor) {
        this.embedded = embedded;
        this.bootstrapServers = bootstrapServers;
        this.replicationFactor = replicationFactor;
    }

    static KafkaTestCluster startOrConnect(Map<String, String> env) {
        String external = env.get(BOOTSTRAP_ENV);
        if (external != null && !external.isBlank()) {
            log.info("Using external Kafka at {}", external);
            return new KafkaTestCluster(null, external, (short) -1);
        }
        long start = System.nanoTime();
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    // The kit defaults to the unreleased metadata version; test what users run.
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .build();
            KafkaClusterTestKit kit = oneBroker(new KafkaClusterTestKit.Builder(nodes)).build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            log.info("Started in-process KRaft broker at {} in {} ms", kit.bootstrapServers(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            return new KafkaTestCluster(kit, kit.bootstrapServers(), (short) 1);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start the in-process Kafka broker", e);
        }
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The serdes production code uses. */
    public RecordSerdes serdes() {
        return serdes;
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** Creates a topic configured like {@code template} under a name no other test uses, and returns it. */
    public <K, V> Topic<K, V> createTopic(Topic<K, V> template) {
        Topic<K, V> topic = new Topic<>(template.name() + ".t" + TOPIC_COUNTER.incrementAndGet() + "-"
                + UUID.randomUUID().toString().substring(0, 8), template.keyType(), template.valueType(),
                template.partitions(), template.cleanup(), template.retention());
        createTopics(List.of(topic));
        return topic;
    }

    /** Creates the topics with their registry names and configs; existing ones are left as they are. */
    public void createTopics(Collection<? extends Topic<?, ?>> topics) {
        try (Admin admin = admin()) {
            TopicCreator.ensureCreated(admin, topics, replicationFactor > 0 ? Optional.of(replicationFactor) : Optional.empty());
        }
    }

    public Map<String, Object> producerProps() {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return props;
    }

    public Map<String, Object> consumerProps(String groupId) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return props;
    }

    public <K, V> KafkaProducer<K, V> producer(Topic<K, V> topic, Map<String, Object> overrides) {
        Map<String, Object> props = producerProps();
        props.putAll(overrides);
        return new KafkaProducer<>(props, topic.keySerde(serdes).serializer(), topic.valueSerde(serdes).serializer());
    }

    public <K, V> KafkaConsumer<K, V> consumer(Topic<K, V> topic, String groupId) {
        return new KafkaConsumer<>(consumerProps(groupId), topic.keySerde(serdes).deserializer(),
                topic.valueSerde(serdes).deserializer());
    }

    /** Writes the records, in order, and waits until Kafka has acknowledged all of them. */
    public <K, V> void produce(Topic<K, V> topic, List<Map.Entry<K, V>> records) {
        try (KafkaProducer<K, V> producer = producer(topic, Map.of())) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            records.forEach(record -> sent.add(producer.send(new ProducerRecord<>(topic.name(), record.getKey(), record.getValue()))));
            for (java.util.concurrent.Future<?> future : sent) {
                future.get(30, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | InterruptedException | TimeoutException e) {
            throw new IllegalStateException("Cannot produce to " + topic.name(), e);
        }
    }

    /**
     * Reads committed records from the beginning until {@code count} have arrived, then a little
     * longer so that extra records are seen too; fails when fewer arrive within {@code timeout}.
     */
    public <K, V> List<ConsumerRecord<K, V>> consume(Topic<K, V> topic, int count, Duration timeout) {
        List<ConsumerRecord<K, V>> received = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = consumer(topic, "test-" + UUID.randomUUID())) {
            consumer.subscribe(Set.of(topic.name()));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (received.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
            consumer.poll(Duration.ofMillis(500)).forEach(received::add);
        }
        if (received.size() < count) {
            throw new AssertionError("Expected " + count + " records on " + topic.name() + " within " + timeout
                    + " but got " + received.size() + ": " + received);
        }
        return received;
    }

    /** A one-broker kit's settings: internal topics with one replica, or transactions never initialize; no rebalance delay. */
    static KafkaClusterTestKit.Builder oneBroker(KafkaClusterTestKit.Builder kit) {
        return kit.setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0");
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (Exception e) {
                throw new IllegalStateException("The in-process broker did not stop cleanly", e);
            }
            log.info("Stopped in-process KRaft broker");
        }
    }
}
