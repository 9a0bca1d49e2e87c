package dev.incidentengine.status.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AffectedComponent;
import dev.incidentengine.model.ClosedPublicIncident;
import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.ComponentStatusChanged;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentPublished;
import dev.incidentengine.model.LiveMaintenance;
import dev.incidentengine.model.MaintenanceCancelled;
import dev.incidentengine.model.MaintenanceChanged;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.OpenPublicIncident;
import dev.incidentengine.model.OverrideComponentStatus;
import dev.incidentengine.model.PageComponent;
import dev.incidentengine.model.PageConfigured;
import dev.incidentengine.model.PostMaintenanceUpdate;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentChanged;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.PublicSilence;
import dev.incidentengine.model.PublicUpdate;
import dev.incidentengine.model.PublicUpdatePosted;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.StatusComponentState;
import dev.incidentengine.model.StatusPageCommand;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.model.StatusPageState;
import dev.incidentengine.model.config.PublicMaintenance;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.StatusComponentConfig;
import dev.incidentengine.model.config.StatusPageConfig;
import dev.incidentengine.model.config.WeeklyWindow;

/**
 * The status page as an aggregate: each input (a public incident's event, a person's command, the page's config, a public
 * silence, the clock) is decided against the page's {@link StatusPageState} into the events of its log and the state
 * after them. Pure and deterministic: the same inputs give the same events, sequences and ids.
 *
 * <p>The state holds what is open, never history: published incidents until they resolve (then only their dates, for
 * the last {@link Limits#closedIncidents}), the public silences and the maintenance announced from them until it
 * completes, the components and the recent command ids. Each has a cap ({@link Limits}); an input that would pass one
 * is refused with {@link LimitExceeded}, and nothing of it is written.
 */
public final class StatusPage {

    public static final Actor ACTOR = new Actor(ActorType.SYSTEM, "status-page", "Status page");
    static final String IN_PROGRESS_TEXT = "Scheduled maintenance is currently in progress. We will provide updates as necessary.";
    static final String COMPLETED_TEXT = "The scheduled maintenance has been completed.";

    /**
     * Caps on what the state holds. The defaults keep the state record, with long titles and messages, well under the
     * 1 MB a record may take: 500 open incidents, the 1,000 resolved last, 100 public silences (so at most as many
     * announced maintenances, and a few more while config replaces them), 200 components, 1,000 recent command ids.
     */
    public record Limits(int openIncidents, int closedIncidents, int silences, int components, int recentCommands) {
        public static final Limits DEFAULT = new Limits(500, 1_000, 100, 200, 1_000);
    }

    /** An input that would take the state past one of its {@link Limits}: refused whole. */
    public static final class LimitExceeded extends IllegalStateException {
        public LimitExceeded(String message) {
            super(message);
        }
    }

    /**
     * What an input made: the state after it, the events to write (in order), or why it was refused (nothing written,
     * state unchanged).
     */
    public record Decision(StatusPageState state, List<StatusPageEvent> events, String rejection) {
        public boolean rejected() {
            return rejection != null;
        }
    }

    private final String pageId;
    private final Limits limits;

    public StatusPage(String pageId, Limits limits) {
        this.pageId = Objects.requireNonNull(pageId, "pageId");
        this.limits = limits;
    }

    public String pageId() {
        return pageId;
    }

    public StatusPageState initial() {
        return StatusPageState.newBuilder().setPageId(pageId).build();
    }

    /** IncidentPublished, PublicUpdatePosted and SeverityChanged of a published incident; other events change nothing. */
    public Decision onIncidentEvent(StatusPageState state, IncidentEvent event) {
        Work work = new Work(state, event.getTimestamp(), event.getActor(), event.getEventId());
        String id = event.getIncidentId();
        OpenPublicIncident open = work.open(id);
        ClosedPublicIncident closed = work.closed(id);
        long last = open != null ? open.getLastSequence() : closed != null ? closed.getLastSequence() : 0;
        if (event.getSequence() <= last) {
            return work.unchanged(); // an event read before (a replay of the incidents log) changes nothing
        }
        Object payload = event.getPayload();
        if (payload instanceof IncidentPublished published) {
            Instant createdAt = open != null ? open.getCreatedAt() : closed != null ? closed.getCreatedAt() : event.getTimestamp();
            work.incident(id, published.getStatus(), published.getSeverity(), published.getComponents(), createdAt, event.getSequence());
            work.incidentChanged(id, published.getTitle(), published.getImpact(), published.getStatus(), published.getComponents(), createdAt,
                    new Update(published.getUpdateId(), published.getStatus(), published.getMessage()));
        } else if (payload instanceof PublicUpdatePosted posted) {
            Severity severity = open != null ? open.getSeverity() : closed != null ? closed.getSeverity() : null;
            if (severity == null) {
                // Never published, or resolved before the last closedIncidents: its dates and severity are not known.
                return work.reject("public update " + posted.getUpdateId() + " of incident " + id
                        + ", which was not published (or was resolved long ago)");
            }
            Instant createdAt = open != null ? open.getCreatedAt() : closed.getCreatedAt();
            work.incident(id, posted.getStatus(), severity, posted.getComponents(), createdAt, event.getSequence());
            work.incidentChanged(id, posted.getTitle(), posted.getImpact(), posted.getStatus(), posted.getComponents(), createdAt,
                    new Update(posted.getUpdateId(), posted.getStatus(), posted.getMessage()));
        } else if (payload instanceof SeverityChanged changed) {
            if (open == null) {
                if (closed != null) { // kept, should an update reopen it
                    closed.setSeverity(changed.getTo());
                    closed.setLastSequence(event.getSequence());
                }
                return work.decision();
            }
            open.setSeverity(changed.getTo());
            open.setLastSequence(event.getSequence());
            work.recompute();
        } else {
            return work.unchanged();
        }
        return work.decision();
    }

    /** A person's command: applied once per command id; an unknown component or maintenance is refused. */
    public Decision onCommand(StatusPageState state, StatusPageCommand command) {
        Work work = new Work(state, command.getTimestamp(), command.getActor(), command.getCommandId());
        if (!pageId.equals(command.getPageId()) || work.recentCommandIds.contains(command.getCommandId())) {
            return work.unchanged();
        }
        if (command.getPayload() instanceof OverrideComponentStatus override) {
            StatusComponentState component = work.component(override.getComponentId());
            if (component == null) {
                return work.reject("override of component " + override.getComponentId() + ", which the page does not have");
            }
            String reason = override.getStatus() == null ? null : override.getReason();
            if (!Objects.equals(component.getOverride(), override.getStatus()) || !Objects.equals(component.getReason(), reason)) {
                component.setOverride(override.getStatus());
                component.setReason(reason);
                work.overrideMoved.add(component.getId());
            }
            work.recompute();
        } else if (command.getPayload() instanceof PostMaintenanceUpdate update) {
            LiveMaintenance maintenance = work.maintenance(update.getMaintenanceId());
            if (maintenance == null) {
                return work.reject("update of maintenance " + update.getMaintenanceId() + ", which is not announced or is over");
            }
            if (update.getStatus() == MaintenanceStatus.SCHEDULED && maintenance.getStatus() != MaintenanceStatus.SCHEDULED) {
                return work.reject("maintenance " + maintenance.getId() + " is " + word(maintenance.getStatus()) + ": it cannot be scheduled again");
            }
            work.maintenanceChanged(maintenance, update.getStatus(), command.getCommandId(), update.getMessage());
            PublicSilence silence = work.silence(maintenance.getSilenceId());
            if (update.getStatus() == MaintenanceStatus.COMPLETED && silence != null) {
                work.reconcile(silence);
            }
        } else {
            return work.reject("unknown command " + command.getPayload().getClass().getSimpleName());
        }
        work.rememberCommand(command.getCommandId());
        return work.decision();
    }

    /** The page's config as it stands ({@code config} of another page: nothing). */
    public Decision onConfig(StatusPageState state, StatusPageConfig config, Instant now) {
        Work work = new Work(state, now, ACTOR, "config:" + pageId);
        if (config == null || !pageId.equals(config.getId())) {
            return work.unchanged();
        }
        List<PageComponent> components = new ArrayList<>();
        Set<String> ids = new LinkedHashSet<>();
        for (StatusComponentConfig component : config.getComponents()) {
            if (ids.add(component.getId())) {
                components.add(new PageComponent(component.getId(), component.getName(), component.getDescription(), component.getGroup(),
                        component.getOnlyShowIfDegraded()));
            }
        }
        if (components.size() > limits.components()) {
            throw new LimitExceeded("status page " + pageId + " has " + components.size() + " components, more than the "
                    + limits.components() + " it may have");
        }
        PageConfigured page = new PageConfigured(config.getName(), config.getUrl(), config.getTimeZone(), components);
        work.severityStatus = new HashMap<>(config.getSeverityStatus());
        List<StatusComponentState> kept = new ArrayList<>();
        for (String id : ids) {
            StatusComponentState old = work.component(id);
            kept.add(old != null ? old : new StatusComponentState(id, ComponentStatus.OPERATIONAL, null, null));
        }
        work.components = kept;
        if (!page.equals(work.page)) {
            work.page = page;
            work.emit(page);
        }
        work.recompute();
        return work.decision();
    }

    /**
     * A silence as config has it now ({@code silence} null: deleted). Only public ones (with {@code statusPage}) are kept;
     * a window that cannot be read is refused.
     */
    public Decision onSilence(StatusPageState state, String silenceId, SilenceConfig silence, Instant now) {
        Work work = new Work(state, now, ACTOR, "silence:" + silenceId);
        PublicSilence old = work.silence(silenceId);
        PublicSilence next = silence == null || silence.getStatusPage() == null ? null : publicSilence(silenceId, silence, old);
        if (next != null) {
            try {
                MaintenanceWindows.check(next);
            } catch (IllegalArgumentException e) {
                return work.reject("silence " + silenceId + ": " + e.getMessage());
            }
        }
        if (old == null && next == null) {
            return work.unchanged();
        }
        work.silences.removeIf(each -> each.getId().equals(silenceId));
        if (next != null) {
            if (work.silences.size() >= limits.silences()) {
                throw new LimitExceeded("status page " + pageId + " has " + work.silences.size() + " public silences, the most it may have ("
                        + limits.silences() + "); silence " + silenceId + " is not shown");
            }
            work.silences.add(next);
        }
        work.reconcile(silenceId, next);
        work.recompute();
        return work.decision();
    }

    /** The clock: maintenance announced {@code noticeDays} ahead, started and completed on time. */
    public Decision onTime(StatusPageState state, Instant now) {
        Work work = new Work(state, now, ACTOR, null);
        for (PublicSilence silence : List.copyOf(work.silences)) {
            work.reconcile(silence);
        }
        work.recompute();
        return work.decision();
    }

    private static PublicSilence publicSilence(String id, SilenceConfig silence, PublicSilence old) {
        PublicMaintenance maintenance = silence.getStatusPage();
        WeeklyWindow weekly = silence.getWeekly();
        return new PublicSilence(id, maintenance.getTitle(), maintenance.getMessage(), List.copyOf(maintenance.getComponents()),
                Math.max(0, maintenance.getNoticeDays()), silence.getStartsAt(), silence.getEndsAt(),
                weekly == null ? List.of() : List.copyOf(weekly.getDays()), weekly == null ? null : weekly.getFrom(),
                weekly == null ? null : weekly.getTo(), weekly == null ? "UTC" : weekly.getTimeZone(),
                old == null ? Instant.EPOCH : old.getDoneUntil());
    }

    /** Statuspage's word for a status: {@code in_progress}, {@code investigating}... */
    public static String word(Enum<?> status) {
        return status.name().toLowerCase(Locale.ROOT);
    }

    private record Update(String id, Enum<?> status, String message) {
    }

    /** One decision's working copy of the state, and the events it makes. */
    private final class Work {
        private final StatusPageState before;
        private final Instant at;
        private final Actor actor;
        private final String causeId;
        private final List<StatusPageEvent> events = new ArrayList<>();
        private long sequence;
        private PageConfigured page;
        private Map<String, ComponentStatus> severityStatus;
        private List<StatusComponentState> components;
        private final List<OpenPublicIncident> incidents;
        private final List<ClosedPublicIncident> closed;
        private final List<PublicSilence> silences;
        private final List<LiveMaintenance> maintenances;
        private final List<String> recentCommandIds;
        /** Components whose override a command moved: told of even when their status stays. */
        private final Set<String> overrideMoved = new HashSet<>();

        Work(StatusPageState state, Instant at, Actor actor, String causeId) {
            this.before = state;
            StatusPageState copy = StatusPageState.newBuilder(state).build();
            this.at = at;
            this.actor = actor;
            this.causeId = causeId;
            sequence = copy.getSequence();
            page = copy.getPage();
            severityStatus = new HashMap<>(copy.getSeverityStatus());
            components = new ArrayList<>(copy.getComponents());
            incidents = new ArrayList<>(copy.getIncidents());
            closed = new ArrayList<>(copy.getClosed());
            silences = new ArrayList<>(copy.getSilences());
            maintenances = new ArrayList<>(copy.getMaintenances());
            recentCommandIds = new ArrayList<>(copy.getRecentCommandIds());
        }

        Decision unchanged() {
            return new Decision(before, List.of(), null);
        }

        Decision reject(String why) {
            return new Decision(before, List.of(), why);
        }

        Decision decision() {
            StatusPageState after = new StatusPageState(pageId, sequence, page, severityStatus, components, incidents, closed, silences,
                    maintenances, recentCommandIds);
            return new Decision(after.equals(before) ? before : after, List.copyOf(events), null);
        }

        OpenPublicIncident open(String id) {
            return incidents.stream().filter(each -> each.getIncidentId().equals(id)).findFirst().orElse(null);
        }

        ClosedPublicIncident closed(String id) {
            return closed.stream().filter(each -> each.getIncidentId().equals(id)).findFirst().orElse(null);
        }

        StatusComponentState component(String id) {
            return components.stream().filter(each -> each.getId().equals(id)).findFirst().orElse(null);
        }

        LiveMaintenance maintenance(String id) {
            return maintenances.stream().filter(each -> each.getId().equals(id)).findFirst().orElse(null);
        }

        PublicSilence silence(String id) {
            return silences.stream().filter(each -> each.getId().equals(id)).findFirst().orElse(null);
        }

        void rememberCommand(String commandId) {
            recentCommandIds.add(commandId);
            while (recentCommandIds.size() > limits.recentCommands()) {
                recentCommandIds.remove(0);
            }
        }

        /** The incident as it stands after an event: open while unresolved, else among the closed. */
        void incident(String id, PublicIncidentStatus status, Severity severity, List<String> components, Instant createdAt, long sequence) {
            OpenPublicIncident open = open(id);
            ClosedPublicIncident wasClosed = closed(id);
            int position = incidents.indexOf(open);
            incidents.remove(open);
            closed.remove(wasClosed);
            if (ComponentStatuses.unresolved(status)) {
                if (open == null && incidents.size() >= limits.openIncidents()) {
                    throw new LimitExceeded("status page " + pageId + " shows " + incidents.size() + " unresolved incidents, the most it may ("
                            + limits.openIncidents() + "); incident " + id + " is not shown: resolve some");
                }
                OpenPublicIncident next = new OpenPublicIncident(id, status, severity, List.copyOf(components), createdAt, sequence);
                incidents.add(position >= 0 ? position : incidents.size(), next);
            } else {
                Instant resolvedAt = wasClosed != null ? wasClosed.getResolvedAt() : at;
                closed.add(new ClosedPublicIncident(id, createdAt, resolvedAt, severity, sequence));
                while (closed.size() > limits.closedIncidents()) {
                    closed.remove(0);
                }
            }
        }

        void incidentChanged(String id, String title, PublicImpact impact, PublicIncidentStatus status,
                             List<String> components, Instant createdAt, Update update) {
            Map<String, Change> changes = changes();
            ClosedPublicIncident closedNow = closed(id);
            emit(new PublicIncidentChanged(id, title, impact, status, List.copyOf(components), createdAt,
                    closedNow == null ? null : closedNow.getResolvedAt(), publicUpdate(update, changes)));
            apply(changes);
        }

        void maintenanceChanged(LiveMaintenance maintenance, MaintenanceStatus status, String updateId, String message) {
            maintenance.setStatus(status);
            if (status == MaintenanceStatus.COMPLETED) {
                maintenances.remove(maintenance);
                PublicSilence silence = silence(maintenance.getSilenceId());
                if (silence != null && silence.getDoneUntil().isBefore(maintenance.getScheduledUntil())) {
                    silence.setDoneUntil(maintenance.getScheduledUntil());
                }
            }
            Map<String, Change> changes = changes();
            emit(new MaintenanceChanged(maintenance.getId(), maintenance.getTitle(), status, List.copyOf(maintenance.getComponents()),
                    maintenance.getScheduledFor(), maintenance.getScheduledUntil(),
                    message == null ? null : publicUpdate(new Update(updateId, status, message), changes)));
            apply(changes);
        }

        void reconcile(PublicSilence silence) {
            reconcile(silence.getId(), silence);
        }

        /**
         * Brings the silence's maintenance in line with its window at {@link #at}: the occurrence that ends next is
         * announced once within its notice, started at its start; one that ended completes, one config moved or took
         * away ({@code silence} null) before it ended is cancelled.
         */
        void reconcile(String silenceId, PublicSilence silence) {
            Optional<MaintenanceWindows.Occurrence> next = silence == null ? Optional.empty() : MaintenanceWindows.next(silence, at);
            for (LiveMaintenance live : List.copyOf(maintenances)) {
                if (!live.getSilenceId().equals(silenceId) || next.map(o -> o.id().equals(live.getId())).orElse(false)) {
                    continue;
                }
                if (!at.isBefore(live.getScheduledUntil())) {
                    maintenanceChanged(live, MaintenanceStatus.COMPLETED, updateId(live), COMPLETED_TEXT);
                } else {
                    maintenances.remove(live);
                    emit(new MaintenanceCancelled(live.getId()));
                }
            }
            if (next.isEmpty() || at.isBefore(next.get().start().minus(Duration.ofDays(silence.getNoticeDays())))) {
                return;
            }
            MaintenanceWindows.Occurrence occurrence = next.get();
            boolean started = !at.isBefore(occurrence.start());
            LiveMaintenance live = maintenance(occurrence.id());
            if (live == null) {
                if (maintenances.size() >= limits.silences() * 2) {
                    throw new LimitExceeded("status page " + pageId + " has " + maintenances.size() + " maintenances announced, the most it may");
                }
                live = new LiveMaintenance(occurrence.id(), silence.getId(), silence.getTitle(), silence.getMessage(), MaintenanceStatus.SCHEDULED,
                        List.copyOf(silence.getComponents()), occurrence.start(), occurrence.end());
                maintenances.add(live);
                MaintenanceStatus status = started ? MaintenanceStatus.IN_PROGRESS : MaintenanceStatus.SCHEDULED;
                maintenanceChanged(live, status, updateId(live), silence.getMessage());
                return;
            }
            boolean moved = !live.getTitle().equals(silence.getTitle()) || !live.getComponents().equals(silence.getComponents())
                    || !live.getScheduledFor().equals(occurrence.start()) || !live.getScheduledUntil().equals(occurrence.end());
            boolean newMessage = !live.getMessage().equals(silence.getMessage());
            boolean starts = started && live.getStatus() == MaintenanceStatus.SCHEDULED;
            if (moved || newMessage || starts) {
                live.setTitle(silence.getTitle());
                live.setMessage(silence.getMessage());
                live.setComponents(List.copyOf(silence.getComponents()));
                live.setScheduledFor(occurrence.start());
                live.setScheduledUntil(occurrence.end());
                maintenanceChanged(live, starts ? MaintenanceStatus.IN_PROGRESS : live.getStatus(), updateId(live),
                        newMessage ? silence.getMessage() : starts ? IN_PROGRESS_TEXT : null);
            }
        }

        /** An update the engine posts is named by the event that carries it. */
        private String updateId(LiveMaintenance maintenance) {
            return maintenance.getId() + ":" + (sequence + 1);
        }

        /** Writes a ComponentStatusChanged for every component whose status or override moved. */
        void recompute() {
            apply(changes());
        }

        private record Change(StatusComponentState component, ComponentStatuses.Derived derived) {
        }

        private Map<String, Change> changes() {
            Map<String, Change> changes = new LinkedHashMap<>();
            for (StatusComponentState component : components) {
                ComponentStatuses.Derived derived = ComponentStatuses.derive(component.getId(), component.getOverride(), incidents,
                        maintenances, severityStatus);
                if (derived.status() != component.getStatus()) {
                    changes.put(component.getId(), new Change(component, derived));
                }
            }
            return changes;
        }

        private void apply(Map<String, Change> changes) {
            for (StatusComponentState component : components) {
                Change change = changes.get(component.getId());
                if (change == null && !overrideMoved.remove(component.getId())) {
                    continue;
                }
                ComponentStatuses.Derived derived = change != null ? change.derived()
                        : ComponentStatuses.derive(component.getId(), component.getOverride(), incidents, maintenances, severityStatus);
                emit(new ComponentStatusChanged(component.getId(), component.getStatus(), derived.status(), derived.override(),
                        derived.override() == null ? null : component.getReason(), derived.incidentIds(), derived.maintenanceIds()));
                component.setStatus(derived.status());
                overrideMoved.remove(component.getId());
            }
        }

        private PublicUpdate publicUpdate(Update update, Map<String, Change> changes) {
            List<AffectedComponent> affected = changes.values().stream()
                    .map(change -> new AffectedComponent(change.component().getId(), change.component().getStatus(), change.derived().status()))
                    .toList();
            return new PublicUpdate(update.id(), word(update.status()), update.message(), at, affected);
        }

        void emit(Object payload) {
            sequence++;
            events.add(StatusPageEvent.newBuilder()
                    .setEventId(pageId + ":" + sequence)
                    .setPageId(pageId)
                    .setSequence(sequence)
                    .setTimestamp(at)
                    .setActor(actor)
                    .setCauseId(causeId)
                    .setPayload(payload)
                    .build());
        }
    }
}
