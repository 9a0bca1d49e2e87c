package dev.incidentengine.incident.domain;

import java.time.Duration;

/**
 * The rules of the lifecycle that are settings, not code.
 *
 * @param reopenWindow an alert that fires again within this time after the incident resolved reopens it
 * @param flapReopens more reopens than this within {@code flapWindow} mark the incident flapping
 * @param flapWindow the window flapping is counted in
 * @param rememberedCommands how many recent command ids an incident keeps to ignore repeats
 */
public record LifecyclePolicy(Duration reopenWindow, int flapReopens, Duration flapWindow, int rememberedCommands) {

    public static final LifecyclePolicy DEFAULT = new LifecyclePolicy(Duration.ofMinutes(30), 3, Duration.ofMinutes(60), 100);

    public LifecyclePolicy {
        if (reopenWindow.isNegative() || flapWindow.isNegative() || flapReopens < 1 || rememberedCommands < 1) {
            throw new IllegalArgumentException("Invalid lifecycle policy: " + reopenWindow + ", " + flapReopens + ", "
                    + flapWindow + ", " + rememberedCommands);
        }
    }
}
