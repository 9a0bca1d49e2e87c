package dev.incidentengine.configdata;

import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.schemas.Topic;
import org.apache.avro.specific.SpecificRecord;

/**
 * One kind of config record: the key that names it in files, its topic, and its owner's rules. {@link ConfigData} reads
 * every kind alike and applies these: {@code prepare} turns what people write into the record's JSON form, {@code check}
 * refuses what the schema cannot (throwing {@link dev.incidentengine.schemas.ConfigProblem} naming a field of the
 * record), and {@code references} names the ids of other kinds the record uses, checked once every file is read.
 */
record ConfigKind<T extends SpecificRecord>(String name, Topic<String, T> topic, Prepare prepare, Consumer<T> check,
        BiConsumer<T, Reference> references) {

    /** Rewrites one record's JSON as read from a file (at {@code path}, such as {@code integrations[0]}) before the schema reads it. */
    @FunctionalInterface
    public interface Prepare {

        Prepare NONE = (node, env, path) -> node;

        JsonNode apply(JsonNode node, Map<String, String> env, String path);
    }

    /** The record's {@code field} names {@code id}, which must be a record on {@code topic} ({@code noun} says what it is). */
    @FunctionalInterface
    public interface Reference {

        void to(String field, Topic<String, ?> topic, String noun, String id);
    }
}
