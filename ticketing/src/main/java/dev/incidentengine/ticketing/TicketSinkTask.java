package dev.incidentengine.ticketing;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.LinkTicket;
import dev.incidentengine.model.TicketLink;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.schemas.EventHeaders;
import dev.incidentengine.schemas.SingleObjectAvroSerde;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies incident events to tickets ({@link TicketSync}) and keeps the sync's progress on the links topic, in the partition
 * number of the events it was given. A refused request (4xx) sends its record to the dead-letter queue and the task goes on;
 * a system that is unavailable or rate-limits beyond {@code ticket.retry.max.wait.ms} hands the batch back to Connect, which
 * delivers it again after {@link org.apache.kafka.connect.sink.SinkTaskContext#timeout}: what was applied is skipped then.
 */
public final class TicketSinkTask extends SinkTask {

    private static final Logger LOG = LoggerFactory.getLogger(TicketSinkTask.class);
    private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

    private final SingleObjectAvroSerde<IncidentEvent> events = new SingleObjectAvroSerde<>(IncidentEvent.class);
    private final SingleObjectAvroSerde<TicketLink> links = new SingleObjectAvroSerde<>(TicketLink.class);
    private final SingleObjectAvroSerde<IncidentCommand> commands = new SingleObjectAvroSerde<>(IncidentCommand.class);
    /** Incidents whose asynchronous link write failed: written again before offsets are committed. */
    private final ConcurrentLinkedQueue<String> failedWrites = new ConcurrentLinkedQueue<>();
    /** The last offset handled per partition: a batch Connect delivers again after a retry skips what was handled. */
    private final Map<TopicPartition, Long> handled = new HashMap<>();

    private String connector;
    private TicketConfig config;
    private TicketSystem system;
    private TicketSync sync;
    private TicketMetrics metrics;
    private KafkaProducer<String, byte[]> producer;
    private String linksTopic;
    private String commandsTopic;
    private Clock clock;

    @Override
    public String version() {
        return TicketSinkConnector.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        connector = props.get("name");
        config = new TicketConfig(TicketConfig.sinkDef(props), props);
        clock = Clock.systemUTC();
        linksTopic = config.getString(TicketConfig.LINKS_TOPIC);
        commandsTopic = config.getString(TicketConfig.COMMANDS_TOPIC);
        metrics = new TicketMetrics().register(pluginMetrics());
        Map<String, Object> producerProps = config.kafkaClientProps();
        producerProps.put(ProducerConfig.CLIENT_ID_CONFIG, "ticketing-" + connector + "-" + UUID.randomUUID().toString().substring(0, 8));
        // Last, so that ticket.kafka.* cannot weaken them.
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer = new KafkaProducer<>(producerProps, new StringSerializer(), new ByteArraySerializer());
        ensureLinksTopic(props.get(TOPICS_CONFIG));
        system = config.provider().create(config, TicketHttp.create(config.provider().system(), config.retry(), config.httpTimeout()));
        sync = new TicketSync(TicketSync.Rules.of(connector, config), system, new TicketTemplates(config), this::linked, metrics, clock);
        LOG.info("Ticketing sink {} started for {}", connector, config.provider().system());
    }

    private org.apache.kafka.common.metrics.PluginMetrics pluginMetrics() {
        try {
            return context.pluginMetrics();
        } catch (UnsupportedOperationException | NoSuchMethodError e) {
            return null; // an older worker: the counters still count, for the logs
        }
    }

    /** The links topic, created compacted when missing, with at least as many partitions as the events topic. */
    private void ensureLinksTopic(String eventsTopic) {
        try (Admin admin = Admin.create(config.kafkaClientProps())) {
            int partitions = admin.describeTopics(List.of(eventsTopic)).allTopicNames().get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                    .get(eventsTopic).partitions().size();
            try {
                admin.createTopics(List.of(new NewTopic(linksTopic, java.util.Optional.of(partitions), java.util.Optional.empty())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                        .all().get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                LOG.info("Created {} (compacted, {} partitions)", linksTopic, partitions);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            int linkPartitions = admin.describeTopics(List.of(linksTopic)).allTopicNames().get(KAFKA_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                    .get(linksTopic).partitions().size();
            if (linkPartitions < partitions) {
                throw new ConnectException(TicketConfig.LINKS_TOPIC + ": " + linksTopic + " has " + linkPartitions + " partitions, fewer than "
                        + eventsTopic + "'s " + partitions + "; links are written to their incident's partition number");
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new ConnectException("Cannot check the links topic " + linksTopic + " or the events topic " + eventsTopic + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("Interrupted while checking " + linksTopic, e);
        }
    }

    /** Reads the links of the given partitions' numbers to their end: the task knows its incidents' tickets without a search. */
    @Override
    public void open(Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        Map<String, Object> props = config.kafkaClientProps();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "ticketing-links-" + connector + "-" + UUID.randomUUID().toString().substring(0, 8));
        List<TopicPartition> linkPartitions = partitions.stream().map(partition -> new TopicPartition(linksTopic, partition.partition())).distinct().toList();
        String prefix = connector + "/";
        int loaded = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(linkPartitions);
            consumer.seekToBeginning(linkPartitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(linkPartitions, KAFKA_TIMEOUT);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (linkPartitions.stream().anyMatch(partition -> consumer.position(partition, KAFKA_TIMEOUT) < end.get(partition))) {
                if (System.nanoTime() > deadline) {
                    throw new RetriableException("Could not read " + linksTopic + " to its end within 5 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.key() == null || record.value() == null || !new String(record.key(), StandardCharsets.UTF_8).startsWith(prefix)) {
                        continue;
                    }
                    try {
                        sync.load(links.deserialize(linksTopic, record.value()), record.partition());
                        loaded++;
                    } catch (RuntimeException e) {
                        LOG.error("Unreadable link at {}-{}@{}: {}; its incident's ticket will be searched for", linksTopic, record.partition(), record.offset(), e.getMessage());
                    }
                }
            }
        } catch (KafkaException e) {
            throw new RetriableException("Cannot read " + linksTopic + ": " + e.getMessage(), e);
        }
        LOG.info("Loaded {} links of {} for partitions {} in {} ms ({} incidents kept)", loaded, connector,
                linkPartitions.stream().map(TopicPartition::partition).sorted().toList(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), sync.size());
    }

    @Override
    public void close(Collection<TopicPartition> partitions) {
        partitions.forEach(handled::remove);
        sync.drop(partitions.stream().map(TopicPartition::partition).collect(Collectors.toSet()));
    }

    @Override
    public void put(Collection<SinkRecord> records) {
        for (SinkRecord record : records) {
            TopicPartition partition = new TopicPartition(record.topic(), record.kafkaPartition());
            Long last = handled.get(partition);
            if (last != null && record.kafkaOffset() <= last) {
                continue;
            }
            put(record);
            handled.put(partition, record.kafkaOffset());
        }
        writeLinks();
    }

    private void put(SinkRecord record) {
        IncidentEvent event;
        try {
            if (!(record.value() instanceof byte[] bytes)) {
                throw new IllegalArgumentException("the value is not bytes: set value.converter="
                        + TicketSinkConnector.BYTE_ARRAY_CONVERTER + " (the task reads the engine's Avro itself)");
            }
            event = events.deserialize(record.topic(), bytes);
        } catch (RuntimeException e) {
            metrics.failures.increment();
            deadLetter(record, e, "unreadable record at " + record.topic() + "-" + record.kafkaPartition() + "@" + record.kafkaOffset());
            return;
        }
        try {
            sync.apply(event, service(record), record.kafkaPartition());
        } catch (TicketException e) {
            metrics.failures.increment();
            if (e.retriable()) {
                retryLater(event, e, e.retryAfter());
            }
            deadLetter(record, e, "incident " + event.getIncidentId() + " event " + event.getSequence() + " (" + event.getEventId() + ")");
            sync.skip(event);
        } catch (KafkaException e) { // the link or the command not written
            metrics.failures.increment();
            retryLater(event, e, null);
        }
    }

    private void retryLater(IncidentEvent event, Exception e, Duration asked) {
        writeLinks();
        long wait = Math.max(asked == null ? 0 : asked.toMillis(), config.getLong(TicketConfig.RETRY_BACKOFF_MAX_MS));
        LOG.error("Incident {} event {} ({}) not applied, retrying the batch in {} ms: {}", event.getIncidentId(), event.getSequence(),
                event.getEventId(), wait, e.getMessage());
        metrics.retries.increment();
        context.timeout(wait);
        throw new RetriableException(e.getMessage(), e);
    }

    private void deadLetter(SinkRecord record, Exception e, String what) {
        ErrantRecordReporter reporter;
        try {
            reporter = context.errantRecordReporter();
        } catch (NoSuchMethodError | NoClassDefFoundError old) {
            reporter = null;
        }
        String message = connector + ": " + what + ": " + e.getMessage();
        if (reporter == null) {
            throw new ConnectException(message + ". No dead-letter queue takes it: set errors.tolerance=all and "
                    + "errors.deadletterqueue.topic.name to send such records there and go on", e);
        }
        try {
            reporter.report(record, e);
        } catch (RuntimeException reportFailed) {
            throw new ConnectException(message + ". It cannot go to a dead-letter queue (errors.tolerance=none?): " + reportFailed.getMessage(), e);
        }
        metrics.deadLetters.increment();
        LOG.error("{}; sent to the dead-letter queue", message);
    }

    private static String service(SinkRecord record) {
        org.apache.kafka.connect.header.Header header = record.headers().lastWithName(EventHeaders.SERVICE);
        if (header == null || header.value() == null) {
            return null;
        }
        return header.value() instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : header.value().toString();
    }

    /** The sync made or found a ticket: the incident's command and the link, both acknowledged. */
    private void linked(String incidentId, TicketLink link, TicketRef ticket, int partition) {
        IncidentCommand command = IncidentCommand.newBuilder()
                .setCommandId("ticket-link:" + connector + ":" + ticket.getSystem() + ":" + ticket.getKey())
                .setIncidentId(incidentId)
                .setActor(Actor.newBuilder().setType(ActorType.INTEGRATION).setId("ticketing:" + connector).setName(connector).build())
                .setTimestamp(clock.instant())
                .setPayload(LinkTicket.newBuilder().setTicket(ticket).build())
                .build();
        List<Future<?>> sent = new ArrayList<>();
        sent.add(producer.send(new ProducerRecord<>(commandsTopic, command.getIncidentId(), commands.serialize(commandsTopic, command))));
        if (link != null) {
            sent.add(producer.send(new ProducerRecord<>(linksTopic, partition, key(link), links.serialize(linksTopic, link))));
        }
        for (Future<?> future : sent) {
            try {
                future.get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new RetriableException("Cannot record the link of " + ticket.getKey() + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RetriableException("Interrupted while recording the link of " + ticket.getKey(), e);
            }
        }
    }

    /** Links changed by the batch, sent without waiting: {@link #preCommit} waits for them before offsets are committed. */
    private void writeLinks() {
        for (TicketSync.Pending pending : sync.drainDirty()) {
            TicketLink link = pending.link();
            String incidentId = link.getIncidentId();
            producer.send(new ProducerRecord<>(linksTopic, pending.partition(), key(link), links.serialize(linksTopic, link)), (metadata, e) -> {
                if (e != null) {
                    LOG.error("Link of incident {} not written ({}); written again before the next commit", incidentId, e.getMessage());
                    failedWrites.add(incidentId);
                }
            });
        }
    }

    private String key(TicketLink link) {
        return connector + "/" + link.getIncidentId();
    }

    @Override
    public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        for (int attempt = 1; ; attempt++) {
            writeLinks();
            producer.flush();
            if (failedWrites.isEmpty()) {
                return offsets;
            }
            Set<String> failed = new java.util.HashSet<>();
            for (String id; (id = failedWrites.poll()) != null; ) {
                failed.add(id);
            }
            sync.rewrite(failed);
            if (attempt == 3) {
                writeLinks();
                // No commit: after a restart these events are delivered again and found applied by their comments.
                throw new RetriableException("Links of " + failed.size() + " incidents could not be written to " + linksTopic);
            }
        }
    }

    @Override
    public void stop() {
        if (producer != null) {
            producer.close(KAFKA_TIMEOUT);
        }
        if (system != null) {
            system.close();
        }
        events.close();
        LOG.info("Ticketing sink {} stopped", connector);
    }
}
