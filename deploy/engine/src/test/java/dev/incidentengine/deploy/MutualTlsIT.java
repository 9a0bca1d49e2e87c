package dev.incidentengine.deploy;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.configdata.ConfigData;
import dev.incidentengine.configdata.ConfigPublisher;
import dev.incidentengine.incident.IncidentStreamConfig;
import dev.incidentengine.incident.IncidentStreamMain;
import dev.incidentengine.incident.IncidentStreamService;
import dev.incidentengine.ingest.AlertIngestConfig;
import dev.incidentengine.ingest.AlertIngestService;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.ServiceAccess;
import dev.incidentengine.schemas.TopicCreator;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.testkit.SecuredKafka;
import dev.incidentengine.testkit.TopicContents;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.deploy.KafkaAttempts.assertRefused;
import static dev.incidentengine.deploy.KafkaAttempts.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Mutual TLS instead of SASL: the broker's client listener is SSL and requires a client certificate signed by its CA, whose
 * CN is the user ({@code ssl.principal.mapping.rules}), with the StandardAuthorizer and nothing allowed without an ACL.
 * alert-ingest and incident-stream each run with a certificate of their own (a PKCS12 keystore) and exactly the ACLs of
 * their {@code kafkaAccess}, set through {@code KAFKA_*} variables as an operator sets them: an alert posted to alert-ingest
 * opens an incident that incident-stream's API lists, the broker refuses nothing meanwhile, and the keystore's password
 * reaches no log. A certificate whose user has no ACLs is refused reading {@code alerts.v1}; a client with a self-signed
 * certificate in alert-ingest's name, or without a certificate, cannot connect.
 */
class MutualTlsIT {

    private static final Path DIR = Path.of("target/mutual-tls-it").toAbsolutePath();
    private static final Path LOCAL_CONFIG = Path.of("../local").toAbsolutePath();
    private static final String KEY = "demo-integration-key-change-me";
    private static final String VIEWER = "demo-viewer-token-change-me";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final ServicesFromEnv services = new ServicesFromEnv(DIR);
    private final CapturedLog denials = new CapturedLog();
    private final CapturedLog logged = new CapturedLog();
    private SecuredKafka kafka;

    @AfterEach
    void stop() {
        services.close();
        if (kafka != null) {
            kafka.close();
        }
        denials.detach();
        logged.detach();
    }

    @Test
    void servicesSignInWithTheirCertificates_andNoOneElseGetsIn() throws Exception {
        // The broker logs every refused operation on this logger (StandardAuthorizer's audit log, INFO).
        denials.attach("kafka.authorizer.logger", Level.INFO);
        logged.attach(org.slf4j.Logger.ROOT_LOGGER_NAME, Level.INFO);
        ServicesFromEnv.deleteRecursively(DIR);
        kafka = SecuredKafka.startMutualTls(DIR.resolve("kafka"));
        // Each certificate takes a keytool run: made side by side, while the admin sets up.
        CompletableFuture<Map<String, Object>> ingestUser = CompletableFuture.supplyAsync(() ->
                kafka.tlsUser(AlertIngestService.kafkaAccess(new AlertIngestConfig(Map.of()))));
        CompletableFuture<Map<String, Object>> incidentUser = CompletableFuture.supplyAsync(() ->
                kafka.tlsUser(IncidentStreamService.kafkaAccess(new IncidentStreamConfig(Map.of()))));
        CompletableFuture<Map<String, Object>> strangerUser = CompletableFuture.supplyAsync(() -> kafka.tlsUser(ServiceAccess.of("stranger")));
        CompletableFuture<Map<String, Object>> impostor = CompletableFuture.supplyAsync(() -> kafka.selfSignedTlsClient(AlertIngestService.NAME));
        try (Admin admin = kafka.admin()) {
            TopicCreator.ensureCreated(admin, Topics.ALL, Optional.of((short) 1));
        }
        // The example configuration, applied by the admin (ServiceAclIT applies it with incidentctl's own user).
        Map<String, Object> loader = new HashMap<>(kafka.adminProps());
        loader.put(ProducerConfig.ACKS_CONFIG, "all");
        loader.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        ConfigPublisher.publish(ConfigData.readDirectory(LOCAL_CONFIG,
                Map.of("LOCAL_SINK_URL", "http://127.0.0.1", "LOCAL_ENGINE_URL", "http://127.0.0.1")), loader, RecordSerdes.singleObject());

        Map<String, Object> ingest = ingestUser.get(60, TimeUnit.SECONDS);
        Map<String, Object> incident = incidentUser.get(60, TimeUnit.SECONDS);
        assertThat(ingest).containsEntry("security.protocol", "SSL").containsEntry(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PKCS12")
                .doesNotContainKeys("sasl.mechanism", "sasl.jaas.config");
        Map<String, String> incidentSettings = Map.of(
                EngineConfig.API_TOKENS_FILE_CONFIG, LOCAL_CONFIG.resolve("secrets/api-tokens.yaml").toString(),
                EngineConfig.API_SESSION_SECRET_FILE_CONFIG, services.secretFile("session-secret").toString(),
                EngineConfig.HTTP_PORT_CONFIG, Integer.toString(TopicContents.freePort()));
        List<CompletableFuture<String>> started = List.of(
                services.start(AlertIngestService.NAME, ingest, Map.of(), AlertIngestConfig::new, AlertIngestService::new),
                services.start(IncidentStreamService.NAME, incident, incidentSettings, IncidentStreamConfig::new, IncidentStreamMain::service));
        String alerts = started.get(0).get(60, TimeUnit.SECONDS);
        String incidents = started.get(1).get(60, TimeUnit.SECONDS);
        await("every service ready").atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(services.runners()).allSatisfy(runner ->
                assertThat(get(ServicesFromEnv.url(runner) + "/readyz", null).statusCode()).as(runner.readiness().toString()).isEqualTo(200)));

        HttpResponse<String> posted = EngineCalls.send(http, "POST", alerts + "/api/v1/alerts", KEY,
                "{\"summary\":\"Disk full on db-1\",\"dedupKey\":\"mtls-it\"}");
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        await("the alert's incident in incident-stream's API").atMost(Duration.ofSeconds(30)).until(() -> {
            for (JsonNode listed : JSON.readTree(get(incidents + "/api/v1/incidents", VIEWER).body()).get("incidents")) {
                if (listed.get("title").asText().equals("Disk full on db-1")) {
                    return true;
                }
            }
            return false;
        });
        assertThat(denials.messages()).as("operations the broker refused while the engine worked").isEmpty();
        String password = ingest.get(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG).toString();
        assertThat(logged.messages()).as("log lines with the keystore's password").noneMatch(line -> line.contains(password));

        // A certificate the CA signed, for a user without ACLs: in, but refused.
        Map<String, Object> stranger = strangerUser.get(60, TimeUnit.SECONDS);
        assertRefused(TopicAuthorizationException.class, () -> read(stranger, Topics.ALERTS));
        assertThat(denials.messages()).as("the broker's log of what it refused").anyMatch(line -> line.contains("User:stranger"));
        // A certificate in alert-ingest's name that the CA did not sign, and no certificate at all: the TLS handshake fails.
        assertRefused(SslAuthenticationException.class, () -> read(impostor.get(60, TimeUnit.SECONDS), Topics.ALERTS));
        Map<String, Object> anonymous = new HashMap<>(stranger);
        anonymous.keySet().removeIf(key -> key.startsWith("ssl.keystore."));
        assertRefused(SslAuthenticationException.class, () -> read(anonymous, Topics.ALERTS));
    }

    private HttpResponse<String> get(String url, String bearer) throws Exception {
        return EngineCalls.send(http, "GET", url, bearer, null);
    }
}
