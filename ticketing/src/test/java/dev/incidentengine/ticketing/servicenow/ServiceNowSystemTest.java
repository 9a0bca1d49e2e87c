package dev.incidentengine.ticketing.servicenow;

import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.ticketing.ContractServer.Answer;
import dev.incidentengine.testkit.TestClock;
import dev.incidentengine.ticketing.TicketException;
import dev.incidentengine.ticketing.TicketHttp;
import dev.incidentengine.ticketing.TicketSystem.ChangePage;
import dev.incidentengine.ticketing.TicketSystem.NewTicket;
import dev.incidentengine.ticketing.TicketSystem.Subject;
import dev.incidentengine.ticketing.TicketSystem.TicketChange;
import dev.incidentengine.ticketing.TicketSystem.Transition;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

class ServiceNowSystemTest {

    private static final Subject INCIDENT = Subject.incident("INC-20261205-3-0007");
    private static final Duration POLL_DELAY = Duration.ofSeconds(5);

    private final TestClock clock = new TestClock(Instant.parse("2026-12-05T08:00:00Z"));
    private final List<Duration> waits = new ArrayList<>();
    private ServiceNowServer server;
    private ServiceNowSystem system;

    @BeforeEach
    void start() {
        server = new ServiceNowServer(clock);
        server.user("engine", "Incident Engine", "s3cret");
        server.user("beth.anglin", "Beth Anglin", "pw");
        system = system(Map.of());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void givenNoTicket_whenCreated_thenItIsFoundByItsMarkerWithTheConfiguredFields() throws Exception {
        assertThat(system.find(INCIDENT)).isEmpty();

        TicketRef ref = system.create(ticket(INCIDENT, Severity.SEV1, null));

        Map<String, String> incident = server.incident(ref.getKey());
        assertThat(ref.getKey()).isEqualTo("INC0010001");
        assertThat(ref.getUrl()).isEqualTo(server.baseUrl() + "/nav_to.do?uri=incident.do?sys_id=" + incident.get("sys_id"));
        assertThat(incident).containsEntry("short_description", "checkout latency above 2s")
                .containsEntry("description", "p99 3.1s on checkout-api")
                .containsEntry("correlation_id", "INC-20261205-3-0007").containsEntry("correlation_display", "incident-engine")
                .containsEntry("impact", "1").containsEntry("urgency", "2")
                .containsEntry("assignment_group", "Network").containsEntry("category", "software")
                .containsEntry("u_service", "checkout").containsEntry("sys_created_by", "engine");
        assertThat(system.find(INCIDENT)).contains(ref);
        assertThat(server.requests("POST", "/api/now/table/incident").get(0).header("Authorization"))
                .startsWith("Basic ");
    }

    @Test
    void anActionItemsIncidentPointsAtTheIncidentsOwnThroughParentIncident() throws Exception {
        TicketRef parent = system.create(ticket(INCIDENT, Severity.SEV2, null));
        Subject item = new Subject(INCIDENT.incidentId(), "AI-2");

        TicketRef child = system.create(ticket(item, Severity.SEV2, parent));

        assertThat(child.getActionItemId()).isEqualTo("AI-2");
        assertThat(server.incident(child.getKey())).containsEntry("correlation_id", "INC-20261205-3-0007/AI-2")
                .containsEntry("parent_incident", server.incident(parent.getKey()).get("sys_id"));
        assertThat(system.find(item)).contains(child);
        assertThat(system.find(INCIDENT)).contains(parent);
    }

    @Test
    void aLongTitleIsCutToTheLengthOfShortDescription() throws Exception {
        String title = "x".repeat(400);
        TicketRef ref = system.create(new NewTicket(INCIDENT, title, "", Severity.SEV3, "s", List.of(), null, Map.of()));

        assertThat(server.incident(ref.getKey()).get("short_description")).hasSize(160).endsWith("…");
        assertThat(server.incident(ref.getKey())).containsEntry("impact", "2").containsEntry("urgency", "3");
    }

    @Test
    void commentsAreWorkNotesWhoseCodeTagsAreBroken_andReadBackAsWritten() throws Exception {
        TicketRef ref = system.create(ticket(INCIDENT, Severity.SEV1, null));
        String hostile = "[code]<img src=x onerror=alert(1)>[/CODE] & <script>steal()</script>\n-- event 42";

        system.comment(ref, "first");
        clock.advance(Duration.ofSeconds(1));
        system.comment(ref, hostile);
        clock.advance(Duration.ofSeconds(1));
        system.comment(ref, "third");

        assertThat(server.journal(ref.getKey(), "work_notes")).containsExactly("engine: first",
                "engine: [\u200Bcode]<img src=x onerror=alert(1)>[/\u200BCODE] & <script>steal()</script>\n-- event 42",
                "engine: third");
        assertThat(system.recentComments(ref, 2)).containsExactly(hostile, "third");
        assertThat(system.recentComments(ref, 10)).containsExactly("first", hostile, "third");
    }

    @Test
    void commentsGoToTheCustomerVisibleJournalWhenConfigured() throws Exception {
        ServiceNowSystem visible = system(Map.of(ServiceNowProvider.COMMENT_FIELD, "comments"));
        TicketRef ref = visible.create(ticket(INCIDENT, Severity.SEV1, null));

        visible.comment(ref, "we are on it");

        assertThat(server.journal(ref.getKey(), "comments")).containsExactly("engine: we are on it");
        assertThat(server.journal(ref.getKey(), "work_notes")).isEmpty();
        assertThat(visible.recentComments(ref, 5)).containsExactly("we are on it");
    }

    @Test
    void resolvingSetsTheCloseCodeAndNotesServiceNowRequires_thenCloses_andAClosedIncidentCannotBeReopened() throws Exception {
        TicketRef ref = system.create(ticket(INCIDENT, Severity.SEV1, null));

        system.transition(ref, Transition.RESOLVE, "Resolved: rolled back 1.42");

        assertThat(server.incident(ref.getKey())).containsEntry("state", "6").containsEntry("close_code", "Solution provided")
                .containsEntry("close_notes", "Resolved: rolled back 1.42");
        assertThat(server.journal(ref.getKey(), "work_notes")).containsExactly("engine: Resolved: rolled back 1.42");
        assertThat(server.requests("PATCH", "/api/now/table/incident")).hasSize(1);

        system.transition(ref, Transition.RESOLVE, "");
        assertThat(server.requests("PATCH", "/api/now/table/incident")).as("already resolved: nothing to change").hasSize(1);

        system.transition(ref, Transition.CLOSE, "Closed");
        assertThat(server.incident(ref.getKey())).containsEntry("state", "7").containsEntry("close_notes", "Resolved: rolled back 1.42");

        system.transition(ref, Transition.CLOSE, "Closed");
        assertThat(server.journal(ref.getKey(), "work_notes")).as("a retry after a lost answer posts nothing twice")
                .containsExactly("engine: Resolved: rolled back 1.42", "engine: Closed");

        assertThatThrownBy(() -> system.transition(ref, Transition.REOPEN, "again"))
                .isInstanceOfSatisfying(TicketException.class, e -> {
                    assertThat(e.retriable()).isFalse();
                    assertThat(e.reason()).isEqualTo("forbidden");
                    assertThat(e.getMessage()).contains("ACL Exception Update Failed");
                });
    }

    @Test
    void reopeningAResolvedIncidentPutsItInProgress() throws Exception {
        TicketRef ref = system.create(ticket(INCIDENT, Severity.SEV1, null));
        system.transition(ref, Transition.RESOLVE, "fixed");

        system.transition(ref, Transition.REOPEN, "It is back");

        assertThat(server.incident(ref.getKey())).containsEntry("state", "2").containsEntry("reopen_count", "1");
        assertThat(server.journal(ref.getKey(), "work_notes")).containsExactly("engine: fixed", "engine: It is back");
    }

    @Test
    void resolvingWhatAPersonResolvedKeepsTheirCloseCodeAndNotes() throws Exception {
        TicketRef ref = system.create(ticket(INCIDENT, Severity.SEV1, null));
        server.update("beth.anglin", ref.getKey(), Map.of("state", "6", "close_code", "Workaround provided", "close_notes", "restarted"));

        system.transition(ref, Transition.RESOLVE, "Resolved in the engine");

        assertThat(server.incident(ref.getKey())).containsEntry("state", "6").containsEntry("close_code", "Workaround provided")
                .containsEntry("close_notes", "restarted");
        assertThat(server.journal(ref.getKey(), "work_notes")).containsExactly("engine: Resolved in the engine");
    }

    @Test
    void aSeverityChangeMovesImpactAndUrgency() throws Exception {
        TicketRef ref = system.create(ticket(INCIDENT, Severity.SEV3, null));

        system.changeSeverity(ref, Severity.SEV0);

        assertThat(server.incident(ref.getKey())).containsEntry("impact", "1").containsEntry("urgency", "1");
    }

    @Test
    void aRefWithoutTheSysIdInItsUrlIsLookedUpByNumber() throws Exception {
        TicketRef ref = system.create(ticket(INCIDENT, Severity.SEV3, null));
        TicketRef edited = new TicketRef("servicenow", ref.getKey(), "https://acme.service-now.com/incident.do", null);

        system.comment(edited, "found by number");

        assertThat(server.journal(ref.getKey(), "work_notes")).containsExactly("engine: found by number");
    }

    @Test
    void anOAuthTokenIsSentAsBearer() throws Exception {
        server.token("tok-123", "engine");
        ServiceNowSystem withToken = system(Map.of(ServiceNowProvider.PASSWORD, "", ServiceNowProvider.TOKEN, "tok-123"));

        withToken.create(ticket(INCIDENT, Severity.SEV1, null));

        assertThat(server.requests("POST", "/api/now/table/incident").get(0).header("Authorization")).isEqualTo("Bearer tok-123");
    }

    @Test
    void anOAuthClientFetchesATokenAndRenewsItBeforeItExpires_andOnceMoreWhenRevoked() throws Exception {
        server.client("engine-client", "client-secret", "engine");
        ServiceNowSystem withClient = system(Map.of(ServiceNowProvider.PASSWORD, "", ServiceNowProvider.CLIENT_ID, "engine-client",
                ServiceNowProvider.CLIENT_SECRET, "client-secret"));

        TicketRef ref = withClient.create(ticket(INCIDENT, Severity.SEV1, null));
        withClient.comment(ref, "one");
        assertThat(server.tokensIssued()).isEqualTo(1);
        assertThat(server.requests("PATCH", "/api/now/table/incident").get(0).header("Authorization")).isEqualTo("Bearer snow-token-1");

        clock.advance(Duration.ofSeconds(1799 - 60));
        withClient.comment(ref, "two");
        assertThat(server.tokensIssued()).as("renewed a minute before it expires").isEqualTo(2);

        server.revokeTokens();
        withClient.comment(ref, "three");
        assertThat(server.tokensIssued()).isEqualTo(3);
        assertThat(server.journal(ref.getKey(), "work_notes")).containsExactly("engine: one", "engine: two", "engine: three");

        ServiceNowSystem wrongSecret = system(Map.of(ServiceNowProvider.PASSWORD, "", ServiceNowProvider.CLIENT_ID, "engine-client",
                ServiceNowProvider.CLIENT_SECRET, "wrong"));
        assertThatThrownBy(() -> wrongSecret.find(INCIDENT)).isInstanceOfSatisfying(TicketException.class, e -> {
            assertThat(e.reason()).isEqualTo("unauthorized");
            assertThat(e.getMessage()).contains("token", "access_denied");
        });
    }

    @Test
    void refusalsAreNotRetried_andSayWhyInOneWord() throws Exception {
        ServiceNowSystem wrongPassword = system(Map.of(ServiceNowProvider.PASSWORD, "wrong"));
        assertThatThrownBy(() -> wrongPassword.find(INCIDENT)).isInstanceOfSatisfying(TicketException.class, e -> {
            assertThat(e.reason()).isEqualTo("unauthorized");
            assertThat(e.getMessage()).contains("User Not Authenticated");
        });

        TicketRef gone = new TicketRef("servicenow", "INC0099999", server.baseUrl() + "/nav_to.do?uri=incident.do?sys_id="
                + "0".repeat(32), null);
        assertThatThrownBy(() -> system.comment(gone, "x")).isInstanceOfSatisfying(TicketException.class,
                e -> assertThat(e.reason()).isEqualTo("not-found"));

        TicketRef ref = system.create(ticket(INCIDENT, Severity.SEV1, null));
        server.journalReadable(false);
        assertThatThrownBy(() -> system.recentComments(ref, 5)).isInstanceOfSatisfying(TicketException.class,
                e -> assertThat(e.reason()).isEqualTo("forbidden"));
        assertThat(waits).isEmpty();
    }

    @Test
    void rateLimitsAndOutagesAreRetriedAsServiceNowAsks_withoutWaitingForReal() throws Exception {
        server.failNext(Answer.json(429, "{\"error\":{\"message\":\"Rate limit exceeded\",\"detail\":null},\"status\":\"failure\"}")
                        .header("Retry-After", "7"),
                Answer.json(503, ""));

        TicketRef ref = system.create(ticket(INCIDENT, Severity.SEV1, null));

        assertThat(server.incidents()).hasSize(1);
        assertThat(ref.getKey()).isEqualTo("INC0010001");
        assertThat(waits).hasSize(2);
        assertThat(waits.get(0)).isEqualTo(Duration.ofSeconds(7));
        assertThat(waits.get(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void aWaitLongerThanTheRetriesAllowIsLeftToTheCaller() {
        server.failNext(Answer.json(429, "{\"error\":{\"message\":\"Rate limit exceeded\",\"detail\":null},\"status\":\"failure\"}")
                .header("Retry-After", "3600"));

        assertThatThrownBy(() -> system.find(INCIDENT)).isInstanceOfSatisfying(TicketException.class, e -> {
            assertThat(e.retriable()).isTrue();
            assertThat(e.reason()).isEqualTo("rate-limited");
            assertThat(e.retryAfter()).isEqualTo(Duration.ofHours(1));
        });
        assertThat(waits).isEmpty();
    }

    @Test
    void thePollStartsAfterTheLastChange_andReturnsAPersonsResolutionAndCommentsOnce_butNotTheConnectorsOwn() throws Exception {
        TicketRef before = system.create(ticket(Subject.incident("INC-old"), Severity.SEV3, null));
        server.update("beth.anglin", before.getKey(), Map.of("comments", "old news"));
        clock.advance(Duration.ofSeconds(10));
        String cursor = system.changesSince(null, 100).nextCursor();

        TicketRef a = system.create(ticket(INCIDENT, Severity.SEV1, null));
        TicketRef b = system.create(ticket(Subject.incident("INC-20261205-3-0008"), Severity.SEV2, null));
        system.comment(a, "engine note");
        clock.advance(Duration.ofSeconds(1));
        server.update("beth.anglin", a.getKey(), Map.of("work_notes", "rolled back", "state", "6",
                "close_code", "Workaround provided", "close_notes", "rolled back the deploy"));
        server.update("beth.anglin", b.getKey(), Map.of("comments", "customers report errors"));
        clock.advance(Duration.ofSeconds(1));
        system.comment(a, "engine saw the resolution");

        assertThat(system.changesSince(cursor, 100).changes()).as("within the poll delay").isEmpty();
        clock.advance(POLL_DELAY);
        ChangePage page = system.changesSince(cursor, 100);

        assertThat(page.changes()).extracting(TicketChange::ticket, TicketChange::kind, TicketChange::actorLogin, TicketChange::actorName,
                TicketChange::text).as("by incident in the order of their last update, then by time").containsExactly(
                tuple(b, TicketChange.Kind.COMMENTED, "beth.anglin", "beth.anglin", "customers report errors"),
                tuple(a, TicketChange.Kind.COMMENTED, "beth.anglin", "beth.anglin", "rolled back"),
                tuple(a, TicketChange.Kind.RESOLVED, "beth.anglin", "Beth Anglin", "rolled back the deploy"));
        assertThat(page.changes().get(2).subject()).isEqualTo(INCIDENT);
        assertThat(page.changes().get(2).at()).isEqualTo(Instant.parse("2026-12-05T08:00:11Z"));
        assertThat(page.changes()).extracting(TicketChange::changeId).doesNotHaveDuplicates();

        system.comment(a, "engine again");
        clock.advance(POLL_DELAY.plusSeconds(1));
        ChangePage next = system.changesSince(page.nextCursor(), 100);
        assertThat(next.changes()).as("only the connector changed since").isEmpty();
        assertThat(next.nextCursor()).isNotEqualTo(page.nextCursor());
        assertThat(system.changesSince(next.nextCursor(), 100).changes()).isEmpty();
    }

    @Test
    void anActionItemResolvedByAPersonComesBackAsItsSubject() throws Exception {
        String cursor = system.changesSince(null, 100).nextCursor();
        TicketRef parent = system.create(ticket(INCIDENT, Severity.SEV1, null));
        Subject item = new Subject(INCIDENT.incidentId(), "AI-3");
        TicketRef child = system.create(ticket(item, Severity.SEV3, parent));
        server.update("beth.anglin", child.getKey(), Map.of("state", "6", "close_code", "Solution provided", "close_notes", "done"));
        clock.advance(POLL_DELAY);

        List<TicketChange> changes = system.changesSince(cursor, 100).changes();

        assertThat(changes).singleElement().satisfies(change -> {
            assertThat(change.subject()).isEqualTo(item);
            assertThat(change.ticket()).isEqualTo(child);
            assertThat(change.kind()).isEqualTo(TicketChange.Kind.RESOLVED);
            assertThat(change.changeId()).isEqualTo("servicenow:" + server.incident(child.getKey()).get("sys_id")
                    + ":resolved:2026-12-05 08:00:00");
        });
    }

    @Test
    void reopeningAndClosingByAPersonComeBack() throws Exception {
        String cursor = system.changesSince(null, 100).nextCursor();
        TicketRef ref = system.create(ticket(INCIDENT, Severity.SEV1, null));
        system.transition(ref, Transition.RESOLVE, "engine resolved");
        clock.advance(Duration.ofSeconds(1));
        server.update("beth.anglin", ref.getKey(), Map.of("state", "2"));
        clock.advance(Duration.ofSeconds(1));
        server.update("beth.anglin", ref.getKey(), Map.of("state", "7"));
        clock.advance(POLL_DELAY);

        assertThat(system.changesSince(cursor, 100).changes()).extracting(TicketChange::kind)
                .containsExactly(TicketChange.Kind.REOPENED, TicketChange.Kind.CLOSED);
    }

    @Test
    void pagesOfOneSplitAtIncidentsOfTheSameSecond_andLoseOrRepeatNothing() throws Exception {
        String cursor = system.changesSince(null, 100).nextCursor();
        List<TicketRef> refs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            refs.add(system.create(ticket(Subject.incident("INC-" + i), Severity.SEV2, null)));
        }
        for (TicketRef ref : refs) {
            server.update("beth.anglin", ref.getKey(), Map.of("comments", "seen " + ref.getKey()));
            server.update("beth.anglin", ref.getKey(), Map.of("comments", "again " + ref.getKey()));
        }
        clock.advance(POLL_DELAY);

        List<TicketChange> seen = new ArrayList<>();
        for (int poll = 0; poll < 5; poll++) {
            ChangePage page = system.changesSince(cursor, 1);
            seen.addAll(page.changes());
            cursor = page.nextCursor();
        }

        assertThat(seen).extracting(TicketChange::text).containsExactlyInAnyOrder("seen INC0010001", "again INC0010001",
                "seen INC0010002", "again INC0010002", "seen INC0010003", "again INC0010003");
    }

    private ServiceNowSystem system(Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>(Map.of(
                ServiceNowProvider.URL, server.baseUrl() + "/",
                ServiceNowProvider.USER, "engine",
                ServiceNowProvider.PASSWORD, "s3cret",
                ServiceNowProvider.ASSIGNMENT_GROUP, "Network",
                ServiceNowProvider.CATEGORY, "software",
                ServiceNowProvider.POLL_DELAY_MS, String.valueOf(POLL_DELAY.toMillis())));
        props.putAll(overrides);
        ConfigDef def = new ConfigDef();
        new ServiceNowProvider().define(def);
        TicketHttp http = new TicketHttp("servicenow", HttpClient.newHttpClient(),
                new TicketHttp.Retry(3, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(60)),
                Duration.ofSeconds(10), waits::add, clock);
        return new ServiceNowSystem(ServiceNowProvider.settings(new AbstractConfig(def, props)), http, clock);
    }

    private static NewTicket ticket(Subject subject, Severity severity, TicketRef parent) {
        return new NewTicket(subject, "checkout latency above 2s", "p99 3.1s on checkout-api", severity, "checkout",
                List.of("sre"), parent, Map.of("u_service", "checkout"));
    }
}
