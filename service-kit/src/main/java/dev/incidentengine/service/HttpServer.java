package dev.incidentengine.service;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The engine's HTTP server (Jetty): service endpoints plus {@code /healthz} (the process is up),
 * {@code /readyz} (every service is ready) and {@code /metrics} (Prometheus text format).
 * The health endpoints need no credentials; services authenticate their own endpoints.
 *
 * <p>Within {@link HttpLimits}: a bounded thread pool and connection count, an idle timeout, and
 * request bodies cut off when slower than a minimum rate or later than a deadline
 * ({@link RequestBodyGuard}). Alert receivers ({@link #ingestRoute}) share a budget of concurrent
 * requests (Jetty's {@link QoSHandler}; the rest wait without a thread, then get 503), so a flood
 * or slow senders cannot take the threads that health, metrics and the API need.
 */
public final class HttpServer implements AutoCloseable {

    /** A service's readiness on /readyz when it can do its work. */
    public static final String READY = "ready";
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Route(Request.Handler handler, boolean ingest) {
    }

    private final Server server;
    private final ServerConnector connector;
    private final Map<String, Route> routes = new LinkedHashMap<>();

    public HttpServer(String host, int port) {
        this(host, port, HttpLimits.DEFAULTS);
    }

    public HttpServer(String host, int port, HttpLimits limits) {
        QueuedThreadPool threads = new QueuedThreadPool(limits.maxThreads(), 4);
        threads.setName("http");
        server = new Server(threads);
        connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(limits.idleTimeout().toMillis());
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
        Handler router = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                Route route = find(request.getMethod(), path);
                if (route != null) {
                    return route.handler().handle(request, response, callback);
                }
                boolean knownPath = routes.keySet().stream().anyMatch(key -> matches(key.substring(key.indexOf(' ') + 1), path));
                writeJson(response, callback, knownPath ? 405 : 404,
                        Map.of("error", knownPath ? "method not allowed" : "not found"));
                return true;
            }
        };
        QoSHandler ingestBudget = new QoSHandler(router);
        ingestBudget.setMaxRequestCount(limits.ingestMaxConcurrent());
        ingestBudget.setMaxSuspendedRequestCount(limits.ingestMaxQueued());
        ingestBudget.setMaxSuspend(limits.ingestMaxQueueTime());
        ingestBudget.include(request -> {
            Route route = find(request.getMethod(), Request.getPathInContext(request));
            return route != null && route.ingest();
        });
        server.setHandler(new RequestBodyGuard(ingestBudget, limits.minRequestDataRate(), limits.requestBodyTimeout()));
        server.setStopTimeout(2_000);
    }

    private Route find(String method, String path) {
        Route exact = routes.get(method + " " + path);
        if (exact != null) {
            return exact;
        }
        return routes.entrySet().stream()
                .filter(route -> route.getKey().startsWith(method + " ") && route.getKey().endsWith("/*"))
                .filter(route -> matches(route.getKey().substring(method.length() + 1), path))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(null);
    }

    /** {@code /a/b} matches itself; {@code /a/*} matches {@code /a/} followed by one or more characters. */
    private static boolean matches(String pattern, String path) {
        if (pattern.endsWith("/*")) {
            String prefix = pattern.substring(0, pattern.length() - 1);
            return path.startsWith(prefix) && path.length() > prefix.length();
        }
        return pattern.equals(path);
    }

    /** Adds an endpoint; a path ending in {@code /*} takes any path below it. Call before {@link #start()}. */
    public void route(String method, String path, Request.Handler handler) {
        add(method, path, new Route(handler, false));
    }

    /** Adds an endpoint that receives alerts: it is served within the ingest budget of {@link HttpLimits}. */
    public void ingestRoute(String method, String path, Request.Handler handler) {
        add(method, path, new Route(handler, true));
    }

    private void add(String method, String path, Route route) {
        if (routes.putIfAbsent(method + " " + path, route) != null) {
            throw new IllegalArgumentException("Route registered twice: " + method + " " + path);
        }
    }

    /**
     * Adds the unauthenticated health endpoints and the metrics scrape. {@code readiness} gives each
     * service's "ready" or the reason it is not; /readyz is 200 only when all are ready, else 503, never 500.
     */
    public void healthRoutes(Supplier<Map<String, String>> readiness, Supplier<String> scrape) {
        route("GET", "/healthz", (request, response, callback) -> {
            writeJson(response, callback, 200, Map.of("status", "ok"));
            return true;
        });
        route("GET", "/readyz", (request, response, callback) -> {
            Map<String, String> services;
            try {
                services = readiness.get();
            } catch (RuntimeException e) {
                writeJson(response, callback, 503, Map.of("status", "not ready", "error", e.toString()));
                return true;
            }
            boolean ok = services.values().stream().allMatch(READY::equals);
            writeJson(response, callback, ok ? 200 : 503, Map.of("status", ok ? "ready" : "not ready", "services", services));
            return true;
        });
        route("GET", "/metrics", (request, response, callback) -> {
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            Content.Sink.write(response, true, scrape.get(), callback);
            return true;
        });
    }

    public void start() {
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot start HTTP server on " + connector.getHost() + ":" + connector.getPort()
                    + ": " + e.getMessage(), e);
        }
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), connector.getLocalPort());
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("HTTP server did not stop cleanly", e);
        }
    }

    /** The most of a refused request's body {@link #drain} reads. */
    private static final long DRAIN_LIMIT = 16L * 1024 * 1024;

    /**
     * Reads what is left of a refused request's body (within {@value #DRAIN_LIMIT} bytes) before
     * answering: answered unread, Jetty closes the connection behind the response, and a client that
     * reuses it for its next request gets no answer at all (seen under load, and in the receivers' tests).
     */
    public static void drain(Request request) {
        try (InputStream in = Content.Source.asInputStream(request)) {
            in.skipNBytes(Math.min(Math.max(0, request.getLength()), DRAIN_LIMIT));
        } catch (IOException e) {
            // The connection is closing anyway; the answer still goes out if it can.
        }
    }

    /** A JSON answer written token by token, with no tree in between (the API's large answers). */
    @FunctionalInterface
    public interface JsonBody {
        void write(JsonGenerator out) throws IOException;
    }

    /** Writes what {@code body} generates as a JSON response and completes the callback. */
    public static void writeJson(Response response, Callback callback, int status, JsonBody body) {
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(4096)) {
            try (JsonGenerator out = JSON.getFactory().createGenerator(bytes)) {
                body.write(out);
            }
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, java.nio.ByteBuffer.wrap(bytes.toByteArray()), callback);
        } catch (IOException e) {
            callback.failed(e);
        }
    }

    /** Writes {@code body} as a JSON response and completes the callback. */
    public static void writeJson(Response response, Callback callback, int status, Object body) {
        try {
            byte[] bytes = JSON.writeValueAsBytes(body);
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            response.write(true, java.nio.ByteBuffer.wrap(bytes), callback);
        } catch (IOException e) {
            callback.failed(e);
        }
    }

}
