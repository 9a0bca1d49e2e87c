package dev.incidentengine.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A compiled view of a global store (config, or the inhibiting alerts), rebuilt at most once a
 * second of wall-clock time: a change on the topic applies within a second, without a restart,
 * and a busy stream does not recompile for every record.
 */
public final class ConfigView<C, T> {

    private static final Logger log = LoggerFactory.getLogger(ConfigView.class);
    private static final long REFRESH_MS = 1_000;

    private final KeyValueStore<String, C> store;
    private final Function<List<C>, T> compile;
    private final Function<T, List<String>> problems;
    private T value;
    private long loadedAt;
    private List<String> reported = List.of();

    public ConfigView(KeyValueStore<String, C> store, Function<List<C>, T> compile, Function<T, List<String>> problems) {
        this.store = store;
        this.compile = compile;
        this.problems = problems;
    }

    /** The store's records by id. */
    public static <C> ConfigView<C, Map<String, C>> byId(KeyValueStore<String, C> store, Function<C, String> id) {
        return byId(store, id, map -> List.of());
    }

    /** The store's records by id, with what is wrong in them logged once per change. */
    public static <C> ConfigView<C, Map<String, C>> byId(KeyValueStore<String, C> store, Function<C, String> id,
                                                         Function<Map<String, C>, List<String>> problems) {
        return new ConfigView<>(store, list -> list.stream().collect(Collectors.toMap(id, c -> c, (a, b) -> b)), problems);
    }

    public T get(long nowMs) {
        if (value == null || nowMs - loadedAt >= REFRESH_MS) {
            List<C> entries = new ArrayList<>();
            try (KeyValueIterator<String, C> all = store.all()) {
                all.forEachRemaining((KeyValue<String, C> entry) -> entries.add(entry.value));
            }
            value = compile.apply(entries);
            loadedAt = nowMs;
            List<String> found = problems.apply(value);
            if (!found.equals(reported)) {
                found.forEach(problem -> log.warn("Ignoring invalid config: {}", problem));
                reported = found;
            }
        }
        return value;
    }
}
