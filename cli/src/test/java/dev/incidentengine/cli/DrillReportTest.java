package dev.incidentengine.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.incidentengine.incident.domain.PublicationRules;
import dev.incidentengine.incident.domain.ResponseRules;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.ResponseTarget;
import dev.incidentengine.model.RoleAssigned;
import dev.incidentengine.model.RunbookAttached;
import dev.incidentengine.model.RunbookStepMarked;
import dev.incidentengine.model.RunbookStepOutcome;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.StatusUpdatePosted;
import dev.incidentengine.model.config.RoleConfig;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.testkit.Samples.T0;
import static dev.incidentengine.testkit.Samples.event;
import static org.assertj.core.api.Assertions.assertThat;

/** Each drill judged from its log against its own targets, the commander role's time and a status update cadence. */
class DrillReportTest {

    private static final Instant NOW = T0.plus(Duration.ofDays(3));
    private static final Actor ALICE = new Actor(ActorType.USER, "alice", null);

    private final DrillReport report = new DrillReport(T0, T0.plus(Duration.ofDays(2)), ResponseRules.DEFAULT,
            PublicationRules.of(dev.incidentengine.model.config.StatusPageConfig.newBuilder().setId("public").setName("Status")
                    .setComponents(List.of()).build())::cadence);

    @Test
    void aDrillDoneByTheBookPasses_andEachMissIsNamed() {
        // A: SEV1 by the book: acknowledged at 3 min (target 15), commander at 4 (within 5), updates every 20-25 min (cadence 30),
        // its runbook's three steps done.
        feed("A", 0, opened(Severity.SEV1, Map.of()));
        feed("A", 180, new IncidentAcknowledged(null));
        feed("A", 240, new RoleAssigned("commander", "alice", null, null));
        feed("A", 1, new RunbookAttached("db-failover", "Database failover", null, List.of("Promote", "Repoint", "Verify"), true));
        for (int step = 1; step <= 3; step++) {
            feed("A", 300 + step, new RunbookStepMarked("db-failover", step, RunbookStepOutcome.DONE, null));
        }
        feed("A", 1_200, new StatusUpdatePosted("Failing over"));
        feed("A", 2_700, new StatusUpdatePosted("Verifying"));
        feed("A", 3_600, new IncidentResolved("Drill ended"));
        // B: SEV2, never acknowledged, resolved after 3 h without an update (cadence 2 h), one step skipped; no commander needed.
        feed("B", 86_400, opened(Severity.SEV2, Map.of()));
        feed("B", 86_401, new RunbookAttached("cache", "Cache", null, List.of("Flush", "Warm"), true));
        feed("B", 86_500, new RunbookStepMarked("cache", 1, RunbookStepOutcome.DONE, null));
        feed("B", 86_600, new RunbookStepMarked("cache", 2, RunbookStepOutcome.SKIPPED, "no time"));
        feed("B", 86_400 + 10_800, new IncidentResolved(null));
        // C: its tier wants SEV1 acknowledged in 2 min: 3 is late; the commander came at 6 min; still running, last update 10 min in.
        feed("C", 7_200, opened(Severity.SEV1, Map.of("SEV1", new ResponseTarget(2, 30))));
        feed("C", 7_380, new IncidentAcknowledged(null));
        feed("C", 7_560, new RoleAssigned("commander", "bob", null, null));
        feed("C", 7_800, new StatusUpdatePosted("Looking"));
        // Neither real incidents nor drills outside the period count.
        feed("real", 60, IncidentOpened.newBuilder(opened(Severity.SEV1, Map.of())).setDrill(null).build());
        feed("real", 120, new IncidentAcknowledged(null));
        feed("early", -60, opened(Severity.SEV1, Map.of()));
        feed("late", 2 * 86_400, opened(Severity.SEV1, Map.of()));

        ObjectNode json = report.json(NOW);

        JsonNode drills = json.get("drills");
        assertThat(drills.findValuesAsText("incidentId")).containsExactly("A", "C", "B");
        JsonNode a = drills.get(0);
        assertThat(a.get("verdict").asText()).isEqualTo("PASS");
        assertThat(a.get("misses")).isEmpty();
        assertThat(a.get("acknowledge").toString()).isEqualTo("{\"seconds\":180,\"targetSeconds\":900,\"by\":\"alice\",\"inTime\":true}");
        assertThat(a.get("commander").toString())
                .isEqualTo("{\"required\":true,\"user\":\"alice\",\"afterSeconds\":240,\"withinSeconds\":300,\"inTime\":true}");
        assertThat(a.get("statusUpdates").toString())
                .isEqualTo("{\"count\":2,\"longestGapSeconds\":1500,\"cadenceSeconds\":1800,\"onCadence\":true}");
        assertThat(a.get("runbookSteps").toString()).isEqualTo("{\"done\":3,\"skipped\":0,\"total\":3}");
        assertThat(a.get("scenario").asText()).isEqualTo("database-failover");

        JsonNode b = drills.get(2);
        assertThat(b.get("verdict").asText()).isEqualTo("FAIL");
        assertThat(b.get("misses").toString()).isEqualTo("[\"never acknowledged\",\"status updates off cadence\",\"runbook 1/2 steps done\"]");
        assertThat(b.get("commander").get("required").asBoolean()).isFalse();
        assertThat(b.get("commander").get("inTime").isNull()).isTrue();

        JsonNode c = drills.get(1);
        assertThat(c.get("acknowledge").get("targetSeconds").asLong()).as("the drill's own targets").isEqualTo(120);
        assertThat(c.get("misses").toString()).as("still running: judged up to now")
                .isEqualTo("[\"acknowledged late\",\"incident commander late\",\"status updates off cadence\"]");
        assertThat(c.get("resolvedAt").isNull()).isTrue();

        assertThat(json.get("totals").toString()).isEqualTo("{\"drills\":3,\"passed\":1,\"acknowledgedInTime\":1,\"commanderRequired\":2,"
                + "\"commanderInTime\":1,\"cadenceJudged\":3,\"onCadence\":1,\"runbookStepsDone\":4,\"runbookSteps\":5}");
    }

    @Test
    void theCommandersTimeAndRequiredSeveritiesAreTheConfiguredRoles_andNoCadenceIsNotJudged() {
        DrillReport configured = new DrillReport(T0, NOW, ResponseRules.of(List.of(new RoleConfig("commander", "IC", null,
                List.of("SEV2"), 1)), List.of(), List.of(), List.of(), List.of()), severity -> Optional.empty());
        configured.event("D", event("D", "D-1", T0, opened(Severity.SEV2, Map.of())));
        configured.event("D", event("D", "D-2", T0.plusSeconds(90), new RoleAssigned("commander", "alice", null, null)));

        JsonNode d = configured.json(NOW).get("drills").get(0);

        assertThat(d.get("commander").toString())
                .isEqualTo("{\"required\":true,\"user\":\"alice\",\"afterSeconds\":90,\"withinSeconds\":60,\"inTime\":false}");
        assertThat(d.get("statusUpdates").get("onCadence").isNull()).isTrue();
    }

    @Test
    void theLongestGapRunsFromOpeningThroughEachUpdateToTheEnd() {
        assertThat(DrillReport.longestGap(T0, List.of(T0.plusSeconds(100), T0.plusSeconds(400)), T0.plusSeconds(500)))
                .isEqualTo(Duration.ofSeconds(300));
        assertThat(DrillReport.longestGap(T0, List.of(), T0.plusSeconds(50))).isEqualTo(Duration.ofSeconds(50));
        assertThat(DrillCommands.Report.bar(ApiClient.JSON.getNodeFactory().numberNode(450), ApiClient.JSON.getNodeFactory().numberNode(900))).isEqualTo("#####.....");
        assertThat(DrillCommands.Report.bar(ApiClient.JSON.getNodeFactory().numberNode(5_000), ApiClient.JSON.getNodeFactory().numberNode(900))).isEqualTo("##########!");
        assertThat(DrillCommands.Report.bar(ApiClient.JSON.getNodeFactory().nullNode(), ApiClient.JSON.getNodeFactory().numberNode(900))).isEqualTo("never");
    }

    private void feed(String id, long seconds, Object payload) {
        IncidentEvent event = event(id, id + "-" + seconds + payload.getClass().getSimpleName(), T0.plusSeconds(seconds), payload);
        if (!(payload instanceof IncidentOpened)) {
            event.setActor(ALICE);
        }
        report.event(id, event);
    }

    private static IncidentOpened opened(Severity severity, Map<String, ResponseTarget> targets) {
        return IncidentOpened.newBuilder().setTitle("Drill: database-failover on checkout").setSeverity(severity).setService("checkout")
                .setCorrelationKey("|drill|x").setLabels(Map.of("drill", "true")).setResponseTargets(targets).setDrill("database-failover")
                .build();
    }
}
