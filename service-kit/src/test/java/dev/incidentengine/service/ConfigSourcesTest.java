package dev.incidentengine.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigSourcesTest {

    static final class SampleConfig extends EngineConfig {
        SampleConfig(Map<?, ?> originals) {
            super(baseDefinition(8080), originals);
        }
    }

    @TempDir
    Path dir;

    @Test
    void givenFileAndEnvironment_thenEnvironmentWinsAndKafkaSettingsPassThrough() throws IOException {
        Path file = Files.writeString(dir.resolve("engine.properties"), "http.port=9000\nhttp.host=0.0.0.0\nkafka.linger.ms=5\n");

        SampleConfig config = new SampleConfig(ConfigSources.load(file, Map.of(
                "INCIDENT_HTTP_PORT", "9100",
                "KAFKA_BOOTSTRAP_SERVERS", "broker-1:9092,broker-2:9092",
                "KAFKA_SASL_JAAS_CONFIG", "secret-jaas",
                "PATH", "/usr/bin")));

        assertThat(config.httpPort()).isEqualTo(9100);
        assertThat(config.httpHost()).isEqualTo("0.0.0.0");
        assertThat(config.getList(EngineConfig.BOOTSTRAP_SERVERS_CONFIG)).isEqualTo(List.of("broker-1:9092", "broker-2:9092"));
        assertThat(config.kafkaProperties())
                .containsEntry("bootstrap.servers", "broker-1:9092,broker-2:9092")
                .containsEntry("linger.ms", "5")
                .containsEntry("sasl.jaas.config", "secret-jaas")
                .doesNotContainKey("path");
    }

    @Test
    void secretVariablesAreNotConfiguration() {
        Map<String, String> values = ConfigSources.load(null, Map.of("INCIDENT_SECRET_SLACK_BOT_TOKEN", "xoxb-1", "INCIDENT_HTTP_PORT", "9100"));

        assertThat(values).containsOnlyKeys("http.port");
    }

    @Test
    void givenNothingSet_thenDefaultsReachTheKafkaClients() {
        SampleConfig config = new SampleConfig(ConfigSources.load(null, Map.of()));

        assertThat(config.kafkaProperties()).containsEntry("bootstrap.servers", "127.0.0.1:9092");
        assertThat(config.httpHost()).isEqualTo("127.0.0.1");
        assertThat(config.httpPort()).isEqualTo(8080);
    }

    @Test
    void givenConfigFileEnvironmentVariable_thenFileIsRead() throws IOException {
        Path file = Files.writeString(dir.resolve("x.properties"), "http.port=9200\n");

        assertThat(new SampleConfig(ConfigSources.load(null, Map.of("INCIDENT_CONFIG_FILE", file.toString()))).httpPort())
                .isEqualTo(9200);
    }

    @Test
    void givenBadValue_thenStartFailsNamingTheSetting() {
        assertThatThrownBy(() -> new SampleConfig(ConfigSources.load(null, Map.of("INCIDENT_HTTP_PORT", "eighty"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.port");
        assertThatThrownBy(() -> new SampleConfig(Map.of("http.port", "70000")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.port");
    }

    @Test
    void givenMissingFile_thenClearError() {
        assertThatThrownBy(() -> ConfigSources.load(dir.resolve("nope.properties"), Map.of()))
                .hasMessageContaining("nope.properties");
    }

    @Test
    void givenSecrets_whenLogged_thenMasked() {
        SampleConfig config = new SampleConfig(Map.of("kafka.sasl.jaas.config", "hunter2", "kafka.ssl.key.password", "p4ss"));

        assertThat(config.maskedValues())
                .containsEntry("kafka.sasl.jaas.config", "[hidden]")
                .containsEntry("kafka.ssl.key.password", "[hidden]")
                .containsEntry("http.port", 8080);
    }

    @Test
    void givenKafkaSecuritySettings_whenLogged_thenEverySecretIsMaskedAndTheRestShown() {
        Map<String, String> secrets = Map.of(
                "kafka.ssl.keystore.key", "-----BEGIN PRIVATE KEY-----",
                "kafka.ssl.truststore.password", "p1",
                "kafka.ssl.keystore.password", "p2",
                "kafka.producer.ssl.key.password", "p3",
                "kafka.sasl.oauthbearer.assertion.private.key.passphrase", "p4",
                "kafka.sasl.oauthbearer.client.credentials.client.secret", "p5",
                "kafka.basic.auth.user.info", "user:p6");
        Map<String, String> settings = new java.util.HashMap<>(secrets);
        settings.put("kafka.security.protocol", "SASL_SSL");
        settings.put("kafka.sasl.mechanism", "SCRAM-SHA-512");
        settings.put("kafka.ssl.truststore.location", "/etc/kafka/truststore.p12");

        Map<String, Object> shown = new SampleConfig(settings).maskedValues();

        secrets.keySet().forEach(key -> assertThat(shown).containsEntry(key, "[hidden]"));
        assertThat(shown).containsEntry("kafka.security.protocol", "SASL_SSL")
                .containsEntry("kafka.sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("kafka.ssl.truststore.location", "/etc/kafka/truststore.p12");
    }

    @Test
    void givenKafkaConfigProviders_thenTheClientsReadSecretsFromFilesAndTheEnvironment() throws IOException {
        Path secrets = Files.writeString(dir.resolve("kafka-secrets.properties"), "truststore.password=from-a-file\n");
        String path = System.getenv("PATH");
        SampleConfig config = new SampleConfig(ConfigSources.load(null, Map.of(
                "KAFKA_CONFIG_PROVIDERS", "env,file",
                "KAFKA_CONFIG_PROVIDERS_ENV_CLASS", "org.apache.kafka.common.config.provider.EnvVarConfigProvider",
                "KAFKA_CONFIG_PROVIDERS_FILE_CLASS", "org.apache.kafka.common.config.provider.FileConfigProvider",
                "KAFKA_SSL_TRUSTSTORE_PASSWORD", "${file:" + secrets + ":truststore.password}",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required password=\"${env:PATH}\";")));
        Map<String, Object> props = new java.util.HashMap<>(KafkaClients.producer(config, "p"));
        props.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class);
        props.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class);

        org.apache.kafka.clients.producer.ProducerConfig client = new org.apache.kafka.clients.producer.ProducerConfig(props);

        assertThat(client.getPassword("ssl.truststore.password").value()).isEqualTo("from-a-file");
        assertThat(client.getPassword("sasl.jaas.config").value()).contains("password=\"" + path + "\"");
        assertThat(config.maskedValues()).containsEntry("kafka.sasl.jaas.config", "[hidden]");
    }

    @Test
    void givenWeakerGuaranteesRequested_thenEngineGuaranteesHold() {
        SampleConfig config = new SampleConfig(Map.of("kafka.acks", "1", "kafka.enable.idempotence", "false",
                "kafka.processing.guarantee", "at_least_once", "kafka.isolation.level", "read_uncommitted"));

        assertThat(KafkaClients.producer(config, "p")).containsEntry("acks", "all").containsEntry("enable.idempotence", true);
        assertThat(KafkaClients.consumer(config, "g")).containsEntry("isolation.level", "read_committed");
        assertThat(KafkaClients.streams(config, "app")).containsEntry("processing.guarantee", "exactly_once_v2")
                .containsEntry("ensure.explicit.internal.resource.naming", true);
    }

    @Test
    void streamsDefaultToBoundedRocksDbMemoryAndLz4_unlessConfiguredOtherwise() {
        assertThat(KafkaClients.streams(new SampleConfig(Map.of()), "app"))
                .containsEntry("rocksdb.config.setter", BoundedRocksDbMemory.class)
                .containsEntry("producer.compression.type", "lz4");
        assertThat(KafkaClients.streams(new SampleConfig(Map.of("kafka.compression.type", "zstd")), "app"))
                .containsEntry("compression.type", "zstd")
                .doesNotContainKey("producer.compression.type");
    }
}
