package dev.incidentengine.console;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.model.SessionEvent;
import dev.incidentengine.model.SessionEventType;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.ContactType;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.schemas.Topics;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.api.ApiTokens;
import dev.incidentengine.service.api.SessionLog;
import dev.incidentengine.service.api.Sessions;
import dev.incidentengine.testkit.KafkaTestCluster;
import dev.incidentengine.testkit.TopicContents;
import dev.incidentengine.testkit.WithKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sign-in links and sign-out across two console instances that share a session topic on a real
 * broker (each with its own {@link Sessions}, as two processes would have): a link works once on
 * either, a sign-out on one is refused by the other, asking for a link tells no one who exists,
 * and bad input is refused with a 4xx and loses nothing.
 */
@WithKafka
class ConsoleSessionsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaTestCluster kafka;
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private Topic<String, SessionEvent> sessionTopic;
    private Path secret;
    private String a;
    private String b;

    @TempDir
    Path dir;

    ConsoleSessionsIT(KafkaTestCluster kafka) {
        this.kafka = kafka;
    }

    @BeforeEach
    void start() throws Exception {
        sessionTopic = kafka.createTopic(Topics.CONSOLE_SESSIONS);
        Topic<String, UserConfig> users = kafka.createTopic(Topics.CONFIG_USERS);
        kafka.produce(users, List.of(user("alice", "alice@example.com"), user("bob", "Bob@Example.com"), user("carol", "carol@example.com"),
                user("dave", null)));
        Path tokens = Files.writeString(dir.resolve("tokens.yaml"), """
                tokens:
                  - {user: alice, role: responder, token: alice-token}
                  - {user: bob, role: viewer, token: bob-token}
                  - {user: bob, role: feed, token: bob-feed-token}
                  - {user: dave, role: responder, token: dave-token}
                """);
        secret = Files.writeString(dir.resolve("secret"), "0123456789abcdef0123456789abcdef");
        a = instance(tokens, users, "a");
        b = instance(tokens, users, "b");
    }

    /** One console instance: its own sessions (same secret), session log, and HTTP server. */
    private String instance(Path tokens, Topic<String, UserConfig> users, String name) {
        Sessions sessions = Sessions.load(secret.toString(), Duration.ofHours(1), Clock.systemUTC());
        SessionLog log = new SessionLog(sessions, kafka.consumerProps("console-" + name), kafka.producerProps(), sessionTopic, users, kafka.serdes(),
                Clock.systemUTC());
        Console console = new Console(ApiTokens.load(tokens.toString(), Map.of()).withSessions(sessions), log, Duration.ofMinutes(15),
                Clock.systemUTC());
        HttpServer server = new HttpServer("127.0.0.1", 0);
        console.register(server);
        server.start();
        log.start();
        closing.addAll(List.<AutoCloseable>of(server::close, console::close, log));
        await("instance " + name + " has read the session log").atMost(Duration.ofSeconds(30)).until(log::ready);
        return "http://127.0.0.1:" + server.address().getPort();
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    void aLinkSignsInOnce_onWhicheverInstanceItIsUsed_withTheRoleOfTheUsersToken() throws Exception {
        HttpResponse<String> asked = post(a, Console.LINK, "{\"login\": \"bob@example.com\", \"next\": \"/incidents/INC-1\"}");
        assertThat(asked.statusCode()).as(asked.body()).isEqualTo(202);
        SessionEvent request = linkRequest("bob");
        assertThat(request.getAddress()).as("the configured address, found in any case").isEqualTo("Bob@Example.com");
        assertThat(request.getNext()).isEqualTo("/incidents/INC-1");
        String token = token(request);
        byte[] stored = kafka.serdes().serde(SessionEvent.class, false).serializer().serialize(sessionTopic.name(), request);
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).as("the topic holds no working link")
                .doesNotContain(token.substring(token.lastIndexOf('.') + 1));

        HttpResponse<String> signedIn = post(b, Console.REDEEM, "{\"token\": \"" + token + "\"}");
        assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(200);
        assertThat(JSON.readTree(signedIn.body()).get("user").asText()).isEqualTo("bob");
        assertThat(JSON.readTree(signedIn.body()).get("role").asText()).as("bob's API token is a viewer's, not his feed token").isEqualTo("viewer");
        String cookie = cookie(signedIn);
        assertThat(session(a, cookie).get("user").asText()).as("the session works on the other instance").isEqualTo("bob");

        for (String instance : List.of(a, b)) {
            HttpResponse<String> again = post(instance, Console.REDEEM, "{\"token\": \"" + token + "\"}");
            assertThat(again.statusCode()).isEqualTo(403);
            assertThat(again.body()).contains("used already");
        }
    }

    @Test
    void twoInstancesUsingOneLinkAtOnce_signInOnce() throws Exception {
        assertThat(post(a, Console.LINK, "{\"login\": \"alice\"}").statusCode()).isEqualTo(202);
        String body = "{\"token\": \"" + token(linkRequest("alice")) + "\"}";
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> attempts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String instance = i % 2 == 0 ? a : b;
                attempts.add(() -> post(instance, Console.REDEEM, body).statusCode());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> status : threads.invokeAll(attempts)) {
                statuses.add(status.get());
            }
            assertThat(statuses).containsOnly(200, 403).filteredOn(status -> status == 200).hasSize(1);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aSessionSignedOutOnOneInstanceIsRefusedByTheOther() throws Exception {
        HttpResponse<String> signedIn = post(a, Console.SESSION, "{\"token\": \"alice-token\"}");
        String cookie = cookie(signedIn);
        String csrf = JSON.readTree(signedIn.body()).get("csrf").asText();
        assertThat(session(b, cookie).get("signedIn").asBoolean()).isTrue();

        HttpResponse<String> signedOut = client.send(HttpRequest.newBuilder(URI.create(a + Console.SESSION)).header("Cookie", cookie)
                .header(Sessions.CSRF_HEADER, csrf).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(signedOut.statusCode()).as(signedOut.body()).isEqualTo(200);
        assertThat(signedOut.headers().firstValue("Set-Cookie").orElseThrow()).contains("Max-Age=0");
        assertThat(session(a, cookie).get("signedIn").asBoolean()).as("at once where it was signed out").isFalse();
        await("the other instance refuses it").atMost(Duration.ofSeconds(10))
                .until(() -> !session(b, cookie).get("signedIn").asBoolean());
        List<ConsumerRecord<String, SessionEvent>> log = TopicContents.readToEnd(kafka.bootstrapServers(), sessionTopic, kafka.serdes(),
                Duration.ofSeconds(10));
        assertThat(log).singleElement().satisfies(record -> {
            assertThat(record.value().getType()).isEqualTo(SessionEventType.SIGNED_OUT);
            assertThat(record.value().getUser()).isEqualTo("alice");
        });
    }

    @Test
    void askingForALinkAnswersTheSameForAnyone_andSendsOnlyToUsersWithAnAddressAndAToken() throws Exception {
        List<String> answers = new ArrayList<>();
        for (String login : List.of("nobody", "nobody@example.com", "carol", "dave", "alice", "alice", "alice", "alice", "bob")) {
            HttpResponse<String> response = post(a, Console.LINK, "{\"login\": \"" + login + "\"}");
            assertThat(response.statusCode()).as(login).isEqualTo(202);
            answers.add(response.body());
        }
        assertThat(answers).as("no answer tells who exists").containsOnly(answers.get(0));
        // One thread sends them in order: once bob's is there, every one before it was decided.
        linkRequest("bob");
        List<SessionEvent> requests = TopicContents.readToEnd(kafka.bootstrapServers(), sessionTopic, kafka.serdes(), Duration.ofSeconds(10))
                .stream().map(ConsumerRecord::value).toList();
        assertThat(requests).extracting(SessionEvent::getUser).as("carol has no token, dave no address; alice " + SignInLinks.PER_USER
                + " links per quarter hour").containsExactly("alice", "alice", "alice", "bob");
    }

    @Test
    void oneAddressMayAskForTenLinksInAQuarterHour() throws Exception {
        for (int i = 0; i < SignInLinks.PER_CLIENT; i++) {
            assertThat(post(a, Console.LINK, "{\"login\": \"nobody-" + i + "\"}").statusCode()).isEqualTo(202);
        }
        HttpResponse<String> refused = post(a, Console.LINK, "{\"login\": \"alice\"}");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 15 * 60 + 1L);
        assertThat(post(b, Console.LINK, "{\"login\": \"alice\"}").statusCode()).as("each instance counts its own").isEqualTo(202);
    }

    @Test
    void badInputIsRefusedWithA4xx_andLosesNothing() throws Exception {
        record Case(String path, String body, String type, String origin, int status) {
        }
        Sessions sessions = Sessions.load(secret.toString(), Duration.ofHours(1), Clock.systemUTC());
        Sessions other = Sessions.load(Files.writeString(dir.resolve("other"), "another-secret-of-at-least-32-bytes").toString(),
                Duration.ofHours(1), Clock.systemUTC());
        String aliceFingerprint = linkFingerprint("alice");
        Sessions.Link expired = new Sessions.Link("alice", aliceFingerprint, Sessions.newNonce(), Clock.systemUTC().instant().minusSeconds(1));
        Sessions.Link removedToken = new Sessions.Link("alice", "ffffffffffffffff", Sessions.newNonce(),
                Clock.systemUTC().instant().plusSeconds(600));
        Sessions.Link forged = new Sessions.Link("alice", aliceFingerprint, Sessions.newNonce(), Clock.systemUTC().instant().plusSeconds(600));
        String json = "application/json";
        List<Case> cases = List.of(
                new Case(Console.LINK, "{\"login\": \"alice\"}", "text/plain", null, 415),
                new Case(Console.LINK, "{\"login\": \"alice\"}", null, null, 415),
                new Case(Console.LINK, "{\"login\": \"alice\"}", json, "https://evil.example", 403),
                new Case(Console.LINK, "not json", json, null, 400),
                new Case(Console.LINK, "[\"alice\"]", json, null, 400),
                new Case(Console.LINK, "{}", json, null, 400),
                new Case(Console.LINK, "{\"login\": \"  \"}", json, null, 400),
                new Case(Console.LINK, "{\"login\": 42}", json, null, 400),
                new Case(Console.LINK, "{\"login\": \"" + "a".repeat(321) + "\"}", json, null, 400),
                new Case(Console.LINK, "{\"login\": \"alice\", \"next\": \"//evil.example\"}", json, null, 400),
                new Case(Console.LINK, "{\"login\": \"alice\", \"next\": \"https://evil.example\"}", json, null, 400),
                new Case(Console.LINK, "{\"login\": \"alice\", \"next\": \"/\\\\evil.example\"}", json, null, 400),
                new Case(Console.LINK, "{\"login\": \"alice\", \"next\": \"/a b\"}", json, null, 400),
                new Case(Console.LINK, "{\"login\": \"alice\", \"next\": \"/" + "a".repeat(512) + "\"}", json, null, 400),
                new Case(Console.LINK, "{\"login\": \"" + "a".repeat(5000) + "\"}", json, null, 413),
                new Case(Console.REDEEM, "{\"token\": \"" + sessions.linkToken(forged) + "\"}", "text/plain", null, 415),
                new Case(Console.REDEEM, "{\"token\": \"" + sessions.linkToken(forged) + "\"}", json, "https://evil.example", 403),
                new Case(Console.REDEEM, "{}", json, null, 400),
                new Case(Console.REDEEM, "{\"token\": [1]}", json, null, 400),
                new Case(Console.REDEEM, "{\"token\": \"garbage\"}", json, null, 403),
                new Case(Console.REDEEM, "{\"token\": \"" + other.linkToken(forged) + "\"}", json, null, 403),
                new Case(Console.REDEEM, "{\"token\": \"" + sessions.linkToken(expired) + "\"}", json, null, 403),
                new Case(Console.REDEEM, "{\"token\": \"" + sessions.linkToken(removedToken) + "\"}", json, null, 403),
                new Case(Console.REDEEM, "{\"token\": \"" + sessions.issue("alice", aliceFingerprint) + "\"}", json, null, 403),
                new Case(Console.REDEEM, "{\"token\": \"" + "x".repeat(600) + "\"}", json, null, 400));
        for (Case bad : cases) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(a + bad.path())).POST(HttpRequest.BodyPublishers.ofString(bad.body()));
            if (bad.type() != null) {
                request.header("Content-Type", bad.type());
            }
            if (bad.origin() != null) {
                request.header("Origin", bad.origin());
            }
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(bad.path() + " " + bad.body()).isEqualTo(bad.status());
            assertThat(JSON.readTree(response.body()).get("error").asText()).as("a clear error").isNotBlank();
        }
        assertThat(TopicContents.readToEnd(kafka.bootstrapServers(), sessionTopic, kafka.serdes(), Duration.ofSeconds(10)))
                .as("nothing written for bad input").isEmpty();

        HttpResponse<String> good = client.send(HttpRequest.newBuilder(URI.create(a + Console.LINK)).header("Content-Type", json)
                .header("Origin", a).POST(HttpRequest.BodyPublishers.ofString("{\"login\": \"alice\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(good.statusCode()).isEqualTo(202);
        assertThat(post(a, Console.REDEEM, "{\"token\": \"" + token(linkRequest("alice")) + "\"}").statusCode()).isEqualTo(200);
    }

    private String linkFingerprint(String user) throws Exception {
        return ApiTokens.load(dir.resolve("tokens.yaml").toString(), Map.of()).linkFingerprint(user).orElseThrow();
    }

    /** What the notifier does with a request: the link's token, signed with the shared secret. */
    private String token(SessionEvent request) {
        return Sessions.load(secret.toString(), Duration.ofHours(1), Clock.systemUTC()).linkToken(new Sessions.Link(request.getUser(),
                request.getFingerprint(), request.getNonce(), request.getExpiresAt()));
    }

    private SessionEvent linkRequest(String user) {
        return await("a link request for " + user).atMost(Duration.ofSeconds(15)).until(() -> TopicContents.readToEnd(kafka.bootstrapServers(),
                        sessionTopic, kafka.serdes(), Duration.ofSeconds(10)).stream().map(ConsumerRecord::value)
                .filter(event -> event.getType() == SessionEventType.LINK_REQUESTED && event.getUser().equals(user)).findFirst().orElse(null),
                request -> request != null);
    }

    private HttpResponse<String> post(String base, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode session(String base, String cookie) throws Exception {
        return JSON.readTree(client.send(HttpRequest.newBuilder(URI.create(base + Console.SESSION)).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static String cookie(HttpResponse<String> signedIn) {
        String header = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
        return header.substring(0, header.indexOf(';'));
    }

    private static Map.Entry<String, UserConfig> user(String id, String email) {
        List<ContactMethod> contacts = email == null ? List.of() : List.of(new ContactMethod(ContactType.EMAIL, email));
        return Map.entry(id, UserConfig.newBuilder().setId(id).setName(id).setContacts(contacts).build());
    }
}
