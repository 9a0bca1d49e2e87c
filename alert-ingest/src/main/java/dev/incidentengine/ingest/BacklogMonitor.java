package dev.incidentengine.ingest;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.incidentengine.service.KafkaClients;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples the lag of the consumer group that turns alerts into incidents (incident-stream) on
 * every partition it reads, for {@link Admission}. Fails open: while the group cannot be read,
 * alerts are admitted as without a backlog, and a WARN says so once.
 */
final class BacklogMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BacklogMonitor.class);

    private final Admin admin;
    private final String group;
    private final Admission admission;
    private final ScheduledExecutorService scheduler;
    private volatile boolean failing;

    BacklogMonitor(AlertIngestConfig config, Admission admission) {
        Map<String, Object> props = KafkaClients.admin(config);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, AlertIngestService.NAME + "-backlog");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4_000);
        this.admin = Admin.create(props);
        this.group = config.backlogGroup();
        this.admission = admission;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, AlertIngestService.NAME + "-backlog");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::sample, 0, config.backlogSampleMs(), TimeUnit.MILLISECONDS);
    }

    void bind(MeterRegistry registry) {
        Gauge.builder("ingest_backlog_records", admission, Admission::backlogRecords)
                .description("Records the incident-stream consumer group has yet to read (last sample, plus alerts admitted since)")
                .register(registry);
        Gauge.builder("ingest_backlog_seconds", admission, a -> Math.min(a.backlogMs(), 3_600_000L) / 1000.0)
                .description("That backlog in seconds of incident-stream's work; sources over the quiet rate are refused above the limit")
                .register(registry);
    }

    private void sample() {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(4, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.forEach((partition, offset) -> {
                if (offset != null) {
                    latest.put(partition, OffsetSpec.latest());
                }
            });
            long lag = 0;
            long committedSum = latest.isEmpty() ? -1 : 0;
            if (!latest.isEmpty()) {
                var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(4, TimeUnit.SECONDS);
                for (var end : ends.entrySet()) {
                    long offset = committed.get(end.getKey()).offset();
                    // Less the transaction marker a partition written with exactly-once ends with, read or not.
                    lag += Math.max(0, end.getValue().offset() - offset - 1);
                    committedSum += offset;
                }
            }
            admission.observe(lag, committedSum);
            if (failing) {
                failing = false;
                log.info("The backlog of consumer group {} can be read again", group);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            admission.observe(0, -1);
            if (!failing) {
                failing = true;
                log.warn("Cannot read the backlog of consumer group {}; alerts are admitted as without one until it can: {}", group,
                        e.toString());
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        admin.close(Duration.ofSeconds(2));
    }
}
