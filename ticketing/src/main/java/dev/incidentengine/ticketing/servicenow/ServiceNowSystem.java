package dev.incidentengine.ticketing.servicenow;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.ticketing.TicketException;
import dev.incidentengine.ticketing.TicketHttp;
import dev.incidentengine.ticketing.TicketSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ServiceNow's {@code incident} table through the Table API
 * (https://www.servicenow.com/docs/r/api-reference/rest-apis/c_TableAPI.html).
 *
 * <p>A ticket's key is the incident's {@code number} (INC0010001), what people quote; its URL carries the {@code sys_id} the
 * API addresses records by ({@code <instance>/nav_to.do?uri=incident.do?sys_id=<sys_id>}), so no lookup is needed. A ref
 * whose URL lacks it (edited by hand) is looked up by number. The subject's marker is {@code correlation_id}, with
 * {@code correlation_display = incident-engine} naming who set it; an action item's incident points at the incident's
 * through {@code parent_incident}.
 *
 * <p>Comments go to one journal ({@code work_notes} or {@code comments}) as plain text; {@code [code]…[/code]}, the only
 * markup ServiceNow interprets there (as HTML), is broken with an invisible character.
 *
 * <p>Polling ({@link #changesSince}): the incidents the connector made that changed after the cursor, oldest first by
 * ({@code sys_updated_on}, {@code sys_id}); on each, a resolution, closure or reopening by someone else than the
 * connector's user (from {@code resolved_at/by}, {@code closed_at/by}, {@code reopened_time/by}), and the journal entries
 * others wrote ({@code sys_journal_field}), each after the cursor and no later than the incident's update just read, so a
 * change is returned once however often its incident is read again. Only changes older than the poll delay are read.
 */
public final class ServiceNowSystem implements TicketSystem {

    public static final String SYSTEM = "servicenow";
    /** Set in {@code correlation_display} of every incident the connector makes: the source polls only those. */
    static final String CORRELATION_DISPLAY = "incident-engine";
    /** The length of {@code short_description} in the base system. */
    static final int SHORT_DESCRIPTION_MAX = 160;
    /** Incidents read per poll at most, whatever the caller asks: their sys_ids make the journal query's URL (3.3 KB). */
    static final int MAX_INCIDENTS_PER_POLL = 100;
    static final int JOURNAL_PAGE = 500;
    /** Journal entries searched for a transition's comment when the incident is already in the target state. */
    static final int RECENT_FOR_RETRY = 20;
    /** A client-credentials token is renewed this long before it expires (or at half its life, if shorter). */
    static final long TOKEN_MARGIN_SECONDS = 60;
    /** People's journal entries read per poll at most: far above what people write between two polls. */
    static final int MAX_JOURNAL_PER_POLL = 10_000;
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final Pattern SYS_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern SYS_ID_IN_URL = Pattern.compile("sys_id=([0-9a-f]{32})");
    private static final Pattern CODE_TAG = Pattern.compile("\\[(/?)(code)]", Pattern.CASE_INSENSITIVE);
    private static final Pattern BROKEN_CODE_TAG = Pattern.compile("\\[(/?)\u200B(code)]", Pattern.CASE_INSENSITIVE);
    private static final String INCIDENTS = "/api/now/table/incident";
    private static final String JOURNAL = "/api/now/table/sys_journal_field";
    private static final String POLL_FIELDS = "sys_id,number,correlation_id,sys_updated_on,close_notes,"
            + "resolved_at,resolved_by.user_name,resolved_by.name,closed_at,closed_by.user_name,closed_by.name,"
            + "reopened_time,reopened_by.user_name,reopened_by.name";
    private static final Logger LOG = LoggerFactory.getLogger(ServiceNowSystem.class);

    /**
     * The settings, parsed: see {@link ServiceNowProvider}. {@code authorization} is the header for basic auth or a static
     * token; with an OAuth client ({@code clientId} not empty) it is null and tokens are fetched with the client's secret.
     */
    public record Settings(String instance, String user, String authorization, String clientId, String clientSecret,
                           String assignmentGroup, String caller,
                           String category, Map<Severity, int[]> impactUrgency, String closeCode, String commentField,
                           Duration pollDelay) {

        @Override
        public String toString() {
            return "Settings[" + instance + ", user " + user + "]";
        }
    }

    /** States of the base system's incident. */
    enum State {
        IN_PROGRESS("2"), RESOLVED("6"), CLOSED("7");

        final String value;

        State(String value) {
            this.value = value;
        }
    }

    private final Settings settings;
    private final TicketHttp http;
    private final Clock clock;
    /** The OAuth client's token and when to renew it; guarded by this. */
    private String accessToken;
    private Instant tokenRenewal;

    public ServiceNowSystem(Settings settings, TicketHttp http, Clock clock) {
        this.settings = settings;
        this.http = http;
        this.clock = clock;
    }

    @Override
    public String system() {
        return SYSTEM;
    }

    @Override
    public Optional<TicketRef> find(Subject subject) throws TicketException {
        JsonNode found = get("find", INCIDENTS, Map.of(
                "sysparm_query", "correlation_id=" + subject.marker() + "^ORDERBYsys_created_on",
                "sysparm_fields", "sys_id,number",
                "sysparm_limit", "1"));
        return found.isEmpty() ? Optional.empty() : Optional.of(ref(found.get(0), subject.actionItemId()));
    }

    @Override
    public TicketRef create(NewTicket ticket) throws TicketException {
        Map<String, Object> fields = new LinkedHashMap<>(ticket.fields() == null ? Map.of() : ticket.fields());
        fields.put("short_description", abbreviate(ticket.summary().replaceAll("\\s+", " ").strip(), SHORT_DESCRIPTION_MAX));
        fields.put("description", ticket.description());
        fields.put("correlation_id", ticket.subject().marker());
        fields.put("correlation_display", CORRELATION_DISPLAY);
        int[] impactUrgency = settings.impactUrgency().get(ticket.severity());
        fields.put("impact", String.valueOf(impactUrgency[0]));
        fields.put("urgency", String.valueOf(impactUrgency[1]));
        putIfSet(fields, "assignment_group", settings.assignmentGroup());
        putIfSet(fields, "caller_id", settings.caller());
        putIfSet(fields, "category", settings.category());
        if (ticket.parent() != null) {
            fields.put("parent_incident", sysId(ticket.parent()));
        }
        JsonNode created = result(send("create", "POST", INCIDENTS, Map.of("sysparm_fields", "sys_id,number"), fields), "create");
        return ref(created, ticket.subject().actionItemId());
    }

    @Override
    public void comment(TicketRef ticket, String text) throws TicketException {
        patch("comment", sysId(ticket), Map.of(settings.commentField(), journal(text)));
    }

    /** The latest entries of the connector's journal, oldest first. Reading {@code sys_journal_field} needs a read ACL on it. */
    @Override
    public List<String> recentComments(TicketRef ticket, int limit) throws TicketException {
        JsonNode entries = get("recentComments", JOURNAL, Map.of(
                "sysparm_query", "element_id=" + sysId(ticket) + "^element=" + settings.commentField() + "^ORDERBYDESCsys_created_on",
                "sysparm_fields", "value",
                "sysparm_limit", String.valueOf(limit)));
        List<String> texts = new ArrayList<>();
        entries.forEach(entry -> texts.add(0, BROKEN_CODE_TAG.matcher(entry.path("value").asText()).replaceAll("[$1$2]")));
        return texts;
    }

    /**
     * One PATCH, so the state and its comment change together. Resolving or closing sets the close code and notes ServiceNow
     * requires, unless a person set them already; an incident already closed is not resolved again. On an incident already
     * there, the comment is posted unless it is among the latest entries: a retry after a lost answer posts nothing twice
     * (and does not write to a closed incident, which ServiceNow refuses to non-admins).
     */
    @Override
    public void transition(TicketRef ticket, Transition transition, String comment) throws TicketException {
        String sysId = sysId(ticket);
        Map<String, Object> fields = new LinkedHashMap<>();
        if (transition == Transition.REOPEN) {
            fields.put("state", State.IN_PROGRESS.value);
        } else {
            JsonNode current = result(send("transition", "GET", INCIDENTS + "/" + sysId,
                    Map.of("sysparm_fields", "state,close_code,close_notes"), null), "transition");
            String state = current.path("state").asText();
            State target = transition == Transition.RESOLVE ? State.RESOLVED : State.CLOSED;
            boolean there = state.equals(target.value) || state.equals(State.CLOSED.value);
            if (there && comment != null && recentComments(ticket, RECENT_FOR_RETRY).contains(comment)) {
                return;
            }
            if (!there) {
                fields.put("state", target.value);
                if (current.path("close_code").asText().isEmpty()) {
                    fields.put("close_code", settings.closeCode());
                }
                if (current.path("close_notes").asText().isEmpty()) {
                    fields.put("close_notes", comment == null || comment.isBlank()
                            ? (transition == Transition.RESOLVE ? "Resolved" : "Closed") + " in the incident engine." : comment);
                }
            }
        }
        if (comment != null && !comment.isBlank()) {
            fields.put(settings.commentField(), journal(comment));
        }
        if (!fields.isEmpty()) {
            patch("transition", sysId, fields);
        }
    }

    @Override
    public void changeSeverity(TicketRef ticket, Severity severity) throws TicketException {
        int[] impactUrgency = settings.impactUrgency().get(severity);
        patch("changeSeverity", sysId(ticket),
                Map.of("impact", String.valueOf(impactUrgency[0]), "urgency", String.valueOf(impactUrgency[1])));
    }

    /**
     * See the class comment. The cursor is {@code <sys_updated_on>|<sys_id>} of the last incident read; null starts after
     * the incident changed last. At most {@code max} changes unless one incident alone has more (never split, so its cursor
     * stays exact); at most {@value #MAX_INCIDENTS_PER_POLL} incidents.
     */
    @Override
    public ChangePage changesSince(String cursor, int max) throws TicketException {
        String cutoff = TIME.format(LocalDateTime.ofInstant(clock.instant().minus(settings.pollDelay()), ZoneOffset.UTC));
        String settled = "correlation_display=" + CORRELATION_DISPLAY + "^sys_updated_on<=" + cutoff;
        if (cursor == null) {
            JsonNode last = get("changesSince", INCIDENTS, Map.of(
                    "sysparm_query", settled + "^ORDERBYDESCsys_updated_on^ORDERBYDESCsys_id",
                    "sysparm_fields", "sys_id,sys_updated_on",
                    "sysparm_limit", "1"));
            Position start = last.isEmpty() ? Position.START : new Position(last.get(0).path("sys_updated_on").asText(),
                    last.get(0).path("sys_id").asText());
            return new ChangePage(List.of(), start.toString());
        }
        Position from = Position.parse(cursor);
        String query = from.equals(Position.START) ? settled
                : settled + "^sys_updated_on>" + from.updatedOn + "^NQ" + settled + "^sys_updated_on=" + from.updatedOn
                + "^sys_id>" + from.sysId;
        JsonNode incidents = get("changesSince", INCIDENTS, Map.of(
                "sysparm_query", query + "^ORDERBYsys_updated_on^ORDERBYsys_id",
                "sysparm_fields", POLL_FIELDS,
                "sysparm_limit", String.valueOf(Math.max(1, Math.min(max, MAX_INCIDENTS_PER_POLL)))));
        if (incidents.isEmpty()) {
            return new ChangePage(List.of(), cursor);
        }
        Map<String, List<JsonNode>> journals = journals(incidents, from);
        List<TicketChange> changes = new ArrayList<>();
        Position next = from;
        for (JsonNode incident : incidents) {
            List<TicketChange> ofIncident = changes(incident, from, journals.getOrDefault(incident.path("sys_id").asText(), List.of()));
            if (!changes.isEmpty() && changes.size() + ofIncident.size() > max) {
                break;
            }
            changes.addAll(ofIncident);
            next = new Position(incident.path("sys_updated_on").asText(), incident.path("sys_id").asText());
        }
        return new ChangePage(changes, next.toString());
    }

    @Override
    public void close() {
        // The HTTP client holds nothing that needs closing.
    }

    /** Where the poll stands: the last incident read, by update time then sys_id. START: before everything. */
    record Position(String updatedOn, String sysId) {

        static final Position START = new Position("", "");

        static Position parse(String cursor) throws TicketException {
            int bar = cursor.indexOf('|');
            if (bar < 0) {
                throw TicketException.invalid(SYSTEM, "changesSince", "not a cursor: " + cursor);
            }
            return new Position(cursor.substring(0, bar), cursor.substring(bar + 1));
        }

        /** Whether a change at this time on this incident comes after the position. */
        boolean before(String at, String incidentSysId) {
            int byTime = at.compareTo(updatedOn);
            return byTime > 0 || (byTime == 0 && incidentSysId.compareTo(sysId) > 0);
        }

        @Override
        public String toString() {
            return updatedOn + "|" + sysId;
        }
    }

    /** People's journal entries on these incidents since the position, by incident, oldest first; bounded. */
    private Map<String, List<JsonNode>> journals(JsonNode incidents, Position from) throws TicketException {
        List<String> ids = new ArrayList<>();
        incidents.forEach(incident -> ids.add(incident.path("sys_id").asText()));
        String query = "element_idIN" + String.join(",", ids) + "^elementINcomments,work_notes^sys_created_by!=" + settings.user()
                + (from.updatedOn.isEmpty() ? "" : "^sys_created_on>=" + from.updatedOn) + "^ORDERBYsys_created_on^ORDERBYsys_id";
        Map<String, List<JsonNode>> byIncident = new HashMap<>();
        for (int offset = 0; ; offset += JOURNAL_PAGE) {
            if (offset >= MAX_JOURNAL_PER_POLL) {
                LOG.error("ServiceNow: more than {} journal entries by people on {} incidents in one poll; later ones are skipped",
                        MAX_JOURNAL_PER_POLL, ids.size());
                break;
            }
            JsonNode page = get("changesSince", JOURNAL, Map.of(
                    "sysparm_query", query,
                    "sysparm_fields", "sys_id,element_id,value,sys_created_on,sys_created_by",
                    "sysparm_limit", String.valueOf(JOURNAL_PAGE),
                    "sysparm_offset", String.valueOf(offset)));
            page.forEach(entry -> byIncident.computeIfAbsent(entry.path("element_id").asText(), id -> new ArrayList<>()).add(entry));
            if (page.size() < JOURNAL_PAGE) {
                return byIncident;
            }
        }
        return byIncident;
    }

    /** One incident's changes by others after the position and no later than the update read, in time order. */
    private List<TicketChange> changes(JsonNode incident, Position from, List<JsonNode> journal) throws TicketException {
        String sysId = incident.path("sys_id").asText();
        String updatedOn = incident.path("sys_updated_on").asText();
        Subject subject = subject(incident.path("correlation_id").asText());
        if (subject == null) {
            LOG.warn("ServiceNow incident {} has correlation_display {} but no marker in correlation_id; skipped",
                    incident.path("number").asText(), CORRELATION_DISPLAY);
            return List.of();
        }
        TicketRef ticket = ref(incident, subject.actionItemId());
        List<TicketChange> changes = new ArrayList<>();
        stateChange(incident, TicketChange.Kind.RESOLVED, "resolved_at", "resolved_by", from, subject, ticket, changes);
        stateChange(incident, TicketChange.Kind.CLOSED, "closed_at", "closed_by", from, subject, ticket, changes);
        stateChange(incident, TicketChange.Kind.REOPENED, "reopened_time", "reopened_by", from, subject, ticket, changes);
        for (JsonNode entry : journal) {
            String at = entry.path("sys_created_on").asText();
            if (from.before(at, sysId) && at.compareTo(updatedOn) <= 0) {
                String login = entry.path("sys_created_by").asText();
                changes.add(new TicketChange(SYSTEM + ":journal:" + entry.path("sys_id").asText(), subject, ticket,
                        TicketChange.Kind.COMMENTED, login, login, instant(at), entry.path("value").asText()));
            }
        }
        changes.sort(Comparator.comparing(TicketChange::at).thenComparing(change -> order(change.kind())));
        return changes;
    }

    /** The incident's last resolution, closure or reopening, if someone else made it after the position. */
    private void stateChange(JsonNode incident, TicketChange.Kind kind, String atField, String byField, Position from,
                             Subject subject, TicketRef ticket, List<TicketChange> changes) {
        String sysId = incident.path("sys_id").asText();
        String at = incident.path(atField).asText();
        String login = incident.path(byField + ".user_name").asText();
        if (at.isEmpty() || login.equals(settings.user()) || !from.before(at, sysId)
                || at.compareTo(incident.path("sys_updated_on").asText()) > 0) {
            return;
        }
        String name = incident.path(byField + ".name").asText();
        String text = kind == TicketChange.Kind.REOPENED ? null : incident.path("close_notes").asText();
        changes.add(new TicketChange(SYSTEM + ":" + sysId + ":" + kind.name().toLowerCase(Locale.ROOT) + ":" + at, subject, ticket,
                kind, login, name.isEmpty() ? login : name, instant(at), text));
    }

    /** A comment before the state change of the same second: "fixed by …" then Resolved. */
    private static int order(TicketChange.Kind kind) {
        return switch (kind) {
            case COMMENTED -> 0;
            case REOPENED -> 1;
            case RESOLVED -> 2;
            case CLOSED -> 3;
        };
    }

    /** {@code INC-…} or {@code INC-…/AI-n}, as {@link Subject#marker()} wrote it; null for anything else. */
    static Subject subject(String marker) {
        if (marker.isBlank()) {
            return null;
        }
        int slash = marker.indexOf('/');
        return slash < 0 ? Subject.incident(marker) : new Subject(marker.substring(0, slash), marker.substring(slash + 1));
    }

    private static Instant instant(String time) {
        try {
            return LocalDateTime.parse(time, TIME).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    /** Plain text for a journal field: the {@code [code]} tags ServiceNow would render as HTML are broken. */
    static String journal(String text) {
        return CODE_TAG.matcher(text).replaceAll("[$1\u200B$2]");
    }

    private TicketRef ref(JsonNode record, String actionItemId) throws TicketException {
        String sysId = record.path("sys_id").asText();
        String number = record.path("number").asText();
        if (!SYS_ID.matcher(sysId).matches() || number.isEmpty()) {
            throw TicketException.invalid(SYSTEM, "read", "an incident without sys_id or number: " + record);
        }
        return new TicketRef(SYSTEM, number, settings.instance() + "/nav_to.do?uri=incident.do?sys_id=" + sysId, actionItemId);
    }

    /** The record's sys_id, from the ref's URL, else looked up by number. */
    private String sysId(TicketRef ticket) throws TicketException {
        Matcher inUrl = SYS_ID_IN_URL.matcher(ticket.getUrl());
        if (inUrl.find()) {
            return inUrl.group(1);
        }
        JsonNode found = get("lookup", INCIDENTS, Map.of(
                "sysparm_query", "number=" + ticket.getKey(), "sysparm_fields", "sys_id", "sysparm_limit", "1"));
        String sysId = found.isEmpty() ? "" : found.get(0).path("sys_id").asText();
        if (!SYS_ID.matcher(sysId).matches()) {
            throw TicketException.invalid(SYSTEM, "lookup", "no incident numbered " + ticket.getKey());
        }
        return sysId;
    }

    private void patch(String operation, String sysId, Map<String, Object> fields) throws TicketException {
        send(operation, "PATCH", INCIDENTS + "/" + sysId, Map.of("sysparm_fields", "sys_id"), fields);
    }

    private JsonNode get(String operation, String path, Map<String, String> query) throws TicketException {
        JsonNode result = result(send(operation, "GET", path, query, null), operation);
        if (!result.isArray()) {
            throw TicketException.invalid(SYSTEM, operation, "result is not a list");
        }
        return result;
    }

    private static JsonNode result(TicketHttp.Response response, String operation) throws TicketException {
        JsonNode result;
        try {
            result = response.json().path("result");
        } catch (IllegalStateException e) {
            throw TicketException.invalid(SYSTEM, operation, e.getMessage());
        }
        if (result.isMissingNode()) {
            throw TicketException.invalid(SYSTEM, operation, "no result in the answer");
        }
        return result;
    }

    /**
     * Sends with the configured credentials. With an OAuth client, a token is fetched when there is none or it is about to
     * expire, and once again when ServiceNow answers 401 (revoked, or expired early).
     */
    private TicketHttp.Response send(String operation, String method, String path, Map<String, String> query, Object body)
            throws TicketException {
        StringBuilder uri = new StringBuilder(settings.instance()).append(path);
        char separator = '?';
        for (Map.Entry<String, String> parameter : new TreeMap<>(query).entrySet()) {
            uri.append(separator).append(parameter.getKey()).append('=').append(encode(parameter.getValue()));
            separator = '&';
        }
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody() : TicketHttp.json(body);
        try {
            return http.send(operation, request(uri.toString(), method, publisher, authorization(false)));
        } catch (TicketException e) {
            if (e.status() != 401 || settings.clientId().isEmpty()) {
                throw e;
            }
            return http.send(operation, request(uri.toString(), method, publisher, authorization(true)));
        }
    }

    private HttpRequest request(String uri, String method, HttpRequest.BodyPublisher body, String authorization) {
        HttpRequest.Builder request = http.request(URI.create(uri)).header("Authorization", authorization).method(method, body);
        return (body.contentLength() != 0 ? request.header("Content-Type", "application/json") : request).build();
    }

    /** The Authorization header: basic or a static token as configured, else a client-credentials token, fetched when due. */
    private String authorization(boolean renew) throws TicketException {
        if (settings.clientId().isEmpty()) {
            return settings.authorization();
        }
        synchronized (this) {
            if (renew || accessToken == null || !clock.instant().isBefore(tokenRenewal)) {
                String form = "grant_type=client_credentials&client_id=" + encode(settings.clientId()) + "&client_secret="
                        + encode(settings.clientSecret());
                JsonNode token;
                try {
                    token = http.send("token", http.request(URI.create(settings.instance() + "/oauth_token.do"))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(form)).build()).json();
                } catch (IllegalStateException e) {
                    throw TicketException.invalid(SYSTEM, "token", e.getMessage());
                }
                long lifetime = token.path("expires_in").asLong(0);
                if (token.path("access_token").asText().isEmpty() || lifetime <= 0) {
                    throw TicketException.invalid(SYSTEM, "token", "no access_token with expires_in in the answer");
                }
                accessToken = token.path("access_token").asText();
                tokenRenewal = clock.instant().plusSeconds(lifetime - Math.min(TOKEN_MARGIN_SECONDS, lifetime / 2));
            }
            return "Bearer " + accessToken;
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void putIfSet(Map<String, Object> fields, String field, String value) {
        if (!value.isEmpty()) {
            fields.put(field, value);
        }
    }

    private static String abbreviate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }
}
