package dev.incidentengine.escalation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import dev.incidentengine.escalation.domain.ConfigSnapshot;
import dev.incidentengine.escalation.domain.Escalation;
import dev.incidentengine.escalation.schedule.Schedule;
import dev.incidentengine.escalation.schedule.Shift;
import dev.incidentengine.model.EscalateIncident;
import dev.incidentengine.model.EscalationTarget;
import dev.incidentengine.model.OnCallOverride;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.EscalationLevel;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.LevelTarget;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import dev.incidentengine.service.api.ApiTokens;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * Who is on call, from the schedules escalation-stream pages by, and the overrides people make (viewer role to read,
 * responder to change):
 * <ul>
 * <li>{@code GET /api/v1/oncall[?schedule=ID][&at=RFC3339]}: the on-call user of one schedule, or of every schedule, at an
 *     instant (default now), with the shift that holds it and the next one; for every schedule, also whom each escalation
 *     policy's first level pages then, and next;</li>
 * <li>{@code GET /api/v1/schedules/{id}/shifts[?from=&to=]}: the shifts in a range (default the next 7 days, at most 366),
 *     gaps included;</li>
 * <li>{@code GET|POST /api/v1/schedules/{id}/overrides}, {@code DELETE /api/v1/schedules/{id}/overrides/{overrideId}}: the
 *     overrides made through the API that have not ended; a new one (answered once Kafka acknowledged it); removing one
 *     ({@link OverrideRequests} has the rules and limits);</li>
 * <li>{@code GET /api/v1/users}: who can be put on call (id, name, time zone; no contact addresses);</li>
 * <li>{@code GET /api/v1/users/{id}/shifts.ics}: the user's shifts of every schedule from a week ago to 90 days ahead as an
 *     iCalendar feed. Calendar apps cannot send headers, so this one also takes {@code ?token=}: a feed token of that user
 *     (role {@code feed}), which reads this feed and nothing else; an API token in the URL is refused.</li>
 * </ul>
 */
final class OnCallApi {

    private static final String ONCALL = "/api/v1/oncall";
    private static final String SCHEDULES = "/api/v1/schedules/";
    private static final String USERS = "/api/v1/users";
    private static final Duration DEFAULT_RANGE = Duration.ofDays(7);
    /** How far either side of an instant its shift, the next one and a policy's next change are looked for. */
    private static final Duration HORIZON = Duration.ofDays(31);
    private static final DateTimeFormatter ICAL_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** What the API reads and writes: the running app's stores and a producer. */
    interface Source {
        /** The configuration and the overrides as this instance holds them; throws {@link ApiError} 503 while they cannot be read. */
        ConfigSnapshot snapshot();

        /** Writes an override, or its tombstone ({@code value} null); completes once Kafka acknowledged it. */
        CompletableFuture<?> write(String id, OnCallOverride value);

        /** Completes with true once this instance reads the override as written (null: gone), with false after {@code timeout}. */
        CompletableFuture<Boolean> awaitRead(String id, OnCallOverride value, Duration timeout);
    }

    private final ApiTokens tokens;
    private final Source source;
    private final Duration waitTimeout;
    private final Clock clock;

    OnCallApi(ApiTokens tokens, Source source, Duration waitTimeout, Clock clock) {
        this.tokens = tokens;
        this.source = source;
        this.waitTimeout = waitTimeout;
        this.clock = clock;
    }

    void register(HttpServer http) {
        http.route("GET", ONCALL, (request, response, callback) -> answer(request, response, callback, () -> onCall(request)));
        http.route("GET", USERS, (request, response, callback) -> answer(request, response, callback, this::users));
        http.route("GET", SCHEDULES + "*", (request, response, callback) -> answer(request, response, callback, () -> {
            String[] path = path(request);
            if (path.length == 2 && path[1].equals("shifts")) {
                return shifts(path[0], request);
            }
            if (path.length == 2 && path[1].equals("overrides")) {
                return overrides(path[0]);
            }
            throw new ApiError(404, null, "not found: use /api/v1/schedules/{id}/shifts or /api/v1/schedules/{id}/overrides");
        }));
        http.route("POST", SCHEDULES + "*", (request, response, callback) -> change(request, response, callback, user -> {
            String[] path = path(request);
            if (path.length != 2 || !path[1].equals("overrides")) {
                throw new ApiError(404, null, "not found: POST /api/v1/schedules/{id}/overrides");
            }
            createOverride(path[0], user, request, response, callback);
        }));
        http.route("DELETE", SCHEDULES + "*", (request, response, callback) -> change(request, response, callback, user -> {
            String[] path = path(request);
            if (path.length != 3 || !path[1].equals("overrides")) {
                throw new ApiError(404, null, "not found: DELETE /api/v1/schedules/{id}/overrides/{overrideId}");
            }
            removeOverride(path[0], path[2], user, request, response, callback);
        }));
        http.route("GET", USERS + "/*", (request, response, callback) -> {
            try {
                String rest = Request.getPathInContext(request).substring(USERS.length() + 1);
                if (!rest.endsWith("/shifts.ics") || rest.indexOf('/') != rest.length() - "/shifts.ics".length()) {
                    throw new ApiError(404, null, "not found: use /api/v1/users/{id}/shifts.ics");
                }
                String userId = rest.substring(0, rest.indexOf('/'));
                String token = first(request, "token");
                if (token != null) {
                    tokens.authorizeFeed(token, userId);
                } else {
                    tokens.authorize(request, response, Role.VIEWER);
                }
                byte[] calendar = calendar(userId).getBytes(StandardCharsets.UTF_8);
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/calendar; charset=utf-8");
                response.write(true, ByteBuffer.wrap(calendar), callback);
            } catch (ApiError error) {
                error.write(response, callback);
            }
            return true;
        });
    }

    private interface Answer {
        Object body();
    }

    private interface Change {
        void run(ApiUser user);
    }

    private boolean answer(Request request, Response response, Callback callback, Answer answer) {
        try {
            tokens.authorize(request, response, Role.VIEWER);
            HttpServer.writeJson(response, callback, 200, answer.body());
        } catch (ApiError error) {
            error.write(response, callback);
        }
        return true;
    }

    /** A change (responder role): answers through the callback itself once Kafka acknowledged it, or with the error. */
    private boolean change(Request request, Response response, Callback callback, Change change) {
        try {
            change.run(tokens.authorize(request, response, Role.RESPONDER));
        } catch (ApiError error) {
            HttpServer.drain(request);
            error.write(response, callback);
        }
        return true;
    }

    private Object onCall(Request request) {
        Instant at = instant(request, "at", clock.instant());
        String id = first(request, "schedule");
        ConfigSnapshot config = source.snapshot();
        if (id != null) {
            return onCall(schedule(config, id), at);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("at", at.toString());
        body.put("oncall", config.schedules().keySet().stream().sorted().map(each -> onCall(config.schedules().get(each), at)).toList());
        // A first page takes no round-robin turns: it names every user of such a level.
        Escalation escalation = new Escalation(config, (policy, level) -> {
            throw new IllegalStateException("a first page takes no turns");
        });
        body.put("policies", config.policies().keySet().stream().sorted().map(each -> policy(config, escalation, config.policies().get(each), at))
                .toList());
        return body;
    }

    private static Map<String, Object> onCall(Schedule schedule, Instant at) {
        // The shift holding the instant and the one after it, as far as they reach within the horizon either side.
        List<Shift> shifts = schedule.shifts(at.minus(HORIZON), at.plus(HORIZON));
        int now = 0;
        while (!shifts.get(now).end().isAfter(at)) {
            now++;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("schedule", schedule.id());
        body.put("name", schedule.name());
        body.put("timeZone", schedule.zone().getId());
        body.put("at", at.toString());
        body.put("userId", shifts.get(now).userId());
        body.put("shift", json(shifts.get(now)));
        body.put("next", now + 1 < shifts.size() ? json(shifts.get(now + 1)) : null);
        body.put("participants", schedule.participants());
        return body;
    }

    /**
     * Whom the policy's first level pages at {@code at} (the first level that resolves to anybody, as an incident opened
     * then would be paged), and the next time that changes within the horizon: the only instants it can change are the
     * shift changes of the schedules it names.
     */
    private static Map<String, Object> policy(ConfigSnapshot config, Escalation escalation, EscalationPolicyConfig policy, Instant at) {
        Optional<EscalateIncident> now = escalation.firstPage(policy.getId(), at);
        TreeSet<Instant> changes = new TreeSet<>();
        for (EscalationLevel level : policy.getLevels()) {
            for (LevelTarget target : level.getTargets()) {
                Schedule schedule = target.getType() == TargetType.SCHEDULE ? config.schedules().get(target.getId()) : null;
                if (schedule != null) {
                    schedule.shifts(at, at.plus(HORIZON)).forEach(shift -> changes.add(shift.end()));
                }
            }
        }
        changes.remove(at.plus(HORIZON));
        Map<String, Object> next = null;
        for (Instant change : changes) {
            Optional<EscalateIncident> then = escalation.firstPage(policy.getId(), change);
            if (!users(then).equals(users(now))) {
                next = page(policy, then);
                next.put("at", change.toString());
                break;
            }
        }
        Map<String, Object> body = page(policy, now);
        body.put("policy", policy.getId());
        body.put("name", policy.getName());
        body.put("next", next);
        return body;
    }

    private static List<String> users(Optional<EscalateIncident> page) {
        return page.map(p -> p.getTargets().stream().flatMap(target -> target.getUserIds().stream()).toList()).orElse(List.of());
    }

    /** A first page: its level (0-based), whether that level takes turns, and each target with its users; nobody: no level. */
    private static Map<String, Object> page(EscalationPolicyConfig policy, Optional<EscalateIncident> page) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("level", page.map(EscalateIncident::getLevel).orElse(null));
        body.put("roundRobin", page.map(p -> policy.getLevels().get(p.getLevel()).getRoundRobin()).orElse(false));
        List<Map<String, Object>> targets = new ArrayList<>();
        for (EscalationTarget target : page.map(EscalateIncident::getTargets).orElse(List.of())) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("type", target.getType().name());
            json.put("id", target.getId());
            json.put("userIds", target.getUserIds());
            targets.add(json);
        }
        body.put("targets", targets);
        return body;
    }

    private Object shifts(String id, Request request) {
        Schedule schedule = schedule(source.snapshot(), id);
        Instant from = instant(request, "from", clock.instant());
        Instant to = instant(request, "to", from.plus(DEFAULT_RANGE));
        if (!to.isAfter(from)) {
            throw new ApiError(400, "to", "must be after from (" + from + ")");
        }
        if (Duration.between(from, to).compareTo(Schedule.MAX_RANGE) > 0) {
            throw new ApiError(400, "to", "the range may span at most " + Schedule.MAX_RANGE.toDays() + " days");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("schedule", id);
        body.put("name", schedule.name());
        body.put("timeZone", schedule.zone().getId());
        body.put("from", from.toString());
        body.put("to", to.toString());
        body.put("shifts", schedule.shifts(from, to).stream().map(OnCallApi::json).toList());
        return body;
    }

    /** The schedule's overrides made through the API that have not ended, the soonest first. */
    private Object overrides(String scheduleId) {
        ConfigSnapshot config = source.snapshot();
        schedule(config, scheduleId);
        Instant now = clock.instant();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("schedule", scheduleId);
        body.put("overrides", config.overrides().values().stream()
                .filter(override -> override.getScheduleId().equals(scheduleId) && override.getEnd().isAfter(now))
                .sorted(Comparator.comparing(OnCallOverride::getStart).thenComparing(OnCallOverride::getId))
                .map(override -> OverrideRequests.json(override, now)).toList());
        return body;
    }

    private Object users() {
        return Map.of("users", source.snapshot().users().values().stream().sorted(Comparator.comparing(UserConfig::getId)).map(user -> {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("id", user.getId());
            json.put("name", user.getName());
            json.put("timeZone", user.getTimeZone());
            return json;
        }).toList());
    }

    /**
     * A new override, made by the signed-in user: 201 once Kafka has it (200 for a retry of an id already stored), and
     * with {@code ?wait=true} once this instance reads it too. Overrides of the schedule that ended long ago are forgotten
     * (tombstones) on the way.
     */
    private void createOverride(String scheduleId, ApiUser user, Request request, Response response, Callback callback) {
        boolean wait = waitParameter(request);
        ConfigSnapshot config = source.snapshot();
        schedule(config, scheduleId);
        Instant now = clock.instant();
        OnCallOverride asked = OverrideRequests.create(body(request), request.getHeaders().get("Idempotency-Key"), scheduleId, config,
                user.user(), now);
        OnCallOverride stored = config.overrides().get(asked.getId());
        if (stored != null) {
            if (!OverrideRequests.sameRequest(stored, asked)) {
                throw new ApiError(409, "id", "override " + asked.getId() + " already exists with other values; use a new id");
            }
            HttpServer.writeJson(response, callback, 200, OverrideRequests.json(stored, clock.instant()));
            return;
        }
        List<OnCallOverride> ofSchedule = config.overrides().values().stream()
                .filter(override -> override.getScheduleId().equals(scheduleId)).toList();
        OverrideRequests.checkRoom(scheduleId, ofSchedule, now);
        // Best effort: a tombstone that fails is written with the schedule's next override.
        ofSchedule.stream().filter(override -> OverrideRequests.forgotten(override, now)).forEach(old -> source.write(old.getId(), null));
        write(asked.getId(), asked, 201, wait, response, callback);
    }

    /** Removes an override: a tombstone before it begins, the same override ending now while it runs; one that ended stays. */
    private void removeOverride(String scheduleId, String id, ApiUser user, Request request, Response response, Callback callback) {
        boolean wait = waitParameter(request);
        ConfigSnapshot config = source.snapshot();
        schedule(config, scheduleId);
        OnCallOverride stored = config.overrides().get(id);
        if (stored == null || !stored.getScheduleId().equals(scheduleId)) {
            throw new ApiError(404, null, "schedule " + scheduleId + " has no override " + id);
        }
        OverrideRequests.Removal removal = OverrideRequests.remove(stored, user.user(), clock.instant());
        if (!removal.write()) {
            HttpServer.writeJson(response, callback, 200, OverrideRequests.json(stored, clock.instant()));
            return;
        }
        write(id, removal.value(), 200, wait, response, callback);
    }

    private void write(String id, OnCallOverride value, int status, boolean wait, Response response, Callback callback) {
        source.write(id, value).whenComplete((metadata, failure) -> {
            if (failure != null) {
                new ApiError(503, null, "the override could not be stored in Kafka; retry later with the same id " + id + " ("
                        + failure.getMessage() + ")").write(response, callback);
                return;
            }
            if (!wait) {
                answer(response, callback, status, id, value, null);
                return;
            }
            source.awaitRead(id, value, waitTimeout).whenComplete((read, error) -> answer(response, callback, status, id, value,
                    Boolean.TRUE.equals(read) ? null : "stored in Kafka, but this instance did not read it within " + waitTimeout.toMillis() + " ms"));
        });
    }

    /** The override as written, or for a tombstone {@code {"id", "state": "removed"}}; a {@code note} when it was not read in time. */
    private void answer(Response response, Callback callback, int status, String id, OnCallOverride value, String note) {
        Map<String, Object> body = value != null ? OverrideRequests.json(value, clock.instant())
                : new LinkedHashMap<>(Map.of("id", id, "state", "removed"));
        if (note != null) {
            body.put("note", note);
        }
        if (status == 201) {
            response.getHeaders().put(HttpHeader.LOCATION, SCHEDULES + value.getScheduleId() + "/overrides/" + id);
        }
        HttpServer.writeJson(response, callback, status, body);
    }

    /** RFC 5545: one event per shift the user holds, lines of CRLF, stable UIDs so calendars update in place. */
    private String calendar(String userId) {
        Instant now = clock.instant();
        Instant from = now.minus(Duration.ofDays(7));
        Instant to = now.plus(Duration.ofDays(90));
        StringBuilder ics = new StringBuilder()
                .append("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//incident-engine//on-call//EN\r\nCALSCALE:GREGORIAN\r\n")
                .append("X-WR-CALNAME:").append(text("On call: " + userId)).append("\r\n");
        List<String[]> events = new ArrayList<>();
        for (Schedule schedule : source.snapshot().schedules().values()) {
            for (Shift shift : schedule.shifts(from, to)) {
                if (userId.equals(shift.userId())) {
                    events.add(new String[] {schedule.id(), schedule.name(), ICAL_TIME.format(shift.start()), ICAL_TIME.format(shift.end()),
                            shift.layer()});
                }
            }
        }
        events.sort(Comparator.comparing((String[] e) -> e[2]).thenComparing(e -> e[0]));
        for (String[] event : events) {
            ics.append("BEGIN:VEVENT\r\n")
                    .append("UID:").append(text(event[0] + "-" + event[2] + "-" + userId)).append("@incident-engine\r\n")
                    .append("DTSTAMP:").append(ICAL_TIME.format(now)).append("\r\n")
                    .append("DTSTART:").append(event[2]).append("\r\n")
                    .append("DTEND:").append(event[3]).append("\r\n")
                    .append("SUMMARY:").append(text("On call: " + event[1] + " (" + event[4] + ")")).append("\r\n")
                    .append("END:VEVENT\r\n");
        }
        return ics.append("END:VCALENDAR\r\n").toString();
    }

    /** RFC 5545 TEXT: backslash, semicolon, comma and newlines escaped. */
    private static String text(String value) {
        return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n");
    }

    private static Schedule schedule(ConfigSnapshot config, String id) {
        Schedule schedule = config.schedules().get(id);
        if (schedule == null) {
            throw new ApiError(404, null, "unknown schedule " + id);
        }
        return schedule;
    }

    /** The path below {@value #SCHEDULES}, split: {@code [id, "shifts"]}, {@code [id, "overrides", overrideId]}; none empty. */
    private static String[] path(Request request) {
        String[] parts = Request.getPathInContext(request).substring(SCHEDULES.length()).split("/", -1);
        for (String part : parts) {
            if (part.isEmpty()) {
                return new String[0];
            }
        }
        return parts;
    }

    private static byte[] body(Request request) {
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] body = in.readNBytes(OverrideRequests.MAX_BODY_BYTES + 1);
            if (body.length > OverrideRequests.MAX_BODY_BYTES) {
                HttpServer.drain(request);
            }
            return body;
        } catch (IOException e) {
            throw new ApiError(400, "body", "cannot be read (" + e.getMessage() + ")");
        }
    }

    private static boolean waitParameter(Request request) {
        String value = first(request, "wait");
        if (value != null && !value.equals("true") && !value.equals("false")) {
            throw new ApiError(400, "wait", "must be true or false, not '" + value + "'");
        }
        return Objects.equals(value, "true");
    }

    private static Map<String, Object> json(Shift shift) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("start", shift.start().toString());
        body.put("end", shift.end().toString());
        body.put("userId", shift.userId());
        body.put("layer", shift.layer());
        return body;
    }

    private static Instant instant(Request request, String name, Instant otherwise) {
        String value = first(request, name);
        if (value == null) {
            return otherwise;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new ApiError(400, name, "must be an RFC 3339 instant such as 2026-11-22T10:00:00Z, not '" + value + "'");
        }
    }

    private static String first(Request request, String name) {
        Fields.Field field = Request.extractQueryParameters(request).get(name);
        return Optional.ofNullable(field).map(Fields.Field::getValue).filter(value -> !value.isBlank()).orElse(null);
    }
}
