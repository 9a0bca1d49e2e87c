package dev.incidentengine.ticketing;

import java.time.Clock;
import java.util.Optional;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AddNote;
import dev.incidentengine.model.CompleteActionItem;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.ReopenIncident;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.ticketing.TicketConfig.Inbound;
import dev.incidentengine.ticketing.TicketSystem.TicketChange;

/**
 * What a person's change to a ticket does to its incident, as a command: a resolution or closing resolves the incident (or
 * adds a note, per {@code ticket.inbound.resolution}), a reopening reopens it (or notes it), a comment becomes a note when
 * {@code ticket.inbound.comments} is on. On an action item's ticket, a resolution completes the action item. The command id
 * is {@code <system>:<change id>}, so a change read twice (a poll repeated after a restart) changes nothing the second time.
 */
public final class InboundCommands {

    private final String system;
    private final Inbound resolution;
    private final Inbound reopen;
    private final boolean comments;
    private final Clock clock;

    public InboundCommands(String system, Inbound resolution, Inbound reopen, boolean comments, Clock clock) {
        this.system = system;
        this.resolution = resolution;
        this.reopen = reopen;
        this.comments = comments;
        this.clock = clock;
    }

    public static InboundCommands of(TicketConfig config, Clock clock) {
        return new InboundCommands(config.provider().system(), Inbound.valueOf(config.getString(TicketConfig.INBOUND_RESOLUTION).toUpperCase(java.util.Locale.ROOT)),
                Inbound.valueOf(config.getString(TicketConfig.INBOUND_REOPEN).toUpperCase(java.util.Locale.ROOT)),
                config.getBoolean(TicketConfig.INBOUND_COMMENTS), clock);
    }

    /** The command for the change, or empty when the configuration ignores it. */
    public Optional<IncidentCommand> command(TicketChange change) {
        Object payload = switch (change.kind()) {
            case RESOLVED, CLOSED -> resolution == Inbound.RESOLVE
                    ? (change.subject().isActionItem()
                            ? new CompleteActionItem(change.subject().actionItemId())
                            : new ResolveIncident(describe(change)))
                    : new AddNote(describe(change));
            case REOPENED -> reopen == Inbound.REOPEN && !change.subject().isActionItem()
                    ? new ReopenIncident(describe(change))
                    : new AddNote(describe(change));
            case COMMENTED -> comments ? new AddNote(describe(change)) : null;
        };
        if (payload == null) {
            return Optional.empty();
        }
        return Optional.of(IncidentCommand.newBuilder()
                .setCommandId(system + ":" + change.changeId())
                .setIncidentId(change.subject().incidentId())
                .setActor(Actor.newBuilder().setType(ActorType.INTEGRATION).setId(system + ":" + change.actorLogin()).setName(change.actorName()).build())
                .setTimestamp(change.at() != null ? change.at() : clock.instant())
                .setPayload(payload)
                .build());
    }

    /** "OPS-42 resolved in jira by Alice: <text>". */
    private String describe(TicketChange change) {
        String what = switch (change.kind()) {
            case RESOLVED -> "resolved";
            case CLOSED -> "closed";
            case REOPENED -> "reopened";
            case COMMENTED -> "commented on";
        };
        String who = change.actorName() != null && !change.actorName().isBlank() ? change.actorName() : change.actorLogin();
        String ticket = change.ticket() != null ? change.ticket().getKey() : change.subject().marker();
        String text = change.text() == null || change.text().isBlank() ? "" : ": " + change.text().strip();
        return system + " " + ticket + " " + what + " by " + who + text;
    }
}
