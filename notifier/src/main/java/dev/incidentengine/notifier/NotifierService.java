package dev.incidentengine.notifier;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.StatusSubscriber;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.notifier.channel.Channel;
import dev.incidentengine.notifier.channel.Secrets;
import dev.incidentengine.notifier.channel.SlackWarRoomChannel;
import dev.incidentengine.notifier.plan.Composer;
import dev.incidentengine.notifier.plan.Planner;
import dev.incidentengine.notifier.plan.WarRooms;
import dev.incidentengine.notifier.send.Endpoints;
import dev.incidentengine.notifier.send.Sender;
import dev.incidentengine.notifier.status.StatusFanout;
import dev.incidentengine.notifier.status.StatusRecipients;
import dev.incidentengine.notifier.template.Templates;
import dev.incidentengine.notifier.testnotify.TestNotificationApi;
import dev.incidentengine.notifier.testnotify.TestNotifications;
import dev.incidentengine.notifier.testnotify.TestResults;
import dev.incidentengine.schemas.ServiceAccess;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.CommitPacing;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.StreamsApp;
import dev.incidentengine.service.TopicReadiness;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.service.api.Sessions;
import dev.incidentengine.service.api.SubscriberSeal;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notifier: the planner ({@link NotifierTopology}, exactly-once Streams) turns incident events
 * into rendered, addressed requests, and the {@link Sender} delivers them through the configured
 * channels, recording each delivery so none is sent twice or lost.
 */
public final class NotifierService implements Service {

    public static final String NAME = "notifier";
    private static final Logger log = LoggerFactory.getLogger(NotifierService.class);
    /** How long a status page subscriber's confirmation link works: the status page's {@code Subscriptions.CONFIRM_WITHIN}. */
    private static final Duration CONFIRM_WITHIN = Duration.ofDays(7);

    private final NotifierConfig config;
    private final NotifierTopics topics;
    // Set by start() while /readyz may already ask: each null until it exists.
    private volatile TopicReadiness readiness;
    private volatile StreamsApp streams;
    private volatile Sender sender;
    private volatile SlackWarRoomChannel warRoomChannel;
    private SignInLinkMailer links;
    /** {@code incidentctl test-notify}'s endpoints, with the producer of its requests and the reader of its results. */
    private final TestNotificationApi testApi;
    private volatile KafkaProducer<String, NotificationRequest> testRequests;
    private volatile TestResults testResults;
    /** The planner has run once, so its global store holds every subscriber; read by the sender's thread only. */
    private boolean subscribersRead;

    public NotifierService(NotifierConfig config, NotifierTopics topics) {
        this.config = config;
        this.topics = topics;
        ApiTokens tokens = ApiTokens.load(config.apiTokensFile(), System.getenv());
        if (tokens.isEmpty()) {
            log.warn("No API tokens ({} is empty or lists none): test notifications (incidentctl test-notify) are refused",
                    EngineConfig.API_TOKENS_FILE_CONFIG);
        }
        testApi = new TestNotificationApi(tokens, new TestNotificationApi.Source() {
            @Override
            public List<UserConfig> users() {
                return all(NotifierTopology.USERS_STORE);
            }

            @Override
            public List<ChannelConfig> channels() {
                return all(NotifierTopology.CHANNELS_STORE);
            }

            @Override
            public CompletableFuture<?> write(List<NotificationRequest> requests) {
                return writeTests(requests);
            }

            @Override
            public List<NotificationResult> results(String runId) {
                TestResults results = testResults;
                if (results == null || results.problem().isPresent()) {
                    throw new ApiError(503, null, "starting: test results cannot be read yet; retry later");
                }
                return results.of(runId);
            }
        }, new TestNotifications(Templates.defaults(), config.getString(NotifierConfig.LINKS_BASE_URL_CONFIG)),
                new TestNotificationApi.Limits(config.getInt(NotifierConfig.TEST_MAX_TARGETS_CONFIG),
                        config.getInt(NotifierConfig.TEST_RUNS_PER_MINUTE_CONFIG)), Clock.systemUTC());
    }

    @Override
    public void routes(HttpServer http, MeterRegistry metrics) {
        testApi.register(http);
    }

    /**
     * What it does on Kafka (see its clients): the planner (a Streams app), the sender (its group, its ledger and its
     * transactional ids {@code <app>-sender-<uuid>}), test notifications, and the console's sign-in links (its group).
     */
    public static ServiceAccess kafkaAccess(NotifierConfig config, NotifierTopics topics) {
        String app = config.applicationId();
        return ServiceAccess.of(NAME)
                .reads(topics.events(), topics.results(), topics.users(), topics.services(), topics.channels(), topics.roles(),
                        topics.statusPage(), topics.subscribers(), topics.teams(), topics.requests(), topics.deliveries(),
                        Topics.CONSOLE_SESSIONS)
                .writes(topics.requests(), topics.results(), topics.commands(), topics.deadLetters(), topics.deliveries())
                .streamsApplication(app)
                .group(senderGroup(app))
                .transactionalId(senderGroup(app) + "-")
                .group(signInLinksGroup(app));
    }

    public static ServiceAccess kafkaAccess(NotifierConfig config) {
        return kafkaAccess(config, NotifierTopics.DEFAULT);
    }

    private static String senderGroup(String applicationId) {
        return applicationId + "-sender";
    }

    private static String signInLinksGroup(String applicationId) {
        return applicationId + "-signin-links";
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start(MeterRegistry metrics) {
        readiness = new TopicReadiness(config, NAME, topics.all());
        Secrets secrets = new Secrets(System.getenv(), config.getString(NotifierConfig.SECRETS_DIR_CONFIG) == null ? null
                : Path.of(config.getString(NotifierConfig.SECRETS_DIR_CONFIG)));
        Map<String, Channel> channels = ChannelRegistry.channels(config, secrets);
        Properties props = KafkaClients.streams(config, config.applicationId(), topics.deadLetters());
        // A request reaches the sender once the planner's transaction commits: commit every 50 ms, not Streams' 100; or paced
        // by how long commits take (streams.commit.pacing, CommitPacing; a fixed kafka.commit.interval.ms overrides both).
        CommitPacing pacing = CommitPacing.of(props, config.commitPacing());
        Composer composer = new Composer(Templates.defaults(), config.getString(NotifierConfig.LINKS_BASE_URL_CONFIG));
        // Loaded first: a status secret file that is named but cannot be read stops the notifier here, with its name.
        SubscriberSeal seal = config.subscriberSeal();
        NotifierTopology.StatusSubscribers status = null;
        if (seal == null || config.statusUrl() == null) {
            log.warn("Status page subscribers hear nothing: that needs {} and {} (or {})", NotifierConfig.STATUS_SECRET_FILE_CONFIG,
                    NotifierConfig.STATUS_URL_CONFIG, NotifierConfig.LINKS_BASE_URL_CONFIG);
            seal = null;
        } else {
            status = new NotifierTopology.StatusSubscribers(config.statusUrl(), CONFIRM_WITHIN);
        }
        warRoomChannel = (SlackWarRoomChannel) channels.get(SlackWarRoomChannel.NAME);
        if (warRoomChannel != null) {
            Gauge.builder("notifier.warroom.healthy", warRoomChannel, channel -> channel.healthy() ? 1 : 0)
                    .description("1 while the last call to Slack for a war room succeeded; 0 after a failed one (see the ERROR log)")
                    .register(metrics);
        }
        WarRooms warRooms = new WarRooms(new WarRooms.Settings(Set.copyOf(config.getList(NotifierConfig.WARROOM_SEVERITIES_CONFIG)),
                warRoomChannel != null, config.warRoomArchiveAfter(), config.getString(NotifierConfig.WARROOM_SLACK_LINK_CONFIG),
                blankToNull(config.getString(NotifierConfig.LINKS_BASE_URL_CONFIG))));
        streams = StreamsApp.create(NAME, config, NotifierTopology.build(topics, config.recordSerdes(), new Planner(config.maxEventAge()), composer,
                config.punctuation(), status, config.maxEventAge(), warRooms, pacing), props, metrics).pacedBy(pacing, metrics);
        streams.start();
        StatusRecipients recipients = seal == null ? null : new StatusRecipients(seal, config.statusUrl(), this::subscriber);
        sender = sender(channels, recipients, metrics);
        sender.start();
        links = signInLinks(channels.get("email"));
        if (links != null) {
            links.start();
        }
        Map<String, Object> results = KafkaClients.consumer(config, config.applicationId() + "-test-results");
        results.remove(ConsumerConfig.GROUP_ID_CONFIG); // every instance reads every partition itself
        testResults = new TestResults(new KafkaConsumer<>(results, new ByteArrayDeserializer(), new ByteArrayDeserializer()), topics.results().name(),
                topics.results().valueSerde(config.recordSerdes()).deserializer(), 100, config.getInt(NotifierConfig.TEST_MAX_TARGETS_CONFIG));
        testResults.start();
        Gauge.builder("notifier.test.results.healthy", testResults, reader -> reader.problem().isEmpty() ? 1 : 0)
                .description("1 while test notification results are read (incidentctl test-notify), else 0").register(metrics);
        testRequests = new KafkaProducer<>(KafkaClients.producer(config, config.applicationId() + "-test-requests"), new StringSerializer(),
                topics.requests().valueSerde(config.recordSerdes()).serializer());
    }

    /** A test run's requests, all under its pseudo-incident's key; completes when Kafka acknowledged every one. */
    private CompletableFuture<?> writeTests(List<NotificationRequest> requests) {
        KafkaProducer<String, NotificationRequest> producer = testRequests;
        if (producer == null || testResults == null || testResults.problem().isPresent()) {
            throw new ApiError(503, null, "starting: test notifications cannot be sent yet; retry later");
        }
        return CompletableFuture.allOf(requests.stream().map(request -> KafkaClients.send(producer,
                new ProducerRecord<>(topics.requests().name(), request.getIncidentId(), request))).toArray(CompletableFuture[]::new));
    }

    /** Every value of one of the planner's global stores (the config: a few thousand records at most); 503 until they are read. */
    private <V> List<V> all(String store) {
        StreamsApp app = streams;
        if (app == null || app.kafkaStreams().state() != KafkaStreams.State.RUNNING) {
            throw new ApiError(503, null, "starting: the configuration is still loading; retry later");
        }
        List<V> values = new ArrayList<>();
        try (KeyValueIterator<String, V> all = app.kafkaStreams().store(StoreQueryParameters.fromNameAndType(store,
                QueryableStoreTypes.<String, V>keyValueStore())).all()) {
            all.forEachRemaining(entry -> values.add(entry.value));
        } catch (InvalidStateStoreException e) {
            throw new ApiError(503, null, "starting: the configuration is still loading; retry later");
        }
        return values;
    }

    /** The console's sign-in links' mailer, if e-mail, the console's address and the session secret are configured. */
    private SignInLinkMailer signInLinks(Channel email) {
        String secretFile = config.getString(EngineConfig.API_SESSION_SECRET_FILE_CONFIG);
        String baseUrl = config.getString(NotifierConfig.LINKS_BASE_URL_CONFIG);
        if (email == null || secretFile == null || secretFile.isBlank() || baseUrl == null || baseUrl.isBlank()) {
            log.warn("The console's sign-in links are not mailed: that needs {}, {} and {}", NotifierConfig.SMTP_HOST_CONFIG,
                    NotifierConfig.LINKS_BASE_URL_CONFIG, EngineConfig.API_SESSION_SECRET_FILE_CONFIG);
            return null;
        }
        String group = signInLinksGroup(config.applicationId());
        // Only links are signed here; a session's age is the API's to say.
        Sessions sessions = Sessions.load(secretFile, Duration.ZERO, Clock.systemUTC());
        return new SignInLinkMailer(KafkaClients.consumer(config, group), Topics.CONSOLE_SESSIONS, config.recordSerdes(), email, sessions,
                baseUrl, Clock.systemUTC());
    }

    /**
     * A status page subscriber as the planner's global store holds it now. Asked by the sender just before it sends; until
     * the app first runs (its global stores fully read) it waits, so a subscriber not yet read is never taken for deleted.
     */
    private StatusSubscriber subscriber(String id) {
        KafkaStreams app = streams.kafkaStreams();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            if (app.state() == KafkaStreams.State.RUNNING) {
                subscribersRead = true;
            }
            if (subscribersRead) {
                try {
                    return app.store(StoreQueryParameters.fromNameAndType(StatusFanout.SUBSCRIBERS_STORE,
                            QueryableStoreTypes.<String, StatusSubscriber>keyValueStore())).get(id);
                } catch (InvalidStateStoreException e) {
                    // Closing, or a moment of a state change: asked again below.
                }
            }
            if (System.nanoTime() - deadline > 0 || !app.state().isRunningOrRebalancing() && app.state() != KafkaStreams.State.CREATED) {
                throw new IllegalStateException("the planner's subscribers store cannot be read (" + app.state() + ")");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the subscribers store");
            }
        }
    }

    private Sender sender(Map<String, Channel> channels, StatusRecipients recipients, MeterRegistry metrics) {
        String group = senderGroup(config.applicationId());
        Map<String, Object> consumer = KafkaClients.consumer(config, group);
        consumer.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        Map<String, Object> producer = KafkaClients.producer(config, group);
        // Fencing comes from the consumer group (sendOffsetsToTransaction with its metadata), so the id only has to be unique.
        producer.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group + "-" + UUID.randomUUID());
        producer.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        // A crashed sender's open transaction holds back read_committed readers of the ledger and results until it times out.
        producer.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 10_000);
        // How long a commit may wait for the broker before the sender reports that it cannot commit.
        producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.getLong(NotifierConfig.SENDER_COMMIT_TIMEOUT_MS_CONFIG));
        Map<String, Object> ledger = KafkaClients.consumer(config, group + "-ledger");
        ledger.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Endpoints.Settings endpoints = new Endpoints.Settings(config.getInt(NotifierConfig.ENDPOINT_THREADS_CONFIG),
                config.getInt(NotifierConfig.BREAKER_THRESHOLD_CONFIG), config.millis(NotifierConfig.BREAKER_OPEN_MS_CONFIG),
                config.rateLimits());
        return new Sender(topics, config.recordSerdes(), channels, recipients, Endpoints.system(endpoints),
                new KafkaConsumer<>(consumer, new StringDeserializer(), new ByteArrayDeserializer()),
                new KafkaProducer<>(producer, new ByteArraySerializer(), new ByteArraySerializer()),
                new KafkaConsumer<>(ledger, new StringDeserializer(), topics.deliveries().valueSerde(config.recordSerdes()).deserializer()),
                config.millis(NotifierConfig.SHUTDOWN_WAIT_MS_CONFIG), Clock.systemUTC(), metrics);
    }

    /** What keeps the notifier from its work, never an error, while starting: topics, the planner, the sender's commits. */
    @Override
    public Optional<String> problem() {
        TopicReadiness topicsReady = readiness;
        StreamsApp planner = streams;
        Sender delivering = sender;
        TestResults tests = testResults;
        if (topicsReady == null || planner == null || delivering == null || tests == null) {
            return Optional.of("starting");
        }
        SlackWarRoomChannel warRooms = warRoomChannel;
        return topicsReady.problem().or(() -> planner.problem().map(Object::toString))
                .or(() -> delivering.healthy() ? Optional.empty()
                        : Optional.of("sender: cannot commit or stopped (see the ERROR log and notifier_sender_healthy)"))
                .or(() -> warRooms == null ? Optional.empty() : warRooms.problem())
                .or(tests::problem);
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.replaceAll("/+$", "");
    }

    @Override
    public void close() {
        if (testRequests != null) {
            testRequests.close(Duration.ofSeconds(5));
        }
        if (testResults != null) {
            testResults.close();
        }
        if (links != null) {
            links.close();
        }
        if (sender != null) {
            sender.close();
        }
        if (streams != null) {
            streams.close();
        }
        if (readiness != null) {
            readiness.close();
        }
    }
}
