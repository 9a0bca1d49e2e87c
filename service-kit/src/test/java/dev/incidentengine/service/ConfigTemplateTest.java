package dev.incidentengine.service;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigTemplateTest {

    /** A definition as the services write theirs: the shared settings and some of the service's own. */
    public static final ConfigDef CONFIG_DEF = EngineConfig.withApiTokens(EngineConfig.baseDefinition(8089))
            .define("sample.mode", Type.STRING, "fast", ConfigDef.ValidString.in("fast", "slow"), Importance.MEDIUM,
                    "How the sample runs.")
            .define("sample.peers", Type.LIST, "a,b", Importance.LOW, "Peers.")
            .define("sample.required", Type.STRING, ConfigDef.NO_DEFAULT_VALUE, Importance.HIGH, "Must be given.");

    @TempDir
    Path dir;

    @Test
    void everySettingIsDocumentedWithItsDefaultTypeValidValuesAndVariable_andCommentedOut() throws IOException {
        String template = ConfigTemplate.render("sample", "SampleConfig", CONFIG_DEF);

        CONFIG_DEF.names().forEach(key -> assertThat(template).as(key).contains("\n#" + key + "="));
        assertThat(template)
                .contains("# HTTP port for the API")
                .contains("# Type: int. Default: 8089. Valid values: [0,...,65535]. Importance: medium.\n# Environment: INCIDENT_HTTP_PORT\n#http.port=8089\n")
                .contains("# Environment: KAFKA_BOOTSTRAP_SERVERS\n#kafka.bootstrap.servers=127.0.0.1:9092\n")
                .contains("Valid values: [fast, slow]")
                .contains("#sample.peers=a,b\n")
                .contains("# Type: string. Required. Importance: high.\n# Environment: INCIDENT_SAMPLE_REQUIRED\n#sample.required=\n")
                .contains("# ---- sample ")
                .contains("#kafka.sasl.mechanism=SCRAM-SHA-512", "#kafka.sasl.mechanism=OAUTHBEARER", "KAFKA_SASL_JAAS_CONFIG",
                        "#kafka.ssl.truststore.location=", "KAFKA_CONFIG_PROVIDERS");
        // Loaded as the service loads it, the template sets nothing: every default applies.
        Properties loaded = new Properties();
        loaded.load(new StringReader(template));
        assertThat(loaded).isEmpty();
    }

    @Test
    void theEnvironmentVariableOfEachSettingIsTheOneConfigSourcesReads() {
        CONFIG_DEF.names().forEach(key -> assertThat(ConfigSources.load(null, Map.of(ConfigTemplate.environmentVariable(key), "x")))
                .as(key).containsEntry(key, "x"));
    }

    @Test
    void mainWritesTheTemplateAndTheLogConfiguration() throws Exception {
        ConfigTemplate.main(new String[] {"sample", ConfigTemplateTest.class.getName(), dir.toString()});

        assertThat(Files.readString(dir.resolve("sample.properties"))).isEqualTo(ConfigTemplate.render("sample", "ConfigTemplateTest", CONFIG_DEF));
        assertThat(Files.readString(dir.resolve("logback.xml"))).contains("<appender name=\"STDOUT\"");
    }
}
