package dev.incidentengine.incident.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.incidentengine.incident.IncidentTopics;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.RecordSerdes;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import dev.incidentengine.service.TopicTail;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The silences, and the configuration the services API shows (services, integrations, escalation
 * policies, channels, teams), read whole by every instance (one thread, from the beginning,
 * read_committed, every partition assigned, no consumer group; a tombstone removes one): config,
 * not history. Incidents are queried from the read side's stores.
 */
public final class IncidentView implements AutoCloseable {

    /** A record written to the silences topic, where Kafka acknowledged it. */
    private record Written(int partition, long offset) {
    }

    /** One topic's records by key, each kept as {@code keep} makes it: what the API shows of it, and nothing else. */
    private static final class Table<V, K> {
        private final String topic;
        private final Deserializer<V> values;
        private final Function<V, K> keep;
        private final Map<String, K> rows = new ConcurrentHashMap<>();

        Table(Topic<String, V> topic, RecordSerdes serdes, Function<V, K> keep) {
            this.topic = topic.name();
            this.values = topic.valueSerde(serdes).deserializer();
            this.keep = keep;
        }

        void apply(String key, ConsumerRecord<byte[], byte[]> record) {
            V value = values.deserialize(record.topic(), record.headers(), record.value());
            if (value == null) {
                rows.remove(key);
            } else {
                rows.put(key, keep.apply(value));
            }
        }

        Map<String, K> snapshot() {
            return Map.copyOf(rows);
        }
    }

    private final Map<String, Object> consumerProps;
    private final Deserializer<String> keys;
    private final Table<SilenceConfig, SilenceConfig> silences;
    private final Table<ServiceConfig, ServiceConfig> services;
    // Integrations and channels lose their key hash, address and secret name as they are read.
    private final Table<IntegrationConfig, ServiceCatalog.Integration> integrations;
    private final Table<EscalationPolicyConfig, EscalationPolicyConfig> policies;
    private final Table<ChannelConfig, ServiceCatalog.Channel> channels;
    private final Table<TeamConfig, TeamConfig> teams;
    private final Map<String, Table<?, ?>> tables = new HashMap<>();
    /** Per partition of the silences topic: the offset after the last record read. */
    private final Map<Integer, Long> silencesRead = new ConcurrentHashMap<>();
    private final Map<CompletableFuture<Void>, Written> silenceWaiters = new ConcurrentHashMap<>();

    private TopicTail tail;
    private Counter skipped;

    public IncidentView(Map<String, Object> consumerProps, IncidentTopics topics, RecordSerdes serdes) {
        this.consumerProps = consumerProps;
        this.keys = topics.silences().keySerde(serdes).deserializer();
        this.silences = table(topics.silences(), serdes, Function.identity());
        this.services = table(topics.services(), serdes, Function.identity());
        this.integrations = table(topics.integrations(), serdes, ServiceCatalog.Integration::of);
        this.policies = table(topics.escalationPolicies(), serdes, Function.identity());
        this.channels = table(topics.channels(), serdes, ServiceCatalog.Channel::of);
        this.teams = table(topics.teams(), serdes, Function.identity());
    }

    private <V, K> Table<V, K> table(Topic<String, V> topic, RecordSerdes serdes, Function<V, K> keep) {
        Table<V, K> table = new Table<>(topic, serdes, keep);
        tables.put(table.topic, table);
        return table;
    }

    public void start(MeterRegistry metrics) {
        skipped = Counter.builder("incident_api_view_skipped_records_total")
                .description("Records the incident view could not read and skipped")
                .register(metrics);
        tail = new TopicTail("incident-view", consumerProps, List.copyOf(tables.keySet()), this::apply,
                () -> silenceWaiters.forEach(this::completeSilence));
        tail.start();
    }

    /** True once everything written before the start has been read. */
    public boolean ready() {
        return tail != null && tail.ready();
    }

    /** Every silence the view holds, expired ones included. */
    public List<SilenceConfig> silences() {
        return List.copyOf(silences.rows.values());
    }

    public Optional<SilenceConfig> silence(String id) {
        return Optional.ofNullable(silences.rows.get(id));
    }

    /** The services' configuration as read so far; each table is copied whole (config, not history). */
    ServiceCatalog.Config catalog() {
        return new ServiceCatalog.Config(services.snapshot(), integrations.snapshot(), policies.snapshot(), channels.snapshot(),
                teams.snapshot());
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

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        try {
            tables.get(record.topic()).apply(keys.deserialize(record.topic(), record.key()), record);
        } catch (RuntimeException e) {
            skipped.increment();
            throw e;
        } finally {
            if (record.topic().equals(silences.topic)) {
                silencesRead.merge(record.partition(), record.offset() + 1, Math::max);
            }
        }
    }

    private void completeSilence(CompletableFuture<Void> waiter, Written written) {
        if (silencesRead.getOrDefault(written.partition(), 0L) > written.offset()) {
            waiter.complete(null);
        }
    }

    @Override
    public void close() {
        if (tail != null) {
            tail.close();
        }
        silenceWaiters.keySet().forEach(waiter -> waiter.cancel(false));
    }
}
