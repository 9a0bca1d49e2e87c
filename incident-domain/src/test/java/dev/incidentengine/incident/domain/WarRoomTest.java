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
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.CloseIncident;
import dev.incidentengine.model.CommandRejected;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.LinkWarRoom;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.RecordWarRoomArchived;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.WarRoom;
import dev.incidentengine.model.WarRoomArchived;
import dev.incidentengine.model.WarRoomLinked;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** LinkWarRoom and RecordWarRoomArchived: what the notifier tells the incident about its war room. */
class WarRoomTest {

    private static final String ID = "INC-20261122-0001";
    private static final Instant T0 = Instant.parse("2026-11-22T09:00:00Z");
    private static final Actor ENGINE = new Actor(ActorType.SYSTEM, "incident-stream", null);
    private static final Actor NOTIFIER = new Actor(ActorType.SYSTEM, "notifier", "War room");
    private static final Actor ALICE = new Actor(ActorType.USER, "alice", "Alice");
    private static final WarRoom SLACK = new WarRoom("slack", "C0123ABCD", "#incident-inc-20261122-0001",
            "https://slack.com/app_redirect?channel=C0123ABCD");

    private final IncidentLifecycle lifecycle = new IncidentLifecycle(LifecyclePolicy.DEFAULT.withResolveSettle(Duration.ZERO));
    private final List<IncidentEvent> log = new ArrayList<>();
    private IncidentState state;
    private Instant now = T0;
    private int commands;

    @Test
    void aRoomIsLinkedOnce_andARepeatChangesNothing() {
        open();

        assertThat(when(new LinkWarRoom(SLACK), NOTIFIER)).singleElement().isEqualTo(new WarRoomLinked(SLACK));
        assertThat(state.getWarRoom()).isEqualTo(SLACK);
        assertThat(state.getWarRoomArchivedAt()).isNull();
        assertThat(when(new LinkWarRoom(WarRoom.newBuilder(SLACK).build()), NOTIFIER)).as("a retry with another command id").isEmpty();
        assertThat(Timeline.describe(new WarRoomLinked(SLACK)))
                .isEqualTo("war room #incident-inc-20261122-0001 (slack): https://slack.com/app_redirect?channel=C0123ABCD");
    }

    @Test
    void aSecondRoomReplacesTheFirst() {
        open();
        when(new LinkWarRoom(SLACK), NOTIFIER);
        WarRoom teams = new WarRoom("teams", null, "Payments war room", "https://teams.microsoft.com/l/meetup-join/payments");

        assertThat(when(new LinkWarRoom(teams), NOTIFIER)).singleElement().isEqualTo(new WarRoomLinked(teams));
        assertThat(state.getWarRoom()).isEqualTo(teams);
    }

    @Test
    void invalidRoomsAreRefused_namingTheField() {
        open();

        assertRejected(when(new LinkWarRoom(new WarRoom(" ", null, "x", "https://x.example")), NOTIFIER), "system must be 1 to 32");
        assertRejected(when(new LinkWarRoom(new WarRoom("slack", "C1", "", "https://x.example")), NOTIFIER), "name must be 1 to 200");
        assertRejected(when(new LinkWarRoom(new WarRoom("teams", null, "bridge", "javascript:alert(1)")), NOTIFIER), "url must be an http(s) URL");
        assertRejected(when(new LinkWarRoom(new WarRoom("teams", null, "bridge", "https://x.example/" + "a".repeat(2_000))), NOTIFIER),
                "at most 2000 characters");
        assertThat(state.getWarRoom()).isNull();
    }

    @Test
    void archivingNeedsARoom_isRecordedOnce_andARelinkOpensItAgain() {
        open();
        assertRejected(when(new RecordWarRoomArchived("C0123ABCD"), NOTIFIER), "the incident has no war room");

        when(new LinkWarRoom(SLACK), NOTIFIER);
        when(new ResolveIncident(null), ALICE);
        when(new CloseIncident(null), ALICE);
        // The channel's open may answer after the incident closed: the room is still recorded.
        now = now.plus(Duration.ofHours(24));
        assertThat(when(new RecordWarRoomArchived("C0123ABCD"), NOTIFIER)).singleElement().isEqualTo(new WarRoomArchived("C0123ABCD"));
        assertThat(state.getWarRoomArchivedAt()).isEqualTo(now);
        assertThat(when(new RecordWarRoomArchived("C0123ABCD"), NOTIFIER)).as("a repeat").isEmpty();
        assertThat(Timeline.describe(new WarRoomArchived("C0123ABCD"))).isEqualTo("war room archived (C0123ABCD)");

        assertThat(when(new LinkWarRoom(SLACK), NOTIFIER)).as("the same room, unarchived").singleElement().isEqualTo(new WarRoomLinked(SLACK));
        assertThat(state.getWarRoomArchivedAt()).isNull();
    }

    @Test
    void aRoomLinkedAfterCloseIsKept_andThePostmortemNamesIt() {
        open();
        when(new ResolveIncident(null), ALICE);
        when(new CloseIncident(null), ALICE);

        assertThat(when(new LinkWarRoom(SLACK), NOTIFIER)).singleElement().isEqualTo(new WarRoomLinked(SLACK));
        when(new RecordWarRoomArchived("C0123ABCD"), NOTIFIER);

        assertThat(Postmortem.markdown(ID, log, List.of()))
                .contains("| War room | [#incident-inc-20261122-0001](https://slack.com/app_redirect?channel=C0123ABCD) (slack, archived "
                        + now + ") |");
    }

    @Test
    void foldingTheLogAgainGivesTheSameRoom() {
        open();
        when(new LinkWarRoom(SLACK), NOTIFIER);
        when(new RecordWarRoomArchived("C0123ABCD"), NOTIFIER);

        IncidentState folded = null;
        for (IncidentEvent event : log) {
            folded = lifecycle.evolve(folded, event, null);
        }
        assertThat(folded.getWarRoom()).isEqualTo(state.getWarRoom());
        assertThat(folded.getWarRoomArchivedAt()).isEqualTo(state.getWarRoomArchivedAt());
    }

    private void open() {
        Alert alert = Alert.newBuilder().setFingerprint("a").setStatus(AlertStatus.FIRING).setSeverity(Severity.SEV1).setSummary("Checkout down")
                .setLabels(Map.of("alertname", "HighErrorRate", "service", "checkout")).setSource("prometheus").setService("checkout")
                .setStartsAt(now).setReceivedAt(now).setRawFormat(RawFormat.ALERTMANAGER).build();
        when(new AttachAlert(alert, "checkout|HighErrorRate", "payments-default", true, null), ENGINE);
    }

    private List<Object> when(Object payload, Actor actor) {
        IncidentCommand command = IncidentCommand.newBuilder().setCommandId("cmd-" + (++commands)).setIncidentId(ID).setActor(actor)
                .setTimestamp(now).setPayload(payload).build();
        IncidentLifecycle.Decided decided = lifecycle.decideAndFold(command, state, (incident, fingerprint) -> null);
        for (IncidentEvent event : decided.events()) {
            if (!(event.getPayload() instanceof CommandRejected)) {
                log.add(event);
            }
        }
        state = decided.state();
        return decided.events().stream().map(IncidentEvent::getPayload).toList();
    }

    private static void assertRejected(List<Object> events, String reason) {
        assertThat(events).singleElement().isInstanceOfSatisfying(CommandRejected.class,
                rejected -> assertThat(rejected.getReason()).contains(reason));
    }
}
