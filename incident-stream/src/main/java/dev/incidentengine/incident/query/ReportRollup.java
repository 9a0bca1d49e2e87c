package dev.incidentengine.incident.query;

import java.io.IOException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.incident.domain.ResponseRollup;
import dev.incidentengine.incident.domain.ResponseRollup.Counts;
import dev.incidentengine.incident.domain.ResponseRollup.Incident;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentMerged;
import dev.incidentengine.model.Severity;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The reports' rollups of one task ({@link ResponseRollup}), in {@code query-report-store}, kept
 * as each incident event is processed with constant work (a few reads and writes), and read for a
 * period in time proportional to its days and services, never its incidents:
 *
 * <pre>
 * r␀day␀service␀severity → {@link Counts}        the response of the incidents opened that day (without type and tier)
 * r␀day␀service␀severity␀type␀tier → {@link Counts}   of those with a type or tier (either may be empty)
 * a␀day␀service␀alert    → alerts attached         "noisiest alerts": at most {@value #MAX_ALERT_NAMES_PER_DAY} names a day
 * o␀day␀service          → alerts attached under no name (over the day's names)
 * n␀day                  → the day's names so far
 * p␀day␀service␀user     → pages
 * c␀day␀service␀user     → incidents the user commanded (took the commander role of), each once
 * k␀incident␀user        → that the user commanded the incident, until it closes or merges (so it counts once)
 * </pre>
 * Day is the UTC day the incident opened (ISO, so keys sort by day), service its service (a NUL
 * in it, a type's or a tier's, is kept as U+FFFD, so keys split; an incident without type and tier keeps the key stores
 * had before types and tiers, so its counts written then still cancel); {@code query-report-incident-store} keeps each
 * incident's {@link Incident} between its events. Both are changelogged and the read side runs
 * exactly once: a restart resumes from what the last commit wrote, so nothing counts twice.
 */
public final class ReportRollup {

    /**
     * Alert names counted per day and partition: a storm of alerts without an alertname (each
     * named by its own summary) cannot grow the store or a report without bound; the rest of that
     * day's alerts are counted without a name, and a report that includes them says so.
     */
    public static final int MAX_ALERT_NAMES_PER_DAY = 200;
    /** Alert names one instance answers with for a period (its most attached). */
    static final int MAX_ALERT_NAMES_ANSWERED = 1_000;

    private static final char SEP = '\u0000';

    private final KeyValueStore<String, String> rollups;
    private final KeyValueStore<String, String> incidents;

    ReportRollup(KeyValueStore<String, String> rollups, KeyValueStore<String, String> incidents) {
        this.rollups = rollups;
        this.incidents = incidents;
    }

    /** One event of an incident's log, in log order. */
    void accept(IncidentEvent event) {
        String incidentId = event.getIncidentId();
        String known = incidents.get(incidentId);
        ResponseRollup.Step step = ResponseRollup.step(known == null ? null : Incident.decode(known), event);
        if (step == null) {
            return;
        }
        Incident after = step.after();
        if (step.counts()) {
            if (step.before() != null) {
                add(responseKey(step.before()), Counts.NONE.minus(step.before().counts()));
            }
            add(responseKey(after), after.counts());
        }
        if (!after.equals(step.before())) {
            incidents.put(incidentId, after.encode());
        }
        String day = after.day().toString();
        String service = clean(after.service());
        if (step.alert() != null) {
            countAlert(day, service, step.alert());
        }
        step.paged().forEach(user -> increment(key('p', day, service, user)));
        countCommand(incidentId, event, day, service);
    }

    /** IC load: a user counts once per incident they took command of; the markers go when the incident can take no role. */
    private void countCommand(String incidentId, IncidentEvent event, String day, String service) {
        String commander = ResponseRollup.tookCommand(event);
        if (commander != null && rollups.get(key('k', incidentId, commander)) == null) {
            rollups.put(key('k', incidentId, commander), "");
            increment(key('c', day, service, commander));
        } else if (event.getPayload() instanceof IncidentClosed || event.getPayload() instanceof IncidentMerged) {
            String prefix = key('k', incidentId) + SEP;
            List<String> markers = new ArrayList<>();
            try (KeyValueIterator<String, String> range = rollups.range(prefix, prefix + '\uFFFF')) {
                range.forEachRemaining(entry -> markers.add(entry.key));
            }
            markers.forEach(rollups::delete);
        }
    }

    private void countAlert(String day, String service, String alert) {
        String name = key('a', day, service, alert);
        String count = rollups.get(name);
        if (count == null) {
            String names = rollups.get(key('n', day));
            int named = names == null ? 0 : Integer.parseInt(names);
            if (named >= MAX_ALERT_NAMES_PER_DAY) {
                increment(key('o', day, service));
                return;
            }
            rollups.put(key('n', day), Integer.toString(named + 1));
        }
        rollups.put(name, Long.toString(count == null ? 1 : Long.parseLong(count) + 1));
    }

    private void add(String key, Counts counts) {
        String was = rollups.get(key);
        Counts now = was == null ? counts : Counts.decode(was).plus(counts);
        if (now.equals(Counts.NONE)) {
            rollups.delete(key);
        } else {
            rollups.put(key, now.encode());
        }
    }

    private void increment(String key) {
        String was = rollups.get(key);
        rollups.put(key, Long.toString(was == null ? 1 : Long.parseLong(was) + 1));
    }

    private static String responseKey(Incident incident) {
        String day = incident.day().toString();
        String service = clean(incident.service());
        String severity = incident.response().severity().name();
        if (incident.type() == null && incident.tier() == null) {
            return key('r', day, service, severity);
        }
        return key('r', day, service, severity, incident.type() == null ? "" : clean(incident.type()),
                incident.tier() == null ? "" : clean(incident.tier()));
    }

    private static String key(char kind, String... parts) {
        StringBuilder key = new StringBuilder().append(kind);
        for (String part : parts) {
            key.append(SEP).append(part);
        }
        return key.toString();
    }

    private static String clean(String part) {
        return part.replace(SEP, '\uFFFD');
    }

    /** How a report groups days over time. */
    public enum Period {
        DAY, WEEK;

        /** The first day of the period {@code day} is in (weeks start on Monday, as ISO weeks do). */
        LocalDate start(LocalDate day) {
            return this == DAY ? day : day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        }
    }

    /**
     * A report's question: incidents opened from {@code from} to {@code to} (UTC days, both included), of a service, severity,
     * type and tier (null: all). Type and tier narrow the response figures; alerts and pages are kept by day and service only.
     */
    public record Query(LocalDate from, LocalDate to, Period period, String service, Severity severity, String type, String tier) {

        public Query(LocalDate from, LocalDate to, Period period, String service, Severity severity) {
            this(from, to, period, service, severity, null, null);
        }
    }

    /** What one store holds for a query. */
    static Part read(ReadOnlyKeyValueStore<String, String> store, Query query) {
        Part part = new Part();
        String service = query.service() == null ? null : clean(query.service());
        // Rows of a day share its period: each day is parsed once.
        Map<String, String> periods = new HashMap<>();
        String type = query.type() == null ? null : clean(query.type());
        String tier = query.tier() == null ? null : clean(query.tier());
        scan(store, 'r', query, 5, (parts, value) -> {
            Severity severity = Severity.valueOf(parts[2]);
            String itsType = parts.length > 3 ? parts[3] : "";
            String itsTier = parts.length > 4 ? parts[4] : "";
            if ((service == null || service.equals(parts[1])) && (query.severity() == null || query.severity() == severity)
                    && (type == null || type.equals(itsType)) && (tier == null || tier.equals(itsTier))) {
                String period = periods.computeIfAbsent(parts[0], day -> query.period().start(LocalDate.parse(day)).toString());
                // "-" for none, as the report names an incident without a service.
                part.response(period, parts[1], severity, itsType.isEmpty() ? "-" : itsType, itsTier.isEmpty() ? "-" : itsTier,
                        Counts.decode(value));
            }
        });
        scan(store, 'a', query, 3, (parts, value) -> {
            if (service == null || service.equals(parts[1])) {
                part.alerts.merge(parts[2], Long.parseLong(value), Long::sum);
            }
        });
        scan(store, 'o', query, 2, (parts, value) -> {
            if (service == null || service.equals(parts[1])) {
                part.unnamedAlerts += Long.parseLong(value);
            }
        });
        scan(store, 'p', query, 3, (parts, value) -> {
            if (service == null || service.equals(parts[1])) {
                part.pages.merge(parts[2], Long.parseLong(value), Long::sum);
            }
        });
        scan(store, 'c', query, 3, (parts, value) -> {
            if (service == null || service.equals(parts[1])) {
                part.commanded.merge(parts[2], Long.parseLong(value), Long::sum);
            }
        });
        part.trimAlerts();
        return part;
    }

    /** Every entry of a kind in the query's days, its key split into {@code fields} (day first; the last may hold anything). */
    private static void scan(ReadOnlyKeyValueStore<String, String> store, char kind, Query query, int fields, BiConsumer<String[], String> each) {
        // Both bounds are inclusive; no key is the bare next day.
        try (KeyValueIterator<String, String> range = store.range(key(kind, query.from().toString()), key(kind, query.to().plusDays(1).toString()))) {
            while (range.hasNext()) {
                KeyValue<String, String> entry = range.next();
                each.accept(entry.key.substring(2).split(String.valueOf(SEP), fields), entry.value);
            }
        }
    }

    /**
     * A report's sums (from one store, one instance's or every instance's): per period start and
     * severity, per severity, per service, per type and per tier ("-" for none), alerts per name, pages per person. Every part
     * adds up.
     */
    public static final class Part {
        // Hash maps while adding up; sorted once, when written.
        private final Map<String, Counts> series = new HashMap<>();
        private final Map<String, Counts> bySeverity = new HashMap<>();
        private final Map<String, Counts> byService = new HashMap<>();
        private final Map<String, Counts> byType = new HashMap<>();
        private final Map<String, Counts> byTier = new HashMap<>();
        private final Map<String, Long> alerts = new HashMap<>();
        private final Map<String, Long> pages = new HashMap<>();
        private final Map<String, Long> commanded = new HashMap<>();
        private long unnamedAlerts;
        private boolean alertsTrimmed;

        private void response(String start, String service, Severity severity, String type, String tier, Counts counts) {
            series.merge(start + "," + severity.name(), counts, Counts::plus);
            bySeverity.merge(severity.name(), counts, Counts::plus);
            byService.merge(service, counts, Counts::plus);
            byType.merge(type, counts, Counts::plus);
            byTier.merge(tier, counts, Counts::plus);
        }

        /** Adds another part (another store's or instance's). */
        public void add(Part other) {
            other.series.forEach((key, counts) -> series.merge(key, counts, Counts::plus));
            other.bySeverity.forEach((key, counts) -> bySeverity.merge(key, counts, Counts::plus));
            other.byService.forEach((key, counts) -> byService.merge(key, counts, Counts::plus));
            other.byType.forEach((key, counts) -> byType.merge(key, counts, Counts::plus));
            other.byTier.forEach((key, counts) -> byTier.merge(key, counts, Counts::plus));
            other.alerts.forEach((key, count) -> alerts.merge(key, count, Long::sum));
            other.pages.forEach((key, count) -> pages.merge(key, count, Long::sum));
            other.commanded.forEach((key, count) -> commanded.merge(key, count, Long::sum));
            unnamedAlerts += other.unnamedAlerts;
            alertsTrimmed |= other.alertsTrimmed;
        }

        /** Keeps the most attached names only: what an instance sends of a period with more (then a report's ranks may miss some). */
        void trimAlerts() {
            if (alerts.size() > MAX_ALERT_NAMES_ANSWERED) {
                List<Map.Entry<String, Long>> kept = mostFirst(alerts).subList(0, MAX_ALERT_NAMES_ANSWERED);
                alerts.clear();
                kept.forEach(entry -> alerts.put(entry.getKey(), entry.getValue()));
                alertsTrimmed = true;
            }
        }

        /** As another instance sends it (every sum, encoded), for {@link #of}. */
        public void writePart(JsonGenerator out) throws IOException {
            out.writeObjectFieldStart("report");
            writeEncoded(out, "series", series);
            writeEncoded(out, "bySeverity", bySeverity);
            writeEncoded(out, "byService", byService);
            writeEncoded(out, "byType", byType);
            writeEncoded(out, "byTier", byTier);
            writeCounts(out, "alerts", alerts);
            writeCounts(out, "pages", pages);
            writeCounts(out, "commanded", commanded);
            out.writeNumberField("unnamedAlerts", unnamedAlerts);
            out.writeBooleanField("alertsTrimmed", alertsTrimmed);
            out.writeEndObject();
        }

        /** A part another instance sent ({@link #writePart}). */
        public static Part of(JsonNode report) {
            Part part = new Part();
            report.get("series").fields().forEachRemaining(e -> part.series.put(e.getKey(), Counts.decode(e.getValue().asText())));
            report.get("bySeverity").fields().forEachRemaining(e -> part.bySeverity.put(e.getKey(), Counts.decode(e.getValue().asText())));
            report.get("byService").fields().forEachRemaining(e -> part.byService.put(e.getKey(), Counts.decode(e.getValue().asText())));
            // Absent from an instance of a version before types and tiers, during a rolling upgrade.
            report.path("byType").fields().forEachRemaining(e -> part.byType.put(e.getKey(), Counts.decode(e.getValue().asText())));
            report.path("byTier").fields().forEachRemaining(e -> part.byTier.put(e.getKey(), Counts.decode(e.getValue().asText())));
            report.get("alerts").fields().forEachRemaining(e -> part.alerts.put(e.getKey(), e.getValue().asLong()));
            report.get("pages").fields().forEachRemaining(e -> part.pages.put(e.getKey(), e.getValue().asLong()));
            // path: an instance of an older version sends none
            report.path("commanded").fields().forEachRemaining(e -> part.commanded.put(e.getKey(), e.getValue().asLong()));
            part.unnamedAlerts = report.get("unnamedAlerts").asLong();
            part.alertsTrimmed = report.get("alertsTrimmed").asBoolean();
            return part;
        }

        /**
         * The report: totals; per period and severity (the charts' series, periods with incidents
         * only); per severity, per service, per type and per tier (as {@code incidentctl report} groups them; the group "-"
         * holds the incidents without one), each incident judged by its own targets; the
         * {@code noisiest} alerts; the {@code responders} most paged.
         */
        public void writeReport(JsonGenerator out, int noisiest, int responders) throws IOException {
            Counts total = bySeverity.values().stream().reduce(Counts.NONE, Counts::plus);
            out.writeObjectFieldStart("totals");
            writeFields(out, total);
            out.writeEndObject();
            out.writeArrayFieldStart("series");
            for (Map.Entry<String, Counts> entry : new TreeMap<>(series).entrySet()) {
                String[] key = entry.getKey().split(",");
                out.writeStartObject();
                out.writeStringField("start", key[0]);
                out.writeStringField("severity", key[1]);
                writeFields(out, entry.getValue());
                out.writeEndObject();
            }
            out.writeEndArray();
            writeGroups(out, "bySeverity", bySeverity);
            writeGroups(out, "byService", byService);
            writeGroups(out, "byType", byType);
            writeGroups(out, "byTier", byTier);
            List<Map.Entry<String, Long>> alertsFirst = mostFirst(alerts);
            out.writeArrayFieldStart("noisiestAlerts");
            for (Map.Entry<String, Long> alert : alertsFirst.subList(0, Math.min(noisiest, alertsFirst.size()))) {
                out.writeStartObject();
                out.writeStringField("alert", alert.getKey());
                out.writeNumberField("attached", alert.getValue());
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeNumberField("unnamedAlerts", unnamedAlerts);
            out.writeBooleanField("alertsCapped", alertsTrimmed || unnamedAlerts > 0);
            List<Map.Entry<String, Long>> pagedFirst = mostFirst(pages);
            out.writeArrayFieldStart("pagesPerResponder");
            for (Map.Entry<String, Long> user : pagedFirst.subList(0, Math.min(responders, pagedFirst.size()))) {
                out.writeStartObject();
                out.writeStringField("user", user.getKey());
                out.writeNumberField("pages", user.getValue());
                out.writeEndObject();
            }
            out.writeEndArray();
            out.writeBooleanField("respondersCapped", pagedFirst.size() > responders);
            List<Map.Entry<String, Long>> commandersFirst = mostFirst(commanded);
            out.writeArrayFieldStart("incidentsCommanded");
            for (Map.Entry<String, Long> user : commandersFirst.subList(0, Math.min(responders, commandersFirst.size()))) {
                out.writeStartObject();
                out.writeStringField("user", user.getKey());
                out.writeNumberField("incidents", user.getValue());
                out.writeEndObject();
            }
            out.writeEndArray();
        }

        private static List<Map.Entry<String, Long>> mostFirst(Map<String, Long> counts) {
            return counts.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                    .toList();
        }

        private static void writeGroups(JsonGenerator out, String name, Map<String, Counts> groups) throws IOException {
            out.writeArrayFieldStart(name);
            for (Map.Entry<String, Counts> group : new TreeMap<>(groups).entrySet()) {
                out.writeStartObject();
                out.writeStringField("group", group.getKey());
                writeFields(out, group.getValue());
                out.writeEndObject();
            }
            out.writeEndArray();
        }

        /** The figures of some incidents, with {@code incidentctl report}'s names where it has them. */
        private static void writeFields(JsonGenerator out, Counts counts) throws IOException {
            out.writeNumberField("incidents", counts.incidents());
            out.writeNumberField("acknowledged", counts.acknowledged());
            writeNullable(out, "acknowledgeMeanSeconds", counts.acknowledgeMeanSeconds());
            out.writeNumberField("resolved", counts.resolved());
            writeNullable(out, "resolveMeanSeconds", counts.resolveMeanSeconds());
            out.writeNumberField("acknowledgedInTime", counts.acknowledgedInTime());
            out.writeNumberField("resolvedInTime", counts.resolvedInTime());
            out.writeNumberField("targetMet", counts.targetMet());
        }

        private static void writeNullable(JsonGenerator out, String field, Long value) throws IOException {
            if (value == null) {
                out.writeNullField(field);
            } else {
                out.writeNumberField(field, value);
            }
        }

        private static void writeEncoded(JsonGenerator out, String name, Map<String, Counts> sums) throws IOException {
            out.writeObjectFieldStart(name);
            for (Map.Entry<String, Counts> sum : sums.entrySet()) {
                out.writeStringField(sum.getKey(), sum.getValue().encode());
            }
            out.writeEndObject();
        }

        private static void writeCounts(JsonGenerator out, String name, Map<String, Long> counts) throws IOException {
            out.writeObjectFieldStart(name);
            for (Map.Entry<String, Long> count : counts.entrySet()) {
                out.writeNumberField(count.getKey(), count.getValue());
            }
            out.writeEndObject();
        }
    }
}
