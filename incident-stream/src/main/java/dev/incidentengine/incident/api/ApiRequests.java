package dev.incidentengine.incident.api;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.function.Predicate;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.incident.feed.FeedFilter;
import dev.incidentengine.incident.query.IndexScan;
import dev.incidentengine.incident.query.QueryKeys;
import dev.incidentengine.model.AcknowledgeIncident;
import dev.incidentengine.model.ActionItemPriority;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AddActionItem;
import dev.incidentengine.model.AddNote;
import dev.incidentengine.model.AssignIncident;
import dev.incidentengine.model.ChangeSeverity;
import dev.incidentengine.model.CloseIncident;
import dev.incidentengine.model.CompleteActionItem;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.MergeIncident;
import dev.incidentengine.model.PostStatusUpdate;
import dev.incidentengine.model.PublishReview;
import dev.incidentengine.model.ReopenIncident;
import dev.incidentengine.model.RequireReview;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SnoozeIncident;
import dev.incidentengine.schemas.Severities;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.ApiUser;

/**
 * Reads API requests, strictly: a command's JSON body (unknown fields, wrong types, missing
 * required fields are refused naming the field) and the list's query parameters and cursor.
 * Pure, so the whole matrix of bad input is tested without a server.
 */
public final class ApiRequests {

    public static final int MAX_BODY_BYTES = 64 * 1024;
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    public static final int MAX_EVENTS = 1_000;
    private static final int MAX_COMMAND_ID_LENGTH = 200;
    private static final long MAX_SNOOZE_MINUTES = Duration.ofDays(365).toMinutes();
    private static final Set<String> PAGE_PARAMETERS = Set.of("cursor", "limit");
    /** A service id of up to 1,000 bytes, base64-encoded. */
    private static final int MAX_SERVICE_CURSOR = 1_336;
    private static final Set<String> STREAM_PARAMETERS = Set.of("incident", "status", "service", "lastEventId");
    private static final Set<String> LIST_PARAMETERS = Set.of("status", "service", "severity", "assignee", "since", "search", "limit",
            "cursor");
    private static final int MAX_SEARCH_LENGTH = 200;
    private static final int MAX_SEARCH_WORDS = 8;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** The body of one command type: its fields and how they become the Avro payload. */
    private record Action(Set<String> fields, Function<Body, Object> payload) {
        Action(List<String> fields, Function<Body, Object> payload) {
            this(Set.copyOf(fields), payload);
        }
    }

    /** A list request: which incidents, after which position, how many. */
    /** A page of an incident's alerts: from a position, at most {@code limit}. */
    public record Page(int from, int limit) {
    }

    /** {@code after}: a position in the list's order ({@link QueryKeys#position}), null from the start. */
    public record ListQuery(IndexScan.Filter filter, String after, int limit) {
    }

    private static final Set<String> COMMON_FIELDS = Set.of("expectedVersion", "commandId");
    private static final int MAX_TITLE_LENGTH = 300;
    private static final Map<String, Action> ACTIONS = Map.ofEntries(
            Map.entry("acknowledge", new Action(List.of("message"), body -> new AcknowledgeIncident(body.optionalText("message")))),
            Map.entry("resolve", new Action(List.of("resolution"), body -> new ResolveIncident(body.optionalText("resolution")))),
            Map.entry("reopen", new Action(List.of("reason"), body -> new ReopenIncident(body.optionalText("reason")))),
            Map.entry("assign", new Action(List.of("userId", "escalationPolicyId"), ApiRequests::assign)),
            Map.entry("severity", new Action(List.of("severity", "reason"), body -> new ChangeSeverity(
                    severity(body.requiredText("severity"), "severity"), body.optionalText("reason")))),
            Map.entry("notes", new Action(List.of("text"), body -> new AddNote(body.requiredText("text")))),
            Map.entry("status-updates", new Action(List.of("message"), body -> new PostStatusUpdate(body.requiredText("message")))),
            Map.entry("snooze", new Action(List.of("until", "minutes"), ApiRequests::snooze)),
            Map.entry("merge", new Action(List.of("into"), body -> new MergeIncident(body.requiredText("into")))),
            Map.entry("close", new Action(List.of("reason"), body -> new CloseIncident(body.optionalText("reason")))),
            Map.entry("require-review", new Action(List.of("due", "reason"), body -> new RequireReview(
                    body.has("due") ? futureTimestamp(body, "due") : null, body.optionalText("reason")))),
            Map.entry("action-items", new Action(List.of("title", "owner", "due", "priority", "link"), ApiRequests::actionItem)),
            Map.entry("complete-action-item", new Action(List.of("actionItemId"),
                    body -> new CompleteActionItem(body.requiredText("actionItemId")))),
            Map.entry("publish-review", new Action(List.of("url"), body -> new PublishReview(url(body.requiredText("url"), "url")))),
            Map.entry("publication", new Action(PublicationRequests.PUBLISH_FIELDS, PublicationRequests::publish)),
            Map.entry("public-updates", new Action(PublicationRequests.UPDATE_FIELDS, PublicationRequests::update)),
            Map.entry("runbooks", new Action(RunbookRequests.ATTACH_FIELDS, RunbookRequests::attach)),
            Map.entry(IncidentTypeRequests.ACTION, new Action(IncidentTypeRequests.FIELDS, IncidentTypeRequests::setType)));
    /** Commands that set a value, asked for with PUT (the rest with POST). */
    private static final Set<String> PUT_ACTIONS = Set.of(IncidentTypeRequests.ACTION);

    private ApiRequests() {
    }

    /** A command asked for with POST. */
    public static boolean isAction(String action) {
        return ACTIONS.containsKey(action) && !PUT_ACTIONS.contains(action);
    }

    /** A command asked for with PUT: it sets a value. */
    public static boolean isPutAction(String action) {
        return PUT_ACTIONS.contains(action);
    }

    /**
     * The command a POST asks for.
     *
     * @param body the body as read, at most {@link #MAX_BODY_BYTES} + 1 bytes (more is a 413)
     * @param idempotencyKey the {@code Idempotency-Key} header, or null
     */
    public static IncidentCommand command(String action, String incidentId, byte[] body, String idempotencyKey, ApiUser user,
                                          Instant now) {
        Action type = ACTIONS.get(action);
        if (type == null) {
            throw new ApiError(404, null, "unknown command '" + action + "' (known: " + new TreeSet<>(ACTIONS.keySet()) + ")");
        }
        return command(incidentId, type.fields(), type.payload(), body, idempotencyKey, user, now);
    }

    /** A command whose body has {@code allowed} fields (and the common ones), made into its payload by {@code payload}. */
    static IncidentCommand command(String incidentId, Set<String> allowed, Function<Body, Object> payload, byte[] body,
                                   String idempotencyKey, ApiUser user, Instant now) {
        if (body.length > MAX_BODY_BYTES) {
            throw new ApiError(413, null, "body is over the limit of " + MAX_BODY_BYTES + " bytes");
        }
        Body fields = new Body(parse(body), now);
        fields.node.fieldNames().forEachRemaining(name -> {
            if (!allowed.contains(name) && !COMMON_FIELDS.contains(name)) {
                Set<String> known = new TreeSet<>(allowed);
                known.addAll(COMMON_FIELDS);
                throw new ApiError(400, name, "unknown field (known: " + known + ")");
            }
        });
        Object made = payload.apply(fields);
        return IncidentCommand.newBuilder()
                .setCommandId(commandId(fields.optionalText("commandId"), idempotencyKey))
                .setIncidentId(incidentId)
                .setActor(new Actor(ActorType.USER, user.user(), null))
                .setTimestamp(now)
                .setExpectedVersion(fields.expectedVersion())
                .setPayload(made)
                .build();
    }

    static JsonNode parse(byte[] body) {
        if (new String(body, StandardCharsets.UTF_8).isBlank()) {
            return JSON.createObjectNode();
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new ApiError(400, "body", "not valid JSON (" + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw new ApiError(400, "body", "cannot be read (" + e.getMessage() + ")");
        }
        if (!node.isObject()) {
            throw new ApiError(400, "body", "must be a JSON object");
        }
        return node;
    }

    private static String commandId(String fromBody, String fromHeader) {
        String header = fromHeader == null || fromHeader.isBlank() ? null : fromHeader.strip();
        if (fromBody != null && header != null && !fromBody.equals(header)) {
            throw new ApiError(400, "commandId", "differs from the Idempotency-Key header");
        }
        String id = fromBody != null ? fromBody : header != null ? header : UUID.randomUUID().toString();
        if (id.length() > MAX_COMMAND_ID_LENGTH) {
            throw new ApiError(400, fromBody != null ? "commandId" : "Idempotency-Key", "longer than " + MAX_COMMAND_ID_LENGTH + " characters");
        }
        return id;
    }

    private static AssignIncident assign(Body body) {
        String userId = body.optionalText("userId");
        String policyId = body.optionalText("escalationPolicyId");
        if (userId == null && policyId == null) {
            throw new ApiError(400, "userId", "give userId or escalationPolicyId (or both)");
        }
        return new AssignIncident(userId, policyId);
    }

    private static SnoozeIncident snooze(Body body) {
        boolean hasUntil = body.has("until");
        boolean hasMinutes = body.has("minutes");
        if (hasUntil == hasMinutes) {
            throw new ApiError(400, "until", "give exactly one of until (an RFC 3339 timestamp) or minutes");
        }
        Instant until;
        if (hasUntil) {
            until = timestamp(body.requiredText("until"), "until");
        } else {
            JsonNode minutes = body.node.get("minutes");
            if (!minutes.isIntegralNumber() || !minutes.canConvertToLong() || minutes.longValue() < 1
                    || minutes.longValue() > MAX_SNOOZE_MINUTES) {
                throw new ApiError(400, "minutes", "must be a whole number of minutes from 1 to " + MAX_SNOOZE_MINUTES);
            }
            until = body.now.plus(Duration.ofMinutes(minutes.longValue()));
        }
        if (!until.isAfter(body.now)) {
            throw new ApiError(400, "until", "must be in the future");
        }
        return new SnoozeIncident(until);
    }

    private static AddActionItem actionItem(Body body) {
        String title = body.requiredText("title");
        if (title.length() > MAX_TITLE_LENGTH) {
            throw new ApiError(400, "title", "longer than " + MAX_TITLE_LENGTH + " characters");
        }
        String priority = body.optionalText("priority");
        ActionItemPriority level = ActionItemPriority.MEDIUM;
        if (priority != null) {
            try {
                level = ActionItemPriority.valueOf(priority.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, "priority", "must be one of " + Arrays.toString(ActionItemPriority.values()) + ", not '" + priority + "'");
            }
        }
        String link = body.optionalText("link");
        return new AddActionItem(title, body.requiredText("owner"), futureTimestamp(body, "due"), level, link == null ? null : url(link, "link"));
    }

    private static Instant futureTimestamp(Body body, String field) {
        Instant at = timestamp(body.requiredText(field), field);
        if (!at.isAfter(body.now)) {
            throw new ApiError(400, field, "must be in the future");
        }
        return at;
    }

    /** An absolute http(s) URL: what a review document or a ticket is linked by. */
    static String url(String text, String field) {
        try {
            URI uri = new URI(text.strip());
            if (uri.isAbsolute() && ("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null) {
                return uri.toString();
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new ApiError(400, field, "must be an http(s) URL, not '" + text + "'");
    }

    static Severity severity(String text, String field) {
        return Severities.parse(text).orElseThrow(() -> new ApiError(400, field,
                "must be a severity: SEV0..SEV4, P0..P4 or critical, error, warning, info; not '" + text + "'"));
    }

    static Instant timestamp(String text, String field) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e) {
            throw new ApiError(400, field, "must be an RFC 3339 timestamp such as 2026-11-22T09:00:00Z, not '" + text + "'");
        }
    }

    /** The fields of a request's body, read one at a time with the field named in every error. */
    static final class Body {
        private final JsonNode node;
        private final Instant now;

        Body(JsonNode node, Instant now) {
            this.node = node;
            this.now = now;
        }

        boolean has(String field) {
            return node.hasNonNull(field);
        }

        /** The raw value of a field; null when absent. */
        JsonNode get(String field) {
            return node.get(field);
        }

        /** Refuses any field not in {@code known}, naming it. */
        void only(Set<String> known) {
            node.fieldNames().forEachRemaining(name -> {
                if (!known.contains(name)) {
                    throw new ApiError(400, name, "unknown field (known: " + new TreeSet<>(known) + ")");
                }
            });
        }

        String optionalText(String field) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                return null;
            }
            if (!value.isTextual()) {
                throw new ApiError(400, field, "must be a string");
            }
            if (value.textValue().isBlank()) {
                throw new ApiError(400, field, "must not be empty");
            }
            return value.textValue();
        }

        String requiredText(String field) {
            String value = optionalText(field);
            if (value == null) {
                throw new ApiError(400, field, "is required");
            }
            return value;
        }

        Long expectedVersion() {
            JsonNode value = node.get("expectedVersion");
            if (value == null || value.isNull()) {
                return null;
            }
            if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
                throw new ApiError(400, "expectedVersion", "must be a whole number, 0 or more");
            }
            return value.longValue();
        }
    }

    /**
     * The list's query: {@code status}, {@code service}, {@code severity}, {@code assignee} (comma-separated;
     * {@code me} is the caller), {@code since}, {@code search}, {@code limit}, {@code cursor}.
     */
    public static ListQuery listQuery(Map<String, List<String>> parameters, String caller) {
        for (String name : parameters.keySet()) {
            if (!LIST_PARAMETERS.contains(name)) {
                throw new ApiError(400, name, "unknown parameter (known: " + new TreeSet<>(LIST_PARAMETERS) + ")");
            }
        }
        EnumSet<IncidentStatus> statuses = statuses(parameters);
        EnumSet<Severity> severities = EnumSet.noneOf(Severity.class);
        values(parameters, "severity").forEach(severity -> severities.add(severity(severity, "severity")));
        Set<String> assignees = new HashSet<>();
        values(parameters, "assignee").forEach(assignee -> assignees.add(assignee.equals("me") ? caller : assignee));
        String since = single(parameters, "since");
        IndexScan.Filter filter = new IndexScan.Filter(statuses, Set.copyOf(values(parameters, "service")), severities, assignees,
                since == null ? null : timestamp(since, "since"), searchWords(single(parameters, "search")));
        String cursor = single(parameters, "cursor");
        return new ListQuery(filter, cursor == null ? null : decodeCursor(cursor), limit(parameters, DEFAULT_LIMIT, MAX_LIMIT));
    }

    /** The words of a search: each must be found in the incident's title, service or labels, or its alerts' labels. */
    private static List<String> searchWords(String search) {
        if (search == null) {
            return List.of();
        }
        if (search.length() > MAX_SEARCH_LENGTH) {
            throw new ApiError(400, "search", "must be at most " + MAX_SEARCH_LENGTH + " characters");
        }
        List<String> words = QueryKeys.words(search);
        if (words.isEmpty()) {
            throw new ApiError(400, "search", "has no word to search for (letters or digits)");
        }
        if (words.size() > MAX_SEARCH_WORDS) {
            throw new ApiError(400, "search", "must have at most " + MAX_SEARCH_WORDS + " words, not " + words.size());
        }
        return words;
    }

    private static EnumSet<IncidentStatus> statuses(Map<String, List<String>> parameters) {
        EnumSet<IncidentStatus> statuses = EnumSet.noneOf(IncidentStatus.class);
        for (String status : values(parameters, "status")) {
            try {
                statuses.add(IncidentStatus.valueOf(status.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, "status", "must be one of " + Arrays.toString(IncidentStatus.values()) + ", not '" + status + "'");
            }
        }
        return statuses;
    }

    /** The change feed's query: {@code status} and {@code service} (comma-separated), and {@code lastEventId}. */
    public record StreamQuery(FeedFilter filter, String lastEventId) {
    }

    /**
     * The change feed's filter, and where to resume: the {@code Last-Event-ID} header (an EventSource sends it when it
     * reconnects), else the {@code lastEventId} parameter (for a first connection that resumes); null: from now.
     */
    public static StreamQuery streamQuery(Map<String, List<String>> parameters, String lastEventIdHeader) {
        for (String name : parameters.keySet()) {
            if (!STREAM_PARAMETERS.contains(name)) {
                throw new ApiError(400, name, "unknown parameter (known: " + new TreeSet<>(STREAM_PARAMETERS) + ")");
            }
        }
        String lastEventId = lastEventIdHeader != null && !lastEventIdHeader.isBlank() ? lastEventIdHeader : single(parameters, "lastEventId");
        return new StreamQuery(new FeedFilter(Set.copyOf(values(parameters, "incident")), Set.copyOf(values(parameters, "service")),
                statuses(parameters)), lastEventId);
    }

    /**
     * A page of an incident's log: at most {@code limit} events after a cursor (null: from the start), oldest first, or with
     * {@code newest} before it, newest first (a big incident's latest events without paging through its alerts).
     */
    public record EventsPage(String after, int limit, boolean newest) {
    }

    private static final Pattern EVENTS_CURSOR = Pattern.compile("\\d{1,18}\\.\\d{1,18}");
    private static final Set<String> EVENTS_PARAMETERS = Set.of("limit", "cursor", "order");

    /**
     * Events past a cursor: {@code cursor} (the {@code nextCursor} of the page before), {@code limit} (default and at most 1,000),
     * {@code order} ({@code oldest}, the default, or {@code newest}).
     */
    public static EventsPage eventsPage(Map<String, List<String>> parameters) {
        only(parameters, EVENTS_PARAMETERS);
        String cursor = single(parameters, "cursor");
        if (cursor != null && !EVENTS_CURSOR.matcher(cursor).matches()) {
            throw new ApiError(400, "cursor", "is not a cursor this API gave out; start again without it");
        }
        String order = single(parameters, "order");
        if (order != null && !order.equals("oldest") && !order.equals("newest")) {
            throw new ApiError(400, "order", "must be oldest or newest");
        }
        return new EventsPage(cursor, limit(parameters, MAX_EVENTS, MAX_EVENTS), "newest".equals(order));
    }

    /** An incident's alerts: {@code limit} (default 50, at most 500) and {@code cursor} (the {@code nextCursor} of the page before). */
    public static Page page(Map<String, List<String>> parameters) {
        only(parameters, PAGE_PARAMETERS);
        String cursor = single(parameters, "cursor");
        int from = 0;
        if (cursor != null) {
            try {
                from = Integer.parseInt(cursor);
            } catch (NumberFormatException e) {
                from = -1;
            }
            if (from < 0) {
                throw new ApiError(400, "cursor", "is not a cursor this API gave out; start again without it");
            }
        }
        return new Page(from, limit(parameters, DEFAULT_LIMIT, MAX_LIMIT));
    }

    /** A page of services: those whose id comes after {@code after} (null: from the first), at most {@code limit}. */
    public record ServicesPage(String after, int limit) {
    }

    /** The services list's {@code cursor} (the {@code nextCursor} of the page before) and {@code limit} (default 50, at most 200). */
    public static ServicesPage servicesPage(Map<String, List<String>> parameters) {
        only(parameters, PAGE_PARAMETERS);
        String cursor = single(parameters, "cursor");
        String after = null;
        if (cursor != null) {
            try {
                after = cursor.length() <= MAX_SERVICE_CURSOR ? new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8) : null;
            } catch (IllegalArgumentException e) {
                // Refused below.
            }
            if (after == null || after.isEmpty()) {
                throw new ApiError(400, "cursor", "is not a cursor this API gave out; start again without it");
            }
        }
        return new ServicesPage(after, limit(parameters, ServiceCatalog.DEFAULT_LIMIT, ServiceCatalog.MAX_LIMIT));
    }

    /** The cursor of a services page that ended at this service. */
    static String serviceCursor(String serviceId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(serviceId.getBytes(StandardCharsets.UTF_8));
    }

    private static void only(Map<String, List<String>> parameters, Set<String> known) {
        for (String name : parameters.keySet()) {
            if (!known.contains(name)) {
                throw new ApiError(400, name, "unknown parameter (known: " + new TreeSet<>(known) + ")");
            }
        }
    }

    /** The {@code limit} parameter: {@code otherwise} when absent, else a whole number from 1 to {@code max}. */
    private static int limit(Map<String, List<String>> parameters, int otherwise, int max) {
        String limitText = single(parameters, "limit");
        int limit = otherwise;
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > max) {
                throw new ApiError(400, "limit", "must be a whole number from 1 to " + max + ", not '" + limitText + "'");
            }
        }
        return limit;
    }

    /** Comma-separated values, from one parameter or several of the same name. */
    static List<String> values(Map<String, List<String>> parameters, String name) {
        List<String> values = new ArrayList<>();
        for (String value : parameters.getOrDefault(name, List.of())) {
            for (String item : value.split(",", -1)) {
                if (item.isBlank()) {
                    throw new ApiError(400, name, "has an empty value");
                }
                values.add(item.strip());
            }
        }
        return values;
    }

    static String single(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.getOrDefault(name, List.of());
        if (values.size() > 1) {
            throw new ApiError(400, name, "given more than once");
        }
        return values.isEmpty() ? null : values.get(0);
    }

    /** An opaque cursor: where the last page ended in the newest-first order (a position of {@link QueryKeys#position}). */
    public static String cursor(String position) {
        String incidentId = QueryKeys.incidentIdOfPosition(position);
        long openedAt = Long.MAX_VALUE - Long.parseLong(position.substring(0, position.indexOf('\u0000')));
        return Base64.getUrlEncoder().withoutPadding().encodeToString((openedAt + ":" + incidentId).getBytes(StandardCharsets.UTF_8));
    }

    /** The position a cursor stands for. */
    static String decodeCursor(String cursor) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int colon = text.indexOf(':');
            if (colon > 0 && colon < text.length() - 1) {
                return QueryKeys.position(Instant.ofEpochMilli(Long.parseLong(text.substring(0, colon))), text.substring(colon + 1));
            }
        } catch (IllegalArgumentException e) {
            // Falls through to the error below.
        }
        throw new ApiError(400, "cursor", "is not a cursor this API gave out; start again without it");
    }

    /** For an endpoint that takes no parameters: any is refused, so a typo is not silently ignored. */
    public static void noParameters(Map<String, List<String>> parameters) {
        if (!parameters.isEmpty()) {
            throw new ApiError(400, parameters.keySet().iterator().next(), "unknown parameter (this endpoint takes none)");
        }
    }

    /** {@code ?wait=true|false}, the only parameter a command takes; false when absent. */
    public static boolean waitParameter(Map<String, List<String>> parameters) {
        return waitParameter(parameters, false);
    }

    /** {@code ?wait=true|false}, the only parameter a command takes; {@code byDefault} when absent. */
    public static boolean waitParameter(Map<String, List<String>> parameters, boolean byDefault) {
        for (String name : parameters.keySet()) {
            if (!name.equals("wait")) {
                throw new ApiError(400, name, "unknown parameter (known: [wait])");
            }
        }
        String wait = single(parameters, "wait");
        if (wait == null) {
            return byDefault;
        }
        if (wait.equalsIgnoreCase("false")) {
            return false;
        }
        if (wait.isEmpty() || wait.equalsIgnoreCase("true")) {
            return true;
        }
        throw new ApiError(400, "wait", "must be true or false, not '" + wait + "'");
    }
}
