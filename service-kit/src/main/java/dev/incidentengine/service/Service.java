package dev.incidentengine.service;

import java.util.Optional;

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

    /** Empty while the service can do its work; else what keeps it from it, for /readyz. Quick: no I/O. */
    Optional<String> problem();

    default boolean ready() {
        return problem().isEmpty();
    }

    /** Stops the work and releases everything; must not throw. */
    @Override
    void close();
}
