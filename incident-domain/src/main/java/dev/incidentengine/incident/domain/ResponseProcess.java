package dev.incidentengine.incident.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AssignRole;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.AttachRunbook;
import dev.incidentengine.model.AttachedRunbook;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.IncidentTypeChanged;
import dev.incidentengine.model.LinkWarRoom;
import dev.incidentengine.model.MarkRunbookStep;
import dev.incidentengine.model.RecordWarRoomArchived;
import dev.incidentengine.model.RequestRole;
import dev.incidentengine.model.RoleAssigned;
import dev.incidentengine.model.RoleRequested;
import dev.incidentengine.model.RunbookAttached;
import dev.incidentengine.model.RunbookRef;
import dev.incidentengine.model.RunbookStep;
import dev.incidentengine.model.RunbookStepMarked;
import dev.incidentengine.model.SetIncidentType;
import dev.incidentengine.model.WarRoom;
import dev.incidentengine.model.WarRoomArchived;
import dev.incidentengine.model.WarRoomLinked;
import dev.incidentengine.model.config.RunbookConfig;

/**
 * The response process on an incident: what it opens with (type, tier and targets, drill, matching runbook), its roles,
 * runbook steps and war room. Part of {@link IncidentLifecycle}'s decide and evolve, kept apart so the lifecycle proper
 * stays readable.
 */
final class ResponseProcess {

    private final Supplier<ResponseRules> rules;

    ResponseProcess(Supplier<ResponseRules> rules) {
        this.rules = rules;
    }

    /** The incident opens with its first alert, the route's type, its service's targets and, when one matches, a runbook. */
    void open(IncidentLifecycle.Decision decision, AttachAlert attach) {
        Alert alert = attach.getAlert();
        ResponseRules response = rules.get();
        String type = attach.getIncidentType();
        ResponseRules.Targets targets = response.targets(alert.getService());
        RunbookConfig runbook = response.runbookFor(alert, alert.getService(), type).orElse(null);
        // Named in IncidentOpened too, so the first messages (composed as it is read) can link it.
        RunbookRef matched = runbook == null ? null : new RunbookRef(runbook.getId(), runbook.getTitle(), runbook.getUrl());
        decision.emit(new IncidentOpened(alert.getSummary(), alert.getSeverity(), alert.getService(), attach.getCorrelationKey(),
                attach.getEscalationPolicyId(), alert.getLabels(), attach.getAutoResolve(), type, targets.tier(),
                targets.bySeverity(), alert.getDrill(), matched));
        decision.emit(new AlertAttached(alert));
        if (runbook != null) {
            decision.emit(attached(runbook, true));
        }
    }

    void assignRole(IncidentLifecycle.Decision decision, AssignRole assign) {
        IncidentState state = decision.state();
        String role = assign.getRole();
        String holder = state.getRoles().get(role);
        String user = assign.getUserId();
        if (refuseEnded(decision, "assign roles on")) {
            return;
        }
        if (holder == null && rules.get().role(role).isEmpty()) {
            decision.reject("unknown role '" + role + "' (known: " + rules.get().roles().keySet() + ")");
        } else if (user != null && (user.isBlank() || user.length() > ResponseRules.MAX_ID)) {
            decision.reject("a role's holder must be a user id of 1 to " + ResponseRules.MAX_ID + " characters");
        } else if (tooLong(assign.getReason())) {
            decision.reject("a reason is at most " + ResponseRules.MAX_NOTE + " characters");
        } else if (!Objects.equals(holder, user)) {
            decision.emit(new RoleAssigned(role, user, holder, assign.getReason()));
        }
    }

    /** Escalation-stream found a required role still free past its time; taken meanwhile (a race), or the incident over, is no page. */
    void requestRole(IncidentLifecycle.Decision decision, RequestRole request) {
        IncidentState state = decision.state();
        String holder = state.getRoles().get(request.getRole());
        if (!IncidentLifecycle.isOpen(state)) {
            decision.reject("the incident is " + state.getStatus().name().toLowerCase() + "; no role is paged for it");
        } else if (holder != null) {
            decision.reject(request.getRole() + " is held by " + holder);
        } else {
            decision.emit(new RoleRequested(request.getRole(), request.getTargets(), request.getReason()));
        }
    }

    void setType(IncidentLifecycle.Decision decision, SetIncidentType set) {
        IncidentState state = decision.state();
        String type = set.getIncidentType();
        if (refuseMerged(decision)) {
            return;
        }
        if (!rules.get().knowsType(type)) {
            decision.reject("unknown incident type '" + type + "' (known: " + rules.get().types().keySet() + ")");
        } else if (!type.equals(state.getIncidentType())) {
            decision.emit(new IncidentTypeChanged(state.getIncidentType(), type));
        }
    }

    void attachRunbook(IncidentLifecycle.Decision decision, AttachRunbook attach) {
        IncidentState state = decision.state();
        RunbookConfig runbook = rules.get().runbook(attach.getRunbookId()).orElse(null);
        if (refuseEnded(decision, "attach runbooks to")) {
            return;
        }
        if (runbook == null) {
            decision.reject("unknown runbook '" + attach.getRunbookId() + "'");
        } else if (state.getRunbooks().stream().anyMatch(attached -> attached.getRunbookId().equals(runbook.getId()))) {
            return;
        } else if (state.getRunbooks().size() >= ResponseRules.MAX_RUNBOOKS_PER_INCIDENT) {
            decision.reject("an incident follows at most " + ResponseRules.MAX_RUNBOOKS_PER_INCIDENT + " runbooks");
        } else {
            decision.emit(attached(runbook, false));
        }
    }

    void markStep(IncidentLifecycle.Decision decision, MarkRunbookStep mark) {
        IncidentState state = decision.state();
        AttachedRunbook runbook = state.getRunbooks().stream()
                .filter(attached -> attached.getRunbookId().equals(mark.getRunbookId())).findFirst().orElse(null);
        if (refuseMerged(decision)) {
            return;
        }
        if (runbook == null) {
            decision.reject("runbook '" + mark.getRunbookId() + "' is not attached (attached: "
                    + state.getRunbooks().stream().map(AttachedRunbook::getRunbookId).toList() + ")");
        } else if (mark.getStep() < 1 || mark.getStep() > runbook.getSteps().size()) {
            decision.reject("runbook '" + runbook.getRunbookId() + "' has steps 1 to " + runbook.getSteps().size() + ", not " + mark.getStep());
        } else if (tooLong(mark.getNote())) {
            decision.reject("a note is at most " + ResponseRules.MAX_NOTE + " characters");
        } else {
            RunbookStep step = runbook.getSteps().get(mark.getStep() - 1);
            if (step.getOutcome() != mark.getOutcome() || !Objects.equals(step.getNote(), mark.getNote())) {
                decision.emit(new RunbookStepMarked(runbook.getRunbookId(), mark.getStep(), mark.getOutcome(), mark.getNote()));
            }
        }
    }

    void linkWarRoom(IncidentLifecycle.Decision decision, LinkWarRoom link) {
        WarRoom room = link.getRoom();
        String invalid = invalid(room);
        if (invalid != null) {
            decision.reject(invalid);
        } else if (!room.equals(decision.state().getWarRoom()) || decision.state().getWarRoomArchivedAt() != null) {
            decision.emit(new WarRoomLinked(room));
        }
    }

    void warRoomArchived(IncidentLifecycle.Decision decision, RecordWarRoomArchived archived) {
        IncidentState state = decision.state();
        if (state.getWarRoom() == null) {
            decision.reject("the incident has no war room");
        } else if (state.getWarRoomArchivedAt() == null) {
            decision.emit(new WarRoomArchived(archived.getId()));
        }
    }

    static boolean folds(Object payload) {
        return payload instanceof RoleAssigned || payload instanceof RoleRequested || payload instanceof IncidentTypeChanged
                || payload instanceof RunbookAttached || payload instanceof RunbookStepMarked || payload instanceof WarRoomLinked
                || payload instanceof WarRoomArchived;
    }

    /** Folds one of the events {@link #folds} into {@code next}, a shallow copy of {@code state}. */
    static void fold(IncidentState state, IncidentState next, IncidentEvent event) {
        Object payload = event.getPayload();
        Instant at = event.getTimestamp();
        if (payload instanceof RoleAssigned assigned) {
            Map<String, String> roles = new HashMap<>(state.getRoles());
            if (assigned.getUserId() == null) {
                roles.remove(assigned.getRole());
            } else {
                roles.put(assigned.getRole(), assigned.getUserId());
            }
            next.setRoles(roles);
            Map<String, Instant> requests = new HashMap<>(state.getRoleRequests());
            requests.remove(assigned.getRole());
            next.setRoleRequests(requests);
        } else if (payload instanceof RoleRequested requested) {
            Map<String, Instant> requests = new HashMap<>(state.getRoleRequests());
            requests.put(requested.getRole(), at);
            next.setRoleRequests(requests);
        } else if (payload instanceof IncidentTypeChanged changed) {
            next.setIncidentType(changed.getTo());
        } else if (payload instanceof RunbookAttached attached) {
            List<RunbookStep> steps = new ArrayList<>();
            for (int i = 0; i < attached.getSteps().size(); i++) {
                steps.add(new RunbookStep(i + 1, attached.getSteps().get(i), null, null, null, null));
            }
            List<AttachedRunbook> runbooks = new ArrayList<>(state.getRunbooks());
            runbooks.add(new AttachedRunbook(attached.getRunbookId(), attached.getTitle(), attached.getUrl(), at, steps));
            next.setRunbooks(runbooks);
        } else if (payload instanceof RunbookStepMarked marked) {
            List<AttachedRunbook> runbooks = new ArrayList<>(state.getRunbooks());
            for (int i = 0; i < runbooks.size(); i++) {
                AttachedRunbook runbook = runbooks.get(i);
                if (runbook.getRunbookId().equals(marked.getRunbookId())) {
                    List<RunbookStep> steps = new ArrayList<>(runbook.getSteps());
                    RunbookStep step = steps.get(marked.getStep() - 1);
                    steps.set(marked.getStep() - 1, new RunbookStep(step.getNumber(), step.getText(), marked.getOutcome(),
                            marked.getNote(), event.getActor().getId(), at));
                    runbooks.set(i, AttachedRunbook.newBuilder(runbook).setSteps(steps).build());
                }
            }
            next.setRunbooks(runbooks);
        } else if (payload instanceof WarRoomLinked linked) {
            next.setWarRoom(linked.getRoom());
            next.setWarRoomArchivedAt(null);
        } else if (payload instanceof WarRoomArchived) {
            next.setWarRoomArchivedAt(at);
        }
    }

    private static RunbookAttached attached(RunbookConfig runbook, boolean matched) {
        return new RunbookAttached(runbook.getId(), runbook.getTitle(), runbook.getUrl(), List.copyOf(runbook.getSteps()), matched);
    }

    /** Why a war room cannot be recorded, or null. */
    static String invalid(WarRoom room) {
        if (room.getSystem().isBlank() || room.getSystem().length() > 32) {
            return "a war room's system must be 1 to 32 characters";
        }
        if (room.getName().isBlank() || room.getName().length() > 200) {
            return "a war room's name must be 1 to 200 characters";
        }
        String url = room.getUrl();
        if (url.length() > 2_000 || !(url.startsWith("https://") || url.startsWith("http://"))) {
            return "a war room's url must be an http(s) URL of at most 2000 characters";
        }
        return null;
    }

    private static boolean refuseMerged(IncidentLifecycle.Decision decision) {
        String merged = decision.state().getMergedInto();
        if (merged != null) {
            decision.reject("merged into " + merged + "; work on that one");
            return true;
        }
        return false;
    }

    private static boolean refuseEnded(IncidentLifecycle.Decision decision, String what) {
        if (refuseMerged(decision)) {
            return true;
        }
        if (decision.state().getStatus() == IncidentStatus.CLOSED) {
            decision.reject("the incident is closed; cannot " + what + " it");
            return true;
        }
        return false;
    }

    private static boolean tooLong(String text) {
        return text != null && text.length() > ResponseRules.MAX_NOTE;
    }
}
