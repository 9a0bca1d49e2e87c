package dev.incidentengine.incident.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import dev.incidentengine.incident.routing.Route;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.Severity;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

class DrillRequestsTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00.123456Z");
    private static final ApiUser ALICE = new ApiUser("alice", Role.RESPONDER);
    private static final Set<String> SERVICES = Set.of("checkout", "payments");

    @Test
    void aDrillIsAFiringAlertMarkedWithItsScenario_onItsOwnKey() {
        DrillRequests.Drill drill = start("{\"service\": \"checkout\", \"scenario\": \"database-failover\"}", null);
        Alert alert = drill.alert();

        assertThat(drill.id()).matches("[0-9a-f]{20}");
        assertThat(alert.getFingerprint()).isEqualTo("drill:" + drill.id());
        assertThat(alert.getDrill()).isEqualTo("database-failover");
        assertThat(alert.getStatus()).isEqualTo(AlertStatus.FIRING);
        assertThat(alert.getSeverity()).as("the default: a major incident's process").isEqualTo(Severity.SEV1);
        assertThat(alert.getService()).isEqualTo("checkout");
        assertThat(alert.getSummary()).isEqualTo("Drill: database-failover on checkout");
        assertThat(alert.getLabels()).containsEntry("alertname", "Drill: database-failover").containsEntry("drill", "true")
                .containsEntry("drill_id", drill.id()).containsEntry("scenario", "database-failover").containsEntry("service", "checkout");
        assertThat(alert.getAnnotations()).containsEntry("startedBy", "alice");
        assertThat(alert.getStartsAt()).isEqualTo(Instant.parse("2026-11-22T10:00:00.123Z")).isEqualTo(alert.getReceivedAt());
        assertThat(alert.getEndsAt()).isEqualTo(alert.getStartsAt().plus(Duration.ofHours(24)));
        assertThat(Route.DEFAULT.correlationKey(alert)).isEqualTo("|drill|drill:" + drill.id());
        assertThat(start("{\"service\": \"checkout\", \"scenario\": \"database-failover\"}", null).id()).as("random without a key")
                .isNotEqualTo(drill.id());
    }

    @Test
    void severityTitleAndDescriptionAreTheCallers_andAnIdempotencyKeyNamesTheDrill() {
        String body = "{\"service\": \"payments\", \"scenario\": \"psp.outage_2\", \"severity\": \"P0\", \"title\": \" PSP down \","
                + " \"description\": \"Game day\"}";
        DrillRequests.Drill drill = start(body, "q4-game-day");

        assertThat(drill.alert().getSeverity()).isEqualTo(Severity.SEV0);
        assertThat(drill.alert().getSummary()).isEqualTo("PSP down");
        assertThat(drill.alert().getDescription()).isEqualTo("Game day");
        assertThat(start(body, "q4-game-day").id()).as("a retry names the same drill").isEqualTo(drill.id());
        assertThat(DrillRequests.start(body.getBytes(StandardCharsets.UTF_8), "q4-game-day", new ApiUser("bob", Role.RESPONDER),
                SERVICES::contains, NOW).id()).as("another person's key is another drill").isNotEqualTo(drill.id());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{}                                                               | service  | is required",
            "{\"scenario\": \"x\"}                                            | service  | is required",
            "{\"service\": 7, \"scenario\": \"x\"}                            | service  | must be a string",
            "{\"service\": \"  \", \"scenario\": \"x\"}                       | service  | must not be empty",
            "{\"service\": \"billing\", \"scenario\": \"x\"}                  | service  | is configured",
            "{\"service\": \"checkout\"}                                      | scenario | is required",
            "{\"service\": \"checkout\", \"scenario\": \"db failover\"}       | scenario | must be 1 to 64 letters",
            "{\"service\": \"checkout\", \"scenario\": \"-x\"}                | scenario | must be 1 to 64 letters",
            "{\"service\": \"checkout\", \"scenario\": \"<b>x</b>\"}          | scenario | must be 1 to 64 letters",
            "{\"service\": \"checkout\", \"scenario\": \"x\", \"severity\": \"SEV9\"} | severity | must be a severity",
            "{\"service\": \"checkout\", \"scenario\": \"x\", \"severity\": 1}  | severity | must be a string",
            "{\"service\": \"checkout\", \"scenario\": \"x\", \"drill\": \"y\"} | drill    | unknown field",
            "{\"service\": \"checkout\", \"scenario\": \"x\", \"labels\": {}}  | labels   | unknown field",
            "[]                                                               | body     | must be a JSON object",
            "{\"service\":                                                    | body     | not valid JSON",
    })
    void badInputIsRefusedNamingTheField(String body, String field, String message) {
        assertRefused(body, null, field, message);
    }

    @Test
    void longTextsAndKeysAndBodiesAreRefused() {
        assertRefused("{\"service\": \"checkout\", \"scenario\": \"" + "s".repeat(65) + "\"}", null, "scenario", "must be 1 to 64");
        assertRefused("{\"service\": \"checkout\", \"scenario\": \"x\", \"title\": \"" + "t".repeat(201) + "\"}", null, "title",
                "longer than 200");
        assertRefused("{\"service\": \"checkout\", \"scenario\": \"x\", \"description\": \"" + "d".repeat(2_001) + "\"}", null,
                "description", "longer than 2000");
        assertRefused("{\"service\": \"checkout\", \"scenario\": \"x\"}", "k".repeat(201), "Idempotency-Key", "longer than 200");
        assertThatThrownBy(() -> start("{\"title\": \"" + "x".repeat(70_000) + "\"}", null))
                .asInstanceOf(type(ApiError.class)).satisfies(error -> assertThat(error.status()).isEqualTo(413));
    }

    private static DrillRequests.Drill start(String body, String key) {
        return DrillRequests.start(body.getBytes(StandardCharsets.UTF_8), key, ALICE, SERVICES::contains, NOW);
    }

    private static void assertRefused(String body, String key, String field, String message) {
        assertThatThrownBy(() -> start(body, key)).as(body).asInstanceOf(type(ApiError.class)).satisfies(error -> {
            assertThat(error.status()).isEqualTo(400);
            assertThat(error.field()).isEqualTo(field);
            assertThat(error.getMessage()).contains(message);
        });
    }
}
