package dev.incidentengine.incident.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.AssignIncident;
import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.AttachedAlert;
import dev.incidentengine.model.ChangeSeverity;
import dev.incidentengine.model.CloseIncident;
import dev.incidentengine.model.CommandRejected;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentMerged;
import dev.incidentengine.model.IncidentPublished;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.MergeIncident;
import dev.incidentengine.model.PostPublicUpdate;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.PublicIncidentStatus;
import dev.incidentengine.model.PublicUpdateMissed;
import dev.incidentengine.model.PublicUpdatePosted;
import dev.incidentengine.model.PublishIncident;
import dev.incidentengine.model.RawFormat;
import dev.incidentengine.model.RecordPublicUpdateMissed;
import dev.incidentengine.model.ResolveIncident;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.config.StatusComponentConfig;
import dev.incidentengine.model.config.StatusPageConfig;
import dev.incidentengine.model.config.StatusTemplates;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.model.PublicIncidentStatus.IDENTIFIED;
import static dev.incidentengine.model.PublicIncidentStatus.INVESTIGATING;
import static dev.incidentengine.model.PublicIncidentStatus.MONITORING;
import static dev.incidentengine.model.PublicIncidentStatus.POSTMORTEM;
import static dev.incidentengine.model.PublicIncidentStatus.RESOLVED;
import static org.assertj.core.api.Assertions.assertThat;

/** Publishing an incident to the status page: the rules a Statuspage user expects, the automatic steps and the cadence. */
class PublicationTest {

    private static final String ID = "INC-20261122-0001";
    private static final Instant T0 = Instant.parse("2026-11-22T09:00:00Z");
    private static final Actor ENGINE = new Actor(ActorType.SYSTEM, "incident-stream", null);
    private static final Actor ALICE = new Actor(ActorType.USER, "alice", "Alice");

    private StatusPageConfig page = page(List.of());
    private final IncidentLifecycle lifecycle = new IncidentLifecycle(LifecyclePolicy.DEFAULT.withResolveSettle(Duration.ZERO),
            () -> PublicationRules.of(page), () -> ResponseRules.DEFAULT);
    private final IncidentTimers timers = new IncidentTimers(LifecyclePolicy.DEFAULT);
    private final List<IncidentEvent> log = new ArrayList<>();
    private final Map<String, AttachedAlert> alerts = new HashMap<>();
    private IncidentState state;
    private Instant now = T0;
    private int commands;

    @Test
    void publishOnce_withTheInitialTemplate_thenOnlyUpdates() {
        given(attach("checkout", Severity.SEV2));

        List<Object> events = when(publish("Checkout is slow", PublicImpact.MINOR, List.of("checkout"), null));

        IncidentPublished published = (IncidentPublished) events.get(0);
        assertThat(events).hasSize(1);
        assertThat(published.getUpdateId()).isEqualTo(ID + "-U1");
        assertThat(published.getStatus()).isEqualTo(INVESTIGATING);
        assertThat(published.getAutomatic()).isFalse();
        assertThat(published.getMessage()).isEqualTo("We are investigating reports of a problem affecting Checkout. "
                + "We will post an update within 2 hours.");
        assertThat(state.getPublication().getTitle()).isEqualTo("Checkout is slow");
        assertThat(state.getPublication().getPublishedAt()).isEqualTo(T0);
        assertThat(state.getPublication().getUpdates()).isEqualTo(1);
        assertThat(state.getPublication().getNextUpdateDueAt()).as("SEV2: every 2 hours").isEqualTo(T0.plus(Duration.ofHours(2)));
        assertRejected(when(publish("Again", PublicImpact.MINOR, List.of("checkout"), "again")), "already published: post a public update");
    }

    @Test
    void anUpdateNeedsAPublishedIncidentAndAMessage_exceptAResolvedOne() {
        given(attach("checkout", Severity.SEV2));
        assertRejected(when(update(IDENTIFIED, "found it")), "not published: publish the incident first");
        given(publish("Checkout is slow", PublicImpact.MINOR, List.of("checkout"), "Looking into it"));

        assertRejected(when(update(IDENTIFIED, null)), "a public update needs a message");
        now = now.plus(Duration.ofMinutes(10));
        List<Object> identified = when(command(new PostPublicUpdate(IDENTIFIED, "A bad deploy", PublicImpact.MAJOR, List.of("checkout", "storefront")), ALICE));
        assertThat(identified).singleElement().isInstanceOfSatisfying(PublicUpdatePosted.class, update -> {
            assertThat(update.getImpact()).isEqualTo(PublicImpact.MAJOR);
            assertThat(update.getComponents()).containsExactly("checkout", "storefront");
            assertThat(update.getTitle()).isEqualTo("Checkout is slow");
        });
        assertThat(state.getPublication().getLastUpdateAt()).isEqualTo(now);
        assertThat(state.getPublication().getNextUpdateDueAt()).isEqualTo(now.plus(Duration.ofHours(2)));

        List<Object> resolved = when(update(RESOLVED, null));
        assertThat(((PublicUpdatePosted) resolved.get(0)).getMessage())
                .isEqualTo("This incident has been resolved and Checkout, Storefront is operating normally. We will publish a post-incident review.");
        assertThat(state.getPublication().getNextUpdateDueAt()).as("no cadence once resolved").isNull();
        assertThat(state.getPublication().getUpdates()).isEqualTo(3);
    }

    @Test
    void afterResolvedOnlyThePostmortemOrAReopeningStatus() {
        given(attach("checkout", Severity.SEV2), publish("Checkout is slow", PublicImpact.MINOR, List.of("checkout"), "Looking"));
        assertRejected(when(update(POSTMORTEM, "why")), "the postmortem follows the resolution");
        given(update(RESOLVED, "Fixed"));

        assertRejected(when(update(RESOLVED, "Fixed again")), "already resolved");
        assertThat(when(update(POSTMORTEM, "What happened"))).singleElement().isInstanceOf(PublicUpdatePosted.class);
        assertRejected(when(update(POSTMORTEM, "Once more")), "the postmortem is already posted");
        assertThat(when(update(MONITORING, "It is back"))).singleElement().isInstanceOf(PublicUpdatePosted.class);
        assertThat(state.getPublication().getNextUpdateDueAt()).as("reopened: the cadence runs again").isNotNull();
        assertRejected(when(publish("x", PublicImpact.NONE, List.of(), null)), "already published");
    }

    @Test
    void explicitLimitsAndKnownComponents() {
        given(attach("checkout", Severity.SEV2));
        assertRejected(when(publish(" ", PublicImpact.MINOR, List.of("checkout"), null)), "needs a public title");
        assertRejected(when(publish("t".repeat(201), PublicImpact.MINOR, List.of("checkout"), null)),
                "a public title is at most 200 characters (got 201)");
        assertRejected(when(publish("t", PublicImpact.MINOR, List.of("checkout"), "m".repeat(5_001))),
                "a public message is at most 5000 characters (got 5001)");
        assertRejected(when(publish("t", PublicImpact.MINOR, List.of("checkout"), "  ")), "a public message cannot be blank");
        assertRejected(when(publish("t", PublicImpact.MINOR, List.of("payments"), null)),
                "no component payments on status page public (it has: checkout, storefront)");
        assertRejected(when(publish("t", PublicImpact.MINOR, List.of("checkout", "checkout"), null)), "component checkout is named twice");
        List<String> many = java.util.stream.IntStream.range(0, 51).mapToObj(i -> "c" + i).toList();
        assertRejected(when(publish("t", PublicImpact.MINOR, many, null)), "at most 50 components (got 51)");
        assertRejected(when(command(new PublishIncident("t", PublicImpact.MINOR, List.of(), POSTMORTEM, "m"), ALICE)),
                "the postmortem follows it");
        assertThat(state.getPublication()).isNull();
    }

    @Test
    void withoutAPageNothingIsPublished_andAResolvedIncidentIsPublishedResolved() {
        given(attach("checkout", Severity.SEV2));
        page = null;
        assertRejected(when(publish("t", PublicImpact.MINOR, List.of(), null)), "no status page is configured");
        page = page(List.of());
        given(command(new ResolveIncident("fixed"), ALICE));

        assertRejected(when(publish("t", PublicImpact.MINOR, List.of("checkout"), null)), "publish it with status resolved");
        List<Object> events = when(command(new PublishIncident("Checkout was slow", PublicImpact.MINOR, List.of("checkout"), RESOLVED, null), ALICE));
        assertThat(((IncidentPublished) events.get(0)).getMessage()).startsWith("This incident has been resolved and Checkout");
        assertThat(state.getPublication().getNextUpdateDueAt()).isNull();
    }

    @Test
    void aServiceTemplateReplacesThePages() {
        page = StatusPageConfig.newBuilder(page).setServiceTemplates(Map.of("checkout",
                new StatusTemplates("{{title}}: {{impact}} trouble with {{components}} on {{service}}; next within {{cadence}}. <b>", "done"))).build();
        given(attach("checkout", Severity.SEV1));

        List<Object> events = when(publish("Payments fail", PublicImpact.MAJOR, List.of("checkout"), null));

        assertThat(((IncidentPublished) events.get(0)).getMessage())
                .as("plain text: the page escapes it").isEqualTo("Payments fail: major trouble with Checkout on checkout; next within 30 minutes. <b>");
    }

    @Test
    void aPublishedIncidentThatResolvesMergesOrClosesIsResolvedOnThePage() {
        given(attach("checkout", Severity.SEV3), publish("Checkout is slow", PublicImpact.MINOR, List.of("checkout"), "Looking"));

        List<Object> events = when(command(new ResolveIncident("rolled back"), ALICE));

        assertThat(events).hasExactlyElementsOfTypes(IncidentResolved.class, PublicUpdatePosted.class);
        PublicUpdatePosted automatic = (PublicUpdatePosted) events.get(1);
        assertThat(automatic.getStatus()).isEqualTo(RESOLVED);
        assertThat(automatic.getAutomatic()).isTrue();
        assertThat(automatic.getMessage()).startsWith("This incident has been resolved");
        assertThat(when(command(new CloseIncident("done"), ALICE))).as("already resolved on the page").hasSize(1);

        PublicationTest merged = new PublicationTest();
        merged.given(merged.attach("checkout", Severity.SEV2), merged.publish("Slow", PublicImpact.MINOR, List.of("checkout"), "Looking"));
        assertThat(merged.when(merged.command(new MergeIncident("INC-20261122-0002"), ALICE)))
                .hasExactlyElementsOfTypes(IncidentMerged.class, PublicUpdatePosted.class);
    }

    @Test
    void autoPublish_whenItOpensOrIsRaisedToAPublishedSeverity_onACoveredService() {
        page = page(List.of(Severity.SEV0, Severity.SEV1));
        List<Object> opened = when(attach("checkout", Severity.SEV1));

        IncidentPublished published = (IncidentPublished) opened.get(opened.size() - 1);
        assertThat(published.getAutomatic()).isTrue();
        assertThat(published.getImpact()).isEqualTo(PublicImpact.MAJOR);
        assertThat(published.getComponents()).containsExactly("checkout");
        assertThat(published.getTitle()).as("never the internal title").isEqualTo("Investigating issues with Checkout");
        assertThat(published.getMessage()).contains("within 30 minutes");
        assertThat(published.getSeverity()).isEqualTo(Severity.SEV1);

        PublicationTest raised = new PublicationTest();
        raised.page = page(List.of(Severity.SEV0, Severity.SEV1));
        assertThat(raised.when(raised.attach("checkout", Severity.SEV3))).noneMatch(IncidentPublished.class::isInstance);
        List<Object> events = raised.when(raised.command(new ChangeSeverity(Severity.SEV0, "worse"), ALICE));
        assertThat(events).hasExactlyElementsOfTypes(SeverityChanged.class, IncidentPublished.class);
        assertThat(((IncidentPublished) events.get(1)).getImpact()).isEqualTo(PublicImpact.CRITICAL);

        PublicationTest uncovered = new PublicationTest();
        uncovered.page = page(List.of(Severity.SEV0, Severity.SEV1));
        assertThat(uncovered.when(uncovered.attach("payments", Severity.SEV0))).noneMatch(IncidentPublished.class::isInstance);
    }

    @Test
    void theCadenceFollowsTheSeverity_andAMissedUpdateRemindsOncePerPeriod() {
        given(attach("checkout", Severity.SEV2), command(new AssignIncident("bob", null), ALICE),
                publish("Checkout is slow", PublicImpact.MINOR, List.of("checkout"), "Looking"));
        assertThat(state.getPublication().getNextUpdateDueAt()).isEqualTo(T0.plus(Duration.ofHours(2)));
        given(command(new ChangeSeverity(Severity.SEV1, "worse"), ALICE));
        Instant due = T0.plus(Duration.ofMinutes(30));
        assertThat(state.getPublication().getNextUpdateDueAt()).as("recomputed from the last update").isEqualTo(due);
        List<IncidentTimers.Due> deadlines = timers.after(null, state, now);
        assertThat(deadlines).contains(new IncidentTimers.Due(due, IncidentTimers.Kind.PUBLIC_UPDATE, Long.toString(due.toEpochMilli())));

        String token = Long.toString(due.toEpochMilli());
        assertThat(timers.fire(IncidentTimers.Kind.PUBLIC_UPDATE, token, state, due.minusSeconds(1))).as("not yet due").isEmpty();
        now = due.plusSeconds(1);
        IncidentCommand reminder = timers.fire(IncidentTimers.Kind.PUBLIC_UPDATE, token, state, now).orElseThrow();
        List<Object> events = when(reminder);

        assertThat(events).containsExactly(new PublicUpdateMissed(due, T0, "bob"));
        assertThat(state.getPublication().getMissedUpdates()).isEqualTo(1);
        assertThat(state.getPublication().getNextUpdateDueAt()).as("one cadence on").isEqualTo(now.plus(Duration.ofMinutes(30)));
        assertThat(timers.fire(IncidentTimers.Kind.PUBLIC_UPDATE, token, state, now)).as("the old deadline is stale").isEmpty();
        assertRejected(when(command(new RecordPublicUpdateMissed(due), ENGINE)), "no public update was due at");
        IncidentFold replayed = new IncidentFold(new IncidentLifecycle(LifecyclePolicy.DEFAULT));
        log.forEach(replayed::apply);
        assertThat(replayed.state().getPublication().getNextUpdateDueAt()).as("folded from the log alone, no page config")
                .isEqualTo(now.plus(Duration.ofMinutes(30)));

        given(update(RESOLVED, "Fixed"));
        assertThat(timers.after(null, state, now)).noneMatch(d -> d.kind() == IncidentTimers.Kind.PUBLIC_UPDATE);
    }

    @Test
    void theTimelineAndTheReviewTellThePublication() {
        given(attach("checkout", Severity.SEV1), publish("Checkout is down", PublicImpact.MAJOR, List.of("checkout"), "Looking"));
        now = T0.plus(Duration.ofMinutes(31));
        given(timers.fire(IncidentTimers.Kind.PUBLIC_UPDATE, Long.toString(T0.plus(Duration.ofMinutes(30)).toEpochMilli()), state, now).orElseThrow());
        given(update(IDENTIFIED, "A bad deploy"), command(new ResolveIncident("rolled back"), ALICE));

        List<String> lines = Timeline.of(log, List.of()).stream().map(Timeline.Entry::what).toList();
        assertThat(lines).contains("published on the status page (major, 1 component(s)), investigating: Checkout is down — Looking",
                "public update, identified: A bad deploy",
                "public update missed (due 2026-11-22T09:30:00Z, last 2026-11-22T09:00:00Z): reminding whoever holds the incident");
        assertThat(lines).anyMatch(line -> line.startsWith("public update (automatic), resolved: This incident has been resolved"));
        IncidentFacts facts = IncidentFacts.of(ID, log);
        assertThat(facts.published()).isEqualTo(T0);
        assertThat(facts.publicUpdates()).isEqualTo(3);
        assertThat(facts.missedPublicUpdates()).isEqualTo(1);
        assertThat(facts.missedPublicUpdatesDue()).containsExactly(T0.plus(Duration.ofMinutes(30)));
        assertThat(Postmortem.markdown(ID, log, List.of()))
                .contains("| Status page | published 2026-11-22T09:00:00Z, 3 public update(s), 1 missed |")
                .contains("Public updates missed (due, the owner was reminded): 2026-11-22T09:30:00Z.");

        // The fold needs the log alone: a replay without the page's config (incidentctl rebuild) gets the same state.
        page = null;
        IncidentFold rebuilt = new IncidentFold(new IncidentLifecycle(LifecyclePolicy.DEFAULT));
        log.forEach(rebuilt::apply);
        assertThat(rebuilt.state()).isEqualTo(state);
    }

    // --- given / when ---

    private static StatusPageConfig page(List<Severity> autoPublish) {
        return StatusPageConfig.newBuilder()
                .setId(PublicationRules.DEFAULT_ID)
                .setName("Demo Shop Status")
                .setComponents(List.of(
                        StatusComponentConfig.newBuilder().setId("checkout").setName("Checkout").setGroup("Shop").build(),
                        StatusComponentConfig.newBuilder().setId("storefront").setName("Storefront").setServices(List.of("web")).build()))
                .setAutoPublish(autoPublish)
                .setTemplates(StatusTemplates.newBuilder().build())
                .build();
    }

    private void given(IncidentCommand... commandsSoFar) {
        for (IncidentCommand command : commandsSoFar) {
            when(command);
        }
    }

    private List<Object> when(IncidentCommand command) {
        IncidentLifecycle.Decided decided = lifecycle.decideAndFold(command, state, (incident, fingerprint) -> alerts.get(fingerprint));
        for (IncidentEvent event : decided.events()) {
            if (!(event.getPayload() instanceof CommandRejected && state == null)) {
                String fingerprint = IncidentLifecycle.fingerprint(event);
                AttachedAlert before = fingerprint == null ? null : alerts.get(fingerprint);
                state = lifecycle.evolve(state, event, before);
                if (fingerprint != null) {
                    alerts.put(fingerprint, IncidentLifecycle.alertAfter(event, before));
                }
            }
            log.add(event);
        }
        assertThat(decided.state()).isEqualTo(state);
        return decided.events().stream().map(IncidentEvent::getPayload).toList();
    }

    private static void assertRejected(List<Object> events, String reason) {
        assertThat(events).singleElement().isInstanceOfSatisfying(CommandRejected.class,
                rejected -> assertThat(rejected.getReason()).contains(reason));
    }

    private IncidentCommand publish(String title, PublicImpact impact, List<String> components, String message) {
        return command(new PublishIncident(title, impact, components, INVESTIGATING, message), ALICE);
    }

    @Test
    void aDrillIsNeverPublished_byAPersonOrAutomatically() {
        page = page(List.of(Severity.SEV0, Severity.SEV1));
        List<Object> opened = when(drill("checkout", Severity.SEV1));
        assertThat(opened).as("a covered service at an auto-published severity").noneMatch(IncidentPublished.class::isInstance);
        assertThat(state.getDrill()).isEqualTo("database-failover");

        assertRejected(when(publish("Checkout is down", PublicImpact.MAJOR, List.of("checkout"), null)),
                "a drill is never shown on the status page");
        assertThat(when(command(new ChangeSeverity(Severity.SEV0, "worse"), ALICE))).as("nor when raised")
                .noneMatch(IncidentPublished.class::isInstance);
        assertThat(state.getPublication()).isNull();
    }

    private IncidentCommand update(PublicIncidentStatus status, String message) {
        return command(new PostPublicUpdate(status, message, null, null), ALICE);
    }

    private IncidentCommand attach(String service, Severity severity) {
        Alert alert = Alert.newBuilder()
                .setFingerprint("a")
                .setStatus(AlertStatus.FIRING)
                .setSeverity(severity)
                .setSummary("HighErrorRate on db-7.internal")
                .setLabels(Map.of("alertname", "HighErrorRate", "service", service))
                .setSource("prometheus")
                .setService(service)
                .setStartsAt(now)
                .setReceivedAt(now)
                .setRawFormat(RawFormat.ALERTMANAGER)
                .build();
        return command(new AttachAlert(alert, service + "|HighErrorRate", "payments-default", true, null), ENGINE);
    }

    /** What the drills API writes, as correlation sends it on. */
    private IncidentCommand drill(String service, Severity severity) {
        AttachAlert attach = (AttachAlert) attach(service, severity).getPayload();
        attach.getAlert().setDrill("database-failover");
        attach.setCorrelationKey("|drill|a");
        return command(attach, ENGINE);
    }

    private IncidentCommand command(Object payload, Actor actor) {
        return IncidentCommand.newBuilder()
                .setCommandId("cmd-" + (++commands))
                .setIncidentId(ID)
                .setActor(actor)
                .setTimestamp(now)
                .setPayload(payload)
                .build();
    }
}
