package dev.incidentengine.schemas;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.incidentengine.model.AlertAttachment;
import dev.incidentengine.model.AlertTrack;
import dev.incidentengine.model.CorrelationGroup;
import dev.incidentengine.model.EscalationState;
import dev.incidentengine.model.NotificationPlan;
import dev.incidentengine.model.IncidentGroupUpdate;
import dev.incidentengine.model.StatusPageState;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every released version of every record type, kept as resources under {@value #ROOT}
 * ({@code <full name>/v<N>.avsc}, listed in {@code index}). Readers know them all, so data
 * written by any release can be read; {@code SchemaEvolutionTest} keeps the current schemas
 * backward compatible with them; {@link ReleaseSchemas} adds a version.
 */
public final class ReleasedSchemas {

    static final String ROOT = "schemas/released/";
    static final String INDEX = ROOT + "index";

    private static final Map<String, List<Schema>> BY_NAME = load();

    private ReleasedSchemas() {
    }

    /** Released versions of the named record, oldest first; empty when never released. */
    public static List<Schema> of(String fullName) {
        return BY_NAME.getOrDefault(fullName, List.of());
    }

    /**
     * Records kept in Streams stores and internal topics: their changelogs outlive a release, so
     * they evolve under the same rules as topic values.
     */
    private static final List<Class<?>> INTERNAL_TYPES = List.of(AlertTrack.class, AlertAttachment.class, CorrelationGroup.class,
            IncidentGroupUpdate.class, EscalationState.class, NotificationPlan.class, StatusPageState.class);

    /** The record types that outlive a release: the value types of the registry and the internal ones. */
    public static List<Class<? extends SpecificRecord>> recordTypes() {
        return Stream.concat(Topics.ALL.stream().map(Topic::valueType), INTERNAL_TYPES.stream())
                .filter(SpecificRecord.class::isAssignableFrom)
                .distinct()
                .<Class<? extends SpecificRecord>>map(type -> type.asSubclass(SpecificRecord.class))
                .collect(Collectors.toList());
    }

    public static Schema currentSchema(Class<? extends SpecificRecord> type) {
        return SpecificData.getForClass(type).getSchema(type);
    }

    private static Map<String, List<Schema>> load() {
        Map<String, List<Schema>> schemas = new LinkedHashMap<>();
        for (String path : indexEntries()) {
            Schema schema = parse(ROOT + path);
            String name = path.substring(0, path.indexOf('/'));
            if (!name.equals(schema.getFullName())) {
                throw new IllegalStateException(ROOT + path + " holds " + schema.getFullName());
            }
            schemas.computeIfAbsent(name, n -> new ArrayList<>()).add(schema);
        }
        schemas.replaceAll((name, versions) -> List.copyOf(versions));
        return Map.copyOf(schemas);
    }

    static List<String> indexEntries() {
        try (InputStream in = resource(INDEX);
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Schema parse(String resource) {
        try (InputStream in = resource(resource)) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read released schema " + resource, e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = ReleasedSchemas.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("Missing resource " + name);
        }
        return in;
    }
}
