package dev.incidentengine.deploy.manifests;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.deploy.manifests.EngineServices.DeployedService;
import dev.incidentengine.schemas.ServiceAccess;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.EngineConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Renders each overlay of deploy/kubernetes with {@code kubectl kustomize} (offline) and checks it against the code: the
 * registry's topics, each service's Kafka access and settings, and what every workload needs to run as it should.
 */
class KustomizeRenderTest {

    static final Path KUBERNETES = GeneratedManifestsTest.ROOT.resolve("deploy/kubernetes");
    static final String VERSION = System.getProperty("project.version", "0.1.0-SNAPSHOT");
    private static final Map<String, List<JsonNode>> RENDERED = new ConcurrentHashMap<>();

    static Stream<String> overlays() {
        return Stream.of("production", "small");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyRegistryTopicIsAKafkaTopicConfiguredAsTopicCreatorWould(String overlay) throws Exception {
        Map<String, JsonNode> topics = new TreeMap<>();
        kind(overlay, "KafkaTopic").forEach(topic -> topics.put(topic.at("/spec/topicName").asText(), topic));
        assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(Topics.ALL.stream().map(Topic::name).toList());
        for (Topic<?, ?> topic : Topics.ALL) {
            JsonNode spec = topics.get(topic.name()).path("spec");
            assertThat(spec.path("partitions").asInt()).as("%s partitions", topic.name()).isEqualTo(topic.partitions());
            assertThat(spec.path("replicas").asInt()).as("%s replicas", topic.name()).isEqualTo(ManifestGenerator.REPLICATION_FACTOR);
            Map<String, String> config = new TreeMap<>();
            spec.path("config").fields().forEachRemaining(entry -> config.put(entry.getKey(), entry.getValue().asText()));
            assertThat(config).as("%s config", topic.name()).isEqualTo(new TreeMap<>(topic.configs(ManifestGenerator.REPLICATION_FACTOR)));
            assertThat(topics.get(topic.name()).at("/metadata/labels/strimzi.io~1cluster").asText()).isEqualTo(kafka(overlay).at("/metadata/name").asText());
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theKafkaClusterHasThreeNodesReplicationThreeMinIsrTwoAndOnlyAuthenticatedTlsClients(String overlay) throws Exception {
        JsonNode kafka = kafka(overlay);
        JsonNode config = kafka.at("/spec/kafka/config");
        assertThat(config.path("default.replication.factor").asInt()).isEqualTo(3);
        assertThat(config.path("min.insync.replicas").asInt()).isEqualTo(2);
        assertThat(config.path("auto.create.topics.enable").asBoolean(true)).isFalse();
        assertThat(kafka.at("/spec/kafka/authorization/type").asText()).isEqualTo("simple");
        for (JsonNode listener : kafka.at("/spec/kafka/listeners")) {
            assertThat(listener.path("tls").asBoolean()).as("listener %s TLS", listener.path("name")).isTrue();
            assertThat(listener.at("/authentication/type").asText()).as("listener %s authentication", listener.path("name"))
                    .isEqualTo("scram-sha-512");
        }
        int brokers = 0;
        int controllers = 0;
        for (JsonNode pool : kind(overlay, "KafkaNodePool")) {
            Set<String> roles = new HashSet<>();
            pool.at("/spec/roles").forEach(role -> roles.add(role.asText()));
            brokers += roles.contains("broker") ? pool.at("/spec/replicas").asInt() : 0;
            controllers += roles.contains("controller") ? pool.at("/spec/replicas").asInt() : 0;
        }
        assertThat(brokers).as("brokers").isEqualTo(3);
        assertThat(controllers).as("KRaft voters").isEqualTo(3);
        // Every service finds it where the cluster's TLS listener is.
        String bootstrap = kafka.at("/metadata/name").asText() + "-kafka-bootstrap:" + kafka.at("/spec/kafka/listeners/0/port").asText();
        assertThat(configMap(overlay, "incident-engine-config").path("KAFKA_BOOTSTRAP_SERVERS").asText()).isEqualTo(bootstrap);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyServiceHasAKafkaUserAllowedExactlyItsAccess(String overlay) throws Exception {
        Map<String, Set<String>> rendered = new TreeMap<>();
        kind(overlay, "KafkaUser").forEach(user -> {
            assertThat(user.at("/spec/authentication/type").asText()).isEqualTo("scram-sha-512");
            Set<String> acls = new TreeSet<>();
            user.at("/spec/authorization/acls").forEach(acl -> acl.path("operations").forEach(operation -> acls.add(
                    acl.at("/resource/type").asText() + " " + acl.at("/resource/patternType").asText() + " "
                            + acl.at("/resource/name").asText() + " " + operation.asText())));
            rendered.put(user.at("/metadata/name").asText(), acls);
        });
        Map<String, Set<String>> expected = new TreeMap<>();
        for (ServiceAccess access : ManifestGenerator.users()) {
            Set<String> acls = new TreeSet<>();
            access.acls().forEach(acl -> {
                StrimziAcls.Resource resource = StrimziAcls.resource(acl);
                acls.add(resource.type() + " " + resource.patternType() + " " + resource.name() + " " + StrimziAcls.operation(acl.operation()));
            });
            expected.put(access.service(), acls);
        }
        assertThat(rendered).isEqualTo(expected);
        assertThat(rendered.keySet()).as("a user per service, and incidentctl's").containsAll(
                EngineServices.ALL.stream().map(DeployedService::name).toList()).contains("incidentctl");
        // Least privilege, read as a person would: ingest writes alerts, never the incident log or another's state.
        assertThat(rendered.get("alert-ingest")).contains("topic literal alerts.v1 Write")
                .doesNotContain("topic literal incident.events.v1 Write", "topic literal incident.events.v1 Read")
                .noneMatch(acl -> acl.startsWith("cluster") || acl.contains(" All"));
        assertThat(rendered.get("status-page")).doesNotContain("topic literal incident.events.v1 Write");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyServiceRunsAsAWorkloadOfItsImageWithItsOwnKafkaUser(String overlay) throws Exception {
        for (DeployedService service : EngineServices.ALL) {
            JsonNode workload = workload(overlay, service);
            assertThat(workload.path("kind").asText()).as(service.name()).isEqualTo(service.stateful() ? "StatefulSet" : "Deployment");
            JsonNode container = container(workload);
            String image = container.path("image").asText();
            assertThat(image).as("%s image", service.name()).matches("(.+/)?incident-engine/" + service.name() + ":" + VERSION.replace(".", "\\."));
            assertThat(container.at("/ports/0/containerPort").asInt()).as("%s port", service.name()).isEqualTo(service.httpPort());
            JsonNode jaas = env(container).get("KAFKA_SASL_JAAS_CONFIG");
            assertThat(jaas.at("/valueFrom/secretKeyRef/name").asText()).as("%s Kafka user", service.name()).isEqualTo(service.access().service());
            assertThat(jaas.at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("sasl.jaas.config");
            assertThat(one(overlay, "Service", service.name()).at("/spec/ports/0/port").asInt()).isEqualTo(service.httpPort());
            if (overlay.equals("production")) {
                assertThat(workload.at("/spec/replicas").asInt()).as("%s instances in production", service.name()).isGreaterThanOrEqualTo(2);
            }
        }
        assertThat(kind(overlay, "Deployment").size() + kind(overlay, "StatefulSet").size()).isEqualTo(EngineServices.ALL.size());
        assertThat(kind(overlay, "Secret")).as("secrets are made by Strimzi or by you, never written in the manifests").isEmpty();
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyWorkloadSetsOnlySettingsItsServiceDefinesWithValidValues(String overlay) throws Exception {
        for (DeployedService service : EngineServices.ALL) {
            JsonNode workload = workload(overlay, service);
            Map<String, String> settings = ServiceSettings.checked(service, environment(overlay, container(workload)), overlay + " " + service.name());
            Map<String, JsonNode> mounts = mounts(container(workload));
            assertThat(mounts).as("%s state directory", service.name()).containsKey(settings.get(EngineConfig.STATE_DIR_CONFIG));
            // Every file or directory a setting names is in a read-only mount (a Secret's files).
            settings.forEach((key, value) -> {
                if ((key.endsWith(".file") || key.endsWith(".dir") || key.endsWith(".location")) && !key.equals(EngineConfig.STATE_DIR_CONFIG)) {
                    assertThat(mounts.entrySet()).as("%s: %s=%s is in a read-only mount", service.name(), key, value)
                            .anyMatch(mount -> (value + "/").startsWith(mount.getKey() + "/") && mount.getValue().path("readOnly").asBoolean());
                }
            });
            // A standby replica of every store where there is another instance to hold it.
            if (service.stateful()) {
                int replicas = workload.at("/spec/replicas").asInt();
                assertThat(settings.get("kafka." + StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).as("%s standbys with %d replicas", service.name(), replicas)
                        .isEqualTo(replicas > 1 ? "1" : "0");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyWorkloadHasProbesLimitsAHardenedContainerAndADisruptionBudget(String overlay) throws Exception {
        for (DeployedService service : EngineServices.ALL) {
            JsonNode workload = workload(overlay, service);
            JsonNode pod = workload.at("/spec/template/spec");
            JsonNode container = container(workload);
            String what = overlay + " " + service.name();
            assertThat(container.at("/livenessProbe/httpGet/path").asText()).as(what).isEqualTo("/healthz");
            assertThat(container.at("/readinessProbe/httpGet/path").asText()).as(what).isEqualTo("/readyz");
            assertThat(container.at("/startupProbe/httpGet/path").asText()).as(what).isEqualTo("/healthz");
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                assertThat(container.at("/" + probe + "/httpGet/port").asText()).as(what + " " + probe).isEqualTo(container.at("/ports/0/name").asText());
            }
            // Generous: a new instance may restore its stores before it serves.
            assertThat(container.at("/startupProbe/periodSeconds").asInt() * container.at("/startupProbe/failureThreshold").asInt())
                    .as("%s seconds to start", what).isGreaterThanOrEqualTo(service.stateful() ? 600 : 120);
            assertThat(container.at("/resources/requests/cpu").isMissingNode()).as(what + " cpu request").isFalse();
            assertThat(container.at("/resources/requests/memory").asText()).as(what + " memory").isNotEmpty()
                    .isEqualTo(container.at("/resources/limits/memory").asText());

            assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).as(what).isTrue();
            assertThat(pod.at("/securityContext/runAsUser").asInt()).as(what).isEqualTo(65532);
            assertThat(pod.at("/securityContext/seccompProfile/type").asText()).as(what).isEqualTo("RuntimeDefault");
            assertThat(pod.path("enableServiceLinks").asBoolean(true)).as(what + ": service links would be read as settings").isFalse();
            assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).as(what).isTrue();
            assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).as(what).isFalse();
            assertThat(container.at("/securityContext/capabilities/drop").toString()).as(what).isEqualTo("[\"ALL\"]");
            String tmpVolume = mounts(container).get("/tmp").path("name").asText();
            assertThat(volumes(workload).get(tmpVolume).has("emptyDir")).as(what + " /tmp").isTrue();
            String stateVolume = mounts(container).get("/var/lib/incident-engine").path("name").asText();
            if (service.stateful()) {
                assertThat(workload.at("/spec/volumeClaimTemplates/0/metadata/name").asText()).as(what + " state volume").isEqualTo(stateVolume);
            }

            JsonNode labels = workload.at("/spec/template/metadata/labels");
            JsonNode budget = one(overlay, "PodDisruptionBudget", service.name());
            assertThat(budget.at("/spec/maxUnavailable").asInt()).as(what).isEqualTo(1);
            budget.at("/spec/selector/matchLabels").fields().forEachRemaining(label ->
                    assertThat(labels.path(label.getKey()).asText()).as(what + " budget selects its pods").isEqualTo(label.getValue().asText()));
            assertThat(pod.at("/affinity/podAntiAffinity").isMissingNode()).as(what + " spread over nodes").isFalse();
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void alertIngestScalesOnCpuUpToItsInputPartitions(String overlay) throws Exception {
        JsonNode hpa = one(overlay, "HorizontalPodAutoscaler", "alert-ingest");
        DeployedService ingest = EngineServices.named("alert-ingest");
        assertThat(hpa.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
        assertThat(hpa.at("/spec/maxReplicas").asInt()).isBetween(hpa.at("/spec/minReplicas").asInt(),
                ManifestGenerator.usefulInstances(ingest.access()));
        assertThat(hpa.at("/spec/metrics/0/resource/name").asText()).isEqualTo("cpu");
    }

    // ---- the rendered overlay

    static List<JsonNode> rendered(String overlay) throws IOException, InterruptedException {
        List<JsonNode> resources = RENDERED.get(overlay);
        if (resources == null) {
            Path kubectl = DeployTools.require("kubectl", "KUBECTL", "kubernetes-client");
            resources = DeployTools.documents(DeployTools.run(List.of(kubectl.toString(), "kustomize",
                    KUBERNETES.resolve("overlays").resolve(overlay).toString())));
            RENDERED.put(overlay, resources);
        }
        return resources;
    }

    static List<JsonNode> kind(String overlay, String kind) throws IOException, InterruptedException {
        return rendered(overlay).stream().filter(resource -> resource.path("kind").asText().equals(kind)).toList();
    }

    static JsonNode one(String overlay, String kind, String name) throws IOException, InterruptedException {
        List<JsonNode> found = kind(overlay, kind).stream().filter(resource -> resource.at("/metadata/name").asText().equals(name)).toList();
        assertThat(found).as("%s %s in %s", kind, name, overlay).hasSize(1);
        return found.get(0);
    }

    static JsonNode kafka(String overlay) throws IOException, InterruptedException {
        List<JsonNode> clusters = kind(overlay, "Kafka");
        assertThat(clusters).hasSize(1);
        return clusters.get(0);
    }

    static JsonNode workload(String overlay, DeployedService service) throws IOException, InterruptedException {
        List<JsonNode> found = new ArrayList<>();
        for (String kind : List.of("Deployment", "StatefulSet")) {
            kind(overlay, kind).stream().filter(resource -> resource.at("/metadata/name").asText().equals(service.name())).forEach(found::add);
        }
        assertThat(found).as("the workload of %s in %s", service.name(), overlay).hasSize(1);
        return found.get(0);
    }

    static JsonNode container(JsonNode workload) {
        JsonNode containers = workload.at("/spec/template/spec/containers");
        assertThat(containers.size()).as("one container").isEqualTo(1);
        return containers.get(0);
    }

    /** A ConfigMap by the name it has before kustomize adds its hash. */
    static JsonNode configMap(String overlay, String name) throws IOException, InterruptedException {
        List<JsonNode> found = kind(overlay, "ConfigMap").stream()
                .filter(map -> map.at("/metadata/name").asText().matches(name + "(-[a-z0-9]{10})?")).toList();
        assertThat(found).as("ConfigMap %s", name).hasSize(1);
        return found.get(0).path("data");
    }

    static Map<String, JsonNode> env(JsonNode container) {
        Map<String, JsonNode> env = new LinkedHashMap<>();
        container.path("env").forEach(variable -> env.put(variable.path("name").asText(), variable));
        return env;
    }

    /** The container's variables: its ConfigMaps' and its own (a value from a Secret or the pod as "(from …)"). */
    static Map<String, String> environment(String overlay, JsonNode container) throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>();
        for (JsonNode source : container.path("envFrom")) {
            String name = source.at("/configMapRef/name").asText();
            JsonNode data = kind(overlay, "ConfigMap").stream().filter(map -> map.at("/metadata/name").asText().equals(name))
                    .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + name)).path("data");
            data.fields().forEachRemaining(entry -> env.put(entry.getKey(), entry.getValue().asText()));
        }
        env(container).forEach((name, variable) -> env.put(name, variable.has("value") ? variable.path("value").asText() : "(from elsewhere)"));
        return env;
    }

    static Map<String, JsonNode> mounts(JsonNode container) {
        Map<String, JsonNode> mounts = new HashMap<>();
        container.path("volumeMounts").forEach(mount -> mounts.put(mount.path("mountPath").asText(), mount));
        return mounts;
    }

    static Map<String, JsonNode> volumes(JsonNode workload) {
        Map<String, JsonNode> volumes = new HashMap<>();
        workload.at("/spec/template/spec/volumes").forEach(volume -> volumes.put(volume.path("name").asText(), volume));
        return volumes;
    }
}
