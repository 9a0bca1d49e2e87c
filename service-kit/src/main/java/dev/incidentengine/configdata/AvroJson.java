package dev.incidentengine.configdata;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import dev.incidentengine.schemas.ModelClasses;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads a plain JSON/YAML tree into an Avro record, strictly: unknown fields, missing required
 * fields, wrong types and unknown enum symbols are errors that name the field's path. Unions are
 * only {@code [null, T]}; timestamps are ISO-8601 instants or epoch milliseconds.
 * {@link #write} goes the other way, for APIs: timestamps as ISO-8601 strings, enums as names, a
 * union of records as the branch's fields plus {@code "type"}, the branch's name.
 */
public final class AvroJson {

    static {
        ModelClasses.trust();
    }

    private static final ObjectMapper TREES = new ObjectMapper();

    private AvroJson() {
    }

    public static <T extends SpecificRecord> T read(JsonNode node, Class<T> type, String path) {
        Schema schema = SpecificData.getForClass(type).getSchema(type);
        GenericRecord generic = (GenericRecord) convert(node, schema, path);
        return toSpecific(generic, type);
    }

    /** The record as plain JSON; {@code [null, T]} unions are null or T, other unions the branch's fields plus its {@code "type"}. */
    public static ObjectNode write(IndexedRecord record) {
        TokenBuffer buffer = new TokenBuffer(TREES, false);
        try {
            write(record, Set.of(), buffer);
            return TREES.readTree(buffer.asParser());
        } catch (IOException e) {
            throw new UncheckedIOException("a token buffer does no I/O", e);
        }
    }

    /**
     * Writes the record as {@link #write(IndexedRecord)} builds it, without the named top-level
     * fields, straight to {@code out}: the API's answers are written this way, with no tree in between.
     */
    public static void write(IndexedRecord record, Set<String> omitted, JsonGenerator out) throws IOException {
        out.writeStartObject();
        writeFields(record, omitted, out);
        out.writeEndObject();
    }

    /** The record's fields but the omitted, into an object the caller opened (and may add to before closing it). */
    public static void writeFields(IndexedRecord record, Set<String> omitted, JsonGenerator out) throws IOException {
        for (Schema.Field field : record.getSchema().getFields()) {
            if (!omitted.contains(field.name())) {
                out.writeFieldName(field.name());
                write(record.get(field.pos()), field.schema(), out);
            }
        }
    }

    /** The union's branches other than null (a loop: this runs for every union value written). */
    private static int branches(Schema union) {
        int branches = 0;
        for (Schema type : union.getTypes()) {
            if (type.getType() != Schema.Type.NULL) {
                branches++;
            }
        }
        return branches;
    }

    private static void write(Object value, Schema schema, JsonGenerator out) throws IOException {
        if (value == null) {
            out.writeNull();
            return;
        }
        switch (schema.getType()) {
            case RECORD -> fields((IndexedRecord) value, schema, null, out);
            case UNION -> {
                Schema branch = schema.getTypes().get(SpecificData.get().resolveUnion(schema, value));
                if (branch.getType() == Schema.Type.RECORD && branches(schema) > 1) {
                    fields((IndexedRecord) value, branch, branch.getName(), out);
                } else {
                    write(value, branch, out);
                }
            }
            case LONG -> {
                if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    out.writeString((value instanceof Instant at ? at : Instant.ofEpochMilli((Long) value)).toString());
                } else {
                    out.writeNumber((Long) value);
                }
            }
            case INT -> out.writeNumber((Integer) value);
            case FLOAT -> out.writeNumber((Float) value);
            case DOUBLE -> out.writeNumber((Double) value);
            case BOOLEAN -> out.writeBoolean((Boolean) value);
            case STRING, ENUM -> out.writeString(value.toString());
            case ARRAY -> {
                out.writeStartArray();
                for (Object item : (Collection<?>) value) {
                    write(item, schema.getElementType(), out);
                }
                out.writeEndArray();
            }
            case MAP -> {
                out.writeStartObject();
                for (Map.Entry<?, ?> entry : new TreeMap<>((Map<?, ?>) value).entrySet()) {
                    out.writeFieldName(entry.getKey().toString());
                    write(entry.getValue(), schema.getValueType(), out);
                }
                out.writeEndObject();
            }
            default -> throw new IllegalArgumentException("Cannot write Avro type " + schema.getType() + " as JSON");
        }
    }

    /** A record's fields as an object; a branch of a union of records says which it is first, as {@code "type"}. */
    private static void fields(IndexedRecord record, Schema schema, String type, JsonGenerator out) throws IOException {
        out.writeStartObject();
        if (type != null) {
            out.writeStringField("type", type);
        }
        for (Schema.Field field : schema.getFields()) {
            out.writeFieldName(field.name());
            write(record.get(field.pos()), field.schema(), out);
        }
        out.writeEndObject();
    }

    private static Object convert(JsonNode node, Schema schema, String path) {
        switch (schema.getType()) {
            case RECORD -> {
                return record(node, schema, path);
            }
            case UNION -> {
                if (node == null || node.isNull()) {
                    if (schema.getTypes().stream().anyMatch(branch -> branch.getType() == Schema.Type.NULL)) {
                        return null;
                    }
                    throw new ConfigDataException(path + ": must not be null");
                }
                Schema branch = schema.getTypes().stream().filter(s -> s.getType() != Schema.Type.NULL).findFirst()
                        .orElseThrow();
                return convert(node, branch, path);
            }
            case STRING -> {
                require(node != null && node.isTextual(), path, "must be a string");
                return node.textValue();
            }
            case INT -> {
                require(node != null && node.canConvertToInt() && node.isIntegralNumber(), path, "must be an integer");
                return node.intValue();
            }
            case LONG -> {
                if (schema.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                    return timestamp(node, path);
                }
                require(node != null && node.isIntegralNumber(), path, "must be an integer");
                return node.longValue();
            }
            case BOOLEAN -> {
                require(node != null && node.isBoolean(), path, "must be true or false");
                return node.booleanValue();
            }
            case ENUM -> {
                require(node != null && node.isTextual(), path, "must be one of " + schema.getEnumSymbols());
                String symbol = node.textValue().toUpperCase(java.util.Locale.ROOT);
                require(schema.getEnumSymbols().contains(symbol), path, "must be one of " + schema.getEnumSymbols()
                        + ", not '" + node.textValue() + "'");
                return new GenericData.EnumSymbol(schema, symbol);
            }
            case ARRAY -> {
                require(node != null && node.isArray(), path, "must be a list");
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < node.size(); i++) {
                    items.add(convert(node.get(i), schema.getElementType(), path + "[" + i + "]"));
                }
                return items;
            }
            case MAP -> {
                require(node != null && node.isObject(), path, "must be a mapping");
                Map<String, Object> values = new HashMap<>();
                node.forEachEntry((key, value) ->
                        values.put(key, convert(value, schema.getValueType(), path + "." + key)));
                return values;
            }
            default -> throw new ConfigDataException(path + ": unsupported type " + schema.getType());
        }
    }

    private static GenericRecord record(JsonNode node, Schema schema, String path) {
        require(node != null && node.isObject(), path, "must be a mapping");
        Set<String> known = schema.getFields().stream().map(Schema.Field::name).collect(Collectors.toSet());
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            require(known.contains(name), path + "." + name, "unknown field (known: " + known.stream().sorted().toList() + ")");
        }
        GenericRecord record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) {
            String fieldPath = path + "." + field.name();
            JsonNode value = node.get(field.name());
            if (value == null) {
                require(field.hasDefaultValue(), fieldPath, "is required");
                record.put(field.name(), GenericData.get().getDefaultValue(field));
            } else {
                record.put(field.name(), convert(value, field.schema(), fieldPath));
            }
        }
        return record;
    }

    private static long timestamp(JsonNode node, String path) {
        require(node != null && (node.isTextual() || node.isIntegralNumber()), path,
                "must be an ISO-8601 instant such as 2026-11-22T09:00:00Z");
        if (node.isIntegralNumber()) {
            return node.longValue();
        }
        try {
            return Instant.parse(node.textValue()).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new ConfigDataException(path + ": must be an ISO-8601 instant such as 2026-11-22T09:00:00Z, not '"
                    + node.textValue() + "'");
        }
    }

    /** Fails naming the path (file, record and field) unless the condition holds; ConfigData validates with it too. */
    static void require(boolean condition, String path, String message) {
        if (!condition) {
            throw new ConfigDataException(path + ": " + message);
        }
    }

    /** Binary round trip: the reliable way from generic to specific classes, logical types included. */
    private static <T extends SpecificRecord> T toSpecific(GenericRecord generic, Class<T> type) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(generic.getSchema()).write(generic, encoder);
            encoder.flush();
            SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
            return reader.read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
