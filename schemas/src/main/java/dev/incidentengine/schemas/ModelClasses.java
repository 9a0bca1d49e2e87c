package dev.incidentengine.schemas;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 loads only trusted classes by name while reading or building records; our generated
 * classes must be added to what it trusts. Called before any serde works; idempotent.
 */
public final class ModelClasses {

    public static final String PACKAGE = "dev.incidentengine.model";

    private static boolean trusted;

    private ModelClasses() {
    }

    public static synchronized void trust() {
        if (!trusted) {
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(
                    ClassSecurityValidator.getGlobal(),
                    type -> type.getName().startsWith(PACKAGE + ".")));
            trusted = true;
        }
    }
}
