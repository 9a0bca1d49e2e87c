package dev.incidentengine.ticketing;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.incidentengine.model.ActionItemAdded;
import dev.incidentengine.model.ActionItemCompleted;
import dev.incidentengine.model.ActionItemTicket;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentAssigned;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentMerged;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentPublished;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentSnoozed;
import dev.incidentengine.model.IncidentUnacknowledged;
import dev.incidentengine.model.NoteAdded;
import dev.incidentengine.model.PublicUpdatePosted;
import dev.incidentengine.model.ReviewPublished;
import dev.incidentengine.model.ReviewRequired;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.StatusUpdatePosted;
import dev.incidentengine.model.TicketLink;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.ticketing.TicketConfig.CommentEvent;
import dev.incidentengine.ticketing.TicketSystem.NewTicket;
import dev.incidentengine.ticketing.TicketSystem.Subject;
import dev.incidentengine.ticketing.TicketSystem.Transition;

/**
 * Keeps one connector's tickets in step with incidents, one event at a time, in each incident's order; no Kafka here (the
 * task reads and writes the topics, see {@link Progress}).
 *
 * <p>What it knows of an incident is its {@link TicketLink}: the ticket, the action items' tickets and the sequence number
 * up to which the incident's events were applied. An event at or below it is skipped, so a batch Connect delivers again
 * (after a retry, a restart or a rebalance) changes nothing twice. The link is written after every batch (asynchronously,
 * flushed before offsets are committed) and, after a ticket is made or found, at once and waited for, with a {@code
 * LinkTicket} command. What a crash can lose is the last batch's progress: so an incident loaded from the links topic (or
 * found again after it was dropped from memory) is <em>unverified</em> until its first event that was not applied yet;
 * before that, every comment (transitions and severity changes carry one too) is first looked for in the ticket's recent
 * comments by its footer, which names the event, and every ticket is looked for with {@link TicketSystem#find} before one
 * is created.
 *
 * <p>Memory is bounded by {@code ticket.max.incidents}: beyond it the least recently changed incident is dropped, and its
 * next event finds its ticket again with a search (and nothing else: an incident dropped before it had a ticket gets one
 * only if a later severity change makes it qualify).
 */
public final class TicketSync {

    /** Where progress goes; the task writes it to Kafka. */
    public interface Progress {

        /**
         * A ticket was made, or found in the system: tell the incident ({@code LinkTicket}, a command id derived from the
         * ticket so that repeats are no-ops) and record the link (null when the incident's severity is unknown: it was found
         * again after being dropped from memory), both acknowledged before this returns. Throws an unchecked
         * exception when Kafka does not take them; the event is then retried.
         */
        void linked(String incidentId, TicketLink link, TicketRef ticket, int partition);
    }

    /** A link to write, and the partition it goes to (the incident's events' partition). */
    public record Pending(TicketLink link, int partition) {
    }

    /** The sink's rules, from its configuration. */
    public record Rules(String connector, Set<Severity> severities, Set<String> services, Instant since, Set<CommentEvent> comments,
                        List<String> labels, int maxIncidents, int recentComments) {

        public static Rules of(String connector, TicketConfig config) {
            return new Rules(connector, config.severities(), Set.copyOf(config.getList(TicketConfig.SERVICES)), config.since(),
                    config.commentEvents(), config.getList(TicketConfig.LABELS), config.getInt(TicketConfig.MAX_INCIDENTS),
                    config.getInt(TicketConfig.RECENT_COMMENTS));
        }

        /** Whether the incident needs a ticket, judged at an event (its opening, a severity change) at {@code at}. */
        boolean qualifies(Severity severity, String service, Instant at) {
            return severity != null && severities.contains(severity) && (services.isEmpty() || services.contains(service))
                    && (since == null || !at.isBefore(since));
        }
    }

    /** One incident, as this task knows it. */
    private static final class Known {
        final String incidentId;
        final int partition;
        String service;
        Severity severity;
        TicketRef ticket;
        long appliedSequence;
        final Map<String, ActionItemTicket> actionItems = new HashMap<>();
        /** Whether the events after appliedSequence are certainly not applied yet (see the class comment). */
        boolean verified;
        /** Only from IncidentOpened (the link does not keep it): an incident loaded or found again shows its id instead. */
        String title;
        Instant openedAt;

        Known(String incidentId, int partition) {
            this.incidentId = incidentId;
            this.partition = partition;
        }

        /** An incident whose severity is unknown (found again without a ticket) is not written: its link would say too much. */
        boolean writable() {
            return severity != null;
        }
    }

    private final Rules rules;
    private final TicketSystem system;
    private final TicketTemplates templates;
    private final Progress progress;
    private final TicketMetrics metrics;
    private final Clock clock;
    private final LinkedHashMap<String, Known> known;
    private final Set<String> dirty = new LinkedHashSet<>();
    private final List<Pending> evictedDirty = new ArrayList<>();

    public TicketSync(Rules rules, TicketSystem system, TicketTemplates templates, Progress progress, TicketMetrics metrics, Clock clock) {
        this.rules = rules;
        this.system = system;
        this.templates = templates;
        this.progress = progress;
        this.metrics = metrics;
        this.clock = clock;
        this.known = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Known> eldest) {
                if (size() <= rules.maxIncidents()) {
                    return false;
                }
                if (dirty.remove(eldest.getKey()) && eldest.getValue().writable()) {
                    evictedDirty.add(new Pending(link(eldest.getValue()), eldest.getValue().partition));
                }
                return true;
            }
        };
    }

    /** A link read from the links topic, when the task was given its partition. */
    public void load(TicketLink link, int partition) {
        if (!rules.connector().equals(link.getConnector())) {
            return;
        }
        Known incident = new Known(link.getIncidentId(), partition);
        incident.service = link.getService();
        incident.severity = link.getSeverity();
        incident.ticket = link.getTicket();
        incident.appliedSequence = link.getAppliedSequence();
        incident.actionItems.putAll(link.getActionItems());
        known.put(incident.incidentId, incident);
    }

    /** The task no longer has these partitions: what it knows of their incidents goes (it was flushed before). */
    public void drop(Collection<Integer> partitions) {
        known.values().removeIf(incident -> partitions.contains(incident.partition));
    }

    public int size() {
        return known.size();
    }

    /** Links changed since the last call, to be written. */
    public List<Pending> drainDirty() {
        List<Pending> pending = new ArrayList<>(evictedDirty);
        evictedDirty.clear();
        for (String incidentId : dirty) {
            Known incident = known.get(incidentId);
            if (incident != null && incident.writable()) {
                pending.add(new Pending(link(incident), incident.partition));
            }
        }
        dirty.clear();
        return pending;
    }

    /** These links were not written after all: write them with the next ones. */
    public void rewrite(Collection<String> incidentIds) {
        incidentIds.stream().filter(known::containsKey).forEach(dirty::add);
    }

    /**
     * An event that will not be applied (the system refused it; it went to the dead-letter queue): count it as applied,
     * so the incident's later events go on.
     */
    public void skip(IncidentEvent event) {
        Known incident = known.get(event.getIncidentId());
        if (incident != null && event.getSequence() > incident.appliedSequence) {
            incident.appliedSequence = event.getSequence();
            dirty.add(incident.incidentId);
        }
    }

    /**
     * Applies the event to the incident's tickets. A {@link TicketException} leaves the event unapplied (and the incident
     * unverified, since a request may have done its work without its answer arriving): the task retries it or, refused,
     * dead-letters it and calls {@link #skip}.
     */
    public void apply(IncidentEvent event, String service, int partition) throws TicketException {
        Object payload = event.getPayload();
        Known incident = known.get(event.getIncidentId());
        try {
            if (incident == null) {
                incident = payload instanceof IncidentOpened ? opened(event, partition) : foundAgain(event, partition);
            }
            if (event.getSequence() <= incident.appliedSequence) {
                return;
            }
            if (incident.service == null && service != null) {
                incident.service = service;
            }
            if (incident.ticket == null) {
                beforeTicket(incident, event);
            } else {
                withTicket(incident, event);
            }
            incident.appliedSequence = event.getSequence();
            dirty.add(incident.incidentId);
        } catch (TicketException | RuntimeException e) {
            if (incident != null) {
                incident.verified = false;
            }
            throw e;
        }
    }

    private Known opened(IncidentEvent event, int partition) {
        IncidentOpened opened = (IncidentOpened) event.getPayload();
        Known incident = new Known(event.getIncidentId(), partition);
        incident.severity = opened.getSeverity();
        incident.service = opened.getService();
        incident.title = opened.getTitle();
        incident.openedAt = event.getTimestamp();
        incident.appliedSequence = event.getSequence() - 1;
        known.put(incident.incidentId, incident);
        return incident;
    }

    /** An incident this task does not know (dropped from memory, or older than its links): its ticket, if it has one. */
    private Known foundAgain(IncidentEvent event, int partition) throws TicketException {
        Known incident = new Known(event.getIncidentId(), partition);
        incident.appliedSequence = event.getSequence() - 1;
        if (event.getPayload() instanceof SeverityChanged changed) {
            incident.severity = changed.getFrom();
        }
        Optional<TicketRef> found = system.find(Subject.incident(incident.incidentId));
        if (found.isPresent()) {
            incident.ticket = found.get();
            linked(incident, found.get());
        }
        known.put(incident.incidentId, incident);
        return incident;
    }

    private void beforeTicket(Known incident, IncidentEvent event) throws TicketException {
        if (event.getPayload() instanceof IncidentOpened opened) {
            incident.severity = opened.getSeverity();
        } else if (event.getPayload() instanceof SeverityChanged changed) {
            incident.severity = changed.getTo();
        } else {
            return;
        }
        if (rules.qualifies(incident.severity, incident.service, event.getTimestamp())) {
            Subject subject = Subject.incident(incident.incidentId);
            Optional<TicketRef> found = system.find(subject);
            TicketRef ticket;
            if (found.isPresent()) {
                ticket = found.get();
                incident.verified = false;
            } else {
                Map<String, Object> context = context(incident, event);
                ticket = system.create(new NewTicket(subject, templates.summary(context), templates.description(context), incident.severity,
                        incident.service, rules.labels(), null, templates.fields(context)));
                metrics.ticketsCreated.increment();
                incident.verified = true;
            }
            long before = incident.appliedSequence;
            incident.ticket = ticket;
            incident.appliedSequence = event.getSequence();
            try {
                linked(incident, ticket);
            } catch (RuntimeException e) {
                // Not recorded: the retry finds the ticket again and links it again (the same command, a no-op).
                incident.ticket = null;
                incident.appliedSequence = before;
                throw e;
            }
        }
    }

    private void withTicket(Known incident, IncidentEvent event) throws TicketException {
        TicketRef ticket = incident.ticket;
        Object payload = event.getPayload();
        if (payload instanceof SeverityChanged changed) {
            incident.severity = changed.getTo();
            boolean commented = rules.comments().contains(CommentEvent.SEVERITY);
            String comment = commented ? comment(incident, event) : null;
            if (commented && alreadyPosted(incident, ticket, event)) {
                return;
            }
            system.changeSeverity(ticket, changed.getTo());
            if (commented) {
                system.comment(ticket, comment + footer(event));
                metrics.comments.increment();
            }
        } else if (payload instanceof IncidentResolved) {
            transition(incident, ticket, Transition.RESOLVE, event, templates.resolution(context(incident, event)));
        } else if (payload instanceof IncidentMerged) {
            transition(incident, ticket, Transition.RESOLVE, event, comment(incident, event));
        } else if (payload instanceof IncidentReopened) {
            transition(incident, ticket, Transition.REOPEN, event, comment(incident, event));
        } else if (payload instanceof IncidentClosed) {
            transition(incident, ticket, Transition.CLOSE, event, comment(incident, event));
        } else if (payload instanceof ActionItemAdded added) {
            actionItemAdded(incident, event, added);
        } else if (payload instanceof ActionItemCompleted completed) {
            actionItemCompleted(incident, event, completed.getActionItemId());
        } else {
            CommentEvent kind = commentEvent(payload);
            if (kind != null && rules.comments().contains(kind) && !alreadyPosted(incident, ticket, event)) {
                system.comment(ticket, comment(incident, event) + footer(event));
                metrics.comments.increment();
            }
        }
    }

    private void transition(Known incident, TicketRef ticket, Transition transition, IncidentEvent event, String text) throws TicketException {
        if (!alreadyPosted(incident, ticket, event)) {
            system.transition(ticket, transition, text + footer(event));
            metrics.transitions.increment();
        }
    }

    private void actionItemAdded(Known incident, IncidentEvent event, ActionItemAdded added) throws TicketException {
        String id = added.getActionItemId();
        if (incident.actionItems.containsKey(id)) {
            return;
        }
        Subject subject = new Subject(incident.incidentId, id);
        Optional<TicketRef> found = system.find(subject);
        TicketRef ticket;
        if (found.isPresent()) {
            ticket = found.get();
        } else {
            Map<String, Object> context = context(incident, event);
            ticket = system.create(new NewTicket(subject, templates.actionSummary(context), templates.actionDescription(context), incident.severity,
                    incident.service, rules.labels(), incident.ticket, Map.of()));
            metrics.ticketsCreated.increment();
        }
        long before = incident.appliedSequence;
        incident.actionItems.put(id, new ActionItemTicket(ticket, false));
        incident.appliedSequence = event.getSequence();
        try {
            linked(incident, ticket);
        } catch (RuntimeException e) {
            incident.actionItems.remove(id);
            incident.appliedSequence = before;
            throw e;
        }
    }

    private void actionItemCompleted(Known incident, IncidentEvent event, String id) throws TicketException {
        ActionItemTicket item = incident.actionItems.get(id);
        if (item != null && item.getDone()) {
            return;
        }
        TicketRef ticket;
        if (item != null) {
            ticket = item.getTicket();
        } else {
            Optional<TicketRef> found = system.find(new Subject(incident.incidentId, id));
            if (found.isEmpty()) {
                return; // added before this connector existed, or refused when it was added
            }
            ticket = found.get();
        }
        // One close per item: cheaper to look for it every time than to reason about what a restart lost.
        if (!system.recentComments(ticket, rules.recentComments()).stream().anyMatch(text -> text.contains(marker(event)))) {
            system.transition(ticket, Transition.CLOSE, comment(incident, event) + footer(event));
            metrics.transitions.increment();
        }
        incident.actionItems.put(id, new ActionItemTicket(ticket, true));
    }

    /** While the incident is unverified: whether the event's comment is on the ticket already (then it was applied). */
    private boolean alreadyPosted(Known incident, TicketRef ticket, IncidentEvent event) throws TicketException {
        if (incident.verified) {
            return false;
        }
        String marker = marker(event);
        boolean posted = system.recentComments(ticket, rules.recentComments()).stream().anyMatch(text -> text.contains(marker));
        // Events are applied in order: the first one not applied means none after it is.
        incident.verified = !posted;
        return posted;
    }

    private void linked(Known incident, TicketRef ticket) {
        progress.linked(incident.incidentId, incident.writable() ? link(incident) : null, ticket, incident.partition);
        metrics.commandsSent.increment();
    }

    private TicketLink link(Known incident) {
        return TicketLink.newBuilder()
                .setConnector(rules.connector())
                .setIncidentId(incident.incidentId)
                .setService(incident.service)
                .setSeverity(incident.severity)
                .setTicket(incident.ticket)
                .setAppliedSequence(incident.appliedSequence)
                .setActionItems(new HashMap<>(incident.actionItems))
                .setUpdatedAt(clock.instant())
                .build();
    }

    /** The line every comment ends with: it names the event, so a comment posted before a crash is recognised after it. */
    static String footer(IncidentEvent event) {
        return "\n\n(" + marker(event) + ")";
    }

    static String marker(IncidentEvent event) {
        return "incident-engine event " + event.getEventId();
    }

    private String comment(Known incident, IncidentEvent event) {
        return templates.comment(context(incident, event));
    }

    private Map<String, Object> context(Known incident, IncidentEvent event) {
        Map<String, Object> context = new HashMap<>();
        context.put("id", incident.incidentId);
        context.put("title", incident.title != null ? incident.title : incident.incidentId);
        context.put("severity", incident.severity == null ? "" : incident.severity.name());
        context.put("service", incident.service);
        context.put("openedAt", incident.openedAt == null ? null : incident.openedAt.toString());
        context.put("url", templates.incidentUrl(incident.incidentId));
        context.put("actor", actor(event.getActor()));
        context.put("at", event.getTimestamp().toString());
        context.put("headline", headline(event));
        context.put("text", text(event.getPayload()));
        if (event.getPayload() instanceof ActionItemAdded added) {
            Map<String, Object> item = new HashMap<>();
            item.put("id", added.getActionItemId());
            item.put("title", added.getTitle());
            item.put("owner", added.getOwner());
            item.put("dueAt", added.getDueAt().toString());
            item.put("priority", added.getPriority().name());
            item.put("link", added.getLink());
            context.put("actionItem", item);
        }
        return context;
    }

    private static String actor(Actor actor) {
        return actor.getName() != null && !actor.getName().isBlank() ? actor.getName() : actor.getId();
    }

    private static CommentEvent commentEvent(Object payload) {
        if (payload instanceof StatusUpdatePosted) {
            return CommentEvent.STATUS_UPDATE;
        } else if (payload instanceof NoteAdded) {
            return CommentEvent.NOTE;
        } else if (payload instanceof IncidentAcknowledged) {
            return CommentEvent.ACKNOWLEDGED;
        } else if (payload instanceof IncidentAssigned) {
            return CommentEvent.ASSIGNED;
        } else if (payload instanceof IncidentEscalated) {
            return CommentEvent.ESCALATED;
        } else if (payload instanceof IncidentUnacknowledged) {
            return CommentEvent.UNACKNOWLEDGED;
        } else if (payload instanceof IncidentSnoozed) {
            return CommentEvent.SNOOZED;
        } else if (payload instanceof ReviewRequired || payload instanceof ReviewPublished) {
            return CommentEvent.REVIEW;
        } else if (payload instanceof IncidentPublished || payload instanceof PublicUpdatePosted) {
            return CommentEvent.PUBLIC_UPDATE;
        }
        return null;
    }

    /** What happened, in one line. */
    static String headline(IncidentEvent event) {
        String by = " by " + actor(event.getActor());
        Object payload = event.getPayload();
        if (payload instanceof StatusUpdatePosted) {
            return "Status update" + by;
        } else if (payload instanceof NoteAdded) {
            return "Note" + by;
        } else if (payload instanceof IncidentAcknowledged) {
            return "Acknowledged" + by;
        } else if (payload instanceof SeverityChanged changed) {
            return "Severity changed from " + changed.getFrom() + " to " + changed.getTo() + by;
        } else if (payload instanceof IncidentAssigned assigned) {
            return (assigned.getUserId() == null ? "Unassigned" : "Assigned to " + assigned.getUserId()) + by;
        } else if (payload instanceof IncidentEscalated escalated) {
            return "Escalated to level " + (escalated.getLevel() + 1);
        } else if (payload instanceof IncidentUnacknowledged) {
            return "Acknowledgement expired";
        } else if (payload instanceof IncidentSnoozed snoozed) {
            return "Snoozed until " + snoozed.getUntil() + by;
        } else if (payload instanceof ReviewRequired review) {
            return "Post-incident review " + (review.getRequired() ? "required" : "recommended") + ", due " + review.getDueAt();
        } else if (payload instanceof ReviewPublished) {
            return "Post-incident review published" + by;
        } else if (payload instanceof IncidentPublished) {
            return "Published on the status page" + by;
        } else if (payload instanceof PublicUpdatePosted update) {
            return "Status page update (" + update.getStatus() + ")" + by;
        } else if (payload instanceof IncidentResolved) {
            return "Resolved" + by;
        } else if (payload instanceof IncidentReopened) {
            return "Reopened" + by;
        } else if (payload instanceof IncidentMerged merged) {
            return "Merged into " + merged.getTargetIncidentId() + by;
        } else if (payload instanceof IncidentClosed) {
            return "Closed" + by;
        } else if (payload instanceof ActionItemAdded added) {
            return "Action item " + added.getActionItemId() + " added" + by;
        } else if (payload instanceof ActionItemCompleted completed) {
            return "Action item " + completed.getActionItemId() + " completed" + by;
        }
        return payload.getClass().getSimpleName();
    }

    /** The event's own text (a note, a message, a reason), or null. */
    private static String text(Object payload) {
        if (payload instanceof StatusUpdatePosted update) {
            return update.getMessage();
        } else if (payload instanceof NoteAdded note) {
            return note.getText();
        } else if (payload instanceof IncidentAcknowledged acknowledged) {
            return acknowledged.getMessage();
        } else if (payload instanceof SeverityChanged changed) {
            return changed.getReason();
        } else if (payload instanceof IncidentUnacknowledged unacknowledged) {
            return unacknowledged.getReason();
        } else if (payload instanceof ReviewRequired review) {
            return review.getReason();
        } else if (payload instanceof ReviewPublished review) {
            return review.getUrl();
        } else if (payload instanceof IncidentPublished published) {
            return published.getMessage();
        } else if (payload instanceof PublicUpdatePosted update) {
            return update.getMessage();
        } else if (payload instanceof IncidentResolved resolved) {
            return resolved.getResolution();
        } else if (payload instanceof IncidentReopened reopened) {
            return reopened.getReason();
        } else if (payload instanceof IncidentClosed closed) {
            return closed.getReason();
        }
        return null;
    }
}
