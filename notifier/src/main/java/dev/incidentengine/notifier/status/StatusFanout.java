package dev.incidentengine.notifier.status;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.PageConfigured;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.model.StatusSubscriber;
import dev.incidentengine.model.SubscriberKind;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.CommitPacing;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * Status page subscribers in the planner's Streams app:
 * <pre>
 * status.subscribers.v1 ─[notifier-status-subscribers-source]─▶ global notifier-status-subscribers-store
 *                                    (by id; and "~confirm|offset" for each unconfirmed e-mail subscription written)
 * status.page.v1 ─[notifier-status-page-source]─▶ [status-subscriber-fanout] (status-fanout-store, status-fanout-cursor-store)
 *   ─▶ [status-requests-sink] notification.requests.v1   keyed by subscriber id
 * </pre>
 * An incident or maintenance change with an update becomes a fan-out job (in page order); jobs and confirmations advance
 * {@value #BATCH} subscribers at a time: one batch when the event arrives, then one per punctuation. Each batch's requests
 * commit with the job's cursor (the last subscriber id read) in one transaction, so a transaction holds at most a batch,
 * a restart resumes at the cursor, and the work of a batch is the subscribers it reads, whatever the page's history. The
 * sender's ledger (delivery id = page event id + subscriber id) skips whatever a batch re-sent after a crash.
 */
public final class StatusFanout implements Processor<String, StatusPageEvent, String, NotificationRequest> {

    public static final String SUBSCRIBERS_STORE = "notifier-status-subscribers-store";
    static final String FANOUT = "status-subscriber-fanout";
    static final String JOBS_STORE = "status-fanout-store";
    static final String CURSORS_STORE = "status-fanout-cursor-store";
    /** Subscribers read per batch, for all jobs and confirmations together. */
    static final int BATCH = 500;
    /** Index entries of the subscribers store sort after every subscriber id (URL-safe base64). */
    static final String INDEX = "~";
    static final String CONFIRM_PREFIX = "~confirm|";
    private static final String PAGE_KEY = "~page";
    private static final String CONFIRM_CURSOR = "~confirmations";

    private final StatusMessages messages;
    private final String statusUrl;
    private final Duration maxEventAge;
    private final Duration confirmWithin;
    private final Duration punctuation;
    private final CommitPacing pacing;
    private ProcessorContext<String, NotificationRequest> context;
    private KeyValueStore<String, StatusSubscriber> subscribers;
    private KeyValueStore<String, StatusPageEvent> jobs;
    private KeyValueStore<String, String> cursors;

    StatusFanout(String statusUrl, Duration maxEventAge, Duration confirmWithin, Duration punctuation, CommitPacing pacing) {
        this.pacing = pacing;
        this.messages = new StatusMessages(statusUrl);
        this.statusUrl = statusUrl.replaceAll("/+$", "");
        this.maxEventAge = maxEventAge;
        this.confirmWithin = confirmWithin;
        this.punctuation = punctuation;
    }

    /**
     * Adds the sub-topology to the planner's app.
     *
     * @param statusUrl     the status page's public base URL (links in messages)
     * @param maxEventAge   page events older than this tell nobody (a new notifier reading an old log)
     * @param confirmWithin how long a confirmation link works; older unconfirmed subscriptions get no mail and leave the index
     * @param punctuation   how often batches go on (wall clock)
     */
    public static void add(StreamsBuilder builder, Topic<String, StatusPageEvent> page, Topic<String, StatusSubscriber> subscribers,
                           Topic<String, NotificationRequest> requests, RecordSerdes serdes, String statusUrl, Duration maxEventAge,
                           Duration confirmWithin, Duration punctuation, CommitPacing pacing) {
        Serde<StatusSubscriber> subscriberSerde = subscribers.valueSerde(serdes);
        Serde<StatusPageEvent> pageSerde = page.valueSerde(serdes);
        builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SUBSCRIBERS_STORE), Serdes.String(), subscriberSerde)
                        .withLoggingDisabled(), subscribers.name(),
                Consumed.with(Serdes.String(), subscriberSerde).withName("notifier-status-subscribers-source"),
                () -> new SubscriberIndex(confirmWithin));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(JOBS_STORE), Serdes.String(), pageSerde));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CURSORS_STORE), Serdes.String(), Serdes.String()));
        builder.stream(page.name(), Consumed.with(Serdes.String(), pageSerde).withName("notifier-status-page-source"))
                .process(() -> new StatusFanout(statusUrl, maxEventAge, confirmWithin, punctuation, pacing), Named.as(FANOUT), JOBS_STORE,
                        CURSORS_STORE)
                .to(requests.name(), Produced.with(Serdes.String(), requests.valueSerde(serdes)).withName("status-requests-sink"));
    }

    @Override
    public void init(ProcessorContext<String, NotificationRequest> context) {
        this.context = context;
        subscribers = context.getStateStore(SUBSCRIBERS_STORE);
        jobs = context.getStateStore(JOBS_STORE);
        cursors = context.getStateStore(CURSORS_STORE);
        context.schedule(punctuation, PunctuationType.WALL_CLOCK_TIME, now -> batch(Instant.ofEpochMilli(now)));
        pacing.schedule(context);
    }

    @Override
    public void process(Record<String, StatusPageEvent> record) {
        StatusPageEvent event = record.value();
        if (event == null) {
            return;
        }
        Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs());
        if (event.getPayload() instanceof PageConfigured) {
            jobs.put(PAGE_KEY, event);
        } else if (StatusMessages.News.of(event) != null && !event.getTimestamp().plus(maxEventAge).isBefore(now)) {
            // Zero-padded page sequence first: jobs run in page order, so one subscriber hears of two updates in order.
            String job = String.format("%020d|%s", event.getSequence(), event.getEventId());
            jobs.put(job, event);
            cursors.put(job, "");
        } else {
            return;
        }
        batch(now);
    }

    /** Reads up to {@link #BATCH} subscribers: pending confirmations first (someone waits for them), then the jobs in page order. */
    private void batch(Instant now) {
        int budget = confirmations(BATCH, now);
        List<String> pending = new ArrayList<>();
        try (KeyValueIterator<String, StatusPageEvent> all = jobs.range("0", "9~")) {
            while (all.hasNext() && pending.size() < 100) {
                pending.add(all.next().key);
            }
        }
        for (String job : pending) {
            if (budget <= 0) {
                return;
            }
            budget = fanOut(job, jobs.get(job), budget, now);
        }
    }

    private int fanOut(String job, StatusPageEvent event, int budget, Instant now) {
        StatusMessages.News news = StatusMessages.News.of(event);
        StatusMessages.Page page = StatusMessages.Page.of(event.getPageId(), jobs.get(PAGE_KEY), statusUrl);
        String cursor = cursors.get(job);
        boolean done = true;
        try (KeyValueIterator<String, StatusSubscriber> it = subscribers.range(after(cursor == null ? "" : cursor), INDEX)) {
            while (it.hasNext()) {
                if (budget == 0) {
                    done = false;
                    break;
                }
                KeyValue<String, StatusSubscriber> next = it.next();
                budget--;
                cursor = next.key;
                StatusSubscriber subscriber = next.value;
                if (subscriber.getConfirmed() && subscriber.getPageId().equals(event.getPageId()) && news.concerns(subscriber)) {
                    forward(messages.update(event, news, page, subscriber, now), now);
                }
            }
        }
        if (done) {
            jobs.delete(job);
            cursors.delete(job);
        } else {
            cursors.put(job, cursor);
        }
        return budget;
    }

    /** New unconfirmed e-mail subscriptions, in the order they were written, each mailed its link once. */
    private int confirmations(int budget, Instant now) {
        String cursor = cursors.get(CONFIRM_CURSOR);
        try (KeyValueIterator<String, StatusSubscriber> it = subscribers.range(after(cursor == null ? CONFIRM_PREFIX : cursor),
                CONFIRM_PREFIX + "~")) {
            while (budget > 0 && it.hasNext()) {
                KeyValue<String, StatusSubscriber> next = it.next();
                budget--;
                cursor = next.key;
                StatusSubscriber wanted = next.value;
                StatusSubscriber current = subscribers.get(wanted.getId());
                // Only the subscription as it stands, still unconfirmed and young enough for its link to work.
                if (current != null && !current.getConfirmed() && current.getCreatedAt().equals(wanted.getCreatedAt())
                        && wanted.getCreatedAt().plus(confirmWithin).isAfter(now)) {
                    long offset = Long.parseLong(next.key.substring(CONFIRM_PREFIX.length()));
                    StatusMessages.Page page = StatusMessages.Page.of(current.getPageId(), jobs.get(PAGE_KEY), statusUrl);
                    forward(messages.confirmation(current, offset, page, now), now);
                }
            }
        }
        if (cursor != null) {
            cursors.put(CONFIRM_CURSOR, cursor);
        }
        return budget;
    }

    private void forward(NotificationRequest request, Instant now) {
        // Keyed by subscriber: one subscriber's messages keep their order in one partition, and a fan-out spreads over all.
        context.forward(new Record<>(request.getTarget(), request, now.toEpochMilli()));
    }

    /** The smallest key after {@code key}. */
    private static String after(String key) {
        return key + "\u0000";
    }

    /**
     * Keeps the global store: subscribers by id, and for each unconfirmed e-mail subscription written, an index entry
     * {@code ~confirm|<offset>} that the fan-out reads in order to mail its confirmation link. Entries that no longer matter
     * (confirmed, deleted, written again, expired) are pruned a few at a time from the oldest, so the index stays about as
     * large as the subscriptions waiting for confirmation.
     */
    static final class SubscriberIndex implements Processor<String, StatusSubscriber, Void, Void> {

        private static final int PRUNE_PER_RECORD = 8;
        private final Duration confirmWithin;
        private ProcessorContext<Void, Void> context;
        private KeyValueStore<String, StatusSubscriber> store;

        SubscriberIndex(Duration confirmWithin) {
            this.confirmWithin = confirmWithin;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            store = context.getStateStore(SUBSCRIBERS_STORE);
        }

        @Override
        public void process(Record<String, StatusSubscriber> record) {
            String id = record.key();
            if (id == null || id.startsWith(INDEX)) {
                return;
            }
            StatusSubscriber subscriber = record.value();
            if (subscriber == null) {
                store.delete(id);
            } else {
                store.put(id, subscriber);
                long offset = context.recordMetadata().map(RecordMetadata::offset).orElse(-1L);
                if (subscriber.getKind() == SubscriberKind.EMAIL && !subscriber.getConfirmed() && offset >= 0) {
                    store.put(CONFIRM_PREFIX + String.format("%020d", offset), subscriber);
                }
            }
            prune(Instant.ofEpochMilli(record.timestamp()));
        }

        private void prune(Instant now) {
            List<String> stale = new ArrayList<>();
            try (KeyValueIterator<String, StatusSubscriber> it = store.range(CONFIRM_PREFIX, CONFIRM_PREFIX + "~")) {
                for (int i = 0; i < PRUNE_PER_RECORD && it.hasNext(); i++) {
                    KeyValue<String, StatusSubscriber> entry = it.next();
                    StatusSubscriber current = store.get(entry.value.getId());
                    if (current == null || current.getConfirmed() || !current.getCreatedAt().equals(entry.value.getCreatedAt())
                            || entry.value.getCreatedAt().plus(confirmWithin).isBefore(now)) {
                        stale.add(entry.key);
                    }
                }
            }
            stale.forEach(store::delete);
        }
    }
}
