package dev.incidentengine.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;

import dev.incidentengine.service.ConfigSources;
import dev.incidentengine.service.EngineConfig;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/**
 * Where the commands that read or write the topics themselves find Kafka, and how they sign in: the bootstrap flag, else
 * {@code INCIDENTCTL_BOOTSTRAP_SERVERS}, else the local engine's broker; client settings (TLS, SASL) from a properties file
 * as Kafka's own tools take one, then {@code KAFKA_*} environment variables as the services take them.
 */
final class KafkaSource {

    @Option(names = "--bootstrap-servers", defaultValue = "${env:INCIDENTCTL_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
            description = "Kafka (env INCIDENTCTL_BOOTSTRAP_SERVERS; default ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--kafka-config", defaultValue = "${env:INCIDENTCTL_KAFKA_CONFIG}",
            description = "Kafka client settings, a properties file (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.*; "
                    + "env INCIDENTCTL_KAFKA_CONFIG); KAFKA_* environment variables win (KAFKA_SASL_JAAS_CONFIG is sasl.jaas.config).")
    Path kafkaConfig;

    IncidentLog log() {
        return new IncidentLog(clientProps());
    }

    /** The Kafka client settings: the file's, then the environment's, and the bootstrap servers. */
    Map<String, Object> clientProps() {
        Map<String, Object> props = new TreeMap<>();
        if (kafkaConfig != null) {
            Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(kafkaConfig, StandardCharsets.UTF_8)) {
                file.load(reader);
            } catch (IOException e) {
                throw new CliError(CliError.USAGE, "cannot read --kafka-config " + kafkaConfig + ": " + e.getMessage());
            }
            file.stringPropertyNames().forEach(name -> props.put(name, file.getProperty(name)));
        }
        Map<String, String> kafkaEnv = Connection.environment.entrySet().stream().filter(e -> e.getKey().startsWith("KAFKA_"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        ConfigSources.load(null, kafkaEnv).forEach((key, value) -> props.put(key.substring(EngineConfig.KAFKA_PREFIX.length()), value));
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return props;
    }
}
