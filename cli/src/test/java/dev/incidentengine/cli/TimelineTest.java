package dev.incidentengine.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.model.ActionItemAdded;
import dev.incidentengine.model.ActionItemCompleted;
import dev.incidentengine.model.ActionItemPriority;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.NoteAdded;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.ReviewRequired;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.StatusUpdatePosted;
import dev.incidentengine.testkit.Samples;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.testkit.Samples.escalated;
import static dev.incidentengine.testkit.Samples.event;
import static dev.incidentengine.testkit.Samples.opened;
import static dev.incidentengine.testkit.Samples.plan;
import static org.assertj.core.api.Assertions.assertThat;

/** The timeline and the review of a recorded incident log, against golden files (src/test/resources/golden/). */
class TimelineTest {

    static final String ID = "INC-20261122-3-0007";
    static final Instant T0 = Instant.parse("2026-11-22T09:00:00Z");

    @Test
    void aRecordedIncidentReadsAsItsGoldenTimeline() throws IOException {
        String lines = Timeline.of(recordedEvents(), recordedResults()).stream()
                .map(entry -> String.format("%s  %-8s  %-28s  %s", entry.at(), Timeline.elapsed(entry.sinceStart()), entry.who(), entry.what()))
                .collect(Collectors.joining("\n", "", "\n"));

        assertGolden(lines, "timeline.txt");
    }

    @Test
    void theRecordedIncidentsReviewIsItsGoldenMarkdown() throws IOException {
        String review = Review.markdown(ID, recordedEvents(), recordedResults());

        assertGolden(review, "postmortem.md");
    }

    @Test
    void theReviewsFactsAreJsonForTools() {
        ObjectNode json = Review.json(ID, recordedEvents(), recordedResults());

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
    void aLateAcknowledgementMissesTheTarget_andAnOpenIncidentSaysSo() {
        List<IncidentEvent> late = new ArrayList<>(recordedEvents().subList(0, 3));
        late.add(event(ID, "e4", T0.plusSeconds(1_502), new IncidentAcknowledged(null)));

        assertThat(Review.markdown(ID, late, List.of())).contains("| Acknowledged | 2026-11-22T09:25:02Z |",
                "| Resolved | not yet |", "Response target for SEV2: acknowledge within 30 min, resolve within 8 h: **missed**"
                        + " (acknowledged in time, resolved not yet).", "Ongoing from the first alert");
        late.set(3, event(ID, "e4", T0.plusSeconds(2_000), new IncidentAcknowledged(null)));
        assertThat(Review.markdown(ID, late, List.of())).contains("(acknowledged late by 3m 18s, resolved not yet)");
    }

    @Test
    void aReportOverRecordedIncidentsIsItsGoldenJson() throws IOException {
        String report = ApiClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
                Report.of(recordedLogs(), recordedResults(), T0.minusSeconds(3_600), null, T0.plus(Duration.ofDays(5)))) + "\n";

        assertGolden(report, "report.json");
    }

    /** The recorded incident and three more: a SEV2 on search acknowledged late, reopened and resolved; a SEV3 never acknowledged; one opened before the period. */
    static Map<String, List<IncidentEvent>> recordedLogs() {
        String search = "INC-20261122-1-0008";
        String quiet = "INC-20261122-2-0009";
        String old = "INC-20261121-2-0001";
        Map<String, List<IncidentEvent>> logs = new LinkedHashMap<>();
        logs.put(ID, recordedEvents());
        logs.put(search, List.of(
                opened(search, "s1").setTimestamp(T0.plusSeconds(600)).setPayload(new IncidentOpened(
                        "Search slow", Severity.SEV2, "search", "k", null, Map.of(), true)).build(),
                event(search, "s2", T0.plusSeconds(600), new AlertAttached(Samples.alert("fp-search").setSummary("Search p99 high")
                        .setLabels(Map.of("alertname", "SearchLatency")).setStartsAt(T0.plusSeconds(590)).build())),
                escalated(search, "s3", T0.plusSeconds(601), 0, plan("bob", "EMAIL", 0)),
                event(search, "s4", T0.plusSeconds(600 + 2_400), new IncidentAcknowledged(null)),
                event(search, "s5", T0.plusSeconds(600 + 3_000), new IncidentResolved(null)),
                event(search, "s6", T0.plusSeconds(600 + 3_600), new IncidentReopened("again")),
                event(search, "s7", T0.plusSeconds(600 + 4_200), new IncidentResolved(null))));
        logs.put(quiet, List.of(
                opened(quiet, "q1").setTimestamp(T0.plusSeconds(1_200)).setPayload(new IncidentOpened(
                        "Disk 80 %", Severity.SEV3, "checkout", "k2", null, Map.of(), true)).build(),
                event(quiet, "q2", T0.plusSeconds(1_200), new AlertAttached(Samples.alert("fp-disk").setSummary("Disk 80 %")
                        .setLabels(Map.of("alertname", "DiskFilling")).setStartsAt(T0.plusSeconds(1_100)).build())),
                event(quiet, "q3", T0.plusSeconds(1_300), new AlertAttached(Samples.alert("fp-disk-2").setSummary("Disk 81 %")
                        .setLabels(Map.of("alertname", "DiskFilling")).setStartsAt(T0.plusSeconds(1_290)).build())),
                escalated(quiet, "q4", T0.plusSeconds(1_201), 0, plan("bob", "EMAIL", 0), plan("alice", "EMAIL", 0))));
        logs.put(old, List.of(opened(old, "o1").setTimestamp(T0.minusSeconds(86_400)).build(),
                event(old, "o2", T0.plusSeconds(60), new IncidentResolved(null))));
        return logs;
    }

    @Test
    void elapsedTimesReadAtAGlance() {
        assertThat(List.of(0L, 59L, 252L, 7_500L, 97_200L)).extracting(s -> Timeline.elapsed(Duration.ofSeconds(s)))
                .containsExactly("+0s", "+59s", "+4m 12s", "+2h 05m", "+1d 03h");
    }

    /**
     * Detection at T0, opened 2 s later, paged, acknowledged at 4 min, a severity rise, notes and updates, resolved (a SEV1: its
     * review required), two action items, closed, one action item done; the review is never published.
     */
    static List<IncidentEvent> recordedEvents() {
        Actor alice = new Actor(ActorType.USER, "alice", "Alice Example");
        return List.of(
                opened(ID, "e1").setTimestamp(T0.plusSeconds(2)).build(),
                event(ID, "e2", T0.plusSeconds(2), new AlertAttached(Samples.alert("fp-checkout-5xx").setStartsAt(T0).build())),
                escalated(ID, "e3", T0.plusSeconds(3), 0, plan("alice", "EMAIL", 0, "SMS", 5)),
                by(alice, event(ID, "e4", T0.plusSeconds(252), new IncidentAcknowledged("on it"))),
                by(alice, event(ID, "e5", T0.plusSeconds(300), new SeverityChanged(Severity.SEV2, Severity.SEV1, "customers affected", true))),
                by(alice, event(ID, "e6", T0.plusSeconds(420), new NoteAdded("rolled back deploy 1234"))),
                by(alice, event(ID, "e7", T0.plusSeconds(480), new StatusUpdatePosted("Checkout recovering"))),
                by(alice, event(ID, "e8", T0.plusSeconds(1_500), new IncidentResolved("rollback"))),
                by(alice, event(ID, "e9", T0.plusSeconds(1_500), new ReviewRequired(true, T0.plusSeconds(1_500 + 48 * 3_600),
                        "SEV1 incidents are reviewed"))),
                by(alice, event(ID, "e10", T0.plusSeconds(3_600), new ActionItemAdded("AI-1", "Canary the checkout deploy", "bob",
                        T0.plus(Duration.ofDays(14)), ActionItemPriority.HIGH, "https://tickets.example.com/OPS-7"))),
                by(alice, event(ID, "e11", T0.plusSeconds(3_660), new ActionItemAdded("AI-2", "Alert on 5xx | by route", "alice",
                        T0.plus(Duration.ofDays(3)), ActionItemPriority.MEDIUM, null))),
                event(ID, "e12", T0.plusSeconds(90_000), new IncidentClosed("resolved for 24 h")),
                by(alice, event(ID, "e13", T0.plus(Duration.ofDays(2)), new ActionItemCompleted("AI-1"))));
    }

    static List<NotificationResult> recordedResults() {
        return List.of(
                result("e1:payments-room:webhook:0", "e1", "opened", "payments-room", "webhook", 0, DeliveryOutcome.DELIVERED, 1, 35, null,
                        T0.plusSeconds(3)),
                result("e3:alice:email:0", "e3", "page", "alice", "email", 0, DeliveryOutcome.DELIVERED, 1, 120, null, T0.plusSeconds(4)),
                result("e4:payments-room:webhook:0", "e4", "acknowledged", "payments-room", "webhook", 0, DeliveryOutcome.FAILED, 5, 31_000,
                        "HTTP 503 (gave up after 5 attempts)", T0.plusSeconds(283)));
    }

    /** Compares with the golden file; the actual text goes to target/ beside it, to read and, when right, copy over. */
    private static void assertGolden(String actual, String name) throws IOException {
        Files.writeString(Path.of("target", name + ".actual"), actual, StandardCharsets.UTF_8);
        assertThat(actual).isEqualTo(Files.readString(Path.of("src/test/resources/golden", name), StandardCharsets.UTF_8));
    }

    private static IncidentEvent by(Actor actor, IncidentEvent event) {
        event.setActor(actor);
        return event;
    }

    static NotificationResult result(String deliveryId, String eventId, String kind, String target, String channel, int step,
            DeliveryOutcome outcome, int attempts, long latency, String error, Instant at) {
        return NotificationResult.newBuilder().setDeliveryId(deliveryId).setIncidentId(ID).setEventId(eventId).setKind(kind)
                .setTarget(target).setChannel(channel).setStep(step).setOutcome(outcome).setAttempts(attempts).setLatencyMillis(latency)
                .setError(error).setTimestamp(at).build();
    }
}
