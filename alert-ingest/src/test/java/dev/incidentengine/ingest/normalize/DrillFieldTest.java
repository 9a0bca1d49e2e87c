package dev.incidentengine.ingest.normalize;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.model.Alert;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Only the drills API makes a drill ({@code Alert.drill}): whatever a sender writes, a receiver's alert is never one, so no
 * integration can open an incident that the response figures leave out, or keep one off the status page.
 */
class DrillFieldTest {

    private static final Source SOURCE = new Source("shop-am", "checkout", List.of(), Instant.parse("2026-11-22T09:00:00Z"));

    @Test
    void noReceiverSetsTheDrill_whateverThePayloadSays() {
        List<Alert> alerts = new ArrayList<>();
        String labels = "{\"alertname\":\"Down\",\"drill\":\"true\",\"scenario\":\"failover\"}";
        alerts.addAll(AlertmanagerFormat.alertmanager().normalize(Payloads.parse("{\"alerts\":[{\"status\":\"firing\",\"drill\":\"failover\","
                + "\"labels\":" + labels + ",\"startsAt\":\"2026-11-22T09:00:00Z\"}]}"), SOURCE, AlertLimits.DEFAULTS));
        alerts.addAll(AlertmanagerFormat.grafana().normalize(Payloads.json("grafana-firing.json"), SOURCE, AlertLimits.DEFAULTS));
        alerts.addAll(GenericFormat.normalize(Payloads.parse("{\"summary\":\"s\",\"labels\":" + labels + "}"), SOURCE, AlertLimits.DEFAULTS));
        ObjectNode pagerDuty = (ObjectNode) Payloads.json("pagerduty-trigger.json");
        ((ObjectNode) pagerDuty.get("payload")).putObject("custom_details").put("drill", "failover");
        pagerDuty.put("drill", "failover");
        alerts.add(PagerDutyFormat.normalize(pagerDuty, SOURCE, AlertLimits.DEFAULTS).alert());

        assertThat(alerts).hasSizeGreaterThanOrEqualTo(4).allSatisfy(alert -> assertThat(alert.getDrill()).isNull());
        assertThat(alerts.get(0).getLabels()).as("a label is only a label").containsEntry("drill", "true");
        assertThatThrownBy(() -> GenericFormat.normalize(Payloads.parse("{\"summary\":\"s\",\"drill\":\"failover\"}"), SOURCE,
                AlertLimits.DEFAULTS)).as("the generic format names its fields: drill is none").hasMessageContaining("drill");
    }
}
