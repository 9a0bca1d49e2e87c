package dev.incidentengine.incident;

import java.util.Objects;
import java.util.function.Supplier;

import dev.incidentengine.incident.domain.PublicationRules;
import dev.incidentengine.model.config.StatusPageConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The status page for the API, from the aggregate's global store ({@link IncidentTopology#STATUS_PAGES_STORE}): the
 * config the aggregate decides by, read one key per request and compiled again only when it changed.
 */
public final class StatusPageSource implements Supplier<PublicationRules> {

    private record Compiled(StatusPageConfig config, PublicationRules page) {
    }

    private final KafkaStreams streams;
    private final String pageId;
    private volatile Compiled compiled = new Compiled(null, PublicationRules.NONE);

    public StatusPageSource(KafkaStreams streams, String pageId) {
        this.streams = streams;
        this.pageId = pageId;
    }

    /** @throws org.apache.kafka.streams.errors.InvalidStateStoreException while the app is not running (the API answers 503) */
    @Override
    public PublicationRules get() {
        ReadOnlyKeyValueStore<String, StatusPageConfig> store = streams.store(
                StoreQueryParameters.fromNameAndType(IncidentTopology.STATUS_PAGES_STORE, QueryableStoreTypes.keyValueStore()));
        StatusPageConfig config = store.get(pageId);
        Compiled current = compiled;
        if (!Objects.equals(current.config(), config)) {
            current = new Compiled(config, PublicationRules.of(config));
            compiled = current;
        }
        return current.page();
    }
}
