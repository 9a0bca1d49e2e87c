package dev.incidentengine.incident.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import dev.incidentengine.model.ActionItemAdded;
import dev.incidentengine.model.ActionItemCompleted;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertResolved;
import dev.incidentengine.model.CommandRejected;
import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.EscalationExhausted;
import dev.incidentengine.model.EscalationTarget;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentAssigned;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentFlapping;
import dev.incidentengine.model.IncidentMerged;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentSnoozed;
import dev.incidentengine.model.IncidentUnacknowledged;
import dev.incidentengine.model.IncidentPublished;
import dev.incidentengine.model.NoteAdded;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.PublicUpdateMissed;
import dev.incidentengine.model.PublicUpdatePosted;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.ReviewPublished;
import dev.incidentengine.model.TicketLinked;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.model.WarRoom;
import dev.incidentengine.model.WarRoomArchived;
import dev.incidentengine.model.WarRoomLinked;
import dev.incidentengine.model.ReviewRequired;
import dev.incidentengine.model.RunbookAttached;
import dev.incidentengine.model.RunbookStepMarked;
import dev.incidentengine.model.RoleAssigned;
import dev.incidentengine.model.RoleRequested;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.IncidentTypeChanged;
import dev.incidentengine.model.StatusUpdatePosted;

/**
 * An incident's story from its log: every event and every delivery, in time order, each with the
 * time since the first alert (detection) and who did it. Pure: the records in, the lines out.
 * {@link Builder} takes them one at a time and may keep only the first and last few of each kind
 * ({@link Limits}), so a storm's log of 100,000 alerts is told in a bounded number of lines.
 */
public final class Timeline {

    /** One line: when, how long after the start, what happened, who (a person, an integration, the engine). */
    public record Entry(Instant at, Duration sinceStart, String what, String who) {
    }

    /**
     * How many lines of each kind are kept, the first and the last that many: the alerts' events
     * (attached, resolved), the other events (pages, people's actions, the lifecycle) and the
     * deliveries. What lies between is one line saying how many were left out.
     */
    public record Limits(int alertEvents, int otherEvents, int deliveries) {
        public static final Limits ALL = new Limits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    private Timeline() {
    }

    /** Every line of the log and the deliveries. */
    public static List<Entry> of(List<IncidentEvent> events, List<NotificationResult> results) {
        Builder timeline = new Builder(Limits.ALL);
        events.forEach(timeline::accept);
        results.forEach(timeline::accept);
        return timeline.entries();
    }

    /** Takes an incident's events in log order, then its deliveries; keeps what {@link Limits} allow. */
    public static final class Builder {
        private final Window alertEvents;
        private final Window otherEvents;
        private final Window deliveries;
        private long order;
        private Alert first;
        private Instant earliest;

        public Builder(Limits limits) {
            this.alertEvents = new Window(limits.alertEvents(), "alert events (attached or resolved)");
            this.otherEvents = new Window(limits.otherEvents(), "events (pages, people's actions, the lifecycle)");
            this.deliveries = new Window(limits.deliveries(), "deliveries");
        }

        public void accept(IncidentEvent event) {
            Object payload = event.getPayload();
            boolean alertEvent = payload instanceof AlertAttached || payload instanceof AlertResolved;
            if (payload instanceof AlertAttached attached && (first == null || attached.getAlert().getStartsAt().isBefore(first.getStartsAt()))) {
                first = attached.getAlert();
            }
            Window window = alertEvent ? alertEvents : otherEvents;
            window.add(event.getTimestamp(), order++, () -> describe(payload), () -> who(event));
            earliest = earliest == null || event.getTimestamp().isBefore(earliest) ? event.getTimestamp() : earliest;
        }

        public void accept(NotificationResult result) {
            // After every event of the same instant, as the log's events come first.
            deliveries.add(result.getTimestamp(), Long.MAX_VALUE / 2 + order++, () -> describe(result), () -> "notifier");
            earliest = earliest == null || result.getTimestamp().isBefore(earliest) ? result.getTimestamp() : earliest;
        }

        /** How many lines were left out, of every kind. */
        public long omitted() {
            return alertEvents.omitted + otherEvents.omitted + deliveries.omitted;
        }

        /** The lines kept, in time order, with a line for each run left out. */
        public List<Entry> entries() {
            List<Raw> raw = new ArrayList<>();
            // Detection: when the first alert started firing, which is where the response clock starts.
            Instant start = earliest;
            if (first != null) {
                start = first.getStartsAt();
                raw.add(new Raw(start, -1, "detected: " + first.getSummary(), first.getSource() == null ? "alert" : first.getSource()));
            }
            alertEvents.addTo(raw);
            otherEvents.addTo(raw);
            deliveries.addTo(raw);
            raw.sort(Comparator.comparing(Raw::at).thenComparingLong(Raw::order));
            List<Entry> entries = new ArrayList<>();
            for (Raw line : raw) {
                entries.add(new Entry(line.at(), Duration.between(start, line.at()), line.what(), line.who()));
            }
            return entries;
        }
    }

    private record Raw(Instant at, long order, String what, String who) {
    }

    /** A line not yet written out: kept lines are described only when the timeline is, so a storm's middle costs a count each. */
    private record Pending(Instant at, long order, Supplier<String> what, Supplier<String> who) {
        Raw raw() {
            return new Raw(at, order, what.get(), who.get());
        }
    }

    /** The first {@code keep} lines, the last {@code keep} (a ring), and how many lay between, from when. */
    private static final class Window {
        private final int keep;
        private final String kind;
        private final List<Pending> first = new ArrayList<>();
        private final ArrayDeque<Pending> last = new ArrayDeque<>();
        private long omitted;
        private Pending firstOmitted;

        Window(int keep, String kind) {
            this.keep = keep;
            this.kind = kind;
        }

        void add(Instant at, long order, Supplier<String> what, Supplier<String> who) {
            Pending line = new Pending(at, order, what, who);
            if (first.size() < keep) {
                first.add(line);
                return;
            }
            if (last.size() == keep) {
                Pending dropped = last.removeFirst();
                if (omitted++ == 0) {
                    firstOmitted = dropped;
                }
            }
            last.addLast(line);
        }

        void addTo(List<Raw> raw) {
            first.forEach(line -> raw.add(line.raw()));
            if (omitted > 0) {
                raw.add(new Raw(firstOmitted.at(), firstOmitted.order(), String.format("… %,d more %s not shown …", omitted, kind), "-"));
            }
            last.forEach(line -> raw.add(line.raw()));
        }
    }

    private static String who(IncidentEvent event) {
        String id = event.getActor().getId();
        return switch (event.getActor().getType()) {
            case USER -> id;
            case INTEGRATION -> "integration " + id;
            case SYSTEM -> id;
        };
    }

    /** What an event says, in a few words. */
    public static String describe(Object payload) {
        if (payload instanceof IncidentOpened opened) {
            return (opened.getDrill() == null ? "opened " : "opened DRILL (scenario " + opened.getDrill() + ") ") + opened.getSeverity()
                    + " on " + opened.getService() + typeAndTier(opened) + ": " + opened.getTitle();
        } else if (payload instanceof AlertAttached attached) {
            return "alert " + attached.getAlert().getFingerprint() + " " + attached.getAlert().getStatus().name().toLowerCase()
                    + " (" + attached.getAlert().getSummary() + ", started " + attached.getAlert().getStartsAt() + ")";
        } else if (payload instanceof AlertResolved resolved) {
            return "alert " + resolved.getFingerprint() + " resolved";
        } else if (payload instanceof IncidentEscalated escalated) {
            return "paged level " + (escalated.getLevel() + 1) + (escalated.getRound() > 0 ? " (round " + (escalated.getRound() + 1) + ")" : "")
                    + ": " + escalated.getTargets().stream().map(Timeline::target).collect(Collectors.joining("; "));
        } else if (payload instanceof IncidentAcknowledged acknowledged) {
            return "acknowledged" + text(acknowledged.getMessage());
        } else if (payload instanceof IncidentUnacknowledged unacknowledged) {
            return "acknowledgement expired: " + unacknowledged.getReason();
        } else if (payload instanceof IncidentAssigned assigned) {
            return "assigned to " + (assigned.getUserId() != null ? assigned.getUserId() : "policy " + assigned.getEscalationPolicyId());
        } else if (payload instanceof SeverityChanged changed) {
            return "severity " + changed.getFrom() + " → " + changed.getTo() + text(changed.getReason());
        } else if (payload instanceof IncidentTypeChanged changed) {
            return changed.getFrom() == null ? "type set to " + changed.getTo() : "type " + changed.getFrom() + " → " + changed.getTo();
        } else if (payload instanceof NoteAdded note) {
            return "note: " + note.getText();
        } else if (payload instanceof StatusUpdatePosted update) {
            return "status update: " + update.getMessage();
        } else if (payload instanceof IncidentSnoozed snoozed) {
            return "snoozed until " + snoozed.getUntil();
        } else if (payload instanceof IncidentResolved resolved) {
            return "resolved" + text(resolved.getResolution());
        } else if (payload instanceof IncidentReopened reopened) {
            return "reopened" + text(reopened.getReason());
        } else if (payload instanceof IncidentMerged merged) {
            return "merged into " + merged.getTargetIncidentId();
        } else if (payload instanceof IncidentClosed closed) {
            return "closed" + text(closed.getReason());
        } else if (payload instanceof IncidentFlapping flapping) {
            return flapping.getFlapping() ? "flapping: notifications held" : "no longer flapping";
        } else if (payload instanceof EscalationExhausted exhausted) {
            return "escalation policy " + exhausted.getPolicyId() + " exhausted after " + exhausted.getRounds() + " round(s)";
        } else if (payload instanceof ReviewRequired review) {
            return "review " + (review.getRequired() ? "required" : "recommended") + ", due " + review.getDueAt() + text(review.getReason());
        } else if (payload instanceof ActionItemAdded item) {
            return "action item " + item.getActionItemId() + " (" + item.getPriority().name().toLowerCase() + ", " + item.getOwner()
                    + ", due " + item.getDueAt() + "): " + item.getTitle();
        } else if (payload instanceof ActionItemCompleted item) {
            return "action item " + item.getActionItemId() + " done";
        } else if (payload instanceof ReviewPublished published) {
            return "review published: " + published.getUrl();
        } else if (payload instanceof IncidentPublished published) {
            return (published.getAutomatic() ? "published automatically" : "published") + " on the status page ("
                    + published.getImpact().name().toLowerCase() + ", " + published.getComponents().size() + " component(s)), "
                    + words(published.getStatus()) + ": " + published.getTitle() + " — " + published.getMessage();
        } else if (payload instanceof PublicUpdatePosted update) {
            return (update.getAutomatic() ? "public update (automatic), " : "public update, ") + words(update.getStatus())
                    + ": " + update.getMessage();
        } else if (payload instanceof PublicUpdateMissed missed) {
            return "public update missed (due " + missed.getDueAt() + ", last " + missed.getLastUpdateAt() + ")"
                    + (missed.getRemind() == null ? ": reminding whoever holds the incident" : ": reminding " + missed.getRemind());
        } else if (payload instanceof TicketLinked linked) {
            TicketRef ticket = linked.getTicket();
            return (ticket.getActionItemId() == null ? "ticket " : "action item " + ticket.getActionItemId() + " ticket ") + ticket.getKey()
                    + " (" + ticket.getSystem() + "): " + ticket.getUrl();
        } else if (payload instanceof RunbookAttached attached) {
            return "runbook " + attached.getRunbookId() + (attached.getMatched() ? " matched and attached: " : " attached: ")
                    + attached.getTitle() + " (" + attached.getSteps().size() + " steps)";
        } else if (payload instanceof RunbookStepMarked marked) {
            return "runbook " + marked.getRunbookId() + " step " + marked.getStep() + " " + marked.getOutcome().name().toLowerCase()
                    + text(marked.getNote());
        } else if (payload instanceof WarRoomLinked linked) {
            WarRoom room = linked.getRoom();
            return "war room " + room.getName() + " (" + room.getSystem() + "): " + room.getUrl();
        } else if (payload instanceof WarRoomArchived archived) {
            return "war room archived" + (archived.getId() == null ? "" : " (" + archived.getId() + ")");
        } else if (payload instanceof RoleAssigned assigned) {
            return "role " + assigned.getRole() + (assigned.getPreviousUserId() == null ? " taken by " + assigned.getUserId()
                    : assigned.getUserId() == null ? " released by its holder " + assigned.getPreviousUserId()
                    : " handed over from " + assigned.getPreviousUserId() + " to " + assigned.getUserId()) + text(assigned.getReason());
        } else if (payload instanceof RoleRequested requested) {
            return "role " + requested.getRole() + " requested (" + requested.getReason() + "): " + (requested.getTargets().isEmpty()
                    ? "the team has no schedule for it, nobody paged" : requested.getTargets().stream().map(Timeline::target)
                    .collect(Collectors.joining("; ")));
        } else if (payload instanceof CommandRejected rejected) {
            return "refused " + rejected.getCommandType() + ": " + rejected.getReason();
        }
        return payload.getClass().getSimpleName();
    }

    /** " (service-outage, tier core-api)": what an incident opened with, when it has either. */
    private static String typeAndTier(IncidentOpened opened) {
        String type = opened.getIncidentType();
        String tier = opened.getTier() == null ? null : "tier " + opened.getTier();
        return type == null && tier == null ? "" : " (" + (type == null ? tier : tier == null ? type : type + ", " + tier) + ")";
    }

    private static String describe(NotificationResult result) {
        String what = (result.getKind().equals("page") ? "page to " + result.getTarget() + " by " + result.getChannel()
                + " (step " + (result.getStep() + 1) + ")" : result.getKind() + " to " + result.getTarget() + " by " + result.getChannel());
        return result.getOutcome() == DeliveryOutcome.DELIVERED
                ? what + " delivered (" + result.getAttempts() + (result.getAttempts() == 1 ? " attempt, " : " attempts, ")
                        + result.getLatencyMillis() + " ms)"
                : what + " FAILED after " + result.getAttempts() + " attempt(s): " + result.getError();
    }

    private static String target(EscalationTarget target) {
        String who = target.getUserIds().isEmpty() ? "nobody on call" : String.join(", ", target.getUserIds());
        return target.getType().name().toLowerCase() + " " + target.getId() + " → " + who;
    }

    /** A public status in Statuspage's word. */
    private static String words(PublicIncidentStatus status) {
        return status.name().toLowerCase();
    }

    private static String text(String text) {
        return text == null || text.isBlank() ? "" : ": " + text;
    }

    /** "+0s", "+4m 12s", "+2h 05m", "+1d 03h": time since the start. */
    public static String elapsed(Duration duration) {
        return "+" + span(duration);
    }

    /** "0s", "4m 12s", "2h 05m", "1d 03h": a length of time at a glance. */
    public static String span(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format("%dm %02ds", seconds / 60, seconds % 60);
        }
        if (seconds < 86400) {
            return String.format("%dh %02dm", seconds / 3600, seconds % 3600 / 60);
        }
        return String.format("%dd %02dh", seconds / 86400, seconds % 86400 / 3600);
    }
}
