package dev.incidentengine.schemas;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Avro single-object encoding: a two-byte marker, the writer schema's 64-bit fingerprint, then the
 * binary datum. The reader resolves the fingerprint against every released version of the type,
 * so data written by older releases stays readable. Null stays null (tombstones).
 */
public final class SingleObjectAvroSerde<T extends SpecificRecord> implements Serde<T>, Serializer<T>, Deserializer<T> {

    static {
        ModelClasses.trust();
    }

    private final Class<T> type;
    private final BinaryMessageEncoder<T> encoder;
    private final BinaryMessageDecoder<T> decoder;

    public SingleObjectAvroSerde(Class<T> type) {
        this.type = type;
        SpecificData model = SpecificData.getForClass(type);
        Schema current = model.getSchema(type);
        this.encoder = new BinaryMessageEncoder<>(model, current);
        this.decoder = new BinaryMessageDecoder<>(model, current);
        ReleasedSchemas.of(current.getFullName()).forEach(decoder::addSchema);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            ByteBuffer buffer = encoder.encode(data);
            return Arrays.copyOfRange(buffer.array(), buffer.arrayOffset() + buffer.position(),
                    buffer.arrayOffset() + buffer.limit());
        } catch (IOException | AvroRuntimeException | ClassCastException | NullPointerException e) {
            throw new SerializationException("Cannot write " + type.getSimpleName() + " to " + topic + ": " + e.getMessage(), e);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return decoder.decode(data);
        } catch (MissingSchemaException e) {
            throw new SerializationException("Cannot read " + type.getSimpleName() + " from " + topic
                    + ": written with an unknown schema (" + e.getMessage() + ")", e);
        } catch (BadHeaderException e) {
            throw new SerializationException("Cannot read " + type.getSimpleName() + " from " + topic
                    + ": not Avro single-object encoded (" + e.getMessage() + ")", e);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("Cannot read " + type.getSimpleName() + " from " + topic
                    + ": corrupt record (" + e + ")", e);
        }
    }


    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // Nothing to configure: the type fixes the schemas.
    }

    @Override
    public Serializer<T> serializer() {
        return this;
    }

    @Override
    public Deserializer<T> deserializer() {
        return this;
    }

    @Override
    public void close() {
        // Nothing to release; shared by serializer and deserializer.
    }
}
