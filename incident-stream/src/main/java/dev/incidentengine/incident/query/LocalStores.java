package dev.incidentengine.incident.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.incidentengine.model.IncidentState;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * The read side's stores of the tasks running on this instance, as their processors hold them,
 * for the API's reads. {@code KafkaStreams.store()} finds the store again through the stream
 * thread's task lists on every {@code get}: a few kilobytes of garbage and a lock per read, and a
 * page reads dozens (at 200 requests/s that was 350 MB/s of garbage and a young GC every 0.7 s,
 * the API's p99). A store is here from its task's processors' init until their close, which
 * Streams calls before it closes, recycles or migrates the task's stores: a task that is restoring
 * or has moved away has none, as with interactive queries; a reader still holding a store that
 * closes under it gets {@link InvalidStateStoreException}, as it would from them.
 */
public final class LocalStores {

    private record Key(String store, int partition) {
    }

    private final Map<Key, StateStore> open = new ConcurrentHashMap<>();

    /** What a processor opened: {@link #close} takes exactly those stores away again. */
    final class Opened {
        private final List<Map.Entry<Key, StateStore>> stores = new ArrayList<>();

        void close() {
            stores.forEach(entry -> open.remove(entry.getKey(), entry.getValue()));
        }
    }

    /** Offers these stores of the processor's task to readers, until the returned {@link Opened#close}. */
    Opened open(ProcessorContext<?, ?> context, String... names) {
        Opened opened = new Opened();
        int partition = context.taskId().partition();
        for (String name : names) {
            Key key = new Key(name, partition);
            StateStore store = context.getStateStore(name);
            open.put(key, store);
            opened.stores.add(Map.entry(key, store));
        }
        return opened;
    }

    /** A key-value store of partition {@code partition}. */
    @SuppressWarnings("unchecked")
    <V> ReadOnlyKeyValueStore<String, V> store(String name, int partition) {
        return (ReadOnlyKeyValueStore<String, V>) find(name, partition);
    }

    /** The incident in partition {@code partition}'s incident store (a table's, with timestamps), or null. */
    @SuppressWarnings("unchecked")
    IncidentState incident(int partition, String incidentId) {
        return ValueAndTimestamp.getValueOrNull(
                ((TimestampedKeyValueStore<String, IncidentState>) find(IncidentQueryTopology.INCIDENT_STORE, partition)).get(incidentId));
    }

    private StateStore find(String name, int partition) {
        StateStore store = open.get(new Key(name, partition));
        if (store == null) {
            throw new InvalidStateStoreException("partition " + partition + " of " + name + " is not running on this instance");
        }
        return store;
    }
}
