package dev.incidentengine.schemas;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/** The default provider: Avro single-object encoding with the released schemas built in. */
public final class SingleObjectSerdeProvider implements RecordSerdeProvider {

    @Override
    public <T extends SpecificRecord> Serde<T> serde(Class<T> type, boolean isKey) {
        return new SingleObjectAvroSerde<>(type);
    }
}
