package dev.incidentengine.ingest.normalize;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.Link;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.Severity;
import dev.incidentengine.schemas.Severities;

/**
 * PagerDuty Events API v2 ({@code /v2/enqueue}). A trigger becomes a firing alert; acknowledge and
 * resolve become an acknowledged or resolved alert of the same dedup key, which the incident
 * stream turns into a command on the incident that holds it.
 */
public final class PagerDutyFormat {

    public static final int MAX_DEDUP_KEY = 255;
    private static final int MAX_TEXT = 64 * 1024;
    private static final List<String> SEVERITIES = List.of("critical", "error", "warning", "info");

    /** A normalized event: the alert and the dedup key to answer with. */
    public record Event(Alert alert, String dedupKey) {
    }

    private PagerDutyFormat() {
    }

    /** The routing key, the integration's credential; empty when absent or not a string. */
    public static Optional<String> routingKey(JsonNode body) {
        JsonNode key = body == null ? null : body.get("routing_key");
        return key != null && key.isTextual() && !key.textValue().isBlank() ? Optional.of(key.textValue()) : Optional.empty();
    }

    public static Event normalize(JsonNode body, Source source, AlertLimits limits) {
        Fields fields = new Fields(limits);
        if (fields.object(body, "body") == null) {
            fields.check();
        }
        String action = fields.text(body, "event_action", "event_action", true, 16);
        AlertStatus status = null;
        if (action != null) {
            switch (action) {
                case "trigger" -> status = AlertStatus.FIRING;
                case "acknowledge" -> status = AlertStatus.ACKNOWLEDGED;
                case "resolve" -> status = AlertStatus.RESOLVED;
                default -> fields.error("event_action", "must be trigger, acknowledge or resolve, not '" + action + "'");
            }
        }
        String dedupKey = fields.text(body, "dedup_key", "dedup_key", status != null && status != AlertStatus.FIRING,
                MAX_DEDUP_KEY);
        if (status == AlertStatus.FIRING) {
            if (dedupKey == null || dedupKey.isBlank()) {
                dedupKey = UUID.randomUUID().toString().replace("-", "");
            }
            Alert alert = trigger(body, fields, source, dedupKey);
            fields.check();
            return new Event(alert, dedupKey);
        }
        fields.check();
        Alert alert = Alert.newBuilder()
                .setFingerprint(Fingerprints.scoped(source.integrationId(), dedupKey))
                .setStatus(status)
                .setSeverity(Severity.SEV4)
                .setSummary(action + " " + dedupKey)
                .setSource(Optional.ofNullable(fields.text(body, "client", "client", false, MAX_TEXT)).orElse("pagerduty-events-v2"))
                .setIntegrationId(source.integrationId())
                .setService(source.serviceId())
                .setStartsAt(source.receivedAt())
                .setEndsAt(status == AlertStatus.RESOLVED ? source.receivedAt() : null)
                .setReceivedAt(source.receivedAt())
                .setRawFormat(RawFormat.PAGERDUTY)
                .build();
        return new Event(alert, dedupKey);
    }

    private static Alert trigger(JsonNode body, Fields fields, Source source, String dedupKey) {
        JsonNode payload = fields.object(body.get("payload"), "payload");
        if (payload == null) {
            return null;
        }
        String summary = fields.text(payload, "summary", "payload.summary", true, fields.limits().maxSummaryLength());
        String origin = fields.text(payload, "source", "payload.source", true, MAX_TEXT);
        String severity = fields.text(payload, "severity", "payload.severity", true, 16);
        if (severity != null && !SEVERITIES.contains(severity)) {
            fields.error("payload.severity", "must be one of " + SEVERITIES + ", not '" + severity + "'");
        }
        Instant timestamp = fields.timestamp(payload, "timestamp", "payload.timestamp", false);
        Map<String, String> labels = new LinkedHashMap<>();
        for (String name : List.of("component", "group", "class")) {
            String value = fields.text(payload, name, "payload." + name, false, fields.limits().maxLabelValueLength());
            if (value != null) {
                labels.put(name, value);
            }
        }
        Map<String, String> details = customDetails(payload, fields);
        List<Link> links = new ArrayList<>();
        readLinks(body, "links", "href", "text", links, fields);
        readLinks(body, "images", "src", "alt", links, fields);
        String client = fields.text(body, "client", "client", false, MAX_TEXT);
        AlertmanagerFormat.addLink(links, fields.text(body, "client_url", "client_url", false, MAX_TEXT),
                client == null ? "Client" : client);
        if (fields.hasErrors()) {
            return null;
        }
        Alert alert = Alert.newBuilder()
                .setFingerprint(Fingerprints.scoped(source.integrationId(), dedupKey))
                .setStatus(AlertStatus.FIRING)
                .setSeverity(Severities.parse(severity).orElseThrow())
                .setSummary(summary)
                .setLabels(labels)
                .setAnnotations(details)
                .setSource(origin)
                .setIntegrationId(source.integrationId())
                .setService(source.serviceId())
                .setLinks(links)
                .setStartsAt(timestamp != null ? timestamp : source.receivedAt())
                .setReceivedAt(source.receivedAt())
                .setRawFormat(RawFormat.PAGERDUTY)
                .build();
        return fields.checkSize(source.scope(alert), "body");
    }

    /** custom_details may be any JSON: an object's fields become annotations, anything else one annotation. */
    private static Map<String, String> customDetails(JsonNode payload, Fields fields) {
        JsonNode details = payload.get("custom_details");
        if (details == null || details.isNull()) {
            return new LinkedHashMap<>();
        }
        if (details.isObject()) {
            return fields.annotations(payload, "custom_details", "payload.custom_details");
        }
        Map<String, String> single = new LinkedHashMap<>();
        single.put("custom_details", details.isValueNode() ? details.asText() : details.toString());
        fields.checkLength("payload.custom_details", single.get("custom_details"), fields.limits().maxAnnotationLength());
        return single;
    }

    private static void readLinks(JsonNode body, String name, String hrefField, String textField, List<Link> links,
                                  Fields fields) {
        JsonNode list = body.get(name);
        if (list == null || list.isNull()) {
            return;
        }
        if (!list.isArray()) {
            fields.error(name, "must be a list");
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            String path = name + "[" + i + "]";
            JsonNode link = fields.object(list.get(i), path);
            if (link != null) {
                String href = fields.text(link, hrefField, path + "." + hrefField, true, MAX_TEXT);
                String text = fields.text(link, textField, path + "." + textField, false, MAX_TEXT);
                if (href != null) {
                    links.add(new Link(href, text));
                }
            }
        }
    }
}
