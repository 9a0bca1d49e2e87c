package dev.incidentengine.incident.api;

import java.io.IOException;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.incidentengine.model.AssignRole;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.ApiUser;

/**
 * Response roles through the API: {@code PUT /api/v1/incidents/{id}/roles/{role}} with {@code {"userId", "reason"}} takes
 * or hands over a role, {@code DELETE} releases it (an optional {@code {"reason"}}), and {@code GET /api/v1/roles} lists
 * the roles as the aggregate knows them. Whether the role is known and the incident takes it is the aggregate's decision
 * (a 409 names the known roles); here only the form of the ids is checked. The holder is not looked up in config.users:
 * the API does not read it, and a responder from outside the on-call config may still command.
 */
final class RoleRequests {

    static final String ROLES = "/api/v1/roles";
    /** Config ids, as the config loader takes them (users and roles alike). */
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final int MAX_REASON = 2_000;

    private RoleRequests() {
    }

    /** The command of {@code PUT} (take or hand over to {@code userId}) or, with {@code release}, of {@code DELETE}. */
    static IncidentCommand assign(String incidentId, String role, boolean release, byte[] body, String idempotencyKey, ApiUser user,
                                  Instant now) {
        if (!ID.matcher(role).matches()) {
            throw new ApiError(400, "role", "must be a role id (1 to 64 of a-z, 0-9 and '-', e.g. commander), not '" + printable(role) + "'");
        }
        return ApiRequests.command(incidentId, release ? Set.of("reason") : Set.of("userId", "reason"), fields -> {
            String holder = release ? null : fields.requiredText("userId");
            if (holder != null && !ID.matcher(holder).matches()) {
                throw new ApiError(400, "userId", "must be a user id (1 to 64 of a-z, 0-9 and '-'), not '" + printable(holder) + "'");
            }
            String reason = fields.optionalText("reason");
            if (reason != null && reason.length() > MAX_REASON) {
                throw new ApiError(400, "reason", "longer than " + MAX_REASON + " characters");
            }
            return new AssignRole(role, holder, reason);
        }, body, idempotencyKey, user, now);
    }

    /** Echoed input is cut short: an error message is no place for a megabyte. */
    private static String printable(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "…" : text;
    }

    static void writeRoles(Collection<RoleConfig> roles, JsonGenerator out) throws IOException {
        out.writeStartObject();
        out.writeArrayFieldStart("roles");
        for (RoleConfig role : roles) {
            out.writeStartObject();
            out.writeStringField("id", role.getId());
            out.writeStringField("name", role.getName());
            if (role.getDescription() != null) {
                out.writeStringField("description", role.getDescription());
            }
            out.writeArrayFieldStart("requiredSeverities");
            for (String severity : role.getRequiredSeverities()) {
                out.writeString(severity);
            }
            out.writeEndArray();
            out.writeNumberField("requiredWithinMinutes", role.getRequiredWithinMinutes());
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeEndObject();
    }
}
