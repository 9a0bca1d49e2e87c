package dev.incidentengine.incident.domain;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentTypeChanged;
import dev.incidentengine.model.ResponseTarget;
import dev.incidentengine.model.RoleAssigned;
import dev.incidentengine.model.Severity;

/**
 * Response reports as running sums, so that a report over a period costs its days and services,
 * not its incidents. An incident counts in the bucket of the UTC day it opened, its service and
 * its severity now (as {@code incidentctl report} groups it); each event of its log takes the
 * incident's counts out of its bucket and adds its new counts to its (possibly new) bucket, so a
 * late acknowledgement, a reopen and resolve again, or a severity change are counted once, as
 * the incident stands. Its type (which a person may change, moving it like a severity change) and
 * its tier (fixed when it opened) are dimensions of the bucket too, and each incident is judged by
 * the targets it opened with. The alerts attached to it and the people paged for it count on its
 * day and service too. Drills count nowhere: an exercise's response is reported on its own
 * ({@code incidentctl drill report}), not in the response figures and targets met.
 */
public final class ResponseRollup {

    private ResponseRollup() {
    }

    /** The role whose holders reports count as Incident Commanders (IC load): the seeds' id, which config keeps by convention. */
    public static final String COMMANDER = "commander";

    /** Who took command with this event (took or was handed the {@link #COMMANDER} role), else null. */
    public static String tookCommand(IncidentEvent event) {
        return event.getPayload() instanceof RoleAssigned assigned && COMMANDER.equals(assigned.getRole()) ? assigned.getUserId() : null;
    }

    /** An incident's service as reports name it. */
    public static String service(IncidentOpened opened) {
        return opened.getService() == null ? "-" : opened.getService();
    }

    /** What "noisiest alerts" counts an attached alert as: its service and alertname (its summary without one). */
    public static String alertName(String service, AlertAttached attached) {
        return service + " / " + attached.getAlert().getLabels().getOrDefault("alertname", attached.getAlert().getSummary());
    }

    /** The people an escalation paged, once per target that names them (what "pages per responder" counts). */
    public static List<String> paged(IncidentEscalated escalated) {
        List<String> users = new ArrayList<>();
        escalated.getTargets().forEach(target -> users.addAll(target.getUserIds()));
        return users;
    }

    /** Where an incident counts: the UTC day it opened, its service, its severity and type now, its tier (nulls: none). */
    public record Bucket(LocalDate day, String service, Severity severity, String type, String tier) {
    }

    /** What the rollup keeps of one incident between its events; type and tier null when it has none. */
    public record Incident(String service, String type, String tier, ResponseTimes response) {

        /** Marks the encoding with type, tier and targets; what has none is from before them (judged by the defaults). */
        private static final String V2 = "v2,";

        public LocalDate day() {
            return ResponseRollup.day(response.openedAt());
        }

        public Bucket bucket() {
            return new Bucket(day(), service, response.severity(), type, tier);
        }

        public Counts counts() {
            return Counts.of(response);
        }

        /**
         * {@code v2,openedAt,severity,acknowledged|-,resolved|-,targets|-,type,tier,service}: targets as
         * {@code SEV1:5:30;SEV2:15:120} (acknowledge and resolve minutes), type and tier URL-encoded (empty: none), the service
         * last as it may hold commas. Stores written before types and tiers hold
         * {@code openedAt,severity,acknowledged|-,resolved|-,service}, which {@link #decode} still reads.
         */
        public String encode() {
            return V2 + response.openedAt() + "," + response.severity().name() + "," + orDash(response.acknowledged()) + ","
                    + orDash(response.resolved()) + "," + encodeTargets(response.targets()) + "," + encodeId(type) + ","
                    + encodeId(tier) + "," + service;
        }

        public static Incident decode(String encoded) {
            if (!encoded.startsWith(V2)) {
                String[] parts = encoded.split(",", 5);
                return new Incident(parts[4], null, null, new ResponseTimes(Instant.parse(parts[0]), Severity.valueOf(parts[1]),
                        instant(parts[2]), instant(parts[3]), Map.of()));
            }
            String[] parts = encoded.substring(V2.length()).split(",", 8);
            return new Incident(parts[7], decodeId(parts[5]), decodeId(parts[6]), new ResponseTimes(Instant.parse(parts[0]),
                    Severity.valueOf(parts[1]), instant(parts[2]), instant(parts[3]), decodeTargets(parts[4])));
        }

        private static String encodeTargets(Map<String, ResponseTarget> targets) {
            if (targets.isEmpty()) {
                return "-";
            }
            StringBuilder encoded = new StringBuilder();
            new TreeMap<>(targets).forEach((severity, target) -> encoded.append(encoded.isEmpty() ? "" : ";").append(severity)
                    .append(':').append(target.getAcknowledgeMinutes()).append(':').append(target.getResolveMinutes()));
            return encoded.toString();
        }

        private static Map<String, ResponseTarget> decodeTargets(String encoded) {
            if (encoded.equals("-")) {
                return Map.of();
            }
            Map<String, ResponseTarget> targets = new HashMap<>();
            for (String target : encoded.split(";")) {
                String[] parts = target.split(":");
                targets.put(parts[0], new ResponseTarget(Integer.parseInt(parts[1]), Integer.parseInt(parts[2])));
            }
            return targets;
        }

        private static String encodeId(String id) {
            return id == null ? "" : URLEncoder.encode(id, StandardCharsets.UTF_8);
        }

        private static String decodeId(String encoded) {
            return encoded.isEmpty() ? null : URLDecoder.decode(encoded, StandardCharsets.UTF_8);
        }

        private static String orDash(Instant at) {
            return at == null ? "-" : at.toString();
        }

        private static Instant instant(String encoded) {
            return encoded.equals("-") ? null : Instant.parse(encoded);
        }
    }

    /**
     * Sums over incidents: how many opened, were acknowledged (and the seconds it took, each
     * incident's truncated to whole seconds as reports show them), resolved (likewise), and met
     * their targets to acknowledge, to resolve, and both.
     */
    public record Counts(long incidents, long acknowledged, long acknowledgeSeconds, long resolved, long resolveSeconds,
                         long acknowledgedInTime, long resolvedInTime, long targetMet) {

        public static final Counts NONE = new Counts(0, 0, 0, 0, 0, 0, 0, 0);

        public static Counts of(ResponseTimes response) {
            return new Counts(1, response.acknowledged() == null ? 0 : 1,
                    response.acknowledged() == null ? 0 : response.toAcknowledge().toSeconds(), response.resolved() == null ? 0 : 1,
                    response.resolved() == null ? 0 : response.toResolve().toSeconds(), response.acknowledgedInTime() ? 1 : 0,
                    response.resolvedInTime() ? 1 : 0, response.targetMet() ? 1 : 0);
        }

        public Counts plus(Counts other) {
            return new Counts(incidents + other.incidents, acknowledged + other.acknowledged, acknowledgeSeconds + other.acknowledgeSeconds,
                    resolved + other.resolved, resolveSeconds + other.resolveSeconds, acknowledgedInTime + other.acknowledgedInTime,
                    resolvedInTime + other.resolvedInTime, targetMet + other.targetMet);
        }

        public Counts minus(Counts other) {
            return plus(new Counts(-other.incidents, -other.acknowledged, -other.acknowledgeSeconds, -other.resolved, -other.resolveSeconds,
                    -other.acknowledgedInTime, -other.resolvedInTime, -other.targetMet));
        }

        /** Mean time to acknowledge in seconds (rounded, as {@code incidentctl report}), null when none was. */
        public Long acknowledgeMeanSeconds() {
            return mean(acknowledgeSeconds, acknowledged);
        }

        public Long resolveMeanSeconds() {
            return mean(resolveSeconds, resolved);
        }

        private static Long mean(long sum, long count) {
            return count == 0 ? null : Math.round(sum / (double) count);
        }

        public String encode() {
            return incidents + "," + acknowledged + "," + acknowledgeSeconds + "," + resolved + "," + resolveSeconds + ","
                    + acknowledgedInTime + "," + resolvedInTime + "," + targetMet;
        }

        public static Counts decode(String encoded) {
            String[] parts = encoded.split(",");
            long[] n = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                n[i] = Long.parseLong(parts[i]);
            }
            return new Counts(n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7]);
        }
    }

    /**
     * What one event changes: the incident before ({@code null}: it opens with this event) and
     * after, the alert it attached ({@link #alertName}) and the people it paged.
     */
    public record Step(Incident before, Incident after, String alert, List<String> paged) {

        /** Whether the buckets' counts change: the incident moved or its counts did. */
        public boolean counts() {
            return before == null || !before.bucket().equals(after.bucket()) || !before.counts().equals(after.counts());
        }
    }

    /**
     * The step of one event of an incident the rollup knows as {@code before}; null for events of an incident never opened,
     * and for a drill's (the rollup never knows it).
     */
    public static Step step(Incident before, IncidentEvent event) {
        Object payload = event.getPayload();
        Incident after;
        if (payload instanceof IncidentOpened opened && isDrill(opened)) {
            return null;
        } else if (payload instanceof IncidentOpened opened) {
            after = new Incident(service(opened), opened.getIncidentType(), opened.getTier(), ResponseTimes.opened(event, opened));
        } else if (before == null) {
            return null;
        } else {
            String type = payload instanceof IncidentTypeChanged changed ? changed.getTo() : before.type();
            after = new Incident(before.service(), type, before.tier(), before.response().next(event));
        }
        String alert = payload instanceof AlertAttached attached ? alertName(after.service(), attached) : null;
        List<String> paged = payload instanceof IncidentEscalated escalated ? paged(escalated) : List.of();
        return new Step(before, after, alert, paged);
    }

    /** Whether the incident is a drill: excluded from every response figure (times, targets met, counts, alerts, pages). */
    public static boolean isDrill(IncidentOpened opened) {
        return opened.getDrill() != null;
    }

    public static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }
}
