package dev.incidentengine.deploy;

import java.util.Map;

import dev.incidentengine.ingest.AlertIngestConfig;
import dev.incidentengine.service.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalEngineSettingsTest {

    private static final Map<String, String> LOCAL = Map.of("state.dir", "/local/state", "kafka.num.standby.replicas", "0",
            "api.tokens.file", "deploy/local/secrets/api-tokens.yaml");
    private static final Map<String, String> ENGINE = Map.of("kafka.bootstrap.servers", "127.0.0.1:19092",
            "http.host", "127.0.0.1", "http.port", "8080");

    @Test
    void givenIncidentAndKafkaVariables_thenTheyReachTheServicesOverTheLocalEnginesChoices() {
        Map<String, String> user = ConfigSources.load(null, Map.of(
                "INCIDENT_INGEST_RATE_LIMIT_ALERTS_PER_SECOND", "5",
                "INCIDENT_INGEST_RATE_LIMIT_BURST", "1000",
                "INCIDENT_STATE_DIR", "/data/state",
                "KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "HOME", "/root"));

        AlertIngestConfig config = new AlertIngestConfig(LocalEngine.settings(LOCAL, user, ENGINE, Map.of()));

        assertThat(config.rateLimitPerSecond()).isEqualTo(5.0);
        assertThat(config.rateLimitBurst()).isEqualTo(1000);
        assertThat(config.stateDir()).isEqualTo("/data/state");
        assertThat(config.kafkaProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("num.standby.replicas", "0");
        assertThat(config.originalsStrings()).containsEntry("api.tokens.file", "deploy/local/secrets/api-tokens.yaml");
    }

    @Test
    void theEnginesKafkaAndHttpServerWinOverTheEnvironment_andSettingFlagsOverEverything() {
        Map<String, String> user = ConfigSources.load(null, Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "somewhere-else:9092",
                "INCIDENT_HTTP_PORT", "9999",
                "INCIDENT_INGEST_RATE_LIMIT_ALERTS_PER_SECOND", "5"));

        AlertIngestConfig config = new AlertIngestConfig(LocalEngine.settings(LOCAL, user, ENGINE,
                Map.of("ingest.rate.limit.alerts.per.second", "7")));

        assertThat(config.kafkaProperties()).containsEntry("bootstrap.servers", "127.0.0.1:19092");
        assertThat(config.httpPort()).isEqualTo(8080);
        assertThat(config.rateLimitPerSecond()).isEqualTo(7.0);
    }
}
