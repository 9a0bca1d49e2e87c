package dev.incidentengine.incident.domain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertResolved;
import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.ActionItemAdded;
import dev.incidentengine.model.ActionItemPriority;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.TicketLinked;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentTypeChanged;
import dev.incidentengine.model.NoteAdded;
import dev.incidentengine.model.ResponseTarget;
import dev.incidentengine.model.Severity;
import dev.incidentengine.testkit.RecordedIncident;
import dev.incidentengine.testkit.Samples;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.testkit.RecordedIncident.ID;
import static dev.incidentengine.testkit.RecordedIncident.by;
import static dev.incidentengine.testkit.Samples.ALICE;
import static dev.incidentengine.testkit.Samples.T0;
import static dev.incidentengine.testkit.Samples.event;
import static dev.incidentengine.testkit.Samples.opened;
import static org.assertj.core.api.Assertions.assertThat;

/** The timeline and the review of a recorded incident log, against golden files (src/test/resources/golden/), and of a storm's. */
class PostmortemTest {

    @Test
    void aRecordedIncidentReadsAsItsGoldenTimeline() throws IOException {
        String lines = Timeline.of(RecordedIncident.events(), RecordedIncident.results()).stream()
                .map(entry -> String.format("%s  %-8s  %-28s  %s", entry.at(), Timeline.elapsed(entry.sinceStart()), entry.who(), entry.what()))
                .collect(Collectors.joining("\n", "", "\n"));

        assertGolden(lines, "timeline.txt");
    }

    @Test
    void theRecordedIncidentsReviewIsItsGoldenMarkdown() throws IOException {
        String review = Postmortem.markdown(ID, RecordedIncident.events(), RecordedIncident.results());

        assertGolden(review, "postmortem.md");
    }

    @Test
    void aLateAcknowledgementMissesTheTarget_andAnOpenIncidentSaysSo() {
        List<IncidentEvent> late = new ArrayList<>(RecordedIncident.events().subList(0, 3));
        late.add(event(ID, "e4", T0.plusSeconds(1_502), new IncidentAcknowledged(null)));

        assertThat(Postmortem.markdown(ID, late, List.of())).contains("| Acknowledged | 2026-11-22T09:25:02Z |",
                "| Resolved | not yet |", "Response target for SEV2: acknowledge within 30 min, resolve within 8 h: **missed**"
                        + " (acknowledged in time, resolved not yet).", "Ongoing from the first alert");
        late.set(3, event(ID, "e4", T0.plusSeconds(2_000), new IncidentAcknowledged(null)));
        assertThat(Postmortem.markdown(ID, late, List.of())).contains("(acknowledged late by 3m 18s, resolved not yet)");
    }

    @Test
    void aDrillSaysSo_inTheReviewsTitleAndTheTimeline() {
        List<IncidentEvent> events = new ArrayList<>(RecordedIncident.events());
        IncidentEvent first = events.get(0);
        IncidentOpened opened = IncidentOpened.newBuilder((IncidentOpened) first.getPayload()).setDrill("db <failover>").build();
        events.set(0, IncidentEvent.newBuilder(first).setPayload(opened).build());

        assertThat(Postmortem.markdown(ID, events, List.of())).startsWith("# [DRILL] Post-incident review: ")
                .contains("_A drill (scenario db \\<failover\\>): an exercise, left out of the response figures;");
        assertThat(Timeline.of(events, List.of())).anySatisfy(entry -> assertThat(entry.what()).startsWith("opened DRILL (scenario db <failover>) "));
        assertThat(Postmortem.markdown(ID, RecordedIncident.events(), List.of())).doesNotContain("DRILL");
    }

    @Test
    void linkedTicketsStandInTheSummary_andBesideTheirActionItems() {
        List<IncidentEvent> events = new ArrayList<>(RecordedIncident.events());
        Instant at = events.get(events.size() - 1).getTimestamp();
        events.add(event(ID, "t1", at, new TicketLinked(new TicketRef("jira", "OPS-7", "https://jira.example/browse/OPS-7", null))));
        events.add(event(ID, "t2", at, new ActionItemAdded("AI-9", "Add a [queue] alert", "bob", at.plusSeconds(86_400),
                ActionItemPriority.HIGH, null)));
        events.add(event(ID, "t3", at, new TicketLinked(new TicketRef("jira", "OPS-8", "https://jira.example/browse/OPS-8 (x)", "AI-9"))));

        assertThat(Postmortem.markdown(ID, events, List.of())).contains("| Ticket | [OPS-7](https://jira.example/browse/OPS-7) (jira) |",
                "| AI-9 | Add a \\[queue\\] alert ([OPS-8](https://jira.example/browse/OPS-8%20%28x%29)) | bob |");
    }

    @Test
    void aLogWithoutItsOpeningHasNoReview() {
        assertThat(Postmortem.markdown(ID, RecordedIncident.events().subList(1, 5), List.of())).isNull();
    }

    @Test
    void elapsedTimesReadAtAGlance() {
        assertThat(List.of(0L, 59L, 252L, 7_500L, 97_200L)).extracting(s -> Timeline.elapsed(Duration.ofSeconds(s)))
                .containsExactly("+0s", "+59s", "+4m 12s", "+2h 05m", "+1d 03h");
    }

    /**
     * A storm: 100,000 alerts attached and resolved, alice's acknowledgement and a note between them. Given one event at a time (no
     * list of them is held), the review counts every alert, finds the person's acts, and lists the first and last 20 alert events
     * with one line for the 199,960 between.
     */
    @Test
    void aStormsReviewListsTheFirstAndLastAlertEvents_andCountsTheRest() {
        Postmortem review = Postmortem.withoutDeliveries(ID, "not kept here");
        review.accept(opened(ID, "open").setTimestamp(T0).build());
        for (int i = 0; i < 100_000; i++) {
            review.accept(event(ID, "a" + i, T0.plusMillis(i * 10L), new AlertAttached(Samples.alert("fp-" + i)
                    .setStartsAt(T0.plusMillis(i * 10L - 1_000)).build())));
            if (i == 50_000) {
                review.accept(by(ALICE, event(ID, "ack", T0.plusMillis(i * 10L), new IncidentAcknowledged("on it"))));
                review.accept(by(ALICE, event(ID, "note", T0.plusMillis(i * 10L), new NoteAdded("it is the | router"))));
            }
        }
        for (int i = 0; i < 100_000; i++) {
            review.accept(event(ID, "r" + i, T0.plusSeconds(1_000).plusMillis(i), new AlertResolved("fp-" + i, T0.plusSeconds(1_000).plusMillis(i))));
        }
        review.accept(event(ID, "resolved", T0.plusSeconds(1_200), new IncidentResolved(null)));

        String markdown = review.markdown();

        assertThat(markdown).contains("| Alerts | 100000 |", "| Acknowledged | 2026-11-22T09:08:20Z by alice |", "| Detected | 2026-11-22T08:59:59Z |",
                "- alice: acknowledged, note", "| alice | note: it is the \\| router |",
                "| - | … 199,960 more alert events (attached or resolved) not shown … |",
                "_The first and last 20 alert events, 250 other events and 250 deliveries are listed;",
                "Notifications: not in this document (not kept here).");
        String timeline = markdown.substring(markdown.indexOf("## Timeline"), markdown.indexOf("## What went well"));
        assertThat(timeline.lines().filter(line -> line.contains(" alert fp-"))).hasSize(40);
        assertThat(timeline.lines().filter(line -> line.startsWith("| 20"))).hasSize(1 + 1 + 40 + 1 + 2 + 1);
        assertThat(timeline).contains("alert fp-0 firing", "alert fp-19 firing", "alert fp-99980 resolved", "alert fp-99999 resolved")
                .doesNotContain("alert fp-20 firing", "alert fp-99979 resolved");
        assertThat(markdown.length()).isLessThan(20_000);
    }

    @Test
    void otherEventsAndDeliveriesAreCappedToo() {
        Postmortem review = Postmortem.withDeliveries(ID);
        review.accept(opened(ID, "open").setTimestamp(T0).build());
        for (int i = 0; i < 1_000; i++) {
            review.accept(by(ALICE, event(ID, "n" + i, T0.plusSeconds(i), new NoteAdded("note " + i))));
        }
        for (int i = 0; i < 600; i++) {
            review.accept(RecordedIncident.result("d" + i, "n" + i, "opened", "room", "webhook", 0,
                    DeliveryOutcome.DELIVERED, 1, 5, null, T0.plusSeconds(i)));
        }

        String markdown = review.markdown();

        assertThat(markdown).contains("… 501 more events (pages, people's actions, the lifecycle) not shown …",
                "… 100 more deliveries not shown …", "Notifications: 600 delivered, 0 failed.", "note: note 248", "note: note 750")
                .doesNotContain("note: note 749 ");
    }

    @Test
    void aReviewOfPartOfTheLogSaysSo() {
        Postmortem review = Postmortem.withDeliveries(ID);
        RecordedIncident.events().subList(0, 4).forEach(review::accept);
        review.logCut();

        assertThat(review.markdown()).contains("_Written from the first 4 events of the incident's log, which holds more: what follows may"
                + " be incomplete. `incidentctl postmortem " + ID + "` reads the whole log._\n\n## Summary");
    }

    /** Text from people and alerts shows as written: no image, link, emphasis or cell of its own; a line break is a space. */
    @Test
    void hostileTextIsEscaped() {
        List<IncidentEvent> log = List.of(
                opened(ID, "e1").setTimestamp(T0).setPayload(new IncidentOpened("<img src=x onerror=alert(1)>", Severity.SEV2,
                        "check|out", "k", null, Map.of(), true, null, null, java.util.Map.of(), null, null)).build(),
                by(ALICE, event(ID, "e2", T0.plusSeconds(5), new NoteAdded("[x](javascript:alert(1)) **bold** `code`\nnext line"))),
                by(ALICE, event(ID, "e3", T0.plusSeconds(9), new IncidentResolved("_fixed_ \\o/"))));

        String markdown = Postmortem.markdown(ID, log, List.of());

        assertThat(markdown).contains("# Post-incident review: \\<img src=x onerror=alert(1)\\> (" + ID + ")",
                "| Service | check\\|out |",
                "| alice | note: \\[x\\](javascript:alert(1)) \\*\\*bold\\*\\* \\`code\\` next line |",
                "| Resolved | 2026-11-22T09:00:09Z by alice: \\_fixed\\_ \\\\o/ |")
                .doesNotContainPattern("(?<!\\\\)<").doesNotContainPattern("(?<!\\\\)\\[x");
    }

    @Test
    void theTiersRtoJudgesTheIncident_asTheTierHadItWhenItOpened() {
        // Opened SEV2, raised to SEV1, acknowledged after 4m 10s, resolved after 24m 58s.
        assertThat(Postmortem.markdown(ID, inTier(Map.of("SEV1", new ResponseTarget(5, 30), "SEV2", new ResponseTarget(15, 120))),
                List.of())).contains("| Type | service-outage |", "| Tier | core-api |",
                "Response target for SEV1 in tier core-api: acknowledge within 5 min, resolve within 30 min (RTO): **met**");
        assertThat(Postmortem.markdown(ID, inTier(Map.of("SEV1", new ResponseTarget(3, 20))), List.of())).contains(
                "Response target for SEV1 in tier core-api: acknowledge within 3 min, resolve within 20 min (RTO): **missed**"
                        + " (acknowledged late by 1m 10s, resolved late by 4m 58s).");
        assertThat(Postmortem.markdown(ID, inTier(Map.of("SEV3", new ResponseTarget(60, 480))), List.of())).as("a severity the tier does not list")
                .contains("Response target for SEV1 in tier core-api (the tier sets none: the engine's default): acknowledge within 15 min,"
                        + " resolve within 4 h: **met**");
    }

    @Test
    void theTimelineSaysWhatTheIncidentOpenedWith_andWhenItsTypeChanged() {
        List<IncidentEvent> events = inTier(Map.of());
        events.add(event(ID, "t1", T0.plusSeconds(3_700), new IncidentTypeChanged("service-outage", "deployment-related")));
        events.add(event(ID, "t2", T0.plusSeconds(3_800), new IncidentTypeChanged(null, "security-incident")));

        assertThat(Timeline.of(events, List.of())).extracting(Timeline.Entry::what).contains(
                "opened SEV2 on checkout (service-outage, tier core-api): High error rate on checkout",
                "type service-outage → deployment-related", "type set to security-incident");
    }

    /** The recorded incident, opened as a service outage of tier core-api with these targets. */
    private static List<IncidentEvent> inTier(Map<String, ResponseTarget> targets) {
        List<IncidentEvent> events = new ArrayList<>(RecordedIncident.events());
        IncidentOpened opened = IncidentOpened.newBuilder((IncidentOpened) events.get(0).getPayload()).setTier("core-api")
                .setIncidentType("service-outage").setResponseTargets(targets).build();
        events.set(0, IncidentEvent.newBuilder(events.get(0)).setPayload(opened).build());
        return events;
    }

    /** Compares with the golden file; the actual text goes to target/ beside it, to read and, when right, copy over. */
    private static void assertGolden(String actual, String name) throws IOException {
        Files.writeString(Path.of("target", name + ".actual"), actual, StandardCharsets.UTF_8);
        assertThat(actual).isEqualTo(Files.readString(Path.of("src/test/resources/golden", name), StandardCharsets.UTF_8));
    }
}
