package dev.incidentengine.schemas;

import java.util.Map;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * Makes serdes for the Avro record types. Chosen by class name ({@link RecordSerdes#PROVIDER_CLASS_CONFIG}),
 * so a deployment with a schema registry can plug its own serde in without code changes.
 * Implementations need a public no-argument constructor.
 */
public interface RecordSerdeProvider {

    /** Called once with the client configuration before any serde is made. */
    default void configure(Map<String, ?> configs) {
    }

    <T extends SpecificRecord> Serde<T> serde(Class<T> type, boolean isKey);
}
