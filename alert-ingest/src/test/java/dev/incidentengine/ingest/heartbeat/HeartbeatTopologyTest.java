package dev.incidentengine.ingest.heartbeat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.stream.IntStream;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.HeartbeatPing;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatTopologyTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration PUNCTUATION = Duration.ofMillis(200);
    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private TopologyTestDriver driver;
    private TestInputTopic<String, IntegrationConfig> integrations;
    private TestInputTopic<String, HeartbeatPing> pings;
    private TestOutputTopic<String, Alert> alerts;

    @BeforeEach
    void setUp() {
        StreamsBuilder builder = new StreamsBuilder();
        HeartbeatTopology.add(builder, Topics.CONFIG_INTEGRATIONS, Topics.HEARTBEATS, Topics.ALERTS, serdes, PUNCTUATION, metrics);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "alert-ingest");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        driver = new TopologyTestDriver(builder.build(props), props, T0);
        integrations = driver.createInputTopic(Topics.CONFIG_INTEGRATIONS.name(), Serdes.String().serializer(),
                Topics.CONFIG_INTEGRATIONS.valueSerde(serdes).serializer());
        pings = driver.createInputTopic(Topics.HEARTBEATS.name(), Serdes.String().serializer(),
                Topics.HEARTBEATS.valueSerde(serdes).serializer());
        alerts = driver.createOutputTopic(Topics.ALERTS.name(), Serdes.String().deserializer(), Topics.ALERTS.valueSerde(serdes).deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private void advance(Duration by) {
        driver.advanceWallClockTime(by);
    }

    private void ping(String id, Instant at) {
        pings.pipeInput(id, Watchdog.ping(id, at, "http"));
    }

    @Test
    void aMissedDeadlineFiresOnceAndTheNextPingResolvesIt() {
        integrations.pipeInput("prom", HeartbeatsTest.integration("prom", 60, "Watchdog")); // due T0 + 90 s
        ping("prom", T0.plusSeconds(50)); // due T0 + 140 s

        advance(Duration.ofSeconds(139));
        assertThat(alerts.isEmpty()).as("not due yet").isTrue();

        advance(Duration.ofMillis(1_200));
        List<Alert> fired = alerts.readValuesToList();
        assertThat(fired).singleElement().satisfies(alert -> {
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getFingerprint()).isEqualTo("heartbeat:prom");
            assertThat(alert.getStartsAt()).isEqualTo(T0.plusSeconds(140));
            assertThat(Duration.between(alert.getStartsAt(), alert.getReceivedAt())).isLessThanOrEqualTo(PUNCTUATION);
        });

        advance(Duration.ofMinutes(30));
        assertThat(alerts.isEmpty()).as("fires once").isTrue();

        ping("prom", T0.plusSeconds(2000));
        assertThat(alerts.readKeyValue().value.getStatus()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(metrics.counter("heartbeat_missed_total").count()).isEqualTo(1);
        assertThat(metrics.counter("heartbeat_resolved_total").count()).isEqualTo(1);
    }

    @Test
    void aHeartbeatNeverHeardFiresAfterItsFirstIntervalFromConfiguration() {
        integrations.pipeInput("cron", HeartbeatsTest.integration("cron", 60, null));

        advance(Duration.ofSeconds(91));

        assertThat(alerts.readValue().getDescription()).contains("since it was configured at " + T0);
    }

    @Test
    void onlyTheDueHeartbeatsFireInDeadlineOrderAndTheDeadlineStoreHoldsOnePerHeartbeat() {
        // 1,000 heartbeats of intervals 10 s .. 1009 s (+30 s grace): after 100 s those of intervals up to 70 s are due.
        IntStream.range(0, 1_000).forEach(i -> integrations.pipeInput("hb-" + i, HeartbeatsTest.integration("hb-" + i, 10 + i, null)));
        KeyValueStore<String, String> deadlines = driver.getKeyValueStore(HeartbeatTopology.DEADLINE_STORE);
        assertThat(deadlines.approximateNumEntries()).isEqualTo(1_000);

        advance(Duration.ofSeconds(100));

        List<String> fired = alerts.readValuesToList().stream().map(alert -> alert.getLabels().get("heartbeat")).toList();
        assertThat(fired).isEqualTo(IntStream.rangeClosed(0, 60).mapToObj(i -> "hb-" + i).toList());
        assertThat(deadlines.approximateNumEntries()).isEqualTo(1_000 - 61);
    }

    @Test
    void removingAMissedHeartbeatResolvesItsAlert() {
        integrations.pipeInput("prom", HeartbeatsTest.integration("prom", 60, "Watchdog"));
        advance(Duration.ofSeconds(91));
        assertThat(alerts.readValue().getStatus()).isEqualTo(AlertStatus.FIRING);

        integrations.pipeInput("prom", HeartbeatsTest.integration("prom", null, null));

        assertThat(alerts.readValue().getStatus()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(driver.<String, Object>getKeyValueStore(HeartbeatTopology.STATE_STORE).get("prom")).isNull();
    }

    @Test
    void aDeletedIntegrationTakesItsDeadlineWith() {
        integrations.pipeInput("prom", HeartbeatsTest.integration("prom", 60, "Watchdog"));
        integrations.pipeInput("prom", (IntegrationConfig) null);

        advance(Duration.ofMinutes(10));

        assertThat(alerts.isEmpty()).isTrue();
        assertThat(driver.<String, String>getKeyValueStore(HeartbeatTopology.DEADLINE_STORE).approximateNumEntries()).isZero();
    }

    @Test
    void aPingForAnUnknownHeartbeatIsDroppedAndCounted() {
        ping("ghost", T0);
        advance(Duration.ofMinutes(10));

        assertThat(alerts.isEmpty()).isTrue();
        assertThat(metrics.counter("heartbeat_unknown_pings_total").count()).isEqualTo(1);
    }
}
