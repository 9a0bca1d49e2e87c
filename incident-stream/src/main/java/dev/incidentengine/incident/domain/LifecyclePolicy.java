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
 */
public record LifecyclePolicy(Duration reopenWindow, int flapReopens, Duration flapWindow, Duration flapQuietPeriod,
                              Duration closeDelay, int rememberedCommands, Duration reviewDue) {

    public static final LifecyclePolicy DEFAULT = new LifecyclePolicy(Duration.ofMinutes(30), 3, Duration.ofMinutes(60),
            Duration.ofMinutes(15), Duration.ofHours(1), 100, Duration.ofHours(48));

    public LifecyclePolicy {
        if (reopenWindow.isNegative() || flapWindow.isNegative() || flapQuietPeriod.isNegative() || closeDelay.isNegative()
                || flapReopens < 1 || rememberedCommands < 1 || reviewDue.isNegative() || reviewDue.isZero()) {
            throw new IllegalArgumentException("Invalid lifecycle policy: " + reopenWindow + ", " + flapReopens + ", "
                    + flapWindow + ", " + flapQuietPeriod + ", " + closeDelay + ", " + rememberedCommands + ", " + reviewDue);
        }
    }
}
