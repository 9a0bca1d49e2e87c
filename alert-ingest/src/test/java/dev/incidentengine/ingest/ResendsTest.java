package dev.incidentengine.ingest;

import static dev.incidentengine.testkit.Samples.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.Severity;
import dev.incidentengine.testkit.Samples;
import org.junit.jupiter.api.Test;

/** The absorb decision: pure, with the time of each request given. */
class ResendsTest {

    private static final Duration LEAD = Duration.ofMinutes(4);

    private final Resends resends = new Resends(100);

    /** An alert as Prometheus sends it at {@code now}: endsAt a lead ahead. */
    private static Alert firing(String fingerprint, Instant now) {
        return Samples.alert(fingerprint).setReceivedAt(now).setEndsAt(now.plus(LEAD)).build();
    }

    /** Posts the alerts at {@code now}, Kafka acknowledging every write; returns those written. */
    private List<Alert> post(Instant now, Alert... alerts) {
        Resends.Batch batch = resends.select(List.of(alerts), now);
        for (int i = 0; i < batch.write().size(); i++) {
            batch.acked(i);
        }
        return batch.write();
    }

    @Test
    void givenAWrittenFiringAlert_whenSentAgainUnchanged_thenItIsAbsorbed() {
        Alert first = firing("fp-1", T0);
        assertThat(post(T0, first)).containsExactly(first);

        Alert again = Alert.newBuilder(firing("fp-1", T0.plusSeconds(1))).setEndsAt(first.getEndsAt()).build();
        Resends.Batch batch = resends.select(List.of(again), T0.plusSeconds(1));

        assertThat(batch.write()).isEmpty();
        assertThat(batch.absorbed()).isEqualTo(1);
    }

    @Test
    void givenAWrittenFiringAlert_whenALabelAnAnnotationOrTheSeverityChanged_thenItIsWritten() {
        Alert first = firing("fp-1", T0);
        post(T0, first);
        Instant later = T0.plusSeconds(1);

        Alert label = Alert.newBuilder(first).setReceivedAt(later).setLabels(Map.of("alertname", "HighErrorRate", "env", "staging")).build();
        Alert annotation = Alert.newBuilder(first).setReceivedAt(later).setAnnotations(Map.of("runbook", "https://runbooks.example/v2")).build();
        Alert severity = Alert.newBuilder(first).setReceivedAt(later).setSeverity(Severity.SEV1).build();
        Alert summary = Alert.newBuilder(first).setReceivedAt(later).setSummary("Higher error rate").build();

        for (Alert changed : List.of(label, annotation, severity, summary)) {
            assertThat(resends.select(List.of(changed), later).write()).containsExactly(changed);
        }
    }

    @Test
    void givenAWrittenFiringAlert_whenResolvedOrAcknowledged_thenItIsWritten_andTheNextFiringToo() {
        Alert first = firing("fp-1", T0);
        post(T0, first);
        Instant later = T0.plusSeconds(1);
        Alert acknowledged = Alert.newBuilder(first).setReceivedAt(later).setStatus(AlertStatus.ACKNOWLEDGED).build();
        Alert resolved = Alert.newBuilder(first).setReceivedAt(later).setStatus(AlertStatus.RESOLVED).build();

        assertThat(post(later, acknowledged)).containsExactly(acknowledged);
        assertThat(post(later, resolved)).containsExactly(resolved);
        assertThat(post(later, resolved)).as("a resolve again").containsExactly(resolved);
        // It fires again: news for incident-stream, whose track the resolve removed.
        assertThat(post(later, first)).containsExactly(first);
    }

    @Test
    void givenPrometheusMovingEndsAtEachResend_thenItIsWrittenOnceHalfTheLeadIsUsedUp() {
        post(T0, firing("fp-1", T0)); // written endsAt: T0 + 4 min
        // At T0 + 2 min the written deadline is 2 min ahead, exactly half the new lead: still absorbed.
        Instant half = T0.plus(LEAD.dividedBy(2));
        assertThat(post(half, firing("fp-1", half))).isEmpty();
        // A millisecond later it is less than half: written, and the deadline moves on.
        Instant past = half.plusMillis(1);
        Alert refresh = firing("fp-1", past);
        assertThat(post(past, refresh)).containsExactly(refresh);
        assertThat(post(past.plusSeconds(60), firing("fp-1", past.plusSeconds(60)))).isEmpty();
    }

    @Test
    void givenAWrittenEndsAt_whenAResendMovesItEarlier_thenItIsWritten() {
        post(T0, firing("fp-1", T0));
        Alert earlier = Alert.newBuilder(firing("fp-1", T0)).setEndsAt(T0.plusSeconds(60)).build();

        assertThat(post(T0, earlier)).containsExactly(earlier);
    }

    @Test
    void givenAWrittenDeadlineThatPassed_whenSentAgain_thenItIsWritten() {
        Alert first = firing("fp-1", T0);
        post(T0, first);
        Instant after = first.getEndsAt();

        assertThat(post(after, first)).containsExactly(first);
    }

    @Test
    void givenNoEndsAt_thenResendsWithoutOneAreAbsorbed_andOneThatComesOrGoesIsWritten() {
        Alert open = Samples.alert("fp-1").setReceivedAt(T0).build();
        post(T0, open);
        assertThat(post(T0.plusSeconds(3600), open)).as("neither expires").isEmpty();

        Alert withEndsAt = firing("fp-1", T0.plusSeconds(3600));
        assertThat(post(T0.plusSeconds(3600), withEndsAt)).containsExactly(withEndsAt);
        assertThat(post(T0.plusSeconds(3601), open)).as("endsAt gone").containsExactly(open);
    }

    @Test
    void givenAFailedWrite_thenNothingIsRemembered() {
        Alert first = firing("fp-1", T0);
        Resends.Batch failed = resends.select(List.of(first), T0);
        // Kafka never acknowledged it.
        assertThat(resends.size()).isZero();

        assertThat(resends.select(List.of(first), T0).write()).containsExactly(first);
        assertThat(failed.write()).containsExactly(first);
    }

    @Test
    void givenAFailedWriteOfAChange_thenTheEarlierContentStaysRemembered() {
        Alert first = firing("fp-1", T0);
        post(T0, first);
        Alert changed = Alert.newBuilder(first).setSeverity(Severity.SEV1).build();
        resends.select(List.of(changed), T0); // written, never acknowledged

        assertThat(post(T0, first)).as("what Kafka holds").isEmpty();
        assertThat(post(T0, changed)).containsExactly(changed);
    }

    @Test
    void givenTheBound_thenTheLeastRecentlyUsedFingerprintIsForgotten() {
        Resends bounded = new Resends(2, 1);
        Alert a = firing("fp-a", T0);
        Alert b = firing("fp-b", T0);
        Alert c = firing("fp-c", T0);
        acked(bounded.select(List.of(a, b), T0));
        assertThat(bounded.select(List.of(a), T0).write()).as("a used again").isEmpty();
        acked(bounded.select(List.of(c), T0));

        assertThat(bounded.size()).isEqualTo(2);
        assertThat(bounded.select(List.of(a, b, c), T0).write()).containsExactly(b);
    }

    @Test
    void givenZeroEntries_thenNothingIsAbsorbed() {
        Resends off = new Resends(0);
        Alert first = firing("fp-1", T0);
        acked(off.select(List.of(first), T0));

        Resends.Batch again = off.select(List.of(first), T0);
        assertThat(again.write()).containsExactly(first);
        assertThat(again.absorbed()).isZero();
        assertThat(off.size()).isZero();
    }

    @Test
    void givenManyFingerprints_thenAtMostTheBoundIsRemembered() {
        Resends bounded = new Resends(100);
        for (int i = 0; i < 1000; i++) {
            acked(bounded.select(List.of(firing("fp-" + i, T0)), T0));
        }
        assertThat(bounded.size()).isEqualTo(100);
    }

    private static void acked(Resends.Batch batch) {
        for (int i = 0; i < batch.write().size(); i++) {
            batch.acked(i);
        }
    }
}
