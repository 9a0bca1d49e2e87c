package dev.incidentengine.deploy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import dev.incidentengine.schemas.Topic;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** One Kafka operation with a client's settings, for tests that a secured broker refuses what a user may not do. */
final class KafkaAttempts {

    private KafkaAttempts() {
    }

    interface Attempt {
        void run() throws Exception;
    }

    /** The attempt fails with {@code refusal} (under any ExecutionExceptions). */
    static void assertRefused(Class<? extends Exception> refusal, Attempt attempt) {
        Throwable thrown = catchThrowable(attempt::run);
        while (thrown instanceof ExecutionException && thrown.getCause() != null) {
            thrown = thrown.getCause();
        }
        assertThat(thrown).isInstanceOf(refusal);
    }

    static void write(Map<String, Object> client, Topic<?, ?> topic) throws Exception {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic.name(), "k".getBytes(StandardCharsets.UTF_8), new byte[0])).get(15, TimeUnit.SECONDS);
        }
    }

    static void read(Map<String, Object> client, Topic<?, ?> topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(client, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic.name(), 0)));
            consumer.poll(Duration.ofSeconds(10));
        }
    }

    static void joinGroup(Map<String, Object> client, Topic<?, ?> topic, String group) {
        Map<String, Object> props = new HashMap<>(client);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic.name()));
            consumer.poll(Duration.ofSeconds(10));
        }
    }

    static void createTopic(Map<String, Object> client, String name) throws Exception {
        try (Admin admin = Admin.create(client)) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get(15, TimeUnit.SECONDS);
        }
    }
}
