package dev.incidentengine.ingest.normalize;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.Link;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.Severity;
import dev.incidentengine.schemas.Severities;

/**
 * Prometheus Alertmanager webhooks (payload version 4), and Grafana's unified-alerting webhook,
 * which is the same envelope with a few more fields per alert. Unknown fields are ignored, as
 * newer senders add some. A batch becomes alerts whole or not at all.
 */
public final class AlertmanagerFormat {

    private static final int MAX_TEXT = 64 * 1024;

    private final RawFormat format;

    private AlertmanagerFormat(RawFormat format) {
        this.format = format;
    }

    public static AlertmanagerFormat alertmanager() {
        return new AlertmanagerFormat(RawFormat.ALERTMANAGER);
    }

    public static AlertmanagerFormat grafana() {
        return new AlertmanagerFormat(RawFormat.GRAFANA);
    }

    public List<Alert> normalize(JsonNode body, Source source, AlertLimits limits) {
        Fields fields = new Fields(limits);
        if (fields.object(body, "body") == null) {
            fields.check();
        }
        JsonNode alerts = body.get("alerts");
        if (alerts == null || !alerts.isArray()) {
            fields.error("alerts", "must be a list of alerts");
        } else if (alerts.isEmpty()) {
            fields.error("alerts", "must not be empty");
        }
        fields.check();
        // groupLabels and commonAnnotations are not kept, so only the body size bounds them.
        Map<String, String> commonLabels = fields.labels(body, "commonLabels", "commonLabels", false);
        fields.labelCount(commonLabels, "commonLabels");
        String externalHost = host(fields.text(body, "externalURL", "externalURL", false, MAX_TEXT));

        List<Alert> result = new ArrayList<>();
        for (int i = 0; i < alerts.size(); i++) {
            String path = "alerts[" + i + "]";
            JsonNode alert = fields.object(alerts.get(i), path);
            if (alert != null) {
                Alert normalized = alert(alert, path, fields, source, commonLabels, externalHost);
                if (normalized != null) {
                    result.add(normalized);
                }
            }
        }
        fields.check();
        return result;
    }

    private Alert alert(JsonNode alert, String path, Fields fields, Source source,
                        Map<String, String> commonLabels, String externalHost) {
        String status = fields.text(alert, "status", path + ".status", true, 16);
        AlertStatus alertStatus = null;
        if ("firing".equals(status)) {
            alertStatus = AlertStatus.FIRING;
        } else if ("resolved".equals(status)) {
            alertStatus = AlertStatus.RESOLVED;
        } else if (status != null) {
            fields.error(path + ".status", "must be firing or resolved, not '" + status + "'");
        }
        Map<String, String> labels = fields.labels(alert, "labels", path + ".labels", true);
        if (labels.isEmpty() && alert.has("labels")) {
            fields.error(path + ".labels", "must not be empty");
        }
        Map<String, String> annotations = fields.annotations(alert, "annotations", path + ".annotations");
        for (String summaryAnnotation : List.of("summary", "title")) {
            fields.checkLength(path + ".annotations." + summaryAnnotation, annotations.get(summaryAnnotation),
                    fields.limits().maxSummaryLength());
        }
        var startsAt = fields.timestamp(alert, "startsAt", path + ".startsAt", true);
        var endsAt = fields.timestamp(alert, "endsAt", path + ".endsAt", false);
        String identity = fields.text(alert, "fingerprint", path + ".fingerprint", false, 255);
        List<Link> links = new ArrayList<>();
        addLink(links, fields.text(alert, "generatorURL", path + ".generatorURL", false, MAX_TEXT), "Source");
        if (format == RawFormat.GRAFANA) {
            addLink(links, fields.text(alert, "dashboardURL", path + ".dashboardURL", false, MAX_TEXT), "Dashboard");
            addLink(links, fields.text(alert, "panelURL", path + ".panelURL", false, MAX_TEXT), "Panel");
            addLink(links, fields.text(alert, "silenceURL", path + ".silenceURL", false, MAX_TEXT), "Silence");
            addLink(links, fields.text(alert, "imageURL", path + ".imageURL", false, MAX_TEXT), "Image");
            JsonNode values = alert.get("values");
            if (values != null && !values.isNull()) {
                fields.checkLength(path + ".values", values.toString(), fields.limits().maxAnnotationLength());
                annotations.put("values", values.toString());
            }
        }
        addLink(links, annotations.get("runbook_url"), "Runbook");
        if (fields.hasErrors() || alertStatus == null || startsAt == null) {
            return null;
        }
        Map<String, String> allLabels = new java.util.LinkedHashMap<>(commonLabels);
        allLabels.putAll(labels);
        if (commonLabels.size() <= fields.limits().maxLabels()) {
            fields.labelCount(allLabels, path + ".labels");
        }
        // A summary taken from the description or alertname is cut to length: those are within their own limits.
        String summary = truncate(firstNonBlank(annotations.get("summary"), annotations.get("title"),
                annotations.get("description"), allLabels.get("alertname"), "Alert from " + format.name().toLowerCase()),
                fields.limits().maxSummaryLength());
        Alert normalized = Alert.newBuilder()
                .setFingerprint(Fingerprints.scoped(source.integrationId(),
                        identity != null && !identity.isBlank() ? identity : Fingerprints.ofLabels(labels)))
                .setStatus(alertStatus)
                .setSeverity(Severities.fromLabels(allLabels).orElse(Severity.SEV3))
                .setSummary(summary)
                .setDescription(annotations.get("description"))
                .setLabels(allLabels)
                .setAnnotations(annotations)
                .setSource(firstNonBlank(allLabels.get("instance"), allLabels.get("job"), externalHost,
                        format.name().toLowerCase()))
                .setIntegrationId(source.integrationId())
                .setService(firstNonBlank(allLabels.get("service"), source.serviceId()))
                .setLinks(links)
                .setStartsAt(startsAt)
                .setEndsAt(endsAt)
                .setReceivedAt(source.receivedAt())
                .setRawFormat(format)
                .build();
        return fields.checkSize(source.scope(normalized), path);
    }

    static String truncate(String text, int maxLength) {
        return text.length() <= maxLength ? text : text.substring(0, maxLength - 1) + "\u2026";
    }

    static void addLink(List<Link> links, String href, String text) {
        if (href != null && !href.isBlank()) {
            links.add(new Link(href, text));
        }
    }

    static String firstNonBlank(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null && !candidate.isBlank()) {
                return candidate;
            }
        }
        return null;
    }

    private static String host(String url) {
        if (url == null) {
            return null;
        }
        try {
            return URI.create(url).getHost();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
