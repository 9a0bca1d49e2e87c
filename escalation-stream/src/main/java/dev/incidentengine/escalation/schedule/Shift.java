package dev.incidentengine.escalation.schedule;

import java.time.Instant;
import java.util.Objects;

/**
 * A stretch of a schedule with one on-call user: {@code [start, end)}. A gap has neither user nor layer; an override's
 * layer is {@link #OVERRIDE}.
 */
public record Shift(Instant start, Instant end, String userId, String layer) {

    public static final String OVERRIDE = "override";

    public Shift {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("end " + end + " is not after start " + start);
        }
    }

    public boolean isGap() {
        return userId == null;
    }
}
