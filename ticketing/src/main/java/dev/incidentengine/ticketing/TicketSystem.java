package dev.incidentengine.ticketing;

import java.util.List;
import java.util.Optional;

import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TicketRef;

/**
 * One ticketing system's API, as the connector needs it. Implementations are plain HTTP clients over {@link TicketHttp}: they
 * retry what is worth a retry and throw {@link TicketException} for the rest; they keep no state of their own beyond their
 * configuration and what they learn of the system once (ids of statuses, transitions, fields), so a task may be restarted or
 * moved at any time.
 *
 * <p>Every ticket stores its {@link Subject} (the incident id, and the action item id for an action item's ticket) where the
 * system lets it be searched exactly: a Jira label, ServiceNow's {@code correlation_id}, a Redmine custom field, a GitHub
 * label. {@link #find} searches by it before every create, so a create retried after a crash finds the ticket it made.
 */
public interface TicketSystem extends AutoCloseable {

    /** What the ticket tracks: an incident, or one of its action items. */
    record Subject(String incidentId, String actionItemId) {

        public static Subject incident(String incidentId) {
            return new Subject(incidentId, null);
        }

        public boolean isActionItem() {
            return actionItemId != null;
        }

        /** The one string stored in the ticket and searched for: {@code INC-…} or {@code INC-…/AI-1}. */
        public String marker() {
            return actionItemId == null ? incidentId : incidentId + "/" + actionItemId;
        }
    }

    /**
     * A ticket to create, its texts rendered. {@code parent} is the incident's ticket when the subject is an action item
     * (the system links the two its own way). {@code fields} are system-specific fields rendered from templates, by the
     * field's id in that system (Jira's {@code customfield_10010}, a ServiceNow column); empty for most.
     */
    record NewTicket(Subject subject, String summary, String description, Severity severity, String service,
                     List<String> labels, TicketRef parent, java.util.Map<String, String> fields) {
    }

    /** Where the connector moves a ticket. */
    enum Transition { RESOLVE, CLOSE, REOPEN }

    /** A change a person made to a ticket, read back by the polling source (Redmine, ServiceNow). */
    record TicketChange(String changeId, Subject subject, TicketRef ticket, Kind kind, String actorLogin, String actorName,
                        java.time.Instant at, String text) {

        public enum Kind { RESOLVED, CLOSED, REOPENED, COMMENTED }
    }

    /** Changes after a cursor, oldest first, and the cursor after them (an opaque string the source keeps as its offset). */
    record ChangePage(List<TicketChange> changes, String nextCursor) {
    }

    /** The system's id, as {@link TicketRef#getSystem()}: {@code jira}, {@code servicenow}, {@code redmine}, {@code github}. */
    String system();

    /**
     * Checks the configuration against the system itself (credentials, and the names it resolves: projects, statuses,
     * fields), for the connector's validation and a task's start: throws {@link org.apache.kafka.common.config.ConfigException}
     * naming the setting whose value the system does not know, or {@link TicketException} (401: the credentials).
     */
    default void check() throws TicketException {
    }

    /** The ticket that stores this subject, if there is one. */
    Optional<TicketRef> find(Subject subject) throws TicketException;

    TicketRef create(NewTicket ticket) throws TicketException;

    void comment(TicketRef ticket, String text) throws TicketException;

    /**
     * The plain texts of the ticket's most recent comments, at most {@code limit}: after a restart, the connector looks in them
     * for the marker of a comment it may have posted just before.
     */
    List<String> recentComments(TicketRef ticket, int limit) throws TicketException;

    /** Moves the ticket (Jira: a transition by its configured name; others: their status or state), with a comment. */
    void transition(TicketRef ticket, Transition transition, String comment) throws TicketException;

    /** The incident's severity changed: the ticket's priority follows (Jira priority, ServiceNow impact and urgency, …). */
    void changeSeverity(TicketRef ticket, Severity severity) throws TicketException;

    /**
     * People's changes to tickets that store a subject, after the cursor (null: from now), for the polling source. The
     * connector's own changes are left out. Systems that push changes by webhook instead (Jira, GitHub) do not poll.
     */
    default ChangePage changesSince(String cursor, int max) throws TicketException {
        throw new UnsupportedOperationException(system() + " pushes its changes by webhook; it is not polled");
    }

    @Override
    void close();
}
