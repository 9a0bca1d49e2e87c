package dev.incidentengine.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.incident.domain.IncidentFacts;
import dev.incidentengine.incident.domain.ResponseRollup;
import dev.incidentengine.model.ActionItem;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.NotificationResult;

/**
 * Response over many incidents, from their logs: volume, time to acknowledge and to resolve (mean,
 * p50, p90) per severity, service, type and tier, response-target compliance (each incident judged by the targets of its
 * tier as it opened with them), reopen rate, the noisiest
 * alerts, pages per responder, and the reviews and action items overdue at {@code now}. Pure: the
 * records in as they are read (keeping a few facts per incident, not the records), JSON out (tables
 * are drawn from it).
 */
final class Report {

    private final Instant since;
    private final String service;
    private final String type;
    private final String tier;
    private final Map<String, IncidentFacts.Fold> incidents = new HashMap<>();
    /** By incident: a type set later decides whether its alerts and pages count, so they are kept apart until the end. */
    private final Map<String, Map<String, Integer>> alerts = new HashMap<>();
    private final Map<String, Map<String, Integer>> pages = new HashMap<>();
    private final Map<String, Long> delivered = new TreeMap<>();
    /** Drills of the period: left out of every figure ({@code drill report} judges them). */
    private int drills;
    /** IC load: the incidents each user took command of. */
    private final Map<String, Set<String>> commanded = new HashMap<>();

    /** Incidents opened at or after {@code since}, of {@code service} (null: all). */
    Report(Instant since, String service) {
        this(since, service, null, null);
    }

    /** Incidents opened at or after {@code since}, of {@code service}, of {@code type} at the end, opened in {@code tier} (nulls: all). */
    Report(Instant since, String service, String type, String tier) {
        this.since = since;
        this.service = service;
        this.type = type;
        this.tier = tier;
    }

    /** One event of any incident, in the order of its incident's log; events of incidents opened before the period are ignored. */
    void event(String incidentId, IncidentEvent event) {
        IncidentFacts.Fold incident = incidents.get(incidentId);
        Object payload = event.getPayload();
        if (incident == null) {
            if (!(payload instanceof IncidentOpened opened) || event.getTimestamp().isBefore(since)
                    || service != null && !service.equals(opened.getService()) || tier != null && !tier.equals(opened.getTier())) {
                return;
            }
            if (ResponseRollup.isDrill(opened)) {
                drills++;
                return;
            }
            incident = new IncidentFacts.Fold(incidentId);
            incidents.put(incidentId, incident);
        }
        incident.accept(event);
        if (payload instanceof AlertAttached attached) {
            alerts.computeIfAbsent(incidentId, id -> new HashMap<>()).merge(ResponseRollup.alertName(incident.service(), attached), 1,
                    Integer::sum);
        } else if (payload instanceof IncidentEscalated escalated) {
            Map<String, Integer> paged = pages.computeIfAbsent(incidentId, id -> new HashMap<>());
            ResponseRollup.paged(escalated).forEach(user -> paged.merge(user, 1, Integer::sum));
        }
        String commander = ResponseRollup.tookCommand(event);
        if (commander != null) {
            commanded.computeIfAbsent(commander, user -> new HashSet<>()).add(incidentId);
        }
    }

    /** One delivery; only pages delivered for incidents of the report count. Read after the events. */
    void result(NotificationResult result) {
        if (result.getKind().equals("page") && result.getOutcome() == DeliveryOutcome.DELIVERED && included(result.getIncidentId())) {
            delivered.merge(result.getTarget(), 1L, Long::sum);
        }
    }

    /** The report of the logs and results given, as of {@code now} (for what is overdue). */
    static ObjectNode of(Map<String, List<IncidentEvent>> logs, List<NotificationResult> results, Instant since, String service,
                         Instant now) {
        return of(logs, results, since, service, null, null, now);
    }

    static ObjectNode of(Map<String, List<IncidentEvent>> logs, List<NotificationResult> results, Instant since, String service,
                         String type, String tier, Instant now) {
        Report report = new Report(since, service, type, tier);
        logs.forEach((id, events) -> events.forEach(event -> report.event(id, event)));
        results.forEach(report::result);
        return report.json(now);
    }

    /** Of the report: opened in the period (of the service and tier) and, with a type asked for, of that type now. */
    private boolean included(String incidentId) {
        IncidentFacts.Fold incident = incidents.get(incidentId);
        return incident != null && (type == null || type.equals(incident.incidentType()));
    }

    ObjectNode json(Instant now) {
        List<IncidentFacts> facts = new ArrayList<>(incidents.keySet().stream().filter(this::included).map(id -> incidents.get(id).facts())
                .toList());
        Map<String, Integer> alerts = new TreeMap<>();
        Map<String, Integer> pages = new TreeMap<>();
        facts.forEach(incident -> {
            this.alerts.getOrDefault(incident.id(), Map.of()).forEach((name, count) -> alerts.merge(name, count, Integer::sum));
            this.pages.getOrDefault(incident.id(), Map.of()).forEach((user, count) -> pages.merge(user, count, Integer::sum));
        });
        facts.sort(Comparator.comparing(IncidentFacts::openedAt).thenComparing(IncidentFacts::id));
        ObjectNode report = ApiClient.JSON.createObjectNode();
        report.put("since", since.toString());
        report.put("incidents", facts.size());
        report.put("drillsExcluded", drills);
        report.put("reopenRate", facts.isEmpty() ? 0 : round(facts.stream().filter(incident -> incident.reopened() > 0).count() / (double) facts.size()));
        report.set("bySeverity", groups(facts, incident -> incident.severity().name()));
        report.set("byService", groups(facts, IncidentFacts::service));
        report.set("byType", groups(facts, incident -> incident.incidentType() == null ? "-" : incident.incidentType()));
        report.set("byTier", groups(facts, incident -> incident.tier() == null ? "-" : incident.tier()));
        ArrayNode noisiest = report.putArray("noisiestAlerts");
        alerts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(10).forEach(entry -> noisiest.addObject().put("alert", entry.getKey()).put("attached", entry.getValue()));
        ArrayNode responders = report.putArray("pagesPerResponder");
        pages.forEach((user, count) -> responders.addObject().put("user", user).put("pages", count)
                .put("notificationsDelivered", delivered.getOrDefault(user, 0L)));
        ArrayNode commanders = report.putArray("incidentsCommanded");
        commanded.entrySet().stream().sorted(Comparator.comparing((Map.Entry<String, Set<String>> entry) -> -entry.getValue().size())
                .thenComparing(Map.Entry::getKey)).forEach(entry -> commanders.addObject().put("user", entry.getKey())
                .put("incidents", entry.getValue().size()));
        report.set("reviews", reviews(facts, now));
        return report;
    }

    /** Reviews required and published, those overdue; action items open and completed, those overdue. */
    private static ObjectNode reviews(List<IncidentFacts> incidents, Instant now) {
        ObjectNode reviews = ApiClient.JSON.createObjectNode();
        reviews.put("required", incidents.stream().filter(i -> i.review() != null && i.review().getRequired()).count());
        reviews.put("published", incidents.stream().filter(i -> i.review() != null && i.review().getPublishedAt() != null).count());
        ArrayNode overdue = reviews.putArray("overdue");
        incidents.stream().filter(incident -> incident.reviewOverdue(now)).forEach(incident -> overdue.addObject()
                .put("incidentId", incident.id()).put("severity", incident.severity().name()).put("service", incident.service())
                .put("title", incident.title()).put("dueAt", incident.review().getDueAt().toString()));
        List<ActionItem> items = incidents.stream().flatMap(incident -> incident.actionItems().stream()).toList();
        reviews.put("actionItemsOpen", items.stream().filter(item -> item.getCompletedAt() == null).count());
        reviews.put("actionItemsCompleted", items.stream().filter(item -> item.getCompletedAt() != null).count());
        ArrayNode overdueItems = reviews.putArray("actionItemsOverdue");
        incidents.forEach(incident -> incident.overdueActionItems(now).forEach(item -> overdueItems.addObject()
                .put("incidentId", incident.id()).put("actionItemId", item.getActionItemId()).put("title", item.getTitle())
                .put("owner", item.getOwner()).put("priority", item.getPriority().name()).put("dueAt", item.getDueAt().toString())));
        return reviews;
    }

    private static ArrayNode groups(List<IncidentFacts> incidents, Function<IncidentFacts, String> key) {
        ArrayNode rows = ApiClient.JSON.createArrayNode();
        incidents.stream().collect(Collectors.groupingBy(key, TreeMap::new, Collectors.toList())).forEach((name, group) -> {
            ObjectNode row = rows.addObject().put("group", name).put("incidents", group.size());
            stats(row, "acknowledge", group.stream().map(IncidentFacts::toAcknowledge).filter(d -> d != null).toList());
            stats(row, "resolve", group.stream().map(IncidentFacts::toResolve).filter(d -> d != null).toList());
            row.put("targetMet", group.stream().filter(IncidentFacts::targetMet).count());
        });
        return rows;
    }

    /** Mean, p50 and p90 in seconds (nearest rank), or nulls when none. */
    private static void stats(ObjectNode row, String name, List<Duration> durations) {
        List<Long> seconds = durations.stream().map(Duration::toSeconds).sorted().toList();
        if (seconds.isEmpty()) {
            row.putNull(name + "MeanSeconds").putNull(name + "P50Seconds").putNull(name + "P90Seconds");
            return;
        }
        row.put(name + "MeanSeconds", Math.round(seconds.stream().mapToLong(Long::longValue).average().orElse(0)));
        row.put(name + "P50Seconds", seconds.get((int) Math.ceil(0.5 * seconds.size()) - 1));
        row.put(name + "P90Seconds", seconds.get((int) Math.ceil(0.9 * seconds.size()) - 1));
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
