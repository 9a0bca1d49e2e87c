package dev.incidentengine.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.node.ArrayNode;
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
import dev.incidentengine.model.NoteAdded;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.ReviewPublished;
import dev.incidentengine.model.ReviewRequired;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.StatusUpdatePosted;

/**
 * An incident's story from its log: every event and every delivery, in time order, each with the
 * time since the first alert (detection) and who did it. Pure: the records in, the lines out.
 */
final class Timeline {

    /** One line: when, how long after the start, what happened, who (a person, an integration, the engine). */
    record Entry(Instant at, Duration sinceStart, String what, String who) {
    }

    private Timeline() {
    }

    static List<Entry> of(List<IncidentEvent> events, List<NotificationResult> results) {
        record Raw(Instant at, int order, String what, String who) {
        }
        List<Raw> raw = new ArrayList<>();
        Alert first = null;
        for (IncidentEvent event : events) {
            Object payload = event.getPayload();
            if (payload instanceof AlertAttached attached && (first == null || attached.getAlert().getStartsAt().isBefore(first.getStartsAt()))) {
                first = attached.getAlert();
            }
            raw.add(new Raw(event.getTimestamp(), raw.size(), describe(payload), who(event)));
        }
        // Detection: when the first alert started firing, which is where the response clock starts.
        Instant start = null;
        if (first != null) {
            start = first.getStartsAt();
            raw.add(new Raw(start, -1, "detected: " + first.getSummary(), first.getSource() == null ? "alert" : first.getSource()));
        }
        for (NotificationResult result : results) {
            raw.add(new Raw(result.getTimestamp(), raw.size(), describe(result), "notifier"));
        }
        raw.sort(Comparator.comparing(Raw::at).thenComparingInt(Raw::order));
        if (start == null && !raw.isEmpty()) {
            start = raw.get(0).at();
        }
        List<Entry> entries = new ArrayList<>();
        for (Raw line : raw) {
            entries.add(new Entry(line.at(), Duration.between(start, line.at()), line.what(), line.who()));
        }
        return entries;
    }

    /** The entries as JSON rows: at, seconds since the start, what, who. */
    static ArrayNode json(List<Entry> entries) {
        ArrayNode rows = ApiClient.JSON.createArrayNode();
        entries.forEach(entry -> rows.addObject().put("at", entry.at().toString()).put("sinceStartSeconds", entry.sinceStart().toSeconds())
                .put("what", entry.what()).put("who", entry.who()));
        return rows;
    }

    private static String who(IncidentEvent event) {
        String id = event.getActor().getId();
        return switch (event.getActor().getType()) {
            case USER -> id;
            case INTEGRATION -> "integration " + id;
            case SYSTEM -> id;
        };
    }

    static String describe(Object payload) {
        if (payload instanceof IncidentOpened opened) {
            return "opened " + opened.getSeverity() + " on " + opened.getService() + ": " + opened.getTitle();
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
        } else if (payload instanceof CommandRejected rejected) {
            return "refused " + rejected.getCommandType() + ": " + rejected.getReason();
        }
        return payload.getClass().getSimpleName();
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

    private static String text(String text) {
        return text == null || text.isBlank() ? "" : ": " + text;
    }

    /** "+0s", "+4m 12s", "+2h 05m", "+1d 03h": time since the start. */
    static String elapsed(Duration duration) {
        return "+" + span(duration);
    }

    /** "0s", "4m 12s", "2h 05m", "1d 03h": a length of time at a glance. */
    static String span(Duration duration) {
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
