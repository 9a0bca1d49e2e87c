package dev.incidentengine.incident.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.incident.query.IncidentQueries.LocalMatches;
import dev.incidentengine.incident.query.IncidentQueries.MatchedAlert;
import dev.incidentengine.incident.query.IncidentQueries.MatchedIncident;
import dev.incidentengine.incident.query.QueryKeys;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.Severity;
import dev.incidentengine.testkit.Samples;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SilencePreviewTest {

    private static final Instant NOW = Samples.T0;

    @Test
    void itMatchesAsTheStreamsSilencesDo_labelsFirst_thenServiceSeverityAndSummary_anAbsentLabelEmpty() {
        Alert alert = Samples.alert("fp-1").setLabels(Map.of("env", "prod")).setService("checkout").build();

        assertThat(matches(alert, "service=\"checkout\"", "severity=\"SEV2\"")).isTrue();
        assertThat(matches(alert, "alertname=\"High error rate on checkout\"")).isTrue();
        assertThat(matches(alert, "env=~\"prod|staging\"", "team=\"\"")).isTrue();
        assertThat(matches(alert, "env=~\"pro\"")).as("anchored at both ends").isFalse();
        assertThat(matches(alert, "env!=\"prod\"", "service=\"checkout\"")).isFalse();
        assertThat(matches(Samples.alert("fp-2").setLabels(Map.of("service", "payments")).setService("checkout").build(),
                "service=\"checkout\"")).as("the label comes before the alert's service").isFalse();
    }

    @Test
    void partsMergeInListOrder_countsSum_theListsAreCut_andPlacesAreNotShown() {
        IncidentState newer = incident("INC-2", NOW.plusSeconds(60));
        IncidentState older = incident("INC-1", NOW);
        List<MatchedAlert> manyOfNewer = new ArrayList<>();
        for (int i = 0; i < SilencePreview.LIMITS.listed(); i++) {
            manyOfNewer.add(matched(newer, i + 1));
        }
        LocalMatches here = new LocalMatches(List.of(matched(older, 0)), List.of(new MatchedIncident(position(older), older, 1)),
                1, 1, 10, false, Set.of(0, 1, 2));
        LocalMatches there = new LocalMatches(manyOfNewer, List.of(new MatchedIncident(position(newer), newer, 250)), 250, 1, 10_000, true,
                Set.of(3, 4, 5));

        List<JsonNode> parts = List.of(SilencePreview.part(here), SilencePreview.part(there));
        JsonNode answer = SilencePreview.answer(parts);

        assertThat(SilencePreview.partitions(parts)).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
        assertThat(answer.get("matchingAlerts").asLong()).isEqualTo(251);
        assertThat(answer.get("matchingIncidents").asLong()).isEqualTo(2);
        assertThat(answer.get("scannedAlerts").asLong()).isEqualTo(10_010);
        assertThat(answer.get("truncated").asBoolean()).isTrue();
        assertThat(answer.get("alerts")).hasSize(SilencePreview.LIMITS.listed());
        assertThat(answer.get("alerts").get(0).get("fingerprint").asText()).as("the newest incident first, its alerts in order").isEqualTo("INC-2/1");
        assertThat(answer.get("alerts").get(0).get("incidentTitle").asText()).isEqualTo("Title of INC-2");
        assertThat(answer.get("alerts").get(0).get("labels").get("alertname").asText()).isEqualTo("HighErrorRate");
        assertThat(answer.get("alerts").get(0).has("position")).isFalse();
        assertThat(answer.get("alerts").get(0).has("ordinal")).isFalse();
        assertThat(answer.get("incidents")).extracting(incident -> incident.get("incidentId").asText()).containsExactly("INC-2", "INC-1");
        assertThat(answer.get("incidents").get(0).get("matchingAlerts").asLong()).isEqualTo(250);
        assertThat(answer.get("incidents").get(1).get("status").asText()).isEqualTo("TRIGGERED");
        assertThat(answer.get("limits").get("scannedAlertsPerInstance").asInt()).isEqualTo(10_000);
    }

    private static boolean matches(Alert alert, String... matchers) {
        Predicate<Alert> matching = SilencePreview.matching(SilenceRequests.previewMatchers(Map.of("matchers", List.of(matchers))), "alice",
                NOW);
        return matching.test(alert);
    }

    private static MatchedAlert matched(IncidentState incident, long ordinal) {
        return new MatchedAlert(position(incident), ordinal, incident, Samples.alert(incident.getIncidentId() + "/" + ordinal).build());
    }

    private static String position(IncidentState incident) {
        return QueryKeys.position(incident.getOpenedAt(), incident.getIncidentId());
    }

    private static IncidentState incident(String id, Instant openedAt) {
        return IncidentState.newBuilder().setIncidentId(id).setVersion(1).setStatus(IncidentStatus.TRIGGERED).setSeverity(Severity.SEV2)
                .setTitle("Title of " + id).setService("checkout").setOpenedAt(openedAt).build();
    }
}
