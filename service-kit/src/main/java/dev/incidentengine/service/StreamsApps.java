package dev.incidentengine.service;

import java.time.Duration;
import java.util.Properties;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How every engine service runs its Kafka Streams app. */
public final class StreamsApps {

    private static final Logger log = LoggerFactory.getLogger(StreamsApps.class);

    private StreamsApps() {
    }

    /** The app, not yet started: its metrics on /metrics, and a stream thread that fails is logged and replaced. */
    public static KafkaStreams create(String name, Topology topology, Properties props, MeterRegistry metrics) {
        KafkaStreams streams = new KafkaStreams(topology, props);
        new KafkaStreamsMetrics(streams).bindTo(metrics);
        streams.setUncaughtExceptionHandler(error -> {
            log.error("A stream thread of {} failed; replacing it", name, error);
            return StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        return streams;
    }

    public static boolean running(KafkaStreams streams) {
        return streams != null && streams.state().isRunningOrRebalancing();
    }

    /** Closes the app, leaving the group so another instance gets the work at once, not after the session timeout. */
    public static void close(KafkaStreams streams) {
        if (streams != null) {
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(10)));
        }
    }
}
