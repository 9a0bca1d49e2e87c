package dev.incidentengine.incident.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.Severity;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.ApiUser;

/**
 * {@code POST /api/v1/drills}: a drill starts as an alert on {@code alerts.v1}, so its incident opens through the normal path
 * (dedupe, the service's route and escalation policy, runbook matching, pages), with {@code Alert.drill} set to the scenario.
 * Only this endpoint sets it (receivers never do). The alert is its own correlation key ({@code Route.correlationKey}), so a
 * drill never joins a real incident; the aggregate never publishes it; reports leave it out.
 *
 * <p>The answer (202, once Kafka acknowledged the alert) names the drill: its id is the {@code drill_id} label, a search word,
 * so {@code GET /api/v1/incidents?search=<drill id>} finds the incident once incident-stream opened it ({@code incidentctl drill
 * start} waits for that). An {@code Idempotency-Key} makes the drill's id: a retry writes the same alert, a duplicate that
 * dedupe drops.
 */
final class DrillRequests {

    static final String PATH = "/api/v1/drills";
    static final Set<String> FIELDS = Set.of("service", "scenario", "severity", "title", "description");
    /** A scenario is a name people and reports use, such as {@code database-failover}. */
    static final Pattern SCENARIO = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    static final Severity DEFAULT_SEVERITY = Severity.SEV1;
    static final int MAX_TITLE = 200;
    static final int MAX_DESCRIPTION = 2_000;
    static final int MAX_IDEMPOTENCY_KEY = 200;
    /**
     * The alert's {@code endsAt}: a drill nobody ended stops firing after a day (its incident then resolves as alerts resolve on
     * its route), so dedupe does not keep its alert forever.
     */
    static final Duration MAX_LENGTH = Duration.ofHours(24);
    /** Fingerprints of receivers are {@code <integration id>/<identity>}, ids [a-z0-9-]: none begins with this. */
    static final String FINGERPRINT_PREFIX = "drill:";
    private static final SecureRandom RANDOM = new SecureRandom();

    private DrillRequests() {
    }

    /** A drill asked for: its id and the alert that starts it. */
    record Drill(String id, Alert alert) {
    }

    /**
     * The drill a body asks for.
     *
     * @param body           the body as read, at most {@link ApiRequests#MAX_BODY_BYTES} + 1 bytes (more is a 413)
     * @param idempotencyKey the {@code Idempotency-Key} header, or null (a random id)
     * @param services       whether a service id is configured
     */
    static Drill start(byte[] body, String idempotencyKey, ApiUser user, Predicate<String> services, Instant now) {
        if (body.length > ApiRequests.MAX_BODY_BYTES) {
            throw new ApiError(413, null, "body is over the limit of " + ApiRequests.MAX_BODY_BYTES + " bytes");
        }
        Instant at = now.truncatedTo(ChronoUnit.MILLIS);
        ApiRequests.Body fields = new ApiRequests.Body(ApiRequests.parse(body), at);
        fields.only(FIELDS);
        String service = fields.requiredText("service").strip();
        if (!services.test(service)) {
            throw new ApiError(400, "service", "no service '" + service + "' is configured (config kind services)");
        }
        String scenario = fields.requiredText("scenario").strip();
        if (!SCENARIO.matcher(scenario).matches()) {
            throw new ApiError(400, "scenario", "must be 1 to 64 letters, digits and . _ - (starting with a letter or digit), not '"
                    + scenario + "'");
        }
        String severityText = fields.optionalText("severity");
        Severity severity = severityText == null ? DEFAULT_SEVERITY : ApiRequests.severity(severityText, "severity");
        String title = text(fields, "title", MAX_TITLE, "Drill: " + scenario + " on " + service);
        String description = text(fields, "description", MAX_DESCRIPTION, "A drill of scenario " + scenario + " on " + service
                + ", started by " + user.user() + ". Not a real incident: respond as you would to one.");
        String id = id(idempotencyKey, user);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("alertname", "Drill: " + scenario);
        labels.put("drill", "true");
        labels.put("drill_id", id);
        labels.put("scenario", scenario);
        labels.put("service", service);
        Alert alert = Alert.newBuilder()
                .setFingerprint(FINGERPRINT_PREFIX + id)
                .setStatus(AlertStatus.FIRING)
                .setSeverity(severity)
                .setSummary(title)
                .setDescription(description)
                .setLabels(labels)
                .setAnnotations(Map.of("startedBy", user.user()))
                .setSource("drills")
                .setService(service)
                .setLinks(List.of())
                .setStartsAt(at)
                .setEndsAt(at.plus(MAX_LENGTH))
                .setReceivedAt(at)
                .setRawFormat(RawFormat.GENERIC)
                .setDrill(scenario)
                .build();
        return new Drill(id, alert);
    }

    private static String text(ApiRequests.Body fields, String field, int max, String otherwise) {
        String text = fields.optionalText(field);
        if (text == null) {
            return otherwise;
        }
        if (text.strip().length() > max) {
            throw new ApiError(400, field, "longer than " + max + " characters");
        }
        return text.strip();
    }

    /**
     * 20 lower-case hex digits: from the caller and their {@code Idempotency-Key} (a retry names the same drill), else random.
     * Letters and digits only, so the id is one search word.
     */
    static String id(String idempotencyKey, ApiUser user) {
        String key = idempotencyKey == null || idempotencyKey.isBlank() ? null : idempotencyKey.strip();
        if (key == null) {
            byte[] random = new byte[10];
            RANDOM.nextBytes(random);
            return HexFormat.of().formatHex(random);
        }
        if (key.length() > MAX_IDEMPOTENCY_KEY) {
            throw new ApiError(400, "Idempotency-Key", "longer than " + MAX_IDEMPOTENCY_KEY + " characters");
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((user.user() + '\u0000' + key).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The answer: the drill, and where its incident will be found. */
    static void write(Drill drill, JsonGenerator out) throws IOException {
        Alert alert = drill.alert();
        out.writeStartObject();
        out.writeStringField("drillId", drill.id());
        out.writeStringField("fingerprint", alert.getFingerprint());
        out.writeStringField("scenario", alert.getDrill());
        out.writeStringField("service", alert.getService());
        out.writeStringField("severity", alert.getSeverity().name());
        out.writeStringField("title", alert.getSummary());
        out.writeStringField("startedBy", alert.getAnnotations().get("startedBy"));
        out.writeStringField("startedAt", alert.getStartsAt().toString());
        out.writeStringField("endsAt", alert.getEndsAt().toString());
        out.writeStringField("incidents", IncidentApi.PREFIX + "?search=" + drill.id());
        out.writeEndObject();
    }
}
