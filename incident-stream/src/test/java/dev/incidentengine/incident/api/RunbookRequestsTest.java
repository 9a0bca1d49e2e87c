package dev.incidentengine.incident.api;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.AttachRunbook;
import dev.incidentengine.model.AttachedRunbook;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentState;
import dev.incidentengine.model.IncidentStatus;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.MarkRunbookStep;
import dev.incidentengine.model.RunbookStep;
import dev.incidentengine.model.RunbookStepOutcome;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.model.config.RunbookConfig;
import dev.incidentengine.service.api.ApiError;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

class RunbookRequestsTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final ApiUser ALICE = new ApiUser("alice", Role.RESPONDER);
    private static final String ID = "INC-20261122-0001";
    private static final IncidentState INCIDENT = IncidentState.newBuilder().setIncidentId(ID).setVersion(3)
            .setStatus(IncidentStatus.TRIGGERED).setSeverity(Severity.SEV2).setTitle("Replication lag").setService("db").setOpenedAt(NOW)
            .setRunbooks(List.of(new AttachedRunbook("database-issues", "Database issues", null, NOW, List.of(
                    new RunbookStep(1, "Check replication lag", null, null, null, null),
                    new RunbookStep(2, "Fail over", null, null, null, null))))).build();

    @Test
    void attachNamesAConfiguredRunbook() {
        IncidentCommand command = ApiRequests.command("runbooks", ID, bytes("{\"runbookId\": \"database-issues\", \"commandId\": \"c-1\"}"),
                null, ALICE, NOW);

        assertThat(command.getPayload()).isEqualTo(new AttachRunbook("database-issues"));
        assertThat(command.getCommandId()).isEqualTo("c-1");
        RunbookRequests.checkConfigured("database-issues", List.of(runbook("database-issues", "x")));
        assertRefused(() -> RunbookRequests.checkConfigured("nope", List.of(runbook("database-issues", "x"))), 400, "runbookId");
    }

    @Test
    void aStepIsMarkedDoneOrSkippedWithANote_byTheTokensUser() {
        IncidentCommand command = step("database-issues", "2", "{\"outcome\": \"skipped\", \"note\": \"replica behind\"}");

        assertThat(command.getPayload()).isEqualTo(new MarkRunbookStep("database-issues", 2, RunbookStepOutcome.SKIPPED, "replica behind"));
        assertThat(command.getActor()).isEqualTo(new Actor(ActorType.USER, "alice", null));
        assertThat(command.getIncidentId()).isEqualTo(ID);
        assertThat(step("database-issues", "1", "{\"outcome\": \"DONE\"}").getPayload())
                .isEqualTo(new MarkRunbookStep("database-issues", 1, RunbookStepOutcome.DONE, null));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "runbooks | {}                                   | 400 | runbookId",
            "runbooks | {\"runbookId\": 7}                    | 400 | runbookId",
            "runbooks | {\"runbookId\": \" \"}                | 400 | runbookId",
            "runbooks | {\"id\": \"database-issues\"}         | 400 | id",
            "runbooks | [1]                                  | 400 | body",
    })
    void badAttachBodiesAreRefusedNamingTheField(String action, String body, int status, String field) {
        assertRefused(() -> ApiRequests.command(action, ID, bytes(body), null, ALICE, NOW), status, field);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "database-issues | 1  | {}                                     | 400 | outcome",
            "database-issues | 1  | {\"outcome\": \"finished\"}             | 400 | outcome",
            "database-issues | 1  | {\"outcome\": true}                     | 400 | outcome",
            "database-issues | 1  | {\"outcome\": \"done\", \"note\": 3}    | 400 | note",
            "database-issues | 1  | {\"outcome\": \"done\", \"by\": \"x\"}  | 400 | by",
            "database-issues | 1  | {\"outcome\": \"done\"                  | 400 | body",
            "database-issues | 0  | {\"outcome\": \"done\"}                 | 400 | step",
            "database-issues | 3  | {\"outcome\": \"done\"}                 | 400 | step",
            "database-issues | 51 | {\"outcome\": \"done\"}                 | 400 | step",
            "database-issues | x  | {\"outcome\": \"done\"}                 | 400 | step",
            "high-latency    | 1  | {\"outcome\": \"done\"}                 | 404 | runbookId",
    })
    void badStepRequestsAreRefusedNamingTheField(String runbookId, String step, String body, int status, String field) {
        assertRefused(() -> step(runbookId, step, body), status, field);
    }

    @Test
    void aNoteTooLongOrARunbookIdTooLongIsRefused() {
        assertRefused(() -> step("database-issues", "1", "{\"outcome\": \"done\", \"note\": \"" + "n".repeat(2_001) + "\"}"), 400, "note");
        assertRefused(() -> step("r".repeat(65), "1", "{\"outcome\": \"done\"}"), 400, "runbookId");
    }

    @Test
    void onlyRunbookStepPathsAreSteps() {
        assertThat(RunbookRequests.isStep(new String[] {ID, "runbooks", "db", "steps", "1"})).isTrue();
        assertThat(RunbookRequests.isStep(new String[] {ID, "runbooks", "db", "step", "1"})).isFalse();
        assertThat(RunbookRequests.isStep(new String[] {ID, "runbooks", "db"})).isFalse();
    }

    @Test
    void theConfiguredRunbooksAreListedInTheOrderTheyAreTried_withWhatKeepsAnInvalidOneOut() throws Exception {
        RunbookConfig late = RunbookConfig.newBuilder(runbook("b-late", "x")).setPriority(200).build();
        RunbookConfig broken = RunbookConfig.newBuilder(runbook("a-broken", "x"))
                .setMatchers(List.of(new LabelMatcher("alertname", MatchOp.REGEX, "(unclosed"))).build();
        StringWriter text = new StringWriter();
        try (JsonGenerator out = new JsonFactory().createGenerator(text)) {
            RunbookRequests.writeRunbooks(List.of(late, runbook("c-first", "Check the logs"), broken), out);
        }

        JsonNode json = new ObjectMapper().readTree(text.toString());
        assertThat(json.get("runbooks")).extracting(runbook -> runbook.get("id").asText()).containsExactly("a-broken", "c-first", "b-late");
        assertThat(json.get("runbooks").get(0).get("problem").asText()).contains("invalid regular expression");
        assertThat(json.get("runbooks").get(1).get("problem").isNull()).isTrue();
        assertThat(json.get("runbooks").get(1).get("steps").get(0).asText()).isEqualTo("Check the logs");
    }

    private static IncidentCommand step(String runbookId, String step, String body) {
        return RunbookRequests.step(new String[] {ID, "runbooks", runbookId, "steps", step}, bytes(body), null, ALICE, NOW, INCIDENT);
    }

    private static RunbookConfig runbook(String id, String step) {
        return RunbookConfig.newBuilder().setId(id).setTitle(id).setSteps(List.of(step)).build();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertRefused(Runnable request, int status, String field) {
        assertThatThrownBy(request::run).asInstanceOf(type(ApiError.class)).satisfies(error -> {
            assertThat(error.status()).as("status of: " + error.getMessage()).isEqualTo(status);
            assertThat(error.field()).as("field of: " + error.getMessage()).isEqualTo(field);
        });
    }
}
