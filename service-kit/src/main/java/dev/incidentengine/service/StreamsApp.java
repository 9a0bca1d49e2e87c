package dev.incidentengine.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.InvalidPidMappingException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KafkaStreams.State;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every engine service runs its Kafka Streams app, and whether the app can do its work.
 * Ready means RUNNING (REBALANCING only for a short grace once it has run), no stream thread
 * stuck, and no repeated thread failure. A failed stream thread is replaced once; a second
 * failure within the failure window stops the app for good, since a thread that dies on a record
 * dies on it again. A thread that died of the cluster ({@link #clusterFailure}: a broker's restart
 * ended its transaction) is replaced up to {@value #MAX_CLUSTER_FAILURES} times within the window:
 * its new producer starts afresh, and a rolling restart of the brokers must not stop the app. Each
 * problem is a gauge ({@code streams_problem{app,problem}}), an ERROR log when it starts, and the
 * reason /readyz gives.
 */
public final class StreamsApp implements AutoCloseable {

    /** Threads that died of the cluster replaced within the failure window, at most: past it, something lasting is wrong. */
    static final int MAX_CLUSTER_FAILURES = 10;

    /** @see EngineConfig#streamsBounds() */
    public record Bounds(Duration threadFailureWindow, Duration stuckAfter, Duration rebalancingGrace) {
    }

    /** What keeps an app from its work; the gauge's {@code problem} tag. */
    public enum Problem {
        STARTING, THREAD_FAILURES, STUCK, REBALANCING, NOT_RUNNING;

        String tag() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** A problem and its explanation. */
    public record Finding(Problem problem, String detail) {
        @Override
        public String toString() {
            return problem.tag() + ": " + detail;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(StreamsApp.class);
    private static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);
    /** A commit's parts, as the producer times them. */
    private static final Set<String> COMMIT_TIMES = Set.of("flush-time-ns-total", "txn-send-offsets-time-ns-total",
            "txn-commit-time-ns-total");

    private final String name;
    private final KafkaStreams streams;
    private final Bounds bounds;
    private final Clock clock;
    private final Counter threadFailures;
    private final Map<Problem, AtomicInteger> problemGauges = new EnumMap<>(Problem.class);
    private final ScheduledExecutorService watcher;
    private volatile State state = State.CREATED;
    private volatile Instant stateSince;
    private volatile boolean hasRun;
    private volatile boolean closing;
    private volatile String stopped;
    private Instant lastThreadFailure;
    /** When threads died of the cluster, within the failure window. */
    private final Deque<Instant> clusterFailures = new ArrayDeque<>();
    private Problem reported;
    private volatile CommitPacing pacing;
    /** Commit calls and the nanoseconds their producers spent in them, at the last check. */
    private double commitCalls;
    private double commitNanos;

    private StreamsApp(String name, Topology topology, Properties props, MeterRegistry metrics, Bounds bounds, Clock clock) {
        this.name = name;
        this.bounds = bounds;
        this.clock = clock;
        this.stateSince = clock.instant();
        Properties config = new Properties();
        config.putAll(props);
        config.put(DeadLetters.CONFIG, new DeadLetters(name, metrics, clock));
        int maxRecordBytes = Integer.parseInt(config.getOrDefault(KafkaClients.MAX_RECORD_BYTES, Integer.MAX_VALUE).toString());
        this.streams = new KafkaStreams(topology, config, new RecordSizeGuard(maxRecordBytes));
        new KafkaStreamsMetrics(streams).bindTo(metrics);
        threadFailures = Counter.builder("streams.thread.failures").description("Stream threads that died with an exception")
                .tag("app", name).register(metrics);
        for (Problem problem : Problem.values()) {
            AtomicInteger value = new AtomicInteger();
            problemGauges.put(problem, value);
            Gauge.builder("streams.problem", value, AtomicInteger::get)
                    .description("1 while the app has this problem (and /readyz answers 503), else 0")
                    .tag("app", name).tag("problem", problem.tag()).register(metrics);
        }
        streams.setStateListener((newState, oldState) -> {
            state = newState;
            stateSince = clock.instant();
            hasRun |= newState == State.RUNNING;
        });
        streams.setUncaughtExceptionHandler(this::threadFailed);
        watcher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name + "-health");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The app with the engine's bounds from {@code config}, not yet started; its metrics go to {@code metrics}. */
    public static StreamsApp create(String name, EngineConfig config, Topology topology, Properties props, MeterRegistry metrics) {
        return create(name, topology, props, metrics, config.streamsBounds(), Clock.systemUTC());
    }

    static StreamsApp create(String name, Topology topology, Properties props, MeterRegistry metrics, Bounds bounds, Clock clock) {
        return new StreamsApp(name, topology, props, metrics, bounds, clock);
    }

    public void start() {
        streams.start();
        watcher.scheduleWithFixedDelay(this::check, CHECK_INTERVAL.toMillis(), CHECK_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Feeds {@code pacing}, which the topology's processors ask commits by, with the time this app's commits take. */
    public StreamsApp pacedBy(CommitPacing pacing, MeterRegistry metrics) {
        this.pacing = pacing;
        Gauge.builder("streams.commit.interval", pacing, p -> p.intervalMs() / 1000.0).baseUnit("seconds")
                .description("The interval this app's commits are asked at now: longer while commits are slow (CommitPacing)")
                .tag("app", name).register(metrics);
        return this;
    }

    /** For interactive queries. */
    public KafkaStreams kafkaStreams() {
        return streams;
    }

    /** Empty while the app can do its work; else why not. */
    public Optional<Finding> problem() {
        return judge(clock.instant(), state, stateSince, hasRun, stopped, lastPolls(), bounds);
    }

    /** The judgement, from what the app reports; {@code lastPolls} maps each polling consumer to seconds since its last poll. */
    static Optional<Finding> judge(Instant now, State state, Instant stateSince, boolean hasRun, String stopped,
                                   Map<String, Double> lastPolls, Bounds bounds) {
        if (stopped != null) {
            return Optional.of(new Finding(Problem.THREAD_FAILURES, stopped));
        }
        Duration inState = Duration.between(stateSince, now);
        switch (state) {
            case CREATED:
                return Optional.of(new Finding(Problem.STARTING, "not started"));
            case REBALANCING:
                if (!hasRun) {
                    return Optional.of(new Finding(Problem.STARTING, "joining its group and restoring state for " + seconds(inState)));
                }
                if (inState.compareTo(bounds.rebalancingGrace()) > 0) {
                    return Optional.of(new Finding(Problem.REBALANCING, "rebalancing for " + seconds(inState)
                            + ", longer than " + seconds(bounds.rebalancingGrace())));
                }
                break;
            case RUNNING:
                break;
            default:
                return Optional.of(new Finding(Problem.NOT_RUNNING, "state " + state));
        }
        return lastPolls.entrySet().stream()
                .filter(poll -> poll.getValue() * 1_000 > bounds.stuckAfter().toMillis())
                .findFirst()
                .map(poll -> new Finding(Problem.STUCK, poll.getKey() + " has not polled for " + Math.round(poll.getValue())
                        + " s, longer than " + seconds(bounds.stuckAfter()) + ": its thread is blocked"));
    }

    /**
     * Seconds since each stream thread's (and the global thread's) consumer last polled. A thread
     * polls at least every poll.ms while it works or idles, so a long gap means it is blocked.
     * Restore consumers are left out: they poll only while restoring.
     */
    private Map<String, Double> lastPolls() {
        Map<String, Double> polls = new TreeMap<>();
        for (Map.Entry<MetricName, ? extends Metric> metric : streams.metrics().entrySet()) {
            MetricName id = metric.getKey();
            String client = id.tags().getOrDefault("client-id", "");
            if (id.name().equals("last-poll-seconds-ago") && id.group().equals("consumer-metrics")
                    && client.endsWith("-consumer") && !client.endsWith("restore-consumer")
                    && metric.getValue().metricValue() instanceof Double seconds && seconds >= 0) {
                polls.put(client, seconds);
            }
        }
        return polls;
    }

    /**
     * The time a commit call took since the last check, for {@link CommitPacing}: what the stream threads' producers spent
     * flushing, sending offsets and committing, over the threads' commit calls. Nothing committed, nothing learnt.
     */
    private void pace() {
        double calls = 0;
        double nanos = 0;
        for (Map.Entry<MetricName, ? extends Metric> metric : streams.metrics().entrySet()) {
            MetricName id = metric.getKey();
            if (!(metric.getValue().metricValue() instanceof Double value) || value.isNaN()) {
                continue;
            }
            if (id.group().equals("stream-thread-metrics") && id.name().equals("commit-total")) {
                calls += value;
            } else if (id.group().equals("producer-metrics") && COMMIT_TIMES.contains(id.name())) {
                nanos += value;
            }
        }
        if (calls > commitCalls && nanos >= commitNanos) {
            pacing.observe((nanos - commitNanos) / (calls - commitCalls) / 1e6);
        }
        commitCalls = calls;
        commitNanos = nanos;
    }

    private StreamThreadExceptionResponse threadFailed(Throwable error) {
        threadFailures.increment();
        Instant now = clock.instant();
        Duration window = bounds.threadFailureWindow();
        boolean cluster = clusterFailure(error);
        synchronized (this) {
            if (Thread.currentThread().getName().endsWith("GlobalStreamThread")) {
                stopped = "the global thread failed (" + error + "); it cannot be replaced, so the app stopped";
            } else if (cluster) {
                clusterFailures.addLast(now);
                while (Duration.between(clusterFailures.getFirst(), now).compareTo(window) > 0) {
                    clusterFailures.removeFirst();
                }
                if (clusterFailures.size() > MAX_CLUSTER_FAILURES) {
                    stopped = "stream threads failed " + clusterFailures.size() + " times within " + seconds(window)
                            + " on cluster errors (last: " + error + "); the app stopped instead of replacing them again";
                }
            } else if (lastThreadFailure != null && Duration.between(lastThreadFailure, now).compareTo(window) <= 0) {
                stopped = "stream threads failed twice within " + seconds(window) + " (last: " + error
                        + "); the app stopped instead of replacing them again";
            }
            if (!cluster) {
                lastThreadFailure = now;
            }
        }
        if (stopped != null) {
            log.error("{}: {}. Restart the service once the cause is fixed.", name, stopped, error);
            check();
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        if (cluster) {
            log.warn("A stream thread of {} failed; replacing it (the cluster's failure, such as a transaction a broker's restart "
                    + "ended: these stop the app only past {} within {})", name, MAX_CLUSTER_FAILURES, seconds(window), error);
        } else {
            log.error("A stream thread of {} failed; replacing it (a second failure within {} stops the app)", name, seconds(window), error);
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /**
     * Whether a thread died of the cluster rather than of a record: its transaction ended by the broker (aborted, fenced,
     * its producer id expired; bench/chaos saw {@code InvalidTxnStateException} at commit while a broker restarted), or an
     * error Kafka calls retriable that outlasted the clients' retries. A corrupt record (also "retriable") is the record's.
     */
    static boolean clusterFailure(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof CorruptRecordException) {
                return false;
            }
            if (cause instanceof RetriableException || cause instanceof InvalidTxnStateException
                    || cause instanceof InvalidProducerEpochException || cause instanceof ProducerFencedException
                    || cause instanceof InvalidPidMappingException || cause instanceof TransactionAbortedException) {
                return true;
            }
        }
        return false;
    }

    /** Publishes the current problem as the gauges, and logs when one starts or ends. */
    private synchronized void check() {
        if (closing) {
            return;
        }
        if (pacing != null && pacing.paced()) {
            pace();
        }
        Optional<Finding> finding = problem();
        Problem now = finding.map(Finding::problem).orElse(null);
        problemGauges.forEach((problem, value) -> value.set(problem == now ? 1 : 0));
        if (now != reported) {
            if (now != null && now != Problem.STARTING) {
                log.error("{} is not ready: {}", name, finding.get());
            } else if (now == null && reported != Problem.STARTING && reported != null) {
                log.info("{} is ready again", name);
            }
            reported = now;
        }
    }

    private static String seconds(Duration duration) {
        return duration.toSeconds() + " s";
    }

    /** Closes the app, leaving the group so another instance gets the work at once, not after the session timeout. */
    @Override
    public void close() {
        closing = true;
        watcher.shutdownNow();
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(10)));
    }
}
