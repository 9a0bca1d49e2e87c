package dev.incidentengine.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.ingest.heartbeat.Watchdog;
import dev.incidentengine.ingest.normalize.AlertLimits;
import dev.incidentengine.ingest.normalize.AlertmanagerApiFormat;
import dev.incidentengine.ingest.normalize.AlertmanagerFormat;
import dev.incidentengine.ingest.normalize.FieldError;
import dev.incidentengine.ingest.normalize.GenericFormat;
import dev.incidentengine.ingest.normalize.InvalidPayloadException;
import dev.incidentengine.ingest.normalize.PagerDutyFormat;
import dev.incidentengine.ingest.normalize.Source;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.HeartbeatPing;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.RequestBodyGuard;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The HTTP receivers. Each request is authenticated, bounded, parsed and normalized whole before
 * anything is written; it is answered 2xx only once Kafka committed all of its alerts.
 */
final class IngestEndpoints {

    private static final Logger log = LoggerFactory.getLogger(IngestEndpoints.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Why a request was refused, with the status it gets and the metrics tag. */
    static final class Refusal extends RuntimeException {
        final int status;
        final String outcome;
        final List<FieldError> errors;
        final long retryAfterSeconds;

        Refusal(int status, String outcome, String message, List<FieldError> errors, long retryAfterSeconds) {
            super(message, null, false, false);
            this.status = status;
            this.outcome = outcome;
            this.errors = errors;
            this.retryAfterSeconds = retryAfterSeconds;
        }

        Refusal(int status, String outcome, String message) {
            this(status, outcome, message, List.of(), 0);
        }
    }

    /** Alertmanager API v2's alerts: Prometheus' {@code alerting.alertmanagers} can send here directly. */
    static final String ALERTMANAGER_API = "/api/v2/alerts";
    private static final long DRAIN_LIMIT = 16L * 1024 * 1024;
    private static final long BACKLOG_RECHECK_MS = 20;

    /** How a refusal is written: ours, PagerDuty's Events API shape, or Alertmanager API v2's (a JSON string). */
    private enum Shape { ENGINE, PAGERDUTY, ALERTMANAGER }

    /** A webhook format: JSON to alerts. */
    private interface Format {
        List<Alert> normalize(JsonNode body, Source source, AlertLimits limits);
    }

    private final Integrations integrations;
    private final AlertWriter writer;
    private final Resends resends;
    private final RecordWriter<HeartbeatPing> pings;
    private final RateLimiter rateLimiter;
    private final Admission admission;
    private final AlertIngestConfig config;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final Map<String, Object> meters = new java.util.concurrent.ConcurrentHashMap<>();
    /** Where requests of busy sources wait for the backlog to shrink: checks only, the writes are asynchronous. */
    private final ScheduledExecutorService backlogWaits;
    private volatile long lastBacklogLog = System.nanoTime() - TimeUnit.MINUTES.toNanos(1);

    IngestEndpoints(Integrations integrations, AlertWriter writer, Resends resends, RateLimiter rateLimiter, Admission admission,
                    AlertIngestConfig config, MeterRegistry metrics, Clock clock, RecordWriter<HeartbeatPing> pings) {
        this.integrations = integrations;
        this.writer = writer;
        this.resends = resends;
        this.pings = pings;
        this.rateLimiter = rateLimiter;
        this.admission = admission;
        this.backlogWaits = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "ingest-backlog-waits");
            thread.setDaemon(true);
            return thread;
        });
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
    }

    void register(HttpServer http) {
        webhook(http, "alertmanager", "/api/v1/alertmanager", AlertmanagerFormat.alertmanager()::normalize);
        webhook(http, "grafana", "/api/v1/grafana", AlertmanagerFormat.grafana()::normalize);
        webhook(http, "generic", "/api/v1/alerts", GenericFormat::normalize);
        http.ingestRoute("POST", "/v2/enqueue", this::pagerDuty);
        http.ingestRoute("POST", ALERTMANAGER_API, this::alertmanagerApi);
    }

    /** Webhooks authenticate by bearer token, basic auth password, {@code ?key=} or a path token. */
    private void webhook(HttpServer http, String endpoint, String path, Format format) {
        Request.Handler handler = (request, response, callback) -> {
            long start = System.nanoTime();
            String integrationTag = "none";
            IntegrationConfig integration;
            try {
                integration = authenticate(integrations, config, credential(request, path));
            } catch (Refusal refusal) {
                // Refused before its body was read: read it, so the client may reuse the connection.
                HttpServer.drain(request);
                refuse(response, callback, endpoint, integrationTag, start, refusal, Shape.ENGINE);
                return true;
            }
            try {
                integrationTag = integration.getId();
                JsonNode body = parse(readBody(request));
                Instant now = clock.instant();
                // The integration's watchdog alert is its heartbeat's ping, not an alert.
                Watchdog.Split split = Watchdog.split(integration, normalize(() -> format.normalize(body, Source.of(integration, now),
                        config.alertLimits())), endpoint, now);
                List<Alert> alerts = split.alerts();
                admit(integration, alerts.size());
                Resends.Batch batch = resends.select(alerts, now);
                String tag = integrationTag;
                whenAdmitted(source(integration, body), integration, batch.write().size(), () -> write(batch, split.ping()).whenComplete((ok, failure) -> {
                    if (failure == null) {
                        stored(endpoint, tag, "accepted", alerts, batch, start);
                        Map<String, Object> answer = new LinkedHashMap<>(Map.of("status", "accepted", "alerts", alerts.size()));
                        if (split.ping() != null) {
                            answer.put("heartbeat", split.ping().getHeartbeatId());
                        }
                        HttpServer.writeJson(response, callback, 202, answer);
                    } else {
                        refuse(response, callback, endpoint, tag, start, unavailable(failure), Shape.ENGINE);
                    }
                }), refusal -> refuse(response, callback, endpoint, tag, start, refusal, Shape.ENGINE));
            } catch (Refusal refusal) {
                refuse(response, callback, endpoint, integrationTag, start, refusal, Shape.ENGINE);
            }
            return true;
        };
        http.ingestRoute("POST", path, handler);
        http.ingestRoute("POST", path + "/*", handler);
    }

    /** PagerDuty Events API v2: the routing key in the body is the credential; answers in PagerDuty's shapes. */
    private boolean pagerDuty(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String integrationTag = "none";
        try {
            JsonNode body = parse(readBody(request));
            String key = PagerDutyFormat.routingKey(body).orElseThrow(() ->
                    new Refusal(401, "unauthorized", "routing_key is missing"));
            IntegrationConfig integration = authenticate(integrations, config, key);
            integrationTag = integration.getId();
            Instant now = clock.instant();
            PagerDutyFormat.Event event = normalize(() -> PagerDutyFormat.normalize(body, Source.of(integration, now),
                    config.alertLimits()));
            admit(integration, 1);
            Resends.Batch batch = resends.select(List.of(event.alert()), now);
            String tag = integrationTag;
            whenAdmitted(integration.getId(), integration, batch.write().size(), () -> writer.write(batch).whenComplete((ok, failure) -> {
                if (failure == null) {
                    stored("pagerduty", tag, "accepted", List.of(event.alert()), batch, start);
                    HttpServer.writeJson(response, callback, 202,
                            Map.of("status", "success", "message", "Event processed", "dedup_key", event.dedupKey()));
                } else {
                    refuse(response, callback, "pagerduty", tag, start, unavailable(failure), Shape.PAGERDUTY);
                }
            }), refusal -> refuse(response, callback, "pagerduty", tag, start, refusal, Shape.PAGERDUTY));
        } catch (Refusal refusal) {
            refuse(response, callback, "pagerduty", integrationTag, start, refusal, Shape.PAGERDUTY);
        }
        return true;
    }

    /**
     * Alertmanager API v2's {@code POST /api/v2/alerts}: the integration key as Prometheus sends it
     * ({@code authorization} bearer credentials, or {@code basic_auth}'s password). The valid alerts
     * of a batch are written, as Alertmanager does; the answer is 200, or 400 naming the invalid ones
     * once the valid ones are stored.
     */
    private boolean alertmanagerApi(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String endpoint = "alertmanager-api";
        String integrationTag = "none";
        IntegrationConfig integration;
        try {
            integration = authenticate(integrations, config, credential(request, ALERTMANAGER_API));
        } catch (Refusal refusal) {
            HttpServer.drain(request); // refused before its body was read: read it, so the client may reuse the connection
            refuse(response, callback, endpoint, integrationTag, start, refusal, Shape.ALERTMANAGER);
            return true;
        }
        try {
            integrationTag = integration.getId();
            JsonNode body = parse(readBody(request));
            Instant now = clock.instant();
            AlertmanagerApiFormat.Batch batch = normalize(() -> AlertmanagerApiFormat.normalize(body,
                    Source.of(integration, now), config.alertLimits(), config.alertmanagerResolveTimeout()));
            // Prometheus' Watchdog posted straight here is the heartbeat's ping, as through a webhook.
            Watchdog.Split split = Watchdog.split(integration, batch.alerts(), endpoint, now);
            List<Alert> alerts = split.alerts();
            Refusal invalid = batch.errors().isEmpty() ? null
                    : new Refusal(400, "bad_request", batch.errors().size() + " invalid alert field(s)", batch.errors(), 0);
            if (alerts.isEmpty() && split.ping() == null) {
                if (invalid != null) {
                    throw invalid;
                }
                finish(endpoint, integrationTag, "accepted", 0, start);
                ok(response, callback);
                return true;
            }
            admit(integration, alerts.size());
            Resends.Batch toWrite = resends.select(alerts, now);
            String tag = integrationTag;
            whenAdmitted(integration.getId(), integration, toWrite.write().size(), () -> write(toWrite, split.ping())
                    .whenComplete((ok, failure) -> {
                        if (failure != null) {
                            refuse(response, callback, endpoint, tag, start, unavailable(failure), Shape.ALERTMANAGER);
                            return;
                        }
                        // With invalid alerts: the valid ones stored, the others refused, counted once as partly accepted.
                        stored(endpoint, tag, invalid != null ? "partial" : "accepted", alerts, toWrite, start);
                        if (invalid != null) {
                            alertmanagerError(response, callback, invalid);
                        } else {
                            ok(response, callback);
                        }
                    }), refusal -> refuse(response, callback, endpoint, tag, start, refusal, Shape.ALERTMANAGER));
        } catch (Refusal refusal) {
            refuse(response, callback, endpoint, integrationTag, start, refusal, Shape.ALERTMANAGER);
        }
        return true;
    }

    /** Alertmanager's 200 to posted alerts has no body. */
    private static void ok(Response response, Callback callback) {
        response.setStatus(200);
        response.write(true, java.nio.ByteBuffer.allocate(0), callback);
    }

    /** The request's alerts to write and its heartbeat's ping, if any: done when Kafka acknowledged all of them. */
    private CompletableFuture<Void> write(Resends.Batch alerts, HeartbeatPing ping) {
        return ping == null ? writer.write(alerts)
                : CompletableFuture.allOf(writer.write(alerts), pings.write(List.of(ping)));
    }

    /** The integration whose key {@code credential} is; refused (503, 401, 403) as every receiver refuses. */
    static IntegrationConfig authenticate(Integrations integrations, AlertIngestConfig config, String credential) {
        if (!integrations.ready()) {
            // A 403 now could make a sender drop a valid alert; a 503 makes it retry.
            throw new Refusal(503, "unavailable", "starting: integrations are still loading; retry later",
                    List.of(), config.retryAfterSeconds());
        }
        if (credential == null || credential.isBlank()) {
            throw new Refusal(401, "unauthorized",
                    "credentials are missing: send the integration key as 'Authorization: Bearer <key>' or ?key=<key>");
        }
        return integrations.byKey(credential).orElseThrow(() ->
                new Refusal(403, "forbidden", "unknown or revoked integration key"));
    }

    /** The integration key a request carries; {@code path} is the receiver's, after which a path token may follow. */
    static String credential(Request request, String path) {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization != null) {
            if (authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return authorization.substring(7).strip();
            }
            if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                try {
                    String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
                    int colon = decoded.indexOf(':');
                    String password = colon < 0 ? "" : decoded.substring(colon + 1);
                    return password.isEmpty() ? (colon < 0 ? decoded : decoded.substring(0, colon)) : password;
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        String query = Request.extractQueryParameters(request).getValue("key");
        if (query != null) {
            return query;
        }
        String requestPath = Request.getPathInContext(request);
        return requestPath.length() > path.length() + 1 ? requestPath.substring(path.length() + 1) : null;
    }

    private byte[] readBody(Request request) {
        int max = config.maxBodyBytes();
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] body = in.readNBytes(max + 1);
            if (body.length > max) {
                // Read the rest (within reason) so the client sees our 413, not a connection reset.
                in.skipNBytes(Math.min(Math.max(0, request.getLength() - body.length), DRAIN_LIMIT));
                throw new Refusal(413, "too_large", "body is over the limit of " + max + " bytes");
            }
            return body;
        } catch (RequestBodyGuard.TooSlow e) {
            throw new Refusal(408, "too_slow", e.getMessage());
        } catch (IOException e) {
            throw new Refusal(400, "bad_request", "cannot read the body: " + e.getMessage());
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw new Refusal(400, "bad_request", "body is empty",
                    List.of(new FieldError("body", "must be a JSON document")), 0);
        }
        try {
            return JSON.readTree(body);
        } catch (JacksonException e) {
            throw new Refusal(400, "bad_request", "body is not valid JSON",
                    List.of(new FieldError("body", e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
                            + ", column " + e.getLocation().getColumnNr())), 0);
        } catch (IOException e) {
            throw new Refusal(400, "bad_request", "cannot read the body: " + e.getMessage());
        }
    }

    private static <T> T normalize(java.util.function.Supplier<T> normalizer) {
        try {
            return normalizer.get();
        } catch (InvalidPayloadException e) {
            throw e.overLimit() ? new Refusal(400, "over_limit", "alert over the size limits", e.errors(), 0)
                    : new Refusal(400, "bad_request", "invalid alert payload", e.errors(), 0);
        }
    }

    /**
     * Who offers the alerts, for {@link Admission}: the integration, and for an Alertmanager or
     * Grafana webhook its group, since one Alertmanager usually sends every service's alerts and a
     * storm is one group of it. The group key is cut short: it is only told apart.
     */
    private static String source(IntegrationConfig integration, JsonNode body) {
        String group = body.path("groupKey").asText("");
        return group.isEmpty() ? integration.getId() : integration.getId() + '|' + group.substring(0, Math.min(group.length(), 256));
    }

    /** Size and rate limits, checked before anything is written. */
    private void admit(IntegrationConfig integration, int alerts) {
        if (alerts > config.maxAlertsPerRequest()) {
            throw new Refusal(413, "too_large", alerts + " alerts in one request; the limit is " + config.maxAlertsPerRequest());
        }
        long retryAfter = rateLimiter.tryAcquire(integration.getId(), alerts);
        if (retryAfter > 0) {
            throw new Refusal(429, "rate_limited", "rate limit of integration " + integration.getId() + " exceeded",
                    List.of(), retryAfter);
        }
    }

    /**
     * Writes the alerts once {@link Admission} lets them in. A busy source's request waits while
     * incident-stream's backlog is over the limit, re-checked every {@value #BACKLOG_RECHECK_MS} ms,
     * which paces a storm to what incident-stream takes without idle gaps; after the longest wait
     * it is refused with 503 and Retry-After: 1. Nothing is written before. {@code alerts} are those to be written:
     * absorbed resends add nothing to the backlog, and a request with none (a ping at most) goes through at once.
     */
    private void whenAdmitted(String source, IntegrationConfig integration, int alerts, Runnable write, Consumer<Refusal> refuse) {
        if (alerts == 0) {
            write.run();
            return;
        }
        boolean busy = admission.busy(source, integration.getId(), alerts);
        if (admission.tryAdmit(busy, alerts)) {
            write.run();
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.backlogMaxWaitMs());
        backlogWaits.schedule(new Runnable() {
            @Override
            public void run() {
                if (admission.tryAdmit(true, alerts)) {
                    try {
                        write.run();
                    } catch (RuntimeException e) {
                        refuse.accept(unavailable(e)); // on this thread, nothing else would answer the request
                    }
                } else if (System.nanoTime() - deadline > 0) {
                    long now = System.nanoTime();
                    if (now - lastBacklogLog > TimeUnit.SECONDS.toNanos(10)) {
                        lastBacklogLog = now;
                        // The integration, not the source: a group key is the sender's text.
                        log.info("Alerts of busy sources are refused while incident-stream is {} ms behind (limit {} ms); "
                                + "integration {}", admission.backlogMs(), config.backlogMaxMs(), integration.getId());
                    }
                    refuse.accept(new Refusal(503, "backlogged", "incident-stream is behind and this source sends more than "
                            + Math.round(config.backlogQuietPerSecond()) + " alerts a second: retry shortly", List.of(), 1));
                } else {
                    backlogWaits.schedule(this, BACKLOG_RECHECK_MS, TimeUnit.MILLISECONDS);
                }
            }
        }, BACKLOG_RECHECK_MS, TimeUnit.MILLISECONDS);
    }

    private Refusal unavailable(Throwable failure) {
        return new Refusal(503, "unavailable", "alerts could not be stored in Kafka; retry later (" + failure.getMessage() + ")",
                List.of(), config.retryAfterSeconds());
    }

    private void refuse(Response response, Callback callback, String endpoint, String integration, long start,
                        Refusal refusal, Shape shape) {
        finish(endpoint, integration, refusal.outcome, 0, start);
        // A backlog refusal is expected in a storm: counted, and logged by whenAdmitted() at most every 10 s.
        if (refusal.status >= 500 && !refusal.outcome.equals("backlogged")) {
            MDC.put("integration", integration);
            log.warn("{} request refused with {}: {}", endpoint, refusal.status, refusal.getMessage());
            MDC.remove("integration");
        }
        if (refusal.retryAfterSeconds > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(refusal.retryAfterSeconds));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (shape == Shape.ALERTMANAGER) {
            alertmanagerError(response, callback, refusal);
            return;
        }
        if (shape == Shape.PAGERDUTY) {
            body.put("status", refusal.status == 400 ? "invalid event" : refusal.outcome.replace('_', ' '));
            body.put("message", refusal.status == 400 && !refusal.errors.isEmpty() ? "Event object is invalid" : refusal.getMessage());
            body.put("errors", refusal.errors.isEmpty() ? List.of(refusal.getMessage())
                    : refusal.errors.stream().map(FieldError::toString).toList());
        } else {
            body.put("status", "rejected");
            body.put("message", refusal.getMessage());
            body.put("errors", refusal.errors);
        }
        HttpServer.writeJson(response, callback, refusal.status, body);
    }

    /** Alertmanager answers errors with a JSON string; the fields are named in it. */
    private static void alertmanagerError(Response response, Callback callback, Refusal refusal) {
        String message = refusal.errors.isEmpty() ? refusal.getMessage()
                : refusal.getMessage() + ": " + String.join("; ", refusal.errors.stream().map(FieldError::toString).toList());
        HttpServer.writeJson(response, callback, refusal.status, message);
    }

    private void finish(String endpoint, String integration, String outcome, int alerts, long start) {
        // Meters are looked up once per combination: registering on every request costs more than the count.
        meter(endpoint + '|' + integration + '|' + outcome, () -> Counter.builder("ingest_requests_total")
                .description("HTTP alert requests by endpoint, integration and outcome")
                .tags("endpoint", endpoint, "integration", integration, "outcome", outcome)
                .register(metrics), Counter.class).increment();
        if (alerts > 0) {
            meter(integration + '|' + outcome, () -> Counter.builder("ingest_alerts_total")
                    .description("Alerts accepted, by integration")
                    .tags("integration", integration, "outcome", outcome)
                    .register(metrics), Counter.class).increment(alerts);
        }
        meter(endpoint, () -> Timer.builder("ingest_request_seconds")
                .description("HTTP alert request latency, until Kafka committed")
                .tags("endpoint", endpoint)
                .publishPercentileHistogram()
                .register(metrics), Timer.class).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }

    /** A request whose alerts Kafka holds, written now or absorbed as unchanged resends: counted once. */
    private void stored(String endpoint, String integration, String outcome, List<Alert> alerts, Resends.Batch batch, long start) {
        finish(endpoint, integration, outcome, alerts.size(), start);
        countAbsorbed(integration, batch);
        countRefusedServices(integration, alerts);
    }

    /** Resends answered as accepted and not written (see {@link Resends}): what absorption saves, for the operator to see. */
    private void countAbsorbed(String integration, Resends.Batch batch) {
        if (batch.absorbed() > 0) {
            meter(integration + "|absorbed", () -> Counter.builder("ingest_alerts_absorbed_total")
                    .description("Alerts answered as accepted but not written: unchanged resends of what alerts.v1 already holds")
                    .tags("integration", integration)
                    .register(metrics), Counter.class).increment(batch.absorbed());
        }
    }

    /** Alerts that named a service their integration may not page: a sender to fix, so it is counted. */
    private void countRefusedServices(String integration, List<Alert> alerts) {
        long refused = alerts.stream().filter(alert -> alert.getAnnotations().containsKey(Source.REFUSED_SERVICE_ANNOTATION)).count();
        if (refused > 0) {
            meter(integration + "|refused-service", () -> Counter.builder("ingest_refused_service_alerts_total")
                    .description("Alerts that named a service outside their integration's services; they went to the integration's service")
                    .tags("integration", integration)
                    .register(metrics), Counter.class).increment(refused);
        }
    }

    private <M> M meter(String key, java.util.function.Supplier<M> create, Class<M> type) {
        return type.cast(meters.computeIfAbsent(type.getSimpleName() + '|' + key, k -> create.get()));
    }
}
