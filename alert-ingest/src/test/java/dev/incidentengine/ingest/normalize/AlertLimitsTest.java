package dev.incidentengine.ingest.normalize;

import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.Alert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The size limits of every format, at their defaults: each violation is named by its field, and nothing is accepted. */
class AlertLimitsTest {

    private static final Source SOURCE = new Source("i", "checkout", List.of(), Instant.parse("2026-11-22T09:00:00Z"));
    private static final AlertLimits LIMITS = AlertLimits.DEFAULTS;
    private static final String LONG_NAME = "n".repeat(129);

    enum Format {
        ALERTMANAGER(body -> AlertmanagerFormat.alertmanager().normalize(body, SOURCE, LIMITS)),
        GRAFANA(body -> AlertmanagerFormat.grafana().normalize(body, SOURCE, LIMITS)),
        GENERIC(body -> GenericFormat.normalize(body, SOURCE, LIMITS)),
        PAGERDUTY(body -> List.of(PagerDutyFormat.normalize(body, SOURCE, LIMITS).alert()));

        final Function<JsonNode, List<Alert>> normalize;

        Format(Function<JsonNode, List<Alert>> normalize) {
            this.normalize = normalize;
        }
    }

    static Stream<Arguments> overLimit() {
        return Stream.of(
                Arguments.of(Format.ALERTMANAGER, am(3, labels(65), "{}", "{}"), "alerts[3].labels", "at most 64 labels, not 65"),
                Arguments.of(Format.ALERTMANAGER, am(0, "{\"" + LONG_NAME + "\":\"x\"}", "{}", "{}"),
                        "alerts[0].labels." + "n".repeat(64) + "...", "the name must be at most 128 characters, not 129"),
                Arguments.of(Format.ALERTMANAGER, am(0, "{\"instance\":\"" + "v".repeat(2049) + "\"}", "{}", "{}"),
                        "alerts[0].labels.instance", "at most 2048 characters, not 2049"),
                Arguments.of(Format.ALERTMANAGER, am(0, "{\"a\":\"b\"}", "{\"description\":\"" + "d".repeat(8193) + "\"}", "{}"),
                        "alerts[0].annotations.description", "at most 8192 characters, not 8193"),
                Arguments.of(Format.ALERTMANAGER, am(0, "{\"a\":\"b\"}", "{\"" + LONG_NAME + "\":\"x\"}", "{}"),
                        "alerts[0].annotations." + "n".repeat(64) + "...", "the name must be at most 128"),
                Arguments.of(Format.ALERTMANAGER, am(0, "{\"a\":\"b\"}", "{\"summary\":\"" + "s".repeat(1025) + "\"}", "{}"),
                        "alerts[0].annotations.summary", "at most 1024 characters, not 1025"),
                Arguments.of(Format.ALERTMANAGER, am(0, "{\"a\":\"b\"}", "{\"title\":\"" + "s".repeat(1025) + "\"}", "{}"),
                        "alerts[0].annotations.title", "at most 1024 characters"),
                Arguments.of(Format.ALERTMANAGER, am(0, "{\"a\":\"b\"}", "{}", "{\"service\":\"" + "v".repeat(2049) + "\"}"),
                        "commonLabels.service", "at most 2048 characters"),
                Arguments.of(Format.ALERTMANAGER, am(0, "{\"a\":\"b\"}", "{}", labels(65)), "commonLabels", "at most 64 labels, not 65"),
                Arguments.of(Format.ALERTMANAGER, am(0, labels(40), "{}", labels(60).replace("\"l", "\"common")),
                        "alerts[0].labels", "at most 64 labels, not 100"),
                Arguments.of(Format.ALERTMANAGER, am(0, "{\"a\":\"b\"}", bigAnnotations(), "{}"),
                        "alerts[0]", "bytes serialized; the limit is 32768"),
                Arguments.of(Format.GRAFANA, am(0, "{\"a\":\"b\"}", "{}", "{}").replace("\"startsAt\"",
                        "\"values\":{\"B\":\"" + "9".repeat(8192) + "\"},\"startsAt\""), "alerts[0].values", "at most 8192 characters"),
                Arguments.of(Format.GENERIC, "[{\"summary\":\"ok\"},{\"summary\":\"" + "s".repeat(1025) + "\"}]", "[1].summary",
                        "at most 1024 characters, not 1025"),
                Arguments.of(Format.GENERIC, "{\"summary\":\"s\",\"description\":\"" + "d".repeat(8193) + "\"}", "description",
                        "at most 8192 characters"),
                Arguments.of(Format.GENERIC, "{\"summary\":\"s\",\"labels\":" + labels(65) + "}", "labels", "at most 64 labels"),
                Arguments.of(Format.GENERIC, "{\"summary\":\"s\",\"labels\":{\"env\":\"" + "v".repeat(2049) + "\"}}", "labels.env",
                        "at most 2048 characters"),
                Arguments.of(Format.GENERIC, "{\"summary\":\"s\",\"annotations\":{\"a\":\"" + "v".repeat(8193) + "\"}}",
                        "annotations.a", "at most 8192 characters"),
                Arguments.of(Format.GENERIC, "{\"summary\":\"s\",\"service\":\"" + "v".repeat(2049) + "\"}", "service",
                        "at most 2048 characters"),
                Arguments.of(Format.GENERIC, "{\"summary\":\"s\",\"annotations\":" + bigAnnotations() + "}", "body",
                        "bytes serialized; the limit is 32768"),
                Arguments.of(Format.PAGERDUTY, pd("\"summary\":\"" + "s".repeat(1025) + "\""), "payload.summary", "at most 1024 characters"),
                Arguments.of(Format.PAGERDUTY, pd("\"summary\":\"s\",\"component\":\"" + "c".repeat(2049) + "\""), "payload.component",
                        "at most 2048 characters"),
                Arguments.of(Format.PAGERDUTY, pd("\"summary\":\"s\",\"custom_details\":{\"trace\":\"" + "t".repeat(8193) + "\"}"),
                        "payload.custom_details.trace", "at most 8192 characters"),
                Arguments.of(Format.PAGERDUTY, pd("\"summary\":\"s\",\"custom_details\":\"" + "t".repeat(8193) + "\""),
                        "payload.custom_details", "at most 8192 characters"),
                Arguments.of(Format.PAGERDUTY, pd("\"summary\":\"s\",\"custom_details\":" + bigAnnotations()), "body",
                        "bytes serialized; the limit is 32768"));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("overLimit")
    void eachLimitIsNamedByItsField_andNothingIsAccepted(Format format, String body, String field, String message) {
        assertThatThrownBy(() -> format.normalize.apply(Payloads.parse(body)))
                .isInstanceOfSatisfying(InvalidPayloadException.class, e -> {
                    assertThat(e.errors()).singleElement().satisfies(error -> {
                        assertThat(error.field()).isEqualTo(field);
                        assertThat(error.message()).contains(message);
                    });
                    assertThat(e.overLimit()).isTrue();
                });
    }

    @Test
    void valuesAtTheLimitsAreAccepted() {
        String labels = "{\"instance\":\"" + "v".repeat(2048) + "\",\"" + "n".repeat(128) + "\":\"x\","
                + labels(62).substring(1);
        String body = am(0, labels, "{\"summary\":\"" + "s".repeat(1024) + "\",\"runbook\":\"" + "r".repeat(8192) + "\"}", "{}");

        Alert alert = Format.ALERTMANAGER.normalize.apply(Payloads.parse(body)).get(0);

        assertThat(alert.getLabels()).hasSize(64);
        assertThat(alert.getSummary()).hasSize(1024);
    }

    @Test
    void aSummaryTakenFromTheDescriptionIsCutToLength_notRefused() {
        String body = am(0, "{\"a\":\"b\"}", "{\"description\":\"" + "d".repeat(5000) + "\"}", "{}");

        Alert alert = Format.ALERTMANAGER.normalize.apply(Payloads.parse(body)).get(0);

        assertThat(alert.getSummary()).hasSize(1024).endsWith("d\u2026");
        assertThat(alert.getDescription()).hasSize(5000);
    }

    @Test
    void aMalformedFieldBesideAnOverLimitOneIsNotOnlyALimit() {
        String body = "[{\"summary\":\"" + "s".repeat(1025) + "\"},{\"summary\":\"x\",\"severity\":\"urgent\"}]";

        assertThatThrownBy(() -> Format.GENERIC.normalize.apply(Payloads.parse(body)))
                .isInstanceOfSatisfying(InvalidPayloadException.class, e -> {
                    assertThat(e.errors()).extracting(FieldError::field).containsExactly("[0].summary", "[1].severity");
                    assertThat(e.overLimit()).isFalse();
                });
    }

    /** An Alertmanager webhook of {@code index + 1} alerts; the last has the given labels and annotations. */
    private static String am(int index, String labels, String annotations, String commonLabels) {
        String alerts = IntStream.rangeClosed(0, index).mapToObj(i -> "{\"status\":\"firing\",\"labels\":"
                        + (i == index ? labels : "{\"ok\":\"" + i + "\"}") + ",\"annotations\":" + (i == index ? annotations : "{}")
                        + ",\"startsAt\":\"2026-11-22T09:00:00Z\"}")
                .collect(Collectors.joining(","));
        return "{\"version\":\"4\",\"commonLabels\":" + commonLabels + ",\"alerts\":[" + alerts + "]}";
    }

    private static String pd(String payload) {
        return "{\"routing_key\":\"k\",\"event_action\":\"trigger\",\"payload\":{" + payload
                + ",\"source\":\"db-1\",\"severity\":\"error\"}}";
    }

    private static String labels(int count) {
        return IntStream.range(0, count).mapToObj(i -> "\"l" + i + "\":\"v\"").collect(Collectors.joining(",", "{", "}"));
    }

    /** Five annotations each within the length limit, together over the serialized size limit. */
    private static String bigAnnotations() {
        return IntStream.range(0, 5).mapToObj(i -> "\"a" + i + "\":\"" + "x".repeat(8000) + "\"").collect(Collectors.joining(",", "{", "}"));
    }
}
