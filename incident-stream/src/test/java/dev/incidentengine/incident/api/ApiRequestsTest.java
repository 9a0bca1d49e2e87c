package dev.incidentengine.incident.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import dev.incidentengine.incident.api.ApiRequests.ListQuery;
import dev.incidentengine.incident.query.QueryKeys;
import dev.incidentengine.model.AcknowledgeIncident;
import dev.incidentengine.model.ActionItemPriority;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AddActionItem;
import dev.incidentengine.model.AddNote;
import dev.incidentengine.model.AssignIncident;
import dev.incidentengine.model.ChangeSeverity;
import dev.incidentengine.model.CloseIncident;
import dev.incidentengine.model.CompleteActionItem;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.MergeIncident;
import dev.incidentengine.model.PostStatusUpdate;
import dev.incidentengine.model.PublishReview;
import dev.incidentengine.model.ReopenIncident;
import dev.incidentengine.model.RequireReview;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SnoozeIncident;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

class ApiRequestsTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final ApiUser ALICE = new ApiUser("alice", Role.RESPONDER);
    private static final String ID = "INC-20261122-0001";

    @Test
    void anAcknowledgeBecomesACommandOfTheTokensUser() {
        IncidentCommand command = command("acknowledge", "{\"message\": \"on it\", \"expectedVersion\": 3, \"commandId\": \"c-1\"}");

        assertThat(command.getCommandId()).isEqualTo("c-1");
        assertThat(command.getIncidentId()).isEqualTo(ID);
        assertThat(command.getActor()).isEqualTo(new Actor(ActorType.USER, "alice", null));
        assertThat(command.getTimestamp()).isEqualTo(NOW);
        assertThat(command.getExpectedVersion()).isEqualTo(3L);
        assertThat(command.getPayload()).isEqualTo(new AcknowledgeIncident("on it"));
    }

    @Test
    void everyActionHasItsPayload() {
        assertThat(command("acknowledge", "").getPayload()).isEqualTo(new AcknowledgeIncident(null));
        assertThat(command("resolve", "{\"resolution\": \"rolled back\"}").getPayload()).isEqualTo(new ResolveIncident("rolled back"));
        assertThat(command("reopen", "{}").getPayload()).isEqualTo(new ReopenIncident(null));
        assertThat(command("assign", "{\"userId\": \"bob\"}").getPayload()).isEqualTo(new AssignIncident("bob", null));
        assertThat(command("assign", "{\"escalationPolicyId\": \"payments\"}").getPayload())
                .isEqualTo(new AssignIncident(null, "payments"));
        assertThat(command("severity", "{\"severity\": \"P1\", \"reason\": \"customers affected\"}").getPayload())
                .isEqualTo(new ChangeSeverity(Severity.SEV1, "customers affected"));
        assertThat(command("notes", "{\"text\": \"looking at the logs\"}").getPayload()).isEqualTo(new AddNote("looking at the logs"));
        assertThat(command("status-updates", "{\"message\": \"mitigated\"}").getPayload()).isEqualTo(new PostStatusUpdate("mitigated"));
        assertThat(command("snooze", "{\"minutes\": 30}").getPayload()).isEqualTo(new SnoozeIncident(NOW.plusSeconds(1800)));
        assertThat(command("snooze", "{\"until\": \"2026-11-22T12:30:00+01:00\"}").getPayload())
                .isEqualTo(new SnoozeIncident(Instant.parse("2026-11-22T11:30:00Z")));
        assertThat(command("merge", "{\"into\": \"INC-20261122-0002\"}").getPayload()).isEqualTo(new MergeIncident("INC-20261122-0002"));
        assertThat(command("close", " ").getPayload()).isEqualTo(new CloseIncident(null));
        assertThat(command("require-review", "{}").getPayload()).isEqualTo(new RequireReview(null, null));
        assertThat(command("require-review", "{\"due\": \"2026-11-25T17:00:00Z\", \"reason\": \"customers noticed\"}").getPayload())
                .isEqualTo(new RequireReview(Instant.parse("2026-11-25T17:00:00Z"), "customers noticed"));
        assertThat(command("action-items", "{\"title\": \"Alert on queue depth\", \"owner\": \"bob\", \"due\": \"2026-12-06T00:00:00Z\","
                + " \"priority\": \"high\", \"link\": \"https://tickets.example.com/OPS-12\"}").getPayload())
                .isEqualTo(new AddActionItem("Alert on queue depth", "bob", Instant.parse("2026-12-06T00:00:00Z"), ActionItemPriority.HIGH,
                        "https://tickets.example.com/OPS-12"));
        assertThat(command("action-items", "{\"title\": \"Runbook\", \"owner\": \"alice\", \"due\": \"2026-12-06T00:00:00Z\"}")
                .getPayload()).extracting("priority", "link").containsExactly(ActionItemPriority.MEDIUM, null);
        assertThat(command("complete-action-item", "{\"actionItemId\": \"AI-1\"}").getPayload()).isEqualTo(new CompleteActionItem("AI-1"));
        assertThat(command("publish-review", "{\"url\": \"https://wiki.example.com/pir/7\"}").getPayload())
                .isEqualTo(new PublishReview("https://wiki.example.com/pir/7"));
    }

    @ParameterizedTest
    @CsvSource({"SEV0,SEV0", "sev1,SEV1", "P2,SEV2", "p4,SEV4", "critical,SEV1", "error,SEV2", "warning,SEV3", "info,SEV4"})
    void severityTakesTheWordsAlertsUse(String text, Severity expected) {
        assertThat(command("severity", "{\"severity\": \"" + text + "\"}").getPayload()).isEqualTo(new ChangeSeverity(expected, null));
    }

    @Test
    void theCommandIdComesFromTheBodyTheHeaderOrIsRandom() {
        assertThat(ApiRequests.command("close", ID, bytes("{}"), "key-1", ALICE, NOW).getCommandId()).isEqualTo("key-1");
        assertThat(ApiRequests.command("close", ID, bytes("{\"commandId\": \"key-1\"}"), "key-1", ALICE, NOW).getCommandId())
                .isEqualTo("key-1");
        assertThat(command("close", "{}").getCommandId()).isNotEqualTo(command("close", "{}").getCommandId()).hasSize(36);
        assertRefused(() -> ApiRequests.command("close", ID, bytes("{\"commandId\": \"a\"}"), "b", ALICE, NOW), 400, "commandId");
        assertRefused(() -> ApiRequests.command("close", ID, bytes("{}"), "k".repeat(201), ALICE, NOW), 400, "Idempotency-Key");
    }

    @ParameterizedTest(name = "{0} {1} -> {2} {3}")
    @CsvSource(delimiter = '|', textBlock = """
            acknowledge    | '{'                                        | 400 | body
            acknowledge    | '{"message": "a"} trailing'                | 400 | body
            acknowledge    | '{"message": "a", "message": "b"}'         | 400 | body
            acknowledge    | '[]'                                       | 400 | body
            acknowledge    | 'null'                                     | 400 | body
            acknowledge    | '"on it"'                                  | 400 | body
            acknowledge    | '{"mesage": "typo"}'                       | 400 | mesage
            acknowledge    | '{"message": 42}'                          | 400 | message
            acknowledge    | '{"message": ""}'                          | 400 | message
            acknowledge    | '{"expectedVersion": "3"}'                 | 400 | expectedVersion
            acknowledge    | '{"expectedVersion": 1.5}'                 | 400 | expectedVersion
            acknowledge    | '{"expectedVersion": -1}'                  | 400 | expectedVersion
            acknowledge    | '{"commandId": 7}'                         | 400 | commandId
            resolve        | '{"reason": "wrong field"}'                | 400 | reason
            assign         | '{}'                                       | 400 | userId
            assign         | '{"userId": ["bob"]}'                      | 400 | userId
            severity       | ''                                         | 400 | severity
            severity       | '{"severity": "urgent"}'                   | 400 | severity
            severity       | '{"severity": 1}'                          | 400 | severity
            notes          | '{}'                                       | 400 | text
            notes          | '{"text": "   "}'                          | 400 | text
            notes          | '{"text": null}'                           | 400 | text
            status-updates | '{"msg": "typo"}'                          | 400 | msg
            status-updates | '{}'                                       | 400 | message
            snooze         | '{}'                                       | 400 | until
            snooze         | '{"until": "2026-11-23T00:00:00Z", "minutes": 5}' | 400 | until
            snooze         | '{"until": "tomorrow"}'                    | 400 | until
            snooze         | '{"until": "2026-11-22"}'                  | 400 | until
            snooze         | '{"until": "2026-11-22T09:00:00Z"}'        | 400 | until
            snooze         | '{"minutes": 0}'                           | 400 | minutes
            snooze         | '{"minutes": "30"}'                        | 400 | minutes
            snooze         | '{"minutes": 2.5}'                         | 400 | minutes
            snooze         | '{"minutes": 99999999999999999999}'        | 400 | minutes
            merge          | '{}'                                       | 400 | into
            merge          | '{"into": 17}'                             | 400 | into
            close          | '{"reason": "done", "force": true}'        | 400 | force
            require-review | '{"due": "next week"}'                     | 400 | due
            require-review | '{"due": "2026-11-22T08:00:00Z"}'          | 400 | due
            require-review | '{"due": 1764000000}'                      | 400 | due
            require-review | '{"dueAt": "2026-11-25T17:00:00Z"}'        | 400 | dueAt
            action-items   | '{"owner": "bob", "due": "2026-12-06T00:00:00Z"}' | 400 | title
            action-items   | '{"title": "x", "due": "2026-12-06T00:00:00Z"}'   | 400 | owner
            action-items   | '{"title": "x", "owner": "bob"}'           | 400 | due
            action-items   | '{"title": "x", "owner": "bob", "due": "2026-12-06T00:00:00Z", "priority": "urgent"}' | 400 | priority
            action-items   | '{"title": "x", "owner": "bob", "due": "2026-12-06T00:00:00Z", "link": "OPS-12"}'     | 400 | link
            action-items   | '{"title": "x", "owner": "bob", "due": "2026-12-06T00:00:00Z", "assignee": "c"}'     | 400 | assignee
            complete-action-item | '{}'                                 | 400 | actionItemId
            publish-review | '{}'                                       | 400 | url
            publish-review | '{"url": "javascript:alert(1)"}'           | 400 | url
            publish-review | '{"url": "wiki/pir/7"}'                    | 400 | url
            escalate       | '{}'                                       | 404 |
            """)
    void badBodiesAreRefusedNamingTheField(String action, String body, int status, String field) {
        assertRefused(() -> command(action, body), status, field);
    }

    @Test
    void anActionItemsTitleHasALimit() {
        assertRefused(() -> command("action-items", "{\"title\": \"" + "x".repeat(301) + "\", \"owner\": \"bob\", \"due\": \"2026-12-06T00:00:00Z\"}"),
                400, "title");
    }

    @Test
    void aBodyOverTheLimitIs413() {
        String note = "{\"text\": \"" + "x".repeat(ApiRequests.MAX_BODY_BYTES) + "\"}";
        assertRefused(() -> command("notes", note), 413, null);
        String fits = "{\"text\": \"" + "x".repeat(ApiRequests.MAX_BODY_BYTES - 20) + "\"}";
        assertThat(command("notes", fits).getPayload()).isInstanceOf(AddNote.class);
    }

    @Test
    void listFiltersCombine() {
        ListQuery query = ApiRequests.listQuery(Map.of("status", List.of("triggered,ACKNOWLEDGED"), "service", List.of("checkout"),
                "severity", List.of("SEV1", "p2"), "since", List.of("2026-11-22T00:00:00Z"), "limit", List.of("10")), "alice");

        assertThat(query.limit()).isEqualTo(10);
        assertThat(query.after()).isNull();
        assertThat((Predicate<IncidentState>) query.filter()::test).accepts(state(IncidentStatus.TRIGGERED, "checkout", Severity.SEV1, "2026-11-22T08:00:00Z"),
                state(IncidentStatus.ACKNOWLEDGED, "checkout", Severity.SEV2, "2026-11-22T00:00:00Z"));
        assertThat((Predicate<IncidentState>) query.filter()::test).rejects(state(IncidentStatus.RESOLVED, "checkout", Severity.SEV1, "2026-11-22T08:00:00Z"),
                state(IncidentStatus.TRIGGERED, "payments", Severity.SEV1, "2026-11-22T08:00:00Z"),
                state(IncidentStatus.TRIGGERED, "checkout", Severity.SEV3, "2026-11-22T08:00:00Z"),
                state(IncidentStatus.TRIGGERED, "checkout", Severity.SEV1, "2026-11-21T23:59:59Z"),
                state(IncidentStatus.TRIGGERED, null, Severity.SEV1, "2026-11-22T08:00:00Z"));
        assertThat(ApiRequests.listQuery(Map.of(), "alice").limit()).isEqualTo(ApiRequests.DEFAULT_LIMIT);
        assertThat((Predicate<IncidentState>) ApiRequests.listQuery(Map.of(), "alice").filter()::test)
                .accepts(state(IncidentStatus.CLOSED, null, Severity.SEV4, "2020-01-01T00:00:00Z"));
    }

    @Test
    void assigneeMeIsTheCaller() {
        assertThat(ApiRequests.listQuery(Map.of("assignee", List.of("me,bob")), "alice").filter().assignees())
                .containsExactlyInAnyOrder("alice", "bob");
    }

    @Test
    void aSearchIsItsWords_andALongOneIsRefused() {
        assertThat(ApiRequests.listQuery(Map.of("search", List.of("Checkout db-7")), "alice").filter().words())
                .containsExactly("checkout", "db", "7");
        assertRefused(() -> ApiRequests.listQuery(Map.of("search", List.of("x".repeat(201))), "alice"), 400, "search");
    }

    @Test
    void aCursorRoundTrips() {
        String position = QueryKeys.position(Instant.parse("2026-11-22T08:00:00.123Z"), "INC-20261122-0007");
        String cursor = ApiRequests.cursor(position);

        assertThat(cursor).doesNotContain("INC");
        assertThat(ApiRequests.listQuery(Map.of("cursor", List.of(cursor)), "alice").after()).isEqualTo(position);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', textBlock = """
            status   | open
            status   | TRIGGERED,
            severity | SEV9
            since    | yesterday
            since    | 2026-11-22
            limit    | 0
            limit    | 501
            limit    | ten
            cursor   | not-a-cursor
            cursor   | bm8tY29sb24
            cursor   | eDpJTkMtMQ
            statuss  | TRIGGERED
            search   | '-- ()'
            search   | a b c d e f g h i
            """)
    void badListParametersAreRefusedNamingTheParameter(String name, String value) {
        assertRefused(() -> ApiRequests.listQuery(Map.of(name, List.of(value)), "alice"), 400, name);
    }

    @Test
    void aSingleValuedParameterGivenTwiceIsRefused() {
        assertRefused(() -> ApiRequests.listQuery(Map.of("limit", List.of("1", "2")), "alice"), 400, "limit");
    }

    @Test
    void waitIsTrueFalseOrAbsent() {
        assertThat(ApiRequests.waitParameter(Map.of())).isFalse();
        assertThat(ApiRequests.waitParameter(Map.of("wait", List.of("true")))).isTrue();
        assertThat(ApiRequests.waitParameter(Map.of("wait", List.of("")))).isTrue();
        assertThat(ApiRequests.waitParameter(Map.of("wait", List.of("FALSE")))).isFalse();
        assertRefused(() -> ApiRequests.waitParameter(Map.of("wait", List.of("yes"))), 400, "wait");
        assertRefused(() -> ApiRequests.waitParameter(Map.of("wiat", List.of("true"))), 400, "wiat");
    }

    private static IncidentCommand command(String action, String body) {
        return ApiRequests.command(action, ID, bytes(body), null, ALICE, NOW);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertRefused(Runnable request, int status, String field) {
        assertThatThrownBy(request::run).asInstanceOf(type(ApiError.class)).satisfies(error -> {
            assertThat(error.status()).as("status of: " + error.getMessage()).isEqualTo(status);
            assertThat(error.field()).as("field of: " + error.getMessage()).isEqualTo(field);
            if (field != null) {
                assertThat(error.getMessage()).startsWith(field + ": ");
            }
        });
    }

    private static IncidentState state(IncidentStatus status, String service, Severity severity, String openedAt) {
        return IncidentState.newBuilder()
                .setIncidentId(ID)
                .setVersion(2)
                .setStatus(status)
                .setSeverity(severity)
                .setTitle("High error rate on checkout")
                .setService(service)
                .setOpenedAt(Instant.parse(openedAt))
                .build();
    }
}
