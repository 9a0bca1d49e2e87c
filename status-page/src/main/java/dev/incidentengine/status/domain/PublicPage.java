package dev.incidentengine.status.domain;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

import dev.incidentengine.model.AffectedComponent;
import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.ComponentStatusChanged;
import dev.incidentengine.model.MaintenanceCancelled;
import dev.incidentengine.model.MaintenanceChanged;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.PageComponent;
import dev.incidentengine.model.PageConfigured;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentChanged;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.PublicUpdate;
import dev.incidentengine.model.StatusPageEvent;

/**
 * The public status page, folded from its log ({@code StatusPageEvent}s, in the log's order): the page,
 * its components in config order with their groups and current statuses, the published incidents and
 * maintenance with their updates, and each component's status over the uptime window.
 *
 * <p>Memory is bounded by the page's windows, not by its history: an incident or maintenance is kept
 * while unresolved (upcoming or active), while created within the last {@value #HISTORY_DAYS} days of
 * the page's days, or while among the {@value #RECENT} most recent; at most {@value #MAX_UPDATES}
 * updates each (the newest) and at most {@value #MAX_KEPT} finished incidents in the history window
 * (the newest). A component's status changes are kept for the uptime window only. The window moves
 * with the page's own clock (its events' timestamps), so every instance folding the same log holds
 * the same page.
 */
public final class PublicPage {

    /** Days of history and of uptime bars. */
    public static final int HISTORY_DAYS = 90;
    /** Incidents (and maintenances) listed by the API's lists, and kept whatever their age. */
    public static final int RECENT = 50;
    /** Updates kept per incident or maintenance (the newest). */
    public static final int MAX_UPDATES = 100;
    /** Finished incidents kept in the history window (the newest); the bound of a page that publishes everything. */
    public static final int MAX_KEPT = 5_000;
    /** Status changes older than this cannot reach a day of the window in any time zone. */
    private static final Duration UPTIME_KEPT = Duration.ofDays(HISTORY_DAYS + 2);

    /** A component or a group of them, as the page lists it; a group holds its members' ids and their worst status. */
    public record Component(String id, String name, String description, boolean group, String groupId, List<String> members,
                            int position, boolean onlyShowIfDegraded, ComponentStatus status, Instant createdAt, Instant updatedAt) {
    }

    /** A public update: an incident's (investigating...) or a maintenance's (scheduled...) status word and text. */
    public record Update(String id, String status, String message, Instant createdAt, List<ComponentChange> components) {
    }

    public record ComponentChange(String id, ComponentStatus from, ComponentStatus to) {
    }

    public record Incident(String id, String title, PublicImpact impact, PublicIncidentStatus status, List<String> components,
                           Instant createdAt, Instant updatedAt, Instant monitoringAt, Instant resolvedAt, List<Update> updates) {

        public boolean resolved() {
            return status == PublicIncidentStatus.RESOLVED || status == PublicIncidentStatus.POSTMORTEM;
        }
    }

    public record Maintenance(String id, String title, MaintenanceStatus status, List<String> components, Instant scheduledFor,
                              Instant scheduledUntil, Instant createdAt, Instant updatedAt, Instant startedAt, Instant completedAt,
                              List<Update> updates) {

        public boolean active() {
            return status == MaintenanceStatus.IN_PROGRESS || status == MaintenanceStatus.VERIFYING;
        }
    }

    /** The page's overall status in Statuspage's words: indicator none, minor, major, critical or maintenance. */
    public record Overall(String indicator, String description) {
    }

    private static final class ComponentState {
        PageComponent config;
        final Instant createdAt;
        Instant updatedAt;
        final ComponentUptime uptime;

        ComponentState(PageComponent config, Instant createdAt) {
            this.config = config;
            this.createdAt = createdAt;
            this.updatedAt = createdAt;
            this.uptime = new ComponentUptime(createdAt);
        }
    }

    private final String pageId;
    private String name = "";
    private String url;
    private ZoneId zone = ZoneOffset.UTC;
    private Instant updatedAt = Instant.EPOCH;
    private long version;
    private final LinkedHashMap<String, ComponentState> components = new LinkedHashMap<>();
    private final Map<String, Incident> incidents = new HashMap<>();
    private final Map<String, Maintenance> maintenances = new HashMap<>();
    /** When the windows were last applied, and how much was kept: pruning is due when the day moves or RECENT more arrived. */
    private LocalDate prunedOn;
    private int keptAtPrune;

    public PublicPage(String pageId) {
        this.pageId = pageId;
    }

    /**
     * Folds one event of the page's log in. Events of another page, or not newer than the page's version
     * (a record read twice), change nothing. Returns whether the page changed.
     */
    public boolean apply(StatusPageEvent event) {
        if (!pageId.equals(event.getPageId()) || event.getSequence() <= version) {
            return false;
        }
        Instant at = event.getTimestamp();
        Object payload = event.getPayload();
        if (payload instanceof PageConfigured configured) {
            configure(configured, at);
        } else if (payload instanceof PublicIncidentChanged changed) {
            incidentChanged(changed, at);
        } else if (payload instanceof MaintenanceChanged changed) {
            maintenanceChanged(changed, at);
        } else if (payload instanceof MaintenanceCancelled cancelled) {
            maintenances.remove(cancelled.getMaintenanceId());
        } else if (payload instanceof ComponentStatusChanged changed) {
            statusChanged(changed, at);
        } else {
            throw new IllegalArgumentException("Unknown status page event " + payload.getClass().getName());
        }
        version = event.getSequence();
        if (at.isAfter(updatedAt)) {
            updatedAt = at;
        }
        prune(updatedAt);
        return true;
    }

    private void configure(PageConfigured configured, Instant at) {
        name = configured.getName();
        url = configured.getUrl();
        try {
            zone = ZoneId.of(configured.getTimeZone());
        } catch (RuntimeException e) {
            // The writer validates the zone; a page is still shown, in UTC, if one slips through.
            zone = ZoneOffset.UTC;
        }
        LinkedHashMap<String, ComponentState> configuredComponents = new LinkedHashMap<>();
        for (PageComponent component : configured.getComponents()) {
            ComponentState state = components.get(component.getId());
            if (state == null) {
                state = new ComponentState(component, at);
            } else if (!state.config.equals(component)) {
                state.config = component;
                state.updatedAt = at;
            }
            configuredComponents.putIfAbsent(component.getId(), state);
        }
        components.clear();
        components.putAll(configuredComponents);
    }

    private void statusChanged(ComponentStatusChanged changed, Instant at) {
        ComponentState state = components.get(changed.getComponentId());
        if (state != null) {
            state.uptime.change(at, changed.getTo(), at.minus(UPTIME_KEPT));
            state.updatedAt = at;
        }
    }

    private void incidentChanged(PublicIncidentChanged changed, Instant at) {
        Incident before = incidents.get(changed.getIncidentId());
        List<Update> updates = withUpdate(before == null ? List.of() : before.updates(), changed.getUpdate());
        Instant monitoringAt = before == null ? null : before.monitoringAt();
        if (monitoringAt == null && changed.getStatus() == PublicIncidentStatus.MONITORING) {
            monitoringAt = changed.getUpdate() == null ? at : changed.getUpdate().getCreatedAt();
        }
        incidents.put(changed.getIncidentId(), new Incident(changed.getIncidentId(), changed.getTitle(), changed.getImpact(),
                changed.getStatus(), List.copyOf(changed.getComponents()), changed.getCreatedAt(), at, monitoringAt,
                changed.getResolvedAt(), updates));
    }

    private void maintenanceChanged(MaintenanceChanged changed, Instant at) {
        Maintenance before = maintenances.get(changed.getMaintenanceId());
        Instant startedAt = before == null ? null : before.startedAt();
        if (startedAt == null && changed.getStatus() != MaintenanceStatus.SCHEDULED) {
            startedAt = at;
        }
        Instant completedAt = changed.getStatus() == MaintenanceStatus.COMPLETED
                ? before != null && before.completedAt() != null ? before.completedAt() : at
                : null;
        maintenances.put(changed.getMaintenanceId(), new Maintenance(changed.getMaintenanceId(), changed.getTitle(), changed.getStatus(),
                List.copyOf(changed.getComponents()), changed.getScheduledFor(), changed.getScheduledUntil(),
                before == null ? at : before.createdAt(), at, startedAt, completedAt,
                withUpdate(before == null ? List.of() : before.updates(), changed.getUpdate())));
    }

    /** The updates, newest first, with {@code update} added (once: a record read again adds nothing), at most {@link #MAX_UPDATES}. */
    private static List<Update> withUpdate(List<Update> updates, PublicUpdate update) {
        if (update == null || updates.stream().anyMatch(existing -> existing.id().equals(update.getId()))) {
            return updates;
        }
        List<ComponentChange> changes = new ArrayList<>();
        for (AffectedComponent affected : update.getComponents()) {
            changes.add(new ComponentChange(affected.getId(), affected.getOldStatus(), affected.getNewStatus()));
        }
        List<Update> added = new ArrayList<>(updates.size() + 1);
        added.add(new Update(update.getId(), update.getStatus(), update.getMessage(), update.getCreatedAt(), List.copyOf(changes)));
        added.addAll(updates);
        added.sort(NEWEST_UPDATE_FIRST);
        return List.copyOf(added.subList(0, Math.min(added.size(), MAX_UPDATES)));
    }

    private static final Comparator<Update> NEWEST_UPDATE_FIRST =
            Comparator.comparing(Update::createdAt).reversed().thenComparing(Update::id);
    private static final Comparator<Incident> NEWEST_INCIDENT_FIRST =
            Comparator.comparing(Incident::createdAt).reversed().thenComparing(Incident::id);
    private static final Comparator<Maintenance> NEWEST_MAINTENANCE_FIRST =
            Comparator.comparing(Maintenance::scheduledFor).reversed().thenComparing(Maintenance::id);

    /** Drops what left every window: finished incidents and maintenances older than the history and not among the most recent. */
    private void prune(Instant now) {
        // What is shown never depends on when this runs (lists stop at the window or at RECENT), so it runs only when due.
        int kept = incidents.size() + maintenances.size();
        if (today(now).equals(prunedOn) && kept <= keptAtPrune + RECENT) {
            return;
        }
        Instant windowStart = historyStart(now);
        prune(incidents, NEWEST_INCIDENT_FIRST, Incident::id, Incident::resolved, Incident::createdAt, windowStart);
        prune(maintenances, NEWEST_MAINTENANCE_FIRST, Maintenance::id, maintenance -> maintenance.status() == MaintenanceStatus.COMPLETED,
                Maintenance::scheduledFor, windowStart);
        prunedOn = today(now);
        keptAtPrune = incidents.size() + maintenances.size();
    }

    private static <T> void prune(Map<String, T> items, Comparator<T> newestFirst, Function<T, String> id, Predicate<T> finished,
                                  Function<T, Instant> day, Instant windowStart) {
        if (items.size() <= RECENT) {
            return;
        }
        List<T> newest = items.values().stream().sorted(newestFirst).toList();
        Set<String> keep = new HashSet<>();
        int finishedKept = 0;
        for (int i = 0; i < newest.size(); i++) {
            T item = newest.get(i);
            boolean done = finished.test(item);
            boolean inWindow = !day.apply(item).isBefore(windowStart) && finishedKept < MAX_KEPT;
            if (!done || i < RECENT || inWindow) {
                keep.add(id.apply(item));
                finishedKept += done ? 1 : 0;
            }
        }
        items.keySet().retainAll(keep);
    }

    /** The first instant of the history window that ends with the day of {@code now} in the page's zone. */
    public Instant historyStart(Instant now) {
        return today(now).minusDays(HISTORY_DAYS - 1).atStartOfDay(zone).toInstant();
    }

    public LocalDate today(Instant now) {
        return LocalDate.ofInstant(now, zone);
    }

    public String pageId() {
        return pageId;
    }

    public String name() {
        return name;
    }

    /** The page's public URL, or null when config gives none. */
    public String url() {
        return url;
    }

    public ZoneId zone() {
        return zone;
    }

    /** When the page last changed: its last event's time. */
    public Instant updatedAt() {
        return updatedAt;
    }

    /** The page's version: the sequence of its last event; 0 before any. */
    public long version() {
        return version;
    }

    /**
     * The components as the page lists them, with their groups: a group (Statuspage's {@code group: true})
     * where its first member is in config order, followed by its members; positions count from 1 in that order.
     */
    public List<Component> components() {
        Map<String, List<ComponentState>> byGroup = new LinkedHashMap<>();
        for (ComponentState state : components.values()) {
            String group = state.config.getGroup();
            byGroup.computeIfAbsent(group == null ? "\u0000" + state.config.getId() : group, key -> new ArrayList<>()).add(state);
        }
        List<Component> listed = new ArrayList<>();
        for (Map.Entry<String, List<ComponentState>> entry : byGroup.entrySet()) {
            List<ComponentState> members = entry.getValue();
            String groupName = members.get(0).config.getGroup();
            String groupId = null;
            if (groupName != null) {
                groupId = groupId(groupName);
                ComponentStatus worst = ComponentStatus.OPERATIONAL;
                Instant created = members.get(0).createdAt;
                Instant updated = members.get(0).updatedAt;
                for (ComponentState member : members) {
                    worst = worse(worst, member.uptime.current());
                    created = member.createdAt.isBefore(created) ? member.createdAt : created;
                    updated = member.updatedAt.isAfter(updated) ? member.updatedAt : updated;
                }
                listed.add(new Component(groupId, groupName, null, true, null,
                        members.stream().map(member -> member.config.getId()).toList(), listed.size() + 1, false, worst, created, updated));
            }
            for (ComponentState member : members) {
                PageComponent config = member.config;
                listed.add(new Component(config.getId(), config.getName(), config.getDescription(), false, groupId, List.of(),
                        listed.size() + 1, config.getOnlyShowIfDegraded(), member.uptime.current(), member.createdAt, member.updatedAt));
            }
        }
        return listed;
    }

    /** A group's id, from its name: {@code group-} and the name's letters and digits in lower case. */
    static String groupId(String groupName) {
        return "group-" + groupName.toLowerCase(Locale.ROOT).replaceAll("[^\\p{Alnum}]+", "-");
    }

    /** {@code a} or {@code b}, whichever is worse for the page's reader. */
    public static ComponentStatus worse(ComponentStatus a, ComponentStatus b) {
        return rank(b) > rank(a) ? b : a;
    }

    private static int rank(ComponentStatus status) {
        return switch (status) {
            case OPERATIONAL -> 0;
            case UNDER_MAINTENANCE -> 1;
            case DEGRADED_PERFORMANCE -> 2;
            case PARTIAL_OUTAGE -> 3;
            case MAJOR_OUTAGE -> 4;
        };
    }

    /** The {@value #HISTORY_DAYS} days of a component up to {@code asOf}'s day, oldest first; empty for an unknown one. */
    public List<ComponentUptime.DayUptime> uptime(String componentId, Instant asOf) {
        ComponentState state = components.get(componentId);
        if (state == null) {
            return List.of();
        }
        LocalDate today = today(asOf);
        return state.uptime.days(today.minusDays(HISTORY_DAYS - 1), today, zone, asOf);
    }

    /**
     * The page's status as Statuspage blends it: the worst of its components' statuses and its unresolved
     * incidents' impacts. Degraded performance or a minor incident: minor, "Minor Service Outage"; a partial
     * outage or a major incident: major, "Partial System Outage"; a major outage or a critical incident:
     * critical, "Major System Outage"; only maintenance: maintenance, "Service Under Maintenance".
     */
    public Overall overall() {
        ComponentStatus worst = ComponentStatus.OPERATIONAL;
        for (ComponentState state : components.values()) {
            worst = worse(worst, state.uptime.current());
        }
        int level = switch (worst) {
            case MAJOR_OUTAGE -> 3;
            case PARTIAL_OUTAGE -> 2;
            case DEGRADED_PERFORMANCE -> 1;
            default -> 0;
        };
        for (Incident incident : incidents.values()) {
            if (!incident.resolved()) {
                level = Math.max(level, switch (incident.impact()) {
                    case CRITICAL -> 3;
                    case MAJOR -> 2;
                    case MINOR -> 1;
                    case NONE -> 0;
                });
            }
        }
        return switch (level) {
            case 3 -> new Overall("critical", "Major System Outage");
            case 2 -> new Overall("major", "Partial System Outage");
            case 1 -> new Overall("minor", "Minor Service Outage");
            default -> worst == ComponentStatus.UNDER_MAINTENANCE
                    ? new Overall("maintenance", "Service Under Maintenance")
                    : new Overall("none", "All Systems Operational");
        };
    }

    /** Every incident kept, newest first. */
    public List<Incident> incidents() {
        return incidents.values().stream().sorted(NEWEST_INCIDENT_FIRST).toList();
    }

    /** The {@value #RECENT} most recent incidents, newest first (Statuspage's incidents.json). */
    public List<Incident> recentIncidents() {
        return incidents().stream().limit(RECENT).toList();
    }

    /** Incidents in investigating, identified or monitoring, newest first. */
    public List<Incident> unresolvedIncidents() {
        return incidents().stream().filter(incident -> !incident.resolved()).toList();
    }

    /** Every maintenance kept, newest (latest scheduled) first. */
    public List<Maintenance> maintenances() {
        return maintenances.values().stream().sorted(NEWEST_MAINTENANCE_FIRST).toList();
    }

    /** The {@value #RECENT} most recent maintenances, newest first. */
    public List<Maintenance> recentMaintenances() {
        return maintenances().stream().limit(RECENT).toList();
    }

    public List<Maintenance> upcomingMaintenances() {
        return maintenances().stream().filter(maintenance -> maintenance.status() == MaintenanceStatus.SCHEDULED).toList();
    }

    public List<Maintenance> activeMaintenances() {
        return maintenances().stream().filter(Maintenance::active).toList();
    }
}
