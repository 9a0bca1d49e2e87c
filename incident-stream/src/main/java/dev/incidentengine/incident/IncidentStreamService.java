package dev.incidentengine.incident;

import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import dev.incidentengine.console.Console;
import dev.incidentengine.incident.api.IncidentApi;
import dev.incidentengine.incident.api.IncidentView;
import dev.incidentengine.incident.api.SlackApp;
import dev.incidentengine.incident.api.TicketWebhooks;
import dev.incidentengine.incident.feed.ChangeFeed;
import dev.incidentengine.incident.query.IncidentQueries;
import dev.incidentengine.incident.query.IncidentQueryTopology;
import dev.incidentengine.incident.query.LocalStores;
import dev.incidentengine.incident.query.ResponseMetrics;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.ServiceAccess;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.CommitPacing;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.StreamsApp;
import dev.incidentengine.service.TopicReadiness;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.service.api.SessionLog;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the incident aggregate ({@link IncidentTopology}), its read side ({@link IncidentQueryTopology}, a Streams app
 * of its own) and the incidents HTTP API ({@link IncidentApi}), which answers from the read side.
 */
public final class IncidentStreamService implements Service {

    public static final String NAME = "incident-stream";
    private static final Logger log = LoggerFactory.getLogger(IncidentStreamService.class);

    private final IncidentStreamConfig config;
    private final IncidentTopics topics;
    private final IncidentView view;
    private final IncidentApi api;
    private final TicketWebhooks ticketWebhooks;
    private final SlackApp slackApp;
    private final Console console;
    private final SessionLog sessionLog;
    private TopicReadiness readiness;
    private StreamsApp streams;
    private StreamsApp query;
    private ChangeFeed feed;
    private HttpServer http;

    public IncidentStreamService(IncidentStreamConfig config) {
        this(config, IncidentTopics.DEFAULT);
    }

    public IncidentStreamService(IncidentStreamConfig config, IncidentTopics topics) {
        this.config = config;
        this.topics = topics;
        RecordSerdes serdes = config.recordSerdes();
        ApiTokens tokens = config.apiTokens(Clock.systemUTC());
        if (tokens.isEmpty()) {
            log.warn("No API tokens ({} is empty or lists none): every incident API call is refused with 401/403",
                    IncidentStreamConfig.API_TOKENS_FILE_CONFIG);
        } else {
            log.info("Incident API tokens for {}", tokens.describe());
        }
        this.view = new IncidentView(KafkaClients.consumer(config, NAME + "-view"), topics, serdes);
        this.sessionLog = config.sessionLog(tokens, NAME + "-sessions", true, Clock.systemUTC());
        this.console = new Console(tokens, sessionLog, config.sessionLinkTtl(), Clock.systemUTC());
        this.api = new IncidentApi(view, tokens, KafkaClients.producer(config, NAME + "-api"), topics, serdes,
                config.apiWaitTimeout(), config.receiversBaseUrl(), Clock.systemUTC());
        this.ticketWebhooks = new TicketWebhooks(config.ticketWebhooks(), api::sendCommand, Clock.systemUTC());
        this.slackApp = new SlackApp(config.slackApp(), api, Clock.systemUTC());
    }

    /**
     * What it does on Kafka (see its clients): the aggregate and the read side (Streams apps), the API's view, producer and
     * change feed, the console's session log. It reads every topic it names but the dead letters.
     */
    public static ServiceAccess kafkaAccess(IncidentStreamConfig config, IncidentTopics topics) {
        List<Topic<?, ?>> writtenOnly = List.of(topics.deadLetters());
        return ServiceAccess.of(NAME)
                .reads(topics.all().stream().filter(topic -> !writtenOnly.contains(topic)).toList())
                // The aggregate's outputs and dead letters; the API's commands, silences and test alerts.
                .writes(topics.events(), topics.state(), topics.commandResults(), topics.commands(), topics.suppressed(),
                        topics.inhibiting(), topics.deadLetters(), topics.silences(), topics.alerts())
                .streamsApplication(config.applicationId())
                .streamsApplication(IncidentQueryTopology.applicationId(config.applicationId()))
                .plus(EngineConfig.sessionLogAccess(NAME, true));
    }

    public static ServiceAccess kafkaAccess(IncidentStreamConfig config) {
        return kafkaAccess(config, IncidentTopics.DEFAULT);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void routes(HttpServer http, MeterRegistry metrics) {
        this.http = http;
        api.register(http, metrics);
        ticketWebhooks.register(http, metrics);
        slackApp.register(http, metrics);
        console.register(http);
    }

    @Override
    public void start(MeterRegistry metrics) {
        readiness = new TopicReadiness(config, NAME, topics.all());
        sessionLog.start();
        view.start(metrics);
        // The read side first: it needs nothing of the aggregate, whose start waits for its global store's restore.
        // Other instances reach this one at the advertised host and the HTTP port.
        HostInfo self = new HostInfo(config.httpAdvertisedHost(), http.address().getPort());
        Properties queryProps = KafkaClients.streams(config, IncidentQueryTopology.applicationId(config.applicationId()), topics.deadLetters());
        queryProps.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        queryProps.putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        // Its stores answer as soon as a record is processed, whatever the commit interval: a commit only bounds what a
        // crash reprocesses. Once a second, not every 100 ms: each exactly-once commit ends a transaction on every
        // changelog partition written, which took a quarter of the thread's time and loaded the broker (bench/incidents).
        queryProps.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1_000);
        LocalStores local = new LocalStores();
        ResponseMetrics responseMetrics = new ResponseMetrics(metrics);
        query = StreamsApp.create(NAME + "-query", config, IncidentQueryTopology.build(topics, config.recordSerdes(), queryProps,
                responseMetrics, local), queryProps, metrics);
        // Each app opens every local store it has as it starts (Streams reads their checkpoints): side by side, a restart
        // waits for the longer of the two, not their sum.
        CompletableFuture<Void> queryStarted = CompletableFuture.runAsync(query::start, runnable -> {
            Thread thread = new Thread(runnable, NAME + "-query-start");
            thread.setDaemon(true);
            thread.start();
        });
        feed = new ChangeFeed(KafkaClients.consumer(config, NAME + "-feed"), topics.events().name(),
                topics.events().valueSerde(config.recordSerdes()).deserializer(), config.changeFeedLimits());
        feed.start(metrics);
        api.start(new IncidentQueries(query.kafkaStreams(), local, self, topics.state().name(),
                topics.events().valueSerde(config.recordSerdes()).deserializer()), responseMetrics, feed, HttpClient.newHttpClient());

        Properties props = KafkaClients.streams(config, config.applicationId(), topics.deadLetters());
        // A warm copy of every store on a second instance, so a failover need not replay changelogs (kafka.num.standby.replicas).
        props.putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        // An alert crosses two exactly-once hops, each readable once its transaction commits: latency is about two
        // commit intervals, so commit every 50 ms instead of Streams' 100; or paced by how long commits take
        // (streams.commit.pacing, CommitPacing; a fixed kafka.commit.interval.ms overrides both).
        CommitPacing pacing = CommitPacing.of(props, config.commitPacing());
        streams = StreamsApp.create(NAME, config, IncidentTopology.build(topics, config.recordSerdes(), config.lifecyclePolicy(),
                config.statusPageId(), pacing, metrics), props, metrics).pacedBy(pacing, metrics);
        api.statusPage(new StatusPageSource(streams.kafkaStreams(), config.statusPageId()));
        api.runbooks(new RunbookSource(streams.kafkaStreams()));
        api.incidentTypes(new IncidentTypesSource(streams.kafkaStreams()));
        api.roles(new RolesSource(streams.kafkaStreams()));
        streams.start();
        try {
            queryStarted.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    @Override
    public Optional<String> problem() {
        return readiness.problem().or(() -> view.ready() ? Optional.empty() : Optional.of("API view loading"))
                .or(() -> streams.problem().map(Object::toString))
                .or(() -> query.problem().map(finding -> "read side: " + finding))
                .or(feed::problem)
                .or(() -> sessionLog.ready() ? Optional.empty() : Optional.of("console session log loading"));
    }

    @Override
    public void close() {
        if (feed != null) {
            feed.close();
        }
        if (query != null) {
            query.close();
        }
        if (streams != null) {
            streams.close();
        }
        api.close();
        console.close();
        sessionLog.close();
        view.close();
        if (readiness != null) {
            readiness.close();
        }
    }
}
