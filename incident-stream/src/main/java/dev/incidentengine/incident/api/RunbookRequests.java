package dev.incidentengine.incident.api;

import java.io.IOException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.incidentengine.configdata.AvroJson;
import dev.incidentengine.incident.domain.ResponseRules;
import dev.incidentengine.incident.routing.AlertMatcher;
import dev.incidentengine.model.AttachRunbook;
import dev.incidentengine.model.AttachedRunbook;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.MarkRunbookStep;
import dev.incidentengine.model.RunbookStepOutcome;
import dev.incidentengine.model.config.RunbookConfig;
import dev.incidentengine.schemas.RunbookLimits;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.ApiUser;

/**
 * The runbook endpoints: {@code POST /api/v1/incidents/{id}/runbooks {"runbookId"}} attaches a configured runbook,
 * {@code PUT /api/v1/incidents/{id}/runbooks/{runbookId}/steps/{n} {"outcome": "done|skipped", "note"}} marks a step, and
 * {@value #RUNBOOKS} lists the configured runbooks. What the aggregate would refuse for the request alone (an unknown
 * runbook, a step it does not have, a note too long) is refused here first, as a 4xx naming the field.
 */
final class RunbookRequests {

    public static final String RUNBOOKS = "/api/v1/runbooks";
    static final List<String> ATTACH_FIELDS = List.of("runbookId");
    private static final Set<String> STEP_FIELDS = Set.of("outcome", "note");
    /** Below {@code /incidents/{id}}: {@code runbooks/{runbookId}/steps/{n}}. */
    private static final int STEP_PATH_LENGTH = 5;

    private RunbookRequests() {
    }

    static AttachRunbook attach(ApiRequests.Body body) {
        return new AttachRunbook(runbookId(body.requiredText("runbookId"), "runbookId"));
    }

    /** Whether a path below {@code /incidents} ({@code [id, "runbooks", runbookId, "steps", n]}) names a runbook step. */
    static boolean isStep(String[] path) {
        return path.length == STEP_PATH_LENGTH && path[1].equals("runbooks") && path[3].equals("steps");
    }

    /** The mark a PUT on a step asks for; {@code incident} as this instance holds it, to refuse a step it does not have. */
    static IncidentCommand step(String[] path, byte[] body, String idempotencyKey, ApiUser user, Instant now, IncidentState incident) {
        String runbookId = runbookId(path[2], "runbookId");
        int step = step(path[4]);
        AttachedRunbook attached = incident.getRunbooks().stream().filter(runbook -> runbook.getRunbookId().equals(runbookId))
                .findFirst().orElseThrow(() -> new ApiError(404, "runbookId", "runbook '" + runbookId + "' is not attached to "
                        + incident.getIncidentId() + " (attached: " + incident.getRunbooks().stream().map(AttachedRunbook::getRunbookId).toList()
                        + "); attach it first with POST .../runbooks"));
        if (step > attached.getSteps().size()) {
            throw new ApiError(400, "step", "runbook '" + runbookId + "' has steps 1 to " + attached.getSteps().size() + ", not " + step);
        }
        return ApiRequests.command(incident.getIncidentId(), STEP_FIELDS, fields -> new MarkRunbookStep(runbookId, step,
                outcome(fields.requiredText("outcome")), note(fields.optionalText("note"))), body, idempotencyKey, user, now);
    }

    /** Refuses a runbook the configuration does not have, before the command is stored. */
    static void checkConfigured(String runbookId, List<RunbookConfig> configured) {
        if (configured.stream().noneMatch(runbook -> runbook.getId().equals(runbookId))) {
            throw new ApiError(400, "runbookId", "unknown runbook '" + runbookId + "' (configured: "
                    + configured.stream().map(RunbookConfig::getId).sorted().toList() + ")");
        }
    }

    /** The configured runbooks in the order they are tried (priority, then id), each with the problem that keeps it out, if any. */
    static void writeRunbooks(List<RunbookConfig> runbooks, JsonGenerator out) throws IOException {
        out.writeStartObject();
        out.writeArrayFieldStart("runbooks");
        for (RunbookConfig runbook : runbooks.stream().sorted(Comparator.comparingInt(RunbookConfig::getPriority)
                .thenComparing(RunbookConfig::getId)).toList()) {
            out.writeStartObject();
            AvroJson.writeFields(runbook, Set.of(), out);
            out.writeStringField("problem", problem(runbook));
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    /** Why the aggregate skips the runbook (as {@link ResponseRules} does), or null. */
    private static String problem(RunbookConfig runbook) {
        String problem = RunbookLimits.problem(runbook);
        if (problem != null) {
            return problem;
        }
        try {
            AlertMatcher.of(runbook.getMatchers());
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static String runbookId(String id, String field) {
        if (id.isBlank() || id.length() > ResponseRules.MAX_ID) {
            throw new ApiError(400, field, "must be a runbook id of 1 to " + ResponseRules.MAX_ID + " characters");
        }
        return id;
    }

    private static int step(String text) {
        int step;
        try {
            step = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            step = 0;
        }
        if (step < 1 || step > RunbookLimits.MAX_STEPS) {
            throw new ApiError(400, "step", "must be a step number from 1 to " + RunbookLimits.MAX_STEPS + ", not '" + text + "'");
        }
        return step;
    }

    private static RunbookStepOutcome outcome(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "done" -> RunbookStepOutcome.DONE;
            case "skipped" -> RunbookStepOutcome.SKIPPED;
            default -> throw new ApiError(400, "outcome", "must be done or skipped, not '" + text + "'");
        };
    }

    private static String note(String note) {
        if (note != null && note.length() > ResponseRules.MAX_NOTE) {
            throw new ApiError(400, "note", "longer than " + ResponseRules.MAX_NOTE + " characters");
        }
        return note;
    }
}
