package dev.incidentengine.status;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.status.domain.PageEvents;
import dev.incidentengine.status.domain.PublicPage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every /api/v2 document against Statuspage's published example of it (src/test/resources/statuspage):
 * the same field names with the same JSON types, Statuspage's status words, times in ISO-8601 with an
 * offset, and the same order (components by position; incidents, maintenance and updates newest first).
 * Beyond the examples only the fields Statuspage's live pages add are allowed (see {@link StatusJson}).
 */
class StatusApiContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fields Statuspage's live API has beyond the published examples, by path (array items as []). */
    private static final Set<String> LIVE_ADDITIONS = Set.of("page.time_zone",
            "incidents[].started_at", "incidents[].components", "scheduled_maintenances[].started_at", "scheduled_maintenances[].components",
            "incidents[].incident_updates[].affected_components", "scheduled_maintenances[].incident_updates[].affected_components",
            "components[].components");
    private static final Map<String, Set<String>> WORDS = Map.of(
            "components[].status", Set.of("operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"),
            "incidents[].status", Set.of("investigating", "identified", "monitoring", "resolved", "postmortem"),
            "incidents[].impact", Set.of("none", "minor", "major", "critical"),
            "scheduled_maintenances[].status", Set.of("scheduled", "in_progress", "verifying", "completed"),
            "scheduled_maintenances[].impact", Set.of("none", "minor", "major", "critical", "maintenance"),
            "status.indicator", Set.of("none", "minor", "major", "critical", "maintenance"),
            "status.description", Set.of("All Systems Operational", "Minor Service Outage", "Partial System Outage", "Major System Outage",
                    "Service Under Maintenance"));

    /** A page like the examples': two components in outages, an open and a resolved incident, maintenance upcoming and in progress. */
    private static Map<String, byte[]> documents() {
        Instant t0 = Instant.parse("2026-05-14T20:00:00Z");
        PageEvents log = new PageEvents("kctbh9vrtdwd");
        PublicPage page = new PublicPage("kctbh9vrtdwd");
        log.configured(t0, "GitHub", "America/Denver", "b13yz5g2cw10", "API", null, "9397cnvk62zn", "Management Portal", null,
                "git", "Git Operations", "Core", "web", "Web", "Core");
        log.status(t0.plusSeconds(60), "b13yz5g2cw10", ComponentStatus.OPERATIONAL, ComponentStatus.PARTIAL_OUTAGE);
        log.status(t0.plusSeconds(61), "9397cnvk62zn", ComponentStatus.OPERATIONAL, ComponentStatus.MAJOR_OUTAGE);
        Instant older = t0.minus(Duration.ofDays(2));
        log.incident(older, "2z5g29qrrxvl", "Display issue", PublicImpact.MINOR, PublicIncidentStatus.INVESTIGATING, older, "Looking", List.of("web"));
        log.incident(older.plusSeconds(600), "2z5g29qrrxvl", "Display issue", PublicImpact.MINOR, PublicIncidentStatus.RESOLVED, older,
                "Rolled back", List.of("web"));
        log.incident(t0.plusSeconds(120), "cp306tmzcl0y", "Unplanned Database Outage", PublicImpact.CRITICAL, PublicIncidentStatus.IDENTIFIED,
                t0.plusSeconds(120), "The database is down", List.of("b13yz5g2cw10", "9397cnvk62zn"));
        Instant soon = t0.plus(Duration.ofDays(3));
        log.maintenance(t0.plusSeconds(200), "w1zdr745wmfy", "Network Maintenance", MaintenanceStatus.SCHEDULED, soon,
                soon.plus(Duration.ofMinutes(90)), "Routine network maintenance", List.of("git"));
        log.maintenance(t0.plusSeconds(300), "k7mf5z1gz05c", "Web Tier Recycle", MaintenanceStatus.SCHEDULED, t0.plusSeconds(600),
                t0.plus(Duration.ofHours(2)), "Rolling upgrades", List.of("web"));
        log.maintenance(t0.plusSeconds(600), "k7mf5z1gz05c", "Web Tier Recycle", MaintenanceStatus.IN_PROGRESS, t0.plusSeconds(600),
                t0.plus(Duration.ofHours(2)), "In progress", List.of("web"));
        log.written().forEach(page::apply);
        return new StatusJson(page).documents();
    }

    @ParameterizedTest
    @CsvSource({"summary.json, summary.json", "status.json, status.json", "components.json, components.json",
            "incidents.json, incidents.json", "incidents/unresolved.json, incidents-unresolved.json",
            "scheduled-maintenances.json, scheduled-maintenances.json", "scheduled-maintenances/upcoming.json, scheduled-maintenances-upcoming.json",
            "scheduled-maintenances/active.json, scheduled-maintenances-active.json"})
    void aDocumentHasStatuspagesShape(String path, String fixture) throws IOException {
        JsonNode example = fixture(fixture);
        JsonNode ours = JSON.readTree(documents().get(path));

        Map<String, String> exampleFields = fields(example);
        Map<String, String> ourFields = fields(ours);
        exampleFields.forEach((field, type) -> {
            assertThat(ourFields).as("%s has %s", path, field).containsKey(field);
            if (!type.equals("null") && !ourFields.get(field).equals("null")) {
                assertThat(ourFields.get(field)).as("%s's %s", path, field).isEqualTo(type);
            }
        });
        Set<String> extra = new TreeSet<>(ourFields.keySet());
        extra.removeAll(exampleFields.keySet());
        extra.removeIf(field -> LIVE_ADDITIONS.stream().anyMatch(field::startsWith));
        assertThat(extra).as("%s's fields that Statuspage does not have", path).isEmpty();

        for (JsonNode document : List.of(example, ours)) {
            words(document, "", path);
            times(document, "");
            ordered(document);
        }
        assertThat(ours.path("page").path("id").asText()).isEqualTo("kctbh9vrtdwd");
    }

    @ParameterizedTest
    @CsvSource({"incidents.json, 2", "incidents/unresolved.json, 1", "scheduled-maintenances.json, 2",
            "scheduled-maintenances/upcoming.json, 1", "scheduled-maintenances/active.json, 1", "summary.json, 1"})
    void aListHoldsWhatItsEndpointSays(String path, int count) throws IOException {
        JsonNode ours = JSON.readTree(documents().get(path));
        JsonNode list = ours.has("incidents") ? ours.get("incidents") : ours.get("scheduled_maintenances");
        assertThat(list).hasSize(count);
    }

    private static JsonNode fixture(String name) throws IOException {
        try (InputStream in = StatusApiContractTest.class.getResourceAsStream("/statuspage/" + name)) {
            return JSON.readTree(in);
        }
    }

    /** Every field path (array items as []) and its JSON type. */
    private static Map<String, String> fields(JsonNode document) {
        Map<String, String> fields = new java.util.TreeMap<>();
        collect(document, "", fields);
        return fields;
    }

    private static void collect(JsonNode node, String path, Map<String, String> fields) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> entries = node.fields();
            while (entries.hasNext()) {
                Map.Entry<String, JsonNode> entry = entries.next();
                String field = path.isEmpty() ? entry.getKey() : path + "." + entry.getKey();
                String type = entry.getValue().getNodeType().name().toLowerCase();
                fields.merge(field, type, (a, b) -> a.equals("null") ? b : a);
                collect(entry.getValue(), field, fields);
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                collect(item, path + "[]", fields);
            }
        }
    }

    private static void words(JsonNode node, String path, String document) {
        if (node.isObject()) {
            node.fields().forEachRemaining(entry -> {
                String field = path.isEmpty() ? entry.getKey() : path + "." + entry.getKey();
                Set<String> allowed = WORDS.get(field.replace("incidents[].components[]", "components[]")
                        .replace("scheduled_maintenances[].components[]", "components[]"));
                if (allowed != null) {
                    assertThat(entry.getValue().asText()).as("%s: %s", document, field).isIn(allowed);
                }
                words(entry.getValue(), field, document);
            });
        } else if (node.isArray()) {
            node.forEach(item -> words(item, path + "[]", document));
        }
    }

    private static void times(JsonNode node, String field) {
        if (node.isObject()) {
            node.fields().forEachRemaining(entry -> times(entry.getValue(), entry.getKey()));
        } else if (node.isArray()) {
            node.forEach(item -> times(item, field));
        } else if (node.isTextual() && (field.endsWith("_at") || field.startsWith("scheduled_"))) {
            // ISO-8601 with an offset (Z or ±hh:mm), as Statuspage writes them.
            OffsetDateTime.parse(node.asText());
        }
    }

    private static void ordered(JsonNode document) {
        if (document.has("components")) {
            List<Integer> positions = new ArrayList<>();
            document.get("components").forEach(component -> positions.add(component.get("position").asInt()));
            assertThat(positions).isSorted();
        }
        for (String list : List.of("incidents", "scheduled_maintenances")) {
            List<Instant> times = new ArrayList<>();
            for (JsonNode item : document.path(list)) {
                times.add(OffsetDateTime.parse(item.get(list.equals("incidents") ? "created_at" : "scheduled_for").asText()).toInstant());
                List<Instant> updates = new ArrayList<>();
                item.get("incident_updates").forEach(update -> updates.add(OffsetDateTime.parse(update.get("created_at").asText()).toInstant()));
                assertThat(updates).as("updates newest first").isSortedAccordingTo(java.util.Comparator.reverseOrder());
            }
            assertThat(times).as("%s newest first", list).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        }
    }
}
