package dev.incidentengine.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Incident records read straight from Kafka, read_committed, to the end as it was when reading
 * began, with one consumer per read. One incident: only the partitions that hold its key in
 * {@code incident.events.v1} and {@code notification.results.v1} (the default partitioner's
 * murmur2, as the engine writes them), from a day before the date in its id ({@code offsetsForTimes}),
 * deserializing only its records. All incidents since a time: every partition from that time, each
 * record handed on as it is read, so nothing of the topic is held. Progress goes to stderr on long reads.
 */
final class IncidentLog {

    private static final Pattern DATED_ID = Pattern.compile("INC-(\\d{8})-.*");
    private static final long PROGRESS_EVERY = 50_000;

    /** One incident's events and the results of its notifications. */
    record IncidentRecords(List<IncidentEvent> events, List<NotificationResult> results) {
    }

    private final Map<String, Object> clientProps;
    private final String bootstrapServers;
    private final RecordSerdes serdes = RecordSerdes.singleObject();

    /** @param clientProps Kafka client settings: bootstrap servers, and TLS and SASL ones when the cluster asks for them */
    IncidentLog(Map<String, Object> clientProps) {
        this.clientProps = Map.copyOf(clientProps);
        this.bootstrapServers = String.valueOf(clientProps.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
    }

    /** The incident's records; no events is an unknown incident. */
    IncidentRecords incident(String incidentId) {
        Deserializer<IncidentEvent> events = Topics.INCIDENT_EVENTS.valueSerde(serdes).deserializer();
        Deserializer<NotificationResult> results = Topics.NOTIFICATION_RESULTS.valueSerde(serdes).deserializer();
        IncidentRecords found = new IncidentRecords(new ArrayList<>(), new ArrayList<>());
        read(List.of(Topics.INCIDENT_EVENTS, Topics.NOTIFICATION_RESULTS), incidentId, startOf(incidentId), Output.err, record -> {
            if (incidentId.equals(record.key()) && record.value() != null) {
                if (record.topic().equals(Topics.INCIDENT_EVENTS.name())) {
                    found.events().add(events.deserialize(record.topic(), record.value()));
                } else {
                    found.results().add(results.deserialize(record.topic(), record.value()));
                }
            }
        });
        if (found.events().isEmpty()) {
            throw new CliError(CliError.NOT_FOUND, "no events of incident " + incidentId + " in " + Topics.INCIDENT_EVENTS.name());
        }
        return found;
    }

    /**
     * Every keyed record of the topic from {@code since} (by record time), all partitions, handed to
     * {@code each} as read; a tombstone's value is null.
     */
    <V> void readAll(Topic<String, V> topic, Instant since, Consumer<ConsumerRecord<String, V>> each) {
        Deserializer<V> values = topic.valueSerde(serdes).deserializer();
        read(List.of(topic), null, since, Output.err, record -> {
            if (record.key() != null) {
                each.accept(new ConsumerRecord<>(record.topic(), record.partition(), record.offset(), record.key(),
                        record.value() == null ? null : values.deserialize(topic.name(), record.value())));
            }
        });
    }

    /** The topics' partitions (only the key's when {@code key} is given) from {@code since} to their ends as reading began. */
    private void read(List<? extends Topic<String, ?>> topics, String key, Instant since, PrintStream progress,
                      Consumer<ConsumerRecord<String, byte[]>> each) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props(), new StringDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (Topic<String, ?> topic : topics) {
                int count = partitions(consumer, topic).size();
                if (key != null) {
                    partitions.add(new TopicPartition(topic.name(), partitionOf(key, count)));
                } else {
                    for (int partition = 0; partition < count; partition++) {
                        partitions.add(new TopicPartition(topic.name(), partition));
                    }
                }
            }
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> times = new HashMap<>();
            partitions.forEach(partition -> times.put(partition, since.toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(times);
            long total = 0;
            List<TopicPartition> unread = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                long start = starts.get(partition) == null ? ends.get(partition) : starts.get(partition).offset();
                consumer.seek(partition, start);
                total += ends.get(partition) - start;
                if (start < ends.get(partition)) {
                    unread.add(partition);
                }
            }
            long read = 0;
            long nextReport = PROGRESS_EVERY;
            while (!unread.isEmpty()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() < ends.get(new TopicPartition(record.topic(), record.partition()))) {
                        read++;
                        each.accept(record);
                    }
                }
                unread.removeIf(partition -> consumer.position(partition) >= ends.get(partition));
                if (read >= nextReport) {
                    progress.printf("\rreading %s: %d%%", String.join(", ", topics.stream().map(Topic::name).toList()),
                            read * 100 / Math.max(1, total));
                    nextReport += PROGRESS_EVERY;
                }
            }
            if (nextReport > PROGRESS_EVERY) {
                progress.println();
            }
        } catch (KafkaException e) {
            throw new CliError(CliError.UNREACHABLE, "cannot read " + topics.stream().map(Topic::name).toList() + " from " + bootstrapServers
                    + ": " + e.getMessage());
        } finally {
            // Nothing to commit or leave (no group): a plain close waits out the fetch in flight.
            consumer.close(CloseOptions.timeout(Duration.ZERO));
        }
    }

    private Map<String, Object> props() {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.putAll(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000, ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000,
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
        return props;
    }

    private List<PartitionInfo> partitions(KafkaConsumer<?, ?> consumer, Topic<?, ?> topic) {
        List<PartitionInfo> partitions = consumer.partitionsFor(topic.name());
        if (partitions == null || partitions.isEmpty()) {
            throw new CliError(CliError.NOT_FOUND, "topic " + topic.name() + " does not exist at " + bootstrapServers);
        }
        return partitions;
    }

    /** The partition the engine's producers put this key in. */
    static int partitionOf(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(new StringSerializer().serialize(null, key))) % partitions;
    }

    /** A day before the date in the id (ids are INC-yyyyMMdd-…), so nothing of the incident is missed; an undated id reads all. */
    static Instant startOf(String incidentId) {
        Matcher dated = DATED_ID.matcher(incidentId);
        if (dated.matches()) {
            try {
                return LocalDate.parse(dated.group(1), DateTimeFormatter.BASIC_ISO_DATE).minusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e) {
                // not a date after all: read from the beginning
            }
        }
        return Instant.EPOCH;
    }
}
