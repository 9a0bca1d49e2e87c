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
import dev.incidentengine.model.IncidentTypeChanged;
import dev.incidentengine.model.ResponseTarget;
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
        return opened(id, at, severity, service, null, null, Map.of());
    }

    private static IncidentEvent opened(String id, Instant at, Severity severity, String service, String type, String tier,
                                        Map<String, ResponseTarget> targets) {
        return event(id, id + "-opened", at, IncidentOpened.newBuilder().setTitle("t").setSeverity(severity).setService(service)
                .setCorrelationKey(id).setLabels(Map.of()).setIncidentType(type).setTier(tier).setResponseTargets(targets).build());
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
                .containsExactly(Map.entry(new Bucket(DAY, "checkout", Severity.SEV1, null, null), new Counts(1, 1, 120, 0, 0, 1, 0, 0)));
        assertThat(alerts).isEmpty();
        assertThat(pages).isEmpty();
        assertThat(incidents).containsOnlyKeys("a");
    }

    @Test
    void anIncidentAcknowledgedAndResolvedInTimeCountsOnceInTheBucketOfItsOpeningDay() {
        fold(opened("a", T0, Severity.SEV2, "checkout"), at("a", 600, new IncidentAcknowledged("on it")),
                at("a", 601, new IncidentAcknowledged(null)), at("a", 7200, new NoteAdded("x")), at("a", 7_201, new IncidentResolved("done")));

        assertThat(buckets).containsExactly(Map.entry(new Bucket(DAY, "checkout", Severity.SEV2, null, null), new Counts(1, 1, 600, 1, 7_201, 1, 1, 1)));
        assertThat(buckets.get(new Bucket(DAY, "checkout", Severity.SEV2, null, null)).acknowledgeMeanSeconds()).isEqualTo(600);
    }

    @Test
    void targetsMissed_andAnIncidentNeverAcknowledged_countWithoutATimeToAcknowledge() {
        // SEV1: acknowledge within 15 minutes, resolve within 4 hours.
        fold(opened("late", T0, Severity.SEV1, "db"), at("late", 16 * 60, new IncidentAcknowledged(null)),
                at("late", 3 * 3600, new IncidentResolved(null)),
                opened("never", T0, Severity.SEV1, "db"), at("never", 5 * 3600, new IncidentResolved("went away")),
                opened("open", T0, Severity.SEV1, "db"));

        Counts counts = buckets.get(new Bucket(DAY, "db", Severity.SEV1, null, null));
        assertThat(counts).isEqualTo(new Counts(3, 1, 960, 2, 3 * 3600 + 5 * 3600, 0, 1, 0));
        assertThat(counts.acknowledgeMeanSeconds()).isEqualTo(960);
        assertThat(counts.resolveMeanSeconds()).isEqualTo(4 * 3600);
        assertThat(Counts.NONE.acknowledgeMeanSeconds()).isNull();
    }

    @Test
    void aReopenedIncidentKeepsItsFirstAcknowledgementAndCountsItsLastResolution() {
        fold(opened("r", T0, Severity.SEV3, "api"), at("r", 60, new IncidentAcknowledged(null)), at("r", 120, new IncidentResolved(null)),
                at("r", 600, new IncidentReopened("fired again")));
        assertThat(buckets.get(new Bucket(DAY, "api", Severity.SEV3, null, null))).as("still resolved at 120 s until resolved again")
                .isEqualTo(new Counts(1, 1, 60, 1, 120, 1, 1, 1));

        fold(at("r", 900, new IncidentAcknowledged(null)), at("r", 1_800, new IncidentResolved(null)));
        assertThat(buckets).containsExactly(Map.entry(new Bucket(DAY, "api", Severity.SEV3, null, null), new Counts(1, 1, 60, 1, 1_800, 1, 1, 1)));
    }

    @Test
    void aSeverityChangeMovesTheIncidentToItsNewSeverity_judgedByItsTargets() {
        // Acknowledged after 20 minutes: in time for a SEV3 (4 h), late for a SEV1 (15 min).
        fold(opened("s", T0, Severity.SEV3, "api"), at("s", 1_200, new IncidentAcknowledged(null)));
        assertThat(buckets).containsExactly(Map.entry(new Bucket(DAY, "api", Severity.SEV3, null, null), new Counts(1, 1, 1_200, 0, 0, 1, 0, 0)));

        fold(at("s", 1_300, new SeverityChanged(Severity.SEV3, Severity.SEV1, "customers affected", true)));
        assertThat(buckets).containsExactly(Map.entry(new Bucket(DAY, "api", Severity.SEV1, null, null), new Counts(1, 1, 1_200, 0, 0, 0, 0, 0)));
    }

    @Test
    void aMergedIncidentKeepsItsCounts_andTheAlertsMovedToTheTargetCountForTheTarget() {
        AlertAttached alert = new AlertAttached(Samples.alert("fp-1").build());
        fold(opened("source", T0, Severity.SEV2, "checkout"), at("source", 1, alert),
                opened("target", T0.plusSeconds(700), Severity.SEV2, "payments"), at("source", 800, new IncidentMerged("target")),
                at("target", 800, alert));

        assertThat(buckets.get(new Bucket(DAY, "checkout", Severity.SEV2, null, null))).isEqualTo(new Counts(1, 0, 0, 0, 0, 0, 0, 0));
        assertThat(buckets.get(new Bucket(DAY.plusDays(1), "payments", Severity.SEV2, null, null))).as("opened after midnight UTC")
                .isEqualTo(new Counts(1, 0, 0, 0, 0, 0, 0, 0));
        assertThat(alerts).containsOnly(Map.entry("checkout / HighErrorRate", 1), Map.entry("payments / HighErrorRate", 1));
    }

    @Test
    void pagesCountPerPersonPaged_andEventsOfAnIncidentNeverOpenedAreIgnored() {
        fold(opened("p", T0, Severity.SEV1, null), escalated("p", "e1", T0.plusSeconds(1), 1, plan("alice", "EMAIL", 0), plan("bob", "SMS", 0)),
                escalated("p", "e2", T0.plusSeconds(900), 2, plan("alice", "EMAIL", 0)),
                at("unknown", 5, new IncidentAcknowledged(null)));

        assertThat(pages).containsOnly(Map.entry("alice", 2), Map.entry("bob", 1));
        assertThat(buckets).containsOnlyKeys(new Bucket(DAY, "-", Severity.SEV1, null, null));
        assertThat(incidents).containsOnlyKeys("p");
    }

    @Test
    void theRollupAgreesWithEachIncidentsFacts_andItsIncidentRecordSurvivesEncoding() {
        List<IncidentEvent> log = List.of(opened("f", T0, Severity.SEV0, "edge, eu"), at("f", 200, new IncidentAcknowledged(null)),
                at("f", 3_000, new IncidentResolved(null)), at("f", 3_100, new IncidentReopened(null)), at("f", 4_000, new IncidentResolved(null)));
        log.forEach(this::fold);

        IncidentFacts facts = IncidentFacts.of("f", log);
        assertThat(buckets).containsExactly(Map.entry(new Bucket(DAY, facts.service(), facts.severity(), null, null), Counts.of(facts.response())));
        assertThat(Counts.of(facts.response())).isEqualTo(new Counts(1, 1, facts.toAcknowledge().toSeconds(), 1, 4_000,
                facts.acknowledgedInTime() ? 1 : 0, facts.resolvedInTime() ? 1 : 0, facts.targetMet() ? 1 : 0));
        Incident incident = incidents.get("f");
        assertThat(Incident.decode(incident.encode())).isEqualTo(incident);
        Incident open = new Incident("x", null, null, new ResponseTimes(T0, Severity.SEV4, null, null, Map.of()));
        assertThat(Incident.decode(open.encode())).isEqualTo(open);
        assertThat(Counts.decode(new Counts(1, 2, 3, 4, 5, 6, 7, 8).encode())).isEqualTo(new Counts(1, 2, 3, 4, 5, 6, 7, 8));
    }

    @Test
    void aTypeChangeMovesTheIncidentsCountsToItsNewType_likeASeverityChange() {
        fold(opened("t", T0, Severity.SEV2, "checkout", "service-outage", null, Map.of()), at("t", 60, new IncidentAcknowledged(null)));
        assertThat(buckets).containsOnlyKeys(new Bucket(DAY, "checkout", Severity.SEV2, "service-outage", null));

        fold(at("t", 120, new IncidentTypeChanged("service-outage", "deployment-related")));

        assertThat(buckets).containsExactly(Map.entry(new Bucket(DAY, "checkout", Severity.SEV2, "deployment-related", null),
                new Counts(1, 1, 60, 0, 0, 1, 0, 0)));
    }

    @Test
    void perTierTargets_eachIncidentIsJudgedByTheTargetsItOpenedWith() {
        Map<String, ResponseTarget> coreApi = Map.of("SEV1", new ResponseTarget(5, 30), "SEV2", new ResponseTarget(15, 120));
        Map<String, ResponseTarget> auxiliary = Map.of("SEV1", new ResponseTarget(30, 480));
        // Both acknowledged after 10 minutes and resolved after 1 hour.
        for (String id : List.of("core", "aux", "none")) {
            Map<String, ResponseTarget> targets = id.equals("core") ? coreApi : id.equals("aux") ? auxiliary : Map.of();
            fold(opened(id, T0, Severity.SEV1, "svc-" + id, null, id.equals("none") ? null : id, targets),
                    at(id, 600, new IncidentAcknowledged(null)), at(id, 3_600, new IncidentResolved(null)));
        }

        assertThat(buckets.get(new Bucket(DAY, "svc-core", Severity.SEV1, null, "core"))).as("5 min / 30 min: both missed")
                .isEqualTo(new Counts(1, 1, 600, 1, 3_600, 0, 0, 0));
        assertThat(buckets.get(new Bucket(DAY, "svc-aux", Severity.SEV1, null, "aux"))).as("30 min / 8 h: met")
                .isEqualTo(new Counts(1, 1, 600, 1, 3_600, 1, 1, 1));
        assertThat(buckets.get(new Bucket(DAY, "svc-none", Severity.SEV1, null, null))).as("the defaults, 15 min / 4 h: met")
                .isEqualTo(new Counts(1, 1, 600, 1, 3_600, 1, 1, 1));

        fold(at("core", 3_700, new SeverityChanged(Severity.SEV1, Severity.SEV2, "less", true)));
        assertThat(buckets.get(new Bucket(DAY, "svc-core", Severity.SEV2, null, "core"))).as("its tier's SEV2 targets, 15 min / 2 h")
                .isEqualTo(new Counts(1, 1, 600, 1, 3_600, 1, 1, 1));
        assertThat(Incident.decode(incidents.get("core").encode())).isEqualTo(incidents.get("core"));
    }

    @Test
    void anIncidentStoredBeforeTypesAndTiersIsStillRead_andJudgedByTheDefaults() {
        Incident old = Incident.decode("2026-11-22T23:50:00Z,SEV1,2026-11-22T23:55:00Z,-,edge, eu");

        assertThat(old).isEqualTo(new Incident("edge, eu", null, null,
                new ResponseTimes(T0, Severity.SEV1, T0.plusSeconds(300), null, Map.of())));
        assertThat(old.bucket()).isEqualTo(new Bucket(DAY, "edge, eu", Severity.SEV1, null, null));
        Incident odd = new Incident("a,b", "x,y%", "t:1;2", old.response());
        assertThat(Incident.decode(odd.encode())).isEqualTo(odd);
    }

    private void fold(IncidentEvent event) {
        fold(new IncidentEvent[] {event});
    }
}
