package dev.incidentengine.escalation;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.escalation.domain.ConfigSnapshot;
import dev.incidentengine.model.OnCallOverride;
import dev.incidentengine.service.api.ApiError;

/**
 * Reads and judges the override endpoints' requests, strictly (unknown fields refused, each error naming its field),
 * against the configuration as this instance holds it. Pure, so the bad-input matrix is tested without a server.
 *
 * <p>Limits: an override lasts at most {@value #MAX_DAYS} days and begins within {@value #MAX_AHEAD_DAYS} days; a start in
 * the past is taken as now (an override cannot change who was on call); a schedule holds at most {@value #MAX_STORED}
 * overrides that have not ended or ended within the last {@value #KEEP_ENDED_DAYS} days (older ones are forgotten
 * when the schedule's next override is made). That bounds what every instance holds in memory and reads per request.
 */
final class OverrideRequests {

    static final int MAX_BODY_BYTES = 16 * 1024;
    static final int MAX_DAYS = 31;
    static final int MAX_AHEAD_DAYS = 180;
    static final int MAX_STORED = 200;
    static final int KEEP_ENDED_DAYS = 7;
    static final int MAX_REASON = 500;
    private static final Set<String> FIELDS = Set.of("id", "user", "start", "end", "reason");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Where an override stands at an instant. */
    enum State {
        UPCOMING, ACTIVE, ENDED;

        static State of(OnCallOverride override, Instant now) {
            return !now.isBefore(override.getEnd()) ? ENDED : now.isBefore(override.getStart()) ? UPCOMING : ACTIVE;
        }

        String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private OverrideRequests() {
    }

    /**
     * The override a POST asks for: {@code user}, {@code start}, {@code end} (RFC 3339), {@code reason}, optionally
     * {@code id} (else the {@code Idempotency-Key} header, else a new one).
     *
     * @param body       at most {@link #MAX_BODY_BYTES} + 1 bytes as read (more is a 413)
     * @param idHeader   the request's {@code Idempotency-Key}, or null
     * @param scheduleId a schedule that exists
     */
    static OnCallOverride create(byte[] body, String idHeader, String scheduleId, ConfigSnapshot config, String actor, Instant now) {
        if (body.length > MAX_BODY_BYTES) {
            throw new ApiError(413, null, "body is over the limit of " + MAX_BODY_BYTES + " bytes");
        }
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "body", "must be a JSON object (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new ApiError(400, "body", "cannot be read (" + e.getMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new ApiError(400, "body", "must be a JSON object such as {\"user\": \"bob\", \"start\": \"...\", \"end\": \"...\", "
                    + "\"reason\": \"...\"}");
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                throw new ApiError(400, name, "unknown field (known: " + new TreeSet<>(FIELDS) + ")");
            }
        });
        String id = text(node, "id", false);
        if (id != null && idHeader != null && !id.equals(idHeader)) {
            throw new ApiError(400, "id", "differs from the Idempotency-Key header ('" + idHeader + "'); send one, or both the same");
        }
        id = id != null ? id : idHeader;
        if (id != null && !ID.matcher(id).matches()) {
            throw new ApiError(400, "id", "must be letters, digits and . _ : - (at most 128, starting with a letter or digit), not '" + id + "'");
        }
        String user = text(node, "user", true);
        if (!config.users().containsKey(user)) {
            throw new ApiError(400, "user", "unknown user '" + user + "'");
        }
        Instant at = now.truncatedTo(ChronoUnit.MILLIS);
        Instant requestedStart = instant(node, "start");
        Instant end = instant(node, "end");
        if (!end.isAfter(requestedStart)) {
            throw new ApiError(400, "end", "must be after start " + requestedStart + ", not " + end);
        }
        if (!end.isAfter(at)) {
            throw new ApiError(400, "end", "must be in the future, not " + end);
        }
        Instant start = requestedStart.isBefore(at) ? at : requestedStart;
        if (start.isAfter(at.plus(Duration.ofDays(MAX_AHEAD_DAYS)))) {
            throw new ApiError(400, "start", "must be within " + MAX_AHEAD_DAYS + " days from now, not " + start);
        }
        if (Duration.between(start, end).compareTo(Duration.ofDays(MAX_DAYS)) > 0) {
            throw new ApiError(400, "end", "an override lasts at most " + MAX_DAYS + " days; this one " + Duration.between(start, end).toHours()
                    + " hours from " + start);
        }
        String reason = text(node, "reason", true).strip();
        if (reason.length() > MAX_REASON) {
            throw new ApiError(400, "reason", "must be at most " + MAX_REASON + " characters, not " + reason.length());
        }
        return new OnCallOverride(id != null ? id : "ovr-" + UUID.randomUUID(), scheduleId, user, start, end, actor, at, reason, null, null);
    }

    /**
     * Whether a schedule that holds {@code stored} may take one more: at most {@link #MAX_STORED} that have not ended or
     * ended within {@link #KEEP_ENDED_DAYS} days.
     *
     * @throws ApiError 409 when it may not
     */
    static void checkRoom(String scheduleId, Collection<OnCallOverride> stored, Instant now) {
        long kept = stored.stream().filter(override -> !forgotten(override, now)).count();
        if (kept >= MAX_STORED) {
            throw new ApiError(409, null, "schedule " + scheduleId + " holds " + kept + " overrides that have not ended or ended within "
                    + KEEP_ENDED_DAYS + " days, the most it takes (" + MAX_STORED + "); remove upcoming ones you do not need");
        }
    }

    /** An override that ended over {@link #KEEP_ENDED_DAYS} days ago: its tombstone is written with the schedule's next override. */
    static boolean forgotten(OnCallOverride override, Instant now) {
        return override.getEnd().isBefore(now.minus(Duration.ofDays(KEEP_ENDED_DAYS)));
    }

    /**
     * A retry of the same request finds the override its first attempt stored: the same schedule, user, end and reason
     * (the start may have been moved to the moment of the first attempt).
     */
    static boolean sameRequest(OnCallOverride stored, OnCallOverride asked) {
        return stored.getScheduleId().equals(asked.getScheduleId()) && stored.getUserId().equals(asked.getUserId())
                && stored.getEnd().equals(asked.getEnd()) && stored.getReason().equals(asked.getReason());
    }

    /**
     * What removing an override writes: nothing for one that has ended (null, a no-op), a tombstone for one that has
     * not begun ({@code Optional.empty()} inside), and for one in progress the same override ending now, so the record
     * of who was on call stays.
     */
    static Removal remove(OnCallOverride override, String actor, Instant now) {
        Instant at = now.truncatedTo(ChronoUnit.MILLIS);
        return switch (State.of(override, at)) {
            case ENDED -> new Removal(false, null);
            case UPCOMING -> new Removal(true, null);
            case ACTIVE -> new Removal(true, OnCallOverride.newBuilder(override).setEnd(at.isAfter(override.getStart()) ? at
                    : override.getStart().plusMillis(1)).setRemovedBy(actor).setRemovedAt(at).build());
        };
    }

    /** @param write whether anything is written; {@code value} null with {@code write}: a tombstone */
    record Removal(boolean write, OnCallOverride value) {
    }

    /** The override as the API shows it, with its {@code state} at {@code now}. */
    static Map<String, Object> json(OnCallOverride override, Instant now) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", override.getId());
        body.put("scheduleId", override.getScheduleId());
        body.put("userId", override.getUserId());
        body.put("start", override.getStart().toString());
        body.put("end", override.getEnd().toString());
        body.put("reason", override.getReason());
        body.put("createdBy", override.getCreatedBy());
        body.put("createdAt", override.getCreatedAt().toString());
        body.put("removedBy", override.getRemovedBy());
        body.put("removedAt", override.getRemovedAt() == null ? null : override.getRemovedAt().toString());
        body.put("state", State.of(override, now).json());
        return body;
    }

    private static String text(JsonNode node, String field, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw new ApiError(400, field, "is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw new ApiError(400, field, "must be a string");
        }
        if (value.textValue().isBlank()) {
            throw new ApiError(400, field, "must not be empty");
        }
        return value.textValue();
    }

    private static Instant instant(JsonNode node, String field) {
        String value = text(node, field, true);
        try {
            return OffsetDateTime.parse(value).toInstant().truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException e) {
            throw new ApiError(400, field, "must be an RFC 3339 timestamp with its offset, such as 2027-03-28T09:00:00+02:00 or "
                    + "2027-03-28T07:00:00Z, not '" + value + "'");
        }
    }
}
