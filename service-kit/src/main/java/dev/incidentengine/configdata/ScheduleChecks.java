package dev.incidentengine.configdata;

import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import dev.incidentengine.model.config.LayerRestriction;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ScheduleLayer;
import dev.incidentengine.model.config.ScheduleOverride;
import dev.incidentengine.schemas.ConfigFields;

/**
 * What is wrong with a schedule config, field by field: one set of rules for the config loader,
 * which refuses such a file, and for escalation-stream's schedule library, which skips such a
 * record if it reached the topic by another way. Plus the parsing both share (days, times and zones: {@link ConfigFields}).
 */
public final class ScheduleChecks {

    private ScheduleChecks() {
    }

    public static List<String> problems(ScheduleConfig config) {
        List<String> problems = new ArrayList<>();
        if (ConfigFields.zone(config.getTimeZone()) == null) {
            problems.add("timeZone: must be an IANA time zone such as Europe/Berlin, not '" + config.getTimeZone() + "'");
        }
        List<ScheduleLayer> layers = orEmpty(config.getLayers());
        for (int i = 0; i < layers.size(); i++) {
            layer(layers.get(i), "layers[" + i + "]", problems);
        }
        List<ScheduleOverride> overrides = orEmpty(config.getOverrides());
        for (int i = 0; i < overrides.size(); i++) {
            ScheduleOverride override = overrides.get(i);
            String path = "overrides[" + i + "]";
            notBlank(override.getUserId(), path + ".userId", problems);
            if (override.getStart() == null) {
                problems.add(path + ".start: must be set");
            } else if (override.getEnd() == null || !override.getEnd().isAfter(override.getStart())) {
                problems.add(path + ".end: must be after start " + override.getStart() + ", not " + override.getEnd());
            }
        }
        return List.copyOf(problems);
    }

    private static void layer(ScheduleLayer layer, String path, List<String> problems) {
        notBlank(layer.getName(), path + ".name", problems);
        List<String> participants = orEmpty(layer.getParticipants());
        if (participants.isEmpty()) {
            problems.add(path + ".participants: must name at least one user");
        }
        for (int i = 0; i < participants.size(); i++) {
            notBlank(participants.get(i), path + ".participants[" + i + "]", problems);
        }
        if (layer.getRotationLength() < 1) {
            problems.add(path + ".rotationLength: must be at least 1, not " + layer.getRotationLength());
        }
        if (layer.getRotationUnit() == null) {
            problems.add(path + ".rotationUnit: must be HOURS, DAYS or WEEKS");
        }
        if (localDateTime(layer.getStart()) == null) {
            problems.add(path + ".start: must be a local date-time such as 2026-11-02T09:00:00, not '" + layer.getStart() + "'");
        }
        List<LayerRestriction> restrictions = orEmpty(layer.getRestrictions());
        for (int i = 0; i < restrictions.size(); i++) {
            LayerRestriction restriction = restrictions.get(i);
            String where = path + ".restrictions[" + i + "]";
            List<String> days = orEmpty(restriction.getDays());
            for (int j = 0; j < days.size(); j++) {
                if (ConfigFields.dayOfWeek(days.get(j)) == null) {
                    problems.add(where + ".days[" + j + "]: must be one of MONDAY..SUNDAY, not '" + days.get(j) + "'");
                }
            }
            boolean from = localTime(restriction.getFrom(), where + ".from", problems);
            boolean to = localTime(restriction.getTo(), where + ".to", problems);
            // Equal times could mean no time or a whole day; the loader asks for two windows instead.
            if (from && to && restriction.getFrom().equals(restriction.getTo())) {
                problems.add(where + ".to: must differ from from '" + restriction.getFrom()
                        + "' (for whole days give two windows, 00:00 to 12:00 and 12:00 to 00:00)");
            }
        }
    }

    private static boolean localTime(String text, String path, List<String> problems) {
        boolean valid = ConfigFields.isLocalTime(text);
        if (!valid) {
            problems.add(path + ": must be a local time HH:mm, not '" + text + "'");
        }
        return valid;
    }

    private static void notBlank(String text, String path, List<String> problems) {
        if (text == null || text.isBlank()) {
            problems.add(path + ": must not be blank");
        }
    }

    /** Null, as in a record built without its defaults, reads as empty. */
    public static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    /** The local date-time, or null if the text is not one. */
    public static LocalDateTime localDateTime(String text) {
        try {
            return text == null ? null : LocalDateTime.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
