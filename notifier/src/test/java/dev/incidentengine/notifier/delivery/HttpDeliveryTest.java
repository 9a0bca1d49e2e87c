package dev.incidentengine.notifier.delivery;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Deliveries to a real local HTTP server that answers from a script: the fault matrix and signed requests. */
class HttpDeliveryTest {

    private static final byte[] SECRET = "endpoint-secret".getBytes(StandardCharsets.UTF_8);

    /** What the server answers next: status, Retry-After (or null), and whether it holds the answer until the test releases it. */
    private record Answer(int status, String retryAfter, boolean held) {
    }

    private HttpServer server;
    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
    private final List<Boolean> signaturesValid = new ArrayList<>();
    private final List<Duration> waits = new ArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final RetryPolicy fast = new RetryPolicy(4, Duration.ofMillis(10), Duration.ofSeconds(5), () -> 1.0);
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void setUp() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/hook", this::answer);
        server.createContext("/endless", exchange -> {
            // A body that never ends: 1 KiB after 1 KiB until the client goes away.
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                while (true) {
                    out.write(new byte[1024]);
                }
            } catch (IOException e) {
                // the client stopped reading
            }
        });
        server.createContext("/drip", exchange -> {
            // Headers at once, then one byte of the body, and nothing more until the test ends.
            exchange.sendResponseHeaders(200, 0);
            exchange.getResponseBody().write('{');
            exchange.getResponseBody().flush();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void tearDown() {
        released.countDown();
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        synchronized (signaturesValid) {
            signaturesValid.add(Signatures.verify(SECRET, exchange.getRequestHeaders().getFirst(Signatures.SIGNATURE_HEADER),
                    exchange.getRequestHeaders().getFirst(Signatures.TIMESTAMP_HEADER), body, Instant.now().getEpochSecond(), 300));
        }
        Answer answer = Optional.ofNullable(script.poll()).orElse(new Answer(200, null, false));
        requests.incrementAndGet();
        if (answer.held()) {
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (answer.retryAfter() != null) {
            exchange.getResponseHeaders().add("Retry-After", answer.retryAfter());
        }
        byte[] reply = ("{\"status\":" + answer.status() + "}").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer.status(), reply.length);
        exchange.getResponseBody().write(reply);
        exchange.close();
    }

    @Test
    void aSignedRequestIsDeliveredAtOnce_andTheReceiverCanVerifyIt() throws Exception {
        HttpDelivery.Outcome outcome = delivery(fast).send(signed("{\"incident\":\"INC-1\"}", Duration.ofSeconds(2)));

        assertThat(outcome.delivered()).isTrue();
        assertThat(outcome.attempts()).isEqualTo(1);
        assertThat(signaturesValid).containsExactly(true);
    }

    @Test
    void serverErrorsAreRetriedWithBackoff_untilDelivered() throws Exception {
        script.add(new Answer(500, null, false));
        script.add(new Answer(503, null, false));

        HttpDelivery.Outcome outcome = delivery(fast).send(signed("{}", Duration.ofSeconds(2)));

        assertThat(outcome.delivered()).isTrue();
        assertThat(outcome.attempts()).isEqualTo(3);
        assertThat(waits).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20));
    }

    @Test
    void a429IsRetriedAfterItsRetryAfter() throws Exception {
        script.add(new Answer(429, "1", false));

        HttpDelivery.Outcome outcome = delivery(fast).send(signed("{}", Duration.ofSeconds(2)));

        assertThat(outcome.delivered()).isTrue();
        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(waits).as("Retry-After: 1 is longer than the 10 ms backoff").containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void otherClientErrorsAreNotRetried_forExampleInvalidCredentials() throws Exception {
        script.add(new Answer(401, null, false));
        HttpDelivery.Outcome unauthorized = delivery(fast).send(signed("{}", Duration.ofSeconds(2)));
        script.add(new Answer(400, null, false));
        HttpDelivery.Outcome bad = delivery(fast).send(signed("{}", Duration.ofSeconds(2)));

        assertThat(unauthorized.delivered()).isFalse();
        assertThat(unauthorized.attempts()).isEqualTo(1);
        assertThat(unauthorized.error()).contains("HTTP 401", "not retried");
        assertThat(bad.attempts()).isEqualTo(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void timeoutsAreRetried_andReportedWhenTheyLast() throws Exception {
        for (int i = 0; i < 4; i++) {
            script.add(new Answer(200, null, true));
        }

        HttpDelivery.Outcome outcome = delivery(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofSeconds(1), () -> 1.0))
                .send(signed("{}", Duration.ofMillis(200)));

        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(outcome.error()).contains("HttpTimeoutException", "gave up after 2 attempts");
    }

    @Test
    void aRefusedConnectionIsRetried_andReported() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + closedPort + "/hook"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(2)).build();

        HttpDelivery.Outcome outcome = delivery(fast).send(request);

        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.attempts()).isEqualTo(4);
        assertThat(outcome.error()).contains("ConnectException");
        assertThat(waits).hasSize(3);
    }

    @Test
    void aSlowEndpointWithinTheTimeoutIsDelivered() throws Exception {
        script.add(new Answer(200, null, true));

        CompletableFuture<HttpDelivery.Outcome> sending = CompletableFuture.supplyAsync(() -> {
            try {
                return delivery(fast).send(signed("{}", Duration.ofSeconds(60)));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await("the request arrived").atMost(Duration.ofSeconds(30)).until(() -> requests.get() == 1);
        await("and is waited for").during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(30)).until(() -> !sending.isDone());
        released.countDown();

        assertThat(sending.get(30, TimeUnit.SECONDS).delivered()).isTrue();
        assertThat(requests).as("answered at the first attempt").hasValue(1);
    }

    @Test
    @Timeout(60)
    void ofAnEndlessAnswerOnlyTheBoundIsRead() throws Exception {
        HttpDelivery.Outcome outcome = delivery(fast).send(HttpRequest.newBuilder(uri("/endless"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(30)).build());

        assertThat(outcome.delivered()).isTrue();
        assertThat(outcome.body()).hasSize(HttpDelivery.MAX_BODY);
    }

    @Test
    @Timeout(60)
    void anAnswerThatNeverCompletesTimesOut_bodyIncluded() throws Exception {
        HttpDelivery.Outcome outcome = delivery(new RetryPolicy(2, Duration.ofMillis(10), Duration.ofSeconds(1), () -> 1.0))
                .send(HttpRequest.newBuilder(uri("/drip")).POST(HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofMillis(500)).build());

        assertThat(outcome.delivered()).isFalse();
        assertThat(outcome.error()).contains("HttpTimeoutException", "gave up after 2 attempts");
    }

    @Test
    void aReplayedOrTamperedRequestFailsVerification() {
        long now = Instant.now().getEpochSecond();
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        String signature = Signatures.sign(SECRET, now - 600, body);

        assertThat(Signatures.verify(SECRET, signature, Long.toString(now - 600), body, now, 300)).as("too old").isFalse();
        assertThat(Signatures.verify(SECRET, Signatures.sign(SECRET, now, body), Long.toString(now),
                "{\"a\":2}".getBytes(StandardCharsets.UTF_8), now, 300)).as("tampered").isFalse();
        assertThat(Signatures.verify("other".getBytes(StandardCharsets.UTF_8), Signatures.sign(SECRET, now, body), Long.toString(now),
                body, now, 300)).as("another secret").isFalse();
    }

    @Test
    void backoffGrowsExponentiallyWithJitter_capped_andHonoursALongerRetryAfter() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.5);

        assertThat(policy.backoff(1, Optional.empty())).isEqualTo(Duration.ofMillis(250));
        assertThat(policy.backoff(4, Optional.empty())).isEqualTo(Duration.ofMillis(2_000));
        assertThat(policy.backoff(10, Optional.empty())).isEqualTo(Duration.ofSeconds(15));
        assertThat(policy.backoff(1, Optional.of(Duration.ofSeconds(3)))).isEqualTo(Duration.ofSeconds(3));
        assertThat(policy.backoff(1, Optional.of(Duration.ofHours(1)))).as("capped").isEqualTo(Duration.ofSeconds(30));
        assertThat(HttpDelivery.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).contains(Duration.ZERO);
        assertThat(HttpDelivery.retryAfter("soon")).isEmpty();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private HttpDelivery delivery(RetryPolicy policy) {
        return new HttpDelivery(client, policy, waits::add);
    }

    private HttpRequest signed(String json, Duration timeout) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        long now = Instant.now().getEpochSecond();
        return HttpRequest.newBuilder(uri("/hook"))
                .header("Content-Type", "application/json")
                .header(Signatures.TIMESTAMP_HEADER, Long.toString(now))
                .header(Signatures.SIGNATURE_HEADER, Signatures.sign(SECRET, now, body))
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }
}
