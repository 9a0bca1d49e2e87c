package dev.incidentengine.ingest.heartbeat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.HeartbeatPing;
import dev.incidentengine.model.config.HeartbeatSettings;
import dev.incidentengine.model.config.IntegrationConfig;

/**
 * The classic dead man's switch: an always-firing alert (Prometheus' {@code Watchdog}) that arrives through the
 * integration's webhook is its heartbeat's ping, not an alert: it must not open an incident of its own, and its
 * silence is what pages. Its resolution is dropped too: only a missed deadline says the pipeline is down.
 */
public final class Watchdog {

    /** @param alerts what goes on as alerts; @param ping the heartbeat's ping, null when the request held none */
    public record Split(List<Alert> alerts, HeartbeatPing ping) {
    }

    private Watchdog() {
    }

    public static Split split(IntegrationConfig integration, List<Alert> alerts, String via, Instant now) {
        HeartbeatSettings heartbeat = integration == null ? null : integration.getHeartbeat();
        if (heartbeat == null || heartbeat.getAlertname() == null) {
            return new Split(alerts, null);
        }
        List<Alert> rest = new ArrayList<>(alerts.size());
        boolean firing = false;
        for (Alert alert : alerts) {
            if (heartbeat.getAlertname().equals(alert.getLabels().get("alertname"))) {
                firing |= alert.getStatus() == AlertStatus.FIRING;
            } else {
                rest.add(alert);
            }
        }
        HeartbeatPing ping = firing ? ping(integration.getId(), now, via) : null;
        return new Split(rest.size() == alerts.size() ? alerts : rest, ping);
    }

    public static HeartbeatPing ping(String heartbeatId, Instant now, String via) {
        return HeartbeatPing.newBuilder().setHeartbeatId(heartbeatId).setReceivedAt(now).setVia(via).build();
    }
}
