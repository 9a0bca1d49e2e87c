package dev.incidentengine.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import dev.incidentengine.incident.domain.IncidentLifecycle;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertResolved;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentAssigned;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.NoteAdded;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.StatusUpdatePosted;
import dev.incidentengine.schemas.EventHeaders;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;

import static dev.incidentengine.bench.BenchSupport.report;

/**
 * A year of incidents as the aggregate writes them, for the benchmarks of what reads them: each
 * incident's events on {@code incident.events.v1} (with the event headers) and its final state on
 * {@code incident.state.v1}, written straight to the topics before the engine starts. Incident
 * {@code i} has {@value #EVENTS} events: opened, two alerts attached, assigned, acknowledged, a
 * note, a status update, both alerts resolved, and resolved; {@code open} of them, spread evenly,
 * end with a second note instead and stay open (acknowledged). {@link #opened} and {@link #then}
 * make live incidents' events on top.
 */
final class IncidentHistory {

    static final int SERVICES = 50;
    static final int USERS = 200;
    static final int EVENTS = 10;
    private static final String[] NAMES = {"HighErrorRate", "HighLatency", "PodCrashLooping", "DiskFillingUp", "QueueBacklog",
        "CertificateExpiring", "ReplicationLag", "HighCpu", "MemoryPressure", "TargetDown", "SlowQueries", "ConnectionPoolExhausted",
        "Http5xxSpike", "KafkaConsumerLag", "NodeNotReady", "JobFailed", "BackupMissed", "TlsHandshakeErrors", "DnsFailures",
        "ThrottledRequests"};

    /** An incident's events (with their headers) and its state after the last. */
    record Incident(List<IncidentEvent> events, List<Headers> headers, IncidentState state) {
    }

    private final int incidents;
    private final int open;
    private final Instant start = Instant.now().minus(Duration.ofDays(365));
    private final Duration spacing;
    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final Serializer<IncidentEvent> events = Topics.INCIDENT_EVENTS.valueSerde(serdes).serializer();
    private final Serializer<IncidentState> states = Topics.INCIDENT_STATE.valueSerde(serdes).serializer();

    /** {@code incidents} over the last year, {@code open} of them still open. */
    IncidentHistory(int incidents, int open) {
        if (open < 0 || open > incidents) {
            throw new IllegalArgumentException("open incidents must be between 0 and " + incidents + ", not " + open);
        }
        this.incidents = incidents;
        this.open = open;
        this.spacing = Duration.ofDays(365).dividedBy(Math.max(1, incidents));
    }

    int incidents() {
        return incidents;
    }

    static String id(int i) {
        return String.format("INC-%08d", i);
    }

    static String service(int i) {
        return String.format("svc-%02d", i % SERVICES);
    }

    static String name(int i) {
        return NAMES[(i / SERVICES) % NAMES.length];
    }

    /** Whether incident {@code i} of the history stays open: exactly {@code open} of them, evenly spread. */
    boolean staysOpen(int i) {
        return (long) (i + 1) * open / incidents > (long) i * open / incidents;
    }

    /** Writes every incident's log and final state (idempotent, acks=all, lz4); returns the records written. */
    long write(String bootstrap) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        AtomicLong failed = new AtomicLong();
        long written = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < incidents; i++) {
                Incident incident = incident(i);
                for (ProducerRecord<byte[], byte[]> record : records(incident, 0)) {
                    producer.send(record, (metadata, failure) -> {
                        if (failure != null) {
                            failed.incrementAndGet();
                        }
                    });
                    written++;
                }
                if (i > 0 && i % 100_000 == 0) {
                    report("  … %,d incidents written", i);
                }
            }
            producer.flush();
        }
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " records of the history were not written");
        }
        return written;
    }

    /** The records the aggregate writes for an incident's events from {@code from} on: each event (at its time), then the state. */
    List<ProducerRecord<byte[], byte[]>> records(Incident incident, int from) {
        byte[] key = incident.state().getIncidentId().getBytes(StandardCharsets.UTF_8);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int e = from; e < incident.events().size(); e++) {
            records.add(eventRecord(incident, e));
        }
        records.add(new ProducerRecord<>(Topics.INCIDENT_STATE.name(), key, states.serialize(Topics.INCIDENT_STATE.name(), incident.state())));
        return records;
    }

    /** Event {@code e} of an incident as a record of {@code incident.events.v1}, with its headers and time. */
    ProducerRecord<byte[], byte[]> eventRecord(Incident incident, int e) {
        IncidentEvent event = incident.events().get(e);
        return new ProducerRecord<>(Topics.INCIDENT_EVENTS.name(), null, event.getTimestamp().toEpochMilli(),
                event.getIncidentId().getBytes(StandardCharsets.UTF_8), events.serialize(Topics.INCIDENT_EVENTS.name(), event),
                incident.headers().get(e));
    }

    /** Incident {@code i}'s whole log and final state. */
    Incident incident(int i) {
        String id = id(i);
        String service = service(i);
        String name = name(i);
        Instant opened = start.plus(spacing.multipliedBy(i));
        Severity severity = severity(i);
        String user = user(i);
        boolean stays = staysOpen(i);
        String host = host(i);
        Alert first = alert(id + "/a", name, service, host, severity, opened);
        Alert second = alert(id + "/b", name, service, host + "-replica", severity, opened.plusSeconds(20));
        List<Object> payloads = new ArrayList<>(List.of(
                opening(i), new AlertAttached(first), new AlertAttached(second), new IncidentAssigned(user, null),
                new IncidentAcknowledged("on it"), new NoteAdded("rolled back the deploy of " + service),
                new StatusUpdatePosted("Mitigated; watching error rates"),
                new AlertResolved(first.getFingerprint(), opened.plusSeconds(600)),
                new AlertResolved(second.getFingerprint(), opened.plusSeconds(610)),
                stays ? new NoteAdded("keeping it open to watch") : new IncidentResolved("rolled back")));
        List<IncidentEvent> log = new ArrayList<>();
        List<Headers> headers = new ArrayList<>();
        IncidentStatus status = null;
        for (int e = 0; e < payloads.size(); e++) {
            Object payload = payloads.get(e);
            IncidentStatus before = status;
            status = IncidentLifecycle.statusAfter(before, payload);
            log.add(event(id, e + 1, opened.plusSeconds(60L * e), e == 0 ? null : user, payload));
            headers.add(EventHeaders.of(service, before, status));
        }
        IncidentState state = IncidentState.newBuilder().setIncidentId(id).setVersion(EVENTS).setStatus(status).setSeverity(severity)
                .setTitle(title(i)).setService(service).setCorrelationKey(service + "|" + name)
                .setAssigneeUserId(user).setLabels(labels(i)).setAlertCount(2)
                .setFiringAlertCount(0).setNoteCount(stays ? 2 : 1).setStatusUpdateCount(1).setOpenedAt(opened)
                .setAcknowledgedAt(opened.plusSeconds(240)).setResolvedAt(stays ? null : opened.plusSeconds(540)).build();
        return new Incident(log, headers, state);
    }

    /** Incident {@code i} (any number, e.g. past the history's) opened at {@code at}: its first event and the state after it. */
    Incident opened(int i, Instant at) {
        IncidentState state = IncidentState.newBuilder().setIncidentId(id(i)).setVersion(1).setStatus(IncidentStatus.TRIGGERED)
                .setSeverity(severity(i)).setTitle(title(i)).setService(service(i)).setCorrelationKey(service(i) + "|" + name(i))
                .setLabels(labels(i)).setAlertCount(0).setFiringAlertCount(0).setNoteCount(0).setStatusUpdateCount(0).setOpenedAt(at).build();
        return new Incident(List.of(event(id(i), 1, at, null, opening(i))), List.of(EventHeaders.of(service(i), null, IncidentStatus.TRIGGERED)),
                state);
    }

    /**
     * The incident after one more event by {@code user} at {@code at}: the state's version and status
     * follow, and an acknowledgement's time and a note's count; other payloads change nothing else.
     */
    Incident then(Incident before, Object payload, String user, Instant at) {
        IncidentState was = before.state();
        IncidentStatus status = IncidentLifecycle.statusAfter(was.getStatus(), payload);
        IncidentState.Builder state = IncidentState.newBuilder(was).setVersion(was.getVersion() + 1).setStatus(status);
        if (payload instanceof IncidentAcknowledged) {
            state.setAcknowledgedAt(at);
        } else if (payload instanceof NoteAdded) {
            state.setNoteCount(was.getNoteCount() + 1);
        }
        List<IncidentEvent> log = new ArrayList<>(before.events());
        log.add(event(was.getIncidentId(), was.getVersion() + 1, at, user, payload));
        List<Headers> headers = new ArrayList<>(before.headers());
        headers.add(EventHeaders.of(was.getService(), was.getStatus(), status));
        return new Incident(log, headers, state.build());
    }

    /** Event {@code sequence} of an incident, by the engine when {@code user} is null. */
    private static IncidentEvent event(String id, long sequence, Instant at, String user, Object payload) {
        return IncidentEvent.newBuilder().setEventId(id + "/" + sequence).setIncidentId(id).setSequence(sequence).setTimestamp(at)
                .setActor(new Actor(user == null ? ActorType.SYSTEM : ActorType.USER, user == null ? "incident-stream" : user, null))
                .setPayload(payload).build();
    }

    private static IncidentOpened opening(int i) {
        return IncidentOpened.newBuilder().setTitle(title(i)).setSeverity(severity(i)).setService(service(i))
                .setCorrelationKey(service(i) + "|" + name(i)).setLabels(labels(i)).setAutoResolve(true).build();
    }

    private static String title(int i) {
        return name(i) + " on " + service(i) + " " + host(i);
    }

    private static Severity severity(int i) {
        return Severity.values()[1 + i % 4];
    }

    private static String user(int i) {
        return String.format("user-%03d", i % USERS);
    }

    private static String host(int i) {
        return String.format("db-%d.eu-west-%d", i % 997, i % 3);
    }

    private static Map<String, String> labels(int i) {
        return Map.of("env", "prod", "team", "team-" + (i % 17));
    }

    private static Alert alert(String fingerprint, String name, String service, String host, Severity severity, Instant at) {
        return Alert.newBuilder().setFingerprint(fingerprint).setStatus(AlertStatus.FIRING).setSeverity(severity)
                .setSummary(name + " on " + service + " " + host).setDescription("Above its threshold for 5 minutes")
                .setLabels(Map.of("alertname", name, "service", service, "instance", host + ":9100", "job", "node", "env", "prod"))
                .setAnnotations(Map.of("runbook_url", "https://runbooks.example/" + name)).setSource("prometheus")
                .setIntegrationId("bench").setService(service).setLinks(List.of()).setStartsAt(at.minusSeconds(300)).setReceivedAt(at)
                .setRawFormat(RawFormat.ALERTMANAGER).build();
    }
}
