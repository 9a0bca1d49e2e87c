package dev.incidentengine.incident;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.incidentengine.incident.api.TicketWebhooks;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

    @Test
    void aTicketWebhookNeedsTheConnectorsAccount_andAReadableSecretOfSixteenBytes(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("jira.secret"), "0123456789abcdef\n");
        Path shortSecret = Files.writeString(dir.resolve("short.secret"), "0123456789abcde");
        String file = IncidentStreamConfig.JIRA_WEBHOOK_SECRET_FILE_CONFIG;
        String account = IncidentStreamConfig.JIRA_ACCOUNT_CONFIG;

        assertThat(new IncidentStreamConfig(Map.of()).ticketWebhooks().jira()).isNull();
        TicketWebhooks.Settings settings = new IncidentStreamConfig(Map.of(file, secret.toString(), account, "bot-id")).ticketWebhooks();
        assertThat(settings.jira().secret()).asString().isEqualTo("0123456789abcdef");
        assertThat(settings.github()).isNull();
        assertThat(settings.resolution()).isEqualTo(TicketWebhooks.Resolution.RESOLVE);

        assertThatThrownBy(() -> new IncidentStreamConfig(Map.of(file, secret.toString()))).isInstanceOf(ConfigException.class)
                .hasMessageContaining(account);
        assertThatThrownBy(() -> new IncidentStreamConfig(Map.of(file, shortSecret.toString(), account, "bot-id")))
                .hasMessageContaining(file).hasMessageContaining("fewer than 16 bytes").hasMessageNotContaining("0123456789");
        assertThatThrownBy(() -> new IncidentStreamConfig(Map.of(file, dir.resolve("missing").toString(), account, "bot-id")))
                .hasMessageContaining(file).hasMessageContaining("cannot be read");
        assertThatThrownBy(() -> new IncidentStreamConfig(Map.of(IncidentStreamConfig.GITHUB_WEBHOOK_SECRET_FILE_CONFIG, secret.toString())))
                .hasMessageContaining(IncidentStreamConfig.GITHUB_LOGIN_CONFIG);
        assertThatThrownBy(() -> new IncidentStreamConfig(Map.of(IncidentStreamConfig.TICKETING_RESOLUTION_CONFIG, "close")))
                .hasMessageContaining(IncidentStreamConfig.TICKETING_RESOLUTION_CONFIG);
    }

    /** /incident oncall: escalation-stream's URL (empty: the own server) and a viewer token from a file that is never shown. */
    @Test
    void theSlackAppsOnCallLookup_readsItsUrlAndTokenFile_andWaitsWellInsideSlacksThreeSeconds(@TempDir Path dir) throws Exception {
        Map<String, String> slack = Map.of(IncidentStreamConfig.SLACK_SIGNING_SECRET_FILE_CONFIG,
                Files.writeString(dir.resolve("signing"), "a-signing-secret-of-enough-bytes").toString(),
                IncidentStreamConfig.SLACK_USERS_FILE_CONFIG, Files.writeString(dir.resolve("users.yaml"), "users: []\n").toString(),
                IncidentStreamConfig.SLACK_BOT_TOKEN_FILE_CONFIG, Files.writeString(dir.resolve("bot"), "xoxb-1").toString());
        String token = Files.writeString(dir.resolve("oncall-token"), "viewer-token-of-the-slack-app\n").toString();

        var unset = new IncidentStreamConfig(slack).slackApp().oncall();
        assertThat(unset.baseUrl()).as("the own server").isNull();
        assertThat(unset.token()).as("not configured").isNull();
        assertThat(unset.timeout()).isEqualTo(java.time.Duration.ofMillis(2_500));

        Map<String, String> set = new java.util.HashMap<>(slack);
        set.put(IncidentStreamConfig.SLACK_ONCALL_URL_CONFIG, "http://escalation-stream:8080/");
        set.put(IncidentStreamConfig.SLACK_ONCALL_TOKEN_FILE_CONFIG, token);
        set.put(IncidentStreamConfig.SLACK_WAIT_MS_CONFIG, "60000");
        var oncall = new IncidentStreamConfig(set).slackApp().oncall();
        assertThat(oncall.baseUrl()).hasToString("http://escalation-stream:8080");
        assertThat(oncall.token()).isEqualTo("viewer-token-of-the-slack-app");
        assertThat(oncall.timeout()).as("capped inside Slack's 3 s").isEqualTo(java.time.Duration.ofMillis(2_500));
        assertThat(oncall.toString()).doesNotContain("viewer-token");
        assertThat(new IncidentStreamConfig(set).slackApp().toString()).doesNotContain("viewer-token", "xoxb-1", "signing-secret");
        set.put(IncidentStreamConfig.SLACK_WAIT_MS_CONFIG, "0");
        assertThat(new IncidentStreamConfig(set).slackApp().oncall().timeout()).isEqualTo(java.time.Duration.ofMillis(100));

        for (String bad : new String[] {"escalation-stream:8080", "https://user:secret@escalation-stream", "http://e:8080/?token=x"}) {
            set.put(IncidentStreamConfig.SLACK_ONCALL_URL_CONFIG, bad);
            assertThatThrownBy(() -> new IncidentStreamConfig(set)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(IncidentStreamConfig.SLACK_ONCALL_URL_CONFIG).hasMessageNotContaining("secret");
        }
        set.put(IncidentStreamConfig.SLACK_ONCALL_URL_CONFIG, "");
        set.put(IncidentStreamConfig.SLACK_ONCALL_TOKEN_FILE_CONFIG, dir.resolve("missing").toString());
        assertThatThrownBy(() -> new IncidentStreamConfig(set)).hasMessageContaining(IncidentStreamConfig.SLACK_ONCALL_TOKEN_FILE_CONFIG)
                .hasMessageContaining("cannot be read");
    }

    private static IncidentStreamConfig config(String receiversBaseUrl) {
        return new IncidentStreamConfig(Map.of(IncidentStreamConfig.API_RECEIVERS_BASE_URL_CONFIG, receiversBaseUrl));
    }
}
