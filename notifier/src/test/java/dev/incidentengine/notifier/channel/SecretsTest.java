package dev.incidentengine.notifier.channel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where secrets come from, and where they cannot: another environment variable, a path out of the secrets directory. */
class SecretsTest {

    @TempDir
    Path dir;

    @Test
    void aSecretIsItsPrefixedVariable_elseItsFile() throws IOException {
        Files.writeString(dir.resolve("slack-bot-token"), "xoxb-from-file\n");
        Files.writeString(dir.resolve("pd.routing"), "from-file");
        Secrets secrets = new Secrets(Map.of("INCIDENT_SECRET_PD_ROUTING", "from-variable"), dir);

        assertThat(Secrets.variable("slack-bot-token")).isEqualTo("INCIDENT_SECRET_SLACK_BOT_TOKEN");
        assertThat(secrets.require("slack-bot-token")).isEqualTo("xoxb-from-file");
        assertThat(secrets.require("pd.routing")).isEqualTo("from-variable");
    }

    @Test
    void anyOtherEnvironmentVariableIsNoSecret() {
        Secrets secrets = new Secrets(Map.of("AWS_SECRET_ACCESS_KEY", "aws-value", "KAFKA_SASL_JAAS_CONFIG", "jaas-value"), dir);

        assertThatThrownBy(() -> secrets.require("AWS_SECRET_ACCESS_KEY"))
                .hasMessage("secret AWS_SECRET_ACCESS_KEY is neither the environment variable INCIDENT_SECRET_AWS_SECRET_ACCESS_KEY nor a file in "
                        + dir)
                .hasMessageNotContaining("aws-value");
    }

    @Test
    void aNameCannotLeaveTheSecretsDirectory() throws IOException {
        Path secretsDir = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(dir.resolve("outside"), "not a secret");
        Secrets secrets = new Secrets(Map.of(), secretsDir);

        for (String name : new String[] {"../outside", "..", ".", "/etc/passwd", "sub/name", ".hidden", "a\\b", ""}) {
            assertThatThrownBy(() -> secrets.require(name)).as(name).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("invalid secret name: " + name);
        }
    }
}
