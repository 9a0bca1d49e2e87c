package dev.incidentengine.escalation.schedule;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;

import dev.incidentengine.model.config.LayerRestriction;
import dev.incidentengine.model.config.RotationUnit;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ScheduleLayer;
import dev.incidentengine.model.config.ScheduleOverride;

/** Short builders for schedule configs in tests. */
final class Configs {

    private Configs() {
    }

    static ScheduleConfig schedule(String zone, List<ScheduleLayer> layers, ScheduleOverride... overrides) {
        return new ScheduleConfig("test", "Test", zone, layers, List.of(overrides));
    }

    static ScheduleLayer layer(String name, int length, RotationUnit unit, String start, List<String> participants,
            LayerRestriction... restrictions) {
        return new ScheduleLayer(name, participants, length, unit, start, List.of(restrictions));
    }

    /** A restriction window starting on the given days (none: every day). */
    static LayerRestriction window(String from, String to, String... days) {
        return new LayerRestriction(List.of(days), from, to);
    }

    static ScheduleOverride override(String user, String start, String end) {
        return new ScheduleOverride(user, Instant.parse(start), Instant.parse(end));
    }

    /** The instant of a local date-time in a zone, resolved as ZonedDateTime.of does. */
    static Instant local(String localDateTime, String zone) {
        return ZonedDateTime.of(LocalDateTime.parse(localDateTime), ZoneId.of(zone)).toInstant();
    }

    static Instant utc(String instant) {
        return Instant.parse(instant);
    }
}
