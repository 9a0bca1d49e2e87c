package dev.incidentengine.incident.query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.Severity;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A page of a list from the index and incident stores of some partitions: newest first, after a
 * position. It reads one index range per value of the most selective filter (a search word, then
 * assignee, service, status, severity; all incidents when there is none), merged in list order, and
 * decodes only the incidents those ranges name (and, for a search, that have its other words too);
 * the other filters are checked on them. A
 * {@code since} ends the scan at the first older incident. Pages of several instances merge the
 * same way ({@link #firstInOrder}).
 */
public final class IndexScan {

    /** Empty sets filter nothing; {@code since} null neither. {@code words}: search, every one must be found ({@link QueryKeys#words}). */
    public record Filter(Set<IncidentStatus> statuses, Set<String> services, Set<Severity> severities, Set<String> assignees,
                         Instant since, List<String> words) {

        public static final Filter NONE = new Filter(Set.of(), Set.of(), Set.of(), Set.of(), null);

        public Filter(Set<IncidentStatus> statuses, Set<String> services, Set<Severity> severities, Set<String> assignees, Instant since) {
            this(statuses, services, severities, assignees, since, List.of());
        }

        public boolean test(IncidentState state) {
            return (statuses.isEmpty() || statuses.contains(state.getStatus()))
                    && (services.isEmpty() || state.getService() != null && services.contains(state.getService()))
                    && (severities.isEmpty() || severities.contains(state.getSeverity()))
                    && (assignees.isEmpty() || state.getAssigneeUserId() != null && assignees.contains(state.getAssigneeUserId()))
                    && (since == null || !state.getOpenedAt().isBefore(since));
        }

        /**
         * The index ranges of a partition that hold every match: one per value of the most selective
         * filter given; for a search, the range of its word that finds the fewest incidents there
         * (none when a word finds none).
         */
        List<String> prefixes(Partition partition) {
            if (!words.isEmpty()) {
                String rarest = null;
                long fewest = Long.MAX_VALUE;
                for (String word : words) {
                    String count = partition.search().get(QueryKeys.wordCount(word));
                    long incidents = count == null ? 0 : Long.parseLong(count);
                    if (incidents < fewest) {
                        rarest = word;
                        fewest = incidents;
                    }
                }
                return fewest == 0 ? List.of() : List.of(QueryKeys.prefix(QueryKeys.Dimension.WORD, rarest));
            }
            if (!assignees.isEmpty()) {
                return assignees.stream().map(value -> QueryKeys.prefix(QueryKeys.Dimension.ASSIGNEE, value)).toList();
            }
            if (!services.isEmpty()) {
                return services.stream().map(value -> QueryKeys.prefix(QueryKeys.Dimension.SERVICE, value)).toList();
            }
            if (!statuses.isEmpty()) {
                return statuses.stream().map(value -> QueryKeys.prefix(QueryKeys.Dimension.STATUS, value.name())).toList();
            }
            if (!severities.isEmpty()) {
                return severities.stream().map(value -> QueryKeys.prefix(QueryKeys.Dimension.SEVERITY, value.name())).toList();
            }
            return List.of(QueryKeys.prefix(QueryKeys.Dimension.ALL, ""));
        }

        /** Whether the incident is found by every word of the search: one read of its search entry. */
        boolean hasWords(Partition partition, String incidentId) {
            if (words.isEmpty()) {
                return true;
            }
            String entry = partition.search().get(QueryKeys.searchEntry(incidentId));
            return entry != null && SearchEntry.hasAll(entry, words);
        }
    }

    /** One partition's stores; {@code incidents} reads its incident store. */
    public record Partition(ReadOnlyKeyValueStore<String, String> index, Function<String, IncidentState> incidents,
                            ReadOnlyKeyValueStore<String, String> search) {
    }

    /** An incident of a page with its position in the list's order; {@code more} when a next page may hold further matches. */
    public record Page(List<Listed> incidents, boolean more) {

        /** Where the next page starts: after the last incident of this one; null when there is no next page. */
        public String nextPosition() {
            return more && !incidents.isEmpty() ? incidents.get(incidents.size() - 1).position() : null;
        }
    }

    /** {@code partition}: the index of its partition in the list given to {@link #page}. */
    public record Listed(String position, IncidentState incident, int partition) {
    }

    private IndexScan() {
    }

    /**
     * Up to {@code limit} matches after {@code after} (a position; null from the start) in these
     * partitions, newest first: their index ranges merged in list order, so only the incidents up to
     * the page's end are looked up (about {@code limit}, not {@code limit} per partition).
     *
     * @throws PartitionFailed when a partition's stores fail (they moved away mid-scan): the caller leaves it out
     */
    public static Page page(List<Partition> partitions, Filter filter, String after, int limit) {
        List<Cursor> opened = new ArrayList<>();
        try {
            PriorityQueue<Cursor> next = new PriorityQueue<>(Comparator.comparing((Cursor cursor) -> cursor.position));
            for (int p = 0; p < partitions.size(); p++) {
                Partition partition = partitions.get(p);
                for (String prefix : read(p, () -> filter.prefixes(partition))) {
                    // Range bounds are inclusive: start just after the position (a key never ends in U+0000).
                    String from = after == null ? prefix : prefix + after + QueryKeys.SEPARATOR;
                    Cursor cursor = new Cursor(partition, p);
                    opened.add(cursor);
                    cursor.open(from, QueryKeys.end(prefix));
                    if (cursor.advance()) {
                        next.add(cursor);
                    }
                }
            }
            // After every position of the since millisecond: anything greater opened earlier.
            String sinceEnd = filter.since() == null ? null : QueryKeys.end(QueryKeys.position(filter.since(), ""));
            List<Listed> found = new ArrayList<>();
            while (!next.isEmpty()) {
                Cursor cursor = next.poll();
                String position = cursor.position;
                if (sinceEnd != null && position.compareTo(sinceEnd) > 0) {
                    return new Page(found, false);
                }
                if (found.size() == limit) {
                    return new Page(found, true);
                }
                if (cursor.advance()) {
                    next.add(cursor);
                }
                String incidentId = QueryKeys.incidentIdOfPosition(position);
                IncidentState state = cursor.read(() -> filter.hasWords(cursor.partition, incidentId)
                        ? cursor.partition.incidents().apply(incidentId) : null);
                if (state != null && filter.test(state)) {
                    found.add(new Listed(position, state, cursor.number));
                }
            }
            return new Page(found, false);
        } finally {
            opened.forEach(Cursor::close);
        }
    }

    /** A read of partition {@code number}'s stores; a failure names the partition. */
    private static <T> T read(int number, Supplier<T> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            throw new PartitionFailed(number, e);
        }
    }

    /**
     * Puts the parts of one page (from several partitions or instances, each after the same
     * position) in list order and keeps the first {@code limit}; true when some were cut, so that a
     * next page holds more.
     */
    public static <T> boolean firstInOrder(List<T> items, Function<T, String> position, int limit) {
        items.sort(Comparator.comparing(position));
        if (items.size() <= limit) {
            return false;
        }
        items.subList(limit, items.size()).clear();
        return true;
    }

    /** The partition (its index in the list given to {@link #page}) whose stores failed, and how. */
    public static final class PartitionFailed extends RuntimeException {
        private final int partition;

        PartitionFailed(int partition, RuntimeException cause) {
            super("partition " + partition + ": " + cause.getMessage(), cause);
            this.partition = partition;
        }

        public int partition() {
            return partition;
        }
    }

    /** One index range of one partition, at its current position. */
    private static final class Cursor {
        private final Partition partition;
        private final int number;
        private KeyValueIterator<String, String> range;
        private String position;

        Cursor(Partition partition, int number) {
            this.partition = partition;
            this.number = number;
        }

        void open(String from, String to) {
            range = read(() -> partition.index().range(from, to));
        }

        boolean advance() {
            return read(() -> {
                if (!range.hasNext()) {
                    return false;
                }
                KeyValue<String, String> entry = range.next();
                position = QueryKeys.positionOf(entry.key);
                return true;
            });
        }

        <T> T read(Supplier<T> read) {
            return IndexScan.read(number, read);
        }

        void close() {
            if (range != null) {
                try {
                    range.close();
                } catch (RuntimeException e) {
                    // The store is gone already.
                }
            }
        }
    }
}
