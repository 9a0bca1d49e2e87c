package dev.incidentengine.bench;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertResolved;
import dev.incidentengine.model.CommandRejected;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads the incident log from its start, read_committed, as any downstream reader would, and
 * keeps what the benchmark asks about: per workload tag (the part of the fingerprint between its
 * first two '/') the distinct alerts attached (and the incidents they went to), the alerts resolved, the incidents opened
 * (also by correlation key), resolved and reopened; for
 * alerts registered with {@link #expectOpen} the time until their {@code IncidentOpened} was read;
 * and for the whole log, duplicate event ids and gaps in an incident's sequence numbers.
 */
final class EventWatcher implements AutoCloseable {

    static final class Counts {
        private final Set<String> attachedFingerprints = new HashSet<>();
        final AtomicLong attached = new AtomicLong();
        /** Every AlertAttached, a repeat of an alert included; and when the last distinct one was read (System.nanoTime). */
        final AtomicLong attachEvents = new AtomicLong();
        final AtomicLong lastAttachedNanos = new AtomicLong();
        /** The incidents the alerts were attached to. */
        final Set<String> attachedTo = ConcurrentHashMap.newKeySet();
        final AtomicLong resolved = new AtomicLong();
        final AtomicLong opened = new AtomicLong();
        final AtomicLong incidentsResolved = new AtomicLong();
        final AtomicLong reopened = new AtomicLong();
        final Map<String, Long> openedByKey = new ConcurrentHashMap<>();
    }

    private record Pending(long plannedNanos, AtomicLong ackedNanos) {
    }

    private final KafkaConsumer<String, IncidentEvent> consumer;
    private final Topic<String, IncidentEvent> topic;
    private final Thread thread;
    private final Map<String, Counts> counts = new ConcurrentHashMap<>();
    private final Map<String, Pending> pendingOpen = new ConcurrentHashMap<>();
    private final Recorder fromPlannedSend = new Recorder(3);
    private final Recorder fromAck = new Recorder(3);
    private final Queue<long[]> completedOpens = new ConcurrentLinkedQueue<>();
    // Read by the watcher thread only; the counters below publish what they found.
    private final Set<String> eventIds = new HashSet<>();
    private final Map<String, Long> sequences = new HashMap<>();
    private final Map<String, String> incidentTags = new HashMap<>();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong duplicateIds = new AtomicLong();
    private final AtomicLong sequenceGaps = new AtomicLong();
    private final AtomicLong incidents = new AtomicLong();
    private volatile boolean running = true;
    private volatile Throwable failure;

    EventWatcher(String bootstrap, Topic<String, IncidentEvent> topic, RecordSerdes serdes) {
        this.topic = topic;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                ConsumerConfig.CLIENT_ID_CONFIG, "bench-event-watcher"),
                topic.keySerde(serdes).deserializer(), topic.valueSerde(serdes).deserializer());
        this.thread = new Thread(this::run, "event-watcher");
        thread.setDaemon(true);
    }

    EventWatcher start() {
        List<TopicPartition> partitions = consumer.partitionsFor(topic.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread.start();
        return this;
    }

    /**
     * An alert whose {@code IncidentOpened} is awaited; latency counts from {@code plannedNanos}
     * (System.nanoTime), and from the time set on the returned holder once Kafka acknowledged the alert.
     */
    AtomicLong expectOpen(String fingerprint, long plannedNanos) {
        AtomicLong acked = new AtomicLong();
        pendingOpen.put(fingerprint, new Pending(plannedNanos, acked));
        return acked;
    }

    int pendingOpens() {
        return pendingOpen.size();
    }

    Recorder latencyFromPlannedSend() {
        return fromPlannedSend;
    }

    Recorder latencyFromAck() {
        return fromAck;
    }

    /** Awaited opens that were read: planned send time and latency, both in nanoseconds. */
    Queue<long[]> completedOpens() {
        return completedOpens;
    }

    Counts counts(String tag) {
        return counts.computeIfAbsent(tag, t -> new Counts());
    }

    long events() {
        return events.get();
    }

    long duplicateIds() {
        return duplicateIds.get();
    }

    long sequenceGaps() {
        return sequenceGaps.get();
    }

    long incidents() {
        return incidents.get();
    }

    void checkAlive() {
        if (failure != null) {
            throw new IllegalStateException("Reading " + topic.name() + " failed", failure);
        }
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, IncidentEvent> record : consumer.poll(Duration.ofMillis(100))) {
                    if (record.value() != null) {
                        onEvent(record.value(), System.nanoTime());
                    }
                }
            }
        } catch (WakeupException closing) {
            // close() was called.
        } catch (Throwable e) {
            failure = e;
        } finally {
            consumer.close();
        }
    }

    private void onEvent(IncidentEvent event, long readNanos) {
        events.incrementAndGet();
        if (!eventIds.add(event.getEventId())) {
            duplicateIds.incrementAndGet();
        }
        Long last = sequences.get(event.getIncidentId());
        // A rejection is written with the incident's current sequence: it changes no state.
        long expected = last == null ? 1 : event.getPayload() instanceof CommandRejected ? last : last + 1;
        if (last == null) {
            incidents.incrementAndGet();
        }
        if (event.getSequence() != expected) {
            sequenceGaps.incrementAndGet();
        }
        sequences.put(event.getIncidentId(), event.getSequence());
        Object payload = event.getPayload();
        if (payload instanceof IncidentOpened opened) {
            String fingerprint = causeFingerprint(event.getCauseId(), "attach:");
            if (fingerprint != null) {
                Counts tagCounts = counts(tag(fingerprint));
                tagCounts.opened.incrementAndGet();
                tagCounts.openedByKey.merge(String.valueOf(opened.getCorrelationKey()), 1L, Long::sum);
                incidentTags.put(event.getIncidentId(), tag(fingerprint));
                Pending pending = pendingOpen.remove(fingerprint);
                if (pending != null) {
                    fromPlannedSend.recordValue(readNanos - pending.plannedNanos());
                    completedOpens.add(new long[] {pending.plannedNanos(), readNanos - pending.plannedNanos()});
                    long acked = pending.ackedNanos().get();
                    if (acked != 0 && acked <= readNanos) {
                        fromAck.recordValue(readNanos - acked);
                    }
                }
            }
        } else if (payload instanceof AlertAttached attached) {
            String fingerprint = attached.getAlert().getFingerprint();
            Counts tagCounts = counts(tag(fingerprint));
            tagCounts.attachEvents.incrementAndGet();
            tagCounts.attachedTo.add(event.getIncidentId());
            if (tagCounts.attachedFingerprints.add(fingerprint)) {
                tagCounts.lastAttachedNanos.set(readNanos);
                tagCounts.attached.incrementAndGet();
            }
        } else if (payload instanceof AlertResolved resolved) {
            counts(tag(resolved.getFingerprint())).resolved.incrementAndGet();
        } else if (payload instanceof IncidentResolved && incidentTags.containsKey(event.getIncidentId())) {
            Counts tagCounts = counts(incidentTags.get(event.getIncidentId()));
            tagCounts.incidentsResolved.incrementAndGet();
        } else if (payload instanceof IncidentReopened && incidentTags.containsKey(event.getIncidentId())) {
            counts(incidentTags.get(event.getIncidentId())).reopened.incrementAndGet();
        }
    }

    /** Alert-caused commands have ids {@code <kind>:<fingerprint>@<receivedAt millis>}, kind attach or resolve. */
    private static String causeFingerprint(String causeId, String kind) {
        if (causeId == null || !causeId.startsWith(kind) || causeId.lastIndexOf('@') < 0) {
            return null;
        }
        return causeId.substring(kind.length(), causeId.lastIndexOf('@'));
    }

    /** The benchmark's fingerprints are {@code bench/<tag>/<n>}. */
    static String tag(String fingerprint) {
        int first = fingerprint.indexOf('/');
        int second = first < 0 ? -1 : fingerprint.indexOf('/', first + 1);
        return second < 0 ? "" : fingerprint.substring(first + 1, second);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
