package dev.incidentengine.schemas;

import dev.incidentengine.model.config.RunbookConfig;

/**
 * What a runbook may hold: an incident keeps a copy of its steps in its state, so they are bounded. The config loader
 * refuses a runbook past them, and the aggregate skips one that reached a topic anyway.
 */
public final class RunbookLimits {

    public static final int MAX_STEPS = 50;
    public static final int MAX_STEP_TEXT = 2_000;

    private RunbookLimits() {
    }

    /** Why the runbook cannot be attached as configured, or null. */
    public static String problem(RunbookConfig runbook) {
        if (runbook.getSteps().isEmpty()) {
            return "needs at least one step";
        }
        if (runbook.getSteps().size() > MAX_STEPS) {
            return "has " + runbook.getSteps().size() + " steps, more than " + MAX_STEPS;
        }
        for (int i = 0; i < runbook.getSteps().size(); i++) {
            String step = runbook.getSteps().get(i);
            if (step.isBlank() || step.length() > MAX_STEP_TEXT) {
                return "step " + (i + 1) + " must be 1 to " + MAX_STEP_TEXT + " characters";
            }
        }
        return null;
    }
}
