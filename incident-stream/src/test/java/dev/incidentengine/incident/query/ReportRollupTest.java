package dev.incidentengine.incident.query;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.incident.IncidentStreamConfig;
import dev.incidentengine.incident.IncidentTopics;
import dev.incidentengine.incident.IncidentTopology;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.RoleAssigned;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentTypeChanged;
import dev.incidentengine.model.ResponseTarget;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.testkit.Samples;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.testkit.Samples.escalated;
import static dev.incidentengine.testkit.Samples.plan;
import static org.assertj.core.api.Assertions.assertThat;

/** The read side's report rollups in a TopologyTestDriver: events in, the sums of a period read back as the API reads them. */
class ReportRollupTest {

    private static final Instant MONDAY = Instant.parse("2026-11-30T08:00:00Z");

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final IncidentTopics topics = IncidentTopics.DEFAULT;
    private TopologyTestDriver driver;
    private TestInputTopic<String, IncidentEvent> events;

    @BeforeEach
    void setUp() {
        Properties props = KafkaClients.streams(new IncidentStreamConfig(Map.of()),
                IncidentQueryTopology.applicationId(IncidentTopology.APPLICATION_ID), topics.deadLetters());
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/incident-report-test-" + System.nanoTime());
        driver = new TopologyTestDriver(IncidentQueryTopology.build(topics, serdes, props, new ResponseMetrics(new SimpleMeterRegistry()),
                new LocalStores()), props, Samples.T0);
        events = driver.createInputTopic(topics.events().name(), new StringSerializer(), topics.events().valueSerde(serdes).serializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private void pipe(String id, Instant at, Object payload) {
        events.pipeInput(id, Samples.event(id, id + "/" + at + payload.getClass().getSimpleName(), at, payload));
    }

    private void open(String id, Instant at, Severity severity, String service) {
        pipe(id, at, IncidentOpened.newBuilder().setTitle(id).setSeverity(severity).setService(service).setCorrelationKey(id)
                .setLabels(Map.of()).build());
    }

    private JsonNode report(String from, String to, ReportRollup.Period period, String service, Severity severity) throws IOException {
        return report(new ReportRollup.Query(LocalDate.parse(from), LocalDate.parse(to), period, service, severity));
    }

    private JsonNode report(ReportRollup.Query query) throws IOException {
        KeyValueStore<String, String> store = driver.getKeyValueStore(IncidentQueryTopology.REPORT_STORE);
        ReportRollup.Part part = ReportRollup.read(store, query);
        StringWriter text = new StringWriter();
        try (JsonGenerator out = new ObjectMapper().createGenerator(text)) {
            out.writeStartObject();
            part.writeReport(out, 10, 50);
            out.writeEndObject();
        }
        return new ObjectMapper().readTree(text.toString());
    }

    @Test
    void eachIncidentCountsOnItsOpeningDay_asItStandsNow_perSeverityServiceAndPeriod() throws IOException {
        open("a", MONDAY, Severity.SEV2, "checkout");
        pipe("a", MONDAY.plusSeconds(300), new IncidentAcknowledged(null));
        pipe("a", MONDAY.plusSeconds(3_600), new IncidentResolved(null));
        open("b", MONDAY.plusSeconds(86_400), Severity.SEV3, "checkout");
        pipe("b", MONDAY.plusSeconds(86_400 + 1_000), new IncidentAcknowledged(null));
        pipe("b", MONDAY.plusSeconds(86_400 + 1_100), new SeverityChanged(Severity.SEV3, Severity.SEV1, null, true));
        open("c", MONDAY.plusSeconds(2 * 86_400), Severity.SEV2, "payments");
        open("last-week", MONDAY.minusSeconds(86_400), Severity.SEV2, "checkout");

        JsonNode days = report("2026-11-30", "2026-12-06", ReportRollup.Period.DAY, null, null);
        assertThat(days.get("totals").toString()).isEqualTo("{\"incidents\":3,\"acknowledged\":2,\"acknowledgeMeanSeconds\":650,"
                + "\"resolved\":1,\"resolveMeanSeconds\":3600,\"acknowledgedInTime\":1,\"resolvedInTime\":1,\"targetMet\":1}");
        assertThat(days.get("series").findValuesAsText("start")).containsExactly("2026-11-30", "2026-12-01", "2026-12-02");
        assertThat(days.get("series").findValuesAsText("severity")).as("b counts as the SEV1 it is now, late for a SEV1")
                .containsExactly("SEV2", "SEV1", "SEV2");
        assertThat(days.get("series").get(1).get("acknowledgedInTime").asInt()).isZero();
        assertThat(days.get("bySeverity").findValuesAsText("group")).containsExactly("SEV1", "SEV2");
        assertThat(days.get("byService").findValuesAsText("group")).containsExactly("checkout", "payments");

        JsonNode weeks = report("2026-11-23", "2026-12-06", ReportRollup.Period.WEEK, "checkout", Severity.SEV2);
        assertThat(weeks.get("series").toString()).contains("{\"start\":\"2026-11-23\",\"severity\":\"SEV2\",\"incidents\":1,",
                "{\"start\":\"2026-11-30\",\"severity\":\"SEV2\",\"incidents\":1,").doesNotContain("SEV1", "SEV3");
        assertThat(weeks.get("totals").get("incidents").asInt()).isEqualTo(2);
        assertThat(report("2026-12-03", "2026-12-31", ReportRollup.Period.DAY, null, null).get("totals").get("incidents").asInt()).isZero();
    }

    @Test
    void drillsExcludedFromTheFigures() throws IOException {
        open("real", MONDAY, Severity.SEV1, "checkout");
        pipe("drill", MONDAY, IncidentOpened.newBuilder().setTitle("Drill: failover").setSeverity(Severity.SEV1).setService("checkout")
                .setCorrelationKey("|drill|drill:1").setLabels(Map.of("drill", "true")).setDrill("failover").build());
        pipe("drill", MONDAY.plusSeconds(1), new AlertAttached(Samples.alert("drill:1").setDrill("failover").build()));
        pipe("drill", MONDAY.plusSeconds(3_600), new IncidentAcknowledged(null));
        pipe("drill", MONDAY.plusSeconds(7_200), new IncidentResolved(null));

        JsonNode report = report("2026-11-30", "2026-11-30", ReportRollup.Period.DAY, null, null);
        assertThat(report.get("totals").toString()).isEqualTo("{\"incidents\":1,\"acknowledged\":0,\"acknowledgeMeanSeconds\":null,"
                + "\"resolved\":0,\"resolveMeanSeconds\":null,\"acknowledgedInTime\":0,\"resolvedInTime\":0,\"targetMet\":0}");
        assertThat(report.get("noisiestAlerts")).isEmpty();
    }

    @Test
    void perTierTargetsInTheReport_eachIncidentJudgedByItsTier_andFilteredByTypeAndTier() throws IOException {
        // Three SEV1s, each acknowledged after 10 minutes and resolved after 1 hour.
        openIn("core", "checkout", "service-outage", "core-api", Map.of("SEV1", new ResponseTarget(5, 30)));
        openIn("aux", "reports", "service-outage", "auxiliary", Map.of("SEV1", new ResponseTarget(30, 480)));
        openIn("plain", "legacy", null, null, Map.of());
        for (String id : List.of("core", "aux", "plain")) {
            pipe(id, MONDAY.plusSeconds(600), new IncidentAcknowledged(null));
            pipe(id, MONDAY.plusSeconds(3_600), new IncidentResolved(null));
        }
        pipe("plain", MONDAY.plusSeconds(3_700), new IncidentTypeChanged(null, "deployment-related"));

        JsonNode all = report("2026-11-30", "2026-11-30", ReportRollup.Period.DAY, null, null);
        assertThat(all.get("totals").get("targetMet").asInt()).as("core-api's 5 min / 30 min missed; auxiliary's and the defaults met")
                .isEqualTo(2);
        assertThat(all.get("byTier").toString()).contains("{\"group\":\"-\",\"incidents\":1,", "{\"group\":\"auxiliary\",\"incidents\":1,",
                "{\"group\":\"core-api\",\"incidents\":1,\"acknowledged\":1,\"acknowledgeMeanSeconds\":600,\"resolved\":1,"
                        + "\"resolveMeanSeconds\":3600,\"acknowledgedInTime\":0,\"resolvedInTime\":0,\"targetMet\":0}");
        assertThat(all.get("byType").findValuesAsText("group")).as("the type set later moved plain")
                .containsExactly("deployment-related", "service-outage");

        LocalDate day = LocalDate.parse("2026-11-30");
        JsonNode core = report(new ReportRollup.Query(day, day, ReportRollup.Period.DAY, null, null, null, "core-api"));
        assertThat(core.get("totals").get("incidents").asInt()).isEqualTo(1);
        assertThat(core.get("totals").get("targetMet").asInt()).isZero();
        JsonNode outages = report(new ReportRollup.Query(day, day, ReportRollup.Period.DAY, null, null, "service-outage", null));
        assertThat(outages.get("byService").findValuesAsText("group")).containsExactly("checkout", "reports");
        JsonNode deployments = report(new ReportRollup.Query(day, day, ReportRollup.Period.DAY, null, null, "deployment-related", null));
        assertThat(deployments.get("totals").get("incidents").asInt()).isEqualTo(1);
        assertThat(deployments.get("byTier").findValuesAsText("group")).containsExactly("-");
    }

    private void openIn(String id, String service, String type, String tier, Map<String, ResponseTarget> targets) {
        pipe(id, MONDAY, IncidentOpened.newBuilder().setTitle(id).setSeverity(Severity.SEV1).setService(service).setCorrelationKey(id)
                .setLabels(Map.of()).setIncidentType(type).setTier(tier).setResponseTargets(targets).build());
    }

    @Test
    void alertsCountByName_boundedPerDay_andPagesPerPerson() throws IOException {
        open("storm", MONDAY, Severity.SEV1, "edge");
        for (int i = 0; i < ReportRollup.MAX_ALERT_NAMES_PER_DAY + 5; i++) {
            // No alertname: each alert is named by its own summary, as a storm of generic alerts would be.
            pipe("storm", MONDAY.plusSeconds(i), new AlertAttached(Samples.alert("fp-" + i).setLabels(Map.of()).setSummary("node " + i + " down")
                    .build()));
        }
        for (int i = 0; i < 3; i++) {
            pipe("storm", MONDAY.plusSeconds(1_000 + i), new AlertAttached(Samples.alert("fp-0").setLabels(Map.of()).setSummary("node 0 down")
                    .build()));
        }
        events.pipeInput("storm", escalated("storm", "e1", MONDAY.plusSeconds(60), 1, plan("alice", "EMAIL", 0), plan("bob", "SMS", 0)));
        events.pipeInput("storm", escalated("storm", "e2", MONDAY.plusSeconds(960), 2, plan("bob", "SMS", 0)));

        JsonNode report = report("2026-11-30", "2026-11-30", ReportRollup.Period.DAY, null, null);
        assertThat(report.get("noisiestAlerts")).hasSize(10);
        assertThat(report.get("noisiestAlerts").get(0).toString()).isEqualTo("{\"alert\":\"edge / node 0 down\",\"attached\":4}");
        assertThat(report.get("unnamedAlerts").asInt()).isEqualTo(5);
        assertThat(report.get("alertsCapped").asBoolean()).isTrue();
        assertThat(report.get("pagesPerResponder").toString()).isEqualTo("[{\"user\":\"bob\",\"pages\":2},{\"user\":\"alice\",\"pages\":1}]");
        assertThat(report("2026-11-30", "2026-11-30", ReportRollup.Period.DAY, "checkout", null).get("pagesPerResponder")).isEmpty();
    }

    @Test
    void icLoadCountsEachIncidentAPersonCommandedOnce_handoversIncluded() throws IOException {
        open("a", MONDAY, Severity.SEV1, "checkout");
        pipe("a", MONDAY.plusSeconds(60), new RoleAssigned("commander", "alice", null, null));
        pipe("a", MONDAY.plusSeconds(120), new RoleAssigned("commander", "bob", "alice", "handover"));
        pipe("a", MONDAY.plusSeconds(180), new RoleAssigned("commander", "alice", "bob", "back"));
        pipe("a", MONDAY.plusSeconds(200), new RoleAssigned("scribe", "carol", null, null));
        open("b", MONDAY.plusSeconds(300), Severity.SEV0, "payments");
        pipe("b", MONDAY.plusSeconds(360), new RoleAssigned("commander", "alice", null, null));
        pipe("b", MONDAY.plusSeconds(400), new IncidentClosed(null));

        JsonNode report = report("2026-11-30", "2026-11-30", ReportRollup.Period.DAY, null, null);
        assertThat(report.get("incidentsCommanded").toString())
                .isEqualTo("[{\"user\":\"alice\",\"incidents\":2},{\"user\":\"bob\",\"incidents\":1}]");
        assertThat(report("2026-11-30", "2026-11-30", ReportRollup.Period.DAY, "payments", null).get("incidentsCommanded").toString())
                .isEqualTo("[{\"user\":\"alice\",\"incidents\":1}]");
    }
}
