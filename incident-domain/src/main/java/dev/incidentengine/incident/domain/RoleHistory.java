package dev.incidentengine.incident.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.RoleAssigned;
import dev.incidentengine.model.RoleRequested;

/**
 * Who held each response role of an incident, and when, from its log: every holder in order, from the event that gave
 * them the role to the one that took it away, and how often a free role was requested. Pure and bounded: it keeps at
 * most {@value #MAX_STINTS} holdings (a role changing hands more than that is counted, not listed).
 */
final class RoleHistory {

    static final int MAX_STINTS = 200;

    /** One holder's time in a role: {@code to} null while they hold it. */
    record Stint(String role, String userId, Instant from, Instant to, String endedBy) {
    }

    private final List<Stint> stints = new ArrayList<>();
    /** Index in {@link #stints} of each role's current holding. */
    private final Map<String, Integer> current = new LinkedHashMap<>();
    private final Map<String, Integer> requests = new LinkedHashMap<>();
    private long dropped;

    void accept(IncidentEvent event) {
        if (event.getPayload() instanceof RoleRequested requested) {
            requests.merge(requested.getRole(), 1, Integer::sum);
        } else if (event.getPayload() instanceof RoleAssigned assigned) {
            Integer open = current.remove(assigned.getRole());
            if (open != null) {
                Stint ended = stints.get(open);
                String how = (assigned.getUserId() == null ? "released" : "handed over") + reason(assigned.getReason());
                stints.set(open, new Stint(ended.role(), ended.userId(), ended.from(), event.getTimestamp(), how));
            }
            if (assigned.getUserId() != null) {
                if (stints.size() < MAX_STINTS) {
                    current.put(assigned.getRole(), stints.size());
                    stints.add(new Stint(assigned.getRole(), assigned.getUserId(), event.getTimestamp(), null, null));
                } else {
                    dropped++;
                }
            }
        }
    }

    /** The holdings in the order they began. */
    List<Stint> stints() {
        return stints;
    }

    /** The "Responders by role" section; none for an incident nobody took or requested a role on. */
    void markdown(StringBuilder md) {
        if (stints.isEmpty() && requests.isEmpty()) {
            return;
        }
        md.append("\n## Responders by role\n\n| role | who | from | to |\n|---|---|---|---|\n");
        for (Stint stint : stints) {
            md.append("| ").append(Postmortem.escape(stint.role())).append(" | ").append(Postmortem.escape(stint.userId())).append(" | ")
                    .append(stint.from()).append(" | ")
                    .append(stint.to() == null ? "still holds it" : stint.to() + " (" + Postmortem.escape(stint.endedBy()) + ")").append(" |\n");
        }
        if (dropped > 0) {
            md.append(String.format("%n_%,d more changes of hands not listed._%n", dropped));
        }
        requests.forEach((role, count) -> md.append("\n").append(Postmortem.escape(role)).append(" was free past its time and requested ")
                .append(count).append(count == 1 ? " time." : " times.").append('\n'));
    }

    private static String reason(String reason) {
        return reason == null || reason.isBlank() ? "" : ": " + reason;
    }
}
