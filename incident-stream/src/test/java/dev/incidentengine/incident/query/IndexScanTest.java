package dev.incidentengine.incident.query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.Severity;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.incident.query.QueryKeysTest.state;
import static org.assertj.core.api.Assertions.assertThat;

/** Lists from the index of several partitions, against sorted maps standing in for their RocksDB stores. */
class IndexScanTest {

    /** One partition's index and incidents, kept as the query topology keeps them. */
    private static final class Partition {
        final TreeMap<String, String> index = new TreeMap<>();
        final TreeMap<String, IncidentState> incidents = new TreeMap<>();

        void put(IncidentState state) {
            IncidentState previous = incidents.put(state.getIncidentId(), state);
            if (previous != null) {
                QueryKeys.index(previous).forEach(index::remove);
            }
            QueryKeys.index(state).forEach(key -> index.put(key, ""));
        }

        IndexScan.Partition stores() {
            return new IndexScan.Partition(new MapStore<>(index), incidents::get, new MapStore<>(new TreeMap<>()));
        }
    }

    private static List<IndexScan.Partition> stores(List<Partition> partitions) {
        return partitions.stream().map(Partition::stores).toList();
    }

    private static List<String> ids(IndexScan.Page page) {
        return page.incidents().stream().map(listed -> listed.incident().getIncidentId()).toList();
    }

    private static IndexScan.Filter statuses(IncidentStatus... statuses) {
        return new IndexScan.Filter(Set.of(statuses), Set.of(), Set.of(), Set.of(), null);
    }

    @Test
    void aPageMergesPartitionsNewestFirst_andItsNextPositionContinuesIt() {
        Partition p0 = new Partition();
        Partition p1 = new Partition();
        p0.put(state("INC-1", "2026-12-04T10:00:00Z", IncidentStatus.TRIGGERED, "checkout", null));
        p1.put(state("INC-2", "2026-12-04T11:00:00Z", IncidentStatus.TRIGGERED, "checkout", null));
        p0.put(state("INC-3", "2026-12-04T12:00:00Z", IncidentStatus.RESOLVED, "payments", null));
        p1.put(state("INC-4", "2026-12-04T13:00:00Z", IncidentStatus.ACKNOWLEDGED, "checkout", "alice"));

        IndexScan.Page first = IndexScan.page(stores(List.of(p0, p1)), IndexScan.Filter.NONE, null, 3);
        assertThat(ids(first)).containsExactly("INC-4", "INC-3", "INC-2");
        assertThat(first.more()).isTrue();
        IndexScan.Page second = IndexScan.page(stores(List.of(p0, p1)), IndexScan.Filter.NONE, first.nextPosition(), 3);
        assertThat(ids(second)).containsExactly("INC-1");
        assertThat(second.nextPosition()).isNull();
    }

    @Test
    void filtersReadOnlyTheirIndexRanges_andCombine() {
        Partition p0 = new Partition();
        p0.put(state("INC-1", "2026-12-04T10:00:00Z", IncidentStatus.TRIGGERED, "checkout", null));
        p0.put(state("INC-2", "2026-12-04T11:00:00Z", IncidentStatus.ACKNOWLEDGED, "checkout", "alice"));
        p0.put(state("INC-3", "2026-12-04T12:00:00Z", IncidentStatus.RESOLVED, "payments", "alice"));
        List<IndexScan.Partition> stores = stores(List.of(p0));

        assertThat(ids(IndexScan.page(stores, statuses(IncidentStatus.TRIGGERED, IncidentStatus.ACKNOWLEDGED), null, 10)))
                .containsExactly("INC-2", "INC-1");
        assertThat(ids(IndexScan.page(stores, new IndexScan.Filter(Set.of(IncidentStatus.ACKNOWLEDGED), Set.of(), Set.of(),
                Set.of("alice"), null), null, 10))).containsExactly("INC-2");
        assertThat(ids(IndexScan.page(stores, new IndexScan.Filter(Set.of(), Set.of("checkout"), Set.of(Severity.SEV1), Set.of(), null),
                null, 10))).isEmpty();
        assertThat(ids(IndexScan.page(stores, new IndexScan.Filter(Set.of(), Set.of(), Set.of(), Set.of(),
                Instant.parse("2026-12-04T11:00:00Z")), null, 10))).containsExactly("INC-3", "INC-2");
        assertThat(ids(IndexScan.page(stores, new IndexScan.Filter(Set.of(), Set.of("nothing"), Set.of(), Set.of(), null), null, 10)))
                .isEmpty();
    }

    @Test
    void aFilterThatMatchesNothingDecodesNothing() {
        Partition p0 = new Partition();
        for (int i = 0; i < 1_000; i++) {
            p0.put(state("INC-" + i, "2026-12-04T10:00:00Z", IncidentStatus.RESOLVED, "checkout", null));
        }
        AtomicInteger reads = new AtomicInteger();
        IndexScan.Partition counting = new IndexScan.Partition(new MapStore<>(p0.index), id -> {
            reads.incrementAndGet();
            return p0.incidents.get(id);
        }, new MapStore<>(new TreeMap<>()));

        assertThat(IndexScan.page(List.of(counting), statuses(IncidentStatus.TRIGGERED), null, 50).incidents()).isEmpty();
        assertThat(reads).hasValue(0);
    }

    /**
     * Paging while incidents arrive and change: every incident that was there before the first page
     * and is still listed at the end is seen exactly once, and pages never repeat an incident or go
     * back in the order.
     */
    @Test
    void pagesStayCompleteAndOrderedWhileIncidentsArriveAndChange() {
        for (long seed = 1; seed <= 200; seed++) {
            Random random = new Random(seed);
            List<Partition> partitions = List.of(new Partition(), new Partition(), new Partition());
            Map<String, Partition> home = new HashMap<>();
            int[] next = {0};
            Runnable insert = () -> {
                String id = "INC-" + next[0]++;
                Partition partition = partitions.get(random.nextInt(partitions.size()));
                home.put(id, partition);
                // Mostly new incidents, some late arrivals with an older opening time.
                long minute = random.nextInt(10) == 0 ? random.nextInt(60) : 60 + next[0];
                partition.put(state(id, Instant.parse("2026-12-04T00:00:00Z").plusSeconds(60 * minute).toString(),
                        random.nextBoolean() ? IncidentStatus.TRIGGERED : IncidentStatus.ACKNOWLEDGED, "checkout", null));
            };
            for (int i = 0; i < 40; i++) {
                insert.run();
            }
            IndexScan.Filter filter = random.nextBoolean() ? IndexScan.Filter.NONE
                    : statuses(IncidentStatus.TRIGGERED, IncidentStatus.ACKNOWLEDGED);
            Set<String> before = new HashSet<>(home.keySet());
            List<IndexScan.Listed> seen = new ArrayList<>();
            String after = null;
            do {
                IndexScan.Page page = IndexScan.page(stores(partitions), filter, after, 1 + random.nextInt(7));
                seen.addAll(page.incidents());
                after = page.nextPosition();
                for (int i = random.nextInt(4); i > 0; i--) {
                    insert.run();
                }
                // Someone acknowledges an incident: it moves between the status ranges, its position stays.
                String changed = "INC-" + random.nextInt(next[0]);
                IncidentState state = home.get(changed).incidents.get(changed);
                home.get(changed).put(IncidentState.newBuilder(state).setStatus(IncidentStatus.ACKNOWLEDGED).build());
            } while (after != null);

            List<String> positions = seen.stream().map(IndexScan.Listed::position).toList();
            assertThat(positions).as("seed %d", seed).isSorted().doesNotHaveDuplicates();
            assertThat(seen.stream().map(listed -> listed.incident().getIncidentId())).as("seed %d", seed).containsAll(before);
        }
    }

    @Test
    void partsOfAPageFromSeveralInstancesAreOrderedAndCut_andSayWhetherMoreRemain() {
        // Positions as two instances' parts bring them: each part in order, the whole not.
        List<String> parts = new ArrayList<>(List.of("p2", "p5", "p7", "p1", "p3", "p6"));

        assertThat(IndexScan.firstInOrder(parts, position -> position, 4)).isTrue();
        assertThat(parts).containsExactly("p1", "p2", "p3", "p5");

        List<String> few = new ArrayList<>(List.of("p4", "p1"));
        assertThat(IndexScan.firstInOrder(few, position -> position, 4)).isFalse();
        assertThat(few).containsExactly("p1", "p4");
    }

    /** A read-only store over a sorted map, with RocksDB's inclusive ranges. */
    private static final class MapStore<V> implements ReadOnlyKeyValueStore<String, V> {
        private final NavigableMap<String, V> map;

        MapStore(NavigableMap<String, V> map) {
            this.map = map;
        }

        @Override
        public V get(String key) {
            return map.get(key);
        }

        @Override
        public KeyValueIterator<String, V> range(String from, String to) {
            return iterator(map.subMap(from == null ? "" : from, true, to, true).entrySet().iterator());
        }

        @Override
        public KeyValueIterator<String, V> all() {
            return iterator(map.entrySet().iterator());
        }

        @Override
        public long approximateNumEntries() {
            return map.size();
        }

        private KeyValueIterator<String, V> iterator(Iterator<Map.Entry<String, V>> entries) {
            // A snapshot, as a RocksDB iterator reads one.
            List<KeyValue<String, V>> snapshot = new ArrayList<>();
            entries.forEachRemaining(entry -> snapshot.add(KeyValue.pair(entry.getKey(), entry.getValue())));
            Iterator<KeyValue<String, V>> it = snapshot.iterator();
            return new KeyValueIterator<>() {
                @Override
                public void close() {
                }

                @Override
                public String peekNextKey() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public KeyValue<String, V> next() {
                    return it.next();
                }
            };
        }
    }
}
