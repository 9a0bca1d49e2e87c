package dev.incidentengine.status;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.ComponentStatusChanged;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.NoteAdded;
import dev.incidentengine.model.MaintenanceChanged;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.PageConfigured;
import dev.incidentengine.model.PublicIncidentChanged;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.StatusPageCommand;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.model.StatusPageState;
import dev.incidentengine.model.config.StatusPageConfig;
import dev.incidentengine.schemas.EventHeaders;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.DeadLetters;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.status.domain.StatusPage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.status.Pages.config;
import static dev.incidentengine.status.Pages.oneOff;
import static dev.incidentengine.status.Pages.override;
import static dev.incidentengine.status.Pages.published;
import static org.assertj.core.api.Assertions.assertThat;

/** The writer in a TopologyTestDriver: public incident events, commands, config and silences in; the page's log out. */
class StatusPageTopologyTest {

    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final StatusTopics topics = StatusTopics.DEFAULT;
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, IncidentEvent> events;
    private TestInputTopic<String, StatusPageCommand> commands;
    private TestOutputTopic<String, StatusPageEvent> page;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private long sequence;

    @BeforeEach
    void setUp() {
        driver = driver(new StatusPage.Limits(2, 10, 10, 10, 10));
        events = input(topics.incidentEvents());
        commands = input(topics.commands());
        page = driver.createOutputTopic(topics.page().name(), topics.page().keySerde(serdes).deserializer(),
                topics.page().valueSerde(serdes).deserializer());
        deadLetters = driver.createOutputTopic(topics.deadLetters().name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        input(topics.config()).pipeInput("public", config("api", "db"));
        assertThat(payloads()).singleElement().isInstanceOf(PageConfigured.class);
    }

    private TopologyTestDriver driver(StatusPage.Limits limits) {
        Properties props = KafkaClients.streams(new StatusPageServiceConfig(Map.of()), StatusPageTopology.APPLICATION_ID, topics.deadLetters());
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/status-topology-test-" + System.nanoTime());
        return new TopologyTestDriver(StatusPageTopology.build(topics, serdes, "public", Duration.ofSeconds(1), limits, metrics), props, T0);
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void everyProcessorStoreAndInternalTopicIsNamed() {
        String description = StatusPageTopology.build(topics, serdes, "public", Duration.ofSeconds(1), StatusPage.Limits.DEFAULT, metrics)
                .describe().toString();
        assertThat(description).doesNotContain("KSTREAM-", "KTABLE-")
                .contains(StatusPageTopology.STATE_STORE, StatusPageTopology.EVENTS_BY_PAGE, StatusPageTopology.WRITER);
    }

    @Test
    void onlyPublicEventsThatMoveThePage_reachIt_keyedByThePageWithContiguousSequences() {
        pipe(published("INC-1", 4, T0, Severity.SEV0, "api"), false);
        pipe(Pages.event("INC-1", 5, T0, new NoteAdded("internal only")), true);
        assertThat(page.readRecordsToList()).as("no header, or a kind that does not move the page").isEmpty();

        pipe(published("INC-2", 4, T0, Severity.SEV0, "api"), true);
        List<TestRecord<String, StatusPageEvent>> out = page.readRecordsToList();
        assertThat(out).extracting(TestRecord::key).containsOnly("public");
        assertThat(out).extracting(record -> record.value().getSequence()).containsExactly(2L, 3L);
        assertThat(out.get(0).value().getPayload()).isInstanceOf(PublicIncidentChanged.class);
        assertThat(out.get(1).value().getPayload()).isInstanceOfSatisfying(ComponentStatusChanged.class,
                changed -> assertThat(changed.getTo()).isEqualTo(ComponentStatus.MAJOR_OUTAGE));
        assertThat(out.get(0).timestamp()).isEqualTo(T0.toEpochMilli());
    }

    @Test
    void commands_onceByIdForThisPage_unknownComponentsRefusedAndCounted() {
        commands.pipeInput("public", override("c1", T0, "api", ComponentStatus.PARTIAL_OUTAGE));
        commands.pipeInput("public", override("c1", T0, "api", ComponentStatus.PARTIAL_OUTAGE));
        commands.pipeInput("public", override("c2", T0, "nope", ComponentStatus.PARTIAL_OUTAGE));
        commands.pipeInput("other", StatusPageCommand.newBuilder(override("c3", T0, "api", null)).setPageId("other").build());
        assertThat(payloads()).singleElement().isInstanceOfSatisfying(ComponentStatusChanged.class,
                changed -> assertThat(changed.getOverride()).isEqualTo(ComponentStatus.PARTIAL_OUTAGE));
        assertThat(metrics.get("status_page_rejected_total").tag("input", "command").counter().count()).isEqualTo(1.0);
        assertThat(deadLetters.readRecordsToList()).isEmpty();
    }

    @Test
    void thePunctuation_startsAndCompletesMaintenance_onTheWallClock() {
        input(topics.silences()).pipeInput("upgrade", oneOff("upgrade", T0.plusSeconds(60), T0.plusSeconds(120), 1, "db"));
        assertThat(payloads()).singleElement().isInstanceOfSatisfying(MaintenanceChanged.class,
                m -> assertThat(m.getStatus()).isEqualTo(MaintenanceStatus.SCHEDULED));
        driver.advanceWallClockTime(Duration.ofSeconds(61));
        assertThat(payloads()).hasSize(2).first().isInstanceOfSatisfying(MaintenanceChanged.class,
                m -> assertThat(m.getStatus()).isEqualTo(MaintenanceStatus.IN_PROGRESS));
        driver.advanceWallClockTime(Duration.ofSeconds(60));
        assertThat(payloads()).hasSize(2).first().isInstanceOfSatisfying(MaintenanceChanged.class,
                m -> assertThat(m.getStatus()).isEqualTo(MaintenanceStatus.COMPLETED));
        driver.advanceWallClockTime(Duration.ofSeconds(60));
        assertThat(page.readRecordsToList()).isEmpty();
    }

    @Test
    void configOfAnotherPage_andTombstones_changeNothing() {
        input(topics.config()).pipeInput("other", StatusPageConfig.newBuilder(config("x")).setId("other").build());
        input(topics.config()).pipeInput("public", null);
        input(topics.silences()).pipeInput("gone", null);
        assertThat(page.readRecordsToList()).isEmpty();
        assertThat(deadLetters.readRecordsToList()).isEmpty();
    }

    @Test
    void unreadableRecords_andInputsPastACap_goToTheDeadLetterTopic_sayingWhy_andTheStateStays() {
        driver.createInputTopic(topics.commands().name(), new StringSerializer(), new ByteArraySerializer())
                .pipeInput("public", "not avro".getBytes(StandardCharsets.UTF_8));
        for (int i = 1; i <= 3; i++) {
            pipe(published("INC-" + i, 4, T0, Severity.SEV2, "api"), true);
        }
        List<TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
        // The driver does not hand over a deserialization handler's letter (logged, and the stream goes on); a processor's it does.
        assertThat(letters).last().satisfies(letter -> {
            assertThat(new String(letter.headers().lastHeader(DeadLetters.ERROR).value(), StandardCharsets.UTF_8))
                    .contains("INC-3", "unresolved incidents");
            assertThat(new String(letter.headers().lastHeader(DeadLetters.PROCESSOR).value(), StandardCharsets.UTF_8))
                    .isEqualTo(StatusPageTopology.WRITER);
        });
        assertThat(metrics.get("status_page_limit_exceeded_total").counter().count()).isEqualTo(1.0);
        KeyValueStore<String, StatusPageState> store = driver.getKeyValueStore(StatusPageTopology.STATE_STORE);
        assertThat(store.get("public").getIncidents()).extracting(i -> i.getIncidentId()).containsExactly("INC-1", "INC-2");
        assertThat(page.readRecordsToList()).extracting(record -> record.value().getSequence()).as("contiguous")
                .containsExactly(2L, 3L, 4L);
    }

    private void pipe(IncidentEvent event, boolean isPublic) {
        RecordHeaders headers = new RecordHeaders();
        if (isPublic) {
            EventHeaders.markPublic(headers);
        }
        events.pipeInput(new TestRecord<>(event.getIncidentId(), event, headers, event.getTimestamp()));
    }

    private List<Object> payloads() {
        return page.readValuesToList().stream().map(event -> {
            assertThat(event.getSequence()).isEqualTo(++sequence);
            return event.getPayload();
        }).toList();
    }

    private <V> TestInputTopic<String, V> input(Topic<String, V> topic) {
        return driver.createInputTopic(topic.name(), new StringSerializer(), topic.valueSerde(serdes).serializer());
    }
}
