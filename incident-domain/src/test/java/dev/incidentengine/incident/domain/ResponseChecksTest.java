package dev.incidentengine.incident.domain;

import java.util.List;
import java.util.Map;

import dev.incidentengine.model.ResponseTarget;
import dev.incidentengine.model.config.IncidentTypeConfig;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.model.config.RunbookConfig;
import dev.incidentengine.model.config.TierConfig;
import dev.incidentengine.schemas.ConfigProblem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The response process's config checks: roles, incident types, runbooks, tiers. They name the field; the loader adds file and record. */
class ResponseChecksTest {

    @Test
    void roles() {
        RoleConfig role = RoleConfig.newBuilder().setId("commander").setName("Incident Commander").setRequiredSeverities(List.of("SEV0", "SEV1")).build();
        assertThatCode(() -> RoleChecks.check(role)).doesNotThrowAnyException();

        role.setRequiredSeverities(List.of("SEV1", "P1"));
        assertThatThrownBy(() -> RoleChecks.check(role)).isInstanceOf(ConfigProblem.class)
                .hasMessage("requiredSeverities[1]: must be SEV0…SEV4, not 'P1'");
        role.setRequiredSeverities(List.of());
        role.setRequiredWithinMinutes(0);
        assertThatThrownBy(() -> RoleChecks.check(role)).hasMessage("requiredWithinMinutes: must be at least 1, not 0");
        role.setRequiredWithinMinutes(5);
        role.setId("Commander");
        assertThatThrownBy(() -> RoleChecks.check(role)).hasMessageStartingWith("id: must be lower-case letters, digits and dashes");
    }

    @Test
    void incidentTypes() {
        assertThatCode(() -> IncidentTypeChecks.check(new IncidentTypeConfig("service-outage", "Service outage", null))).doesNotThrowAnyException();
        assertThatThrownBy(() -> IncidentTypeChecks.check(new IncidentTypeConfig("service outage", "Service outage", null)))
                .hasMessage("id: must be lower-case letters, digits and dashes (at most 64), not 'service outage'");
    }

    @Test
    void runbooks() {
        RunbookConfig runbook = RunbookConfig.newBuilder().setId("service-down").setTitle("Service down").setSteps(List.of("Check the dashboard"))
                .setMatchers(List.of(new LabelMatcher("alertname", MatchOp.REGEX, ".*Down"))).build();
        assertThatCode(() -> RunbookChecks.check(runbook)).doesNotThrowAnyException();

        runbook.setMatchers(List.of(new LabelMatcher("alertname", MatchOp.REGEX, "(?=x)")));
        assertThatThrownBy(() -> RunbookChecks.check(runbook)).hasMessageStartingWith("matchers[0].value: '(?=x)' is not a valid regular expression");
        runbook.setMatchers(List.of());
        runbook.setSteps(List.of());
        assertThatThrownBy(() -> RunbookChecks.check(runbook)).hasMessage("steps: needs at least one step");
        runbook.setSteps(List.of("Check the dashboard"));
        runbook.setUrl("wiki/service-down");
        assertThatThrownBy(() -> RunbookChecks.check(runbook)).hasMessage("url: must be an http(s) URL, not 'wiki/service-down'");
    }

    @Test
    void tiersAndTheirTargets() {
        TierConfig tier = new TierConfig("core-api", "Core API", null, Map.of("SEV1", new ResponseTarget(5, 30)));
        assertThatCode(() -> TierChecks.check(tier)).doesNotThrowAnyException();

        tier.setTargets(Map.of("SEV1", new ResponseTarget(30, 5)));
        assertThatThrownBy(() -> TierChecks.check(tier)).hasMessage("targets.SEV1.resolveMinutes: must be at least acknowledgeMinutes (30), not 5");
        assertThatThrownBy(() -> TierChecks.targets(Map.of("P1", new ResponseTarget(5, 30)), "responseTargets"))
                .hasMessage("responseTargets.P1: must be keyed SEV0…SEV4");
        assertThatThrownBy(() -> TierChecks.targets(Map.of("SEV2", new ResponseTarget(0, 30)), "responseTargets"))
                .hasMessage("responseTargets.SEV2.acknowledgeMinutes: must be at least 1, not 0");
    }
}
