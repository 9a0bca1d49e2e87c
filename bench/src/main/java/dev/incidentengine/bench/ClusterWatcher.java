package dev.incidentengine.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.CommandRejected;
import dev.incidentengine.model.EscalationTarget;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentUnacknowledged;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The chaos test's reader of the incident log, from its start and read_committed, as any
 * downstream reader: per incident its opening, escalations and acknowledgement; per alert
 * (fingerprint {@code .../chaos/<n>}) the incidents it was attached to and when that was first
 * readable; duplicate event ids, sequence gaps, groups opened twice.
 */
final class ClusterWatcher implements AutoCloseable {

    /** An escalation: its event, level, when it fired (the event's time) and the users it paged. */
    record Escalation(String eventId, int level, Instant at, List<String> users) {
    }

    static final class Incident {
        final String id;
        String openedEventId;
        Instant openedAt;
        Instant acknowledgedAt;
        boolean acknowledged;
        final List<Escalation> escalations = new ArrayList<>();

        Incident(String id) {
            this.id = id;
        }

        Incident copy() {
            Incident copy = new Incident(id);
            copy.openedEventId = openedEventId;
            copy.openedAt = openedAt;
            copy.acknowledgedAt = acknowledgedAt;
            copy.acknowledged = acknowledged;
            copy.escalations.addAll(escalations);
            return copy;
        }
    }

    private final KafkaConsumer<String, IncidentEvent> consumer;
    private final Thread thread;
    // Guarded by this.
    private final Map<String, Incident> incidents = new HashMap<>();
    private final Set<String> eventIds = new HashSet<>();
    private final Map<String, Long> sequences = new HashMap<>();
    private final Map<String, Integer> openedByKey = new HashMap<>();
    private final Map<Integer, Set<String>> incidentsOfAlert = new HashMap<>();
    private final Map<Integer, Long> attachedAt = new HashMap<>();
    private long events;
    private long duplicateIds;
    private long sequenceGaps;
    private long escalationsAfterAck;
    private BiConsumer<String, Integer> onOpened = (incident, alert) -> { };
    private volatile boolean running = true;
    private volatile Throwable failure;

    ClusterWatcher(String bootstrap, RecordSerdes serdes) {
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                ConsumerConfig.CLIENT_ID_CONFIG, "chaos-watcher"),
                Topics.INCIDENT_EVENTS.keySerde(serdes).deserializer(), Topics.INCIDENT_EVENTS.valueSerde(serdes).deserializer());
        this.thread = new Thread(this::run, "chaos-watcher");
        thread.setDaemon(true);
    }

    ClusterWatcher start() {
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.INCIDENT_EVENTS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread.start();
        return this;
    }

    /** Called (on the watcher's thread) with each incident opened and the index of the alert that opened it. */
    synchronized void onOpened(BiConsumer<String, Integer> action) {
        this.onOpened = action;
    }

    /** The n of fingerprint {@code .../chaos/<n>}; null for another alert. */
    static Integer alertIndex(String fingerprint) {
        int at = fingerprint == null ? -1 : fingerprint.lastIndexOf("chaos/");
        if (at < 0) {
            return null;
        }
        try {
            return Integer.parseInt(fingerprint.substring(at + "chaos/".length()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<String, IncidentEvent> records = consumer.poll(Duration.ofMillis(100));
                long now = System.currentTimeMillis();
                synchronized (this) {
                    for (ConsumerRecord<String, IncidentEvent> record : records) {
                        if (record.value() != null) {
                            onEvent(record.value(), now);
                        }
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

    private void onEvent(IncidentEvent event, long readMillis) {
        events++;
        if (!eventIds.add(event.getEventId())) {
            duplicateIds++;
        }
        Long last = sequences.get(event.getIncidentId());
        // A rejection is written with the incident's current sequence: it changes no state.
        long expected = last == null ? 1 : event.getPayload() instanceof CommandRejected ? last : last + 1;
        if (event.getSequence() != expected) {
            sequenceGaps++;
        }
        sequences.put(event.getIncidentId(), event.getSequence());
        Incident incident = incidents.computeIfAbsent(event.getIncidentId(), Incident::new);
        Object payload = event.getPayload();
        if (payload instanceof IncidentOpened opened) {
            incident.openedEventId = event.getEventId();
            incident.openedAt = event.getTimestamp();
            openedByKey.merge(String.valueOf(opened.getCorrelationKey()), 1, Integer::sum);
            String cause = event.getCauseId();
            Integer alert = cause == null || cause.lastIndexOf('@') < 0 ? null : alertIndex(cause.substring(0, cause.lastIndexOf('@')));
            if (alert != null) {
                onOpened.accept(event.getIncidentId(), alert);
            }
        } else if (payload instanceof AlertAttached attached) {
            Integer alert = alertIndex(attached.getAlert().getFingerprint());
            if (alert != null) {
                incidentsOfAlert.computeIfAbsent(alert, a -> new HashSet<>(2)).add(event.getIncidentId());
                attachedAt.putIfAbsent(alert, readMillis);
            }
        } else if (payload instanceof IncidentEscalated escalated) {
            if (incident.acknowledged) {
                escalationsAfterAck++;
            }
            List<String> users = new ArrayList<>();
            for (EscalationTarget target : escalated.getTargets()) {
                users.addAll(target.getUserIds());
            }
            incident.escalations.add(new Escalation(event.getEventId(), escalated.getLevel(), event.getTimestamp(), users));
        } else if (payload instanceof IncidentAcknowledged) {
            incident.acknowledged = true;
            if (incident.acknowledgedAt == null) {
                incident.acknowledgedAt = event.getTimestamp();
            }
        } else if (payload instanceof IncidentUnacknowledged) {
            incident.acknowledged = false;
        }
    }

    void checkAlive() {
        if (failure != null) {
            throw new IllegalStateException("Reading " + Topics.INCIDENT_EVENTS.name() + " failed", failure);
        }
    }

    synchronized List<Incident> snapshot() {
        checkAlive();
        return incidents.values().stream().map(Incident::copy).toList();
    }

    synchronized boolean attached(int alert) {
        return incidentsOfAlert.containsKey(alert);
    }

    /** When the alert's first attachment was read (epoch millis); 0: not yet. */
    synchronized long attachedAtMillis(int alert) {
        return attachedAt.getOrDefault(alert, 0L);
    }

    synchronized long alertsInSeveralIncidents() {
        return incidentsOfAlert.values().stream().filter(set -> set.size() > 1).count();
    }

    synchronized long duplicateIncidents() {
        return openedByKey.values().stream().filter(n -> n > 1).mapToLong(n -> n - 1).sum();
    }

    synchronized long incidents() {
        return incidents.size();
    }

    synchronized long events() {
        return events;
    }

    synchronized long duplicateIds() {
        return duplicateIds;
    }

    synchronized long sequenceGaps() {
        return sequenceGaps;
    }

    synchronized long escalationsAfterAck() {
        return escalationsAfterAck;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }
}
