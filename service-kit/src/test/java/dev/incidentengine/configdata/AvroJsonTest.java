package dev.incidentengine.configdata;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
}
