package dev.incidentengine.escalation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.escalation.domain.RolePaging;
import dev.incidentengine.incident.domain.ResponseRules;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.RequestRole;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.service.ConfigView;
import dev.incidentengine.service.Deadlines;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs {@link RolePaging} per incident: events move the incident's {@link RolePaging.Watch}, and each role's next request
 * waits in a deadline-indexed store as {@code deadline|incident|role}, so a punctuation's cost grows with what is due,
 * not with open incidents. A due request is sent only if the watch still waits for exactly it (same role and time).
 */
final class RequestRoles implements Processor<String, IncidentEvent, String, IncidentCommand> {

    private static final Logger log = LoggerFactory.getLogger(RequestRoles.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, RoleConfig> DEFAULT_ROLES = ResponseRules.DEFAULT_ROLES.stream()
            .collect(Collectors.toUnmodifiableMap(RoleConfig::getId, role -> role));

    /** The watch as its store holds it: JSON of a record kept in this module alone (no released schema to evolve). */
    static final Serde<RolePaging.Watch> WATCH_SERDE = Serdes.serdeFrom((topic, watch) -> {
        try {
            return watch == null ? null : JSON.writeValueAsBytes(watch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }, (topic, bytes) -> {
        try {
            return bytes == null ? null : JSON.readValue(bytes, RolePaging.Watch.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    private final Duration punctuation;
    private final MeterRegistry metrics;
    private ProcessorContext<String, IncidentCommand> context;
    private KeyValueStore<String, RolePaging.Watch> watches;
    private Deadlines timers;
    private ConfigView<RoleConfig, Map<String, RoleConfig>> roles;
    private ConfigDirectory directory;
    private RolePaging paging;

    RequestRoles(Duration punctuation, MeterRegistry metrics) {
        this.punctuation = punctuation;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<String, IncidentCommand> context) {
        this.context = context;
        watches = context.getStateStore(EscalationTopology.ROLE_WATCH_STORE);
        timers = new Deadlines(context.getStateStore(EscalationTopology.ROLE_TIMER_STORE));
        roles = ConfigView.byId(context.getStateStore(EscalationTopology.ROLES_STORE), RoleConfig::getId);
        directory = new ConfigDirectory(context);
        paging = new RolePaging(directory);
        context.schedule(punctuation, PunctuationType.WALL_CLOCK_TIME, now -> fireDue(Instant.ofEpochMilli(now)));
    }

    @Override
    public void process(Record<String, IncidentEvent> record) {
        IncidentEvent event = record.value();
        if (event == null || !event.getIncidentId().equals(record.key())) {
            return; // Escalate, on the same records, puts it on the DLQ: once is enough
        }
        String incidentId = event.getIncidentId();
        RolePaging.Watch before = watches.get(incidentId);
        apply(incidentId, before, paging.onEvent(before, event, roles()), null, event.getTimestamp());
    }

    /** The roles as configured; the seeds' when none are (as the aggregate has them). */
    private Map<String, RoleConfig> roles() {
        Map<String, RoleConfig> configured = roles.get(context.currentSystemTimeMs());
        return configured.isEmpty() ? DEFAULT_ROLES : configured;
    }

    private void fireDue(Instant now) {
        for (Deadlines.Due due : timers.takeDue(now)) {
            int separator = due.what().indexOf('|');
            String incidentId = due.what().substring(0, separator);
            String role = due.what().substring(separator + 1);
            RolePaging.Watch watch = watches.get(incidentId);
            if (watch != null) {
                apply(incidentId, watch, paging.onDue(incidentId, watch, role, due.at(), now, roles()), role, now);
            }
        }
    }

    /** @param taken the role whose timer the punctuation already took from the store, or null */
    private void apply(String incidentId, RolePaging.Watch before, RolePaging.Step step, String taken, Instant at) {
        RolePaging.Watch after = step.watch();
        if (after == null) {
            if (before != null) {
                watches.delete(incidentId);
            }
        } else if (!after.equals(before)) {
            watches.put(incidentId, after);
        }
        Map<String, RolePaging.Due> old = before == null ? Map.of() : before.due();
        Map<String, RolePaging.Due> next = after == null ? Map.of() : after.due();
        old.forEach((role, due) -> {
            if (!Objects.equals(next.get(role), due) && !role.equals(taken)) {
                timers.delete(Instant.ofEpochMilli(due.at()), incidentId + "|" + role);
            }
        });
        next.forEach((role, due) -> {
            if (!Objects.equals(old.get(role), due)) {
                timers.put(Instant.ofEpochMilli(due.at()), incidentId + "|" + role, "");
            }
        });
        if (step.request() != null) {
            send(incidentId, step.request(), step.commandId(), at);
        }
    }

    private void send(String incidentId, RequestRole request, String commandId, Instant at) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("incident", incidentId)) {
            if (request.getTargets().isEmpty()) {
                // Still recorded: the incident shows the role was due, and nobody could be paged for it.
                log.warn("Role {} is due but the service's team has no schedule for it (teams[].roleSchedules): requesting it without "
                        + "targets", request.getRole());
            } else {
                log.info("Requesting role {}: {}", request.getRole(), request.getTargets());
            }
        }
        Counter.builder("incident_role_requests_total").description("Required roles requested because nobody took them in time")
                .tag("role", request.getRole()).tag("targets", request.getTargets().isEmpty() ? "none" : "schedule")
                .register(metrics).increment();
        IncidentCommand command = IncidentCommand.newBuilder()
                .setCommandId(commandId)
                .setIncidentId(incidentId)
                .setActor(Escalate.ACTOR)
                .setTimestamp(at)
                .setPayload(request)
                .build();
        context.forward(new Record<>(incidentId, command, at.toEpochMilli()));
    }
}
