package dev.incidentengine.service;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * An engine service: started once, closed once, asked whether it is ready. Several run in one
 * JVM in the local engine, each alone in production; both share {@link ServiceRunner}.
 */
public interface Service extends AutoCloseable {

    String name();

    /** Adds the service's HTTP endpoints, before the server starts; {@code metrics} is what /metrics shows. */
    default void routes(HttpServer http, MeterRegistry metrics) {
    }

    /** Starts the work in the background and returns. */
    void start(MeterRegistry metrics);

    /** True while the service can do its work (for /readyz). */
    boolean ready();

    /** Stops the work and releases everything; must not throw. */
    @Override
    void close();
}
