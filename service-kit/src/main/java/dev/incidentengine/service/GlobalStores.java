package dev.incidentengine.service;

import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** Compacted topics (config, mostly) as global stores of a Streams app. */
public final class GlobalStores {

    private GlobalStores() {
    }

    /**
     * The topic as an in-memory global store named {@code name} (source {@code name-source}): every
     * instance sees all of it, and changes apply live; a tombstone deletes the key.
     */
    public static <V> void add(StreamsBuilder builder, String name, Topic<String, V> topic, RecordSerdes serdes) {
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), topic.valueSerde(serdes)).withLoggingDisabled(),
                topic.name(),
                Consumed.with(Serdes.String(), topic.valueSerde(serdes)).withName(name + "-source"),
                () -> new Processor<String, V, Void, Void>() {
                    private KeyValueStore<String, V> store;

                    @Override
                    public void init(ProcessorContext<Void, Void> context) {
                        store = context.getStateStore(name);
                    }

                    @Override
                    public void process(Record<String, V> record) {
                        if (record.key() == null) {
                            return;
                        }
                        if (record.value() == null) {
                            store.delete(record.key());
                        } else {
                            store.put(record.key(), record.value());
                        }
                    }
                });
    }
}
