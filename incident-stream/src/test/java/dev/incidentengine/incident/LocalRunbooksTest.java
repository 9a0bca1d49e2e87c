package dev.incidentengine.incident;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.configdata.ConfigData;
import dev.incidentengine.incident.domain.ResponseRules;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.config.IncidentTypeConfig;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.model.config.RunbookConfig;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TierConfig;
import dev.incidentengine.testkit.Samples;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** deploy/local's response process as the aggregate compiles it: the seeds' seven runbooks, and the alerts each one catches. */
class LocalRunbooksTest {

    private static final Map<String, String> LOCAL_ENV = Map.of("LOCAL_SINK_URL", "http://127.0.0.1:8089",
            "LOCAL_ENGINE_URL", "http://127.0.0.1:8080");
    private static final List<ConfigData.Entry> ENTRIES = ConfigData.readDirectory(Path.of("../deploy/local"), LOCAL_ENV);
    private static final ResponseRules RULES = ResponseRules.of(all(RoleConfig.class), all(IncidentTypeConfig.class),
            all(RunbookConfig.class), all(TierConfig.class), all(ServiceConfig.class));

    @Test
    void theSevenRunbooksAreValid_andTheRolesAndTypesAreTheDefaultsWrittenOut() {
        assertThat(RULES.problems()).isEmpty();
        assertThat(all(RunbookConfig.class)).extracting(RunbookConfig::getId).containsExactlyInAnyOrder("service-down", "high-error-rate",
                "high-latency", "database-issues", "memory-leak", "security-breach", "third-party-outage");
        assertThat(all(RunbookConfig.class)).allSatisfy(runbook -> assertThat(runbook.getSteps()).hasSizeGreaterThanOrEqualTo(5));
        assertThat(all(RoleConfig.class)).containsExactlyElementsOf(ResponseRules.DEFAULT_ROLES);
        assertThat(all(IncidentTypeConfig.class)).containsExactlyElementsOf(ResponseRules.DEFAULT_TYPES);
    }

    @ParameterizedTest
    @CsvSource(nullValues = "-", value = {
            "ServiceDown,           -,           service-down",
            "CheckoutUnavailable,   -,           service-down",
            "KubePodCrashLooping,   -,           service-down",
            "HighErrorRate,         -,           high-error-rate",
            "Checkout5xx,           -,           high-error-rate",
            "HighLatency,           -,           high-latency",
            "CheckoutSlowResponses, -,           high-latency",
            "PostgresReplicationLag,-,           database-issues",
            "CheckoutDBConnections, -,           database-issues",
            "DatabaseDown,          -,           database-issues",
            "ContainerOOMKilled,    -,           memory-leak",
            "JvmHeapUsageHigh,      -,           memory-leak",
            "SuspiciousLogins,      security,    security-breach",
            "ServiceDown,           security,    security-breach",
            "PaymentErrors,         third-party, third-party-outage",
            "DiskAlmostFull,        -,           -",
            "FeedbackFormBroken,    -,           -",
            "ZoomWebhookLag,        -,           -",
    })
    void commonAlertsOpenWithTheirRunbook(String alertname, String type, String runbook) {
        Map<String, String> labels = new HashMap<>(Map.of("alertname", alertname, "service", "checkout"));
        if (type != null) {
            labels.put("type", type);
        }
        Alert alert = Samples.alert("fp").setLabels(labels).setSummary(alertname).build();

        assertThat(RULES.runbookFor(alert, "checkout", null).map(RunbookConfig::getId).orElse(null)).isEqualTo(runbook);
    }

    private static <C> List<C> all(Class<C> type) {
        return ENTRIES.stream().map(ConfigData.Entry::value).filter(type::isInstance).map(type::cast).toList();
    }
}
