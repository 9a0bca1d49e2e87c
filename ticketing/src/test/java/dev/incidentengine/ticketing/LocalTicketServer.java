package dev.incidentengine.ticketing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A small ticket system over real HTTP, for the connector's tests: tickets with a searchable marker, comments, a status and
 * a severity, and a log of people's changes for the polling source. JSON in and out, a bearer token, and faults a test
 * scripts (429 with Retry-After, 503, a 4xx for requests that match). It keeps what it was asked, so tests can count.
 *
 * <pre>
 * GET  /api/tickets?marker=M                 200 [{key, url, marker}]
 * POST /api/tickets                          201 {key, url}       {marker, summary, description, severity, service, labels, parent, fields}
 * GET  /api/tickets/{key}/comments?limit=N   200 [{text}]         the N most recent, oldest first
 * POST /api/tickets/{key}/comments           201                  {text}
 * POST /api/tickets/{key}/transitions        200                  {to: resolved|closed|open, comment}
 * PUT  /api/tickets/{key}/severity           204                  {severity}
 * GET  /api/changes?after=C&amp;max=N            200 {changes: [{id, key, marker, kind, login, name, at, text}], next}
 * </pre>
 */
public final class LocalTicketServer implements AutoCloseable {

    /** A ticket as the server keeps it. */
    public static final class Ticket {
        public final String key;
        public final String marker;
        public final String summary;
        public final String description;
        public final String parent;
        public final Map<String, String> fields;
        public volatile String severity;
        public volatile String status = "open";
        public final List<String> comments = new ArrayList<>();

        Ticket(String key, String marker, String summary, String description, String parent, String severity, Map<String, String> fields) {
            this.key = key;
            this.marker = marker;
            this.summary = summary;
            this.description = description;
            this.parent = parent;
            this.severity = severity;
            this.fields = fields;
        }
    }

    /** A scripted answer for the next request that matches. */
    private record Fault(Predicate<String> request, int status, Map<String, String> headers, String body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TICKET_PATH = Pattern.compile("/api/tickets/([A-Z]+-\\d+)/(comments|transitions|severity)");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final String token;
    private final Map<String, Ticket> tickets = new LinkedHashMap<>();
    private final List<Map<String, Object>> changes = new ArrayList<>();
    private final Deque<Fault> faults = new ArrayDeque<>();
    private final List<Fault> refusals = new ArrayList<>();
    private final Map<String, Integer> requests = new HashMap<>();
    private int nextKey = 1;
    private volatile long delayMillis;

    public LocalTicketServer(String token) throws IOException {
        this.token = token;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/api/", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next {@code count} requests whose "METHOD path" contains {@code request} get this answer. */
    public synchronized void failNext(int count, String request, int status, Map<String, String> headers, String body) {
        for (int i = 0; i < count; i++) {
            faults.add(new Fault(line -> line.contains(request), status, headers, body));
        }
    }

    /** Every request whose "METHOD path body" contains {@code text} is refused with this status, for as long as the server runs. */
    public synchronized void refuse(String text, int status, String body) {
        refusals.add(new Fault(line -> line.contains(text), status, Map.of(), body));
    }

    /** Every answer takes this long more: a slow system, so that a worker can be killed in the middle of a stream. */
    public void delay(java.time.Duration delay) {
        this.delayMillis = delay.toMillis();
    }

    /** Scripted faults not answered yet. */
    public synchronized int pendingFaults() {
        return faults.size();
    }

    public synchronized List<Ticket> tickets() {
        return List.copyOf(tickets.values());
    }

    public synchronized List<Ticket> withMarker(String marker) {
        return tickets.values().stream().filter(ticket -> ticket.marker.equals(marker)).toList();
    }

    public synchronized List<String> comments(String key) {
        return List.copyOf(tickets.get(key).comments);
    }

    /** How many requests of "METHOD /api/tickets", "POST comments", … were answered (faults included). */
    public synchronized int requests(String kind) {
        return requests.getOrDefault(kind, 0);
    }

    /** A person changed a ticket in the system: the polling source reads it from /api/changes. */
    public synchronized void personChanged(String key, String kind, String login, String name, String text) {
        Ticket ticket = tickets.get(key);
        if (!"commented".equals(kind)) {
            ticket.status = switch (kind) {
                case "resolved" -> "resolved";
                case "closed" -> "closed";
                default -> "open";
            };
        } else {
            ticket.comments.add(text);
        }
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("id", Integer.toString(changes.size() + 1));
        change.put("key", key);
        change.put("marker", ticket.marker);
        change.put("kind", kind);
        change.put("login", login);
        change.put("name", name);
        change.put("at", Instant.now().toString());
        change.put("text", text);
        changes.add(change);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = read(exchange.getRequestBody());
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            Answer answer;
            synchronized (this) {
                String kind = method + " " + path.replaceAll("/[A-Z]+-\\d+/", "/{key}/");
                requests.merge(kind, 1, Integer::sum);
                answer = answer(method, path, query(exchange.getRequestURI()), body, exchange.getRequestHeaders().getFirst("Authorization"));
            }
            answer.headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] bytes = answer.body == null ? new byte[0] : answer.body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private record Answer(int status, Map<String, String> headers, String body) {
        static Answer json(int status, Object value) {
            try {
                return new Answer(status, Map.of(), value == null ? null : JSON.writeValueAsString(value));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Answer error(int status, String message) {
            return json(status, Map.of("error", message));
        }
    }

    private Answer answer(String method, String path, Map<String, String> query, String body, String authorization) throws IOException {
        String line = method + " " + path + " " + body;
        for (Fault fault : faults) {
            if (fault.request().test(line)) {
                faults.remove(fault);
                return new Answer(fault.status(), fault.headers(), fault.body());
            }
        }
        if (token != null && !("Bearer " + token).equals(authorization)) {
            return Answer.error(401, "a valid bearer token is required");
        }
        for (Fault refusal : refusals) {
            if (refusal.request().test(line)) {
                return new Answer(refusal.status(), refusal.headers(), refusal.body());
            }
        }
        if (path.equals("/api/tickets") && method.equals("GET")) {
            String marker = query.get("marker");
            return Answer.json(200, tickets.values().stream().filter(ticket -> ticket.marker.equals(marker))
                    .map(ticket -> Map.of("key", ticket.key, "url", url() + "/tickets/" + ticket.key, "marker", ticket.marker)).toList());
        }
        if (path.equals("/api/tickets") && method.equals("POST")) {
            JsonNode json = JSON.readTree(body);
            if (!json.hasNonNull("marker") || !json.hasNonNull("summary") || json.get("summary").asText().isBlank()) {
                return Answer.error(400, "marker and summary are required");
            }
            String parent = json.path("parent").isTextual() ? json.get("parent").asText() : null;
            if (parent != null && !tickets.containsKey(parent)) {
                return Answer.error(422, "parent " + parent + " does not exist");
            }
            Map<String, String> fields = new LinkedHashMap<>();
            json.path("fields").fields().forEachRemaining(field -> fields.put(field.getKey(), field.getValue().asText()));
            Ticket ticket = new Ticket("LT-" + nextKey++, json.get("marker").asText(), json.get("summary").asText(),
                    json.path("description").asText(), parent, json.path("severity").asText(), fields);
            tickets.put(ticket.key, ticket);
            return Answer.json(201, Map.of("key", ticket.key, "url", url() + "/tickets/" + ticket.key));
        }
        if (path.equals("/api/changes") && method.equals("GET")) {
            int after = Integer.parseInt(query.getOrDefault("after", Integer.toString(changes.size())));
            int max = Integer.parseInt(query.getOrDefault("max", "100"));
            List<Map<String, Object>> page = changes.subList(Math.min(after, changes.size()), Math.min(changes.size(), after + max));
            return Answer.json(200, Map.of("changes", List.copyOf(page), "next", Integer.toString(after + page.size())));
        }
        Matcher matcher = TICKET_PATH.matcher(path);
        if (!matcher.matches()) {
            return Answer.error(404, "no such resource " + path);
        }
        Ticket ticket = tickets.get(matcher.group(1));
        if (ticket == null) {
            return Answer.error(404, "no ticket " + matcher.group(1));
        }
        JsonNode json = body.isEmpty() ? JSON.nullNode() : JSON.readTree(body);
        switch (matcher.group(2) + " " + method) {
            case "comments GET" -> {
                int limit = Integer.parseInt(query.getOrDefault("limit", "25"));
                List<String> recent = ticket.comments.subList(Math.max(0, ticket.comments.size() - limit), ticket.comments.size());
                return Answer.json(200, recent.stream().map(text -> Map.of("text", text)).toList());
            }
            case "comments POST" -> {
                ticket.comments.add(json.path("text").asText());
                return Answer.json(201, Map.of("id", ticket.comments.size()));
            }
            case "transitions POST" -> {
                String to = json.path("to").asText();
                if (!List.of("resolved", "closed", "open").contains(to)) {
                    return Answer.error(400, "unknown status " + to);
                }
                ticket.status = to;
                if (json.hasNonNull("comment")) {
                    ticket.comments.add(json.get("comment").asText());
                }
                return Answer.json(200, Map.of("status", to));
            }
            case "severity PUT" -> {
                ticket.severity = json.path("severity").asText();
                return new Answer(204, Map.of(), null);
            }
            default -> {
                return Answer.error(405, method + " not allowed on " + path);
            }
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> query = new HashMap<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                int equals = pair.indexOf('=');
                query.put(URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8),
                        equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
