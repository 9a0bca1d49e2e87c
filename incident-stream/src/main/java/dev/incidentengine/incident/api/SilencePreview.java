package dev.incidentengine.incident.api;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.incident.query.IncidentQueries;
import dev.incidentengine.incident.query.IncidentQueries.LocalMatches;
import dev.incidentengine.incident.routing.Silences;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.service.api.ApiError;

/**
 * The silence preview ({@code GET /api/v1/silences/preview?matchers=...}): the firing alerts of open
 * incidents that a silence of these matchers would hold back when they fire again. Each alert is
 * judged by the engine's own {@link Silences}, on the alert as its incident holds it, which is what
 * incident-stream judges; every instance reads its own partitions, and the parts merge as a list's do.
 */
final class SilencePreview {

    /**
     * Per instance: at most 10,000 alerts of open incidents read (an incident counts as at least
     * one), 1,000 of any one incident; the first 100 matching alerts and incidents listed.
     */
    static final IncidentQueries.ScanLimits LIMITS = new IncidentQueries.ScanLimits(10_000, 1_000, 100);

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** How parts name an item's place in the list order; not part of the answer. */
    private static final String POSITION = "position";
    private static final String ORDINAL = "ordinal";

    private SilencePreview() {
    }

    /** Whether a silence of these matchers, active now, holds an alert back: compiled and judged by the stream's own code. */
    static Predicate<Alert> matching(List<LabelMatcher> matchers, String user, Instant now) {
        Silences silences = Silences.of(List.of(SilenceConfig.newBuilder().setId(SilenceRequests.PREVIEW).setMatchers(matchers)
                .setStartsAt(null).setEndsAt(null).setWeekly(null).setAuthor(user).setComment("").build()));
        if (!silences.problems().isEmpty()) {
            throw new ApiError(400, "matchers", String.join("; ", silences.problems()));
        }
        return alert -> silences.silencing(alert, now).isPresent();
    }

    /** This instance's part, as the instance that asked merges it: the partitions it covers, counts, and matches with their places. */
    static ObjectNode part(LocalMatches local) {
        ObjectNode part = NODES.objectNode();
        ArrayNode partitions = part.putArray("partitions");
        local.partitions().forEach(partitions::add);
        part.put("matchingAlerts", local.matchingAlerts());
        part.put("matchingIncidents", local.matchingIncidents());
        part.put("scannedAlerts", local.scannedAlerts());
        part.put("truncated", local.truncated());
        ArrayNode alerts = part.putArray("alerts");
        for (IncidentQueries.MatchedAlert matched : local.alerts()) {
            Alert alert = matched.alert();
            ObjectNode json = alerts.addObject().put(POSITION, matched.position()).put(ORDINAL, matched.ordinal())
                    .put("fingerprint", alert.getFingerprint())
                    .put("summary", alert.getSummary())
                    .put("severity", alert.getSeverity().name())
                    .put("service", alert.getService())
                    .put("startsAt", alert.getStartsAt().toString());
            ObjectNode labels = json.putObject("labels");
            alert.getLabels().forEach(labels::put);
            json.put("incidentId", matched.incident().getIncidentId()).put("incidentTitle", matched.incident().getTitle());
        }
        ArrayNode incidents = part.putArray("incidents");
        for (IncidentQueries.MatchedIncident matched : local.incidents()) {
            IncidentState incident = matched.incident();
            incidents.addObject().put(POSITION, matched.position())
                    .put("incidentId", incident.getIncidentId())
                    .put("title", incident.getTitle())
                    .put("status", incident.getStatus().name())
                    .put("severity", incident.getSeverity().name())
                    .put("service", incident.getService())
                    .put("firingAlertCount", incident.getFiringAlertCount())
                    .put("matchingAlerts", matched.matchingAlerts());
        }
        return part;
    }

    /** The partitions the parts cover together. */
    static Set<Integer> partitions(List<JsonNode> parts) {
        Set<Integer> covered = new HashSet<>();
        parts.forEach(part -> part.get("partitions").forEach(partition -> covered.add(partition.asInt())));
        return covered;
    }

    /**
     * The answer from every instance's part: counts summed, the first {@link IncidentQueries.ScanLimits#listed}
     * matching alerts (newest incident first, each incident's in the order first attached) and incidents,
     * and {@code truncated} when a limit cut any part's scan short (the counts are then at least).
     */
    static ObjectNode answer(List<JsonNode> parts) {
        List<JsonNode> alerts = new ArrayList<>();
        List<JsonNode> incidents = new ArrayList<>();
        long matchingAlerts = 0;
        long matchingIncidents = 0;
        long scannedAlerts = 0;
        boolean truncated = false;
        for (JsonNode part : parts) {
            part.get("alerts").forEach(alerts::add);
            part.get("incidents").forEach(incidents::add);
            matchingAlerts += part.get("matchingAlerts").asLong();
            matchingIncidents += part.get("matchingIncidents").asLong();
            scannedAlerts += part.get("scannedAlerts").asLong();
            truncated |= part.get("truncated").asBoolean();
        }
        alerts.sort(Comparator.<JsonNode, String>comparing(alert -> alert.get(POSITION).asText())
                .thenComparingLong(alert -> alert.get(ORDINAL).asLong()));
        incidents.sort(Comparator.comparing(incident -> incident.get(POSITION).asText()));
        ObjectNode answer = NODES.objectNode();
        answer.put("matchingAlerts", matchingAlerts);
        answer.put("matchingIncidents", matchingIncidents);
        answer.put("scannedAlerts", scannedAlerts);
        answer.put("truncated", truncated);
        answer.set("alerts", listed(alerts));
        answer.set("incidents", listed(incidents));
        answer.putObject("limits")
                .put("scannedAlertsPerInstance", LIMITS.alerts())
                .put("scannedAlertsPerIncident", LIMITS.alertsPerIncident())
                .put("listed", LIMITS.listed());
        return answer;
    }

    private static ArrayNode listed(List<JsonNode> items) {
        ArrayNode listed = NODES.arrayNode();
        for (JsonNode item : items.subList(0, Math.min(items.size(), LIMITS.listed()))) {
            ObjectNode shown = item.deepCopy();
            shown.remove(List.of(POSITION, ORDINAL));
            listed.add(shown);
        }
        return listed;
    }
}
