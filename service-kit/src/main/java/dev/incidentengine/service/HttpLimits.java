package dev.incidentengine.service;

import java.time.Duration;

/**
 * What one HTTP server allows its clients (the {@code http.*} settings of {@link EngineConfig}).
 *
 * @param maxThreads request threads; the API, health and metrics keep at least
 *                   {@code maxThreads - ingestMaxConcurrent} of them whatever ingest does
 * @param maxConnections open connections; beyond it new ones wait in the accept backlog
 * @param idleTimeout a connection that sends and receives nothing this long is closed
 * @param minRequestDataRate bytes per second a request body must arrive at, after its first second
 * @param requestBodyTimeout the longest a request body may take to arrive, whatever its rate
 * @param ingestMaxConcurrent alert requests ({@link HttpServer#ingestRoute}) handled at once
 * @param ingestMaxQueued alert requests waiting for their turn; more get 503
 * @param ingestMaxQueueTime the longest an alert request waits for its turn before a 503
 */
public record HttpLimits(int maxThreads, int maxConnections, Duration idleTimeout, long minRequestDataRate,
                         Duration requestBodyTimeout, int ingestMaxConcurrent, int ingestMaxQueued, Duration ingestMaxQueueTime) {

    public static final HttpLimits DEFAULTS = new HttpLimits(64, 1024, Duration.ofSeconds(30), 1024, Duration.ofSeconds(30),
            32, 1024, Duration.ofSeconds(10));

    public HttpLimits {
        if (ingestMaxConcurrent >= maxThreads) {
            throw new IllegalArgumentException("the ingest budget (" + ingestMaxConcurrent + ") must leave threads of the "
                    + maxThreads + " for the API and health endpoints");
        }
    }
}
