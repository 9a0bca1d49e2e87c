package dev.incidentengine.incident.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.incidentengine.model.ActionItem;
import dev.incidentengine.model.ActionItemAdded;
import dev.incidentengine.model.ActionItemCompleted;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.ReviewRequired;
import dev.incidentengine.model.ReviewStatus;
import dev.incidentengine.model.RunbookAttached;
import dev.incidentengine.model.RunbookStepMarked;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TicketLinked;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.model.WarRoom;
import dev.incidentengine.model.WarRoomArchived;
import dev.incidentengine.model.WarRoomLinked;
import dev.incidentengine.schemas.ResponseTargets;

/**
 * A post-incident review in Markdown, from the incident's log: summary, impact, the response times
 * with their breakdown (detection: first alert → open; response: open → acknowledge; mitigation
 * and resolution: acknowledge → resolve), whether the severity's response target was met, the
 * responders, the timeline, the sections people fill in, and the review's state and action items.
 * Pure: it takes the log one event at a time (then the deliveries, when the writer has them) and
 * keeps what the document needs, with the timeline bounded by {@link #LIMITS}, so a storm's log of
 * 100,000 alerts costs the same memory as a quiet one. Text from people and alerts is escaped, so
 * it reads as it was written in any Markdown renderer.
 */
public final class Postmortem {

    /** What formats Markdown in running text or a table: CommonMark's backslash escapes. */
    private static final String MARKUP = "\\`*_[]<>|";

    /** The timeline's first and last 20 alert events, 250 other events and 250 deliveries; the rest are counted. */
    public static final Timeline.Limits LIMITS = new Timeline.Limits(20, 250, 250);

    private final String incidentId;
    /** Null when the deliveries are given; else where they are instead. */
    private final String deliveriesElsewhere;
    private final IncidentFacts.Fold facts;
    private final Timeline.Builder timeline = new Timeline.Builder(LIMITS);
    private final Map<String, Set<String>> responders = new LinkedHashMap<>();
    private final List<TicketRef> tickets = new ArrayList<>();
    /** The runbooks used, by id, in the order attached: at most {@link ResponseRules#MAX_RUNBOOKS_PER_INCIDENT}, 50 steps each. */
    private final Map<String, RunbookUse> runbooks = new LinkedHashMap<>();
    /** The last war room linked, and when it was archived (null: not). */
    private WarRoom warRoom;
    private Instant warRoomArchived;
    private final RoleHistory roles = new RoleHistory();
    private long delivered;
    private long failed;
    private long eventsRead;
    private boolean logCut;
    /** The scenario, when the incident is a drill. */
    private String drill;

    private Postmortem(String incidentId, String deliveriesElsewhere) {
        this.incidentId = incidentId;
        this.deliveriesElsewhere = deliveriesElsewhere;
        this.facts = new IncidentFacts.Fold(incidentId);
    }

    /** A review with the incident's deliveries, given after its events. */
    public static Postmortem withDeliveries(String incidentId) {
        return new Postmortem(incidentId, null);
    }

    /** A review whose writer has no deliveries: it says so, and {@code where} they are, instead of counting. */
    public static Postmortem withoutDeliveries(String incidentId, String where) {
        return new Postmortem(incidentId, where);
    }

    /** The review of a whole log with its deliveries; null when the log holds no IncidentOpened. */
    public static String markdown(String incidentId, List<IncidentEvent> events, List<NotificationResult> results) {
        Postmortem review = withDeliveries(incidentId);
        events.forEach(review::accept);
        results.forEach(review::accept);
        return review.opened() ? review.markdown() : null;
    }

    public void accept(IncidentEvent event) {
        eventsRead++;
        if (event.getPayload() instanceof IncidentOpened opened) {
            drill = opened.getDrill();
        }
        facts.accept(event);
        timeline.accept(event);
        roles.accept(event);
        if (event.getPayload() instanceof TicketLinked linked && tickets.size() < Tickets.MAX_PER_INCIDENT) {
            tickets.add(linked.getTicket());
        }
        if (event.getPayload() instanceof RunbookAttached attached && runbooks.size() < ResponseRules.MAX_RUNBOOKS_PER_INCIDENT) {
            runbooks.putIfAbsent(attached.getRunbookId(), new RunbookUse(attached, event.getActor().getId()));
        }
        if (event.getPayload() instanceof RunbookStepMarked marked && runbooks.containsKey(marked.getRunbookId())) {
            runbooks.get(marked.getRunbookId()).mark(marked, event.getActor().getId(), event.getTimestamp());
        }
        if (event.getPayload() instanceof WarRoomLinked linked) {
            warRoom = linked.getRoom();
            warRoomArchived = null;
        } else if (event.getPayload() instanceof WarRoomArchived) {
            warRoomArchived = event.getTimestamp();
        }
        if (event.getPayload() instanceof IncidentEscalated escalated) {
            escalated.getTargets().forEach(target -> target.getUserIds().forEach(user ->
                    responders.computeIfAbsent(user, u -> new LinkedHashSet<>()).add("paged (level " + (escalated.getLevel() + 1) + ")")));
        }
        if (event.getActor().getType() == ActorType.USER) {
            responders.computeIfAbsent(event.getActor().getId(), u -> new LinkedHashSet<>()).add(role(event.getPayload()));
        }
    }

    public void accept(NotificationResult result) {
        if (result.getOutcome() == DeliveryOutcome.FAILED) {
            failed++;
        } else {
            delivered++;
        }
        timeline.accept(result);
    }

    /** The log holds more events than were given: the review says its facts may be incomplete. */
    public void logCut() {
        logCut = true;
    }

    /** Whether the log given so far opened the incident: only then is there a review to write. */
    public boolean opened() {
        return facts.opened();
    }

    /** The document; only once {@link #opened}. */
    public String markdown() {
        IncidentFacts facts = this.facts.facts();
        if (facts == null) {
            throw new IllegalStateException("the log of " + incidentId + " has no IncidentOpened");
        }
        Severity severity = facts.severity();
        Instant detected = facts.detected();
        Instant openedAt = facts.openedAt();
        Instant acknowledged = facts.acknowledged();
        Instant resolved = facts.resolved();
        StringBuilder md = new StringBuilder();
        md.append(drill == null ? "# Post-incident review: " : "# [DRILL] Post-incident review: ").append(escape(facts.title()))
                .append(" (").append(incidentId).append(")\n\n");
        if (drill != null) {
            md.append("_A drill (scenario ").append(escape(drill)).append("): an exercise, left out of the response figures;"
                    + " `incidentctl drill report` judges it._\n\n");
        }
        if (logCut) {
            md.append(String.format("_Written from the first %,d events of the incident's log, which holds more: what follows may be"
                    + " incomplete. `incidentctl postmortem %s` reads the whole log._\n\n", eventsRead, incidentId));
        }
        md.append("## Summary\n\n| | |\n|---|---|\n");
        row(md, "Incident", incidentId);
        row(md, "Service", facts.service());
        row(md, "Severity", severity + (severity != facts.openedSeverity() ? " (opened as " + facts.openedSeverity() + ")" : ""));
        if (facts.incidentType() != null) {
            row(md, "Type", facts.incidentType());
        }
        if (facts.tier() != null) {
            row(md, "Tier", facts.tier());
        }
        row(md, "Detected", detected.toString());
        row(md, "Opened", openedAt.toString());
        row(md, "Acknowledged", acknowledged == null ? "never" : acknowledged + by(facts.acknowledgedBy()));
        row(md, "Resolved", resolved == null ? "not yet" : resolved + by(facts.resolvedBy())
                + (facts.resolution() == null ? "" : ": " + facts.resolution()));
        row(md, "Closed", facts.closed() == null ? "not yet" : facts.closed().toString());
        row(md, "Alerts", Integer.toString(facts.alerts()));
        if (facts.reopened() > 0) {
            row(md, "Reopened", facts.reopened() + " time(s)");
        }
        row(md, "Review", review(facts));
        tickets.stream().filter(ticket -> ticket.getActionItemId() == null).forEach(ticket -> md.append("| Ticket | [")
                .append(escape(ticket.getKey())).append("](").append(link(ticket.getUrl())).append(") (").append(escape(ticket.getSystem()))
                .append(") |\n"));
        if (warRoom != null) {
            md.append("| War room | [").append(escape(warRoom.getName())).append("](").append(link(warRoom.getUrl())).append(") (")
                    .append(escape(warRoom.getSystem())).append(warRoomArchived == null ? "" : ", archived " + warRoomArchived).append(") |\n");
        }
        if (facts.published() != null) {
            row(md, "Status page", "published " + facts.published() + ", " + facts.publicUpdates() + " public update(s), "
                    + facts.missedPublicUpdates() + " missed");
        }

        md.append("\n## Impact\n\n").append(resolved == null ? "Ongoing" : "For " + span(detected, resolved))
                .append(" from the first alert, ").append(escape(facts.service())).append(" was affected: ").append(escape(facts.title()))
                .append(".\n\n_Who and what was affected, and how much (users, requests, revenue):_\n");

        md.append("\n## Response\n\n| measure | from → to | time |\n|---|---|---|\n");
        md.append("| detection | first alert → incident opened | ").append(span(detected, openedAt)).append(" |\n");
        md.append("| response (time to acknowledge) | opened → acknowledged | ").append(span(openedAt, acknowledged)).append(" |\n");
        md.append("| mitigation and resolution | acknowledged → resolved | ").append(span(acknowledged, resolved)).append(" |\n");
        md.append("| time to resolve | opened → resolved | ").append(span(openedAt, resolved)).append(" |\n");
        ResponseTargets target = facts.targets();
        // The tier's targets as they were when the incident opened (what it is judged by), else the engine's defaults.
        boolean tiers = facts.responseTargets().containsKey(severity.name());
        md.append("\nResponse target for ").append(severity).append(facts.tier() == null ? "" : " in tier " + escape(facts.tier()))
                .append(facts.tier() != null && !tiers ? " (the tier sets none: the engine's default)" : "")
                .append(": acknowledge within ").append(human(target.acknowledge()))
                .append(", resolve within ").append(human(target.resolve())).append(tiers ? " (RTO)" : "").append(": **").append(facts.targetMet() ? "met" : "missed")
                .append("** (acknowledged ").append(verdict(openedAt, acknowledged, target.acknowledge(), facts.acknowledgedInTime()))
                .append(", resolved ").append(verdict(openedAt, resolved, target.resolve(), facts.resolvedInTime())).append(").\n");

        if (facts.missedPublicUpdates() > 0) {
            md.append("\nPublic updates missed (due, the owner was reminded): ").append(facts.missedPublicUpdatesDue().stream()
                    .map(Instant::toString).collect(Collectors.joining(", ")))
                    .append(facts.missedPublicUpdates() > facts.missedPublicUpdatesDue().size()
                            ? " and " + (facts.missedPublicUpdates() - facts.missedPublicUpdatesDue().size()) + " more" : "")
                    .append(".\n");
        }

        md.append("\n## Responders\n\n");
        responders.forEach((user, did) -> md.append("- ").append(escape(user)).append(": ").append(escape(String.join(", ", did))).append('\n'));
        if (deliveriesElsewhere == null) {
            md.append("\nNotifications: ").append(delivered).append(" delivered, ").append(failed).append(" failed.\n");
        } else {
            md.append("\nNotifications: not in this document (").append(deliveriesElsewhere).append(").\n");
        }

        if (!runbooks.isEmpty()) {
            md.append("\n## Runbooks\n");
            runbooks.values().forEach(runbook -> runbook.write(md));
        }
        roles.markdown(md);

        md.append("\n## Timeline\n\n");
        if (timeline.omitted() > 0) {
            md.append(String.format("_The first and last %d alert events, %d other events and %d deliveries are listed; the lines"
                    + " \"… more … not shown …\" count the rest. `incidentctl timeline %s` lists them all._\n\n",
                    LIMITS.alertEvents(), LIMITS.otherEvents(), LIMITS.deliveries(), incidentId));
        }
        md.append("| time | since first alert | who | what |\n|---|---|---|---|\n");
        timeline.entries().forEach(entry -> md.append("| ").append(entry.at()).append(" | ").append(Timeline.elapsed(entry.sinceStart()))
                .append(" | ").append(escape(entry.who())).append(" | ").append(escape(entry.what())).append(" |\n"));

        md.append("\n## What went well\n\n- \n\n## What went wrong\n\n- \n\n## Where we got lucky\n\n- \n");
        md.append("\n## Action items\n\n| id | action | owner | due | priority | state |\n|---|---|---|---|---|---|\n");
        for (ActionItem item : facts.actionItems()) {
            md.append("| ").append(escape(item.getActionItemId())).append(" | ").append(escape(item.getTitle()))
                    .append(item.getLink() == null ? "" : " ([link](" + link(item.getLink()) + "))").append(ticketsOf(item)).append(" | ").append(escape(item.getOwner()))
                    .append(" | ").append(item.getDueAt()).append(" | ").append(item.getPriority().name().toLowerCase(Locale.ROOT))
                    .append(" | ").append(item.getCompletedAt() == null ? "open" : "done " + item.getCompletedAt()).append(" |\n");
        }
        if (facts.actionItems().isEmpty()) {
            md.append("| | | | | | |\n");
        }
        return md.toString();
    }

    /** A runbook the incident followed: its steps as attached, and the last mark of each (outcome, note, who, when). */
    private static final class RunbookUse {
        private final RunbookAttached attached;
        private final String attachedBy;
        private final RunbookStepMarked[] marks;
        private final String[] markedBy;
        private final Instant[] markedAt;

        RunbookUse(RunbookAttached attached, String attachedBy) {
            this.attached = attached;
            this.attachedBy = attachedBy;
            int steps = attached.getSteps().size();
            this.marks = new RunbookStepMarked[steps];
            this.markedBy = new String[steps];
            this.markedAt = new Instant[steps];
        }

        void mark(RunbookStepMarked marked, String by, Instant at) {
            int step = marked.getStep() - 1;
            if (step >= 0 && step < marks.length) {
                marks[step] = marked;
                markedBy[step] = by;
                markedAt[step] = at;
            }
        }

        void write(StringBuilder md) {
            md.append("\n### ").append(escape(attached.getTitle())).append(" (`").append(attached.getRunbookId().replace("`", "'"))
                    .append("`), ").append(attached.getMatched() ? "matched when the incident opened" : "attached by " + escape(attachedBy))
                    .append("\n\n");
            if (attached.getUrl() != null) {
                md.append("[The runbook](").append(link(attached.getUrl())).append(")\n\n");
            }
            for (int i = 0; i < marks.length; i++) {
                md.append(i + 1).append(". ");
                RunbookStepMarked mark = marks[i];
                if (mark == null) {
                    md.append("**not done**");
                } else {
                    md.append("**").append(mark.getOutcome().name().toLowerCase(Locale.ROOT)).append("** by ").append(escape(markedBy[i]))
                            .append(" at ").append(markedAt[i]);
                    if (mark.getNote() != null && !mark.getNote().isBlank()) {
                        md.append(": ").append(escape(mark.getNote()));
                    }
                }
                md.append('\n');
                String indent = " ".repeat(Integer.toString(i + 1).length() + 2);
                for (String line : markdownStep(attached.getSteps().get(i)).split("\n", -1)) {
                    md.append(indent).append(line).append('\n');
                }
            }
        }
    }

    /**
     * A runbook step's own Markdown, kept as Markdown inside its list item: raw HTML outside code is escaped (so a step cannot
     * inject a tag into a rendered review), a line cannot start a heading of the review, and code spans and fences stay as
     * written (a renderer shows them literally).
     */
    static String markdownStep(String step) {
        StringBuilder out = new StringBuilder(step.length() + 16);
        boolean lineStart = true;
        int i = 0;
        while (i < step.length()) {
            char c = step.charAt(i);
            if (c == '`') {
                int run = i;
                while (run < step.length() && step.charAt(run) == '`') {
                    run++;
                }
                String ticks = step.substring(i, run);
                int close = closingTicks(step, run, ticks.length());
                if (close >= 0) {
                    out.append(step, i, close + ticks.length());
                    i = close + ticks.length();
                } else {
                    out.append(ticks.replace("`", "\\`"));
                    i = run;
                }
                lineStart = false;
                continue;
            }
            if (c == '<' || c == '>' || c == '&') {
                out.append(c == '<' ? "&lt;" : c == '>' ? "&gt;" : "&amp;");
            } else if (c == '#' && lineStart) {
                out.append("\\#");
            } else if (c != '\r') {
                out.append(c);
            }
            lineStart = c == '\n' || (lineStart && c == ' ');
            i++;
        }
        return out.toString();
    }

    /** Where a run of exactly {@code length} backticks starts at or after {@code from}, or -1. */
    private static int closingTicks(String text, int from, int length) {
        int i = from;
        while (i < text.length()) {
            if (text.charAt(i) != '`') {
                i++;
                continue;
            }
            int run = i;
            while (run < text.length() && text.charAt(run) == '`') {
                run++;
            }
            if (run - i == length) {
                return i;
            }
            i = run;
        }
        return -1;
    }

    /** The action item's tickets, as links after its title. */
    private String ticketsOf(ActionItem item) {
        return tickets.stream().filter(ticket -> item.getActionItemId().equals(ticket.getActionItemId()))
                .map(ticket -> " ([" + escape(ticket.getKey()) + "](" + link(ticket.getUrl()) + "))").collect(Collectors.joining());
    }

    /** What a person did, in a few words. */
    private static String role(Object payload) {
        if (payload instanceof ActionItemAdded item) {
            return "action item " + item.getActionItemId();
        } else if (payload instanceof ActionItemCompleted item) {
            return item.getActionItemId() + " done";
        } else if (payload instanceof ReviewRequired review) {
            return review.getRequired() ? "review required" : "review recommended";
        }
        return Timeline.describe(payload).split(": ")[0];
    }

    private static String review(IncidentFacts facts) {
        ReviewStatus review = facts.review();
        if (review == null) {
            return "not asked for";
        }
        if (review.getPublishedAt() != null) {
            return "published " + review.getPublishedAt() + ": " + review.getUrl();
        }
        return (review.getRequired() ? "required" : "recommended") + ", due " + review.getDueAt();
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(escape(value)).append(" |\n");
    }

    /**
     * Text as Markdown that shows it as it is: the characters that would format it, make a link,
     * an HTML tag or a table cell are escaped with a backslash, and a line break becomes a space
     * (every text stands in one table cell or line).
     */
    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (MARKUP.indexOf(c) >= 0) {
                escaped.append('\\').append(c);
            } else {
                escaped.append(c == '\n' || c == '\r' ? ' ' : c);
            }
        }
        return escaped.toString();
    }

    /** A link's target: parentheses and spaces would end it, so they are percent-encoded. */
    private static String link(String url) {
        return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("\n", "").replace("\r", "");
    }

    private static String by(String actor) {
        return actor == null ? "" : " by " + actor;
    }

    private static String span(Instant from, Instant to) {
        return from == null || to == null ? "-" : Timeline.span(Duration.between(from, to));
    }

    private static String verdict(Instant from, Instant to, Duration within, boolean inTime) {
        return to == null ? "not yet" : inTime ? "in time" : "late by " + span(from.plus(within), to);
    }

    private static String human(Duration duration) {
        return duration.toDays() > 0 ? duration.toDays() + " d" : duration.toHours() > 0 ? duration.toHours() + " h" : duration.toMinutes() + " min";
    }
}
