package dev.incidentengine.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.Severity;
import dev.incidentengine.testkit.RecordedIncident;
import dev.incidentengine.testkit.Samples;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.testkit.Samples.T0;
import static dev.incidentengine.testkit.Samples.escalated;
import static dev.incidentengine.testkit.Samples.event;
import static dev.incidentengine.testkit.Samples.opened;
import static dev.incidentengine.testkit.Samples.plan;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The review's facts as JSON and a report, of the recorded incident ({@link RecordedIncident}) and
 * three more; the report against its golden file (src/test/resources/golden/). The review's
 * Markdown and the timeline are incident-domain's ({@code PostmortemTest}).
 */
class RecordedIncidentTest {

    static final String ID = RecordedIncident.ID;

    @Test
    void theReviewsFactsAreJsonForTools() {
        ObjectNode json = Review.json(ID, RecordedIncident.events(), RecordedIncident.results());

        assertThat(json.get("severity").asText()).isEqualTo("SEV1");
        assertThat(json.get("openedSeverity").asText()).isEqualTo("SEV2");
        assertThat(json.get("detectionSeconds").asLong()).isEqualTo(2);
        assertThat(json.get("timeToAcknowledgeSeconds").asLong()).isEqualTo(250);
        assertThat(json.get("timeToResolveSeconds").asLong()).isEqualTo(1_498);
        assertThat(json.get("acknowledgedBy").asText()).isEqualTo("alice");
        assertThat(json.get("target").toString()).isEqualTo(
                "{\"acknowledgeSeconds\":900,\"resolveSeconds\":14400,\"acknowledgedInTime\":true,\"resolvedInTime\":true,\"met\":true}");
        assertThat(json.get("review").get("required").asBoolean()).isTrue();
        assertThat(json.get("review").get("publishedAt").isNull()).isTrue();
        assertThat(json.get("actionItems")).extracting(item -> item.get("actionItemId").asText()).containsExactly("AI-1", "AI-2");
        assertThat(json.get("actionItems").get(0).get("completedAt").asText()).isEqualTo("2026-11-24T09:00:00Z");
        assertThat(json.get("timeline")).hasSize(17);
    }

    @Test
    void aReportOverRecordedIncidentsIsItsGoldenJson() throws IOException {
        String report = ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                Report.of(recordedLogs(), RecordedIncident.results(), T0.minusSeconds(3_600), null, T0.plus(Duration.ofDays(5)))) + "\n";

        assertGolden(report, "report.json");
    }

    @Test
    void drillsExcludedFromTheFigures() {
        Map<String, List<IncidentEvent>> logs = recordedLogs();
        ObjectNode without = Report.of(logs, RecordedIncident.results(), T0.minusSeconds(3_600), null, T0.plus(Duration.ofDays(5)));
        String drill = "INC-20261122-3-0010";
        logs.put(drill, List.of(
                opened(drill, "d1").setTimestamp(T0.plusSeconds(60)).setPayload(IncidentOpened.newBuilder().setTitle("Drill: failover")
                        .setSeverity(Severity.SEV1).setService("checkout").setCorrelationKey("|drill|drill:1").setLabels(Map.of("drill", "true"))
                        .setDrill("failover").build()).build(),
                event(drill, "d2", T0.plusSeconds(60), new AlertAttached(Samples.alert("drill:1").setDrill("failover").build())),
                escalated(drill, "d3", T0.plusSeconds(61), 0, plan("bob", "EMAIL", 0)),
                event(drill, "d4", T0.plusSeconds(7_200), new IncidentAcknowledged(null)),
                event(drill, "d5", T0.plusSeconds(9_000), new IncidentResolved(null))));

        ObjectNode with = Report.of(logs, RecordedIncident.results(), T0.minusSeconds(3_600), null, T0.plus(Duration.ofDays(5)));

        assertThat(with.get("drillsExcluded").asInt()).isEqualTo(1);
        with.put("drillsExcluded", 0);
        assertThat(with).as("times, targets, counts, alerts and pages as without the drill").isEqualTo(without);
    }

    /** The recorded incident and three more: a SEV2 on search acknowledged late, reopened and resolved; a SEV3 never acknowledged; one opened before the period. */
    static Map<String, List<IncidentEvent>> recordedLogs() {
        String search = "INC-20261122-1-0008";
        String quiet = "INC-20261122-2-0009";
        String old = "INC-20261121-2-0001";
        Map<String, List<IncidentEvent>> logs = new LinkedHashMap<>();
        logs.put(ID, RecordedIncident.events());
        logs.put(search, List.of(
                opened(search, "s1").setTimestamp(T0.plusSeconds(600)).setPayload(new IncidentOpened(
                        "Search slow", Severity.SEV2, "search", "k", null, Map.of(), true, null, null, java.util.Map.of(), null, null)).build(),
                event(search, "s2", T0.plusSeconds(600), new AlertAttached(Samples.alert("fp-search").setSummary("Search p99 high")
                        .setLabels(Map.of("alertname", "SearchLatency")).setStartsAt(T0.plusSeconds(590)).build())),
                escalated(search, "s3", T0.plusSeconds(601), 0, plan("bob", "EMAIL", 0)),
                event(search, "s4", T0.plusSeconds(600 + 2_400), new IncidentAcknowledged(null)),
                event(search, "s5", T0.plusSeconds(600 + 3_000), new IncidentResolved(null)),
                event(search, "s6", T0.plusSeconds(600 + 3_600), new IncidentReopened("again")),
                event(search, "s7", T0.plusSeconds(600 + 4_200), new IncidentResolved(null))));
        logs.put(quiet, List.of(
                opened(quiet, "q1").setTimestamp(T0.plusSeconds(1_200)).setPayload(new IncidentOpened(
                        "Disk 80 %", Severity.SEV3, "checkout", "k2", null, Map.of(), true, null, null, java.util.Map.of(), null, null)).build(),
                event(quiet, "q2", T0.plusSeconds(1_200), new AlertAttached(Samples.alert("fp-disk").setSummary("Disk 80 %")
                        .setLabels(Map.of("alertname", "DiskFilling")).setStartsAt(T0.plusSeconds(1_100)).build())),
                event(quiet, "q3", T0.plusSeconds(1_300), new AlertAttached(Samples.alert("fp-disk-2").setSummary("Disk 81 %")
                        .setLabels(Map.of("alertname", "DiskFilling")).setStartsAt(T0.plusSeconds(1_290)).build())),
                escalated(quiet, "q4", T0.plusSeconds(1_201), 0, plan("bob", "EMAIL", 0), plan("alice", "EMAIL", 0))));
        logs.put(old, List.of(opened(old, "o1").setTimestamp(T0.minusSeconds(86_400)).build(),
                event(old, "o2", T0.plusSeconds(60), new IncidentResolved(null))));
        return logs;
    }

    /** Compares with the golden file; the actual text goes to target/ beside it, to read and, when right, copy over. */
    private static void assertGolden(String actual, String name) throws IOException {
        Files.writeString(Path.of("target", name + ".actual"), actual, StandardCharsets.UTF_8);
        assertThat(actual).isEqualTo(Files.readString(Path.of("src/test/resources/golden", name), StandardCharsets.UTF_8));
    }
}
