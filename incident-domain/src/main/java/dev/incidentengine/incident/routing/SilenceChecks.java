package dev.incidentengine.incident.routing;

import java.util.List;

import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.WeeklyWindow;
import dev.incidentengine.schemas.ConfigFields;

import static dev.incidentengine.schemas.ConfigProblem.require;

/** A silence's rules beyond its schema, so the config loader refuses what {@link Silences} would skip. */
public final class SilenceChecks {

    private SilenceChecks() {
    }

    /** @throws dev.incidentengine.schemas.ConfigProblem naming the first field that breaks them */
    public static void check(SilenceConfig silence) {
        require(!silence.getMatchers().isEmpty(), "matchers",
                "must hold at least one matcher (a silence without matchers would silence every alert)");
        LabelMatchers.check(silence.getMatchers(), "matchers");
        require(silence.getStartsAt() == null || silence.getEndsAt() == null || silence.getEndsAt().isAfter(silence.getStartsAt()),
                "endsAt", "must be after startsAt " + silence.getStartsAt() + ", not " + silence.getEndsAt());
        if (silence.getWeekly() != null) {
            weekly(silence.getWeekly(), "weekly");
        }
    }

    private static void weekly(WeeklyWindow weekly, String field) {
        List<String> days = weekly.getDays();
        for (int i = 0; i < days.size(); i++) {
            String day = days.get(i);
            require(ConfigFields.dayOfWeek(day) != null, field + ".days[" + i + "]", "must be one of MONDAY..SUNDAY, not '" + day + "'");
        }
        localTime(weekly.getFrom(), field + ".from");
        localTime(weekly.getTo(), field + ".to");
        ConfigFields.zone(weekly.getTimeZone(), field + ".timeZone");
    }

    private static void localTime(String time, String field) {
        require(ConfigFields.isLocalTime(time), field, "must be a local time HH:mm, not '" + time + "'");
    }
}
