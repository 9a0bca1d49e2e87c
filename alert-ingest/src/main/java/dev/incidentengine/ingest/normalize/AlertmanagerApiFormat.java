package dev.incidentengine.ingest.normalize;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.Link;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.Severity;
import dev.incidentengine.schemas.Severities;

/**
 * Alertmanager API v2's postable alerts ({@code POST /api/v2/alerts}, what Prometheus sends): a
 * JSON array of {labels, annotations, startsAt, endsAt, generatorURL}. There is no status: an alert
 * whose {@code endsAt} has passed is resolved, and one without {@code endsAt} fires until
 * {@code resolve_timeout} after it arrived, unless it is sent again (incident-stream resolves it
 * then, as Alertmanager does). As in Alertmanager, labels with empty values are dropped and each
 * alert is judged alone: the valid ones of a batch are kept, the invalid ones named, because
 * Prometheus drops a batch answered 4xx and would otherwise lose its valid alerts too.
 */
public final class AlertmanagerApiFormat {

    /** Alertmanager's label names (Prometheus' data model). */
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final int MAX_URL = 64 * 1024;

    /** The alerts that were valid, and what was wrong with the others. */
    public record Batch(List<Alert> alerts, List<FieldError> errors) {
    }

    private AlertmanagerApiFormat() {
    }

    /**
     * @param body the request's JSON; anything but an array is refused whole
     * @throws InvalidPayloadException when the body is not an array of alerts
     */
    public static Batch normalize(JsonNode body, Source source, AlertLimits limits, Duration resolveTimeout) {
        if (!body.isArray()) {
            throw new InvalidPayloadException(List.of(new FieldError("body", "must be a JSON array of alerts")), false);
        }
        List<Alert> alerts = new ArrayList<>();
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            Fields fields = new Fields(limits);
            Alert alert = alert(body.get(i), "[" + i + "]", fields, source, resolveTimeout);
            if (alert != null && !fields.hasErrors()) {
                alerts.add(alert);
            }
            try {
                fields.check();
            } catch (InvalidPayloadException e) {
                errors.addAll(e.errors());
            }
        }
        return new Batch(alerts, errors);
    }

    private static Alert alert(JsonNode node, String path, Fields fields, Source source, Duration resolveTimeout) {
        JsonNode alert = fields.object(node, path);
        if (alert == null) {
            return null;
        }
        Map<String, String> labels = fields.labels(alert, "labels", path + ".labels", true);
        labels.values().removeIf(String::isEmpty);
        if (labels.isEmpty() && alert.path("labels").isObject()) {
            fields.error(path + ".labels", "at least one label pair required");
        }
        labels.keySet().stream().filter(name -> !LABEL_NAME.matcher(name).matches()).limit(1)
                .forEach(name -> fields.error(path + ".labels", "invalid label name '" + AlertmanagerFormat.truncate(name, 64) + "'"));
        fields.labelCount(labels, path + ".labels");
        Map<String, String> annotations = fields.annotations(alert, "annotations", path + ".annotations");
        for (String summaryAnnotation : List.of("summary", "title")) {
            fields.checkLength(path + ".annotations." + summaryAnnotation, annotations.get(summaryAnnotation),
                    fields.limits().maxSummaryLength());
        }
        Instant startsAt = fields.timestamp(alert, "startsAt", path + ".startsAt", false);
        Instant endsAt = fields.timestamp(alert, "endsAt", path + ".endsAt", false);
        String generatorUrl = fields.text(alert, "generatorURL", path + ".generatorURL", false, MAX_URL);
        if (fields.hasErrors()) {
            return null;
        }
        Instant now = source.receivedAt();
        // Alertmanager's defaults: an alert without a start started at its end, or now.
        if (startsAt == null) {
            startsAt = endsAt != null ? endsAt : now;
        }
        if (endsAt == null) {
            endsAt = now.plus(resolveTimeout);
        }
        if (endsAt.isBefore(startsAt)) {
            fields.error(path + ".endsAt", "must not be before startsAt (" + startsAt + ")");
            return null;
        }
        List<Link> links = new ArrayList<>();
        AlertmanagerFormat.addLink(links, generatorUrl, "Source");
        AlertmanagerFormat.addLink(links, annotations.get("runbook_url"), "Runbook");
        String summary = AlertmanagerFormat.truncate(AlertmanagerFormat.firstNonBlank(annotations.get("summary"), annotations.get("title"),
                annotations.get("description"), labels.get("alertname"), "Alert from Prometheus"), fields.limits().maxSummaryLength());
        Alert normalized = Alert.newBuilder()
                .setFingerprint(Fingerprints.scoped(source.integrationId(), Fingerprints.ofLabels(labels)))
                .setStatus(endsAt.isAfter(now) ? AlertStatus.FIRING : AlertStatus.RESOLVED)
                .setSeverity(Severities.fromLabels(labels).orElse(Severity.SEV3))
                .setSummary(summary)
                .setDescription(annotations.get("description"))
                .setLabels(labels)
                .setAnnotations(annotations)
                .setSource(AlertmanagerFormat.firstNonBlank(labels.get("instance"), labels.get("job"), "prometheus"))
                .setIntegrationId(source.integrationId())
                .setService(AlertmanagerFormat.firstNonBlank(labels.get("service"), source.serviceId()))
                .setLinks(links)
                .setStartsAt(startsAt)
                .setEndsAt(endsAt)
                .setReceivedAt(now)
                .setRawFormat(RawFormat.ALERTMANAGER)
                .build();
        return fields.checkSize(source.scope(normalized), path);
    }
}
