package dev.incidentengine.ingest.normalize;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.config.IntegrationConfig;

/**
 * Where an input came from: the integration (it scopes fingerprints and services) and when it
 * arrived.
 *
 * @param integrationId null for Kafka inputs without an integration
 * @param serviceId the integration's service, the default when the alert names none
 * @param allowedServices the other services the integration's alerts may name
 */
public record Source(String integrationId, String serviceId, List<String> allowedServices, Instant receivedAt) {

    /** The annotation that keeps a service an alert named but its integration may not page. */
    public static final String REFUSED_SERVICE_ANNOTATION = "refused_service";

    public Source {
        allowedServices = List.copyOf(allowedServices);
    }

    /** The source of an integration's input; {@code integration} may be null (Kafka records without one). */
    public static Source of(IntegrationConfig integration, Instant receivedAt) {
        return integration == null ? new Source(null, null, List.of(), receivedAt)
                : new Source(integration.getId(), integration.getServiceId(), integration.getAllowedServices(), receivedAt);
    }

    private boolean mayName(String service) {
        return service.equals(serviceId) || allowedServices.contains(service);
    }

    /**
     * Keeps an integration's alert within its services: a service (field or {@code service} label)
     * it may not name becomes the integration's service, so neither the alert's service nor a
     * route matching the {@code service} label can page another service's on-call; the name it gave
     * stays visible as the {@value #REFUSED_SERVICE_ANNOTATION} annotation. Kafka records without
     * an integration are not scoped: whoever may write {@code alerts.raw.v1} is trusted.
     */
    Alert scope(Alert alert) {
        if (integrationId == null) {
            return alert;
        }
        String named = alert.getService();
        String label = alert.getLabels().get("service");
        String service = named != null && mayName(named) ? named : serviceId;
        boolean labelAllowed = label == null || mayName(label);
        if (Objects.equals(service, named) && labelAllowed) {
            return alert;
        }
        Map<String, String> labels = new LinkedHashMap<>(alert.getLabels());
        if (!labelAllowed) {
            labels.put("service", service);
        }
        Map<String, String> annotations = new LinkedHashMap<>(alert.getAnnotations());
        annotations.put(REFUSED_SERVICE_ANNOTATION, labelAllowed ? named : label);
        return Alert.newBuilder(alert).setService(service).setLabels(labels).setAnnotations(annotations).build();
    }
}
