package dev.incidentengine.ticketing.jira;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.ticketing.TicketException;
import dev.incidentengine.ticketing.TicketHttp;
import dev.incidentengine.ticketing.TicketSystem;
import dev.incidentengine.ticketing.TicketSystem.NewTicket;
import dev.incidentengine.ticketing.TicketSystem.Subject;
import dev.incidentengine.ticketing.TicketSystem.Transition;
import dev.incidentengine.ticketing.TicketSystems;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The whole Jira client against {@link JiraContractServer}, for Cloud (v3) and Data Center (v2). */
class JiraSystemTest {

    static final String HOSTILE = "{code}rm -rf /{code} [click|http://evil.example] <script>alert(1)</script>\nh1. Big\n* item | cell ||"
            + " \\\\ back\\slash -strike- +u+ ^sup^ ~sub~ ?? !img.png! (y) #1";

    private final List<Duration> slept = new ArrayList<>();
    private JiraContractServer jira;

    @AfterEach
    void stop() {
        if (jira != null) {
            jira.close();
        }
    }

    private TicketSystem start(int version, Map<String, String> more) throws Exception {
        jira = new JiraContractServer(version);
        Map<String, String> settings = new HashMap<>(Map.of(JiraProvider.URL, jira.url() + "/", JiraProvider.API_VERSION,
                Integer.toString(version), JiraProvider.TOKEN, JiraContractServer.TOKEN, JiraProvider.PROJECT, JiraContractServer.PROJECT,
                JiraProvider.LABELS, "incident,ops", JiraProvider.COMPONENTS, "Checkout"));
        if (version == 3) {
            settings.put(JiraProvider.USER, JiraContractServer.USER);
        }
        settings.putAll(more);
        TicketHttp http = new TicketHttp("jira", HttpClient.newHttpClient(), new TicketHttp.Retry(3, Duration.ofMillis(200),
                Duration.ofSeconds(2), Duration.ofSeconds(60)), Duration.ofSeconds(5), slept::add, Clock.systemUTC());
        return TicketSystems.named("jira").orElseThrow().create(new AbstractConfig(definition(), settings), http);
    }

    static ConfigDef definition() {
        ConfigDef def = new ConfigDef();
        new JiraProvider().define(def);
        return def;
    }

    private static NewTicket ticket(Subject subject, String description, TicketRef parent) {
        return new NewTicket(subject, "Checkout 5xx above 2%\nsecond line", description, Severity.SEV1, "checkout",
                List.of("service checkout"), parent, Map.of(JiraContractServer.CUSTOM_FIELD, "team-payments"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void createsOneTicketPerSubject_findsItByItsMarker_andLinksActionItems(int version) throws Exception {
        TicketSystem system = start(version, Map.of());
        Subject incident = Subject.incident("INC-20261205-3-0001");
        assertThat(system.find(incident)).isEmpty();

        TicketRef ticket = system.create(ticket(incident, "what happened", null));

        assertThat(ticket.getKey()).isEqualTo("OPS-1");
        assertThat(ticket.getUrl()).isEqualTo(jira.url() + "/browse/OPS-1");
        assertThat(system.find(incident)).contains(ticket);
        JiraContractServer.Issue issue = jira.issue("OPS-1");
        assertThat(issue.labels()).containsExactly("incident", "ops", "service-checkout", "incident-engine:INC-20261205-3-0001");
        assertThat(issue.fields.path("summary").asText()).isEqualTo("Checkout 5xx above 2% second line");
        assertThat(issue.fields.path("priority").path("name").asText()).isEqualTo("High");
        assertThat(issue.fields.path("issuetype").path("name").asText()).isEqualTo("Task");
        assertThat(issue.fields.path("components").get(0).path("name").asText()).isEqualTo("Checkout");
        assertThat(issue.fields.path(JiraContractServer.CUSTOM_FIELD).asText()).isEqualTo("team-payments");
        assertThat(issue.properties.get(JiraSystem.PROPERTY).path("incidentId").asText()).isEqualTo("INC-20261205-3-0001");
        assertThat(issue.properties.get(JiraSystem.PROPERTY).path("actionItemId").isNull()).isTrue();
        assertThat(issue.fields.path("description").isObject()).isEqualTo(version == 3);

        Subject item = new Subject("INC-20261205-3-0001", "AI-2");
        assertThat(system.find(item)).isEmpty();
        TicketRef itemTicket = system.create(ticket(item, "fix the pool", ticket));
        assertThat(itemTicket.getActionItemId()).isEqualTo("AI-2");
        assertThat(system.find(item)).contains(itemTicket);
        assertThat(system.find(incident)).contains(ticket);
        assertThat(jira.issue(itemTicket.getKey()).links).singleElement()
                .satisfies(link -> assertThat(link).containsExactly("Relates", "OPS-1"));
        assertThat(jira.issue(itemTicket.getKey()).properties.get(JiraSystem.PROPERTY).path("actionItemId").asText()).isEqualTo("AI-2");

        String expected = version == 3 ? "Basic " : "Bearer ";
        assertThat(jira.requests).allSatisfy(seen -> assertThat(seen.authorization()).startsWith(expected));
        assertThat(jira.requests).anySatisfy(seen -> assertThat(seen.path()).isEqualTo(version == 3 ? "/rest/api/3/search/jql" : "/rest/api/2/search"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void hostileTextIsInertInTheStoredFormat_andCommentsReadBackAsTheTextPosted(int version) throws Exception {
        TicketSystem system = start(version, Map.of());
        TicketRef ticket = system.create(ticket(Subject.incident("INC-1"), HOSTILE, null));
        String stored = jira.issue(ticket.getKey()).fields.path("description").toString();
        if (version == 2) {
            String wiki = jira.issue(ticket.getKey()).fields.path("description").asText();
            assertThat(wiki).doesNotContain("{code}", "[click|", "\nh1. ", "||", "!img.png!").contains("\\{code\\}", "\nh1\\. ");
        } else {
            assertThat(stored).doesNotContain("\"type\":\"codeBlock\"", "\"type\":\"heading\"", "\"marks\"");
            assertThat(JiraText.plain(jira.issue(ticket.getKey()).fields.path("description"))).isEqualTo(HOSTILE);
        }

        for (int i = 1; i <= 4; i++) {
            system.comment(ticket, "update " + i + "\n\n" + HOSTILE + "\n\n-- incident-engine event ev-" + i);
        }

        List<String> recent = system.recentComments(ticket, 3);
        assertThat(recent).hasSize(3);
        assertThat(recent.get(0)).isEqualTo("update 4\n\n" + HOSTILE + "\n\n-- incident-engine event ev-4");
        assertThat(recent.get(2)).startsWith("update 2");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void transitionsByName_repeatsAreHarmless_andAMissingOneNamesThoseOffered(int version) throws Exception {
        TicketSystem system = start(version, Map.of(JiraProvider.TRANSITION_PREFIX + "close", "Closed"));
        TicketRef ticket = system.create(ticket(Subject.incident("INC-1"), "x", null));

        system.transition(ticket, Transition.RESOLVE, "resolved by alice");
        assertThat(jira.issue(ticket.getKey()).status).isEqualTo("Done");
        // A retry after a crash, or a person who got there first: already done, so only the comment.
        system.transition(ticket, Transition.RESOLVE, "resolved by alice");
        assertThat(jira.issue(ticket.getKey()).status).isEqualTo("Done");
        assertThat(jira.issue(ticket.getKey()).comments).hasSize(2);

        system.transition(ticket, Transition.REOPEN, "reopened");
        assertThat(jira.issue(ticket.getKey()).status).isEqualTo("To Do");
        // A person resolved it in Jira before the incident resolved.
        jira.setStatus(ticket.getKey(), "Done");
        system.transition(ticket, Transition.RESOLVE, "resolved by bob");
        assertThat(jira.issue(ticket.getKey()).comments).hasSize(4);
        system.transition(ticket, Transition.REOPEN, "reopened again");
        assertThat(jira.issue(ticket.getKey()).status).isEqualTo("To Do");

        assertThatThrownBy(() -> system.transition(ticket, Transition.CLOSE, "closed"))
                .isInstanceOfSatisfying(TicketException.class, e -> {
                    assertThat(e.retriable()).isFalse();
                    assertThat(e.reason()).isEqualTo("no-transition");
                    assertThat(e.getMessage()).contains("'Closed'", "'In Progress'", "'Done'", "jira.transition.close");
                });
        assertThat(jira.issue(ticket.getKey()).status).isEqualTo("To Do");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void theConfiguredResolutionGoesWithTheResolveTransition(int version) throws Exception {
        TicketSystem system = start(version, Map.of(JiraProvider.RESOLUTION, "Fixed"));
        TicketRef ticket = system.create(ticket(Subject.incident("INC-1"), "x", null));

        system.transition(ticket, Transition.RESOLVE, "resolved");
        assertThat(jira.issue(ticket.getKey()).fields.path("resolution").path("name").asText()).isEqualTo("Fixed");
        system.transition(ticket, Transition.REOPEN, "reopened");
        assertThat(jira.issue(ticket.getKey()).status).isEqualTo("To Do");

        jira.close();
        TicketSystem misnamed = start(version, Map.of(JiraProvider.RESOLUTION, "Solved"));
        TicketRef other = misnamed.create(ticket(Subject.incident("INC-2"), "x", null));
        assertThatThrownBy(() -> misnamed.transition(other, Transition.RESOLVE, "resolved"))
                .isInstanceOfSatisfying(TicketException.class, e -> assertThat(e.getMessage()).contains("resolution", "Solved"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void severityChangesThePriority_andAnEmptyMappingLeavesIt(int version) throws Exception {
        TicketSystem system = start(version, Map.of(JiraProvider.PRIORITY_PREFIX + "SEV4", ""));
        TicketRef ticket = system.create(ticket(Subject.incident("INC-1"), "x", null));

        system.changeSeverity(ticket, Severity.SEV0);
        assertThat(jira.issue(ticket.getKey()).fields.path("priority").path("name").asText()).isEqualTo("Highest");
        int before = jira.requests.size();
        system.changeSeverity(ticket, Severity.SEV4);
        assertThat(jira.requests).hasSize(before);
        assertThat(jira.issue(ticket.getKey()).fields.path("priority").path("name").asText()).isEqualTo("Highest");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void retries429And503HonouringRetryAfter_thenGivesUpRetriable(int version) throws Exception {
        TicketSystem system = start(version, Map.of());
        jira.failNext(429, Map.of("Retry-After", "7"), "{\"errorMessages\":[\"Rate limit exceeded.\"],\"errors\":{}}");
        jira.failNext(503, Map.of(), "<html>Service Unavailable</html>");

        TicketRef ticket = system.create(ticket(Subject.incident("INC-1"), "x", null));

        assertThat(jira.issues()).hasSize(1);
        assertThat(ticket.getKey()).isEqualTo("OPS-1");
        assertThat(slept).hasSize(2);
        assertThat(slept.get(0)).isEqualTo(Duration.ofSeconds(7));
        assertThat(slept.get(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(400));

        for (int i = 0; i < 3; i++) {
            jira.failNext(503, Map.of("Retry-After", "1"), "{\"errorMessages\":[\"Jira is down for maintenance\"]}");
        }
        assertThatThrownBy(() -> system.comment(ticket, "x")).isInstanceOfSatisfying(TicketException.class, e -> {
            assertThat(e.retriable()).isTrue();
            assertThat(e.reason()).isEqualTo("unavailable");
            assertThat(e.getMessage()).contains("503", "after 3 attempt(s)");
        });
        jira.failNext(429, Map.of("Retry-After", "3600"), "{}");
        assertThatThrownBy(() -> system.comment(ticket, "x")).isInstanceOfSatisfying(TicketException.class, e -> {
            assertThat(e.reason()).isEqualTo("rate-limited");
            assertThat(e.retryAfter()).isEqualTo(Duration.ofHours(1));
        });
        assertThat(jira.issue("OPS-1").comments).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void refusalsAreNotRetried_andSayWhyInAWord(int version) throws Exception {
        TicketSystem system = start(version, Map.of(JiraProvider.PRIORITY_PREFIX + "SEV1", "Urgent"));
        assertThatThrownBy(() -> system.create(ticket(Subject.incident("INC-1"), "x", null))).isInstanceOfSatisfying(TicketException.class,
                e -> {
                    assertThat(e.reason()).isEqualTo("bad-request");
                    assertThat(e.getMessage()).contains("priority");
                });
        TicketRef missing = new TicketRef("jira", "OPS-404", jira.url() + "/browse/OPS-404", null);
        assertThatThrownBy(() -> system.comment(missing, "x")).isInstanceOfSatisfying(TicketException.class,
                e -> assertThat(e.reason()).isEqualTo("not-found"));
        jira.failNext(403, Map.of(), "{\"errorMessages\":[\"You do not have permission to create issues in this project.\"],\"errors\":{}}");
        assertThatThrownBy(() -> system.find(Subject.incident("INC-1"))).isInstanceOfSatisfying(TicketException.class,
                e -> assertThat(e.reason()).isEqualTo("forbidden"));
        assertThat(slept).isEmpty();
        assertThat(jira.issues()).isEmpty();

        Map<String, String> wrongToken = new HashMap<>(Map.of(JiraProvider.TOKEN, "stale"));
        jira.close();
        TicketSystem unauthorized = start(version, wrongToken);
        assertThatThrownBy(() -> unauthorized.find(Subject.incident("INC-1"))).isInstanceOfSatisfying(TicketException.class,
                e -> assertThat(e.reason()).isEqualTo("unauthorized"));
        assertThatThrownBy(() -> unauthorized.find(Subject.incident("INC-1"))).hasMessageNotContaining("stale");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void aLoginPageInsteadOfJiraIsAnInvalidAnswer_notACrash(int version) throws Exception {
        TicketSystem system = start(version, Map.of());
        jira.failNext(200, Map.of("Content-Type", "text/html"), "<html><body>Sign in with SSO</body></html>");

        assertThatThrownBy(() -> system.find(Subject.incident("INC-1"))).isInstanceOfSatisfying(TicketException.class, e -> {
            assertThat(e.retriable()).isFalse();
            assertThat(e.reason()).isEqualTo("invalid-response");
            assertThat(e.getMessage()).contains("not JSON", "jira.url");
        });
        jira.failNext(201, Map.of(), "{\"id\": \"10000\"}");
        assertThatThrownBy(() -> system.create(ticket(Subject.incident("INC-1"), "x", null)))
                .isInstanceOfSatisfying(TicketException.class, e -> assertThat(e.getMessage()).contains("no issue key"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void fieldsJiraRefusesAreNamedInTheRefusal(int version) throws Exception {
        TicketSystem system = start(version, Map.of(JiraProvider.COMPONENTS, "Nope", JiraProvider.LINK_TYPE, "Duplicates"));
        assertThatThrownBy(() -> system.create(ticket(Subject.incident("INC-1"), "x", null)))
                .hasMessageContaining("components").hasMessageContaining("Nope");
    }
}
