package dev.incidentengine.ticketing.redmine;

import static dev.incidentengine.ticketing.redmine.RedmineFixture.get;
import static dev.incidentengine.ticketing.redmine.RedmineFixture.incidentId;
import static dev.incidentengine.ticketing.redmine.RedmineFixture.statusId;
import static dev.incidentengine.ticketing.redmine.RedmineFixture.ticket;
import static dev.incidentengine.ticketing.redmine.RedmineFixture.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.ticketing.TicketSystem.ChangePage;
import dev.incidentengine.ticketing.TicketSystem.NewTicket;
import dev.incidentengine.ticketing.TicketSystem.Subject;
import dev.incidentengine.ticketing.TicketSystem.TicketChange;
import dev.incidentengine.ticketing.TicketSystem.TicketChange.Kind;
import dev.incidentengine.ticketing.TicketSystem.Transition;
import dev.incidentengine.testkit.RedmineServer;
import dev.incidentengine.testkit.WithRedmine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link RedmineSystem} against a real Redmine 5 (Debian's package), as the connector's user {@code admin}. */
@WithRedmine
class RedmineSystemIT {

    private static final String HOSTILE = "h1. Fake heading\n<script>alert('x')</script> \"click\":http://evil.example/phish "
            + "!http://evil.example/pixel.png! [[Secret]] {{toc}} #1 *bold* @code@ mail@evil.example www.evil.example";

    private static RedmineServer redmine;
    private static RedmineSystem connector;

    @BeforeAll
    static void connect(RedmineServer server) throws Exception {
        redmine = server;
        connector = RedmineFixture.system(server, Map.of());
        connector.check();
    }

    @AfterAll
    static void close() {
        if (connector != null) {
            connector.close();
        }
    }

    @Test
    void createsOneIssueAndFindsItByTheIncidentWhateverItsStatus() throws Exception {
        Subject subject = Subject.incident(incidentId());
        assertThat(connector.find(subject)).isEmpty();

        TicketRef created = connector.create(ticket(subject, "SEV1 checkout: payments failing", "Opened by the engine", Severity.SEV1));
        connector.transition(created, Transition.CLOSE, "closed");

        assertThat(connector.find(subject)).contains(created);
        assertThat(connector.find(Subject.incident(subject.incidentId() + "0"))).as("the marker matches exactly").isEmpty();
        JsonNode issue = get(redmine, redmine.adminKey(), "/issues/" + created.getKey() + ".json").path("issue");
        assertThat(issue.path("project").path("name").asText()).isEqualTo("Ops");
        assertThat(issue.path("tracker").path("name").asText()).isEqualTo("Bug");
        assertThat(issue.path("priority").path("name").asText()).isEqualTo("Urgent");
        assertThat(issue.path("subject").asText()).isEqualTo("SEV1 checkout: payments failing");
        assertThat(issue.path("custom_fields").get(0).path("value").asText()).isEqualTo(subject.incidentId());
        assertThat(created.getUrl()).isEqualTo(redmine.url() + "/issues/" + created.getKey());
    }

    @Test
    void commentsComeBackAsTheTextsPostedLastOnesLast() throws Exception {
        TicketRef ref = connector.create(ticket(Subject.incident(incidentId()), "comments", "", Severity.SEV3));

        connector.comment(ref, "first");
        connector.comment(ref, "Status update: \"rollback\" done <b>now</b>\n\n-- incident-engine evt-2");
        connector.comment(ref, "Acknowledged by ana 🚨\n-- incident-engine evt-3");

        assertThat(connector.recentComments(ref, 2)).containsExactly(
                "Status update: \"rollback\" done <b>now</b>\n\n-- incident-engine evt-2", "Acknowledged by ana 🚨\n-- incident-engine evt-3");
        assertThat(connector.recentComments(ref, 10)).hasSize(3).first().isEqualTo("first");
    }

    @Test
    void transitionsMoveTheStatusWithTheirNote() throws Exception {
        TicketRef ref = connector.create(ticket(Subject.incident(incidentId()), "transitions", "", Severity.SEV2));

        connector.transition(ref, Transition.RESOLVE, "Resolved: rollback");
        assertThat(status(ref)).isEqualTo("Resolved");
        connector.transition(ref, Transition.REOPEN, "Reopened: errors again");
        assertThat(status(ref)).isEqualTo("New");
        connector.transition(ref, Transition.CLOSE, "Closed");
        assertThat(status(ref)).isEqualTo("Closed");
        assertThat(connector.recentComments(ref, 3)).containsExactly("Resolved: rollback", "Reopened: errors again", "Closed");
    }

    @Test
    void theSeverityDecidesThePriority() throws Exception {
        TicketRef ref = connector.create(ticket(Subject.incident(incidentId()), "severity", "", Severity.SEV3));
        assertThat(priority(ref)).isEqualTo("Normal");

        connector.changeSeverity(ref, Severity.SEV0);
        assertThat(priority(ref)).isEqualTo("Immediate");
        connector.changeSeverity(ref, Severity.SEV4);
        assertThat(priority(ref)).isEqualTo("Low");
    }

    @Test
    void actionItemsAreIssuesRelatedToTheIncidentsEvenWhenItIsClosed() throws Exception {
        String incidentId = incidentId();
        TicketRef incident = connector.create(ticket(Subject.incident(incidentId), "incident", "", Severity.SEV1));
        connector.transition(incident, Transition.CLOSE, "closed before its review");
        Subject item = new Subject(incidentId, "AI-1");

        TicketRef ticket = connector.create(new NewTicket(item, "Add a canary stage", "From the review",
                Severity.SEV1, "checkout", List.of(), incident, Map.of()));

        assertThat(ticket.getActionItemId()).isEqualTo("AI-1");
        assertThat(connector.find(item)).contains(ticket);
        assertThat(connector.find(Subject.incident(incidentId))).contains(incident);
        assertThat(related(ticket)).containsExactly(incident.getKey());
        connector.transition(ticket, Transition.CLOSE, "done");
        assertThat(status(ticket)).isEqualTo("Closed");
    }

    @Test
    void findCompletesAnActionItemWhoseRelationACrashCutOff() throws Exception {
        String incidentId = incidentId();
        TicketRef incident = connector.create(ticket(Subject.incident(incidentId), "incident", "", Severity.SEV2));
        Subject item = new Subject(incidentId, "AI-2");
        // The issue as a create left it when the task died before relating it.
        TicketRef orphan = connector.create(ticket(item, "Alert on queue depth", "", Severity.SEV2));
        assertThat(related(orphan)).isEmpty();

        assertThat(connector.find(item)).contains(orphan);
        assertThat(connector.find(item)).contains(orphan);

        assertThat(related(orphan)).containsExactly(incident.getKey());
    }

    @Test
    void hostileTextShowsAsTextInRedminesPages() throws Exception {
        TicketRef ref = connector.create(ticket(Subject.incident(incidentId()), "<script>alert(1)</script> h1. title", HOSTILE, Severity.SEV2));
        connector.comment(ref, HOSTILE);

        String page = redmine.page("/issues/" + ref.getKey());

        List<String> wikis = wikiBlocks(page);
        assertThat(wikis).as("the description and the note").hasSize(2);
        for (String html : wikis) {
            assertThat(html).doesNotContain("<script", "<h1", "<a ", "<img", "<strong", "<code", "{{", "[[");
            assertThat(text(html)).isEqualTo(HOSTILE.replace("\n", " "));
        }
        assertThat(page).contains("<h3>&lt;script&gt;alert(1)&lt;/script&gt; h1. title</h3>");
    }

    @Test
    void changesSinceBringsAlicesChangesNotTheConnectors() throws Exception {
        String start = connector.changesSince(null, 100).nextCursor();
        Subject subject = Subject.incident(incidentId());
        TicketRef ref = connector.create(ticket(subject, "changes", "", Severity.SEV1));
        connector.comment(ref, "the connector's own note");
        connector.transition(ref, Transition.RESOLVE, "the connector resolves");
        connector.transition(ref, Transition.REOPEN, "the connector reopens");

        update(redmine, redmine.aliceKey(), ref.getKey(), Map.of("notes", "Looking at the *database* now"));
        update(redmine, redmine.aliceKey(), ref.getKey(), Map.of("status_id", statusId(redmine, "Resolved"), "notes", "Fixed by failover"));
        update(redmine, redmine.aliceKey(), ref.getKey(), Map.of("status_id", statusId(redmine, "In Progress")));
        update(redmine, redmine.aliceKey(), ref.getKey(), Map.of("status_id", statusId(redmine, "Closed")));
        update(redmine, redmine.aliceKey(), ref.getKey(), Map.of("subject", "renamed, no note: not a change the incident hears of"));

        List<TicketChange> changes = new ArrayList<>();
        String[] cursor = {start};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            ChangePage page = connector.changesSince(cursor[0], 100);
            changes.addAll(page.changes());
            cursor[0] = page.nextCursor();
            assertThat(changes.stream().filter(change -> change.subject().equals(subject)).map(TicketChange::kind))
                    .containsExactly(Kind.COMMENTED, Kind.RESOLVED, Kind.REOPENED, Kind.CLOSED);
        });
        List<TicketChange> mine = changes.stream().filter(change -> change.subject().equals(subject)).toList();
        assertThat(mine).allSatisfy(change -> {
            assertThat(change.actorLogin()).isEqualTo("alice");
            assertThat(change.actorName()).isEqualTo("Alice Oncall");
            assertThat(change.ticket()).isEqualTo(ref);
        });
        assertThat(mine).extracting(TicketChange::text).containsExactly("Looking at the *database* now", "Fixed by failover", "", "");
        assertThat(mine).extracting(TicketChange::changeId).doesNotHaveDuplicates();
        // Later calls bring nothing again.
        ChangePage after = connector.changesSince(cursor[0], 100);
        assertThat(after.changes()).noneMatch(change -> change.subject().equals(subject));
    }

    @Test
    void aChangeRightAfterTheStartInItsSecondIsRead() throws Exception {
        Subject subject = Subject.incident(incidentId());
        TicketRef ref = connector.create(ticket(subject, "right after the start", "", Severity.SEV2));

        String start = connector.changesSince(null, 100).nextCursor();
        update(redmine, redmine.aliceKey(), ref.getKey(), Map.of("notes", "straight away"));

        List<TicketChange> changes = new ArrayList<>();
        String[] cursor = {start};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            ChangePage page = connector.changesSince(cursor[0], 100);
            changes.addAll(page.changes());
            cursor[0] = page.nextCursor();
            assertThat(changes).filteredOn(change -> change.subject().equals(subject)).extracting(TicketChange::text)
                    .containsExactly("straight away");
        });
    }

    @Test
    void aSweepOfOneIssueAtATimeMissesAndRepeatsNothing() throws Exception {
        String start = connector.changesSince(null, 100).nextCursor();
        List<Subject> subjects = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Subject subject = Subject.incident(incidentId());
            subjects.add(subject);
            TicketRef ref = connector.create(ticket(subject, "sweep " + i, "", Severity.SEV3));
            update(redmine, redmine.aliceKey(), ref.getKey(), Map.of("notes", "note " + i));
        }
        List<TicketChange> changes = new ArrayList<>();
        String[] cursor = {start};
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            ChangePage page = connector.changesSince(cursor[0], 1);
            changes.addAll(page.changes());
            cursor[0] = page.nextCursor();
            assertThat(changes.stream().map(TicketChange::subject).filter(subjects::contains)).hasSize(5);
        });
        assertThat(changes.stream().filter(change -> subjects.contains(change.subject())).map(TicketChange::text))
                .containsExactlyInAnyOrder("note 0", "note 1", "note 2", "note 3", "note 4");
        for (int i = 0; i < 5; i++) {
            changes.addAll(connector.changesSince(cursor[0], 1).changes());
        }
        assertThat(changes.stream().filter(change -> subjects.contains(change.subject()))).hasSize(5);
    }

    private static String status(TicketRef ref) throws Exception {
        return get(redmine, redmine.adminKey(), "/issues/" + ref.getKey() + ".json").path("issue").path("status").path("name").asText();
    }

    private static String priority(TicketRef ref) throws Exception {
        return get(redmine, redmine.adminKey(), "/issues/" + ref.getKey() + ".json").path("issue").path("priority").path("name").asText();
    }

    private static List<String> related(TicketRef ref) throws Exception {
        List<String> others = new ArrayList<>();
        for (JsonNode relation : get(redmine, redmine.adminKey(), "/issues/" + ref.getKey() + "/relations.json").path("relations")) {
            assertThat(relation.path("relation_type").asText()).isEqualTo("relates");
            others.add(relation.path("issue_id").asText().equals(ref.getKey()) ? relation.path("issue_to_id").asText()
                    : relation.path("issue_id").asText());
        }
        return others;
    }

    /** The inner HTML of the page's {@code <div class="wiki">} blocks (the description, then each note). */
    private static List<String> wikiBlocks(String page) {
        List<String> blocks = new ArrayList<>();
        Matcher matcher = Pattern.compile("<div [^>]*class=\"wiki\"[^>]*>(.*?)</div>", Pattern.DOTALL).matcher(page);
        while (matcher.find()) {
            blocks.add(matcher.group(1));
        }
        return blocks;
    }

    /** What a browser shows of an HTML fragment: tags gone, references decoded, white space and line breaks as one space. */
    private static String text(String html) {
        String text = html.replaceAll("<br\\s*/?>", " ").replaceAll("<[^>]+>", "");
        Matcher references = Pattern.compile("&#(\\d+);|&(lt|gt|amp|quot);").matcher(text);
        StringBuilder out = new StringBuilder();
        while (references.find()) {
            String decoded = references.group(1) != null ? Character.toString(Integer.parseInt(references.group(1)))
                    : switch (references.group(2)) {
                        case "lt" -> "<";
                        case "gt" -> ">";
                        case "amp" -> "&";
                        default -> "\"";
                    };
            references.appendReplacement(out, Matcher.quoteReplacement(decoded));
        }
        references.appendTail(out);
        return out.toString().replaceAll("\\s+", " ").strip();
    }
}
