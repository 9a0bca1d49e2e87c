package dev.incidentengine.incident.routing;

import java.time.Duration;
import java.util.List;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.Severity;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.incident.routing.TestAlerts.alert;
import static dev.incidentengine.incident.routing.TestAlerts.eq;
import static dev.incidentengine.incident.routing.TestAlerts.ne;
import static dev.incidentengine.incident.routing.TestAlerts.nre;
import static dev.incidentengine.incident.routing.TestAlerts.re;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class AlertMatcherTest {

    private final Alert latency = alert("a", "alertname", "HighLatency", "env", "prod");
    private final Alert bare = alert("b");

    @Test
    void givenEqual_thenComparesTheWholeValueAndAbsentIsEmpty() {
        assertThat(AlertMatcher.of(List.of(eq("alertname", "HighLatency"))).matches(latency)).isTrue();
        assertThat(AlertMatcher.of(List.of(eq("alertname", "HighLatenc"))).matches(latency)).isFalse();
        assertThat(AlertMatcher.of(List.of(eq("alertname", "highlatency"))).matches(latency)).isFalse();
        assertThat(AlertMatcher.of(List.of(eq("team", ""))).matches(latency)).isTrue();
        assertThat(AlertMatcher.of(List.of(eq("team", "x"))).matches(bare)).isFalse();
    }

    @Test
    void givenNotEqual_thenAbsentLabelIsEmpty() {
        assertThat(AlertMatcher.of(List.of(ne("env", "prod"))).matches(latency)).isFalse();
        assertThat(AlertMatcher.of(List.of(ne("env", "dev"))).matches(latency)).isTrue();
        assertThat(AlertMatcher.of(List.of(ne("env", "prod"))).matches(bare)).isTrue();
        assertThat(AlertMatcher.of(List.of(ne("env", ""))).matches(bare)).isFalse();
    }

    @Test
    void matchesEmpty_tellsWhichMatchersAlsoMatchAnAbsentLabel() {
        assertThat(AlertMatcher.matchesEmpty(eq("service", "checkout"))).isFalse();
        assertThat(AlertMatcher.matchesEmpty(re("env", "prod|dev"))).isFalse();
        assertThat(AlertMatcher.matchesEmpty(nre("env", ".*"))).isFalse();
        assertThat(AlertMatcher.matchesEmpty(eq("team", ""))).isTrue();
        assertThat(AlertMatcher.matchesEmpty(re("env", ".*"))).isTrue();
        assertThat(AlertMatcher.matchesEmpty(ne("env", "prod"))).isTrue();
        assertThat(AlertMatcher.matchesEmpty(nre("env", "dev|test"))).isTrue();
        assertThatThrownBy(() -> AlertMatcher.matchesEmpty(re("env", "(x"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenACatastrophicallyBacktrackingPattern_thenMatchingStaysLinear() {
        // java.util.regex takes about 24 s for this on JDK 17; the stream thread would stall that long per alert.
        Alert hostile = alert("h", "alertname", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab");
        AlertMatcher matcher = AlertMatcher.of(List.of(re("alertname", "(.*a){12}")));

        boolean matched = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> matcher.matches(hostile));
        assertThat(matched).isFalse();
        assertThat(AlertMatcher.of(List.of(re("alertname", "(.*a){12}b"))).matches(hostile)).isTrue();
    }

    @Test
    void givenSyntaxRe2Lacks_thenTheMatcherIsRefused() {
        assertThatThrownBy(() -> AlertMatcher.of(List.of(re("alertname", "(a)\\1")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid regular expression");
        assertThatThrownBy(() -> AlertMatcher.of(List.of(re("alertname", "(?=a)a")))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenRegex_thenItIsAnchoredAtBothEnds() {
        assertThat(AlertMatcher.of(List.of(re("alertname", "High.*"))).matches(latency)).isTrue();
        assertThat(AlertMatcher.of(List.of(re("alertname", "Latency"))).matches(latency)).isFalse();
        assertThat(AlertMatcher.of(List.of(re("alertname", "High"))).matches(latency)).isFalse();
        assertThat(AlertMatcher.of(List.of(re("env", "dev|prod"))).matches(latency)).isTrue();
        assertThat(AlertMatcher.of(List.of(re("env", "dev|pro"))).matches(latency)).isFalse();
        assertThat(AlertMatcher.of(List.of(re("env", ".*"))).matches(bare)).isTrue();
        assertThat(AlertMatcher.of(List.of(re("env", ".+"))).matches(bare)).isFalse();
    }

    @Test
    void givenNotRegex_thenItIsAnchoredAndAbsentIsEmpty() {
        assertThat(AlertMatcher.of(List.of(nre("env", "dev|test"))).matches(latency)).isTrue();
        assertThat(AlertMatcher.of(List.of(nre("env", "pr.*"))).matches(latency)).isFalse();
        assertThat(AlertMatcher.of(List.of(nre("env", "pr"))).matches(latency)).isTrue();
        assertThat(AlertMatcher.of(List.of(nre("env", ".+"))).matches(bare)).isTrue();
        assertThat(AlertMatcher.of(List.of(nre("env", ""))).matches(bare)).isFalse();
    }

    @Test
    void givenSeveralMatchers_thenAllMustMatch_andNoneMatchesEverything() {
        assertThat(AlertMatcher.of(List.of(eq("alertname", "HighLatency"), eq("env", "prod"))).matches(latency)).isTrue();
        assertThat(AlertMatcher.of(List.of(eq("alertname", "HighLatency"), eq("env", "dev"))).matches(latency)).isFalse();
        assertThat(AlertMatcher.of(List.of()).matches(bare)).isTrue();
    }

    @Test
    void givenServiceSeverityOrAlertname_thenLabelsComeFirstThenTheAlertsFields() {
        Alert withFields = Alert.newBuilder(alert("c")).setService("checkout").setSeverity(Severity.SEV1).build();
        Alert withLabels = Alert.newBuilder(alert("d", "service", "billing", "severity", "critical"))
                .setService("checkout").build();

        assertThat(AlertMatcher.labelValue(withFields, "service")).isEqualTo("checkout");
        assertThat(AlertMatcher.labelValue(withFields, "severity")).isEqualTo("SEV1");
        assertThat(AlertMatcher.labelValue(withLabels, "service")).isEqualTo("billing");
        assertThat(AlertMatcher.labelValue(withLabels, "severity")).isEqualTo("critical");
        assertThat(AlertMatcher.labelValue(bare, "service")).isNull();
        assertThat(AlertMatcher.labelValue(bare, "alertname")).isEqualTo(bare.getSummary());
        assertThat(AlertMatcher.labelValue(latency, "alertname")).isEqualTo("HighLatency");
        assertThat(AlertMatcher.labelValue(bare, "env")).isNull();
        assertThat(AlertMatcher.of(List.of(re("severity", "SEV0|SEV1"))).matches(withFields)).isTrue();
        assertThat(AlertMatcher.of(List.of(eq("service", "checkout"))).matches(withFields)).isTrue();
        assertThat(AlertMatcher.of(List.of(eq("service", "checkout"))).matches(withLabels)).isFalse();
    }

    @Test
    void givenBadRegex_thenTheExceptionNamesTheMatcher() {
        assertThatThrownBy(() -> AlertMatcher.of(List.of(eq("env", "prod"), re("service", "check(out"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("service=~\"check(out\"")
                .hasMessageContaining("invalid regular expression");
        assertThatThrownBy(() -> AlertMatcher.of(List.of(nre("env", "*"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("env!~\"*\"");
    }

    @Test
    void toStringUsesAlertmanagerNotation() {
        assertThat(AlertMatcher.of(List.of(eq("a", "x\"y"), ne("b", "1"), re("c", "2|3"), nre("d", "4"))))
                .hasToString("{a=\"x\\\"y\", b!=\"1\", c=~\"2|3\", d!~\"4\"}");
    }
}
