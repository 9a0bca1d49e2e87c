package dev.incidentengine.ticketing.jira;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local Jira that implements, statefully, exactly the endpoints {@link JiraSystem} uses, in REST v3 (Cloud, ADF) or v2
 * (Data Center, wiki strings), with the request and answer shapes of Atlassian's references:
 * <ul>
 *   <li>https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-post
 *       (the old {@code POST /rest/api/3/search} answers 410, as Cloud's does since it was removed);
 *       https://docs.atlassian.com/software/jira/docs/api/REST/9.12.0/#api/2/search-searchUsingSearchRequest</li>
 *   <li>https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-post (create: 201
 *       {@code {id, key, self}}; 400 {@code {errorMessages, errors}} naming the field), {@code PUT /issue/{key}} (204),
 *       {@code GET /issue/{key}} (404 {@code "Issue does not exist or you do not have permission to see it."})</li>
 *   <li>https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/#api-rest-api-3-issue-issueidorkey-transitions-get
 *       and {@code -post} (204; 400 for a transition the status does not offer)</li>
 *   <li>https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-comments/ (201 comment; a page
 *       {@code {startAt, maxResults, total, comments}} ordered by {@code orderBy=-created})</li>
 *   <li>https://developer.atlassian.com/cloud/jira/platform/rest/v3/intro/#status-codes and
 *       https://developer.atlassian.com/cloud/jira/platform/rate-limiting/ (401, 403, 429 with {@code Retry-After}, 503)</li>
 * </ul>
 * The workflow is the simplified one: To Do, In Progress and Done, each status offering a transition to each other one, named
 * after its target. JQL is understood as far as the connector writes it: {@code project = "P" AND labels = "L"}, with an
 * optional {@code ORDER BY created ASC}. Faults ({@link #failNext}) are answered before anything else. Public, for the
 * connector's tests in a Connect cluster and the benchmark.
 */
public final class JiraContractServer implements AutoCloseable {

    public static final String PROJECT = "OPS";
    public static final String CUSTOM_FIELD = "customfield_10010";
    public static final String USER = "bot@example.com";
    public static final String TOKEN = "jira-api-token";
    static final Set<String> PRIORITIES = Set.of("Highest", "High", "Medium", "Low", "Lowest");
    static final Set<String> ISSUE_TYPES = Set.of("Task", "Bug");
    static final Set<String> COMPONENTS = Set.of("Checkout", "Payments");
    static final Set<String> LINK_TYPES = Set.of("Relates", "Blocks");
    static final Set<String> RESOLUTIONS = Set.of("Done", "Fixed", "Won't Do");
    /** Status name, its category key and the id of the transition that leads to it. */
    private static final List<String[]> STATUSES = List.of(new String[] {"To Do", "new", "11"},
            new String[] {"In Progress", "indeterminate", "21"}, new String[] {"Done", "done", "31"});
    private static final Pattern JQL = Pattern.compile("project = \"((?:[^\"\\\\]|\\\\.)*)\" AND labels = \"((?:[^\"\\\\]|\\\\.)*)\""
            + "(?: ORDER BY created ASC)?");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A stored issue. */
    public static final class Issue {
        public final String id;
        public final String key;
        public final ObjectNode fields;
        public final Map<String, JsonNode> properties = new LinkedHashMap<>();
        public final List<ObjectNode> comments = new ArrayList<>();
        /** Keys of the issues it links to, with the link type. */
        public final List<String[]> links = new ArrayList<>();
        public String status = "To Do";

        Issue(String id, String key, ObjectNode fields) {
            this.id = id;
            this.key = key;
            this.fields = fields;
        }

        public List<String> labels() {
            List<String> labels = new ArrayList<>();
            fields.path("labels").forEach(label -> labels.add(label.asText()));
            return labels;
        }
    }

    public record Fault(int status, Map<String, String> headers, String body) {
    }

    public record Seen(String method, String path, String authorization) {
    }

    private final int version;
    private final HttpServer server;
    private final Map<String, Issue> issues = new LinkedHashMap<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    /** Every request, in order (a synchronized list: read it once the requests are done). */
    public final List<Seen> requests = Collections.synchronizedList(new ArrayList<>());
    private int nextId = 10_000;
    private int nextComment = 100;
    private long clock = Instant.parse("2026-12-05T08:00:00Z").toEpochMilli();

    public JiraContractServer(int version) throws IOException {
        this.version = version;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                handle(exchange);
            }
        });
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public synchronized void failNext(int status, Map<String, String> headers, String body) {
        faults.add(new Fault(status, headers, body));
    }

    public synchronized Issue issue(String key) {
        return issues.get(key);
    }

    public synchronized List<Issue> issues() {
        return List.copyOf(issues.values());
    }

    /** A person moves the issue, as in Jira's UI. */
    public synchronized void setStatus(String key, String status) {
        issues.get(key).status = status;
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        requests.add(new Seen(method, path, authorization));
        byte[] raw = exchange.getRequestBody().readAllBytes();
        Fault fault = faults.poll();
        if (fault != null) {
            fault.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            send(exchange, fault.status(), fault.body());
            return;
        }
        if (!authorized(authorization)) {
            send(exchange, 401, errors(List.of("You are not authenticated. Authentication required to perform this operation."), Map.of()));
            return;
        }
        String prefix = "/rest/api/" + version;
        if (!path.startsWith(prefix + "/")) {
            send(exchange, 404, errors(List.of("No resource at " + path), Map.of()));
            return;
        }
        String route = path.substring(prefix.length());
        JsonNode body;
        try {
            body = raw.length == 0 ? NODES.nullNode() : JSON.readTree(raw);
        } catch (IOException e) {
            send(exchange, 400, errors(List.of("Unexpected character in the request body: not JSON."), Map.of()));
            return;
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        String[] parts = route.substring(1).split("/");
        switch (method + " " + parts[0] + (parts.length > 2 ? "/*/" + parts[2] : parts.length > 1 ? "/" + (parts[0].equals("issue") ? "*" : parts[1]) : "")) {
            case "POST search/jql" -> search(exchange, body, version == 3);
            case "POST search" -> {
                if (version == 3) {
                    send(exchange, 410, errors(List.of("The requested API has been removed. Please migrate to the /rest/api/3/search/jql API."),
                            Map.of()));
                } else {
                    search(exchange, body, false);
                }
            }
            case "POST issue" -> create(exchange, body);
            case "GET issue/*" -> withIssue(exchange, parts[1], issue -> send(exchange, 200, issueJson(issue)));
            case "PUT issue/*" -> withIssue(exchange, parts[1], issue -> edit(exchange, issue, body));
            case "POST issue/*/comment" -> withIssue(exchange, parts[1], issue -> comment(exchange, issue, body));
            case "GET issue/*/comment" -> withIssue(exchange, parts[1], issue -> comments(exchange, issue, query));
            case "GET issue/*/transitions" -> withIssue(exchange, parts[1], issue -> send(exchange, 200, transitions(issue)));
            case "POST issue/*/transitions" -> withIssue(exchange, parts[1], issue -> transition(exchange, issue, body));
            default -> send(exchange, 404, errors(List.of("No resource for " + method + " " + path), Map.of()));
        }
    }

    private boolean authorized(String authorization) {
        if (version == 3) {
            return ("Basic " + Base64.getEncoder().encodeToString((USER + ":" + TOKEN).getBytes(StandardCharsets.UTF_8))).equals(authorization);
        }
        return ("Bearer " + TOKEN).equals(authorization);
    }

    private interface IssueHandler {
        void handle(Issue issue) throws IOException;
    }

    private void withIssue(HttpExchange exchange, String key, IssueHandler handler) throws IOException {
        Issue issue = issues.get(java.net.URLDecoder.decode(key, StandardCharsets.UTF_8));
        if (issue == null) {
            send(exchange, 404, errors(List.of("Issue does not exist or you do not have permission to see it."), Map.of()));
            return;
        }
        handler.handle(issue);
    }

    private void search(HttpExchange exchange, JsonNode body, boolean enhanced) throws IOException {
        Matcher jql = JQL.matcher(body.path("jql").asText());
        if (!jql.matches()) {
            send(exchange, 400, errors(List.of("Error in the JQL Query: this server understands only project = \"…\" AND labels = \"…\"."),
                    Map.of()));
            return;
        }
        String project = unquote(jql.group(1));
        String label = unquote(jql.group(2));
        int max = body.path("maxResults").asInt(50);
        List<Issue> found = issues.values().stream()
                .filter(issue -> issue.fields.path("project").path("key").asText().equals(project) && issue.labels().contains(label))
                .toList();
        ObjectNode answer = NODES.objectNode();
        ArrayNode page = answer.putArray("issues");
        found.stream().limit(max).forEach(issue -> {
            ObjectNode item = page.addObject().put("id", issue.id).put("key", issue.key).put("self", url() + "/rest/api/" + version + "/issue/" + issue.id);
            item.putObject("fields").put("summary", issue.fields.path("summary").asText());
        });
        if (enhanced) {
            answer.put("isLast", found.size() <= max);
            if (found.size() > max) {
                answer.put("nextPageToken", "page-2");
            }
        } else {
            answer.put("startAt", 0).put("maxResults", max).put("total", found.size());
        }
        send(exchange, 200, answer);
    }

    private void create(HttpExchange exchange, JsonNode body) throws IOException {
        JsonNode fields = body.path("fields");
        Map<String, String> errors = new LinkedHashMap<>();
        if (!fields.path("project").path("key").asText().equals(PROJECT)) {
            errors.put("project", "valid project is required");
        }
        if (!ISSUE_TYPES.contains(fields.path("issuetype").path("name").asText())) {
            errors.put("issuetype", "Specify a valid issue type");
        }
        String summary = fields.path("summary").asText("");
        if (summary.isBlank()) {
            errors.put("summary", "You must specify a summary of the issue.");
        } else if (summary.length() > 255) {
            errors.put("summary", "Summary must be less than 255 characters.");
        } else if (summary.contains("\n") || summary.contains("\r")) {
            errors.put("summary", "The summary is invalid because it contains newline characters.");
        }
        String description = checkText(fields.path("description"));
        if (description != null) {
            errors.put("description", description);
        }
        if (fields.has("priority") && !PRIORITIES.contains(fields.path("priority").path("name").asText())) {
            errors.put("priority", "Specify the Priority (name) in the string format");
        }
        for (JsonNode label : fields.path("labels")) {
            if (label.asText().isEmpty() || label.asText().length() > 255 || label.asText().chars().anyMatch(Character::isWhitespace)) {
                errors.put("labels", "The label '" + label.asText() + "' contains spaces which is invalid.");
            }
        }
        for (JsonNode component : fields.path("components")) {
            if (!COMPONENTS.contains(component.path("name").asText())) {
                errors.put("components", "Component name '" + component.path("name").asText() + "' is not valid");
            }
        }
        fields.fieldNames().forEachRemaining(name -> {
            if (name.startsWith("customfield_") && (!name.equals(CUSTOM_FIELD) || !fields.get(name).isTextual())) {
                errors.put(name, "Field '" + name + "' cannot be set. It is not on the appropriate screen, or unknown.");
            }
        });
        List<String[]> links = new ArrayList<>();
        for (JsonNode link : body.path("update").path("issuelinks")) {
            String type = link.path("add").path("type").path("name").asText();
            String other = link.path("add").path("outwardIssue").path("key").asText();
            if (!LINK_TYPES.contains(type)) {
                errors.put("issuelinks", "No issue link type with name '" + type + "' found.");
            } else if (!issues.containsKey(other)) {
                errors.put("issuelinks", "Issue '" + other + "' does not exist.");
            } else {
                links.add(new String[] {type, other});
            }
        }
        if (!errors.isEmpty()) {
            send(exchange, 400, errors(List.of(), errors));
            return;
        }
        String id = Integer.toString(nextId++);
        String key = PROJECT + "-" + (issues.size() + 1);
        Issue issue = new Issue(id, key, fields.deepCopy());
        issue.fields.put("created", Instant.ofEpochMilli(clock++).toString());
        for (JsonNode property : body.path("properties")) {
            issue.properties.put(property.path("key").asText(), property.path("value"));
        }
        issue.links.addAll(links);
        issues.put(key, issue);
        send(exchange, 201, NODES.objectNode().put("id", id).put("key", key).put("self", url() + "/rest/api/" + version + "/issue/" + id));
    }

    /** Null when the text has the shape of this version: an ADF document (v3) or a string (v2); else why not. */
    private String checkText(JsonNode text) {
        if (text.isMissingNode() || text.isNull()) {
            return null;
        }
        if (version == 2) {
            return text.isTextual() ? (text.asText().length() > JiraText.MAX_TEXT ? "The entered text is too long." : null)
                    : "Operation value must be a string";
        }
        if (!text.isObject() || !text.path("type").asText().equals("doc") || text.path("version").asInt() != 1) {
            return "Operation value must be an Atlassian Document (see the Atlassian Document Format)";
        }
        List<JsonNode> pending = new ArrayList<>(List.of(text));
        while (!pending.isEmpty()) {
            JsonNode node = pending.remove(pending.size() - 1);
            if (node.path("type").asText().equals("text") && node.path("text").asText().isEmpty()) {
                return "INVALID_INPUT: text nodes must not be empty";
            }
            node.path("content").forEach(pending::add);
        }
        return null;
    }

    private void edit(HttpExchange exchange, Issue issue, JsonNode body) throws IOException {
        JsonNode priority = body.path("fields").path("priority");
        if (!priority.isMissingNode() && !PRIORITIES.contains(priority.path("name").asText())) {
            send(exchange, 400, errors(List.of(), Map.of("priority", "Specify the Priority (name) in the string format")));
            return;
        }
        body.path("fields").fields().forEachRemaining(field -> issue.fields.set(field.getKey(), field.getValue()));
        send(exchange, 204, (String) null);
    }

    private void comment(HttpExchange exchange, Issue issue, JsonNode body) throws IOException {
        String problem = body.has("body") ? checkText(body.get("body")) : "Comment body can not be empty!";
        if (problem != null) {
            send(exchange, 400, errors(List.of(), Map.of("comment", problem)));
            return;
        }
        ObjectNode comment = NODES.objectNode().put("id", Integer.toString(nextComment++))
                .put("created", Instant.ofEpochMilli(clock++).toString());
        comment.putObject("author").put(version == 3 ? "accountId" : "name", version == 3 ? "5b10ac8d82e05b22cc7d4ef5" : "bot");
        comment.set("body", body.get("body"));
        issue.comments.add(comment);
        send(exchange, 201, comment);
    }

    private void comments(HttpExchange exchange, Issue issue, Map<String, String> query) throws IOException {
        int max = Integer.parseInt(query.getOrDefault("maxResults", "50"));
        List<ObjectNode> ordered = new ArrayList<>(issue.comments);
        if (query.getOrDefault("orderBy", "created").equals("-created")) {
            java.util.Collections.reverse(ordered);
        }
        ObjectNode page = NODES.objectNode().put("startAt", 0).put("maxResults", max).put("total", ordered.size());
        ArrayNode comments = page.putArray("comments");
        ordered.stream().limit(max).forEach(comments::add);
        send(exchange, 200, page);
    }

    private ObjectNode transitions(Issue issue) {
        ObjectNode answer = NODES.objectNode().put("expand", "transitions");
        ArrayNode transitions = answer.putArray("transitions");
        for (String[] status : STATUSES) {
            if (!status[0].equals(issue.status)) {
                ObjectNode transition = transitions.addObject().put("id", status[2]).put("name", status[0]).put("hasScreen", false)
                        .put("isGlobal", true);
                ObjectNode to = transition.putObject("to").put("name", status[0]);
                to.putObject("statusCategory").put("key", status[1]);
            }
        }
        return answer;
    }

    private void transition(HttpExchange exchange, Issue issue, JsonNode body) throws IOException {
        String id = body.path("transition").path("id").asText();
        JsonNode resolution = body.path("fields").path("resolution");
        if (!resolution.isMissingNode() && !RESOLUTIONS.contains(resolution.path("name").asText())) {
            send(exchange, 400, errors(List.of(), Map.of("resolution", "Resolution '" + resolution.path("name").asText() + "' is not valid")));
            return;
        }
        for (String[] status : STATUSES) {
            if (status[2].equals(id) && !status[0].equals(issue.status)) {
                issue.status = status[0];
                if (!resolution.isMissingNode()) {
                    issue.fields.set("resolution", resolution);
                }
                send(exchange, 204, (String) null);
                return;
            }
        }
        send(exchange, 400, errors(List.of("Transition id '" + id + "' is not valid for this issue."), Map.of()));
    }

    private ObjectNode issueJson(Issue issue) {
        ObjectNode json = NODES.objectNode().put("id", issue.id).put("key", issue.key);
        ObjectNode fields = issue.fields.deepCopy();
        String category = STATUSES.stream().filter(status -> status[0].equals(issue.status)).findFirst().orElseThrow()[1];
        fields.putObject("status").put("name", issue.status).putObject("statusCategory").put("key", category);
        json.set("fields", fields);
        return json;
    }

    private static ObjectNode errors(List<String> messages, Map<String, String> fields) {
        ObjectNode error = NODES.objectNode();
        ArrayNode list = error.putArray("errorMessages");
        messages.forEach(list::add);
        ObjectNode byField = error.putObject("errors");
        fields.forEach(byField::put);
        return error;
    }

    private static String unquote(String literal) {
        return literal.replaceAll("\\\\(.)", "$1");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(java.net.URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
        }
        return query;
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        send(exchange, status, JSON.writeValueAsString(body));
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        if (body == null) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
