package dev.incidentengine.ticketing.redmine;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.ticketing.TicketException;
import dev.incidentengine.ticketing.TicketHttp;
import dev.incidentengine.ticketing.TicketSystem;
import org.apache.kafka.common.config.ConfigException;

/**
 * Redmine's REST API (JSON, {@code X-Redmine-API-Key}), as in Redmine 5.0: https://www.redmine.org/projects/redmine/wiki/Rest_api
 * (Rest_Issues, Rest_IssueRelations, Rest_Projects, Rest_IssueStatuses, Rest_Enumerations, Rest_CustomFields, Rest_Users).
 *
 * <p>A ticket is an issue of the configured project and tracker whose custom field (by default "Incident": a string field
 * for the tracker, filterable) holds the subject's marker; {@link #find} filters on it exactly ({@code cf_<id>}, operator
 * {@code =}), whatever the issue's status. An action item's issue is related ({@code relates}) to its incident's issue, not
 * made a subtask: Redmine refuses an open subtask under a closed parent and by default derives a parent's priority from its
 * subtasks, and action items usually come after the incident's ticket is resolved. Texts are plain text escaped for Textile
 * ({@link RedmineText}).
 *
 * <p>Names in the configuration (tracker, statuses, priorities, custom field) are resolved to ids on first use, once;
 * {@link #check()} does it up front and names the setting that names nothing.
 *
 * <p>{@link #changesSince} reads people's changes back: the journals of the issues that carry a marker. See there.
 */
public final class RedmineSystem implements TicketSystem {

    public static final String SYSTEM = "redmine";
    /** Issues listed per request: Redmine's own maximum. */
    static final int PAGE = 100;
    /** Issues each page of a listing repeats of the one before. */
    private static final int OVERLAP = 10;
    private static final int USER_CACHE = 1_000;

    /** The {@code redmine.*} settings, names as configured. */
    public record Settings(URI url, String apiKey, String project, String tracker, Map<Severity, String> priorities,
                           String resolvedStatus, String closedStatus, String reopenedStatus, String incidentField) {

        @Override
        public String toString() {
            return "Settings[url=" + url + ", project=" + project + ", tracker=" + tracker + "]";
        }
    }

    /** The ids the names stand for, learnt once. */
    private record Ids(int project, int tracker, Map<Severity, Integer> priorities, int resolved, int closed, int reopened,
                       Set<Integer> closedStatuses, int incidentField, int self) {
    }

    private final Settings settings;
    private final TicketHttp http;
    private final String base;
    private volatile Ids ids;
    private final Map<Integer, String> logins = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, String> eldest) {
            return size() > USER_CACHE;
        }
    };

    public RedmineSystem(Settings settings, TicketHttp http) {
        this.settings = settings;
        this.http = http;
        String url = settings.url().toString();
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public String system() {
        return SYSTEM;
    }

    /**
     * Resolves every configured name against the server: a wrong key fails as refused (401), a project the key cannot see as
     * refused (404/403), and a tracker, status, priority or custom field name that Redmine does not know as a
     * {@link ConfigException} naming the setting and what Redmine has instead.
     */
    @Override
    public void check() throws TicketException {
        ids();
    }

    @Override
    public Optional<TicketRef> find(Subject subject) throws TicketException {
        Ids ids = ids();
        JsonNode issues = get("find", "/issues.json?" + query(ids, subject.marker()) + "&sort=id&limit=1").get("issues");
        if (issues == null || issues.isEmpty()) {
            return Optional.empty();
        }
        TicketRef ref = ref(issues.get(0).get("id").asInt(), subject.actionItemId());
        if (subject.isActionItem()) {
            // A create cut short between the issue and its relation is completed here, before the connector trusts the ticket.
            Optional<TicketRef> incident = find(Subject.incident(subject.incidentId()));
            if (incident.isPresent()) {
                relate(ref, incident.get());
            }
        }
        return Optional.of(ref);
    }

    @Override
    public TicketRef create(NewTicket ticket) throws TicketException {
        Ids ids = ids();
        Map<String, Object> issue = new LinkedHashMap<>();
        issue.put("project_id", ids.project());
        issue.put("tracker_id", ids.tracker());
        issue.put("subject", RedmineText.subject(ticket.summary()));
        issue.put("description", RedmineText.textile(ticket.description()));
        Integer priority = ids.priorities().get(ticket.severity());
        if (priority != null) {
            issue.put("priority_id", priority);
        }
        List<Map<String, Object>> fields = new ArrayList<>();
        fields.add(Map.of("id", ids.incidentField(), "value", ticket.subject().marker()));
        // Template-rendered fields: a number is a custom field's id, anything else an issue attribute (category_id, …).
        ticket.fields().forEach((name, value) -> {
            if (name.chars().allMatch(Character::isDigit)) {
                fields.add(Map.of("id", Integer.parseInt(name), "value", value));
            } else {
                issue.put(name, value);
            }
        });
        issue.put("custom_fields", fields);
        JsonNode created = http.send("create", request("/issues.json").POST(TicketHttp.json(Map.of("issue", issue)))
                .header("Content-Type", "application/json").build()).json();
        JsonNode id = created.path("issue").path("id");
        if (!id.canConvertToInt()) {
            throw TicketException.invalid(SYSTEM, "create", "no issue id in the answer");
        }
        TicketRef ref = ref(id.asInt(), ticket.subject().actionItemId());
        if (ticket.parent() != null) {
            relate(ref, ticket.parent());
        }
        return ref;
    }

    /** Relates an action item's issue to its incident's, unless they already are. */
    private void relate(TicketRef item, TicketRef incident) throws TicketException {
        JsonNode relations = get("relations", "/issues/" + item.getKey() + "/relations.json").path("relations");
        for (JsonNode relation : relations) {
            String other = relation.path("issue_id").asText().equals(item.getKey()) ? relation.path("issue_to_id").asText()
                    : relation.path("issue_id").asText();
            if (other.equals(incident.getKey())) {
                return;
            }
        }
        Map<String, Object> relation = Map.of("issue_to_id", Integer.parseInt(incident.getKey()), "relation_type", "relates");
        http.send("relate", request("/issues/" + item.getKey() + "/relations.json")
                .POST(TicketHttp.json(Map.of("relation", relation))).header("Content-Type", "application/json").build());
    }

    @Override
    public void comment(TicketRef ticket, String text) throws TicketException {
        update("comment", ticket, Map.of("notes", RedmineText.textile(text)));
    }

    @Override
    public List<String> recentComments(TicketRef ticket, int limit) throws TicketException {
        List<String> notes = new ArrayList<>();
        for (JsonNode journal : get("recent comments", "/issues/" + ticket.getKey() + ".json?include=journals").path("issue").path("journals")) {
            String text = journal.path("notes").asText("");
            if (!text.isBlank()) {
                notes.add(RedmineText.plain(text));
            }
        }
        return List.copyOf(notes.subList(Math.max(0, notes.size() - limit), notes.size()));
    }

    @Override
    public void transition(TicketRef ticket, Transition transition, String comment) throws TicketException {
        Ids ids = ids();
        int status = switch (transition) {
            case RESOLVE -> ids.resolved();
            case CLOSE -> ids.closed();
            case REOPEN -> ids.reopened();
        };
        update("transition", ticket, Map.of("status_id", status, "notes", RedmineText.textile(comment)));
        // Redmine drops a status its workflow does not allow the user and still answers 204, with the note saved.
        int now = get("transition", "/issues/" + ticket.getKey() + ".json").path("issue").path("status").path("id").asInt();
        if (now != status) {
            throw TicketException.invalid(SYSTEM, "transition " + ticket.getKey(), "Redmine's workflow does not let the connector's "
                    + "user move the issue to status " + status + " (it stays in " + now + ")");
        }
    }

    @Override
    public void changeSeverity(TicketRef ticket, Severity severity) throws TicketException {
        Integer priority = ids().priorities().get(severity);
        if (priority != null) {
            update("change severity", ticket, Map.of("priority_id", priority));
        }
    }

    /**
     * People's changes, from the journals of the project's issues that carry a marker: a status set to the resolved status
     * (RESOLVED), to a closed one (CLOSED), from either back to an open one (REOPENED), else notes (COMMENTED). The
     * connector's own journals (its API key's user) and private notes are left out. {@code changeId} is the journal's id.
     *
     * <p>Redmine lists issues, not journals, and sets an issue's {@code updated_on} with each journal, so a journal created at
     * or after time T is on an issue updated at or after T. The cursor holds the last journal handled, (created_on, id), and
     * each call reads every journal after it, on the issues updated since its time, sorted by (updated_on, id). Only journals
     * created before the second of the first answer (Redmine's {@code Date}) are taken, so one written while the call reads
     * is left whole for the next; when the listing ends, the cursor moves to that second. A call reads at most {@code max}
     * issues ({@value #PAGE} at most, more only to finish a second in which more were updated): when more were updated, the
     * cursor also keeps the last issue read and that first second, and the next calls continue from there (a sweep) until the
     * end. An issue updated again while a sweep passes it is read again, and so are its journals after the cursor: a repeat,
     * which the source's command ids (from {@code changeId}) make harmless.
     */
    @Override
    public ChangePage changesSince(String cursor, int max) throws TicketException {
        Ids ids = ids();
        if (cursor == null) {
            // From now, by Redmine's clock, which stamps the journals: from the start of its current second, which may still
            // be written in.
            Instant now = serverTime(http.send("changes", request("/issues.json?limit=1&project_id=" + ids.project()).GET().build()));
            return new ChangePage(List.of(), new Cursor(new Key(now.minusSeconds(1), Long.MAX_VALUE), null, null).encode());
        }
        Cursor at = Cursor.decode(cursor);
        int wanted = Math.max(1, Math.min(max, PAGE));
        Instant from = at.position() == null ? at.handled().at() : at.position().at();
        List<JsonNode> taken = new ArrayList<>();
        Set<String> takenIds = new HashSet<>();
        Instant before = at.before();
        Instant lastSecond = null;
        boolean complete = false;
        listing:
        // Pages overlap, so issues that move to the end between two requests shift nothing out of sight.
        for (int offset = 0; ; offset += PAGE - OVERLAP) {
            TicketHttp.Response answer = http.send("changes", request("/issues.json?" + query(ids, null) + "&f[]=updated_on&op[updated_on]="
                    + encode(">=") + "&v[updated_on][]=" + encode(from.toString()) + "&sort=" + encode("updated_on,id") + "&limit="
                    + PAGE + "&offset=" + offset).GET().build());
            before = before == null ? serverTime(answer) : before;
            JsonNode page = answer.json();
            JsonNode issues = page.path("issues");
            for (JsonNode issue : issues) {
                Key key = new Key(time(issue.path("updated_on")), issue.path("id").asLong());
                // Redmine's filter takes a second more than asked (updated_on > from - 1 s, to the microsecond).
                if (key.at().isBefore(from) || (at.position() != null && key.compareTo(at.position()) <= 0)
                        || takenIds.contains(issue.path("id").asText())) {
                    continue;
                }
                if (taken.size() >= wanted && !key.at().equals(lastSecond)) {
                    break listing;
                }
                taken.add(issue);
                takenIds.add(issue.path("id").asText());
                lastSecond = key.at();
            }
            if (issues.size() < PAGE || offset + issues.size() >= page.path("total_count").asInt()) {
                complete = true;
                break;
            }
        }
        List<Journal> journals = new ArrayList<>();
        Key position = at.position();
        for (JsonNode issue : taken) {
            journals.addAll(journals(issue, at.handled(), before));
            Key key = new Key(time(issue.path("updated_on")), issue.path("id").asLong());
            position = position == null || key.compareTo(position) > 0 ? key : position;
        }
        journals.sort(Comparator.comparing(Journal::key));
        List<TicketChange> changes = new ArrayList<>();
        for (Journal journal : journals) {
            TicketChange change = change(ids, journal);
            if (change != null) {
                changes.add(change);
            }
        }
        // Complete: every journal created before the call's second has been read.
        Cursor next = complete ? new Cursor(new Key(before.minusSeconds(1), Long.MAX_VALUE), null, null)
                : new Cursor(at.handled(), position, before);
        return new ChangePage(changes, next.encode());
    }

    private static Instant serverTime(TicketHttp.Response answer) throws TicketException {
        return answer.headers().firstValue("Date").map(date -> ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
                .orElseThrow(() -> TicketException.invalid(SYSTEM, "changes", "no Date header in Redmine's answer"));
    }

    private record Journal(Key key, JsonNode issue, JsonNode journal) {
    }

    /** The issue's journals after the cursor and created before {@code before}. */
    private List<Journal> journals(JsonNode issue, Key handled, Instant before) throws TicketException {
        List<Journal> after = new ArrayList<>();
        TicketHttp.Response answer = http.send("changes", request("/issues/" + issue.path("id").asText() + ".json?include=journals")
                .GET().build(), Set.of(403, 404));
        if (answer.status() != 200) {
            return after; // deleted, or moved out of the connector's sight, since it was listed
        }
        JsonNode full = answer.json().path("issue");
        for (JsonNode journal : full.path("journals")) {
            Key key = new Key(time(journal.path("created_on")), journal.path("id").asLong());
            if (key.compareTo(handled) > 0 && key.at().isBefore(before)) {
                after.add(new Journal(key, full, journal));
            }
        }
        return after;
    }

    private TicketChange change(Ids ids, Journal entry) throws TicketException {
        JsonNode journal = entry.journal();
        int user = journal.path("user").path("id").asInt();
        if (user == ids.self() || journal.path("private_notes").asBoolean(false)) {
            return null;
        }
        String marker = null;
        for (JsonNode field : entry.issue().path("custom_fields")) {
            if (field.path("id").asInt() == ids.incidentField()) {
                marker = field.path("value").asText("");
            }
        }
        if (marker == null || marker.isBlank()) {
            return null;
        }
        TicketChange.Kind kind = null;
        for (JsonNode detail : journal.path("details")) {
            if ("attr".equals(detail.path("property").asText()) && "status_id".equals(detail.path("name").asText())) {
                int before = detail.path("old_value").asInt();
                int after = detail.path("new_value").asInt();
                if (after == ids.resolved()) {
                    kind = TicketChange.Kind.RESOLVED;
                } else if (ids.closedStatuses().contains(after)) {
                    kind = TicketChange.Kind.CLOSED;
                } else if (before == ids.resolved() || ids.closedStatuses().contains(before)) {
                    kind = TicketChange.Kind.REOPENED;
                }
            }
        }
        String notes = journal.path("notes").asText("");
        if (kind == null && notes.isBlank()) {
            return null;
        }
        int slash = marker.indexOf('/');
        Subject subject = slash < 0 ? Subject.incident(marker) : new Subject(marker.substring(0, slash), marker.substring(slash + 1));
        return new TicketChange(journal.path("id").asText(), subject, ref(entry.issue().path("id").asInt(), subject.actionItemId()),
                kind == null ? TicketChange.Kind.COMMENTED : kind, login(user), journal.path("user").path("name").asText(),
                entry.key().at(), RedmineText.plain(notes));
    }

    /** A user's login, for the actor id {@code redmine:<login>}; {@code user-<id>} when the connector may not see it. */
    private String login(int user) throws TicketException {
        synchronized (logins) {
            String known = logins.get(user);
            if (known != null) {
                return known;
            }
        }
        TicketHttp.Response answer = http.send("user", request("/users/" + user + ".json").GET().build(), Set.of(403, 404));
        String login = answer.status() == 200 ? answer.json().path("user").path("login").asText("") : "";
        login = login.isEmpty() ? "user-" + user : login;
        synchronized (logins) {
            logins.put(user, login);
        }
        return login;
    }

    /** (time in seconds, id): the order of journals and of issues by {@code updated_on}. */
    record Key(Instant at, long id) implements Comparable<Key> {

        @Override
        public int compareTo(Key other) {
            int byTime = at.compareTo(other.at);
            return byTime != 0 ? byTime : Long.compare(id, other.id);
        }

        String encode() {
            return at.getEpochSecond() + "." + id;
        }

        static Key decode(String text) {
            int dot = text.indexOf('.');
            return new Key(Instant.ofEpochSecond(Long.parseLong(text.substring(0, dot))), Long.parseLong(text.substring(dot + 1)));
        }
    }

    /**
     * {@code handled}: the last journal handled. In a sweep, {@code position}: the last issue read, and {@code before}: the
     * second before which the sweep takes journals; else both null.
     */
    record Cursor(Key handled, Key position, Instant before) {

        String encode() {
            return "v1:" + handled.encode() + (position == null ? "" : ":" + position.encode() + ":" + before.getEpochSecond());
        }

        static Cursor decode(String text) {
            String[] parts = text.split(":");
            try {
                if (!parts[0].equals("v1") || (parts.length != 2 && parts.length != 4)) {
                    throw new IllegalArgumentException("not a v1 cursor");
                }
                return parts.length == 2 ? new Cursor(Key.decode(parts[1]), null, null)
                        : new Cursor(Key.decode(parts[1]), Key.decode(parts[2]), Instant.ofEpochSecond(Long.parseLong(parts[3])));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Not a Redmine change cursor: " + text, e);
            }
        }
    }

    private static Instant time(JsonNode value) {
        return Instant.parse(value.asText()).truncatedTo(ChronoUnit.SECONDS);
    }

    /** The filter of the connector's issues: the project, any status, and the marker (or any marker when null). */
    private static String query(Ids ids, String marker) {
        String field = "cf_" + ids.incidentField();
        return "project_id=" + ids.project() + "&f[]=status_id&op[status_id]=*&f[]=" + field + "&op[" + field + "]="
                + (marker == null ? "*" : encode("=") + "&v[" + field + "][]=" + encode(marker));
    }

    private void update(String operation, TicketRef ticket, Map<String, Object> changes) throws TicketException {
        http.send(operation, request("/issues/" + ticket.getKey() + ".json").PUT(TicketHttp.json(Map.of("issue", changes)))
                .header("Content-Type", "application/json").build());
    }

    private JsonNode get(String operation, String path) throws TicketException {
        return http.send(operation, request(path).GET().build()).json();
    }

    private HttpRequest.Builder request(String path) {
        // Brackets in filter names are sent percent-encoded, as URIs require.
        return http.request(URI.create(base + path.replace("[", "%5B").replace("]", "%5D")))
                .header("X-Redmine-API-Key", settings.apiKey());
    }

    private TicketRef ref(int id, String actionItemId) {
        return TicketRef.newBuilder().setSystem(SYSTEM).setKey(String.valueOf(id)).setUrl(base + "/issues/" + id)
                .setActionItemId(actionItemId).build();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private Ids ids() throws TicketException {
        Ids known = ids;
        if (known == null) {
            synchronized (this) {
                if (ids == null) {
                    ids = resolve();
                }
                known = ids;
            }
        }
        return known;
    }

    private Ids resolve() throws TicketException {
        int self = get("check", "/users/current.json").path("user").path("id").asInt();
        JsonNode project = get("check", "/projects/" + encode(settings.project()) + ".json?include=trackers").path("project");
        Map<String, Integer> trackers = names(project.path("trackers"));
        int tracker = named(RedmineProvider.TRACKER, settings.tracker(), trackers, "trackers of project " + settings.project());
        JsonNode statusList = get("check", "/issue_statuses.json").path("issue_statuses");
        Map<String, Integer> statuses = names(statusList);
        Set<Integer> closed = new HashSet<>();
        for (JsonNode status : statusList) {
            if (status.path("is_closed").asBoolean()) {
                closed.add(status.path("id").asInt());
            }
        }
        int resolved = named(RedmineProvider.STATUS_RESOLVED, settings.resolvedStatus(), statuses, "issue statuses");
        int closedStatus = named(RedmineProvider.STATUS_CLOSED, settings.closedStatus(), statuses, "issue statuses");
        int reopened = named(RedmineProvider.STATUS_REOPENED, settings.reopenedStatus(), statuses, "issue statuses");
        Map<String, Integer> priorityIds = names(get("check", "/enumerations/issue_priorities.json").path("issue_priorities"));
        Map<Severity, Integer> priorities = new EnumMap<>(Severity.class);
        for (Map.Entry<Severity, String> entry : settings.priorities().entrySet()) {
            priorities.put(entry.getKey(), named(RedmineProvider.PRIORITY_PREFIX + entry.getKey().name(), entry.getValue(),
                    priorityIds, "issue priorities"));
        }
        return new Ids(project.path("id").asInt(), tracker, priorities, resolved, closedStatus, reopened, Set.copyOf(closed),
                incidentField(), self);
    }

    /** The custom field's id: its name looked up (an administrator's key), or given as a number. */
    private int incidentField() throws TicketException {
        String field = settings.incidentField();
        if (field.chars().allMatch(Character::isDigit)) {
            return Integer.parseInt(field);
        }
        TicketHttp.Response answer = http.send("check", request("/custom_fields.json").GET().build(), Set.of(403));
        if (answer.status() == 403) {
            throw new ConfigException(RedmineProvider.INCIDENT_FIELD, field, "cannot be looked up by name: listing custom fields "
                    + "needs an administrator's key; give the field's id instead (Administration > Custom fields)");
        }
        Map<String, Integer> fields = new LinkedHashMap<>();
        for (JsonNode custom : answer.json().path("custom_fields")) {
            if ("issue".equals(custom.path("customized_type").asText())) {
                fields.put(custom.path("name").asText(), custom.path("id").asInt());
            }
        }
        return named(RedmineProvider.INCIDENT_FIELD, field, fields, "issue custom fields");
    }

    private static Map<String, Integer> names(JsonNode list) {
        Map<String, Integer> names = new LinkedHashMap<>();
        list.forEach(item -> names.put(item.path("name").asText(), item.path("id").asInt()));
        return names;
    }

    private static int named(String setting, String name, Map<String, Integer> known, String what) {
        Integer id = known.get(name);
        if (id == null) {
            throw new ConfigException(setting, name, "Redmine has no such name among its " + what + ": "
                    + known.keySet().stream().collect(Collectors.joining(", ")));
        }
        return id;
    }

    @Override
    public void close() {
        // The HTTP client holds nothing that needs closing.
    }
}
