package dev.incidentengine.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Predicate;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A real local HTTP server that takes webhook deliveries and keeps them: what a test or benchmark
 * checks notifications against. Paths may be made slow or failing.
 */
public final class WebhookSink implements AutoCloseable {

    /** One request as it arrived: path, headers (lower-case names, first values), body, arrival time. */
    public record Received(String path, Map<String, String> headers, String body, Instant at, long nanoTime) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    static {
        // The JDK server writes a response's headers and body apart; with Nagle on, the body waits for the
        // client's delayed ACK, 40 ms a request. Real receivers set TCP_NODELAY; so does this one.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "webhook-sink");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Received> received = new ArrayList<>();
    private final Map<String, Duration> delays = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private final Map<String, Function<Received, String>> bodies = new ConcurrentHashMap<>();

    private WebhookSink(HttpServer server) {
        this.server = server;
    }

    public static WebhookSink start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
            WebhookSink sink = new WebhookSink(server);
            server.setExecutor(sink.executor);
            server.createContext("/", sink::handle);
            server.start();
            return sink;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the webhook sink", e);
        }
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Requests to {@code path} are answered after {@code delay} (a hanging endpoint: longer than the client waits). */
    public WebhookSink delay(String path, Duration delay) {
        delays.put(path, delay);
        return this;
    }

    /** Requests to {@code path} are answered with {@code status}. */
    public WebhookSink status(String path, int status) {
        statuses.put(path, status);
        return this;
    }

    /** Requests to {@code path} are answered with the JSON {@code body} gives for them (else {@code {"ok":true}}). */
    public WebhookSink body(String path, Function<Received, String> body) {
        bodies.put(path, body);
        return this;
    }

    public List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    public List<Received> received(Predicate<Received> filter) {
        return received().stream().filter(filter).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        long nanoTime = System.nanoTime();
        Instant at = Instant.now();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
        String path = exchange.getRequestURI().getPath();
        Received request = new Received(path, headers, body, at, nanoTime);
        synchronized (received) {
            received.add(request);
        }
        Duration delay = delays.get(path);
        if (delay != null) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] answer = bodies.getOrDefault(path, r -> "{\"ok\":true}").apply(request).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(statuses.getOrDefault(path, 200), answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
