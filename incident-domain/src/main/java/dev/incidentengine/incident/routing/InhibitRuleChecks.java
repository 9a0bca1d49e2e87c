package dev.incidentengine.incident.routing;

import dev.incidentengine.model.config.InhibitRuleConfig;

import static dev.incidentengine.schemas.ConfigProblem.require;

/** An inhibit rule's rules beyond its schema, so the config loader refuses what {@link InhibitRules} would skip. */
public final class InhibitRuleChecks {

    private InhibitRuleChecks() {
    }

    /** @throws dev.incidentengine.schemas.ConfigProblem naming the first field that breaks them */
    public static void check(InhibitRuleConfig rule) {
        require(!rule.getSourceMatchers().isEmpty(), "sourceMatchers", "must hold at least one matcher");
        require(!rule.getTargetMatchers().isEmpty(), "targetMatchers", "must hold at least one matcher");
        LabelMatchers.check(rule.getSourceMatchers(), "sourceMatchers");
        LabelMatchers.check(rule.getTargetMatchers(), "targetMatchers");
    }
}
