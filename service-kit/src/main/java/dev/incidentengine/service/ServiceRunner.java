package dev.incidentengine.service;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs services behind one HTTP server: starts the server and then the services, and on
 * {@link #close()} (or SIGTERM, with {@link #closeOnShutdown()}) closes them in reverse order.
 */
public final class ServiceRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceRunner.class);

    private final List<Service> services;
    private final HttpServer http;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<Service> started = new CopyOnWriteArrayList<>();

    public ServiceRunner(String httpHost, int httpPort, List<Service> services) {
        this(httpHost, httpPort, HttpLimits.DEFAULTS, services);
    }

    public ServiceRunner(String httpHost, int httpPort, HttpLimits httpLimits, List<Service> services) {
        this.services = List.copyOf(services);
        this.http = new HttpServer(httpHost, httpPort, httpLimits);
    }

    public ServiceRunner start() {
        new ClassLoaderMetrics().bindTo(metrics);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmGcMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);
        new UptimeMetrics().bindTo(metrics);
        try {
            http.healthRoutes(this::readiness, metrics::scrape);
            services.forEach(service -> service.routes(http, metrics));
            http.start();
            for (Service service : services) {
                service.start(metrics);
                started.add(service);
                log.info("Started {}", service.name());
            }
        } catch (RuntimeException e) {
            // Half started, the HTTP server's and the started services' threads would keep the JVM alive, doing nothing.
            close();
            throw e;
        }
        return this;
    }

    public InetSocketAddress httpAddress() {
        return http.address();
    }

    public boolean ready() {
        return readiness().values().stream().allMatch(HttpServer.READY::equals);
    }

    /** Each service's {@value HttpServer#READY}, or what keeps it from its work; a service not yet started is starting. */
    public Map<String, String> readiness() {
        Map<String, String> readiness = new LinkedHashMap<>();
        for (Service service : services) {
            readiness.put(service.name(), problem(service).orElse(HttpServer.READY));
        }
        return readiness;
    }

    private Optional<String> problem(Service service) {
        if (!started.contains(service)) {
            return Optional.of("starting");
        }
        try {
            return service.problem();
        } catch (RuntimeException e) {
            // /readyz must answer, and say why: a check that fails is a service that is not ready.
            return Optional.of("readiness check failed: " + e);
        }
    }

    /** Closes everything when the JVM is asked to stop (SIGTERM, Ctrl-C). */
    public ServiceRunner closeOnShutdown() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "shutdown"));
        return this;
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    @Override
    public synchronized void close() {
        if (closed.getCount() == 0) {
            return;
        }
        for (int i = started.size() - 1; i >= 0; i--) {
            Service service = started.get(i);
            try {
                service.close();
                log.info("Stopped {}", service.name());
            } catch (RuntimeException e) {
                log.warn("{} did not stop cleanly", service.name(), e);
            }
        }
        try {
            http.close();
        } catch (RuntimeException e) {
            log.warn("HTTP server did not stop cleanly", e);
        }
        metrics.close();
        closed.countDown();
    }
}
