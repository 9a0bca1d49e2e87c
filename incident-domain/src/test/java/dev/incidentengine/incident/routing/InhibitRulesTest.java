package dev.incidentengine.incident.routing;

import java.util.List;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.config.InhibitRuleConfig;
import dev.incidentengine.model.config.LabelMatcher;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.incident.routing.TestAlerts.alert;
import static dev.incidentengine.incident.routing.TestAlerts.eq;
import static dev.incidentengine.incident.routing.TestAlerts.re;
import static org.assertj.core.api.Assertions.assertThat;

class InhibitRulesTest {

    /** While a node is down, the warnings of that instance open no incident. */
    private final InhibitRuleConfig nodeDown = rule("node-down", List.of(eq("alertname", "NodeDown")),
            List.of(eq("severity", "warning")), "instance");

    private final Alert downDb1 = alert("down-db1", "alertname", "NodeDown", "severity", "critical", "instance", "db-1");
    private final Alert warningDb1 = alert("warn-db1", "alertname", "DiskFull", "severity", "warning", "instance", "db-1");
    private final Alert warningDb2 = alert("warn-db2", "alertname", "DiskFull", "severity", "warning", "instance", "db-2");
    private final Alert criticalDb1 = alert("crit-db1", "alertname", "DiskFull", "severity", "critical", "instance", "db-1");

    @Test
    void givenFiringSourceWithEqualLabels_thenTheTargetIsInhibited() {
        InhibitRules rules = InhibitRules.of(List.of(nodeDown));

        assertThat(rules.inhibiting(warningDb1, List.of(downDb1))).contains("node-down");
    }

    @Test
    void aDrillNeverInhibitsARealAlert() {
        InhibitRules rules = InhibitRules.of(List.of(nodeDown));
        Alert drillDown = Alert.newBuilder(downDb1).setFingerprint("drill-1").setDrill("node-loss").build();

        assertThat(rules.isSource(drillDown)).isFalse();
        assertThat(rules.inhibiting(warningDb1, List.of(drillDown))).isEmpty();
        assertThat(rules.isSource(downDb1)).isTrue();
    }

    @Test
    void givenEqualLabelDiffers_thenNotInhibited() {
        InhibitRules rules = InhibitRules.of(List.of(nodeDown));

        assertThat(rules.inhibiting(warningDb2, List.of(downDb1))).isEmpty();
    }

    @Test
    void givenTargetOrSourceDoesNotMatch_thenNotInhibited() {
        InhibitRules rules = InhibitRules.of(List.of(nodeDown));

        assertThat(rules.inhibiting(criticalDb1, List.of(downDb1))).isEmpty();
        assertThat(rules.inhibiting(warningDb1, List.of(criticalDb1))).isEmpty();
        assertThat(rules.inhibiting(warningDb1, List.of())).isEmpty();
    }

    @Test
    void givenEqualLabelAbsentOnBoth_thenTheyAreEqual_andAbsentOnOneOnly_thenNot() {
        InhibitRules rules = InhibitRules.of(List.of(rule("by-cluster", List.of(eq("alertname", "NodeDown")),
                List.of(eq("severity", "warning")), "cluster")));
        Alert downNoCluster = alert("down", "alertname", "NodeDown");
        Alert warningNoCluster = alert("warn", "severity", "warning");
        Alert warningEmptyCluster = alert("warn-empty", "severity", "warning", "cluster", "");
        Alert warningInCluster = alert("warn-eu", "severity", "warning", "cluster", "eu-1");

        assertThat(rules.inhibiting(warningNoCluster, List.of(downNoCluster))).contains("by-cluster");
        assertThat(rules.inhibiting(warningEmptyCluster, List.of(downNoCluster))).contains("by-cluster");
        assertThat(rules.inhibiting(warningInCluster, List.of(downNoCluster))).isEmpty();
    }

    @Test
    void givenEqualOnService_thenTheAlertsServiceFieldCounts() {
        InhibitRules rules = InhibitRules.of(List.of(rule("by-service", List.of(eq("alertname", "NodeDown")),
                List.of(eq("severity", "warning")), "service")));
        Alert downCheckout = Alert.newBuilder(alert("down", "alertname", "NodeDown")).setService("checkout").build();
        Alert warningCheckout = Alert.newBuilder(alert("warn", "severity", "warning")).setService("checkout").build();
        Alert warningBilling = Alert.newBuilder(alert("warn-b", "severity", "warning")).setService("billing").build();

        assertThat(rules.inhibiting(warningCheckout, List.of(downCheckout))).contains("by-service");
        assertThat(rules.inhibiting(warningBilling, List.of(downCheckout))).isEmpty();
    }

    @Test
    void givenNoEqualLabels_thenAnyMatchingSourceInhibits() {
        InhibitRules rules = InhibitRules.of(List.of(rule("any", List.of(eq("alertname", "NodeDown")),
                List.of(eq("severity", "warning")))));

        assertThat(rules.inhibiting(warningDb2, List.of(downDb1))).contains("any");
    }

    @Test
    void givenTheSourceIsTheTargetItself_thenNotInhibited() {
        InhibitRules rules = InhibitRules.of(List.of(nodeDown));
        Alert olderVersionOfTheTarget = Alert.newBuilder(downDb1).setFingerprint(warningDb1.getFingerprint()).build();

        assertThat(rules.inhibiting(warningDb1, List.of(olderVersionOfTheTarget))).isEmpty();
        assertThat(rules.inhibiting(warningDb1, List.of(olderVersionOfTheTarget, downDb1))).contains("node-down");
    }

    @Test
    void givenTwoAlertsMatchingBothSides_thenTheyDoNotInhibitEachOther() {
        InhibitRules rules = InhibitRules.of(List.of(rule("critical-mutes-prod", List.of(eq("severity", "critical")),
                List.of(eq("env", "prod")), "cluster")));
        Alert first = alert("first", "severity", "critical", "env", "prod", "cluster", "eu-1");
        Alert second = alert("second", "severity", "critical", "env", "prod", "cluster", "eu-1");
        Alert outsideProd = alert("infra", "severity", "critical", "env", "infra", "cluster", "eu-1");

        assertThat(rules.inhibiting(first, List.of(second))).isEmpty();
        assertThat(rules.inhibiting(second, List.of(first))).isEmpty();
        assertThat(rules.inhibiting(first, List.of(second, outsideProd))).contains("critical-mutes-prod");
    }

    @Test
    void givenResolvedSource_thenItDoesNotInhibit() {
        InhibitRules rules = InhibitRules.of(List.of(nodeDown));
        Alert resolved = Alert.newBuilder(downDb1).setStatus(AlertStatus.RESOLVED).build();

        assertThat(rules.inhibiting(warningDb1, List.of(resolved))).isEmpty();
    }

    @Test
    void givenSeveralRules_thenTheLowestIdThatInhibits() {
        InhibitRuleConfig b = rule("b", List.of(eq("alertname", "NodeDown")), List.of(eq("severity", "warning")));
        InhibitRuleConfig a = rule("a", List.of(re("alertname", "Node.*")), List.of(eq("alertname", "DiskFull")), "instance");
        InhibitRuleConfig c = rule("0-other", List.of(eq("alertname", "Other")), List.of(eq("severity", "warning")));

        assertThat(InhibitRules.of(List.of(b, c, a)).inhibiting(warningDb1, List.of(downDb1))).contains("a");
        assertThat(InhibitRules.of(List.of(b, c, a)).inhibiting(warningDb2, List.of(downDb1))).contains("b");
    }

    @Test
    void isSourceWhenAnyRulesSourceMatchersMatch() {
        InhibitRules rules = InhibitRules.of(List.of(nodeDown,
                rule("db", List.of(eq("alertname", "DatabaseDown")), List.of(eq("team", "db")))));

        assertThat(rules.isSource(downDb1)).isTrue();
        assertThat(rules.isSource(alert("x", "alertname", "DatabaseDown"))).isTrue();
        assertThat(rules.isSource(warningDb1)).isFalse();
    }

    @Test
    void givenInvalidRules_thenTheyAreSkippedAndReported() {
        InhibitRuleConfig badSource = rule("bad-source", List.of(re("alertname", "Node(")), List.of(eq("severity", "warning")));
        InhibitRuleConfig badTarget = rule("bad-target", List.of(eq("alertname", "NodeDown")), List.of(re("severity", "+")));
        InhibitRuleConfig noSource = rule("no-source", List.of(), List.of(eq("severity", "warning")));
        InhibitRuleConfig noTarget = rule("no-target", List.of(eq("alertname", "NodeDown")), List.of());

        InhibitRules rules = InhibitRules.of(List.of(badSource, badTarget, noSource, noTarget));

        assertThat(rules.isEmpty()).isTrue();
        assertThat(rules.isSource(downDb1)).isFalse();
        assertThat(rules.inhibiting(warningDb1, List.of(downDb1))).isEmpty();
        assertThat(rules.problems()).hasSize(4);
        assertThat(rules.problems().get(0)).contains("inhibit rule 'bad-source'", "alertname=~\"Node(\"");
        assertThat(rules.problems().get(1)).contains("inhibit rule 'bad-target'", "severity=~\"+\"");
        assertThat(rules.problems().get(2)).contains("inhibit rule 'no-source'", "at least one source");
        assertThat(rules.problems().get(3)).contains("inhibit rule 'no-target'", "one target");
    }

    @Test
    void givenValidRules_thenNotEmptyAndNoProblems() {
        InhibitRules rules = InhibitRules.of(List.of(nodeDown));

        assertThat(rules.isEmpty()).isFalse();
        assertThat(rules.problems()).isEmpty();
        assertThat(InhibitRules.of(List.of()).isEmpty()).isTrue();
    }

    private static InhibitRuleConfig rule(String id, List<LabelMatcher> source, List<LabelMatcher> target, String... equal) {
        return InhibitRuleConfig.newBuilder().setId(id).setSourceMatchers(source).setTargetMatchers(target)
                .setEqual(List.of(equal)).build();
    }
}
