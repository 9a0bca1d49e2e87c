package dev.incidentengine.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import dev.incidentengine.incident.domain.IncidentLifecycle;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentPublished;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.PublicUpdatePosted;
import dev.incidentengine.model.Publication;
import dev.incidentengine.model.Severity;
import dev.incidentengine.schemas.EventHeaders;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A status page's past, for {@code ./bench/status}: {@code components} components in groups of
 * five, and over the last {@code days} days a few published incidents a week, written straight to
 * {@code incident.events.v1} (and their final state to {@code incident.state.v1}) before the engine
 * starts, as the aggregate writes them: opened, published five minutes later (the {@code incident.public}
 * header from then on), 3 to 5 public updates in all, resolved; each event at its own past time.
 * One incident in five starts while the one before is still open, on the components after it, so
 * they overlap. The newest {@link #OPEN} stay unresolved. Public maintenance (one running, two
 * ahead) is configuration: {@link #maintenanceYaml}.
 */
final class StatusHistory {

    static final int OPEN = 2;
    private static final String[] GROUPS = {"Storefront", "Payments", "Accounts", "Search", "Delivery", "Messaging", "Data platform",
        "Infrastructure", "Mobile", "Partner APIs"};
    private static final String[] PROBLEMS = {"Elevated error rates", "Slow responses", "Delayed processing", "Partial unavailability",
        "Failed logins for some users", "Degraded search results", "Delayed notifications", "Intermittent timeouts"};
    private static final PublicIncidentStatus[] MIDDLE = {PublicIncidentStatus.IDENTIFIED, PublicIncidentStatus.MONITORING,
        PublicIncidentStatus.MONITORING};
    private static final PublicImpact[] IMPACTS = {PublicImpact.MINOR, PublicImpact.MAJOR, PublicImpact.MINOR, PublicImpact.CRITICAL,
        PublicImpact.NONE};

    /** An incident's events with their headers, and its state after the last. */
    record Incident(List<IncidentEvent> events, List<Headers> headers, IncidentState state) {
    }

    private final int components;
    private final int incidents;
    private final Instant now;
    private final Instant start;
    private final Duration spacing;
    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final Serializer<IncidentEvent> events = Topics.INCIDENT_EVENTS.valueSerde(serdes).serializer();
    private final Serializer<IncidentState> states = Topics.INCIDENT_STATE.valueSerde(serdes).serializer();

    /** {@code components} components; {@code perWeek} incidents a week over the {@code days} before {@code now}. */
    StatusHistory(int components, int days, int perWeek, Instant now) {
        if (components < 1 || days < 1 || perWeek < 1) {
            throw new IllegalArgumentException("components, days and incidents a week must be positive");
        }
        this.components = components;
        this.now = now.truncatedTo(ChronoUnit.MILLIS);
        this.start = this.now.minus(Duration.ofDays(days));
        this.incidents = Math.max(OPEN + 1, (int) ((long) days * perWeek / 7));
        this.spacing = Duration.ofDays(days).minusHours(12).dividedBy(incidents);
    }

    int incidents() {
        return incidents;
    }

    static String componentId(int c) {
        return String.format("svc-%02d", c);
    }

    static String group(int c) {
        return GROUPS[(c / 5) % GROUPS.length] + (c / 5 >= GROUPS.length ? " " + (c / 5 / GROUPS.length + 1) : "");
    }

    static String incidentId(int i) {
        return String.format("INC-PUB-%06d", i);
    }

    /** Writes every incident's events and final state (idempotent, acks=all, lz4); returns the records written. */
    long write(String bootstrap) {
        AtomicLong failed = new AtomicLong();
        long written = 0;
        try (KafkaProducer<byte[], byte[]> producer = BenchSupport.producer(bootstrap, 20)) {
            for (int i = 0; i < incidents; i++) {
                Incident incident = incident(i);
                byte[] key = incident.state().getIncidentId().getBytes(StandardCharsets.UTF_8);
                for (int e = 0; e < incident.events().size(); e++) {
                    IncidentEvent event = incident.events().get(e);
                    producer.send(new ProducerRecord<>(Topics.INCIDENT_EVENTS.name(), null, event.getTimestamp().toEpochMilli(), key,
                            events.serialize(Topics.INCIDENT_EVENTS.name(), event), incident.headers().get(e)), (metadata, failure) -> {
                                if (failure != null) {
                                    failed.incrementAndGet();
                                }
                            });
                    written++;
                }
                producer.send(new ProducerRecord<>(Topics.INCIDENT_STATE.name(), key, states.serialize(Topics.INCIDENT_STATE.name(),
                        incident.state())));
                written++;
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " records of the history were not written");
        }
        return written;
    }

    /** Public updates in the history: what the page's log gets one event for each. */
    long publicUpdates() {
        long updates = 0;
        for (int i = 0; i < incidents; i++) {
            updates += updates(i);
        }
        return updates;
    }

    private static int updates(int i) {
        return 3 + i % 3;
    }

    private boolean staysOpen(int i) {
        return i >= incidents - OPEN;
    }

    /** Incident {@code i}: its log and its final state. */
    Incident incident(int i) {
        Random random = new Random(i);
        boolean overlaps = i % 5 == 4;
        Instant opened = overlaps ? openedAt(i - 1).plus(Duration.ofMinutes(20)) : openedAt(i);
        int first = (i * 7 + (overlaps ? 1 : 0)) % components;
        List<String> affected = new ArrayList<>();
        for (int c = 0; c < 1 + i % 3 && c < components; c++) {
            affected.add(componentId((first + c) % components));
        }
        String id = incidentId(i);
        String service = affected.get(0);
        Severity severity = Severity.values()[1 + i % 3];
        PublicImpact impact = IMPACTS[i % IMPACTS.length];
        String title = PROBLEMS[i % PROBLEMS.length] + " on " + String.join(", ", affected);
        // Open for 30 minutes to 8 hours, the open ones since a little before now.
        Duration open = Duration.ofMinutes(30 + random.nextInt(450));
        if (staysOpen(i)) {
            opened = now.minus(Duration.ofHours(OPEN - (i - (incidents - OPEN)))).minus(Duration.ofMinutes(30));
            open = Duration.between(opened, now).minusMinutes(5);
        }
        int updates = updates(i);
        Instant published = opened.plus(Duration.ofMinutes(5));
        Instant resolved = opened.plus(open);
        List<Object> payloads = new ArrayList<>();
        List<Instant> times = new ArrayList<>();
        payloads.add(IncidentOpened.newBuilder().setTitle(title).setSeverity(severity).setService(service)
                .setCorrelationKey(service + "|bench").setLabels(Map.of("env", "prod")).setAutoResolve(false).build());
        times.add(opened);
        payloads.add(IncidentPublished.newBuilder().setUpdateId(id + "/u1").setTitle(title).setImpact(impact).setComponents(affected)
                .setStatus(PublicIncidentStatus.INVESTIGATING).setMessage("We are investigating reports of " + title.toLowerCase()
                        + ". Next update within 30 minutes.").setSeverity(severity).build());
        times.add(published);
        // The updates between the first and the last, evenly spread; an open incident's last is one of them.
        int middle = staysOpen(i) ? updates - 1 : updates - 2;
        for (int u = 0; u < middle; u++) {
            PublicIncidentStatus status = MIDDLE[u % MIDDLE.length];
            payloads.add(update(id, u + 2, status, status == PublicIncidentStatus.IDENTIFIED
                    ? "The cause is identified: a faulty deploy of " + service + " is being rolled back."
                    : "A fix is in place; we are monitoring " + String.join(", ", affected) + ".", title, impact, affected));
            times.add(published.plus(Duration.between(published, resolved).multipliedBy(u + 1).dividedBy(middle + 1)));
        }
        if (!staysOpen(i)) {
            payloads.add(update(id, updates, PublicIncidentStatus.RESOLVED, "This incident has been resolved and " + String.join(", ", affected)
                    + " is operating normally.", title, impact, affected));
            times.add(resolved);
            payloads.add(new IncidentResolved("fixed"));
            times.add(resolved.plusSeconds(30));
        }
        List<IncidentEvent> log = new ArrayList<>();
        List<Headers> headers = new ArrayList<>();
        IncidentStatus status = null;
        for (int e = 0; e < payloads.size(); e++) {
            Object payload = payloads.get(e);
            IncidentStatus before = status;
            status = IncidentLifecycle.statusAfter(before, payload);
            Actor actor = e == 0 ? new Actor(ActorType.SYSTEM, "incident-stream", null) : new Actor(ActorType.USER, "alice", null);
            log.add(IncidentEvent.newBuilder().setEventId(id + "/" + (e + 1)).setIncidentId(id).setSequence(e + 1).setTimestamp(times.get(e))
                    .setActor(actor).setPayload(payload).build());
            Headers eventHeaders = EventHeaders.of(service, before, status);
            if (e > 0) {
                // From IncidentPublished on, as the aggregate marks a published incident's events.
                eventHeaders.add(EventHeaders.PUBLIC, "true".getBytes(StandardCharsets.UTF_8));
            }
            headers.add(eventHeaders);
        }
        Instant last = times.get(staysOpen(i) ? times.size() - 1 : times.size() - 2);
        Publication publication = Publication.newBuilder().setTitle(title).setImpact(impact).setComponents(affected)
                .setStatus(staysOpen(i) ? MIDDLE[(middle - 1) % MIDDLE.length] : PublicIncidentStatus.RESOLVED).setPublishedAt(published)
                .setLastUpdateAt(last).setUpdates(updates).setNextUpdateDueAt(staysOpen(i) ? last.plus(Duration.ofMinutes(30)) : null).build();
        IncidentState state = IncidentState.newBuilder().setIncidentId(id).setVersion(log.size()).setStatus(status).setSeverity(severity)
                .setTitle(title).setService(service).setCorrelationKey(service + "|bench").setLabels(Map.of("env", "prod"))
                .setAutoResolve(false).setOpenedAt(opened).setResolvedAt(staysOpen(i) ? null : resolved.plusSeconds(30))
                .setPublication(publication).build();
        return new Incident(log, headers, state);
    }

    private Instant openedAt(int i) {
        // A spread within the day, so incidents do not all open at the same hour.
        return start.plus(spacing.multipliedBy(i)).plus(Duration.ofMinutes(new Random(i * 31L).nextInt(12 * 60)));
    }

    private static PublicUpdatePosted update(String id, int n, PublicIncidentStatus status, String message, String title, PublicImpact impact,
                                             List<String> affected) {
        return PublicUpdatePosted.newBuilder().setUpdateId(id + "/u" + n).setStatus(status).setMessage(message).setTitle(title)
                .setImpact(impact).setComponents(affected).build();
    }

    /** The status page's configuration: the components in groups of five, one in 25 shown only while degraded. */
    String pageYaml(String pageId) {
        StringBuilder yaml = new StringBuilder("# Written by ./bench/status.\nstatusPages:\n")
                .append("  - id: ").append(pageId).append('\n')
                .append("    name: Bench Status\n")
                .append("    timeZone: UTC\n")
                .append("    components:\n");
        for (int c = 0; c < components; c++) {
            yaml.append("      - {id: ").append(componentId(c)).append(", name: \"").append(group(c)).append(' ').append(c % 5 + 1)
                    .append("\", group: \"").append(group(c)).append('"')
                    .append(c % 25 == 24 ? ", onlyShowIfDegraded: true" : "").append("}\n");
        }
        return yaml.toString();
    }

    /**
     * Public maintenance: one in progress (since half an hour), one in 3 days (shown as upcoming)
     * and one in 20 (not yet: a week's notice). Past windows are not shown: the page's writer
     * announces, starts and completes maintenance by the wall clock, so only a page that ran through
     * them has them in its log.
     */
    String maintenanceYaml() {
        Instant today = now.truncatedTo(ChronoUnit.HOURS);
        return "# Written by ./bench/status.\nsilences:\n" + maintenance(0, now.minus(Duration.ofMinutes(30)))
                + maintenance(1, today.plus(Duration.ofDays(3))) + maintenance(2, today.plus(Duration.ofDays(20)));
    }

    private String maintenance(int n, Instant at) {
        List<String> affected = new ArrayList<>();
        for (int c = 0; c < 2 + n % 2 && c < components; c++) {
            affected.add(componentId((n * 3 + c) % components));
        }
        return "  - id: bench-maintenance-" + n + "\n"
                + "    matchers: ['service=~\"" + String.join("|", affected) + "\"']\n"
                + "    startsAt: \"" + at + "\"\n"
                + "    endsAt: \"" + at.plus(Duration.ofHours(2)) + "\"\n"
                + "    statusPage:\n"
                + "      title: \"Scheduled database maintenance " + n + "\"\n"
                + "      message: \"We will upgrade the databases behind " + String.join(", ", affected) + "; short interruptions are possible.\"\n"
                + "      components: [" + String.join(", ", affected) + "]\n"
                + "    author: alice\n"
                + "    comment: ./bench/status maintenance\n";
    }
}
