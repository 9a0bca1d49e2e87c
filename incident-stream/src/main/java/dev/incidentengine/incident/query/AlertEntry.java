package dev.incidentengine.incident.query;

import java.time.Instant;

/**
 * One alert of an incident as the read side keeps it: when it was first attached (its place in
 * the list), the sequence and offset of the event that last attached it (where its latest copy is), and when
 * it resolved since (null while firing). Stored as text: five fields joined by U+0000.
 */
record AlertEntry(long ordinal, long attachedSequence, long attachedOffset, Instant attachedAt, Instant resolvedAt) {

    String encode() {
        return ordinal + "\u0000" + attachedSequence + "\u0000" + attachedOffset + "\u0000" + attachedAt.toEpochMilli() + "\u0000"
                + (resolvedAt == null ? "" : Long.toString(resolvedAt.toEpochMilli()));
    }

    static AlertEntry decode(String text) {
        String[] parts = text.split("\u0000", -1);
        return new AlertEntry(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]),
                Instant.ofEpochMilli(Long.parseLong(parts[3])), parts[4].isEmpty() ? null : Instant.ofEpochMilli(Long.parseLong(parts[4])));
    }

    /** The key of the event that last attached the alert. */
    String attachedKey(String incidentId) {
        return QueryKeys.event(incidentId, attachedSequence, attachedOffset);
    }
}
