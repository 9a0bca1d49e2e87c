package dev.incidentengine.service.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.configdata.IntegrationKeys;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * The API's bearer tokens, from a YAML file ({@code api.tokens.file}):
 * <pre>
 * tokens:
 *   - user: alice
 *     role: responder        # viewer | responder | admin | feed
 *     token: ...             # or tokenEnv: VAR | tokenFile: path | tokenSha256: hex
 * </pre>
 * A {@code feed} token is not an API token: it reads its user's calendar feed, which calendar apps
 * fetch with the token in the URL (where it lands in their settings, proxies and logs), and
 * nothing else; every API endpoint refuses it ({@link #authorizeFeed}).
 * Only SHA-256 hashes are kept; a presented token is hashed and compared with every hash in
 * constant time. Errors name the file and the entry, never a secret.
 */
public final class ApiTokens {

    /** What a token may do; each role includes the ones before it. */
    public enum Role {
        VIEWER, RESPONDER, ADMIN;

        public boolean includes(Role needed) {
            return compareTo(needed) >= 0;
        }
    }

    /** Who a token belongs to. */
    public record ApiUser(String user, Role role) {
    }

    /** A token of {@code user}: an API token of {@code role}, or a feed token when the role is null. */
    private record Entry(byte[] sha256, String user, Role role) {

        ApiUser apiUser() {
            return new ApiUser(user, role);
        }
    }

    private static final Set<String> FIELDS = Set.of("user", "role", "token", "tokenEnv", "tokenFile", "tokenSha256");
    private static final List<String> SOURCES = List.of("token", "tokenEnv", "tokenFile", "tokenSha256");

    private static final String FEED = "feed";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    public static final ApiTokens NONE = new ApiTokens(List.of(), null);

    private final List<Entry> entries;
    /** The console's browser sessions, accepted in place of a token; null: none. */
    private final Sessions sessions;

    private ApiTokens(List<Entry> entries, Sessions sessions) {
        this.entries = List.copyOf(entries);
        this.sessions = sessions;
    }

    /** These tokens, and browser sessions of their users ({@link Sessions}) in their place. */
    public ApiTokens withSessions(Sessions sessions) {
        return new ApiTokens(entries, sessions);
    }

    /** Reads the tokens file; a blank name gives no tokens. Environment variables come from {@code env}. */
    public static ApiTokens load(String file, Map<String, String> env) {
        if (file == null || file.isBlank()) {
            return NONE;
        }
        Path path = Path.of(file);
        List<Entry> entries = new ArrayList<>();
        for (YamlEntries.Entry node : YamlEntries.read(path, "tokens", FIELDS, "the API tokens file")) {
            Entry entry = entry(node, env);
            if (entries.stream().anyMatch(other -> MessageDigest.isEqual(other.sha256(), entry.sha256()))) {
                throw new IllegalArgumentException(node.where() + " (user " + entry.user() + "): the same token is given twice");
            }
            entries.add(entry);
        }
        return new ApiTokens(entries, null);
    }

    private static Entry entry(YamlEntries.Entry entry, Map<String, String> env) {
        JsonNode node = entry.node();
        String user = entry.text("user");
        String where = entry.where() + " (user " + user + ")";
        String roleName = YamlEntries.text(node, "role", where);
        Role role = null;
        if (!roleName.equalsIgnoreCase(FEED)) {
            try {
                role = Role.valueOf(roleName.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ".role: must be viewer, responder, admin or feed, not '" + roleName + "'");
            }
        }
        List<String> given = SOURCES.stream().filter(node::hasNonNull).toList();
        if (given.size() != 1) {
            throw new IllegalArgumentException(where + ": give exactly one of " + SOURCES + ", not " + given);
        }
        String source = given.get(0);
        String reference = YamlEntries.text(node, source, where);
        if (source.equals("tokenSha256")) {
            if (!reference.matches("[0-9a-fA-F]{64}")) {
                throw new IllegalArgumentException(where + ".tokenSha256: must be 64 hex digits");
            }
            return new Entry(HexFormat.of().parseHex(reference), user, role);
        }
        String token = switch (source) {
            case "token" -> reference;
            case "tokenEnv" -> env.get(reference);
            default -> readTokenFile(Path.of(reference), where);
        };
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException(where + "." + source + ": '" + reference + "' gives no token");
        }
        return new Entry(sha256(token), user, role);
    }

    private static String readTokenFile(Path path, String where) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ".tokenFile: cannot read " + path);
        }
    }

    private static byte[] sha256(String token) {
        return HexFormat.of().parseHex(IntegrationKeys.sha256(token.strip()));
    }

    /** The user of a presented API token (never a feed token). */
    public Optional<ApiUser> authenticate(String token) {
        return find(token).filter(entry -> entry.role() != null).map(Entry::apiUser);
    }

    /** The entry of a token; every entry is compared, in constant time, so timing tells nothing. */
    private Optional<Entry> find(String token) {
        if (token == null || token.isBlank()) {
            return Optional.empty();
        }
        byte[] presented = sha256(token);
        Entry found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.sha256(), presented)) {
                found = entry;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Checks that {@code token}, sent in a URL, is a feed token of {@code userId}: 403 for anything
     * else, and an API token is refused too, so that one never has to be put in a URL.
     */
    public void authorizeFeed(String token, String userId) {
        Entry entry = find(token).orElseThrow(() -> new ApiError(403, "token", "unknown feed token"));
        if (entry.role() != null) {
            throw new ApiError(403, "token", "an API token must not be sent in a URL: use a feed token of the user (role feed)");
        }
        if (!entry.user().equals(userId)) {
            throw new ApiError(403, "token", "this feed token reads only the feed of user " + entry.user());
        }
    }

    /**
     * The caller of an API request if its role includes {@code needed}: 401 with a Bearer challenge
     * when no token is sent, 403 for an unknown token or a lesser role.
     */
    public ApiUser authorize(Request request, Response response, Role needed) {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization == null && sessions != null) {
            Optional<Sessions.Session> session = session(request);
            if (session.isPresent()) {
                return authorizeSession(request, session.get(), needed);
            }
        }
        String token = authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? null
                : authorization.substring(7).strip();
        if (token == null || token.isEmpty()) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"incident-engine\"");
            throw new ApiError(401, null, "credentials are missing: send an API token as 'Authorization: Bearer <token>'"
                    + (sessions != null ? " or sign in to the console" : ""));
        }
        return authorize(token, needed);
    }

    /** The user of {@code token} if its role includes {@code needed}; 403 otherwise. */
    public ApiUser authorize(String token, Role needed) {
        return withRole(authenticate(token).orElseThrow(() -> new ApiError(403, null, "unknown API token")), needed);
    }

    private static ApiUser withRole(ApiUser user, Role needed) {
        if (!user.role().includes(needed)) {
            throw new ApiError(403, null, "user " + user.user() + " is a " + user.role().name().toLowerCase(Locale.ROOT)
                    + "; this needs the role " + needed.name().toLowerCase(Locale.ROOT));
        }
        return user;
    }

    /**
     * A browser session's user, with the current role of the token they signed in with. A request
     * that changes something must carry the session's CSRF token ({@link Sessions#CSRF_HEADER}) and,
     * if the browser says where it comes from, come from this origin: a page elsewhere cannot act
     * with the cookie even in a browser that sends it.
     */
    private ApiUser authorizeSession(Request request, Sessions.Session session, Role needed) {
        ApiUser user = sessionUser(session).orElseThrow(() -> new ApiError(401, null,
                "the token this session was signed in with is no longer valid: sign in again"));
        if (!SAFE_METHODS.contains(request.getMethod())) {
            if (!fromThisOrigin(request)) {
                throw new ApiError(403, null, "a request from " + request.getHeaders().get(HttpHeader.ORIGIN)
                        + " cannot act with a console session");
            }
            if (!Sessions.csrfMatches(session, request.getHeaders().get(Sessions.CSRF_HEADER))) {
                throw new ApiError(403, null, "the CSRF token is missing or wrong: send the session's token as " + Sessions.CSRF_HEADER);
            }
        }
        return withRole(user, needed);
    }

    /**
     * Whether the browser's {@code Origin}, if it sent one, names the host it sent the request to.
     * Only host and port are compared: behind a proxy that ends TLS, the scheme seen here is not the browser's.
     */
    public static boolean fromThisOrigin(Request request) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin == null) {
            return true;
        }
        int schemeEnd = origin.indexOf("://");
        return schemeEnd > 0 && origin.substring(schemeEnd + 3).equalsIgnoreCase(request.getHttpURI().getAuthority());
    }

    /** The browser session a request's cookie holds, if it is valid. */
    public Optional<Sessions.Session> session(Request request) {
        if (sessions == null) {
            return Optional.empty();
        }
        List<HttpCookie> cookies = Request.getCookies(request);
        for (HttpCookie cookie : cookies) {
            if (cookie.getName().equals(Sessions.COOKIE)) {
                return sessions.verify(cookie.getValue());
            }
        }
        return Optional.empty();
    }

    /** The user of a session, while the API token it was signed in with is still in the file. */
    public Optional<ApiUser> sessionUser(Sessions.Session session) {
        return user(session.user(), session.fingerprint());
    }

    /** {@code user} with the role of their API token of {@code fingerprint}, while it is in the file. */
    public Optional<ApiUser> user(String user, String fingerprint) {
        return entries.stream()
                .filter(entry -> entry.role() != null && entry.user().equals(user) && fingerprint(entry).equals(fingerprint))
                .findFirst()
                .map(Entry::apiUser);
    }

    /**
     * The fingerprint of the API token whose role a session from a sign-in link of {@code user} gets: the user's first
     * API token in the file (feed tokens are none). Without one the user gets no link.
     */
    public Optional<String> linkFingerprint(String user) {
        return entries.stream().filter(entry -> entry.role() != null && entry.user().equals(user)).findFirst().map(ApiTokens::fingerprint);
    }

    /** Signs in with an API token: the new session's cookie value, or nothing for an unknown token or a feed token. */
    public Optional<String> signIn(String token) {
        if (sessions == null) {
            return Optional.empty();
        }
        return find(token).filter(entry -> entry.role() != null).map(entry -> sessions.issue(entry.user(), fingerprint(entry)));
    }

    public Optional<Sessions> sessions() {
        return Optional.ofNullable(sessions);
    }

    /** 64 bits of the token's SHA-256: names the token in a session cookie without revealing it. */
    private static String fingerprint(Entry entry) {
        return HexFormat.of().formatHex(entry.sha256(), 0, 8);
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Users and roles, for the start log; no secrets. */
    public List<String> describe() {
        return entries.stream().map(entry -> entry.user() + " ("
                + (entry.role() == null ? FEED : entry.role().name().toLowerCase(Locale.ROOT)) + ")").toList();
    }
}
