package dev.incidentengine.incident;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

import dev.incidentengine.incident.domain.ResponseRules;
import dev.incidentengine.model.config.RoleConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The response roles for the API, from the aggregate's global store ({@link IncidentTopology#ROLES_STORE}) as the aggregate
 * knows them: the configured ones, else the seeds'. A handful of records, read whole per request.
 */
public final class RolesSource implements Supplier<Collection<RoleConfig>> {

    private final KafkaStreams streams;

    public RolesSource(KafkaStreams streams) {
        this.streams = streams;
    }

    /** @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the app is not running (the API answers 503) */
    @Override
    public Collection<RoleConfig> get() {
        ReadOnlyKeyValueStore<String, RoleConfig> store = streams.store(
                StoreQueryParameters.fromNameAndType(IncidentTopology.ROLES_STORE, QueryableStoreTypes.keyValueStore()));
        List<RoleConfig> configured = new ArrayList<>();
        try (KeyValueIterator<String, RoleConfig> all = store.all()) {
            all.forEachRemaining(entry -> configured.add(entry.value));
        }
        return ResponseRules.of(configured, List.of(), List.of(), List.of(), List.of()).roles().values();
    }
}
