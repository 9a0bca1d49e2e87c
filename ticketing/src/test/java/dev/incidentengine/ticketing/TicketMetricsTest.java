package dev.incidentengine.ticketing;

import java.util.Map;

import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.internals.PluginMetricsImpl;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The counters reach the worker's metrics (and so JMX) through the task's plugin metrics, as Connect gives them. */
class TicketMetricsTest {

    @Test
    void countersAreReadThroughThePluginMetrics() {
        try (Metrics registry = new Metrics()) {
            TicketMetrics metrics = new TicketMetrics().register(new PluginMetricsImpl(registry, Map.of("connector", "tickets", "task", "0")));
            metrics.ticketsCreated.add(3);
            metrics.deadLetters.increment();
            assertThat(value(registry, "tickets-created-total")).isEqualTo(3.0);
            assertThat(value(registry, "dead-letters-total")).isEqualTo(1.0);
            assertThat(value(registry, "retries-total")).isEqualTo(0.0);
            assertThat(registry.metrics().keySet()).filteredOn(name -> name.name().equals("comments-total"))
                    .singleElement().satisfies(name -> assertThat(name.tags()).containsEntry("connector", "tickets").containsEntry("task", "0"));
        }
    }

    private static Object value(Metrics registry, String name) {
        return registry.metrics().entrySet().stream().filter(entry -> entry.getKey().name().equals(name)).map(Map.Entry::getValue)
                .map(KafkaMetric::metricValue).map(value -> ((Number) value).doubleValue()).findFirst().orElseThrow();
    }
}
