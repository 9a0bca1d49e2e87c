package dev.incidentengine.incident.domain;

import dev.incidentengine.incident.routing.LabelMatchers;
import dev.incidentengine.model.config.RunbookConfig;
import dev.incidentengine.schemas.ConfigFields;
import dev.incidentengine.schemas.RunbookLimits;

import static dev.incidentengine.schemas.ConfigProblem.require;

/** A runbook's rules beyond its schema: matchers as routes have them, and the steps an incident can hold ({@link RunbookLimits}). */
public final class RunbookChecks {

    private RunbookChecks() {
    }

    /** @throws dev.incidentengine.schemas.ConfigProblem naming the first field that breaks them */
    public static void check(RunbookConfig runbook) {
        LabelMatchers.check(runbook.getMatchers(), "matchers");
        String problem = RunbookLimits.problem(runbook);
        require(problem == null, "steps", problem);
        if (runbook.getUrl() != null) {
            ConfigFields.httpUrl(runbook.getUrl(), "url");
        }
        ConfigFields.id(runbook.getId(), "id");
    }
}
