package dev.incidentengine.ingest;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import dev.incidentengine.ingest.heartbeat.Watchdog;
import dev.incidentengine.model.HeartbeatPing;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.service.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET|POST /api/v1/heartbeats/<id>}: a ping of the heartbeat of integration {@code <id>}, authenticated by that
 * integration's key (bearer token, basic-auth password or {@code ?key=}), as a cron job's {@code curl} sends it. The
 * body is not read (at most {@code ingest.max.body.bytes}). 202 once Kafka acknowledged the ping on
 * {@code heartbeats.v1}; 401 without a key, 403 for a key that is not that integration's (whether or not it exists),
 * 404 when the integration has no heartbeat, 400 for a malformed id, 413, 429 and 503 as for alerts.
 */
final class HeartbeatEndpoint {

    static final String PATH = "/api/v1/heartbeats";
    /** Integration ids as config files write them; bounded so a path cannot be made into a large label or log line. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final Logger log = LoggerFactory.getLogger(HeartbeatEndpoint.class);

    private final Integrations integrations;
    private final RecordWriter<HeartbeatPing> pings;
    private final RateLimiter rateLimiter;
    private final AlertIngestConfig config;
    private final MeterRegistry metrics;
    private final Clock clock;

    HeartbeatEndpoint(Integrations integrations, RecordWriter<HeartbeatPing> pings, RateLimiter rateLimiter,
                      AlertIngestConfig config, MeterRegistry metrics, Clock clock) {
        this.integrations = integrations;
        this.pings = pings;
        this.rateLimiter = rateLimiter;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
    }

    void register(HttpServer http) {
        http.ingestRoute("GET", PATH + "/*", this::ping);
        http.ingestRoute("POST", PATH + "/*", this::ping);
    }

    private boolean ping(Request request, Response response, Callback callback) {
        long length = request.getLength();
        HttpServer.drain(request); // the body means nothing; read, so the client may reuse the connection
        String id = Request.getPathInContext(request).substring(PATH.length() + 1);
        if (!ID.matcher(id).matches()) {
            return answer(response, callback, 400, "bad_request", "the heartbeat id must be an integration id: 1 to 128 of "
                    + "letters, digits and . _ : - (starting with a letter or digit)", 0);
        }
        if (length > config.maxBodyBytes()) {
            return answer(response, callback, 413, "too_large", "body is over the limit of " + config.maxBodyBytes() + " bytes", 0);
        }
        IntegrationConfig integration;
        try {
            integration = IngestEndpoints.authenticate(integrations, config,
                    IngestEndpoints.credential(request, Request.getPathInContext(request)));
        } catch (IngestEndpoints.Refusal refusal) {
            // An unknown key is refused as another integration's is: the answer does not tell which integrations exist.
            return refusal.status == 403 ? notThisIntegration(response, callback, id)
                    : answer(response, callback, refusal.status, refusal.outcome, refusal.getMessage(), refusal.retryAfterSeconds);
        }
        if (!integration.getId().equals(id)) {
            return notThisIntegration(response, callback, id);
        }
        if (integration.getHeartbeat() == null) {
            return answer(response, callback, 404, "not_found", "integration '" + id + "' has no heartbeat configured", 0);
        }
        long retryAfter = rateLimiter.tryAcquire(id, 1);
        if (retryAfter > 0) {
            return answer(response, callback, 429, "rate_limited", "rate limit of integration " + id + " exceeded", retryAfter);
        }
        pings.write(List.of(Watchdog.ping(id, clock.instant(), "http"))).whenComplete((ok, failure) -> {
            if (failure == null) {
                count("accepted");
                HttpServer.writeJson(response, callback, 202, Map.of("status", "accepted", "heartbeat", id));
            } else {
                log.warn("Heartbeat ping of {} refused with 503: {}", id, failure.toString());
                answer(response, callback, 503, "unavailable", "the ping could not be stored in Kafka; retry later",
                        config.retryAfterSeconds());
            }
        });
        return true;
    }

    private boolean notThisIntegration(Response response, Callback callback, String id) {
        return answer(response, callback, 403, "forbidden", "the key is not the key of integration '" + id + "'", 0);
    }

    private boolean answer(Response response, Callback callback, int status, String outcome, String message, long retryAfter) {
        count(outcome);
        if (retryAfter > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(retryAfter));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "rejected");
        body.put("message", message);
        body.put("errors", List.of());
        HttpServer.writeJson(response, callback, status, body);
        return true;
    }

    private void count(String outcome) {
        Counter.builder("ingest_heartbeat_requests_total").description("HTTP heartbeat pings by outcome")
                .tag("outcome", outcome).register(metrics).increment();
    }
}
