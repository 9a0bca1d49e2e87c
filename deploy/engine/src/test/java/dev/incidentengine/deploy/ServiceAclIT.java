package dev.incidentengine.deploy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.cli.Incidentctl;
import dev.incidentengine.configdata.ConfigData;
import dev.incidentengine.configdata.ConfigPublisher;
import dev.incidentengine.escalation.EscalationStreamConfig;
import dev.incidentengine.escalation.EscalationStreamMain;
import dev.incidentengine.escalation.EscalationStreamService;
import dev.incidentengine.incident.IncidentStreamConfig;
import dev.incidentengine.incident.IncidentStreamMain;
import dev.incidentengine.incident.IncidentStreamService;
import dev.incidentengine.ingest.AlertIngestConfig;
import dev.incidentengine.ingest.AlertIngestService;
import dev.incidentengine.notifier.NotifierConfig;
import dev.incidentengine.notifier.NotifierMain;
import dev.incidentengine.notifier.NotifierService;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.ServiceAccess;
import dev.incidentengine.schemas.TopicCreator;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.status.StatusPageMain;
import dev.incidentengine.status.StatusPageService;
import dev.incidentengine.status.StatusPageServiceConfig;
import dev.incidentengine.testkit.SecuredKafka;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WebhookSink;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.deploy.KafkaAttempts.assertRefused;
import static dev.incidentengine.deploy.KafkaAttempts.createTopic;
import static dev.incidentengine.deploy.KafkaAttempts.joinGroup;
import static dev.incidentengine.deploy.KafkaAttempts.read;
import static dev.incidentengine.deploy.KafkaAttempts.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Least privilege on a secured cluster (TLS, SASL, ACLs, nothing allowed without one): every service runs with its own user,
 * which has exactly the ACLs its {@code kafkaAccess} lists, set through {@code KAFKA_*} environment variables as an operator
 * sets them. An alert becomes an incident that pages, reaches a team's webhook and is acknowledged through the API; the
 * broker refuses nothing meanwhile, and no secret reaches a log. Then each user tries one thing outside its access and is
 * refused. escalation-stream signs in with OAUTHBEARER, the others with SCRAM-SHA-512.
 */
class ServiceAclIT {

    private static final Path DIR = Path.of("target/service-acl-it").toAbsolutePath();
    private static final Path LOCAL_CONFIG = Path.of("../local").toAbsolutePath();
    private static final String KEY = "demo-integration-key-change-me";
    private static final String VIEWER = "demo-viewer-token-change-me";
    private static final String RESPONDER = "demo-responder-token-change-me";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final ServicesFromEnv services = new ServicesFromEnv(DIR);
    private final CapturedLog denials = new CapturedLog();
    private final CapturedLog logged = new CapturedLog();
    private SecuredKafka kafka;
    private WebhookSink sink;

    @AfterEach
    void stop() {
        services.close();
        if (sink != null) {
            sink.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        denials.detach();
        logged.detach();
    }

    @Test
    void everyServiceWorksWithItsOwnUser_andIsRefusedAnythingElse() throws Exception {
        // The broker logs every refused operation on this logger (StandardAuthorizer's audit log, INFO).
        denials.attach("kafka.authorizer.logger", Level.INFO);
        logged.attach(org.slf4j.Logger.ROOT_LOGGER_NAME, Level.INFO);
        ServicesFromEnv.deleteRecursively(DIR);
        kafka = SecuredKafka.start(DIR.resolve("kafka"));
        sink = WebhookSink.start();
        try (Admin admin = kafka.admin()) {
            TopicCreator.ensureCreated(admin, Topics.ALL, Optional.of((short) 1));
        }

        ServiceAccess ingestAccess = AlertIngestService.kafkaAccess(new AlertIngestConfig(Map.of()));
        ServiceAccess incidentAccess = IncidentStreamService.kafkaAccess(new IncidentStreamConfig(Map.of()));
        ServiceAccess escalationAccess = EscalationStreamService.kafkaAccess(new EscalationStreamConfig(Map.of()));
        ServiceAccess notifierAccess = NotifierService.kafkaAccess(new NotifierConfig(Map.of()));
        ServiceAccess statusAccess = StatusPageService.kafkaAccess(new StatusPageServiceConfig(Map.of()));
        ServiceAccess ctlAccess = Incidentctl.kafkaAccess();
        Map<String, Object> ingest = kafka.scramUser(ingestAccess);
        Map<String, Object> incident = kafka.scramUser(incidentAccess);
        Map<String, Object> escalation = kafka.oauthUser(escalationAccess);
        Map<String, Object> notifier = kafka.scramUser(notifierAccess);
        Map<String, Object> status = kafka.scramUser(statusAccess);
        Map<String, Object> ctl = kafka.scramUser(ctlAccess);

        // The example configuration, applied as `incidentctl config apply` does, by incidentctl's user.
        Map<String, String> configEnv = Map.of("LOCAL_SINK_URL", sink.url(""), "LOCAL_ENGINE_URL", "http://127.0.0.1");
        Map<String, Object> loader = new HashMap<>(ctl);
        loader.put(ProducerConfig.ACKS_CONFIG, "all");
        loader.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        ConfigPublisher.publish(ConfigData.readDirectory(LOCAL_CONFIG, configEnv), loader, RecordSerdes.singleObject());

        Map<String, String> api = Map.of(EngineConfig.API_TOKENS_FILE_CONFIG, LOCAL_CONFIG.resolve("secrets/api-tokens.yaml").toString(),
                EngineConfig.API_SESSION_SECRET_FILE_CONFIG, services.secretFile("session-secret").toString());
        String statusSecret = services.secretFile("status-secret").toString();
        // The notifier links to the API: its port is chosen first. The services start side by side, as in a cluster.
        Map<String, String> incidentSettings = new HashMap<>(api);
        incidentSettings.put(EngineConfig.HTTP_PORT_CONFIG, Integer.toString(TopicContents.freePort()));
        Map<String, String> statusSettings = new HashMap<>(api);
        statusSettings.put(StatusPageServiceConfig.SECRET_FILE_CONFIG, statusSecret);
        Map<String, String> notifierSettings = Map.of(
                NotifierConfig.SECRETS_DIR_CONFIG, LOCAL_CONFIG.resolve("secrets").toString(),
                NotifierConfig.WEBHOOK_SECRET_CONFIG, "LOCAL_WEBHOOK_SECRET",
                NotifierConfig.LINKS_BASE_URL_CONFIG, "http://127.0.0.1:" + incidentSettings.get(EngineConfig.HTTP_PORT_CONFIG),
                NotifierConfig.STATUS_SECRET_FILE_CONFIG, statusSecret,
                EngineConfig.API_SESSION_SECRET_FILE_CONFIG, api.get(EngineConfig.API_SESSION_SECRET_FILE_CONFIG),
                EngineConfig.API_TOKENS_FILE_CONFIG, api.get(EngineConfig.API_TOKENS_FILE_CONFIG));
        List<CompletableFuture<String>> started = List.of(
                services.start(AlertIngestService.NAME, ingest, Map.of(), AlertIngestConfig::new, AlertIngestService::new),
                services.start(IncidentStreamService.NAME, incident, incidentSettings, IncidentStreamConfig::new, IncidentStreamMain::service),
                services.start(EscalationStreamService.NAME, escalation, api, EscalationStreamConfig::new, EscalationStreamMain::service),
                services.start(StatusPageService.NAME, status, statusSettings, StatusPageServiceConfig::new, StatusPageMain::service),
                services.start(NotifierService.NAME, notifier, notifierSettings, NotifierConfig::new, NotifierMain::service));
        String alerts = started.get(0).get(60, TimeUnit.SECONDS);
        String incidents = started.get(1).get(60, TimeUnit.SECONDS);
        for (CompletableFuture<String> each : started) {
            each.get(60, TimeUnit.SECONDS);
        }
        await("every service ready").atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(services.runners())
                .allSatisfy(runner -> assertThat(get(ServicesFromEnv.url(runner) + "/readyz", null).statusCode()).as(runner.readiness().toString()).isEqualTo(200)));

        // An alert becomes an incident, which pages the on-call user and reaches the team's webhook.
        assertThat(post(alerts + "/api/v1/alerts", KEY, "{\"summary\":\"Disk full on db-1\",\"dedupKey\":\"acl-it\"}")
                .statusCode()).isEqualTo(202);
        String incidentId = await("the alert's incident").atMost(Duration.ofSeconds(30)).until(() -> {
            for (JsonNode listed : JSON.readTree(get(incidents + "/api/v1/incidents", VIEWER).body()).get("incidents")) {
                if (listed.get("title").asText().equals("Disk full on db-1")) {
                    return listed.get("incidentId").asText();
                }
            }
            return null;
        }, id -> id != null);
        String incidentUrl = incidents + "/api/v1/incidents/" + incidentId;
        await("the on-call user paged").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(get(incidentUrl + "/events", VIEWER).body()).contains("IncidentEscalated", "payments-primary"));
        await("the team's webhook told").atMost(Duration.ofSeconds(30)).until(() -> !roomMessages(incidentId).isEmpty());
        HttpResponse<String> ack = post(incidentUrl + "/acknowledge?wait=true", RESPONDER, "{\"message\": \"on it\"}");
        assertThat(ack.statusCode()).as(ack.body()).isEqualTo(200);
        assertThat(JSON.readTree(ack.body()).get("outcome").asText()).isEqualTo("APPLIED");
        await("the acknowledgement at the team's webhook").atMost(Duration.ofSeconds(30)).until(() ->
                roomMessages(incidentId).stream().anyMatch(body -> body.toLowerCase(Locale.ROOT).contains("acknowledged")));
        // incidentctl reads the log from Kafka with its own user, from a client properties file.
        Path ctlConfig = clientConfigFile(ctl);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(Incidentctl.run(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, "timeline", incidentId,
                "--bootstrap-servers", kafka.bootstrapServers(), "--kafka-config", ctlConfig.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("acknowledged: on it");

        assertThat(denials.messages()).as("operations the broker refused while the engine worked").isEmpty();
        assertThat(logged.messages()).as("log lines about authorization").noneMatch(line -> line.contains("uthoriz"));
        List<String> secrets = List.of(ingest, incident, notifier, status, ctl).stream()
                .map(props -> props.get("sasl.jaas.config").toString().replaceAll(".*password=\"([^\"]+)\".*", "$1")).toList();
        assertThat(logged.messages()).as("log lines with a password").noneMatch(line -> secrets.stream().anyMatch(line::contains));

        // Nothing more: each user tries one thing outside its access.
        assertRefused(TopicAuthorizationException.class, () -> write(ingest, Topics.INCIDENT_EVENTS));
        assertRefused(GroupAuthorizationException.class, () -> joinGroup(ingest, Topics.ALERTS, "incident-stream"));
        assertRefused(TopicAuthorizationException.class, () -> createTopic(ingest, "incident-stream-not-mine"));
        assertRefused(TopicAuthorizationException.class, () -> write(incident, Topics.NOTIFICATION_REQUESTS));
        assertRefused(TopicAuthorizationException.class, () -> write(escalation, Topics.INCIDENT_EVENTS));
        assertRefused(TopicAuthorizationException.class, () -> read(notifier, Topics.ALERTS_RAW));
        assertRefused(TopicAuthorizationException.class, () -> write(status, Topics.INCIDENT_COMMANDS));
        assertRefused(TopicAuthorizationException.class, () -> write(ctl, Topics.INCIDENT_COMMANDS));
        assertThat(denials.messages()).as("the broker's log of what it refused").hasSizeGreaterThanOrEqualTo(8);
    }

    private List<String> roomMessages(String incidentId) {
        return sink.received(r -> r.path().equals("/hooks/payments-room") && r.body().contains(incidentId)).stream()
                .map(WebhookSink.Received::body).toList();
    }

    /** Client settings in a properties file, as incidentctl's --kafka-config (and Kafka's own tools) take them. */
    private static Path clientConfigFile(Map<String, Object> client) throws Exception {
        Properties properties = new Properties();
        client.forEach((key, value) -> {
            if (!key.equals("bootstrap.servers")) {
                properties.setProperty(key, String.valueOf(value));
            }
        });
        Path file = DIR.resolve("incidentctl-kafka.properties");
        try (var writer = Files.newBufferedWriter(file)) {
            properties.store(writer, "incidentctl's Kafka client settings");
        }
        return file;
    }

    private HttpResponse<String> get(String url, String bearer) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String url, String bearer, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearer).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
