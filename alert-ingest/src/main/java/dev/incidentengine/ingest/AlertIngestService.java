package dev.incidentengine.ingest;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import dev.incidentengine.ingest.heartbeat.HeartbeatTopology;
import dev.incidentengine.model.HeartbeatPing;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.ServiceAccess;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.StreamsApp;
import dev.incidentengine.service.TopicReadiness;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;

/**
 * Receives alerts over HTTP (Alertmanager, Grafana, PagerDuty Events v2, generic JSON) and from
 * {@code alerts.raw.v1}, and writes them, normalized, to {@code alerts.v1}; receives heartbeat pings and fires an
 * alert for each heartbeat that misses its deadline.
 */
public final class AlertIngestService implements Service {

    public static final String NAME = "alert-ingest";

    private final AlertIngestConfig config;
    private final IngestTopics topics;
    private final Clock clock;
    private final RecordSerdes serdes;
    private final IntegrationRegistry integrations;
    private final AlertWriter writer;
    private final Resends resends;
    private final RecordWriter<HeartbeatPing> pings;
    private final RateLimiter rateLimiter;
    private final Admission admission;
    private BacklogMonitor backlog;
    private TopicReadiness readiness;
    private StreamsApp streams;
    private Thread streamsStarter;

    public AlertIngestService(AlertIngestConfig config) {
        this(config, IngestTopics.DEFAULT, Clock.systemUTC());
    }

    public AlertIngestService(AlertIngestConfig config, IngestTopics topics, Clock clock) {
        this.config = config;
        this.topics = topics;
        this.clock = clock;
        this.serdes = config.recordSerdes();
        this.integrations = new IntegrationRegistry(KafkaClients.consumer(config, NAME + "-integrations"),
                topics.integrations(), serdes);
        this.rateLimiter = new RateLimiter(config.rateLimitPerSecond(), config.rateLimitBurst(), System::nanoTime);
        this.admission = new Admission(config.backlogMaxMs(), config.backlogQuietPerSecond(), System::nanoTime);
        this.resends = new Resends(config.resendCacheEntries());
        this.writer = new AlertWriter(KafkaClients.producer(config, NAME + "-writer"), topics.alerts().keySerde(serdes).serializer(),
                topics.alerts().valueSerde(serdes).serializer(), topics.alerts().name(), config.kafkaTimeout());
        this.pings = new RecordWriter<>(KafkaClients.producer(config, NAME + "-heartbeats"), topics.heartbeats().keySerde(serdes).serializer(),
                topics.heartbeats().valueSerde(serdes).serializer(), topics.heartbeats().name(), HeartbeatPing::getHeartbeatId,
                "ingest_heartbeat_produce_seconds", config.kafkaTimeout());
    }

    /**
     * What it does on Kafka (see its clients below): its Streams app, its writer, the integrations, and the backlog: the lag
     * of incident-stream's group on what that group reads (alerts, commands, and its internal topics {@code <group>-…}).
     */
    public static ServiceAccess kafkaAccess(AlertIngestConfig config, IngestTopics topics) {
        return ServiceAccess.of(NAME)
                .reads(topics.raw(), topics.integrations(), topics.heartbeats())
                .writes(topics.alerts(), topics.dlq(), topics.heartbeats())
                .streamsApplication(config.applicationId())
                .describesGroup(config.backlogGroup(), List.of(topics.alerts().name(), Topics.INCIDENT_COMMANDS.name(), config.backlogGroup() + "-"));
    }

    public static ServiceAccess kafkaAccess(AlertIngestConfig config) {
        return kafkaAccess(config, IngestTopics.DEFAULT);
    }

    /** The Streams app: the raw path, and the heartbeats' deadlines. */
    static Topology topology(IngestTopics topics, RecordSerdes serdes, Integrations integrations, AlertIngestConfig config,
                             Clock clock, MeterRegistry registry) {
        StreamsBuilder builder = new StreamsBuilder();
        HeartbeatTopology.add(builder, topics.integrations(), topics.heartbeats(), topics.alerts(), serdes,
                config.heartbeatPunctuation(), registry);
        return RawAlertTopology.addTo(builder.build(), topics, serdes, integrations, config.alertLimits(), clock);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void routes(HttpServer http, MeterRegistry metrics) {
        new IngestEndpoints(integrations, writer, resends, rateLimiter, admission, config, metrics, clock, pings).register(http);
        new HeartbeatEndpoint(integrations, pings, rateLimiter, config, metrics, clock).register(http);
    }

    @Override
    public void start(MeterRegistry registry) {
        readiness = new TopicReadiness(config, NAME, List.<Topic<?, ?>>of(topics.raw(), topics.alerts(), topics.dlq(),
                topics.integrations(), topics.heartbeats()));
        integrations.start();
        writer.start(registry);
        pings.start(registry);
        if (config.backlogMaxMs() > 0) {
            backlog = new BacklogMonitor(config, admission);
            backlog.bind(registry);
        }
        streams = StreamsApp.create(NAME, config, topology(topics, serdes, integrations, config, clock, registry),
                KafkaClients.streams(config, config.applicationId(), topics.dlq()), registry);
        // Raw records may name integrations: start reading them once the integrations are known.
        streamsStarter = new Thread(() -> {
            while (!integrations.ready() && !Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
            streams.start();
        }, NAME + "-streams-starter");
        streamsStarter.setDaemon(true);
        streamsStarter.start();
    }

    @Override
    public Optional<String> problem() {
        if (!integrations.ready()) {
            return Optional.of("integrations loading");
        }
        return readiness.problem().or(() -> streams.problem().map(Object::toString));
    }

    @Override
    public void close() {
        if (streamsStarter != null) {
            streamsStarter.interrupt();
        }
        if (streams != null) {
            streams.close();
        }
        if (backlog != null) {
            backlog.close();
        }
        writer.close();
        pings.close();
        integrations.close();
        if (readiness != null) {
            readiness.close();
        }
    }

}
