package dev.incidentengine.notifier.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentChanged;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.PublicUpdate;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.model.StatusSubscriber;
import dev.incidentengine.model.SubscriberKind;
import dev.incidentengine.notifier.NotifierConfig;
import dev.incidentengine.notifier.NotifierTopics;
import dev.incidentengine.notifier.NotifierTopology;
import dev.incidentengine.notifier.plan.Composer;
import dev.incidentengine.notifier.plan.Planner;
import dev.incidentengine.notifier.plan.WarRooms;
import dev.incidentengine.notifier.template.Templates;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.CommitPacing;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.service.api.SubscriberSeal;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fan-out's batches: bounded work and transactions per update, page order, confirmations, old events. */
class StatusFanoutTest {

    private static final Instant T0 = Instant.parse("2026-12-05T04:00:00Z");
    private static final NotifierTopics TOPICS = NotifierTopics.DEFAULT;
    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final SubscriberSeal seal = new SubscriberSeal("0123456789abcdef0123456789abcdef-status".getBytes(StandardCharsets.UTF_8));
    private TopologyTestDriver driver;
    private TestInputTopic<String, StatusSubscriber> subscribers;
    private TestInputTopic<String, StatusPageEvent> page;
    private TestOutputTopic<String, NotificationRequest> requests;

    @BeforeEach
    void setUp() {
        Properties props = KafkaClients.streams(new NotifierConfig(Map.of()), NotifierTopology.APPLICATION_ID, TOPICS.deadLetters());
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/status-fanout-test-" + System.nanoTime());
        driver = new TopologyTestDriver(NotifierTopology.build(TOPICS, serdes, new Planner(Duration.ofHours(1)),
                new Composer(Templates.defaults(), null), Duration.ofMillis(100),
                new NotifierTopology.StatusSubscribers("https://status.example.com", Duration.ofDays(7)), Duration.ofHours(1), WarRooms.NONE, CommitPacing.fixed()), props, T0);
        subscribers = input(TOPICS.subscribers());
        page = input(TOPICS.statusPage());
        requests = driver.createOutputTopic(TOPICS.requests().name(), new StringDeserializer(), TOPICS.requests().valueSerde(serdes).deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void tenThousandSubscribersGoOutInBatchesOfAtMost500_eachOnce_andTheNextUpdateAfterThem() {
        for (int i = 0; i < 10_000; i++) {
            String id = String.format("s%05d", i);
            // Every tenth subscribed to another component, every hundredth unconfirmed (too long ago for a confirmation
            // mail): read, not written.
            StatusSubscriber subscriber = subscriber(id, i % 100 != 0, i % 10 == 5 ? List.of("billing") : List.of());
            subscribers.pipeInput(id, i % 100 != 0 ? subscriber
                    : StatusSubscriber.newBuilder(subscriber).setCreatedAt(T0.minus(Duration.ofDays(8))).build(), T0);
        }
        page.pipeInput("public", update(1, "p1"), T0);
        List<NotificationRequest> first = requests.readValuesToList();
        assertThat(first).as("one batch when the event arrives: reads 500, writes those that match").hasSizeBetween(400, 500)
                .allSatisfy(request -> assertThat(request.getDeliveryId()).startsWith("p1:"));
        // The next update's own batch goes on with the first update's job: a subscriber hears of them in page order.
        page.pipeInput("public", update(2, "p2"), T0);
        List<NotificationRequest> second = requests.readValuesToList();
        assertThat(second).hasSizeBetween(400, 500).allSatisfy(request -> assertThat(request.getDeliveryId()).startsWith("p1:"));
        Set<String> delivered = new HashSet<>();
        first.forEach(request -> delivered.add(request.getDeliveryId()));
        second.forEach(request -> delivered.add(request.getDeliveryId()));
        int batches = 2;
        int perUpdate = 10_000 - 100 - 1_000; // minus the unconfirmed (…00), minus billing's (…5)
        while (true) {
            driver.advanceWallClockTime(Duration.ofMillis(100));
            List<NotificationRequest> batch = requests.readValuesToList();
            if (batch.isEmpty()) {
                break;
            }
            batches++;
            assertThat(batch.size()).as("a transaction holds one batch at most").isLessThanOrEqualTo(500);
            batch.forEach(request -> assertThat(delivered.add(request.getDeliveryId())).as(request.getDeliveryId()).isTrue());
            if (delivered.stream().anyMatch(id -> id.startsWith("p2:"))) {
                assertThat(delivered.stream().filter(id -> id.startsWith("p1:"))).as("p1 done before p2 begins").hasSize(perUpdate);
            }
        }
        assertThat(delivered).hasSize(2 * perUpdate);
        assertThat(batches).isEqualTo(40);
        assertThat(delivered).contains("p1:s00001", "p2:s09999").doesNotContain("p1:s00000", "p1:s00005");
    }

    @Test
    void confirmationsGoOncePerSubscriptionWritten_andOldPageEventsTellNobody() {
        subscribers.pipeInput("ada", subscriber("ada", false, List.of()), T0);
        subscribers.pipeInput("bob", subscriber("bob", false, List.of()), T0);
        subscribers.pipeInput("bob", StatusSubscriber.newBuilder(subscriber("bob", false, List.of())).setConfirmed(true).build(), T0);
        driver.advanceWallClockTime(Duration.ofMillis(100));
        List<NotificationRequest> mails = requests.readValuesToList();
        assertThat(mails).extracting(NotificationRequest::getDeliveryId).containsExactly("confirm:ada:0");
        assertThat(mails.get(0).getKind()).isEqualTo(StatusMessages.CONFIRM_KIND);
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertThat(requests.readValuesToList()).as("once").isEmpty();
        // Asked again while unconfirmed: a new record, a new mail.
        subscribers.pipeInput("ada", StatusSubscriber.newBuilder(subscriber("ada", false, List.of())).setCreatedAt(T0.plusSeconds(5)).build(), T0);
        driver.advanceWallClockTime(Duration.ofMillis(100));
        assertThat(requests.readValuesToList()).extracting(NotificationRequest::getDeliveryId).containsExactly("confirm:ada:3");

        StatusPageEvent old = StatusPageEvent.newBuilder(update(1, "old")).setTimestamp(T0.minus(Duration.ofHours(2))).build();
        page.pipeInput("public", old, T0);
        driver.advanceWallClockTime(Duration.ofMillis(100));
        assertThat(requests.readValuesToList()).isEmpty();
    }

    private StatusSubscriber subscriber(String id, boolean confirmed, List<String> components) {
        String address = id + "@example.com";
        return new StatusSubscriber(id, "public", SubscriberKind.EMAIL, ByteBuffer.wrap(seal.seal(address)), seal.keyId(), seal.digest(address),
                components, confirmed, T0, confirmed ? T0 : null);
    }

    private static StatusPageEvent update(long sequence, String eventId) {
        return new StatusPageEvent(eventId, "public", sequence, T0, new Actor(ActorType.USER, "alice", null), null,
                new PublicIncidentChanged("INC-1", "Slow checkout", PublicImpact.MINOR, PublicIncidentStatus.INVESTIGATING, List.of("api"),
                        T0, null, new PublicUpdate("u-" + eventId, "investigating", "Looking.", T0, List.of())));
    }

    private <V> TestInputTopic<String, V> input(Topic<String, V> topic) {
        return driver.createInputTopic(topic.name(), new StringSerializer(), topic.valueSerde(serdes).serializer());
    }
}
