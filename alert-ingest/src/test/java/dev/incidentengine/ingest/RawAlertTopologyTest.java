package dev.incidentengine.ingest;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;

import dev.incidentengine.ingest.normalize.AlertLimits;
import dev.incidentengine.ingest.normalize.Payloads;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.HeartbeatPing;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.HeartbeatSettings;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.service.DeadLetters;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RawAlertTopologyTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final IngestTopics topics = IngestTopics.DEFAULT;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> raw;
    private TestOutputTopic<String, Alert> alerts;
    private TestOutputTopic<byte[], byte[]> dlq;
    private TestOutputTopic<String, HeartbeatPing> pings;

    @BeforeEach
    void setUp() {
        MapIntegrations integrations = new MapIntegrations(List.of(
                MapIntegrations.integration("am", "shop", "am-key"),
                MapIntegrations.integration("pd", "db", "pd-key"),
                IntegrationConfig.newBuilder(MapIntegrations.integration("prom", "monitoring", "prom-key"))
                        .setHeartbeat(HeartbeatSettings.newBuilder().setIntervalSeconds(60).setGraceSeconds(0).setAlertname("Watchdog")
                                .setSeverity(Severity.SEV2).setSummary(null).build()).build()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, RawAlertTopology.APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(RawAlertTopology.build(topics, serdes, integrations, AlertLimits.DEFAULTS, Clock.fixed(NOW, ZoneOffset.UTC)), props);
        raw = driver.createInputTopic(topics.raw().name(), new ByteArraySerializer(), new ByteArraySerializer());
        alerts = driver.createOutputTopic(topics.alerts().name(), topics.alerts().keySerde(serdes).deserializer(),
                topics.alerts().valueSerde(serdes).deserializer());
        dlq = driver.createOutputTopic(topics.dlq().name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        pings = driver.createOutputTopic(topics.heartbeats().name(), topics.heartbeats().keySerde(serdes).deserializer(),
                topics.heartbeats().valueSerde(serdes).deserializer());
    }

    @Test
    void givenTheWatchdogOfAnIntegrationWithAHeartbeat_thenAPingAndNoAlert() {
        send(Payloads.text("alertmanager-watchdog.json"), headers("format", "alertmanager", "integration", "prom"));
        send(Payloads.text("alertmanager-firing.json"), headers("format", "alertmanager", "integration", "prom"));

        var ping = pings.readRecord();
        assertThat(ping.key()).isEqualTo("prom");
        assertThat(ping.value().getReceivedAt()).isEqualTo(NOW);
        assertThat(ping.value().getVia()).isEqualTo("raw");
        assertThat(pings.isEmpty()).isTrue();
        assertThat(alerts.readValuesToList()).singleElement()
                .satisfies(alert -> assertThat(alert.getLabels()).containsEntry("alertname", "HighErrorRate"));
    }

    @Test
    void givenTheWatchdogOfAnIntegrationWithoutAHeartbeat_thenAnAlert() {
        send(Payloads.text("alertmanager-watchdog.json"), headers("format", "alertmanager", "integration", "am"));

        assertThat(alerts.readValue().getLabels()).containsEntry("alertname", "Watchdog");
        assertThat(pings.isEmpty()).isTrue();
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void givenGenericJsonWithoutHeaders_thenAlertKeyedByFingerprint() {
        send(Payloads.text("generic-single.json"), new RecordHeaders());

        var record = alerts.readRecord();
        assertThat(record.key()).isEqualTo("kafka/payments-queue-backlog");
        assertThat(record.value().getIntegrationId()).isNull();
        assertThat(record.value().getReceivedAt()).isEqualTo(NOW);
        assertThat(dlq.isEmpty()).isTrue();
    }

    @Test
    void givenAlertmanagerBodyAndIntegrationHeader_thenEveryAlertScopedByIntegration() {
        send(Payloads.text("alertmanager-grouped-mixed.json"), headers("format", "alertmanager", "integration", "am"));

        List<Alert> read = alerts.readValuesToList();
        assertThat(read).hasSize(3).allSatisfy(alert -> {
            assertThat(alert.getFingerprint()).startsWith("am/");
            assertThat(alert.getService()).isEqualTo("shop");
        });
    }

    @Test
    void givenPagerDutyBody_thenRoutingKeyNamesTheIntegration() {
        send(Payloads.text("pagerduty-resolve.json").replace("ROUTING_KEY", "pd-key"), headers("format", "PagerDuty"));

        Alert alert = alerts.readValue();
        assertThat(alert.getFingerprint()).isEqualTo("pd/srv01/mysql-replication-lag");
        assertThat(alert.getStatus()).isEqualTo(AlertStatus.RESOLVED);
    }

    @Test
    void badRecordsGoToTheDlqWithReasonOriginAndOriginalBytes_andTheStreamGoesOn() {
        send("{not json", new RecordHeaders());
        send("{\"summary\":\"x\"}", headers("format", "nagios"));
        send("{\"summary\":\"x\"}", headers("integration", "ghost"));
        send("{\"sumary\":\"typo\"}", new RecordHeaders());
        send(Payloads.text("pagerduty-resolve.json").replace("ROUTING_KEY", "wrong"), headers("format", "pagerduty"));
        raw.pipeInput(new TestRecord<>("k".getBytes(), null, new RecordHeaders()));
        send(Payloads.text("generic-single.json"), new RecordHeaders());

        List<TestRecord<byte[], byte[]>> dead = dlq.readRecordsToList();
        assertThat(dead).extracting(record -> header(record.headers(), DeadLetters.REASON)).containsExactly(
                "invalid-json", "unknown-format", "unknown-integration", "invalid-payload", "unknown-integration", "invalid-json");
        assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
        assertThat(header(dead.get(3).headers(), DeadLetters.ERROR)).contains("sumary: unknown field");
        assertThat(header(dead.get(1).headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo("alerts.raw.v1");
        assertThat(header(dead.get(1).headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("1");
        assertThat(header(dead.get(1).headers(), DeadLetters.SOURCE_PARTITION)).isEqualTo("0");
        assertThat(header(dead.get(1).headers(), "format")).as("original headers kept").isEqualTo("nagios");
        assertThat(alerts.readValuesToList()).as("the good record after the bad ones").hasSize(1);
    }

    @Test
    void alertsOverTheLimitsGoToTheDlqNamingTheField_andIntegrationAlertsStayInTheirServices() {
        send("{\"summary\":\"s\",\"labels\":{\"instance\":\"" + "v".repeat(2049) + "\"}}", headers("integration", "am"));
        send("{\"summary\":\"steered\",\"labels\":{\"service\":\"db\"}}", headers("integration", "am"));

        TestRecord<byte[], byte[]> dead = dlq.readRecord();
        assertThat(header(dead.headers(), "dlq.reason")).isEqualTo("over-limit");
        assertThat(header(dead.headers(), "dlq.error")).contains("labels.instance: must be at most 2048 characters");
        Alert scoped = alerts.readValue();
        assertThat(scoped.getService()).isEqualTo("shop");
        assertThat(scoped.getLabels()).containsEntry("service", "shop");
        assertThat(alerts.isEmpty()).isTrue();
    }

    private void send(String json, Headers headers) {
        raw.pipeInput(new TestRecord<>("key".getBytes(), json.getBytes(StandardCharsets.UTF_8), headers));
    }

    private static Headers headers(String... pairs) {
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < pairs.length; i += 2) {
            headers.add(pairs[i], pairs[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    private static String header(Headers headers, String name) {
        return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
