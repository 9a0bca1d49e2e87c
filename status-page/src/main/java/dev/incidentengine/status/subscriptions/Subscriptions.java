package dev.incidentengine.status.subscriptions;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.incidentengine.model.StatusSubscriber;
import dev.incidentengine.model.SubscriberKind;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.Html;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.status.ClientAddress;
import dev.incidentengine.status.StatusPageServiceConfig;
import dev.incidentengine.status.StatusTopics;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.service.api.ApiTokens.Role;
import dev.incidentengine.service.api.SubscriberSeal;
import dev.incidentengine.service.api.SubscriberSeal.Purpose;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Status page subscriptions, unauthenticated but for the admin's {@code DELETE}:
 * <ul>
 *   <li>{@code POST /status/subscriptions} (form or JSON: {@code email} or {@code endpoint}, optional {@code components[]}):
 *       throttled per client IP and per address, validated, and always the same 202 whether the address is subscribed or
 *       not. An e-mail address becomes an unconfirmed subscriber (the notifier mails the confirmation link); a webhook is
 *       confirmed at once and this answer, only, carries its signing secret;</li>
 *   <li>{@code GET /status/subscriptions/confirm?id&token}: confirms (idempotent);</li>
 *   <li>{@code GET /status/subscriptions/unsubscribe?id&token}: a page with a button; {@code POST} of the same URL
 *       unsubscribes (RFC 8058 one-click: mail clients post {@code List-Unsubscribe=One-Click});</li>
 *   <li>{@code DELETE /api/v1/status-page/subscribers?email=|endpoint=} (ADMIN): forgets an address.</li>
 * </ul>
 * Every change is a record on {@code status.subscribers.v1} (the address only sealed and as a digest, a tombstone to
 * delete); 2xx only after Kafka acknowledged it. HTML answers are escaped, with no script or style, and forbid both.
 */
public final class Subscriptions implements AutoCloseable {

    public static final String PATH = "/status/subscriptions";
    public static final String CONFIRM_PATH = PATH + "/confirm";
    public static final String UNSUBSCRIBE_PATH = PATH + "/unsubscribe";
    public static final String ADMIN_PATH = "/api/v1/status-page/subscribers";
    public static final int MAX_BODY_BYTES = 4096;
    public static final int MAX_EMAIL_LENGTH = 254;
    public static final int MAX_URL_LENGTH = 2048;
    public static final int MAX_COMPONENTS = 50;
    /** An unconfirmed subscription's link works this long; then it must be asked for again. */
    public static final Duration CONFIRM_WITHIN = Duration.ofDays(7);
    /** Throttles keep at most this many client IPs and addresses each (least recently seen dropped). */
    static final int MAX_THROTTLED_KEYS = 100_000;
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(Subscriptions.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
            + "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");
    private static final Pattern COMPONENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Set<String> FIELDS = Set.of("email", "endpoint", "components", "components[]");
    private static final String CSP = "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /** @param allowPrivateWebhooks webhooks may name loopback, private and link-local hosts (tests, a private deployment) */
    public record Settings(String pageId, int perIpPerHour, int perAddressPerHour, boolean allowPrivateWebhooks, boolean trustForwardedFor) {
    }

    private final Settings settings;
    private final SubscriberSeal seal;
    private final ApiTokens tokens;
    private final KafkaProducer<String, StatusSubscriber> producer;
    private final Topic<String, StatusSubscriber> topic;
    private final SubscriberDirectory directory;
    private final TokenBuckets perIp;
    private final TokenBuckets perAddress;
    private final Clock clock;

    public Subscriptions(Settings settings, SubscriberSeal seal, ApiTokens tokens, Map<String, Object> producerProps,
                         Map<String, Object> consumerProps, Topic<String, StatusSubscriber> topic, RecordSerdes serdes, Clock clock,
                         LongSupplier nanoTime) {
        this.settings = settings;
        this.seal = seal;
        this.tokens = tokens;
        this.topic = topic;
        this.clock = clock;
        this.producer = new KafkaProducer<>(producerProps, topic.keySerde(serdes).serializer(), topic.valueSerde(serdes).serializer());
        this.directory = new SubscriberDirectory(consumerProps, topic, serdes);
        this.perIp = new TokenBuckets(settings.perIpPerHour(), Duration.ofHours(1).dividedBy(settings.perIpPerHour()), MAX_THROTTLED_KEYS,
                nanoTime);
        this.perAddress = new TokenBuckets(settings.perAddressPerHour(), Duration.ofHours(1).dividedBy(settings.perAddressPerHour()),
                MAX_THROTTLED_KEYS, nanoTime);
    }

    /** The service's subscriptions: its seal (refusing to start without the secret file), settings and topics. */
    public static Subscriptions create(StatusPageServiceConfig config, StatusTopics topics, ApiTokens tokens) {
        Settings settings = new Settings(config.pageId(), config.getInt(StatusPageServiceConfig.SUBSCRIPTIONS_PER_IP_CONFIG),
                config.getInt(StatusPageServiceConfig.SUBSCRIPTIONS_PER_ADDRESS_CONFIG),
                config.getBoolean(StatusPageServiceConfig.SUBSCRIPTIONS_PRIVATE_WEBHOOKS_CONFIG), config.siteTrustForwardedFor());
        return new Subscriptions(settings, config.subscriberSeal(), tokens, KafkaClients.producer(config, "status-subscriptions"),
                KafkaClients.consumer(config, "status-subscriptions"), topics.subscribers(), config.recordSerdes(), Clock.systemUTC(),
                System::nanoTime);
    }

    public void start() {
        directory.start();
    }

    /** Empty once the subscribers are read; for /readyz. */
    public Optional<String> problem() {
        return directory.problem();
    }

    public void routes(HttpServer http) {
        http.route("POST", PATH, (request, response, callback) -> answer(request, response, callback, () -> subscribe(request, response, callback)));
        http.route("GET", CONFIRM_PATH, (request, response, callback) -> answer(request, response, callback, () -> confirm(request, response, callback)));
        http.route("GET", UNSUBSCRIBE_PATH, (request, response, callback) -> answer(request, response, callback,
                () -> unsubscribePage(request, response, callback)));
        http.route("POST", UNSUBSCRIBE_PATH, (request, response, callback) -> answer(request, response, callback,
                () -> unsubscribe(request, response, callback)));
        http.route("DELETE", ADMIN_PATH, (request, response, callback) -> {
            try {
                tokens.authorize(request, response, Role.ADMIN);
                forget(request, response, callback);
            } catch (ApiError error) {
                HttpServer.drain(request);
                error.write(response, callback);
            }
            return true;
        });
    }

    @FunctionalInterface
    private interface Action {
        void run() throws IOException, InterruptedException;
    }

    /** Runs an action; a refusal is answered as HTML to a browser's form and as JSON to everyone else. */
    private boolean answer(Request request, Response response, Callback callback, Action action) {
        try {
            action.run();
        } catch (ApiError error) {
            HttpServer.drain(request);
            if (wantsHtml(request)) {
                if (error.status() == 503) {
                    response.getHeaders().put(HttpHeader.RETRY_AFTER, "2");
                }
                html(response, callback, error.status(), "Not done", error.getMessage(), null);
            } else {
                error.write(response, callback);
            }
        } catch (IOException e) {
            html(response, callback, 400, "Not done", "The request could not be read.", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            new ApiError(503, null, "shutting down").write(response, callback);
        }
        return true;
    }

    /** 429, with how long until the bucket holds a request again. */
    private static ApiError throttled(Response response, Duration wait, String what) {
        long seconds = Math.max(1, wait.toSeconds() + 1);
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(seconds));
        return new ApiError(429, null, "too many subscription requests " + what + "; try again in " + seconds + " s");
    }

    /** What a subscription request asks for, validated. */
    record Subscription(SubscriberKind kind, String address, List<String> components) {
    }

    private void subscribe(Request request, Response response, Callback callback) throws IOException, InterruptedException {
        Duration wait = perIp.take(ClientAddress.of(request, settings.trustForwardedFor()));
        if (!wait.isZero()) {
            throw throttled(response, wait, "from this address");
        }
        Subscription subscription = parse(request);
        String digest = seal.digest(subscription.address());
        wait = perAddress.take(digest);
        if (!wait.isZero()) {
            throw throttled(response, wait, "for this " + (subscription.kind() == SubscriberKind.EMAIL ? "e-mail address" : "endpoint"));
        }
        requireCurrent();
        Optional<StatusSubscriber> existing = directory.byDigest(digest);
        Instant now = clock.instant();
        if (subscription.kind() == SubscriberKind.EMAIL) {
            // A confirmed address is left as it is: whoever asked may not own it. An unconfirmed one is written again, and
            // so gets its confirmation link again.
            if (existing.isEmpty() || !existing.get().getConfirmed()) {
                String id = existing.map(StatusSubscriber::getId).orElseGet(SubscriberSeal::newId);
                write(id, subscriber(id, subscription, digest, false, now));
            }
            if (wantsHtml(request)) {
                html(response, callback, 202, "Check your inbox", "If this address can receive mail, a message with a link to "
                        + "confirm the subscription is on its way. Nothing is sent until it is confirmed.", null);
            } else {
                HttpServer.writeJson(response, callback, 202, Map.of("status", "pending",
                        "message", "If this address can receive mail, a confirmation link is on its way."));
            }
            return;
        }
        // A webhook gets a new id and so a new secret; an old subscription of the same endpoint goes (its secret with it).
        String id = SubscriberSeal.newId();
        write(id, subscriber(id, subscription, digest, true, now));
        if (existing.isPresent()) {
            write(existing.get().getId(), null);
        }
        Map<String, Object> subscriber = new LinkedHashMap<>();
        subscriber.put("id", id);
        subscriber.put("secret", seal.webhookSecret(id));
        subscriber.put("signature_header", "X-Signature");
        subscriber.put("timestamp_header", "X-Signature-Timestamp");
        subscriber.put("signature", "sha256=<hex HMAC-SHA256 of \"<timestamp>.<body>\" under the secret>");
        subscriber.put("unsubscribe_url", PATH + "/unsubscribe?id=" + id + "&token=" + seal.token(Purpose.UNSUBSCRIBE, id));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "subscribed");
        body.put("message", "The secret is shown this once: keep it to verify each request's signature.");
        body.put("subscriber", subscriber);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        HttpServer.writeJson(response, callback, 202, body);
    }

    private StatusSubscriber subscriber(String id, Subscription subscription, String digest, boolean confirmed, Instant now) {
        return StatusSubscriber.newBuilder()
                .setId(id)
                .setPageId(settings.pageId())
                .setKind(subscription.kind())
                .setSealedAddress(ByteBuffer.wrap(seal.seal(subscription.address())))
                .setKeyId(seal.keyId())
                .setAddressDigest(digest)
                .setComponents(subscription.components())
                .setConfirmed(confirmed)
                .setCreatedAt(now)
                .setConfirmedAt(confirmed ? now : null)
                .build();
    }

    private void confirm(Request request, Response response, Callback callback) throws InterruptedException {
        String id = linkSubscriber(request, Purpose.CONFIRM);
        requireCurrent();
        StatusSubscriber subscriber = directory.byId(id).orElse(null);
        Instant now = clock.instant();
        if (subscriber == null || !subscriber.getConfirmed() && subscriber.getCreatedAt().plus(CONFIRM_WITHIN).isBefore(now)) {
            html(response, callback, 404, "Link no longer valid", "This subscription was removed, or not confirmed within "
                    + CONFIRM_WITHIN.toDays() + " days. Subscribe again from the status page.", null);
            return;
        }
        if (!subscriber.getConfirmed()) {
            write(id, StatusSubscriber.newBuilder(subscriber).setConfirmed(true).setConfirmedAt(now).build());
        }
        html(response, callback, 200, "Subscribed", "You will receive the status page's updates. Every message has a link to "
                + "unsubscribe.", null);
    }

    private void unsubscribePage(Request request, Response response, Callback callback) {
        String id = linkSubscriber(request, Purpose.UNSUBSCRIBE);
        String action = UNSUBSCRIBE_PATH + "?id=" + id + "&token=" + seal.token(Purpose.UNSUBSCRIBE, id);
        html(response, callback, 200, "Unsubscribe", "Stop receiving the status page's updates at this address?", action);
    }

    private void unsubscribe(Request request, Response response, Callback callback) throws InterruptedException {
        String id = linkSubscriber(request, Purpose.UNSUBSCRIBE);
        HttpServer.drain(request); // the one-click body (List-Unsubscribe=One-Click) or the button's: the link itself says what to do
        requireCurrent();
        if (directory.byId(id).isPresent()) {
            write(id, null);
        }
        html(response, callback, 200, "Unsubscribed", "You will receive no more updates at this address.", null);
    }

    private void forget(Request request, Response response, Callback callback) throws InterruptedException {
        Fields query = Request.extractQueryParameters(request);
        String email = query.getValue("email");
        String endpoint = query.getValue("endpoint");
        if ((email == null) == (endpoint == null)) {
            throw new ApiError(400, "email", "give the address to forget as one 'email' or 'endpoint' parameter");
        }
        Subscription subscription = email != null ? new Subscription(SubscriberKind.EMAIL, validEmail(email), List.of())
                : new Subscription(SubscriberKind.WEBHOOK, validEndpoint(endpoint, true), List.of());
        requireCurrent();
        Optional<StatusSubscriber> found = directory.byDigest(seal.digest(subscription.address()));
        if (found.isPresent()) {
            write(found.get().getId(), null);
            log.info("An admin removed status subscriber {}", found.get().getId());
        }
        HttpServer.writeJson(response, callback, 200, Map.of("forgotten", found.isPresent()));
    }

    /** The subscriber a link names, if its token is right; 404 otherwise (a link either works or does not exist). */
    private String linkSubscriber(Request request, Purpose purpose) {
        Fields query = Request.extractQueryParameters(request);
        String id = query.getValue("id");
        String token = query.getValue("token");
        if (id == null || !ID.matcher(id).matches() || !seal.tokenMatches(purpose, id, token)) {
            throw new ApiError(404, null, "this link is not valid: copy the whole link from the e-mail");
        }
        return id;
    }

    private void requireCurrent() throws InterruptedException {
        if (directory.problem().isPresent() || !directory.awaitCurrent(READ_TIMEOUT)) {
            throw new ApiError(503, null, "subscriptions are not available right now; try again in a moment");
        }
    }

    /** Writes a subscriber (null: a tombstone) and returns once Kafka acknowledged it. */
    private void write(String id, StatusSubscriber subscriber) throws InterruptedException {
        try {
            producer.send(new ProducerRecord<>(topic.name(), id, subscriber)).get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.error("A subscription change was not stored: {}", e.toString());
            throw new ApiError(503, null, "the subscription could not be stored; try again in a moment");
        }
    }

    Subscription parse(Request request) throws IOException {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        String mediaType = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json") && !mediaType.equals("application/x-www-form-urlencoded")) {
            throw new ApiError(415, null, "send a form (application/x-www-form-urlencoded) or JSON (application/json)");
        }
        long length = request.getLength();
        if (length > MAX_BODY_BYTES) {
            throw new ApiError(413, null, "the request is larger than " + MAX_BODY_BYTES + " bytes");
        }
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new ApiError(413, null, "the request is larger than " + MAX_BODY_BYTES + " bytes");
        }
        String text = new String(body, StandardCharsets.UTF_8);
        return mediaType.equals("application/json") ? fromJson(text, settings.allowPrivateWebhooks())
                : fromForm(text, settings.allowPrivateWebhooks());
    }

    static Subscription fromJson(String text, boolean allowPrivate) {
        JsonNode json;
        try {
            json = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, null, "the body is not JSON");
        }
        if (!(json instanceof ObjectNode object)) {
            throw new ApiError(400, null, "the body must be a JSON object");
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new ApiError(400, clip(name), "unknown field; known: email, endpoint, components");
            }
        }
        String email = text(object, "email");
        String endpoint = text(object, "endpoint");
        List<String> components = new ArrayList<>();
        for (String name : List.of("components", "components[]")) {
            JsonNode list = object.get(name);
            if (list == null || list.isNull()) {
                continue;
            }
            if (!list.isArray()) {
                throw new ApiError(400, "components", "must be an array of component ids");
            }
            for (JsonNode item : list) {
                if (!item.isTextual()) {
                    throw new ApiError(400, "components", "must be an array of component ids");
                }
                components.add(item.asText());
            }
        }
        return validate(email, endpoint, components, allowPrivate);
    }

    static Subscription fromForm(String text, boolean allowPrivate) {
        String email = null;
        String endpoint = null;
        List<String> components = new ArrayList<>();
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            String[] parts = pair.split("=", 2);
            String name;
            String value;
            try {
                name = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
                value = parts.length < 2 ? "" : URLDecoder.decode(parts[1], StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, null, "the form is not URL-encoded");
            }
            switch (name) {
                case "email" -> email = once(email, value, "email");
                case "endpoint" -> endpoint = once(endpoint, value, "endpoint");
                case "components", "components[]" -> components.add(value);
                default -> throw new ApiError(400, clip(name), "unknown field; known: email, endpoint, components[]");
            }
        }
        // A form's empty field is a field not filled in.
        return validate(email == null || email.isBlank() ? null : email, endpoint == null || endpoint.isBlank() ? null : endpoint,
                components, allowPrivate);
    }

    private static String once(String previous, String value, String field) {
        if (previous != null) {
            throw new ApiError(400, field, "given twice");
        }
        return value;
    }

    private static String text(ObjectNode object, String field) {
        JsonNode node = object.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new ApiError(400, field, "must be a string");
        }
        return node.asText();
    }

    private static Subscription validate(String email, String endpoint, List<String> components, boolean allowPrivate) {
        if ((email == null) == (endpoint == null)) {
            throw new ApiError(400, "email", "give either an e-mail address ('email') or a webhook URL ('endpoint')");
        }
        if (components.size() > MAX_COMPONENTS) {
            throw new ApiError(400, "components", "at most " + MAX_COMPONENTS + " components");
        }
        Set<String> unique = new LinkedHashSet<>();
        for (String component : components) {
            if (!COMPONENT.matcher(component).matches()) {
                throw new ApiError(400, "components", "a component id is letters, digits, '_', '.' and '-', at most 64");
            }
            unique.add(component);
        }
        return email != null ? new Subscription(SubscriberKind.EMAIL, validEmail(email), List.copyOf(unique))
                : new Subscription(SubscriberKind.WEBHOOK, validEndpoint(endpoint, allowPrivate), List.copyOf(unique));
    }

    static String validEmail(String email) {
        String address = email.strip();
        if (address.length() > MAX_EMAIL_LENGTH) {
            throw new ApiError(400, "email", "longer than " + MAX_EMAIL_LENGTH + " characters");
        }
        if (hasControl(address) || !EMAIL.matcher(address).matches()) {
            throw new ApiError(400, "email", "not an e-mail address (name@example.com)");
        }
        return address;
    }

    static String validEndpoint(String endpoint, boolean allowPrivate) {
        String url = endpoint.strip();
        if (url.length() > MAX_URL_LENGTH) {
            throw new ApiError(400, "endpoint", "longer than " + MAX_URL_LENGTH + " characters");
        }
        if (hasControl(url) || url.chars().anyMatch(Character::isWhitespace)) {
            throw new ApiError(400, "endpoint", "must not contain spaces or control characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ApiError(400, "endpoint", "not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new ApiError(400, "endpoint", "must be an http(s) URL with a host");
        }
        if (uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw new ApiError(400, "endpoint", "must carry no user info and no fragment");
        }
        if (!allowPrivate && isPrivate(uri.getHost())) {
            throw new ApiError(400, "endpoint", "must be a public host, not a loopback, private or link-local address");
        }
        return url;
    }

    /** Literal loopback, private, link-local and unspecified addresses, and localhost: a public form must not aim the notifier inward. */
    private static boolean isPrivate(String host) {
        String name = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (name.equalsIgnoreCase("localhost") || name.toLowerCase(Locale.ROOT).endsWith(".localhost")) {
            return true;
        }
        if (!name.matches("[0-9.]+") && !name.contains(":")) {
            return false; // a name: resolved when delivering
        }
        try {
            InetAddress address = InetAddress.getByName(name); // a literal: no lookup
            return address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
                    || address.isAnyLocalAddress() || address.isMulticastAddress()
                    || address.getAddress().length == 16 && (address.getAddress()[0] & 0xfe) == 0xfc;
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean hasControl(String text) {
        return text.codePoints().anyMatch(c -> Character.getType(c) == Character.CONTROL || Character.getType(c) == Character.FORMAT
                || c == 0x2028 || c == 0x2029);
    }

    private static String clip(String name) {
        String printable = name.codePoints().filter(c -> c >= 0x20 && c != 0x7f).limit(40)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return printable.isEmpty() ? "?" : printable;
    }


    /** A browser's form (or a browser following a link) gets HTML; an API client gets JSON. */
    private static boolean wantsHtml(Request request) {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        String accept = request.getHeaders().get(HttpHeader.ACCEPT);
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            return false;
        }
        return request.getMethod().equals("GET") || type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form")
                || accept != null && accept.contains("text/html");
    }

    /** A small page: a heading, a paragraph, optionally a one-button form posting to {@code action}; everything escaped. */
    static void html(Response response, Callback callback, int status, String title, String message, String action) {
        StringBuilder page = new StringBuilder("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"referrer\" content=\"no-referrer\">"
                + "<title>").append(Html.escape(title)).append("</title></head><body><main><h1>").append(Html.escape(title)).append("</h1><p>")
                .append(Html.escape(message)).append("</p>");
        if (action != null) {
            page.append("<form method=\"post\" action=\"").append(Html.escape(action)).append("\">")
                    .append("<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">")
                    .append("<button type=\"submit\">Unsubscribe</button></form>");
        }
        page.append("<p><a href=\"/status\">Back to the status page</a></p></main></body></html>\n");
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
        response.getHeaders().put("Content-Security-Policy", CSP);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(page.toString().getBytes(StandardCharsets.UTF_8)), callback);
    }


    @Override
    public void close() {
        directory.close();
        producer.close(Duration.ofSeconds(5));
    }
}
