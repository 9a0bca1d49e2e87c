package dev.incidentengine.incident.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.AssignRole;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.CloseIncident;
import dev.incidentengine.model.CommandRejected;
import dev.incidentengine.model.ContactPlan;
import dev.incidentengine.model.ContactStep;
import dev.incidentengine.model.EscalationTarget;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.MergeIncident;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.RequestRole;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.model.RoleAssigned;
import dev.incidentengine.model.RoleRequested;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.RoleConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Response roles on an incident: taken, handed over, released, requested, and the state they fold into. */
class ResponseRolesTest {

    private static final String ID = "INC-20261205-0001";
    private static final Instant T0 = Instant.parse("2026-12-05T09:00:00Z");
    private static final Actor ENGINE = new Actor(ActorType.SYSTEM, "incident-stream", null);
    private static final Actor ESCALATION = new Actor(ActorType.SYSTEM, "escalation-stream", "Escalation");
    private static final Actor ALICE = new Actor(ActorType.USER, "alice", "Alice");
    private static final List<EscalationTarget> IC_ROTATION = List.of(new EscalationTarget(TargetType.SCHEDULE, "ic-rotation",
            List.of("carol"), List.of(new ContactPlan("carol", List.of(new ContactStep("SMS", 0))))));

    private final IncidentLifecycle lifecycle = new IncidentLifecycle(LifecyclePolicy.DEFAULT, () -> PublicationRules.NONE,
            () -> ResponseRules.of(List.of(new RoleConfig("commander", "Incident Commander", null, List.of("SEV0", "SEV1"), 5),
                    new RoleConfig("scribe", "Scribe", null, List.of(), 5)), List.of(), List.of(), List.of(), List.of()));
    private final IncidentFold fold = new IncidentFold(lifecycle);
    private final List<IncidentEvent> log = new ArrayList<>();
    private Instant now = T0;
    private int commands;

    @Test
    void aRoleIsTaken_handedOver_andReleased_andTheSameHolderAgainIsNothing() {
        given(open());

        assertThat(when(assign("commander", "alice", null))).containsExactly(new RoleAssigned("commander", "alice", null, null));
        assertThat(when(assign("commander", "alice", "again"))).as("the holder already").isEmpty();
        assertThat(when(assign("commander", "bob", "end of shift")))
                .containsExactly(new RoleAssigned("commander", "bob", "alice", "end of shift"));
        assertThat(fold.state().getRoles()).containsExactly(Map.entry("commander", "bob"));
        assertThat(when(assign("commander", null, "stood down"))).containsExactly(new RoleAssigned("commander", null, "bob", "stood down"));
        assertThat(fold.state().getRoles()).isEmpty();
        assertThat(when(assign("commander", null, null))).as("releasing a free role").isEmpty();
    }

    @Test
    void badAssignmentsAreRefused_namingWhatIsWrong() {
        given(open());

        assertRejected(when(assign("captain", "alice", null)), "unknown role 'captain' (known: [commander, scribe])");
        assertRejected(when(assign("commander", " ", null)), "a role's holder must be a user id of 1 to 64 characters");
        assertRejected(when(assign("commander", "a".repeat(65), null)), "1 to 64 characters");
        assertRejected(when(assign("commander", "alice", "r".repeat(2_001))), "a reason is at most 2000 characters");
        assertThat(fold.state().getRoles()).isEmpty();
    }

    @Test
    void aResolvedIncidentStillTakesRoles_butAClosedOrMergedOneRefuses() {
        given(open(), assign("scribe", "alice", null), command(new ResolveIncident("fixed"), ALICE));
        assertThat(when(assign("commander", "bob", null))).hasExactlyElementsOfTypes(RoleAssigned.class);

        given(command(new CloseIncident(null), ALICE));
        assertRejected(when(assign("commander", "alice", null)), "the incident is closed; cannot assign roles on it");

        IncidentFold other = new IncidentFold(lifecycle);
        other.decide(open());
        other.decide(command(new MergeIncident("INC-20261205-0002"), ALICE));
        assertRejected(payloads(other.decide(assign("commander", "alice", null))), "merged into INC-20261205-0002");
    }

    @Test
    void aFreeRoleIsRequested_andRecorded_butAHeldOneOrAnIncidentOverIsNot() {
        given(open());
        now = now.plus(Duration.ofMinutes(5));

        RoleRequested requested = new RoleRequested("commander", IC_ROTATION, "SEV1 without an Incident Commander after 5 minutes");
        assertThat(when(request("commander"))).containsExactly(requested);
        assertThat(fold.state().getRoleRequests()).containsExactly(Map.entry("commander", now));

        given(assign("commander", "carol", null));
        assertThat(fold.state().getRoleRequests()).as("taking the role answers its request").isEmpty();
        assertRejected(when(request("commander")), "commander is held by carol");

        given(assign("commander", null, null), command(new ResolveIncident(null), ALICE));
        assertRejected(when(request("commander")), "the incident is resolved; no role is paged for it");
    }

    @Test
    void foldingTheLogFromTheStartRebuildsTheRoles() {
        given(open(), request("commander"), assign("commander", "alice", null), assign("scribe", "bob", null),
                assign("commander", "carol", "handover"), assign("scribe", null, null), request("scribe"));

        IncidentFold rebuilt = new IncidentFold(lifecycle);
        log.forEach(rebuilt::apply);
        assertThat(rebuilt.state()).isEqualTo(fold.state());
        assertThat(rebuilt.state().getRoles()).containsExactly(Map.entry("commander", "carol"));
        assertThat(rebuilt.state().getRoleRequests()).containsOnlyKeys("scribe");
    }

    @Test
    void theTimelineTellsEachChange_andThePostmortemListsEveryHolderInOrder() {
        given(open());
        now = now.plus(Duration.ofMinutes(5));
        given(request("commander"));
        now = now.plus(Duration.ofMinutes(1));
        given(assign("commander", "alice", null));
        now = now.plus(Duration.ofMinutes(30));
        given(assign("commander", "bob", "end of *shift*"), assign("scribe", "carol", null));
        now = now.plus(Duration.ofMinutes(10));
        given(assign("scribe", null, null));

        assertThat(Timeline.of(log, List.of())).extracting(Timeline.Entry::what).contains(
                "role commander requested (SEV1 without an Incident Commander after 5 minutes): schedule ic-rotation → carol",
                "role commander taken by alice", "role commander handed over from alice to bob: end of *shift*",
                "role scribe taken by carol", "role scribe released by its holder carol");
        assertThat(Postmortem.markdown(ID, log, List.of())).contains("""
                ## Responders by role

                | role | who | from | to |
                |---|---|---|---|
                | commander | alice | 2026-12-05T09:06:00Z | 2026-12-05T09:36:00Z (handed over: end of \\*shift\\*) |
                | commander | bob | 2026-12-05T09:36:00Z | still holds it |
                | scribe | carol | 2026-12-05T09:36:00Z | 2026-12-05T09:46:00Z (released) |

                commander was free past its time and requested 1 time.
                """);
    }

    @Test
    void aRequestWithoutTargetsSaysNobodyWasPaged_andAnIncidentWithoutRolesHasNoSection() {
        given(open());
        assertThat(Postmortem.markdown(ID, log, List.of())).doesNotContain("Responders by role");
        given(command(new RequestRole("commander", List.of(), "SEV1 without an Incident Commander after 5 minutes"), ESCALATION));
        assertThat(Timeline.of(log, List.of())).extracting(Timeline.Entry::what).contains("role commander requested (SEV1 without an "
                + "Incident Commander after 5 minutes): the team has no schedule for it, nobody paged");
    }

    private void given(IncidentCommand... commandsSoFar) {
        for (IncidentCommand command : commandsSoFar) {
            when(command);
        }
    }

    private List<Object> when(IncidentCommand command) {
        List<IncidentEvent> events = fold.decide(command);
        log.addAll(events);
        return payloads(events);
    }

    private static List<Object> payloads(List<IncidentEvent> events) {
        return events.stream().map(IncidentEvent::getPayload).toList();
    }

    private static void assertRejected(List<Object> events, String reason) {
        assertThat(events).singleElement().isInstanceOfSatisfying(CommandRejected.class,
                rejected -> assertThat(rejected.getReason()).contains(reason));
    }

    private IncidentCommand assign(String role, String user, String reason) {
        return command(new AssignRole(role, user, reason), ALICE);
    }

    private IncidentCommand request(String role) {
        return command(new RequestRole(role, IC_ROTATION, "SEV1 without an Incident Commander after 5 minutes"), ESCALATION);
    }

    private IncidentCommand open() {
        Alert alert = Alert.newBuilder().setFingerprint("a").setStatus(AlertStatus.FIRING).setSeverity(Severity.SEV1)
                .setSummary("checkout down").setLabels(Map.of("service", "checkout")).setSource("prometheus").setService("checkout")
                .setStartsAt(now).setReceivedAt(now).setRawFormat(RawFormat.ALERTMANAGER).build();
        return command(new AttachAlert(alert, "checkout|down", null, true, null), ENGINE);
    }

    private IncidentCommand command(Object payload, Actor actor) {
        return IncidentCommand.newBuilder().setCommandId("cmd-" + (++commands)).setIncidentId(ID).setActor(actor).setTimestamp(now)
                .setPayload(payload).build();
    }
}
