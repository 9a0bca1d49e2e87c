package dev.incidentengine.service;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceRunnerTest {

    private final HttpClient client = HttpClient.newHttpClient();

    static final class FakeService implements Service {
        final AtomicBoolean ready = new AtomicBoolean();
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
        public boolean ready() {
            return ready.get();
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
            assertThat(notReady.body()).contains("\"fake\":false");

            service.ready.set(true);
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

    private HttpResponse<String> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
