package dev.incidentengine.incident.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertAttached;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.AttachRunbook;
import dev.incidentengine.model.AttachedAlert;
import dev.incidentengine.model.CloseIncident;
import dev.incidentengine.model.CommandRejected;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.MarkRunbookStep;
import dev.incidentengine.model.MergeIncident;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.model.RunbookAttached;
import dev.incidentengine.model.RunbookStep;
import dev.incidentengine.model.RunbookStepMarked;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.model.config.RunbookConfig;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.model.RunbookStepOutcome.DONE;
import static dev.incidentengine.model.RunbookStepOutcome.SKIPPED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Runbooks as data: the one an incident opens with, attaching more, marking steps, and what the log folds into. */
class RunbooksTest {

    private static final String ID = "INC-20261122-0001";
    private static final Instant T0 = Instant.parse("2026-11-22T09:00:00Z");
    private static final Actor ENGINE = new Actor(ActorType.SYSTEM, "incident-stream", null);
    private static final Actor ALICE = new Actor(ActorType.USER, "alice", "Alice");
    private static final Actor BOB = new Actor(ActorType.USER, "bob", "Bob");

    private static final RunbookConfig DATABASE = runbook("database-issues", 10, List.of(regex("alertname", "(Postgres|MySQL|DB).*")),
            List.of(), List.of(), "Check replication lag: `SELECT now() - pg_last_xact_replay_timestamp();`", "Fail over to the replica");
    private static final RunbookConfig ERRORS = runbook("high-error-rate", 20, List.of(regex("alertname", ".*ErrorRate")), List.of(),
            List.of(), "Open the error dashboard", "Roll back the last deploy");
    private static final RunbookConfig CHECKOUT = runbook("checkout-down", 5, List.of(), List.of("checkout"), List.of("service-outage"),
            "Check the payment provider", "Page the payments team");

    private List<RunbookConfig> configured = new ArrayList<>(List.of(DATABASE, ERRORS, CHECKOUT));
    private final IncidentLifecycle lifecycle = new IncidentLifecycle(LifecyclePolicy.DEFAULT.withResolveSettle(Duration.ZERO),
            () -> PublicationRules.of(null), () -> ResponseRules.of(List.of(), List.of(), configured, List.of(), List.of()));
    private final List<IncidentEvent> log = new ArrayList<>();
    private final Map<String, AttachedAlert> alerts = new HashMap<>();
    private IncidentState state;
    private Instant now = T0;
    private int commands;

    @Test
    void theFirstMatchingRunbookByPriorityIsAttachedAtOpen_inTheSameDecision() {
        List<Object> events = when(attach("PostgresReplicationLag", "db", null, Map.of()));

        assertThat(events).hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class, RunbookAttached.class);
        RunbookAttached attached = (RunbookAttached) events.get(2);
        assertThat(attached.getRunbookId()).isEqualTo("database-issues");
        assertThat(attached.getMatched()).isTrue();
        assertThat(attached.getSteps()).isEqualTo(DATABASE.getSteps());
        assertThat(state.getRunbooks()).singleElement().satisfies(runbook -> {
            assertThat(runbook.getAttachedAt()).isEqualTo(T0);
            assertThat(runbook.getSteps()).extracting(RunbookStep::getNumber, RunbookStep::getOutcome).containsExactly(tuple(1, null), tuple(2, null));
        });
    }

    @Test
    void servicesAndIncidentTypesNarrowTheMatch_andTheLowestPriorityWinsOverTheOthers() {
        // Matches both checkout-down (priority 5, service and type) and high-error-rate (priority 20): the lower priority wins.
        assertThat(runbookOpenedWith(attach("CheckoutErrorRate", "checkout", "service-outage", Map.of()))).isEqualTo("checkout-down");
        // Another type: checkout-down does not hold; the next one by priority does.
        assertThat(runbookOpenedWith(attach("CheckoutErrorRate", "checkout", "performance-degradation", Map.of()))).isEqualTo("high-error-rate");
        // Another service: the same.
        assertThat(runbookOpenedWith(attach("CheckoutErrorRate", "web", "service-outage", Map.of()))).isEqualTo("high-error-rate");
    }

    @Test
    void aRunbookMatchesOnAnyLabel_andTiesInPriorityGoByIdSoEveryInstanceAttachesTheSame() {
        configured = List.of(runbook("b-security", 50, List.of(eq("type", "security")), List.of(), List.of(), "Rotate the credentials"),
                runbook("a-security", 50, List.of(eq("type", "security")), List.of(), List.of(), "Isolate the host"));

        assertThat(runbookOpenedWith(attach("SuspiciousLogin", "auth", null, Map.of("type", "security")))).isEqualTo("a-security");
    }

    @Test
    void whenNoRunbookMatches_theIncidentOpensWithout() {
        assertThat(when(attach("DiskFull", "web", null, Map.of()))).hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class);
        assertThat(state.getRunbooks()).isEmpty();

        configured = List.of();
        id = "INC-20261122-0002";
        state = null;
        assertThat(when(attach("PostgresDown", "db", null, Map.of()))).as("none configured")
                .hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class);
    }

    @Test
    void aPersonAttachesAConfiguredRunbook_onceEach_andAtMostFive() {
        given(attach("DiskFull", "web", null, Map.of()));

        assertRejected(when(command(new AttachRunbook("nope"), ALICE)), "unknown runbook 'nope'");
        assertThat(when(command(new AttachRunbook("high-error-rate"), ALICE))).singleElement().isInstanceOfSatisfying(RunbookAttached.class,
                attached -> assertThat(attached.getMatched()).isFalse());
        assertThat(when(command(new AttachRunbook("high-error-rate"), BOB))).as("already attached: nothing to do").isEmpty();

        configured = new ArrayList<>(configured);
        for (int i = 0; i < 5; i++) {
            configured.add(runbook("extra-" + i, 100, List.of(), List.of("none"), List.of(), "step"));
        }
        for (int i = 0; i < 4; i++) {
            given(command(new AttachRunbook("extra-" + i), ALICE));
        }
        assertThat(state.getRunbooks()).hasSize(ResponseRules.MAX_RUNBOOKS_PER_INCIDENT);
        assertRejected(when(command(new AttachRunbook("extra-4"), ALICE)), "at most 5 runbooks");
    }

    @Test
    void aClosedOrMergedIncidentTakesNoRunbook_andAMergedOneNoMarks() {
        given(attach("PostgresDown", "db", null, Map.of()), command(new ResolveIncident("fixed"), ALICE));
        assertThat(when(command(new AttachRunbook("high-error-rate"), ALICE))).as("resolved is not over: the review may still use it")
                .hasExactlyElementsOfTypes(RunbookAttached.class);
        given(command(new CloseIncident(null), ALICE));
        assertRejected(when(command(new AttachRunbook("checkout-down"), ALICE)), "the incident is closed");
        assertThat(when(command(new MarkRunbookStep("database-issues", 1, DONE, "late entry"), ALICE))).as("closed: the record may be completed")
                .hasExactlyElementsOfTypes(RunbookStepMarked.class);

        id = "INC-20261122-0002";
        state = null;
        given(attach("PostgresDown", "db", null, Map.of()), command(new MergeIncident("INC-20261122-0009"), ALICE));
        assertRejected(when(command(new AttachRunbook("high-error-rate"), ALICE)), "merged into INC-20261122-0009");
        assertRejected(when(command(new MarkRunbookStep("database-issues", 1, DONE, null), ALICE)), "merged into INC-20261122-0009");
    }

    @Test
    void markingAStep_refusesWhatIsNotThere_andRecordsWhoDidWhatWhen() {
        given(attach("PostgresDown", "db", null, Map.of()));

        assertRejected(when(command(new MarkRunbookStep("high-error-rate", 1, DONE, null), ALICE)),
                "runbook 'high-error-rate' is not attached (attached: [database-issues])");
        assertRejected(when(command(new MarkRunbookStep("database-issues", 0, DONE, null), ALICE)), "has steps 1 to 2, not 0");
        assertRejected(when(command(new MarkRunbookStep("database-issues", 3, DONE, null), ALICE)), "has steps 1 to 2, not 3");
        assertRejected(when(command(new MarkRunbookStep("database-issues", 1, DONE, "x".repeat(ResponseRules.MAX_NOTE + 1)), ALICE)),
                "a note is at most 2000 characters");

        now = T0.plus(Duration.ofMinutes(4));
        assertThat(when(command(new MarkRunbookStep("database-issues", 1, DONE, "lag 3 s"), ALICE)))
                .containsExactly(new RunbookStepMarked("database-issues", 1, DONE, "lag 3 s"));
        RunbookStep step = state.getRunbooks().get(0).getSteps().get(0);
        assertThat(step).extracting(RunbookStep::getOutcome, RunbookStep::getNote, RunbookStep::getMarkedBy, RunbookStep::getMarkedAt)
                .containsExactly(DONE, "lag 3 s", "alice", now);
        assertThat(state.getRunbooks().get(0).getSteps().get(1).getOutcome()).as("the other step untouched").isNull();
    }

    @Test
    void theSameMarkAgainIsANoOp_butAnotherOutcomeOrNoteIsRecorded_byWhoeverMarkedItLast() {
        given(attach("PostgresDown", "db", null, Map.of()), command(new MarkRunbookStep("database-issues", 2, DONE, null), ALICE));

        assertThat(when(command(new MarkRunbookStep("database-issues", 2, DONE, null), BOB))).as("a retry or a second click").isEmpty();
        now = T0.plus(Duration.ofMinutes(9));
        assertThat(when(command(new MarkRunbookStep("database-issues", 2, SKIPPED, "replica is behind too"), BOB)))
                .containsExactly(new RunbookStepMarked("database-issues", 2, SKIPPED, "replica is behind too"));
        assertThat(state.getRunbooks().get(0).getSteps().get(1)).extracting(RunbookStep::getOutcome, RunbookStep::getMarkedBy,
                RunbookStep::getMarkedAt).containsExactly(SKIPPED, "bob", now);
        assertThat(when(command(new MarkRunbookStep("database-issues", 2, SKIPPED, "replica is behind"), BOB))).as("a new note")
                .hasExactlyElementsOfTypes(RunbookStepMarked.class);
    }

    @Test
    void theRunbooksFoldFromTheLogAlone_soAReplayWithoutTheirConfigGetsTheSameState() {
        given(attach("PostgresDown", "db", null, Map.of()), command(new AttachRunbook("high-error-rate"), ALICE),
                command(new MarkRunbookStep("database-issues", 1, DONE, "ok"), ALICE),
                command(new MarkRunbookStep("high-error-rate", 2, SKIPPED, null), BOB));
        // The config changes after the attach: the incident keeps the steps as they were.
        configured = List.of(runbook("database-issues", 10, List.of(), List.of(), List.of(), "Something else entirely"));

        IncidentFold rebuilt = new IncidentFold(new IncidentLifecycle(LifecyclePolicy.DEFAULT));
        log.forEach(rebuilt::apply);
        assertThat(rebuilt.state()).isEqualTo(state);
        assertThat(state.getRunbooks()).extracting(runbook -> runbook.getSteps().get(0).getText())
                .containsExactly(DATABASE.getSteps().get(0), ERRORS.getSteps().get(0));
        assertThat(when(command(new MarkRunbookStep("database-issues", 2, DONE, null), ALICE))).as("its own copy's steps")
                .hasExactlyElementsOfTypes(RunbookStepMarked.class);
    }

    @Test
    void theTimelineSaysWhichRunbookWasMatchedOrAttachedByWhom_andEachStepsOutcome() {
        given(attach("PostgresDown", "db", null, Map.of()), command(new AttachRunbook("high-error-rate"), ALICE),
                command(new MarkRunbookStep("database-issues", 1, DONE, "lag | 3 s"), ALICE),
                command(new MarkRunbookStep("database-issues", 2, SKIPPED, null), BOB));

        List<Timeline.Entry> entries = Timeline.of(log, List.of());
        assertThat(entries).extracting(Timeline.Entry::who, Timeline.Entry::what).contains(
                tuple("incident-stream", "runbook database-issues matched and attached: Database issues (2 steps)"),
                tuple("alice", "runbook high-error-rate attached: High error rate (2 steps)"),
                tuple("alice", "runbook database-issues step 1 done: lag | 3 s"),
                tuple("bob", "runbook database-issues step 2 skipped"));
    }

    @Test
    void thePostmortemListsEachRunbookUsedAndItsStepsOutcomes_withTheirMarkdownKeptInside() {
        RunbookConfig hostile = runbook("hostile", 1, List.of(eq("alertname", "Hostile")), List.of(), List.of(),
                "Run `kubectl get pods`\nthen **check** the logs <script>alert(1)</script>", "# Not a heading\n| not | a row |");
        configured = List.of(hostile);
        given(attach("Hostile", "db", null, Map.of()));
        now = T0.plus(Duration.ofMinutes(3));
        given(command(new MarkRunbookStep("hostile", 1, DONE, "pods *all* | fine\nreally"), ALICE));

        String review = Postmortem.markdown(ID, log, List.of());

        assertThat(review).contains("\n## Runbooks\n\n### Hostile (`hostile`), matched when the incident opened\n\n"
                + "1. **done** by alice at 2026-11-22T09:03:00Z: pods \\*all\\* \\| fine really\n"
                + "   Run `kubectl get pods`\n"
                + "   then **check** the logs &lt;script&gt;alert(1)&lt;/script&gt;\n"
                + "2. **not done**\n"
                + "   \\# Not a heading\n"
                + "   | not | a row |\n");
    }

    @Test
    void theRulesSkipAnInvalidRunbookWithAProblem_andKeepTheValidOnes() {
        RunbookConfig badRegex = runbook("bad-regex", 1, List.of(regex("alertname", "(unclosed")), List.of(), List.of(), "step");
        RunbookConfig noSteps = runbook("no-steps", 1, List.of(), List.of(), List.of(), new String[0]);
        RunbookConfig tooMany = runbook("too-many", 1, List.of(), List.of(), List.of(),
                Collections.nCopies(51, "step").toArray(String[]::new));

        ResponseRules rules = ResponseRules.of(List.of(), List.of(), List.of(badRegex, noSteps, tooMany, ERRORS), List.of(), List.of());

        assertThat(rules.problems()).hasSize(3).anySatisfy(problem -> assertThat(problem).startsWith("runbook 'bad-regex': matcher")
                .contains("invalid regular expression"))
                .contains("runbook 'no-steps': needs at least one step", "runbook 'too-many': has 51 steps, more than 50");
        assertThat(rules.runbook("bad-regex")).isEmpty();
        assertThat(rules.runbook("high-error-rate")).contains(ERRORS);
        Alert alert = alert("ApiErrorRate", "web", Map.of());
        assertThat(rules.runbookFor(alert, "web", null)).contains(ERRORS);
        assertThat(rules.runbookFor(alert("Other", "web", Map.of()), "web", null)).isEmpty();
    }

    // --- given / when ---

    private String id = ID;

    private String runbookOpenedWith(IncidentCommand attach) {
        id = "INC-20261122-" + (1000 + commands);
        state = null;
        List<Object> events = when(attach);
        return events.stream().filter(RunbookAttached.class::isInstance).map(e -> ((RunbookAttached) e).getRunbookId()).findFirst().orElse(null);
    }

    private void given(IncidentCommand... commandsSoFar) {
        for (IncidentCommand command : commandsSoFar) {
            when(command);
        }
    }

    private List<Object> when(IncidentCommand command) {
        IncidentLifecycle.Decided decided = lifecycle.decideAndFold(command, state, (incident, fingerprint) -> alerts.get(id + fingerprint));
        for (IncidentEvent event : decided.events()) {
            if (!(event.getPayload() instanceof CommandRejected && state == null)) {
                String fingerprint = IncidentLifecycle.fingerprint(event);
                AttachedAlert before = fingerprint == null ? null : alerts.get(id + fingerprint);
                state = lifecycle.evolve(state, event, before);
                if (fingerprint != null) {
                    alerts.put(id + fingerprint, IncidentLifecycle.alertAfter(event, before));
                }
            }
            if (id.equals(ID)) {
                log.add(event);
            }
        }
        assertThat(decided.state()).isEqualTo(state);
        return decided.events().stream().map(IncidentEvent::getPayload).toList();
    }

    private static void assertRejected(List<Object> events, String reason) {
        assertThat(events).singleElement().isInstanceOfSatisfying(CommandRejected.class,
                rejected -> assertThat(rejected.getReason()).contains(reason));
    }

    private IncidentCommand attach(String alertname, String service, String type, Map<String, String> labels) {
        return command(new AttachAlert(alert(alertname, service, labels), service + "|" + alertname, "payments-default", true, type), ENGINE);
    }

    private Alert alert(String alertname, String service, Map<String, String> labels) {
        Map<String, String> all = new HashMap<>(labels);
        all.put("alertname", alertname);
        return Alert.newBuilder()
                .setFingerprint("a")
                .setStatus(AlertStatus.FIRING)
                .setSeverity(Severity.SEV2)
                .setSummary(alertname + " on " + service)
                .setLabels(all)
                .setSource("prometheus")
                .setService(service)
                .setStartsAt(now)
                .setReceivedAt(now)
                .setRawFormat(RawFormat.ALERTMANAGER)
                .build();
    }

    private IncidentCommand command(Object payload, Actor actor) {
        return IncidentCommand.newBuilder()
                .setCommandId("cmd-" + (++commands))
                .setIncidentId(id)
                .setActor(actor)
                .setTimestamp(now)
                .setPayload(payload)
                .build();
    }

    private static RunbookConfig runbook(String id, int priority, List<LabelMatcher> matchers, List<String> services, List<String> types,
                                         String... steps) {
        String title = Character.toUpperCase(id.charAt(0)) + id.substring(1).replace('-', ' ');
        return RunbookConfig.newBuilder().setId(id).setTitle(title).setPriority(priority).setMatchers(matchers).setServices(services)
                .setIncidentTypes(types).setSteps(List.of(steps)).build();
    }

    private static LabelMatcher regex(String label, String value) {
        return new LabelMatcher(label, MatchOp.REGEX, value);
    }

    private static LabelMatcher eq(String label, String value) {
        return new LabelMatcher(label, MatchOp.EQUAL, value);
    }
}
