package dev.incidentengine.incident.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.AttachedAlert;
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
    private final IncidentTimers timers = new IncidentTimers(LifecyclePolicy.DEFAULT);

    @Test
    void aResolvedIncidentClosesAfterTheCloseDelayUnlessItReopened() {
        IncidentState resolved = state(IncidentStatus.RESOLVED, false, AlertStatus.RESOLVED).setResolvedAt(T0).build();

        assertThat(timers.after(resolved)).containsExactly(new IncidentTimers.Due(T0.plus(Duration.ofHours(1)), IncidentTimers.Kind.CLOSE));
        assertThat(timers.fire(IncidentTimers.Kind.CLOSE, resolved, T0.plusSeconds(3599))).isEmpty();
        assertThat(timers.fire(IncidentTimers.Kind.CLOSE, resolved, T0.plusSeconds(3600))).hasValueSatisfying(command -> {
            assertThat(command.getPayload()).isInstanceOf(CloseIncident.class);
            assertThat(command.getActor()).isEqualTo(IncidentTimers.ENGINE);
            assertThat(command.getCommandId()).isEqualTo("timer:close:INC-1:7");
        });
        IncidentState reopened = IncidentState.newBuilder(resolved).setStatus(IncidentStatus.TRIGGERED).setResolvedAt(null).build();
        assertThat(timers.fire(IncidentTimers.Kind.CLOSE, reopened, T0.plusSeconds(7200))).isEmpty();
    }

    @Test
    void aFlappingIncidentResolvesWhenItsAlertsHaveBeenQuiet() {
        IncidentState quiet = state(IncidentStatus.TRIGGERED, true, AlertStatus.RESOLVED).build();
        Instant due = T0.plusSeconds(60).plus(Duration.ofMinutes(15));

        assertThat(timers.after(quiet)).containsExactly(new IncidentTimers.Due(due, IncidentTimers.Kind.QUIET));
        assertThat(timers.fire(IncidentTimers.Kind.QUIET, quiet, due.minusMillis(1))).isEmpty();
        assertThat(timers.fire(IncidentTimers.Kind.QUIET, quiet, due)).hasValueSatisfying(
                command -> assertThat(command.getPayload()).isInstanceOf(ResolveIncident.class));
        IncidentState firing = state(IncidentStatus.TRIGGERED, true, AlertStatus.FIRING).build();
        assertThat(timers.after(firing)).isEmpty();
        assertThat(timers.fire(IncidentTimers.Kind.QUIET, firing, due)).isEmpty();
        IncidentState manual = IncidentState.newBuilder(quiet).setAutoResolve(false).build();
        assertThat(timers.after(manual)).isEmpty();
    }

    private static IncidentState.Builder state(IncidentStatus status, boolean flapping, AlertStatus alerts) {
        return IncidentState.newBuilder()
                .setIncidentId("INC-1").setVersion(7).setStatus(status).setSeverity(Severity.SEV2).setTitle("t")
                .setOpenedAt(T0).setFlapping(flapping)
                .setAlerts(Map.of(
                        "fp-1", new AttachedAlert("fp-1", alerts, Severity.SEV2, "s", T0, alerts == AlertStatus.RESOLVED ? T0.plusSeconds(30) : null),
                        "fp-2", new AttachedAlert("fp-2", alerts, Severity.SEV2, "s", T0, alerts == AlertStatus.RESOLVED ? T0.plusSeconds(60) : null)));
    }
}
