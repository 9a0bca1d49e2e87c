package dev.incidentengine.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.schemas.ResponseTargets;

/**
 * Response over many incidents, from their logs: volume, time to acknowledge and to resolve (mean,
 * p50, p90) per severity and per service, response-target compliance, reopen rate, the noisiest
 * alerts and pages per responder. Pure: the records in, JSON out (tables are drawn from it).
 */
final class Report {

    /** What one incident's log says. */
    record Incident(String id, String service, Severity severity, Instant opened, Duration toAcknowledge, Duration toResolve,
                    boolean reopened) {

        boolean targetMet() {
            ResponseTargets target = ResponseTargets.of(severity);
            return toAcknowledge != null && toAcknowledge.compareTo(target.acknowledge()) <= 0
                    && toResolve != null && toResolve.compareTo(target.resolve()) <= 0;
        }
    }

    private Report() {
    }

    /** Incidents opened at or after {@code since} (others' events are ignored) and the deliveries of any incident. */
    static ObjectNode of(Map<String, List<IncidentEvent>> logs, List<NotificationResult> results, Instant since, String service) {
        List<Incident> incidents = new ArrayList<>();
        Map<String, Integer> alerts = new TreeMap<>();
        Map<String, Integer> pages = new TreeMap<>();
        logs.forEach((id, events) -> {
            Incident incident = incident(id, events);
            if (incident == null || incident.opened().isBefore(since) || (service != null && !service.equals(incident.service()))) {
                return;
            }
            incidents.add(incident);
            for (IncidentEvent event : events) {
                if (event.getPayload() instanceof AlertAttached attached) {
                    String name = attached.getAlert().getLabels().getOrDefault("alertname", attached.getAlert().getSummary());
                    alerts.merge(incident.service() + " / " + name, 1, Integer::sum);
                } else if (event.getPayload() instanceof IncidentEscalated escalated) {
                    escalated.getTargets().forEach(target -> target.getUserIds().forEach(user -> pages.merge(user, 1, Integer::sum)));
                }
            }
        });
        incidents.sort(Comparator.comparing(Incident::opened));
        ObjectNode report = ApiClient.JSON.createObjectNode();
        report.put("since", since.toString());
        report.put("incidents", incidents.size());
        report.put("reopenRate", incidents.isEmpty() ? 0 : round(incidents.stream().filter(Incident::reopened).count() / (double) incidents.size()));
        report.set("bySeverity", groups(incidents, incident -> incident.severity().name()));
        report.set("byService", groups(incidents, Incident::service));
        ArrayNode noisiest = report.putArray("noisiestAlerts");
        alerts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(10).forEach(entry -> noisiest.addObject().put("alert", entry.getKey()).put("attached", entry.getValue()));
        Map<String, Long> delivered = results.stream().filter(r -> r.getKind().equals("page") && r.getOutcome() == DeliveryOutcome.DELIVERED
                        && logs.containsKey(r.getIncidentId()) && incidents.stream().anyMatch(i -> i.id().equals(r.getIncidentId())))
                .collect(Collectors.groupingBy(NotificationResult::getTarget, TreeMap::new, Collectors.counting()));
        ArrayNode responders = report.putArray("pagesPerResponder");
        pages.forEach((user, count) -> responders.addObject().put("user", user).put("pages", count)
                .put("notificationsDelivered", delivered.getOrDefault(user, 0L)));
        return report;
    }

    private static Incident incident(String id, List<IncidentEvent> events) {
        Instant opened = null;
        Instant acknowledged = null;
        Instant resolved = null;
        String service = null;
        Severity severity = null;
        boolean reopened = false;
        for (IncidentEvent event : events) {
            Object payload = event.getPayload();
            if (payload instanceof IncidentOpened open) {
                opened = event.getTimestamp();
                service = open.getService() == null ? "-" : open.getService();
                severity = open.getSeverity();
            } else if (payload instanceof IncidentAcknowledged && acknowledged == null) {
                acknowledged = event.getTimestamp();
            } else if (payload instanceof IncidentResolved) {
                resolved = event.getTimestamp();
            } else if (payload instanceof IncidentReopened) {
                reopened = true;
            } else if (payload instanceof SeverityChanged changed) {
                severity = changed.getTo();
            }
        }
        if (opened == null) {
            return null;
        }
        return new Incident(id, service, severity, opened, acknowledged == null ? null : Duration.between(opened, acknowledged),
                resolved == null ? null : Duration.between(opened, resolved), reopened);
    }

    private static ArrayNode groups(List<Incident> incidents, Function<Incident, String> key) {
        ArrayNode rows = ApiClient.JSON.createArrayNode();
        incidents.stream().collect(Collectors.groupingBy(key, TreeMap::new, Collectors.toList())).forEach((name, group) -> {
            ObjectNode row = rows.addObject().put("group", name).put("incidents", group.size());
            stats(row, "acknowledge", group.stream().map(Incident::toAcknowledge).filter(d -> d != null).toList());
            stats(row, "resolve", group.stream().map(Incident::toResolve).filter(d -> d != null).toList());
            row.put("targetMet", group.stream().filter(Incident::targetMet).count());
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
