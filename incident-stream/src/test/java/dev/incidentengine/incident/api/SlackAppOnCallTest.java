package dev.incidentengine.incident.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /incident oncall} over HTTP: a signed slash command to the Slack app, which asks a real local HTTP server standing in
 * for escalation-stream's {@code GET /api/v1/oncall} (its answers shaped as OnCallApi's), and every way that can go wrong
 * (401, 503, no answer in time, garbage, nothing listening): an ephemeral answer within the timeout, a metric, a WARN, never
 * the token. On the local engine against the real escalation-stream: LocalEngineSlackIT.
 */
class SlackAppOnCallTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SECRET = "a-signing-secret-of-enough-bytes".getBytes(StandardCharsets.UTF_8);
    private static final String TOKEN = "viewer-token-for-slack-oncall";
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    /** What escalation-stream's GET /api/v1/oncall answers (OnCallApi#onCall), with a name to escape and a gap. */
    static final String EVERYTHING = """
            {"at":"2026-12-05T20:00:00Z",
             "oncall":[
               {"schedule":"payments-primary","name":"Payments <!here> primary","timeZone":"Europe/Berlin","at":"2026-12-05T20:00:00Z",
                "userId":"alice","shift":{"start":"2026-12-05T08:00:00Z","end":"2026-12-06T08:00:00Z","userId":"alice","layer":"weekly"},
                "next":{"start":"2026-12-06T08:00:00Z","end":"2026-12-07T08:00:00Z","userId":"bob","layer":"weekly"},
                "participants":["alice","bob"]},
               {"schedule":"nights","name":"Nights","timeZone":"UTC","at":"2026-12-05T20:00:00Z","userId":null,
                "shift":{"start":"2026-12-05T18:00:00Z","end":"2026-12-05T22:00:00Z","userId":null,"layer":null},
                "next":null,"participants":["carol"]}],
             "policies":[
               {"level":0,"roundRobin":false,"targets":[{"type":"SCHEDULE","id":"payments-primary","userIds":["alice"]}],
                "policy":"payments-default","name":"Payments default",
                "next":{"level":0,"roundRobin":false,"targets":[{"type":"SCHEDULE","id":"payments-primary","userIds":["bob"]}],
                        "at":"2026-12-06T08:00:00Z"}},
               {"level":null,"roundRobin":false,"targets":[],"policy":"empty","name":"Empty","next":null}]}""";
    static final String ONE = """
            {"schedule":"payments-primary","name":"Payments primary","timeZone":"Europe/Berlin","at":"2026-12-05T20:00:00Z",
             "userId":"a<b>&c","shift":{"start":"2026-12-05T08:00:00Z","end":"2026-12-06T08:00:00Z","userId":"a<b>&c","layer":"weekly"},
             "next":null,"participants":["a<b>&c"]}""";

    private final HttpClient client = HttpClient.newHttpClient();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final AtomicInteger trigger = new AtomicInteger();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private volatile int status = 200;
    private volatile String answer = EVERYTHING;
    private volatile boolean hang;
    private final List<Runnable> held = new CopyOnWriteArrayList<>();
    private HttpServer escalation;
    private HttpServer slack;

    @BeforeEach
    void escalationStream() {
        escalation = new HttpServer("127.0.0.1", 0);
        escalation.route("GET", OnCallLookup.PATH, this::escalationAnswers);
        escalation.start();
        log.start();
        ((Logger) LoggerFactory.getLogger(SlackApp.class)).addAppender(log);
    }

    @AfterEach
    void stop() {
        held.forEach(Runnable::run);
        ((Logger) LoggerFactory.getLogger(SlackApp.class)).detachAppender(log);
        for (HttpServer server : new HttpServer[] {slack, escalation}) {
            if (server != null) {
                server.close();
            }
        }
    }

    private boolean escalationAnswers(Request request, org.eclipse.jetty.server.Response response, org.eclipse.jetty.util.Callback callback) {
        Fields.Field schedule = Request.extractQueryParameters(request).get("schedule");
        asked.add(request.getHeaders().get("Authorization") + " " + (schedule == null ? "*" : schedule.getValue()));
        if (hang) {
            // Answers only when the test ends: the Slack app must not wait for it.
            held.add(() -> org.eclipse.jetty.server.Response.writeError(request, response, callback, 503));
            return true;
        }
        response.setStatus(status);
        response.getHeaders().put("Content-Type", "application/json");
        response.write(true, ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }

    /** The Slack app with alice (viewer) mapped, asking {@code escalationUrl} (null: its own server) with {@code token}. */
    private String slackApp(URI escalationUrl, String token) {
        SlackUsers users = new SlackUsers(Map.of("U0ALICE001", new ApiUser("alice", Role.VIEWER)));
        SlackApp.Settings settings = new SlackApp.Settings(SECRET, users, URI.create("http://127.0.0.1:9/api"), "xoxb-unused",
                Duration.ofMillis(2_500), new OnCallLookup.Settings(escalationUrl, token, TIMEOUT));
        slack = new HttpServer("127.0.0.1", 0);
        // No incident API: /incident oncall needs none.
        new SlackApp(settings, null, Clock.systemUTC()).register(slack, metrics);
        if (escalationUrl == null) {
            slack.route("GET", OnCallLookup.PATH, this::escalationAnswers);
        }
        slack.start();
        return "http://127.0.0.1:" + slack.address().getPort() + SlackApp.COMMANDS;
    }

    private String escalationUrl() {
        return "http://127.0.0.1:" + escalation.address().getPort();
    }

    /** A signed {@code /incident <text>} from {@code user}, as Slack posts it; the answer's JSON. */
    private JsonNode slash(String url, String user, String text) throws Exception {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("team_id", "T0LOCAL");
        fields.put("channel_id", "C0INCIDENTS");
        fields.put("user_id", user);
        fields.put("command", "/incident");
        fields.put("text", text);
        fields.put("trigger_id", "1." + trigger.incrementAndGet());
        byte[] body = SlackAppTest.form(fields);
        String timestamp = Long.toString(System.currentTimeMillis() / 1000);
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/x-www-form-urlencoded").header(SlackApp.TIMESTAMP, timestamp)
                .header(SlackApp.SIGNATURE, "v0=" + SlackSignature.sign(SECRET, timestamp, body)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private double counted(String outcome) {
        var counter = metrics.find("slack_app_requests_total").tags("kind", "command", "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aViewerIsToldWhoIsOnCallNowUntilWhenAndNext_perScheduleAndPolicy_ephemerally_mentioningKnownSlackUsers() throws Exception {
        String url = slackApp(URI.create(escalationUrl()), TOKEN);

        JsonNode said = slash(url, "U0ALICE001", "oncall");

        assertThat(said.path("response_type").asText()).isEqualTo("ephemeral");
        assertThat(said.path("text").asText()).isEqualTo("""
                *On call now*
                • *Payments &lt;!here&gt; primary* (payments-primary): <@U0ALICE001> until <!date^1796544000^{date_short_pretty} {time}|Sun 6 Dec \
                08:00 UTC>, then bob until <!date^1796630400^{date_short_pretty} {time}|Mon 7 Dec 08:00 UTC>
                • *Nights* (nights): nobody (a gap) until <!date^1796508000^{date_short_pretty} {time}|Sat 5 Dec 22:00 UTC>
                *Escalation policies: whom level 1 pages now*
                • *Payments default*: <@U0ALICE001> (schedule payments-primary); from <!date^1796544000^{date_short_pretty} {time}|Sun 6 Dec 08:00 \
                UTC>: bob (schedule payments-primary)
                • *Empty*: nobody (no level pages anyone)""");
        assertThat(asked).containsExactly("Bearer " + TOKEN + " *");
        assertThat(counted("oncall")).isEqualTo(1);
    }

    @Test
    void oneSchedule_isAskedForByItsId_andUnknownOnesAndTyposAreSaid() throws Exception {
        String url = slackApp(URI.create(escalationUrl() + "/"), TOKEN);
        answer = ONE;

        assertThat(slash(url, "U0ALICE001", "oncall payments-primary").path("text").asText())
                .isEqualTo("*On call now*\n• *Payments primary* (payments-primary): a&lt;b&gt;&amp;c until "
                        + "<!date^1796544000^{date_short_pretty} {time}|Sun 6 Dec 08:00 UTC>");
        assertThat(asked).containsExactly("Bearer " + TOKEN + " payments-primary");

        status = 404;
        answer = "{\"error\":\"unknown schedule nope\"}";
        assertThat(slash(url, "U0ALICE001", "oncall nope").path("text").asText()).isEqualTo("There is no schedule nope. "
                + "`/incident oncall` lists them all.");
        assertThat(counted("unknown_schedule")).isEqualTo(1);
        assertThat(slash(url, "U0ALICE001", "oncall a/b").path("text").asText()).contains("not a schedule id");
        assertThat(slash(url, "U0ALICE001", "oncall a b").path("text").asText()).startsWith("Usage: `/incident oncall`");
        assertThat(asked).hasSize(2);
        // Unmapped users learn nothing.
        assertThat(slash(url, "U0NOBODY01", "oncall").path("text").asText()).contains("not mapped");
        assertThat(asked).hasSize(2);
    }

    @Test
    void withNoUrl_itAsksItsOwnServer_asInTheLocalEngine() throws Exception {
        String url = slackApp(null, TOKEN);

        assertThat(slash(url, "U0ALICE001", "oncall").path("text").asText()).contains("*Payments default*: <@U0ALICE001>");
        assertThat(asked).containsExactly("Bearer " + TOKEN + " *");
    }

    @Test
    void refused_failing_silent_garbage_orUnreachable_isAnEphemeralUnavailable_aMetricAndAWarning() throws Exception {
        String url = slackApp(URI.create(escalationUrl()), TOKEN);

        status = 401;
        answer = "{\"error\":\"missing or unknown API token\"}";
        assertThat(slash(url, "U0ALICE001", "oncall").path("text").asText()).startsWith("on-call lookup unavailable: escalation-stream "
                + "(127.0.0.1:" + escalation.address().getPort() + ") answered 401: missing or unknown API token");
        assertThat(counted("oncall_refused")).isEqualTo(1);

        status = 503;
        answer = "{\"error\":\"configuration loading\"}";
        assertThat(slash(url, "U0ALICE001", "oncall").path("text").asText()).contains("unavailable", "answered 503: configuration loading");
        assertThat(counted("oncall_error")).isEqualTo(1);

        status = 404;
        answer = "{\"error\":\"not found\"}";
        assertThat(slash(url, "U0ALICE001", "oncall").path("text").asText()).contains("answered 404: not found",
                "is slack.oncall.url escalation-stream's address?");
        assertThat(counted("oncall_error")).isEqualTo(2);

        status = 200;
        answer = "<html>a proxy's login page</html>";
        assertThat(slash(url, "U0ALICE001", "oncall").path("text").asText()).contains("unavailable", "not its on-call answer");
        answer = "{\"at\":\"2026-12-05T20:00:00Z\",\"oncall\":[{\"schedule\":\"s\",\"shift\":{\"end\":\"soon\"}}],\"policies\":[]}";
        assertThat(slash(url, "U0ALICE001", "oncall").path("text").asText()).contains("unavailable", "not its on-call answer");
        assertThat(counted("oncall_garbage")).isEqualTo(2);

        hang = true;
        long started = System.nanoTime();
        assertThat(slash(url, "U0ALICE001", "oncall").path("text").asText()).contains("unavailable", "did not answer within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("answered once the timeout passed, well inside Slack's 3 s")
                .isLessThan(Duration.ofMillis(2_500));
        assertThat(counted("oncall_timeout")).isEqualTo(1);

        int port = escalation.address().getPort();
        held.forEach(Runnable::run);
        held.clear();
        escalation.close();
        escalation = null;
        assertThat(slash(url, "U0ALICE001", "oncall").path("text").asText()).contains("unavailable",
                "escalation-stream (127.0.0.1:" + port + ") cannot be reached");
        assertThat(counted("oncall_unreachable")).isEqualTo(1);

        assertThat(log.list).filteredOn(event -> event.getLevel() == Level.WARN).hasSize(7)
                .allSatisfy(event -> assertThat(event.getFormattedMessage()).contains("on-call lookup unavailable").doesNotContain(TOKEN));
    }

    @Test
    void withoutAToken_itSaysTheLookupIsNotConfigured() throws Exception {
        String url = slackApp(URI.create(escalationUrl()), null);

        assertThat(slash(url, "U0ALICE001", "oncall").path("text").asText())
                .isEqualTo("on-call lookup unavailable: incident-stream has no API token to ask escalation-stream with "
                        + "(slack.oncall.token.file). Try again, or look in the console.");
        assertThat(asked).isEmpty();
        assertThat(counted("oncall_unconfigured")).isEqualTo(1);
    }
}
