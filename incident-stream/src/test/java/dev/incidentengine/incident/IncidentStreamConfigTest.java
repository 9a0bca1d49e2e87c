package dev.incidentengine.incident;

import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IncidentStreamConfigTest {

    @Test
    void theReceiversBaseUrlIsOptional_andKeptWithoutATrailingSlash() {
        assertThat(config("").receiversBaseUrl()).isEmpty();
        assertThat(config("https://alerts.example.com/").receiversBaseUrl()).hasValue("https://alerts.example.com");
        assertThat(config("http://10.0.0.7:8080/engine//").receiversBaseUrl()).hasValue("http://10.0.0.7:8080/engine");
    }

    /** Every integration's URL is built under it: refused at start unless it is a plain absolute http(s) URL. */
    @ParameterizedTest
    @ValueSource(strings = {"alerts.example.com", "/api", "ftp://alerts.example.com", "javascript:alert(1)",
            "https://user:secret@alerts.example.com", "https://alerts.example.com/?key=x", "https://alerts.example.com/#x", "https://"})
    void aReceiversBaseUrlThatIsNotAnAbsoluteHttpUrlIsRefused(String url) {
        assertThatThrownBy(() -> config(url)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(IncidentStreamConfig.API_RECEIVERS_BASE_URL_CONFIG);
    }

    private static IncidentStreamConfig config(String receiversBaseUrl) {
        return new IncidentStreamConfig(Map.of(IncidentStreamConfig.API_RECEIVERS_BASE_URL_CONFIG, receiversBaseUrl));
    }
}
