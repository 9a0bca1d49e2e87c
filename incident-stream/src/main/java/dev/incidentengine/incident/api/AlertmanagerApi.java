package dev.incidentengine.incident.api;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.incidentengine.incident.query.IncidentQueries;
import dev.incidentengine.incident.routing.AlertMatcher;
import dev.incidentengine.incident.routing.LabelMatchers;
import dev.incidentengine.incident.routing.Silences;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SuppressedAlert;
import dev.incidentengine.model.SuppressionReason;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * Alertmanager API v2's reads and silences, as a view of the engine (field names and status codes
 * of Alertmanager 0.25's OpenAPI document), so that {@code amtool} and Grafana's Alertmanager data
 * source work against the engine. Alerts are the firing alerts of open incidents, then the alerts a
 * silence or an inhibition rule holds back (they open no incident until it ends), each one's receiver
 * its service. A group is an incident, or the held alerts of one correlation key. {@code suppressed}
 * means held back, or that an active silence now matches an incident's alert (it holds the alert back
 * when it fires again); {@code silencedBy} names the silence and {@code inhibitedBy} the inhibition
 * rule (Alertmanager names the source alerts: the engine decides by rule). Silences are the engine's, written to {@code config.silences.v1}
 * through the same checks as {@code /api/v1/silences}, authored by the token's user. Errors are JSON
 * strings, as Alertmanager's are. Posting alerts is alert-ingest's ({@code POST /api/v2/alerts}).
 */
final class AlertmanagerApi {

    static final String ALERTS = "/api/v2/alerts";
    static final String GROUPS = "/api/v2/alerts/groups";
    static final String SILENCES = "/api/v2/silences";
    static final String SILENCE = "/api/v2/silence";
    static final String STATUS = "/api/v2/status";
    static final String RECEIVERS = "/api/v2/receivers";
    /**
     * Per instance: at most 10,000 alerts of open incidents read, 1,000 of any one incident, and all
     * that match listed. Past a limit the answer is cut and says so in {@value #TRUNCATED}.
     */
    static final IncidentQueries.ScanLimits LIMITS = new IncidentQueries.ScanLimits(10_000, 1_000, 10_000);
    static final String TRUNCATED = "X-Incident-Engine-Truncated";
    /** Go's zero time: Alertmanager's "not set" for a required timestamp. */
    private static final String GO_ZERO_TIME = "0001-01-01T00:00:00Z";
    private static final Set<String> TRUE = Set.of("1", "t", "T", "true", "TRUE", "True");
    private static final Set<String> FALSE = Set.of("0", "f", "F", "false", "FALSE", "False");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The Alertmanager release whose API v2 this serves. */
    static final String API_VERSION = "0.25.0";
    /** Internal fields of a forwarded part's alerts: where each stands in the list order, and its incident or held group. */
    private static final String POSITION = "_position";
    private static final String ORDINAL = "_ordinal";
    private static final String INCIDENT = "_incident";
    private static final String GROUP = "_group";
    /** Held alerts come after every incident's (positions are digits), by fingerprint. */
    private static final String HELD_POSITION = "~";

    private final IncidentApi api;
    private final IncidentView view;
    private final ApiTokens tokens;
    private final Clock clock;
    private final Instant started;

    AlertmanagerApi(IncidentApi api, IncidentView view, ApiTokens tokens, Clock clock) {
        this.api = api;
        this.view = view;
        this.tokens = tokens;
        this.clock = clock;
        this.started = clock.instant();
    }

    void register(HttpServer http) {
        http.route("GET", ALERTS, (request, response, callback) -> handle("am-alerts", Role.VIEWER, request, response, callback,
                user -> alerts(request, response, callback, false)));
        http.route("GET", GROUPS, (request, response, callback) -> handle("am-alert-groups", Role.VIEWER, request, response, callback,
                user -> alerts(request, response, callback, true)));
        http.route("GET", SILENCES, (request, response, callback) -> handle("am-silences", Role.VIEWER, request, response, callback,
                user -> HttpServer.writeJson(response, callback, 200, silences(filters(request), view.silences(), clock.instant()))));
        http.route("POST", SILENCES, (request, response, callback) -> handle("am-silence-create", Role.RESPONDER, request, response,
                callback, user -> createSilence(user, request, response, callback)));
        http.route("GET", SILENCE + "/*", (request, response, callback) -> handle("am-silence", Role.VIEWER, request, response, callback,
                user -> HttpServer.writeJson(response, callback, 200, silence(knownSilence(request), clock.instant()))));
        http.route("DELETE", SILENCE + "/*", (request, response, callback) -> handle("am-silence-expire", Role.RESPONDER, request,
                response, callback, user -> expireSilence(request, response, callback)));
        http.route("GET", STATUS, (request, response, callback) -> handle("am-status", Role.VIEWER, request, response, callback,
                user -> HttpServer.writeJson(response, callback, 200, status())));
        http.route("GET", RECEIVERS, (request, response, callback) -> handle("am-receivers", Role.VIEWER, request, response, callback,
                user -> HttpServer.writeJson(response, callback, 200, receivers(view.catalog().services().values()))));
    }

    @FunctionalInterface
    private interface Handler {
        void handle(ApiUser user);
    }

    /** As {@link IncidentApi}'s: the token's role, the read side ready; refusals are Alertmanager's JSON strings. */
    private boolean handle(String endpoint, Role needed, Request request, Response response, Callback callback, Handler handler) {
        Callback counted = api.counted(endpoint, response, callback);
        try {
            ApiUser user = tokens.authorize(request, response, needed);
            if (api.queries() == null || !view.ready()) {
                throw new ApiError(503, null, "starting: the read side is not running yet; retry later");
            }
            handler.handle(user);
        } catch (ApiError error) {
            HttpServer.drain(request);
            HttpServer.writeJson(response, counted, error.status(), error.getMessage()); // names the field
        } catch (org.apache.kafka.streams.errors.InvalidStateStoreException moving) {
            HttpServer.drain(request);
            HttpServer.writeJson(response, counted, 503, "the read side cannot answer now (" + moving.getMessage() + "); retry in a moment");
        }
        return true;
    }

    /** What {@code GET /api/v2/alerts} and {@code /alerts/groups} ask for. */
    record AlertQuery(boolean active, boolean silenced, boolean inhibited, boolean unprocessed, AlertMatcher filter, Pattern receiver) {
    }

    static AlertQuery alertQuery(Map<String, List<String>> parameters) {
        List<LabelMatcher> matchers = matchers(parameters.getOrDefault("filter", List.of()), "filter");
        AlertMatcher filter;
        try {
            filter = AlertMatcher.of(matchers);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "filter", e.getMessage());
        }
        Pattern receiver = null;
        String receiverText = single(parameters, "receiver");
        if (receiverText != null) {
            try {
                receiver = Pattern.compile("^(?:" + receiverText + ")$");
            } catch (PatternSyntaxException e) {
                throw new ApiError(400, "receiver", "is not a valid regular expression: " + e.getMessage());
            }
        }
        return new AlertQuery(bool(parameters, "active"), bool(parameters, "silenced"), bool(parameters, "inhibited"),
                bool(parameters, "unprocessed"), filter, receiver);
    }

    /** Alertmanager's matchers ({@code name="value"}, {@code =~ != !~}, optionally in braces), as amtool sends them. */
    static List<LabelMatcher> matchers(List<String> texts, String field) {
        List<LabelMatcher> matchers = new ArrayList<>();
        for (String text : texts) {
            String matcher = text.strip();
            if (matcher.startsWith("{") && matcher.endsWith("}")) {
                matcher = matcher.substring(1, matcher.length() - 1);
            }
            try {
                matchers.add(LabelMatchers.parse(matcher));
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, field, "bad matcher '" + text + "': " + e.getMessage());
            }
        }
        return matchers;
    }

    private static boolean bool(Map<String, List<String>> parameters, String name) {
        String value = single(parameters, name);
        if (value == null || TRUE.contains(value)) {
            return true;
        }
        if (FALSE.contains(value)) {
            return false;
        }
        throw new ApiError(400, name, "must be true or false, not '" + value + "'");
    }

    private static String single(Map<String, List<String>> parameters, String name) {
        List<String> values = parameters.getOrDefault(name, List.of());
        if (values.size() > 1) {
            throw new ApiError(400, name, "must be given once");
        }
        return values.isEmpty() ? null : values.get(0);
    }

    /**
     * This instance's matching alerts and every other instance's (forwarded requests answer with
     * their own partitions' part), merged in the list's order; 503 unless they cover every partition.
     */
    private void alerts(Request request, Response response, Callback callback, boolean groups) {
        AlertQuery query = alertQuery(parameters(request));
        Instant now = clock.instant();
        Silences silences = Silences.of(view.silences());
        Predicate<Alert> matching = alert -> {
            if (!query.filter().matches(alert) || (query.receiver() != null && !query.receiver().matches(receiver(alert)))) {
                return false;
            }
            // The engine's alerts are processed and never inhibited once attached: active, or suppressed by a silence.
            return silences.silencing(alert, now).isPresent() ? query.silenced() : query.active();
        };
        IncidentQueries.LocalMatches local = api.queries().firingAlerts(matching, LIMITS);
        IncidentQueries.LocalHeld held = api.queries().heldAlerts(hold -> query.filter().matches(hold.getAlert())
                && (query.receiver() == null || query.receiver().matches(receiver(hold.getAlert())))
                && (hold.getReason() == SuppressionReason.SILENCED ? query.silenced() : query.inhibited()), LIMITS, local.partitions());
        ObjectNode part = NODES.objectNode();
        held.partitions().forEach(part.putArray("partitions")::add);
        part.put("truncated", local.truncated() || held.truncated());
        ArrayNode alerts = part.putArray("alerts");
        for (IncidentQueries.MatchedAlert matched : local.alerts()) {
            alerts.add(gettableAlert(matched.alert(), silences.silencing(matched.alert(), now).stream().toList(), List.of())
                    .put(POSITION, matched.position()).put(ORDINAL, matched.ordinal())
                    .put(INCIDENT, matched.incident().getIncidentId()));
        }
        for (SuppressedAlert hold : held.alerts()) {
            alerts.add(heldAlert(hold).put(POSITION, HELD_POSITION + hold.getAlert().getFingerprint()).put(ORDINAL, 0)
                    .put(GROUP, hold.getCorrelationKey()));
        }
        if (Forwarder.forwarded(request)) {
            HttpServer.writeJson(response, callback, 200, part);
            return;
        }
        List<JsonNode> parts = new ArrayList<>(List.of(part));
        parts.addAll(api.otherParts(request, request.getHttpURI().getPathQuery(), "alert list"));
        Set<Integer> covered = new HashSet<>();
        List<ObjectNode> merged = new ArrayList<>();
        boolean truncated = false;
        for (JsonNode each : parts) {
            each.get("partitions").forEach(partition -> covered.add(partition.asInt()));
            each.get("alerts").forEach(alert -> merged.add((ObjectNode) alert));
            truncated |= each.get("truncated").asBoolean();
        }
        api.requireEvery(covered);
        merged.sort(Comparator.<ObjectNode, String>comparing(alert -> alert.get(POSITION).asText())
                .thenComparingLong(alert -> alert.get(ORDINAL).asLong()));
        if (truncated) {
            response.getHeaders().put(TRUNCATED, "true");
        }
        HttpServer.writeJson(response, callback, 200, groups ? groups(merged) : strip(merged));
    }

    /** Alertmanager's gettableAlert of an alert a silence or an inhibition rule holds back. */
    static ObjectNode heldAlert(SuppressedAlert hold) {
        List<String> rule = List.of(hold.getRuleId());
        return hold.getReason() == SuppressionReason.SILENCED ? gettableAlert(hold.getAlert(), rule, List.of())
                : gettableAlert(hold.getAlert(), List.of(), rule);
    }

    /** Alertmanager's gettableAlert of an engine alert: suppressed when a silence or an inhibition rule names it. */
    static ObjectNode gettableAlert(Alert alert, List<String> silencedBy, List<String> inhibitedBy) {
        ObjectNode json = NODES.objectNode();
        ObjectNode annotations = json.putObject("annotations");
        alert.getAnnotations().forEach(annotations::put);
        json.putArray("receivers").addObject().put("name", receiver(alert));
        json.put("fingerprint", alert.getFingerprint());
        json.put("startsAt", alert.getStartsAt().toString());
        json.put("updatedAt", alert.getReceivedAt().toString());
        json.put("endsAt", alert.getEndsAt() == null ? GO_ZERO_TIME : alert.getEndsAt().toString());
        ObjectNode status = json.putObject("status");
        status.put("state", silencedBy.isEmpty() && inhibitedBy.isEmpty() ? "active" : "suppressed");
        silencedBy.forEach(status.putArray("silencedBy")::add);
        inhibitedBy.forEach(status.putArray("inhibitedBy")::add);
        ObjectNode labels = json.putObject("labels");
        alert.getLabels().forEach(labels::put);
        alert.getLinks().stream().filter(link -> link.getText().equals("Source")).findFirst()
                .ifPresent(link -> json.put("generatorURL", link.getHref()));
        return json;
    }

    /** An alert's receiver is the service it pages. */
    static String receiver(Alert alert) {
        return alert.getService() == null ? "default" : alert.getService();
    }

    private static ArrayNode strip(List<ObjectNode> alerts) {
        ArrayNode list = NODES.arrayNode();
        for (ObjectNode alert : alerts) {
            list.add(alert.deepCopy().without(List.of(POSITION, ORDINAL, INCIDENT, GROUP)));
        }
        return list;
    }

    /**
     * One group per incident, newest incident first, then one per correlation key of held alerts: its labels name the incident
     * or the key, its receiver is its first alert's.
     */
    private static ArrayNode groups(List<ObjectNode> alerts) {
        Map<Map.Entry<String, String>, List<ObjectNode>> grouped = new LinkedHashMap<>();
        alerts.forEach(alert -> grouped.computeIfAbsent(alert.has(INCIDENT) ? Map.entry("incident", alert.get(INCIDENT).asText())
                : Map.entry("correlationKey", alert.get(GROUP).asText()), key -> new ArrayList<>()).add(alert));
        ArrayNode groups = NODES.arrayNode();
        grouped.forEach((label, members) -> {
            ObjectNode group = groups.addObject();
            group.putObject("labels").put(label.getKey(), label.getValue());
            group.set("receiver", members.get(0).get("receivers").get(0).deepCopy());
            group.set("alerts", strip(members));
        });
        return groups;
    }

    /** {@code GET /api/v2/silences?filter=...}: every silence (expired ones too, as Alertmanager lists them) whose matchers the filter selects. */
    static ArrayNode silences(List<LabelMatcher> filters, List<SilenceConfig> silences, Instant now) {
        AlertMatcher filter = compile(filters);
        ArrayNode list = NODES.arrayNode();
        silences.stream()
                .filter(silence -> selected(filter, filters, silence))
                .sorted(SilenceRequests.order(now))
                .forEach(silence -> list.add(silence(silence, now)));
        return list;
    }

    private List<LabelMatcher> filters(Request request) {
        return matchers(parameters(request).getOrDefault("filter", List.of()), "filter");
    }

    private static AlertMatcher compile(List<LabelMatcher> matchers) {
        try {
            return AlertMatcher.of(matchers);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "filter", e.getMessage());
        }
    }

    /** As Alertmanager: each filter's label must be one of the silence's matchers, and the filter must match that matcher's value. */
    private static boolean selected(AlertMatcher filter, List<LabelMatcher> filters, SilenceConfig silence) {
        Map<String, String> values = new LinkedHashMap<>();
        silence.getMatchers().forEach(matcher -> values.putIfAbsent(matcher.getLabel(), matcher.getValue()));
        return filters.stream().allMatch(matcher -> values.containsKey(matcher.getLabel())) && filter.matches(labelsOnly(values));
    }

    private static Alert labelsOnly(Map<String, String> labels) {
        Instant epoch = Instant.EPOCH;
        return Alert.newBuilder().setFingerprint("").setStatus(AlertStatus.FIRING).setSeverity(Severity.SEV3).setSummary("")
                .setLabels(labels).setSource("").setStartsAt(epoch).setReceivedAt(epoch).setRawFormat(RawFormat.ALERTMANAGER)
                .setService(labels.get("service")).build();
    }

    /**
     * Alertmanager's gettableSilence. The engine keeps no update time: {@code updatedAt} is the
     * start. A silence configured without a start or an end (config data) shows Go's zero time and
     * the year 9999; a weekly window's state is that of its outer window.
     */
    static ObjectNode silence(SilenceConfig silence, Instant now) {
        ObjectNode json = NODES.objectNode();
        json.put("id", silence.getId());
        json.putObject("status").put("state", SilenceRequests.State.of(silence, now).json());
        String startsAt = silence.getStartsAt() == null ? GO_ZERO_TIME : silence.getStartsAt().toString();
        json.put("updatedAt", startsAt);
        ArrayNode matchers = json.putArray("matchers");
        for (LabelMatcher matcher : silence.getMatchers()) {
            matchers.addObject().put("name", matcher.getLabel()).put("value", matcher.getValue())
                    .put("isRegex", matcher.getOp() == MatchOp.REGEX || matcher.getOp() == MatchOp.NOT_REGEX)
                    .put("isEqual", matcher.getOp() == MatchOp.EQUAL || matcher.getOp() == MatchOp.REGEX);
        }
        json.put("startsAt", startsAt);
        json.put("endsAt", silence.getEndsAt() == null ? "9999-12-31T23:59:59Z" : silence.getEndsAt().toString());
        json.put("createdBy", silence.getAuthor());
        json.put("comment", silence.getComment());
        return json;
    }

    /**
     * A postableSilence as the engine's silence: the same checks as {@code POST /api/v1/silences}
     * (at most {@value SilenceRequests#MAX_MATCHERS} matchers, not all matching the empty string,
     * a comment, an end in the future within a year). A new silence gets a UUID, as in
     * Alertmanager; {@code createdBy} is required but the author is the token's user.
     *
     * @param known whether a silence of an id exists: posting an unknown id is a 404
     */
    static SilenceConfig postableSilence(byte[] body, ApiUser user, Instant now, Predicate<String> known) {
        if (body.length > ApiRequests.MAX_BODY_BYTES) {
            throw new ApiError(413, null, "body is over the limit of " + ApiRequests.MAX_BODY_BYTES + " bytes");
        }
        JsonNode silence;
        try {
            silence = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new ApiError(400, "body", "is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new ApiError(400, "body", "cannot be read: " + e.getMessage());
        }
        if (silence == null || !silence.isObject()) {
            throw new ApiError(400, "body", "must be a silence object");
        }
        ObjectNode engine = NODES.objectNode();
        String id = text(silence, "id", false);
        if (id != null && !id.isEmpty()) {
            if (!known.test(id)) {
                throw new ApiError(404, null, "silence " + id + " not found");
            }
            engine.put("id", id);
        } else {
            engine.put("id", UUID.randomUUID().toString());
        }
        JsonNode matchers = silence.get("matchers");
        if (matchers == null || !matchers.isArray()) {
            throw new ApiError(400, "matchers", "is required: a list of {name, value, isRegex, isEqual}");
        }
        ArrayNode converted = engine.putArray("matchers");
        for (int i = 0; i < matchers.size(); i++) {
            converted.add(matcher(matchers.get(i), "matchers[" + i + "]"));
        }
        engine.put("startsAt", text(silence, "startsAt", true));
        engine.put("endsAt", text(silence, "endsAt", true));
        text(silence, "createdBy", true);
        String comment = text(silence, "comment", true);
        engine.put("comment", comment);
        return SilenceRequests.create(engine.toString().getBytes(StandardCharsets.UTF_8), user, now);
    }

    private static ObjectNode matcher(JsonNode matcher, String field) {
        if (!matcher.isObject()) {
            throw new ApiError(400, field, "must be an object {name, value, isRegex, isEqual}");
        }
        String name = text(matcher, "name", field + ".name", true);
        String value = text(matcher, "value", field + ".value", true);
        JsonNode isRegex = matcher.get("isRegex");
        JsonNode isEqual = matcher.get("isEqual");
        if (isRegex == null || !isRegex.isBoolean()) {
            throw new ApiError(400, field + ".isRegex", "is required: true or false");
        }
        if (isEqual != null && !isEqual.isNull() && !isEqual.isBoolean()) {
            throw new ApiError(400, field + ".isEqual", "must be true or false");
        }
        boolean equal = isEqual == null || isEqual.isNull() || isEqual.booleanValue();
        MatchOp op = isRegex.booleanValue() ? (equal ? MatchOp.REGEX : MatchOp.NOT_REGEX) : (equal ? MatchOp.EQUAL : MatchOp.NOT_EQUAL);
        return NODES.objectNode().put("label", name).put("op", op.name()).put("value", value);
    }

    private static String text(JsonNode node, String name, boolean required) {
        return text(node, name, name, required);
    }

    private static String text(JsonNode node, String name, String field, boolean required) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            if (required) {
                throw new ApiError(400, field, "is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new ApiError(400, field, "must be a string");
        }
        return value.textValue();
    }

    /** 200 {@code {silenceID}} once Kafka acknowledged the silence and this instance's view read it (or the wait timed out). */
    private void createSilence(ApiUser user, Request request, Response response, Callback callback) {
        SilenceConfig silence = postableSilence(IncidentApi.readBody(request, ApiRequests.MAX_BODY_BYTES), user, clock.instant(),
                id -> view.silence(id).isPresent());
        store(silence, response, callback, NODES.objectNode().put("silenceID", silence.getId()));
    }

    /** Expires the silence (its history stays, as in Alertmanager); an expired one is left as it is. Unknown: 404. */
    private void expireSilence(Request request, Response response, Callback callback) {
        SilenceConfig expired = SilenceRequests.expire(knownSilence(request), clock.instant());
        if (expired == null) {
            HttpServer.writeJson(response, callback, 200, NODES.objectNode());
        } else {
            store(expired, response, callback, NODES.objectNode());
        }
    }

    private void store(SilenceConfig silence, Response response, Callback callback, JsonNode answer) {
        api.storeSilence(silence).whenComplete((metadata, failure) -> {
            if (failure != null) {
                HttpServer.writeJson(response, callback, 500, "the silence could not be stored in Kafka; retry later ("
                        + failure.getMessage() + ")");
                return;
            }
            // amtool queries right after it adds or expires: answer once this instance reads what it wrote.
            view.awaitSilence(metadata.partition(), metadata.offset())
                    .completeOnTimeout(null, api.waitTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .whenCompleteAsync((read, error) -> HttpServer.writeJson(response, callback, 200, answer));
        });
    }

    private SilenceConfig knownSilence(Request request) {
        String id = Request.getPathInContext(request).substring(SILENCE.length() + 1);
        if (id.isEmpty() || id.contains("/")) {
            throw new ApiError(404, null, "not found");
        }
        return view.silence(id).orElseThrow(() -> new ApiError(404, null, "silence " + id + " not found"));
    }

    /** Alertmanager's status: the engine's instances as the cluster's peers; there is no Alertmanager configuration to show. */
    private ObjectNode status() {
        ObjectNode status = NODES.objectNode();
        IncidentQueries queries = api.queries();
        ObjectNode cluster = status.putObject("cluster").put("name", name(queries.self())).put("status", "ready");
        ArrayNode peers = cluster.putArray("peers");
        queries.instances().forEach(host -> peers.addObject().put("name", name(host)).put("address", name(host)));
        // amtool compares "version" with its own (major.minor) and warns when they differ: it names the API served.
        String engine = Optional.ofNullable(AlertmanagerApi.class.getPackage().getImplementationVersion()).orElse("dev");
        status.putObject("versionInfo").put("version", API_VERSION).put("revision", "incident-engine " + engine).put("branch", "")
                .put("buildUser", "incident-engine").put("buildDate", "").put("goVersion", "java " + Runtime.version());
        status.putObject("config").put("original", originalConfig(view.catalog().services().values()));
        status.put("uptime", started.toString());
        return status;
    }

    /**
     * {@code config.original}: the engine has no Alertmanager configuration (routing, silences and inhibition are config data,
     * {@code incidentctl config apply}), but readers parse this as one: Grafana's status route (an external Alertmanager of
     * implementation "prometheus") reads it with Alertmanager's own config loader and takes its root route, which must exist
     * (a comment alone left it without a route and failed Grafana's request). So a valid configuration that names what is
     * true: one root route to {@code default} and the receivers {@code /api/v2/receivers} lists, the engine's services.
     */
    static String originalConfig(Collection<ServiceConfig> services) {
        StringBuilder yaml = new StringBuilder("# incident-engine: routing, silences and inhibition are config data (incidentctl config apply),\n"
                + "# not an Alertmanager configuration. The receivers are the engine's services; alerts without one go to default.\n"
                + "route:\n  receiver: default\nreceivers:\n  - name: default\n");
        services.stream().map(ServiceConfig::getId).filter(id -> !id.equals("default")).sorted()
                .forEach(id -> yaml.append("  - name: ").append(NODES.textNode(id)).append('\n'));
        return yaml.toString();
    }

    private static String name(HostInfo host) {
        return host.host() + ":" + host.port();
    }

    /** The services, which the engine pages, are its receivers, and {@code default}, an alert's without a service. */
    static ArrayNode receivers(Collection<ServiceConfig> services) {
        ArrayNode receivers = NODES.arrayNode();
        Stream.concat(Stream.of("default"), services.stream().map(ServiceConfig::getId)).distinct().sorted()
                .forEach(id -> receivers.addObject().put("name", id));
        return receivers;
    }

    private static Map<String, List<String>> parameters(Request request) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        for (Fields.Field field : Request.extractQueryParameters(request)) {
            parameters.put(field.getName(), field.getValues());
        }
        return parameters;
    }
}
