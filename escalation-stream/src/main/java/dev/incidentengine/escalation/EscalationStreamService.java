package dev.incidentengine.escalation;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.incidentengine.escalation.domain.ConfigSnapshot;
import dev.incidentengine.model.OnCallOverride;
import dev.incidentengine.schemas.ServiceAccess;
import dev.incidentengine.service.CommitPacing;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the escalation topology ({@link EscalationTopology}), which pages people and escalates
 * until someone acknowledges, and the on-call API ({@link OnCallApi}) over the schedules it pages by, which writes
 * the overrides people make to {@code oncall.overrides.v1}.
 */
public final class EscalationStreamService implements Service {

    public static final String NAME = "escalation-stream";
    private static final Logger log = LoggerFactory.getLogger(EscalationStreamService.class);

    /** How long a change with {@code ?wait=true} waits for this instance to read it. */
    private static final Duration WAIT_TIMEOUT = Duration.ofSeconds(5);
    private static final long WAIT_POLL_MS = 20;

    private final EscalationStreamConfig config;
    private final EscalationTopics topics;
    private final OnCallApi api;
    private final ScheduledExecutorService waits = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "oncall-api-waits");
        thread.setDaemon(true);
        return thread;
    });
    /** Sign-outs of console sessions, which the on-call API takes too. */
    private final SessionLog sessionLog;
    private TopicReadiness readiness;
    private StreamsApp streams;
    private volatile KafkaProducer<String, OnCallOverride> producer;

    public EscalationStreamService(EscalationStreamConfig config, EscalationTopics topics) {
        this.config = config;
        this.topics = topics;
        ApiTokens tokens = config.apiTokens(Clock.systemUTC());
        if (tokens.isEmpty()) {
            log.warn("No API tokens ({} is empty or lists none): every on-call API call is refused with 401/403",
                    EngineConfig.API_TOKENS_FILE_CONFIG);
        }
        this.api = new OnCallApi(tokens, new OnCallApi.Source() {
            @Override
            public ConfigSnapshot snapshot() {
                return EscalationStreamService.this.snapshot();
            }

            @Override
            public CompletableFuture<?> write(String id, OnCallOverride value) {
                return EscalationStreamService.this.write(id, value);
            }

            @Override
            public CompletableFuture<Boolean> awaitRead(String id, OnCallOverride value, Duration timeout) {
                return EscalationStreamService.this.awaitRead(id, value, timeout);
            }
        }, WAIT_TIMEOUT, Clock.systemUTC());
        this.sessionLog = config.sessionLog(tokens, NAME + "-sessions", false, Clock.systemUTC());
    }

    @Override
    public void routes(HttpServer http, MeterRegistry metrics) {
        api.register(http);
    }

    /** The config and overrides of the running app's global stores, which every instance holds whole. */
    private ConfigSnapshot snapshot() {
        return ConfigSnapshot.of(all(EscalationTopology.POLICIES_STORE), all(EscalationTopology.SCHEDULES_STORE),
                all(EscalationTopology.OVERRIDES_STORE), all(EscalationTopology.TEAMS_STORE), all(EscalationTopology.SERVICES_STORE),
                all(EscalationTopology.USERS_STORE));
    }

    private <V> List<V> all(String name) {
        List<V> values = new ArrayList<>();
        try (KeyValueIterator<String, V> all = this.<V>store(name).all()) {
            all.forEachRemaining(entry -> values.add(entry.value));
        }
        return values;
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        if (streams == null) {
            throw new ApiError(503, null, "starting: the schedules are still loading; retry later");
        }
        try {
            return streams.kafkaStreams().store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
        } catch (InvalidStateStoreException e) {
            throw new ApiError(503, null, "starting: the schedules are still loading; retry later");
        }
    }

    private CompletableFuture<?> write(String id, OnCallOverride value) {
        if (producer == null) {
            throw new ApiError(503, null, "starting: overrides cannot be written yet; retry later");
        }
        return KafkaClients.send(producer, new ProducerRecord<>(topics.overrides().name(), id, value));
    }

    /** Looks every {@value #WAIT_POLL_MS} ms whether this instance's store holds {@code value} under {@code id}. */
    private CompletableFuture<Boolean> awaitRead(String id, OnCallOverride value, Duration timeout) {
        CompletableFuture<Boolean> read = new CompletableFuture<>();
        AtomicReference<ScheduledFuture<?>> polling = new AtomicReference<>();
        polling.set(waits.scheduleWithFixedDelay(() -> {
            try {
                if (Objects.equals(this.<OnCallOverride>store(EscalationTopology.OVERRIDES_STORE).get(id), value)) {
                    read.complete(true);
                }
            } catch (ApiError moving) {
                // The store is not readable for a moment (a restart): look again.
            }
        }, 0, WAIT_POLL_MS, TimeUnit.MILLISECONDS));
        return read.completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((done, error) -> polling.get().cancel(false));
    }

    /** What it does on Kafka (see its clients): its Streams app, the overrides' producer, the console's session log. */
    public static ServiceAccess kafkaAccess(EscalationStreamConfig config, EscalationTopics topics) {
        return ServiceAccess.of(NAME)
                .reads(topics.events(), topics.policies(), topics.schedules(), topics.teams(), topics.users(), topics.services(),
                        topics.overrides(), topics.roles())
                .writes(topics.commands(), topics.overrides(), topics.deadLetters())
                .streamsApplication(config.applicationId())
                .plus(EngineConfig.sessionLogAccess(NAME, false));
    }

    public static ServiceAccess kafkaAccess(EscalationStreamConfig config) {
        return kafkaAccess(config, EscalationTopics.DEFAULT);
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
        // A page is readable once this app's transaction commits: commit every 50 ms, not Streams' 100; or paced by how long
        // commits take (streams.commit.pacing, CommitPacing; a fixed kafka.commit.interval.ms overrides both).
        CommitPacing pacing = CommitPacing.of(props, config.commitPacing());
        streams = StreamsApp.create(NAME, config, EscalationTopology.build(topics, config.recordSerdes(), config.punctuation(), pacing,
                metrics), props, metrics).pacedBy(pacing, metrics);
        streams.start();
        Map<String, Object> producerProps = KafkaClients.producer(config, NAME + "-overrides");
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        producer = new KafkaProducer<>(producerProps, new StringSerializer(), topics.overrides().valueSerde(config.recordSerdes()).serializer());
    }

    @Override
    public Optional<String> problem() {
        return readiness.problem().or(() -> streams.problem().map(Object::toString))
                .or(() -> sessionLog.ready() ? Optional.empty() : Optional.of("console session log loading"));
    }

    @Override
    public void close() {
        sessionLog.close();
        waits.shutdownNow();
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (streams != null) {
            streams.close();
        }
        if (readiness != null) {
            readiness.close();
        }
    }
}
