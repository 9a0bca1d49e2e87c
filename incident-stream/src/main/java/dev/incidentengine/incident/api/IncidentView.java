package dev.incidentengine.incident.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Predicate;

import dev.incidentengine.incident.IncidentTopics;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertResolved;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.CommandOutcome;
import dev.incidentengine.model.CommandResult;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.schemas.RecordSerdes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-only global view of every incident, kept by each instance: one thread reads
 * {@code incident.state.v1}, {@code incident.events.v1} and {@code incident.command-results.v1}
 * from the beginning (read_committed, every partition assigned, no consumer group) into memory.
 * So any instance answers any query, and sees the outcome of a command whichever instance decided it.
 * The same thread reads the silences ({@code config.silences.v1}; a tombstone removes one).
 */
public final class IncidentView implements AutoCloseable {

    /** A position in the newest-first order: openedAt descending, then incident id. */
    public record Position(Instant openedAt, String incidentId) {
        static final Comparator<Position> NEWEST_FIRST = Comparator.comparing(Position::openedAt).reversed()
                .thenComparing(Position::incidentId);
    }

    /** An incident's state as read from the topic, with what ordering and waiting need without decoding it. */
    private record Stored(byte[] value, long version, Instant openedAt, ResponseMetrics.Facts facts) {
    }

    /** A command's outcome with the events it caused and the incident as the view had it then. */
    public record Outcome(CommandResult result, List<IncidentEvent> events, IncidentState incident) {
    }

    /** A record written to the silences topic, where Kafka acknowledged it. */
    private record Written(int partition, long offset) {
    }

    /** An alert as its incident holds it, with the copy it was last attached with. */
    public record AttachedAlertView(Alert alert, AlertStatus status, Instant attachedAt, Instant resolvedAt) {
    }

    /** One incident's log as bytes, in order, and its alerts in the order they were first attached. */
    private static final class IncidentLog {
        private final List<byte[]> events = new ArrayList<>();
        private final List<String> alertOrder = new ArrayList<>();
        /** Per fingerprint: the index of its latest AlertAttached in {@code events}, first attached and resolved times. */
        private final Map<String, AlertIndex> alerts = new HashMap<>();
    }

    private record AlertIndex(int attachedEvent, Instant attachedAt, Instant resolvedAt) {
    }

    private static final Logger log = LoggerFactory.getLogger(IncidentView.class);
    private static final int REMEMBERED_RESULTS = 100_000;

    private final Map<String, Object> consumerProps;
    private final IncidentTopics topics;
    private final Deserializer<String> keys;
    private final Deserializer<IncidentState> states;
    private final Deserializer<IncidentEvent> events;
    private final Deserializer<CommandResult> results;
    private final Deserializer<SilenceConfig> silenceConfigs;

    /** Each incident as its serialized bytes, so the view costs about what the topic holds, not Avro objects. */
    private final Map<String, Stored> incidents = new ConcurrentHashMap<>();
    private ResponseMetrics response;
    private final NavigableSet<Position> order = new ConcurrentSkipListSet<>(Position.NEWEST_FIRST);
    private final Map<String, IncidentLog> logs = new ConcurrentHashMap<>();
    private final Map<String, CommandResult> outcomes = new LinkedHashMap<>();
    private final Map<CompletableFuture<Outcome>, String> waiters = new ConcurrentHashMap<>();
    private final Map<String, SilenceConfig> silences = new ConcurrentHashMap<>();
    /** Per partition of the silences topic: the offset after the last record read. */
    private final Map<Integer, Long> silencesRead = new ConcurrentHashMap<>();
    private final Map<CompletableFuture<Void>, Written> silenceWaiters = new ConcurrentHashMap<>();

    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;
    private Counter skipped;
    private volatile boolean caughtUp;
    private volatile boolean running = true;

    public IncidentView(Map<String, Object> consumerProps, IncidentTopics topics, RecordSerdes serdes) {
        this.consumerProps = new HashMap<>(consumerProps);
        this.consumerProps.remove("group.id");
        this.topics = topics;
        this.keys = topics.state().keySerde(serdes).deserializer();
        this.states = topics.state().valueSerde(serdes).deserializer();
        this.events = topics.events().valueSerde(serdes).deserializer();
        this.results = topics.commandResults().valueSerde(serdes).deserializer();
        this.silenceConfigs = topics.silences().valueSerde(serdes).deserializer();
    }

    public void start(MeterRegistry metrics) {
        response = new ResponseMetrics(metrics);
        skipped = Counter.builder("incident_api_view_skipped_records_total")
                .description("Records the incident view could not read and skipped")
                .register(metrics);
        consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(this::run, "incident-view");
        thread.setDaemon(true);
        thread.start();
    }

    /** True once everything written before the start has been read. */
    public boolean ready() {
        return caughtUp;
    }

    public Optional<IncidentState> incident(String incidentId) {
        return Optional.ofNullable(incidents.get(incidentId)).map(this::state);
    }

    /** The incident's log in order; empty when the view holds none. */
    public List<IncidentEvent> events(String incidentId) {
        IncidentLog log = logs.get(incidentId);
        if (log == null) {
            return List.of();
        }
        List<byte[]> copy;
        synchronized (log) {
            copy = List.copyOf(log.events);
        }
        return copy.stream().map(this::event).toList();
    }

    /**
     * Up to {@code limit} of the incident's alerts in the order they were first attached, from
     * position {@code from}: each costs one decoded event, however many alerts the incident has.
     */
    public List<AttachedAlertView> alerts(String incidentId, int from, int limit) {
        IncidentLog log = logs.get(incidentId);
        if (log == null) {
            return List.of();
        }
        List<AttachedAlertView> page = new ArrayList<>();
        synchronized (log) {
            for (int i = from; i < Math.min(log.alertOrder.size(), from + limit); i++) {
                AlertIndex index = log.alerts.get(log.alertOrder.get(i));
                Alert alert = ((AlertAttached) event(log.events.get(index.attachedEvent())).getPayload()).getAlert();
                page.add(new AttachedAlertView(alert, index.resolvedAt() == null ? AlertStatus.FIRING : AlertStatus.RESOLVED,
                        index.attachedAt(), index.resolvedAt()));
            }
        }
        return page;
    }

    private IncidentEvent event(byte[] bytes) {
        return events.deserialize(topics.events().name(), bytes);
    }

    /** Up to {@code limit} incidents that match, newest first, strictly after {@code after} (null: from the start). */
    public List<IncidentState> list(Predicate<IncidentState> filter, Position after, int limit) {
        List<IncidentState> page = new ArrayList<>();
        for (Position position : after == null ? order : order.tailSet(after, false)) {
            Stored stored = incidents.get(position.incidentId());
            IncidentState state = stored == null ? null : state(stored);
            if (state != null && filter.test(state)) {
                page.add(state);
                if (page.size() == limit) {
                    break;
                }
            }
        }
        return page;
    }

    /**
     * Completes when the view holds the command's result and everything it wrote (its events and
     * the incident at the result's version). A repeated command id answers with the first outcome.
     * Complete or cancel the future (e.g. {@code completeOnTimeout}) to stop waiting.
     */
    public CompletableFuture<Outcome> awaitOutcome(String incidentId, String commandId) {
        String key = incidentId + '\u0000' + commandId;
        CompletableFuture<Outcome> waiter = new CompletableFuture<>();
        waiters.put(waiter, key);
        waiter.whenComplete((outcome, failure) -> waiters.remove(waiter));
        complete(waiter, key);
        return waiter;
    }

    /** Every silence the view holds, expired ones included. */
    public List<SilenceConfig> silences() {
        return List.copyOf(silences.values());
    }

    public Optional<SilenceConfig> silence(String id) {
        return Optional.ofNullable(silences.get(id));
    }

    /**
     * Completes once the view has read the silences topic past {@code offset} of {@code partition}
     * (the position Kafka acknowledged for a write). Complete or cancel the future to stop waiting.
     */
    public CompletableFuture<Void> awaitSilence(int partition, long offset) {
        CompletableFuture<Void> waiter = new CompletableFuture<>();
        Written written = new Written(partition, offset);
        silenceWaiters.put(waiter, written);
        waiter.whenComplete((done, failure) -> silenceWaiters.remove(waiter));
        completeSilence(waiter, written);
        return waiter;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = partitions();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofMinutes(5));
            while (running) {
                consumer.poll(Duration.ofMillis(100)).forEach(this::apply);
                if (!caughtUp && end.entrySet().stream().allMatch(entry -> consumer.position(entry.getKey()) >= entry.getValue())) {
                    caughtUp = true;
                    log.info("Incident view caught up: {} incidents, {} silences", incidents.size(), silences.size());
                }
                waiters.forEach(this::complete);
                silenceWaiters.forEach(this::completeSilence);
            }
        } catch (WakeupException e) {
            // Closing.
        } catch (RuntimeException e) {
            log.error("Incident view stopped: {}", e.toString(), e);
            caughtUp = false;
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    /** Every partition of the four topics; waits while they do not exist yet. */
    private List<TopicPartition> partitions() {
        List<String> names = List.of(topics.state().name(), topics.events().name(), topics.commandResults().name(),
                topics.silences().name());
        while (running) {
            List<TopicPartition> partitions = new ArrayList<>();
            try {
                names.forEach(name -> consumer.partitionsFor(name, Duration.ofSeconds(30))
                        .forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition()))));
            } catch (TimeoutException e) {
                log.warn("Incident view cannot get the partitions of {} yet: {}", names, e.getMessage());
            }
            if (partitions.stream().map(TopicPartition::topic).distinct().count() == names.size()) {
                return partitions;
            }
            log.warn("Incident view waits for its topics {}", names);
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new WakeupException();
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        try {
            String key = keys.deserialize(record.topic(), record.key());
            if (record.topic().equals(topics.state().name())) {
                IncidentState state = states.deserialize(record.topic(), record.headers(), record.value());
                Stored stored = state == null ? null : new Stored(record.value(), state.getVersion(), state.getOpenedAt(),
                        ResponseMetrics.Facts.of(state));
                Stored previous = applyState(key, stored);
                response.changed(previous == null ? null : previous.facts(), stored == null ? null : stored.facts(), state);
            } else if (record.topic().equals(topics.events().name())) {
                IncidentEvent event = events.deserialize(record.topic(), record.headers(), record.value());
                if (event != null) {
                    append(logs.computeIfAbsent(event.getIncidentId(), id -> new IncidentLog()), event, record.value());
                }
            } else if (record.topic().equals(topics.silences().name())) {
                applySilence(key, silenceConfigs.deserialize(record.topic(), record.headers(), record.value()));
            } else {
                CommandResult result = results.deserialize(record.topic(), record.headers(), record.value());
                if (result != null) {
                    remember(result);
                }
            }
        } catch (RuntimeException e) {
            skip(new TopicPartition(record.topic(), record.partition()), record.offset(), e);
        } finally {
            if (record.topic().equals(topics.silences().name())) {
                silencesRead.merge(record.partition(), record.offset() + 1, Math::max);
            }
        }
    }

    private static void append(IncidentLog log, IncidentEvent event, byte[] bytes) {
        synchronized (log) {
            log.events.add(bytes);
            if (event.getPayload() instanceof AlertAttached attached) {
                String fingerprint = attached.getAlert().getFingerprint();
                AlertIndex previous = log.alerts.get(fingerprint);
                if (previous == null) {
                    log.alertOrder.add(fingerprint);
                }
                log.alerts.put(fingerprint, new AlertIndex(log.events.size() - 1,
                        previous == null ? event.getTimestamp() : previous.attachedAt(), null));
            } else if (event.getPayload() instanceof AlertResolved resolved) {
                log.alerts.computeIfPresent(resolved.getFingerprint(),
                        (fingerprint, index) -> new AlertIndex(index.attachedEvent(), index.attachedAt(), resolved.getEndedAt()));
            }
        }
    }

    /**
     * The events a command caused: the newest of its incident's log when its result arrives, so it
     * looks back from the end and stops once it found them all.
     */
    private List<IncidentEvent> caused(CommandResult result) {
        IncidentLog log = logs.get(result.getIncidentId());
        if (log == null || result.getEventIds().isEmpty()) {
            return List.of();
        }
        Map<String, IncidentEvent> found = new HashMap<>();
        synchronized (log) {
            for (int i = log.events.size() - 1; i >= 0 && found.size() < result.getEventIds().size(); i--) {
                IncidentEvent event = event(log.events.get(i));
                if (event.getSequence() < result.getSequence() - result.getEventIds().size()) {
                    break;
                }
                if (result.getEventIds().contains(event.getEventId())) {
                    found.put(event.getEventId(), event);
                }
            }
        }
        return result.getEventIds().stream().map(found::get).filter(Objects::nonNull).toList();
    }

    private void applySilence(String id, SilenceConfig silence) {
        if (silence == null) {
            silences.remove(id);
        } else {
            silences.put(id, silence);
        }
    }

    private void completeSilence(CompletableFuture<Void> waiter, Written written) {
        if (silencesRead.getOrDefault(written.partition(), 0L) > written.offset()) {
            waiter.complete(null);
        }
    }

    /** @return what the view held of the incident before */
    private Stored applyState(String incidentId, Stored state) {
        Stored previous = state == null ? incidents.remove(incidentId) : incidents.put(incidentId, state);
        if (previous != null && (state == null || !previous.openedAt().equals(state.openedAt()))) {
            order.remove(new Position(previous.openedAt(), incidentId));
        }
        if (state != null) {
            order.add(new Position(state.openedAt(), incidentId));
        }
        return previous;
    }

    private IncidentState state(Stored stored) {
        return states.deserialize(topics.state().name(), stored.value());
    }

    private void remember(CommandResult result) {
        String key = result.getIncidentId() + '\u0000' + result.getCommandId();
        synchronized (outcomes) {
            CommandResult first = outcomes.get(key);
            // A repeat of a command is DUPLICATE; the first outcome is the one to answer with.
            if (first == null || result.getOutcome() != CommandOutcome.DUPLICATE) {
                outcomes.put(key, result);
            }
            if (outcomes.size() > REMEMBERED_RESULTS) {
                outcomes.remove(outcomes.keySet().iterator().next());
            }
        }
    }

    private void skip(TopicPartition partition, long offset, Exception e) {
        skipped.increment();
        log.error("Incident view skips the unreadable record at {}-{} offset {}: {}", partition.topic(), partition.partition(),
                offset, e.getMessage());
    }

    /** Completes the waiter when its result and everything written with it are in the view. */
    private void complete(CompletableFuture<Outcome> waiter, String key) {
        CommandResult result;
        synchronized (outcomes) {
            result = outcomes.get(key);
        }
        if (result == null || waiter.isDone()) {
            return;
        }
        Stored stored = incidents.get(result.getIncidentId());
        if (stored != null && stored.version() < result.getSequence()) {
            return;
        }
        List<IncidentEvent> caused = caused(result);
        if (caused.size() < result.getEventIds().size()) {
            return;
        }
        waiter.complete(new Outcome(result, caused, stored == null ? null : state(stored)));
    }

    @Override
    public void close() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        waiters.keySet().forEach(waiter -> waiter.cancel(false));
        silenceWaiters.keySet().forEach(waiter -> waiter.cancel(false));
    }
}
