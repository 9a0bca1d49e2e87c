package dev.incidentengine.incident.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

import dev.incidentengine.model.AcknowledgeIncident;
import dev.incidentengine.model.ActionItem;
import dev.incidentengine.model.ActionItemAdded;
import dev.incidentengine.model.ActionItemCompleted;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AddActionItem;
import dev.incidentengine.model.AddNote;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertResolved;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.AssignIncident;
import dev.incidentengine.model.AssignRole;
import dev.incidentengine.model.AttachRunbook;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.AttachedAlert;
import dev.incidentengine.model.ChangeSeverity;
import dev.incidentengine.model.CloseIncident;
import dev.incidentengine.model.CommandRejected;
import dev.incidentengine.model.CompleteActionItem;
import dev.incidentengine.model.EscalateIncident;
import dev.incidentengine.model.EscalationExhausted;
import dev.incidentengine.model.ExpireAcknowledgement;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentAssigned;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentFlapping;
import dev.incidentengine.model.IncidentMerged;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentPublished;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentSnoozed;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.IncidentUnacknowledged;
import dev.incidentengine.model.LinkTicket;
import dev.incidentengine.model.LinkWarRoom;
import dev.incidentengine.model.MarkRunbookStep;
import dev.incidentengine.model.MergeIncident;
import dev.incidentengine.model.NoteAdded;
import dev.incidentengine.model.PostPublicUpdate;
import dev.incidentengine.model.PostStatusUpdate;
import dev.incidentengine.model.Publication;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.PublicUpdateMissed;
import dev.incidentengine.model.PublicUpdatePosted;
import dev.incidentengine.model.PublishIncident;
import dev.incidentengine.model.PublishReview;
import dev.incidentengine.model.RecordEscalationExhausted;
import dev.incidentengine.model.RecordPublicUpdateMissed;
import dev.incidentengine.model.RecordWarRoomArchived;
import dev.incidentengine.model.RequestRole;
import dev.incidentengine.model.SetIncidentType;
import dev.incidentengine.model.ReopenIncident;
import dev.incidentengine.model.RequireReview;
import dev.incidentengine.model.ResolveAlert;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.model.ReviewPublished;
import dev.incidentengine.model.TicketLinked;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.model.ReviewRequired;
import dev.incidentengine.model.ReviewStatus;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.SnoozeIncident;
import dev.incidentengine.model.StatusUpdatePosted;

import static dev.incidentengine.model.IncidentStatus.ACKNOWLEDGED;
import static dev.incidentengine.model.IncidentStatus.CLOSED;
import static dev.incidentengine.model.IncidentStatus.RESOLVED;
import static dev.incidentengine.model.IncidentStatus.TRIGGERED;

/**
 * The incident aggregate as two pure functions. {@link #decide} turns a command and the current
 * state into events (none when nothing would change; {@code CommandRejected} with a reason when
 * the command is not allowed); {@link #evolve} folds one event into the state, so folding an
 * incident's log from the start rebuilds it exactly.
 */
public final class IncidentLifecycle {

    /** Enough for any real review; the bound keeps an incident's state small. */
    static final int MAX_ACTION_ITEMS = 100;
    /** Notes and status updates an incident takes: far beyond a real incident, a bound on what a script can pile up. */
    static final int MAX_NOTES = 1_000;
    static final int MAX_STATUS_UPDATES = 500;
    /** Alerts the state itself carries (the first attached); the rest live beside it, see {@link AttachedAlerts}. */
    public static final int ALERT_SAMPLE = 20;

    /** Public text: a title as long as Statuspage's, messages far beyond a real update, components beyond a real page. */
    public static final int MAX_PUBLIC_TITLE = 200;
    public static final int MAX_PUBLIC_MESSAGE = 5_000;
    public static final int MAX_PUBLIC_COMPONENTS = 50;
    static final int MAX_PUBLIC_UPDATES = 500;

    private final LifecyclePolicy policy;
    private final Supplier<PublicationRules> statusPage;
    private final ResponseProcess responseProcess;

    /** A lifecycle without a status page (nothing can be published) and with the default response process. */
    public IncidentLifecycle(LifecyclePolicy policy) {
        this(policy, () -> PublicationRules.NONE, () -> ResponseRules.DEFAULT);
    }

    /**
     * @param statusPage the status page as configured now (it changes live), for decide only: what can be published,
     *        what publishes itself, its templates, and the cadences a publication takes along (evolve reads the log alone)
     * @param response the response process as configured now (roles, types, runbooks, tiers), for decide only: what an
     *        incident opens with is written into its events
     */
    public IncidentLifecycle(LifecyclePolicy policy, Supplier<PublicationRules> statusPage, Supplier<ResponseRules> response) {
        this.policy = policy;
        this.statusPage = statusPage;
        this.responseProcess = new ResponseProcess(response);
    }

    /**
     * The events of a command, the state they fold into (null while no incident exists) and the
     * attached alerts they changed, by fingerprint (as the incident holds each after the events).
     */
    public record Decided(List<IncidentEvent> events, IncidentState state, Map<String, AttachedAlert> alerts) {
    }

    /**
     * @param state the incident as it is, or null when no incident of that id exists
     * @param alerts the incident's attached alerts, looked up one at a time
     */
    public List<IncidentEvent> decide(IncidentCommand command, IncidentState state, AttachedAlerts alerts) {
        return decideAndFold(command, state, alerts).events();
    }

    /** {@link #decide}, plus the state and alerts after its events, folded while deciding (so callers need not fold again). */
    public Decided decideAndFold(IncidentCommand command, IncidentState state, AttachedAlerts alerts) {
        Decision decision = new Decision(command, state, alerts);
        if (state == null || !state.getProcessedCommandIds().contains(command.getCommandId())) {
            run(decision, command, state);
        }
        return new Decided(decision.events, decision.state, decision.changedAlerts);
    }

    private void run(Decision decision, IncidentCommand command, IncidentState state) {
        if (command.getExpectedVersion() != null && command.getExpectedVersion() != version(state)) {
            decision.reject("stale version: expected " + command.getExpectedVersion() + " but the incident is at " + version(state));
            return;
        }
        Object payload = command.getPayload();
        // Only correlation opens incidents: a firing alert with its correlation key. An alert moving
        // with a merge has none, so a merge into an id that does not exist opens nothing.
        if (state == null && !(payload instanceof AttachAlert attach && attach.getAlert().getStatus() == AlertStatus.FIRING
                && attach.getCorrelationKey() != null)) {
            decision.reject("unknown incident " + command.getIncidentId());
            return;
        }
        if (payload instanceof AttachAlert attach) {
            attachAlert(decision, attach);
        } else if (payload instanceof ResolveAlert resolve) {
            alertResolved(decision, resolve.getFingerprint(), resolve.getEndedAt());
        } else if (payload instanceof AcknowledgeIncident ack) {
            acknowledge(decision, ack.getMessage());
        } else if (payload instanceof EscalateIncident escalate) {
            escalate(decision, escalate);
        } else if (payload instanceof AssignIncident assign) {
            assign(decision, assign);
        } else if (payload instanceof ChangeSeverity change) {
            changeSeverity(decision, change);
        } else if (payload instanceof AddNote note) {
            addNote(decision, note);
        } else if (payload instanceof PostStatusUpdate update) {
            postStatusUpdate(decision, update);
        } else if (payload instanceof SnoozeIncident snooze) {
            snooze(decision, snooze);
        } else if (payload instanceof ResolveIncident resolve) {
            resolve(decision, resolve.getResolution());
        } else if (payload instanceof ReopenIncident reopen) {
            reopen(decision, reopen.getReason());
        } else if (payload instanceof MergeIncident merge) {
            merge(decision, merge);
        } else if (payload instanceof CloseIncident close) {
            close(decision, close);
        } else if (payload instanceof ExpireAcknowledgement expire) {
            expireAcknowledgement(decision, expire);
        } else if (payload instanceof RecordEscalationExhausted exhausted) {
            escalationExhausted(decision, exhausted);
        } else if (payload instanceof RequireReview require) {
            requireReview(decision, require);
        } else if (payload instanceof AddActionItem add) {
            addActionItem(decision, add);
        } else if (payload instanceof CompleteActionItem complete) {
            completeActionItem(decision, complete);
        } else if (payload instanceof PublishReview publish) {
            publishReview(decision, publish);
        } else if (payload instanceof PublishIncident publish) {
            publish(decision, publish);
        } else if (payload instanceof PostPublicUpdate update) {
            postPublicUpdate(decision, update);
        } else if (payload instanceof RecordPublicUpdateMissed missed) {
            publicUpdateMissed(decision, missed);
        } else if (payload instanceof LinkTicket link) {
            linkTicket(decision, link.getTicket());
        } else if (payload instanceof AssignRole assign) {
            responseProcess.assignRole(decision, assign);
        } else if (payload instanceof RequestRole request) {
            responseProcess.requestRole(decision, request);
        } else if (payload instanceof SetIncidentType type) {
            responseProcess.setType(decision, type);
        } else if (payload instanceof AttachRunbook attach) {
            responseProcess.attachRunbook(decision, attach);
        } else if (payload instanceof MarkRunbookStep mark) {
            responseProcess.markStep(decision, mark);
        } else if (payload instanceof LinkWarRoom link) {
            responseProcess.linkWarRoom(decision, link);
        } else if (payload instanceof RecordWarRoomArchived archived) {
            responseProcess.warRoomArchived(decision, archived);
        } else {
            decision.reject("unknown command " + payload.getClass().getSimpleName());
        }
        publicationFollowsIncident(decision);
        reviewBySeverity(decision);
    }

    private void attachAlert(Decision decision, AttachAlert attach) {
        Alert alert = attach.getAlert();
        switch (alert.getStatus()) {
            case RESOLVED -> alertResolved(decision, alert.getFingerprint(),
                    alert.getEndsAt() != null ? alert.getEndsAt() : alert.getReceivedAt());
            case ACKNOWLEDGED -> {
                if (decision.alert(alert.getFingerprint()) != null) {
                    acknowledge(decision, "acknowledged by " + alert.getSource());
                }
            }
            default -> {
                if (decision.state == null) {
                    responseProcess.open(decision, attach);
                    return;
                }
                IncidentStatus status = decision.state.getStatus();
                if (status == CLOSED || decision.state.getMergedInto() != null) {
                    decision.reject("incident is closed; the alert belongs to a new incident");
                    return;
                }
                AttachedAlert attached = decision.alert(alert.getFingerprint());
                boolean alreadyFiring = attached != null && attached.getStatus() == AlertStatus.FIRING;
                if (status == RESOLVED) {
                    if (decision.now().isAfter(decision.state.getResolvedAt().plus(policy.reopenWindow()))) {
                        decision.reject("resolved more than " + policy.reopenWindow() + " ago; the alert belongs to a new incident");
                        return;
                    }
                    reopen(decision, "alert " + alert.getFingerprint() + (attached == null ? " fired" : " fired again"));
                } else if (alreadyFiring && attached.getSeverity() == alert.getSeverity()) {
                    return;
                }
                decision.emit(new AlertAttached(alert));
                raiseSeverity(decision, alert);
            }
        }
    }

    private void raiseSeverity(Decision decision, Alert alert) {
        Severity current = decision.state.getSeverity();
        if (!decision.state.getSeveritySetByPerson() && alert.getSeverity().ordinal() < current.ordinal()) {
            decision.emit(new SeverityChanged(current, alert.getSeverity(), "alert " + alert.getFingerprint(), false));
        }
    }

    private void alertResolved(Decision decision, String fingerprint, Instant endedAt) {
        AttachedAlert attached = decision.alert(fingerprint);
        // A closed incident is final: an alert it still held may resolve later, and that is no news to it.
        if (attached == null || attached.getStatus() != AlertStatus.FIRING || decision.state.getStatus() == CLOSED) {
            return;
        }
        decision.emit(new AlertResolved(fingerprint, endedAt));
        // With a settle time the incident resolves later, by IncidentTimers, if no alert fires meanwhile.
        if (policy.resolveSettle().isZero() && autoResolves(decision.state)) {
            decision.emit(new IncidentResolved(ALL_ALERTS_RESOLVED));
        }
    }

    public static final String ALL_ALERTS_RESOLVED = "all alerts resolved";

    /**
     * Whether the incident should resolve now that none of its alerts fires: it is open, resolves with
     * its alerts, and is not flapping (a flapping incident resolves only once it has been quiet).
     */
    static boolean autoResolves(IncidentState state) {
        return isOpen(state) && state.getAutoResolve() && !state.getFlapping() && state.getAlertCount() > 0
                && state.getFiringAlertCount() == 0;
    }

    private void acknowledge(Decision decision, String message) {
        switch (decision.state.getStatus()) {
            case TRIGGERED -> decision.emit(new IncidentAcknowledged(message));
            case ACKNOWLEDGED -> { }
            default -> decision.reject("cannot acknowledge a " + decision.state.getStatus().name().toLowerCase() + " incident");
        }
    }

    /** The escalation policy's acknowledgement timeout ran out before anybody resolved the incident. */
    private void expireAcknowledgement(Decision decision, ExpireAcknowledgement expire) {
        if (decision.state.getStatus() != ACKNOWLEDGED) {
            decision.reject("only acknowledged incidents can have their acknowledgement expire; this one is "
                    + decision.state.getStatus().name().toLowerCase());
            return;
        }
        decision.emit(new IncidentUnacknowledged(expire.getReason()));
    }

    private void escalationExhausted(Decision decision, RecordEscalationExhausted exhausted) {
        if (decision.state.getStatus() != TRIGGERED) {
            decision.reject("only triggered incidents exhaust their escalation; this one is "
                    + decision.state.getStatus().name().toLowerCase());
            return;
        }
        decision.emit(new EscalationExhausted(exhausted.getPolicyId(), exhausted.getRounds()));
    }

    private void escalate(Decision decision, EscalateIncident escalate) {
        if (decision.state.getStatus() != TRIGGERED) {
            decision.reject("only triggered incidents escalate; this one is " + decision.state.getStatus().name().toLowerCase());
            return;
        }
        decision.emit(new IncidentEscalated(escalate.getPolicyId(), escalate.getLevel(), escalate.getRound(), escalate.getTargets()));
    }

    private void assign(Decision decision, AssignIncident assign) {
        if (!isOpen(decision.state)) {
            decision.reject("cannot assign a " + decision.state.getStatus().name().toLowerCase() + " incident");
            return;
        }
        if (assign.getUserId() == null && assign.getEscalationPolicyId() == null) {
            decision.reject("assign needs a user or an escalation policy");
            return;
        }
        boolean sameUser = assign.getUserId() == null || assign.getUserId().equals(decision.state.getAssigneeUserId());
        boolean samePolicy = assign.getEscalationPolicyId() == null
                || assign.getEscalationPolicyId().equals(decision.state.getEscalationPolicyId());
        if (!(sameUser && samePolicy)) {
            decision.emit(new IncidentAssigned(assign.getUserId(), assign.getEscalationPolicyId()));
        }
    }

    private void changeSeverity(Decision decision, ChangeSeverity change) {
        if (decision.state.getStatus() == CLOSED) {
            decision.reject("cannot change the severity of a closed incident");
            return;
        }
        if (change.getSeverity() != decision.state.getSeverity()) {
            decision.emit(new SeverityChanged(decision.state.getSeverity(), change.getSeverity(), change.getReason(),
                    decision.command.getActor().getType() == ActorType.USER));
        }
    }

    private void addNote(Decision decision, AddNote note) {
        if (note.getText().isBlank()) {
            decision.reject("a note needs text");
        } else if (decision.state.getNoteCount() >= MAX_NOTES) {
            decision.reject("an incident holds at most " + MAX_NOTES + " notes");
        } else {
            decision.emit(new NoteAdded(note.getText()));
        }
    }

    private void postStatusUpdate(Decision decision, PostStatusUpdate update) {
        if (update.getMessage().isBlank()) {
            decision.reject("a status update needs a message");
        } else if (decision.state.getStatusUpdateCount() >= MAX_STATUS_UPDATES) {
            decision.reject("an incident holds at most " + MAX_STATUS_UPDATES + " status updates");
        } else if (decision.state.getStatus() == CLOSED) {
            decision.reject("cannot post a status update on a closed incident");
        } else {
            decision.emit(new StatusUpdatePosted(update.getMessage()));
        }
    }

    private void snooze(Decision decision, SnoozeIncident snooze) {
        if (!isOpen(decision.state)) {
            decision.reject("cannot snooze a " + decision.state.getStatus().name().toLowerCase() + " incident");
        } else if (!snooze.getUntil().isAfter(decision.now())) {
            decision.reject("snooze until " + snooze.getUntil() + " is not in the future");
        } else if (!snooze.getUntil().equals(decision.state.getSnoozedUntil())) {
            decision.emit(new IncidentSnoozed(snooze.getUntil()));
        }
    }

    private void resolve(Decision decision, String resolution) {
        switch (decision.state.getStatus()) {
            case TRIGGERED, ACKNOWLEDGED -> decision.emit(new IncidentResolved(resolution));
            case RESOLVED -> { }
            default -> decision.reject("cannot resolve a closed incident");
        }
    }

    private void reopen(Decision decision, String reason) {
        switch (decision.state.getStatus()) {
            case RESOLVED -> {
                if (decision.state.getMergedInto() != null) {
                    decision.reject("merged into " + decision.state.getMergedInto() + "; reopen that one");
                    return;
                }
                Instant since = decision.now().minus(policy.flapWindow());
                long recentReopens = decision.state.getReopenedAt().stream().filter(at -> at.isAfter(since)).count();
                if (!decision.state.getFlapping() && recentReopens + 1 > policy.flapReopens()) {
                    decision.emit(new IncidentFlapping(true));
                }
                decision.emit(new IncidentReopened(reason));
            }
            case TRIGGERED, ACKNOWLEDGED -> { }
            default -> decision.reject("cannot reopen a closed incident");
        }
    }

    private void merge(Decision decision, MergeIncident merge) {
        if (merge.getTargetIncidentId().equals(decision.state.getIncidentId())) {
            decision.reject("cannot merge an incident into itself");
        } else if (decision.state.getStatus() == CLOSED || decision.state.getMergedInto() != null) {
            decision.reject("cannot merge a closed or already merged incident");
        } else {
            decision.emit(new IncidentMerged(merge.getTargetIncidentId()));
        }
    }

    private void close(Decision decision, CloseIncident close) {
        switch (decision.state.getStatus()) {
            case RESOLVED -> decision.emit(new IncidentClosed(close.getReason()));
            case CLOSED -> { }
            default -> decision.reject("resolve the incident before closing it");
        }
    }

    /**
     * A SEV0 or SEV1 incident that resolves (or is raised to that severity once resolved) needs a
     * review, due after the policy's time; a SEV2 gets one recommended. A merged incident's review
     * is the surviving incident's.
     */
    private void reviewBySeverity(Decision decision) {
        IncidentState state = decision.state;
        boolean resolvedOrRaised = decision.events.stream()
                .anyMatch(event -> event.getPayload() instanceof IncidentResolved || event.getPayload() instanceof SeverityChanged);
        if (!resolvedOrRaised || !isOver(state) || state.getMergedInto() != null) {
            return;
        }
        boolean required = state.getSeverity().ordinal() <= Severity.SEV1.ordinal();
        ReviewStatus review = state.getReview();
        if (state.getSeverity().ordinal() > Severity.SEV2.ordinal()
                || review != null && (review.getPublishedAt() != null || review.getRequired() || !required)) {
            return;
        }
        decision.emit(new ReviewRequired(required, decision.now().plus(policy.reviewDue()),
                state.getSeverity() + (required ? " incidents are reviewed" : " incidents are worth a review")));
    }

    private void requireReview(Decision decision, RequireReview require) {
        IncidentState state = decision.state;
        ReviewStatus review = state.getReview();
        Instant due = require.getDueAt() != null ? require.getDueAt() : decision.now().plus(policy.reviewDue());
        if (refuseReviewWork(decision)) {
            return;
        }
        if (!isOver(state)) {
            decision.reject("resolve the incident first: reviews follow resolution");
        } else if (review != null && review.getPublishedAt() != null) {
            decision.reject("the review is already published: " + review.getUrl());
        } else if (!due.isAfter(decision.now())) {
            decision.reject("due " + due + " is not in the future");
        } else if (review == null || !review.getRequired() || require.getDueAt() != null && !due.equals(review.getDueAt())) {
            decision.emit(new ReviewRequired(true, due, require.getReason()));
        }
    }

    private void addActionItem(Decision decision, AddActionItem add) {
        List<ActionItem> items = decision.state.getActionItems();
        if (refuseReviewWork(decision)) {
            return;
        }
        if (add.getTitle().isBlank() || add.getOwner().isBlank()) {
            decision.reject("an action item needs a title and an owner");
        } else if (!add.getDueAt().isAfter(decision.now())) {
            decision.reject("due " + add.getDueAt() + " is not in the future");
        } else if (items.size() >= MAX_ACTION_ITEMS) {
            decision.reject("an incident holds at most " + MAX_ACTION_ITEMS + " action items");
        } else {
            decision.emit(new ActionItemAdded("AI-" + (items.size() + 1), add.getTitle(), add.getOwner(), add.getDueAt(),
                    add.getPriority(), add.getLink()));
        }
    }

    private void completeActionItem(Decision decision, CompleteActionItem complete) {
        ActionItem item = decision.state.getActionItems().stream()
                .filter(candidate -> candidate.getActionItemId().equals(complete.getActionItemId())).findFirst().orElse(null);
        if (item == null) {
            decision.reject("no action item " + complete.getActionItemId() + " (known: "
                    + decision.state.getActionItems().stream().map(ActionItem::getActionItemId).toList() + ")");
        } else if (item.getCompletedAt() == null) {
            decision.emit(new ActionItemCompleted(item.getActionItemId()));
        }
    }

    private void publishReview(Decision decision, PublishReview publish) {
        ReviewStatus review = decision.state.getReview();
        if (refuseReviewWork(decision)) {
            return;
        }
        if (!isOver(decision.state)) {
            decision.reject("resolve the incident first: reviews follow resolution");
        } else if (publish.getUrl().isBlank()) {
            decision.reject("a published review needs its link");
        } else if (review == null || !publish.getUrl().equals(review.getUrl())) {
            decision.emit(new ReviewPublished(publish.getUrl()));
        }
    }

    /**
     * A ticketing connector made or found a ticket. Linking the same ticket again changes nothing (a connector retried), so it
     * is not refused either. Any state: action items' tickets come after resolution, and a closed incident's ticket is still
     * worth a link.
     */
    private void linkTicket(Decision decision, TicketRef ticket) {
        String invalid = Tickets.invalid(ticket);
        if (invalid != null) {
            decision.reject(invalid);
        } else if (ticket.getActionItemId() != null && decision.state.getActionItems().stream()
                .noneMatch(item -> item.getActionItemId().equals(ticket.getActionItemId()))) {
            decision.reject("no action item " + ticket.getActionItemId());
        } else if (decision.state.getTickets().stream().anyMatch(linked -> Tickets.same(linked, ticket))) {
            return;
        } else if (decision.state.getTickets().size() >= Tickets.MAX_PER_INCIDENT) {
            decision.reject("the incident has " + Tickets.MAX_PER_INCIDENT + " tickets, the most it may have");
        } else {
            decision.emit(new TicketLinked(ticket));
        }
    }

    /** A merged incident's review and follow-ups belong to the incident it merged into. */
    private static boolean refuseReviewWork(Decision decision) {
        if (decision.state.getMergedInto() != null) {
            decision.reject("merged into " + decision.state.getMergedInto() + "; review that one");
            return true;
        }
        return false;
    }

    private void publish(Decision decision, PublishIncident publish) {
        IncidentState state = decision.state;
        PublicationRules page = statusPage.get();
        if (state.getPublication() != null) {
            decision.reject("already published: post a public update instead");
        } else if (state.getDrill() != null) {
            decision.reject("a drill is never shown on the status page");
        } else if (!page.exists()) {
            decision.reject("no status page is configured");
        } else if (state.getMergedInto() != null) {
            decision.reject("merged into " + state.getMergedInto() + "; publish that one");
        } else if (publish.getStatus() == PublicIncidentStatus.POSTMORTEM) {
            decision.reject("a publication starts investigating, identified, monitoring or resolved; the postmortem follows it");
        } else if (isOver(state) && publish.getStatus() != PublicIncidentStatus.RESOLVED) {
            decision.reject("the incident is " + state.getStatus().name().toLowerCase() + ": publish it with status resolved");
        } else if (!refusePublicText(decision, page, publish.getTitle(), publish.getMessage(), publish.getComponents())) {
            String title = publish.getTitle().strip();
            String message = publish.getMessage() != null ? publish.getMessage().strip()
                    : publish.getStatus() == PublicIncidentStatus.RESOLVED
                    ? page.resolutionText(state.getService(), title, publish.getComponents(), publish.getImpact(), state.getSeverity())
                    : page.initialText(state.getService(), title, publish.getComponents(), publish.getImpact(), state.getSeverity());
            decision.emit(new IncidentPublished(updateId(state, 1), title, publish.getImpact(), List.copyOf(publish.getComponents()),
                    publish.getStatus(), message, state.getSeverity(), false, page.cadences()));
        }
    }

    /**
     * An update moves a publication the way Statuspage's do: once resolved, only its postmortem or a reopening
     * status (investigating, identified, monitoring) follows; a resolved update without a message gets the
     * resolution template, any other needs one.
     */
    private void postPublicUpdate(Decision decision, PostPublicUpdate update) {
        Publication publication = decision.state.getPublication();
        PublicationRules page = statusPage.get();
        if (publication == null) {
            decision.reject("not published: publish the incident first");
            return;
        }
        PublicIncidentStatus current = publication.getStatus();
        PublicIncidentStatus next = update.getStatus();
        if (publication.getUpdates() >= MAX_PUBLIC_UPDATES) {
            decision.reject("a publication holds at most " + MAX_PUBLIC_UPDATES + " public updates");
        } else if (next == PublicIncidentStatus.POSTMORTEM && current != PublicIncidentStatus.RESOLVED) {
            decision.reject(current == PublicIncidentStatus.POSTMORTEM ? "the postmortem is already posted"
                    : "the postmortem follows the resolution: post a resolved update first");
        } else if (next == PublicIncidentStatus.RESOLVED && !publiclyOpen(publication)) {
            decision.reject("already resolved: post the postmortem, or reopen it as investigating, identified or monitoring");
        } else if (update.getMessage() == null && next != PublicIncidentStatus.RESOLVED) {
            decision.reject("a public update needs a message (only a resolved one may use the resolution template)");
        } else if (!refusePublicText(decision, page, publication.getTitle(), update.getMessage(), update.getComponents())) {
            PublicImpact impact = update.getImpact() != null ? update.getImpact() : publication.getImpact();
            List<String> components = update.getComponents() != null ? List.copyOf(update.getComponents()) : publication.getComponents();
            String message = update.getMessage() != null ? update.getMessage().strip()
                    : page.resolutionText(decision.state.getService(), publication.getTitle(), components, impact, decision.state.getSeverity());
            decision.emit(new PublicUpdatePosted(updateId(decision.state, publication.getUpdates() + 1), next, message,
                    publication.getTitle(), impact, components, false));
        }
    }

    private static void publicUpdateMissed(Decision decision, RecordPublicUpdateMissed missed) {
        Publication publication = decision.state.getPublication();
        if (publication == null || publication.getNextUpdateDueAt() == null || !publication.getNextUpdateDueAt().equals(missed.getDueAt())) {
            decision.reject("no public update was due at " + missed.getDueAt());
        } else {
            decision.emit(new PublicUpdateMissed(missed.getDueAt(), publication.getLastUpdateAt(), decision.state.getAssigneeUserId()));
        }
    }

    /**
     * What the status page hears of the incident itself: a published incident that resolves, merges or closes
     * while still open on the page gets the resolution template; an open incident that opens with (or is raised
     * to) a severity the page publishes, on a service one of its components covers, is published with the
     * initial template. The automatic title names the components, never the internal title (alert summaries name
     * hosts and internals).
     */
    private void publicationFollowsIncident(Decision decision) {
        IncidentState state = decision.state;
        if (state == null) {
            return;
        }
        Publication publication = state.getPublication();
        boolean ended = decision.events.stream().map(IncidentEvent::getPayload)
                .anyMatch(p -> p instanceof IncidentResolved || p instanceof IncidentMerged || p instanceof IncidentClosed);
        if (publication != null && ended && publiclyOpen(publication)) {
            PublicationRules page = statusPage.get();
            decision.emit(new PublicUpdatePosted(updateId(state, publication.getUpdates() + 1), PublicIncidentStatus.RESOLVED,
                    page.resolutionText(state.getService(), publication.getTitle(), publication.getComponents(),
                            publication.getImpact(), state.getSeverity()),
                    publication.getTitle(), publication.getImpact(), publication.getComponents(), true));
            return;
        }
        boolean openedOrRaised = decision.events.stream().map(IncidentEvent::getPayload)
                .anyMatch(p -> p instanceof IncidentOpened || p instanceof SeverityChanged);
        PublicationRules page = statusPage.get();
        if (publication != null || !openedOrRaised || !isOpen(state) || state.getDrill() != null || !page.autoPublishes(state.getSeverity())) {
            return;
        }
        List<String> components = page.componentsOf(state.getService());
        if (components.isEmpty() || components.size() > MAX_PUBLIC_COMPONENTS) {
            return;
        }
        PublicImpact impact = PublicationRules.impactOf(state.getSeverity());
        String title = PublicationRules.truncate("Investigating issues with " + page.names(components), MAX_PUBLIC_TITLE);
        decision.emit(new IncidentPublished(updateId(state, 1), title, impact, components, PublicIncidentStatus.INVESTIGATING,
                page.initialText(state.getService(), title, components, impact, state.getSeverity()), state.getSeverity(), true,
                page.cadences()));
    }

    /** Refuses public text over the limits or components not on the page; null message or components: unchanged. */
    private static boolean refusePublicText(Decision decision, PublicationRules page, String title, String message, List<String> components) {
        String reason = null;
        if (title.isBlank()) {
            reason = "a publication needs a public title";
        } else if (title.strip().length() > MAX_PUBLIC_TITLE) {
            reason = "a public title is at most " + MAX_PUBLIC_TITLE + " characters (got " + title.strip().length() + ")";
        } else if (message != null && message.isBlank()) {
            reason = "a public message cannot be blank";
        } else if (message != null && message.strip().length() > MAX_PUBLIC_MESSAGE) {
            reason = "a public message is at most " + MAX_PUBLIC_MESSAGE + " characters (got " + message.strip().length() + ")";
        } else if (components != null) {
            reason = page.refuseComponents(components, MAX_PUBLIC_COMPONENTS);
        }
        if (reason != null) {
            decision.reject(reason);
        }
        return reason != null;
    }

    /** Public update ids are unique across incidents: the status page keys them. */
    private static String updateId(IncidentState state, int number) {
        return state.getIncidentId() + "-U" + number;
    }

    private static boolean publiclyOpen(Publication publication) {
        return publication.getStatus() != PublicIncidentStatus.RESOLVED && publication.getStatus() != PublicIncidentStatus.POSTMORTEM;
    }

    /**
     * When the next public update is due: one cadence of the severity after {@code from}, by the cadences the
     * publication was published with (so the fold needs nothing but the log); null once resolved or without a cadence.
     */
    private static Instant nextUpdateDue(Publication publication, PublicIncidentStatus status, Severity severity, Instant from) {
        if (status == PublicIncidentStatus.RESOLVED || status == PublicIncidentStatus.POSTMORTEM) {
            return null;
        }
        Integer minutes = publication.getUpdateEveryMinutes().get(severity.name());
        return minutes == null || minutes <= 0 ? null : from.plus(Duration.ofMinutes(minutes));
    }

    /** The fingerprint of the alert an event attaches or resolves; null for other events. */
    public static String fingerprint(IncidentEvent event) {
        if (event.getPayload() instanceof AlertAttached attached) {
            return attached.getAlert().getFingerprint();
        }
        return event.getPayload() instanceof AlertResolved resolved ? resolved.getFingerprint() : null;
    }

    /**
     * The alert as the incident holds it after the event, given how it held it before ({@code
     * previous}, null when not attached); {@code previous} for events that do not touch it.
     */
    public static AttachedAlert alertAfter(IncidentEvent event, AttachedAlert previous) {
        if (event.getPayload() instanceof AlertAttached attached) {
            Alert alert = attached.getAlert();
            return new AttachedAlert(alert.getFingerprint(), AlertStatus.FIRING, alert.getSeverity(), alert.getSummary(),
                    previous != null ? previous.getAttachedAt() : event.getTimestamp(), null);
        }
        if (event.getPayload() instanceof AlertResolved resolved && previous != null) {
            return AttachedAlert.newBuilder(previous).setStatus(AlertStatus.RESOLVED).setResolvedAt(resolved.getEndedAt()).build();
        }
        return previous;
    }

    /** The status after an event with {@code payload}, from {@code before} (null before the incident opened). */
    public static IncidentStatus statusAfter(IncidentStatus before, Object payload) {
        if (payload instanceof IncidentOpened || payload instanceof IncidentReopened || payload instanceof IncidentUnacknowledged) {
            return TRIGGERED;
        }
        if (payload instanceof IncidentAcknowledged) {
            return ACKNOWLEDGED;
        }
        if (payload instanceof IncidentResolved || payload instanceof IncidentMerged) {
            return RESOLVED;
        }
        return payload instanceof IncidentClosed ? CLOSED : before;
    }

    /**
     * Folds one event into the state; {@code state} is null before {@code IncidentOpened}. The
     * alerts live beside the state: {@code alert} is how the incident held the event's alert before
     * it ({@link #fingerprint}; null when not attached or for other events), so that folding an
     * alert costs the same however many the incident holds.
     */
    public IncidentState evolve(IncidentState state, IncidentEvent event, AttachedAlert alert) {
        Object payload = event.getPayload();
        if (payload instanceof IncidentOpened opened) {
            return IncidentState.newBuilder()
                    .setIncidentId(event.getIncidentId())
                    .setVersion(event.getSequence())
                    .setStatus(statusAfter(null, opened))
                    .setSeverity(opened.getSeverity())
                    .setTitle(opened.getTitle())
                    .setService(opened.getService())
                    .setCorrelationKey(opened.getCorrelationKey())
                    .setEscalationPolicyId(opened.getEscalationPolicyId())
                    .setLabels(opened.getLabels())
                    .setAutoResolve(opened.getAutoResolve())
                    .setIncidentType(opened.getIncidentType())
                    .setTier(opened.getTier())
                    .setResponseTargets(opened.getResponseTargets())
                    .setDrill(opened.getDrill())
                    .setOpenedAt(event.getTimestamp())
                    .setProcessedCommandIds(remember(List.of(), event))
                    .build();
        }
        if (state == null) {
            throw new IllegalStateException("Event " + event.getEventId() + " (" + payload.getClass().getSimpleName()
                    + ") for incident " + event.getIncidentId() + " before it was opened");
        }
        List<String> remembered = remember(state.getProcessedCommandIds(), event);
        if (payload instanceof CommandRejected) {
            // A rejection changes no more than the remembered ids, and those only for people's commands.
            if (remembered == state.getProcessedCommandIds()) {
                return state;
            }
            IncidentState next = copyOf(state);
            next.setProcessedCommandIds(remembered);
            return next;
        }
        IncidentState next = copyOf(state);
        next.setProcessedCommandIds(remembered);
        next.setVersion(event.getSequence());
        next.setStatus(statusAfter(state.getStatus(), payload));
        Instant at = event.getTimestamp();
        if (payload instanceof AlertAttached || payload instanceof AlertResolved) {
            foldAlert(state, next, alert, alertAfter(event, alert));
        } else if (payload instanceof IncidentAcknowledged) {
            next.setAcknowledgedAt(state.getAcknowledgedAt() != null ? state.getAcknowledgedAt() : at);
        } else if (payload instanceof IncidentEscalated escalated) {
            next.setEscalationLevel(escalated.getLevel());
            if (escalated.getPolicyId() != null) {
                next.setEscalationPolicyId(escalated.getPolicyId());
            }
        } else if (payload instanceof IncidentAssigned assigned) {
            if (assigned.getUserId() != null) {
                next.setAssigneeUserId(assigned.getUserId());
            }
            if (assigned.getEscalationPolicyId() != null) {
                next.setEscalationPolicyId(assigned.getEscalationPolicyId());
            }
        } else if (payload instanceof SeverityChanged changed) {
            next.setSeverity(changed.getTo());
            next.setSeveritySetByPerson(state.getSeveritySetByPerson() || changed.getByPerson());
            Publication publication = state.getPublication();
            if (publication != null) {
                next.setPublication(Publication.newBuilder(publication).setNextUpdateDueAt(
                        nextUpdateDue(publication, publication.getStatus(), changed.getTo(), publication.getLastUpdateAt())).build());
            }
        } else if (payload instanceof IncidentSnoozed snoozed) {
            next.setSnoozedUntil(snoozed.getUntil());
        } else if (payload instanceof IncidentResolved) {
            next.setResolvedAt(at);
            next.setSnoozedUntil(null);
            next.setFlapping(false);
        } else if (payload instanceof IncidentReopened) {
            List<Instant> reopened = new ArrayList<>(state.getReopenedAt());
            reopened.add(at);
            next.setResolvedAt(null);
            next.setAcknowledgedAt(null);
            next.setSnoozedUntil(null);
            next.setReopenedAt(new ArrayList<>(reopened.subList(Math.max(0, reopened.size() - 20), reopened.size())));
        } else if (payload instanceof IncidentFlapping flapping) {
            next.setFlapping(flapping.getFlapping());
        } else if (payload instanceof IncidentMerged merged) {
            next.setMergedInto(merged.getTargetIncidentId());
            next.setResolvedAt(at);
            next.setSnoozedUntil(null);
        } else if (payload instanceof IncidentUnacknowledged) {
            next.setAcknowledgedAt(null);
        } else if (payload instanceof IncidentClosed) {
            next.setClosedAt(at);
        } else if (payload instanceof ReviewRequired || payload instanceof ReviewPublished) {
            next.setReview(Reviews.review(state.getReview(), payload, at));
        } else if (payload instanceof ActionItemAdded || payload instanceof ActionItemCompleted) {
            next.setActionItems(Reviews.actionItems(state.getActionItems(), payload, at));
        } else if (payload instanceof TicketLinked linked) {
            List<TicketRef> tickets = new ArrayList<>(state.getTickets());
            tickets.add(linked.getTicket());
            next.setTickets(tickets);
        } else if (ResponseProcess.folds(payload)) {
            ResponseProcess.fold(state, next, event);
        } else if (payload instanceof NoteAdded) {
            next.setNoteCount(state.getNoteCount() + 1);
        } else if (payload instanceof StatusUpdatePosted) {
            next.setStatusUpdateCount(state.getStatusUpdateCount() + 1);
        } else if (payload instanceof IncidentPublished published) {
            Publication publication = new Publication(published.getTitle(), published.getImpact(), published.getComponents(),
                    published.getStatus(), at, at, 1, 0, null, published.getUpdateEveryMinutes());
            publication.setNextUpdateDueAt(nextUpdateDue(publication, published.getStatus(), state.getSeverity(), at));
            next.setPublication(publication);
        } else if (payload instanceof PublicUpdatePosted posted) {
            Publication publication = Objects.requireNonNull(state.getPublication(), "a public update before the publication");
            next.setPublication(Publication.newBuilder(publication).setTitle(posted.getTitle()).setImpact(posted.getImpact())
                    .setComponents(posted.getComponents()).setStatus(posted.getStatus()).setLastUpdateAt(at)
                    .setUpdates(publication.getUpdates() + 1)
                    .setNextUpdateDueAt(nextUpdateDue(publication, posted.getStatus(), state.getSeverity(), at)).build());
        } else if (payload instanceof PublicUpdateMissed) {
            // The reminder moves the next one a cadence on, so a silent publication reminds once a period.
            Publication publication = Objects.requireNonNull(state.getPublication(), "a missed update before the publication");
            next.setPublication(Publication.newBuilder(publication).setMissedUpdates(publication.getMissedUpdates() + 1)
                    .setNextUpdateDueAt(nextUpdateDue(publication, publication.getStatus(), state.getSeverity(), at)).build());
        }
        // EscalationExhausted and notification results change only the version.
        return next;
    }

    /** Counts and sample after an alert changed from {@code before} to {@code after} (null: not attached). */
    private static void foldAlert(IncidentState state, IncidentState next, AttachedAlert before, AttachedAlert after) {
        if (after == null) {
            return;
        }
        boolean firingBefore = before != null && before.getStatus() == AlertStatus.FIRING;
        boolean firingAfter = after.getStatus() == AlertStatus.FIRING;
        next.setAlertCount(state.getAlertCount() + (before == null ? 1 : 0));
        next.setFiringAlertCount(state.getFiringAlertCount() + (firingAfter ? 1 : 0) - (firingBefore ? 1 : 0));
        if (next.getFiringAlertCount() > 0) {
            next.setAlertsQuietSince(null);
        } else if (firingBefore) {
            next.setAlertsQuietSince(after.getResolvedAt());
        }
        Map<String, AttachedAlert> sample = state.getAlerts();
        if (sample.containsKey(after.getFingerprint()) || before == null && sample.size() < ALERT_SAMPLE) {
            Map<String, AttachedAlert> changed = new HashMap<>(sample);
            changed.put(after.getFingerprint(), after);
            next.setAlerts(changed);
        }
    }

    /**
     * A shallow copy. Avro's copying builder deep-copies every alert of the incident on each event,
     * which was most of the cost of a fold; evolve never changes a collection or nested record of a
     * state (it sets new ones), so states may share them.
     */
    private static IncidentState copyOf(IncidentState state) {
        IncidentState copy = new IncidentState();
        for (int field = 0; field < IncidentState.SCHEMA$.getFields().size(); field++) {
            copy.put(field, state.get(field));
        }
        return copy;
    }

    /**
     * Remembers the ids of people's commands, which a retry may repeat and which are not idempotent
     * by content (a note twice is two notes). Alert and timer commands are: attaching a firing alert
     * or closing a closed incident changes nothing, so their ids need no memory (and the state stays
     * small under an alert storm).
     */
    private List<String> remember(List<String> ids, IncidentEvent event) {
        String commandId = event.getCauseId();
        if (commandId == null || event.getActor().getType() != ActorType.USER || ids.contains(commandId)) {
            return ids;
        }
        List<String> next = new ArrayList<>(ids);
        next.add(commandId);
        return next.size() > policy.rememberedCommands() ? next.subList(next.size() - policy.rememberedCommands(), next.size()) : next;
    }


    private static boolean isOver(IncidentState state) {
        return state.getStatus() == RESOLVED || state.getStatus() == CLOSED;
    }

    static boolean isOpen(IncidentState state) {
        return state.getStatus() == TRIGGERED || state.getStatus() == ACKNOWLEDGED;
    }

    private static long version(IncidentState state) {
        return state == null ? 0 : state.getVersion();
    }

    /** The events of one command, each folded into the working state (and alerts) as it is emitted. */
    final class Decision {
        private final IncidentCommand command;
        private final AttachedAlerts alerts;
        private final List<IncidentEvent> events = new ArrayList<>();
        private final Map<String, AttachedAlert> changedAlerts = new HashMap<>();
        private IncidentState state;

        Decision(IncidentCommand command, IncidentState state, AttachedAlerts alerts) {
            this.command = command;
            this.state = state;
            this.alerts = alerts;
        }

        Instant now() {
            return command.getTimestamp();
        }

        IncidentState state() {
            return state;
        }

        /** How the incident holds the alert now, this command's events included. */
        AttachedAlert alert(String fingerprint) {
            AttachedAlert changed = changedAlerts.get(fingerprint);
            return changed != null || state == null ? changed : alerts.get(state, fingerprint);
        }

        void emit(Object payload) {
            IncidentEvent event = event(payload, version(state) + 1);
            events.add(event);
            String fingerprint = fingerprint(event);
            AttachedAlert before = fingerprint == null ? null : alert(fingerprint);
            state = evolve(state, event, before);
            AttachedAlert after = fingerprint == null ? null : alertAfter(event, before);
            if (after != null) {
                changedAlerts.put(fingerprint, after);
            }
        }

        /** A rejection changes nothing but the remembered command ids (and nothing at all before the incident exists). */
        void reject(String reason) {
            IncidentEvent rejection = event(new CommandRejected(command.getPayload().getClass().getSimpleName(), reason), version(state));
            events.add(rejection);
            if (state != null) {
                state = evolve(state, rejection, null);
            }
        }

        private IncidentEvent event(Object payload, long sequence) {
            return IncidentEvent.newBuilder()
                    .setEventId(command.getCommandId() + "/" + events.size())
                    .setIncidentId(command.getIncidentId())
                    .setSequence(sequence)
                    .setTimestamp(command.getTimestamp())
                    .setActor(command.getActor())
                    .setCauseId(command.getCommandId())
                    .setPayload(payload)
                    .build();
        }
    }
}
