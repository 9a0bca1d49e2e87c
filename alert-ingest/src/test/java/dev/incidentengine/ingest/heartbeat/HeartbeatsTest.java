package dev.incidentengine.ingest.heartbeat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.HeartbeatState;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.HeartbeatSettings;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.model.config.IntegrationType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    static IntegrationConfig integration(String id, Integer intervalSeconds, String alertname) {
        return IntegrationConfig.newBuilder().setId(id).setName("Prometheus " + id).setType(IntegrationType.ALERTMANAGER)
                .setServiceId("monitoring").setKeySha256("00").setAllowedServices(List.of())
                .setHeartbeat(intervalSeconds == null ? null : HeartbeatSettings.newBuilder().setIntervalSeconds(intervalSeconds)
                        .setGraceSeconds(30).setAlertname(alertname).setSeverity(Severity.SEV1).setSummary(null).build())
                .build();
    }

    private static HeartbeatState armed() {
        return Heartbeats.configure(null, "prom", integration("prom", 60, "Watchdog"), T0).state();
    }

    @Test
    void configuringArmsTheFirstDeadlineFromNow() {
        Heartbeats.Step step = Heartbeats.configure(null, "prom", integration("prom", 60, "Watchdog"), T0);

        assertThat(step.alert()).isNull();
        assertThat(step.state().getDueAt()).isEqualTo(T0.plusSeconds(90));
        assertThat(step.state().getArmedAt()).isEqualTo(T0);
        assertThat(step.state().getSeverity()).isEqualTo(Severity.SEV1);
    }

    @Test
    void aPingMovesTheDeadlineOnFromWhenItWasHeard() {
        HeartbeatState state = Heartbeats.ping(armed(), Watchdog.ping("prom", T0.plusSeconds(50), "http")).state();

        assertThat(state.getLastPingAt()).isEqualTo(T0.plusSeconds(50));
        assertThat(state.getDueAt()).isEqualTo(T0.plusSeconds(140));
    }

    @Test
    void anOlderOrRepeatedPingChangesNothing() {
        HeartbeatState pinged = Heartbeats.ping(armed(), Watchdog.ping("prom", T0.plusSeconds(50), "http")).state();

        Heartbeats.Step again = Heartbeats.ping(pinged, Watchdog.ping("prom", T0.plusSeconds(50), "http"));
        Heartbeats.Step older = Heartbeats.ping(pinged, Watchdog.ping("prom", T0.plusSeconds(10), "raw"));

        assertThat(again.state()).isEqualTo(pinged);
        assertThat(older.state()).isEqualTo(pinged);
        assertThat(again.alert()).isNull();
    }

    @Test
    void aPassedDeadlineFiresOnceAndTheNextPingResolves() {
        HeartbeatState armed = armed();
        Heartbeats.Step missed = Heartbeats.due(armed, T0.plusSeconds(90), T0.plusSeconds(90).plusMillis(120));

        Alert firing = missed.alert();
        assertThat(firing.getStatus()).isEqualTo(AlertStatus.FIRING);
        assertThat(firing.getFingerprint()).isEqualTo("heartbeat:prom");
        assertThat(firing.getSeverity()).isEqualTo(Severity.SEV1);
        assertThat(firing.getService()).isEqualTo("monitoring");
        assertThat(firing.getIntegrationId()).isEqualTo("prom");
        assertThat(firing.getLabels()).isEqualTo(Map.of("alertname", "HeartbeatMissed", "heartbeat", "prom", "service", "monitoring"));
        assertThat(firing.getSummary()).isEqualTo("Heartbeat missed: Prometheus prom");
        assertThat(firing.getDescription()).contains("since it was configured at " + T0).contains("every 60 s (grace 30 s)");
        assertThat(firing.getStartsAt()).isEqualTo(T0.plusSeconds(90));
        assertThat(firing.getEndsAt()).isNull();
        assertThat(firing.getRawFormat()).isEqualTo(RawFormat.GENERIC);
        assertThat(missed.state().getDueAt()).isNull();
        assertThat(missed.state().getMissedSince()).isEqualTo(T0.plusSeconds(90));

        // No deadline is left, so nothing fires again; a deadline taken twice is stale.
        assertThat(Heartbeats.due(missed.state(), T0.plusSeconds(90), T0.plusSeconds(200)).alert()).isNull();

        Heartbeats.Step heard = Heartbeats.ping(missed.state(), Watchdog.ping("prom", T0.plusSeconds(300), "alertmanager"));
        Alert resolved = heard.alert();
        assertThat(resolved.getStatus()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(resolved.getFingerprint()).isEqualTo(firing.getFingerprint());
        assertThat(resolved.getStartsAt()).isEqualTo(T0.plusSeconds(90));
        assertThat(resolved.getEndsAt()).isEqualTo(T0.plusSeconds(300));
        assertThat(resolved.getDescription()).contains("heard again at " + T0.plusSeconds(300));
        assertThat(heard.state().getMissedSince()).isNull();
        assertThat(heard.state().getDueAt()).isEqualTo(T0.plusSeconds(390));
    }

    @Test
    void aDeadlineTheHeartbeatNoLongerWaitsOnIsStale() {
        HeartbeatState pinged = Heartbeats.ping(armed(), Watchdog.ping("prom", T0.plusSeconds(50), "http")).state();

        Heartbeats.Step step = Heartbeats.due(pinged, T0.plusSeconds(90), T0.plusSeconds(91));

        assertThat(step.alert()).isNull();
        assertThat(step.state()).isEqualTo(pinged);
        assertThat(Heartbeats.due(null, T0, T0).state()).isNull();
    }

    @Test
    void aChangedIntervalCountsFromTheLastPing() {
        HeartbeatState pinged = Heartbeats.ping(armed(), Watchdog.ping("prom", T0.plusSeconds(50), "http")).state();

        HeartbeatState changed = Heartbeats.configure(pinged, "prom", integration("prom", 600, "Watchdog"), T0.plusSeconds(60)).state();

        assertThat(changed.getDueAt()).isEqualTo(T0.plusSeconds(50 + 630));
        assertThat(changed.getArmedAt()).isEqualTo(T0);
    }

    @Test
    void aMissedHeartbeatStaysMissedWhenReconfiguredAndResolvesWhenRemoved() {
        HeartbeatState missed = Heartbeats.due(armed(), T0.plusSeconds(90), T0.plusSeconds(90)).state();

        HeartbeatState changed = Heartbeats.configure(missed, "prom", integration("prom", 120, null), T0.plusSeconds(100)).state();
        assertThat(changed.getMissedSince()).isEqualTo(T0.plusSeconds(90));
        assertThat(changed.getDueAt()).isNull();

        Heartbeats.Step removed = Heartbeats.configure(changed, "prom", integration("prom", null, null), T0.plusSeconds(110));
        assertThat(removed.state()).isNull();
        assertThat(removed.alert().getStatus()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(removed.alert().getDescription()).contains("no longer configured");

        Heartbeats.Step deleted = Heartbeats.configure(missed, "prom", null, T0.plusSeconds(110));
        assertThat(deleted.state()).isNull();
        assertThat(deleted.alert().getStatus()).isEqualTo(AlertStatus.RESOLVED);
    }

    @Test
    void aHeartbeatNotMissedGoesQuietly() {
        Heartbeats.Step removed = Heartbeats.configure(armed(), "prom", null, T0.plusSeconds(10));

        assertThat(removed.state()).isNull();
        assertThat(removed.alert()).isNull();
    }

    @Test
    void invalidSettingsLeaveTheHeartbeatOff() {
        Heartbeats.Step tooShort = Heartbeats.configure(null, "prom", integration("prom", 1, null), T0);

        assertThat(tooShort.state()).isNull();
        assertThat(Heartbeats.problem(integration("prom", 1, null).getHeartbeat()))
                .isEqualTo("heartbeat.intervalSeconds: must be between 10 and 604800, not 1");
    }

    @Test
    void aPingForNoHeartbeatIsNothing() {
        Heartbeats.Step step = Heartbeats.ping(null, Watchdog.ping("ghost", T0, "kafka"));

        assertThat(step.state()).isNull();
        assertThat(step.alert()).isNull();
    }
}
