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
    /**
     * {@value #PUBLIC_VALUE} on every event of an incident published to the status page, from its IncidentPublished on,
     * so the status page reads only those without folding the log.
     */
    public static final String PUBLIC = "incident.public";
    public static final String PUBLIC_VALUE = "true";

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

    /** Marks an event of a published incident. */
    public static Headers markPublic(Headers headers) {
        return headers.add(PUBLIC, PUBLIC_VALUE.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the event is of a published incident. */
    public static boolean isPublic(Headers headers) {
        return PUBLIC_VALUE.equals(text(headers, PUBLIC));
    }

    /** The header's value as text, or null when absent. */
    public static String text(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
