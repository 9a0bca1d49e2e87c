package dev.incidentengine.schemas;

import dev.incidentengine.model.config.HeartbeatSettings;

import static dev.incidentengine.schemas.ConfigProblem.require;

/**
 * An integration's heartbeat rules, checked by the config loader and again by alert-ingest, which leaves a heartbeat
 * that breaks them off (with an ERROR) rather than paging on nonsense.
 */
public final class HeartbeatLimits {

    /** Below this a heartbeat pages for a scheduler's jitter. */
    public static final int MIN_INTERVAL_SECONDS = 10;
    /** A week: a silence longer than that is not a heartbeat any more. */
    public static final int MAX_INTERVAL_SECONDS = 7 * 24 * 3600;
    public static final int MAX_GRACE_SECONDS = 24 * 3600;
    public static final int MAX_ALERTNAME_LENGTH = 128;

    private HeartbeatLimits() {
    }

    /** @throws ConfigProblem naming the first field that breaks them */
    public static void check(HeartbeatSettings heartbeat) {
        require(heartbeat.getIntervalSeconds() >= MIN_INTERVAL_SECONDS && heartbeat.getIntervalSeconds() <= MAX_INTERVAL_SECONDS,
                "heartbeat.intervalSeconds", "must be between " + MIN_INTERVAL_SECONDS + " and " + MAX_INTERVAL_SECONDS + ", not "
                        + heartbeat.getIntervalSeconds());
        require(heartbeat.getGraceSeconds() >= 0 && heartbeat.getGraceSeconds() <= MAX_GRACE_SECONDS, "heartbeat.graceSeconds",
                "must be between 0 and " + MAX_GRACE_SECONDS + ", not " + heartbeat.getGraceSeconds());
        require(heartbeat.getAlertname() == null || !heartbeat.getAlertname().isBlank()
                && heartbeat.getAlertname().length() <= MAX_ALERTNAME_LENGTH, "heartbeat.alertname",
                "must be a label value of 1 to " + MAX_ALERTNAME_LENGTH + " characters, such as Watchdog");
        require(heartbeat.getSummary() == null || heartbeat.getSummary().length() <= 1024, "heartbeat.summary",
                "must be at most 1024 characters");
    }

    /** The first problem, or null. */
    public static String problem(HeartbeatSettings heartbeat) {
        try {
            check(heartbeat);
            return null;
        } catch (ConfigProblem e) {
            return e.getMessage();
        }
    }
}
