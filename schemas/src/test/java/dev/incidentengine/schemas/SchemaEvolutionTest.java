package dev.incidentengine.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.stream.Stream;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import static org.assertj.core.api.Assertions.assertThat;

/** The build's schema evolution guard: current schemas must read everything ever released. */
class SchemaEvolutionTest {

    @TestFactory
    Stream<DynamicTest> currentSchemasReadEveryReleasedVersion() {
        return ReleasedSchemas.recordTypes().stream().flatMap(type -> {
            Schema current = ReleasedSchemas.currentSchema(type);
            List<Schema> released = ReleasedSchemas.of(current.getFullName());
            return Stream.concat(
                    Stream.of(DynamicTest.dynamicTest(type.getSimpleName() + " has a released version",
                            () -> assertThat(released).as("released versions of %s (run ReleaseSchemas)", current.getFullName()).isNotEmpty())),
                    released.stream().map(old -> DynamicTest.dynamicTest(
                            type.getSimpleName() + " reads " + SchemaNormalization.parsingFingerprint64(old),
                            () -> assertThat(SchemaCompatibilityGuard.incompatibilities(current, old))
                                    .as("%s must read data written with released %s", current.getFullName(), old)
                                    .isEmpty())));
        });
    }

    @Test
    void everyTopicRecordTypeIsGenerated() {
        assertThat(ReleasedSchemas.recordTypes())
                .allSatisfy(type -> assertThat(SpecificRecord.class).isAssignableFrom(type))
                .hasSizeGreaterThanOrEqualTo(11);
    }

    @Test
    void givenNewFieldWithoutDefault_whenChecked_thenGuardRejectsNamingTheField() throws IOException {
        List<String> problems = SchemaCompatibilityGuard.incompatibilities(
                fixture("Fixture-v2-field-without-default.avsc"), fixture("Fixture-v1.avsc"));

        assertThat(problems).singleElement().asString()
                .contains("READER_FIELD_MISSING_DEFAULT_VALUE")
                .contains("owner");
    }

    @Test
    void givenRemovedEnumSymbol_whenChecked_thenGuardRejects() throws IOException {
        assertThat(SchemaCompatibilityGuard.incompatibilities(
                fixture("Fixture-v2-symbol-removed.avsc"), fixture("Fixture-v1.avsc")))
                .singleElement().asString().contains("MISSING_ENUM_SYMBOLS").contains("CLOSED");
    }

    @Test
    void givenNewFieldWithDefault_whenChecked_thenGuardAccepts() throws IOException {
        assertThat(SchemaCompatibilityGuard.incompatibilities(
                fixture("Fixture-v2-field-with-default.avsc"), fixture("Fixture-v1.avsc"))).isEmpty();
    }

    private static Schema fixture(String name) throws IOException {
        try (InputStream in = SchemaEvolutionTest.class.getResourceAsStream("/fixtures/" + name)) {
            return new Schema.Parser().parse(in);
        }
    }
}
