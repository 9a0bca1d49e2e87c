package dev.incidentengine.cli;

import java.time.Instant;
import java.util.List;

import dev.incidentengine.model.ActionItem;
import dev.incidentengine.model.ActionItemPriority;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.ReviewStatus;
import dev.incidentengine.model.Severity;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** rebuild's comparison: a state read back from Kafka equals the folded one, timestamps in nested records and all. */
class StateEqualityTest {

    private static final Instant T0 = Instant.parse("2026-11-22T09:00:00Z");

    @Test
    void aStateReadBackFromKafkaIsTheSame_andAChangedActionItemIsNot() {
        IncidentState folded = IncidentState.newBuilder().setIncidentId("INC-20261122-1-0001").setVersion(9).setStatus(IncidentStatus.RESOLVED)
                .setSeverity(Severity.SEV1).setTitle("Checkout down").setOpenedAt(T0)
                .setReview(new ReviewStatus(true, T0, T0.plusSeconds(172_800), T0.plusSeconds(86_400), "https://wiki.example.com/pir/1"))
                .setActionItems(List.of(new ActionItem("AI-1", "Canary", "bob", T0.plusSeconds(999_999), ActionItemPriority.HIGH, null,
                        T0.plusSeconds(60), T0.plusSeconds(3_600)))).build();
        Serde<IncidentState> serde = Topics.INCIDENT_STATE.valueSerde(RecordSerdes.singleObject());
        IncidentState stored = serde.deserializer().deserialize("t", serde.serializer().serialize("t", folded));

        assertThat(RebuildCommand.STATES.same(folded, stored, IncidentState.getClassSchema())).isTrue();
        stored.getActionItems().get(0).setCompletedAt(T0.plusSeconds(3_601));
        assertThat(RebuildCommand.STATES.same(folded, stored, IncidentState.getClassSchema())).isFalse();
    }
}
