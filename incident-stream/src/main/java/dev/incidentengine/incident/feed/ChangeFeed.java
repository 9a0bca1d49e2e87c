package dev.incidentengine.incident.feed;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.configdata.AvroJson;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.schemas.EventHeaders;
import dev.incidentengine.service.api.ApiError;
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
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live change feed ({@code GET /api/v1/stream}): every event of {@code incident.events.v1} as a
 * Server-Sent Event, each with the id of its position in the log (one offset per partition,
 * {@link FeedPosition}), so a client that reconnects with {@code Last-Event-ID} goes on from there
 * without losing a change.
 *
 * <p>One consumer per instance tails the log (read_committed, every partition, no group) into a
 * ring of recent events, rendered once, bounded by count and bytes; connections at the live point
 * are written from the ring by one writer thread, without a consumer or a thread of their own. A
 * connection that resumes from before the ring reads the log with a consumer of its own on one of a
 * few catch-up threads until the ring covers it, then joins the others; so does a connection whose
 * client reads slower than the log grows, once it falls out of the ring.
 */
public final class ChangeFeed implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BATCH_BYTES = 256 * 1024;
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HELLO = "retry: 2000\n: incident change feed\n\n".getBytes(StandardCharsets.UTF_8);

    /** Sizes of the feed: how many recent events the ring holds (and in how many bytes), and how many clients it serves. */
    public record Limits(int ringEvents, long ringBytes, int maxConnections, int catchUpThreads, Duration heartbeat) {
        public static final Limits DEFAULTS = new Limits(50_000, 32L * 1024 * 1024, 256, 2, Duration.ofSeconds(15));
    }

    /** An event as the feed sends it; {@code frame} is its rendered {@code data:} line. */
    record Item(int partition, long offset, String incidentId, String service, IncidentStatus status, IncidentStatus previous, byte[] frame) {
    }

    private final Map<String, Object> consumerProps;
    private final String topic;
    private final Deserializer<IncidentEvent> events;
    private final Limits limits;

    // The ring, guarded by this: items with numbers [head - size, head); covered[p] is the offset from which it holds
    // every record of partition p up to tailPosition[p], the offset after the last record the tail read.
    private final Item[] ring;
    private long head;
    private int size;
    private long bytes;
    private long[] covered;
    private long[] tailPosition;

    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(daemon("change-feed-writer"));
    private final ThreadPoolExecutor catchUp;
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(daemon("change-feed-heartbeat"));
    private KafkaConsumer<byte[], byte[]> consumer;
    private Thread tail;
    private volatile boolean running = true;
    private volatile String problem = "the change feed has not started";
    private Counter undecodable;
    private Counter caughtUp;

    public ChangeFeed(Map<String, Object> consumerProps, String topic, Deserializer<IncidentEvent> events, Limits limits) {
        this.consumerProps = new HashMap<>(consumerProps);
        this.consumerProps.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        this.topic = topic;
        this.events = events;
        this.limits = limits;
        this.ring = new Item[limits.ringEvents()];
        this.catchUp = new ThreadPoolExecutor(limits.catchUpThreads(), limits.catchUpThreads(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(limits.maxConnections()), daemon("change-feed-catch-up"));
    }

    public void start(MeterRegistry metrics) {
        undecodable = Counter.builder("incident_feed_undecodable_events_total")
                .description("Events of incident.events.v1 the change feed could not read and skipped").register(metrics);
        caughtUp = Counter.builder("incident_feed_slow_clients_total")
                .description("Change feed clients that fell behind the feed's buffer and went on reading the log").register(metrics);
        Gauge.builder("incident_feed_connections", connections, Set::size)
                .description("Open change feed connections").register(metrics);
        Gauge.builder("incident_feed_reading", this, feed -> feed.problem == null ? 1 : 0)
                .description("1 while the change feed reads incident.events.v1; 0 while it cannot (see /readyz)").register(metrics);
        consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        tail = new Thread(this::run, "change-feed-tail");
        tail.setDaemon(true);
        tail.start();
        long period = limits.heartbeat().toMillis();
        heartbeats.scheduleAtFixedRate(() -> connections.forEach(connection -> {
            connection.heartbeatDue = true;
            if (connection.live) {
                wake(connection);
            }
        }), period, period, TimeUnit.MILLISECONDS);
    }

    /** Why the feed cannot serve now, if it cannot. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    /**
     * Serves one client: from {@code lastEventId} (null: from now) the events that pass {@code filter}.
     * Refuses with an {@link ApiError} before anything is written.
     */
    public void subscribe(FeedFilter filter, String lastEventId, Response response, Callback callback) {
        if (connections.size() >= limits.maxConnections()) {
            throw new ApiError(503, null, "the change feed serves " + limits.maxConnections() + " clients already; retry later");
        }
        Connection connection;
        boolean live;
        synchronized (this) {
            if (!running) {
                // A client reconnecting while the instance stops: held open, it would keep the HTTP server from stopping.
                throw new ApiError(503, null, "this instance is stopping; retry in a moment (another instance answers)");
            }
            if (tailPosition == null) {
                throw new ApiError(503, null, "the change feed is starting; retry in a moment");
            }
            long[] from = lastEventId == null ? tailPosition.clone() : FeedPosition.parse(lastEventId, tailPosition.length);
            connection = new Connection(filter, from, response, callback);
            // From the ring unless the client read further than this instance's tail (from another instance, or made up):
            // a catch-up asks Kafka where the log ends.
            live = covers(from) && !FeedPosition.ahead(from, tailPosition);
            if (live) {
                connection.cursor = head - size;
                connection.live = true;
            }
        }
        connections.add(connection);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put("X-Accel-Buffering", "no");
        if (live) {
            connection.busy.set(true);
            response.write(false, ByteBuffer.wrap(HELLO), Callback.from(() -> written(connection), failure -> end(connection, failure)));
            return;
        }
        catchUp(connection, "the change feed is catching up too many clients; retry later");
    }

    /** Hands the connection to a catch-up thread, or ends it when there are too many waiting already. */
    private void catchUp(Connection connection, String whyNot) {
        try {
            catchUp.execute(() -> catchUp(connection));
        } catch (RejectedExecutionException e) {
            end(connection, new ApiError(503, null, whyNot));
        }
    }

    private boolean covers(long[] position) {
        if (covered == null) {
            return false;
        }
        for (int p = 0; p < position.length; p++) {
            if (position[p] < covered[p]) {
                return false;
            }
        }
        return true;
    }

    private void run() {
        try {
            List<TopicPartition> partitions = partitions();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofMinutes(1));
            long[] start = new long[partitions.size()];
            end.forEach((partition, offset) -> {
                start[partition.partition()] = offset;
                consumer.seek(partition, offset);
            });
            synchronized (this) {
                covered = start.clone();
                tailPosition = start;
            }
            problem = null;
            log.info("Change feed tails {} from {}", topic, FeedPosition.render(start));
            while (running) {
                try {
                    List<ConsumerRecord<byte[], byte[]>> polled = new ArrayList<>();
                    consumer.poll(Duration.ofMillis(200)).forEach(polled::add);
                    List<Item> items = new ArrayList<>(polled.size());
                    polled.forEach(record -> item(record).ifPresent(items::add));
                    long[] position = new long[partitions.size()];
                    for (TopicPartition partition : partitions) {
                        position[partition.partition()] = consumer.position(partition);
                    }
                    append(items, position);
                    if (problem != null) {
                        log.info("Change feed reads {} again", topic);
                        problem = null;
                    }
                } catch (WakeupException e) {
                    throw e;
                } catch (RuntimeException e) {
                    problem = "the change feed cannot read " + topic + ": " + e;
                    log.error("Change feed cannot read {}; retrying in 1 s: {}", topic, e.toString(), e);
                    Thread.sleep(1_000);
                }
            }
        } catch (WakeupException | InterruptedException e) {
            // Closing.
        } catch (RuntimeException e) {
            problem = "the change feed stopped: " + e;
            log.error("Change feed stopped: {}", e.toString(), e);
        } finally {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
        }
    }

    /** Every partition of the log, numbered 0..n-1; waits while the topic does not exist yet. */
    private List<TopicPartition> partitions() throws InterruptedException {
        while (running) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            if (!partitions.isEmpty()) {
                return partitions;
            }
            log.warn("Change feed waits for {}", topic);
            Thread.sleep(1_000);
        }
        throw new WakeupException();
    }

    /** The record as the feed sends it, or nothing when it cannot be read (counted and logged; the feed goes on). */
    private Optional<Item> item(ConsumerRecord<byte[], byte[]> record) {
        try {
            IncidentEvent event = events.deserialize(record.topic(), record.headers(), record.value());
            String status = EventHeaders.text(record.headers(), EventHeaders.STATUS);
            String previous = EventHeaders.text(record.headers(), EventHeaders.PREVIOUS_STATUS);
            String service = EventHeaders.text(record.headers(), EventHeaders.SERVICE);
            byte[] frame;
            try (ByteArrayBuilder bytes = new ByteArrayBuilder(1024)) {
                bytes.write(DATA);
                try (JsonGenerator out = JSON.getFactory().createGenerator(bytes)) {
                    out.writeStartObject();
                    out.writeStringField("type", event.getPayload().getClass().getSimpleName());
                    out.writeStringField("incidentId", event.getIncidentId());
                    out.writeNumberField("sequence", event.getSequence());
                    out.writeStringField("service", service);
                    out.writeStringField("status", status);
                    out.writeFieldName("event");
                    AvroJson.write(event, Set.of(), out);
                    out.writeEndObject();
                }
                bytes.write('\n');
                frame = bytes.toByteArray();
            }
            return Optional.of(new Item(record.partition(), record.offset(), event.getIncidentId(), service,
                    status == null ? null : IncidentStatus.valueOf(status), previous == null ? null : IncidentStatus.valueOf(previous), frame));
        } catch (IOException | RuntimeException e) {
            undecodable.increment();
            log.error("Change feed skips the unreadable event at {}-{} offset {}: {}", record.topic(), record.partition(), record.offset(),
                    e.toString());
            return Optional.empty();
        }
    }

    private void append(List<Item> items, long[] position) {
        synchronized (this) {
            for (Item item : items) {
                while (size == ring.length || (size > 0 && bytes + item.frame().length > limits.ringBytes())) {
                    Item oldest = ring[(int) ((head - size) % ring.length)];
                    ring[(int) ((head - size) % ring.length)] = null;
                    size--;
                    bytes -= oldest.frame().length;
                    covered[oldest.partition()] = oldest.offset() + 1;
                }
                ring[(int) (head % ring.length)] = item;
                head++;
                size++;
                bytes += item.frame().length;
            }
            tailPosition = position;
        }
        if (!items.isEmpty()) {
            connections.forEach(connection -> {
                if (connection.live) {
                    wake(connection);
                }
            });
        }
    }

    private void wake(Connection connection) {
        if (connection.busy.compareAndSet(false, true)) {
            writer.execute(() -> pump(connection));
        } else {
            connection.again = true;
        }
    }

    /** Writes what the ring holds for a live connection past its cursor, in batches; one write at a time. */
    private void pump(Connection connection) {
        connection.again = false;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean tooSlow = false;
        synchronized (this) {
            if (connection.cursor < head - size) {
                tooSlow = true;
            } else {
                while (connection.cursor < head && out.size() < MAX_BATCH_BYTES) {
                    Item item = ring[(int) (connection.cursor % ring.length)];
                    connection.cursor++;
                    connection.send(item, out);
                }
            }
        }
        if (tooSlow) {
            // Its position is exact: it goes on from the log, as a client that resumed from there would.
            connection.live = false;
            connection.busy.set(false);
            caughtUp.increment();
            catchUp(connection, "its client fell behind the buffer");
            return;
        }
        connection.heartbeatIfDue(out);
        if (out.size() == 0) {
            connection.busy.set(false);
            if (connection.again) {
                wake(connection);
            }
            return;
        }
        connection.response.write(false, ByteBuffer.wrap(out.toByteArray()),
                Callback.from(() -> written(connection), failure -> end(connection, failure)));
    }

    private void written(Connection connection) {
        connection.busy.set(false);
        wake(connection);
    }

    /** Reads the log from the connection's position with a consumer of its own until the ring covers it. */
    private void catchUp(Connection connection) {
        Map<String, Object> props = new HashMap<>(consumerProps);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < connection.position.length; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            reader.assign(partitions);
            Map<TopicPartition, Long> first = reader.beginningOffsets(partitions, Duration.ofSeconds(30));
            Map<TopicPartition, Long> end = reader.endOffsets(partitions, Duration.ofSeconds(30));
            for (TopicPartition partition : partitions) {
                long from = connection.position[partition.partition()];
                if (from > end.get(partition)) {
                    end(connection, new ApiError(400, "Last-Event-ID", "is not a position of this log: partition " + partition.partition()
                            + " ends at offset " + end.get(partition) + ", before " + from));
                    return;
                }
                if (from < first.get(partition)) {
                    log.warn("Change feed resumes partition {} at {}, its first offset: the events before it were deleted",
                            partition.partition(), first.get(partition));
                    connection.position[partition.partition()] = first.get(partition);
                }
                reader.seek(partition, connection.position[partition.partition()]);
            }
            if (!connection.response.isCommitted()) {
                write(connection, HELLO);
            }
            while (running && !connection.ended.get()) {
                synchronized (this) {
                    if (covers(connection.position)) {
                        connection.cursor = head - size;
                        connection.live = true;
                    }
                }
                if (connection.live) {
                    wake(connection);
                    return;
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    item(record).ifPresent(item -> connection.send(item, out));
                }
                connection.heartbeatIfDue(out);
                if (out.size() > 0) {
                    write(connection, out.toByteArray());
                }
            }
        } catch (IOException | RuntimeException e) {
            end(connection, e);
        }
    }

    private static void write(Connection connection, byte[] bytes) throws IOException {
        try (Blocker.Callback blocker = Blocker.callback()) {
            connection.response.write(false, ByteBuffer.wrap(bytes), blocker);
            blocker.block();
        }
    }

    /** Ends the connection's response once: normally, or after a failed write (the client left). */
    private void end(Connection connection, Throwable failure) {
        if (!connection.ended.compareAndSet(false, true)) {
            return;
        }
        connections.remove(connection);
        if (failure instanceof ApiError refused && !connection.response.isCommitted()) {
            refused.write(connection.response, connection.callback);
        } else if (failure == null) {
            connection.response.write(true, ByteBuffer.allocate(0), connection.callback);
        } else {
            connection.callback.failed(failure);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            running = false;
        }
        heartbeats.shutdownNow();
        if (consumer != null) {
            consumer.wakeup();
        }
        if (tail != null) {
            try {
                tail.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        catchUp.shutdownNow();
        // Aborted, not ended: a write may be under way; clients reconnect to another instance with their Last-Event-ID.
        List.copyOf(connections).forEach(connection -> end(connection, new IOException("the change feed is closing")));
        writer.shutdown();
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** One client: its filter, its position in the log, and where it reads the ring. */
    private static final class Connection {
        final FeedFilter filter;
        /** Per partition, the offset after the last event this client was sent or had filtered out. */
        final long[] position;
        final Response response;
        final Callback callback;
        final AtomicBoolean busy = new AtomicBoolean();
        final AtomicBoolean ended = new AtomicBoolean();
        volatile boolean again;
        volatile boolean live;
        volatile boolean heartbeatDue;
        /** The number of the next ring item to look at (while live). */
        long cursor;

        Connection(FeedFilter filter, long[] position, Response response, Callback callback) {
            this.filter = filter;
            this.position = position;
            this.response = response;
            this.callback = callback;
        }

        /** Adds the item's message to {@code out} unless it was sent already or the filter leaves it out. */
        void send(Item item, ByteArrayOutputStream out) {
            if (item.offset() < position[item.partition()]) {
                return;
            }
            position[item.partition()] = item.offset() + 1;
            if (filter.matches(item.incidentId(), item.service(), item.status(), item.previous())) {
                out.writeBytes(("id: " + FeedPosition.render(position) + "\n").getBytes(StandardCharsets.US_ASCII));
                out.writeBytes(item.frame());
                out.write('\n');
                heartbeatDue = false;
            }
        }

        /** A comment that keeps the connection open and an id that moves the client past what it filtered out. */
        void heartbeatIfDue(ByteArrayOutputStream out) {
            if (heartbeatDue && out.size() == 0) {
                heartbeatDue = false;
                out.writeBytes((": keepalive\nid: " + FeedPosition.render(position) + "\n\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

}
