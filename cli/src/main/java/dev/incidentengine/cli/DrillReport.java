package dev.incidentengine.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.incident.domain.ResponseRules;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.ResponseTarget;
import dev.incidentengine.model.RoleAssigned;
import dev.incidentengine.model.RunbookAttached;
import dev.incidentengine.model.RunbookStepMarked;
import dev.incidentengine.model.RunbookStepOutcome;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.StatusUpdatePosted;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.schemas.ResponseTargets;

/**
 * How the drills of a period went, from their logs: per drill its scenario, service and severity; time to acknowledge
 * against the incident's own target ({@link ResponseTargets}); whether an Incident Commander took the role within the role's
 * time when the severity requires one; whether status updates came on cadence (no gap from opening through each update to
 * the resolution, or to now while it runs, longer than the cadence); the runbook steps done of all attached; a verdict; and
 * totals. Pure: events in as read, JSON out. Only drills are kept (a few facts each), so a year of history costs its
 * drills, not its incidents.
 */
final class DrillReport {

    static final String COMMANDER = "commander";

    private final Instant since;
    private final Instant until;
    private final ResponseRules rules;
    private final Function<Severity, Optional<Duration>> cadence;
    private final Map<String, Drill> drills = new HashMap<>();

    /**
     * Drills opened in [{@code since}, {@code until}).
     *
     * @param rules   the roles as configured (the commander's required severities and time)
     * @param cadence the longest a drill of a severity may go without a status update; empty: not judged
     */
    DrillReport(Instant since, Instant until, ResponseRules rules, Function<Severity, Optional<Duration>> cadence) {
        this.since = since;
        this.until = until;
        this.rules = rules;
        this.cadence = cadence;
    }

    /** What the report keeps of one drill. */
    private static final class Drill {
        final String id;
        final IncidentOpened opened;
        final Instant openedAt;
        Severity severity;
        Map<String, ResponseTarget> targets;
        Instant acknowledgedAt;
        String acknowledgedBy;
        Instant commanderAt;
        String commander;
        Instant resolvedAt;
        final List<Instant> updates = new ArrayList<>();
        /** Per runbook: its steps' count and the last outcome of each step marked. */
        final Map<String, Integer> runbookSteps = new LinkedHashMap<>();
        final Map<String, Map<Integer, RunbookStepOutcome>> marked = new HashMap<>();

        Drill(String id, IncidentOpened opened, Instant at) {
            this.id = id;
            this.opened = opened;
            this.openedAt = at;
            this.severity = opened.getSeverity();
            this.targets = opened.getResponseTargets();
        }
    }

    /** One event of any incident, in its log's order; events of incidents that are not drills of the period are dropped at once. */
    void event(String incidentId, IncidentEvent event) {
        Object payload = event.getPayload();
        Drill drill = drills.get(incidentId);
        Instant at = event.getTimestamp();
        if (drill == null) {
            if (payload instanceof IncidentOpened opened && opened.getDrill() != null && !at.isBefore(since) && at.isBefore(until)) {
                drills.put(incidentId, new Drill(incidentId, opened, at));
            }
            return;
        }
        if (payload instanceof SeverityChanged changed) {
            drill.severity = changed.getTo();
        } else if (payload instanceof IncidentAcknowledged && drill.acknowledgedAt == null) {
            drill.acknowledgedAt = at;
            drill.acknowledgedBy = event.getActor().getId();
        } else if (payload instanceof RoleAssigned assigned && COMMANDER.equals(assigned.getRole()) && assigned.getUserId() != null
                && drill.commanderAt == null) {
            drill.commanderAt = at;
            drill.commander = assigned.getUserId();
        } else if (payload instanceof StatusUpdatePosted) {
            drill.updates.add(at);
        } else if (payload instanceof IncidentResolved) {
            drill.resolvedAt = at;
        } else if (payload instanceof IncidentReopened) {
            drill.resolvedAt = null;
        } else if (payload instanceof RunbookAttached attached) {
            drill.runbookSteps.put(attached.getRunbookId(), attached.getSteps().size());
        } else if (payload instanceof RunbookStepMarked mark) {
            drill.marked.computeIfAbsent(mark.getRunbookId(), id -> new HashMap<>()).put(mark.getStep(), mark.getOutcome());
        }
    }

    /** The report as of {@code now} (a drill still running is judged so far). */
    ObjectNode json(Instant now) {
        List<Drill> sorted = new ArrayList<>(drills.values());
        sorted.sort(Comparator.comparing((Drill drill) -> drill.openedAt).thenComparing(drill -> drill.id));
        ObjectNode report = ApiClient.JSON.createObjectNode();
        report.put("since", since.toString());
        report.put("until", until.toString());
        ArrayNode rows = report.putArray("drills");
        int passed = 0;
        int acknowledgedInTime = 0;
        int commanderJudged = 0;
        int commanderInTime = 0;
        int cadenceJudged = 0;
        int onCadence = 0;
        int stepsDone = 0;
        int steps = 0;
        for (Drill drill : sorted) {
            ObjectNode row = rows.addObject();
            List<String> misses = new ArrayList<>();
            row.put("incidentId", drill.id).put("scenario", drill.opened.getDrill()).put("service", drill.opened.getService())
                    .put("severity", drill.severity.name()).put("title", drill.opened.getTitle()).put("openedAt", drill.openedAt.toString())
                    .put("resolvedAt", drill.resolvedAt == null ? null : drill.resolvedAt.toString());

            Duration target = ResponseTargets.of(drill.targets, drill.severity).acknowledge();
            Duration toAcknowledge = drill.acknowledgedAt == null ? null : Duration.between(drill.openedAt, drill.acknowledgedAt);
            boolean ackInTime = toAcknowledge != null && toAcknowledge.compareTo(target) <= 0;
            row.putObject("acknowledge").put("seconds", toAcknowledge == null ? null : toAcknowledge.toSeconds())
                    .put("targetSeconds", target.toSeconds()).put("by", drill.acknowledgedBy).put("inTime", ackInTime);
            acknowledgedInTime += ackInTime ? 1 : 0;
            if (!ackInTime) {
                misses.add(toAcknowledge == null ? "never acknowledged" : "acknowledged late");
            }

            Optional<RoleConfig> commander = rules.role(COMMANDER)
                    .filter(role -> role.getRequiredSeverities().contains(drill.opened.getSeverity().name())
                            || role.getRequiredSeverities().contains(drill.severity.name()));
            ObjectNode ic = row.putObject("commander").put("required", commander.isPresent()).put("user", drill.commander)
                    .put("afterSeconds", drill.commanderAt == null ? null : Duration.between(drill.openedAt, drill.commanderAt).toSeconds());
            if (commander.isPresent()) {
                Duration within = Duration.ofMinutes(commander.get().getRequiredWithinMinutes());
                boolean inTime = drill.commanderAt != null && !drill.commanderAt.isAfter(drill.openedAt.plus(within));
                ic.put("withinSeconds", within.toSeconds()).put("inTime", inTime);
                commanderJudged++;
                commanderInTime += inTime ? 1 : 0;
                if (!inTime) {
                    misses.add(drill.commanderAt == null ? "no incident commander" : "incident commander late");
                }
            } else {
                ic.putNull("withinSeconds").putNull("inTime");
            }

            Optional<Duration> every = cadence.apply(drill.severity);
            Instant end = drill.resolvedAt != null ? drill.resolvedAt : now;
            Duration longest = longestGap(drill.openedAt, drill.updates, end);
            ObjectNode updates = row.putObject("statusUpdates").put("count", drill.updates.size())
                    .put("longestGapSeconds", longest.toSeconds()).put("cadenceSeconds", every.map(Duration::toSeconds).orElse(null));
            if (every.isPresent()) {
                boolean kept = longest.compareTo(every.get()) <= 0;
                updates.put("onCadence", kept);
                cadenceJudged++;
                onCadence += kept ? 1 : 0;
                if (!kept) {
                    misses.add("status updates off cadence");
                }
            } else {
                updates.putNull("onCadence");
            }

            int total = drill.runbookSteps.values().stream().mapToInt(Integer::intValue).sum();
            int done = 0;
            int skipped = 0;
            for (Map.Entry<String, Map<Integer, RunbookStepOutcome>> runbook : drill.marked.entrySet()) {
                int count = drill.runbookSteps.getOrDefault(runbook.getKey(), 0);
                for (Map.Entry<Integer, RunbookStepOutcome> step : runbook.getValue().entrySet()) {
                    if (step.getKey() >= 1 && step.getKey() <= count) {
                        done += step.getValue() == RunbookStepOutcome.DONE ? 1 : 0;
                        skipped += step.getValue() == RunbookStepOutcome.SKIPPED ? 1 : 0;
                    }
                }
            }
            row.putObject("runbookSteps").put("done", done).put("skipped", skipped).put("total", total);
            steps += total;
            stepsDone += done;
            if (done < total) {
                misses.add("runbook " + done + "/" + total + " steps done");
            }

            boolean pass = misses.isEmpty();
            passed += pass ? 1 : 0;
            row.put("verdict", pass ? "PASS" : "FAIL");
            misses.forEach(row.putArray("misses")::add);
        }
        report.putObject("totals").put("drills", sorted.size()).put("passed", passed).put("acknowledgedInTime", acknowledgedInTime)
                .put("commanderRequired", commanderJudged).put("commanderInTime", commanderInTime).put("cadenceJudged", cadenceJudged)
                .put("onCadence", onCadence).put("runbookStepsDone", stepsDone).put("runbookSteps", steps);
        return report;
    }

    /** The longest stretch without a status update, from opening through each update to {@code end}. */
    static Duration longestGap(Instant openedAt, List<Instant> updates, Instant end) {
        Duration longest = Duration.ZERO;
        Instant last = openedAt;
        List<Instant> marks = new ArrayList<>(updates);
        marks.add(end);
        for (Instant mark : marks) {
            if (mark.isAfter(last)) {
                Duration gap = Duration.between(last, mark);
                longest = gap.compareTo(longest) > 0 ? gap : longest;
                last = mark;
            }
        }
        return longest;
    }
}
