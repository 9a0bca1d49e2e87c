package dev.incidentengine.incident.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.incident.routing.Route;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.CorrelationGroup;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentGroupUpdate;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.ResolveAlert;
import dev.incidentengine.testkit.Samples;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CorrelationTest {

    private static final Instant T0 = Samples.T0;
    private static final String KEY = "default|service=checkout|alertname=HighErrorRate";
    private static final Correlation.Grouping FIVE_MINUTES = new Correlation.Grouping(Duration.ofMinutes(5), true, "web-oncall",
            "service-outage");

    private final Correlation correlation = new Correlation(Duration.ofMinutes(30));
    private int issued;
    private final Correlation.IncidentIds ids = at -> "INC-" + (++issued);
    /** Where each alert went, as the aggregate records it beside the group. */
    private final Map<String, String> attachedTo = new HashMap<>();

    @Test
    void theFirstAlertOfAKeyOpensAnIncidentCarryingTheRoutesChoices() {
        Correlation.Outcome outcome = fire(null, "fp-1", T0, null);

        assertThat(outcome.command().getIncidentId()).isEqualTo("INC-1");
        assertThat(outcome.command().getCommandId()).isEqualTo("attach:fp-1@" + T0.toEpochMilli());
        assertThat(outcome.command().getActor()).isEqualTo(new Actor(ActorType.INTEGRATION, "demo-alertmanager", "prometheus"));
        assertThat(outcome.command().getPayload()).isInstanceOfSatisfying(AttachAlert.class, attach -> {
            assertThat(attach.getCorrelationKey()).isEqualTo(KEY);
            assertThat(attach.getEscalationPolicyId()).isEqualTo("web-oncall");
            assertThat(attach.getAutoResolve()).isTrue();
            assertThat(attach.getIncidentType()).as("the route's type").isEqualTo("service-outage");
        });
        assertThat(outcome.group().getCurrentIncidentId()).isEqualTo("INC-1");
        assertThat(outcome.group().getFingerprints()).as("alerts live beside the group").isEmpty();
    }

    @Test
    void aNewAlertJoinsTheOpenIncidentOnlyWhileItIsYoungerThanTheWindow() {
        CorrelationGroup group = fire(null, "fp-1", T0, null).group();

        assertThat(fire(group, "fp-2", T0.plusSeconds(299), null).command().getIncidentId()).isEqualTo("INC-1");
        assertThat(fire(group, "fp-3", T0.plusSeconds(300), null).command().getIncidentId()).isEqualTo("INC-2");
    }

    @Test
    void anAlertReturnsToItsIncidentWhileOpenOrResolvedWithinTheReopenWindow() {
        CorrelationGroup group = fire(null, "fp-1", T0, null).group();
        assertThat(fire(group, "fp-1", T0.plusSeconds(3600), null).command().getIncidentId()).isEqualTo("INC-1");

        CorrelationGroup resolved = correlation.update(group, update("INC-1", IncidentStatus.RESOLVED, T0.plusSeconds(60)));
        assertThat(fire(resolved, "fp-1", T0.plusSeconds(60 + 1799), null).command().getIncidentId()).isEqualTo("INC-1");
        Correlation.Outcome late = fire(resolved, "fp-1", T0.plusSeconds(60 + 1800), null);
        assertThat(late.command().getIncidentId()).isEqualTo("INC-2");
        assertThat(late.group().getIncidents()).containsOnlyKeys("INC-2");
    }

    @Test
    void anAlertHeldUpOnItsWayJoinsTheIncidentThatWasOpenWhenItWasReceived() {
        CorrelationGroup group = fire(null, "fp-1", T0, null).group();
        CorrelationGroup resolved = correlation.update(group, update("INC-1", IncidentStatus.RESOLVED, T0.plusSeconds(60)));

        // Received while INC-1 was open, processed after it resolved (a failover held it up): INC-1 reopens for it.
        assertThat(fire(resolved, "fp-2", T0.plusSeconds(59), null).command().getIncidentId()).isEqualTo("INC-1");
        assertThat(fire(resolved, "fp-3", T0.plusSeconds(60), null).command().getIncidentId()).isEqualTo("INC-2");
    }

    @Test
    void anIncidentThatRefusedTheAlertIsNotTriedAgain() {
        CorrelationGroup group = fire(null, "fp-1", T0, null).group();

        assertThat(fire(group, "fp-1", T0.plusSeconds(10), "INC-1").command().getIncidentId()).isEqualTo("INC-2");
    }

    @Test
    void resolutionsAndAcknowledgementsGoToTheIncidentHoldingTheAlert() {
        CorrelationGroup group = fire(null, "fp-1", T0, null).group();
        Actor actor = new Actor(ActorType.SYSTEM, "x", null);

        IncidentCommand resolved = correlation.resolved(attachedTo.get("fp-1"), "fp-1", actor, T0.plusSeconds(5), T0.plusSeconds(6));
        assertThat(resolved.getIncidentId()).isEqualTo("INC-1");
        assertThat(resolved.getPayload()).isEqualTo(new ResolveAlert("fp-1", T0.plusSeconds(5)));
        assertThat(correlation.resolved(attachedTo.get("fp-unknown"), "fp-unknown", actor, T0, T0)).isNull();
        assertThat(correlation.acknowledged(attachedTo.get("fp-1"), KEY, alert("fp-1", T0), T0).getIncidentId()).isEqualTo("INC-1");
    }

    @Test
    void closingOrMergingForgetsTheIncident_soItsAlertsOpenAnotherWhenTheyFireAgain() {
        CorrelationGroup group = fire(fire(null, "fp-1", T0, null).group(), "fp-2", T0.plusSeconds(400), null).group();
        assertThat(group.getIncidents()).containsOnlyKeys("INC-1", "INC-2");

        CorrelationGroup merged = correlation.update(group, new IncidentGroupUpdate("INC-1", IncidentStatus.RESOLVED, T0, "INC-9", null));
        assertThat(merged.getIncidents()).containsOnlyKeys("INC-2");

        CorrelationGroup closed = correlation.update(merged, update("INC-2", IncidentStatus.CLOSED, T0));
        assertThat(closed).as("nothing left to remember").isNull();
        assertThat(fire(closed, "fp-2", T0.plusSeconds(500), null).command().getIncidentId()).isEqualTo("INC-3");
    }

    @Test
    void aDrillNeverJoinsARealIncident_norARealAlertADrill() {
        Route route = Route.DEFAULT;
        Alert real = alert("fp-real", T0);
        Alert drill = Samples.alert("drill-1").setReceivedAt(T0.plusSeconds(10)).setDrill("database-failover").build();
        Alert secondDrill = Samples.alert("drill-2").setReceivedAt(T0.plusSeconds(20)).setDrill("database-failover").build();
        Alert laterReal = alert("fp-real-2", T0.plusSeconds(30));
        // Same service and alertname, all within the grouping window: on one key they would be one incident.
        assertThat(route.correlationKey(drill)).isEqualTo("|drill|drill-1").isNotEqualTo(route.correlationKey(real));
        assertThat(route.correlationKey(secondDrill)).isNotEqualTo(route.correlationKey(drill));
        // A route of any id and labels: its keys begin with the escaped id, never with '|'.
        Route hostile = new Route("|drill", List.of("drill|x"), Duration.ofMinutes(5), true, null, null, null);
        assertThat(hostile.correlationKey(Alert.newBuilder(real).setFingerprint("drill-1").build())).doesNotStartWith(Route.DRILL_KEY_PREFIX);

        Map<String, CorrelationGroup> groups = new HashMap<>();
        Map<String, String> incidents = new HashMap<>();
        for (Alert alert : List.of(real, drill, secondDrill, laterReal)) {
            String key = route.correlationKey(alert);
            Correlation.Outcome outcome = correlation.firing(groups.get(key), key, alert, null, FIVE_MINUTES, alert.getReceivedAt(), ids,
                    null);
            groups.put(key, outcome.group());
            incidents.put(alert.getFingerprint(), outcome.command().getIncidentId());
        }

        assertThat(incidents).containsEntry("fp-real", "INC-1").containsEntry("drill-1", "INC-2").containsEntry("drill-2", "INC-3")
                .as("the real alert after the drills joins the real incident").containsEntry("fp-real-2", "INC-1");
    }

    private Correlation.Outcome fire(CorrelationGroup group, String fingerprint, Instant at, String notInto) {
        Correlation.Outcome outcome = correlation.firing(group, KEY, alert(fingerprint, at), attachedTo.get(fingerprint), FIVE_MINUTES,
                at, ids, notInto);
        attachedTo.put(fingerprint, outcome.command().getIncidentId());
        return outcome;
    }

    private static Alert alert(String fingerprint, Instant at) {
        return Samples.alert(fingerprint).setReceivedAt(at).build();
    }

    private static IncidentGroupUpdate update(String id, IncidentStatus status, Instant at) {
        return new IncidentGroupUpdate(id, status, at, null, null);
    }
}
