package dev.incidentengine.console;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.service.api.SessionLog;
import dev.incidentengine.service.api.Sessions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The console's shell, assets and sign-in over a real HTTP server; what a browser does with them is ConsoleBrowserIT's. */
class ConsoleTest {

    @TempDir
    Path dir;

    private final HttpClient client = HttpClient.newHttpClient();
    private HttpServer server;
    private String base;

    @BeforeEach
    void start() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens.yaml"), """
                tokens:
                  - {user: alice, role: responder, token: alice-token}
                  - {user: alice, role: feed, token: alice-feed-token}
                """);
        Path secret = Files.writeString(dir.resolve("secret"), "0123456789abcdef0123456789abcdef");
        server = new HttpServer("127.0.0.1", 0);
        Sessions sessions = Sessions.load(secret.toString(), java.time.Duration.ofHours(1), Clock.systemUTC());
        // Pages, assets and signing in need no Kafka: the log (never started here) is ConsoleSessionsIT's.
        SessionLog log = new SessionLog(sessions, java.util.Map.of(), java.util.Map.of(), Topics.CONSOLE_SESSIONS, null,
                RecordSerdes.singleObject(), Clock.systemUTC());
        new Console(ApiTokens.load(tokens.toString(), java.util.Map.of()).withSessions(sessions), log, java.time.Duration.ofMinutes(15),
                Clock.systemUTC()).register(server);
        server.start();
        base = "http://127.0.0.1:" + server.address().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void everyPageIsTheShell_withAPolicyThatAllowsOnlyThisOrigin() throws Exception {
        for (String page : new String[] {"/", "/signin", "/signin/link", "/incidents", "/incidents/INC-20261204-0001"}) {
            HttpResponse<String> shell = get(page);
            assertThat(shell.statusCode()).as(page).isEqualTo(200);
            assertThat(shell.headers().firstValue("Content-Type")).contains("text/html; charset=utf-8");
            assertThat(shell.body()).contains("<script type=\"module\" src=\"/console/app.js\">");
            assertThat(shell.headers().firstValue("Content-Security-Policy").orElseThrow())
                    .contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe");
            assertThat(shell.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        }
        assertThat(get("/incidents/INC-1/more").statusCode()).isEqualTo(404);
    }

    @Test
    void assetsAreServedWithTheirTypeAndRevalidated() throws Exception {
        HttpResponse<String> app = get("/console/app.js");
        assertThat(app.statusCode()).isEqualTo(200);
        assertThat(app.headers().firstValue("Content-Type")).contains("text/javascript; charset=utf-8");
        String etag = app.headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> again = client.send(HttpRequest.newBuilder(URI.create(base + "/console/app.js")).header("If-None-Match", etag)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(304);
        assertThat(get("/console/pages/incidents.js").statusCode()).isEqualTo(200);
        assertThat(get("/console/console.css").headers().firstValue("Content-Type")).contains("text/css; charset=utf-8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/console/../../etc/passwd", "/console/%2e%2e/%2e%2e/etc/passwd", "/console/..%2fpom.xml",
            "/console/dev/incidentengine/console/Console.class", "/console/APP.JS", "/console/missing.js", "/console/app.js.map",
            "/console/lib//dom.js"})
    void nothingOutsideTheAssetsIsServed(String path) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path).isIn(400, 404);
        assertThat(response.body()).doesNotContain("root:", "<project", "import ");
    }

    @Test
    void signingInTakesAnApiTokenAsJsonFromThisOriginOnly() throws Exception {
        assertThat(get("/console/session").body()).isEqualTo("{\"signedIn\":false}");
        assertThat(signIn("{\"token\": \"alice-token\"}", "text/plain", null).statusCode()).as("a form a page elsewhere could send")
                .isEqualTo(415);
        assertThat(signIn("{\"token\": \"alice-token\"}", "application/json", "https://evil.example").statusCode()).isEqualTo(403);
        assertThat(signIn("{\"token\": \"guess\"}", "application/json", null).statusCode()).isEqualTo(403);
        assertThat(signIn("{\"token\": \"alice-feed-token\"}", "application/json", null).statusCode()).isEqualTo(403);
        assertThat(signIn("not json", "application/json", null).statusCode()).isEqualTo(400);
        assertThat(signIn("{\"token\": \"" + "x".repeat(5000) + "\"}", "application/json", null).statusCode()).isEqualTo(413);

        HttpResponse<String> signedIn = signIn("{\"token\": \"alice-token\"}", "application/json", base);
        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(200);
        assertThat(signedIn.body()).contains("\"user\":\"alice\"", "\"role\":\"responder\"", "\"csrf\":").doesNotContain("alice-token");
        String cookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith(Sessions.COOKIE + "=").contains("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=3600")
                .doesNotContain("Secure");
        String session = cookie.substring(0, cookie.indexOf(';'));
        HttpResponse<String> current = client.send(HttpRequest.newBuilder(URI.create(base + "/console/session")).header("Cookie", session)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(current.body()).contains("\"signedIn\":true", "\"user\":\"alice\"");

        HttpResponse<String> proxied = client.send(HttpRequest.newBuilder(URI.create(base + "/console/session"))
                .header("Content-Type", "application/json").header("X-Forwarded-Proto", "https")
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\": \"alice-token\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(proxied.headers().firstValue("Set-Cookie").orElseThrow()).as("behind a proxy that ends TLS").contains("; Secure");

        HttpResponse<String> noCsrf = client.send(HttpRequest.newBuilder(URI.create(base + "/console/session")).header("Cookie", session)
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noCsrf.statusCode()).isEqualTo(403);
        // Signing out with the token: ConsoleSessionsIT, which has Kafka.
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> signIn(String body, String type, String origin) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/console/session")).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (origin != null) {
            request.header("Origin", origin);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
