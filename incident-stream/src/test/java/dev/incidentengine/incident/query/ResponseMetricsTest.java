package dev.incidentengine.incident.query;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.ResponseTarget;
import dev.incidentengine.model.ReviewStatus;
import dev.incidentengine.model.Severity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Response metrics as the view sees incidents change: open gauges, times to acknowledge and resolve, target breaches, pending reviews. */
class ResponseMetricsTest {

    private static final Instant T0 = Instant.parse("2026-11-22T09:00:00Z");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ResponseMetrics metrics = new ResponseMetrics(registry);
    private final ResponseMetrics.Share share = metrics.share(0);

    @Test
    void anIncidentIsOpenUntilResolved_andItsTimesAreObservedOnce() {
        IncidentState opened = state(IncidentStatus.TRIGGERED, null, null);
        IncidentState acknowledged = state(IncidentStatus.ACKNOWLEDGED, T0.plusSeconds(1_200), null);
        IncidentState resolved = state(IncidentStatus.RESOLVED, T0.plusSeconds(1_200), T0.plusSeconds(3_600));

        change(null, opened);
        assertThat(open()).isEqualTo(1.0);
        change(opened, acknowledged);
        change(acknowledged, acknowledged);
        assertThat(open()).isEqualTo(1.0);
        change(acknowledged, resolved);
        assertThat(open()).isZero();

        assertThat(registry.get("incident_time_to_acknowledge_seconds").tags("severity", "SEV1", "service", "checkout").timer())
                .satisfies(timer -> {
                    assertThat(timer.count()).isEqualTo(1);
                    assertThat(timer.totalTime(TimeUnit.SECONDS)).isEqualTo(1_200.0);
                });
        assertThat(registry.get("incident_time_to_resolve_seconds").timer().totalTime(TimeUnit.SECONDS)).isEqualTo(3_600.0);
        // SEV1: acknowledge within 15 minutes (missed: 20), resolve within 4 hours (met).
        assertThat(registry.get("incident_response_target_breaches_total").tags("severity", "SEV1", "target", "acknowledge").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.find("incident_response_target_breaches_total").tags("target", "resolve").counter()).isNull();
    }

    @Test
    void drillsExcludedFromTheFigures_butOpenWhileWorked() {
        IncidentState opened = IncidentState.newBuilder(state(IncidentStatus.TRIGGERED, null, null)).setDrill("failover").build();
        IncidentState resolved = IncidentState.newBuilder(opened).setStatus(IncidentStatus.RESOLVED).setAcknowledgedAt(T0.plusSeconds(3_600))
                .setResolvedAt(T0.plusSeconds(7_200)).build();

        change(null, opened);
        assertThat(open()).isEqualTo(1.0);
        change(opened, resolved);

        assertThat(open()).isZero();
        assertThat(registry.find("incident_time_to_acknowledge_seconds").timer()).isNull();
        assertThat(registry.find("incident_time_to_resolve_seconds").timer()).isNull();
        assertThat(registry.find("incident_response_target_breaches_total").counter()).as("an hour to acknowledge a SEV1 drill").isNull();
    }

    @Test
    void targetsAreTheTiersAsTheIncidentOpenedWithThem_countedByTier() {
        // Acknowledged after 20 minutes, resolved after 1 hour: within the defaults' 4 h, not within core-api's 30 min.
        IncidentState resolved = IncidentState.newBuilder(state(IncidentStatus.RESOLVED, T0.plusSeconds(1_200), T0.plusSeconds(3_600)))
                .setTier("core-api").setResponseTargets(java.util.Map.of("SEV1", new ResponseTarget(30, 30))).build();

        change(null, resolved);

        assertThat(registry.get("incident_response_target_checks_total").tags("tier", "core-api", "target", "acknowledge").counter().count())
                .isEqualTo(1.0);
        assertThat(registry.find("incident_response_target_breaches_total").tags("tier", "core-api", "target", "acknowledge").counter())
                .as("20 min is within the tier's 30").isNull();
        assertThat(registry.get("incident_response_target_breaches_total").tags("severity", "SEV1", "target", "resolve", "tier", "core-api")
                .counter().count()).isEqualTo(1.0);
    }

    @Test
    void aViewStartingFromTheFinalStateObservesItOnce_andADeletedIncidentLeavesTheGauge() {
        IncidentState resolved = state(IncidentStatus.RESOLVED, T0.plusSeconds(60), T0.plusSeconds(120));
        change(null, resolved);
        assertThat(registry.get("incident_time_to_acknowledge_seconds").timer().count()).isEqualTo(1);
        assertThat(registry.get("incident_time_to_resolve_seconds").timer().count()).isEqualTo(1);

        IncidentState opened = state(IncidentStatus.TRIGGERED, null, null);
        change(null, opened);
        share.changed(ResponseMetrics.Facts.of(opened), null, null);
        assertThat(open()).isZero();
    }

    @Test
    void aRequiredReviewIsPendingUntilPublished() {
        IncidentState resolved = state(IncidentStatus.RESOLVED, T0.plusSeconds(60), T0.plusSeconds(120));
        IncidentState required = IncidentState.newBuilder(resolved)
                .setReview(new ReviewStatus(true, T0.plusSeconds(120), T0.plusSeconds(120 + 48 * 3_600), null, null)).build();
        IncidentState published = IncidentState.newBuilder(required).setReview(ReviewStatus.newBuilder(required.getReview())
                .setPublishedAt(T0.plusSeconds(86_400)).setUrl("https://wiki.example.com/pir/1").build()).build();

        change(null, resolved);
        change(resolved, required);
        assertThat(pendingReviews()).isEqualTo(1.0);
        change(required, required);
        assertThat(pendingReviews()).isEqualTo(1.0);
        change(required, published);
        assertThat(pendingReviews()).isZero();
    }

    @Test
    void aTaskTakesBackWhatItCountedWhenItLeaves_andAnotherCountsItFromItsStoresWithoutObservingAgain() {
        IncidentState acknowledged = state(IncidentStatus.ACKNOWLEDGED, T0.plusSeconds(60), null);
        change(null, acknowledged);
        ResponseMetrics.Share other = metrics.share(1);
        other.countOpen(ResponseMetrics.Facts.of(state(IncidentStatus.TRIGGERED, null, null)));
        assertThat(open()).isEqualTo(2.0);

        share.withdraw();
        assertThat(open()).isEqualTo(1.0);
        ResponseMetrics.Share next = metrics.share(0);
        next.countOpen(ResponseMetrics.Facts.of(acknowledged));
        assertThat(open()).isEqualTo(2.0);
        assertThat(registry.get("incident_time_to_acknowledge_seconds").timer().count()).isEqualTo(1);
    }

    @Test
    void theOpenCountsAnswerForTheTasksThatCountedTheirIncidents_byStatusSeverityAndService() {
        share.counted();
        change(null, state(IncidentStatus.TRIGGERED, null, null));
        change(null, state(IncidentStatus.TRIGGERED, null, null));
        IncidentState acknowledged = state(IncidentStatus.ACKNOWLEDGED, T0.plusSeconds(60), null);
        change(null, acknowledged);
        change(acknowledged, state(IncidentStatus.RESOLVED, T0.plusSeconds(60), T0.plusSeconds(120)));
        ResponseMetrics.Share counting = metrics.share(3);
        counting.countOpen(ResponseMetrics.Facts.of(state(IncidentStatus.ACKNOWLEDGED, T0, null)));

        assertThat(metrics.openCounts()).as("partition 3 is still counting").isEqualTo(new ResponseMetrics.OpenCounts(java.util.Set.of(0),
                java.util.Map.of(java.util.List.of("TRIGGERED", "SEV1", "checkout"), 2L)));
        counting.counted();
        assertThat(metrics.openCounts().partitions()).containsExactly(0, 3);
        assertThat(metrics.openCounts().byStatusSeverityService()).containsEntry(java.util.List.of("ACKNOWLEDGED", "SEV1", "checkout"), 1L);
        share.withdraw();
        assertThat(metrics.openCounts()).isEqualTo(new ResponseMetrics.OpenCounts(java.util.Set.of(3),
                java.util.Map.of(java.util.List.of("ACKNOWLEDGED", "SEV1", "checkout"), 1L)));
    }

    @Test
    void factsRoundTripAsText_anyServiceName() {
        IncidentState state = IncidentState.newBuilder(state(IncidentStatus.ACKNOWLEDGED, T0, null)).setService("a\u0000b").build();

        assertThat(ResponseMetrics.Facts.decode(ResponseMetrics.Facts.of(state).encode())).isEqualTo(ResponseMetrics.Facts.of(state));
    }

    private double pendingReviews() {
        return registry.get("incident_reviews_pending").tags("severity", "SEV1", "service", "checkout").gauge().value();
    }

    private void change(IncidentState before, IncidentState after) {
        share.changed(before == null ? null : ResponseMetrics.Facts.of(before), ResponseMetrics.Facts.of(after), after);
    }

    private double open() {
        return registry.get("incident_open").tags("severity", "SEV1", "service", "checkout").gauge().value();
    }

    private static IncidentState state(IncidentStatus status, Instant acknowledgedAt, Instant resolvedAt) {
        return IncidentState.newBuilder().setIncidentId("INC-20261122-0-0001").setVersion(2).setStatus(status).setSeverity(Severity.SEV1)
                .setTitle("High error rate on checkout").setService("checkout").setOpenedAt(T0).setAcknowledgedAt(acknowledgedAt)
                .setResolvedAt(resolvedAt).build();
    }
}
