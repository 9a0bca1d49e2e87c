package dev.incidentengine.incident.api;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AddNote;
import dev.incidentengine.model.CompleteActionItem;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.ReopenIncident;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.service.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The ticket webhooks over HTTP, with the command producer replaced by a recorder: signatures, bad input, what each event asks. */
public class TicketWebhooksTest {

    public static final String JIRA_SECRET = "jira-webhook-secret-0123456789";
    public static final String GITHUB_SECRET = "github-webhook-secret-0123456789";
    public static final String BOT_ACCOUNT = "5b10ac8d82e05b22cc7d4ef5";
    public static final String BOT_LOGIN = "incident-engine-bot";
    private static final Instant NOW = Instant.parse("2026-12-05T08:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<IncidentCommand> sent = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private volatile boolean kafkaDown;
    private HttpServer http;

    static TicketWebhooks.Settings settings(TicketWebhooks.Resolution resolution) {
        return new TicketWebhooks.Settings(new TicketWebhooks.Receiver(JIRA_SECRET.getBytes(StandardCharsets.UTF_8), BOT_ACCOUNT,
                Set.of("OPS")), new TicketWebhooks.Receiver(GITHUB_SECRET.getBytes(StandardCharsets.UTF_8), BOT_LOGIN, Set.of("acme/ops")),
                resolution, true,
                Set.of("Done", "Closed"));
    }

    private String start(TicketWebhooks.Settings settings) {
        http = new HttpServer("127.0.0.1", 0);
        new TicketWebhooks(settings, command -> {
            if (kafkaDown) {
                return CompletableFuture.failedFuture(new TimeoutException("Expiring 1 record(s)"));
            }
            sent.add(command);
            return CompletableFuture.completedFuture(null);
        }, Clock.fixed(NOW, ZoneOffset.UTC)).register(http, metrics);
        http.start();
        return "http://127.0.0.1:" + http.address().getPort();
    }

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
    }

    public static String sign(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    /** Jira Cloud's jira:issue_updated with a status change, as its webhook documentation shows it. */
    public static String jiraStatusChange(String incidentLabel, String accountId, String to, String category, String changelogId) {
        return """
                {"timestamp": 1764921600000, "webhookEvent": "jira:issue_updated", "issue_event_type_name": "issue_generic",
                 "user": {"accountId": "%s", "displayName": "Alice Example"},
                 "issue": {"id": "10042", "key": "OPS-7", "fields": {"summary": "Checkout 5xx", "labels": ["ops", "%s"],
                   "status": {"name": "%s", "statusCategory": {"key": "%s"}}}},
                 "changelog": {"id": "%s", "items": [{"field": "status", "fieldtype": "jira", "from": "10000", "fromString": "In Progress",
                   "to": "10001", "toString": "%s"}]}}
                """.formatted(accountId, incidentLabel, to, category, changelogId, to);
    }

    static String githubIssues(String action, String label, String login, String stateReason) {
        return """
                {"action": "%s", "issue": {"id": 2001, "number": 42, "state": "closed", "state_reason": "%s",
                  "closed_at": "2026-12-05T07:59:00Z", "labels": [{"id": 1, "name": "incident"}, {"id": 2, "name": "%s"}]},
                 "repository": {"full_name": "acme/ops"}, "sender": {"login": "%s", "type": "User"}}
                """.formatted(action, stateReason, label, login);
    }

    public static String githubComment(String label, String login, String body) throws Exception {
        return """
                {"action": "created", "issue": {"id": 2001, "number": 42, "labels": [{"name": "%s"}]},
                 "comment": {"id": 9001, "body": %s}, "repository": {"full_name": "acme/ops"}, "sender": {"login": "%s"}}
                """.formatted(label, JSON.writeValueAsString(body), login);
    }

    private static HttpResponse<String> post(String url, Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> jira(String base, String payload) throws Exception {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        return post(base + TicketWebhooks.JIRA, Map.of("X-Hub-Signature", sign(JIRA_SECRET, body), "Content-Type", "application/json",
                "X-Atlassian-Webhook-Identifier", "delivery-1"), body);
    }

    public static HttpResponse<String> github(String base, String event, String delivery, String payload) throws Exception {
        byte[] body = payload.getBytes(StandardCharsets.UTF_8);
        return post(base + TicketWebhooks.GITHUB, Map.of("X-Hub-Signature-256", sign(GITHUB_SECRET, body), "X-GitHub-Event", event,
                "X-GitHub-Delivery", delivery, "Content-Type", "application/json"), body);
    }

    static Stream<Arguments> badRequests() throws Exception {
        byte[] good = jiraStatusChange("incident-engine:INC-1", "someone", "Done", "done", "1").getBytes(StandardCharsets.UTF_8);
        String signature = sign(JIRA_SECRET, good);
        byte[] notJson = "{\"webhookEvent\": ".getBytes(StandardCharsets.UTF_8);
        byte[] array = "[1]".getBytes(StandardCharsets.UTF_8);
        byte[] noEvent = "{\"issue\": {}}".getBytes(StandardCharsets.UTF_8);
        byte[] huge = ("{\"pad\": \"" + "x".repeat(TicketWebhooks.MAX_BODY_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] noIssue = "{\"webhookEvent\": \"jira:issue_updated\"}".getBytes(StandardCharsets.UTF_8);
        return Stream.of(
                Arguments.of("unsigned", Map.of(), good, 401),
                Arguments.of("signed with another secret", Map.of("X-Hub-Signature", sign("another-secret-0123456789", good)), good, 401),
                Arguments.of("signature of another body", Map.of("X-Hub-Signature", signature), noEvent, 401),
                Arguments.of("signature cut short", Map.of("X-Hub-Signature", signature.substring(0, signature.length() - 2)), good, 401),
                Arguments.of("signature too long", Map.of("X-Hub-Signature", signature + "00"), good, 401),
                Arguments.of("sha1 signature", Map.of("X-Hub-Signature", "sha1=" + signature.substring(7)), good, 401),
                Arguments.of("GitHub's header on Jira's receiver", Map.of("X-Hub-Signature-256", signature), good, 401),
                Arguments.of("malformed JSON", Map.of("X-Hub-Signature", sign(JIRA_SECRET, notJson)), notJson, 400),
                Arguments.of("a JSON array", Map.of("X-Hub-Signature", sign(JIRA_SECRET, array)), array, 400),
                Arguments.of("no webhookEvent", Map.of("X-Hub-Signature", sign(JIRA_SECRET, noEvent)), noEvent, 400),
                Arguments.of("no issue", Map.of("X-Hub-Signature", sign(JIRA_SECRET, noIssue)), noIssue, 400),
                Arguments.of("oversized body", Map.of("X-Hub-Signature", sign(JIRA_SECRET, huge)), huge, 413));
    }

    @ParameterizedTest(name = "{0}: {3}")
    @MethodSource("badRequests")
    void badRequestsAreRefused_andProduceNothing(String name, Map<String, String> headers, byte[] body, int status) throws Exception {
        String base = start(settings(TicketWebhooks.Resolution.RESOLVE));

        HttpResponse<String> answer = post(base + TicketWebhooks.JIRA, headers, body);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        assertThat(JSON.readTree(answer.body()).path("error").asText()).isNotEmpty().doesNotContain(JIRA_SECRET);
        assertThat(sent).isEmpty();
    }

    @Test
    void eventsThatConcernNoIncidentAreIgnoredWith202() throws Exception {
        String base = start(settings(TicketWebhooks.Resolution.RESOLVE));

        assertThat(jira(base, "{\"webhookEvent\": \"jira:issue_deleted\", \"issue\": {\"id\": \"1\", \"key\": \"OPS-1\"}}").body())
                .contains("is not one the engine acts on");
        HttpResponse<String> noMarker = jira(base, jiraStatusChange("not-a-marker", "someone", "Done", "done", "5"));
        assertThat(noMarker.statusCode()).isEqualTo(202);
        assertThat(noMarker.body()).contains("\"ignored\"", "has no incident-engine: label");
        assertThat(jira(base, jiraStatusChange("incident-engine:INC-1", BOT_ACCOUNT, "Done", "done", "6")).body())
                .contains("the connector's own account");
        assertThat(jira(base, jiraStatusChange("incident-engine:INC-1", "someone", "In Review", "indeterminate", "7")).body())
                .contains("neither resolves nor reopens");
        assertThat(jira(base, jiraStatusChange("incident-engine:INC-1", "someone", "Done", "done", "8").replace("OPS-7", "HR-7")).body())
                .contains("project HR is not one of ticketing.jira.projects");
        assertThat(github(base, "ping", "d-0", "{\"zen\": \"Keep it logically awesome.\", \"hook_id\": 1}").statusCode()).isEqualTo(202);
        assertThat(github(base, "push", "d-1", "{\"ref\": \"refs/heads/main\"}").body()).contains("event push is not one");
        assertThat(github(base, "issues", "d-2", githubIssues("labeled", "incident-engine:INC-1", "alice", "completed")).body())
                .contains("event issues labeled is not one");
        assertThat(github(base, "issues", "d-3", githubIssues("closed", "bug", "alice", "completed")).body())
                .contains("acme/ops#42 has no incident-engine: label");
        assertThat(github(base, "issues", "d-5", githubIssues("closed", "incident-engine:INC-1", "alice", "completed")
                .replace("acme/ops", "mallory/fork")).body()).contains("repository mallory/fork is not one of");
        assertThat(github(base, "issue_comment", "d-4", githubComment("incident-engine:INC-1", BOT_LOGIN, "posted by the connector")).body())
                .contains("the connector's own account");
        HttpResponse<String> noEventHeader = post(base + TicketWebhooks.GITHUB, Map.of("X-Hub-Signature-256",
                sign(GITHUB_SECRET, "{}".getBytes(StandardCharsets.UTF_8))), "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(noEventHeader.statusCode()).isEqualTo(400);
        assertThat(sent).isEmpty();
        assertThat(metrics.get("ticket_webhooks_total").tags("system", "jira", "outcome", "ignored").counter().count()).isEqualTo(5);
    }

    @Test
    void jiraResolvedReopenedAndCommented_becomeCommandsIdentifiedByTheChange() throws Exception {
        String base = start(settings(TicketWebhooks.Resolution.RESOLVE));

        HttpResponse<String> resolved = jira(base, jiraStatusChange("incident-engine:INC-20261205-3-0001", "alice-id", "Done", "done", "777"));
        assertThat(resolved.statusCode()).as(resolved.body()).isEqualTo(200);
        assertThat(JSON.readTree(resolved.body()).path("commandId").asText()).isEqualTo("jira:10042:changelog:777");
        IncidentCommand resolve = sent.get(0);
        assertThat(resolve.getIncidentId()).isEqualTo("INC-20261205-3-0001");
        assertThat(resolve.getActor().getType()).isEqualTo(ActorType.INTEGRATION);
        assertThat(resolve.getActor().getId()).isEqualTo("jira:alice-id");
        assertThat(resolve.getActor().getName()).isEqualTo("Alice Example");
        assertThat(resolve.getTimestamp()).isEqualTo(NOW);
        assertThat(resolve.getPayload()).isInstanceOfSatisfying(ResolveIncident.class,
                payload -> assertThat(payload.getResolution()).isEqualTo("Jira OPS-7 moved to Done"));

        String reopen = jiraStatusChange("incident-engine:INC-20261205-3-0001", "alice-id", "To Do", "new", "778")
                .replace("\"fromString\": \"In Progress\"", "\"fromString\": \"Done\"");
        assertThat(jira(base, reopen).statusCode()).isEqualTo(200);
        assertThat(sent.get(1).getPayload()).isInstanceOf(ReopenIncident.class);

        String commented = """
                {"webhookEvent": "jira:issue_updated", "issue_event_type_name": "issue_commented", "user": {"accountId": "bob-id"},
                 "issue": {"id": "10042", "key": "OPS-7", "fields": {"labels": ["incident-engine:INC-20261205-3-0001"]}},
                 "comment": {"id": "5001", "body": "Rolled back {code}x{code}", "author": {"accountId": "bob-id", "displayName": "Bob"}}}
                """;
        assertThat(jira(base, commented).statusCode()).isEqualTo(200);
        assertThat(sent.get(2).getCommandId()).isEqualTo("jira:comment:5001");
        assertThat(sent.get(2).getPayload()).isInstanceOfSatisfying(AddNote.class,
                note -> assertThat(note.getText()).isEqualTo("Jira OPS-7, Bob: Rolled back {code}x{code}"));
        // The same comment as comment_created (an ADF body): the same command id, so the incident notes it once.
        String created = """
                {"webhookEvent": "comment_created",
                 "issue": {"id": "10042", "key": "OPS-7", "fields": {"labels": ["incident-engine:INC-20261205-3-0001"]}},
                 "comment": {"id": "5001", "author": {"accountId": "bob-id", "displayName": "Bob"}, "body": {"type": "doc", "version": 1,
                   "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Rolled "}, {"type": "text", "text": "back",
                   "marks": [{"type": "strong"}]}]}, {"type": "paragraph", "content": [{"type": "mention", "attrs": {"text": "@carol"}}]}]}}}
                """;
        assertThat(jira(base, created).statusCode()).isEqualTo(200);
        assertThat(sent.get(3).getCommandId()).isEqualTo(sent.get(2).getCommandId());
        assertThat(((AddNote) sent.get(3).getPayload()).getText()).isEqualTo("Jira OPS-7, Bob: Rolled back\n@carol");
    }

    @Test
    void anActionItemsTicketCompletesIt_andNoteModeOnlyNotes() throws Exception {
        String base = start(settings(TicketWebhooks.Resolution.RESOLVE));
        assertThat(jira(base, jiraStatusChange("incident-engine:INC-1/AI-3", "alice-id", "Done", "done", "9")).statusCode()).isEqualTo(200);
        assertThat(sent.get(0).getPayload()).isInstanceOfSatisfying(CompleteActionItem.class,
                payload -> assertThat(payload.getActionItemId()).isEqualTo("AI-3"));
        http.close();

        String noting = start(settings(TicketWebhooks.Resolution.NOTE));
        assertThat(github(noting, "issues", "d-9", githubIssues("closed", "incident-engine:INC-1", "alice", "completed")).statusCode())
                .isEqualTo(200);
        assertThat(sent.get(1).getPayload()).isInstanceOfSatisfying(AddNote.class,
                note -> assertThat(note.getText()).isEqualTo("GitHub acme/ops#42 closed"));
        assertThat(sent.get(1).getCommandId()).isEqualTo("github:2001:closed:2026-12-05T07:59:00Z");
    }

    @Test
    void githubClosedReopenedAndCommented() throws Exception {
        String base = start(settings(TicketWebhooks.Resolution.RESOLVE));

        assertThat(github(base, "issues", "d-1", githubIssues("closed", "incident-engine:INC-1", "alice", "completed")).statusCode()).isEqualTo(200);
        assertThat(github(base, "issues", "d-2", githubIssues("closed", "incident-engine:INC-1", "alice", "not_planned")).statusCode()).isEqualTo(200);
        assertThat(github(base, "issues", "d-3", githubIssues("reopened", "incident-engine:INC-1", "alice", "reopened")).statusCode()).isEqualTo(200);
        String long_ = "<script>alert(1)</script> " + "y".repeat(TicketWebhooks.MAX_NOTE);
        assertThat(github(base, "issue_comment", "d-4", githubComment("incident-engine:INC-1", "alice", long_)).statusCode()).isEqualTo(200);

        assertThat(sent.get(0).getPayload()).isInstanceOf(ResolveIncident.class);
        assertThat(sent.get(0).getActor().getId()).isEqualTo("github:alice");
        assertThat(sent.get(1).getPayload()).isInstanceOfSatisfying(AddNote.class,
                note -> assertThat(note.getText()).isEqualTo("GitHub acme/ops#42 closed as not planned"));
        assertThat(sent.get(2).getPayload()).isInstanceOf(ReopenIncident.class);
        assertThat(sent.get(2).getCommandId()).isEqualTo("github:delivery:d-3");
        assertThat(sent.get(3).getCommandId()).isEqualTo("github:comment:9001");
        assertThat(sent.get(3).getPayload()).isInstanceOfSatisfying(AddNote.class, note -> {
            assertThat(note.getText()).startsWith("GitHub acme/ops#42, github:alice: <script>").endsWith("(cut; the rest is on the ticket)");
            assertThat(note.getText().length()).isLessThan(TicketWebhooks.MAX_NOTE + 100);
        });
    }

    @Test
    void answers503WhenKafkaDidNotTakeTheCommand_and404ForAnUnconfiguredReceiver() throws Exception {
        String base = start(new TicketWebhooks.Settings(settings(TicketWebhooks.Resolution.RESOLVE).jira(), null,
                TicketWebhooks.Resolution.RESOLVE, true, Set.of("Done")));
        kafkaDown = true;

        HttpResponse<String> answer = jira(base, jiraStatusChange("incident-engine:INC-1", "alice-id", "Done", "done", "1"));
        assertThat(answer.statusCode()).isEqualTo(503);
        assertThat(answer.headers().firstValue("Retry-After")).isPresent();
        assertThat(github(base, "issues", "d-1", githubIssues("closed", "incident-engine:INC-1", "alice", "completed")).statusCode())
                .isEqualTo(404);
        assertThat(metrics.get("ticket_webhooks_total").tags("system", "jira", "outcome", "failed").counter().count()).isEqualTo(1);
    }
}
