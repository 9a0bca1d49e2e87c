package dev.incidentengine.escalation;

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
import java.util.Optional;
import java.util.function.Supplier;

import dev.incidentengine.escalation.schedule.Schedule;
import dev.incidentengine.escalation.schedule.Shift;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.service.HttpServer;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.Role;
import dev.incidentengine.service.api.ApiTokens;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * Who is on call, from the schedules escalation-stream pages by (viewer role):
 * <ul>
 * <li>{@code GET /api/v1/oncall[?schedule=ID][&at=RFC3339]}: the on-call user of one schedule, or
 *     of every schedule, at an instant (default now), with the shift that holds it;</li>
 * <li>{@code GET /api/v1/schedules/{id}/shifts[?from=&to=]}: the shifts in a range (default the
 *     next 7 days, at most 366), gaps included;</li>
 * <li>{@code GET /api/v1/users/{id}/shifts.ics}: the user's shifts of every schedule from a week ago
 *     to 90 days ahead as an iCalendar feed. Calendar apps cannot send headers, so this one also
 *     takes {@code ?token=}: a feed token of that user (role {@code feed}), which reads this feed
 *     and nothing else; an API token in the URL is refused.</li>
 * </ul>
 */
final class OnCallApi {

    private static final String ONCALL = "/api/v1/oncall";
    private static final String SCHEDULES = "/api/v1/schedules/";
    private static final String USERS = "/api/v1/users/";
    private static final Duration DEFAULT_RANGE = Duration.ofDays(7);
    private static final DateTimeFormatter ICAL_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final ApiTokens tokens;
    /** The schedules by id; throws {@link ApiError} 503 while they cannot be read. */
    private final Supplier<Map<String, ScheduleConfig>> schedules;
    private final Clock clock;

    OnCallApi(ApiTokens tokens, Supplier<Map<String, ScheduleConfig>> schedules, Clock clock) {
        this.tokens = tokens;
        this.schedules = schedules;
        this.clock = clock;
    }

    void register(HttpServer http) {
        http.route("GET", ONCALL, (request, response, callback) -> answer(request, response, callback, () -> onCall(request)));
        http.route("GET", SCHEDULES + "*", (request, response, callback) -> answer(request, response, callback, () -> {
            String rest = Request.getPathInContext(request).substring(SCHEDULES.length());
            if (!rest.endsWith("/shifts") || rest.indexOf('/') != rest.length() - "/shifts".length()) {
                throw new ApiError(404, null, "not found: use /api/v1/schedules/{id}/shifts");
            }
            return shifts(rest.substring(0, rest.indexOf('/')), request);
        }));
        http.route("GET", USERS + "*", (request, response, callback) -> {
            try {
                String rest = Request.getPathInContext(request).substring(USERS.length());
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

    private boolean answer(Request request, Response response, Callback callback, Answer answer) {
        try {
            tokens.authorize(request, response, Role.VIEWER);
            HttpServer.writeJson(response, callback, 200, answer.body());
        } catch (ApiError error) {
            error.write(response, callback);
        }
        return true;
    }

    private Object onCall(Request request) {
        Instant at = instant(request, "at", clock.instant());
        String id = first(request, "schedule");
        Map<String, ScheduleConfig> all = schedules.get();
        List<Map<String, Object>> answers = new ArrayList<>();
        if (id != null) {
            schedule(all, id);
            answers.add(onCall(all.get(id), at));
        } else {
            all.keySet().stream().sorted().forEach(each -> answers.add(onCall(all.get(each), at)));
        }
        return id != null ? answers.get(0) : Map.of("at", at.toString(), "oncall", answers);
    }

    private static Map<String, Object> onCall(ScheduleConfig config, Instant at) {
        Schedule schedule = Schedule.of(config);
        // The shift holding the instant, as far as it reaches within a month either side.
        Shift whole = schedule.shifts(at.minus(Duration.ofDays(31)), at.plus(Duration.ofDays(31))).stream()
                .filter(shift -> !shift.start().isAfter(at) && shift.end().isAfter(at)).findFirst().orElseThrow();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("schedule", schedule.id());
        body.put("name", config.getName());
        body.put("timeZone", schedule.zone().getId());
        body.put("at", at.toString());
        body.put("userId", whole.userId());
        body.put("shift", json(whole));
        return body;
    }

    private Object shifts(String id, Request request) {
        Map<String, ScheduleConfig> all = schedules.get();
        Schedule schedule = schedule(all, id);
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
        body.put("name", all.get(id).getName());
        body.put("timeZone", schedule.zone().getId());
        body.put("from", from.toString());
        body.put("to", to.toString());
        body.put("shifts", schedule.shifts(from, to).stream().map(OnCallApi::json).toList());
        return body;
    }

    /** RFC 5545: one event per shift the user holds, lines of CRLF, stable UIDs so calendars update in place. */
    private String calendar(String userId) {
        Instant now = clock.instant();
        Instant from = now.minus(Duration.ofDays(7));
        Instant to = now.plus(Duration.ofDays(90));
        StringBuilder ics = new StringBuilder()
                .append("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//incident-engine//on-call//EN\r\nCALSCALE:GREGORIAN\r\n")
                .append("X-WR-CALNAME:").append(text("On call: " + userId)).append("\r\n");
        Map<String, ScheduleConfig> all = schedules.get();
        List<String[]> events = new ArrayList<>();
        for (ScheduleConfig config : all.values()) {
            for (Shift shift : Schedule.of(config).shifts(from, to)) {
                if (userId.equals(shift.userId())) {
                    events.add(new String[] {config.getId(), config.getName(), ICAL_TIME.format(shift.start()), ICAL_TIME.format(shift.end()),
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

    private static Schedule schedule(Map<String, ScheduleConfig> all, String id) {
        ScheduleConfig config = all.get(id);
        if (config == null) {
            throw new ApiError(404, null, "unknown schedule " + id);
        }
        return Schedule.of(config);
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
