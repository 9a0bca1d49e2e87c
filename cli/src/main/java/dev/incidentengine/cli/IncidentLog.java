package dev.incidentengine.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
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
 * began. One incident: only the partition that holds its key (the default partitioner's murmur2,
 * as the engine writes them), from a day before the date in its id ({@code offsetsForTimes}). All
 * incidents since a time: every partition from that time. Progress goes to stderr on long reads.
 */
final class IncidentLog {

    private static final Pattern DATED_ID = Pattern.compile("INC-(\\d{8})-.*");
    private static final long PROGRESS_EVERY = 50_000;

    private final String bootstrapServers;
    private final RecordSerdes serdes = RecordSerdes.singleObject();

    IncidentLog(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** The incident's events; none is an unknown incident. */
    List<IncidentEvent> events(String incidentId) {
        List<IncidentEvent> events = read(Topics.INCIDENT_EVENTS, incidentId, Output.err);
        if (events.isEmpty()) {
            throw new CliError(CliError.NOT_FOUND, "no events of incident " + incidentId + " in " + Topics.INCIDENT_EVENTS.name());
        }
        return events;
    }

    <V> List<V> read(Topic<String, V> topic, String incidentId, PrintStream progress) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props(), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = partitions(consumer, topic);
            TopicPartition partition = new TopicPartition(topic.name(), partitionOf(incidentId, partitions.size()));
            consumer.assign(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            OffsetAndTimestamp from = consumer.offsetsForTimes(Map.of(partition, startOf(incidentId).toEpochMilli())).get(partition);
            long start = from == null ? end : from.offset();
            consumer.seek(partition, start);
            List<V> found = new ArrayList<>();
            long nextReport = start + PROGRESS_EVERY;
            Deserializer<V> deserializer = topic.valueSerde(serdes).deserializer();
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() < end && incidentId.equals(record.key()) && record.value() != null) {
                        found.add(deserializer.deserialize(topic.name(), record.value()));
                    }
                }
                if (consumer.position(partition) >= nextReport) {
                    progress.printf("\rreading %s: %d%%", topic.name(), (consumer.position(partition) - start) * 100 / Math.max(1, end - start));
                    nextReport += PROGRESS_EVERY;
                }
            }
            if (nextReport > start + PROGRESS_EVERY) {
                progress.println();
            }
            return found;
        } catch (KafkaException e) {
            throw new CliError(CliError.UNREACHABLE, "cannot read " + topic.name() + " from " + bootstrapServers + ": " + e.getMessage());
        }
    }

    /** Every record of the topic from {@code since} (by record time) to the end as reading began, all partitions. */
    <V> List<ConsumerRecord<String, V>> readAll(Topic<String, V> topic, Instant since, PrintStream progress) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props(), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = partitions(consumer, topic).stream().map(p -> new TopicPartition(topic.name(), p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(partitions.stream()
                    .collect(Collectors.toMap(p -> p, p -> since.toEpochMilli())));
            long total = 0;
            for (TopicPartition partition : partitions) {
                long start = starts.get(partition) == null ? ends.get(partition) : starts.get(partition).offset();
                consumer.seek(partition, start);
                total += ends.get(partition) - start;
            }
            List<ConsumerRecord<String, V>> records = new ArrayList<>();
            Deserializer<V> values = topic.valueSerde(serdes).deserializer();
            long read = 0;
            long nextReport = PROGRESS_EVERY;
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() >= ends.get(new TopicPartition(record.topic(), record.partition()))) {
                        continue;
                    }
                    read++;
                    if (record.key() != null && record.value() != null) {
                        records.add(new ConsumerRecord<>(record.topic(), record.partition(), record.offset(), record.key(),
                                values.deserialize(topic.name(), record.value())));
                    }
                }
                if (read >= nextReport) {
                    progress.printf("\rreading %s: %d%%", topic.name(), read * 100 / Math.max(1, total));
                    nextReport += PROGRESS_EVERY;
                }
            }
            if (nextReport > PROGRESS_EVERY) {
                progress.println();
            }
            return records;
        } catch (KafkaException e) {
            throw new CliError(CliError.UNREACHABLE, "cannot read " + topic.name() + " from " + bootstrapServers + ": " + e.getMessage());
        }
    }

    private Map<String, Object> props() {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000, ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000,
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
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
