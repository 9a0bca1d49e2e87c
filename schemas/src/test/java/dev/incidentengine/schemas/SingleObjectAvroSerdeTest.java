package dev.incidentengine.schemas;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.NoteAdded;
import dev.incidentengine.model.Severity;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SingleObjectAvroSerdeTest {

    private final SingleObjectAvroSerde<Alert> alerts = new SingleObjectAvroSerde<>(Alert.class);

    @Test
    void givenAlert_whenRoundTripped_thenEqual() {
        Alert alert = alert();

        byte[] bytes = alerts.serialize("alerts.v1", alert);

        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(alerts.deserialize("alerts.v1", bytes)).isEqualTo(alert);
    }

    @Test
    void givenAlert_whenSerialized_thenTheBytesAreAvrosOwnSingleObjectEncoding() throws Exception {
        Alert alert = alert();
        BinaryMessageEncoder<Alert> avro = new BinaryMessageEncoder<>(SpecificData.getForClass(Alert.class), Alert.getClassSchema());
        ByteBuffer expected = avro.encode(alert);

        assertThat(ByteBuffer.wrap(alerts.serialize("alerts.v1", alert))).isEqualTo(expected);
        assertThat(alerts.deserialize("alerts.v1", alerts.serialize("alerts.v1", alert()))).isEqualTo(alert);
    }

    @Test
    void givenAFailedWrite_whenTheNextRecordIsSerialized_thenNothingOfTheFailedOneLeaksIntoIt() {
        Alert broken = alert();
        broken.setSummary(null);
        assertThatThrownBy(() -> alerts.serialize("alerts.v1", broken)).isInstanceOf(SerializationException.class);

        assertThat(alerts.deserialize("alerts.v1", alerts.serialize("alerts.v1", alert()))).isEqualTo(alert());
    }

    @Test
    void givenEventWithUnionPayload_whenRoundTripped_thenPayloadTypeKept() {
        SingleObjectAvroSerde<IncidentEvent> events = new SingleObjectAvroSerde<>(IncidentEvent.class);
        IncidentEvent event = IncidentEvent.newBuilder()
                .setEventId("e-1").setIncidentId("INC-1").setSequence(3).setTimestamp(Instant.ofEpochMilli(1_000))
                .setActor(new Actor(ActorType.USER, "alice", "Alice"))
                .setCauseId("c-1")
                .setPayload(new NoteAdded("rolled back"))
                .build();

        IncidentEvent read = events.deserialize("incident.events.v1", events.serialize("incident.events.v1", event));

        assertThat(read).isEqualTo(event);
        assertThat(read.getPayload()).isInstanceOf(NoteAdded.class);
    }

    @Test
    void givenNull_whenSerialized_thenTombstoneStaysNull() {
        assertThat(alerts.serialize("t", null)).isNull();
        assertThat(alerts.deserialize("t", null)).isNull();
    }

    @Test
    void givenJsonBytes_whenDeserialized_thenClearError() {
        assertThatThrownBy(() -> alerts.deserialize("alerts.v1", "{\"summary\":\"x\"}".getBytes()))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("alerts.v1")
                .hasMessageContaining("not Avro single-object encoded");
    }

    @Test
    void givenUnknownWriterSchema_whenDeserialized_thenClearError() {
        Schema stranger = new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"Alert\",\"namespace\":\"dev.incidentengine.model\","
                        + "\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}");
        GenericRecord record = new GenericData.Record(stranger);
        record.put("x", 1);
        byte[] bytes = toBytes(new BinaryMessageEncoder<GenericRecord>(GenericData.get(), stranger), record);

        assertThatThrownBy(() -> alerts.deserialize("alerts.v1", bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("unknown schema");
    }

    @Test
    void givenTruncatedRecord_whenDeserialized_thenClearError() {
        byte[] bytes = alerts.serialize("alerts.v1", alert());
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length / 2);

        assertThatThrownBy(() -> alerts.deserialize("alerts.v1", truncated))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("corrupt record");
    }

    @Test
    void givenAlertMissingRequiredField_whenSerialized_thenClearError() {
        Alert alert = alert();
        alert.setSummary(null);

        assertThatThrownBy(() -> alerts.serialize("alerts.v1", alert))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Cannot write Alert to alerts.v1");
    }

    private static byte[] toBytes(BinaryMessageEncoder<GenericRecord> encoder, GenericRecord record) {
        try {
            ByteBuffer buffer = encoder.encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Alert alert() {
        return Alert.newBuilder()
                .setFingerprint("fp-1")
                .setStatus(AlertStatus.FIRING)
                .setSeverity(Severity.SEV2)
                .setSummary("Disk almost full")
                .setLabels(Map.of("alertname", "DiskFull", "instance", "db-1"))
                .setSource("prometheus")
                .setRawFormat(dev.incidentengine.model.RawFormat.ALERTMANAGER)
                .setStartsAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setReceivedAt(Instant.ofEpochMilli(1_700_000_000_500L))
                .build();
    }
}
