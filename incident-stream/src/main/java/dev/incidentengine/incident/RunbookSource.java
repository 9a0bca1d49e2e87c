package dev.incidentengine.incident;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import dev.incidentengine.model.config.RunbookConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The configured runbooks for the API, from the aggregate's global store ({@link IncidentTopology#RUNBOOKS_STORE}): what
 * the aggregate attaches by. A store of config records, so small: read whole per request.
 */
public final class RunbookSource implements Supplier<List<RunbookConfig>> {

    private final KafkaStreams streams;

    public RunbookSource(KafkaStreams streams) {
        this.streams = streams;
    }

    /** @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the app is not running (the API answers 503) */
    @Override
    public List<RunbookConfig> get() {
        ReadOnlyKeyValueStore<String, RunbookConfig> store = streams.store(
                StoreQueryParameters.fromNameAndType(IncidentTopology.RUNBOOKS_STORE, QueryableStoreTypes.keyValueStore()));
        List<RunbookConfig> runbooks = new ArrayList<>();
        try (KeyValueIterator<String, RunbookConfig> all = store.all()) {
            all.forEachRemaining(entry -> runbooks.add(entry.value));
        }
        return runbooks;
    }
}
