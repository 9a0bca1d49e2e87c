package dev.incidentengine.configdata;

import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AttachedAlert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.Severity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AvroJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void anEventIsWrittenWithIsoTimestampsEnumNamesAndATypedPayload() throws Exception {
        IncidentEvent event = IncidentEvent.newBuilder()
                .setEventId("c-1/0")
                .setIncidentId("INC-1")
                .setSequence(3)
                .setTimestamp(Instant.parse("2026-11-22T09:00:00.250Z"))
                .setActor(new Actor(ActorType.USER, "alice", null))
                .setCauseId("c-1")
                .setPayload(new IncidentAcknowledged("on it"))
                .build();

        assertThat(JSON.readTree(AvroJson.write(event).toString())).isEqualTo(JSON.readTree("""
                {"eventId": "c-1/0", "incidentId": "INC-1", "sequence": 3, "timestamp": "2026-11-22T09:00:00.250Z",
                 "actor": {"type": "USER", "id": "alice", "name": null}, "causeId": "c-1",
                 "payload": {"type": "IncidentAcknowledged", "message": "on it"}}"""));
    }

    @Test
    void nullableUnionsAreTheValueOrNull_mapsAreObjects() {
        IncidentState state = IncidentState.newBuilder()
                .setIncidentId("INC-1")
                .setVersion(2)
                .setStatus(IncidentStatus.TRIGGERED)
                .setSeverity(Severity.SEV2)
                .setTitle("High error rate")
                .setOpenedAt(Instant.parse("2026-11-22T09:00:00Z"))
                .setAcknowledgedAt(Instant.parse("2026-11-22T09:05:00Z"))
                .setAlerts(Map.of("fp-1", new AttachedAlert("fp-1", AlertStatus.FIRING, Severity.SEV2, "5xx",
                        Instant.parse("2026-11-22T09:00:00Z"), null)))
                .build();

        JsonNode json = AvroJson.write(state);

        assertThat(json.get("acknowledgedAt").asText()).isEqualTo("2026-11-22T09:05:00Z");
        assertThat(json.get("resolvedAt").isNull()).isTrue();
        assertThat(json.get("escalationLevel").isNull()).isTrue();
        assertThat(json.get("status").asText()).isEqualTo("TRIGGERED");
        assertThat(json.get("alerts").get("fp-1").get("status").asText()).isEqualTo("FIRING");
        assertThat(json.get("alerts").get("fp-1").get("attachedAt").asText()).isEqualTo("2026-11-22T09:00:00Z");
        assertThat(json.get("alerts").get("fp-1").has("type")).isFalse();
    }

    @Test
    void writtenToAGenerator_theSameJsonWithoutTheOmittedFields_andFieldsCanBeAddedBeforeTheObjectCloses() throws Exception {
        IncidentState state = IncidentState.newBuilder()
                .setIncidentId("INC-1")
                .setVersion(2)
                .setStatus(IncidentStatus.TRIGGERED)
                .setSeverity(Severity.SEV2)
                .setTitle("Quotes \" and <tags> & unicode \u2603")
                .setLabels(Map.of("b", "2", "a", "1"))
                .setOpenedAt(Instant.parse("2026-11-22T09:00:00Z"))
                .build();
        StringWriter written = new StringWriter();
        try (JsonGenerator out = JSON.getFactory().createGenerator(written)) {
            AvroJson.write(state, Set.of("alerts", "labels"), out);
        }
        JsonNode expected = AvroJson.write(state);
        ((ObjectNode) expected).remove(List.of("alerts", "labels"));
        assertThat(JSON.readTree(written.toString())).as("as text: a tree keeps longs as longs").isEqualTo(JSON.readTree(expected.toString()));
        assertThat(AvroJson.write(state).get("labels").fieldNames()).toIterable().as("maps in key order").containsExactly("a", "b");

        StringWriter extended = new StringWriter();
        try (JsonGenerator out = JSON.getFactory().createGenerator(extended)) {
            out.writeStartObject();
            AvroJson.writeFields(state, Set.of("alerts"), out);
            out.writeNumberField("extra", 7);
            out.writeEndObject();
        }
        assertThat(JSON.readTree(extended.toString()).get("extra").asInt()).isEqualTo(7);
        assertThat(JSON.readTree(extended.toString()).get("title").asText()).isEqualTo(state.getTitle());
    }
}
