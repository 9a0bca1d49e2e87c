package dev.incidentengine.incident.domain;

import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.incident.domain.ResponseRollup.Bucket;
import dev.incidentengine.incident.domain.ResponseRollup.Counts;
import dev.incidentengine.incident.domain.ResponseRollup.Incident;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentMerged;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.NoteAdded;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.testkit.Samples;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.testkit.Samples.escalated;
import static dev.incidentengine.testkit.Samples.event;
import static dev.incidentengine.testkit.Samples.plan;
import static org.assertj.core.api.Assertions.assertThat;

/** The rollup's sums, folded event by event as the read side folds them, against each incident's facts. */
class ResponseRollupTest {

    private static final Instant T0 = Instant.parse("2026-11-22T23:50:00Z");
    private static final LocalDate DAY = LocalDate.parse("2026-11-22");

    /** The buckets, alerts and pages of a rollup, kept as the read side's store keeps them. */
    private final Map<Bucket, Counts> buckets = new HashMap<>();
    private final Map<String, Integer> alerts = new HashMap<>();
    private final Map<String, Integer> pages = new HashMap<>();
    private final Map<String, Incident> incidents = new HashMap<>();

    private void fold(IncidentEvent... events) {
        for (IncidentEvent event : events) {
            ResponseRollup.Step step = ResponseRollup.step(incidents.get(event.getIncidentId()), event);
            if (step == null) {
                continue;
            }
            incidents.put(event.getIncidentId(), step.after());
            if (step.counts()) {
                if (step.before() != null) {
                    buckets.merge(step.before().bucket(), Counts.NONE.minus(step.before().counts()), Counts::plus);
                }
                buckets.merge(step.after().bucket(), step.after().counts(), Counts::plus);
            }
            if (step.alert() != null) {
                alerts.merge(step.alert(), 1, Integer::sum);
            }
            step.paged().forEach(user -> pages.merge(user, 1, Integer::sum));
        }
        buckets.values().removeIf(Counts.NONE::equals);
    }

    private static IncidentEvent opened(String id, Instant at, Severity severity, String service) {
        return event(id, id + "-opened", at, IncidentOpened.newBuilder().setTitle("t").setSeverity(severity).setService(service)
                .setCorrelationKey(id).setLabels(Map.of()).build());
    }

    private static IncidentEvent at(String id, long seconds, Object payload) {
        return event(id, id + "-" + seconds + payload.getClass().getSimpleName(), T0.plusSeconds(seconds), payload);
    }

    @Test
    void drillsExcludedFromTheFigures() {
        IncidentEvent drill = event("d", "d-opened", T0, IncidentOpened.newBuilder().setTitle("Drill: failover").setSeverity(Severity.SEV1)
                .setService("checkout").setCorrelationKey("|drill|d").setLabels(Map.of("drill", "true")).setDrill("failover").build());
        fold(opened("a", T0, Severity.SEV1, "checkout"), drill, at("d", 60, new AlertAttached(Samples.alert("fp-d").build())),
                escalated("d", "d-page", T0.plusSeconds(61), 0, plan("bob")), at("d", 7200, new IncidentAcknowledged(null)),
                at("d", 9000, new IncidentResolved(null)), at("a", 120, new IncidentAcknowledged(null)));

        assertThat(buckets).as("the real incident alone, and no late acknowledgement of the drill counted")
                .containsExactly(Map.entry(new Bucket(DAY, "checkout", Severity.SEV1), new Counts(1, 1, 120, 0, 0, 1, 0, 0)));
        assertThat(alerts).isEmpty();
        assertThat(pages).isEmpty();
        assertThat(incidents).containsOnlyKeys("a");
    }

    @Test
    void anIncidentAcknowledgedAndResolvedInTimeCountsOnceInTheBucketOfItsOpeningDay() {
        fold(opened("a", T0, Severity.SEV2, "checkout"), at("a", 600, new IncidentAcknowledged("on it")),
                at("a", 601, new IncidentAcknowledged(null)), at("a", 7200, new NoteAdded("x")), at("a", 7_201, new IncidentResolved("done")));

        assertThat(buckets).containsExactly(Map.entry(new Bucket(DAY, "checkout", Severity.SEV2), new Counts(1, 1, 600, 1, 7_201, 1, 1, 1)));
        assertThat(buckets.get(new Bucket(DAY, "checkout", Severity.SEV2)).acknowledgeMeanSeconds()).isEqualTo(600);
    }

    @Test
    void targetsMissed_andAnIncidentNeverAcknowledged_countWithoutATimeToAcknowledge() {
        // SEV1: acknowledge within 15 minutes, resolve within 4 hours.
        fold(opened("late", T0, Severity.SEV1, "db"), at("late", 16 * 60, new IncidentAcknowledged(null)),
                at("late", 3 * 3600, new IncidentResolved(null)),
                opened("never", T0, Severity.SEV1, "db"), at("never", 5 * 3600, new IncidentResolved("went away")),
                opened("open", T0, Severity.SEV1, "db"));

        Counts counts = buckets.get(new Bucket(DAY, "db", Severity.SEV1));
        assertThat(counts).isEqualTo(new Counts(3, 1, 960, 2, 3 * 3600 + 5 * 3600, 0, 1, 0));
        assertThat(counts.acknowledgeMeanSeconds()).isEqualTo(960);
        assertThat(counts.resolveMeanSeconds()).isEqualTo(4 * 3600);
        assertThat(Counts.NONE.acknowledgeMeanSeconds()).isNull();
    }

    @Test
    void aReopenedIncidentKeepsItsFirstAcknowledgementAndCountsItsLastResolution() {
        fold(opened("r", T0, Severity.SEV3, "api"), at("r", 60, new IncidentAcknowledged(null)), at("r", 120, new IncidentResolved(null)),
                at("r", 600, new IncidentReopened("fired again")));
        assertThat(buckets.get(new Bucket(DAY, "api", Severity.SEV3))).as("still resolved at 120 s until resolved again")
                .isEqualTo(new Counts(1, 1, 60, 1, 120, 1, 1, 1));

        fold(at("r", 900, new IncidentAcknowledged(null)), at("r", 1_800, new IncidentResolved(null)));
        assertThat(buckets).containsExactly(Map.entry(new Bucket(DAY, "api", Severity.SEV3), new Counts(1, 1, 60, 1, 1_800, 1, 1, 1)));
    }

    @Test
    void aSeverityChangeMovesTheIncidentToItsNewSeverity_judgedByItsTargets() {
        // Acknowledged after 20 minutes: in time for a SEV3 (4 h), late for a SEV1 (15 min).
        fold(opened("s", T0, Severity.SEV3, "api"), at("s", 1_200, new IncidentAcknowledged(null)));
        assertThat(buckets).containsExactly(Map.entry(new Bucket(DAY, "api", Severity.SEV3), new Counts(1, 1, 1_200, 0, 0, 1, 0, 0)));

        fold(at("s", 1_300, new SeverityChanged(Severity.SEV3, Severity.SEV1, "customers affected", true)));
        assertThat(buckets).containsExactly(Map.entry(new Bucket(DAY, "api", Severity.SEV1), new Counts(1, 1, 1_200, 0, 0, 0, 0, 0)));
    }

    @Test
    void aMergedIncidentKeepsItsCounts_andTheAlertsMovedToTheTargetCountForTheTarget() {
        AlertAttached alert = new AlertAttached(Samples.alert("fp-1").build());
        fold(opened("source", T0, Severity.SEV2, "checkout"), at("source", 1, alert),
                opened("target", T0.plusSeconds(700), Severity.SEV2, "payments"), at("source", 800, new IncidentMerged("target")),
                at("target", 800, alert));

        assertThat(buckets.get(new Bucket(DAY, "checkout", Severity.SEV2))).isEqualTo(new Counts(1, 0, 0, 0, 0, 0, 0, 0));
        assertThat(buckets.get(new Bucket(DAY.plusDays(1), "payments", Severity.SEV2))).as("opened after midnight UTC")
                .isEqualTo(new Counts(1, 0, 0, 0, 0, 0, 0, 0));
        assertThat(alerts).containsOnly(Map.entry("checkout / HighErrorRate", 1), Map.entry("payments / HighErrorRate", 1));
    }

    @Test
    void pagesCountPerPersonPaged_andEventsOfAnIncidentNeverOpenedAreIgnored() {
        fold(opened("p", T0, Severity.SEV1, null), escalated("p", "e1", T0.plusSeconds(1), 1, plan("alice", "EMAIL", 0), plan("bob", "SMS", 0)),
                escalated("p", "e2", T0.plusSeconds(900), 2, plan("alice", "EMAIL", 0)),
                at("unknown", 5, new IncidentAcknowledged(null)));

        assertThat(pages).containsOnly(Map.entry("alice", 2), Map.entry("bob", 1));
        assertThat(buckets).containsOnlyKeys(new Bucket(DAY, "-", Severity.SEV1));
        assertThat(incidents).containsOnlyKeys("p");
    }

    @Test
    void theRollupAgreesWithEachIncidentsFacts_andItsIncidentRecordSurvivesEncoding() {
        List<IncidentEvent> log = List.of(opened("f", T0, Severity.SEV0, "edge, eu"), at("f", 200, new IncidentAcknowledged(null)),
                at("f", 3_000, new IncidentResolved(null)), at("f", 3_100, new IncidentReopened(null)), at("f", 4_000, new IncidentResolved(null)));
        log.forEach(this::fold);

        IncidentFacts facts = IncidentFacts.of("f", log);
        assertThat(buckets).containsExactly(Map.entry(new Bucket(DAY, facts.service(), facts.severity()), Counts.of(facts.response())));
        assertThat(Counts.of(facts.response())).isEqualTo(new Counts(1, 1, facts.toAcknowledge().toSeconds(), 1, 4_000,
                facts.acknowledgedInTime() ? 1 : 0, facts.resolvedInTime() ? 1 : 0, facts.targetMet() ? 1 : 0));
        Incident incident = incidents.get("f");
        assertThat(Incident.decode(incident.encode())).isEqualTo(incident);
        Incident open = new Incident("x", new ResponseTimes(T0, Severity.SEV4, null, null));
        assertThat(Incident.decode(open.encode())).isEqualTo(open);
        assertThat(Counts.decode(new Counts(1, 2, 3, 4, 5, 6, 7, 8).encode())).isEqualTo(new Counts(1, 2, 3, 4, 5, 6, 7, 8));
    }

    private void fold(IncidentEvent event) {
        fold(new IncidentEvent[] {event});
    }
}
