package dev.incidentengine.ingest.heartbeat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.Severity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WatchdogTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    private static Alert alert(String alertname, AlertStatus status) {
        return Alert.newBuilder().setFingerprint("prom/" + alertname).setStatus(status).setSeverity(Severity.SEV3)
                .setSummary(alertname).setLabels(Map.of("alertname", alertname)).setSource("prometheus")
                .setStartsAt(NOW).setReceivedAt(NOW).setRawFormat(RawFormat.ALERTMANAGER).build();
    }

    @Test
    void theWatchdogAlertIsAPingAndTheOthersGoOn() {
        Alert disk = alert("DiskFull", AlertStatus.FIRING);

        Watchdog.Split split = Watchdog.split(HeartbeatsTest.integration("prom", 60, "Watchdog"),
                List.of(alert("Watchdog", AlertStatus.FIRING), disk), "alertmanager", NOW);

        assertThat(split.alerts()).containsExactly(disk);
        assertThat(split.ping().getHeartbeatId()).isEqualTo("prom");
        assertThat(split.ping().getReceivedAt()).isEqualTo(NOW);
        assertThat(split.ping().getVia()).isEqualTo("alertmanager");
    }

    @Test
    void aResolvedWatchdogIsNeitherAlertNorPing() {
        Watchdog.Split split = Watchdog.split(HeartbeatsTest.integration("prom", 60, "Watchdog"),
                List.of(alert("Watchdog", AlertStatus.RESOLVED)), "alertmanager", NOW);

        assertThat(split.alerts()).isEmpty();
        assertThat(split.ping()).isNull();
    }

    @Test
    void withoutAnAlertnameOrHeartbeatEveryAlertIsAnAlert() {
        List<Alert> alerts = List.of(alert("Watchdog", AlertStatus.FIRING));

        assertThat(Watchdog.split(HeartbeatsTest.integration("prom", 60, null), alerts, "alertmanager", NOW).alerts()).isEqualTo(alerts);
        assertThat(Watchdog.split(HeartbeatsTest.integration("prom", null, null), alerts, "alertmanager", NOW).ping()).isNull();
        assertThat(Watchdog.split(null, alerts, "raw", NOW).alerts()).isEqualTo(alerts);
    }
}
