package dev.incidentengine.schemas;

import java.util.List;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;

/** Backward compatibility: can a reader on the new schema read data written with an old one? */
public final class SchemaCompatibilityGuard {

    private SchemaCompatibilityGuard() {
    }

    /** Why {@code reader} cannot read data written with {@code writer}; empty when it can. */
    public static List<String> incompatibilities(Schema reader, Schema writer) {
        return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer)
                .getResult()
                .getIncompatibilities()
                .stream()
                .map(SchemaCompatibilityGuard::describe)
                .toList();
    }

    private static String describe(Incompatibility incompatibility) {
        return incompatibility.getType() + " at " + incompatibility.getLocation() + ": " + incompatibility.getMessage();
    }
}
