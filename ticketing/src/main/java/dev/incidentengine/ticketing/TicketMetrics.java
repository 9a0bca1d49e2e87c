package dev.incidentengine.ticketing;

import java.util.LinkedHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Gauge;
import org.apache.kafka.common.metrics.PluginMetrics;

/**
 * The connector's counters. Registered with the task's {@link PluginMetrics} (KIP-877), so the worker reports them like its
 * own: JMX {@code kafka.connect:type=plugins,connector=…,task=…}, with every other metrics reporter configured on the worker.
 */
public final class TicketMetrics {

    public final LongAdder ticketsCreated = new LongAdder();
    public final LongAdder comments = new LongAdder();
    public final LongAdder transitions = new LongAdder();
    public final LongAdder failures = new LongAdder();
    public final LongAdder deadLetters = new LongAdder();
    public final LongAdder retries = new LongAdder();
    public final LongAdder commandsSent = new LongAdder();

    /** Adds the counters to the plugin's metrics; null (a context without them) leaves them unregistered. */
    public TicketMetrics register(PluginMetrics metrics) {
        if (metrics != null) {
            add(metrics, "tickets-created-total", "Tickets created (incidents' and action items').", ticketsCreated);
            add(metrics, "comments-total", "Comments posted.", comments);
            add(metrics, "transitions-total", "Tickets resolved, reopened or closed.", transitions);
            add(metrics, "failures-total", "Records that failed: refused by the ticket system, unreadable, or retried later.", failures);
            add(metrics, "dead-letters-total", "Records sent to the dead-letter queue.", deadLetters);
            add(metrics, "retries-total", "Batches handed back to Connect to retry (the ticket system unavailable or rate-limiting).", retries);
            add(metrics, "commands-total", "Incident commands sent (ticket links; people's changes to tickets).", commandsSent);
        }
        return this;
    }

    private static void add(PluginMetrics metrics, String name, String description, LongAdder counter) {
        MetricName metric = metrics.metricName(name, description, new LinkedHashMap<>());
        metrics.addMetric(metric, (Gauge<Long>) (config, now) -> counter.sum());
    }
}
