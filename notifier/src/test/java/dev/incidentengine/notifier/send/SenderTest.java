package dev.incidentengine.notifier.send;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.DeliveryRecord;
import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.notifier.NotifierTopics;
import dev.incidentengine.notifier.channel.Channel;
import dev.incidentengine.notifier.channel.Message;
import dev.incidentengine.notifier.channel.Result;
import dev.incidentengine.schemas.RecordSerdes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sender's health with clients that fail on cue (Kafka's mocks): not healthy until it polls, while its commits time out
 * (and healthy again when one succeeds), and for good once fenced; the metric says the same.
 */
class SenderTest {

    private static final NotifierTopics TOPICS = NotifierTopics.DEFAULT;
    private static final TopicPartition REQUESTS = new TopicPartition(TOPICS.requests().name(), 0);
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final MockConsumer<String, DeliveryRecord> ledger = new MockConsumer<>("earliest");
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private Sender sender;
    private long offset;

    @BeforeEach
    void setUp() {
        TopicPartition ledgerPartition = new TopicPartition(TOPICS.deliveries().name(), 0);
        ledger.updateBeginningOffsets(Map.of(ledgerPartition, 0L));
        ledger.updateEndOffsets(Map.of(ledgerPartition, 0L));
        consumer.updateBeginningOffsets(Map.of(REQUESTS, 0L));
        Channel delivering = new Channel() {
            @Override
            public String endpoint(Message message) {
                return "webhook:receiver";
            }

            @Override
            public Result send(Message message) {
                return new Result(true, null, null, 1, Duration.ofMillis(1));
            }
        };
        sender = new Sender(TOPICS, serdes, Map.of("webhook", delivering), null,
                Endpoints.system(new Endpoints.Settings(2, 5, Duration.ofSeconds(30), Map.of())), consumer, producer, ledger,
                Duration.ofSeconds(5), Clock.systemUTC(), metrics);
    }

    @AfterEach
    void tearDown() {
        sender.close();
    }

    @Test
    void notHealthyBeforeItPolls_thenHealthy() {
        assertThat(sender.healthy()).isFalse();
        assertThat(healthyGauge()).isZero();

        startAssigned();

        assertThat(healthyGauge()).isEqualTo(1);
    }

    @Test
    void whileCommitsTimeOutItIsNotHealthy_andTheSameCommitGoesThroughOnceTheBrokerAnswers() {
        startAssigned();
        consumer.schedulePollTask(() -> producer.commitTransactionException = new TimeoutException("broker unreachable"));
        deliver("e1");

        await("not healthy while it cannot commit").atMost(WAIT).until(() -> !sender.healthy());
        assertThat(healthyGauge()).isZero();
        assertThat(metrics.counter("notifier.sender.failures").count()).isPositive();
        assertThat(producer.history()).isEmpty();

        consumer.schedulePollTask(() -> producer.commitTransactionException = null);
        await("healthy once a commit succeeds").atMost(WAIT).until(sender::healthy);
        assertThat(producer.history()).extracting(record -> record.topic())
                .containsExactlyInAnyOrder(TOPICS.results().name(), TOPICS.deliveries().name());
        assertThat(healthyGauge()).isEqualTo(1);
    }

    @Test
    void fencedItStops_andStaysNotHealthy() {
        startAssigned();
        consumer.schedulePollTask(producer::fenceProducer);
        deliver("e1");

        await("stopped").atMost(WAIT).until(() -> !sender.healthy());
        await("for good").during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !sender.healthy());
        assertThat(healthyGauge()).isZero();
        assertThat(metrics.counter("notifier.sender.failures").count()).isEqualTo(1);
        assertThat(producer.history()).isEmpty();
    }

    private void startAssigned() {
        consumer.schedulePollTask(() -> consumer.rebalance(List.of(REQUESTS)));
        sender.start();
        await("polling").atMost(WAIT).until(sender::healthy);
    }

    private void deliver(String eventId) {
        NotificationRequest request = NotificationRequest.newBuilder()
                .setDeliveryId(eventId + ":ops:webhook:0").setIncidentId("INC-1").setEventId(eventId).setKind("opened")
                .setChannel("webhook").setTarget("ops").setStep(0).setAddress("http://receiver.example/hook").setTitle("title")
                .setText("text").setSeverity("SEV2").setStatus("TRIGGERED").setService("checkout").setRequestedAt(Instant.now()).build();
        byte[] value = TOPICS.requests().valueSerde(serdes).serializer().serialize(REQUESTS.topic(), request);
        long at = offset++;
        consumer.schedulePollTask(() -> consumer.addRecord(new ConsumerRecord<>(REQUESTS.topic(), 0, at, "INC-1", value)));
    }

    private double healthyGauge() {
        return metrics.get("notifier.sender.healthy").gauge().value();
    }
}
