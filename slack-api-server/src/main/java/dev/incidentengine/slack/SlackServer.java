package dev.incidentengine.slack;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stateful stand-in for Slack's Web API, with the request and response shapes and errors its reference documents
 * (https://docs.slack.dev/reference/methods/conversations.create/ and the pages of the other methods under
 * https://docs.slack.dev/reference/methods/): {@code POST /api/<method>}, form-encoded or JSON, a bot token as
 * {@code Authorization: Bearer}; HTTP 200 with {@code {"ok":false,"error":"…"}} for the method's errors, and HTTP 429
 * {@code ratelimited} with {@code Retry-After} when rate limited (https://docs.slack.dev/apis/web-api/rate-limits).
 *
 * <p>Methods: {@code auth.test}, {@code conversations.create|list|info|invite|join|archive}, {@code chat.postMessage}
 * (to a channel id, or to a user id: the bot's direct messages with them, a {@code D…} channel), {@code chat.update},
 * {@code chat.postEphemeral} (kept apart: {@link #ephemerals}), {@code pins.add}. More register with {@link #method}. Tests
 * inject faults ({@link #failNext}, {@link #rateLimitNext},
 * {@link #down}) and read what happened ({@link #channels}, {@link #calls}); {@code GET /} lists channels and messages as JSON.
 * Bounded: at most {@value #MAX_CHANNELS} channels, {@value #MAX_MESSAGES} messages each, {@value #MAX_CALLS} calls kept.
 */
public final class SlackServer implements AutoCloseable {

    public static final String BOT_USER = "U0INCIDENTBOT";
    private static final int MAX_CHANNELS = 10_000;
    private static final int MAX_MESSAGES = 200;
    private static final int MAX_CALLS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Lowercase letters, numbers, hyphens and underscores, at most 80 (conversations.create, "Naming"). */
    private static final Pattern NAME = Pattern.compile("[a-z0-9_-]+");

    /** A method's answer to its arguments: the JSON body, {@code ok} added when absent. Throw {@link Refused} for an error. */
    public interface Method {
        ObjectNode call(Map<String, String> args);
    }

    /** A Slack error: {@code {"ok":false,"error":code}}. */
    public static final class Refused extends RuntimeException {
        public Refused(String code) {
            super(code, null, false, false);
        }
    }

    /** One API call as it arrived. */
    public record Call(String method, Map<String, String> args) {
    }

    /** A message in a channel; {@code ts} is its Slack timestamp id. */
    public record Posted(String ts, String user, String text, JsonNode blocks) {
    }

    /** A message only {@code user} sees in {@code channel} (chat.postEphemeral): it is not kept in the channel's history. */
    public record Ephemeral(String channel, String user, String text, JsonNode blocks) {
    }

    /** A channel as it was when asked for. */
    public record View(String id, String name, String creator, boolean archived, List<String> members, List<Posted> messages,
                       List<String> pins) {

        public List<Posted> pinned() {
            return messages.stream().filter(message -> pins.contains(message.ts())).toList();
        }
    }

    /** A channel: members, messages and pins change as methods are called (under the server's lock). */
    private static final class Channel {
        final String id;
        final String name;
        final String creator;
        final long created;
        /** The bot's direct messages with one user ({@code D…}): what chat.postMessage to a user id posts to. */
        final boolean im;
        boolean archived;
        final Set<String> members = new LinkedHashSet<>();
        final List<Posted> messages = new ArrayList<>();
        final Set<String> pins = new LinkedHashSet<>();

        Channel(String id, String name, String creator, long created, boolean im) {
            this.id = id;
            this.name = name;
            this.creator = creator;
            this.created = created;
            this.im = im;
        }

        View view() {
            return new View(id, name, creator, archived, List.copyOf(members), List.copyOf(messages), List.copyOf(pins));
        }

        ObjectNode json() {
            if (im) {
                return JSON.createObjectNode().put("id", id).put("is_im", true).put("user", name).put("created", created);
            }
            ObjectNode channel = JSON.createObjectNode().put("id", id).put("name", name).put("is_channel", true).put("is_private", false)
                    .put("created", created).put("creator", creator).put("is_archived", archived).put("name_normalized", name)
                    .put("is_member", members.contains(BOT_USER)).put("num_members", members.size());
            channel.putObject("topic").put("value", "").put("creator", "").put("last_set", 0);
            channel.putObject("purpose").put("value", "").put("creator", "").put("last_set", 0);
            return channel;
        }
    }

    private final HttpServer http;
    private final String token;
    private final Map<String, Method> methods = new HashMap<>();
    /** Guarded by this server. */
    private final Map<String, Channel> channels = new LinkedHashMap<>();
    private final Deque<Call> calls = new ArrayDeque<>();
    private final Deque<Ephemeral> ephemerals = new ArrayDeque<>();
    private final Map<String, Deque<String>> failures = new HashMap<>();
    private final Map<String, Deque<Integer>> rateLimits = new HashMap<>();
    private final Map<String, CountDownLatch> holds = new HashMap<>();
    private final AtomicLong ids = new AtomicLong(1000);
    private volatile boolean down;
    private final ExecutorService threads = Executors.newFixedThreadPool(8, runnable -> {
        Thread thread = new Thread(runnable, "slack-server");
        thread.setDaemon(true);
        return thread;
    });

    private SlackServer(HttpServer http, String token) {
        this.http = http;
        this.token = token;
        method("auth.test", args -> JSON.createObjectNode().put("url", "https://incident-engine.slack.local/").put("team", "Local")
                .put("user", "incident-engine").put("team_id", "T0LOCAL").put("user_id", BOT_USER).put("bot_id", "B0INCIDENTBOT"));
        method("conversations.create", this::create);
        method("conversations.list", this::list);
        method("conversations.info", args -> answer("channel", channel(args).json()));
        method("conversations.invite", this::invite);
        method("conversations.join", this::join);
        method("conversations.archive", this::archive);
        method("chat.postMessage", this::post);
        method("chat.update", this::update);
        method("chat.postEphemeral", this::postEphemeral);
        method("pins.add", this::pin);
    }

    /** Listens on {@code bind:port} (0: any free port) and accepts only {@code token}. */
    public static SlackServer start(String bind, int port, String token) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(bind, port), 64);
        SlackServer server = new SlackServer(http, token);
        http.createContext("/", server::handle);
        // Threads of its own: a held call must not hold up the others.
        http.setExecutor(server.threads);
        http.start();
        return server;
    }

    /** The Web API's base: {@code http://host:port/api}, as {@code https://slack.com/api} in production. */
    public String apiUrl() {
        return "http://" + http.getAddress().getHostString() + ":" + http.getAddress().getPort() + "/api";
    }

    /** Where people look: {@code GET} lists channels with their members, messages and pins. */
    public String url() {
        return "http://" + http.getAddress().getHostString() + ":" + http.getAddress().getPort() + "/";
    }

    /** Adds or replaces a method. */
    public synchronized void method(String name, Method method) {
        methods.put(name, method);
    }

    /** The next call of {@code method} answers {@code {"ok":false,"error":error}}. */
    public synchronized void failNext(String method, String error) {
        failures.computeIfAbsent(method, m -> new ArrayDeque<>()).add(error);
    }

    /** The next {@code times} calls of {@code method} answer HTTP 429 {@code ratelimited} with {@code Retry-After: seconds}. */
    public synchronized void rateLimitNext(String method, int times, int retryAfterSeconds) {
        for (int i = 0; i < times; i++) {
            rateLimits.computeIfAbsent(method, m -> new ArrayDeque<>()).add(retryAfterSeconds);
        }
    }

    /**
     * The next call of {@code method} is recorded and then held, unanswered, until the returned latch counts down: a caller
     * can be killed while Slack works on its call. Other calls go on meanwhile.
     */
    public synchronized CountDownLatch hold(String method) {
        CountDownLatch gate = new CountDownLatch(1);
        holds.put(method, gate);
        return gate;
    }

    /** Down: every call answers HTTP 503, as Slack does in an outage. */
    public void down(boolean down) {
        this.down = down;
    }

    /** A channel someone else made, so that a create of its name gets {@code name_taken}. */
    public synchronized View channelOf(String creator, String name) {
        return newChannel(creator, name).view();
    }

    private Channel newChannel(String creator, String name) {
        Channel channel = new Channel("C" + ids.incrementAndGet(), name, creator, System.currentTimeMillis() / 1000, false);
        channel.members.add(creator);
        channels.put(channel.id, channel);
        return channel;
    }

    /** The bot leaves (is removed from) a channel: its next call there gets {@code not_in_channel}. */
    public synchronized void removeBot(String channelId) {
        channels.get(channelId).members.remove(BOT_USER);
    }

    public synchronized List<View> channels() {
        return channels.values().stream().map(Channel::view).toList();
    }

    /** The channel of that name, or null. */
    public synchronized View channel(String name) {
        return channels.values().stream().filter(channel -> channel.name.equals(name)).map(Channel::view).findFirst().orElse(null);
    }

    /** The ephemeral messages shown to {@code user}, oldest first. */
    public synchronized List<Ephemeral> ephemerals(String user) {
        return ephemerals.stream().filter(ephemeral -> ephemeral.user().equals(user)).toList();
    }

    public synchronized List<Call> calls(String method) {
        return calls.stream().filter(call -> call.method().equals(method)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (exchange.getRequestMethod().equals("GET") && exchange.getRequestURI().getPath().equals("/")) {
                respond(exchange, 200, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(state()), null);
                return;
            }
            String path = exchange.getRequestURI().getPath();
            String method = path.startsWith("/api/") ? path.substring("/api/".length()) : path;
            if (down) {
                respond(exchange, 503, "{\"ok\":false,\"error\":\"service_unavailable\"}".getBytes(StandardCharsets.UTF_8), null);
                return;
            }
            Map<String, String> args = args(exchange);
            Integer retryAfter;
            String failure;
            Method handler;
            CountDownLatch gate;
            synchronized (this) {
                calls.addLast(new Call(method, args));
                if (calls.size() > MAX_CALLS) {
                    calls.removeFirst();
                }
                retryAfter = poll(rateLimits, method);
                failure = poll(failures, method);
                handler = methods.get(method);
                gate = holds.remove(method);
            }
            if (gate != null) {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (retryAfter != null) {
                respond(exchange, 429, "{\"ok\":false,\"error\":\"ratelimited\"}".getBytes(StandardCharsets.UTF_8), retryAfter);
                return;
            }
            ObjectNode answer;
            try {
                answer = answer(method, args, failure, handler, exchange.getRequestHeaders().getFirst("Authorization"));
            } catch (Refused refused) {
                answer = JSON.createObjectNode().put("ok", false).put("error", refused.getMessage());
            }
            respond(exchange, 200, JSON.writeValueAsBytes(answer), null);
        }
    }

    private ObjectNode answer(String method, Map<String, String> args, String failure, Method handler, String authorization) {
        String bearer = authorization != null && authorization.startsWith("Bearer ") ? authorization.substring(7) : args.get("token");
        if (bearer == null || bearer.isBlank()) {
            throw new Refused("not_authed");
        }
        if (!bearer.equals(token)) {
            throw new Refused("invalid_auth");
        }
        if (handler == null) {
            throw new Refused("unknown_method");
        }
        if (failure != null) {
            throw new Refused(failure);
        }
        ObjectNode answer;
        synchronized (this) {
            answer = handler.call(args);
        }
        if (!answer.has("ok")) {
            answer = JSON.createObjectNode().put("ok", true).setAll(answer);
        }
        return answer;
    }

    private ObjectNode create(Map<String, String> args) {
        String name = args.get("name");
        if (name == null || name.isBlank()) {
            throw new Refused("invalid_name_required");
        }
        if (name.length() > 80) {
            throw new Refused("invalid_name_maxlength");
        }
        if (!NAME.matcher(name).matches()) {
            throw new Refused("invalid_name_specials");
        }
        // Archived channels keep their names.
        if (channels.values().stream().anyMatch(channel -> !channel.im && channel.name.equals(name))) {
            throw new Refused("name_taken");
        }
        if (channels.size() >= MAX_CHANNELS) {
            throw new Refused("restricted_action");
        }
        Channel channel = newChannel(BOT_USER, name);
        return answer("channel", channel.json());
    }

    private ObjectNode list(Map<String, String> args) {
        boolean excludeArchived = Boolean.parseBoolean(args.getOrDefault("exclude_archived", "false"));
        int limit = Math.max(1, Math.min(1000, Integer.parseInt(args.getOrDefault("limit", "100"))));
        int from = args.get("cursor") == null || args.get("cursor").isEmpty() ? 0 : Integer.parseInt(args.get("cursor"));
        boolean ims = args.getOrDefault("types", "public_channel").contains("im");
        List<Channel> all = channels.values().stream().filter(channel -> (ims || !channel.im) && (!excludeArchived || !channel.archived))
                .toList();
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode page = answer.putArray("channels");
        all.subList(Math.min(from, all.size()), Math.min(from + limit, all.size())).forEach(channel -> page.add(channel.json()));
        answer.putObject("response_metadata").put("next_cursor", from + limit < all.size() ? Integer.toString(from + limit) : "");
        return answer;
    }

    private ObjectNode invite(Map<String, String> args) {
        Channel channel = memberChannel(args);
        String users = args.get("users");
        if (users == null || users.isBlank()) {
            throw new Refused("no_user");
        }
        boolean force = Boolean.parseBoolean(args.getOrDefault("force", "false"));
        List<String> ids = List.of(users.split(","));
        ArrayNode errors = JSON.createArrayNode();
        for (String id : ids) {
            String error = id.equals(BOT_USER) ? "cant_invite_self" : channel.members.contains(id) ? "already_in_channel"
                    : isUser(id) ? null : "user_not_found";
            if (error != null) {
                if (!force || ids.size() == 1) {
                    throw new Refused(error);
                }
                errors.addObject().put("user", id).put("ok", false).put("error", error);
            }
        }
        ids.stream().filter(id -> isUser(id) && !id.equals(BOT_USER)).forEach(channel.members::add);
        ObjectNode answer = answer("channel", channel.json());
        if (!errors.isEmpty()) {
            answer.set("errors", errors);
        }
        return answer;
    }

    private ObjectNode join(Map<String, String> args) {
        Channel channel = channel(args);
        if (channel.archived) {
            throw new Refused("is_archived");
        }
        boolean was = !channel.members.add(BOT_USER);
        ObjectNode answer = answer("channel", channel.json());
        if (was) {
            answer.put("warning", "already_in_channel").putObject("response_metadata").putArray("warnings").add("already_in_channel");
        }
        return answer;
    }

    private ObjectNode archive(Map<String, String> args) {
        Channel channel = channel(args);
        if (channel.archived) {
            throw new Refused("already_archived");
        }
        if (!channel.members.contains(BOT_USER)) {
            throw new Refused("not_in_channel");
        }
        channel.archived = true;
        return JSON.createObjectNode();
    }

    private ObjectNode post(Map<String, String> args) {
        Channel channel = isUser(args.get("channel")) ? im(args.get("channel")) : memberChannel(args);
        String text = args.get("text");
        JsonNode blocks = parse(args.get("blocks"));
        if ((text == null || text.isBlank()) && (blocks == null || blocks.isEmpty())) {
            throw new Refused("no_text");
        }
        String ts = (System.currentTimeMillis() / 1000) + "." + String.format("%06d", ids.incrementAndGet() % 1_000_000);
        Posted posted = new Posted(ts, BOT_USER, text, blocks);
        channel.messages.add(posted);
        if (channel.messages.size() > MAX_MESSAGES) {
            channel.messages.remove(0);
        }
        ObjectNode answer = JSON.createObjectNode().put("channel", channel.id).put("ts", ts);
        answer.putObject("message").put("type", "message").put("user", BOT_USER).put("text", text).put("ts", ts);
        return answer;
    }

    /**
     * chat.postEphemeral (https://docs.slack.dev/reference/methods/chat.postEphemeral/): {@code user_not_in_channel} unless the
     * user is a member (of a D… channel: its user), {@code no_text} without text and blocks; answers {@code message_ts}.
     */
    private ObjectNode postEphemeral(Map<String, String> args) {
        Channel channel = memberChannel(args);
        String user = args.get("user");
        if (user == null || user.isBlank() || !isUser(user)) {
            throw new Refused("user_not_found");
        }
        if (!(channel.im ? channel.name.equals(user) : channel.members.contains(user))) {
            throw new Refused("user_not_in_channel");
        }
        String text = args.get("text");
        JsonNode blocks = parse(args.get("blocks"));
        if ((text == null || text.isBlank()) && (blocks == null || blocks.isEmpty())) {
            throw new Refused("no_text");
        }
        ephemerals.add(new Ephemeral(channel.id, user, text, blocks));
        if (ephemerals.size() > MAX_CALLS) {
            ephemerals.removeFirst();
        }
        String ts = (System.currentTimeMillis() / 1000) + "." + String.format("%06d", ids.incrementAndGet() % 1_000_000);
        return JSON.createObjectNode().put("message_ts", ts);
    }

    /** chat.update: the message's text and blocks replaced; {@code message_not_found} for an unknown ts. */
    private ObjectNode update(Map<String, String> args) {
        Channel channel = memberChannel(args);
        String ts = args.get("ts");
        for (int i = 0; i < channel.messages.size(); i++) {
            Posted old = channel.messages.get(i);
            if (old.ts().equals(ts)) {
                channel.messages.set(i, new Posted(ts, old.user(), args.get("text"), parse(args.get("blocks"))));
                ObjectNode answer = JSON.createObjectNode().put("channel", channel.id).put("ts", ts).put("text", args.get("text"));
                answer.putObject("message").put("type", "message").put("user", BOT_USER).put("text", args.get("text"));
                return answer;
            }
        }
        throw new Refused("message_not_found");
    }

    private static boolean isUser(String id) {
        return id != null && id.matches("[UW][A-Z0-9]{2,}");
    }

    /** The bot's direct message channel with a user, opened on first use. */
    private Channel im(String user) {
        for (Channel channel : channels.values()) {
            if (channel.im && channel.name.equals(user)) {
                return channel;
            }
        }
        Channel channel = new Channel("D" + ids.incrementAndGet(), user, BOT_USER, System.currentTimeMillis() / 1000, true);
        channel.members.add(BOT_USER);
        channel.members.add(user);
        channels.put(channel.id, channel);
        return channel;
    }

    private ObjectNode pin(Map<String, String> args) {
        Channel channel = memberChannel(args);
        String ts = args.get("timestamp");
        if (ts == null || ts.isBlank()) {
            throw new Refused("no_item_specified");
        }
        if (channel.messages.stream().noneMatch(message -> message.ts().equals(ts))) {
            throw new Refused("message_not_found");
        }
        if (!channel.pins.add(ts)) {
            throw new Refused("already_pinned");
        }
        return JSON.createObjectNode();
    }

    /** The channel named by {@code channel}, not archived, with the bot in it: what writing methods need. */
    private Channel memberChannel(Map<String, String> args) {
        Channel channel = channel(args);
        if (channel.archived) {
            throw new Refused("is_archived");
        }
        if (!channel.members.contains(BOT_USER)) {
            throw new Refused("not_in_channel");
        }
        return channel;
    }

    private Channel channel(Map<String, String> args) {
        Channel channel = args.get("channel") == null ? null : channels.get(args.get("channel"));
        if (channel == null) {
            throw new Refused("channel_not_found");
        }
        return channel;
    }

    private synchronized ArrayNode state() {
        ArrayNode list = JSON.createArrayNode();
        for (Channel channel : channels.values()) {
            ObjectNode json = channel.json();
            json.putPOJO("members", List.copyOf(channel.members));
            json.putPOJO("pins", List.copyOf(channel.pins));
            ArrayNode messages = json.putArray("messages");
            channel.messages.forEach(message -> messages.addObject().put("ts", message.ts()).put("text", message.text())
                    .put("pinned", channel.pins.contains(message.ts())).set("blocks", message.blocks()));
            list.add(json);
        }
        return list;
    }

    private static ObjectNode answer(String field, ObjectNode value) {
        ObjectNode answer = JSON.createObjectNode();
        answer.set(field, value);
        return answer;
    }

    private static <T> T poll(Map<String, Deque<T>> queues, String method) {
        Deque<T> queue = queues.get(method);
        return queue == null ? null : queue.poll();
    }

    /** Form-encoded or JSON arguments; JSON values that are not text (blocks, booleans) as their JSON. */
    private static Map<String, String> args(HttpExchange exchange) throws IOException {
        Map<String, String> args = new LinkedHashMap<>();
        String query = exchange.getRequestURI().getRawQuery();
        byte[] body = exchange.getRequestBody().readNBytes(1 << 20);
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type != null && type.startsWith("application/json")) {
            JsonNode json = parse(new String(body, StandardCharsets.UTF_8));
            if (json != null) {
                for (Iterator<Map.Entry<String, JsonNode>> fields = json.fields(); fields.hasNext(); ) {
                    Map.Entry<String, JsonNode> field = fields.next();
                    args.put(field.getKey(), field.getValue().isTextual() ? field.getValue().asText() : field.getValue().toString());
                }
            }
        } else {
            form(new String(body, StandardCharsets.UTF_8), args);
        }
        if (query != null) {
            form(query, args);
        }
        return args;
    }

    private static void form(String encoded, Map<String, String> args) {
        for (String pair : encoded.split("&")) {
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                args.putIfAbsent(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
    }

    private static JsonNode parse(String json) {
        if (json == null || json.isBlank()) {
            return null;
        }
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return null;
        }
    }

    private static void respond(HttpExchange exchange, int status, byte[] body, Integer retryAfter) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        if (retryAfter != null) {
            exchange.getResponseHeaders().add("Retry-After", Integer.toString(retryAfter));
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        threads.shutdownNow();
    }
}
