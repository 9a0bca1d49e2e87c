package dev.incidentengine.ingest.normalize;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.Link;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.Severity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlertmanagerFormatTest {

    private static final Instant NOW = Instant.parse("2026-11-22T09:00:01Z");
    private static final Source SOURCE = new Source("prod-am", "shop", List.of("checkout"), NOW);

    @Test
    void givenFiringWebhook_thenAlertKeepsIdentityLabelsLinksAndOpenEnd() {
        List<Alert> alerts = AlertmanagerFormat.alertmanager().normalize(Payloads.json("alertmanager-firing.json"), SOURCE, AlertLimits.DEFAULTS);

        assertThat(alerts).singleElement().satisfies(alert -> {
            assertThat(alert.getFingerprint()).isEqualTo("prod-am/b4e1c5f6a7d8e9f0");
            assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
            assertThat(alert.getSeverity()).isEqualTo(Severity.SEV1);
            assertThat(alert.getSummary()).isEqualTo("5xx ratio above 5% on checkout");
            assertThat(alert.getDescription()).startsWith("The 5xx ratio");
            assertThat(alert.getLabels()).containsEntry("alertname", "HighErrorRate").containsEntry("job", "checkout");
            assertThat(alert.getSource()).isEqualTo("checkout-7d9f:8080");
            assertThat(alert.getService()).isEqualTo("checkout");
            assertThat(alert.getIntegrationId()).isEqualTo("prod-am");
            assertThat(alert.getStartsAt()).as("millisecond precision").isEqualTo(Instant.parse("2026-11-22T09:00:00.123Z"));
            assertThat(alert.getEndsAt()).as("Go zero time means still firing").isNull();
            assertThat(alert.getReceivedAt()).isEqualTo(NOW);
            assertThat(alert.getRawFormat()).isEqualTo(RawFormat.ALERTMANAGER);
            assertThat(alert.getLinks()).extracting(Link::getText).containsExactly("Source", "Runbook");
        });
    }

    @Test
    void givenResolvedWebhook_thenResolvedWithEndInUtc() {
        Alert alert = AlertmanagerFormat.alertmanager().normalize(Payloads.json("alertmanager-resolved.json"), SOURCE, AlertLimits.DEFAULTS).get(0);

        assertThat(alert.getStatus()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(alert.getEndsAt()).isEqualTo(Instant.parse("2026-11-22T08:42:10Z"));
        assertThat(alert.getFingerprint()).isEqualTo("prod-am/b4e1c5f6a7d8e9f0");
    }

    @Test
    void givenGroupedMixedBatch_thenEveryAlertWithItsOwnStatus_andLabelHashWhenNoFingerprint() {
        List<Alert> alerts = AlertmanagerFormat.alertmanager().normalize(Payloads.json("alertmanager-grouped-mixed.json"), SOURCE, AlertLimits.DEFAULTS);

        assertThat(alerts).extracting(Alert::getStatus)
                .containsExactly(AlertStatus.FIRING, AlertStatus.FIRING, AlertStatus.RESOLVED);
        assertThat(alerts.get(1).getFingerprint()).matches("prod-am/[0-9a-f]{16}");
        assertThat(alerts).extracting(Alert::getSeverity).containsOnly(Severity.SEV3);
        assertThat(alerts).extracting(Alert::getService).containsOnly("shop");
    }

    @Test
    void givenSameLabelsInAnyOrder_thenSameFingerprint() {
        String a = "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"a\":\"1\",\"b\":\"2\"},\"startsAt\":\"2026-11-22T09:00:00Z\"}]}";
        String b = "{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"b\":\"2\",\"a\":\"1\"},\"startsAt\":\"2026-11-22T09:00:00Z\"}]}";

        assertThat(AlertmanagerFormat.alertmanager().normalize(Payloads.parse(a), SOURCE, AlertLimits.DEFAULTS).get(0).getFingerprint())
                .isEqualTo(AlertmanagerFormat.alertmanager().normalize(Payloads.parse(b), SOURCE, AlertLimits.DEFAULTS).get(0).getFingerprint());
    }

    @Test
    void givenGrafanaWebhook_thenGrafanaLinksAndValuesKept() {
        Alert alert = AlertmanagerFormat.grafana().normalize(Payloads.json("grafana-firing.json"), SOURCE, AlertLimits.DEFAULTS).get(0);

        assertThat(alert.getRawFormat()).isEqualTo(RawFormat.GRAFANA);
        assertThat(alert.getSeverity()).isEqualTo(Severity.SEV2);
        assertThat(alert.getFingerprint()).isEqualTo("prod-am/57c6d9296de2ad39");
        assertThat(alert.getLinks()).extracting(Link::getText).containsExactly("Source", "Dashboard", "Panel", "Silence", "Image");
        assertThat(alert.getAnnotations()).containsEntry("values", "{\"B\":2.7,\"C\":1}");
        assertThat(alert.getSource()).isEqualTo("grafana.example");
    }

    @Test
    void givenBadAlertsInBatch_thenEveryProblemNamedWithItsAlert_andNothingAccepted() {
        ObjectNode body = (ObjectNode) Payloads.json("alertmanager-grouped-mixed.json");
        ((ObjectNode) body.get("alerts").get(1)).put("status", "pending");
        ((ObjectNode) body.get("alerts").get(2)).put("startsAt", "yesterday");
        ((ObjectNode) body.get("alerts").get(2)).remove("labels");

        assertThatThrownBy(() -> AlertmanagerFormat.alertmanager().normalize(body, SOURCE, AlertLimits.DEFAULTS))
                .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.errors()).containsExactlyInAnyOrder(
                        new FieldError("alerts[1].status", "must be firing or resolved, not 'pending'"),
                        new FieldError("alerts[2].labels", "is required"),
                        new FieldError("alerts[2].startsAt", "must be an RFC 3339 timestamp such as 2026-11-22T09:00:00Z, not 'yesterday'")));
    }

    @Test
    void givenEmptyOrMissingAlerts_thenRejected() {
        assertThatThrownBy(() -> AlertmanagerFormat.alertmanager().normalize(Payloads.parse("{\"alerts\":[]}"), SOURCE, AlertLimits.DEFAULTS))
                .hasMessageContaining("alerts: must not be empty");
        assertThatThrownBy(() -> AlertmanagerFormat.alertmanager().normalize(Payloads.parse("{\"status\":\"firing\"}"), SOURCE, AlertLimits.DEFAULTS))
                .hasMessageContaining("alerts: must be a list of alerts");
        assertThatThrownBy(() -> AlertmanagerFormat.alertmanager().normalize(Payloads.parse("[1,2]"), SOURCE, AlertLimits.DEFAULTS))
                .hasMessageContaining("body: must be an object");
        assertThatThrownBy(() -> AlertmanagerFormat.alertmanager().normalize(
                Payloads.parse("{\"alerts\":[{\"status\":\"firing\",\"labels\":{\"a\":1},\"startsAt\":42}]}"), SOURCE, AlertLimits.DEFAULTS))
                .hasMessageContaining("alerts[0].startsAt: must be an RFC 3339 timestamp");
    }
}
