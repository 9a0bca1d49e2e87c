package dev.incidentengine.status;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentPublished;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.OverrideComponentStatus;
import dev.incidentengine.model.PostMaintenanceUpdate;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.PublicUpdatePosted;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.StatusPageCommand;
import dev.incidentengine.model.config.PublicMaintenance;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.StatusComponentConfig;
import dev.incidentengine.model.config.StatusPageConfig;
import dev.incidentengine.model.config.WeeklyWindow;

/** Inputs of the status page for tests: config, silences, public incident events and commands. */
public final class Pages {

    public static final String PAGE = "public";
    public static final Actor ALICE = new Actor(ActorType.USER, "alice", "Alice");

    private Pages() {
    }

    /** The page with these components; default severityStatus (SEV0 major, SEV1 partial, SEV2/SEV3 degraded). */
    public static StatusPageConfig config(String... components) {
        return StatusPageConfig.newBuilder().setId(PAGE).setName("Example status")
                .setComponents(Arrays.stream(components).map(id -> StatusComponentConfig.newBuilder().setId(id).setName(id.toUpperCase()).build())
                        .toList())
                .build();
    }

    public static IncidentEvent published(String incident, long sequence, Instant at, Severity severity, String... components) {
        return event(incident, sequence, at, new IncidentPublished("u-" + incident + "-" + sequence, "Public " + incident, PublicImpact.MAJOR,
                List.of(components), PublicIncidentStatus.INVESTIGATING, "We are investigating.", severity, false, Map.of()));
    }

    public static IncidentEvent update(String incident, long sequence, Instant at, PublicIncidentStatus status, String... components) {
        return event(incident, sequence, at, new PublicUpdatePosted("u-" + incident + "-" + sequence, status, "Update " + status,
                "Public " + incident, PublicImpact.MAJOR, List.of(components), false));
    }

    public static IncidentEvent severity(String incident, long sequence, Instant at, Severity from, Severity to) {
        return event(incident, sequence, at, new SeverityChanged(from, to, null, true));
    }

    public static IncidentEvent event(String incident, long sequence, Instant at, Object payload) {
        return IncidentEvent.newBuilder().setEventId(incident + "/" + sequence).setIncidentId(incident).setSequence(sequence)
                .setTimestamp(at).setActor(ALICE).setPayload(payload).build();
    }

    public static SilenceConfig oneOff(String id, Instant start, Instant end, int noticeDays, String... components) {
        return SilenceConfig.newBuilder().setId(id).setMatchers(List.of()).setStartsAt(start).setEndsAt(end)
                .setStatusPage(new PublicMaintenance("Database upgrade", "We will upgrade the database.", List.of(components), noticeDays))
                .setAuthor("ops").build();
    }

    public static SilenceConfig weekly(String id, List<String> days, String from, String to, String zone, int noticeDays, String... components) {
        return SilenceConfig.newBuilder().setId(id).setMatchers(List.of())
                .setWeekly(new WeeklyWindow(days, from, to, zone))
                .setStatusPage(new PublicMaintenance("Weekly maintenance", "Weekly window.", List.of(components), noticeDays))
                .setAuthor("ops").build();
    }

    public static StatusPageCommand override(String commandId, Instant at, String component, ComponentStatus status) {
        return new StatusPageCommand(commandId, PAGE, ALICE, at, new OverrideComponentStatus(component, status, status == null ? null : "checking"));
    }

    public static StatusPageCommand maintenanceUpdate(String commandId, Instant at, String maintenance, MaintenanceStatus status) {
        return new StatusPageCommand(commandId, PAGE, ALICE, at, new PostMaintenanceUpdate(maintenance, status, "Now " + status));
    }
}
