package dev.incidentengine.incident.api;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import dev.incidentengine.model.AssignRole;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/** The role endpoints' bodies and path, read strictly: every bad input refused naming its field. */
class RoleRequestsTest {

    private static final String ID = "INC-20261205-0001";
    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    private static final ApiUser ALICE = new ApiUser("alice", Role.RESPONDER);

    @Test
    void aPutTakesOrHandsOver_aDeleteReleases_asTheCaller_withTheIdempotencyKey() {
        IncidentCommand put = assign("commander", false, "{\"userId\": \"bob\", \"reason\": \"end of shift\", \"expectedVersion\": 7}", "k-1");
        assertThat(put.getPayload()).isEqualTo(new AssignRole("commander", "bob", "end of shift"));
        assertThat(put.getCommandId()).isEqualTo("k-1");
        assertThat(put.getActor().getId()).isEqualTo("alice");
        assertThat(put.getExpectedVersion()).isEqualTo(7L);

        assertThat(assign("commander", true, "", null).getPayload()).isEqualTo(new AssignRole("commander", null, null));
        assertThat(assign("scribe", true, "{\"reason\": \"not needed\"}", null).getPayload())
                .isEqualTo(new AssignRole("scribe", null, "not needed"));
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        refused("Commander", false, "{\"userId\": \"bob\"}", 400, "role");
        refused("c".repeat(65), false, "{\"userId\": \"bob\"}", 400, "role");
        refused("commander", false, "{}", 400, "userId");
        refused("commander", false, "{\"userId\": \"\"}", 400, "userId");
        refused("commander", false, "{\"userId\": 42}", 400, "userId");
        refused("commander", false, "{\"userId\": \"Bob Smith\"}", 400, "userId");
        refused("commander", false, "{\"userId\": \"" + "b".repeat(65) + "\"}", 400, "userId");
        refused("commander", false, "{\"userId\": \"bob\", \"reason\": \"" + "r".repeat(2_001) + "\"}", 400, "reason");
        refused("commander", false, "{\"userId\": \"bob\", \"user\": \"bob\"}", 400, "user");
        refused("commander", true, "{\"userId\": \"bob\"}", 400, "userId");
        refused("commander", false, "[1]", 400, "body");
        refused("commander", false, "{\"userId\": \"bob\"", 400, "body");
        refused("commander", false, "{\"userId\": \"bob\", \"commandId\": \"a\"}", 400, "commandId", "b");
        refused("commander", false, "{\"userId\": \"bob\", \"expectedVersion\": -1}", 400, "expectedVersion");
        refused("commander", false, "{\"reason\": \"" + "x".repeat(ApiRequests.MAX_BODY_BYTES) + "\"}", 413, null);
    }

    private static IncidentCommand assign(String role, boolean release, String body, String key) {
        return RoleRequests.assign(ID, role, release, body.getBytes(StandardCharsets.UTF_8), key, ALICE, NOW);
    }

    private static void refused(String role, boolean release, String body, int status, String field, String... key) {
        assertThatThrownBy(() -> assign(role, release, body, key.length == 0 ? null : key[0])).asInstanceOf(type(ApiError.class))
                .satisfies(error -> {
                    assertThat(error.status()).as("status of: " + error.getMessage()).isEqualTo(status);
                    assertThat(error.field()).as("field of: " + error.getMessage()).isEqualTo(field);
                });
    }
}
