package dev.incidentengine.status.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AffectedComponent;
import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.ComponentStatusChanged;
import dev.incidentengine.model.MaintenanceChanged;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.PageComponent;
import dev.incidentengine.model.PageConfigured;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentChanged;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.PublicUpdate;
import dev.incidentengine.model.StatusPageEvent;

/** Writes a page's log the way the status-page writer does: one sequence, events in order. */
public final class PageEvents {

    private final String pageId;
    private long sequence;
    private final List<StatusPageEvent> written = new ArrayList<>();

    public PageEvents(String pageId) {
        this.pageId = pageId;
    }

    public List<StatusPageEvent> written() {
        return List.copyOf(written);
    }

    private StatusPageEvent event(Instant at, Object payload) {
        StatusPageEvent event = StatusPageEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setPageId(pageId)
                .setSequence(++sequence).setTimestamp(at).setActor(new Actor(ActorType.SYSTEM, "status-page", null))
                .setPayload(payload).build();
        written.add(event);
        return event;
    }

    /** Components as id, name, group (or null). */
    public StatusPageEvent configured(Instant at, String name, String zone, String... idNameGroup) {
        List<PageComponent> components = new ArrayList<>();
        for (int i = 0; i < idNameGroup.length; i += 3) {
            components.add(PageComponent.newBuilder().setId(idNameGroup[i]).setName(idNameGroup[i + 1]).setGroup(idNameGroup[i + 2]).build());
        }
        return event(at, PageConfigured.newBuilder().setName(name).setUrl("https://status.example.com").setTimeZone(zone)
                .setComponents(components).build());
    }

    public StatusPageEvent configured(Instant at, String name, String zone, List<PageComponent> components) {
        return event(at, PageConfigured.newBuilder().setName(name).setUrl("https://status.example.com").setTimeZone(zone)
                .setComponents(components).build());
    }

    public StatusPageEvent maintenanceCancelled(Instant at, String id) {
        return event(at, dev.incidentengine.model.MaintenanceCancelled.newBuilder().setMaintenanceId(id).build());
    }

    public StatusPageEvent status(Instant at, String component, ComponentStatus from, ComponentStatus to) {
        return event(at, ComponentStatusChanged.newBuilder().setComponentId(component).setFrom(from).setTo(to).build());
    }

    public StatusPageEvent incident(Instant at, String id, String title, PublicImpact impact, PublicIncidentStatus status, Instant createdAt,
                                    String message, List<String> components) {
        PublicUpdate update = message == null ? null : PublicUpdate.newBuilder().setId(id + "-" + sequence).setStatus(status.name().toLowerCase())
                .setMessage(message).setCreatedAt(at)
                .setComponents(components.stream().map(c -> new AffectedComponent(c, ComponentStatus.OPERATIONAL, ComponentStatus.MAJOR_OUTAGE)).toList())
                .build();
        boolean resolved = status == PublicIncidentStatus.RESOLVED || status == PublicIncidentStatus.POSTMORTEM;
        return event(at, PublicIncidentChanged.newBuilder().setIncidentId(id).setTitle(title).setImpact(impact).setStatus(status)
                .setComponents(components).setCreatedAt(createdAt).setResolvedAt(resolved ? at : null).setUpdate(update).build());
    }

    public StatusPageEvent maintenance(Instant at, String id, String title, MaintenanceStatus status, Instant from, Instant until,
                                       String message, List<String> components) {
        PublicUpdate update = message == null ? null : PublicUpdate.newBuilder().setId(id + "-" + sequence).setStatus(status.name().toLowerCase())
                .setMessage(message).setCreatedAt(at).build();
        return event(at, MaintenanceChanged.newBuilder().setMaintenanceId(id).setTitle(title).setStatus(status).setComponents(components)
                .setScheduledFor(from).setScheduledUntil(until).setUpdate(update).build());
    }
}
