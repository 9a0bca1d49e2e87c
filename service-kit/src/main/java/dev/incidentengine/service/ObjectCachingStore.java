package dev.incidentengine.service;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * A write-behind cache of deserialized values in front of a logged key-value store, in place of
 * Streams' record cache. That cache holds serialized bytes, so every get of an aggregate
 * deserializes it and every put serializes it again, however often the key changes between two
 * commits; for an incident with its alerts that was a fifth of the stream thread's time. Here gets
 * of recent keys return the object, and a key's latest value reaches the store and its changelog
 * once per commit, or when it is evicted to keep at most {@code maxEntries}.
 *
 * <p>It takes the record cache's place in Streams' commit by implementing {@link CachedStateStore}
 * (an internal interface): Streams calls {@code flushCache()} before it commits, so the writes
 * join the transaction under exactly-once, and {@code clearCache()} when a task closes dirty, which
 * drops what was not written. ({@code StateStore.commit} comes after the transaction and would be
 * too late.) Values are kept by reference: a caller that changes a value it got must put it back,
 * as with any store. Not for interactive queries: it belongs to the stream thread.
 *
 * <p>{@link #whenWritten} hears of each value as it reaches the store, so a processor can send the
 * same once-per-commit value downstream (the incident state to its compacted topic) as Streams'
 * own caching stores do through their flush listeners.
 */
public final class ObjectCachingStore<K, V> implements KeyValueStore<K, V>, CachedStateStore<K, V> {

    private final KeyValueStore<K, V> inner;
    private final int maxEntries;
    private final LinkedHashMap<K, Entry<V>> entries = new LinkedHashMap<>(16, 0.75f, true);
    private BiConsumer<K, V> written = (key, value) -> { };

    private record Entry<V>(V value, boolean dirty) {
    }

    ObjectCachingStore(KeyValueStore<K, V> inner, int maxEntries) {
        this.inner = inner;
        this.maxEntries = maxEntries;
    }

    /** The object-caching store behind what {@code ProcessorContext.getStateStore} returns for it. */
    @SuppressWarnings("unchecked")
    public static <K, V> ObjectCachingStore<K, V> of(StateStore store) {
        StateStore current = store;
        while (!(current instanceof ObjectCachingStore<?, ?>)) {
            if (!(current instanceof WrappedStateStore<?, ?, ?> wrapped)) {
                throw new IllegalArgumentException(store.name() + " is not an object-caching store");
            }
            current = wrapped.wrapped();
        }
        return (ObjectCachingStore<K, V>) current;
    }

    /**
     * Calls {@code listener} with each value as it is written to the store: at the latest when
     * Streams flushes caches before a commit (inside the transaction), or when evicted.
     */
    public void whenWritten(BiConsumer<K, V> listener) {
        this.written = listener;
    }

    /** {@code inner} without Streams' record cache (this replaces it), with its changelog. */
    public static <K, V> StoreBuilder<KeyValueStore<K, V>> builder(StoreBuilder<KeyValueStore<K, V>> inner, int maxEntries) {
        inner.withCachingDisabled();
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<KeyValueStore<K, V>> withCachingEnabled() {
                throw new UnsupportedOperationException("an object-cached store has no record cache");
            }

            @Override
            public StoreBuilder<KeyValueStore<K, V>> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<K, V>> withLoggingEnabled(Map<String, String> config) {
                inner.withLoggingEnabled(config);
                return this;
            }

            @Override
            public StoreBuilder<KeyValueStore<K, V>> withLoggingDisabled() {
                inner.withLoggingDisabled();
                return this;
            }

            @Override
            public KeyValueStore<K, V> build() {
                return new ObjectCachingStore<>(inner.build(), maxEntries);
            }

            @Override
            public Map<String, String> logConfig() {
                return inner.logConfig();
            }

            @Override
            public boolean loggingEnabled() {
                return inner.loggingEnabled();
            }

            @Override
            public String name() {
                return inner.name();
            }
        };
    }

    @Override
    public V get(K key) {
        Entry<V> entry = entries.get(key);
        if (entry != null) {
            return entry.value();
        }
        V value = inner.get(key);
        if (value != null) {
            keep(key, new Entry<>(value, false));
        }
        return value;
    }

    @Override
    public void put(K key, V value) {
        if (value == null) {
            delete(key);
        } else {
            keep(key, new Entry<>(value, true));
        }
    }

    @Override
    public V putIfAbsent(K key, V value) {
        V current = get(key);
        if (current == null) {
            put(key, value);
        }
        return current;
    }

    @Override
    public void putAll(List<KeyValue<K, V>> records) {
        records.forEach(record -> put(record.key, record.value));
    }

    @Override
    public V delete(K key) {
        Entry<V> entry = entries.remove(key);
        V old = inner.delete(key);
        return entry != null ? entry.value() : old;
    }

    private void keep(K key, Entry<V> entry) {
        entries.put(key, entry);
        if (entries.size() > maxEntries) {
            Iterator<Map.Entry<K, Entry<V>>> eldest = entries.entrySet().iterator();
            Map.Entry<K, Entry<V>> evicted = eldest.next();
            eldest.remove();
            if (evicted.getValue().dirty()) {
                write(evicted.getKey(), evicted.getValue().value());
            }
        }
    }

    /** Writes every changed value to the store; they stay cached, now clean. */
    private void writeDirty() {
        entries.replaceAll((key, entry) -> {
            if (!entry.dirty()) {
                return entry;
            }
            write(key, entry.value());
            return new Entry<>(entry.value(), false);
        });
    }

    private void write(K key, V value) {
        inner.put(key, value);
        written.accept(key, value);
    }

    @Override
    public KeyValueIterator<K, V> range(K from, K to) {
        writeDirty();
        return inner.range(from, to);
    }

    @Override
    public KeyValueIterator<K, V> reverseRange(K from, K to) {
        writeDirty();
        return inner.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<K, V> all() {
        writeDirty();
        return inner.all();
    }

    @Override
    public KeyValueIterator<K, V> reverseAll() {
        writeDirty();
        return inner.reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<K, V> prefixScan(P prefix, PS prefixKeySerializer) {
        writeDirty();
        return inner.prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        writeDirty();
        return inner.approximateNumEntries();
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        entries.clear();
        inner.init(context, root);
    }

    /** Before Streams commits: the changed values go to the store and its changelog, inside the transaction. */
    @Override
    public void flushCache() {
        writeDirty();
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.flushCache();
        }
    }

    /** A task closed dirty: what was not written is dropped, and restored from the changelog if needed. */
    @Override
    public void clearCache() {
        entries.clear();
        if (inner instanceof CachedStateStore<?, ?> cached) {
            cached.clearCache();
        }
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<K, V> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    @SuppressWarnings("deprecation")
    public void flush() {
        writeDirty();
        inner.flush();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        writeDirty();
        inner.commit(changelogOffsets);
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return inner.committedOffset(partition);
    }

    @Override
    public boolean managesOffsets() {
        return inner.managesOffsets();
    }

    @Override
    public void close() {
        entries.clear();
        inner.close();
    }

    @Override
    public boolean persistent() {
        return inner.persistent();
    }

    @Override
    public boolean isOpen() {
        return inner.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        writeDirty();
        return inner.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return inner.getPosition();
    }
}
