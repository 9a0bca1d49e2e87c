package dev.incidentengine.escalation.schedule;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.incidentengine.configdata.ScheduleChecks;
import dev.incidentengine.model.OnCallOverride;
import dev.incidentengine.model.config.LayerRestriction;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ScheduleLayer;
import dev.incidentengine.model.config.ScheduleOverride;
import dev.incidentengine.schemas.ConfigFields;

import static dev.incidentengine.configdata.ScheduleChecks.orEmpty;

/**
 * An on-call schedule, compiled once from its config. Layers rotate their participants from the layer's start, handing
 * off every {@code rotationLength} hours (elapsed time) or days or weeks (at the same local time in the schedule's
 * zone); restrictions limit a layer to daily windows; a later layer wins over earlier ones wherever it has somebody;
 * overrides win over all layers, a later override over an earlier one. Overrides made through the API
 * ({@link #withOverrides}) come after the config's own, in the order they were made. Immutable and thread-safe.
 */
public final class Schedule {

    /** The longest range {@link #shifts} answers: a year, leap day included. */
    public static final Duration MAX_RANGE = Duration.ofDays(366);

    private record OverridePeriod(String userId, Instant start, Instant end) {

        boolean contains(Instant t) {
            return !t.isBefore(start) && t.isBefore(end);
        }
    }

    /** Who is on call and through which layer; both null for nobody. */
    private record Assignment(String userId, String layer) {
    }

    private static final Assignment NOBODY = new Assignment(null, null);

    private final String id;
    private final String name;
    private final ZoneId zone;
    private final List<Layer> layers;
    private final List<OverridePeriod> overrides;

    private Schedule(String id, String name, ZoneId zone, List<Layer> layers, List<OverridePeriod> overrides) {
        this.id = id;
        this.name = name;
        this.zone = zone;
        this.layers = List.copyOf(layers);
        this.overrides = List.copyOf(overrides);
    }

    /**
     * Compiles a valid config.
     *
     * @throws IllegalArgumentException naming each invalid field, as {@link #problems} does
     */
    public static Schedule of(ScheduleConfig config) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("schedule '" + config.getId() + "': " + String.join("; ", problems));
        }
        ZoneId zone = ZoneId.of(config.getTimeZone());
        List<Layer> layers = new ArrayList<>();
        for (ScheduleLayer layer : orEmpty(config.getLayers())) {
            List<Layer.Restriction> restrictions = new ArrayList<>();
            for (LayerRestriction restriction : orEmpty(layer.getRestrictions())) {
                Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
                orEmpty(restriction.getDays()).forEach(day -> days.add(ConfigFields.dayOfWeek(day)));
                restrictions.add(new Layer.Restriction(Set.copyOf(days), LocalTime.parse(restriction.getFrom()),
                        LocalTime.parse(restriction.getTo())));
            }
            ZonedDateTime start = ZonedDateTime.of(ScheduleChecks.localDateTime(layer.getStart()), zone);
            layers.add(new Layer(layer.getName(), layer.getParticipants(), layer.getRotationLength(), layer.getRotationUnit(),
                    start, restrictions));
        }
        List<OverridePeriod> overrides = new ArrayList<>();
        for (ScheduleOverride override : orEmpty(config.getOverrides())) {
            overrides.add(new OverridePeriod(override.getUserId(), override.getStart(), override.getEnd()));
        }
        return new Schedule(config.getId(), config.getName(), zone, layers, overrides);
    }

    /**
     * This schedule with the overrides people made through the API: they beat its layers and its config's overrides,
     * and where they overlap, the one made later wins (ties broken by id, so every instance agrees). Overrides of other
     * schedules are left out.
     */
    public Schedule withOverrides(Collection<OnCallOverride> made) {
        List<OverridePeriod> all = new ArrayList<>(overrides);
        made.stream()
                .filter(override -> override.getScheduleId().equals(id) && override.getEnd().isAfter(override.getStart()))
                .sorted(Comparator.comparing(OnCallOverride::getCreatedAt).thenComparing(OnCallOverride::getId))
                .forEach(override -> all.add(new OverridePeriod(override.getUserId(), override.getStart(), override.getEnd())));
        return new Schedule(id, name, zone, layers, all);
    }

    /** What is wrong with the config, one message per field such as {@code layers[0].participants: must name at least one user}. */
    public static List<String> problems(ScheduleConfig config) {
        return ScheduleChecks.problems(Objects.requireNonNull(config, "config"));
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public ZoneId zone() {
        return zone;
    }

    /** The users the layers take turns among, each once, in the order of the layers. */
    public List<String> participants() {
        return layers.stream().flatMap(layer -> layer.participants().stream()).distinct().toList();
    }

    /** The user on call at {@code t}, if anybody is. */
    public Optional<String> onCallAt(Instant t) {
        return Optional.ofNullable(assignmentAt(Objects.requireNonNull(t, "t")).userId());
    }

    /**
     * The shifts covering exactly {@code [from, to)}, in order, gaps included (user and layer null); neighbours differ
     * in user or layer. Empty when {@code from} equals {@code to}.
     *
     * @throws IllegalArgumentException if {@code to} is before {@code from} or the range is longer than {@link #MAX_RANGE}
     */
    public List<Shift> shifts(Instant from, Instant to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("to " + to + " is before from " + from);
        }
        if (Duration.between(from, to).compareTo(MAX_RANGE) > 0) {
            throw new IllegalArgumentException("range " + from + " to " + to + " is longer than " + MAX_RANGE.toDays() + " days");
        }
        // Who is on call changes only at a handoff, a restriction window's edge or an override's edge: evaluate once
        // per stretch between consecutive boundaries rather than sampling.
        NavigableSet<Instant> boundaries = new TreeSet<>(List.of(from, to));
        for (Layer layer : layers) {
            layer.addBoundaries(from, to, boundaries);
        }
        for (OverridePeriod override : overrides) {
            boundaries.add(override.start());
            boundaries.add(override.end());
        }
        List<Shift> shifts = new ArrayList<>();
        Instant start = null;
        for (Instant boundary : boundaries.subSet(from, true, to, true)) {
            if (start != null) {
                append(shifts, start, boundary, assignmentAt(start));
            }
            start = boundary;
        }
        return List.copyOf(shifts);
    }

    /** Appends a stretch, extending the last shift instead when it has the same user and layer. */
    private static void append(List<Shift> shifts, Instant start, Instant end, Assignment assignment) {
        if (!shifts.isEmpty()) {
            Shift last = shifts.get(shifts.size() - 1);
            if (Objects.equals(last.userId(), assignment.userId()) && Objects.equals(last.layer(), assignment.layer())) {
                shifts.set(shifts.size() - 1, new Shift(last.start(), end, last.userId(), last.layer()));
                return;
            }
        }
        shifts.add(new Shift(start, end, assignment.userId(), assignment.layer()));
    }

    private Assignment assignmentAt(Instant t) {
        for (int i = overrides.size() - 1; i >= 0; i--) {
            if (overrides.get(i).contains(t)) {
                return new Assignment(overrides.get(i).userId(), Shift.OVERRIDE);
            }
        }
        for (int i = layers.size() - 1; i >= 0; i--) {
            String user = layers.get(i).userAt(t);
            if (user != null) {
                return new Assignment(user, layers.get(i).name());
            }
        }
        return NOBODY;
    }

    @Override
    public String toString() {
        return "Schedule[" + id + ", " + zone + ", " + layers.size() + " layers, " + overrides.size() + " overrides]";
    }
}
