package dev.incidentengine.incident.api;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.configdata.AvroJson;
import dev.incidentengine.incident.IncidentTopics;
import dev.incidentengine.incident.domain.IncidentLifecycle;
import dev.incidentengine.incident.domain.Postmortem;
import dev.incidentengine.incident.domain.PublicationRules;
import dev.incidentengine.incident.feed.ChangeFeed;
import dev.incidentengine.incident.api.ApiRequests.ListQuery;
import dev.incidentengine.incident.query.IncidentQueries;
import dev.incidentengine.incident.query.IndexScan;
import dev.incidentengine.incident.query.ReportRollup;
import dev.incidentengine.incident.query.ResponseMetrics;
import dev.incidentengine.incident.api.SilenceRequests.State;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AttachRunbook;
import dev.incidentengine.model.CommandOutcome;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.MergeIncident;
import dev.incidentengine.model.PostPublicUpdate;
import dev.incidentengine.model.PublishIncident;
import dev.incidentengine.model.SetIncidentType;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.RunbookConfig;
import dev.incidentengine.model.config.IncidentTypeConfig;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.StatusPageConfig;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.ResponseTargets;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import dev.incidentengine.service.api.ApiTokens;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The incidents HTTP API: queries answered from the {@link IncidentView}, commands produced to
 * {@code incident.commands.v1} (answered once Kafka acknowledged them, or with {@code ?wait=true}
 * once the view holds their outcome). Bearer tokens with roles ({@link ApiTokens}); the actor of
 * every command is the token's user. Silences ({@value #SILENCES}) are listed from the view and
 * written to {@code config.silences.v1}, authored by the token's user. Services ({@value #SERVICES})
 * are the view's configuration with the open counts ({@link ServiceCatalog}).
 */
public final class IncidentApi implements AutoCloseable {

    public static final String PREFIX = "/api/v1/incidents";
    public static final String SILENCES = "/api/v1/silences";
    public static final String STREAM = "/api/v1/stream";
    /** What the console's publish form reads of the status page. */
    public static final String STATUS_PAGE_CONFIG = "/api/v1/status-page/config";
    public static final String SERVICES = "/api/v1/services";
    public static final String REPORTS = "/api/v1/reports";
    /** The noisiest alerts and the people most paged a report names. */
    private static final int REPORT_ALERTS = 10;
    private static final int REPORT_RESPONDERS = 50;
    /** {@code GET /api/v1/incidents/counts}: no incident has this id (ids are {@code INC-...}). */
    private static final String COUNTS = "counts";
    /** The most of an oversized body that is read past the limit, so that the client sees the 413. */
    private static final long DRAIN_LIMIT = 16L * 1024 * 1024;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] NO_BODY = new byte[0];
    /**
     * The most events of one incident's log a postmortem reads: a storm of 100,000 alerts, each
     * attached and resolved, and its responders' acts. Past it the document says it was cut.
     */
    static final int POSTMORTEM_MAX_EVENTS = 250_000;
    /** The sample of alerts is shown from the alerts store instead, as the alerts page is. */
    private static final Set<String> SHOW_OMITS = Set.of("alerts", "processedCommandIds", "alertsQuietSince", "publication",
            "responseTargets");
    /**
     * What the list shows of an incident: the state without alerts, labels and bookkeeping; the counts stay. Runbooks (up to
     * five copies of their steps) are shown with the incident alone, so a page of 500 stays small.
     */
    private static final Set<String> SUMMARY_OMITS = Set.of("alerts", "processedCommandIds", "reopenedAt", "labels", "alertsQuietSince",
            "publication", "responseTargets", "runbooks");

    private final IncidentView view;
    private final ApiTokens tokens;
    private final int partitions;
    private final OutcomeWaiter outcomes = new OutcomeWaiter();
    /** Set by {@link #start}: the read side's queries and the way to other instances. */
    private volatile IncidentQueries queries;
    private volatile Forwarder forwarder;
    private volatile ChangeFeed feed;
    private volatile ResponseMetrics responseMetrics;
    /** The status page as the aggregate sees it; set once the aggregate's app exists. */
    private volatile Supplier<PublicationRules> statusPage;
    /** The configured runbooks as the aggregate sees them; set once the aggregate's app exists. */
    private volatile Supplier<List<RunbookConfig>> runbooks;
    /** The incident types as the aggregate sees them; set once the aggregate's app exists. */
    private volatile Supplier<Map<String, IncidentTypeConfig>> incidentTypes;
    private volatile Supplier<Collection<RoleConfig>> roles;
    private final Map<String, Object> producerProps;
    private final String commandTopic;
    private final String silenceTopic;
    private final String alertTopic;
    private final Serializer<String> keySerializer;
    private final Serializer<SpecificRecord> valueSerializer;
    private final Duration waitTimeout;
    /** The receivers' public base URL, or null: each request's own scheme and host. */
    private final String receiversBaseUrl;
    private final Clock clock;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private volatile KafkaProducer<String, SpecificRecord> producer;
    private MeterRegistry metrics;

    public IncidentApi(IncidentView view, ApiTokens tokens, Map<String, Object> producerProps, IncidentTopics topics,
                       RecordSerdes serdes, Duration waitTimeout, Optional<String> receiversBaseUrl, Clock clock) {
        this.view = view;
        this.tokens = tokens;
        this.producerProps = new HashMap<>(producerProps);
        this.producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        this.producerProps.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        this.producerProps.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        this.producerProps.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 1);
        this.partitions = topics.state().partitions();
        this.commandTopic = topics.commands().name();
        this.silenceTopic = topics.silences().name();
        this.alertTopic = topics.alerts().name();
        this.keySerializer = topics.commands().keySerde(serdes).serializer();
        this.valueSerializer = byType(topics.commands().valueSerde(serdes).serializer(), topics.silences().valueSerde(serdes).serializer(),
                topics.alerts().valueSerde(serdes).serializer());
        this.waitTimeout = waitTimeout;
        this.receiversBaseUrl = receiversBaseUrl.orElse(null);
        this.clock = clock;
    }

    public void register(HttpServer http, MeterRegistry metrics) {
        this.metrics = metrics;
        new AlertmanagerApi(this, view, tokens, clock).register(http);
        http.route("GET", PREFIX, (request, response, callback) -> handle("list", Role.VIEWER, request, response, callback,
                (user, done) -> list(user, request, response, done)));
        http.route("GET", PREFIX + "/*", (request, response, callback) -> {
            String[] path = path(request);
            if (path.length == 1 && path[0].equals(COUNTS)) {
                return handle("counts", Role.VIEWER, request, response, callback, (user, done) -> counts(request, response, done));
            }
            if (path.length == 1) {
                return handle("show", Role.VIEWER, request, response, callback, (user, done) -> show(path[0], request, response, done));
            }
            if (path.length == 2 && path[1].equals("events")) {
                return handle("events", Role.VIEWER, request, response, callback,
                        (user, done) -> events(path[0], request, response, done));
            }
            if (path.length == 2 && path[1].equals("postmortem")) {
                return handle("postmortem", Role.VIEWER, request, response, callback,
                        (user, done) -> postmortem(path[0], request, response, done));
            }
            if (path.length == 2 && path[1].equals("alerts")) {
                return handle("alerts", Role.VIEWER, request, response, callback,
                        (user, done) -> alerts(path[0], request, response, done));
            }
            return handle("unknown", Role.VIEWER, request, response, callback, (user, done) -> {
                throw new ApiError(404, null, "not found");
            });
        });
        http.route("POST", PREFIX + "/*", (request, response, callback) -> {
            String[] path = path(request);
            String action = path.length == 2 && ApiRequests.isAction(path[1]) ? path[1] : "unknown";
            return handle(action, Role.RESPONDER, request, response, callback, (user, done) -> {
                if (action.equals("unknown")) {
                    throw new ApiError(404, null, path.length == 2 ? "unknown command '" + path[1] + "'" : "not found");
                }
                command(path[0], action, user, request, response, done);
            });
        });
        http.route("GET", IncidentTypeRequests.TYPES, (request, response, callback) -> handle("incident-types", Role.VIEWER, request,
                response, callback, (user, done) -> {
                    ApiRequests.noParameters(parameters(request));
                    Map<String, IncidentTypeConfig> types = incidentTypes();
                    HttpServer.writeJson(response, done, 200, out -> IncidentTypeRequests.write(types, out));
                }));
        http.route("GET", STREAM, (request, response, callback) -> handle("stream", Role.VIEWER, request, response, callback,
                (user, done) -> {
                    ApiRequests.StreamQuery query = ApiRequests.streamQuery(parameters(request), request.getHeaders().get("Last-Event-ID"));
                    feed.subscribe(query.filter(), query.lastEventId(), response, done);
                }));
        http.route("GET", REPORTS, (request, response, callback) -> handle("reports", Role.VIEWER, request, response, callback,
                (user, done) -> report(request, response, done)));
        http.route("GET", SILENCES, (request, response, callback) -> handle("silences", Role.VIEWER, request, response, callback,
                (user, done) -> silences(request, response, done)));
        http.route("POST", SILENCES, (request, response, callback) -> handle("silence-create", Role.RESPONDER, request, response,
                callback, (user, done) -> createSilence(user, request, response, done)));
        http.route("GET", SILENCES + "/*", (request, response, callback) -> {
            if (Request.getPathInContext(request).equals(SILENCES + "/" + SilenceRequests.PREVIEW)) {
                return handle("silence-preview", Role.VIEWER, request, response, callback,
                        (user, done) -> previewSilence(user, request, response, done));
            }
            return handle("silence", Role.VIEWER, request, response, callback,
                    (user, done) -> HttpServer.writeJson(response, done, 200, silence(knownSilence(request), clock.instant())));
        });
        http.route("DELETE", SILENCES + "/*", (request, response, callback) -> handle("silence-expire", Role.RESPONDER, request,
                response, callback, (user, done) -> expireSilence(request, response, done)));
        http.route("GET", STATUS_PAGE_CONFIG, (request, response, callback) -> handle("status-page-config", Role.VIEWER, request,
                response, callback, (user, done) -> {
                    ApiRequests.noParameters(parameters(request));
                    // No page configured is a state the console shows, not an error: 200 with configured false.
                    StatusPageConfig page = statusPage().config();
                    HttpServer.writeJson(response, done, 200, out -> PublicationRequests.writePage(page, out));
                }));
        http.route("POST", DrillRequests.PATH, (request, response, callback) -> handle("drill-start", Role.RESPONDER, request, response,
                callback, (user, done) -> startDrill(user, request, response, done)));
        http.route("GET", RunbookRequests.RUNBOOKS, (request, response, callback) -> handle("runbooks", Role.VIEWER, request, response,
                callback, (user, done) -> {
                    ApiRequests.noParameters(parameters(request));
                    List<RunbookConfig> configured = runbooks();
                    HttpServer.writeJson(response, done, 200, out -> RunbookRequests.writeRunbooks(configured, out));
                }));
        // Commands that set a value: a role's holder, a runbook step's mark, or an action ApiRequests lists for PUT (the type).
        http.route("PUT", PREFIX + "/*", (request, response, callback) -> {
            String[] path = path(request);
            if (path.length == 3 && path[1].equals("roles")) {
                return roleCommand(false, request, response, callback);
            }
            if (RunbookRequests.isStep(path)) {
                return handle("runbook-step", Role.RESPONDER, request, response, callback, (user, done) -> command(path[0], request,
                        response, done, (body, key, incident) -> RunbookRequests.step(path, body, key, user, clock.instant(), incident)));
            }
            String action = path.length == 2 && ApiRequests.isPutAction(path[1]) ? path[1] : null;
            return handle(action == null ? "unknown" : action, Role.RESPONDER, request, response, callback, (user, done) -> {
                if (action == null) {
                    throw new ApiError(404, null, "not found");
                }
                command(path[0], action, user, request, response, done);
            });
        });
        http.route("GET", SERVICES, (request, response, callback) -> handle("services", Role.VIEWER, request, response, callback,
                (user, done) -> services(request, response, done)));
        http.route("GET", SERVICES + "/*", (request, response, callback) -> handle("service", Role.VIEWER, request, response, callback,
                (user, done) -> service(request, response, done)));
        http.route("DELETE", PREFIX + "/*", (request, response, callback) -> roleCommand(true, request, response, callback));
        http.route("GET", RoleRequests.ROLES, (request, response, callback) -> handle("roles", Role.VIEWER, request, response, callback,
                (user, done) -> {
                    ApiRequests.noParameters(parameters(request));
                    HttpServer.writeJson(response, done, 200, out -> RoleRequests.writeRoles(roles().get(), out));
                }));
    }

    /** {@code PUT|DELETE /api/v1/incidents/{id}/roles/{role}}: take or hand over a role, or release it. */
    private boolean roleCommand(boolean release, Request request, Response response, Callback callback) {
        String[] path = path(request);
        return handle(release ? "role-release" : "role-assign", Role.RESPONDER, request, response, callback, (user, done) -> {
            if (path.length != 3 || !path[1].equals("roles")) {
                throw new ApiError(404, null, "not found");
            }
            command(path[0], request, response, done, (body, key, incident) -> RoleRequests.assign(path[0], path[2], release, body,
                    key, user, clock.instant()));
        });
    }

    /** Reads the response roles from the aggregate's global store from now on. */
    public void roles(Supplier<Collection<RoleConfig>> source) {
        this.roles = source;
    }

    private Supplier<Collection<RoleConfig>> roles() {
        Supplier<Collection<RoleConfig>> source = roles;
        if (source == null) {
            throw new ApiError(503, null, "starting: the roles config is not read yet; retry later");
        }
        return source;
    }

    /** Creates the shared producer (idempotent, acks=all), and answers from the read side and the feed from now on. */
    public void start(IncidentQueries queries, ResponseMetrics responseMetrics, ChangeFeed feed, HttpClient http) {
        this.feed = feed;
        this.responseMetrics = responseMetrics;
        producer = new KafkaProducer<>(producerProps, keySerializer, valueSerializer);
        // A forwarded command may wait for its outcome there: give it that long and a little more.
        this.forwarder = new Forwarder(http, queries.self(), waitTimeout.plusSeconds(5));
        this.queries = queries;
    }

    /** Reads the status page config from the aggregate's global store from now on. */
    public void statusPage(Supplier<PublicationRules> source) {
        this.statusPage = source;
    }

    /** Reads the configured runbooks from the aggregate's global store from now on. */
    public void runbooks(Supplier<List<RunbookConfig>> source) {
        this.runbooks = source;
    }

    private List<RunbookConfig> runbooks() {
        Supplier<List<RunbookConfig>> source = runbooks;
        if (source == null) {
            throw new ApiError(503, null, "starting: the runbooks are not read yet; retry later");
        }
        return source.get();
    }

    /** Reads the incident types from the aggregate's global store from now on. */
    public void incidentTypes(Supplier<Map<String, IncidentTypeConfig>> source) {
        this.incidentTypes = source;
    }

    private Map<String, IncidentTypeConfig> incidentTypes() {
        Supplier<Map<String, IncidentTypeConfig>> source = incidentTypes;
        if (source == null) {
            throw new ApiError(503, null, "starting: the incident types are not read yet; retry later");
        }
        return source.get();
    }

    private PublicationRules statusPage() {
        Supplier<PublicationRules> source = statusPage;
        if (source == null) {
            throw new ApiError(503, null, "starting: the status page config is not read yet; retry later");
        }
        return source.get();
    }

    /** An endpoint's work once the caller is known; answers through {@code done}. */
    @FunctionalInterface
    private interface Handler {
        void handle(ApiUser user, Callback done);
    }

    /** Authenticates, checks the role and readiness, runs the handler, and turns refusals into JSON errors. */
    private boolean handle(String endpoint, Role needed, Request request, Response response, Callback callback, Handler handler) {
        Callback counted = counted(endpoint, response, callback);
        try {
            ApiUser user = tokens.authorize(request, response, needed);
            if (queries == null || !view.ready()) {
                throw new ApiError(503, null, "starting: the read side is not running yet; retry later");
            }
            handler.handle(user, counted);
        } catch (ApiError error) {
            HttpServer.drain(request);
            error.write(response, counted);
        } catch (InvalidStateStoreException moving) {
            // A store that moved away while it was read (a rebalance), or a read side starting or stopping: only a moment, and
            // never a partial answer.
            HttpServer.drain(request);
            new ApiError(503, null, "the read side cannot answer now (" + moving.getMessage() + "); retry in a moment").write(response, counted);
        }
        return true;
    }

    /**
     * A page of the list: this instance's partitions and every other instance's (asked as forwarded
     * requests, which answer with their own partitions only), merged newest first. A page whose
     * parts do not cover every partition (a rebalance) is not answered: 503.
     */
    private void list(ApiUser user, Request request, Response response, Callback callback) {
        ListQuery query = ApiRequests.listQuery(parameters(request), user.user());
        IncidentQueries.LocalPage local = queries.localPage(query.filter(), query.after(), query.limit());
        List<Listed> listed = new ArrayList<>();
        local.page().incidents().forEach(incident -> listed.add(new Listed(incident.position(), incident.incident(), null)));
        if (Forwarder.forwarded(request)) {
            HttpServer.writeJson(response, callback, 200, out -> {
                out.writeStartObject();
                Listed.writeAll(listed, out);
                out.writeArrayFieldStart("positions");
                for (Listed item : listed) {
                    out.writeString(item.position());
                }
                out.writeEndArray();
                out.writeArrayFieldStart("partitions");
                for (int partition : local.partitions()) {
                    out.writeNumber(partition);
                }
                out.writeEndArray();
                out.writeBooleanField("more", local.page().more());
                out.writeEndObject();
            });
            return;
        }
        Set<Integer> covered = new HashSet<>(local.partitions());
        boolean more = local.page().more();
        for (JsonNode part : otherParts(request, request.getHttpURI().getPathQuery(), "list")) {
            for (int j = 0; j < part.get("incidents").size(); j++) {
                listed.add(new Listed(part.get("positions").get(j).asText(), null, part.get("incidents").get(j)));
            }
            part.get("partitions").forEach(partition -> covered.add(partition.asInt()));
            more |= part.get("more").asBoolean();
        }
        requireEvery(covered);
        more |= IndexScan.firstInOrder(listed, Listed::position, query.limit());
        String nextCursor = more && !listed.isEmpty() ? ApiRequests.cursor(listed.get(listed.size() - 1).position()) : null;
        HttpServer.writeJson(response, callback, 200, out -> {
            out.writeStartObject();
            Listed.writeAll(listed, out);
            out.writeStringField("nextCursor", nextCursor);
            out.writeEndObject();
        });
    }

    /**
     * Every other instance's answer to {@code pathQuery}, forwarded as this request's caller: each
     * answers with what its own partitions hold. One that does not answer (in time) makes the whole answer a 503.
     */
    List<JsonNode> otherParts(Request request, String pathQuery, String what) {
        List<HostInfo> others = queries.instances().stream().filter(host -> !host.equals(queries.self())).toList();
        List<CompletableFuture<HttpResponse<String>>> asked = new ArrayList<>();
        for (HostInfo other : others) {
            asked.add(forwarder.get(other, pathQuery, request));
        }
        List<JsonNode> parts = new ArrayList<>();
        for (int i = 0; i < asked.size(); i++) {
            try {
                HttpResponse<String> answer = asked.get(i).get(waitTimeout.toMillis(), TimeUnit.MILLISECONDS);
                if (answer.statusCode() != 200) {
                    throw new ApiError(503, null, "instance " + others.get(i) + " answered " + answer.statusCode() + " for its part of the "
                            + what);
                }
                parts.add(JSON.readTree(answer.body()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiError(503, null, "interrupted while asking the other instances");
            } catch (ExecutionException | TimeoutException | IOException e) {
                throw Forwarder.unreachable(others.get(i), e);
            }
        }
        return parts;
    }

    /** An answer put together from the instances' parts must cover every partition: during a rebalance it does not. */
    void requireEvery(Set<Integer> covered) {
        if (covered.size() < partitions) {
            throw new ApiError(503, null, "the instances hold " + covered.size() + " of " + partitions
                    + " partitions now (they are rebalancing); retry in a moment");
        }
    }

    /**
     * Open incidents counted by status, severity and service, from the response metrics each
     * instance keeps as incidents change (no scan): the console's counts per severity and per service.
     */
    private void counts(Request request, Response response, Callback callback) {
        ResponseMetrics.OpenCounts local = responseMetrics.openCounts();
        if (Forwarder.forwarded(request)) {
            HttpServer.writeJson(response, callback, 200, out -> {
                out.writeStartObject();
                out.writeArrayFieldStart("partitions");
                for (int partition : local.partitions()) {
                    out.writeNumber(partition);
                }
                out.writeEndArray();
                writeCounts(local.byStatusSeverityService(), out);
                out.writeEndObject();
            });
            return;
        }
        Map<List<String>, Long> counts = summedCounts(local, request);
        Map<String, Long> bySeverity = new TreeMap<>();
        Arrays.stream(Severity.values()).forEach(severity -> bySeverity.put(severity.name(), 0L));
        Map<String, Long> byStatus = new TreeMap<>(Map.of(IncidentStatus.TRIGGERED.name(), 0L, IncidentStatus.ACKNOWLEDGED.name(), 0L));
        Map<String, Long> byService = new TreeMap<>();
        counts.forEach((key, count) -> {
            byStatus.merge(key.get(0), count, Long::sum);
            bySeverity.merge(key.get(1), count, Long::sum);
            byService.merge(key.get(2), count, Long::sum);
        });
        long open = counts.values().stream().mapToLong(Long::longValue).sum();
        HttpServer.writeJson(response, callback, 200, Map.of("open", open, "bySeverity", bySeverity, "byStatus", byStatus,
                "byService", byService));
    }

    /** Open incidents by [status, severity, service]: this instance's and every other one's, covering every partition. */
    private Map<List<String>, Long> summedCounts(ResponseMetrics.OpenCounts local, Request request) {
        Set<Integer> covered = new HashSet<>(local.partitions());
        Map<List<String>, Long> counts = new HashMap<>(local.byStatusSeverityService());
        for (JsonNode part : otherParts(request, PREFIX + "/" + COUNTS, "counts")) {
            part.get("partitions").forEach(partition -> covered.add(partition.asInt()));
            part.get("counts").forEach(count -> counts.merge(List.of(count.get("status").asText(), count.get("severity").asText(),
                    count.get("service").asText()), count.get("count").asLong(), Long::sum));
        }
        requireEvery(covered);
        return counts;
    }

    /** A page of the configured services, in the order of their ids, each with its open counts. */
    private void services(Request request, Response response, Callback callback) {
        ApiRequests.ServicesPage query = ApiRequests.servicesPage(parameters(request));
        ServiceCatalog catalog = catalog(request);
        ServiceCatalog.Page page = catalog.page(query.after(), query.limit());
        String nextCursor = page.more() ? ApiRequests.serviceCursor(page.services().get(page.services().size() - 1).getId()) : null;
        HttpServer.writeJson(response, callback, 200, out -> {
            out.writeStartObject();
            out.writeNumberField("total", catalog.size());
            out.writeArrayFieldStart("services");
            for (ServiceConfig service : page.services()) {
                catalog.write(service, out);
            }
            out.writeEndArray();
            out.writeStringField("nextCursor", nextCursor);
            out.writeStringField("receiverBaseUrl", receiverBase(request));
            out.writeStringField("receiverBaseUrlFrom", receiversBaseUrl != null ? "config" : "request");
            out.writeEndObject();
        });
    }

    private void service(Request request, Response response, Callback callback) {
        String id = Request.getPathInContext(request).substring(SERVICES.length() + 1);
        if (id.isEmpty() || id.contains("/")) {
            throw new ApiError(404, null, "not found");
        }
        ApiRequests.noParameters(parameters(request));
        ServiceCatalog catalog = catalog(request);
        ServiceConfig service = catalog.service(id);
        if (service == null) {
            throw new ApiError(404, null, "unknown service " + id);
        }
        HttpServer.writeJson(response, callback, 200, out -> catalog.write(service, out));
    }

    private ServiceCatalog catalog(Request request) {
        return new ServiceCatalog(view.catalog(), summedCounts(responseMetrics.openCounts(), request), receiverBase(request));
    }

    /**
     * Where senders reach the receivers: {@code api.receivers.base.url}, else the scheme and host
     * this request came to (a proxy ending TLS says https in {@code X-Forwarded-Proto}): what the browser reached is what a
     * sender on its network reaches too when one address serves both, as in the local engine.
     */
    private String receiverBase(Request request) {
        if (receiversBaseUrl != null) {
            return receiversBaseUrl;
        }
        boolean https = request.isSecure() || "https".equalsIgnoreCase(request.getHeaders().get("X-Forwarded-Proto"));
        return (https ? "https://" : "http://") + request.getHttpURI().getAuthority();
    }

    private static void writeCounts(Map<List<String>, Long> counts, JsonGenerator out) throws IOException {
        out.writeArrayFieldStart("counts");
        for (Map.Entry<List<String>, Long> count : counts.entrySet()) {
            out.writeStartObject();
            out.writeStringField("status", count.getKey().get(0));
            out.writeStringField("severity", count.getKey().get(1));
            out.writeStringField("service", count.getKey().get(2));
            out.writeNumberField("count", count.getValue());
            out.writeEndObject();
        }
        out.writeEndArray();
    }

    /**
     * Response over the incidents opened in a period, from each instance's rollups
     * ({@link ReportRollup}): every instance sends the sums of its partitions, and this one adds them.
     */
    private void report(Request request, Response response, Callback callback) {
        ReportRollup.Query query = ReportRequests.query(parameters(request), LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
        IncidentQueries.LocalReport local = queries.localReport(query);
        if (Forwarder.forwarded(request)) {
            HttpServer.writeJson(response, callback, 200, out -> {
                out.writeStartObject();
                writePartitions(local.partitions(), out);
                local.part().writePart(out);
                out.writeEndObject();
            });
            return;
        }
        Set<Integer> covered = new HashSet<>(local.partitions());
        ReportRollup.Part report = local.part();
        // The period as this instance read it: another's "today" may already be tomorrow.
        StringBuilder asked = new StringBuilder(REPORTS).append("?from=").append(query.from()).append("&to=").append(query.to())
                .append("&bucket=").append(query.period().name().toLowerCase(Locale.ROOT));
        if (query.service() != null) {
            asked.append("&service=").append(URLEncoder.encode(query.service(), StandardCharsets.UTF_8));
        }
        if (query.severity() != null) {
            asked.append("&severity=").append(query.severity().name());
        }
        ReportRequests.appendTypeAndTier(query, asked);
        for (JsonNode part : otherParts(request, asked.toString(), "report")) {
            part.get("partitions").forEach(partition -> covered.add(partition.asInt()));
            report.add(ReportRollup.Part.of(part.get("report")));
        }
        requireEvery(covered);
        HttpServer.writeJson(response, callback, 200, out -> {
            out.writeStartObject();
            out.writeStringField("from", query.from().toString());
            out.writeStringField("to", query.to().toString());
            out.writeStringField("bucket", query.period().name().toLowerCase(Locale.ROOT));
            out.writeStringField("service", query.service());
            out.writeStringField("severity", query.severity() == null ? null : query.severity().name());
            out.writeStringField("type", query.type());
            out.writeStringField("tier", query.tier());
            out.writeNumberField("maxDays", ReportRequests.MAX_DAYS);
            report.writeReport(out, REPORT_ALERTS, REPORT_RESPONDERS);
            out.writeEndObject();
        });
    }

    private static void writePartitions(Set<Integer> partitions, JsonGenerator out) throws IOException {
        out.writeArrayFieldStart("partitions");
        for (int partition : partitions) {
            out.writeNumber(partition);
        }
        out.writeEndArray();
    }

    /** An incident of a list page, with its position in the list's order: held here, or as another instance answered it. */
    private record Listed(String position, IncidentState local, JsonNode remote) {

        /** The page's {@code "incidents"}. */
        static void writeAll(List<Listed> listed, JsonGenerator out) throws IOException {
            out.writeArrayFieldStart("incidents");
            for (Listed item : listed) {
                if (item.local() != null) {
                    AvroJson.write(item.local(), SUMMARY_OMITS, out);
                } else {
                    out.writeTree(item.remote());
                }
            }
            out.writeEndArray();
        }
    }

    /**
     * The answer when this instance holds the incident; empty when the request went to the
     * instance that does (it answers the caller). A request forwarded here is answered here.
     */
    private <T> Optional<T> here(IncidentQueries.Answer<T> answer, Request request, byte[] body, Response response, Callback callback) {
        if (answer instanceof IncidentQueries.Answer.Here<T> here) {
            return Optional.of(here.value());
        }
        if (answer instanceof IncidentQueries.Answer.There<T> there && !Forwarder.forwarded(request)) {
            forwarder.forward(there.host(), request, body, response, callback);
            return Optional.empty();
        }
        String why = answer instanceof IncidentQueries.Answer.Unavailable<T> unavailable ? unavailable.why()
                : "it moved from this instance";
        throw new ApiError(503, null, "this incident's data is moving between instances (" + why + "); retry in a moment");
    }

    private void show(String incidentId, Request request, Response response, Callback callback) {
        here(queries.incident(incidentId), request, NO_BODY, response, callback).ifPresent(state ->
                HttpServer.writeJson(response, callback, 200, incident(state.orElseThrow(() -> unknown(incidentId)))));
    }

    /** The incident's alerts a page at a time, in the order they were first attached; {@code cursor} is a position. */
    private void alerts(String incidentId, Request request, Response response, Callback callback) {
        ApiRequests.Page page = ApiRequests.page(parameters(request));
        here(queries.incident(incidentId), request, NO_BODY, response, callback).ifPresent(found -> {
            IncidentState state = found.orElseThrow(() -> unknown(incidentId));
            List<IncidentQueries.ListedAlert> alerts = here(queries.alerts(incidentId, page.from(), page.limit() + 1), request, NO_BODY,
                    response, callback).orElseThrow(() -> new ApiError(503, null, "this incident's data moved; retry in a moment"));
            boolean more = alerts.size() > page.limit();
            HttpServer.writeJson(response, callback, 200, out -> {
                out.writeStartObject();
                out.writeStringField("incidentId", incidentId);
                out.writeNumberField("alertCount", state.getAlertCount());
                out.writeNumberField("firingAlertCount", state.getFiringAlertCount());
                writeAlerts(more ? alerts.subList(0, page.limit()) : alerts, out);
                out.writeStringField("nextCursor", more ? Integer.toString(page.from() + page.limit()) : null);
                out.writeEndObject();
            });
        });
    }

    /** The incident's log, a page at a time: past {@code cursor} (the page before's {@code nextCursor}), {@code limit} events, in {@code order}. */
    private void events(String incidentId, Request request, Response response, Callback callback) {
        ApiRequests.EventsPage page = ApiRequests.eventsPage(parameters(request));
        here(queries.incident(incidentId), request, NO_BODY, response, callback).ifPresent(found -> {
            found.orElseThrow(() -> unknown(incidentId));
            List<IncidentQueries.LoggedEvent> log = here(page.newest() ? queries.eventsNewestFirst(incidentId, page.after(), page.limit() + 1)
                    : queries.events(incidentId, page.after(), page.limit() + 1), request, NO_BODY,
                    response, callback).orElseThrow(() -> new ApiError(503, null, "this incident's data moved; retry in a moment"));
            boolean more = log.size() > page.limit();
            List<IncidentQueries.LoggedEvent> shown = more ? log.subList(0, page.limit()) : log;
            HttpServer.writeJson(response, callback, 200, out -> {
                out.writeStartObject();
                out.writeStringField("incidentId", incidentId);
                out.writeArrayFieldStart("events");
                for (IncidentQueries.LoggedEvent logged : shown) {
                    AvroJson.write(logged.event(), Set.of(), out);
                }
                out.writeEndArray();
                out.writeStringField("nextCursor", more ? shown.get(shown.size() - 1).cursor() : null);
                out.writeEndObject();
            });
        });
    }

    /**
     * The post-incident review in Markdown, written by incident-domain's {@link Postmortem} as
     * {@code incidentctl postmortem} writes it, from the incident's log streamed from the events
     * store (one event decoded at a time; the document's timeline is bounded), at most
     * {@value #POSTMORTEM_MAX_EVENTS} events, and without the deliveries, which the read side does
     * not keep: the document says both.
     */
    private void postmortem(String incidentId, Request request, Response response, Callback callback) {
        ApiRequests.noParameters(parameters(request));
        here(queries.incident(incidentId), request, NO_BODY, response, callback).ifPresent(found -> {
            found.orElseThrow(() -> unknown(incidentId));
            Postmortem review = Postmortem.withoutDeliveries(incidentId, "the read side does not keep them; `incidentctl postmortem "
                    + incidentId + "` counts and lists them from " + Topics.NOTIFICATION_RESULTS.name());
            boolean cut = here(queries.log(incidentId, POSTMORTEM_MAX_EVENTS, review::accept), request, NO_BODY, response, callback)
                    .orElseThrow(() -> new ApiError(503, null, "this incident's data moved; retry in a moment"));
            if (cut) {
                review.logCut();
            }
            if (!review.opened()) {
                // The state and the log are read from two topics: the log may be a moment behind.
                throw new ApiError(503, null, "this incident's log is not read yet; retry in a moment");
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/markdown; charset=utf-8");
            response.write(true, ByteBuffer.wrap(review.markdown().getBytes(StandardCharsets.UTF_8)), callback);
        });
    }

    /** Reads a command from a request's body (and its Idempotency-Key header), given the incident as this instance holds it. */
    @FunctionalInterface
    private interface CommandReader {
        IncidentCommand read(byte[] body, String idempotencyKey, IncidentState incident);
    }

    private void command(String incidentId, String action, ApiUser user, Request request, Response response, Callback callback) {
        command(incidentId, request, response, callback, (body, key, incident) -> ApiRequests.command(action, incidentId, body, key, user,
                clock.instant()));
    }

    private void command(String incidentId, Request request, Response response, Callback callback, CommandReader reader) {
        byte[] body = readBody(request);
        Optional<Optional<IncidentState>> held = here(queries.incident(incidentId), request, body, response, callback);
        if (held.isEmpty()) {
            return;
        }
        if (held.get().isEmpty()) {
            throw unknown(incidentId);
        }
        // A PUT sets a value: it answers with the decision unless ?wait=false.
        boolean wait = ApiRequests.waitParameter(parameters(request), HttpMethod.PUT.is(request.getMethod()));
        IncidentCommand command = reader.read(body, request.getHeaders().get("Idempotency-Key"), held.get().get());
        if (command.getPayload() instanceof MergeIncident merge) {
            if (merge.getTargetIncidentId().equals(incidentId)) {
                throw new ApiError(400, "into", "must be another incident");
            }
            if (!exists(merge.getTargetIncidentId(), request)) {
                throw new ApiError(400, "into", "unknown incident " + merge.getTargetIncidentId());
            }
        } else if (command.getPayload() instanceof PublishIncident publish) {
            PublicationRequests.checkComponents(publish.getComponents(), statusPage());
        } else if (command.getPayload() instanceof PostPublicUpdate update) {
            PublicationRequests.checkComponents(update.getComponents(), statusPage());
        } else if (command.getPayload() instanceof AttachRunbook attach) {
            RunbookRequests.checkConfigured(attach.getRunbookId(), runbooks());
        } else if (command.getPayload() instanceof SetIncidentType set) {
            IncidentTypeRequests.checkKnown(set, incidentTypes());
        }
        send(commandTopic, command.getIncidentId(), command).whenComplete((ok, failure) -> {
            if (failure != null) {
                new ApiError(503, null, "the command could not be stored in Kafka; retry later with the same commandId ("
                        + failure.getMessage() + ")").write(response, callback);
            } else if (!wait) {
                accepted(command, null, response, callback);
            } else {
                outcomes.await(queries, incidentId, command.getCommandId())
                        .completeOnTimeout(null, waitTimeout.toMillis(), TimeUnit.MILLISECONDS)
                        .whenCompleteAsync((result, error) -> answer(command, result, response, callback));
            }
        });
    }

    /** What a caller outside this API's endpoints (the Slack app) hears of a command it sent through the command path. */
    interface Decided {
        /** Kafka acknowledged the command, or {@code failure} says why not. */
        void stored(IncidentCommand command, Throwable failure);

        /** Its outcome once the read side holds it, or null when none came within the wait. */
        void decided(IncidentCommand command, OutcomeWaiter.Outcome outcome);
    }

    /**
     * The command path for requests this API does not authenticate itself (the Slack app's): forwarded as they came to the
     * instance that holds the incident (404 for an unknown one), where the command {@code reader} makes of the incident is sent
     * as every command is, and its outcome awaited for at most {@code wait}.
     */
    void command(String incidentId, Request request, byte[] body, Response response, Callback callback,
                 Function<IncidentState, IncidentCommand> reader, Duration wait, Decided decided) {
        Optional<IncidentState> incident = incident(incidentId, request, body, response, callback).orElse(null);
        if (incident == null) {
            return;
        }
        IncidentCommand command = reader.apply(incident.orElseThrow(() -> unknown(incidentId)));
        send(commandTopic, command.getIncidentId(), command).whenComplete((ok, failure) -> {
            decided.stored(command, failure);
            if (failure == null) {
                outcomes.await(queries, incidentId, command.getCommandId())
                        .completeOnTimeout(null, wait.toMillis(), TimeUnit.MILLISECONDS)
                        .whenCompleteAsync((outcome, error) -> decided.decided(command, outcome));
            }
        });
    }

    /**
     * The incident as the instance that holds it has it, for a request this API does not authenticate itself; empty when the
     * request was forwarded to that instance, which answers it. 503 while the read side starts.
     */
    Optional<Optional<IncidentState>> incident(String incidentId, Request request, byte[] body, Response response, Callback callback) {
        if (queries == null || !view.ready()) {
            throw new ApiError(503, null, "starting: the read side is not running yet; retry later");
        }
        return here(queries.incident(incidentId), request, body, response, callback);
    }

    /** Whether any instance holds the incident: here, or by asking the one that does. */
    private boolean exists(String incidentId, Request request) {
        IncidentQueries.Answer<Optional<IncidentState>> answer = queries.incident(incidentId);
        if (answer instanceof IncidentQueries.Answer.Here<Optional<IncidentState>> here) {
            return here.value().isPresent();
        }
        if (answer instanceof IncidentQueries.Answer.There<Optional<IncidentState>> there) {
            try {
                int status = forwarder.get(there.host(), PREFIX + "/" + URLEncoder.encode(incidentId, StandardCharsets.UTF_8), request)
                        .get(waitTimeout.toMillis(), TimeUnit.MILLISECONDS).statusCode();
                if (status == 200 || status == 404) {
                    return status == 200;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                throw Forwarder.unreachable(there.host(), e);
            }
        }
        throw new ApiError(503, null, "cannot tell now whether incident " + incidentId + " exists (its data is moving); retry in a moment");
    }

    /** Produces a command that does not come through this API's endpoints (the ticket webhooks'); completes once Kafka acknowledged it. */
    public CompletableFuture<RecordMetadata> sendCommand(IncidentCommand command) {
        return send(commandTopic, command.getIncidentId(), command);
    }

    /** Completes with where Kafka stored the record, once it acknowledged it. */
    private CompletableFuture<RecordMetadata> send(String topic, String key, SpecificRecord value) {
        CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
        KafkaProducer<String, SpecificRecord> kafka = producer;
        if (kafka == null) {
            sent.completeExceptionally(new IllegalStateException("the API producer has not started"));
            return sent;
        }
        try {
            kafka.send(new ProducerRecord<>(topic, key, value), (metadata, failure) -> {
                if (failure != null) {
                    sent.completeExceptionally(failure);
                } else {
                    sent.complete(metadata);
                }
            });
        } catch (KafkaException | IllegalStateException e) {
            sent.completeExceptionally(e);
        }
        return sent;
    }

    private void answer(IncidentCommand command, OutcomeWaiter.Outcome outcome, Response response, Callback callback) {
        if (outcome == null) {
            accepted(command, "no outcome within " + waitTimeout.toMillis() + " ms; the command is stored and will be decided: see "
                    + PREFIX + "/" + command.getIncidentId() + "/events", response, callback);
            return;
        }
        boolean rejected = outcome.result().getOutcome() == CommandOutcome.REJECTED;
        IncidentState state = outcome.incident();
        HttpServer.JsonBody incident = state == null ? null : incident(state);
        HttpServer.writeJson(response, callback, rejected ? 409 : 200, out -> {
            out.writeStartObject();
            if (rejected) {
                out.writeStringField("error", outcome.result().getReason());
            }
            out.writeStringField("commandId", command.getCommandId());
            out.writeStringField("incidentId", command.getIncidentId());
            out.writeStringField("outcome", outcome.result().getOutcome().name());
            out.writeArrayFieldStart("events");
            for (IncidentEvent event : outcome.events()) {
                AvroJson.write(event, Set.of(), out);
            }
            out.writeEndArray();
            out.writeFieldName("incident");
            if (incident == null) {
                out.writeNull();
            } else {
                incident.write(out);
            }
            out.writeEndObject();
        });
    }

    private static void accepted(IncidentCommand command, String note, Response response, Callback callback) {
        ObjectNode body = NODES.objectNode().put("commandId", command.getCommandId()).put("incidentId", command.getIncidentId());
        if (note != null) {
            body.put("note", note);
        }
        HttpServer.writeJson(response, callback, 202, body);
    }

    /**
     * The incident with its first alerts (each with the full alert as last attached) and the alert
     * counts, the rest page by page from {@code /alerts}; and the response targets at its severity now (its tier's as it
     * opened with them, else the engine's defaults).
     */
    private HttpServer.JsonBody incident(IncidentState state) {
        List<IncidentQueries.ListedAlert> first = queries.alerts(state.getIncidentId(), 0, IncidentLifecycle.ALERT_SAMPLE + 1)
                instanceof IncidentQueries.Answer.Here<List<IncidentQueries.ListedAlert>> here ? here.value() : List.of();
        boolean more = first.size() > IncidentLifecycle.ALERT_SAMPLE;
        ResponseTargets targets = ResponseTargets.of(state);
        return out -> {
            out.writeStartObject();
            AvroJson.writeFields(state, SHOW_OMITS, out);
            PublicationRequests.writePublication(state.getPublication(), out);
            writeAlerts(more ? first.subList(0, IncidentLifecycle.ALERT_SAMPLE) : first, out);
            out.writeStringField("alertsNextCursor", more ? Integer.toString(IncidentLifecycle.ALERT_SAMPLE) : null);
            out.writeObjectFieldStart("responseTargets");
            out.writeNumberField("acknowledgeSeconds", targets.acknowledge().toSeconds());
            out.writeNumberField("resolveSeconds", targets.resolve().toSeconds());
            // Whether they are its tier's (as it opened with them) or, when its tier sets none for its severity, the engine's.
            out.writeBooleanField("fromTier", state.getResponseTargets().containsKey(state.getSeverity().name()));
            out.writeEndObject();
            out.writeEndObject();
        };
    }

    private static void writeAlerts(List<IncidentQueries.ListedAlert> alerts, JsonGenerator out) throws IOException {
        out.writeArrayFieldStart("alerts");
        for (IncidentQueries.ListedAlert attached : alerts) {
            out.writeStartObject();
            out.writeStringField("fingerprint", attached.alert().getFingerprint());
            out.writeStringField("status", attached.status().name());
            out.writeStringField("severity", attached.alert().getSeverity().name());
            out.writeStringField("summary", attached.alert().getSummary());
            out.writeStringField("attachedAt", attached.attachedAt().toString());
            out.writeStringField("resolvedAt", attached.resolvedAt() == null ? null : attached.resolvedAt().toString());
            out.writeFieldName("alert");
            AvroJson.write(attached.alert(), Set.of(), out);
            out.writeEndObject();
        }
        out.writeEndArray();
    }


    private void silences(Request request, Response response, Callback callback) {
        Set<State> states = SilenceRequests.states(parameters(request));
        Instant now = clock.instant();
        ArrayNode silences = NODES.arrayNode();
        view.silences().stream()
                .filter(silence -> states.contains(State.of(silence, now)))
                .sorted(SilenceRequests.order(now))
                .forEach(silence -> silences.add(silence(silence, now)));
        ObjectNode body = NODES.objectNode();
        body.set("silences", silences);
        HttpServer.writeJson(response, callback, 200, body);
    }

    /**
     * Which firing alerts of open incidents a silence of these matchers would hold back: this
     * instance's partitions and every other instance's (asked as forwarded requests, as a list's
     * parts are), merged; 503 unless the parts cover every partition. A read, so a GET: a console
     * session needs no CSRF token for it, and a viewer may ask.
     */
    private void previewSilence(ApiUser user, Request request, Response response, Callback callback) {
        Predicate<Alert> matching = SilencePreview.matching(SilenceRequests.previewMatchers(parameters(request)), user.user(),
                clock.instant());
        ObjectNode local = SilencePreview.part(queries.firingAlerts(matching, SilencePreview.LIMITS));
        if (Forwarder.forwarded(request)) {
            HttpServer.writeJson(response, callback, 200, local);
            return;
        }
        List<JsonNode> parts = new ArrayList<>(List.of(local));
        parts.addAll(otherParts(request, request.getHttpURI().getPathQuery(), "silence preview"));
        requireEvery(SilencePreview.partitions(parts));
        HttpServer.writeJson(response, callback, 200, SilencePreview.answer(parts));
    }

    /** The read side's queries, or null until {@link #start}. */
    IncidentQueries queries() {
        return queries;
    }

    /** Writes a silence; completes once Kafka acknowledged it. */
    CompletableFuture<RecordMetadata> storeSilence(SilenceConfig silence) {
        return send(silenceTopic, silence.getId(), silence);
    }

    Duration waitTimeout() {
        return waitTimeout;
    }

    /** A POST with the id of a silence the view holds replaces it (200), as in Alertmanager; otherwise 201. */
    private void createSilence(ApiUser user, Request request, Response response, Callback callback) {
        boolean wait = ApiRequests.waitParameter(parameters(request));
        SilenceConfig silence = SilenceRequests.create(readBody(request), user, clock.instant());
        writeSilence(silence, view.silence(silence.getId()).isPresent() ? 200 : 201, wait, response, callback);
    }

    /** Writes the drill's alert; 202 once Kafka acknowledged it (the incident opens when incident-stream correlated it). */
    private void startDrill(ApiUser user, Request request, Response response, Callback callback) {
        DrillRequests.Drill drill = DrillRequests.start(readBody(request), request.getHeaders().get("Idempotency-Key"), user,
                service -> view.catalog().services().containsKey(service), clock.instant());
        send(alertTopic, drill.alert().getFingerprint(), drill.alert()).whenComplete((metadata, failure) -> {
            if (failure != null) {
                new ApiError(503, null, "the drill's alert could not be stored in Kafka; retry later with the same Idempotency-Key ("
                        + failure.getMessage() + ")").write(response, callback);
            } else {
                HttpServer.writeJson(response, callback, 202, out -> DrillRequests.write(drill, out));
            }
        });
    }

    /** Expires the silence: the same record ending now, so its history stays; an expired one is left as it is. */
    private void expireSilence(Request request, Response response, Callback callback) {
        boolean wait = ApiRequests.waitParameter(parameters(request));
        SilenceConfig current = knownSilence(request);
        SilenceConfig expired = SilenceRequests.expire(current, clock.instant());
        if (expired == null) {
            HttpServer.writeJson(response, callback, 200, silence(current, clock.instant()));
        } else {
            writeSilence(expired, 200, wait, response, callback);
        }
    }

    /** Answers once Kafka acknowledged the silence, or with {@code wait} once this instance's view has read it too. */
    private void writeSilence(SilenceConfig silence, int status, boolean wait, Response response, Callback callback) {
        send(silenceTopic, silence.getId(), silence).whenComplete((metadata, failure) -> {
            if (failure != null) {
                new ApiError(503, null, "the silence could not be stored in Kafka; retry later with the same id ("
                        + failure.getMessage() + ")").write(response, callback);
                return;
            }
            response.getHeaders().put(HttpHeader.LOCATION, SILENCES + "/" + silence.getId());
            if (!wait) {
                HttpServer.writeJson(response, callback, status, silence(silence, clock.instant()));
                return;
            }
            view.awaitSilence(metadata.partition(), metadata.offset()).thenApply(read -> true)
                    .completeOnTimeout(false, waitTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .whenCompleteAsync((read, error) -> {
                        ObjectNode body = silence(silence, clock.instant());
                        if (!Boolean.TRUE.equals(read)) {
                            body.put("note", "stored in Kafka, but this instance's view did not read it within "
                                    + waitTimeout.toMillis() + " ms");
                        }
                        HttpServer.writeJson(response, callback, status, body);
                    });
        });
    }

    private SilenceConfig knownSilence(Request request) {
        String id = Request.getPathInContext(request).substring(SILENCES.length() + 1);
        if (id.contains("/")) {
            throw new ApiError(404, null, "not found");
        }
        return view.silence(id).orElseThrow(() -> new ApiError(404, null, "unknown silence " + id));
    }

    /** The silence as stored, plus its {@code state} now: active, pending or expired. */
    static ObjectNode silence(SilenceConfig silence, Instant now) {
        ObjectNode json = AvroJson.write(silence);
        json.put("state", State.of(silence, now).json());
        return json;
    }

    /** One producer for its topics (commands, silences, drills' alerts): each value goes through the serializer of its type. */
    private static Serializer<SpecificRecord> byType(Serializer<IncidentCommand> commands, Serializer<SilenceConfig> silences,
                                                     Serializer<Alert> alerts) {
        return new Serializer<>() {
            @Override
            public byte[] serialize(String topic, SpecificRecord data) {
                return data instanceof SilenceConfig silence ? silences.serialize(topic, silence)
                        : data instanceof Alert alert ? alerts.serialize(topic, alert)
                        : commands.serialize(topic, (IncidentCommand) data);
            }

            @Override
            public byte[] serialize(String topic, Headers headers, SpecificRecord data) {
                return data instanceof SilenceConfig silence ? silences.serialize(topic, headers, silence)
                        : data instanceof Alert alert ? alerts.serialize(topic, headers, alert)
                        : commands.serialize(topic, headers, (IncidentCommand) data);
            }
        };
    }

    private static ApiError unknown(String incidentId) {
        return new ApiError(404, null, "unknown incident " + incidentId);
    }

    /** The path below {@value #PREFIX}, split: {@code [id]}, {@code [id, "events"]}, {@code [id, action]}. */
    private static String[] path(Request request) {
        String rest = Request.getPathInContext(request).substring(PREFIX.length() + 1);
        return rest.endsWith("/") || rest.contains("//") ? new String[0] : rest.split("/");
    }

    private static Map<String, List<String>> parameters(Request request) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        for (Fields.Field field : Request.extractQueryParameters(request)) {
            parameters.put(field.getName(), field.getValues());
        }
        return parameters;
    }

    private static byte[] readBody(Request request) {
        return readBody(request, ApiRequests.MAX_BODY_BYTES);
    }

    /** The body, or its first {@code limit} + 1 bytes when it is longer (the caller answers 413). */
    static byte[] readBody(Request request, int limit) {
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                // Read the rest (within reason) so the client sees our 413, not a connection reset.
                in.skipNBytes(Math.min(Math.max(0, request.getLength() - body.length), DRAIN_LIMIT));
            }
            return body;
        } catch (IOException e) {
            throw new ApiError(400, "body", "cannot be read (" + e.getMessage() + ")");
        }
    }

    /** The callback, counting the request by endpoint and status once it is answered. */
    Callback counted(String endpoint, Response response, Callback callback) {
        return new Callback() {
            @Override
            public void succeeded() {
                count(endpoint, response.getStatus());
                callback.succeeded();
            }

            @Override
            public void failed(Throwable failure) {
                count(endpoint, response.getStatus());
                callback.failed(failure);
            }
        };
    }

    private void count(String endpoint, int status) {
        if (metrics == null) {
            return;
        }
        counters.computeIfAbsent(endpoint + '|' + status, key -> Counter.builder("incident_api_requests_total")
                .description("Incident API requests by endpoint and HTTP status")
                .tags("endpoint", endpoint, "status", Integer.toString(status))
                .register(metrics)).increment();
    }

    @Override
    public void close() {
        outcomes.close();
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
