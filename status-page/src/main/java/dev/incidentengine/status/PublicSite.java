package dev.incidentengine.status;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.KafkaClients;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The public status site: unauthenticated, read-only GETs of what {@link StatusPageView} rendered —
 * {@code /status}, {@code /status/history}, the feeds {@code /status/history.atom} and {@code .rss}, and
 * Statuspage's API v2 under {@code /api/v2/} — plus the page's stylesheet and script module.
 *
 * <p>Every request is rate limited per client address (a token bucket; 429 with Retry-After). Answers
 * carry the snapshot's ETag and {@code Cache-Control: public, no-cache}: caches keep them and ask again,
 * and an unchanged page is a 304 without a body. Until the page's log has been read, 503 with Retry-After.
 * HTML comes with a Content-Security-Policy that allows only this site's own style and script.
 */
public final class PublicSite implements AutoCloseable {

    static final String CSS_PATH = "/status/assets/status.css";
    static final String SCRIPT_PATH = "/status/assets/status.js";
    static final String ICON_PATH = "/status/assets/favicon.svg";
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; "
            + "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final String DOCUMENT_CACHE = "public, no-cache";
    private static final String ASSET_CACHE = "public, max-age=3600";

    private record Asset(byte[] body, String contentType, String etag) {
    }

    private final StatusPageView view;
    private final ClientRateLimiter limiter;
    private final boolean trustForwardedFor;
    private final Map<String, Asset> assets;
    private final Counter served;
    private final Counter notModified;
    private final Counter limited;
    private final Counter unavailable;

    public PublicSite(StatusPageServiceConfig config, StatusTopics topics, MeterRegistry metrics, Clock clock) {
        this(new StatusPageView(KafkaClients.consumer(config, "status-page-site"), topics.page(), config.recordSerdes(), config.pageId(),
                        clock, config.siteStalledAfter(), metrics),
                new ClientRateLimiter(config.siteRatePerSecond(), config.siteRateBurst(), config.siteRateMaxClients(), System::nanoTime),
                config.siteTrustForwardedFor(), metrics);
    }

    PublicSite(StatusPageView view, ClientRateLimiter limiter, boolean trustForwardedFor, MeterRegistry metrics) {
        this.view = view;
        this.limiter = limiter;
        this.trustForwardedFor = trustForwardedFor;
        this.assets = Map.of(CSS_PATH, asset("status.css", "text/css; charset=utf-8"),
                SCRIPT_PATH, asset("status.js", "text/javascript; charset=utf-8"), ICON_PATH, asset("favicon.svg", "image/svg+xml"));
        served = counter(metrics, "ok");
        notModified = counter(metrics, "not_modified");
        limited = counter(metrics, "rate_limited");
        unavailable = counter(metrics, "unavailable");
    }

    private static Counter counter(MeterRegistry metrics, String outcome) {
        return Counter.builder("status.site.requests").tag("outcome", outcome).description("Requests to the public status site")
                .register(metrics);
    }

    /** The paths of the documents the page renders. */
    static final List<String> DOCUMENTS = List.of("/status", "/status/history", "/status/history.atom", "/status/history.rss",
            "/api/v2/" + StatusJson.SUMMARY, "/api/v2/" + StatusJson.STATUS, "/api/v2/" + StatusJson.COMPONENTS,
            "/api/v2/" + StatusJson.INCIDENTS, "/api/v2/" + StatusJson.UNRESOLVED, "/api/v2/" + StatusJson.MAINTENANCES,
            "/api/v2/" + StatusJson.UPCOMING, "/api/v2/" + StatusJson.ACTIVE);

    public void routes(HttpServer http) {
        for (String path : DOCUMENTS) {
            http.route("GET", path, (request, response, callback) -> {
                document(path, request, response, callback);
                return true;
            });
        }
        assets.forEach((path, asset) -> http.route("GET", path, (request, response, callback) -> {
            if (admitted(request, response, callback)) {
                answer(request, response, callback, asset.body(), asset.contentType(), null, asset.etag(), ASSET_CACHE, false);
            }
            return true;
        }));
    }

    public void start() {
        view.start();
    }

    public Optional<String> problem() {
        return view.problem();
    }

    /** The view this site serves (tests compare it with a replay). */
    StatusPageView view() {
        return view;
    }

    @Override
    public void close() {
        view.close();
    }

    private void document(String path, Request request, Response response, Callback callback) {
        if (!admitted(request, response, callback)) {
            return;
        }
        Optional<PageSnapshot> snapshot = view.snapshot();
        if (snapshot.isEmpty()) {
            unavailable.increment();
            response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            // Why is for /readyz and the log; the public learns only when to ask again.
            HttpServer.writeJson(response, callback, 503, Map.of("error", "the status page is loading; retry in a second"));
            return;
        }
        if (snapshot.get().version() == 0) {
            // The log holds nothing of this page: status pages are not configured, which is no fault of this instance.
            HttpServer.writeJson(response, callback, 404, Map.of("error", "no status page is configured"));
            return;
        }
        PageSnapshot.Document document = snapshot.get().documents().get(path);
        if (path.startsWith("/api/")) {
            // Statuspage's API is read by widgets on other sites.
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        }
        boolean gzip = acceptsGzip(request);
        response.getHeaders().put(HttpHeader.VARY, "Accept-Encoding");
        // The gzipped bytes are another representation: their tag is weak, and If-None-Match compares weakly.
        answer(request, response, callback, gzip ? document.gzipped() : document.body(), document.contentType(), gzip ? "gzip" : null,
                gzip ? "W/" + snapshot.get().etag() : snapshot.get().etag(), DOCUMENT_CACHE, document.contentType().startsWith("text/html"));
    }

    private boolean admitted(Request request, Response response, Callback callback) {
        long retryAfter = limiter.acquire(ClientAddress.of(request, trustForwardedFor));
        if (retryAfter == 0) {
            return true;
        }
        limited.increment();
        response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(retryAfter));
        HttpServer.writeJson(response, callback, 429, Map.of("error", "too many requests; retry after " + retryAfter + " s"));
        return false;
    }


    private void answer(Request request, Response response, Callback callback, byte[] body, String contentType, String contentEncoding,
                        String etag, String cacheControl, boolean html) {
        var headers = response.getHeaders();
        headers.put(HttpHeader.ETAG, etag);
        headers.put(HttpHeader.CACHE_CONTROL, cacheControl);
        headers.put("X-Content-Type-Options", "nosniff");
        if (html) {
            headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            headers.put("Referrer-Policy", "no-referrer");
        }
        if (matches(request.getHeaders().get(HttpHeader.IF_NONE_MATCH), etag)) {
            notModified.increment();
            response.setStatus(304);
            callback.succeeded();
            return;
        }
        served.increment();
        response.setStatus(200);
        headers.put(HttpHeader.CONTENT_TYPE, contentType);
        if (contentEncoding != null) {
            headers.put(HttpHeader.CONTENT_ENCODING, contentEncoding);
        }
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static boolean acceptsGzip(Request request) {
        for (String coding : request.getHeaders().getCSV(HttpHeader.ACCEPT_ENCODING, false)) {
            String[] parts = coding.split(";");
            if (parts[0].strip().equalsIgnoreCase("gzip") && !(parts.length > 1 && parts[1].replace(" ", "").matches("q=0(\\.0*)?"))) {
                return true;
            }
        }
        return false;
    }

    /** If-None-Match: a list of entity tags (weak ones compare weakly, as RFC 9110 says for GET) or {@code *}. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        String opaque = opaque(etag);
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*") || opaque(tag).equals(opaque)) {
                return true;
            }
        }
        return false;
    }

    private static String opaque(String tag) {
        return tag.startsWith("W/") ? tag.substring(2) : tag;
    }

    private static Asset asset(String name, String contentType) {
        try (InputStream in = PublicSite.class.getResourceAsStream("/status/" + name)) {
            if (in == null) {
                throw new IllegalStateException("/status/" + name + " is not on the class path");
            }
            byte[] body = in.readAllBytes();
            String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body), 0, 8) + "\"";
            return new Asset(body, contentType, etag);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
