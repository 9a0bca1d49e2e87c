package dev.incidentengine.incident.domain;

import java.time.Duration;
import java.time.Instant;

import dev.incidentengine.model.CloseIncident;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.model.Severity;
import dev.incidentengine.testkit.Samples;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IncidentTimersTest {

    private static final Instant T0 = Samples.T0;
    /** The engine's clock when it folded the state: the settle time counts from it, not from the alerts' times. */
    private static final Instant SEEN = T0.plus(Duration.ofMinutes(10));
    private final IncidentTimers timers = new IncidentTimers(LifecyclePolicy.DEFAULT);

    @Test
    void aResolvedIncidentClosesAfterTheCloseDelayUnlessItReopened() {
        IncidentState resolved = state(IncidentStatus.RESOLVED, false, 0).setResolvedAt(T0).build();

        assertThat(timers.after(resolved, resolved, SEEN))
                .containsExactly(new IncidentTimers.Due(T0.plus(Duration.ofHours(1)), IncidentTimers.Kind.CLOSE, ""));
        assertThat(timers.fire(IncidentTimers.Kind.CLOSE, "", resolved, T0.plusSeconds(3599))).isEmpty();
        assertThat(timers.fire(IncidentTimers.Kind.CLOSE, "", resolved, T0.plusSeconds(3600))).hasValueSatisfying(command -> {
            assertThat(command.getPayload()).isInstanceOf(CloseIncident.class);
            assertThat(command.getActor()).isEqualTo(IncidentTimers.ENGINE);
            assertThat(command.getCommandId()).isEqualTo("timer:close:INC-1:7");
        });
        IncidentState reopened = IncidentState.newBuilder(resolved).setStatus(IncidentStatus.TRIGGERED).setResolvedAt(null).build();
        assertThat(timers.fire(IncidentTimers.Kind.CLOSE, "", reopened, T0.plusSeconds(7200))).isEmpty();
    }

    @Test
    void aFlappingIncidentResolvesWhenItsAlertsHaveBeenQuiet() {
        IncidentState quiet = state(IncidentStatus.TRIGGERED, true, 0).build();
        Instant due = T0.plusSeconds(60).plus(Duration.ofMinutes(15));

        assertThat(timers.after(quiet, quiet, SEEN)).containsExactly(new IncidentTimers.Due(due, IncidentTimers.Kind.QUIET, ""));
        assertThat(timers.fire(IncidentTimers.Kind.QUIET, "", quiet, due.minusMillis(1))).isEmpty();
        assertThat(timers.fire(IncidentTimers.Kind.QUIET, "", quiet, due)).hasValueSatisfying(
                command -> assertThat(command.getPayload()).isInstanceOf(ResolveIncident.class));
        IncidentState firing = state(IncidentStatus.TRIGGERED, true, 1).build();
        assertThat(timers.after(firing, firing, SEEN)).isEmpty();
        assertThat(timers.fire(IncidentTimers.Kind.QUIET, "", firing, due)).isEmpty();
        IncidentState manual = IncidentState.newBuilder(quiet).setAutoResolve(false).build();
        assertThat(timers.after(manual, manual, SEEN)).isEmpty();
    }

    @Test
    void whenTheLastAlertResolves_thenTheIncidentResolvesAfterTheSettleTime_unlessOneFiresMeanwhile() {
        IncidentState firing = state(IncidentStatus.TRIGGERED, false, 1).build();
        IncidentState quiet = state(IncidentStatus.TRIGGERED, false, 0).build();
        String token = Long.toString(T0.plusSeconds(60).toEpochMilli());

        assertThat(timers.after(firing, quiet, SEEN))
                .containsExactly(new IncidentTimers.Due(SEEN.plusSeconds(5), IncidentTimers.Kind.SETTLE, token));
        assertThat(timers.after(quiet, quiet, SEEN)).as("set once, when the incident became quiet").isEmpty();
        assertThat(timers.fire(IncidentTimers.Kind.SETTLE, token, quiet, SEEN.plusSeconds(5))).hasValueSatisfying(command -> {
            assertThat(command.getPayload()).isEqualTo(new ResolveIncident(IncidentLifecycle.ALL_ALERTS_RESOLVED));
            assertThat(command.getActor()).isEqualTo(IncidentTimers.ENGINE);
        });
        assertThat(timers.fire(IncidentTimers.Kind.SETTLE, token, firing, SEEN.plusSeconds(5))).as("an alert fired meanwhile").isEmpty();
        IncidentState quietAgain = IncidentState.newBuilder(quiet).setAlertsQuietSince(T0.plusSeconds(90)).build();
        assertThat(timers.fire(IncidentTimers.Kind.SETTLE, token, quietAgain, SEEN.plusSeconds(5)))
                .as("it fired and resolved again: the later quiet period has its own timer").isEmpty();
        IncidentState acknowledged = IncidentState.newBuilder(quiet).setStatus(IncidentStatus.ACKNOWLEDGED).build();
        assertThat(timers.fire(IncidentTimers.Kind.SETTLE, token, acknowledged, SEEN.plusSeconds(5))).isPresent();
        IncidentState resolvedByHand = IncidentState.newBuilder(quiet).setStatus(IncidentStatus.RESOLVED).setResolvedAt(T0).build();
        assertThat(timers.fire(IncidentTimers.Kind.SETTLE, token, resolvedByHand, SEEN.plusSeconds(5))).isEmpty();
        IncidentState manual = IncidentState.newBuilder(quiet).setAutoResolve(false).build();
        assertThat(timers.after(firing, manual, SEEN)).isEmpty();
        assertThat(new IncidentTimers(LifecyclePolicy.DEFAULT.withResolveSettle(Duration.ZERO)).after(firing, quiet, SEEN))
                .as("no settle time: the lifecycle resolves at once").isEmpty();
    }

    /** Two alerts, {@code firing} of them firing; the last resolved 60 s after T0 when none fires. */
    private static IncidentState.Builder state(IncidentStatus status, boolean flapping, int firing) {
        return IncidentState.newBuilder()
                .setIncidentId("INC-1").setVersion(7).setStatus(status).setSeverity(Severity.SEV2).setTitle("t")
                .setOpenedAt(T0).setFlapping(flapping)
                .setAlertCount(2).setFiringAlertCount(firing)
                .setAlertsQuietSince(firing == 0 ? T0.plusSeconds(60) : null);
    }
}
