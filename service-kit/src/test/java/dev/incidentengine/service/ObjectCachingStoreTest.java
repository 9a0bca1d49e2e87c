package dev.incidentengine.service;

import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ObjectCachingStoreTest {

    private KeyValueStore<String, String> inner;
    private ObjectCachingStore<String, String> store;

    @BeforeEach
    void setUp() {
        inner = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("s"), Serdes.String(), Serdes.String())
                .withLoggingDisabled().build();
        store = new ObjectCachingStore<>(inner, 2);
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
    }

    @Test
    void aPutIsReadBackAsTheSameObjectAndReachesTheStoreWhenStreamsFlushesBeforeCommitting() {
        String value = new String("a");
        store.put("k", value);

        assertThat(store.get("k")).isSameAs(value);
        assertThat(inner.get("k")).isNull();

        store.flushCache();
        assertThat(inner.get("k")).isEqualTo("a");
        assertThat(store.get("k")).isSameAs(value);
    }

    @Test
    void aTaskClosedDirtyDropsWhatWasNotWritten() {
        store.put("k", "written");
        store.flushCache();
        store.put("k", "lost");

        store.clearCache();

        assertThat(store.get("k")).isEqualTo("written");
    }

    @Test
    void theLeastRecentlyUsedEntryIsWrittenWhenItMakesRoom() {
        store.put("a", "1");
        store.put("b", "2");
        store.get("a");
        store.put("c", "3");

        assertThat(inner.get("b")).isEqualTo("2");
        assertThat(inner.get("a")).isNull();
        assertThat(store.get("b")).isEqualTo("2");
    }

    @Test
    void scansAndDeletesSeeWhatIsNotWrittenYet() {
        store.put("a", "1");
        store.put("b", "2");
        store.delete("a");

        List<KeyValue<String, String>> all = new ArrayList<>();
        try (KeyValueIterator<String, String> iterator = store.all()) {
            iterator.forEachRemaining(all::add);
        }
        assertThat(all).containsExactly(KeyValue.pair("b", "2"));
        assertThat(store.get("a")).isNull();
    }
}
