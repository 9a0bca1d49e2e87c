package dev.incidentengine.deploy.manifests;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import dev.incidentengine.deploy.manifests.EngineServices.DeployedService;
import dev.incidentengine.service.ConfigSources;
import dev.incidentengine.service.EngineConfig;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

import static org.assertj.core.api.Assertions.assertThat;

/** A deployment's environment for one service, read as the service reads it and checked against what it defines. */
final class ServiceSettings {

    /** What Kafka's clients (Streams, producer, consumer, admin) take: the names {@code KAFKA_*} variables may have. */
    private static final Set<String> KAFKA_CLIENT_SETTINGS = new HashSet<>();

    static {
        KAFKA_CLIENT_SETTINGS.addAll(StreamsConfig.configDef().names());
        KAFKA_CLIENT_SETTINGS.addAll(ProducerConfig.configNames());
        KAFKA_CLIENT_SETTINGS.addAll(ConsumerConfig.configNames());
        KAFKA_CLIENT_SETTINGS.addAll(AdminClientConfig.configNames());
    }

    private ServiceSettings() {
    }

    /**
     * The settings {@code env} gives {@code service} ({@link ConfigSources}): every variable is {@code INCIDENT_*} or
     * {@code KAFKA_*}, every {@code INCIDENT_*} one names a setting the service defines, every {@code KAFKA_*} one a Kafka
     * client setting, and every value is valid (type and range) as the service would parse it.
     */
    static Map<String, String> checked(DeployedService service, Map<String, String> env, String where) {
        env.keySet().forEach(name -> assertThat(name).as("%s: settings are INCIDENT_* and KAFKA_* variables", where)
                .matches("(INCIDENT|KAFKA)_[A-Z0-9_]+"));
        Map<String, String> settings = ConfigSources.load(null, env);
        settings.keySet().forEach(key -> {
            if (key.startsWith(EngineConfig.KAFKA_PREFIX)) {
                assertThat(KAFKA_CLIENT_SETTINGS).as("%s: %s is a Kafka client setting", where, key)
                        .contains(key.substring(EngineConfig.KAFKA_PREFIX.length()));
            } else {
                assertThat(service.settings().names()).as("%s: %s defines %s", where, service.name(), key).contains(key);
            }
        });
        service.settings().parse(settings);
        assertThat(settings.get(EngineConfig.HTTP_PORT_CONFIG)).as("%s port", where).isEqualTo(Integer.toString(service.httpPort()));
        assertThat(settings.get(EngineConfig.HTTP_HOST_CONFIG)).as("%s: reachable from outside its container", where).isEqualTo("0.0.0.0");
        return settings;
    }
}
