package dev.incidentengine.incident.query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.CommandResult;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.SuppressedAlert;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Reads of the read side's stores on this instance, and where to ask for the rest: a key is
 * answered here when this instance's task holds its partition, else by the instance Streams names
 * for it ({@link Answer.There}); while Streams cannot say (a rebalance), {@link Answer.Unavailable}.
 * A list is the union of every instance's {@link #localPage}, each covering its active partitions.
 */
public final class IncidentQueries {

    /** An answer, where to get it, or why there is none now. */
    public sealed interface Answer<T> {
        record Here<T>(T value) implements Answer<T> {
        }

        record There<T>(HostInfo host) implements Answer<T> {
        }

        record Unavailable<T>(String why) implements Answer<T> {
        }
    }

    /** This instance's part of a list, and the partitions it covers. */
    public record LocalPage(IndexScan.Page page, Set<Integer> partitions) {
    }

    /**
     * Local reads at once: RocksDB stores serialize their reads (the store's monitor), so dozens of
     * HTTP threads reading together mostly wait on each other; as many as there are cores run, the
     * rest queue here.
     */
    private static final int READERS = Math.max(2, Runtime.getRuntime().availableProcessors());
    private static final long READER_WAIT_SECONDS = 5;

    private final Semaphore readers = new Semaphore(READERS);
    private final KafkaStreams streams;
    private final LocalStores local;
    private final HostInfo self;
    private final String stateTopic;
    private final Deserializer<IncidentEvent> events;

    /** {@code streams} runs {@link IncidentQueryTopology} with {@code local} and {@code application.server} {@code self}. */
    public IncidentQueries(KafkaStreams streams, LocalStores local, HostInfo self, String stateTopic, Deserializer<IncidentEvent> events) {
        this.streams = streams;
        this.local = local;
        this.self = self;
        this.stateTopic = stateTopic;
        this.events = events;
    }

    public HostInfo self() {
        return self;
    }

    /** An alert of an incident as it stands there, with its newest copy. */
    public record ListedAlert(Alert alert, AlertStatus status, Instant attachedAt, Instant resolvedAt) {
    }

    public Answer<Optional<IncidentState>> incident(String incidentId) {
        return byKey(IncidentQueryTopology.INCIDENT_STORE, incidentId, partition -> Optional.ofNullable(local.incident(partition, incidentId)));
    }

    /**
     * Up to {@code limit} of the incident's alerts in the order they were first attached, from the
     * {@code from}-th: one decoded event per alert, however many the incident has.
     */
    public Answer<List<ListedAlert>> alerts(String incidentId, long from, int limit) {
        return byKey(IncidentQueryTopology.ALERT_STORE, incidentId, partition -> {
            ReadOnlyKeyValueStore<String, String> alerts = local.store(IncidentQueryTopology.ALERT_STORE, partition);
            ReadOnlyKeyValueStore<String, byte[]> log = local.store(IncidentQueryTopology.EVENT_STORE, partition);
            List<ListedAlert> page = new ArrayList<>();
            try (KeyValueIterator<String, String> order = alerts.range(QueryKeys.alertAt(incidentId, from), QueryKeys.alertsEnd(incidentId))) {
                while (order.hasNext() && page.size() < limit) {
                    // Written together by the incident's task: the entry and its event are there.
                    AlertEntry entry = AlertEntry.decode(alerts.get(QueryKeys.alert(incidentId, order.next().value)));
                    page.add(new ListedAlert(attached(log, incidentId, entry), entry.resolvedAt() == null ? AlertStatus.FIRING
                            : AlertStatus.RESOLVED, entry.attachedAt(), entry.resolvedAt()));
                }
            }
            return page;
        });
    }

    /** The newest copy of an alert of an incident: the one its entry's event attached. */
    private Alert attached(ReadOnlyKeyValueStore<String, byte[]> log, String incidentId, AlertEntry entry) {
        return ((AlertAttached) events.deserialize(null, log.get(entry.attachedKey(incidentId))).getPayload()).getAlert();
    }

    /**
     * How much of the read side one {@link #firingAlerts} scan reads and answers with, on one instance:
     * at most {@code alerts} alerts of open incidents, {@code alertsPerIncident} of any one (a storm's
     * incident does not hide the rest), and the first {@code listed} matching alerts and incidents.
     */
    public record ScanLimits(int alerts, int alertsPerIncident, int listed) {
    }

    /** A firing alert that matched, with its open incident and where it stands: the incident's list position, then its place there. */
    public record MatchedAlert(String position, long ordinal, IncidentState incident, Alert alert) {
    }

    /** An open incident with at least one matching firing alert, and how many of its alerts read matched. */
    public record MatchedIncident(String position, IncidentState incident, long matchingAlerts) {
    }

    /**
     * What this instance's partitions hold of a scan: the first matches in list order, how many
     * matched and were read, whether a limit cut the scan short (the counts are then at least), and
     * the partitions covered.
     */
    public record LocalMatches(List<MatchedAlert> alerts, List<MatchedIncident> incidents, long matchingAlerts,
                               long matchingIncidents, long scannedAlerts, boolean truncated, Set<Integer> partitions) {
    }

    private static final IndexScan.Filter OPEN = new IndexScan.Filter(Set.of(IncidentStatus.TRIGGERED, IncidentStatus.ACKNOWLEDGED),
            Set.of(), Set.of(), Set.of(), null);
    /** Open incidents read from the index at a time. */
    private static final int OPEN_PAGE = 100;

    /** The stores of one partition a scan of alerts reads. */
    private record AlertStores(IndexScan.Partition index, ReadOnlyKeyValueStore<String, String> alerts,
                               ReadOnlyKeyValueStore<String, byte[]> log) {
    }

    /**
     * The firing alerts of the open incidents in this instance's partitions that {@code matches}
     * takes, newest incident first, each incident's alerts in the order they were first attached;
     * read within {@code limits}. An incident counts as at least one alert read, so the work is
     * bounded however many incidents are open.
     */
    public LocalMatches firingAlerts(Predicate<Alert> matches, ScanLimits limits) {
        Set<Integer> partitions = activePartitions();
        if (!acquire()) {
            return new LocalMatches(List.of(), List.of(), 0, 0, 0, false, Set.of());
        }
        try {
            LocalMatches found = acrossPartitions(partitions, partition -> new AlertStores(partition(partition),
                    local.store(IncidentQueryTopology.ALERT_STORE, partition), local.store(IncidentQueryTopology.EVENT_STORE, partition)),
                    stores -> firingAlerts(stores, matches, limits));
            return new LocalMatches(found.alerts(), found.incidents(), found.matchingAlerts(), found.matchingIncidents(),
                    found.scannedAlerts(), found.truncated(), partitions);
        } finally {
            readers.release();
        }
    }

    private LocalMatches firingAlerts(List<AlertStores> stores, Predicate<Alert> matches, ScanLimits limits) {
        List<IndexScan.Partition> indexes = stores.stream().map(AlertStores::index).toList();
        List<MatchedAlert> alerts = new ArrayList<>();
        List<MatchedIncident> incidents = new ArrayList<>();
        long matchingAlerts = 0;
        long matchingIncidents = 0;
        long budget = limits.alerts();
        long scanned = 0;
        boolean truncated = false;
        IndexScan.Page page;
        String after = null;
        do {
            page = IndexScan.page(indexes, OPEN, after, OPEN_PAGE);
            for (IndexScan.Listed listed : page.incidents()) {
                if (budget <= 0) {
                    return new LocalMatches(alerts, incidents, matchingAlerts, matchingIncidents, scanned, true, Set.of());
                }
                AlertStores partition = stores.get(listed.partition());
                String incidentId = listed.incident().getIncidentId();
                long read = 0;
                long matched = 0;
                try (KeyValueIterator<String, String> order = read(listed.partition(),
                        () -> partition.alerts().range(QueryKeys.alertAt(incidentId, 0), QueryKeys.alertsEnd(incidentId)))) {
                    while (read(listed.partition(), order::hasNext)) {
                        if (read == limits.alertsPerIncident() || read == budget) {
                            truncated = true;
                            break;
                        }
                        read++;
                        KeyValue<String, String> at = read(listed.partition(), order::next);
                        AlertEntry entry = AlertEntry.decode(read(listed.partition(),
                                () -> partition.alerts().get(QueryKeys.alert(incidentId, at.value))));
                        if (entry.resolvedAt() != null) {
                            continue;
                        }
                        Alert alert = read(listed.partition(), () -> attached(partition.log(), incidentId, entry));
                        if (matches.test(alert)) {
                            matched++;
                            if (alerts.size() < limits.listed()) {
                                alerts.add(new MatchedAlert(listed.position(), entry.ordinal(), listed.incident(), alert));
                            }
                        }
                    }
                }
                scanned += read;
                budget -= Math.max(1, read);
                if (matched > 0) {
                    matchingAlerts += matched;
                    matchingIncidents++;
                    if (incidents.size() < limits.listed()) {
                        incidents.add(new MatchedIncident(listed.position(), listed.incident(), matched));
                    }
                }
            }
            after = page.nextPosition();
        } while (page.more());
        return new LocalMatches(alerts, incidents, matchingAlerts, matchingIncidents, scanned, truncated, Set.of());
    }

    /** Alerts held back now that matched, how many matched, whether a limit cut the scan short, and the partitions covered. */
    public record LocalHeld(List<SuppressedAlert> alerts, long matching, boolean truncated, Set<Integer> partitions) {
    }

    /**
     * The alerts a silence or an inhibition holds back in {@code partitions} (those of a {@link #firingAlerts} answer: a
     * partition that moved away since is left out of the answer's), by fingerprint; within {@code limits}' alerts read and listed.
     */
    public LocalHeld heldAlerts(Predicate<SuppressedAlert> matches, ScanLimits limits, Set<Integer> partitions) {
        Set<Integer> covered = new TreeSet<>(partitions);
        if (!acquire()) {
            return new LocalHeld(List.of(), 0, false, Set.of());
        }
        try {
            LocalHeld found = acrossPartitions(covered, partition -> local.<SuppressedAlert>store(IncidentQueryTopology.HELD_STORE, partition),
                    stores -> heldAlerts(stores, matches, limits));
            return new LocalHeld(found.alerts(), found.matching(), found.truncated(), covered);
        } finally {
            readers.release();
        }
    }

    private static LocalHeld heldAlerts(List<ReadOnlyKeyValueStore<String, SuppressedAlert>> stores, Predicate<SuppressedAlert> matches,
                                        ScanLimits limits) {
        List<SuppressedAlert> alerts = new ArrayList<>();
        long matching = 0;
        long budget = limits.alerts();
        for (int number = 0; number < stores.size(); number++) {
            ReadOnlyKeyValueStore<String, SuppressedAlert> held = stores.get(number);
            try (KeyValueIterator<String, SuppressedAlert> all = read(number, held::all)) {
                while (read(number, all::hasNext)) {
                    if (budget-- == 0) {
                        return new LocalHeld(alerts, matching, true, Set.of());
                    }
                    SuppressedAlert hold = read(number, all::next).value;
                    if (matches.test(hold)) {
                        matching++;
                        if (alerts.size() < limits.listed()) {
                            alerts.add(hold);
                        }
                    }
                }
            }
        }
        return new LocalHeld(alerts, matching, false, Set.of());
    }

    /** A read of partition {@code number}'s stores (its index in a scan's list); a store that moved away names the partition. */
    private static <T> T read(int number, Supplier<T> read) {
        try {
            return read.get();
        } catch (InvalidStateStoreException e) {
            throw new IndexScan.PartitionFailed(number, e);
        }
    }

    /** An event of an incident's log with where it stands in it: the next page starts after {@link #cursor}. */
    public record LoggedEvent(IncidentEvent event, long offset) {

        /** Sequence and offset, the position of this event in its incident's log. */
        public String cursor() {
            return event.getSequence() + "." + offset;
        }
    }

    /**
     * Up to {@code limit} events of the incident in log order, after the one at {@code cursor}
     * ({@link LoggedEvent#cursor}; null from the start, or {@code "<sequence>"} from the first
     * event with a greater sequence). Only the events of the page are decoded.
     */
    public Answer<List<LoggedEvent>> events(String incidentId, String cursor, int limit) {
        String from = from(incidentId, cursor);
        return eventPage(incidentId, limit, store -> store.range(from, QueryKeys.eventsEnd(incidentId)), null);
    }

    /** Up to {@code limit} events of the incident newest first, before the one at {@code cursor} (null: from the latest). */
    public Answer<List<LoggedEvent>> eventsNewestFirst(String incidentId, String cursor, int limit) {
        // The range's bound is inclusive: the event at the cursor, the last one of the page before, is skipped.
        String before = cursor == null ? QueryKeys.eventsEnd(incidentId) : at(incidentId, cursor);
        return eventPage(incidentId, limit, store -> store.reverseRange(QueryKeys.eventsFrom(incidentId, 0), before), before);
    }

    private Answer<List<LoggedEvent>> eventPage(String incidentId, int limit,
            Function<ReadOnlyKeyValueStore<String, byte[]>, KeyValueIterator<String, byte[]>> scan, String skipped) {
        return byKey(IncidentQueryTopology.EVENT_STORE, incidentId, partition -> {
            List<LoggedEvent> page = new ArrayList<>();
            try (KeyValueIterator<String, byte[]> range = scan.apply(local.store(IncidentQueryTopology.EVENT_STORE, partition))) {
                while (range.hasNext() && page.size() < limit) {
                    KeyValue<String, byte[]> entry = range.next();
                    if (entry.key.equals(skipped)) {
                        continue;
                    }
                    long offset = Long.parseLong(entry.key.substring(entry.key.lastIndexOf('\u0000') + 1));
                    page.add(new LoggedEvent(events.deserialize(null, entry.value), offset));
                }
            }
            return page;
        });
    }

    /**
     * The incident's log oldest first, to {@code each} one decoded event at a time (none is kept
     * here), at most {@code max} of them: true when the log holds more.
     */
    public Answer<Boolean> log(String incidentId, int max, Consumer<IncidentEvent> each) {
        return byKey(IncidentQueryTopology.EVENT_STORE, incidentId, partition -> {
            ReadOnlyKeyValueStore<String, byte[]> store = local.store(IncidentQueryTopology.EVENT_STORE, partition);
            int read = 0;
            try (KeyValueIterator<String, byte[]> range = store.range(QueryKeys.eventsFrom(incidentId, 0), QueryKeys.eventsEnd(incidentId))) {
                while (range.hasNext()) {
                    if (read++ == max) {
                        return true;
                    }
                    each.accept(events.deserialize(null, range.next().value));
                }
            }
            return false;
        });
    }

    /** The key of the event at {@code cursor}, or before every event of a greater sequence for {@code "<sequence>"}. */
    private static String at(String incidentId, String cursor) {
        try {
            int dot = cursor.indexOf('.');
            return dot < 0 ? QueryKeys.eventsFrom(incidentId, Long.parseLong(cursor))
                    : QueryKeys.event(incidentId, Long.parseLong(cursor.substring(0, dot)), Long.parseLong(cursor.substring(dot + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an events cursor: " + cursor);
        }
    }

    /** The first key a page after {@code cursor} may hold; a cursor that is not one is refused. */
    private static String from(String incidentId, String cursor) {
        try {
            if (cursor == null) {
                return QueryKeys.eventsFrom(incidentId, 0);
            }
            int dot = cursor.indexOf('.');
            if (dot < 0) {
                return QueryKeys.eventsFrom(incidentId, Math.addExact(Long.parseLong(cursor), 1));
            }
            // Just after the event at the cursor: its key followed by the separator.
            return QueryKeys.event(incidentId, Long.parseLong(cursor.substring(0, dot)), Long.parseLong(cursor.substring(dot + 1))) + '\u0000';
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("not an events cursor: " + cursor);
        }
    }

    public Answer<Optional<CommandResult>> result(String incidentId, String commandId) {
        return byKey(IncidentQueryTopology.RESULT_STORE, incidentId, partition -> Optional.ofNullable(
                local.<CommandResult>store(IncidentQueryTopology.RESULT_STORE, partition).get(QueryKeys.result(incidentId, commandId))));
    }

    /** The page of the partitions this instance's tasks hold now; an instance without tasks covers none. */
    public LocalPage localPage(IndexScan.Filter filter, String after, int limit) {
        Set<Integer> partitions = activePartitions();
        if (!acquire()) {
            return new LocalPage(new IndexScan.Page(List.of(), false), Set.of());
        }
        try {
            IndexScan.Page page = acrossPartitions(partitions, this::partition, stores -> IndexScan.page(stores, filter, after, limit));
            return new LocalPage(page, partitions);
        } finally {
            readers.release();
        }
    }

    /** The partitions of this instance's active tasks now. */
    private Set<Integer> activePartitions() {
        Set<Integer> partitions = new TreeSet<>();
        streams.metadataForLocalThreads().forEach(thread -> thread.activeTasks().forEach(task -> task.topicPartitions().stream()
                .filter(partition -> partition.topic().equals(stateTopic)).map(TopicPartition::partition).forEach(partitions::add)));
        return partitions;
    }

    private IndexScan.Partition partition(int partition) {
        return new IndexScan.Partition(local.store(IncidentQueryTopology.INDEX_STORE, partition), id -> local.incident(partition, id),
                local.store(IncidentQueryTopology.SEARCH_STORE, partition));
    }

    /**
     * {@code scan} over the stores {@code open} finds for each of {@code partitions}, in that order.
     * A partition that moves away (now or in the middle of the scan) is removed from
     * {@code partitions} and the scan runs again without it, so an answer put together from every
     * instance's parts is not answered as a whole.
     */
    private <S, T> T acrossPartitions(Set<Integer> partitions, IntFunction<S> open, Function<List<S>, T> scan) {
        while (true) {
            List<Integer> covered = List.copyOf(partitions);
            List<S> stores = new ArrayList<>();
            try {
                for (Integer partition : covered) {
                    stores.add(open.apply(partition));
                }
                return scan.apply(stores);
            } catch (InvalidStateStoreException e) {
                if (stores.size() == covered.size()) {
                    throw e;
                }
                partitions.remove(covered.get(stores.size()));
            } catch (IndexScan.PartitionFailed e) {
                if (!(e.getCause() instanceof InvalidStateStoreException)) {
                    throw e;
                }
                partitions.remove(covered.get(e.partition()));
            }
        }
    }

    /** This instance's part of a report, and the partitions it covers. */
    public record LocalReport(ReportRollup.Part part, Set<Integer> partitions) {
    }

    /**
     * The report's sums of the partitions this instance's tasks hold now: one range of each
     * partition's rollups per kind, as long as the period's days and services, whatever the
     * incidents. A partition that moves away while it is read is left out (the answer then does not
     * cover every partition and is not given).
     */
    public LocalReport localReport(ReportRollup.Query query) {
        Set<Integer> partitions = activePartitions();
        if (!acquire()) {
            return new LocalReport(new ReportRollup.Part(), Set.of());
        }
        try {
            ReportRollup.Part part = new ReportRollup.Part();
            for (Integer partition : List.copyOf(partitions)) {
                try {
                    part.add(ReportRollup.read(local.store(IncidentQueryTopology.REPORT_STORE, partition), query));
                } catch (InvalidStateStoreException e) {
                    partitions.remove(partition);
                }
            }
            part.trimAlerts();
            return new LocalReport(part, partitions);
        } finally {
            readers.release();
        }
    }

    /** Every instance of the read side, this one included; while it is not running (starting, stopping), a refusal the API answers with 503. */
    public List<HostInfo> instances() {
        try {
            return streams.metadataForAllStreamsClients().stream().map(StreamsMetadata::hostInfo).distinct().toList();
        } catch (IllegalStateException e) {
            throw new InvalidStateStoreException("the read side is " + streams.state().name().toLowerCase(Locale.ROOT), e);
        }
    }

    /** {@code read} gets the partition whose stores hold the key, on this instance. */
    private <T> Answer<T> byKey(String storeName, String incidentId, IntFunction<T> read) {
        KeyQueryMetadata owner = streams.queryMetadataForKey(storeName, incidentId, Serdes.String().serializer());
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return new Answer.Unavailable<>("the read side is rebalancing");
        }
        if (!owner.activeHost().equals(self)) {
            return new Answer.There<>(owner.activeHost());
        }
        if (!acquire()) {
            return new Answer.Unavailable<>("this instance has had more reads than it can serve for " + READER_WAIT_SECONDS + " s");
        }
        try {
            return new Answer.Here<>(read.apply(owner.partition()));
        } catch (InvalidStateStoreException e) {
            // Migrating or restoring: only a moment, and never answered from a copy that may be behind.
            return new Answer.Unavailable<>("partition " + owner.partition() + " is moving: " + e.getMessage());
        } finally {
            readers.release();
        }
    }

    private boolean acquire() {
        try {
            return readers.tryAcquire(READER_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
