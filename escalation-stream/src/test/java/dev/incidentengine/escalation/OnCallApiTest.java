package dev.incidentengine.escalation;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.escalation.domain.ConfigSnapshot;
import dev.incidentengine.model.OnCallOverride;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.ContactType;
import dev.incidentengine.model.config.EscalationLevel;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.LevelTarget;
import dev.incidentengine.model.config.NotificationRule;
import dev.incidentengine.model.config.RotationUnit;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ScheduleLayer;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.api.ApiTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** The on-call API's reads on a real local HTTP server: answers, the iCalendar feed, and the bad-input matrix; OnCallOverridesIT writes. */
class OnCallApiTest {

    private static final String VIEWER = "viewer-token";
    private static final String BOB_FEED = "bob-feed-token";
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** alice and bob take turns weekly at Monday 09:00 Berlin, from 2026-11-16. */
    private static final ScheduleConfig PRIMARY = new ScheduleConfig("primary", "Payments, primary", "Europe/Berlin", List.of(
            new ScheduleLayer("weekly", List.of("alice", "bob"), 1, RotationUnit.WEEKS, "2026-11-16T09:00:00", List.of())), List.of());

    /** Level 0 pages the primary schedule, level 1 the payments team. */
    private static final EscalationPolicyConfig POLICY = new EscalationPolicyConfig("payments-default", "Payments default", List.of(
            new EscalationLevel(List.of(new LevelTarget(TargetType.SCHEDULE, "primary")), 10, false),
            new EscalationLevel(List.of(new LevelTarget(TargetType.TEAM, "payments")), 15, false)), 0, null, false);
    private static final TeamConfig PAYMENTS = new TeamConfig("payments", "Payments", List.of("alice", "bob"), "payments-default", java.util.Map.of(), null);
    private static final UserConfig ALICE = new UserConfig("alice", "Alice", "Europe/Berlin",
            List.of(new ContactMethod(ContactType.SMS, "+4915100000001")), List.of(new NotificationRule(ContactType.SMS, 0)));

    @TempDir
    Path dir;

    private HttpServer http;
    private final HttpClient client = HttpClient.newHttpClient();
    private String base;

    @BeforeEach
    void setUp() throws Exception {
        Path tokens = dir.resolve("tokens.yaml");
        Files.writeString(tokens, "tokens:\n  - {user: victor, role: viewer, token: " + VIEWER + "}\n"
                + "  - {user: bob, role: feed, token: " + BOB_FEED + "}\n");
        http = new HttpServer("127.0.0.1", 0);
        ConfigSnapshot config = ConfigSnapshot.of(List.of(POLICY), List.of(PRIMARY), List.of(), List.of(PAYMENTS), List.of(), List.of(ALICE));
        new OnCallApi(ApiTokens.load(tokens.toString(), Map.of()), new OnCallApi.Source() {
            @Override
            public ConfigSnapshot snapshot() {
                return config;
            }

            @Override
            public CompletableFuture<?> write(String id, OnCallOverride value) {
                throw new AssertionError("these tests read only; OnCallOverridesIT writes through a broker");
            }

            @Override
            public CompletableFuture<Boolean> awaitRead(String id, OnCallOverride value, Duration timeout) {
                throw new AssertionError("these tests read only");
            }
        }, Duration.ofSeconds(1), Clock.fixed(NOW, ZoneOffset.UTC)).register(http);
        http.start();
        base = "http://127.0.0.1:" + http.address().getPort();
    }

    @AfterEach
    void tearDown() {
        http.close();
    }

    @Test
    void whoIsOnCall_withTheShiftThatHoldsTheInstant() throws Exception {
        JsonNode now = json(get("/api/v1/oncall?schedule=primary", VIEWER));
        assertThat(now.get("userId").asText()).isEqualTo("alice");
        assertThat(now.get("shift").get("start").asText()).isEqualTo("2026-11-16T08:00:00Z");
        assertThat(now.get("shift").get("end").asText()).isEqualTo("2026-11-23T08:00:00Z");

        assertThat(json(get("/api/v1/oncall?schedule=primary&at=2026-11-23T08:00:00Z", VIEWER)).get("userId").asText()).isEqualTo("bob");
        assertThat(json(get("/api/v1/oncall", VIEWER)).get("oncall")).singleElement()
                .satisfies(entry -> assertThat(entry.get("schedule").asText()).isEqualTo("primary"));
        assertThat(json(get("/api/v1/oncall?schedule=primary&at=2026-11-01T00:00:00Z", VIEWER)).get("userId").isNull())
                .as("before the rotation starts: a gap").isTrue();
    }

    @Test
    void theNextShift_andWhomEachPolicysFirstLevelPagesNowAndNext() throws Exception {
        JsonNode all = json(get("/api/v1/oncall", VIEWER));

        JsonNode primary = all.get("oncall").get(0);
        assertThat(primary.get("next").get("userId").asText()).isEqualTo("bob");
        assertThat(primary.get("next").get("start").asText()).isEqualTo("2026-11-23T08:00:00Z");
        assertThat(primary.get("participants")).extracting(JsonNode::asText).containsExactly("alice", "bob");
        JsonNode policy = all.get("policies").get(0);
        assertThat(policy.get("policy").asText()).isEqualTo("payments-default");
        assertThat(policy.get("level").asInt()).isZero();
        assertThat(policy.get("targets").get(0).get("userIds")).extracting(JsonNode::asText).containsExactly("alice");
        assertThat(policy.get("next").get("at").asText()).isEqualTo("2026-11-23T08:00:00Z");
        assertThat(policy.get("next").get("targets").get(0).get("userIds")).extracting(JsonNode::asText).containsExactly("bob");

        JsonNode beforeTheRotation = json(get("/api/v1/oncall?at=2026-11-01T00:00:00Z", VIEWER)).get("policies").get(0);
        assertThat(beforeTheRotation.get("level").asInt()).as("a gap in the schedule: the team's level pages").isEqualTo(1);
        assertThat(beforeTheRotation.get("targets").get(0).get("userIds")).extracting(JsonNode::asText).containsExactly("alice", "bob");
        assertThat(beforeTheRotation.get("next").get("at").asText()).isEqualTo("2026-11-16T08:00:00Z");
        assertThat(beforeTheRotation.get("next").get("level").asInt()).isZero();
    }

    @Test
    void theUsersWithoutTheirContacts() throws Exception {
        HttpResponse<String> users = get("/api/v1/users", VIEWER);

        assertThat(json(users).get("users")).singleElement().satisfies(user -> assertThat(user.get("id").asText()).isEqualTo("alice"));
        assertThat(users.body()).doesNotContain("+4915100000001");
    }

    @Test
    void shiftsInARange() throws Exception {
        JsonNode shifts = json(get("/api/v1/schedules/primary/shifts?from=2026-11-20T00:00:00Z&to=2026-12-01T00:00:00Z", VIEWER))
                .get("shifts");

        assertThat(shifts).extracting(shift -> shift.get("userId").asText()).containsExactly("alice", "bob", "alice");
        assertThat(shifts.get(1).get("start").asText()).isEqualTo("2026-11-23T08:00:00Z");
    }

    @Test
    void aUsersShiftsAsAnICalendarFeed_withTheirFeedTokenInTheUrl() throws Exception {
        HttpResponse<String> feed = get("/api/v1/users/bob/shifts.ics?token=" + BOB_FEED, null);

        assertThat(feed.statusCode()).isEqualTo(200);
        assertThat(feed.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/calendar"));
        assertThat(feed.body()).startsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n").endsWith("END:VCALENDAR\r\n")
                .contains("DTSTART:20261123T080000Z\r\nDTEND:20261130T080000Z\r\n", "SUMMARY:On call: Payments\\, primary (weekly)")
                .doesNotContain("\n\n");
        assertThat(feed.body().split("BEGIN:VEVENT", -1)).as("bob's weeks within 90 days").hasSizeGreaterThan(5);
    }

    @Test
    void aFeedTokenReadsItsUsersFeedAndNothingElse_andNoApiTokenGoesInAUrl() throws Exception {
        HttpResponse<String> apiTokenInUrl = get("/api/v1/users/bob/shifts.ics?token=" + VIEWER, null);
        assertThat(apiTokenInUrl.statusCode()).isEqualTo(403);
        assertThat(json(apiTokenInUrl).get("error").asText()).contains("an API token must not be sent in a URL");

        HttpResponse<String> otherUser = get("/api/v1/users/alice/shifts.ics?token=" + BOB_FEED, null);
        assertThat(otherUser.statusCode()).isEqualTo(403);
        assertThat(json(otherUser).get("error").asText()).contains("reads only the feed of user bob");

        assertThat(get("/api/v1/users/bob/shifts.ics", BOB_FEED).statusCode()).as("not as a bearer token either").isEqualTo(403);
        assertThat(get("/api/v1/oncall", BOB_FEED).statusCode()).isEqualTo(403);
        assertThat(get("/api/v1/oncall?token=" + BOB_FEED, null).statusCode()).isEqualTo(401);
        assertThat(get("/api/v1/schedules/primary/shifts", BOB_FEED).statusCode()).isEqualTo(403);
        assertThat(get("/api/v1/users/bob/shifts.ics", VIEWER).statusCode()).as("an API token in its header still reads it")
                .isEqualTo(200);
    }

    @Test
    void badRequestsAreRefusedClearly() throws Exception {
        HttpResponse<String> anonymous = get("/api/v1/oncall", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(get("/api/v1/oncall", "wrong-token").statusCode()).isEqualTo(403);
        assertThat(get("/api/v1/users/bob/shifts.ics?token=wrong-token", null).statusCode()).isEqualTo(403);
        assertThat(get("/api/v1/users/bob/shifts.ics", null).statusCode()).isEqualTo(401);

        assertThat(get("/api/v1/oncall?schedule=nope", VIEWER).statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/schedules/nope/shifts", VIEWER).statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/schedules/primary/whatever", VIEWER).statusCode()).isEqualTo(404);
        HttpResponse<String> badInstant = get("/api/v1/oncall?schedule=primary&at=yesterday", VIEWER);
        assertThat(badInstant.statusCode()).isEqualTo(400);
        assertThat(json(badInstant).get("field").asText()).isEqualTo("at");
        assertThat(json(get("/api/v1/schedules/primary/shifts?from=2026-11-22T00:00:00Z&to=2026-11-21T00:00:00Z", VIEWER))
                .get("field").asText()).isEqualTo("to");
        assertThat(get("/api/v1/schedules/primary/shifts?from=2026-01-01T00:00:00Z&to=2027-06-01T00:00:00Z", VIEWER).statusCode())
                .isEqualTo(400);
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }
}
