package dev.incidentengine.notifier.send;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.DeliveryRecord;
import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.notifier.NotifierService;
import dev.incidentengine.notifier.NotifierTopics;
import dev.incidentengine.notifier.channel.Channel;
import dev.incidentengine.notifier.channel.Message;
import dev.incidentengine.notifier.channel.MessageKind;
import dev.incidentengine.notifier.channel.Result;
import dev.incidentengine.notifier.status.StatusRecipients;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.service.DeadLetters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Delivers the planner's requests. A delivery is a side effect no Kafka transaction can take back,
 * so the guarantee comes from a ledger: before a request is sent, the compacted
 * {@code notification.deliveries.v1} (loaded per partition on assignment) says whether it already
 * went; after it is sent, its ledger record, its result on {@code notification.results.v1} and the
 * consumer offsets commit in one transaction. What a crash can repeat is only a delivery that ended
 * between its send and that commit, and it goes again with the same idempotency key, which
 * receivers that honour one (webhooks, PagerDuty's dedup key, SMTP Message-ID) recognise.
 *
 * <p>One poll thread owns the consumer, producer and ledger; deliveries run on the {@link Endpoints}'
 * threads and hand back their results through a queue. Offsets commit up to the oldest delivery
 * still running in each partition, so a slow endpoint holds back only the commit, never others' sends.
 *
 * <p>Health: a commit that times out (the broker unreachable for the producer's {@code max.block.ms})
 * is tried again, as Kafka allows, and until one succeeds the sender is not {@link #healthy()}; any
 * other failure (fenced, a broken transaction, a bug) stops the sender, as sending on unrecorded
 * would break its guarantees. Both are logged at ERROR and shown by {@code notifier_sender_healthy}.
 */
public final class Sender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Sender.class);
    private static final Duration POLL = Duration.ofMillis(10);

    private record Completion(TopicPartition partition, long offset, NotificationRequest request, Result result) {
    }

    /** Offsets of one partition: those whose delivery still runs, and the highest seen. */
    private static final class Progress {
        final TreeSet<Long> running = new TreeSet<>();
        long highest = -1;
        long committed = -1;

        long committable() {
            return running.isEmpty() ? highest + 1 : running.first();
        }
    }

    private final NotifierTopics topics;
    private final Map<String, Channel> channels;
    private final StatusRecipients statusRecipients;
    private final Endpoints endpoints;
    private final Consumer<String, byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final Ledger ledger;
    private final Deserializer<NotificationRequest> requests;
    private final Serializer<NotificationResult> results;
    private final Serializer<DeliveryRecord> deliveries;
    private final Serializer<String> keys = new StringSerializer();
    private final Duration shutdownWait;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final ConcurrentLinkedQueue<Completion> completed = new ConcurrentLinkedQueue<>();
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<TopicPartition, Progress> progress = new HashMap<>();
    private final List<ProducerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
    private final Counter failures;
    private final Thread thread;
    private volatile boolean running = true;
    /** Its transactions initialised and the requests subscribed to: from then on it can deliver. */
    private volatile boolean polling;
    private volatile boolean stopped;
    /** Commits in a row that timed out; read by health checks. */
    private volatile int timeouts;
    /** Offsets of the transaction whose commit timed out and is tried again; null when no transaction is open. */
    private Map<TopicPartition, OffsetAndMetadata> committing;

    /**
     * @param consumer read_committed, no auto-commit, byte values (unreadable requests go to the DLQ)
     * @param producer transactional, byte keys and values
     * @param statusRecipients status page subscribers' side of sending; null when the notifier has no status secret
     */
    public Sender(NotifierTopics topics, RecordSerdes serdes, Map<String, Channel> channels, StatusRecipients statusRecipients,
            Endpoints endpoints,
            Consumer<String, byte[]> consumer, Producer<byte[], byte[]> producer, Consumer<String, DeliveryRecord> ledgerReader,
            Duration shutdownWait, Clock clock, MeterRegistry metrics) {
        this.topics = topics;
        this.channels = channels;
        this.statusRecipients = statusRecipients;
        this.endpoints = endpoints;
        this.consumer = consumer;
        this.producer = producer;
        this.ledger = new Ledger(topics.deliveries().name(), ledgerReader);
        this.requests = topics.requests().valueSerde(serdes).deserializer();
        this.results = topics.results().valueSerde(serdes).serializer();
        this.deliveries = topics.deliveries().valueSerde(serdes).serializer();
        this.shutdownWait = shutdownWait;
        this.clock = clock;
        this.metrics = metrics;
        this.thread = new Thread(this::run, "notifier-sender");
        Gauge.builder("notifier.deliveries.running", endpoints, Endpoints::running).description("Deliveries being sent now")
                .register(metrics);
        Gauge.builder("notifier.breakers.open", endpoints, Endpoints::openBreakers)
                .description("Endpoints whose circuit breaker is open: their deliveries fail at once").register(metrics);
        Gauge.builder("notifier.sender.healthy", this, sender -> sender.healthy() ? 1 : 0)
                .description("1 while the sender runs and commits; 0 when it stopped or cannot commit (see the ERROR log)").register(metrics);
        this.failures = Counter.builder("notifier.sender.failures")
                .description("Commits that timed out (tried again), and the failure that stopped the sender").register(metrics);
    }

    public void start() {
        thread.start();
    }

    /** Polling, not stopped, and its last commit succeeded (or there was none to make). */
    public boolean healthy() {
        return polling && !stopped && timeouts == 0;
    }

    private void run() {
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(topics.requests().name()), new Rebalance());
            polling = true;
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    handle(record);
                }
                commit();
            }
            waitFor(progress.keySet());
        } catch (RuntimeException e) {
            // Fenced, a broken transaction, or a bug: stop and say so (readiness turns false), rather than send unrecorded.
            failures.increment();
            log.error("Sender stopped, no notification is delivered until the notifier restarts: {}", e.toString(), e);
        } finally {
            stopped = true;
            endpoints.close();
            ledger.close();
            consumer.close();
            producer.close();
        }
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        Progress offsets = progress.computeIfAbsent(partition, p -> new Progress());
        offsets.highest = Math.max(offsets.highest, record.offset());
        NotificationRequest request;
        try {
            request = record.value() == null ? null : requests.deserialize(record.topic(), record.value());
            if (request == null) {
                throw new IllegalArgumentException("no request in the record (null value)");
            }
        } catch (RuntimeException e) {
            deadLetter(record, e);
            return;
        }
        // Already delivered (a re-read after a restart or rebalance), or the same request is being delivered right now.
        if (ledger.get(record.partition(), request.getDeliveryId()) != null || !inFlight.add(request.getDeliveryId())) {
            return;
        }
        offsets.running.add(record.offset());
        Channel channel = channels.get(request.getChannel());
        if (channel == null) {
            completed.add(new Completion(partition, record.offset(), request,
                    Result.failed("channel " + request.getChannel() + " is not configured on this notifier", Duration.ZERO)));
            return;
        }
        Message message;
        if (request.getSealedAddress() != null) {
            // A status page subscriber: opened here, just before sending; one deleted meanwhile is recorded as not sent.
            StatusRecipients.Prepared prepared = statusRecipients == null
                    ? new StatusRecipients.Prepared(null, "status subscribers are not configured on this notifier (status.secret.file)")
                    : statusRecipients.prepare(request);
            if (prepared.message() == null) {
                completed.add(new Completion(partition, record.offset(), request, Result.failed(prepared.skipped(), Duration.ZERO)));
                return;
            }
            message = prepared.message();
        } else {
            message = message(request, record.partition());
        }
        endpoints.submit(request.getChannel(), channel, message,
                result -> completed.add(new Completion(partition, record.offset(), request, result)));
    }

    private Message message(NotificationRequest request, int partition) {
        String thread = threadKey(request);
        DeliveryRecord previous = thread == null ? null : ledger.get(partition, thread);
        return new Message(request.getDeliveryId(), request.getIncidentId(), MessageKind.ofId(request.getKind()), request.getAddress(),
                request.getSecret(), request.getTitle(), request.getText(), request.getHtml(), request.getUrl(), request.getSeverity(),
                request.getStatus(), request.getService(), request.getEventJson(), previous == null ? null : previous.getProviderMessageId());
    }

    /** The incident's message in a Slack channel is updated in place as the incident changes: the ledger remembers which one. */
    private static String threadKey(NotificationRequest request) {
        return request.getChannel().equals("slack") && !MessageKind.ofId(request.getKind()).toPerson()
                ? "thread|slack|" + request.getAddress() + "|" + request.getIncidentId() : null;
    }

    /**
     * Writes finished deliveries' ledger records and results, unreadable requests' DLQ records and the offsets, in one
     * transaction. A commit that timed out is tried again first, with nothing added to its transaction.
     */
    private void commit() {
        if (committing == null) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(deadLetters);
            deadLetters.clear();
            for (Completion done; (done = completed.poll()) != null; ) {
                records.addAll(recordsOf(done));
                inFlight.remove(done.request().getDeliveryId());
                Progress of = progress.get(done.partition());
                if (of != null) {
                    of.running.remove(done.offset());
                }
            }
            progress.forEach((partition, of) -> {
                if (of.committable() > of.committed) {
                    offsets.put(partition, new OffsetAndMetadata(of.committable()));
                }
            });
            if (records.isEmpty() && offsets.isEmpty()) {
                return;
            }
            producer.beginTransaction();
            records.forEach(producer::send);
            if (!offsets.isEmpty()) {
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            }
            committing = offsets;
        }
        try {
            producer.commitTransaction();
        } catch (TimeoutException e) {
            failures.increment();
            if (timeouts++ == 0) {
                log.error("Sender cannot commit, so deliveries are held back until a commit succeeds (trying again): {}", e.toString());
            }
            return;
        }
        committing.forEach((partition, offset) -> {
            Progress of = progress.get(partition);
            if (of != null) {
                of.committed = offset.offset();
            }
        });
        committing = null;
        if (timeouts > 0) {
            log.info("Sender commits again, after {} commits that timed out", timeouts);
            timeouts = 0;
        }
    }

    private List<ProducerRecord<byte[], byte[]>> recordsOf(Completion done) {
        NotificationRequest request = done.request();
        Result result = done.result();
        DeliveryOutcome outcome = result.delivered() ? DeliveryOutcome.DELIVERED : DeliveryOutcome.FAILED;
        try (MDC.MDCCloseable ignored = MDC.putCloseable("incident", request.getIncidentId())) {
            if (result.delivered()) {
                log.info("Delivered {} via {} to {} ({} attempts, {} ms)", request.getKind(), request.getChannel(), request.getTarget(),
                        result.attempts(), result.took().toMillis());
            } else {
                log.warn("Failed {} via {} to {} after {} attempts: {}", request.getKind(), request.getChannel(), request.getTarget(),
                        result.attempts(), result.error());
            }
        }
        Counter.builder("notifier.deliveries").tag("channel", request.getChannel()).tag("outcome", outcome.name().toLowerCase())
                .register(metrics).increment();
        Timer.builder("notifier.delivery.duration").tag("channel", request.getChannel()).publishPercentileHistogram()
                .register(metrics).record(result.took());
        NotificationResult notificationResult = NotificationResult.newBuilder()
                .setDeliveryId(request.getDeliveryId())
                .setIncidentId(request.getIncidentId())
                .setEventId(request.getEventId())
                .setChannel(request.getChannel())
                .setKind(request.getKind())
                .setTarget(request.getTarget())
                .setStep(request.getStep())
                .setOutcome(outcome)
                .setAttempts(result.attempts())
                .setLatencyMillis(result.took().toMillis())
                .setProviderMessageId(result.providerMessageId())
                .setError(result.error())
                .setTimestamp(clock.instant())
                .build();
        DeliveryRecord delivery = new DeliveryRecord(request.getDeliveryId(), request.getIncidentId(), outcome, result.providerMessageId(),
                clock.instant());
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(new ProducerRecord<>(topics.results().name(), key(request.getIncidentId()),
                results.serialize(topics.results().name(), notificationResult)));
        records.add(ledgerRecord(done.partition().partition(), request.getDeliveryId(), delivery));
        String thread = threadKey(request);
        if (thread != null && result.delivered() && result.providerMessageId() != null) {
            records.add(ledgerRecord(done.partition().partition(), thread, delivery));
        }
        return records;
    }

    /** Ledger records go to the partition of their request, which is what a partition's new owner loads. */
    private ProducerRecord<byte[], byte[]> ledgerRecord(int partition, String key, DeliveryRecord record) {
        ledger.put(partition, key, record);
        return new ProducerRecord<>(topics.deliveries().name(), partition, key(key), deliveries.serialize(topics.deliveries().name(), record));
    }

    private byte[] key(String key) {
        return keys.serialize(null, key);
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, RuntimeException e) {
        deadLetters.add(new DeadLetters(NotifierService.NAME, metrics, clock).record(topics.deadLetters().name(), key(record.key()),
                record.value(), record.headers(), DeadLetters.DESERIALIZATION_ERROR, e.toString(), thread.getName(),
                Optional.of(new DeadLetters.Origin(record.topic(), record.partition(), record.offset())), null));
    }

    /** Commits while deliveries of these partitions still run, until they ended or {@code shutdownWait} passed. */
    private void waitFor(Collection<TopicPartition> partitions) {
        long deadline = System.nanoTime() + shutdownWait.toNanos();
        commit();
        while (partitions.stream().anyMatch(p -> progress.containsKey(p) && !progress.get(p).running.isEmpty())
                && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            commit();
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            waitFor(partitions);
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            ledger.load(partitions.stream().map(TopicPartition::partition).toList());
        }

        private void forget(Collection<TopicPartition> partitions) {
            partitions.forEach(progress::remove);
            ledger.drop(partitions.stream().map(TopicPartition::partition).toList());
        }
    }

    /** Stops polling, lets running deliveries finish (up to the shutdown wait) and commits them. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(shutdownWait.plusSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
