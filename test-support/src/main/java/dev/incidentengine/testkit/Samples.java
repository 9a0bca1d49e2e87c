package dev.incidentengine.testkit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.AcknowledgeIncident;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.ContactPlan;
import dev.incidentengine.model.ContactStep;
import dev.incidentengine.model.EscalationTarget;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEscalated;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.Link;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TargetType;

/** Realistic model records for tests; every builder fills each required field. */
public final class Samples {

    public static final Instant T0 = Instant.parse("2026-11-22T09:00:00Z");
    public static final Actor ALICE = new Actor(ActorType.USER, "alice", "Alice Example");
    public static final Actor ENGINE = new Actor(ActorType.SYSTEM, "incident-stream", null);

    private Samples() {
    }

    public static Alert.Builder alert(String fingerprint) {
        return Alert.newBuilder()
                .setFingerprint(fingerprint)
                .setStatus(AlertStatus.FIRING)
                .setSeverity(Severity.SEV2)
                .setSummary("High error rate on checkout")
                .setDescription("5xx ratio above 5% for 10 minutes")
                .setLabels(Map.of("alertname", "HighErrorRate", "service", "checkout", "env", "prod"))
                .setAnnotations(Map.of("runbook", "https://runbooks.example/checkout"))
                .setSource("prometheus")
                .setIntegrationId("demo-alertmanager")
                .setService("checkout")
                .setLinks(List.of(new Link("https://grafana.example/d/checkout", "Dashboard")))
                .setStartsAt(T0)
                .setReceivedAt(T0.plusMillis(250))
                .setRawFormat(RawFormat.ALERTMANAGER);
    }

    public static IncidentCommand.Builder acknowledge(String incidentId, String commandId) {
        return IncidentCommand.newBuilder()
                .setCommandId(commandId)
                .setIncidentId(incidentId)
                .setActor(ALICE)
                .setTimestamp(T0.plusSeconds(120))
                .setExpectedVersion(2L)
                .setPayload(new AcknowledgeIncident("on it"));
    }

    public static IncidentEvent.Builder opened(String incidentId, String eventId) {
        return IncidentEvent.newBuilder()
                .setEventId(eventId)
                .setIncidentId(incidentId)
                .setSequence(1)
                .setTimestamp(T0.plusSeconds(1))
                .setActor(ENGINE)
                .setCauseId("fp-checkout-5xx")
                .setPayload(IncidentOpened.newBuilder()
                        .setTitle("High error rate on checkout")
                        .setSeverity(Severity.SEV2)
                        .setService("checkout")
                        .setCorrelationKey("checkout|HighErrorRate")
                        .setLabels(Map.of("env", "prod"))
                        .build());
    }

    /** Any event of an incident, by the engine unless the payload is a person's act (then by {@link #ALICE}). */
    public static IncidentEvent event(String incidentId, String eventId, Instant at, Object payload) {
        return IncidentEvent.newBuilder()
                .setEventId(eventId)
                .setIncidentId(incidentId)
                .setSequence(at.toEpochMilli())
                .setTimestamp(at)
                .setActor(ENGINE)
                .setCauseId(eventId)
                .setPayload(payload)
                .build();
    }

    /** A page of one level of policy {@code payments-default} to users with their contact plans. */
    public static IncidentEvent escalated(String incidentId, String eventId, Instant at, int level, ContactPlan... plans) {
        List<String> users = Arrays.stream(plans).map(ContactPlan::getUserId).toList();
        return event(incidentId, eventId, at, new IncidentEscalated("payments-default", level, 0,
                List.of(new EscalationTarget(TargetType.SCHEDULE, "payments-primary", users, List.of(plans)))));
    }

    /** A user's contact plan: steps alternate contact type and delay in minutes, e.g. {@code plan("alice", "EMAIL", 0, "SMS", 5)}. */
    public static ContactPlan plan(String userId, Object... steps) {
        List<ContactStep> list = new ArrayList<>();
        for (int i = 0; i < steps.length; i += 2) {
            list.add(new ContactStep((String) steps[i], (Integer) steps[i + 1]));
        }
        return new ContactPlan(userId, list);
    }
}
