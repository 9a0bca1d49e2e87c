package dev.incidentengine.incident.api;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.incident.domain.ResponseRules;
import dev.incidentengine.model.SetIncidentType;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/** {@code PUT /api/v1/incidents/{id}/type}'s body, refused on its field, and {@code GET /api/v1/incident-types}' answer. */
class IncidentTypeRequestsTest {

    private static final ApiUser ALICE = new ApiUser("alice", Role.RESPONDER);
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    void aTypeIsSetWithPut_notPost() {
        assertThat(ApiRequests.isPutAction("type")).isTrue();
        assertThat(ApiRequests.isAction("type")).as("POST .../type is not a command").isFalse();
        assertThat(command("{\"incidentType\": \" security-incident \"}").getPayload()).isEqualTo(new SetIncidentType("security-incident"));
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        assertRefused("{}", "incidentType");
        assertRefused("{\"incidentType\": \"\"}", "incidentType");
        assertRefused("{\"incidentType\": 7}", "incidentType");
        assertRefused("{\"incidentType\": \"" + "x".repeat(ResponseRules.MAX_ID + 1) + "\"}", "incidentType");
        assertRefused("{\"incidentType\": \"service-outage\", \"type\": \"x\"}", "type");
        assertRefused("[]", "body");
    }

    @Test
    void anUnknownTypeIsRefusedWithTheKnownOnes() {
        IncidentTypeRequests.checkKnown(new SetIncidentType("service-outage"), ResponseRules.DEFAULT.types());

        assertThatThrownBy(() -> IncidentTypeRequests.checkKnown(new SetIncidentType("outage"), ResponseRules.DEFAULT.types()))
                .asInstanceOf(type(ApiError.class)).satisfies(error -> {
                    assertThat(error.status()).isEqualTo(400);
                    assertThat(error.field()).isEqualTo("incidentType");
                    assertThat(error.getMessage()).contains("unknown type 'outage'", "service-outage", "deployment-related");
                });
    }

    @Test
    void theTypesListInConfigOrder() throws IOException {
        StringWriter text = new StringWriter();
        try (JsonGenerator out = new ObjectMapper().createGenerator(text)) {
            IncidentTypeRequests.write(ResponseRules.DEFAULT.types(), out);
        }

        assertThat(new ObjectMapper().readTree(text.toString()).get("incidentTypes").findValuesAsText("id")).containsExactly(
                "service-outage", "performance-degradation", "security-incident", "data-loss", "third-party-failure",
                "infrastructure-failure", "deployment-related");
        assertThat(text.toString()).contains("{\"id\":\"data-loss\",\"name\":\"Data loss or corruption\",\"description\":null}");
    }

    @Test
    void aPutWaitsForTheDecisionUnlessToldNotTo() {
        assertThat(ApiRequests.waitParameter(Map.of(), true)).isTrue();
        assertThat(ApiRequests.waitParameter(Map.of("wait", List.of("false")), true)).isFalse();
        assertThat(ApiRequests.waitParameter(Map.of(), false)).isFalse();
    }

    private static dev.incidentengine.model.IncidentCommand command(String body) {
        return ApiRequests.command("type", "INC-1", body.getBytes(StandardCharsets.UTF_8), null, ALICE, NOW);
    }

    private static void assertRefused(String body, String field) {
        assertThatThrownBy(() -> command(body)).asInstanceOf(type(ApiError.class)).satisfies(error -> {
            assertThat(error.status()).as(error.getMessage()).isEqualTo(400);
            assertThat(error.field()).as(error.getMessage()).isEqualTo(field);
        });
    }
}
