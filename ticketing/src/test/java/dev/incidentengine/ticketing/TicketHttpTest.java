package dev.incidentengine.ticketing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What TicketHttp repeats and what it does not: reads are repeated after any failure worth a retry, writes only when the
 * system cannot have done them (429, 503), never after a timeout or a 500, which a system may answer after doing the write.
 */
class TicketHttpTest {

    private final Deque<Integer> answers = new ArrayDeque<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Duration> slept = new ArrayList<>();
    private HttpServer server;
    private TicketHttp http;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                requests.incrementAndGet();
                Integer status = answers.poll();
                if (status == null) { // no answer scripted: hang until the test ends
                    release.await();
                    return;
                }
                if (status == 429) {
                    exchange.getResponseHeaders().add("Retry-After", "2");
                }
                byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        http = new TicketHttp("test", HttpClient.newHttpClient(), new TicketHttp.Retry(3, Duration.ofMillis(100), Duration.ofSeconds(1),
                Duration.ofSeconds(60)), Duration.ofMillis(500), slept::add, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private HttpRequest request(String method) {
        return http.request(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/issues"))
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : TicketHttp.json(java.util.Map.of("notes", "x")))
                .build();
    }

    @Test
    void aReadIsRepeatedAfterA500() throws Exception {
        answers.addAll(List.of(500, 200));
        assertThat(http.send("read", request("GET")).status()).isEqualTo(200);
        assertThat(requests).hasValue(2);
    }

    @Test
    void aWriteAnswered500IsNotRepeated_itMayHaveBeenDone() {
        answers.addAll(List.of(500, 201));
        assertThatThrownBy(() -> http.send("comment", request("POST"))).isInstanceOfSatisfying(TicketException.class, e -> {
            assertThat(e.retriable()).isTrue();
            assertThat(e.getMessage()).contains("HTTP 500", "may have been done");
        });
        assertThat(requests).hasValue(1);
    }

    @Test
    void aWriteThatTimedOutIsNotRepeated() {
        assertThatThrownBy(() -> http.send("comment", request("PUT"))).isInstanceOfSatisfying(TicketException.class, e -> {
            assertThat(e.retriable()).isTrue();
            assertThat(e.getMessage()).contains("HttpTimeoutException", "may have been done");
        });
        assertThat(requests).hasValue(1);
    }

    @Test
    void aWriteIsRepeatedAfter503And429_whichTheSystemDidNotDo() throws Exception {
        answers.addAll(List.of(503, 429, 201));
        assertThat(http.send("comment", request("POST")).status()).isEqualTo(201);
        assertThat(requests).hasValue(3);
        assertThat(slept.get(1)).as("Retry-After").isEqualTo(Duration.ofSeconds(2));
    }
}
