package dev.incidentengine.incident.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import dev.incidentengine.incident.IncidentTopics;
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
 * The silences, read whole by every instance (one thread, from the beginning, read_committed,
 * every partition assigned, no consumer group; a tombstone removes one): a few hundred records,
 * not history. Incidents are queried from the read side's stores.
 */
public final class IncidentView implements AutoCloseable {

    /** A record written to the silences topic, where Kafka acknowledged it. */
    private record Written(int partition, long offset) {
    }

    private static final Logger log = LoggerFactory.getLogger(IncidentView.class);

    private final Map<String, Object> consumerProps;
    private final IncidentTopics topics;
    private final Deserializer<String> keys;
    private final Deserializer<SilenceConfig> silenceConfigs;

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
        this.keys = topics.silences().keySerde(serdes).deserializer();
        this.silenceConfigs = topics.silences().valueSerde(serdes).deserializer();
    }

    public void start(MeterRegistry metrics) {
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
                    log.info("Incident view caught up: {} silences", silences.size());
                }
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

    /** Every partition of the silences topic; waits while it does not exist yet. */
    private List<TopicPartition> partitions() {
        List<String> names = List.of(topics.silences().name());
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
            applySilence(key, silenceConfigs.deserialize(record.topic(), record.headers(), record.value()));
        } catch (RuntimeException e) {
            skip(new TopicPartition(record.topic(), record.partition()), record.offset(), e);
        } finally {
            silencesRead.merge(record.partition(), record.offset() + 1, Math::max);
        }
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

    private void skip(TopicPartition partition, long offset, Exception e) {
        skipped.increment();
        log.error("Incident view skips the unreadable record at {}-{} offset {}: {}", partition.topic(), partition.partition(),
                offset, e.getMessage());
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
        silenceWaiters.keySet().forEach(waiter -> waiter.cancel(false));
    }
}
