package dev.incidentengine.ticketing.github;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.schemas.TicketMarkers;
import dev.incidentengine.ticketing.TicketException;
import dev.incidentengine.ticketing.TicketHttp;
import dev.incidentengine.ticketing.TicketSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GitHub Issues through REST v3 (https://docs.github.com/en/rest/issues, API version 2022-11-28).
 *
 * <p>A ticket's key is {@code owner/name#number}, its URL the issue's {@code html_url}. The subject's marker is the label
 * {@code incident-engine:<marker>} (labels have at most {@value #MAX_LABEL} characters, enough for the engine's ids; a longer
 * one becomes {@code incident-engine:<SHA-256 of the marker, hex, cut to fit>}, its description naming the marker), found with the issue list
 * filtered by label, which is consistent, unlike the search API; the body ends with {@code <!-- incident-engine: <marker> -->}
 * for people and other tools. Severity is the label {@code severity:SEVn}, replaced when it changes. An action item's issue
 * says {@code Follow-up of #n} and is made a sub-issue of the incident's where the server has sub-issues (GitHub Enterprise
 * Server before them answers 404: the reference in the body remains).
 *
 * <p>Resolve and close both close the issue as completed (GitHub has one closed state); reopen opens it. Texts are escaped
 * for Markdown ({@link GitHubMarkdown}): no HTML, images, links, mentions or issue references from incident text.
 */
public final class GitHubSystem implements TicketSystem {

    public static final String SYSTEM = "github";
    /** The marker label's prefix, as the engine's GitHub webhook receiver reads it back ({@code TicketMarkers}). */
    static final String MARKER_LABEL = TicketMarkers.LABEL_PREFIX;
    static final String SEVERITY_LABEL = "severity:";
    /** GitHub's limit on a label's name. */
    static final int MAX_LABEL = 50;
    static final int MAX_TITLE = 256;
    /** GitHub's limit on an issue's or a comment's body, in characters. */
    static final int MAX_BODY = 65_536;
    static final Pattern REPOSITORY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}");
    private static final Pattern KEY = Pattern.compile("(" + REPOSITORY_NAME.pattern() + ")#(\\d{1,10})");
    private static final Pattern LAST_PAGE = Pattern.compile("[?&]page=(\\d+)[^>]*>;\\s*rel=\"last\"");
    private static final Map<Severity, String> SEVERITY_COLORS = Map.of(Severity.SEV0, "b60205", Severity.SEV1, "d93f0b",
            Severity.SEV2, "fbca04", Severity.SEV3, "0e8a16", Severity.SEV4, "c5def5");
    private static final int MAX_PER_PAGE = 100;
    private static final Logger LOG = LoggerFactory.getLogger(GitHubSystem.class);

    /** The settings, parsed: see {@link GitHubProvider}. */
    public record Settings(String api, String token, String repository, List<String> labels, List<String> assignees) {

        @Override
        public String toString() {
            return "Settings[" + api + ", " + repository + "]";
        }
    }

    private final Settings settings;
    private final TicketHttp http;
    /** Severity labels known to exist: at most five. */
    private final Set<String> knownLabels = ConcurrentHashMap.newKeySet();

    public GitHubSystem(Settings settings, TicketHttp http) {
        this.settings = settings;
        this.http = http;
    }

    @Override
    public String system() {
        return SYSTEM;
    }

    /** The oldest issue with the subject's label; pull requests, which the list includes, are skipped. */
    @Override
    public Optional<TicketRef> find(Subject subject) throws TicketException {
        JsonNode issues = send("find", get(repo(settings.repository()) + "/issues?labels=" + encode(markerLabel(subject.marker()))
                + "&state=all&sort=created&direction=asc&per_page=10"));
        for (JsonNode issue : issues) {
            if (!issue.has("pull_request")) {
                return Optional.of(ref(settings.repository(), issue, subject.actionItemId()));
            }
        }
        return Optional.empty();
    }

    @Override
    public TicketRef create(NewTicket ticket) throws TicketException {
        String marker = ticket.subject().marker();
        String markerLabel = markerLabel(marker);
        createLabel(markerLabel, "5319e7", "Incident engine: " + marker);
        String severityLabel = severityLabel(ticket.severity());
        List<String> labels = new ArrayList<>(settings.labels());
        if (ticket.labels() != null) {
            ticket.labels().stream().filter(label -> !labels.contains(label)).forEach(labels::add);
        }
        labels.add(severityLabel);
        labels.add(markerLabel);
        Parent parent = ticket.parent() == null ? null : parent(ticket.parent());
        String footer = (parent == null ? "" : "\n\nFollow-up of " + parent.reference(settings.repository()))
                + "\n\n<!-- incident-engine: " + marker.replace("--", "- -") + " -->";
        Map<String, Object> issue = new LinkedHashMap<>();
        String title = ticket.summary() == null ? "" : ticket.summary().replaceAll("\\s+", " ").strip();
        issue.put("title", abbreviate(title.isEmpty() ? marker : title, MAX_TITLE));
        issue.put("body", markdown(ticket.description() == null ? "" : ticket.description(), MAX_BODY - footer.length()) + footer);
        issue.put("labels", labels);
        if (!settings.assignees().isEmpty()) {
            issue.put("assignees", settings.assignees());
        }
        JsonNode created = send("create", post(repo(settings.repository()) + "/issues", issue));
        if (parent != null) {
            linkSubIssue(parent, created.path("id").asLong());
        }
        return ref(settings.repository(), created, ticket.subject().actionItemId());
    }

    @Override
    public void comment(TicketRef ticket, String text) throws TicketException {
        send("comment", post(issue(ticket) + "/comments", Map.of("body", markdown(text, MAX_BODY))));
    }

    /** The latest comments, oldest first, as plain text: the issue's last page of comments, and the one before if short. */
    @Override
    public List<String> recentComments(TicketRef ticket, int limit) throws TicketException {
        int perPage = Math.max(1, Math.min(limit, MAX_PER_PAGE));
        String comments = issue(ticket) + "/comments?per_page=" + perPage + "&page=";
        TicketHttp.Response first = http.send("recentComments", get(comments + 1));
        int last = first.headers().firstValue("Link").map(LAST_PAGE::matcher).filter(Matcher::find)
                .map(found -> Integer.parseInt(found.group(1))).orElse(1);
        List<JsonNode> read = new ArrayList<>();
        if (last == 1) {
            json(first, "recentComments").forEach(read::add);
        } else {
            JsonNode lastPage = send("recentComments", get(comments + last));
            if (lastPage.size() < perPage) {
                send("recentComments", get(comments + (last - 1))).forEach(read::add);
            }
            lastPage.forEach(read::add);
        }
        List<String> texts = new ArrayList<>();
        read.subList(Math.max(0, read.size() - limit), read.size())
                .forEach(comment -> texts.add(GitHubMarkdown.plain(comment.path("body").asText())));
        return texts;
    }

    /** The state first, then the comment: a retry after a failure between the two changes nothing twice. */
    @Override
    public void transition(TicketRef ticket, Transition transition, String comment) throws TicketException {
        Map<String, Object> state = transition == Transition.REOPEN ? Map.of("state", "open", "state_reason", "reopened")
                : Map.of("state", "closed", "state_reason", "completed");
        send("transition", patch(issue(ticket), state));
        if (comment != null && !comment.isBlank()) {
            comment(ticket, comment);
        }
    }

    /** Replaces the severity label, keeping every other label (people's too). */
    @Override
    public void changeSeverity(TicketRef ticket, Severity severity) throws TicketException {
        String label = severityLabel(severity);
        List<String> labels = new ArrayList<>();
        List<String> before = new ArrayList<>();
        for (JsonNode existing : send("changeSeverity", get(issue(ticket))).path("labels")) {
            String name = existing.path("name").asText();
            before.add(name);
            if (!name.toLowerCase(Locale.ROOT).startsWith(SEVERITY_LABEL)) {
                labels.add(name);
            }
        }
        labels.add(label);
        if (!labels.equals(before)) {
            send("changeSeverity", patch(issue(ticket), Map.of("labels", labels)));
        }
    }

    @Override
    public void close() {
        // The HTTP client holds nothing that needs closing.
    }

    /** {@code incident-engine:<marker>}, or, over the limit, {@code incident-engine:<hash>} of the same length. */
    static String markerLabel(String marker) {
        String label = MARKER_LABEL + marker;
        if (label.length() <= MAX_LABEL) {
            return label;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(marker.getBytes(StandardCharsets.UTF_8));
            return MARKER_LABEL + HexFormat.of().formatHex(digest).substring(0, MAX_LABEL - MARKER_LABEL.length());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private String severityLabel(Severity severity) throws TicketException {
        String label = SEVERITY_LABEL + severity;
        if (!knownLabels.contains(label)) {
            createLabel(label, SEVERITY_COLORS.get(severity), "Incident severity " + severity);
            knownLabels.add(label);
        }
        return label;
    }

    /** Creates the label with its colour and description; one that exists already is fine. */
    private void createLabel(String name, String color, String description) throws TicketException {
        TicketHttp.Response answer = http.send("label", post(repo(settings.repository()) + "/labels",
                Map.of("name", name, "color", color, "description", abbreviate(description, 100))), Set.of(422));
        if (answer.status() == 422 && !alreadyExists(answer)) {
            throw TicketException.refused(SYSTEM, "label", 422, answer.body());
        }
    }

    private static boolean alreadyExists(TicketHttp.Response answer) {
        try {
            for (JsonNode error : answer.json().path("errors")) {
                if ("already_exists".equals(error.path("code").asText())) {
                    return true;
                }
            }
            return false;
        } catch (IllegalStateException notJson) {
            return false;
        }
    }

    /** Where the server has no sub-issues (404) or refuses this one (422: a parent already, too many), the body's reference stays. */
    private void linkSubIssue(Parent parent, long childId) throws TicketException {
        TicketHttp.Response answer = http.send("subIssue", post(repo(parent.repository) + "/issues/" + parent.number + "/sub_issues",
                Map.of("sub_issue_id", childId)), Set.of(404, 422));
        if (answer.status() >= 400) {
            LOG.warn("GitHub: issue id {} not made a sub-issue of {}#{}: HTTP {} {}", childId, parent.repository, parent.number,
                    answer.status(), answer.body());
        }
    }

    /** An issue's repository and number, from its key. */
    private record Parent(String repository, String number) {

        String reference(String ownRepository) {
            return (repository.equalsIgnoreCase(ownRepository) ? "" : repository) + "#" + number;
        }
    }

    private static Parent parent(TicketRef ticket) throws TicketException {
        Matcher key = KEY.matcher(ticket.getKey());
        if (!key.matches()) {
            throw TicketException.invalid(SYSTEM, "read", "not an issue key (owner/name#number): " + ticket.getKey());
        }
        return new Parent(key.group(1), key.group(2));
    }

    private String issue(TicketRef ticket) throws TicketException {
        Parent issue = parent(ticket);
        return repo(issue.repository) + "/issues/" + issue.number;
    }

    private String repo(String repository) {
        return settings.api() + "/repos/" + repository;
    }

    private static TicketRef ref(String repository, JsonNode issue, String actionItemId) throws TicketException {
        long number = issue.path("number").asLong();
        String url = issue.path("html_url").asText();
        if (number <= 0 || url.isEmpty()) {
            throw TicketException.invalid(SYSTEM, "read", "an issue without number or html_url");
        }
        return new TicketRef(SYSTEM, repository + "#" + number, url, actionItemId);
    }

    /** Escaped, and cut (before escaping, so no escape is cut in half) until it fits. */
    private static String markdown(String text, int max) {
        String cut = text;
        String escaped = GitHubMarkdown.escape(cut);
        while (escaped.length() > max) {
            cut = cut.substring(0, Math.min(cut.length() - 1, (int) (cut.length() * 0.9)));
            escaped = GitHubMarkdown.escape(cut + "…");
        }
        return escaped;
    }

    private JsonNode send(String operation, HttpRequest request) throws TicketException {
        return json(http.send(operation, request), operation);
    }

    private static JsonNode json(TicketHttp.Response response, String operation) throws TicketException {
        try {
            return response.json();
        } catch (IllegalStateException e) {
            throw TicketException.invalid(SYSTEM, operation, e.getMessage());
        }
    }

    private HttpRequest get(String uri) {
        return request(uri).GET().build();
    }

    private HttpRequest post(String uri, Object body) {
        return request(uri).header("Content-Type", "application/json").POST(TicketHttp.json(body)).build();
    }

    private HttpRequest patch(String uri, Object body) {
        return request(uri).header("Content-Type", "application/json").method("PATCH", TicketHttp.json(body)).build();
    }

    /** The headers GitHub asks for: https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api */
    private HttpRequest.Builder request(String uri) {
        return http.request(URI.create(uri))
                .setHeader("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", "2022-11-28")
                .header("Authorization", "Bearer " + settings.token())
                .header("User-Agent", "incident-engine-ticketing");
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
