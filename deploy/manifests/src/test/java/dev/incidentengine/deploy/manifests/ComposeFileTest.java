package dev.incidentengine.deploy.manifests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.deploy.manifests.EngineServices.DeployedService;
import dev.incidentengine.service.EngineConfig;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.service.api.Sessions;
import dev.incidentengine.service.api.SubscriberSeal;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * deploy/compose/docker-compose.yaml cannot run here (no Docker engine), so its structure is checked: docker-compose's own
 * validation ({@code config -q}, Debian's 1.29), and against the code: the brokers' quorum, the registry's topics made by
 * the engine's own command, each service's image, settings, health check and volumes.
 */
class ComposeFileTest {

    static final Path COMPOSE = GeneratedManifestsTest.ROOT.resolve("deploy/compose");
    static final Path FILE = COMPOSE.resolve("docker-compose.yaml");
    static final String VERSION = KustomizeRenderTest.VERSION;
    static final String KAFKA_VERSION = System.getProperty("kafka.version", "4.3.1");

    static JsonNode services;
    static List<String> brokers = new ArrayList<>();

    @BeforeAll
    static void read() throws Exception {
        services = DeployTools.documents(Files.readString(FILE)).get(0).path("services");
        services.fieldNames().forEachRemaining(name -> {
            if (services.path(name).path("image").asText().startsWith("apache/kafka:")) {
                brokers.add(name);
            }
        });
    }

    @Test
    void dockerComposeAcceptsIt() throws Exception {
        Path compose = DeployTools.require("docker-compose", "DOCKER_COMPOSE", "docker-compose");
        DeployTools.run(List.of(compose.toString(), "-f", FILE.toString(), "config", "-q"));
    }

    @Test
    void threeKraftBrokersFormOneQuorumWithReplicationThreeAndMinIsrTwo() {
        assertThat(brokers).hasSize(3);
        Set<String> voters = new TreeSet<>();
        Set<String> ids = new TreeSet<>();
        Set<String> clusterIds = new TreeSet<>();
        for (String broker : brokers) {
            JsonNode service = services.path(broker);
            JsonNode env = service.path("environment");
            assertThat(service.path("image").asText()).as("the brokers are the Kafka the engine is built with").isEqualTo("apache/kafka:" + KAFKA_VERSION);
            assertThat(env.path("KAFKA_PROCESS_ROLES").asText()).isEqualTo("broker,controller");
            assertThat(env.path("KAFKA_DEFAULT_REPLICATION_FACTOR").asInt()).isEqualTo(3);
            assertThat(env.path("KAFKA_MIN_INSYNC_REPLICAS").asInt()).isEqualTo(2);
            assertThat(env.path("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR").asInt()).isEqualTo(2);
            assertThat(env.path("KAFKA_AUTO_CREATE_TOPICS_ENABLE").asText()).isEqualTo("false");
            voters.add(env.path("KAFKA_CONTROLLER_QUORUM_VOTERS").asText());
            clusterIds.add(env.path("CLUSTER_ID").asText());
            String id = env.path("KAFKA_NODE_ID").asText();
            ids.add(id);
            String controllerPort = env.path("KAFKA_LISTENERS").asText().replaceAll(".*CONTROLLER://:(\\d+).*", "$1");
            assertThat(env.path("KAFKA_CONTROLLER_QUORUM_VOTERS").asText().split(",")).as("%s is a voter", broker)
                    .contains(id + "@" + broker + ":" + controllerPort);
            assertThat(env.path("KAFKA_ADVERTISED_LISTENERS").asText()).isEqualTo("PLAINTEXT://" + broker + ":9092");
            assertThat(service.path("volumes").get(0).asText()).as("%s keeps its log", broker).endsWith(":" + env.path("KAFKA_LOG_DIRS").asText());
            assertThat(service.at("/healthcheck/test").isArray()).as("%s health check", broker).isTrue();
        }
        assertThat(voters).as("one quorum").hasSize(1);
        assertThat(voters.iterator().next().split(",")).hasSize(3);
        assertThat(clusterIds).as("one cluster").hasSize(1);
        assertThat(ids).hasSize(3);
    }

    @Test
    void theRegistrysTopicsAndTheConfigurationAreTheEnginesOwnOneShotCommands() {
        JsonNode topics = services.path("topics");
        assertThat(topics.path("image").asText()).isEqualTo("incident-engine/incidentctl:" + VERSION);
        assertThat(text(topics.path("command"))).containsExactly("topics", "create", "--replication-factor", "3");
        assertThat(topics.at("/environment/INCIDENTCTL_BOOTSTRAP_SERVERS").asText()).isEqualTo(bootstrapServers());
        brokers.forEach(broker -> assertThat(topics.at("/depends_on/" + broker + "/condition").asText()).isEqualTo("service_healthy"));

        JsonNode config = services.path("config");
        assertThat(config.path("image").asText()).isEqualTo("incident-engine/incidentctl:" + VERSION);
        assertThat(text(config.path("command"))).containsExactly("config", "apply", "-f", "/config");
        assertThat(config.at("/environment/INCIDENTCTL_BOOTSTRAP_SERVERS").asText()).isEqualTo(bootstrapServers());
        assertThat(config.at("/depends_on/topics/condition").asText()).isEqualTo("service_completed_successfully");
        assertThat(text(config.path("volumes"))).anyMatch(volume -> volume.endsWith(":/config:ro"));
    }

    @Test
    void everyServiceRunsItsImageWithSettingsItDefinesAHealthCheckAndAReadOnlyRoot() {
        Set<String> engine = new TreeSet<>();
        services.fieldNames().forEachRemaining(name -> {
            if (services.path(name).path("image").asText().startsWith("incident-engine/") && !name.equals("topics") && !name.equals("config")) {
                engine.add(name);
            }
        });
        assertThat(engine).containsExactlyInAnyOrderElementsOf(EngineServices.ALL.stream().map(DeployedService::name).toList());
        for (DeployedService service : EngineServices.ALL) {
            JsonNode compose = services.path(service.name());
            assertThat(compose.path("image").asText()).isEqualTo("incident-engine/" + service.name() + ":" + VERSION);
            Map<String, String> env = new TreeMap<>();
            compose.path("environment").fields().forEachRemaining(entry -> env.put(entry.getKey(), entry.getValue().asText()));
            Map<String, String> settings = ServiceSettings.checked(service, env, "compose " + service.name());
            assertThat(settings.get(EngineConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo(bootstrapServers());
            assertThat(text(compose.at("/healthcheck/test"))).as("%s health check, without a shell", service.name()).containsExactly(
                    "CMD", "java", "-cp", "/app/libs/*", "dev.incidentengine.service.HealthCheck", "http://127.0.0.1:" + service.httpPort() + "/readyz");
            assertThat(compose.at("/depends_on/config/condition").asText()).isEqualTo("service_completed_successfully");
            assertThat(compose.path("read_only").asBoolean()).as("%s read-only root", service.name()).isTrue();
            assertThat(text(compose.path("tmpfs"))).contains("/tmp");
            // The image's state directory (INCIDENT_STATE_DIR) on a named volume where stores live.
            List<String> volumes = text(compose.path("volumes"));
            if (service.stateful()) {
                assertThat(volumes).as("%s state", service.name()).contains(service.name() + "-state:/var/lib/incident-engine");
                assertThat(settings.get("kafka." + StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).as("one instance, no standby").isEqualTo("0");
            } else {
                assertThat(text(compose.path("tmpfs"))).as("%s state", service.name()).contains("/var/lib/incident-engine");
            }
            settings.forEach((key, value) -> {
                if (key.endsWith(".file")) {
                    assertThat(value).as("%s: %s is a compose secret", service.name(), key).startsWith("/run/secrets/");
                    assertThat(text(compose.path("secrets"))).contains(value.substring("/run/secrets/".length()));
                }
            });
        }
    }

    @Test
    void makeSecretsWritesFilesTheServicesAccept(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("make-secrets");
        Files.copy(COMPOSE.resolve("make-secrets"), script);
        String out = DeployTools.run(List.of("sh", script.toString()));
        String token = out.replaceAll("(?s).*admin API token \\(not stored; keep it\\): (\\S+).*", "$1");
        Path secrets = dir.resolve("secrets");
        assertThat(ApiTokens.load(secrets.resolve("api-tokens.yaml").toString(), Map.of()).authenticate(token)).isPresent();
        Sessions.load(secrets.resolve("session-secret").toString(), Duration.ofHours(1), Clock.systemUTC());
        SubscriberSeal.load(secrets.resolve("status-secret").toString());
        // Every secret the compose file names is one it makes.
        JsonNode declared = DeployTools.documents(Files.readString(FILE)).get(0).path("secrets");
        declared.fields().forEachRemaining(secret -> assertThat(dir.resolve(secret.getValue().path("file").asText())).exists());
        assertThat(DeployTools.run(List.of("sh", script.toString()))).as("made once").isEmpty();
    }

    private static String bootstrapServers() {
        List<String> servers = new ArrayList<>();
        brokers.forEach(broker -> servers.add(broker + ":9092"));
        return String.join(",", servers);
    }

    private static List<String> text(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
