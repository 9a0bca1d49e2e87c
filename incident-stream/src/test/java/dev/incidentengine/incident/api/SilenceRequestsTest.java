package dev.incidentengine.incident.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.incidentengine.incident.api.SilenceRequests.State;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

class SilenceRequestsTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final ApiUser ALICE = new ApiUser("alice", Role.RESPONDER);

    @Test
    void givenStringAndObjectMatchers_thenTheSilenceIsAuthoredByTheTokensUser_startingNow() {
        SilenceConfig silence = create("""
                {"matchers": ["service=\\"checkout\\"", "alertname=~\\"High.*\\"", {"label": "env", "op": "not_equal", "value": "dev"},
                              {"label": "team", "value": "payments"}],
                 "duration": "2h", "comment": "  deploying the fix  "}""");

        assertThat(silence.getMatchers()).containsExactly(new LabelMatcher("service", MatchOp.EQUAL, "checkout"),
                new LabelMatcher("alertname", MatchOp.REGEX, "High.*"), new LabelMatcher("env", MatchOp.NOT_EQUAL, "dev"),
                new LabelMatcher("team", MatchOp.EQUAL, "payments"));
        assertThat(silence.getStartsAt()).isEqualTo(NOW);
        assertThat(silence.getEndsAt()).isEqualTo(NOW.plus(Duration.ofHours(2)));
        assertThat(silence.getAuthor()).isEqualTo("alice");
        assertThat(silence.getComment()).isEqualTo("deploying the fix");
        assertThat(silence.getWeekly()).isNull();
        assertThat(silence.getId()).startsWith("silence-").hasSize("silence-".length() + 36);
    }

    @Test
    void givenAWindowAndAnId_thenTheyAreKept_toTheMillisecond() {
        SilenceConfig silence = SilenceRequests.create(("""
                {"id": "db-upgrade.2", "matchers": ["service=payments"], "startsAt": "2026-11-22T12:00:00+01:00",
                 "endsAt": "2026-11-22T14:00:00Z", "comment": "Postgres 17"}""").getBytes(StandardCharsets.UTF_8), ALICE,
                NOW.plusNanos(123_456_789));

        assertThat(silence.getId()).isEqualTo("db-upgrade.2");
        assertThat(silence.getStartsAt()).isEqualTo(Instant.parse("2026-11-22T11:00:00Z"));
        assertThat(silence.getEndsAt()).isEqualTo(Instant.parse("2026-11-22T14:00:00Z"));
        assertThat(create("{\"matchers\": [\"a=b\"], \"duration\": 90, \"comment\": \"c\"}").getEndsAt())
                .isEqualTo(NOW.plus(Duration.ofMinutes(90)));
        assertThat(SilenceRequests.create("{\"matchers\": [\"a=b\"], \"duration\": \"10m\", \"comment\": \"c\"}"
                .getBytes(StandardCharsets.UTF_8), ALICE, NOW.plusNanos(123_456_789)).getStartsAt())
                .isEqualTo(NOW.plusMillis(123));
    }

    @ParameterizedTest
    @CsvSource({"1h30m,PT1H30M", "1d,PT24H", "1w,PT168H", "45s,PT45S", "2d12h,PT60H"})
    void durationsReadLikeAmtools(String text, Duration expected) {
        assertThat(create("{\"matchers\": [\"a=b\"], \"duration\": \"" + text + "\", \"comment\": \"c\"}").getEndsAt())
                .isEqualTo(NOW.plus(expected));
    }

    @Test
    void badBodiesAreRefusedNamingTheField() {
        String ok = "\"matchers\": [\"a=b\"], \"duration\": \"1h\", \"comment\": \"c\"";
        assertRefused("{\"duration\": \"1h\", \"comment\": \"c\"}", "matchers", "is required");
        assertRefused("{\"matchers\": [], \"duration\": \"1h\", \"comment\": \"c\"}", "matchers", "at least one matcher");
        assertRefused("{\"matchers\": \"a=b\", \"duration\": \"1h\", \"comment\": \"c\"}", "matchers", "must be a list");
        assertRefused("{\"matchers\": [\"alertname\"], \"duration\": \"1h\", \"comment\": \"c\"}", "matchers[0]", "is not a matcher");
        assertRefused("{\"matchers\": [\"a=b\", \"env=~\\\"(dev\\\"\"], \"duration\": \"1h\", \"comment\": \"c\"}", "matchers[1]",
                "invalid regular expression");
        assertRefused("{\"matchers\": [{\"label\": \"a\", \"value\": \"b\", \"regex\": true}], \"duration\": \"1h\", \"comment\": \"c\"}",
                "matchers[0].regex", "unknown field");
        assertRefused("{\"matchers\": [{\"label\": \"a\", \"op\": \"LIKE\", \"value\": \"b\"}], \"duration\": \"1h\", \"comment\": \"c\"}",
                "matchers[0].op", "must be one of");
        assertRefused("{\"matchers\": [{\"label\": \" \", \"value\": \"b\"}], \"duration\": \"1h\", \"comment\": \"c\"}",
                "matchers[0].label", "must not be blank");
        assertRefused("{\"matchers\": [{\"label\": \"a\"}], \"duration\": \"1h\", \"comment\": \"c\"}", "matchers[0].value", "is required");
        assertRefused("{\"matchers\": [42], \"duration\": \"1h\", \"comment\": \"c\"}", "matchers[0]", "must be a string");
        assertRefused("{\"matchers\": [\"alertname=~\\\".*\\\"\"], \"duration\": \"1h\", \"comment\": \"c\"}", "matchers",
                "at least one matcher must not match the empty string");
        assertRefused("{\"matchers\": [\"env!=prod\", \"team=\\\"\\\"\"], \"duration\": \"1h\", \"comment\": \"c\"}", "matchers",
                "must not match the empty string");
        assertRefused("{\"matchers\": [\"a=b\"], \"comment\": \"c\"}", "endsAt", "give exactly one of endsAt");
        assertRefused("{\"matchers\": [\"a=b\"], \"endsAt\": \"2026-11-22T12:00:00Z\", \"duration\": \"1h\", \"comment\": \"c\"}",
                "endsAt", "give exactly one of endsAt");
        assertRefused("{\"matchers\": [\"a=b\"], \"endsAt\": \"tomorrow\", \"comment\": \"c\"}", "endsAt", "RFC 3339");
        assertRefused("{\"matchers\": [\"a=b\"], \"startsAt\": \"2026-11-22T12:00:00Z\", \"endsAt\": \"2026-11-22T11:00:00Z\","
                + " \"comment\": \"c\"}", "endsAt", "must end after startsAt");
        assertRefused("{\"matchers\": [\"a=b\"], \"startsAt\": \"2026-11-22T08:00:00Z\", \"endsAt\": \"2026-11-22T09:00:00Z\","
                + " \"comment\": \"c\"}", "endsAt", "must end in the future");
        assertRefused("{\"matchers\": [\"a=b\"], \"startsAt\": \"2026-11-22T08:00:00Z\", \"duration\": \"1h\", \"comment\": \"c\"}",
                "duration", "must end in the future");
        assertRefused("{\"matchers\": [\"a=b\"], \"startsAt\": \"now\", \"duration\": \"1h\", \"comment\": \"c\"}", "startsAt", "RFC 3339");
        assertRefused("{\"matchers\": [\"a=b\"], \"duration\": \"2 hours\", \"comment\": \"c\"}", "duration", "must be a duration");
        assertRefused("{\"matchers\": [\"a=b\"], \"duration\": \"0m\", \"comment\": \"c\"}", "duration", "more than 0");
        assertRefused("{\"matchers\": [\"a=b\"], \"duration\": 0, \"comment\": \"c\"}", "duration", "from 1 to");
        assertRefused("{\"matchers\": [\"a=b\"], \"duration\": 1.5, \"comment\": \"c\"}", "duration", "must be a duration");
        assertRefused("{\"matchers\": [\"a=b\"], \"duration\": \"400d\", \"comment\": \"c\"}", "duration", "at most 365 days");
        assertRefused("{\"matchers\": [\"a=b\"], \"duration\": \"1h\"}", "comment", "is required");
        assertRefused("{\"matchers\": [\"a=b\"], \"duration\": \"1h\", \"comment\": \" \"}", "comment", "must not be empty");
        assertRefused("{" + ok + ", \"createdBy\": \"mallory\"}", "createdBy", "unknown field");
        assertRefused("{" + ok + ", \"weekly\": {}}", "weekly", "unknown field");
        assertRefused("{" + ok + ", \"id\": \"../etc\"}", "id", "must be letters");
        assertRefused("{" + ok + ", \"id\": 7}", "id", "must be a string");
        assertRefused("{" + ok + ", \"id\": \"preview\"}", "id", "is reserved");
        assertRefused("{\"matchers\": [" + "\"a=b\",".repeat(SilenceRequests.MAX_MATCHERS) + "\"c=d\"], \"duration\": \"1h\","
                + " \"comment\": \"c\"}", "matchers", "at most 32 matchers, not 33");
        assertRefused("{" + ok, "body", "not valid JSON");
        assertRefused("[]", "body", "must be a JSON object");
        assertThatThrownBy(() -> create("{\"comment\": \"" + "x".repeat(70_000) + "\"}"))
                .asInstanceOf(type(ApiError.class)).satisfies(error -> assertThat(error.status()).isEqualTo(413));
    }

    @Test
    void previewMatchersAreReadAsANewSilences_oneQueryParameterEach() {
        assertThat(SilenceRequests.previewMatchers(Map.of("matchers", List.of("service=\"checkout\"", "env!~\"dev|test\""))))
                .containsExactly(new LabelMatcher("service", MatchOp.EQUAL, "checkout"), new LabelMatcher("env", MatchOp.NOT_REGEX, "dev|test"));

        assertPreviewRefused(Map.of(), "matchers", "is required");
        assertPreviewRefused(Map.of("matchers", List.of()), "matchers", "is required");
        assertPreviewRefused(Map.of("matchers", List.of("service=checkout", "alertname")), "matchers[1]", "is not a matcher");
        assertPreviewRefused(Map.of("matchers", List.of("")), "matchers[0]", "is not a matcher");
        assertPreviewRefused(Map.of("matchers", List.of("env=~\"(dev\"")), "matchers[0]", "invalid regular expression");
        assertPreviewRefused(Map.of("matchers", List.of("env=~\"(a)\\\\1\"")), "matchers[0]", "invalid regular expression");
        assertPreviewRefused(Map.of("matchers", List.of("alertname=~\".*\"", "env!=\"prod\"")), "matchers",
                "must not match the empty string");
        assertPreviewRefused(Map.of("matchers", java.util.Collections.nCopies(SilenceRequests.MAX_MATCHERS + 1, "a=b")), "matchers",
                "at most 32 matchers");
        assertPreviewRefused(Map.of("matchers", List.of("a=b"), "filter", List.of("x")), "filter", "unknown parameter");
    }

    private static void assertPreviewRefused(Map<String, List<String>> parameters, String field, String message) {
        assertThatThrownBy(() -> SilenceRequests.previewMatchers(parameters)).as(parameters.toString()).asInstanceOf(type(ApiError.class))
                .satisfies(error -> {
                    assertThat(error.status()).isEqualTo(400);
                    assertThat(error.field()).isEqualTo(field);
                    assertThat(error.getMessage()).contains(message);
                });
    }

    @Test
    void theStateFilterDefaultsToActiveAndPending() {
        assertThat(SilenceRequests.states(Map.of())).containsExactlyInAnyOrder(State.ACTIVE, State.PENDING);
        assertThat(SilenceRequests.states(Map.of("state", List.of("Expired,active")))).containsExactlyInAnyOrder(State.EXPIRED, State.ACTIVE);
        assertThat(SilenceRequests.states(Map.of("state", List.of("pending", "expired"))))
                .containsExactlyInAnyOrder(State.PENDING, State.EXPIRED);
        assertThatThrownBy(() -> SilenceRequests.states(Map.of("state", List.of("muted")))).asInstanceOf(type(ApiError.class))
                .satisfies(error -> assertThat(error.field()).isEqualTo("state"));
        assertThatThrownBy(() -> SilenceRequests.states(Map.of("state", List.of("active,")))).asInstanceOf(type(ApiError.class))
                .satisfies(error -> assertThat(error.field()).isEqualTo("state"));
        assertThatThrownBy(() -> SilenceRequests.states(Map.of("status", List.of("active")))).asInstanceOf(type(ApiError.class))
                .satisfies(error -> assertThat(error.field()).isEqualTo("status"));
    }

    @Test
    void theStateFollowsTheWindow_andTheListOrdersActivePendingExpired() {
        SilenceConfig active = silence("active", NOW.minusSeconds(60), NOW.plusSeconds(600));
        SilenceConfig activeForever = silence("forever", null, null);
        SilenceConfig endingSooner = silence("sooner", NOW.minusSeconds(60), NOW.plusSeconds(60));
        SilenceConfig pending = silence("pending", NOW.plusSeconds(60), NOW.plusSeconds(600));
        SilenceConfig expired = silence("expired", NOW.minusSeconds(600), NOW);
        SilenceConfig expiredEarlier = silence("earlier", NOW.minusSeconds(600), NOW.minusSeconds(300));

        assertThat(State.of(active, NOW)).isEqualTo(State.ACTIVE);
        assertThat(State.of(activeForever, NOW)).isEqualTo(State.ACTIVE);
        assertThat(State.of(pending, NOW)).isEqualTo(State.PENDING);
        assertThat(State.of(expired, NOW)).isEqualTo(State.EXPIRED);
        assertThat(State.of(pending, NOW.plusSeconds(60))).isEqualTo(State.ACTIVE);
        assertThat(State.ACTIVE.json()).isEqualTo("active");
        assertThat(List.of(expiredEarlier, pending, activeForever, expired, active, endingSooner).stream()
                .sorted(SilenceRequests.order(NOW)).map(SilenceConfig::getId))
                .containsExactly("sooner", "active", "forever", "pending", "expired", "earlier");
    }

    @Test
    void expiringEndsTheSilenceNow_keepingItsHistory_andAnExpiredOneIsLeftAlone() {
        SilenceConfig active = silence("active", NOW.minusSeconds(60), NOW.plusSeconds(600));
        SilenceConfig pending = silence("pending", NOW.plusSeconds(60), NOW.plusSeconds(600));

        SilenceConfig ended = SilenceRequests.expire(active, NOW.plusNanos(5_000_000));
        assertThat(ended.getEndsAt()).isEqualTo(NOW.plusMillis(5));
        assertThat(ended.getStartsAt()).isEqualTo(active.getStartsAt());
        assertThat(ended.getMatchers()).isEqualTo(active.getMatchers());
        assertThat(ended.getComment()).isEqualTo(active.getComment());
        assertThat(State.of(ended, NOW.plusMillis(5))).isEqualTo(State.EXPIRED);
        SilenceConfig neverStarted = SilenceRequests.expire(pending, NOW);
        assertThat(neverStarted.getEndsAt()).isEqualTo(NOW);
        assertThat(neverStarted.getEndsAt()).isAfter(neverStarted.getStartsAt());
        assertThat(SilenceRequests.expire(ended, NOW.plusSeconds(1))).isNull();
        assertThat(active.getEndsAt()).as("the original is not changed").isEqualTo(NOW.plusSeconds(600));
    }

    private static SilenceConfig create(String body) {
        return SilenceRequests.create(body.getBytes(StandardCharsets.UTF_8), ALICE, NOW);
    }

    private static void assertRefused(String body, String field, String message) {
        assertThatThrownBy(() -> create(body)).as(body).asInstanceOf(type(ApiError.class)).satisfies(error -> {
            assertThat(error.status()).isEqualTo(400);
            assertThat(error.field()).isEqualTo(field);
            assertThat(error.getMessage()).contains(message);
        });
    }

    private static SilenceConfig silence(String id, Instant startsAt, Instant endsAt) {
        return SilenceConfig.newBuilder().setId(id).setMatchers(List.of(new LabelMatcher("service", MatchOp.EQUAL, "checkout")))
                .setStartsAt(startsAt).setEndsAt(endsAt).setAuthor("alice").setComment("maintenance").build();
    }
}
