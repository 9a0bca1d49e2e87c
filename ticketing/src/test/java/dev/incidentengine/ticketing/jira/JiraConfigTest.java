package dev.incidentengine.ticketing.jira;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each bad {@code jira.*} value is named by validation, as Connect's validate shows it; a good config passes. */
class JiraConfigTest {

    private static Map<String, String> good() {
        return new HashMap<>(Map.of(JiraProvider.URL, "https://acme.atlassian.net", JiraProvider.USER, "bot@acme.com",
                JiraProvider.TOKEN, "secret-token", JiraProvider.PROJECT, "OPS"));
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(JiraProvider.URL, null, "Missing required configuration"),
                Arguments.of(JiraProvider.URL, "acme.atlassian.net", "absolute http(s) URL"),
                Arguments.of(JiraProvider.URL, "ftp://acme.example", "absolute http(s) URL"),
                Arguments.of(JiraProvider.URL, "https://user:pw@acme.atlassian.net", "without credentials"),
                Arguments.of(JiraProvider.API_VERSION, "4", "must be 3 (Jira Cloud) or 2"),
                Arguments.of(JiraProvider.API_VERSION, "three", "Not a number of type INT"),
                Arguments.of(JiraProvider.TOKEN, null, "Missing required configuration"),
                Arguments.of(JiraProvider.TOKEN, " ", "is required"),
                Arguments.of(JiraProvider.PROJECT, "ops", "project key"),
                Arguments.of(JiraProvider.PROJECT, "O PS", "project key"),
                Arguments.of(JiraProvider.ISSUE_TYPE, "", "String must be non-empty"),
                Arguments.of(JiraProvider.LABELS, "ok,two words", "without spaces"),
                Arguments.of(JiraProvider.LINK_TYPE, "", "String must be non-empty"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badValues")
    void aBadValueIsNamed(String key, String value, String why) {
        Map<String, String> settings = good();
        if (value == null) {
            settings.remove(key);
        } else {
            settings.put(key, value);
        }
        Map<String, ConfigValue> results = new HashMap<>();
        JiraSystemTest.definition().validate(settings).forEach(result -> results.put(result.name(), result));

        assertThat(results.get(key).errorMessages()).as(key).singleElement().asString().contains(why);
        assertThat(results.values().stream().filter(result -> !result.name().equals(key)))
                .allSatisfy(result -> assertThat(result.errorMessages()).as(result.name()).isEmpty());
        assertThat(results.get(key).errorMessages().toString()).doesNotContain("secret-token");
    }

    @Test
    void cloudNeedsTheAccountsAddress_dataCenterSendsTheTokenAsBearer() {
        Map<String, String> cloud = good();
        cloud.remove(JiraProvider.USER);
        assertThatThrownBy(() -> JiraProvider.settings(new AbstractConfig(JiraSystemTest.definition(), cloud)))
                .isInstanceOf(ConfigException.class).hasMessageContaining(JiraProvider.USER).hasMessageContaining("e-mail");

        Map<String, String> dataCenter = good();
        dataCenter.remove(JiraProvider.USER);
        dataCenter.put(JiraProvider.API_VERSION, "2");
        JiraSystem.Settings settings = JiraProvider.settings(new AbstractConfig(JiraSystemTest.definition(), dataCenter));
        assertThat(settings.authorization()).isEqualTo("Bearer secret-token");
        assertThat(settings.priorities()).hasSize(5);
        assertThat(settings.transitions()).containsOnlyKeys(JiraSystem.Transition.RESOLVE, JiraSystem.Transition.REOPEN);
    }
}
