package dev.incidentengine.ingest.normalize;

import java.time.Instant;
import java.util.List;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.Severity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GenericFormatTest {

    private static final Instant NOW = Instant.parse("2026-11-22T09:20:01Z");
    private static final Source SOURCE = new Source("demo-generic", "checkout", List.of("payments"), NOW);

    @Test
    void givenOneAlert_thenEveryFieldKept() {
        Alert alert = GenericFormat.normalize(Payloads.json("generic-single.json"), SOURCE, AlertLimits.DEFAULTS).get(0);

        assertThat(alert.getFingerprint()).isEqualTo("demo-generic/payments-queue-backlog");
        assertThat(alert.getSeverity()).isEqualTo(Severity.SEV2);
        assertThat(alert.getService()).isEqualTo("payments");
        assertThat(alert.getSource()).isEqualTo("queue-monitor");
        assertThat(alert.getLabels()).containsEntry("queue", "payments");
        assertThat(alert.getLinks()).hasSize(1);
        assertThat(alert.getStartsAt()).isEqualTo(Instant.parse("2026-11-22T09:20:00Z"));
    }

    @Test
    void givenBatch_thenDefaultsFilledAndResolvedEnds() {
        List<Alert> alerts = GenericFormat.normalize(Payloads.json("generic-batch.json"), SOURCE, AlertLimits.DEFAULTS);

        assertThat(alerts.get(0).getStatus()).isEqualTo(AlertStatus.FIRING);
        assertThat(alerts.get(0).getSeverity()).isEqualTo(Severity.SEV3);
        assertThat(alerts.get(0).getService()).isEqualTo("checkout");
        assertThat(alerts.get(0).getStartsAt()).isEqualTo(NOW);
        assertThat(alerts.get(0).getFingerprint()).matches("demo-generic/[0-9a-f]{16}");
        assertThat(alerts.get(1).getStatus()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(alerts.get(1).getFingerprint()).isEqualTo("demo-generic/payments-queue-backlog");
        assertThat(alerts.get(1).getEndsAt()).isEqualTo(Instant.parse("2026-11-22T09:40:00Z"));
    }

    @Test
    void givenUnknownFieldsWrongTypesAndMissingSummary_thenEachNamed() {
        assertThatThrownBy(() -> GenericFormat.normalize(Payloads.parse(
                "[{\"summary\":\"ok\"},{\"sumary\":\"typo\",\"severity\":\"urgent\",\"labels\":[1],\"startsAt\":\"soon\"}]"), SOURCE, AlertLimits.DEFAULTS))
                .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                        .containsExactlyInAnyOrder("[1].sumary", "[1].summary", "[1].severity", "[1].labels", "[1].startsAt"));
        assertThatThrownBy(() -> GenericFormat.normalize(Payloads.parse("[]"), SOURCE, AlertLimits.DEFAULTS))
                .hasMessageContaining("body: must hold at least one alert");
        assertThatThrownBy(() -> GenericFormat.normalize(Payloads.parse("\"text\""), SOURCE, AlertLimits.DEFAULTS))
                .hasMessageContaining("body: must be an object");
    }
}
