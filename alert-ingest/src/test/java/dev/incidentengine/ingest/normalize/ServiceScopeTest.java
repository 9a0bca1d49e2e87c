package dev.incidentengine.ingest.normalize;

import java.time.Instant;
import java.util.List;

import dev.incidentengine.model.Alert;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** An integration's alerts stay within its services, whatever service they name. */
class ServiceScopeTest {

    private static final Instant NOW = Instant.parse("2026-11-22T09:00:00Z");
    private static final Source CHECKOUT = new Source("shop-am", "checkout", List.of(), NOW);
    private static final Source SHARED = new Source("shop-am", "checkout", List.of("payments"), NOW);

    @Test
    void aServiceLabelNamingAnotherService_becomesTheIntegrationsService_andTheNameIsKeptAsAnAnnotation() {
        Alert alert = alertmanager("payments", CHECKOUT);

        assertThat(alert.getService()).isEqualTo("checkout");
        assertThat(alert.getLabels()).as("routes matching the service label see the integration's service")
                .containsEntry("service", "checkout");
        assertThat(alert.getAnnotations()).containsEntry(Source.REFUSED_SERVICE_ANNOTATION, "payments");
        assertThat(alert.getFingerprint()).as("the identity is the sender's labels")
                .isEqualTo(alertmanager("payments", SHARED).getFingerprint());
    }

    @Test
    void anAllowedServiceIsKept() {
        Alert alert = alertmanager("payments", SHARED);

        assertThat(alert.getService()).isEqualTo("payments");
        assertThat(alert.getLabels()).containsEntry("service", "payments");
        assertThat(alert.getAnnotations()).doesNotContainKey(Source.REFUSED_SERVICE_ANNOTATION);
        assertThat(alertmanager("checkout", CHECKOUT).getAnnotations()).doesNotContainKey(Source.REFUSED_SERVICE_ANNOTATION);
    }

    @Test
    void theGenericServiceFieldAndServiceLabelAreEachScoped() {
        Alert field = generic("{\"summary\":\"s\",\"service\":\"billing\"}", SHARED);
        assertThat(field.getService()).isEqualTo("checkout");
        assertThat(field.getLabels()).doesNotContainKey("service");
        assertThat(field.getAnnotations()).containsEntry(Source.REFUSED_SERVICE_ANNOTATION, "billing");

        Alert label = generic("{\"summary\":\"s\",\"service\":\"payments\",\"labels\":{\"service\":\"billing\"}}", SHARED);
        assertThat(label.getService()).isEqualTo("payments");
        assertThat(label.getLabels()).containsEntry("service", "payments");
        assertThat(label.getAnnotations()).containsEntry(Source.REFUSED_SERVICE_ANNOTATION, "billing");
    }

    @Test
    void kafkaRecordsWithoutAnIntegrationAreNotScoped() {
        Alert alert = generic("{\"summary\":\"s\",\"labels\":{\"service\":\"billing\"}}", Source.of(null, NOW));

        assertThat(alert.getService()).isEqualTo("billing");
        assertThat(alert.getAnnotations()).isEmpty();
    }

    private static Alert alertmanager(String service, Source source) {
        return AlertmanagerFormat.alertmanager().normalize(Payloads.parse("{\"alerts\":[{\"status\":\"firing\",\"labels\":"
                + "{\"alertname\":\"Down\",\"service\":\"" + service + "\"},\"startsAt\":\"2026-11-22T09:00:00Z\"}]}"),
                source, AlertLimits.DEFAULTS).get(0);
    }

    private static Alert generic(String body, Source source) {
        return GenericFormat.normalize(Payloads.parse(body), source, AlertLimits.DEFAULTS).get(0);
    }
}
