package dev.incidentengine.incident.api;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.incidentengine.incident.query.ReportRollup;
import dev.incidentengine.model.Severity;
import dev.incidentengine.service.api.ApiError;

/** Reads {@code GET /api/v1/reports}' parameters, strictly, each error naming its parameter. */
final class ReportRequests {

    /** The longest period a report covers, in days: a year and a month, so "the last 365 days" always fits. */
    static final int MAX_DAYS = 400;
    /** Without {@code from}: the 30 days up to {@code to}. */
    static final int DEFAULT_DAYS = 30;
    private static final Set<String> PARAMETERS = Set.of("from", "to", "service", "severity", "bucket", "type", "tier");

    private ReportRequests() {
    }

    /**
     * {@code from} and {@code to} (UTC days, both included; {@code to} defaults to {@code today}), {@code service},
     * {@code severity}, {@code bucket}, {@code type} and {@code tier} (ids; neither is checked against config, as a type or
     * tier removed since still has its incidents).
     */
    static ReportRollup.Query query(Map<String, List<String>> parameters, LocalDate today) {
        for (String name : parameters.keySet()) {
            if (!PARAMETERS.contains(name)) {
                throw new ApiError(400, name, "unknown parameter (known: " + new TreeSet<>(PARAMETERS) + ")");
            }
        }
        String toText = ApiRequests.single(parameters, "to");
        LocalDate to = toText == null ? today : day(toText, "to");
        String fromText = ApiRequests.single(parameters, "from");
        LocalDate from = fromText == null ? to.minusDays(DEFAULT_DAYS - 1) : day(fromText, "from");
        if (from.isAfter(to)) {
            throw new ApiError(400, "from", "must not be after to (" + to + "), not " + from);
        }
        long days = ChronoUnit.DAYS.between(from, to) + 1;
        if (days > MAX_DAYS) {
            throw new ApiError(400, "from", "a report covers at most " + MAX_DAYS + " days; " + from + " to " + to + " is " + days);
        }
        String bucket = ApiRequests.single(parameters, "bucket");
        ReportRollup.Period period;
        try {
            period = bucket == null ? ReportRollup.Period.DAY : ReportRollup.Period.valueOf(bucket.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "bucket", "must be day or week, not '" + bucket + "'");
        }
        String service = nonBlank(parameters, "service");
        String severity = ApiRequests.single(parameters, "severity");
        Severity chosen = severity == null ? null : ApiRequests.severity(severity, "severity");
        return new ReportRollup.Query(from, to, period, service, chosen, nonBlank(parameters, "type"), nonBlank(parameters, "tier"));
    }

    /** The type and tier of {@code query} as parameters, for the other instances asked for their parts. */
    static void appendTypeAndTier(ReportRollup.Query query, StringBuilder asked) {
        if (query.type() != null) {
            asked.append("&type=").append(URLEncoder.encode(query.type(), StandardCharsets.UTF_8));
        }
        if (query.tier() != null) {
            asked.append("&tier=").append(URLEncoder.encode(query.tier(), StandardCharsets.UTF_8));
        }
    }

    private static String nonBlank(Map<String, List<String>> parameters, String name) {
        String value = ApiRequests.single(parameters, name);
        if (value != null && value.isBlank()) {
            throw new ApiError(400, name, "has an empty value");
        }
        return value;
    }

    private static LocalDate day(String text, String field) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeException e) {
            throw new ApiError(400, field, "must be a day such as 2026-11-22, not '" + text + "'");
        }
    }
}
