package dev.incidentengine.escalation;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.StreamsApp;
import dev.incidentengine.service.TopicReadiness;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.service.api.SessionLog;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the escalation topology ({@link EscalationTopology}), which pages people and escalates
 * until someone acknowledges, and the on-call API ({@link OnCallApi}) over the schedules it pages by.
 */
public final class EscalationStreamService implements Service {

    public static final String NAME = "escalation-stream";
    private static final Logger log = LoggerFactory.getLogger(EscalationStreamService.class);

    private final EscalationStreamConfig config;
    private final EscalationTopics topics;
    private final OnCallApi api;
    /** Sign-outs of console sessions, which the on-call API takes too. */
    private final SessionLog sessionLog;
    private TopicReadiness readiness;
    private StreamsApp streams;

    public EscalationStreamService(EscalationStreamConfig config, EscalationTopics topics) {
        this.config = config;
        this.topics = topics;
        ApiTokens tokens = config.apiTokens(Clock.systemUTC());
        if (tokens.isEmpty()) {
            log.warn("No API tokens ({} is empty or lists none): every on-call API call is refused with 401/403",
                    EngineConfig.API_TOKENS_FILE_CONFIG);
        }
        this.api = new OnCallApi(tokens, this::schedules, Clock.systemUTC());
        this.sessionLog = config.sessionLog(tokens, NAME + "-sessions", false, Clock.systemUTC());
    }

    @Override
    public void routes(HttpServer http, MeterRegistry metrics) {
        api.register(http);
    }

    /** The schedules of the running app's global store, which every instance holds whole. */
    private Map<String, ScheduleConfig> schedules() {
        if (streams == null) {
            throw new ApiError(503, null, "starting: the schedules are still loading; retry later");
        }
        try {
            Map<String, ScheduleConfig> schedules = new HashMap<>();
            try (KeyValueIterator<String, ScheduleConfig> all = streams.kafkaStreams().store(StoreQueryParameters.fromNameAndType(
                    EscalationTopology.SCHEDULES_STORE, QueryableStoreTypes.<String, ScheduleConfig>keyValueStore())).all()) {
                all.forEachRemaining(entry -> schedules.put(entry.key, entry.value));
            }
            return schedules;
        } catch (InvalidStateStoreException e) {
            throw new ApiError(503, null, "starting: the schedules are still loading; retry later");
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start(MeterRegistry metrics) {
        readiness = new TopicReadiness(config, NAME, topics.all());
        sessionLog.start();
        Properties props = KafkaClients.streams(config, config.applicationId(), topics.deadLetters());
        // A warm copy of the timers on a second instance, so a failover fires them without replaying changelogs.
        props.putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        // A page is readable once this app's transaction commits: commit every 50 ms, not Streams' 100 (kafka.commit.interval.ms).
        props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 50);
        streams = StreamsApp.create(NAME, config, EscalationTopology.build(topics, config.recordSerdes(), config.punctuation(), metrics),
                props, metrics);
        streams.start();
    }

    @Override
    public Optional<String> problem() {
        return readiness.problem().or(() -> streams.problem().map(Object::toString))
                .or(() -> sessionLog.ready() ? Optional.empty() : Optional.of("console session log loading"));
    }

    @Override
    public void close() {
        sessionLog.close();
        if (streams != null) {
            streams.close();
        }
        if (readiness != null) {
            readiness.close();
        }
    }
}
