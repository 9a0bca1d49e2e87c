package dev.incidentengine.service;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.jetty.io.Content;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Jetty with small limits: slow clients are cut off, cannot take the threads that health
 * and the API need, and connections are bounded. Waits are conditions, never sleeps.
 */
class HttpServerLimitsTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Socket> sockets = new ArrayList<>();
    private final AtomicInteger ingesting = new AtomicInteger();
    private HttpServer http;
    private int port;

    @AfterEach
    void tearDown() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (http != null) {
            http.close();
        }
    }

    @Test
    void slowSendersAreCutOffWith408_andCannotStarveHealthOrTheApi() throws Exception {
        // 12 slow senders, more than the 10 threads: without the ingest budget of 3 they would hold every thread.
        start(new HttpLimits(10, 100, LONG, 100, LONG, 3, 0, LONG));
        List<CompletableFuture<String>> slow = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            slow.add(statusLine(slowPost(1000, 500)));
        }
        await("the ingest budget taken, the rest refused").atMost(Duration.ofSeconds(20)).until(() -> ingesting.get() == 3
                && slow.stream().filter(line -> line.isDone() && line.join().startsWith("HTTP/1.1 503")).count() == 9);

        // The three hold their threads for about 6 s (500 bytes at 100 bytes/s after the first second).
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/api/things").statusCode()).isEqualTo(200);
        assertThat(get("/metrics").statusCode()).isEqualTo(200);

        await("the slow senders cut off").atMost(Duration.ofSeconds(60)).until(() -> slow.stream().allMatch(CompletableFuture::isDone));
        assertThat(slow).extracting(CompletableFuture::join).filteredOn(line -> line.startsWith("HTTP/1.1 408")).hasSize(3);
        assertThat(post("/ingest", "x".repeat(100_000)).body()).as("a sender at full speed is served").isEqualTo("read 100000");
    }

    @Test
    void aBodyMustArriveWithinTheDeadline_evenAboveTheRate() throws Exception {
        start(new HttpLimits(10, 100, LONG, 1, Duration.ofMillis(1500), 3, 100, LONG));

        String answer = body(slowPost(1000, 1));

        assertThat(answer).startsWith("HTTP/1.1 408").contains("did not arrive within 1500 ms");
    }

    @Test
    void aBodySlowerThanTheRateIsCutOff() throws Exception {
        start(new HttpLimits(10, 100, LONG, 100, LONG, 3, 100, LONG));

        assertThat(body(slowPost(1000, 1))).startsWith("HTTP/1.1 408").contains("slower than 100 bytes/s");
    }

    @Test
    void overTheConnectionLimit_aClientWaitsUntilAConnectionCloses() throws Exception {
        start(new HttpLimits(10, 2, LONG, 100, LONG, 3, 100, LONG));
        Socket first = healthy(connect());
        healthy(connect());

        Socket third = connect();
        third.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        InputStream answer = third.getInputStream();
        await("no answer over the limit").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> answer.available() == 0);

        first.close();
        assertThat(statusLine(third).get()).isEqualTo("HTTP/1.1 200 OK");
    }

    private void start(HttpLimits limits) {
        http = new HttpServer("127.0.0.1", 0, limits);
        http.healthRoutes(Map::of, () -> "");
        http.route("GET", "/api/things", (request, response, callback) -> {
            HttpServer.writeJson(response, callback, 200, Map.of("things", List.of()));
            return true;
        });
        // Reads its body blocking on the request thread, as the alert receivers do.
        http.ingestRoute("POST", "/ingest", (request, response, callback) -> {
            ingesting.incrementAndGet();
            try (InputStream in = Content.Source.asInputStream(request)) {
                int read = in.readAllBytes().length;
                response.write(true, java.nio.ByteBuffer.wrap(("read " + read).getBytes(StandardCharsets.UTF_8)), callback);
            } catch (RequestBodyGuard.TooSlow e) {
                HttpServer.writeJson(response, callback, 408, Map.of("error", e.getMessage()));
            }
            return true;
        });
        http.start();
        port = http.address().getPort();
    }

    /** The socket, once it answered a health check; it stays open (keep-alive). */
    private static Socket healthy(Socket socket) throws Exception {
        socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(statusLine(socket).get()).isEqualTo("HTTP/1.1 200 OK");
        return socket;
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        sockets.add(socket);
        return socket;
    }

    /** A POST that announces {@code length} bytes and sends {@code sent} of them. */
    private Socket slowPost(int length, int sent) throws IOException {
        Socket socket = connect();
        socket.getOutputStream().write(("POST /ingest HTTP/1.1\r\nHost: test\r\nContent-Length: " + length + "\r\n\r\n" + "x".repeat(sent))
                .getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    private static CompletableFuture<String> statusLine(Socket socket) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            } catch (IOException e) {
                return e.toString();
            }
        });
    }

    /** Everything the server sent until it closed the connection. */
    private static String body(Socket socket) throws IOException {
        socket.setSoTimeout(30_000);
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
