package dev.incidentengine.console;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.SessionLog;
import dev.incidentengine.service.api.Sessions;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The responders' web console: script modules without a build step (DESIGN.md) that work over the
 * JSON API, served from this jar by every instance that serves the API.
 *
 * <p>Each page path answers with the same shell ({@code index.html}), so a link to
 * {@code /incidents/INC-1} in a page or a message opens that incident; assets are under
 * {@value #ASSETS}. Signing in trades an API token for a session cookie (HttpOnly,
 * SameSite=Strict, Secure over TLS) at {@value #SESSION}; the API accepts the cookie in place of
 * the token, with the CSRF token on every change ({@link ApiTokens}). A one-time link mailed to the
 * user signs in too ({@link SignInLinks}); sign-outs and links are records every instance reads
 * ({@link SessionLog}).
 */
public final class Console {

    public static final String ASSETS = "/console/";
    public static final String SESSION = "/console/session";
    /** Asks for a sign-in link by e-mail; {@link #REDEEM} signs in with one. */
    public static final String LINK = "/console/session/link";
    public static final String REDEEM = "/console/session/link/redeem";
    /** The console's pages: each answers with the shell, which routes in the browser. */
    public static final List<String> PAGES = List.of("/", "/signin", "/signin/link", "/incidents", "/incidents/*", "/oncall", "/silences",
            "/services", "/reports");
    private static final String STATIC = "/dev/incidentengine/console/static/";
    private static final Pattern ASSET_NAME = Pattern.compile("[a-z0-9-]+(/[a-z0-9-]+)*\\.(js|css|svg|html)");
    private static final Map<String, String> TYPES = Map.of("js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml", "html", "text/html; charset=utf-8");
    private static final int MAX_SIGN_IN_BYTES = 4096;
    /** Scripts, styles and connections only from here; no frames, no inline script, no plug-ins. */
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Asset(byte[] bytes, String type, String etag) {
    }

    private final ApiTokens tokens;
    private final SessionLog sessionLog;
    private final SignInLinks links;
    private final Map<String, Asset> assets = new ConcurrentHashMap<>();

    /** @param sessionLog where sign-outs and sign-in links go, so that every instance knows them */
    public Console(ApiTokens tokens, SessionLog sessionLog, Duration linkTtl, Clock clock) {
        this.tokens = tokens;
        this.sessionLog = sessionLog;
        this.links = new SignInLinks(tokens, sessionLog, linkTtl, clock);
    }

    /** Stops sending sign-in links; the session log is its owner's to close. */
    public void close() {
        links.close();
    }

    public void register(HttpServer http) {
        for (String page : PAGES) {
            http.route("GET", page, (request, response, callback) -> {
                // A page below a page (/incidents/<id>/x) is none.
                String path = Request.getPathInContext(request);
                if (page.endsWith("/*") && path.indexOf('/', page.length() - 1) >= 0) {
                    HttpServer.writeJson(response, callback, 404, Map.of("error", "not found"));
                    return true;
                }
                return serve("index.html", request, response, callback);
            });
        }
        http.route("GET", ASSETS + "*", (request, response, callback) ->
                serve(Request.getPathInContext(request).substring(ASSETS.length()), request, response, callback));
        http.route("GET", SESSION, (request, response, callback) -> answer(response, callback, () -> current(request)));
        http.route("POST", SESSION, (request, response, callback) -> answer(response, callback, () -> signIn(request, response)));
        http.route("DELETE", SESSION, (request, response, callback) -> answer(response, callback, () -> signOut(request, response)));
        http.route("POST", LINK, (request, response, callback) -> answer(response, callback, 202, () -> links.request(request, response)));
        http.route("POST", REDEEM, (request, response, callback) -> answer(response, callback,
                () -> startSession(request, response, links.redeem(request))));
    }

    private boolean serve(String name, Request request, Response response, Callback callback) {
        Optional<Asset> asset = asset(name);
        if (asset.isEmpty()) {
            HttpServer.writeJson(response, callback, 404, Map.of("error", "not found"));
            return true;
        }
        securityHeaders(response);
        response.getHeaders().put(HttpHeader.ETAG, asset.get().etag());
        // Revalidated on every load: a new release's scripts are never mixed with the old ones.
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        if (asset.get().etag().equals(request.getHeaders().get(HttpHeader.IF_NONE_MATCH))) {
            response.setStatus(304);
            callback.succeeded();
            return true;
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, asset.get().type());
        response.write(true, ByteBuffer.wrap(asset.get().bytes()), callback);
        return true;
    }

    /** An asset of the jar, read once; names are checked so a request cannot reach outside {@value #STATIC}. */
    private Optional<Asset> asset(String name) {
        if (!ASSET_NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        Asset cached = assets.get(name);
        if (cached != null) {
            return Optional.of(cached);
        }
        try (InputStream in = Console.class.getResourceAsStream(STATIC + name)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            Asset asset = new Asset(bytes, TYPES.get(name.substring(name.lastIndexOf('.') + 1)), "\"" + sha256(bytes) + "\"");
            assets.put(name, asset);
            return Optional.of(asset);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the console's " + name + " from the jar", e);
        }
    }

    private static void securityHeaders(Response response) {
        response.getHeaders().put("Content-Security-Policy", CSP);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put("Referrer-Policy", "same-origin");
        response.getHeaders().put("X-Frame-Options", "DENY");
    }

    @FunctionalInterface
    private interface Answer {
        Object body();
    }

    private static boolean answer(Response response, Callback callback, Answer answer) {
        return answer(response, callback, 200, answer);
    }

    private static boolean answer(Response response, Callback callback, int status, Answer answer) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        try {
            HttpServer.writeJson(response, callback, status, answer.body());
        } catch (ApiError error) {
            error.write(response, callback);
        }
        return true;
    }

    /** Who is signed in; not signed in is an answer too (a 401 would be an error in the browser's console on every visit). */
    private Map<String, Object> current(Request request) {
        Optional<Sessions.Session> session = tokens.session(request);
        Optional<ApiUser> user = session.flatMap(tokens::sessionUser);
        return user.isPresent() ? describe(user.get(), session.get()) : Map.of("signedIn", false);
    }

    /** Trades an API token for a session. */
    private Map<String, Object> signIn(Request request, Response response) {
        JsonNode body = jsonBody(request);
        if (!body.path("token").isTextual() || body.get("token").textValue().isBlank()) {
            throw new ApiError(400, "token", "is required");
        }
        String cookie = tokens.signIn(body.get("token").textValue()).orElseThrow(() -> new ApiError(403, "token", "unknown API token"));
        return startSession(request, response, cookie);
    }

    /**
     * The JSON object a sign-in request sends. Only as JSON, which a page elsewhere cannot send here
     * without this server's consent (CORS), and never from another origin: no one can sign a browser
     * in as themselves behind its user's back, nor have links mailed from another site's page.
     */
    static JsonNode jsonBody(Request request) {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        // A refused body is read all the same: answered unread, the connection would close under the client's next request.
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            HttpServer.drain(request);
            throw new ApiError(415, null, "send a JSON object as application/json");
        }
        if (!ApiTokens.fromThisOrigin(request)) {
            HttpServer.drain(request);
            throw new ApiError(403, null, "sign in from this console's own page");
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] body = in.readNBytes(MAX_SIGN_IN_BYTES + 1);
            if (body.length > MAX_SIGN_IN_BYTES) {
                HttpServer.drain(request);
                throw new ApiError(413, null, "the sign-in body is larger than " + MAX_SIGN_IN_BYTES + " bytes");
            }
            JsonNode json = JSON.readTree(new String(body, StandardCharsets.UTF_8));
            if (json == null || !json.isObject()) {
                throw new ApiError(400, null, "the body must be a JSON object");
            }
            return json;
        } catch (JacksonException e) {
            throw new ApiError(400, null, "the body is not JSON");
        } catch (IOException e) {
            throw new ApiError(400, null, "the body could not be read");
        }
    }

    /** Sets the cookie of a new session and says who it is. */
    private Map<String, Object> startSession(Request request, Response response, String cookie) {
        Sessions sessions = tokens.sessions().orElseThrow();
        Sessions.Session session = sessions.verify(cookie).orElseThrow();
        response.getHeaders().add(HttpHeader.SET_COOKIE, cookie(request, cookie, sessions.maxAge().toSeconds()));
        return describe(tokens.sessionUser(session).orElseThrow(), session);
    }

    private Map<String, Object> signOut(Request request, Response response) {
        Sessions.Session session = tokens.session(request).orElseThrow(() -> new ApiError(401, null, "not signed in"));
        if (!Sessions.csrfMatches(session, request.getHeaders().get(Sessions.CSRF_HEADER))) {
            throw new ApiError(403, null, "the CSRF token is missing or wrong");
        }
        sessionLog.signOut(session);
        response.getHeaders().add(HttpHeader.SET_COOKIE, cookie(request, "", 0));
        return Map.of("signedOut", true);
    }

    private static Map<String, Object> describe(ApiUser user, Sessions.Session session) {
        return Map.of("signedIn", true, "user", user.user(), "role", user.role().name().toLowerCase(Locale.ROOT), "csrf", session.csrf(),
                "expiresAt", session.expiresAt().toString());
    }

    /** Secure when the browser speaks TLS to us or to the proxy in front of us. */
    private static String cookie(Request request, String value, long maxAgeSeconds) {
        boolean secure = request.isSecure() || "https".equalsIgnoreCase(request.getHeaders().get("X-Forwarded-Proto"));
        return Sessions.COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
