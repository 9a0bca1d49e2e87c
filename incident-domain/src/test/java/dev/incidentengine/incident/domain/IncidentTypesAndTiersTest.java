package dev.incidentengine.incident.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.AttachAlert;
import dev.incidentengine.model.AttachedAlert;
import dev.incidentengine.model.ChangeSeverity;
import dev.incidentengine.model.CommandRejected;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentTypeChanged;
import dev.incidentengine.model.MergeIncident;
import dev.incidentengine.model.ResponseTarget;
import dev.incidentengine.model.SetIncidentType;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.IncidentTypeConfig;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TierConfig;
import dev.incidentengine.schemas.ResponseTargets;
import dev.incidentengine.testkit.Samples;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Incident types (set by the route or a person) and the response targets an incident opens with from its service's tier. */
class IncidentTypesAndTiersTest {

    private static final String ID = "INC-20261122-0001";
    private static final TierConfig CORE_API = TierConfig.newBuilder().setId("core-api").setName("Core API")
            .setTargets(Map.of("SEV1", target(5, 30), "SEV2", target(15, 120))).build();

    private ResponseRules rules = rules(List.of(CORE_API), List.of(service("checkout", "core-api", Map.of())));
    private final IncidentLifecycle lifecycle = new IncidentLifecycle(LifecyclePolicy.DEFAULT, () -> PublicationRules.NONE, () -> rules);
    private final Map<String, AttachedAlert> alerts = new HashMap<>();
    private IncidentState state;
    private int commands;

    @Test
    void theRoutesTypeOpensTheIncident() {
        IncidentOpened opened = (IncidentOpened) when(attach("checkout", Severity.SEV2, "service-outage")).get(0);

        assertThat(opened.getIncidentType()).isEqualTo("service-outage");
        assertThat(state.getIncidentType()).isEqualTo("service-outage");
    }

    @Test
    void aPersonSetsTheType_theEventKeepsWhatItWas_andTheSameTypeAgainIsNoEvent() {
        given(attach("checkout", Severity.SEV2, null));

        assertThat(when(command(new SetIncidentType("performance-degradation"))))
                .containsExactly(new IncidentTypeChanged(null, "performance-degradation"));
        assertThat(when(command(new SetIncidentType("deployment-related"))))
                .containsExactly(new IncidentTypeChanged("performance-degradation", "deployment-related"));
        assertThat(state.getIncidentType()).isEqualTo("deployment-related");
        assertThat(when(command(new SetIncidentType("deployment-related")))).isEmpty();
    }

    @Test
    void anUnknownType_orAMergedIncident_isRefusedWithTheKnownTypes() {
        given(attach("checkout", Severity.SEV2, null));

        assertRejected(when(command(new SetIncidentType("alien-invasion"))), "unknown incident type 'alien-invasion'");
        assertRejected(when(command(new SetIncidentType("alien-invasion"))), "service-outage");
        given(command(new MergeIncident("INC-20261122-0002")));
        assertRejected(when(command(new SetIncidentType("service-outage"))), "merged into INC-20261122-0002");
        assertThat(state.getIncidentType()).isNull();
    }

    @Test
    void configuredTypesReplaceTheDefaults() {
        rules = ResponseRules.of(List.of(), List.of(new IncidentTypeConfig("fraud", "Fraud", null)), List.of(), List.of(), List.of());
        given(attach("checkout", Severity.SEV2, null));

        assertRejected(when(command(new SetIncidentType("service-outage"))), "known: [fraud]");
        assertThat(when(command(new SetIncidentType("fraud")))).hasSize(1);
    }

    @Test
    void anIncidentOpensWithItsTiersTargets_andIsJudgedByThemAtEverySeverity() {
        IncidentOpened opened = (IncidentOpened) when(attach("checkout", Severity.SEV1, null)).get(0);

        assertThat(opened.getTier()).isEqualTo("core-api");
        assertThat(opened.getResponseTargets()).isEqualTo(CORE_API.getTargets());
        assertThat(ResponseTargets.of(state)).isEqualTo(new ResponseTargets(Duration.ofMinutes(5), Duration.ofMinutes(30)));
        given(command(new ChangeSeverity(Severity.SEV2, "less than feared")));
        assertThat(ResponseTargets.of(state)).isEqualTo(new ResponseTargets(Duration.ofMinutes(15), Duration.ofHours(2)));
        given(command(new ChangeSeverity(Severity.SEV4, "cosmetic")));
        assertThat(ResponseTargets.of(state)).as("a severity the tier does not list: the engine's default")
                .isEqualTo(ResponseTargets.of(Severity.SEV4));
    }

    @Test
    void aServicesOwnTargetsOverrideItsTiers() {
        rules = rules(List.of(CORE_API), List.of(service("checkout", "core-api", Map.of("SEV1", target(2, 20)))));

        IncidentOpened opened = (IncidentOpened) when(attach("checkout", Severity.SEV1, null)).get(0);

        assertThat(opened.getResponseTargets()).isEqualTo(Map.of("SEV1", target(2, 20), "SEV2", target(15, 120)));
        assertThat(ResponseTargets.of(state).resolve()).isEqualTo(Duration.ofMinutes(20));
    }

    @Test
    void anUnknownTierKeepsItsName_andOnlyTheServicesOwnTargets() {
        rules = rules(List.of(CORE_API), List.of(service("checkout", "gold", Map.of("SEV3", target(60, 480)))));

        IncidentOpened opened = (IncidentOpened) when(attach("checkout", Severity.SEV1, null)).get(0);

        assertThat(opened.getTier()).isEqualTo("gold");
        assertThat(opened.getResponseTargets()).isEqualTo(Map.of("SEV3", target(60, 480)));
        assertThat(ResponseTargets.of(state)).isEqualTo(ResponseTargets.of(Severity.SEV1));
    }

    @Test
    void aServiceWithoutTier_orUnknown_isJudgedByTheDefaults() {
        IncidentOpened unknown = (IncidentOpened) when(attach("ledger", Severity.SEV1, null)).get(0);

        assertThat(unknown.getTier()).isNull();
        assertThat(unknown.getResponseTargets()).isEmpty();
        assertThat(ResponseTargets.of(state)).isEqualTo(ResponseTargets.of(Severity.SEV1));
    }

    @Test
    void targetsAreFrozenAtOpen_aTierChangedLaterDoesNotRejudgeTheIncident() {
        given(attach("checkout", Severity.SEV1, null));
        rules = rules(List.of(TierConfig.newBuilder(CORE_API).setTargets(Map.of("SEV1", target(1, 10))).build()),
                List.of(service("checkout", "core-api", Map.of())));

        given(command(new SetIncidentType("service-outage")));

        assertThat(state.getResponseTargets()).isEqualTo(CORE_API.getTargets());
    }

    // --- given / when ---

    private static ResponseRules rules(List<TierConfig> tiers, List<ServiceConfig> services) {
        return ResponseRules.of(List.of(), List.of(), List.of(), tiers, services);
    }

    private static ServiceConfig service(String id, String tier, Map<String, ResponseTarget> own) {
        return ServiceConfig.newBuilder().setId(id).setName(id).setEscalationPolicyId("payments-default").setTier(tier)
                .setResponseTargets(own).build();
    }

    static ResponseTarget target(int acknowledgeMinutes, int resolveMinutes) {
        return new ResponseTarget(acknowledgeMinutes, resolveMinutes);
    }

    private void given(IncidentCommand... commandsSoFar) {
        for (IncidentCommand command : commandsSoFar) {
            when(command);
        }
    }

    private List<Object> when(IncidentCommand command) {
        IncidentLifecycle.Decided decided = lifecycle.decideAndFold(command, state, (incident, fingerprint) -> alerts.get(fingerprint));
        state = decided.state();
        alerts.putAll(decided.alerts());
        return decided.events().stream().map(IncidentEvent::getPayload).toList();
    }

    private static void assertRejected(List<Object> events, String reason) {
        assertThat(events).singleElement().isInstanceOfSatisfying(CommandRejected.class,
                rejected -> assertThat(rejected.getReason()).contains(reason));
    }

    private IncidentCommand attach(String service, Severity severity, String type) {
        return command(new AttachAlert(Samples.alert("fp-" + commands).setService(service).setSeverity(severity).build(),
                service + "|HighErrorRate", "payments-default", true, type));
    }

    private IncidentCommand command(Object payload) {
        return IncidentCommand.newBuilder().setCommandId("cmd-" + (++commands)).setIncidentId(ID)
                .setActor(payload instanceof AttachAlert ? Samples.ENGINE : Samples.ALICE)
                .setTimestamp(Instant.parse("2026-11-22T09:00:00Z").plusSeconds(commands)).setPayload(payload).build();
    }
}
