package dev.incidentengine.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentTypeChanged;
import dev.incidentengine.model.ResponseTarget;
import dev.incidentengine.model.Severity;
import dev.incidentengine.testkit.Samples;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.testkit.Samples.T0;
import static dev.incidentengine.testkit.Samples.escalated;
import static dev.incidentengine.testkit.Samples.event;
import static dev.incidentengine.testkit.Samples.plan;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code incidentctl report}'s figures per type and tier: each incident judged by its tier's targets, filtered by both. */
class ReportTest {

    private static final Map<String, ResponseTarget> CORE_API = Map.of("SEV1", new ResponseTarget(5, 30));
    private static final Map<String, ResponseTarget> AUXILIARY = Map.of("SEV1", new ResponseTarget(30, 480));

    /** Three SEV1s, each acknowledged after 10 minutes and resolved after an hour; "plain" becomes deployment-related. */
    private static Map<String, List<IncidentEvent>> logs() {
        Map<String, List<IncidentEvent>> logs = new LinkedHashMap<>();
        logs.put("core", log("core", "checkout", "service-outage", "core-api", CORE_API));
        logs.put("aux", log("aux", "reports", "service-outage", "auxiliary", AUXILIARY));
        List<IncidentEvent> plain = new ArrayList<>(log("plain", "legacy", null, null, Map.of()));
        plain.add(event("plain", "plain-type", T0.plusSeconds(3_700), new IncidentTypeChanged(null, "deployment-related")));
        logs.put("plain", plain);
        return logs;
    }

    private static List<IncidentEvent> log(String id, String service, String type, String tier, Map<String, ResponseTarget> targets) {
        return List.of(event(id, id + "-1", T0, new IncidentOpened(id, Severity.SEV1, service, id, null, Map.of(), true, type, tier,
                        targets, null, null)),
                event(id, id + "-2", T0, new AlertAttached(Samples.alert("fp-" + id).setLabels(Map.of("alertname", "Alert" + id)).build())),
                escalated(id, id + "-3", T0.plusSeconds(1), 0, plan("pager-" + id, "EMAIL", 0)),
                event(id, id + "-4", T0.plusSeconds(600), new IncidentAcknowledged(null)),
                event(id, id + "-5", T0.plusSeconds(3_600), new IncidentResolved(null)));
    }

    private static JsonNode report(String type, String tier) {
        return Report.of(logs(), List.of(), T0.minusSeconds(60), null, type, tier, T0.plusSeconds(86_400));
    }

    @Test
    void perTierTargetsInTheReport_eachIncidentJudgedByItsOwnTiersTargets() {
        JsonNode all = report(null, null);

        assertThat(all.get("byTier").toString()).isEqualTo("[" + row("-", 1) + "," + row("auxiliary", 1) + "," + row("core-api", 0) + "]");
        assertThat(all.get("bySeverity").get(0).get("targetMet").asInt()).as("core-api's 5 min / 30 min missed, the others met")
                .isEqualTo(2);
        assertThat(all.get("byType").findValuesAsText("group")).as("plain's type set after it opened")
                .containsExactly("deployment-related", "service-outage");
    }

    @Test
    void aTierOrTypeNarrowsTheIncidents_theirAlertsAndTheirPages() {
        JsonNode core = report(null, "core-api");
        assertThat(core.get("incidents").asInt()).isEqualTo(1);
        assertThat(core.get("byService").findValuesAsText("group")).containsExactly("checkout");
        assertThat(core.get("bySeverity").get(0).get("targetMet").asInt()).isZero();

        JsonNode deployments = report("deployment-related", null);
        assertThat(deployments.get("incidents").asInt()).isEqualTo(1);
        assertThat(deployments.get("noisiestAlerts").findValuesAsText("alert")).as("its type was set after its alert attached")
                .containsExactly("legacy / Alertplain");
        assertThat(deployments.get("pagesPerResponder").findValuesAsText("user")).containsExactly("pager-plain");

        assertThat(report("service-outage", "auxiliary").get("byService").findValuesAsText("group")).containsExactly("reports");
        assertThat(report("security-incident", null).get("incidents").asInt()).isZero();
    }

    private static String row(String group, int targetMet) {
        return "{\"group\":\"" + group + "\",\"incidents\":1,\"acknowledgeMeanSeconds\":600,\"acknowledgeP50Seconds\":600,"
                + "\"acknowledgeP90Seconds\":600,\"resolveMeanSeconds\":3600,\"resolveP50Seconds\":3600,\"resolveP90Seconds\":3600,"
                + "\"targetMet\":" + targetMet + "}";
    }
}
