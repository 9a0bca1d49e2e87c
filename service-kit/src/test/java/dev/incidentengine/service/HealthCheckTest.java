package dev.incidentengine.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

class HealthCheckTest {

    private final CountDownLatch release = new CountDownLatch(1);
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private HttpServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/readyz", exchange -> answer(exchange, 200));
        server.createContext("/created", exchange -> answer(exchange, 204));
        server.createContext("/starting", exchange -> answer(exchange, 503));
        server.createContext("/redirect", exchange -> {
            exchange.getResponseHeaders().add("Location", "/readyz");
            answer(exchange, 302);
        });
        server.createContext("/stuck", exchange -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(exchange, 200);
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    @AfterEach
    void stopServer() {
        release.countDown();
        server.stop(0);
    }

    @Test
    void healthyOnlyOn2xx() {
        assertThat(check("/readyz")).isZero();
        assertThat(check("/created")).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();

        assertThat(check("/starting")).isEqualTo(1);
        assertThat(lastLine()).isEqualTo("unhealthy: " + url("/starting") + " answered 503");

        // A redirect is not a 2xx: the probe names the exact endpoint.
        assertThat(check("/redirect")).isEqualTo(1);
        assertThat(lastLine()).endsWith("answered 302");
    }

    @Test
    void unhealthyWhenTheAnswerIsLate() {
        long start = System.nanoTime();
        assertThat(HealthCheck.run(new String[] {url("/stuck")}, Duration.ofMillis(300), new PrintStream(err, true, StandardCharsets.UTF_8)))
                .isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(lastLine()).isEqualTo("unhealthy: " + url("/stuck") + " did not answer within 300 ms");
    }

    @Test
    void unhealthyWhenNothingListens() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/readyz";
        assertThat(HealthCheck.run(new String[] {url}, HealthCheck.TIMEOUT, new PrintStream(err, true, StandardCharsets.UTF_8)))
                .isEqualTo(1);
        assertThat(lastLine()).startsWith("unhealthy: " + url + ": ConnectException");
    }

    @Test
    void unhealthyOnBadArguments() {
        PrintStream out = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertThat(HealthCheck.run(new String[0], HealthCheck.TIMEOUT, out)).isEqualTo(1);
        assertThat(lastLine()).startsWith("usage: HealthCheck URL");
        assertThat(HealthCheck.run(new String[] {"ftp://127.0.0.1/readyz"}, HealthCheck.TIMEOUT, out)).isEqualTo(1);
        assertThat(lastLine()).isEqualTo("unhealthy: not an http(s) URL: ftp://127.0.0.1/readyz");
    }

    private int check(String path) {
        return HealthCheck.run(new String[] {url(path)}, HealthCheck.TIMEOUT, new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private String lastLine() {
        String[] lines = err.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSizeGreaterThan(0);
        return lines[lines.length - 1];
    }

    private static void answer(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }
}
