package dev.incidentengine.configdata;

import dev.incidentengine.model.config.EscalationLevel;
import dev.incidentengine.model.config.EscalationPolicyConfig;

import static dev.incidentengine.schemas.ConfigProblem.require;

/** An escalation policy's rules beyond the schema, as escalation-stream walks it. */
final class EscalationPolicyChecks {

    /** Repeats of the whole policy: each pages every level again, so they are few. */
    private static final int MAX_REPEAT = 9;

    private EscalationPolicyChecks() {
    }

    /** @throws dev.incidentengine.schemas.ConfigProblem naming the first field that breaks them */
    static void check(EscalationPolicyConfig policy) {
        require(!policy.getLevels().isEmpty(), "levels", "must hold at least one level");
        for (int i = 0; i < policy.getLevels().size(); i++) {
            EscalationLevel level = policy.getLevels().get(i);
            String field = "levels[" + i + "]";
            require(!level.getTargets().isEmpty(), field + ".targets", "must hold at least one target");
            for (int j = 0; j < level.getTargets().size(); j++) {
                require(!level.getTargets().get(j).getId().isBlank(), field + ".targets[" + j + "].id", "must not be blank");
            }
            require(level.getDelayMinutes() >= 1, field + ".delayMinutes",
                    "must be at least 1, not " + level.getDelayMinutes() + " (a delay of 0 would page every level at once)");
        }
        require(policy.getRepeat() >= 0 && policy.getRepeat() <= MAX_REPEAT, "repeat",
                "must be between 0 and " + MAX_REPEAT + ", not " + policy.getRepeat());
        Integer ackTimeout = policy.getAckTimeoutMinutes();
        require(ackTimeout == null || ackTimeout >= 1, "ackTimeoutMinutes", "must be at least 1 when given, not " + ackTimeout);
    }
}
