package dev.incidentengine.service;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import dev.incidentengine.schemas.ModelClasses;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.ServiceAccess;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.service.api.SessionLog;
import dev.incidentengine.service.api.Sessions;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.slf4j.Logger;

/**
 * What every service is configured with. Each service extends it with its own {@link ConfigDef}
 * (see {@link #baseDefinition(int)}); values come from {@link ConfigSources}: a properties file,
 * then {@code INCIDENT_*} environment variables; {@code kafka.*} keys ({@code KAFKA_*} variables)
 * pass through to the Kafka clients.
 */
public abstract class EngineConfig extends AbstractConfig {

    public static final String KAFKA_PREFIX = "kafka.";
    public static final String BOOTSTRAP_SERVERS_CONFIG = KAFKA_PREFIX + "bootstrap.servers";
    public static final String HTTP_HOST_CONFIG = "http.host";
    public static final String HTTP_PORT_CONFIG = "http.port";
    public static final String STATE_DIR_CONFIG = "state.dir";
    public static final String API_TOKENS_FILE_CONFIG = "api.tokens.file";
    public static final String API_SESSION_SECRET_FILE_CONFIG = "api.session.secret.file";
    public static final String API_SESSION_MAX_AGE_MS_CONFIG = "api.session.max.age.ms";
    public static final String API_SESSION_LINK_TTL_MS_CONFIG = "api.session.link.ttl.ms";
    public static final String HTTP_MAX_THREADS_CONFIG = "http.max.threads";
    public static final String HTTP_MAX_CONNECTIONS_CONFIG = "http.max.connections";
    public static final String HTTP_IDLE_TIMEOUT_MS_CONFIG = "http.idle.timeout.ms";
    public static final String HTTP_MIN_REQUEST_DATA_RATE_CONFIG = "http.min.request.data.rate";
    public static final String HTTP_REQUEST_BODY_TIMEOUT_MS_CONFIG = "http.request.body.timeout.ms";
    public static final String HTTP_INGEST_MAX_CONCURRENT_CONFIG = "http.ingest.max.concurrent";
    public static final String HTTP_INGEST_MAX_QUEUED_CONFIG = "http.ingest.max.queued";
    public static final String HTTP_INGEST_MAX_QUEUE_MS_CONFIG = "http.ingest.max.queue.ms";
    public static final String RECORDS_MAX_BYTES_CONFIG = "records.max.bytes";
    public static final String STREAMS_THREAD_FAILURE_WINDOW_CONFIG = "streams.thread.failure.window.ms";
    public static final String STREAMS_STUCK_AFTER_CONFIG = "streams.stuck.after.ms";
    public static final String STREAMS_REBALANCING_GRACE_CONFIG = "streams.rebalancing.grace.ms";
    public static final String STREAMS_COMMIT_PACING_CONFIG = "streams.commit.pacing";

    static {
        ModelClasses.trust();
    }

    protected EngineConfig(ConfigDef definition, Map<?, ?> originals) {
        super(definition, originals, false);
    }

    /** The settings every service has; {@code defaultPort} is the service's own HTTP port. */
    public static ConfigDef baseDefinition(int defaultPort) {
        return new ConfigDef()
                .define(BOOTSTRAP_SERVERS_CONFIG, Type.LIST, "127.0.0.1:9092", Importance.HIGH,
                        "Kafka brokers to bootstrap from (KAFKA_BOOTSTRAP_SERVERS).")
                .define(HTTP_HOST_CONFIG, Type.STRING, "127.0.0.1", Importance.MEDIUM,
                        "Address the HTTP server binds to; loopback unless exposed on purpose.")
                .define(HTTP_PORT_CONFIG, Type.INT, defaultPort, Range.between(0, 65535), Importance.MEDIUM,
                        "HTTP port for the API, /healthz, /readyz and /metrics; 0 picks a free port.")
                .define(HTTP_MAX_THREADS_CONFIG, Type.INT, HttpLimits.DEFAULTS.maxThreads(), Range.atLeast(8), Importance.LOW,
                        "HTTP request threads.")
                .define(HTTP_MAX_CONNECTIONS_CONFIG, Type.INT, HttpLimits.DEFAULTS.maxConnections(), Range.atLeast(1), Importance.LOW,
                        "Open HTTP connections; beyond it new ones wait in the accept backlog.")
                .define(HTTP_IDLE_TIMEOUT_MS_CONFIG, Type.INT, (int) HttpLimits.DEFAULTS.idleTimeout().toMillis(), Range.atLeast(100),
                        Importance.LOW, "A connection silent this long is closed.")
                .define(HTTP_MIN_REQUEST_DATA_RATE_CONFIG, Type.LONG, HttpLimits.DEFAULTS.minRequestDataRate(), Range.atLeast(1),
                        Importance.LOW, "Bytes per second a request body must arrive at after its first second; slower ones get 408.")
                .define(HTTP_REQUEST_BODY_TIMEOUT_MS_CONFIG, Type.INT, (int) HttpLimits.DEFAULTS.requestBodyTimeout().toMillis(),
                        Range.atLeast(100), Importance.LOW, "The longest a request body may take to arrive; later gets 408.")
                .define(HTTP_INGEST_MAX_CONCURRENT_CONFIG, Type.INT, HttpLimits.DEFAULTS.ingestMaxConcurrent(), Range.atLeast(1),
                        Importance.LOW, "Alert requests handled at once; the other threads stay for the API, /healthz, /readyz and /metrics.")
                .define(HTTP_INGEST_MAX_QUEUED_CONFIG, Type.INT, HttpLimits.DEFAULTS.ingestMaxQueued(), Range.atLeast(0),
                        Importance.LOW, "Alert requests waiting (without a thread) for their turn; more get 503.")
                .define(HTTP_INGEST_MAX_QUEUE_MS_CONFIG, Type.INT, (int) HttpLimits.DEFAULTS.ingestMaxQueueTime().toMillis(),
                        Range.atLeast(1), Importance.LOW, "The longest an alert request waits for its turn; then 503.")
                .define(STATE_DIR_CONFIG, Type.STRING, System.getProperty("java.io.tmpdir") + "/incident-engine",
                        Importance.MEDIUM, "Local directory for Kafka Streams state stores.")
                .define(RecordSerdes.PROVIDER_CLASS_CONFIG, Type.STRING, RecordSerdes.PROVIDER_CLASS_DEFAULT,
                        new ConfigDef.NonEmptyString(), Importance.LOW,
                        "Class of the RecordSerdeProvider for Avro records; plug a schema-registry serde in here.")
                .define(RECORDS_MAX_BYTES_CONFIG, Type.INT, 1_000_000, Range.between(1_024, Integer.MAX_VALUE), Importance.MEDIUM,
                        "Largest record (key, value, headers) a Streams app writes; larger ones go to its dead-letter topic. "
                                + "Keep it below the producer's max.request.size and the topics' max.message.bytes (both about 1 MiB by default).")
                .define(STREAMS_THREAD_FAILURE_WINDOW_CONFIG, Type.LONG, 600_000L, Range.atLeast(0), Importance.LOW,
                        "A failed stream thread is replaced once; a second failure within this time stops the app (not ready) "
                                + "instead of replacing threads that die on the same record forever. Threads that died of the "
                                + "cluster (a transaction a broker's restart ended) are replaced up to 10 times within it.")
                .define(STREAMS_STUCK_AFTER_CONFIG, Type.LONG, 60_000L, Range.atLeast(1_000), Importance.LOW,
                        "A stream thread that has not polled Kafka for this long is stuck (blocked in a processor): not ready.")
                .define(STREAMS_REBALANCING_GRACE_CONFIG, Type.LONG, 60_000L, Range.atLeast(0), Importance.LOW,
                        "A running app that rebalances stays ready this long; longer is not ready.")
                .define(STREAMS_COMMIT_PACING_CONFIG, Type.BOOLEAN, false, Importance.LOW,
                        "Commit at twice the time a commit takes (50 ms to 1 s) instead of every 50 ms: for a replicated cluster under "
                                + "load, where an exactly-once commit takes hundreds of milliseconds and a 50 ms interval leaves the stream "
                                + "threads committing after almost every record (bench/chaos). Off by default: its punctuation in every task "
                                + "makes Streams process fewer records between checks, which cost a storm on one broker about 60 % of its "
                                + "throughput (bench/storm). A kafka.commit.interval.ms of your own wins over both.");
    }

    /**
     * Adds {@value #API_TOKENS_FILE_CONFIG} and the console's sessions, for services with an HTTP API
     * behind {@code ApiTokens}.
     */
    public static ConfigDef withApiTokens(ConfigDef definition) {
        return definition.define(API_TOKENS_FILE_CONFIG, Type.STRING, "", Importance.HIGH,
                        "YAML file of the API's tokens (user, role, token | tokenEnv | tokenFile | tokenSha256); "
                                + "empty: no tokens, every API call is refused.")
                .define(API_SESSION_SECRET_FILE_CONFIG, Type.STRING, "", Importance.HIGH,
                        "File holding the secret (at least 32 bytes) that signs the console's session cookies; every instance "
                                + "needs the same one. Empty: a random secret of this process (sessions end when it restarts).")
                .define(API_SESSION_MAX_AGE_MS_CONFIG, Type.LONG, Duration.ofHours(12).toMillis(), Range.atLeast(60_000), Importance.MEDIUM,
                        "How long a console session lasts after signing in.")
                .define(API_SESSION_LINK_TTL_MS_CONFIG, Type.LONG, Duration.ofMinutes(15).toMillis(), Range.between(60_000, 86_400_000),
                        Importance.LOW, "How long a sign-in link mailed by the console works (once).");
    }

    /** The API tokens file; only for configs defined {@link #withApiTokens}. */
    public String apiTokensFile() {
        return getString(API_TOKENS_FILE_CONFIG);
    }

    /** The API's tokens, with the console's sessions in their place; only for configs defined {@link #withApiTokens}. */
    public ApiTokens apiTokens(Clock clock) {
        return ApiTokens.load(apiTokensFile(), System.getenv()).withSessions(Sessions.load(getString(API_SESSION_SECRET_FILE_CONFIG),
                Duration.ofMillis(getLong(API_SESSION_MAX_AGE_MS_CONFIG)), clock));
    }

    /**
     * The log of the console's sign-in links and sign-outs ({@link SessionLog}) for the sessions of {@code tokens}; one
     * that sends links also follows the users' e-mail addresses. Only for configs defined {@link #withApiTokens}.
     */
    public SessionLog sessionLog(ApiTokens tokens, String clientId, boolean sendsLinks, Clock clock) {
        return new SessionLog(tokens.sessions().orElseThrow(), KafkaClients.consumer(this, clientId), KafkaClients.producer(this, clientId),
                Topics.CONSOLE_SESSIONS, sendsLinks ? Topics.CONFIG_USERS : null, recordSerdes(), clock);
    }

    /** What {@link #sessionLog} reads and writes on Kafka (no group: every instance reads the log whole). */
    public static ServiceAccess sessionLogAccess(String service, boolean sendsLinks) {
        ServiceAccess access = ServiceAccess.of(service).reads(Topics.CONSOLE_SESSIONS).writes(Topics.CONSOLE_SESSIONS);
        return sendsLinks ? access.reads(Topics.CONFIG_USERS) : access;
    }

    public Duration sessionLinkTtl() {
        return Duration.ofMillis(getLong(API_SESSION_LINK_TTL_MS_CONFIG));
    }

    /** Client properties for Kafka: every {@code kafka.*} setting without its prefix, bootstrap servers resolved. */
    public Map<String, Object> kafkaProperties() {
        Map<String, Object> props = new TreeMap<>(originalsWithPrefix(KAFKA_PREFIX));
        props.put("bootstrap.servers", String.join(",", getList(BOOTSTRAP_SERVERS_CONFIG)));
        return props;
    }

    public String httpHost() {
        return getString(HTTP_HOST_CONFIG);
    }

    public int httpPort() {
        return getInt(HTTP_PORT_CONFIG);
    }

    public HttpLimits httpLimits() {
        return new HttpLimits(getInt(HTTP_MAX_THREADS_CONFIG), getInt(HTTP_MAX_CONNECTIONS_CONFIG),
                Duration.ofMillis(getInt(HTTP_IDLE_TIMEOUT_MS_CONFIG)), getLong(HTTP_MIN_REQUEST_DATA_RATE_CONFIG),
                Duration.ofMillis(getInt(HTTP_REQUEST_BODY_TIMEOUT_MS_CONFIG)), getInt(HTTP_INGEST_MAX_CONCURRENT_CONFIG),
                getInt(HTTP_INGEST_MAX_QUEUED_CONFIG), Duration.ofMillis(getInt(HTTP_INGEST_MAX_QUEUE_MS_CONFIG)));
    }

    public String stateDir() {
        return getString(STATE_DIR_CONFIG);
    }

    public int recordsMaxBytes() {
        return getInt(RECORDS_MAX_BYTES_CONFIG);
    }

    /** Whether Streams apps pace their commits by how long commits take ({@link CommitPacing}). */
    public boolean commitPacing() {
        return getBoolean(STREAMS_COMMIT_PACING_CONFIG);
    }

    /** How a Streams app's health is judged (see {@link StreamsApp}). */
    public StreamsApp.Bounds streamsBounds() {
        return new StreamsApp.Bounds(Duration.ofMillis(getLong(STREAMS_THREAD_FAILURE_WINDOW_CONFIG)),
                Duration.ofMillis(getLong(STREAMS_STUCK_AFTER_CONFIG)),
                Duration.ofMillis(getLong(STREAMS_REBALANCING_GRACE_CONFIG)));
    }

    public RecordSerdes recordSerdes() {
        Map<String, Object> serdeConfig = new TreeMap<>(kafkaProperties());
        serdeConfig.put(RecordSerdes.PROVIDER_CLASS_CONFIG, getString(RecordSerdes.PROVIDER_CLASS_CONFIG));
        return RecordSerdes.fromConfig(serdeConfig);
    }

    /** Logs the resolved configuration once, secrets masked. */
    public void logResolved(Logger log, String service) {
        log.info("{} configuration: {}", service, maskedValues());
    }

    /** Every setting with its value, secrets replaced by {@code [hidden]}. */
    public Map<String, Object> maskedValues() {
        Map<String, Object> shown = new TreeMap<>(originals());
        shown.putAll(values());
        shown.replaceAll((key, value) -> Secrets.isSecretKey(key) ? "[hidden]" : value);
        return shown;
    }
}
