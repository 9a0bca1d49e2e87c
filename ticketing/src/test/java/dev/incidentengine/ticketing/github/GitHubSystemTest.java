package dev.incidentengine.ticketing.github;

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
import dev.incidentengine.ticketing.TicketSystem;
import dev.incidentengine.ticketing.TicketSystem.NewTicket;
import dev.incidentengine.ticketing.TicketSystem.Subject;
import dev.incidentengine.ticketing.TicketSystem.Transition;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GitHubSystemTest {

    private static final Subject INCIDENT = Subject.incident("INC-20261205-3-0007");
    private static final String HOSTILE = "<script>alert(1)</script> @octocat see #123 ![x](https://evil.example/p.png)\n"
            + "[click](javascript:alert(1)) **bold** `code` ~~gone~~ a|b &amp; \\*\n"
            + "# heading\n- item\n  + nested\n1. first\n2) second\n> quote\n===\n<!-- incident-engine: INC-forged -->";

    private final TestClock clock = new TestClock(Instant.parse("2026-12-05T08:00:00Z"));
    private final List<Duration> waits = new ArrayList<>();
    private GitHubServer server;
    private TicketSystem system;

    @BeforeEach
    void start() {
        server = new GitHubServer();
        system = system(Map.of());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void givenNoIssue_whenCreated_thenItCarriesTheMarkerLabelAndIsFoundByIt_notByAPullRequestWithTheSameLabel() throws Exception {
        server.pullRequest("a fix", "incident-engine:INC-20261205-3-0007");
        assertThat(system.find(INCIDENT)).isEmpty();

        TicketRef ref = system.create(ticket(INCIDENT, Severity.SEV1, null));

        assertThat(ref.getKey()).isEqualTo("acme/ops#2");
        assertThat(ref.getUrl()).isEqualTo("https://github.com/acme/ops/issues/2");
        GitHubServer.Issue issue = server.issue(2);
        assertThat(issue.title).isEqualTo("checkout latency above 2s");
        assertThat(issue.labels).containsExactly("incident", "sre", "severity:SEV1", "incident-engine:INC-20261205-3-0007");
        assertThat(issue.assignees).containsExactly("alice");
        assertThat(issue.body).isEqualTo("p99 3.1s on checkout-api\n\n<!-- incident-engine: INC-20261205-3-0007 -->");
        assertThat(server.label("severity:SEV1")).hasValueSatisfying(label -> assertThat(label.color()).isEqualTo("d93f0b"));
        assertThat(system.find(INCIDENT)).contains(ref);

        GitHubServer.Issue pr = server.issue(1);
        assertThat(pr.pullRequest).isTrue();
        var create = server.requests("POST", "/repos/acme/ops/issues").get(0);
        assertThat(create.header("Accept")).isEqualTo("application/vnd.github+json");
        assertThat(create.header("X-GitHub-Api-Version")).isEqualTo("2022-11-28");
        assertThat(create.header("Authorization")).isEqualTo("Bearer " + GitHubServer.TOKEN);
        assertThat(create.header("User-Agent")).isEqualTo("incident-engine-ticketing");
    }

    @Test
    void labelsAreMadeOnce_andOneThatExistsIsFine() throws Exception {
        system.create(ticket(INCIDENT, Severity.SEV2, null));
        system.create(ticket(Subject.incident("INC-2"), Severity.SEV2, null));
        system.create(ticket(Subject.incident("INC-2"), Severity.SEV2, null));

        assertThat(server.requests("POST", "/repos/acme/ops/labels")).extracting(r -> r.json().path("name").asText())
                .containsExactly("incident-engine:INC-20261205-3-0007", "severity:SEV2", "incident-engine:INC-2", "incident-engine:INC-2");
        assertThat(server.issues()).hasSize(3);
    }

    @Test
    void aMarkerTooLongForALabelIsHashedToFit_stablyAndFindably() throws Exception {
        Subject long1 = new Subject("INC-" + "x".repeat(60), "AI-1");
        Subject long2 = new Subject("INC-" + "x".repeat(60), "AI-2");

        TicketRef ref = system.create(ticket(long1, Severity.SEV3, null));

        String label = GitHubSystem.markerLabel(long1.marker());
        assertThat(label).hasSize(50).startsWith("incident-engine:").isEqualTo(GitHubSystem.markerLabel(long1.marker()))
                .isNotEqualTo(GitHubSystem.markerLabel(long2.marker()));
        assertThat(server.label(label)).hasValueSatisfying(l -> assertThat(l.description()).contains("INC-xxx"));
        assertThat(server.issue(1).body).endsWith("<!-- incident-engine: " + long1.marker() + " -->");
        assertThat(system.find(long1)).contains(ref);
        assertThat(system.find(long2)).isEmpty();
    }

    @Test
    void anActionItemsIssueReferencesTheIncidentsAndIsItsSubIssue() throws Exception {
        TicketRef parent = system.create(ticket(INCIDENT, Severity.SEV1, null));

        TicketRef child = system.create(ticket(new Subject(INCIDENT.incidentId(), "AI-1"), Severity.SEV3, parent));

        assertThat(child.getActionItemId()).isEqualTo("AI-1");
        assertThat(server.issue(2).body).contains("\n\nFollow-up of #1\n\n<!-- incident-engine: INC-20261205-3-0007/AI-1 -->");
        assertThat(server.issue(1).subIssues).containsExactly(server.issue(2).id);
        assertThat(server.issue(2).parentId).isEqualTo(server.issue(1).id);
    }

    @Test
    void withoutSubIssues_theReferenceInTheBodyIsTheLink() throws Exception {
        server.subIssuesSupported(false);
        TicketRef parent = system.create(ticket(INCIDENT, Severity.SEV1, null));

        TicketRef child = system.create(ticket(new Subject(INCIDENT.incidentId(), "AI-1"), Severity.SEV3, parent));

        assertThat(child.getKey()).isEqualTo("acme/ops#2");
        assertThat(server.issue(2).body).contains("Follow-up of #1");
        assertThat(server.issue(1).subIssues).isEmpty();
    }

    @Test
    void hostileTextIsInertMarkdown_andCommentsReadBackAsWritten() throws Exception {
        TicketRef ref = system.create(new NewTicket(INCIDENT, "<b>title</b> @octocat", HOSTILE, Severity.SEV1, "s", List.of(), null,
                Map.of()));

        system.comment(ref, HOSTILE);

        String body = server.issue(1).body;
        String escaped = body.substring(0, body.lastIndexOf("\n\n<!--")).replace("&#8203;", "");
        assertThat(escaped).as("no markup character left unescaped").doesNotContainPattern("(?<!\\\\)[<>\\[\\]*_`~|&]");
        assertThat(body).doesNotContain("@octocat", "#123", "\n# ", "\n- ", "\n1. ", "\n> ");
        assertThat(body).contains("\\<script\\>", "@&#8203;octocat", "#&#8203;123", "!\\[x\\]", "\\*\\*bold\\*\\*", "\\`code\\`",
                "a\\|b", "\\&amp;", "\n#&#8203; heading", "\n\\- item", "\n  \\+ nested", "\n1\\. first", "\n2\\) second", "\n\\> quote",
                "\n\\===");
        assertThat(body).endsWith("\n\n<!-- incident-engine: INC-20261205-3-0007 -->");
        assertThat(server.issue(1).comments).containsExactly(GitHubMarkdown.escape(HOSTILE));
        assertThat(system.recentComments(ref, 5)).containsExactly(HOSTILE);
    }

    @Test
    void aDescriptionTooLongForGitHubIsCutToFitEscaped() throws Exception {
        String huge = "@".repeat(70_000);

        TicketRef ref = system.create(new NewTicket(INCIDENT, "big", huge, Severity.SEV2, "s", List.of(), null, Map.of()));
        system.comment(ref, huge);

        assertThat(server.issue(1).body).hasSizeLessThanOrEqualTo(65_536).endsWith("<!-- incident-engine: INC-20261205-3-0007 -->");
        assertThat(server.issue(1).comments.get(0)).hasSizeLessThanOrEqualTo(65_536).endsWith("…");
    }

    @Test
    void recentCommentsAreTheLastOnes_acrossPages() throws Exception {
        TicketRef ref = system.create(ticket(INCIDENT, Severity.SEV1, null));
        for (int i = 1; i <= 7; i++) {
            server.comment(1, "comment " + i);
        }

        assertThat(system.recentComments(ref, 3)).containsExactly("comment 5", "comment 6", "comment 7");
        assertThat(system.recentComments(ref, 7)).hasSize(7).startsWith("comment 1").endsWith("comment 7");
        assertThat(system.recentComments(ref, 2)).containsExactly("comment 6", "comment 7");
        assertThat(system.recentComments(ref, 50)).hasSize(7);
    }

    @Test
    void resolveClosesAsCompletedThenComments_reopenOpens() throws Exception {
        TicketRef ref = system.create(ticket(INCIDENT, Severity.SEV1, null));

        system.transition(ref, Transition.RESOLVE, "Resolved by @alice");
        assertThat(server.issue(1).state).isEqualTo("closed");
        assertThat(server.issue(1).stateReason).isEqualTo("completed");
        assertThat(server.issue(1).comments).containsExactly("Resolved by @&#8203;alice");

        system.transition(ref, Transition.REOPEN, "");
        assertThat(server.issue(1).state).isEqualTo("open");
        assertThat(server.issue(1).stateReason).isEqualTo("reopened");

        system.transition(ref, Transition.CLOSE, "Closed");
        assertThat(server.issue(1).state).isEqualTo("closed");
        assertThat(server.issue(1).comments).hasSize(2);
    }

    @Test
    void aSeverityChangeReplacesTheSeverityLabel_keepingPeoplesLabels() throws Exception {
        TicketRef ref = system.create(ticket(INCIDENT, Severity.SEV3, null));
        server.addLabel(1, "customer-facing");

        system.changeSeverity(ref, Severity.SEV1);
        assertThat(server.issue(1).labels).containsExactly("incident", "sre", "incident-engine:INC-20261205-3-0007", "customer-facing",
                "severity:SEV1");

        int patches = server.requests("PATCH", "/repos/acme/ops/issues/1").size();
        system.changeSeverity(ref, Severity.SEV1);
        assertThat(server.requests("PATCH", "/repos/acme/ops/issues/1")).as("nothing to change").hasSize(patches);
    }

    @Test
    void refusalsAreNotRetried_andSayWhyInOneWord() {
        TicketSystem badToken = system(Map.of(GitHubProvider.TOKEN, "ghp_wrong"));
        assertThatThrownBy(() -> badToken.find(INCIDENT)).isInstanceOfSatisfying(TicketException.class, e -> {
            assertThat(e.reason()).isEqualTo("unauthorized");
            assertThat(e.getMessage()).contains("Bad credentials");
        });
        TicketSystem otherRepository = system(Map.of(GitHubProvider.REPOSITORY, "acme/secret"));
        assertThatThrownBy(() -> otherRepository.create(ticket(INCIDENT, Severity.SEV1, null)))
                .isInstanceOfSatisfying(TicketException.class, e -> assertThat(e.reason()).isEqualTo("not-found"));
        TicketSystem unknownAssignee = system(Map.of(GitHubProvider.ASSIGNEES, "mallory"));
        assertThatThrownBy(() -> unknownAssignee.create(ticket(INCIDENT, Severity.SEV1, null)))
                .isInstanceOfSatisfying(TicketException.class, e -> {
                    assertThat(e.reason()).isEqualTo("unprocessable");
                    assertThat(e.getMessage()).contains("assignees", "invalid");
                });
        server.issuesEnabled(false);
        assertThatThrownBy(() -> system.find(INCIDENT)).isInstanceOfSatisfying(TicketException.class, e -> {
            assertThat(e.reason()).isEqualTo("gone");
            assertThat(e.getMessage()).contains("Issues are disabled");
        });
        assertThat(waits).isEmpty();
    }

    @Test
    void primaryAndSecondaryRateLimitsAreWaitedOutAsGitHubAsks_withoutWaitingForReal() throws Exception {
        long reset = clock.instant().plusSeconds(30).getEpochSecond();
        server.failNext(
                Answer.json(403, "{\"message\":\"API rate limit exceeded for user ID 1.\",\"documentation_url\":"
                                + "\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api\",\"status\":\"403\"}")
                        .header("x-ratelimit-limit", "5000").header("x-ratelimit-remaining", "0")
                        .header("x-ratelimit-reset", String.valueOf(reset)),
                Answer.json(403, "{\"message\":\"You have exceeded a secondary rate limit. Please wait a few minutes before you try "
                                + "again.\",\"documentation_url\":\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
                                + "#about-secondary-rate-limits\",\"status\":\"403\"}")
                        .header("retry-after", "60"),
                Answer.json(429, "{\"message\":\"secondary rate limit\"}").header("retry-after", "5"));

        TicketRef ref = system.create(ticket(INCIDENT, Severity.SEV1, null));

        assertThat(ref.getKey()).isEqualTo("acme/ops#1");
        assertThat(waits).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(5));
    }

    @Test
    void aRateLimitResettingLaterThanTheRetriesWaitIsLeftToTheCaller() {
        server.failNext(Answer.json(403, "{\"message\":\"API rate limit exceeded\"}").header("x-ratelimit-remaining", "0")
                .header("x-ratelimit-reset", String.valueOf(clock.instant().plusSeconds(3600).getEpochSecond())));

        assertThatThrownBy(() -> system.find(INCIDENT)).isInstanceOfSatisfying(TicketException.class, e -> {
            assertThat(e.retriable()).isTrue();
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.retryAfter()).isEqualTo(Duration.ofHours(1));
        });
        assertThat(waits).isEmpty();
    }

    private TicketSystem system(Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>(Map.of(
                GitHubProvider.URL, server.baseUrl(),
                GitHubProvider.TOKEN, GitHubServer.TOKEN,
                GitHubProvider.REPOSITORY, GitHubServer.REPOSITORY,
                GitHubProvider.LABELS, "incident",
                GitHubProvider.ASSIGNEES, "alice"));
        props.putAll(overrides);
        ConfigDef def = new ConfigDef();
        GitHubProvider provider = new GitHubProvider();
        provider.define(def);
        TicketHttp http = new TicketHttp("github", HttpClient.newHttpClient(),
                new TicketHttp.Retry(4, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(60)),
                Duration.ofSeconds(10), waits::add, clock);
        return provider.create(new AbstractConfig(def, props), http);
    }

    private static NewTicket ticket(Subject subject, Severity severity, TicketRef parent) {
        return new NewTicket(subject, "checkout latency above 2s", "p99 3.1s on checkout-api", severity, "checkout",
                List.of("sre", "incident"), parent, Map.of());
    }
}
