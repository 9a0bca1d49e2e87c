package dev.incidentengine.status;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.status.domain.PublicPage;
import dev.incidentengine.status.domain.PublicPage.Component;
import dev.incidentengine.status.domain.PublicPage.ComponentChange;
import dev.incidentengine.status.domain.PublicPage.Incident;
import dev.incidentengine.status.domain.PublicPage.Maintenance;
import dev.incidentengine.status.domain.PublicPage.Update;

/**
 * Statuspage's public API v2 documents ({@code /api/v2/*.json}) of a page: Statuspage's field names,
 * status words and order (newest first), times in ISO-8601 with the page zone's offset. Beyond the
 * published examples, as Statuspage's live pages answer: {@code page.time_zone}, an incident's
 * {@code started_at} and {@code components}, and an update's {@code affected_components} when it changed any.
 */
final class StatusJson {

    static final String SUMMARY = "summary.json";
    static final String STATUS = "status.json";
    static final String COMPONENTS = "components.json";
    static final String INCIDENTS = "incidents.json";
    static final String UNRESOLVED = "incidents/unresolved.json";
    static final String MAINTENANCES = "scheduled-maintenances.json";
    static final String UPCOMING = "scheduled-maintenances/upcoming.json";
    static final String ACTIVE = "scheduled-maintenances/active.json";
    static final List<String> DOCUMENTS = List.of(SUMMARY, STATUS, COMPONENTS, INCIDENTS, UNRESOLVED, MAINTENANCES, UPCOMING, ACTIVE);

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT);

    private final PublicPage page;
    private final ZoneId zone;
    private final List<Component> components;
    private final Map<String, Component> byId;

    StatusJson(PublicPage page) {
        this.page = page;
        this.zone = page.zone();
        this.components = page.components();
        this.byId = components.stream().collect(Collectors.toMap(Component::id, Function.identity(), (a, b) -> a, LinkedHashMap::new));
    }

    /** Every document, by its path under {@code /api/v2/}. */
    Map<String, byte[]> documents() {
        Map<String, byte[]> documents = new LinkedHashMap<>();
        documents.put(SUMMARY, write(out -> {
            pageField(out);
            componentsField(out);
            incidentsField(out, "incidents", page.unresolvedIncidents());
            List<Maintenance> current = page.maintenances().stream()
                    .filter(maintenance -> maintenance.active() || maintenance.status() == MaintenanceStatus.SCHEDULED)
                    .toList();
            maintenancesField(out, current);
            statusField(out);
        }));
        documents.put(STATUS, write(out -> {
            pageField(out);
            statusField(out);
        }));
        documents.put(COMPONENTS, write(out -> {
            pageField(out);
            componentsField(out);
        }));
        documents.put(INCIDENTS, write(out -> {
            pageField(out);
            incidentsField(out, "incidents", page.recentIncidents());
        }));
        documents.put(UNRESOLVED, write(out -> {
            pageField(out);
            incidentsField(out, "incidents", page.unresolvedIncidents());
        }));
        documents.put(MAINTENANCES, write(out -> {
            pageField(out);
            maintenancesField(out, page.recentMaintenances());
        }));
        documents.put(UPCOMING, write(out -> {
            pageField(out);
            maintenancesField(out, page.upcomingMaintenances());
        }));
        documents.put(ACTIVE, write(out -> {
            pageField(out);
            maintenancesField(out, page.activeMaintenances());
        }));
        return documents;
    }

    private interface Body {
        void write(JsonGenerator out) throws IOException;
    }

    private static byte[] write(Body body) {
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(4096)) {
            try (JsonGenerator out = FACTORY.createGenerator(bytes)) {
                out.writeStartObject();
                body.write(out);
                out.writeEndObject();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void pageField(JsonGenerator out) throws IOException {
        out.writeObjectFieldStart("page");
        out.writeStringField("id", page.pageId());
        out.writeStringField("name", page.name());
        out.writeStringField("url", page.url());
        out.writeStringField("time_zone", zone.getId());
        time(out, "updated_at", page.updatedAt());
        out.writeEndObject();
    }

    private void statusField(JsonGenerator out) throws IOException {
        PublicPage.Overall overall = page.overall();
        out.writeObjectFieldStart("status");
        out.writeStringField("indicator", overall.indicator());
        out.writeStringField("description", overall.description());
        out.writeEndObject();
    }

    private void componentsField(JsonGenerator out) throws IOException {
        out.writeArrayFieldStart("components");
        for (Component component : components) {
            component(out, component);
        }
        out.writeEndArray();
    }

    private void component(JsonGenerator out, Component component) throws IOException {
        out.writeStartObject();
        out.writeStringField("id", component.id());
        out.writeStringField("name", component.name());
        out.writeStringField("status", word(component.status()));
        time(out, "created_at", component.createdAt());
        time(out, "updated_at", component.updatedAt());
        out.writeNumberField("position", component.position());
        out.writeStringField("description", component.description());
        out.writeBooleanField("showcase", !component.group());
        if (component.group()) {
            out.writeNullField("start_date");
        } else {
            out.writeStringField("start_date", LocalDate.ofInstant(component.createdAt(), zone).toString());
        }
        out.writeStringField("group_id", component.groupId());
        out.writeStringField("page_id", page.pageId());
        out.writeBooleanField("group", component.group());
        out.writeBooleanField("only_show_if_degraded", component.onlyShowIfDegraded());
        if (component.group()) {
            out.writeArrayFieldStart("components");
            for (String member : component.members()) {
                out.writeString(member);
            }
            out.writeEndArray();
        }
        out.writeEndObject();
    }

    private void incidentsField(JsonGenerator out, String field, List<Incident> incidents) throws IOException {
        out.writeArrayFieldStart(field);
        for (Incident incident : incidents) {
            out.writeStartObject();
            out.writeStringField("id", incident.id());
            out.writeStringField("name", incident.title());
            out.writeStringField("status", incident.status().name().toLowerCase(Locale.ROOT));
            time(out, "created_at", incident.createdAt());
            time(out, "updated_at", incident.updatedAt());
            time(out, "monitoring_at", incident.monitoringAt());
            time(out, "resolved_at", incident.resolvedAt());
            out.writeStringField("impact", incident.impact().name().toLowerCase(Locale.ROOT));
            out.writeStringField("shortlink", StatusLinks.incident(page, incident.id()));
            time(out, "started_at", incident.createdAt());
            out.writeStringField("page_id", page.pageId());
            updates(out, incident.id(), incident.updates());
            affected(out, incident.components());
            out.writeEndObject();
        }
        out.writeEndArray();
    }

    private void maintenancesField(JsonGenerator out, List<Maintenance> maintenances) throws IOException {
        out.writeArrayFieldStart("scheduled_maintenances");
        for (Maintenance maintenance : maintenances) {
            out.writeStartObject();
            out.writeStringField("id", maintenance.id());
            out.writeStringField("name", maintenance.title());
            out.writeStringField("status", maintenance.status().name().toLowerCase(Locale.ROOT));
            time(out, "created_at", maintenance.createdAt());
            time(out, "updated_at", maintenance.updatedAt());
            out.writeNullField("monitoring_at");
            time(out, "resolved_at", maintenance.completedAt());
            out.writeStringField("impact", "maintenance");
            out.writeStringField("shortlink", StatusLinks.incident(page, maintenance.id()));
            time(out, "started_at", maintenance.scheduledFor());
            out.writeStringField("page_id", page.pageId());
            updates(out, maintenance.id(), maintenance.updates());
            affected(out, maintenance.components());
            time(out, "scheduled_for", maintenance.scheduledFor());
            time(out, "scheduled_until", maintenance.scheduledUntil());
            out.writeEndObject();
        }
        out.writeEndArray();
    }

    private void updates(JsonGenerator out, String incidentId, List<Update> updates) throws IOException {
        out.writeArrayFieldStart("incident_updates");
        for (Update update : updates) {
            out.writeStartObject();
            out.writeStringField("id", update.id());
            out.writeStringField("status", update.status());
            out.writeStringField("body", update.message());
            out.writeStringField("incident_id", incidentId);
            time(out, "created_at", update.createdAt());
            time(out, "updated_at", update.createdAt());
            time(out, "display_at", update.createdAt());
            if (!update.components().isEmpty()) {
                out.writeArrayFieldStart("affected_components");
                for (ComponentChange change : update.components()) {
                    Component component = byId.get(change.id());
                    out.writeStartObject();
                    out.writeStringField("code", change.id());
                    out.writeStringField("name", component == null ? change.id() : component.name());
                    out.writeStringField("old_status", word(change.from()));
                    out.writeStringField("new_status", word(change.to()));
                    out.writeEndObject();
                }
                out.writeEndArray();
            }
            out.writeEndObject();
        }
        out.writeEndArray();
    }

    /** An incident's {@code components}: the page's components it names (one no longer on the page is left out). */
    private void affected(JsonGenerator out, List<String> ids) throws IOException {
        out.writeArrayFieldStart("components");
        for (String id : ids) {
            Component component = byId.get(id);
            if (component != null) {
                component(out, component);
            }
        }
        out.writeEndArray();
    }

    private void time(JsonGenerator out, String field, Instant instant) throws IOException {
        if (instant == null) {
            out.writeNullField(field);
        } else {
            out.writeStringField(field, TIME.format(instant.atZone(zone)));
        }
    }

    static String word(ComponentStatus status) {
        return status.name().toLowerCase(Locale.ROOT);
    }
}
