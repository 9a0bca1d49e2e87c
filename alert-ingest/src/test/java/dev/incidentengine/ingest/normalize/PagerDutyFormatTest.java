package dev.incidentengine.ingest.normalize;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.Link;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.Severity;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PagerDutyFormatTest {

    private static final Instant NOW = Instant.parse("2026-11-22T09:15:03Z");
    private static final Source SOURCE = new Source("zabbix", "datapipe", List.of(), NOW);

    @Test
    void givenTrigger_thenFiringAlertWithDetailsLinksAndDedupKey() {
        PagerDutyFormat.Event event = PagerDutyFormat.normalize(Payloads.json("pagerduty-trigger.json"), SOURCE, AlertLimits.DEFAULTS);

        assertThat(event.dedupKey()).isEqualTo("srv01/mysql-replication-lag");
        assertThat(event.alert().getFingerprint()).isEqualTo("zabbix/srv01/mysql-replication-lag");
        assertThat(event.alert().getStatus()).isEqualTo(AlertStatus.FIRING);
        assertThat(event.alert().getSeverity()).isEqualTo(Severity.SEV2);
        assertThat(event.alert().getSummary()).isEqualTo("Replication lag on srv01 above 300s");
        assertThat(event.alert().getSource()).isEqualTo("srv01.example.com");
        assertThat(event.alert().getStartsAt()).isEqualTo(Instant.parse("2026-11-22T09:15:02Z"));
        assertThat(event.alert().getLabels()).containsEntry("component", "mysql").containsEntry("group", "prod-datapipe")
                .containsEntry("class", "replication");
        assertThat(event.alert().getAnnotations()).containsEntry("lag_seconds", "412").containsEntry("tags", "[\"db\",\"prod\"]");
        assertThat(event.alert().getLinks()).extracting(Link::getHref).containsExactly(
                "https://runbooks.example/mysql/lag", "https://chart.example/lag.png", "https://zabbix.example/tr_events.php?triggerid=42");
        assertThat(event.alert().getService()).isEqualTo("datapipe");
        assertThat(event.alert().getRawFormat()).isEqualTo(RawFormat.PAGERDUTY);
    }

    @Test
    void givenTriggerWithoutDedupKey_thenOneIsGenerated() {
        PagerDutyFormat.Event first = PagerDutyFormat.normalize(Payloads.json("pagerduty-trigger-without-dedup-key.json"), SOURCE, AlertLimits.DEFAULTS);
        PagerDutyFormat.Event second = PagerDutyFormat.normalize(Payloads.json("pagerduty-trigger-without-dedup-key.json"), SOURCE, AlertLimits.DEFAULTS);

        assertThat(first.dedupKey()).matches("[0-9a-f]{32}").isNotEqualTo(second.dedupKey());
        assertThat(first.alert().getFingerprint()).isEqualTo("zabbix/" + first.dedupKey());
        assertThat(first.alert().getStartsAt()).isEqualTo(NOW);
    }

    @Test
    void givenAcknowledgeAndResolve_thenAlertsOfTheSameFingerprint() {
        PagerDutyFormat.Event ack = PagerDutyFormat.normalize(Payloads.json("pagerduty-acknowledge.json"), SOURCE, AlertLimits.DEFAULTS);
        PagerDutyFormat.Event resolve = PagerDutyFormat.normalize(Payloads.json("pagerduty-resolve.json"), SOURCE, AlertLimits.DEFAULTS);

        assertThat(ack.alert().getStatus()).isEqualTo(AlertStatus.ACKNOWLEDGED);
        assertThat(resolve.alert().getStatus()).isEqualTo(AlertStatus.RESOLVED);
        assertThat(resolve.alert().getEndsAt()).isEqualTo(NOW);
        assertThat(ack.alert().getFingerprint()).isEqualTo(resolve.alert().getFingerprint())
                .isEqualTo("zabbix/srv01/mysql-replication-lag");
    }

    @Test
    void givenInvalidEvents_thenEveryProblemNamed() {
        assertThatThrownBy(() -> PagerDutyFormat.normalize(Payloads.parse("{\"event_action\":\"trigger\"}"), SOURCE, AlertLimits.DEFAULTS))
                .hasMessageContaining("payload: is required");
        assertThatThrownBy(() -> PagerDutyFormat.normalize(Payloads.parse(
                "{\"event_action\":\"trigger\",\"payload\":{\"summary\":\"\",\"source\":3,\"severity\":\"fatal\"}}"), SOURCE, AlertLimits.DEFAULTS))
                .isInstanceOfSatisfying(InvalidPayloadException.class, e -> assertThat(e.errors()).containsExactlyInAnyOrder(
                        new FieldError("payload.summary", "must not be empty"),
                        new FieldError("payload.source", "must be a string"),
                        new FieldError("payload.severity", "must be one of [critical, error, warning, info], not 'fatal'")));
        assertThatThrownBy(() -> PagerDutyFormat.normalize(Payloads.parse("{\"event_action\":\"resolve\"}"), SOURCE, AlertLimits.DEFAULTS))
                .hasMessageContaining("dedup_key: is required");
        assertThatThrownBy(() -> PagerDutyFormat.normalize(Payloads.parse("{\"event_action\":\"snooze\"}"), SOURCE, AlertLimits.DEFAULTS))
                .hasMessageContaining("event_action: must be trigger, acknowledge or resolve");
        ObjectNode longSummary = (ObjectNode) Payloads.json("pagerduty-trigger.json");
        ((ObjectNode) longSummary.get("payload")).put("summary", "x".repeat(1025));
        assertThatThrownBy(() -> PagerDutyFormat.normalize(longSummary, SOURCE, AlertLimits.DEFAULTS))
                .hasMessageContaining("payload.summary: must be at most 1024 characters");
        ObjectNode longKey = (ObjectNode) Payloads.json("pagerduty-resolve.json");
        longKey.put("dedup_key", "k".repeat(256));
        assertThatThrownBy(() -> PagerDutyFormat.normalize(longKey, SOURCE, AlertLimits.DEFAULTS))
                .hasMessageContaining("dedup_key: must be at most 255 characters");
    }

    @Test
    void routingKeyIsReadOnlyWhenAString() {
        assertThat(PagerDutyFormat.routingKey(Payloads.json("pagerduty-resolve.json"))).contains("ROUTING_KEY");
        assertThat(PagerDutyFormat.routingKey(Payloads.parse("{\"routing_key\":5}"))).isEmpty();
        assertThat(PagerDutyFormat.routingKey(Payloads.parse("{}"))).isEmpty();
    }
}
