package dev.incidentengine.cli;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.incident.domain.IncidentFold;
import dev.incidentengine.incident.domain.IncidentLifecycle;
import dev.incidentengine.incident.domain.LifecyclePolicy;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.schemas.Topics;
import org.apache.avro.Schema;
import org.apache.avro.data.TimeConversions;
import org.apache.avro.specific.SpecificData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rebuild --verify}: folds {@code incident.events.v1} from the beginning with the engine's own
 * {@code evolve} and compares every incident with {@code incident.state.v1}. It writes nothing.
 */
@Command(name = "rebuild", description = "Fold the incident log from the beginning with the engine's evolve and compare with incident.state.v1.")
final class RebuildCommand implements Callable<Integer> {

    private static final int SHOWN = 20;

    @Mixin
    KafkaSource kafka;

    @Option(names = "--verify", required = true, description = "Compare the folded state with incident.state.v1 (rebuild writes nothing).")
    boolean verify;

    @Mixin
    OutputFormat format;

    @Override
    public Integer call() {
        Output out = format.out();
        IncidentLog log = kafka.log();
        IncidentLifecycle lifecycle = new IncidentLifecycle(LifecyclePolicy.DEFAULT);
        Map<String, IncidentFold> folds = new HashMap<>();
        // Each partition's records come in order, and an incident's events all sit in one partition.
        log.readAll(Topics.INCIDENT_EVENTS, Instant.EPOCH, record -> {
            if (record.value() != null) {
                folds.computeIfAbsent(record.key(), id -> new IncidentFold(lifecycle)).apply(record.value());
            }
        });
        Map<String, IncidentState> folded = new HashMap<>();
        folds.forEach((id, fold) -> {
            if (fold.state() != null) {
                folded.put(id, fold.state());
            }
        });
        Map<String, IncidentState> stored = new HashMap<>();
        log.readAll(Topics.INCIDENT_STATE, Instant.EPOCH, record -> {
            if (record.value() == null) {
                stored.remove(record.key());
            } else {
                stored.put(record.key(), record.value());
            }
        });
        Map<String, String> differences = new TreeMap<>();
        folded.forEach((id, state) -> {
            IncidentState written = stored.get(id);
            if (written == null) {
                differences.put(id, "in the log, not in " + Topics.INCIDENT_STATE.name());
            } else if (!STATES.same(state, written, IncidentState.getClassSchema())) {
                differences.put(id, "differs in " + fieldsThatDiffer(state, written));
            }
        });
        stored.keySet().stream().filter(id -> !folded.containsKey(id))
                .forEach(id -> differences.put(id, "in " + Topics.INCIDENT_STATE.name() + ", not in the log"));
        if (out.json) {
            ObjectNode json = ApiClient.JSON.createObjectNode().put("incidents", Math.max(folded.size(), stored.size()))
                    .put("differing", differences.size());
            ArrayNode rows = json.putArray("differences");
            differences.forEach((id, difference) -> rows.addObject().put("incidentId", id).put("difference", difference));
            out.json(json);
            return differences.isEmpty() ? 0 : CliError.FAILED;
        }
        if (differences.isEmpty()) {
            Output.out.printf("%,d incidents: the folded log equals %s%n", folded.size(), Topics.INCIDENT_STATE.name());
            return 0;
        }
        Output.out.printf("%,d of %,d incidents differ:%n", differences.size(), Math.max(folded.size(), stored.size()));
        differences.entrySet().stream().limit(SHOWN).forEach(entry -> Output.out.println("  " + entry.getKey() + ": " + entry.getValue()));
        if (differences.size() > SHOWN) {
            Output.out.printf("  … and %,d more%n", differences.size() - SHOWN);
        }
        return CliError.FAILED;
    }

    /**
     * Equality of states as Avro sees it. The records' own {@code equals} compares with a model that
     * knows no logical types, so it fails on a timestamp inside a nested record (a review's, an action
     * item's) unless both sides hold the very same object.
     */
    static final Equality STATES = new Equality();

    static final class Equality extends SpecificData {
        Equality() {
            addLogicalTypeConversion(new TimeConversions.TimestampMillisConversion());
        }

        boolean same(Object a, Object b, Schema schema) {
            return compare(a, b, schema, true) == 0;
        }
    }

    private static List<String> fieldsThatDiffer(IncidentState folded, IncidentState written) {
        List<String> fields = new ArrayList<>();
        for (Schema.Field field : IncidentState.getClassSchema().getFields()) {
            if (!STATES.same(folded.get(field.pos()), written.get(field.pos()), field.schema())) {
                fields.add(field.name());
            }
        }
        return fields;
    }
}
