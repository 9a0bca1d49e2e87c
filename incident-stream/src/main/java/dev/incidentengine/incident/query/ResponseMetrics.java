package dev.incidentengine.incident.query;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
 * Response metrics for {@code /metrics}: open incidents by severity and service
 * ({@code incident_open}), time to acknowledge and to resolve by severity and service
 * ({@code incident_time_to_acknowledge_seconds}, {@code incident_time_to_resolve_seconds},
 * histograms), responses judged against their targets ({@code incident_response_target_checks_total}) and those over
 * them ({@code incident_response_target_breaches_total}), both by severity, target and the incident's tier (its targets
 * are its tier's as they were when it opened; tier "" for none: the engine's defaults),
 * and required reviews not yet published ({@code incident_reviews_pending}). Drills count as open incidents (people work
 * them) but add no response time, check or breach.
 *
 * <p>Each instance reports the incidents of the read side's tasks it runs, so aggregate with sum.
 * A task's {@link Share} counts its open incidents and pending reviews from its stores when it
 * starts here and takes them back when it leaves; times are observed as changes are processed,
 * once (a restart restores state without processing it again).
 */
public final class ResponseMetrics {

    /** What the metrics need of an incident's state. */
    record Facts(IncidentStatus status, String severity, String service, boolean acknowledged, boolean resolved, boolean reviewPending) {

        static Facts of(IncidentState state) {
            return new Facts(state.getStatus(), state.getSeverity().name(), state.getService() == null ? "" : state.getService(),
                    state.getAcknowledgedAt() != null, state.getResolvedAt() != null, Reviews.pending(state.getReview()));
        }

        boolean open() {
            return status == IncidentStatus.TRIGGERED || status == IncidentStatus.ACKNOWLEDGED;
        }

        /** As text (the service last: it may hold anything). */
        String encode() {
            return status.name() + '\u0000' + severity + '\u0000' + (acknowledged ? 1 : 0) + '\u0000' + (resolved ? 1 : 0) + '\u0000'
                    + (reviewPending ? 1 : 0) + '\u0000' + service;
        }

        static Facts decode(String text) {
            String[] parts = text.split("\u0000", 6);
            return new Facts(IncidentStatus.valueOf(parts[0]), parts[1], parts[5], parts[2].equals("1"), parts[3].equals("1"),
                    parts[4].equals("1"));
        }
    }

    private final MeterRegistry registry;
    private final Map<List<String>, AtomicLong> open = new ConcurrentHashMap<>();
    private final Map<List<String>, AtomicLong> reviewsPending = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> judged = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> breaches = new ConcurrentHashMap<>();
    /** The shares of the tasks that run here and have counted their incidents, by partition. */
    private final Map<Integer, Share> shares = new ConcurrentHashMap<>();

    /** Open incidents by status, severity and service, of the partitions whose tasks run here (the API sums the instances'). */
    public record OpenCounts(Set<Integer> partitions, Map<List<String>, Long> byStatusSeverityService) {
    }

    public ResponseMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A task's part of the gauges. */
    Share share(int partition) {
        return new Share(partition);
    }

    public OpenCounts openCounts() {
        Set<Integer> partitions = new TreeSet<>();
        Map<List<String>, Long> counts = new HashMap<>();
        for (Share share : shares.values()) {
            partitions.add(share.partition);
            share.openByStatus.forEach((key, count) -> counts.merge(key, count, Long::sum));
        }
        counts.values().removeIf(count -> count == 0);
        return new OpenCounts(partitions, counts);
    }

    /** What one task adds to the gauges, so that it can take it back. Changed by the task's thread only. */
    final class Share {
        private final int partition;
        private final Map<List<String>, Long> myOpen = new HashMap<>();
        private final Map<List<String>, Long> myPending = new HashMap<>();
        /** Read by the API's threads too. */
        private final Map<List<String>, Long> openByStatus = new ConcurrentHashMap<>();

        private Share(int partition) {
            this.partition = partition;
        }

        /** The task has counted what it holds: its counts answer the API from now on. */
        void counted() {
            shares.put(partition, this);
        }

        /** An incident the task holds, counted when the task starts: the gauges only, no times. */
        void countOpen(Facts facts) {
            if (facts.open()) {
                add(open(facts), myOpen, facts, 1);
                openByStatus.merge(List.of(facts.status().name(), facts.severity(), facts.service()), 1L, Long::sum);
            }
        }

        void countPending(Facts facts) {
            if (facts.reviewPending()) {
                add(reviewsPending(facts), myPending, facts, 1);
            }
        }

        /** An incident went from {@code before} (null: new) to {@code after} (null: gone). */
        void changed(Facts before, Facts after, IncidentState state) {
            if (before != null) {
                if (before.open()) {
                    add(open(before), myOpen, before, -1);
                    openByStatus.merge(List.of(before.status().name(), before.severity(), before.service()), -1L, Long::sum);
                }
                if (before.reviewPending()) {
                    add(reviewsPending(before), myPending, before, -1);
                }
            }
            if (after != null) {
                countOpen(after);
                countPending(after);
                observe(before, after, state);
            }
        }

        /** Takes back everything this task counted: its incidents are counted where it runs next. */
        void withdraw() {
            shares.remove(partition, this);
            myOpen.forEach((key, count) -> open.get(key).addAndGet(-count));
            myPending.forEach((key, count) -> reviewsPending.get(key).addAndGet(-count));
            myOpen.clear();
            myPending.clear();
            openByStatus.clear();
        }

        private void add(AtomicLong gauge, Map<List<String>, Long> mine, Facts facts, long delta) {
            gauge.addAndGet(delta);
            mine.merge(List.of(facts.severity(), facts.service()), delta, Long::sum);
        }
    }

    /** A drill's times are no response's: they go to {@code incidentctl drill report}, not to the histograms or breaches. */
    private void observe(Facts before, Facts after, IncidentState state) {
        if (state.getDrill() != null) {
            return;
        }
        ResponseTargets targets = ResponseTargets.of(state);
        String tier = state.getTier() == null ? "" : state.getTier();
        if (after.acknowledged() && (before == null || !before.acknowledged())) {
            observe("incident_time_to_acknowledge_seconds", "acknowledge", after,
                    Duration.between(state.getOpenedAt(), state.getAcknowledgedAt()), targets.acknowledge(), tier);
        }
        if (after.resolved() && (before == null || !before.resolved())) {
            observe("incident_time_to_resolve_seconds", "resolve", after, Duration.between(state.getOpenedAt(), state.getResolvedAt()),
                    targets.resolve(), tier);
        }
    }

    private void observe(String name, String target, Facts facts, Duration took, Duration within, String tier) {
        // Found again per observation, not registered: Micrometer's register builds and sorts the id's tags every time.
        timers.computeIfAbsent(List.of(name, facts.severity(), facts.service()), key -> Timer.builder(name)
                .description("From an incident's opening to its first " + target + ", by severity and service")
                .tags("severity", facts.severity(), "service", facts.service()).publishPercentileHistogram()
                .register(registry)).record(took.isNegative() ? Duration.ZERO : took);
        List<String> key = List.of(facts.severity(), target, tier);
        judged.computeIfAbsent(key, k -> Counter.builder("incident_response_target_checks_total")
                .description("Incidents acknowledged or resolved, judged against their tier's target for their severity")
                .tags("severity", k.get(0), "target", k.get(1), "tier", k.get(2)).register(registry)).increment();
        if (took.compareTo(within) > 0) {
            breaches.computeIfAbsent(key, k -> Counter.builder("incident_response_target_breaches_total")
                    .description("Incidents acknowledged or resolved later than their tier's target for their severity")
                    .tags("severity", k.get(0), "target", k.get(1), "tier", k.get(2)).register(registry)).increment();
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
