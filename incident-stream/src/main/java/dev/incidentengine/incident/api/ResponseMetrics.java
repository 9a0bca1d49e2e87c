package dev.incidentengine.incident.api;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.incidentengine.incident.domain.Reviews;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.schemas.ResponseTargets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Response metrics from the incidents the view holds, for {@code /metrics}: open incidents by
 * severity and service ({@code incident_open}), time to acknowledge and to resolve by severity and
 * service ({@code incident_time_to_acknowledge_seconds}, {@code incident_time_to_resolve_seconds},
 * histograms), responses over their severity's target ({@code incident_response_target_breaches_total}) and
 * required reviews not yet published ({@code incident_reviews_pending}).
 * Every instance's view holds every incident, so each reports the whole engine: aggregate with max, not sum.
 * A restart reads the incidents again and observes each one's times once more.
 */
final class ResponseMetrics {

    /** What the metrics need of an incident's state. */
    record Facts(IncidentStatus status, String severity, String service, boolean acknowledged, boolean resolved, boolean reviewPending) {

        static Facts of(IncidentState state) {
            return new Facts(state.getStatus(), state.getSeverity().name(), state.getService() == null ? "" : state.getService(),
                    state.getAcknowledgedAt() != null, state.getResolvedAt() != null, Reviews.pending(state.getReview()));
        }

        boolean open() {
            return status == IncidentStatus.TRIGGERED || status == IncidentStatus.ACKNOWLEDGED;
        }
    }

    private final MeterRegistry registry;
    private final Map<List<String>, AtomicLong> open = new ConcurrentHashMap<>();
    private final Map<List<String>, AtomicLong> reviewsPending = new ConcurrentHashMap<>();

    ResponseMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** An incident went from {@code before} (null: new to the view) to {@code after} (null: gone). */
    void changed(Facts before, Facts after, IncidentState state) {
        if (before != null && before.open()) {
            open(before).decrementAndGet();
        }
        if (before != null && before.reviewPending()) {
            reviewsPending(before).decrementAndGet();
        }
        if (after == null) {
            return;
        }
        if (after.open()) {
            open(after).incrementAndGet();
        }
        if (after.reviewPending()) {
            reviewsPending(after).incrementAndGet();
        }
        ResponseTargets targets = ResponseTargets.of(state.getSeverity());
        if (after.acknowledged() && (before == null || !before.acknowledged())) {
            observe("incident_time_to_acknowledge_seconds", "acknowledge", after,
                    Duration.between(state.getOpenedAt(), state.getAcknowledgedAt()), targets.acknowledge());
        }
        if (after.resolved() && (before == null || !before.resolved())) {
            observe("incident_time_to_resolve_seconds", "resolve", after, Duration.between(state.getOpenedAt(), state.getResolvedAt()),
                    targets.resolve());
        }
    }

    private void observe(String name, String target, Facts facts, Duration took, Duration within) {
        Timer.builder(name).description("From an incident's opening to its first " + target + ", by severity and service")
                .tags("severity", facts.severity(), "service", facts.service()).publishPercentileHistogram()
                .register(registry).record(took.isNegative() ? Duration.ZERO : took);
        if (took.compareTo(within) > 0) {
            Counter.builder("incident_response_target_breaches_total").description("Incidents acknowledged or resolved later than their severity's target")
                    .tags("severity", facts.severity(), "target", target).register(registry).increment();
        }
    }

    private AtomicLong open(Facts facts) {
        return gauge(open, "incident_open", "Open (triggered or acknowledged) incidents by severity and service", facts);
    }

    private AtomicLong reviewsPending(Facts facts) {
        return gauge(reviewsPending, "incident_reviews_pending",
                "Incidents whose required post-incident review is not published yet, by severity and service", facts);
    }

    private AtomicLong gauge(Map<List<String>, AtomicLong> counts, String name, String description, Facts facts) {
        return counts.computeIfAbsent(List.of(facts.severity(), facts.service()), key -> {
            AtomicLong count = new AtomicLong();
            Gauge.builder(name, count, AtomicLong::get).description(description)
                    .tags("severity", key.get(0), "service", key.get(1)).register(registry);
            return count;
        });
    }
}
