package dev.incidentengine.incident.query;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;

import dev.incidentengine.incident.IncidentTopics;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertResolved;
import dev.incidentengine.model.CommandOutcome;
import dev.incidentengine.model.CommandResult;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.SuppressedAlert;
import dev.incidentengine.schemas.RecordSerdes;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The read side (application.id {@code <incident-stream's>-query}): what the API answers from,
 * in RocksDB stores partitioned like the incidents (every input is keyed by incident id with the
 * default partitioner, so one task holds an incident's state, log and results):
 *
 * <pre>
 * incident.state.v1 ─[query-state-source]─▶ (query-incident-store; the compacted topic is its changelog)
 *        ─▶ [query-index] (query-index-store: dimension␀value␀position → "", query-index-entry-store: id → its keys,
 *                          query-response-facts-store: id → what the response metrics counted; the metrics' share)
 * incident.events.v1 ─[query-events-source]─▶ [query-event-log] (query-event-store: id␀sequence␀offset → event bytes,
 *                                                                query-alert-store: the incident's alerts in order,
 *                                                                query-index-store: word␀word␀position → "" for search,
 *                                                                query-search-entry-store: id → its position and words,
 *                                                                ␁word → how many incidents it finds,
 *                                                                query-report-store: the reports' sums per day ({@link ReportRollup}),
 *                                                                query-report-incident-store: id → what they counted of it)
 * incident.command-results.v1 ─[query-results-source]─▶ [query-results] (query-result-store, query-result-expiry-store)
 * alerts.suppressed.v1 ─[query-held-source]─▶ [query-held-alerts] (query-held-alert-store: fingerprint → the alert a silence
 *                                                                  or inhibition holds back now)
 * </pre>
 * Nothing is written but changelogs. Memory is RocksDB's shared, bounded cache; local state survives
 * restarts, so a start restores only what changed since.
 */
public final class IncidentQueryTopology {

    public static final String INCIDENT_STORE = "query-incident-store";
    public static final String INDEX_STORE = "query-index-store";
    public static final String EVENT_STORE = "query-event-store";
    public static final String ALERT_STORE = "query-alert-store";
    public static final String RESULT_STORE = "query-result-store";
    public static final String REPORT_STORE = "query-report-store";
    public static final String HELD_STORE = "query-held-alert-store";
    static final String INDEX_ENTRY_STORE = "query-index-entry-store";
    static final String FACTS_STORE = "query-response-facts-store";
    static final String RESULT_EXPIRY_STORE = "query-result-expiry-store";
    static final String SEARCH_STORE = "query-search-entry-store";
    static final String REPORT_INCIDENT_STORE = "query-report-incident-store";

    /** Words an incident is found by, at most: its title's, service's and labels' come first, then its alerts' labels'. */
    static final int MAX_SEARCH_WORDS = 1_000;

    /** As long as the results topic keeps them: a caller waits seconds, a retry may come hours later. */
    static final Duration RESULT_RETENTION = Duration.ofDays(1);

    private IncidentQueryTopology() {
    }

    /** The application id of the read side of an incident-stream application. */
    public static String applicationId(String incidentStreamApplicationId) {
        return incidentStreamApplicationId + "-query";
    }

    /**
     * {@code streamsConfig} must be the app's: the state topic serves as the incident store's
     * changelog only when the topology is optimized with it.
     */
    public static Topology build(IncidentTopics topics, RecordSerdes serdes, Properties streamsConfig, ResponseMetrics metrics,
                                 LocalStores local) {
        StreamsBuilder builder = new StreamsBuilder();
        Serde<String> keys = Serdes.String();

        builder.addStateStore(store(INDEX_STORE, keys));
        builder.addStateStore(store(INDEX_ENTRY_STORE, keys));
        builder.addStateStore(store(FACTS_STORE, keys));
        builder.table(topics.state().name(), Consumed.with(keys, topics.state().valueSerde(serdes)).withName("query-state-source"),
                        Materialized.<String, IncidentState, KeyValueStore<Bytes, byte[]>>as(INCIDENT_STORE)
                                .withKeySerde(keys).withValueSerde(topics.state().valueSerde(serdes)).withCachingDisabled())
                .toStream(Named.as("query-state-changes"))
                .process(() -> new Index(metrics), Named.as("query-index"), INDEX_STORE, INDEX_ENTRY_STORE, FACTS_STORE);

        // The log's and the results' processors are connected to the incident store (they do not read it): that makes
        // the whole read side one sub-topology, so one task holds partition p of all three topics, and an API read of
        // an incident, its log and a command's outcome is answered by one instance.
        builder.addStateStore(store(EVENT_STORE, Serdes.ByteArray()));
        builder.addStateStore(store(ALERT_STORE, keys));
        // Cached: a common word's count changes with nearly every incident; the cache writes it once per commit.
        builder.addStateStore(store(SEARCH_STORE, keys).withCachingEnabled());
        // Cached too: a day's sums change with every event of its incidents.
        builder.addStateStore(store(REPORT_STORE, keys).withCachingEnabled());
        builder.addStateStore(store(REPORT_INCIDENT_STORE, keys));
        builder.stream(topics.events().name(), Consumed.with(keys, Serdes.ByteArray()).withName("query-events-source"))
                .process(() -> new EventLog(topics.events().valueSerde(serdes), local), Named.as("query-event-log"), EVENT_STORE, ALERT_STORE,
                        SEARCH_STORE, INDEX_STORE, INCIDENT_STORE, REPORT_STORE, REPORT_INCIDENT_STORE);

        builder.addStateStore(store(RESULT_STORE, topics.commandResults().valueSerde(serdes)));
        builder.addStateStore(store(RESULT_EXPIRY_STORE, keys));
        builder.stream(topics.commandResults().name(), Consumed.with(keys, topics.commandResults().valueSerde(serdes))
                        .withName("query-results-source"))
                .process(() -> new Results(local), Named.as("query-results"), RESULT_STORE, RESULT_EXPIRY_STORE, INCIDENT_STORE);

        // Keyed by fingerprint, not incident: task p holds the alerts held back by the aggregate's task p. In the same
        // sub-topology too, so that the partitions an instance's part of an alert list covers are those of its held alerts.
        builder.addStateStore(store(HELD_STORE, topics.suppressed().valueSerde(serdes)));
        builder.stream(topics.suppressed().name(), Consumed.with(keys, topics.suppressed().valueSerde(serdes)).withName("query-held-source"))
                .process(() -> new Held(local), Named.as("query-held-alerts"), HELD_STORE, INCIDENT_STORE);

        Properties optimize = new Properties();
        optimize.putAll(streamsConfig);
        optimize.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.REUSE_KTABLE_SOURCE_TOPICS);
        return builder.build(optimize);
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> store(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values);
    }

    /**
     * Keeps each incident listed under its current status, service, severity, assignee and
     * pending review, and under nothing else; and the response metrics' share of this task: its
     * open incidents and pending reviews counted from the index when the task starts here (after
     * its stores are restored), changes as they are processed, all taken back when it leaves.
     */
    static final class Index implements Processor<String, IncidentState, Void, Void> {

        private final ResponseMetrics metrics;
        private ResponseMetrics.Share share;
        private KeyValueStore<String, String> index;
        /** Per incident, the index keys it is listed under now (joined): what to remove when it changes. */
        private KeyValueStore<String, String> entries;
        /** Per incident, what the response metrics counted of it. */
        private KeyValueStore<String, String> facts;

        Index(ResponseMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            index = context.getStateStore(INDEX_STORE);
            entries = context.getStateStore(INDEX_ENTRY_STORE);
            facts = context.getStateStore(FACTS_STORE);
            share = metrics.share(context.taskId().partition());
            // Only the open and the pending: as many as there are now, however long the history.
            for (IncidentStatus open : List.of(IncidentStatus.TRIGGERED, IncidentStatus.ACKNOWLEDGED)) {
                listed(QueryKeys.prefix(QueryKeys.Dimension.STATUS, open.name()), share::countOpen);
            }
            listed(QueryKeys.prefix(QueryKeys.Dimension.REVIEW, QueryKeys.REVIEW_PENDING), share::countPending);
            share.counted();
        }

        private void listed(String prefix, Consumer<ResponseMetrics.Facts> count) {
            try (KeyValueIterator<String, String> range = index.range(prefix, QueryKeys.end(prefix))) {
                range.forEachRemaining(entry -> {
                    String known = facts.get(QueryKeys.incidentId(entry.key));
                    if (known != null) {
                        count.accept(ResponseMetrics.Facts.decode(known));
                    }
                });
            }
        }

        @Override
        public void process(Record<String, IncidentState> record) {
            String incidentId = record.key();
            IncidentState state = record.value();
            String previous = entries.get(incidentId);
            List<String> was = previous == null ? List.of() : QueryKeys.split(previous);
            List<String> now = state == null ? List.of() : QueryKeys.index(state);
            // Most changes (an alert attached, a note) move no key: nothing is written for them but the facts that changed.
            for (String key : was) {
                if (!now.contains(key)) {
                    index.delete(key);
                }
            }
            for (String key : now) {
                if (!was.contains(key)) {
                    index.put(key, "");
                }
            }
            String before = facts.get(incidentId);
            ResponseMetrics.Facts after = state == null ? null : ResponseMetrics.Facts.of(state);
            share.changed(before == null ? null : ResponseMetrics.Facts.decode(before), after, state);
            if (state == null) {
                entries.delete(incidentId);
                facts.delete(incidentId);
                return;
            }
            if (!now.equals(was)) {
                entries.put(incidentId, QueryKeys.join(now));
            }
            String encoded = after.encode();
            if (!encoded.equals(before)) {
                facts.put(incidentId, encoded);
            }
        }

        @Override
        public void close() {
            if (share != null) {
                share.withdraw();
            }
        }
    }

    /**
     * Each event under its incident and sequence, as the bytes the log holds: a page is read without
     * decoding the rest. And each incident's alerts in the order they were first attached, each
     * pointing at the event that last attached it ({@link AlertEntry}), so a page of alerts decodes
     * one event per alert shown, however many the incident has. And the words search finds the
     * incident by: its title's, service's and labels' when it opens, its alerts' labels' as they are
     * attached, up to {@link #MAX_SEARCH_WORDS} (a word costs a lookup, whatever the incident's size).
     */
    static final class EventLog implements Processor<String, byte[], Void, Void> {

        private final Serde<IncidentEvent> events;
        private final LocalStores local;
        private LocalStores.Opened opened;
        private ProcessorContext<Void, Void> context;
        private KeyValueStore<String, byte[]> store;
        private KeyValueStore<String, String> alerts;
        private KeyValueStore<String, String> search;
        private KeyValueStore<String, String> index;
        private ReportRollup reports;

        EventLog(Serde<IncidentEvent> events, LocalStores local) {
            this.events = events;
            this.local = local;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            store = context.getStateStore(EVENT_STORE);
            alerts = context.getStateStore(ALERT_STORE);
            search = context.getStateStore(SEARCH_STORE);
            index = context.getStateStore(INDEX_STORE);
            reports = new ReportRollup(context.getStateStore(REPORT_STORE), context.getStateStore(REPORT_INCIDENT_STORE));
            // The stores the API reads (the results' come with Results): this task's, for as long as it runs here.
            opened = local.open(context, INCIDENT_STORE, INDEX_STORE, SEARCH_STORE, EVENT_STORE, ALERT_STORE, REPORT_STORE);
        }

        @Override
        public void close() {
            if (opened != null) {
                opened.close();
            }
        }

        @Override
        public void process(Record<String, byte[]> record) {
            if (record.value() == null) {
                return;
            }
            IncidentEvent event = events.deserializer().deserialize(null, record.value());
            String incidentId = event.getIncidentId();
            long offset = context.recordMetadata().orElseThrow().offset();
            store.put(QueryKeys.event(incidentId, event.getSequence(), offset), record.value());
            reports.accept(event);
            if (event.getPayload() instanceof IncidentOpened opened) {
                List<String> texts = new ArrayList<>(opened.getLabels().values());
                texts.add(0, opened.getTitle());
                if (opened.getService() != null) {
                    texts.add(1, opened.getService());
                }
                if (search.get(QueryKeys.searchEntry(incidentId)) == null) {
                    search.put(QueryKeys.searchEntry(incidentId),
                            SearchEntry.empty(QueryKeys.position(event.getTimestamp(), incidentId)));
                }
                findBy(incidentId, texts);
            } else if (event.getPayload() instanceof AlertAttached attached) {
                findBy(incidentId, attached.getAlert().getLabels().values());
                String fingerprint = attached.getAlert().getFingerprint();
                String key = QueryKeys.alert(incidentId, fingerprint);
                String previous = alerts.get(key);
                AlertEntry entry;
                if (previous == null) {
                    // Next after the incident's last: found, not counted, so a new alert writes two entries, not three.
                    long ordinal = 0;
                    try (KeyValueIterator<String, String> last = alerts.reverseRange(QueryKeys.alertAt(incidentId, 0),
                            QueryKeys.alertsEnd(incidentId))) {
                        if (last.hasNext()) {
                            ordinal = QueryKeys.ordinalOfAlertAt(last.next().key) + 1;
                        }
                    }
                    alerts.put(QueryKeys.alertAt(incidentId, ordinal), fingerprint);
                    entry = new AlertEntry(ordinal, event.getSequence(), offset, event.getTimestamp(), null);
                } else {
                    // Attached again (it fired again, or came with a merge): the newest copy, firing, first attached as before.
                    AlertEntry was = AlertEntry.decode(previous);
                    entry = new AlertEntry(was.ordinal(), event.getSequence(), offset, was.attachedAt(), null);
                }
                alerts.put(key, entry.encode());
            } else if (event.getPayload() instanceof AlertResolved resolved) {
                String key = QueryKeys.alert(incidentId, resolved.getFingerprint());
                String previous = alerts.get(key);
                if (previous != null) {
                    AlertEntry was = AlertEntry.decode(previous);
                    alerts.put(key, new AlertEntry(was.ordinal(), was.attachedSequence(), was.attachedOffset(), was.attachedAt(),
                            resolved.getEndedAt()).encode());
                }
            }
        }

        /**
         * Lists the incident under the words of {@code texts} it is not listed under yet, while it has
         * fewer than the most, and counts each word's incidents (a search reads its rarest word's range).
         */
        private void findBy(String incidentId, Collection<String> texts) {
            String key = QueryKeys.searchEntry(incidentId);
            String encoded = search.get(key);
            // Full (a storm's incident soon is): nothing to read for each further alert.
            if (encoded == null || SearchEntry.count(encoded) >= MAX_SEARCH_WORDS) {
                return;
            }
            List<String> words = new ArrayList<>();
            texts.forEach(text -> words.addAll(QueryKeys.words(text)));
            String position = SearchEntry.position(encoded);
            String updated = SearchEntry.add(encoded, words, MAX_SEARCH_WORDS, word -> {
                index.put(QueryKeys.prefix(QueryKeys.Dimension.WORD, word) + position, "");
                String count = search.get(QueryKeys.wordCount(word));
                search.put(QueryKeys.wordCount(word), Long.toString(count == null ? 1 : Long.parseLong(count) + 1));
            });
            if (!updated.equals(encoded)) {
                search.put(key, updated);
            }
        }
    }

    /** Command results by incident and command id, for {@code ?wait=true}; each leaves after {@link #RESULT_RETENTION}. */
    static final class Results implements Processor<String, CommandResult, Void, Void> {

        private final LocalStores local;
        private LocalStores.Opened opened;
        private KeyValueStore<String, CommandResult> results;
        private KeyValueStore<String, String> expiries;

        Results(LocalStores local) {
            this.local = local;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            results = context.getStateStore(RESULT_STORE);
            expiries = context.getStateStore(RESULT_EXPIRY_STORE);
            context.schedule(Duration.ofMinutes(1), PunctuationType.WALL_CLOCK_TIME, now -> expire(Instant.ofEpochMilli(now)));
            opened = local.open(context, RESULT_STORE);
        }

        @Override
        public void close() {
            if (opened != null) {
                opened.close();
            }
        }

        @Override
        public void process(Record<String, CommandResult> record) {
            CommandResult result = record.value();
            if (result == null) {
                return;
            }
            String key = QueryKeys.result(result.getIncidentId(), result.getCommandId());
            // A repeat of a command is DUPLICATE: the first outcome is the one to answer with.
            if (result.getOutcome() == CommandOutcome.DUPLICATE && results.get(key) != null) {
                return;
            }
            results.put(key, result);
            expiries.put(QueryKeys.expiry(result.getAt().plus(RESULT_RETENTION), key), "");
        }

        void expire(Instant now) {
            // Keys sort by expiry time: the expired ones are a range from the start, read once.
            List<KeyValue<String, String>> due = new ArrayList<>();
            try (KeyValueIterator<String, String> it = expiries.range(null, QueryKeys.expiry(now, ""))) {
                it.forEachRemaining(due::add);
            }
            for (KeyValue<String, String> expiry : due) {
                results.delete(QueryKeys.resultKeyOfExpiry(expiry.key));
                expiries.delete(expiry.key);
            }
        }
    }

    /** The alerts held back now: a hold is kept until the record of how it ended (released, or resolved while held). */
    static final class Held implements Processor<String, SuppressedAlert, Void, Void> {

        private final LocalStores local;
        private LocalStores.Opened opened;
        private KeyValueStore<String, SuppressedAlert> held;

        Held(LocalStores local) {
            this.local = local;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            held = context.getStateStore(HELD_STORE);
            opened = local.open(context, HELD_STORE);
        }

        @Override
        public void close() {
            if (opened != null) {
                opened.close();
            }
        }

        @Override
        public void process(Record<String, SuppressedAlert> record) {
            SuppressedAlert hold = record.value();
            if (record.key() == null || hold == null) {
                return;
            }
            if (hold.getEndedAt() == null) {
                held.put(record.key(), hold);
            } else {
                held.delete(record.key());
            }
        }
    }
}
