package dev.incidentengine.ticketing.jira;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.schemas.TicketMarkers;
import dev.incidentengine.ticketing.TicketException;
import dev.incidentengine.ticketing.TicketHttp;
import dev.incidentengine.ticketing.TicketSystem;

/**
 * Jira Cloud (REST v3, texts in the Atlassian Document Format) and Jira Server / Data Center (REST v2, texts in wiki markup).
 * A ticket carries its subject twice: as a label ({@link TicketMarkers#label}), which JQL finds exactly, and as the issue
 * property {@value #PROPERTY} ({@code {incidentId, actionItemId}}) for other tools; both are set in the one create request,
 * together with the link of an action item's ticket to the incident's, so a create that fails leaves nothing half made.
 * Cloud's search is eventually consistent: an issue may be missing from it for a few seconds after its create. The connector
 * records a created key on {@code ticket.links.v1} at once, so {@link #find} matters only for a worker killed between the
 * create and that record, and then only if it is restarted within those seconds.
 *
 * <p>Endpoints (https://developer.atlassian.com/cloud/jira/platform/rest/v3/ and
 * https://docs.atlassian.com/software/jira/docs/api/REST/9.12.0/): {@code POST /search/jql} (v3; the older {@code /search} was
 * removed from Cloud in 2025) or {@code POST /search} (v2), {@code POST /issue}, {@code POST /issue/{key}/comment},
 * {@code GET /issue/{key}/comment}, {@code GET|POST /issue/{key}/transitions}, {@code GET|PUT /issue/{key}}.
 */
public final class JiraSystem implements TicketSystem {

    public static final String SYSTEM = "jira";
    /** The issue entity property that holds the subject. */
    public static final String PROPERTY = "incident-engine";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /**
     * The validated settings ({@link JiraProvider} makes them). {@code transitions} holds only those configured;
     * {@code resolution} is the resolution the resolve and close transitions set, or null.
     */
    public record Settings(URI url, int apiVersion, String authorization, String project, String issueType,
                           Map<Severity, String> priorities, List<String> labels, List<String> components, String linkType,
                           Map<Transition, String> transitions, String resolution) {
    }

    private final Settings settings;
    private final TicketHttp http;
    private final String base;
    private final String api;

    public JiraSystem(Settings settings, TicketHttp http) {
        this.settings = settings;
        this.http = http;
        this.base = settings.url().toString().replaceAll("/+$", "");
        this.api = base + "/rest/api/" + settings.apiVersion();
    }

    @Override
    public String system() {
        return SYSTEM;
    }

    private boolean cloud() {
        return settings.apiVersion() == 3;
    }

    @Override
    public Optional<TicketRef> find(Subject subject) throws TicketException {
        ObjectNode query = NODES.objectNode()
                .put("jql", "project = " + jqlString(settings.project()) + " AND labels = "
                        + jqlString(TicketMarkers.label(subject.marker())) + " ORDER BY created ASC")
                .put("maxResults", 1);
        query.putArray("fields").add("summary");
        if (!cloud()) {
            query.put("startAt", 0);
        }
        String operation = "find " + subject.marker();
        JsonNode issues = json(operation, post(cloud() ? "/search/jql" : "/search", query)).path("issues");
        if (issues.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(ref(key(issues.get(0), operation), subject));
    }

    @Override
    public TicketRef create(NewTicket ticket) throws TicketException {
        Subject subject = ticket.subject();
        ObjectNode fields = NODES.objectNode();
        ticket.fields().forEach(fields::put);
        fields.putObject("project").put("key", settings.project());
        fields.putObject("issuetype").put("name", settings.issueType());
        fields.put("summary", JiraText.summary(ticket.summary()));
        fields.set("description", text(ticket.description()));
        String priority = settings.priorities().get(ticket.severity());
        if (priority != null) {
            fields.putObject("priority").put("name", priority);
        }
        Set<String> labels = new LinkedHashSet<>(settings.labels());
        ticket.labels().stream().map(JiraSystem::label).filter(label -> !label.isEmpty()).forEach(labels::add);
        labels.add(TicketMarkers.label(subject.marker()));
        ArrayNode labelArray = fields.putArray("labels");
        labels.forEach(labelArray::add);
        if (!settings.components().isEmpty()) {
            ArrayNode components = fields.putArray("components");
            settings.components().forEach(name -> components.addObject().put("name", name));
        }
        ObjectNode body = NODES.objectNode();
        body.set("fields", fields);
        ObjectNode property = body.putArray("properties").addObject().put("key", PROPERTY);
        property.putObject("value").put("incidentId", subject.incidentId()).put("actionItemId", subject.actionItemId());
        if (ticket.parent() != null) {
            ObjectNode link = body.putObject("update").putArray("issuelinks").addObject().putObject("add");
            link.putObject("type").put("name", settings.linkType());
            link.putObject("outwardIssue").put("key", ticket.parent().getKey());
        }
        String operation = "create " + subject.marker();
        return ref(key(json(operation, post("/issue", body)), operation), subject);
    }

    @Override
    public void comment(TicketRef ticket, String text) throws TicketException {
        http.send("comment " + ticket.getKey(), post(issue(ticket) + "/comment", NODES.objectNode().set("body", text(text))));
    }

    @Override
    public List<String> recentComments(TicketRef ticket, int limit) throws TicketException {
        HttpRequest request = get(issue(ticket) + "/comment?orderBy=-created&maxResults=" + limit);
        List<String> texts = new ArrayList<>();
        for (JsonNode comment : json("comments of " + ticket.getKey(), request).path("comments")) {
            JsonNode body = comment.path("body");
            texts.add(cloud() ? JiraText.plain(body) : JiraText.unwiki(body.asText()));
            if (texts.size() == limit) {
                break;
            }
        }
        return texts;
    }

    /**
     * Looks the configured transition up by name among those the ticket's status offers now. When none has that name and the
     * ticket is already where the transition leads (its status category is done for resolve and close, not done for reopen:
     * a transition done before a crash, or by a person) only the comment is posted; otherwise the error names the
     * transitions there are. No configured name (close, by default): only the comment.
     */
    @Override
    public void transition(TicketRef ticket, Transition transition, String comment) throws TicketException {
        String name = settings.transitions().get(transition);
        if (name != null) {
            String operation = transition.name().toLowerCase() + " " + ticket.getKey();
            JsonNode offered = json(operation, get(issue(ticket) + "/transitions")).path("transitions");
            Optional<JsonNode> named = stream(offered).filter(t -> t.path("name").asText().equalsIgnoreCase(name)).findFirst();
            if (named.isPresent()) {
                ObjectNode body = NODES.objectNode();
                body.putObject("transition").put("id", named.get().path("id").asText());
                if (settings.resolution() != null && transition != Transition.REOPEN) {
                    body.putObject("fields").putObject("resolution").put("name", settings.resolution());
                }
                http.send(operation, post(issue(ticket) + "/transitions", body));
            } else if (!alreadyThere(ticket, transition, operation)) {
                throw TicketException.impossible(SYSTEM, operation, "no-transition", "no transition named '" + name + "' from the issue's "
                        + "status; it offers " + stream(offered).map(t -> "'" + t.path("name").asText() + "'").toList()
                        + " (set jira.transition." + transition.name().toLowerCase() + ")");
            }
        }
        comment(ticket, comment);
    }

    private boolean alreadyThere(TicketRef ticket, Transition transition, String operation) throws TicketException {
        String category = json(operation, get(issue(ticket) + "?fields=status"))
                .path("fields").path("status").path("statusCategory").path("key").asText();
        return transition == Transition.REOPEN ? !category.equals("done") : category.equals("done");
    }

    @Override
    public void changeSeverity(TicketRef ticket, Severity severity) throws TicketException {
        String priority = settings.priorities().get(severity);
        if (priority == null) {
            return;
        }
        ObjectNode body = NODES.objectNode();
        body.putObject("fields").putObject("priority").put("name", priority);
        http.send("priority of " + ticket.getKey(), request(issue(ticket)).PUT(TicketHttp.json(body)).build());
    }

    @Override
    public void close() {
        // TicketHttp's client holds no resources that need closing.
    }

    /** The answer's JSON; anything else (a proxy's or a login page's HTML, say) is an answer the connector cannot use. */
    private JsonNode json(String operation, HttpRequest request) throws TicketException {
        TicketHttp.Response answer = http.send(operation, request);
        try {
            return answer.json();
        } catch (IllegalStateException notJson) {
            throw TicketException.invalid(SYSTEM, operation, "the answer (HTTP " + answer.status() + ") is not JSON: is " + JiraProvider.URL
                    + " Jira's own address?");
        }
    }

    private JsonNode text(String text) {
        return cloud() ? JiraText.adf(text) : NODES.textNode(JiraText.wiki(text));
    }

    private TicketRef ref(String key, Subject subject) {
        return new TicketRef(SYSTEM, key, base + "/browse/" + key, subject.actionItemId());
    }

    private static String key(JsonNode issue, String operation) throws TicketException {
        String key = issue.path("key").asText("");
        if (key.isEmpty()) {
            throw TicketException.invalid(SYSTEM, operation, "the answer has no issue key");
        }
        return key;
    }

    private static String issue(TicketRef ticket) {
        return "/issue/" + URLEncoder.encode(ticket.getKey(), StandardCharsets.UTF_8);
    }

    /** A label Jira accepts: no whitespace, at most 255 characters. */
    private static String label(String label) {
        String joined = label.strip().replaceAll("\\s+", "-");
        return joined.length() <= 255 ? joined : joined.substring(0, 255);
    }

    /** A JQL string literal: quoted, with quotes and backslashes escaped. */
    static String jqlString(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false);
    }

    private HttpRequest.Builder request(String path) {
        return http.request(URI.create(api + path)).header("Authorization", settings.authorization())
                .header("Content-Type", "application/json");
    }

    private HttpRequest get(String path) {
        return request(path).GET().build();
    }

    private HttpRequest post(String path, JsonNode body) {
        return request(path).POST(TicketHttp.json(body)).build();
    }
}
