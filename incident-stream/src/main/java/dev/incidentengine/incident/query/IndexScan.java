package dev.incidentengine.incident.query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

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
 * same way ({@link #merge}).
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

        /** The index ranges that hold every match: one per value of the most selective filter given. */
        List<String> prefixes() {
            if (!words.isEmpty()) {
                return List.of(QueryKeys.prefix(QueryKeys.Dimension.WORD, primaryWord()));
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

        /** The word whose range is read (the longest: likely the rarest); the others are looked up per incident. */
        String primaryWord() {
            return words.stream().max(Comparator.comparingInt(String::length)).orElseThrow();
        }

        /** Whether the incident at {@code position} is listed under every word but the primary one. */
        boolean hasOtherWords(ReadOnlyKeyValueStore<String, String> index, String position) {
            String primary = words.isEmpty() ? null : primaryWord();
            for (String word : words) {
                if (!word.equals(primary) && index.get(QueryKeys.prefix(QueryKeys.Dimension.WORD, word) + position) == null) {
                    return false;
                }
            }
            return true;
        }
    }

    /** One partition's stores. */
    public record Partition(ReadOnlyKeyValueStore<String, String> index, ReadOnlyKeyValueStore<String, IncidentState> incidents) {
    }

    /** An incident of a page with its position in the list's order; {@code more} when a next page may hold further matches. */
    public record Page(List<Listed> incidents, boolean more) {

        /** Where the next page starts: after the last incident of this one; null when there is no next page. */
        public String nextPosition() {
            return more && !incidents.isEmpty() ? incidents.get(incidents.size() - 1).position() : null;
        }
    }

    public record Listed(String position, IncidentState incident) {
    }

    private static final Comparator<Listed> ORDER = Comparator.comparing(Listed::position);

    private IndexScan() {
    }

    /** Up to {@code limit} matches after {@code after} (a position; null from the start) in these partitions, newest first. */
    public static Page page(List<Partition> partitions, Filter filter, String after, int limit) {
        List<Page> pages = new ArrayList<>();
        for (Partition partition : partitions) {
            pages.add(page(partition, filter, after, limit));
        }
        return merge(pages, limit);
    }

    /** Pages of different partitions or instances, each after the same position, as one. */
    public static Page merge(List<Page> pages, int limit) {
        List<Listed> all = new ArrayList<>();
        boolean more = false;
        for (Page page : pages) {
            all.addAll(page.incidents());
            more |= page.more();
        }
        all.sort(ORDER);
        if (all.size() > limit) {
            return new Page(List.copyOf(all.subList(0, limit)), true);
        }
        return new Page(all, more);
    }

    /** One partition's page: up to {@code limit} matches after {@code after}. */
    static Page page(Partition partition, Filter filter, String after, int limit) {
        List<String> prefixes = filter.prefixes();
        List<KeyValueIterator<String, String>> ranges = new ArrayList<>();
        try {
            PriorityQueue<Cursor> next = new PriorityQueue<>(Comparator.comparing((Cursor cursor) -> cursor.position));
            for (String prefix : prefixes) {
                // Range bounds are inclusive: start just after the position (a key never ends in U+0000).
                String from = after == null ? prefix : prefix + after + QueryKeys.SEPARATOR;
                KeyValueIterator<String, String> range = partition.index().range(from, QueryKeys.end(prefix));
                ranges.add(range);
                Cursor cursor = new Cursor(range);
                if (cursor.advance()) {
                    next.add(cursor);
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
                if (cursor.advance()) {
                    next.add(cursor);
                }
                if (found.size() == limit) {
                    return new Page(found, true);
                }
                if (!filter.hasOtherWords(partition.index(), position)) {
                    continue;
                }
                IncidentState state = partition.incidents().get(QueryKeys.incidentIdOfPosition(position));
                if (state != null && filter.test(state)) {
                    found.add(new Listed(position, state));
                }
            }
            return new Page(found, false);
        } finally {
            ranges.forEach(KeyValueIterator::close);
        }
    }

    private static final class Cursor {
        private final KeyValueIterator<String, String> range;
        private String position;

        Cursor(KeyValueIterator<String, String> range) {
            this.range = range;
        }

        boolean advance() {
            if (!range.hasNext()) {
                return false;
            }
            KeyValue<String, String> entry = range.next();
            position = QueryKeys.positionOf(entry.key);
            return true;
        }
    }
}
