package dev.incidentengine.notifier.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.ContactPlan;
import dev.incidentengine.model.ContactStep;
import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.EscalationTarget;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.PublicUpdateMissed;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentMerged;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.PlannedRunbook;
import dev.incidentengine.model.RunbookAttached;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentSnoozed;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.IncidentUnacknowledged;
import dev.incidentengine.model.NotificationPlan;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.PagePlan;
import dev.incidentengine.model.PlannedStep;
import dev.incidentengine.model.ReviewRequired;
import dev.incidentengine.model.RoleAssigned;
import dev.incidentengine.model.RoleRequested;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.StatusUpdatePosted;
import dev.incidentengine.model.StepState;
import dev.incidentengine.notifier.channel.MessageKind;

/**
 * Decides what the notifier sends for each incident event, due contact step and delivery result.
 * Pure: the state in, the new state and what to send or schedule out.
 *
 * <p>A page becomes the paged user's contact steps, each due at page time + its delay while the
 * incident stays triggered; acknowledgement, resolution, snooze, merge and close cancel the steps
 * not yet sent. A request to take a role ({@code RoleRequested}) pages its targets the same way, as
 * kind {@code role-requested}: its steps run while the incident is open (acknowledged or not) and
 * stop when the role is taken. A step that failed brings the user's next step forward to now. News
 * about the incident (opened, acknowledged, …) goes to the channels subscribed to its service.
 */
public final class Planner {

    /**
     * A notification to send now: to a paged user's contact step, or to a subscribed channel.
     *
     * @param event the event it tells of; null for a page's later steps, which know only its id
     */
    public record Send(MessageKind kind, String eventId, IncidentEvent event, String userId, int level, int step, String contactType) {

        public static Send news(MessageKind kind, IncidentEvent event) {
            return new Send(kind, event.getEventId(), event, null, 0, 0, null);
        }

        /** To a paged user's contact step: an escalation page, or a request to take a role. */
        public boolean isPage() {
            return kind == MessageKind.PAGE || kind == MessageKind.ROLE_REQUESTED;
        }
    }

    /** A contact step waiting for its time; {@link #key()} names it in the timer store. */
    public record Timer(Instant at, String incidentId, String eventId, String userId, int step) {

        public String key() {
            return incidentId + "|" + eventId + "|" + userId + "|" + step;
        }

        public static Timer parse(Instant at, String key) {
            String[] parts = key.split("\\|", -1);
            return new Timer(at, parts[0], parts[1], parts[2], Integer.parseInt(parts[3]));
        }
    }

    /** The new state (null: nothing known; CLOSED: forget it once its news is out), what to send now, which timers to set and which to drop. */
    public record Changes(NotificationPlan plan, List<Send> sends, List<Timer> schedule, List<Timer> cancel) {

        static Changes of(NotificationPlan plan) {
            return new Changes(plan, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    private final Duration maxEventAge;

    /** The runbooks a plan keeps, as many as the aggregate attaches to an incident (ResponseRules in incident-domain). */
    static final int MAX_RUNBOOKS = 5;

    /** @param maxEventAge events older than this update the state but send nothing (a new notifier replaying an old log pages nobody) */
    public Planner(Duration maxEventAge) {
        this.maxEventAge = maxEventAge;
    }

    public Changes onEvent(NotificationPlan current, IncidentEvent event, Instant now) {
        Object payload = event.getPayload();
        if (payload instanceof IncidentOpened opened) {
            NotificationPlan plan = NotificationPlan.newBuilder()
                    .setIncidentId(event.getIncidentId())
                    .setTitle(opened.getTitle())
                    .setSeverity(opened.getSeverity().name())
                    .setStatus(IncidentStatus.TRIGGERED.name())
                    .setServiceId(opened.getService())
                    .setDrill(opened.getDrill())
                    .setOpenedAt(event.getTimestamp())
                    .setPages(new ArrayList<>())
                    .build();
            if (opened.getRunbook() != null) {
                // The matched runbook, so the opening message links it; RunbookAttached right after adds nothing more.
                plan.setRunbooks(new ArrayList<>(List.of(new PlannedRunbook(opened.getRunbook().getRunbookId(),
                        opened.getRunbook().getTitle(), opened.getRunbook().getUrl()))));
            }
            return news(Changes.of(plan), MessageKind.OPENED, event, now);
        }
        if (current == null) {
            return Changes.of(null); // opened before this notifier's history, or already closed: nothing to tell
        }
        NotificationPlan plan = NotificationPlan.newBuilder(current).build();
        Changes changes = Changes.of(plan);
        Instant at = event.getTimestamp();
        if (payload instanceof AlertAttached) {
            plan.setAlerts(plan.getAlerts() + 1);
        } else if (payload instanceof IncidentEscalated escalated) {
            if (triggered(plan) && fresh(event, now)) {
                page(changes, event, escalated.getTargets(), escalated.getLevel(), null, now);
            }
        } else if (payload instanceof RoleRequested requested) {
            if (open(plan) && fresh(event, now)) {
                page(changes, event, requested.getTargets(), 0, requested.getRole(), now);
            }
        } else if (payload instanceof RoleAssigned assigned) {
            if (assigned.getUserId() != null) {
                cancelSteps(changes, page -> assigned.getRole().equals(page.getRole()));
            }
        } else if (payload instanceof IncidentAcknowledged) {
            plan.setStatus(IncidentStatus.ACKNOWLEDGED.name());
            plan.setAcknowledgedAt(at);
            cancelSteps(changes, Planner::escalation); // a role is still to be taken
            news(changes, MessageKind.ACKNOWLEDGED, event, now);
        } else if (payload instanceof IncidentUnacknowledged) {
            plan.setStatus(IncidentStatus.TRIGGERED.name());
            plan.setAcknowledgedAt(null);
        } else if (payload instanceof IncidentResolved) {
            plan.setStatus(IncidentStatus.RESOLVED.name());
            plan.setResolvedAt(at);
            cancelSteps(changes);
            news(changes, MessageKind.RESOLVED, event, now);
        } else if (payload instanceof IncidentReopened) {
            plan.setStatus(IncidentStatus.TRIGGERED.name());
            plan.setAcknowledgedAt(null);
            plan.setResolvedAt(null);
            news(changes, MessageKind.REOPENED, event, now);
        } else if (payload instanceof SeverityChanged changed) {
            plan.setSeverity(changed.getTo().name());
            news(changes, MessageKind.SEVERITY_CHANGED, event, now);
        } else if (payload instanceof StatusUpdatePosted) {
            news(changes, MessageKind.STATUS_UPDATE, event, now);
        } else if (payload instanceof ReviewRequired) {
            news(changes, MessageKind.REVIEW_REQUIRED, event, now);
        } else if (payload instanceof PublicUpdateMissed missed && fresh(event, now)) {
            changes.sends().addAll(PublicUpdateReminders.sends(event, missed, plan));
        } else if (payload instanceof IncidentSnoozed) {
            cancelSteps(changes, Planner::escalation); // escalation-stream pages again when the snooze ends
        } else if (payload instanceof IncidentMerged) {
            cancelSteps(changes); // a merged incident pages through its target
        } else if (payload instanceof RunbookAttached attached && plan.getRunbooks().size() < MAX_RUNBOOKS
                && plan.getRunbooks().stream().noneMatch(runbook -> runbook.getRunbookId().equals(attached.getRunbookId()))) {
            List<PlannedRunbook> runbooks = new ArrayList<>(plan.getRunbooks());
            runbooks.add(new PlannedRunbook(attached.getRunbookId(), attached.getTitle(), attached.getUrl()));
            plan.setRunbooks(runbooks);
        } else if (payload instanceof IncidentClosed) {
            plan.setStatus(IncidentStatus.CLOSED.name());
            cancelSteps(changes);
            news(changes, MessageKind.CLOSED, event, now);
        }
        return changes;
    }

    /**
     * A contact step's time came: send it if the step was not sent and the incident still waits for an acknowledgement
     * (a role's page: while the incident is open; taking the role cancelled the step).
     */
    public Changes onDue(NotificationPlan current, Timer timer) {
        Changes changes = Changes.of(current);
        if (current == null) {
            return changes;
        }
        NotificationPlan plan = NotificationPlan.newBuilder(current).build();
        PagePlan page = findPage(plan, timer.eventId(), timer.userId());
        if (page != null && live(plan, page) && timer.step() < page.getSteps().size()
                && page.getSteps().get(timer.step()).getState() == StepState.PENDING) {
            request(changes, page, timer.step(), null);
        }
        return new Changes(plan, changes.sends(), changes.schedule(), changes.cancel());
    }

    /** A delivery ended: pages record it; a failed page brings the user's next contact step forward to now. */
    public Changes onResult(NotificationPlan current, NotificationResult result) {
        if (current == null || !(result.getKind().equals(MessageKind.PAGE.id()) || result.getKind().equals(MessageKind.ROLE_REQUESTED.id()))) {
            return Changes.of(current);
        }
        NotificationPlan plan = NotificationPlan.newBuilder(current).build();
        Changes changes = Changes.of(plan);
        PagePlan page = findPage(plan, result.getEventId(), result.getTarget());
        if (page == null || result.getStep() >= page.getSteps().size()) {
            return changes;
        }
        boolean failed = result.getOutcome() == DeliveryOutcome.FAILED;
        page.getSteps().get(result.getStep()).setState(failed ? StepState.FAILED : StepState.DELIVERED);
        if (failed && live(plan, page)) {
            for (int i = 0; i < page.getSteps().size(); i++) {
                if (page.getSteps().get(i).getState() == StepState.PENDING) {
                    changes.cancel().add(timer(plan, page, i));
                    request(changes, page, i, null);
                    break;
                }
            }
        }
        return changes;
    }

    /** Pages the targets' users: for the escalation ({@code role} null) or to take {@code role}. */
    private void page(Changes changes, IncidentEvent event, List<EscalationTarget> targets, int level, String role, Instant now) {
        NotificationPlan plan = changes.plan();
        for (EscalationTarget target : targets) {
            for (ContactPlan contact : target.getPlans()) {
                // A user paged again for the same (next round, reassignment, the role's next request) follows the new
                // page; the old one's steps stop. An escalation page and a role's run side by side.
                Predicate<PagePlan> same = old -> old.getUserId().equals(contact.getUserId()) && Objects.equals(old.getRole(), role);
                for (PagePlan old : plan.getPages()) {
                    if (same.test(old)) {
                        cancelSteps(changes, old);
                    }
                }
                // Avro's arrays cannot remove through an iterator: the plan gets a new list without the user's old page.
                plan.setPages(new ArrayList<>(plan.getPages().stream().filter(same.negate()).toList()));
                List<PlannedStep> steps = new ArrayList<>();
                for (ContactStep step : contact.getSteps()) {
                    steps.add(new PlannedStep(step.getContactType(), step.getDelayMinutes(), StepState.PENDING));
                }
                PagePlan page = new PagePlan(event.getEventId(), contact.getUserId(), level, event.getTimestamp(), steps, role);
                plan.getPages().add(page);
                for (int i = 0; i < steps.size(); i++) {
                    Timer timer = timer(plan, page, i);
                    // Immediate steps go now even if the event's clock runs a little ahead of ours.
                    if (steps.get(i).getDelayMinutes() > 0 && timer.at().isAfter(now)) {
                        changes.schedule().add(timer);
                    } else {
                        request(changes, page, i, event);
                    }
                }
            }
        }
    }

    private static void request(Changes changes, PagePlan page, int step, IncidentEvent pageEvent) {
        PlannedStep planned = page.getSteps().get(step);
        planned.setState(StepState.REQUESTED);
        changes.sends().add(new Send(page.getRole() == null ? MessageKind.PAGE : MessageKind.ROLE_REQUESTED, page.getEventId(),
                pageEvent, page.getUserId(), page.getLevel(), step, planned.getContactType()));
    }

    private static void cancelSteps(Changes changes) {
        cancelSteps(changes, page -> true);
    }

    private static void cancelSteps(Changes changes, Predicate<PagePlan> which) {
        for (PagePlan page : changes.plan().getPages()) {
            if (which.test(page)) {
                cancelSteps(changes, page);
            }
        }
    }

    private static boolean escalation(PagePlan page) {
        return page.getRole() == null;
    }

    /** Whether a page still runs: an escalation's while the incident is triggered, a role's while it is open. */
    private static boolean live(NotificationPlan plan, PagePlan page) {
        return escalation(page) ? triggered(plan) : open(plan);
    }

    private static boolean open(NotificationPlan plan) {
        return triggered(plan) || plan.getStatus().equals(IncidentStatus.ACKNOWLEDGED.name());
    }

    private static void cancelSteps(Changes changes, PagePlan page) {
        for (int i = 0; i < page.getSteps().size(); i++) {
            PlannedStep step = page.getSteps().get(i);
            if (step.getState() == StepState.PENDING) {
                step.setState(StepState.CANCELLED);
                changes.cancel().add(timer(changes.plan(), page, i));
            }
        }
    }

    private Changes news(Changes changes, MessageKind kind, IncidentEvent event, Instant now) {
        if (fresh(event, now)) {
            changes.sends().add(Send.news(kind, event));
        }
        return changes;
    }

    /** Recent enough to send for: not older than the max event age. */
    public boolean fresh(IncidentEvent event, Instant now) {
        return !event.getTimestamp().plus(maxEventAge).isBefore(now);
    }

    private static boolean triggered(NotificationPlan plan) {
        return plan.getStatus().equals(IncidentStatus.TRIGGERED.name());
    }

    private static Timer timer(NotificationPlan plan, PagePlan page, int step) {
        return new Timer(page.getPagedAt().plus(Duration.ofMinutes(page.getSteps().get(step).getDelayMinutes())),
                plan.getIncidentId(), page.getEventId(), page.getUserId(), step);
    }

    static PagePlan findPage(NotificationPlan plan, String eventId, String userId) {
        for (PagePlan page : plan.getPages()) {
            if (page.getEventId().equals(eventId) && Objects.equals(page.getUserId(), userId)) {
                return page;
            }
        }
        return null;
    }
}
