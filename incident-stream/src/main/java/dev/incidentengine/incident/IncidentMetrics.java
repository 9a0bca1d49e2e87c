package dev.incidentengine.incident;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * What the stream did, for {@code /metrics}: {@code incident_alerts_total{outcome}} (new,
 * duplicate, resolved, expired, acknowledged, suppressed, released, ignored),
 * {@code incident_events_total{type}} and {@code incident_commands_total{outcome}} for people's
 * commands. Counted as records are processed, so a task that is retried after a crash may count
 * a record twice; the topics themselves stay exact.
 */
final class IncidentMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    IncidentMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void alert(String outcome) {
        count("incident_alerts_total", "outcome", outcome, "Alerts read by incident-stream, by what became of them");
    }

    void event(String type) {
        count("incident_events_total", "type", type, "Events written to the incident log, by type");
    }

    void command(String outcome) {
        count("incident_commands_total", "outcome", outcome, "People's commands decided, by outcome");
    }

    private void count(String name, String tag, String value, String description) {
        counters.computeIfAbsent(name + '\u0000' + value, key -> Counter.builder(name).tag(tag, value)
                .description(description).register(registry)).increment();
    }
}
