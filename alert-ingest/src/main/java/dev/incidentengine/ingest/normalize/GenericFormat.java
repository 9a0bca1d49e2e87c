package dev.incidentengine.ingest.normalize;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.Link;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.Severity;
import dev.incidentengine.schemas.Severities;

/**
 * Our own JSON form ({@code POST /api/v1/alerts}): one alert object or a list of them. Being ours,
 * it is strict: unknown fields are errors, so a typo never silently drops data.
 */
public final class GenericFormat {

    private static final int MAX_TEXT = 64 * 1024;
    private static final Set<String> FIELDS = Set.of("dedupKey", "status", "summary", "description", "severity",
            "service", "source", "labels", "annotations", "links", "startsAt", "endsAt");

    private GenericFormat() {
    }

    public static List<Alert> normalize(JsonNode body, Source source, AlertLimits limits) {
        Fields fields = new Fields(limits);
        List<Alert> alerts = new ArrayList<>();
        if (body != null && body.isArray()) {
            if (body.isEmpty()) {
                fields.error("body", "must hold at least one alert");
            }
            for (int i = 0; i < body.size(); i++) {
                Alert alert = alert(body.get(i), "[" + i + "]", fields, source);
                if (alert != null) {
                    alerts.add(alert);
                }
            }
        } else {
            Alert alert = alert(body, "body", fields, source);
            if (alert != null) {
                alerts.add(alert);
            }
        }
        fields.check();
        return alerts;
    }

    private static Alert alert(JsonNode node, String path, Fields fields, Source source) {
        if (fields.object(node, path) == null) {
            return null;
        }
        String prefix = path.equals("body") ? "" : path + ".";
        node.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                fields.error(prefix + name, "unknown field (known: " + FIELDS.stream().sorted().toList() + ")");
            }
        });
        String statusText = fields.text(node, "status", prefix + "status", false, 16);
        AlertStatus status = AlertStatus.FIRING;
        if ("resolved".equals(statusText)) {
            status = AlertStatus.RESOLVED;
        } else if (statusText != null && !statusText.equals("firing")) {
            fields.error(prefix + "status", "must be firing or resolved, not '" + statusText + "'");
        }
        String summary = fields.text(node, "summary", prefix + "summary", true, fields.limits().maxSummaryLength());
        String description = fields.text(node, "description", prefix + "description", false,
                fields.limits().maxAnnotationLength());
        String severityText = fields.text(node, "severity", prefix + "severity", false, 32);
        Severity severity = Severity.SEV3;
        if (severityText != null) {
            severity = Severities.parse(severityText).orElse(null);
            if (severity == null) {
                fields.error(prefix + "severity", "must be critical, error, warning, info, P0..P4 or SEV0..SEV4, not '"
                        + severityText + "'");
            }
        }
        String dedupKey = fields.text(node, "dedupKey", prefix + "dedupKey", false, PagerDutyFormat.MAX_DEDUP_KEY);
        String service = fields.text(node, "service", prefix + "service", false, fields.limits().maxLabelValueLength());
        String origin = fields.text(node, "source", prefix + "source", false, MAX_TEXT);
        Map<String, String> labels = fields.labels(node, "labels", prefix + "labels", false);
        fields.labelCount(labels, prefix + "labels");
        Map<String, String> annotations = fields.annotations(node, "annotations", prefix + "annotations");
        List<Link> links = links(node, prefix, fields);
        Instant startsAt = fields.timestamp(node, "startsAt", prefix + "startsAt", false);
        Instant endsAt = fields.timestamp(node, "endsAt", prefix + "endsAt", false);
        if (fields.hasErrors()) {
            return null;
        }
        Map<String, String> identity = new LinkedHashMap<>(labels);
        identity.put("\u0000summary", summary);
        Alert alert = Alert.newBuilder()
                .setFingerprint(Fingerprints.scoped(source.integrationId(),
                        dedupKey != null && !dedupKey.isBlank() ? dedupKey : Fingerprints.ofLabels(identity)))
                .setStatus(status)
                .setSeverity(severity)
                .setSummary(summary)
                .setDescription(description)
                .setLabels(labels)
                .setAnnotations(annotations)
                .setSource(origin != null ? origin : "generic")
                .setIntegrationId(source.integrationId())
                .setService(AlertmanagerFormat.firstNonBlank(service, labels.get("service"), source.serviceId()))
                .setLinks(links)
                .setStartsAt(startsAt != null ? startsAt : source.receivedAt())
                .setEndsAt(endsAt != null ? endsAt : status == AlertStatus.RESOLVED ? source.receivedAt() : null)
                .setReceivedAt(source.receivedAt())
                .setRawFormat(RawFormat.GENERIC)
                .build();
        return fields.checkSize(source.scope(alert), path);
    }

    private static List<Link> links(JsonNode node, String prefix, Fields fields) {
        List<Link> links = new ArrayList<>();
        JsonNode list = node.get("links");
        if (list == null || list.isNull()) {
            return links;
        }
        if (!list.isArray()) {
            fields.error(prefix + "links", "must be a list of {href, text}");
            return links;
        }
        for (int i = 0; i < list.size(); i++) {
            String path = prefix + "links[" + i + "]";
            JsonNode link = fields.object(list.get(i), path);
            if (link != null) {
                String href = fields.text(link, "href", path + ".href", true, MAX_TEXT);
                String text = fields.text(link, "text", path + ".text", false, MAX_TEXT);
                if (href != null) {
                    links.add(new Link(href, text));
                }
            }
        }
        return links;
    }
}
