package dev.incidentengine.escalation.schedule;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import dev.incidentengine.model.config.LayerRestriction;
import dev.incidentengine.model.config.RotationUnit;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ScheduleLayer;
import dev.incidentengine.model.config.ScheduleOverride;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Random schedules, checked against what must hold for any of them. */
class SchedulePropertyTest {

    // Zones with DST at 02:00, at midnight (Santiago), by half an hour (Lord Howe), south of the equator, and none.
    private static final List<String> ZONES = List.of("Europe/Berlin", "America/New_York", "America/Santiago",
            "Australia/Lord_Howe", "Asia/Kolkata", "UTC");
    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private final Random random = new Random(20261102);

    @Test
    void givenRandomSchedules_whenSampledAtRandomInstants_thenOnCallAtIsTheUserOfTheShiftHoldingThem() {
        for (int run = 0; run < 60; run++) {
            ScheduleConfig config = randomConfig();
            assertThat(Schedule.problems(config)).isEmpty();
            Schedule schedule = Schedule.of(config);
            Instant from = EPOCH.plus(Duration.ofMinutes(random.nextInt(365 * 24 * 60)));
            Instant to = from.plus(Duration.ofMinutes(1 + random.nextInt(45 * 24 * 60)));

            List<Shift> shifts = schedule.shifts(from, to);

            String context = config.toString();
            assertThat(shifts.get(0).start()).as(context).isEqualTo(from);
            assertThat(shifts.get(shifts.size() - 1).end()).as(context).isEqualTo(to);
            for (int i = 1; i < shifts.size(); i++) {
                Shift before = shifts.get(i - 1);
                Shift after = shifts.get(i);
                assertThat(after.start()).as(context).isEqualTo(before.end());
                assertThat(before.userId() + "/" + before.layer()).as("neighbours are merged: " + context)
                        .isNotEqualTo(after.userId() + "/" + after.layer());
            }
            for (int sample = 0; sample < 300; sample++) {
                Instant t = from.plusMillis((long) (random.nextDouble() * Duration.between(from, to).toMillis()));
                Shift holding = shifts.stream().filter(shift -> !t.isBefore(shift.start()) && t.isBefore(shift.end()))
                        .findFirst().orElseThrow();
                assertThat(schedule.onCallAt(t)).as(t + " in " + context).isEqualTo(Optional.ofNullable(holding.userId()));
            }
            for (Shift shift : shifts) {
                assertThat(schedule.onCallAt(shift.start())).as("at a shift's start: " + context)
                        .isEqualTo(Optional.ofNullable(shift.userId()));
            }
            // A sub-range gives the same shifts, cut at its ends.
            Instant middle = from.plus(Duration.between(from, to).dividedBy(3));
            assertThat(schedule.shifts(middle, to)).as(context).isEqualTo(clip(shifts, middle));
        }
    }

    private static List<Shift> clip(List<Shift> shifts, Instant from) {
        List<Shift> clipped = new ArrayList<>();
        for (Shift shift : shifts) {
            if (shift.end().isAfter(from)) {
                Instant start = shift.start().isBefore(from) ? from : shift.start();
                clipped.add(new Shift(start, shift.end(), shift.userId(), shift.layer()));
            }
        }
        return clipped;
    }

    private ScheduleConfig randomConfig() {
        List<ScheduleLayer> layers = new ArrayList<>();
        for (int i = 0, n = random.nextInt(4); i < n; i++) {
            List<String> participants = new ArrayList<>();
            for (int j = 0, m = 1 + random.nextInt(4); j < m; j++) {
                participants.add("user" + random.nextInt(6));
            }
            RotationUnit unit = RotationUnit.values()[random.nextInt(3)];
            List<LayerRestriction> restrictions = new ArrayList<>();
            for (int r = 0, k = random.nextInt(3) == 0 ? 0 : random.nextInt(4); r < k; r++) {
                List<String> days = new ArrayList<>();
                for (DayOfWeek day : DayOfWeek.values()) {
                    if (random.nextInt(3) == 0) {
                        days.add(day.name());
                    }
                }
                String from = time();
                String to = time();
                if (!from.equals(to)) {
                    restrictions.add(new LayerRestriction(days, from, to));
                }
            }
            String start = EPOCH.plus(Duration.ofMinutes(random.nextInt(300 * 24 * 60))).toString()
                    .substring(0, 16).replace("Z", "") + ":00";
            layers.add(new ScheduleLayer("layer" + i, participants, 1 + random.nextInt(unit == RotationUnit.HOURS ? 48 : 3),
                    unit, start, restrictions));
        }
        List<ScheduleOverride> overrides = new ArrayList<>();
        for (int i = 0, n = random.nextInt(5); i < n; i++) {
            Instant start = EPOCH.plus(Duration.ofMinutes(random.nextInt(400 * 24 * 60)));
            overrides.add(new ScheduleOverride("sub" + random.nextInt(3), start,
                    start.plus(Duration.ofMinutes(1 + random.nextInt(3 * 24 * 60)))));
        }
        return new ScheduleConfig("random", "Random", ZONES.get(random.nextInt(ZONES.size())), layers, overrides);
    }

    /** Mostly round hours, some odd minutes, and the DST-prone small hours often. */
    private String time() {
        int hour = random.nextBoolean() ? random.nextInt(24) : random.nextInt(4);
        int minute = random.nextBoolean() ? 0 : random.nextInt(60);
        return String.format("%02d:%02d", hour, minute);
    }
}
