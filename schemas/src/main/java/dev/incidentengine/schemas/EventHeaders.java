package dev.incidentengine.schemas;

import java.nio.charset.StandardCharsets;

import dev.incidentengine.model.IncidentStatus;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Headers of {@code incident.events.v1} records: the incident's service and its status after the
 * event, so a reader can filter the log (the change feed) without folding it. Events written
 * before these headers existed have none.
 */
public final class EventHeaders {

    /** The incident's service (absent when it has none); it never changes. */
    public static final String SERVICE = "incident.service";
    /** The incident's status after the event. */
    public static final String STATUS = "incident.status";
    /** The status before the event, present only on an event that changed it. */
    public static final String PREVIOUS_STATUS = "incident.previous-status";
    /** "true" on every event of an incident on the status page, from IncidentPublished on. */
    public static final String PUBLIC = "incident.public";

    private EventHeaders() {
    }

    public static Headers of(String service, IncidentStatus previous, IncidentStatus status) {
        RecordHeaders headers = new RecordHeaders();
        if (service != null) {
            headers.add(SERVICE, service.getBytes(StandardCharsets.UTF_8));
        }
        headers.add(STATUS, status.name().getBytes(StandardCharsets.UTF_8));
        if (previous != null && previous != status) {
            headers.add(PREVIOUS_STATUS, previous.name().getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }

    /** The header's value as text, or null when absent. */
    public static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
