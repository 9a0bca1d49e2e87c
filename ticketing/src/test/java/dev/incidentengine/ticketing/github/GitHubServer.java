package dev.incidentengine.ticketing.github;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.ticketing.ContractServer;

/**
 * GitHub's REST API v3 for one repository's issues, as documented: issues (https://docs.github.com/en/rest/issues/issues),
 * labels (https://docs.github.com/en/rest/issues/labels), comments (https://docs.github.com/en/rest/issues/comments) with
 * {@code Link} pagination (https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api), sub-issues
 * (https://docs.github.com/en/rest/issues/sub-issues), and errors as {@code {"message","documentation_url","status"}}
 * (https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api): 401 Bad credentials, 404 Not Found for a
 * repository the token cannot see or an endpoint the server lacks, 410 when issues are disabled, 422 Validation Failed with
 * {@code errors[]} ({@code resource}, {@code field}, {@code code}: missing_field, invalid, already_exists, custom with a
 * message). Every answer carries the {@code x-ratelimit-*} headers; faults queued by a test play the primary (403/429 with
 * {@code x-ratelimit-remaining: 0} and {@code x-ratelimit-reset}) and secondary ({@code retry-after}) rate limits
 * (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api).
 */
public final class GitHubServer extends ContractServer {

    public static final String REPOSITORY = "acme/ops";
    public static final String TOKEN = "ghp_engine";
    public static final String LOGIN = "engine-bot";
    private static final Set<String> COLLABORATORS = Set.of(LOGIN, "alice", "bob");
    private static final Pattern ROUTE = Pattern.compile("/repos/([^/]+/[^/]+)(/labels|/issues(?:/(\\d+)(/comments|/sub_issues)?)?)");

    /** An issue or a pull request, as the list shows both. */
    public static final class Issue {
        public final long id;
        public final int number;
        public final boolean pullRequest;
        public String title;
        public String body;
        public String state = "open";
        public String stateReason;
        public final List<String> labels = new ArrayList<>();
        public final List<String> assignees = new ArrayList<>();
        public final List<String> comments = new ArrayList<>();
        public final List<Long> subIssues = new ArrayList<>();
        public Long parentId;

        Issue(long id, int number, boolean pullRequest) {
            this.id = id;
            this.number = number;
            this.pullRequest = pullRequest;
        }
    }

    public record Label(long id, String name, String color, String description) {
    }

    private final Map<String, Label> labels = new LinkedHashMap<>();
    private final List<Issue> issues = new ArrayList<>();
    private long nextId = 1_000_000;
    private volatile boolean issuesEnabled = true;
    private volatile boolean subIssuesSupported = true;
    private int remaining = 5000;

    public void issuesEnabled(boolean enabled) {
        issuesEnabled = enabled;
    }

    public void subIssuesSupported(boolean supported) {
        subIssuesSupported = supported;
    }

    public synchronized Issue issue(int number) {
        return issues.stream().filter(i -> i.number == number).findFirst().orElseThrow();
    }

    public synchronized List<Issue> issues() {
        return List.copyOf(issues);
    }

    public synchronized Optional<Label> label(String name) {
        return Optional.ofNullable(labels.get(name.toLowerCase(Locale.ROOT)));
    }

    /** A pull request carrying these labels: the issue list returns it too. */
    public synchronized int pullRequest(String title, String... labelNames) {
        Issue pr = new Issue(nextId++, issues.size() + 1, true);
        pr.title = title;
        pr.body = "";
        for (String name : labelNames) {
            pr.labels.add(ensureLabel(name, "ededed", ""));
        }
        issues.add(pr);
        return pr.number;
    }

    /** A person adds a label to an issue. */
    public synchronized void addLabel(int number, String name) {
        issue(number).labels.add(ensureLabel(name, "ededed", ""));
    }

    /** A person's comment. */
    public synchronized void comment(int number, String body) {
        issue(number).comments.add(body);
    }

    @Override
    protected synchronized Answer handle(Request request) {
        remaining--;
        return limits(route(request));
    }

    private Answer route(Request request) {
        String authorization = request.header("Authorization");
        if (authorization == null) {
            return error(401, "Requires authentication", "https://docs.github.com/rest");
        }
        if (!authorization.equals("Bearer " + TOKEN) && !authorization.equals("token " + TOKEN)) {
            return error(401, "Bad credentials", "https://docs.github.com/rest");
        }
        Matcher route = ROUTE.matcher(request.path());
        if (!route.matches() || !route.group(1).equals(REPOSITORY)) {
            return error(404, "Not Found", "https://docs.github.com/rest/issues/issues");
        }
        if (!issuesEnabled) {
            return error(410, "Issues are disabled for this repo", "https://docs.github.com/v3/issues/");
        }
        String resource = route.group(2);
        String method = request.method();
        if (resource.equals("/labels")) {
            return method.equals("POST") ? createLabel(request.json()) : notFound();
        }
        if (resource.equals("/issues")) {
            return switch (method) {
                case "GET" -> list(request.query());
                case "POST" -> createIssue(request.json());
                default -> notFound();
            };
        }
        Optional<Issue> issue = issues.stream().filter(i -> i.number == Integer.parseInt(route.group(3))).findFirst();
        if (issue.isEmpty()) {
            return notFound();
        }
        String sub = route.group(4);
        if (sub == null) {
            return switch (method) {
                case "GET" -> Answer.json(200, json(issue.get()));
                case "PATCH" -> update(issue.get(), request.json());
                default -> notFound();
            };
        }
        if (sub.equals("/comments")) {
            return switch (method) {
                case "GET" -> comments(issue.get(), request);
                case "POST" -> addComment(issue.get(), request.json());
                default -> notFound();
            };
        }
        if (!subIssuesSupported || !method.equals("POST")) {
            return notFound();
        }
        return addSubIssue(issue.get(), request.json());
    }

    private Answer createLabel(JsonNode body) {
        String name = body.path("name").asText();
        if (name.isEmpty()) {
            return invalid("Label", "name", "missing_field", null);
        }
        if (name.length() > 50) {
            return invalid("Label", "name", "custom", "name is too long (maximum is 50 characters)");
        }
        if (labels.containsKey(name.toLowerCase(Locale.ROOT))) {
            return invalid("Label", "name", "already_exists", null);
        }
        Label label = new Label(nextId++, name, body.path("color").asText("ededed"), body.path("description").asText(""));
        labels.put(name.toLowerCase(Locale.ROOT), label);
        return Answer.json(201, json(label));
    }

    private String ensureLabel(String name, String color, String description) {
        return labels.computeIfAbsent(name.toLowerCase(Locale.ROOT), key -> new Label(nextId++, name, color, description)).name();
    }

    private Answer list(Map<String, String> query) {
        List<String> wanted = query.getOrDefault("labels", "").isEmpty() ? List.of() : List.of(query.get("labels").split(","));
        String state = query.getOrDefault("state", "open");
        int perPage = Math.min(100, Integer.parseInt(query.getOrDefault("per_page", "30")));
        int page = Integer.parseInt(query.getOrDefault("page", "1"));
        List<Issue> found = issues.stream()
                .filter(i -> state.equals("all") || i.state.equals(state))
                .filter(i -> wanted.stream().allMatch(w -> i.labels.stream().anyMatch(l -> l.equalsIgnoreCase(w))))
                .sorted((a, b) -> "asc".equals(query.get("direction")) ? Integer.compare(a.number, b.number) : Integer.compare(b.number, a.number))
                .toList();
        return Answer.json(200, found.stream().skip((long) (page - 1) * perPage).limit(perPage).map(this::json).toList());
    }

    private Answer createIssue(JsonNode body) {
        String title = body.path("title").asText();
        if (title.isBlank()) {
            return invalid("Issue", "title", "missing_field", null);
        }
        String text = body.path("body").asText("");
        if (text.length() > 65_536) {
            return invalid("Issue", "body", "custom", "body is too long (maximum is 65536 characters)");
        }
        for (JsonNode assignee : body.path("assignees")) {
            if (!COLLABORATORS.contains(assignee.asText())) {
                return Answer.json(422, Map.of("message", "Validation Failed", "errors",
                        List.of(Map.of("value", assignee.asText(), "resource", "Issue", "field", "assignees", "code", "invalid")),
                        "documentation_url", "https://docs.github.com/rest/issues/issues#create-an-issue", "status", "422"));
            }
        }
        for (JsonNode label : body.path("labels")) {
            if (label.asText().length() > 50) {
                return invalid("Label", "name", "custom", "name is too long (maximum is 50 characters)");
            }
        }
        Issue issue = new Issue(nextId++, issues.size() + 1, false);
        issue.title = title;
        issue.body = text;
        body.path("labels").forEach(label -> issue.labels.add(ensureLabel(label.asText(), "ededed", "")));
        body.path("assignees").forEach(assignee -> issue.assignees.add(assignee.asText()));
        issues.add(issue);
        return Answer.json(201, json(issue));
    }

    private Answer update(Issue issue, JsonNode body) {
        if (body.has("state")) {
            String state = body.path("state").asText();
            String reason = body.path("state_reason").isNull() ? null : body.path("state_reason").asText(null);
            if (!Set.of("open", "closed").contains(state)
                    || (reason != null && !Set.of("completed", "not_planned", "reopened", "duplicate").contains(reason))) {
                return invalid("Issue", "state", "invalid", null);
            }
            issue.state = state;
            issue.stateReason = reason;
        }
        if (body.has("labels")) {
            issue.labels.clear();
            body.path("labels").forEach(label -> issue.labels.add(ensureLabel(label.asText(), "ededed", "")));
        }
        return Answer.json(200, json(issue));
    }

    private Answer addComment(Issue issue, JsonNode body) {
        String text = body.path("body").asText("");
        if (text.isEmpty()) {
            return invalid("IssueComment", "body", "missing_field", null);
        }
        if (text.length() > 65_536) {
            return invalid("IssueComment", "body", "custom", "body is too long (maximum is 65536 characters)");
        }
        issue.comments.add(text);
        return Answer.json(201, comment(issue, issue.comments.size() - 1));
    }

    private Answer comments(Issue issue, Request request) {
        int perPage = Math.min(100, Integer.parseInt(request.query().getOrDefault("per_page", "30")));
        int page = Integer.parseInt(request.query().getOrDefault("page", "1"));
        int pages = Math.max(1, (issue.comments.size() + perPage - 1) / perPage);
        List<Object> shown = new ArrayList<>();
        for (int i = (page - 1) * perPage; i < Math.min(issue.comments.size(), page * perPage); i++) {
            shown.add(comment(issue, i));
        }
        Answer answer = Answer.json(200, shown);
        if (pages > 1) {
            String base = baseUrl() + request.path() + "?per_page=" + perPage + "&page=";
            List<String> links = new ArrayList<>();
            if (page < pages) {
                links.add("<" + base + (page + 1) + ">; rel=\"next\"");
                links.add("<" + base + pages + ">; rel=\"last\"");
            }
            if (page > 1) {
                links.add("<" + base + 1 + ">; rel=\"first\"");
                links.add("<" + base + (page - 1) + ">; rel=\"prev\"");
            }
            answer = answer.header("Link", String.join(", ", links));
        }
        return answer;
    }

    private Answer addSubIssue(Issue parent, JsonNode body) {
        long childId = body.path("sub_issue_id").asLong();
        Optional<Issue> child = issues.stream().filter(i -> i.id == childId && !i.pullRequest).findFirst();
        if (child.isEmpty()) {
            return notFound();
        }
        if (child.get().parentId != null) {
            return invalid("Issue", "sub_issue_id", "custom", "Sub issue may only have one parent");
        }
        child.get().parentId = parent.id;
        parent.subIssues.add(childId);
        return Answer.json(201, json(parent));
    }

    private Map<String, Object> json(Issue issue) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", issue.id);
        json.put("node_id", "I_kw" + issue.id);
        json.put("url", baseUrl() + "/repos/" + REPOSITORY + "/issues/" + issue.number);
        json.put("html_url", "https://github.com/" + REPOSITORY + (issue.pullRequest ? "/pull/" : "/issues/") + issue.number);
        json.put("number", issue.number);
        json.put("state", issue.state);
        json.put("state_reason", issue.stateReason);
        json.put("title", issue.title);
        json.put("body", issue.body);
        json.put("user", Map.of("login", LOGIN));
        json.put("labels", issue.labels.stream().map(name -> json(labels.get(name.toLowerCase(Locale.ROOT)))).toList());
        json.put("assignees", issue.assignees.stream().map(login -> Map.of("login", login)).toList());
        json.put("comments", issue.comments.size());
        if (issue.pullRequest) {
            json.put("pull_request", Map.of("url", baseUrl() + "/repos/" + REPOSITORY + "/pulls/" + issue.number));
        }
        json.put("sub_issues_summary", Map.of("total", issue.subIssues.size(), "completed", 0, "percent_completed", 0));
        return json;
    }

    private static Map<String, Object> json(Label label) {
        return Map.of("id", label.id(), "name", label.name(), "color", label.color(), "description", label.description(),
                "default", false);
    }

    private Map<String, Object> comment(Issue issue, int index) {
        return Map.of("id", issue.id * 1000 + index, "body", issue.comments.get(index), "user", Map.of("login", LOGIN),
                "html_url", "https://github.com/" + REPOSITORY + "/issues/" + issue.number + "#issuecomment-" + (issue.id * 1000 + index));
    }

    private Answer limits(Answer answer) {
        return answer.header("x-ratelimit-limit", "5000").header("x-ratelimit-remaining", String.valueOf(Math.max(0, remaining)))
                .header("x-ratelimit-used", String.valueOf(5000 - remaining)).header("x-ratelimit-resource", "core")
                .header("x-ratelimit-reset", "1796464800");
    }

    private static Answer notFound() {
        return error(404, "Not Found", "https://docs.github.com/rest");
    }

    private static Answer invalid(String resource, String field, String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("resource", resource);
        error.put("field", field);
        error.put("code", code);
        if (message != null) {
            error.put("message", message);
        }
        return Answer.json(422, Map.of("message", "Validation Failed", "errors", List.of(error),
                "documentation_url", "https://docs.github.com/rest/issues", "status", "422"));
    }

    private static Answer error(int status, String message, String documentation) {
        return Answer.json(status, Map.of("message", message, "documentation_url", documentation, "status", String.valueOf(status)));
    }
}
