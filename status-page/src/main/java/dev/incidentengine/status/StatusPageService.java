package dev.incidentengine.status;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import dev.incidentengine.model.StatusPageCommand;
import dev.incidentengine.model.config.StatusComponentConfig;
import dev.incidentengine.model.config.StatusPageConfig;
import dev.incidentengine.schemas.ServiceAccess;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.StreamsApp;
import dev.incidentengine.service.TopicReadiness;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.service.api.SessionLog;
import dev.incidentengine.status.domain.StatusPage;
import dev.incidentengine.status.subscriptions.Subscriptions;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The status page: the page's writer ({@link StatusPageTopology}), the one Streams app that writes {@code status.page.v1},
 * and the commands API ({@link StatusCommandApi}) that writes people's overrides and maintenance updates to
 * {@code status.commands.v1}. Each part adds its endpoints in {@link #routes}, starts in {@link #start}, tells what keeps
 * it from its work in {@link #problem} and stops in {@link #close}.
 */
public final class StatusPageService implements Service {

    public static final String NAME = "status-page";
    private static final Logger log = LoggerFactory.getLogger(StatusPageService.class);

    private final StatusPageServiceConfig config;
    private final StatusTopics topics;
    private final StatusCommandApi commandApi;
    /** Sign-outs of console sessions, which the commands API takes too. */
    private final SessionLog sessionLog;
    /** The public page, its feeds and /api/v2, from the page's log. */
    private PublicSite site;
    /** Subscribing, confirming and unsubscribing; the notifier delivers to the subscribers. */
    private final Subscriptions subscriptions;
    private TopicReadiness readiness;
    private StreamsApp writer;
    /** The page's components, by id, for the commands API: every instance holds them, not only the writer's. */
    private CompactedView<StatusPageConfig, Set<String>> pageConfig;
    /** The ids of the public silences, for the commands API. */
    private CompactedView<?, Boolean> publicSilences;
    private volatile KafkaProducer<String, StatusPageCommand> commands;

    public StatusPageService(StatusPageServiceConfig config, StatusTopics topics) {
        this.config = config;
        this.topics = topics;
        ApiTokens tokens = config.apiTokens(Clock.systemUTC());
        if (tokens.isEmpty()) {
            log.warn("No API tokens ({} is empty or lists none): every status page command is refused with 401/403",
                    EngineConfig.API_TOKENS_FILE_CONFIG);
        }
        this.commandApi = new StatusCommandApi(tokens, config.pageId(), new StatusCommandApi.Source() {
            @Override
            public boolean componentExists(String componentId) {
                return loaded(pageConfig).get(config.pageId()).map(ids -> ids.contains(componentId)).orElse(false);
            }

            @Override
            public boolean maintenanceExists(String maintenanceId) {
                int at = maintenanceId.indexOf('@');
                return loaded(publicSilences).get(at < 0 ? maintenanceId : maintenanceId.substring(0, at)).isPresent();
            }

            @Override
            public CompletableFuture<?> write(StatusPageCommand command) {
                return StatusPageService.this.write(command);
            }
        }, Clock.systemUTC());
        this.sessionLog = config.sessionLog(tokens, NAME + "-sessions", false, Clock.systemUTC());
        this.subscriptions = Subscriptions.create(config, topics, tokens);
    }

    /**
     * What it does on Kafka (see its clients): the page's writer (a Streams app), the public site's and the config's views,
     * the subscriptions, the commands' producer, the console's session log.
     */
    public static ServiceAccess kafkaAccess(StatusPageServiceConfig config, StatusTopics topics) {
        return ServiceAccess.of(NAME)
                .reads(topics.incidentEvents(), topics.commands(), topics.page(), topics.subscribers(), topics.config(), topics.silences())
                .writes(topics.page(), topics.deadLetters(), topics.subscribers(), topics.commands())
                .streamsApplication(config.applicationId())
                .plus(EngineConfig.sessionLogAccess(NAME, false));
    }

    public static ServiceAccess kafkaAccess(StatusPageServiceConfig config) {
        return kafkaAccess(config, StatusTopics.DEFAULT);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void routes(HttpServer http, MeterRegistry metrics) {
        commandApi.register(http);
        site = new PublicSite(config, topics, metrics, Clock.systemUTC());
        site.routes(http);
        subscriptions.routes(http);
    }

    @Override
    public void start(MeterRegistry metrics) {
        readiness = new TopicReadiness(config, NAME, topics.all());
        sessionLog.start();
        Properties props = KafkaClients.streams(config, config.applicationId(), topics.deadLetters());
        // The page shows a change once the writer's transaction commits: every 100 ms (kafka.commit.interval.ms).
        props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        // One task writes the page: a warm copy of its store on a second instance takes over without replaying the changelog.
        props.putIfAbsent(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        writer = StreamsApp.create(NAME, config, StatusPageTopology.build(topics, config.recordSerdes(), config.pageId(),
                config.punctuation(), StatusPage.Limits.DEFAULT, metrics), props, metrics);
        writer.start();
        site.start();
        subscriptions.start();

        pageConfig = new CompactedView<>(KafkaClients.consumer(config, NAME + "-page-config"), topics.config(), config.recordSerdes(),
                page -> page.getComponents().stream().map(StatusComponentConfig::getId).collect(Collectors.toUnmodifiableSet()));
        pageConfig.start();
        publicSilences = new CompactedView<>(KafkaClients.consumer(config, NAME + "-public-silences"), topics.silences(),
                config.recordSerdes(), silence -> silence.getStatusPage() != null ? Boolean.TRUE : null);
        publicSilences.start();

        Map<String, Object> producerProps = KafkaClients.producer(config, NAME + "-commands");
        producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        commands = new KafkaProducer<>(producerProps, new StringSerializer(),
                topics.commands().valueSerde(config.recordSerdes()).serializer());
    }

    private static <T> CompactedView<?, T> loaded(CompactedView<?, T> view) {
        if (view == null || view.problem().isPresent()) {
            throw new ApiError(503, null, "starting: the status page's config is still loading; retry later");
        }
        return view;
    }

    private CompletableFuture<?> write(StatusPageCommand command) {
        if (commands == null) {
            throw new ApiError(503, null, "starting: commands cannot be written yet; retry later");
        }
        return KafkaClients.send(commands, new ProducerRecord<>(topics.commands().name(), command.getPageId(), command));
    }

    @Override
    public Optional<String> problem() {
        return readiness.problem()
                .or(() -> writer.problem().map(Object::toString))
                .or(pageConfig::problem)
                .or(publicSilences::problem)
                .or(site::problem)
                .or(subscriptions::problem)
                .or(() -> sessionLog.ready() ? Optional.empty() : Optional.of("console session log loading"));
    }

    @Override
    public void close() {
        sessionLog.close();
        if (commands != null) {
            commands.close(Duration.ofSeconds(5));
        }
        for (AutoCloseable part : new AutoCloseable[] {site, subscriptions, pageConfig, publicSilences, writer, readiness}) {
            if (part != null) {
                try {
                    part.close();
                } catch (Exception e) {
                    log.warn("Closing {}: {}", part.getClass().getSimpleName(), e.toString());
                }
            }
        }
    }
}
