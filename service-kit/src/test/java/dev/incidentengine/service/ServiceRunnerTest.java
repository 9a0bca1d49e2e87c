package dev.incidentengine.service;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ServiceRunnerTest {

    private final HttpClient client = HttpClient.newHttpClient();

    static class FakeService implements Service {
        final AtomicReference<Supplier<Optional<String>>> problem = new AtomicReference<>(() -> Optional.of("warming up"));
        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public void start(MeterRegistry metrics) {
            metrics.counter("fake_starts").increment();
        }

        @Override
        public Optional<String> problem() {
            return problem.get().get();
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void servesHealthReadinessAndMetrics_andClosesServices() throws Exception {
        FakeService service = new FakeService();
        try (ServiceRunner runner = new ServiceRunner("127.0.0.1", 0, List.of(service)).start()) {
            String base = "http://127.0.0.1:" + runner.httpAddress().getPort();

            assertThat(get(base + "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> notReady = get(base + "/readyz");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("\"fake\":\"warming up\"");

            service.problem.set(Optional::empty);
            assertThat(get(base + "/readyz").statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(base + "/metrics");
            assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
            assertThat(metrics.body()).contains("fake_starts_total 1.0");
            assertThat(get(base + "/nope").statusCode()).isEqualTo(404);
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
        }
        assertThat(service.closed).isTrue();
    }

    @Test
    void readinessThatThrowsIsNotReadyWithTheReason_never500() throws Exception {
        FakeService service = new FakeService();
        service.problem.set(() -> {
            throw new NullPointerException("sender is null");
        });
        try (ServiceRunner runner = new ServiceRunner("127.0.0.1", 0, List.of(service)).start()) {
            HttpResponse<String> readyz = get("http://127.0.0.1:" + runner.httpAddress().getPort() + "/readyz");

            assertThat(readyz.statusCode()).isEqualTo(503);
            assertThat(readyz.body()).contains("readiness check failed: java.lang.NullPointerException: sender is null");
            assertThat(runner.ready()).isFalse();
        }
    }

    @Test
    void aServiceNotYetStartedIsStarting() throws Exception {
        FakeService ready = new FakeService();
        ready.problem.set(Optional::empty);
        CountDownLatch release = new CountDownLatch(1);
        Service slow = new FakeService() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public void start(MeterRegistry metrics) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        ServiceRunner runner = new ServiceRunner("127.0.0.1", 0, List.of(ready, slow));
        Thread starter = new Thread(runner::start);
        starter.start();
        try {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                HttpResponse<String> readyz = get("http://127.0.0.1:" + runner.httpAddress().getPort() + "/readyz");
                assertThat(readyz.statusCode()).isEqualTo(503);
                assertThat(readyz.body()).contains("\"fake\":\"ready\"", "\"slow\":\"starting\"");
            });
        } finally {
            release.countDown();
            starter.join();
            runner.close();
        }
    }

    @Test
    void aServiceThatCannotStart_stopsTheStartedOnesAndTheHttpServer() throws Exception {
        AtomicReference<ServiceRunner> runner = new AtomicReference<>();
        AtomicReference<String> health = new AtomicReference<>();
        FakeService first = new FakeService() {
            @Override
            public void start(MeterRegistry metrics) {
                health.set("http://127.0.0.1:" + runner.get().httpAddress().getPort() + "/healthz");
            }
        };
        Service broken = new FakeService() {
            @Override
            public void start(MeterRegistry metrics) {
                throw new IllegalStateException("no state directory");
            }
        };
        runner.set(new ServiceRunner("127.0.0.1", 0, List.of(first, broken)));

        assertThatThrownBy(runner.get()::start).hasMessage("no state directory");

        assertThat(first.closed).isTrue();
        assertThatThrownBy(() -> get(health.get())).isInstanceOf(IOException.class);
    }

    private HttpResponse<String> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
