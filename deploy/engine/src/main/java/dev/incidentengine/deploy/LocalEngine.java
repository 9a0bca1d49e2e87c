package dev.incidentengine.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.incidentengine.configdata.ConfigData;
import dev.incidentengine.configdata.ConfigPublisher;
import dev.incidentengine.deploy.connect.ConnectWorker;
import dev.incidentengine.escalation.EscalationStreamConfig;
import dev.incidentengine.escalation.EscalationStreamMain;
import dev.incidentengine.incident.IncidentStreamConfig;
import dev.incidentengine.incident.IncidentStreamMain;
import dev.incidentengine.incident.api.SlackApp;
import dev.incidentengine.ingest.AlertIngestConfig;
import dev.incidentengine.ingest.AlertIngestService;
import dev.incidentengine.notifier.NotifierConfig;
import dev.incidentengine.notifier.NotifierMain;
import dev.incidentengine.schemas.TopicCreator;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.ConfigSources;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.service.ServiceRunner;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.status.StatusPageMain;
import dev.incidentengine.status.StatusPageServiceConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code ./incident-engine local}: a Kafka broker process (unless --bootstrap-servers names a
 * cluster), every registry topic, the example configuration, and every engine service in this
 * JVM behind one HTTP server. Ctrl-C or SIGTERM stops the services, then the broker.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run the whole engine on this machine, with its own Kafka broker.")
public final class LocalEngine implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(LocalEngine.class);
    /** The secret that signs webhooks to people's WEBHOOK contacts, when the config directory's secrets/ has it. */
    private static final String LOCAL_WEBHOOK_SECRET = "LOCAL_WEBHOOK_SECRET";
    /** The bot token of the local Slack-shaped server, in the config's secrets: with it, SEV0/SEV1 incidents get war rooms there. */
    private static final String LOCAL_SLACK_BOT_TOKEN = "LOCAL_SLACK_BOT_TOKEN";
    /** The local Slack app's signing secret and user map, in the config's secrets: with them and the bot token, buttons work. */
    static final String LOCAL_SLACK_SIGNING_SECRET = "LOCAL_SLACK_SIGNING_SECRET";
    private static final String LOCAL_SLACK_USERS = "slack-users.yaml";
    /** The viewer token /incident oncall asks escalation-stream with (one of secrets/api-tokens.yaml), in the config's secrets. */
    private static final String LOCAL_SLACK_ONCALL_TOKEN = "LOCAL_SLACK_ONCALL_TOKEN";
    /** The local SMS/voice provider's auth token, when the config directory's secrets/ has it. */
    private static final String LOCAL_SMS_TOKEN = "LOCAL_SMS_TOKEN";

    @Option(names = "--data-dir", defaultValue = ".local", description = "Where Kafka data and service state live (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address Kafka and HTTP bind to (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--kafka-port", defaultValue = "9092", description = "Kafka port (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--controller-port", defaultValue = "9093", description = "KRaft controller port (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--http-port", defaultValue = "${env:INCIDENT_HTTP_PORT:-8080}",
            description = "HTTP port of the API, /healthz, /readyz, /metrics (default: INCIDENT_HTTP_PORT, else 8080; now ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--sink-port", defaultValue = "8089",
            description = "Port of the local webhook sink, where deploy/local's webhooks go as ${LOCAL_SINK_URL} (default: ${DEFAULT-VALUE}).")
    int sinkPort;

    @Option(names = "--smtp-port", defaultValue = "2525", description = "Port of the local e-mail sink, an SMTP server (default: ${DEFAULT-VALUE}).")
    int smtpPort;

    @Option(names = "--bootstrap-servers", description = "Use this Kafka cluster and start no broker.")
    String bootstrapServers;

    @Option(names = "--config-dir", defaultValue = "deploy/local", description = "Configuration loaded at start (default: ${DEFAULT-VALUE}).")
    Path configDir;

    @Option(names = "--setting", paramLabel = "KEY=VALUE",
            description = "A service setting over the local defaults and the environment, for every service (repeatable), "
                    + "e.g. notifier.smtp.port=25. INCIDENT_CONFIG_FILE, INCIDENT_* and KAFKA_* variables apply as to each service.")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--connect", description = "Also run a Kafka Connect worker (distributed mode) with the ticketing plugin.")
    boolean connect;

    @Option(names = "--connect-port", defaultValue = "8083", description = "REST port of the Connect worker (default: ${DEFAULT-VALUE}).")
    int connectPort;

    @Option(names = "--connect-plugin-path", defaultValue = "ticketing/target/plugin",
            description = "The Connect worker's plugin.path, where the ticketing plugin is built (default: ${DEFAULT-VALUE}).")
    Path connectPluginPath;

    private KafkaBroker broker;
    private LocalSinks sinks;
    private ServiceRunner runner;
    private ConnectWorker connectWorker;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LocalEngine())
                .setExecutionExceptionHandler((error, command, parsed) -> {
                    // People get the reason, not a stack trace; the log keeps the details.
                    log.debug("Local engine failed", error);
                    System.err.println("incident-engine: " + error.getMessage());
                    return 1;
                })
                .execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "local-engine-stop"));
        start();
        ServiceRunner running = runner;
        running.awaitClosed();
        return 0;
    }

    /** Starts Kafka, topics, config and services; returns once every service is ready. */
    public void start() throws Exception {
        long started = System.nanoTime();
        // Notifications land in local sinks, which the example config names as ${LOCAL_SINK_URL}.
        Path slackToken = configDir.resolve("secrets").resolve(LOCAL_SLACK_BOT_TOKEN);
        sinks = LocalSinks.start(bind, sinkPort, smtpPort, Files.isRegularFile(slackToken) ? Files.readString(slackToken).strip() : null);
        Map<String, String> env = new HashMap<>(System.getenv());
        // The user's settings, as each service deployed on its own reads them; the local engine's choices give way to them.
        Map<String, String> user = ConfigSources.load(null, System.getenv());
        env.put("LOCAL_SINK_URL", sinks.webhookUrl());
        // Messages and the status page's feeds link to the engine, so its port is fixed before anything starts.
        int port = httpPort != 0 ? httpPort : freePort();
        env.put("LOCAL_ENGINE_URL", "http://" + bind + ":" + port);
        // Read the config before starting Kafka, so a bad file costs little.
        List<ConfigData.Entry> config = ConfigData.readDirectory(configDir, env);
        String tokensFile = Files.isRegularFile(apiTokensFile()) ? apiTokensFile().toAbsolutePath().toString() : "";
        ApiTokens.load(tokensFile, System.getenv());
        boolean reused = startKafka();

        // What the engine decides itself: the Kafka it started (or --bootstrap-servers), its one HTTP server.
        Map<String, String> engine = Map.of(EngineConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                EngineConfig.HTTP_HOST_CONFIG, bind, EngineConfig.HTTP_PORT_CONFIG, Integer.toString(port));
        Map<String, String> settings = new HashMap<>();
        settings.put(EngineConfig.STATE_DIR_CONFIG, dataDir.resolve("state").toAbsolutePath().toString());
        // One instance: standby replicas would have nowhere to go (and Streams would warn about each).
        settings.put(EngineConfig.KAFKA_PREFIX + StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "0");
        AlertIngestConfig ingestConfig = new AlertIngestConfig(settings(settings, user, engine, overrides));

        try (Admin admin = Admin.create(KafkaClients.admin(ingestConfig))) {
            List<String> created = TopicCreator.ensureCreated(admin, Topics.ALL,
                    broker != null ? Optional.of((short) 1) : Optional.empty());
            log.info("Topics: {} created, {} already there", created.size(), Topics.ALL.size() - created.size());
        }
        Map<String, Integer> applied = ConfigPublisher.publish(config, KafkaClients.producer(ingestConfig, "local-engine-config"),
                ingestConfig.recordSerdes());
        log.info("Configuration from {}: {}", configDir, applied);

        Map<String, String> apiSettings = new HashMap<>(settings);
        apiSettings.put(EngineConfig.API_TOKENS_FILE_CONFIG, tokensFile);
        apiSettings.put(EngineConfig.API_SESSION_SECRET_FILE_CONFIG, sessionSecret().toString());
        Map<String, String> statusSettings = new HashMap<>(apiSettings);
        statusSettings.put(StatusPageServiceConfig.SECRET_FILE_CONFIG, statusSecret().toString());
        Map<String, String> notifierSettings = new HashMap<>(settings);
        // The notifier signs the console's sign-in links that it mails.
        notifierSettings.put(EngineConfig.API_SESSION_SECRET_FILE_CONFIG, sessionSecret().toString());
        // The notifier opens status page subscribers' addresses and signs their links; the status page needs the same file.
        notifierSettings.put(NotifierConfig.STATUS_SECRET_FILE_CONFIG, statusSecret().toString());
        notifierSettings.put(NotifierConfig.SMTP_HOST_CONFIG, bind);
        notifierSettings.put(NotifierConfig.SMTP_PORT_CONFIG, Integer.toString(sinks.smtpPort()));
        notifierSettings.put(NotifierConfig.SMTP_TLS_CONFIG, "NONE"); // the local sink speaks plain SMTP: relax the STARTTLS_REQUIRED default
        notifierSettings.put(NotifierConfig.LINKS_BASE_URL_CONFIG, "http://" + bind + ":" + port);
        Path secrets = configDir.resolve("secrets").toAbsolutePath();
        notifierSettings.put(NotifierConfig.SECRETS_DIR_CONFIG, secrets.toString());
        if (Files.isRegularFile(secrets.resolve(LOCAL_WEBHOOK_SECRET))) {
            notifierSettings.put(NotifierConfig.WEBHOOK_SECRET_CONFIG, LOCAL_WEBHOOK_SECRET);
        }
        if (sinks.slack() != null) {
            // Slack pages and channel cards (chat.postMessage, chat.update) and war rooms all go to the local Slack.
            notifierSettings.put(NotifierConfig.SLACK_API_URL_CONFIG, sinks.slack().apiUrl());
            notifierSettings.put(NotifierConfig.SLACK_TOKEN_SECRET_CONFIG, LOCAL_SLACK_BOT_TOKEN);
            notifierSettings.put(NotifierConfig.WARROOM_SLACK_TOKEN_SECRET_CONFIG, LOCAL_SLACK_BOT_TOKEN);
            notifierSettings.put(NotifierConfig.WARROOM_SLACK_LINK_CONFIG, sinks.slack().url() + "?channel=");
        }
        // SMS and calls go to the local sinks' Twilio-compatible API, so every contact of the example can be reached.
        if (Files.isRegularFile(secrets.resolve(LOCAL_SMS_TOKEN))) {
            notifierSettings.put(NotifierConfig.SMS_URL_CONFIG, sinks.webhookUrl() + LocalSinks.PHONE);
            notifierSettings.put(NotifierConfig.SMS_ACCOUNT_CONFIG, "AClocalengine");
            notifierSettings.put(NotifierConfig.SMS_TOKEN_SECRET_CONFIG, LOCAL_SMS_TOKEN);
            notifierSettings.put(NotifierConfig.SMS_FROM_CONFIG, "+15005550006");
        }
        // Test notifications (incidentctl test-notify) need an admin token of the same file.
        notifierSettings.put(EngineConfig.API_TOKENS_FILE_CONFIG, tokensFile);
        runner = new ServiceRunner(bind, port, ingestConfig.httpLimits(), List.of(
                new AlertIngestService(ingestConfig),
                IncidentStreamMain.service(new IncidentStreamConfig(settings(slackApp(apiSettings, secrets), user, engine, overrides))),
                EscalationStreamMain.service(new EscalationStreamConfig(settings(apiSettings, user, engine, overrides))),
                NotifierMain.service(new NotifierConfig(settings(notifierSettings, user, engine, overrides))),
                StatusPageMain.service(new StatusPageServiceConfig(settings(statusSettings, user, engine, overrides))))).start();
        awaitReady(Duration.ofSeconds(30));
        if (connect) {
            startConnect(port);
        }
        printWelcome(reused, Duration.ofNanos(System.nanoTime() - started));
    }

    /**
     * incident-stream's settings: the API's, and the Slack app's when the secrets have its signing secret and user map and the
     * local Slack runs: the local Slack's messages carry buttons, and a signed press (as Slack would send it) acts; {@code
     * /incident oncall} asks this engine's own server with the viewer token of {@value #LOCAL_SLACK_ONCALL_TOKEN}.
     */
    private Map<String, String> slackApp(Map<String, String> apiSettings, Path secrets) {
        Map<String, String> settings = new HashMap<>(apiSettings);
        if (sinks.slack() != null && Files.isRegularFile(secrets.resolve(LOCAL_SLACK_SIGNING_SECRET))
                && Files.isRegularFile(secrets.resolve(LOCAL_SLACK_USERS))) {
            settings.put(IncidentStreamConfig.SLACK_SIGNING_SECRET_FILE_CONFIG, secrets.resolve(LOCAL_SLACK_SIGNING_SECRET).toString());
            settings.put(IncidentStreamConfig.SLACK_USERS_FILE_CONFIG, secrets.resolve(LOCAL_SLACK_USERS).toString());
            settings.put(IncidentStreamConfig.SLACK_BOT_TOKEN_FILE_CONFIG, secrets.resolve(LOCAL_SLACK_BOT_TOKEN).toString());
            settings.put(IncidentStreamConfig.SLACK_API_URL_CONFIG, sinks.slack().apiUrl());
            // slack.oncall.url stays empty: escalation-stream's /api/v1/oncall is on this engine's one HTTP server.
            if (Files.isRegularFile(secrets.resolve(LOCAL_SLACK_ONCALL_TOKEN))) {
                settings.put(IncidentStreamConfig.SLACK_ONCALL_TOKEN_FILE_CONFIG, secrets.resolve(LOCAL_SLACK_ONCALL_TOKEN).toString());
            }
        }
        return settings;
    }

    /**
     * A service's settings, later wins: the local engine's choices ({@code local}: state directory, tokens and secret
     * files, the local sinks), the user's ({@code INCIDENT_CONFIG_FILE}, {@code INCIDENT_*}, {@code KAFKA_*}, as
     * {@link ConfigSources} reads them for a service on its own), what the engine must decide ({@code engine}: its
     * Kafka, its one HTTP server), then {@code --setting}.
     */
    static Map<String, String> settings(Map<String, String> local, Map<String, String> user, Map<String, String> engine,
                                        Map<String, String> overrides) {
        Map<String, String> settings = new HashMap<>(local);
        settings.putAll(user);
        settings.putAll(engine);
        settings.putAll(overrides);
        return settings;
    }

    /**
     * A Connect worker in its own JVM with the ticketing plugin. Connectors are created through its REST API, as on any Connect
     * cluster ({@code POST /connectors} with a file of deploy/connect); {@code ${env:…}} in them reads this engine's environment,
     * where LOCAL_ENGINE_URL says where incidents are.
     */
    private void startConnect(int enginePort) throws IOException, InterruptedException {
        if (!Files.isDirectory(connectPluginPath)) {
            throw new IllegalStateException("No Connect plugins in " + connectPluginPath.toAbsolutePath()
                    + ": build them with ./mvnw install -DskipTests, or give --connect-plugin-path");
        }
        connectWorker = new ConnectWorker(new ConnectWorker.Options(dataDir.resolve("connect"), bootstrap(), bind, connectPort,
                connectPluginPath, Map.of()));
        connectWorker.start(Duration.ofSeconds(120));
        log.info("Connect worker up at {} (engine at http://{}:{}); its log: {}", connectWorker.restUrl(), bind, enginePort,
                connectWorker.logFile());
    }

    /** The Connect worker's REST API, when it runs. */
    public Optional<String> connectUrl() {
        return Optional.ofNullable(connectWorker).map(ConnectWorker::restUrl);
    }

    public String httpUrl() {
        return "http://" + bind + ":" + runner.httpAddress().getPort();
    }

    /** @return whether an existing data directory was reused */
    private boolean startKafka() throws IOException, InterruptedException {
        if (bootstrapServers != null) {
            log.info("Using the Kafka cluster at {}", bootstrapServers);
            return false;
        }
        broker = new KafkaBroker(dataDir.resolve("kafka"), bind, kafkaPort, controllerPort);
        boolean reused = broker.hasData();
        broker.start(Duration.ofSeconds(60));
        log.info("Kafka broker up at {} ({}); its log: {}", broker.bootstrapServers(),
                reused ? "existing data" : "new data", broker.logFile());
        return reused;
    }

    public String bootstrap() {
        return bootstrapServers != null ? bootstrapServers : broker.bootstrapServers();
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!runner.ready()) {
            if (System.nanoTime() > deadline) {
                log.warn("Not every service is ready after {}: {}", timeout, runner.readiness());
                return;
            }
            Thread.sleep(100);
        }
    }

    private void printWelcome(boolean reused, Duration startup) throws IOException {
        String http = httpUrl();
        StringBuilder text = new StringBuilder()
                .append("\nIncident engine is up (").append(startup.toMillis()).append(" ms")
                .append(reused ? ", data kept from the last run" : "").append(")\n")
                .append("  Kafka          ").append(bootstrap()).append('\n')
                .append("  HTTP           ").append(http).append("  (").append(http).append("/readyz, ")
                .append(http).append("/metrics)\n")
                .append("  Console        ").append(http).append("/  (sign in with an API token below, or a link e-mailed to the sink)\n")
                .append("  Send alerts    POST ").append(http).append("/api/v1/alerts          (generic JSON)\n")
                .append("                 POST ").append(http).append("/api/v1/alertmanager    (Alertmanager webhook)\n")
                .append("                 POST ").append(http).append("/api/v1/grafana         (Grafana webhook)\n")
                .append("                 POST ").append(http).append("/v2/enqueue             (PagerDuty Events API v2)\n")
                .append("                 or produce JSON to ").append(Topics.ALERTS_RAW.name())
                .append(" (header format=generic|alertmanager|grafana|pagerduty)\n");
        demoKeys().forEach((integration, key) ->
                text.append("  Integration    ").append(integration).append(", key ").append(key).append('\n'));
        text.append("  Try it         curl -H 'Authorization: Bearer <key>' -d '{\"summary\":\"Disk full on db-1\",\"severity\":\"critical\"}' ")
                .append(http).append("/api/v1/alerts\n")
                .append("  Incidents      GET  ").append(http).append("/api/v1/incidents, POST ").append(http)
                .append("/api/v1/incidents/<id>/acknowledge?wait=true\n");
        demoTokens().forEach((user, token) ->
                text.append("  API token      ").append(user).append(", token ").append(token).append('\n'));
        text.append("  Notifications  webhooks to ").append(sinks.webhookUrl()).append(" (GET lists them), e-mail to smtp://")
                .append(bind).append(':').append(sinks.smtpPort()).append(", SMS and calls to its ").append(LocalSinks.PHONE)
                .append("; each is printed here as a [sink] line\n");
        if (sinks.slack() != null) {
            text.append("  Slack          Slack-shaped Web API at ").append(sinks.slack().apiUrl()).append(" (GET ").append(sinks.slack().url())
                    .append(" lists channels and messages); Slack pages land there, and SEV0/SEV1 incidents get a war room channel\n");
            if (Files.isRegularFile(configDir.resolve("secrets").resolve(LOCAL_SLACK_SIGNING_SECRET))) {
                text.append("  Slack app      its buttons and /incident (ack, take, resolve, note, status, oncall) post to ").append(httpUrl()).append(SlackApp.INTERACTIONS).append(" and ")
                        .append(SlackApp.COMMANDS).append(", signed with secrets/").append(LOCAL_SLACK_SIGNING_SECRET).append('\n');
            }
        }
        text.append("  Check setup    incidentctl test-notify --all --token <admin token>  (a test message to every contact and channel)\n");
        if (connectWorker != null) {
            text.append("  Kafka Connect  ").append(connectWorker.restUrl()).append("  (ticketing connectors: POST a file of deploy/connect to ")
                    .append(connectWorker.restUrl()).append("/connectors; log ")
                    .append(connectWorker.logFile()).append(")\n");
        }
        text.append("  Data           ").append(dataDir.toAbsolutePath()).append('\n')
                .append("Press Ctrl-C to stop.\n");
        System.out.println(text);
    }

    /** Integration keys written in plain text in the local example (never the case in production config). */
    private Map<String, String> demoKeys() throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        Map<String, String> keys = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(configDir)) {
            for (Path file : files.filter(f -> f.toString().matches(".*\\.ya?ml")).sorted().toList()) {
                JsonNode root = yaml.readTree(file.toFile());
                if (root != null) {
                    root.path("integrations").forEach(integration -> {
                        if (integration.hasNonNull("key")) {
                            keys.put(integration.path("id").asText(), integration.get("key").asText());
                        }
                    });
                }
            }
        }
        return keys;
    }

    /**
     * The secret that signs console sessions, made on the first start and kept in the data directory
     * (readable by its owner only), so that a restart keeps everyone signed in.
     */
    private Path sessionSecret() throws IOException {
        return secretFile("session-secret");
    }

    /**
     * The status page's secret ({@code status.secret.file} of the status page and the notifier), made on the first start:
     * subscribers' addresses are sealed and their links signed with keys derived from it, so it must outlive restarts.
     */
    private Path statusSecret() throws IOException {
        return secretFile("status-secret");
    }

    /** 32 random bytes (hex) in the data directory, readable by its owner only, made once. */
    private Path secretFile(String name) throws IOException {
        Path file = dataDir.resolve(name);
        if (!Files.isRegularFile(file)) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            Files.createDirectories(dataDir);
            Files.writeString(file, HexFormat.of().formatHex(secret), StandardCharsets.UTF_8);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: the data directory's own permissions protect it.
            }
        }
        return file.toAbsolutePath();
    }

    /** The incident API's tokens: beside the config data, not in it (ConfigData reads only the directory's own files). */
    private Path apiTokensFile() {
        return configDir.resolve("secrets").resolve("api-tokens.yaml");
    }

    /** API tokens written in plain text in the local example, by user and role. */
    private Map<String, String> demoTokens() throws IOException {
        Map<String, String> tokens = new LinkedHashMap<>();
        if (Files.isRegularFile(apiTokensFile())) {
            JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(apiTokensFile().toFile());
            if (root != null) {
                root.path("tokens").forEach(token -> {
                    if (token.hasNonNull("token")) {
                        tokens.put(token.path("user").asText() + " (" + token.path("role").asText() + ")", token.get("token").asText());
                    }
                });
            }
        }
        return tokens;
    }

    LocalSinks sinks() {
        return sinks;
    }

    /**
     * A port free now on this machine (the local engine's and the cluster kit's processes bind it next). Chosen below the
     * kernel's ephemeral range, where no outgoing connection can take it before its server binds it.
     */
    public static int freePort() throws IOException {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(10_000, 32_768);
            try (ServerSocket socket = new ServerSocket(port)) {
                return port;
            } catch (IOException taken) {
                // Another one.
            }
        }
        throw new IOException("No free port between 10000 and 32767");
    }

    /** Stops the Connect worker and the services, then the sinks and the broker; safe to call twice. */
    public synchronized void stop() {
        if (connectWorker != null) {
            connectWorker.close();
            connectWorker = null;
        }
        if (runner != null) {
            runner.close();
            runner = null;
        }
        if (sinks != null) {
            sinks.close();
            sinks = null;
        }
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
