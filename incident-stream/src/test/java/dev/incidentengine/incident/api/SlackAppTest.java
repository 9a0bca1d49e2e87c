package dev.incidentengine.incident.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the Slack app reads of Slack's payloads, and its user map (over HTTP and Kafka: LocalEngineSlackIT). */
class SlackAppTest {

    /** A block_actions payload as Slack documents it (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload). */
    static String blockActions(String user, String actionId, String incidentId, String channel, String messageTs, String actionTs) {
        return """
                {"type":"block_actions","user":{"id":"%s","username":"someone","team_id":"T0LOCAL"},"api_app_id":"A0LOCAL",
                 "token":"deprecated","container":{"type":"message","message_ts":"%s","channel_id":"%s","is_ephemeral":false},
                 "trigger_id":"1.2.3","team":{"id":"T0LOCAL","domain":"local"},"channel":{"id":"%s","name":"directmessage"},
                 "message":{"type":"message","ts":"%s","text":"fallback","blocks":[{"type":"header","block_id":"h"}]},
                 "response_url":"https://hooks.slack.com/actions/T0LOCAL/1/x",
                 "actions":[{"action_id":"%s","block_id":"incident-actions","text":{"type":"plain_text","text":"Acknowledge"},
                   "value":"%s","type":"button","action_ts":"%s"}]}""".formatted(user, messageTs, channel, channel, messageTs, actionId,
                incidentId, actionTs);
    }

    static byte[] form(Map<String, String> fields) {
        StringBuilder out = new StringBuilder();
        fields.forEach((name, value) -> out.append(out.isEmpty() ? "" : "&").append(name).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aButtonPressIsReadAsTheApisCommand_withAnIdFromTheAction() {
        SlackApp.Ask ask = SlackApp.interaction(SlackApp.form(form(Map.of("payload",
                blockActions("U0ALICE001", "incident.acknowledge", "INC-7", "D0001", "1700000000.000100", "1700000001.000200")))));

        assertThat(ask.slackUser()).isEqualTo("U0ALICE001");
        assertThat(ask.verb()).isEqualTo("acknowledge");
        assertThat(ask.incidentId()).isEqualTo("INC-7");
        assertThat(ask.channel()).isEqualTo("D0001");
        assertThat(ask.messageTs()).isEqualTo("1700000000.000100");
        assertThat(ask.team()).isEqualTo("T0LOCAL");
        assertThat(ask.slackId()).isEqualTo("1700000001.000200:U0ALICE001");
        assertThat(ask.message().path("blocks")).hasSize(1);
        assertThat(SlackApp.interaction(SlackApp.form(form(Map.of("payload",
                blockActions("U1", "incident.take", "INC-7", "C1", "1.1", "2.2"))))).verb()).isEqualTo("assign");
        assertThat(SlackApp.interaction(SlackApp.form(form(Map.of("payload",
                blockActions("U1", "incident.resolve", "INC-7", "C1", "1.1", "2.2"))))).verb()).isEqualTo("resolve");
    }

    @Test
    void otherInteractions_andTheLinkButton_areIgnored() {
        assertThat(SlackApp.interaction(Map.of("payload", "{\"type\":\"view_submission\"}"))).isNull();
        assertThat(SlackApp.interaction(Map.of("payload", blockActions("U1", "open-incident", "INC-7", "C1", "1.1", "2.2")))).isNull();
    }

    @Test
    void malformedInteractionsAreRefusedWithTheField() {
        assertThat(error(() -> SlackApp.interaction(Map.of()))).isEqualTo("400 payload");
        assertThat(error(() -> SlackApp.interaction(Map.of("payload", "{nope")))).isEqualTo("400 payload");
        assertThat(error(() -> SlackApp.interaction(Map.of("payload", "[1]")))).isEqualTo("400 payload");
        assertThat(error(() -> SlackApp.interaction(Map.of("payload", blockActions("U1", "incident.acknowledge", "INC 7/../x", "C1", "1.1", "2.2")))))
                .isEqualTo("400 actions[0].value");
        assertThat(error(() -> SlackApp.interaction(Map.of("payload", blockActions("", "incident.acknowledge", "INC-7", "C1", "1.1", "2.2")))))
                .isEqualTo("400 user.id");
        assertThat(error(() -> SlackApp.interaction(Map.of("payload", blockActions("U1", "incident.acknowledge", "INC-7", "C1", "", "2.2")))))
                .isEqualTo("400 container.message_ts");
        assertThat(error(() -> SlackApp.form("payload=%zz".getBytes(StandardCharsets.UTF_8)))).isEqualTo("400 body");
        assertThat(error(() -> SlackApp.form("a=1&a=2".getBytes(StandardCharsets.UTF_8)))).isEqualTo("400 a");
        assertThat(error(() -> SlackApp.form(new byte[0]))).isEqualTo("400 body");
    }

    @Test
    void slashCommandsReadTheirVerbIdAndText() {
        SlackApp.Ask note = SlackApp.slashCommand(Map.of("user_id", "U1", "team_id", "T1", "channel_id", "C1", "trigger_id", "9.9.9",
                "command", "/incident", "text", "  note INC-7   rolled back <!channel> & more  "));
        assertThat(note.verb()).isEqualTo("notes");
        assertThat(note.incidentId()).isEqualTo("INC-7");
        assertThat(note.text()).isEqualTo("rolled back <!channel> & more");
        assertThat(note.slackId()).isEqualTo("9.9.9");
        assertThat(note.button()).isFalse();
        assertThat(SlackApp.slashCommand(Map.of("user_id", "U1", "trigger_id", "t", "text", "ack INC-7")).verb()).isEqualTo("acknowledge");
        assertThat(SlackApp.slashCommand(Map.of("user_id", "U1", "trigger_id", "t", "text", "take INC-7")).verb()).isEqualTo("assign");
        assertThat(SlackApp.slashCommand(Map.of("user_id", "U1", "trigger_id", "t", "text", "STATUS INC-7")).verb()).isEqualTo("status");
        SlackApp.Ask resolve = SlackApp.slashCommand(Map.of("user_id", "U1", "trigger_id", "t", "text", "resolve INC-7 fixed by restart"));
        assertThat(resolve.verb()).isEqualTo("resolve");
        assertThat(resolve.text()).isEqualTo("fixed by restart");
    }

    @Test
    void slashCommandTyposAreAnsweredWithUsage() {
        assertThat(error(() -> SlackApp.slashCommand(Map.of("user_id", "U1", "trigger_id", "t", "text", "")))).isEqualTo("400 text");
        assertThat(error(() -> SlackApp.slashCommand(Map.of("user_id", "U1", "trigger_id", "t", "text", "ack")))).isEqualTo("400 text");
        assertThat(error(() -> SlackApp.slashCommand(Map.of("user_id", "U1", "trigger_id", "t", "text", "delete INC-7")))).isEqualTo("400 text");
        assertThat(error(() -> SlackApp.slashCommand(Map.of("user_id", "U1", "trigger_id", "t", "text", "note INC-7")))).isEqualTo("400 text");
        assertThat(error(() -> SlackApp.slashCommand(Map.of("user_id", "U1", "trigger_id", "t",
                "text", "note INC-7 " + "x".repeat(SlackApp.MAX_NOTE + 1))))).isEqualTo("400 text");
        assertThat(error(() -> SlackApp.slashCommand(Map.of("trigger_id", "t", "text", "ack INC-7")))).isEqualTo("400 user_id");
    }

    @Test
    void textIsEscapedForMrkdwn() {
        assertThat(SlackApp.mrkdwn("<!channel> & <https://evil|click>")).isEqualTo("&lt;!channel&gt; &amp; &lt;https://evil|click&gt;");
    }

    @Test
    void theUserMapReadsSlackIdsAndRoles_andSaysWhatIsWrong(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("slack-users.yaml");
        Files.writeString(file, "users:\n  - {slackUserId: U0ALICE002, user: alice, role: responder}\n"
                + "  - {slackUserId: U0BOB00001, user: bob, role: viewer}\n  - {slackUserId: U0ALICE001, user: alice, role: viewer}\n");
        SlackUsers users = SlackUsers.load(file);
        assertThat(users.user("U0ALICE002")).contains(new ApiUser("alice", Role.RESPONDER));
        assertThat(users.user("U0BOB00001")).contains(new ApiUser("bob", Role.VIEWER));
        assertThat(users.user("U0NOBODY01")).isEmpty();
        // Back from engine user to Slack (the on-call answer's mentions): the lowest member id of one who has two.
        assertThat(users.slackId("alice")).contains("U0ALICE001");
        assertThat(users.slackId("bob")).contains("U0BOB00001");
        assertThat(users.slackId("carol")).isEmpty();

        Map<String, String> wrong = Map.of(
                "users:\n  - {slackUserId: alice, user: alice, role: responder}\n", "is not a Slack member id",
                "users:\n  - {slackUserId: U0A, user: alice, role: boss}\n", "must be viewer, responder or admin",
                "users:\n  - {slackUserId: U0A, user: alice, role: viewer, token: x}\n", "token: unknown field",
                "users:\n  - {slackUserId: U0A, user: a, role: viewer}\n  - {slackUserId: U0A, user: b, role: viewer}\n", "listed twice",
                "people: []\n", "one key, 'users'");
        for (Map.Entry<String, String> bad : wrong.entrySet()) {
            Files.writeString(file, bad.getKey());
            assertThatThrownBy(() -> SlackUsers.load(file)).hasMessageContaining(bad.getValue()).hasMessageContaining(file.toString());
        }
    }

    private static String error(Runnable call) {
        try {
            call.run();
        } catch (ApiError error) {
            return error.status() + " " + error.field();
        }
        return "no error";
    }
}
