package dev.incidentengine.ticketing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Each bad setting of ServiceNow and GitHub is named: by its validator in Connect's validation, or by the provider's create. */
class BadConfigurationTest {

    private static final Map<String, Map<String, String>> VALID = Map.of(
            "servicenow", Map.of("servicenow.url", "https://acme.service-now.com", "servicenow.user", "engine",
                    "servicenow.password", "secret"),
            "github", Map.of("github.token", "ghp_x", "github.repository", "acme/ops"));

    static Stream<Arguments> badSettings() {
        return Stream.of(
                arguments("servicenow", "servicenow.url", null),
                arguments("servicenow", "servicenow.url", "ftp://acme.service-now.com"),
                arguments("servicenow", "servicenow.url", "https://acme.service-now.com/?x=1"),
                arguments("servicenow", "servicenow.url", "acme"),
                arguments("servicenow", "servicenow.user", null),
                arguments("servicenow", "servicenow.user", ""),
                arguments("servicenow", "servicenow.password", ""),
                arguments("servicenow", "servicenow.impact.SEV2", "4"),
                arguments("servicenow", "servicenow.urgency.SEV0", "0"),
                arguments("servicenow", "servicenow.urgency.SEV4", "low"),
                arguments("servicenow", "servicenow.close.code", " "),
                arguments("servicenow", "servicenow.comment.field", "description"),
                arguments("servicenow", "servicenow.poll.delay.ms", "-1"),
                arguments("github", "github.url", "api.github.com"),
                arguments("github", "github.token", null),
                arguments("github", "github.token", " "),
                arguments("github", "github.repository", null),
                arguments("github", "github.repository", "ops"),
                arguments("github", "github.repository", "acme/ops/extra"),
                arguments("github", "github.labels", "ok," + "x".repeat(51)),
                arguments("github", "github.labels", "severity:SEV1"),
                arguments("github", "github.labels", "incident-engine:mine"),
                arguments("github", "github.assignees", "alice,not a login"),
                arguments("github", "github.assignees", "a,b,c,d,e,f,g,h,i,j,k"));
    }

    @ParameterizedTest(name = "{0}: {1}={2}")
    @MethodSource("badSettings")
    void aBadSettingIsNamed(String system, String setting, String value) {
        Map<String, String> props = new HashMap<>(VALID.get(system));
        if (value == null) {
            props.remove(setting);
        } else {
            props.put(setting, value);
        }

        assertThat(problems(system, props)).anySatisfy(problem -> assertThat(problem).contains(setting));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("systems")
    void theValidConfigurationHasNoProblem(String system) {
        assertThat(problems(system, VALID.get(system))).isEmpty();
    }

    static Stream<String> systems() {
        return VALID.keySet().stream();
    }

    static Stream<Arguments> credentials() {
        return Stream.of(
                arguments(Map.of("servicenow.password", "p", "servicenow.token", "t"), "servicenow.token"),
                arguments(Map.of("servicenow.password", "p", "servicenow.oauth.client.id", "c", "servicenow.oauth.client.secret", "s"),
                        "servicenow.oauth.client.secret"),
                arguments(Map.of("servicenow.token", "t", "servicenow.oauth.client.id", "c", "servicenow.oauth.client.secret", "s"),
                        "servicenow.oauth.client.secret"),
                arguments(Map.of("servicenow.oauth.client.secret", "s"), "servicenow.oauth.client.id"),
                arguments(Map.of(), "servicenow.password"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("credentials")
    void serviceNowTakesExactlyOneCredential(Map<String, String> credentials, String named) {
        Map<String, String> props = new HashMap<>(VALID.get("servicenow"));
        props.remove("servicenow.password");
        props.putAll(credentials);
        assertThat(problems("servicenow", props)).anySatisfy(problem -> assertThat(problem).contains(named));
    }

    @Test
    void serviceNowTakesAnOAuthClientInsteadOfAPassword() {
        Map<String, String> props = new HashMap<>(VALID.get("servicenow"));
        props.remove("servicenow.password");
        props.putAll(Map.of("servicenow.oauth.client.id", "c", "servicenow.oauth.client.secret", "s"));
        assertThat(problems("servicenow", props)).isEmpty();
    }

    /** deploy/connect's examples, their credentials as a config provider would give them. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"servicenow-sink.json", "servicenow-source.json", "github-sink.json"})
    void theDeployedConnectorConfigsAreValid(String file) throws Exception {
        JsonNode config = TicketHttp.JSON.readTree(Path.of("../deploy/connect", file).toFile()).path("config");
        String system = config.path("ticket.system").asText();
        Map<String, String> props = new HashMap<>();
        config.fields().forEachRemaining(field -> {
            if (field.getKey().startsWith(system + ".")) {
                props.put(field.getKey(), field.getValue().asText().replaceAll("^\\$\\{(file|env):.*}$", "from-a-provider"));
            }
        });

        assertThat(props).isNotEmpty();
        assertThat(problems(system, props)).isEmpty();
    }

    /** What Connect's validation reports (each setting's errors, with its name), then what creating the client refuses. */
    private static List<String> problems(String system, Map<String, String> props) {
        TicketSystemProvider provider = TicketSystems.named(system).orElseThrow();
        ConfigDef def = new ConfigDef();
        provider.define(def);
        List<String> problems = new ArrayList<>();
        for (ConfigValue value : def.validate(props)) {
            value.errorMessages().forEach(message -> problems.add(value.name() + ": " + message));
        }
        if (problems.isEmpty()) {
            try (TicketSystem ignored = provider.create(new AbstractConfig(def, props),
                    TicketHttp.create(system, TicketHttp.Retry.DEFAULT, Duration.ofSeconds(1)))) {
                assertThat(ignored.system()).isEqualTo(system);
            } catch (ConfigException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }
}
