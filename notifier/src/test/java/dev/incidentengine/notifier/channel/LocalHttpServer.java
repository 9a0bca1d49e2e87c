package dev.incidentengine.notifier.channel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** A real HTTP server on 127.0.0.1 for channel tests: records every request, answers from a script, then with its default answer. */
final class LocalHttpServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the server answers: status, body, extra headers; a hanging answer comes only when the server closes. */
    record Answer(int status, String body, Map<String, String> headers, boolean hangs) {

        static Answer of(int status, String body) {
            return new Answer(status, body, Map.of(), false);
        }

        Answer header(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Answer(status, body, more, hangs);
        }

        Answer hanging() {
            return new Answer(status, body, headers, true);
        }
    }

    /** One request as the server saw it. */
    record Request(String method, String path, Headers headers, byte[] body) {

        String header(String name) {
            return headers.getFirst(name);
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Map<String, String> form() {
            Map<String, String> fields = new LinkedHashMap<>();
            for (String pair : text().split("&")) {
                String[] nameValue = pair.split("=", 2);
                fields.put(URLDecoder.decode(nameValue[0], StandardCharsets.UTF_8), URLDecoder.decode(nameValue[1], StandardCharsets.UTF_8));
            }
            return fields;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final Queue<Answer> script = new ConcurrentLinkedQueue<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Answer fallback;
    private final CountDownLatch closing = new CountDownLatch(1);

    private LocalHttpServer(Answer fallback) throws IOException {
        this.fallback = fallback;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::answer);
        server.start();
    }

    static LocalHttpServer answering(Answer fallback) throws IOException {
        return new LocalHttpServer(fallback);
    }

    /** A base URL where nothing listens: connections are refused. */
    static String closedBaseUrl() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }

    LocalHttpServer then(Answer... answers) {
        script.addAll(Arrays.asList(answers));
        return this;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Request> requests() {
        return requests;
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private void answer(HttpExchange exchange) throws IOException {
        requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), exchange.getRequestHeaders(),
                exchange.getRequestBody().readAllBytes()));
        Answer answer = Optional.ofNullable(script.poll()).orElse(fallback);
        if (answer.hangs()) {
            try {
                closing.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
            return;
        }
        answer.headers().forEach(exchange.getResponseHeaders()::add);
        exchange.getResponseHeaders().add("Content-Type", answer.body().startsWith("{") ? "application/json" : "text/plain");
        byte[] reply = answer.body().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), reply.length == 0 ? -1 : reply.length);
        exchange.getResponseBody().write(reply);
        exchange.close();
    }
}
