package dev.incidentengine.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads what a topic holds, on any cluster (the test broker, a broker process, an external one). */
public final class TopicContents {

    private TopicContents() {
    }

    /**
     * Every committed record from the beginning up to the end offsets at the time of the call,
     * all partitions; fails when that takes longer than {@code timeout}.
     */
    public static <K, V> List<ConsumerRecord<K, V>> readToEnd(String bootstrapServers, Topic<K, V> topic, RecordSerdes serdes,
                                                           Duration timeout) {
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                topic.keySerde(serdes).deserializer(), topic.valueSerde(serdes).deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), timeout).stream()
                    .map(info -> new TopicPartition(info.topic(), info.partition()))
                    .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (partitions.stream().anyMatch(partition -> consumer.position(partition) < end.get(partition))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("Could not read " + topic.name() + " to its end within " + timeout);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /**
     * A TCP port free now, for a server that binds it a moment later. Chosen at random below the kernel's ephemeral range
     * (from 32768 on Linux), where a port from {@code new ServerSocket(0)} would be: there an outgoing connection, say a
     * Kafka client's, may take it first. LocalEngine.freePort makes the same choice for the engine's own processes.
     */
    public static int freePort() {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(10_000, 32_768);
            try (ServerSocket socket = new ServerSocket(port)) {
                return port;
            } catch (IOException taken) {
                // Another one.
            }
        }
        throw new IllegalStateException("No free port between 10000 and 32767");
    }
}
