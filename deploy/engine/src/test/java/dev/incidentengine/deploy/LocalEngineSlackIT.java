package dev.incidentengine.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.incident.api.SlackUsers;
import dev.incidentengine.slack.SlackServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 21's "a button in Slack acknowledges", on the local engine with deploy/local's Slack app settings and its Slack-shaped
 * server: a page to Slack carries buttons; presses shaped and signed as Slack sends them are refused when forged, stale, replayed,
 * from an unmapped user or from a viewer (ephemeral refusals, nothing changes), and a responder's press acknowledges through
 * Kafka with them as actor and updates the page in place; {@code /incident} answers status to a viewer and resolves for a responder,
 * and {@code /incident oncall} answers a viewer with who is on call, asked of escalation-stream on the engine's own server.
 */
class LocalEngineSlackIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String VIEWER_TOKEN = "demo-viewer-token-change-me";
    private static final String ALICE = "U0ALICE001";
    private static final String BOB = "U0BOB00001";
    private static final String NOBODY = "U0NOBODY01";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    void aPageToSlackCarriesButtons_aSignedPressAcknowledgesAndUpdatesIt_andBadPressesChangeNothing() throws Exception {
        // deploy/local as it is, but checkout's first level pages alice, on Slack first.
        Path config = dataDir.resolve("config");
        EngineCalls.copyTree(Path.of("../local"), config);
        replace(config.resolve("oncall.yaml"), "targets: [{type: SCHEDULE, id: payments-primary}]", "targets: [{type: USER, id: alice}]");
        // A schedule with one participant, whom /incident oncall must name.
        replace(config.resolve("oncall.yaml"), "schedules:\n", "schedules:\n  - id: slack-it\n    name: Slack <IT>\n    timeZone: UTC\n"
                + "    layers:\n      - {name: everyone, participants: [dave], rotationLength: 1, rotationUnit: WEEKS, start: \"2026-11-02T00:00:00\"}\n");
        String aliceSlack = "      - {type: SLACK, address: U0ALICE001}  # invited to war rooms (the local engine's Slack-shaped server)\n"
                + "    notificationRules:\n";
        replace(config.resolve("people.yaml"), aliceSlack, aliceSlack + "      - {contactType: SLACK, delayMinutes: 0}\n");
        byte[] secret = Files.readString(config.resolve("secrets").resolve(LocalEngine.LOCAL_SLACK_SIGNING_SECRET)).strip()
                .getBytes(StandardCharsets.UTF_8);
        String botToken = Files.readString(config.resolve("secrets").resolve("LOCAL_SLACK_BOT_TOKEN")).strip();
        LocalEngine engine = EngineCalls.localEngine(dataDir.resolve("data"), config);
        try {
            engine.start();
            SlackServer slack = engine.sinks().slack();
            String interactions = engine.httpUrl() + "/api/v1/slack/interactions";
            String commands = engine.httpUrl() + "/api/v1/slack/commands";

            assertThat(send("POST", engine.httpUrl() + "/api/v1/alerts", "demo-integration-key-change-me",
                    "{\"summary\":\"Checkout <!channel> latency\",\"severity\":\"warning\",\"dedupKey\":\"slack-local-it\"}").statusCode())
                    .isEqualTo(202);
            String id = await("the incident").atMost(Duration.ofSeconds(30)).until(() -> {
                for (JsonNode incident : JSON.readTree(send("GET", engine.httpUrl() + "/api/v1/incidents", VIEWER_TOKEN, null).body())
                        .get("incidents")) {
                    if (incident.get("title").asText().equals("Checkout <!channel> latency")) {
                        return incident.get("incidentId").asText();
                    }
                }
                return null;
            }, Objects::nonNull);

            // The page: a direct message to alice with the three buttons, the incident id their value.
            SlackServer.Posted page = await("alice paged on Slack").atMost(Duration.ofSeconds(60)).until(() -> dm(slack, ALICE), Objects::nonNull);
            String dm = slack.channels().stream().filter(channel -> channel.name().equals(ALICE)).findFirst().orElseThrow().id();
            JsonNode buttons = actions(page.blocks());
            assertThat(buttons.path("elements")).extracting(button -> button.path("action_id").asText())
                    .containsExactly("incident.acknowledge", "incident.take", "incident.resolve");
            assertThat(buttons.path("elements")).allSatisfy(button -> assertThat(button.path("value").asText()).isEqualTo(id));
            ObjectNode message = JSON.createObjectNode().put("type", "message").put("ts", page.ts()).put("text", page.text());
            message.set("blocks", page.blocks());

            // A channel where bob (a viewer) and an unmapped user can press a copy of the card.
            String room = JSON.readTree(slackApi(slack, botToken, "conversations.create", "{\"name\":\"payments-incidents\"}"))
                    .path("channel").path("id").asText();
            assertThat(JSON.readTree(slackApi(slack, botToken, "conversations.invite",
                    "{\"channel\":\"" + room + "\",\"users\":\"" + BOB + "," + NOBODY + "\"}")).path("ok").asBoolean()).isTrue();

            long now = Instant.now().getEpochSecond();
            byte[] alicePress = press(ALICE, "incident.acknowledge", id, dm, message, "1700000001.000001");
            // Forged (another secret), stale (signed well, six minutes old), unsigned: 401, and nothing happens.
            assertThat(post(interactions, alicePress, now, "another-secret-of-enough-bytes".getBytes(StandardCharsets.UTF_8)).statusCode())
                    .isEqualTo(401);
            HttpResponse<String> stale = post(interactions, alicePress, now - 360, secret);
            assertThat(stale.statusCode()).isEqualTo(401);
            assertThat(stale.body()).contains("more than 5 minutes");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(interactions)).POST(HttpRequest.BodyPublishers.ofByteArray(alicePress))
                    .header("Content-Type", "application/x-www-form-urlencoded").build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(401);
            // Unmapped, and a viewer: 200 (Slack shows nothing else), an ephemeral refusal to them alone.
            assertThat(post(interactions, press(NOBODY, "incident.acknowledge", id, room, message, "1700000002.000001"), now, secret)
                    .statusCode()).isEqualTo(200);
            assertThat(post(interactions, press(BOB, "incident.resolve", id, room, message, "1700000003.000001"), now, secret)
                    .statusCode()).isEqualTo(200);
            await("the refusals").atMost(Duration.ofSeconds(10))
                    .until(() -> !slack.ephemerals(NOBODY).isEmpty() && !slack.ephemerals(BOB).isEmpty());
            assertThat(slack.ephemerals(NOBODY).get(0).text()).contains("not mapped", "nothing was changed");
            assertThat(slack.ephemerals(BOB).get(0).text()).contains("You are a viewer", "responder");
            // A viewer may ask for the status; the title is escaped for mrkdwn.
            HttpResponse<String> status = post(commands, slash(BOB, "status " + id, "9.9.1"), now, secret);
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(status.body()).path("text").asText()).contains(id, "Checkout &lt;!channel&gt; latency", "triggered");
            assertThat(JSON.readTree(post(commands, slash(BOB, "ack " + id, "9.9.2"), now, secret).body()).path("text").asText())
                    .contains("You are a viewer");
            assertThat(JSON.readTree(post(commands, slash(ALICE, "frobnicate " + id, "9.9.3"), now, secret).body()).path("text").asText())
                    .startsWith("Usage:");

            // /incident oncall: a viewer is told, by the engine's escalation-stream, that dave is on call for the new schedule, and who
            // each policy's first level pages (the API's answer, asked of the same engine); ephemerally. The people the Slack users
            // file lists are mentions.
            SlackUsers slackUsers = SlackUsers.load(config.resolve("secrets/slack-users.yaml"));
            Function<String, String> named = user -> slackUsers.slackId(user).map(slackId -> "<@" + slackId + ">").orElse(user);
            int[] trigger = {0};
            JsonNode oncall = await("the on-call answer").atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(post(commands,
                    slash(BOB, "oncall slack-it", "9.8." + ++trigger[0]), now, secret).body()),
                    said -> said.path("text").asText().contains(named.apply("dave")));
            assertThat(oncall.path("response_type").asText()).isEqualTo("ephemeral");
            assertThat(oncall.path("text").asText()).startsWith("*On call now*\n• *Slack &lt;IT&gt;* (slack-it): <@U0DAVE0001> until <!date^");
            JsonNode everything = JSON.readTree(post(commands, slash(BOB, "oncall", "9.8.0"), now, secret).body());
            JsonNode api = JSON.readTree(send("GET", engine.httpUrl() + "/api/v1/oncall", VIEWER_TOKEN, null).body());
            for (JsonNode schedule : api.path("oncall")) {
                assertThat(everything.path("text").asText()).contains("(" + schedule.path("schedule").asText() + "): "
                        + (schedule.path("userId").isTextual() ? named.apply(schedule.path("userId").asText()) : "nobody (a gap)") + " until");
            }
            JsonNode checkout = api.path("policies").path(0);
            assertThat(everything.path("text").asText()).contains("*Escalation policies: whom level 1 pages now*",
                    "*" + checkout.path("name").asText() + "*: " + named.apply(checkout.path("targets").path(0).path("userIds").path(0).asText()));
            assertThat(JSON.readTree(post(commands, slash(BOB, "oncall nope", "9.8.99"), now, secret).body()).path("text").asText())
                    .isEqualTo("There is no schedule nope. `/incident oncall` lists them all.");

            // alice's press: 200 once Kafka has the command; acknowledged with her as actor; the page updated in place.
            assertThat(post(interactions, alicePress, now, secret).statusCode()).isEqualTo(200);
            await("acknowledged").atMost(Duration.ofSeconds(30))
                    .until(() -> incident(engine, id).path("status").asText(), "ACKNOWLEDGED"::equals);
            SlackServer.Posted updated = await("the page updated in place").atMost(Duration.ofSeconds(10))
                    .until(() -> slack.channels().stream().filter(channel -> channel.id().equals(dm)).findFirst().orElseThrow().messages()
                            .stream().filter(posted -> posted.ts().equals(page.ts())).findFirst().orElseThrow(), posted -> acted(posted) != null);
            assertThat(acted(updated)).isEqualTo("Acknowledged by <@" + ALICE + "> (alice) · " + id + " is acknowledged");
            assertThat(actions(updated.blocks())).as("still open: the buttons stay").isNotNull();
            // The same request again is a replay.
            assertThat(post(interactions, alicePress, now, secret).statusCode()).isEqualTo(401);

            // The slash command resolves, and answers with the outcome.
            HttpResponse<String> resolved = post(commands, slash(ALICE, "resolve " + id + " rolled back", "9.9.4"), now, secret);
            assertThat(JSON.readTree(resolved.body()).path("text").asText()).isEqualTo("Resolved by <@" + ALICE + "> (alice) · " + id
                    + " is resolved");

            // The log: alice acknowledged and resolved, once each; nobody else acted on the incident.
            List<String> acts = new ArrayList<>();
            for (JsonNode event : JSON.readTree(send("GET", engine.httpUrl() + "/api/v1/incidents/" + id + "/events?limit=500", VIEWER_TOKEN,
                    null).body()).path("events")) {
                if (event.path("actor").path("type").asText().equals("USER")) {
                    acts.add(event.path("actor").path("id").asText() + " " + event.path("payload").path("type").asText());
                }
            }
            assertThat(acts).containsExactly("alice IncidentAcknowledged", "alice IncidentResolved");
        } finally {
            engine.stop();
        }
    }

    /** The first message in the bot's direct messages with {@code user} that carries the buttons: the page. */
    private static SlackServer.Posted dm(SlackServer slack, String user) {
        return slack.channels().stream().filter(channel -> channel.name().equals(user)).flatMap(channel -> channel.messages().stream())
                .filter(posted -> actions(posted.blocks()) != null).findFirst().orElse(null);
    }

    private static JsonNode actions(JsonNode blocks) {
        for (JsonNode block : blocks == null ? JSON.createArrayNode() : blocks) {
            if (block.path("block_id").asText().equals("incident-actions")) {
                return block;
            }
        }
        return null;
    }

    private static String acted(SlackServer.Posted posted) {
        for (JsonNode block : posted.blocks()) {
            if (block.path("block_id").asText().equals("incident-acted")) {
                return block.path("elements").path(0).path("text").asText();
            }
        }
        return null;
    }

    /** A block_actions payload as Slack documents it (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload), as its form. */
    private static byte[] press(String user, String actionId, String incidentId, String channel, JsonNode message, String actionTs) {
        ObjectNode payload = JSON.createObjectNode().put("type", "block_actions").put("api_app_id", "A0LOCAL").put("trigger_id", "1.2.3")
                .put("response_url", "https://hooks.slack.com/actions/T0LOCAL/1/x");
        payload.putObject("user").put("id", user).put("username", user.toLowerCase()).put("team_id", "T0LOCAL");
        payload.putObject("team").put("id", "T0LOCAL").put("domain", "local");
        payload.putObject("container").put("type", "message").put("message_ts", message.path("ts").asText()).put("channel_id", channel)
                .put("is_ephemeral", false);
        payload.putObject("channel").put("id", channel).put("name", "incidents");
        payload.set("message", message);
        payload.putArray("actions").addObject().put("action_id", actionId).put("block_id", "incident-actions").put("value", incidentId)
                .put("type", "button").put("action_ts", actionTs).putObject("text").put("type", "plain_text").put("text", "Press");
        return form(Map.of("payload", payload.toString()));
    }

    /** A slash command's form as Slack documents it (https://docs.slack.dev/interactivity/implementing-slash-commands). */
    private static byte[] slash(String user, String text, String triggerId) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("token", "deprecated");
        fields.put("team_id", "T0LOCAL");
        fields.put("channel_id", "C0INCIDENTS");
        fields.put("user_id", user);
        fields.put("command", "/incident");
        fields.put("text", text);
        fields.put("response_url", "https://hooks.slack.com/commands/T0LOCAL/1/x");
        fields.put("trigger_id", triggerId);
        return form(fields);
    }

    private static byte[] form(Map<String, String> fields) {
        StringBuilder out = new StringBuilder();
        fields.forEach((name, value) -> out.append(out.isEmpty() ? "" : "&").append(name).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Posts {@code body} as Slack does: form-encoded, with its timestamp and v0 signature made with {@code secret}. */
    private HttpResponse<String> post(String url, byte[] body, long timestamp, byte[] secret) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
        String signature = "v0=" + HexFormat.of().formatHex(mac.doFinal(body));
        return http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/x-www-form-urlencoded").header("X-Slack-Request-Timestamp", Long.toString(timestamp))
                .header("X-Slack-Signature", signature).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String slackApi(SlackServer slack, String token, String method, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(slack.apiUrl() + "/" + method)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json; charset=utf-8").header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void replace(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        assertThat(text).contains(from);
        Files.writeString(file, text.replace(from, to));
    }

    private JsonNode incident(LocalEngine engine, String id) throws Exception {
        return JSON.readTree(send("GET", engine.httpUrl() + "/api/v1/incidents/" + id, VIEWER_TOKEN, null).body());
    }

    private HttpResponse<String> send(String method, String url, String bearer, String body) throws Exception {
        return EngineCalls.send(http, method, url, bearer, body);
    }
}
