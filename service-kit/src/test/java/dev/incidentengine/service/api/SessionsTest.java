package dev.incidentengine.service.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.api.ApiTokens.Role;
import dev.incidentengine.testkit.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The console's signed session cookies, and the API accepting them in place of a token, through a real HTTP server. */
class SessionsTest {

    private static final byte[] SECRET = "a-session-secret-of-at-least-32-bytes!".getBytes(StandardCharsets.UTF_8);
    private static final String TOKENS = """
            tokens:
              - {user: alice, role: responder, token: alice-token}
              - {user: bob, role: viewer, token: bob-token}
              - {user: bob, role: feed, token: bob-feed-token}
            """;

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(Instant.parse("2026-12-04T10:00:00Z"));
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aCookieIsValidUntilItExpires_andNotOnceTamperedWithOrSignedOut() {
        Sessions sessions = new Sessions(SECRET, Duration.ofHours(12), clock);
        String cookie = sessions.issue("alice", "0011223344556677");
        Sessions.Session session = sessions.verify(cookie).orElseThrow();
        assertThat(session.user()).isEqualTo("alice");
        assertThat(session.fingerprint()).isEqualTo("0011223344556677");
        assertThat(session.expiresAt()).isEqualTo(Instant.parse("2026-12-04T22:00:00Z"));
        assertThat(Sessions.csrfMatches(session, session.csrf())).isTrue();
        assertThat(Sessions.csrfMatches(session, "guess")).isFalse();
        assertThat(Sessions.csrfMatches(session, null)).isFalse();
        assertThat(sessions.issue("alice", "0011223344556677")).as("each sign-in a new session").isNotEqualTo(cookie);

        String otherUser = cookie.replaceFirst("\\.[^.]+\\.([^.]+)$", "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("bob".getBytes(StandardCharsets.UTF_8)) + ".$1");
        assertThat(sessions.verify(otherUser)).as("the user changed, the signature kept").isEmpty();
        assertThat(sessions.verify(cookie + "x")).isEmpty();
        assertThat(sessions.verify("garbage")).isEmpty();
        assertThat(sessions.verify("a.b.c.d.e.f")).isEmpty();
        assertThat(sessions.verify(null)).isEmpty();
        assertThat(new Sessions("another-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8), Duration.ofHours(12), clock)
                .verify(cookie)).as("another secret").isEmpty();

        clock.advance(Duration.ofHours(12).minusSeconds(1));
        assertThat(sessions.verify(cookie)).isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(sessions.verify(cookie)).as("expired").isEmpty();

        String next = sessions.issue("alice", "0011223344556677");
        Sessions.Session nextSession = sessions.verify(next).orElseThrow();
        sessions.signOut(nextSession.nonce(), nextSession.expiresAt());
        assertThat(sessions.verify(next)).as("signed out").isEmpty();
    }

    @Test
    void aSignInLinkIsValidUntilItExpires_andNotOnceForgedOrTamperedWith_andIsNeverACookie() {
        Sessions sessions = new Sessions(SECRET, Duration.ofHours(12), clock);
        Sessions.Link link = new Sessions.Link("alice", "0011223344556677", Sessions.newNonce(), clock.instant().plus(Duration.ofMinutes(15)));
        String token = sessions.linkToken(link);
        assertThat(sessions.verifyLink(token)).contains(link);
        assertThat(token).as("no secret in it but its signature").doesNotContain(new String(SECRET, StandardCharsets.UTF_8));

        String[] fields = token.split("\\.");
        String bob = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("bob".getBytes(StandardCharsets.UTF_8));
        assertThat(sessions.verifyLink(String.join(".", bob, fields[1], fields[2], fields[3], fields[4]))).as("another user").isEmpty();
        assertThat(sessions.verifyLink(String.join(".", fields[0], "ffffffffffffffff", fields[2], fields[3], fields[4])))
                .as("another token's role").isEmpty();
        assertThat(sessions.verifyLink(String.join(".", fields[0], fields[1], Sessions.newNonce(), fields[3], fields[4])))
                .as("another nonce").isEmpty();
        assertThat(sessions.verifyLink(String.join(".", fields[0], fields[1], fields[2], Long.toString(Long.parseLong(fields[3]) + 3600),
                fields[4]))).as("a later expiry").isEmpty();
        assertThat(sessions.verifyLink(token + "x")).isEmpty();
        assertThat(sessions.verifyLink(token.substring(0, token.length() - 1))).isEmpty();
        for (String garbage : new String[] {"", "a.b.c.d.e", "a.b.c.notanumber.e", "!!.b.c.1.e", "x".repeat(600), "a.b.c.d.e.f"}) {
            assertThat(sessions.verifyLink(garbage)).as(garbage).isEmpty();
        }
        assertThat(sessions.verifyLink(null)).isEmpty();
        Sessions other = new Sessions("another-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8), Duration.ofHours(12), clock);
        assertThat(other.verifyLink(token)).as("another secret").isEmpty();

        assertThat(sessions.verify(token)).as("a link is no session").isEmpty();
        assertThat(sessions.verifyLink(sessions.issue("alice", "0011223344556677"))).as("a session is no link").isEmpty();

        clock.advance(Duration.ofMinutes(15).minusSeconds(1));
        assertThat(sessions.verifyLink(token)).isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(sessions.verifyLink(token)).as("expired").isEmpty();
    }

    @Test
    void untilTheLogOfSignOutsIsRead_aSessionIsNeitherAcceptedNorRefused() {
        Sessions sessions = new Sessions(SECRET, Duration.ofHours(12), clock);
        String cookie = sessions.issue("alice", "0011223344556677");
        boolean[] read = {false};
        sessions.awaitLog(() -> read[0]);
        assertThatThrownBy(() -> sessions.verify(cookie)).isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status()).isEqualTo(503));
        assertThat(sessions.verify(null)).as("no cookie: nothing to check").isEmpty();
        read[0] = true;
        assertThat(sessions.verify(cookie)).isPresent();
    }

    @Test
    void aSecretFileMustHoldEnoughBytes() throws IOException {
        Path shortSecret = Files.writeString(dir.resolve("short"), "too short\n");
        assertThatThrownBy(() -> Sessions.load(shortSecret.toString(), Duration.ofHours(1), clock))
                .hasMessageContaining(shortSecret.toString()).hasMessageContaining("at least 32 bytes").hasMessageNotContaining("too short");
        assertThatThrownBy(() -> Sessions.load(dir.resolve("missing").toString(), Duration.ofHours(1), clock))
                .hasMessageContaining("cannot read the session secret");
        Path good = Files.writeString(dir.resolve("good"), new String(SECRET, StandardCharsets.UTF_8) + "\n");
        Sessions sessions = Sessions.load(good.toString(), Duration.ofHours(1), clock);
        assertThat(new Sessions(SECRET, Duration.ofHours(1), clock).verify(sessions.issue("alice", "00"))).as("the same secret").isPresent();
    }

    @Test
    void theApiTakesASessionInPlaceOfAToken_withItsTokensCurrentRole_andTheCsrfTokenOnEveryChange() throws Exception {
        ApiTokens tokens = tokens(TOKENS);
        String alice = tokens.signIn("alice-token").orElseThrow();
        String bob = tokens.signIn("bob-token").orElseThrow();
        assertThat(tokens.signIn("bob-feed-token")).as("a feed token signs no one in").isEmpty();
        assertThat(tokens.signIn("guess")).isEmpty();
        String aliceCsrf = tokens.sessions().orElseThrow().verify(alice).orElseThrow().csrf();
        String bobCsrf = tokens.sessions().orElseThrow().verify(bob).orElseThrow().csrf();
        start(tokens);

        assertThat(call("GET", alice, null, null)).isEqualTo("200 alice RESPONDER");
        assertThat(call("POST", alice, aliceCsrf, null)).isEqualTo("200 alice RESPONDER");
        assertThat(call("POST", alice, null, null)).startsWith("403").contains("CSRF");
        assertThat(call("POST", alice, bobCsrf, null)).as("another session's CSRF token").startsWith("403");
        assertThat(call("POST", alice, aliceCsrf, "https://evil.example")).startsWith("403").contains("evil.example");
        assertThat(call("POST", alice, aliceCsrf, "http://" + server.address().getHostString() + ":" + server.address().getPort()))
                .isEqualTo("200 alice RESPONDER");
        assertThat(call("GET", bob, null, null)).isEqualTo("200 bob VIEWER");
        assertThat(call("POST", bob, bobCsrf, null)).as("a viewer's session acts no more than its token").startsWith("403")
                .contains("viewer");
        assertThat(call("GET", alice + "x", null, null)).as("a tampered cookie is no credential").startsWith("401");
        assertThat(call("GET", null, null, null)).startsWith("401");

        // Alice's token leaves the file: her sessions end with it, on every instance that reads the new file.
        server.close();
        start(tokens("""
                tokens:
                  - {user: alice, role: responder, token: alice-new-token}
                """));
        assertThat(call("GET", alice, null, null)).startsWith("401").contains("sign in again");
    }

    private ApiTokens tokens(String yaml) throws IOException {
        Path file = Files.writeString(dir.resolve("tokens-" + yaml.hashCode() + ".yaml"), yaml);
        return ApiTokens.load(file.toString(), Map.of()).withSessions(new Sessions(SECRET, Duration.ofHours(12), clock));
    }

    private void start(ApiTokens tokens) {
        server = new HttpServer("127.0.0.1", 0);
        for (String method : new String[] {"GET", "POST"}) {
            server.route(method, "/who", (request, response, callback) -> {
                try {
                    ApiTokens.ApiUser user = tokens.authorize(request, response, method.equals("GET") ? Role.VIEWER : Role.RESPONDER);
                    HttpServer.writeJson(response, callback, 200, Map.of("who", user.user() + " " + user.role()));
                } catch (ApiError error) {
                    error.write(response, callback);
                }
                return true;
            });
        }
        server.start();
    }

    private String call(String method, String cookie, String csrf, String origin) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + "/who"))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (cookie != null) {
            request.header("Cookie", Sessions.COOKIE + "=" + cookie);
        }
        if (csrf != null) {
            request.header(Sessions.CSRF_HEADER, csrf);
        }
        if (origin != null) {
            request.header("Origin", origin);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String body = response.body();
        return response.statusCode() + " " + (response.statusCode() == 200 ? body.replaceAll(".*\"who\":\"([^\"]*)\".*", "$1") : body);
    }
}
