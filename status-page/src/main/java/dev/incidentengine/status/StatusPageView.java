package dev.incidentengine.status;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.status.domain.PublicPage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public page of this instance: tails the page's log ({@code status.page.v1}, one partition) from its
 * beginning with a consumer of its own (read_committed, no group: every instance reads it whole), folds it
 * with {@link PublicPage}, and publishes an immutable {@link PageSnapshot} per page version, rendered once.
 *
 * <p>Nothing is served until the log is read to the end offset it had at the start: a page half read
 * would show incidents long resolved as open. A consumer that stops advancing while the log has more,
 * or cannot reach Kafka, is reported by {@link #problem()}, the {@code status.page.view.stalled} gauge
 * and an ERROR log.
 */
public final class StatusPageView implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatusPageView.class);
    /** How often the end of the log is asked for, to see whether the reader keeps up. */
    private static final Duration CHECK_EVERY = Duration.ofSeconds(5);

    private final Map<String, Object> consumerProps;
    private final Topic<String, StatusPageEvent> topic;
    private final RecordSerdes serdes;
    private final Clock clock;
    private final Duration stalledAfter;
    private final PublicPage page;

    private final AtomicLong lag = new AtomicLong();
    private final Counter unreadable;
    private volatile PageSnapshot snapshot;
    private volatile String problem = "starting";
    private volatile boolean stalled;
    private volatile boolean running = true;
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread thread;

    /**
     * @param stalledAfter how long the reader may stay behind the log's end without advancing (or without
     *                     reaching Kafka) before it is reported
     */
    public StatusPageView(Map<String, Object> consumerProps, Topic<String, StatusPageEvent> topic, RecordSerdes serdes, String pageId,
                          Clock clock, Duration stalledAfter, MeterRegistry metrics) {
        this.consumerProps = new HashMap<>(consumerProps);
        // Every instance reads the whole log: no group, no commits.
        this.consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // The writer creates the log with its settings (one partition, kept forever); a reader never does.
        this.consumerProps.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        this.topic = topic;
        this.serdes = serdes;
        this.clock = clock;
        this.stalledAfter = stalledAfter;
        this.page = new PublicPage(pageId);
        Gauge.builder("status.page.view.lag", lag, AtomicLong::get).description("Records of the page's log not read yet")
                .register(metrics);
        Gauge.builder("status.page.view.stalled", this, view -> view.stalled ? 1 : 0)
                .description("1 while the public page's reader cannot make progress").register(metrics);
        Gauge.builder("status.page.view.version", this, view -> view.snapshot == null ? 0 : view.snapshot.version())
                .description("The page version served").register(metrics);
        unreadable = Counter.builder("status.page.view.unreadable").description("Records of the page's log that could not be read")
                .register(metrics);
    }

    public void start() {
        consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        thread = new Thread(this::run, "status-page-view");
        thread.setDaemon(true);
        thread.start();
    }

    /** The page as served now; empty until the log has been read to where it ended at the start. */
    public Optional<PageSnapshot> snapshot() {
        return Optional.ofNullable(snapshot);
    }

    /** Empty while the page is served and keeps up with its log; else why not. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    private void run() {
        TopicPartition partition = new TopicPartition(topic.name(), 0);
        Deserializer<StatusPageEvent> events = topic.valueSerde(serdes).deserializer();
        try {
            awaitTopic();
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long endAtStart = endOffset(partition);
            String reading = "reading the page's log " + topic.name() + " to offset " + endAtStart + " (its end at the start)";
            problem = reading;
            boolean caughtUp = false;
            Instant nextCheck = clock.instant().plus(CHECK_EVERY);
            long checkedPosition = -1;
            Instant behindSince = null;
            String stalledWhy = null;
            boolean changed = false;
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    StatusPageEvent event;
                    try {
                        event = events.deserialize(record.topic(), record.headers(), record.value());
                    } catch (RuntimeException e) {
                        unreadable.increment();
                        log.error("The public page skips the unreadable record at {}-{} offset {}: {}", record.topic(), record.partition(),
                                record.offset(), e.toString());
                        continue;
                    }
                    if (event != null) {
                        changed |= page.apply(event);
                    }
                }
                long position = consumer.position(partition);
                if (!caughtUp && position >= endAtStart) {
                    caughtUp = true;
                    changed = true;
                    log.info("Public page read its log to offset {}: version {}", position, page.version());
                }
                Instant now = clock.instant();
                if (caughtUp && (changed || snapshot == null || !PageSnapshot.asOf(page, now).equals(snapshot.asOf()))) {
                    snapshot = PageSnapshot.render(page, PageSnapshot.asOf(page, now));
                    changed = false;
                }
                if (!now.isBefore(nextCheck)) {
                    nextCheck = now.plus(CHECK_EVERY);
                    String behind = null;
                    try {
                        long end = consumer.endOffsets(List.of(partition), CHECK_EVERY).get(partition);
                        lag.set(Math.max(0, end - position));
                        if (end > position && position == checkedPosition) {
                            behind = "offset " + position + " of " + end + " and not advancing";
                        }
                    } catch (RuntimeException e) {
                        if (e instanceof WakeupException wakeup) {
                            throw wakeup;
                        }
                        behind = "cannot reach Kafka: " + e.getMessage();
                    }
                    checkedPosition = position;
                    behindSince = behind == null ? null : behindSince == null ? now : behindSince;
                    boolean nowStalled = behindSince != null && Duration.between(behindSince, now).compareTo(stalledAfter) >= 0;
                    if (nowStalled && !stalled) {
                        log.error("The public page cannot make progress on {} since {}: {}", topic.name(), behindSince, behind);
                    } else if (!nowStalled && stalled) {
                        log.info("The public page reads {} again", topic.name());
                    }
                    stalled = nowStalled;
                    stalledWhy = nowStalled ? "the page's log " + topic.name() + " cannot be read since " + behindSince + ": " + behind : null;
                }
                problem = stalledWhy != null ? stalledWhy : caughtUp ? null : reading;
            }
        } catch (WakeupException e) {
            // Closing.
        } catch (RuntimeException e) {
            stalled = true;
            problem = "the page's reader stopped: " + e;
            log.error("The public page's reader of {} stopped", topic.name(), e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    /** Waits until the page's log exists; reports why the page is not served meanwhile. */
    private void awaitTopic() {
        Instant since = clock.instant();
        while (running) {
            try {
                if (!consumer.partitionsFor(topic.name(), Duration.ofSeconds(5)).isEmpty()) {
                    return;
                }
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                // Kafka not reachable yet, or the topic does not exist yet: asked again below.
            }
            problem = "waiting for the page's log " + topic.name() + " since " + since;
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            if (!stalled && Duration.between(since, clock.instant()).compareTo(stalledAfter) >= 0) {
                stalled = true;
                log.error("The public page cannot find its log {} (or Kafka) since {}", topic.name(), since);
            }
        }
        throw new WakeupException();
    }

    /** The log's end, asked until Kafka answers. */
    private long endOffset(TopicPartition partition) {
        while (running) {
            try {
                return consumer.endOffsets(List.of(partition), CHECK_EVERY).get(partition);
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                problem = "cannot read the end of the page's log " + topic.name() + ": " + e.getMessage();
            }
        }
        throw new WakeupException();
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
    }
}
