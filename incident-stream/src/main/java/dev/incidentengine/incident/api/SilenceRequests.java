package dev.incidentengine.incident.api;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.incidentengine.incident.api.ApiRequests.Body;
import dev.incidentengine.incident.routing.AlertMatcher;
import dev.incidentengine.incident.routing.LabelMatchers;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.ApiUser;

/**
 * Reads the silence endpoints' requests, as strictly as {@link ApiRequests}: a new silence's body
 * (matchers as Alertmanager strings or objects, a window with an end, a comment) and the list's
 * {@code state} filter; and what expiring a silence writes. Pure, so the matrix is tested without a server.
 */
public final class SilenceRequests {

    /** Where a silence stands at an instant, judged by its startsAt and endsAt. */
    public enum State {
        ACTIVE, PENDING, EXPIRED;

        public static State of(SilenceConfig silence, Instant now) {
            if (silence.getEndsAt() != null && !now.isBefore(silence.getEndsAt())) {
                return EXPIRED;
            }
            if (silence.getStartsAt() != null && now.isBefore(silence.getStartsAt())) {
                return PENDING;
            }
            return ACTIVE;
        }

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final Set<State> DEFAULT_STATES = Set.copyOf(EnumSet.of(State.ACTIVE, State.PENDING));
    private static final Set<String> FIELDS = Set.of("matchers", "startsAt", "endsAt", "duration", "comment", "id");
    private static final Set<String> MATCHER_FIELDS = Set.of("label", "op", "value");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,199}");
    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?");
    private static final Duration MAX_DURATION = Duration.ofDays(365);
    /** The most matchers a silence takes through the API: the stream checks each new alert against every active silence's. */
    public static final int MAX_MATCHERS = 32;
    /** The path of the silence preview below the silences: no silence made through the API may have this id. */
    public static final String PREVIEW = "preview";

    private SilenceRequests() {
    }

    /** Active ones first, ending soonest; then pending ones, starting soonest; then expired ones, the latest first. */
    public static Comparator<SilenceConfig> order(Instant now) {
        return Comparator.<SilenceConfig, State>comparing(silence -> State.of(silence, now))
                .thenComparingLong(silence -> switch (State.of(silence, now)) {
                    case ACTIVE -> silence.getEndsAt() == null ? Long.MAX_VALUE : silence.getEndsAt().toEpochMilli();
                    case PENDING -> silence.getStartsAt().toEpochMilli();
                    case EXPIRED -> -silence.getEndsAt().toEpochMilli();
                })
                .thenComparing(SilenceConfig::getId);
    }

    /**
     * The silence a POST asks for: {@code matchers}, {@code startsAt} (default now), exactly one of
     * {@code endsAt} or {@code duration}, {@code comment}, optionally {@code id}; the author is the token's user.
     *
     * @param body the body as read, at most {@link ApiRequests#MAX_BODY_BYTES} + 1 bytes (more is a 413)
     */
    public static SilenceConfig create(byte[] body, ApiUser user, Instant now) {
        if (body.length > ApiRequests.MAX_BODY_BYTES) {
            throw new ApiError(413, null, "body is over the limit of " + ApiRequests.MAX_BODY_BYTES + " bytes");
        }
        Instant at = now.truncatedTo(ChronoUnit.MILLIS);
        Body fields = new Body(ApiRequests.parse(body), at);
        fields.only(FIELDS);
        String id = fields.optionalText("id");
        if (id != null && !ID.matcher(id).matches()) {
            throw new ApiError(400, "id", "must be letters, digits and . _ : - (at most 200, starting with a letter or digit), not '"
                    + id + "'");
        }
        if (PREVIEW.equals(id)) {
            throw new ApiError(400, "id", "'" + PREVIEW + "' is reserved (" + IncidentApi.SILENCES + "/" + PREVIEW + " previews matchers)");
        }
        List<LabelMatcher> matchers = matchers(fields.get("matchers"));
        String startsAtText = fields.optionalText("startsAt");
        Instant startsAt = startsAtText == null ? at : millis(ApiRequests.timestamp(startsAtText, "startsAt"));
        boolean hasEnd = fields.has("endsAt");
        if (hasEnd == fields.has("duration")) {
            throw new ApiError(400, "endsAt", "give exactly one of endsAt (an RFC 3339 timestamp) or duration (e.g. \"2h\", or minutes);"
                    + " a silence made through the API must end");
        }
        String endField = hasEnd ? "endsAt" : "duration";
        Instant endsAt = hasEnd ? millis(ApiRequests.timestamp(fields.requiredText("endsAt"), "endsAt"))
                : startsAt.plus(duration(fields.get("duration")));
        if (!endsAt.isAfter(startsAt)) {
            throw new ApiError(400, endField, "must end after startsAt " + startsAt + ", not at " + endsAt);
        }
        if (!endsAt.isAfter(at)) {
            throw new ApiError(400, endField, "must end in the future, not at " + endsAt);
        }
        if (Duration.between(startsAt.isAfter(at) ? startsAt : at, endsAt).compareTo(MAX_DURATION) > 0) {
            throw new ApiError(400, endField, "must end within " + MAX_DURATION.toDays() + " days");
        }
        return SilenceConfig.newBuilder()
                .setId(id != null ? id : "silence-" + UUID.randomUUID())
                .setMatchers(matchers)
                .setStartsAt(startsAt)
                .setEndsAt(endsAt)
                .setWeekly(null)
                .setAuthor(user.user())
                .setComment(fields.requiredText("comment").strip())
                .build();
    }

    private static List<LabelMatcher> matchers(JsonNode list) {
        if (list == null || list.isNull()) {
            throw new ApiError(400, "matchers", "is required: a list such as [\"service=\\\"checkout\\\"\"]");
        }
        if (!list.isArray() || list.isEmpty()) {
            throw new ApiError(400, "matchers", "must be a list of at least one matcher (a silence without matchers would silence"
                    + " every alert)");
        }
        if (list.size() > MAX_MATCHERS) {
            throw new ApiError(400, "matchers", "must be at most " + MAX_MATCHERS + " matchers, not " + list.size());
        }
        List<LabelMatcher> matchers = new ArrayList<>();
        boolean allMatchEmpty = true;
        for (int i = 0; i < list.size(); i++) {
            String field = "matchers[" + i + "]";
            LabelMatcher matcher = matcher(list.get(i), field);
            try {
                allMatchEmpty &= AlertMatcher.matchesEmpty(matcher);
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, field, e.getMessage());
            }
            matchers.add(matcher);
        }
        if (allMatchEmpty) {
            throw new ApiError(400, "matchers", "at least one matcher must not match the empty string (these would silence every"
                    + " alert)");
        }
        return matchers;
    }

    /**
     * The matchers a preview asks about: one {@code matchers} query parameter per matcher, in
     * Alertmanager notation, read and refused exactly as a new silence's.
     */
    public static List<LabelMatcher> previewMatchers(Map<String, List<String>> parameters) {
        for (String name : parameters.keySet()) {
            if (!name.equals("matchers")) {
                throw new ApiError(400, name, "unknown parameter (known: [matchers])");
            }
        }
        List<String> values = parameters.getOrDefault("matchers", List.of());
        if (values.isEmpty()) {
            throw new ApiError(400, "matchers", "is required: one matchers parameter per matcher, such as ?matchers=service%3D%22checkout%22");
        }
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        values.forEach(list::add);
        return matchers(list);
    }

    /** A string such as {@code env=~"dev|test"} (the config files' parser) or an object {label, op, value}. */
    private static LabelMatcher matcher(JsonNode node, String field) {
        if (node.isTextual()) {
            try {
                return LabelMatchers.parse(node.textValue());
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, field, e.getMessage());
            }
        }
        if (!node.isObject()) {
            throw new ApiError(400, field, "must be a string such as service=\"checkout\" or an object {label, op, value}");
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!MATCHER_FIELDS.contains(name)) {
                throw new ApiError(400, field + "." + name, "unknown field (known: " + new TreeSet<>(MATCHER_FIELDS) + ")");
            }
        });
        String label = text(node, "label", field);
        if (label == null || label.isBlank()) {
            throw new ApiError(400, field + ".label", "is required and must not be blank");
        }
        String value = text(node, "value", field);
        if (value == null) {
            throw new ApiError(400, field + ".value", "is required (\"\" matches an absent label)");
        }
        String opText = text(node, "op", field);
        MatchOp op = MatchOp.EQUAL;
        if (opText != null) {
            try {
                op = MatchOp.valueOf(opText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, field + ".op", "must be one of EQUAL, NOT_EQUAL, REGEX, NOT_REGEX, not '" + opText + "'");
            }
        }
        return new LabelMatcher(label, op, value);
    }

    private static String text(JsonNode node, String name, String field) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new ApiError(400, field + "." + name, "must be a string");
        }
        return value.textValue();
    }

    /** {@code "2h"}, {@code "1h30m"}, {@code "1d"} (units w, d, h, m, s), or a whole number of minutes. */
    static Duration duration(JsonNode node) {
        String hint = "must be a duration such as \"2h\", \"1h30m\" or \"1d\" (units w, d, h, m, s), or a whole number of minutes";
        if (node.isIntegralNumber()) {
            if (!node.canConvertToLong() || node.longValue() < 1 || node.longValue() > MAX_DURATION.toMinutes()) {
                throw new ApiError(400, "duration", "must be from 1 to " + MAX_DURATION.toMinutes() + " minutes");
            }
            return Duration.ofMinutes(node.longValue());
        }
        Matcher parts = node.isTextual() ? DURATION.matcher(node.textValue().strip()) : null;
        if (parts == null || node.textValue().isBlank() || !parts.matches()) {
            throw new ApiError(400, "duration", hint + ", not " + node);
        }
        try {
            Duration duration = Duration.ZERO;
            ChronoUnit[] units = {ChronoUnit.WEEKS, ChronoUnit.DAYS, ChronoUnit.HOURS, ChronoUnit.MINUTES, ChronoUnit.SECONDS};
            for (int i = 0; i < units.length; i++) {
                if (parts.group(i + 1) != null) {
                    duration = duration.plus(units[i].getDuration().multipliedBy(Long.parseLong(parts.group(i + 1))));
                }
            }
            if (duration.isZero() || duration.compareTo(MAX_DURATION) > 0) {
                throw new ApiError(400, "duration", "must be more than 0 and at most " + MAX_DURATION.toDays() + " days, not "
                        + node.textValue());
            }
            return duration;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new ApiError(400, "duration", "is too long: " + node.textValue());
        }
    }

    private static Instant millis(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS);
    }

    /** The list's query: {@code state}, comma-separated {@code active}, {@code pending}, {@code expired}; default active and pending. */
    public static Set<State> states(Map<String, List<String>> parameters) {
        for (String name : parameters.keySet()) {
            if (!name.equals("state")) {
                throw new ApiError(400, name, "unknown parameter (known: [state])");
            }
        }
        List<String> values = ApiRequests.values(parameters, "state");
        if (values.isEmpty()) {
            return DEFAULT_STATES;
        }
        Set<State> states = EnumSet.noneOf(State.class);
        for (String value : values) {
            try {
                states.add(State.valueOf(value.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, "state", "must be active, pending or expired, not '" + value + "'");
            }
        }
        return states;
    }

    /**
     * What expiring the silence writes: the same silence ending now, so its history stays (as
     * Alertmanager keeps expired silences); null when it has already ended, which is then a no-op.
     * A pending silence never took effect: its window becomes the last millisecond before now.
     */
    public static SilenceConfig expire(SilenceConfig silence, Instant now) {
        Instant at = now.truncatedTo(ChronoUnit.MILLIS);
        State state = State.of(silence, at);
        if (state == State.EXPIRED) {
            return null;
        }
        SilenceConfig expired = SilenceConfig.newBuilder(silence).setEndsAt(at).build();
        if (state == State.PENDING) {
            expired.setStartsAt(at.minusMillis(1));
        }
        return expired;
    }
}
