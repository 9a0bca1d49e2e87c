package dev.incidentengine.ingest.normalize;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.Link;
import dev.incidentengine.model.Severity;
import dev.incidentengine.testkit.OpenApiContract;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Alertmanager API v2's postable alerts as Prometheus sends them, and what Alertmanager refuses. */
class AlertmanagerApiFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OpenApiContract CONTRACT = OpenApiContract.load(OpenApiContract.ALERTMANAGER_0_25);
    private static final Instant NOW = Instant.parse("2026-11-22T09:00:00Z");
    private static final Source SOURCE = new Source("prom", "shop", List.of("checkout"), NOW);
    private static final Duration RESOLVE_TIMEOUT = Duration.ofMinutes(5);

    @Test
    void givenPrometheusBatch_thenFiringUntilEndsAtAndResolvedOnceItPassed() {
        JsonNode body = json("""
                [{"labels":{"alertname":"HighLatency","severity":"critical","service":"checkout","instance":"web-1:9090"},
                  "annotations":{"summary":"p99 over 2 s","runbook_url":"https://runbooks/latency"},
                  "startsAt":"2026-11-22T08:55:00.5Z","endsAt":"2026-11-22T09:04:00Z",
                  "generatorURL":"http://prometheus:9090/graph?g0.expr=up"},
                 {"labels":{"alertname":"DiskFull","instance":"db-1"},"startsAt":"2026-11-22T08:00:00Z","endsAt":"2026-11-22T08:59:00Z"}]""");
        assertThat(CONTRACT.violations("postableAlerts", body)).isEmpty();

        AlertmanagerApiFormat.Batch batch = AlertmanagerApiFormat.normalize(body, SOURCE, AlertLimits.DEFAULTS, RESOLVE_TIMEOUT);

        assertThat(batch.errors()).isEmpty();
        Alert firing = batch.alerts().get(0);
        assertThat(firing.getStatus()).isEqualTo(AlertStatus.FIRING);
        assertThat(firing.getSeverity()).isEqualTo(Severity.SEV1);
        assertThat(firing.getSummary()).isEqualTo("p99 over 2 s");
        assertThat(firing.getService()).isEqualTo("checkout");
        assertThat(firing.getSource()).isEqualTo("web-1:9090");
        assertThat(firing.getStartsAt()).isEqualTo(Instant.parse("2026-11-22T08:55:00.5Z"));
        assertThat(firing.getEndsAt()).isEqualTo(Instant.parse("2026-11-22T09:04:00Z"));
        assertThat(firing.getLinks()).extracting(Link::getText).containsExactly("Source", "Runbook");
        assertThat(firing.getFingerprint()).startsWith("prom/");
        Alert resolved = batch.alerts().get(1);
        assertThat(resolved.getStatus()).as("endsAt passed").isEqualTo(AlertStatus.RESOLVED);
        assertThat(resolved.getSummary()).isEqualTo("DiskFull");
        assertThat(resolved.getService()).isEqualTo("shop");
    }

    @Test
    void givenNoTimes_thenStartsNowAndFiresUntilTheResolveTimeout() {
        Alert alert = single("[{\"labels\":{\"alertname\":\"A\"}}]");

        assertThat(alert.getStartsAt()).isEqualTo(NOW);
        assertThat(alert.getEndsAt()).isEqualTo(NOW.plus(RESOLVE_TIMEOUT));
        assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
    }

    @Test
    void givenOnlyEndsAt_thenItStartedAtItsEnd_asInAlertmanager() {
        Alert alert = single("[{\"labels\":{\"alertname\":\"A\"},\"endsAt\":\"2026-11-22T08:00:00Z\"}]");

        assertThat(alert.getStartsAt()).isEqualTo(Instant.parse("2026-11-22T08:00:00Z"));
        assertThat(alert.getStatus()).isEqualTo(AlertStatus.RESOLVED);
    }

    @Test
    void givenSameLabelsInAnyOrderAndEmptyValues_thenOneIdentity() {
        Alert first = single("[{\"labels\":{\"alertname\":\"A\",\"job\":\"x\"}}]");
        Alert second = single("[{\"labels\":{\"job\":\"x\",\"alertname\":\"A\",\"team\":\"\"}}]");

        assertThat(second.getFingerprint()).isEqualTo(first.getFingerprint());
        assertThat(second.getLabels()).doesNotContainKey("team");
    }

    @Test
    void givenAServiceTheIntegrationMayNotPage_thenScopedToItsOwn() {
        Alert alert = single("[{\"labels\":{\"alertname\":\"A\",\"service\":\"billing\"}}]");

        assertThat(alert.getService()).isEqualTo("shop");
        assertThat(alert.getAnnotations()).containsEntry(Source.REFUSED_SERVICE_ANNOTATION, "billing");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no labels                 | {\"startsAt\":\"2026-11-22T08:00:00Z\"}                      | [1].labels: is required",
            "empty labels              | {\"labels\":{}}                                              | [1].labels: at least one label pair",
            "only empty label values   | {\"labels\":{\"a\":\"\"}}                                    | [1].labels: at least one label pair",
            "invalid label name        | {\"labels\":{\"bad-name\":\"x\"}}                            | [1].labels: invalid label name 'bad-name'",
            "labels not an object      | {\"labels\":[\"a\"]}                                         | [1].labels: must be an object",
            "alert not an object       | 42                                                           | [1]: must be an object",
            "bad startsAt              | {\"labels\":{\"a\":\"b\"},\"startsAt\":\"yesterday\"}       | [1].startsAt: must be an RFC 3339",
            "endsAt before startsAt    | {\"labels\":{\"a\":\"b\"},\"startsAt\":\"2026-11-22T08:00:00Z\",\"endsAt\":\"2026-11-22T07:00:00Z\"} | [1].endsAt: must not be before startsAt",
            "annotation not a map      | {\"labels\":{\"a\":\"b\"},\"annotations\":\"x\"}            | [1].annotations: must be an object",
            "generatorURL not a string | {\"labels\":{\"a\":\"b\"},\"generatorURL\":1}                | [1].generatorURL: must be a string",
    })
    void givenOneInvalidAlert_thenItIsNamedAndTheValidOnesAreKept(String name, String invalid, String error) {
        AlertmanagerApiFormat.Batch batch = AlertmanagerApiFormat.normalize(
                json("[{\"labels\":{\"alertname\":\"Good\"}}," + invalid + ",{\"labels\":{\"alertname\":\"AlsoGood\"}}]"),
                SOURCE, AlertLimits.DEFAULTS, RESOLVE_TIMEOUT);

        assertThat(batch.alerts()).extracting(Alert::getSummary).containsExactly("Good", "AlsoGood");
        assertThat(batch.errors()).extracting(FieldError::toString).singleElement().asString().startsWith(error);
    }

    @Test
    void givenAlertOverTheLimits_thenNamedAsSuch() {
        String big = "x".repeat(AlertLimits.DEFAULTS.maxLabelValueLength() + 1);
        AlertmanagerApiFormat.Batch batch = AlertmanagerApiFormat.normalize(json("[{\"labels\":{\"a\":\"" + big + "\"}}]"),
                SOURCE, AlertLimits.DEFAULTS, RESOLVE_TIMEOUT);

        assertThat(batch.alerts()).isEmpty();
        assertThat(batch.errors()).extracting(FieldError::field).containsExactly("[0].labels.a");
    }

    @Test
    void givenNotAnArray_thenRefusedWhole() {
        assertThatThrownBy(() -> AlertmanagerApiFormat.normalize(json("{\"labels\":{\"a\":\"b\"}}"), SOURCE, AlertLimits.DEFAULTS,
                RESOLVE_TIMEOUT)).isInstanceOf(InvalidPayloadException.class).hasMessageContaining("must be a JSON array");
    }

    @Test
    void givenEmptyArray_thenNothingAndNoError() {
        AlertmanagerApiFormat.Batch batch = AlertmanagerApiFormat.normalize(json("[]"), SOURCE, AlertLimits.DEFAULTS, RESOLVE_TIMEOUT);

        assertThat(batch.alerts()).isEmpty();
        assertThat(batch.errors()).isEmpty();
    }

    private static Alert single(String body) {
        AlertmanagerApiFormat.Batch batch = AlertmanagerApiFormat.normalize(json(body), SOURCE, AlertLimits.DEFAULTS, RESOLVE_TIMEOUT);
        assertThat(batch.errors()).isEmpty();
        return batch.alerts().get(0);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
