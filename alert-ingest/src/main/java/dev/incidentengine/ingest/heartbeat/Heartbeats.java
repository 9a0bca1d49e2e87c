package dev.incidentengine.ingest.heartbeat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.HeartbeatPing;
import dev.incidentengine.model.HeartbeatState;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.config.HeartbeatSettings;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.schemas.HeartbeatLimits;

/**
 * A heartbeat's rules, pure: configuring arms it, a ping moves its deadline on, a deadline that passes fires its
 * alert once, and the next ping resolves it. Each step returns the state after it and the alert to write, if any.
 */
public final class Heartbeats {

    /** Fingerprints of heartbeat alerts: a receiver's are {@code <integration>/…}, so none collides. */
    public static final String FINGERPRINT_PREFIX = "heartbeat:";
    public static final String ALERTNAME = "HeartbeatMissed";
    /** @param state null once the heartbeat is gone; @param alert null when nothing is to be written */
    public record Step(HeartbeatState state, Alert alert) {
    }

    private Heartbeats() {
    }

    /** What is wrong with the settings, or null: such a heartbeat is off. */
    public static String problem(HeartbeatSettings settings) {
        return HeartbeatLimits.problem(settings);
    }

    /**
     * The integration was written (or deleted: null). A new heartbeat is armed from now; a changed one counts its
     * deadline again from its last ping; one removed (or whose settings became invalid) resolves its alert if it fired.
     */
    public static Step configure(HeartbeatState before, String id, IntegrationConfig integration, Instant now) {
        HeartbeatSettings settings = integration == null ? null : integration.getHeartbeat();
        if (settings == null || problem(settings) != null) {
            return new Step(null, before != null && before.getMissedSince() != null
                    ? alert(before, AlertStatus.RESOLVED, now, before.getMissedSince(), "its heartbeat is no longer configured") : null);
        }
        HeartbeatState after = HeartbeatState.newBuilder()
                .setHeartbeatId(id)
                .setName(integration.getName())
                .setServiceId(integration.getServiceId())
                .setIntervalSeconds(settings.getIntervalSeconds())
                .setGraceSeconds(settings.getGraceSeconds())
                .setSeverity(settings.getSeverity())
                .setSummary(settings.getSummary())
                .setArmedAt(before == null ? now : before.getArmedAt())
                .setLastPingAt(before == null ? null : before.getLastPingAt())
                .setMissedSince(before == null ? null : before.getMissedSince())
                .setDueAt(null)
                .build();
        if (after.getMissedSince() == null) {
            after.setDueAt(deadline(after, after.getLastPingAt() == null ? after.getArmedAt() : after.getLastPingAt()));
        }
        return new Step(after, null);
    }

    /** A ping: news if heard after the last one; it moves the deadline on and resolves a missed heartbeat. */
    public static Step ping(HeartbeatState before, HeartbeatPing ping) {
        if (before == null) {
            return new Step(null, null);
        }
        Instant heard = ping.getReceivedAt();
        if (before.getLastPingAt() != null && !heard.isAfter(before.getLastPingAt())) {
            return new Step(before, null); // a retried or reordered ping: the later one already counted
        }
        HeartbeatState after = HeartbeatState.newBuilder(before)
                .setLastPingAt(heard)
                .setDueAt(deadline(before, heard))
                .setMissedSince(null)
                .build();
        return new Step(after, before.getMissedSince() != null ? alert(after, AlertStatus.RESOLVED, heard, before.getMissedSince(), "heard again at " + heard) : null);
    }

    /** A deadline came due: it fires if the heartbeat still waits on exactly that deadline. */
    public static Step due(HeartbeatState before, Instant dueAt, Instant now) {
        if (before == null || before.getDueAt() == null || !before.getDueAt().equals(dueAt)) {
            return new Step(before, null);
        }
        HeartbeatState after = HeartbeatState.newBuilder(before).setDueAt(null).setMissedSince(dueAt).build();
        return new Step(after, alert(after, AlertStatus.FIRING, now, dueAt, null));
    }

    private static Instant deadline(HeartbeatState state, Instant from) {
        return from.plus(Duration.ofSeconds((long) state.getIntervalSeconds() + state.getGraceSeconds()));
    }

    /** The missed alert, keyed by the heartbeat: the one that fired and the one that resolves it share the fingerprint. */
    private static Alert alert(HeartbeatState state, AlertStatus status, Instant now, Instant missedSince, String resolution) {
        String summary = state.getSummary() != null ? state.getSummary() : "Heartbeat missed: " + state.getName();
        String description = status == AlertStatus.FIRING
                ? "No ping from " + state.getName() + " (" + state.getHeartbeatId() + ") since "
                        + (state.getLastPingAt() == null ? "it was configured at " + state.getArmedAt() : state.getLastPingAt())
                        + "; one is expected every " + state.getIntervalSeconds() + " s"
                        + (state.getGraceSeconds() > 0 ? " (grace " + state.getGraceSeconds() + " s)" : "") + "."
                : state.getName() + " (" + state.getHeartbeatId() + ") was due by " + missedSince + "; resolved: " + resolution + ".";
        return Alert.newBuilder()
                .setFingerprint(FINGERPRINT_PREFIX + state.getHeartbeatId())
                .setStatus(status)
                .setSeverity(state.getSeverity())
                .setSummary(summary)
                .setDescription(description)
                .setLabels(Map.of("alertname", ALERTNAME, "heartbeat", state.getHeartbeatId(), "service", state.getServiceId()))
                .setAnnotations(Map.of())
                .setSource("alert-ingest/heartbeat")
                .setIntegrationId(state.getHeartbeatId())
                .setService(state.getServiceId())
                .setStartsAt(missedSince)
                .setEndsAt(status == AlertStatus.RESOLVED ? now : null)
                .setReceivedAt(now)
                .setRawFormat(RawFormat.GENERIC)
                .build();
    }
}
