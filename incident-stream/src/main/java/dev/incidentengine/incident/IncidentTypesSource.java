package dev.incidentengine.incident;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.incidentengine.incident.domain.ResponseRules;
import dev.incidentengine.model.config.IncidentTypeConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The incident types for the API, from the aggregate's global store ({@link IncidentTopology#INCIDENT_TYPES_STORE}), as
 * the aggregate decides by them ({@link ResponseRules#types}: the seeds' seven when none are configured). A few dozen
 * records at most, read whole per request.
 */
public final class IncidentTypesSource implements Supplier<Map<String, IncidentTypeConfig>> {

    private final KafkaStreams streams;

    public IncidentTypesSource(KafkaStreams streams) {
        this.streams = streams;
    }

    /** @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the app is not running (the API answers 503) */
    @Override
    public Map<String, IncidentTypeConfig> get() {
        ReadOnlyKeyValueStore<String, IncidentTypeConfig> store = streams.store(
                StoreQueryParameters.fromNameAndType(IncidentTopology.INCIDENT_TYPES_STORE, QueryableStoreTypes.keyValueStore()));
        List<IncidentTypeConfig> types = new ArrayList<>();
        try (KeyValueIterator<String, IncidentTypeConfig> all = store.all()) {
            all.forEachRemaining(entry -> types.add(entry.value));
        }
        return ResponseRules.of(List.of(), types, List.of(), List.of(), List.of()).types();
    }
}
