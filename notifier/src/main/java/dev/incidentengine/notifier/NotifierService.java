package dev.incidentengine.notifier;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import dev.incidentengine.notifier.channel.Channel;
import dev.incidentengine.notifier.channel.Secrets;
import dev.incidentengine.notifier.plan.Composer;
import dev.incidentengine.notifier.plan.Planner;
import dev.incidentengine.notifier.send.Endpoints;
import dev.incidentengine.notifier.send.Sender;
import dev.incidentengine.notifier.template.Templates;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.service.Service;
import dev.incidentengine.service.StreamsApp;
import dev.incidentengine.service.TopicReadiness;
import dev.incidentengine.service.api.Sessions;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
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

    private final NotifierConfig config;
    private final NotifierTopics topics;
    // Set by start() while /readyz may already ask: each null until it exists.
    private volatile TopicReadiness readiness;
    private volatile StreamsApp streams;
    private volatile Sender sender;
    private SignInLinkMailer links;

    public NotifierService(NotifierConfig config, NotifierTopics topics) {
        this.config = config;
        this.topics = topics;
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
        // A request reaches the sender once the planner's transaction commits: commit every 50 ms, not Streams' 100.
        props.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 50);
        Composer composer = new Composer(Templates.defaults(), config.getString(NotifierConfig.LINKS_BASE_URL_CONFIG));
        streams = StreamsApp.create(NAME, config, NotifierTopology.build(topics, config.recordSerdes(), new Planner(config.maxEventAge()), composer,
                config.punctuation()), props, metrics);
        streams.start();
        sender = sender(channels, metrics);
        sender.start();
        links = signInLinks(channels.get("email"));
        if (links != null) {
            links.start();
        }
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
        String group = config.applicationId() + "-signin-links";
        // Only links are signed here; a session's age is the API's to say.
        Sessions sessions = Sessions.load(secretFile, Duration.ZERO, Clock.systemUTC());
        return new SignInLinkMailer(KafkaClients.consumer(config, group), Topics.CONSOLE_SESSIONS, config.recordSerdes(), email, sessions,
                baseUrl, Clock.systemUTC());
    }

    private Sender sender(Map<String, Channel> channels, MeterRegistry metrics) {
        String group = config.applicationId() + "-sender";
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
        return new Sender(topics, config.recordSerdes(), channels, Endpoints.system(endpoints),
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
        if (topicsReady == null || planner == null || delivering == null) {
            return Optional.of("starting");
        }
        return topicsReady.problem().or(() -> planner.problem().map(Object::toString))
                .or(() -> delivering.healthy() ? Optional.empty()
                        : Optional.of("sender: cannot commit or stopped (see the ERROR log and notifier_sender_healthy)"));
    }

    @Override
    public void close() {
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
