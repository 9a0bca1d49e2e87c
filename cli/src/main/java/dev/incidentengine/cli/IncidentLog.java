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

import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * One incident's records, read straight from Kafka: only the partition that holds its key (the
 * default partitioner's murmur2, as the engine writes them), from a day before the date in its id
 * ({@code offsetsForTimes}), to the partition's end as it was when reading began. Progress goes to
 * stderr when the read is long.
 */
final class IncidentLog {

    private static final Pattern DATED_ID = Pattern.compile("INC-(\\d{8})-.*");
    private static final long PROGRESS_EVERY = 50_000;

    private final String bootstrapServers;
    private final RecordSerdes serdes = RecordSerdes.singleObject();

    IncidentLog(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    <V> List<V> read(Topic<String, V> topic, String incidentId, PrintStream progress) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000, ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000,
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> partitions = consumer.partitionsFor(topic.name());
            if (partitions == null || partitions.isEmpty()) {
                throw new CliError(CliError.NOT_FOUND, "topic " + topic.name() + " does not exist at " + bootstrapServers);
            }
            TopicPartition partition = new TopicPartition(topic.name(), partitionOf(incidentId, partitions.size()));
            consumer.assign(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            OffsetAndTimestamp from = consumer.offsetsForTimes(Map.of(partition, startOf(incidentId).toEpochMilli())).get(partition);
            long start = from == null ? end : from.offset();
            consumer.seek(partition, start);
            List<V> values = new ArrayList<>();
            long nextReport = start + PROGRESS_EVERY;
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() < end && incidentId.equals(record.key()) && record.value() != null) {
                        values.add(topic.valueSerde(serdes).deserializer().deserialize(topic.name(), record.value()));
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
            return values;
        } catch (KafkaException e) {
            throw new CliError(CliError.UNREACHABLE, "cannot read " + topic.name() + " from " + bootstrapServers + ": " + e.getMessage());
        }
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
