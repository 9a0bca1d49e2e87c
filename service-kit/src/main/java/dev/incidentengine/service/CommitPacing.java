package dev.incidentengine.service;

import java.time.Duration;
import java.util.Properties;
import java.util.function.BiConsumer;

import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.ProcessingContext;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * How often an exactly-once Streams app commits: every {@code min} while commits are quick, so what it writes is readable
 * soon (a page, an incident), and less often as commits slow down, up to {@code max}.
 *
 * <p>An exactly-once commit flushes the transaction and waits for {@code acks=all} and its markers. On a busy cluster that
 * took a few hundred milliseconds to a second (bench/chaos). With a fixed 50 ms interval the thread then committed after
 * almost every record: Streams halves the records it processes per round after each commit, and does not poll while its
 * buffers hold records, so incident-stream processed about one record per task per commit and fell behind by minutes.
 *
 * <p>Each task of a paced processor asks for a commit ({@link ProcessorContext#commit()}; a request commits every task of
 * the thread) from a wall-clock punctuation, once the current interval has passed since its last ask. The interval is
 * {@value #FACTOR} times the time a commit call took of late (its producer's flush, offsets and commit, over the calls:
 * {@link StreamsApp} feeds it), averaged, within {@code [min, max]}: the thread spends at most about a third of its time
 * committing, and an idle engine still commits every {@code min}. Streams' own {@code commit.interval.ms} is set to
 * {@code max}. A user's own {@code kafka.commit.interval.ms} turns pacing off: the app then commits at that fixed interval.
 *
 * <p>Off by default ({@code streams.commit.pacing}): a punctuation in every task fires so often that Streams keeps halving
 * the records it processes between checks, which cost an alert storm on one broker about 60 % of its throughput
 * (bench/storm), where commits are quick anyway.
 */
public final class CommitPacing {

    /** Commit interval per unit of commit latency. */
    static final int FACTOR = 2;

    private final long minMs;
    private final long maxMs;
    private final boolean paced;
    private volatile long intervalMs;
    /** The averaged commit time; only {@link StreamsApp}'s health thread observes. */
    private double commit;

    private CommitPacing(long minMs, long maxMs, boolean paced) {
        this.minMs = minMs;
        this.maxMs = maxMs;
        this.paced = paced;
        this.intervalMs = minMs;
    }

    /**
     * The engine's commits: every 50 ms (a page or an incident waits for a commit or two), or, with {@code paced}
     * ({@code streams.commit.pacing}), between 50 ms and 1 s by how long commits take.
     */
    public static CommitPacing of(Properties props, boolean paced) {
        if (!paced) {
            props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 50);
        }
        return of(props, Duration.ofMillis(50), Duration.ofSeconds(1));
    }

    /**
     * Pacing between {@code min} and {@code max}, unless {@code props} already sets {@code commit.interval.ms} (then that
     * fixed interval); sets Streams' interval in {@code props} accordingly.
     */
    static CommitPacing of(Properties props, Duration min, Duration max) {
        if (props.containsKey(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)) {
            long fixed = Long.parseLong(props.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG).toString());
            return new CommitPacing(fixed, fixed, false);
        }
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, max.toMillis());
        return new CommitPacing(min.toMillis(), max.toMillis(), true);
    }

    /** No pacing: Streams' own interval (topology tests). */
    public static CommitPacing fixed() {
        return new CommitPacing(0, 0, false);
    }

    /**
     * In a processor's {@code init}: asks for a commit once the current interval has passed since the last ask. Wall-clock
     * time, so an idle task with something processed still commits.
     */
    public void schedule(ProcessingContext context) {
        if (!paced) {
            return;
        }
        long[] asked = {-1};
        context.schedule(Duration.ofMillis(minMs), PunctuationType.WALL_CLOCK_TIME, now -> {
            if (asked[0] < 0 || now - asked[0] >= intervalMs) {
                asked[0] = now;
                context.commit();
            }
        });
    }

    /**
     * A pass-through for a sub-topology without a processor of its own to pace it: {@code check} sees each record (and may
     * throw, for the processing handler's dead letters), which then goes on unchanged.
     */
    public <K, V> FixedKeyProcessorSupplier<K, V, V> passThrough(BiConsumer<K, V> check) {
        return () -> new FixedKeyProcessor<>() {
            private FixedKeyProcessorContext<K, V> context;

            @Override
            public void init(FixedKeyProcessorContext<K, V> context) {
                this.context = context;
                schedule(context);
            }

            @Override
            public void process(FixedKeyRecord<K, V> record) {
                check.accept(record.key(), record.value());
                context.forward(record);
            }
        };
    }

    /** How long a commit call took of late, in milliseconds. */
    void observe(double commitMs) {
        // Averaged, so one slow commit (a leader moving) does not stretch the interval at once.
        commit = commit * 0.7 + Math.max(0, commitMs) * 0.3;
        intervalMs = Math.max(minMs, Math.min(maxMs, Math.round(commit * FACTOR)));
    }

    /** The interval commits are asked at now, in milliseconds. */
    public long intervalMs() {
        return intervalMs;
    }

    boolean paced() {
        return paced;
    }
}
