package dev.incidentengine.incident.domain;

import java.time.Duration;

/**
 * The rules of the lifecycle that are settings, not code.
 *
 * @param reopenWindow an alert that fires again within this time after the incident resolved reopens it
 * @param flapReopens more reopens than this within {@code flapWindow} mark the incident flapping
 * @param flapWindow the window flapping is counted in
 * @param flapQuietPeriod a flapping incident whose alerts all resolved resolves after this long without a new firing
 * @param closeDelay a resolved incident closes this long after it resolved (zero: only by command)
 * @param rememberedCommands how many recent command ids an incident keeps to ignore repeats
 * @param reviewDue a post-incident review is due this long after resolution (or after a person asked for it)
 * @param resolveSettle an incident whose alerts all resolved resolves this long after the engine saw the last
 *        resolution, unless an alert fires meanwhile (zero: at once). Alerts of one key arrive through different
 *        partitions; under a backlog the resolutions read first would otherwise resolve an incident whose other
 *        alerts are still on their way, and those would reopen it.
 */
public record LifecyclePolicy(Duration reopenWindow, int flapReopens, Duration flapWindow, Duration flapQuietPeriod,
                              Duration closeDelay, int rememberedCommands, Duration reviewDue, Duration resolveSettle) {

    public static final LifecyclePolicy DEFAULT = new LifecyclePolicy(Duration.ofMinutes(30), 3, Duration.ofMinutes(60),
            Duration.ofMinutes(15), Duration.ofHours(1), 100, Duration.ofHours(48), Duration.ofSeconds(5));

    public LifecyclePolicy {
        if (reopenWindow.isNegative() || flapWindow.isNegative() || flapQuietPeriod.isNegative() || closeDelay.isNegative()
                || flapReopens < 1 || rememberedCommands < 1 || reviewDue.isNegative() || reviewDue.isZero()
                || resolveSettle.isNegative()) {
            throw new IllegalArgumentException("Invalid lifecycle policy: " + java.util.Arrays.asList(reopenWindow, flapReopens,
                    flapWindow, flapQuietPeriod, closeDelay, rememberedCommands, reviewDue, resolveSettle));
        }
    }

    /** The same policy resolving at once when the alerts resolved (no settle time). */
    public LifecyclePolicy withResolveSettle(Duration settle) {
        return new LifecyclePolicy(reopenWindow, flapReopens, flapWindow, flapQuietPeriod, closeDelay, rememberedCommands,
                reviewDue, settle);
    }
}
