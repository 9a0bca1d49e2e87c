package dev.incidentengine.ticketing.redmine;

import static dev.incidentengine.ticketing.redmine.RedmineFixture.incidentId;
import static dev.incidentengine.ticketing.redmine.RedmineFixture.ticket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;

import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.ticketing.TicketException;
import dev.incidentengine.ticketing.TicketSystem.Subject;
import dev.incidentengine.testkit.RedmineServer;
import dev.incidentengine.testkit.WithRedmine;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A bad configuration, and the 4xx classes a record can meet, against a real Redmine: each named for what it is. */
@WithRedmine
class RedmineConfigIT {

    private static RedmineServer redmine;

    @BeforeAll
    static void connect(RedmineServer server) {
        redmine = server;
    }

    @Test
    void aWrongKeyIsRefusedAsUnauthorized() {
        assertThatThrownBy(() -> RedmineFixture.system(redmine, Map.of(RedmineProvider.API_KEY, "0".repeat(40))).check())
                .isInstanceOfSatisfying(TicketException.class, e -> {
                    assertThat(e.status()).isEqualTo(401);
                    assertThat(e.retriable()).isFalse();
                    assertThat(e.reason()).isEqualTo("unauthorized");
                    assertThat(e.getMessage()).doesNotContain(redmine.adminKey());
                });
    }

    @Test
    void aProjectThatDoesNotExistIsNotFound() {
        assertThatThrownBy(() -> RedmineFixture.system(redmine, Map.of(RedmineProvider.PROJECT, "no-such-project")).check())
                .isInstanceOfSatisfying(TicketException.class, e -> assertThat(e.reason()).isEqualTo("not-found"));
    }

    static Stream<Arguments> unknownNames() {
        return Stream.of(
                Arguments.of(RedmineProvider.TRACKER, "Incident", "Bug, Feature, Support"),
                Arguments.of(RedmineProvider.STATUS_RESOLVED, "Done", "Resolved"),
                Arguments.of(RedmineProvider.STATUS_CLOSED, "closed", "Closed"),
                Arguments.of(RedmineProvider.STATUS_REOPENED, "Open", "New"),
                Arguments.of(RedmineProvider.PRIORITY_PREFIX + "SEV1", "P1", "Urgent"),
                Arguments.of(RedmineProvider.INCIDENT_FIELD, "Incident id", "Incident"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("unknownNames")
    void aNameRedmineDoesNotKnowIsNamedWithWhatItKnows(String setting, String value, String known) {
        assertThatThrownBy(() -> RedmineFixture.system(redmine, Map.of(setting, value)).check())
                .isInstanceOf(ConfigException.class).hasMessageContaining(setting).hasMessageContaining(value).hasMessageContaining(known);
    }

    @Test
    void withoutAnAdministratorTheFieldIsGivenByIdNotName() throws Exception {
        assertThatThrownBy(() -> RedmineFixture.system(redmine, Map.of(RedmineProvider.API_KEY, redmine.aliceKey())).check())
                .isInstanceOf(ConfigException.class).hasMessageContaining(RedmineProvider.INCIDENT_FIELD).hasMessageContaining("id");

        RedmineSystem alice = RedmineFixture.system(redmine, Map.of(RedmineProvider.API_KEY, redmine.aliceKey(),
                RedmineProvider.INCIDENT_FIELD, String.valueOf(redmine.incidentFieldId())));
        alice.check();
        Subject subject = Subject.incident(incidentId());
        TicketRef ref = alice.create(ticket(subject, "by a non-administrator", "", Severity.SEV2));
        assertThat(alice.find(subject)).contains(ref);
    }

    @Test
    void settingsAreCheckedBeforeAnyRequest() {
        ConfigDef def = new ConfigDef();
        new RedmineProvider().define(def);

        assertThat(errors(def, Map.of(RedmineProvider.URL, "redmine.example.com", RedmineProvider.API_KEY, " ", RedmineProvider.PROJECT, "")))
                .containsOnlyKeys(RedmineProvider.URL, RedmineProvider.API_KEY, RedmineProvider.PROJECT);
        assertThat(errors(def, Map.of(RedmineProvider.URL, "https://user:pw@redmine.example.com", RedmineProvider.API_KEY, "k",
                RedmineProvider.PROJECT, "ops"))).containsOnlyKeys(RedmineProvider.URL);
    }

    @Test
    void refusedRequestsSayWhyInOneWord() throws Exception {
        RedmineSystem connector = RedmineFixture.system(redmine, Map.of());
        TicketRef missing = TicketRef.newBuilder().setSystem("redmine").setKey("999999").setUrl(redmine.url() + "/issues/999999").build();

        assertThatThrownBy(() -> connector.comment(missing, "x")).isInstanceOfSatisfying(TicketException.class,
                e -> assertThat(e.reason()).isEqualTo("not-found"));
        assertThatThrownBy(() -> connector.create(ticket(Subject.incident(incidentId()), " ", "", Severity.SEV2)))
                .isInstanceOfSatisfying(TicketException.class, e -> {
                    assertThat(e.reason()).isEqualTo("unprocessable");
                    assertThat(e.getMessage()).contains("Subject cannot be blank");
                });
    }

    private static Map<String, String> errors(ConfigDef def, Map<String, String> config) {
        Map<String, String> errors = new java.util.HashMap<>();
        for (ConfigValue value : def.validate(config)) {
            if (!value.errorMessages().isEmpty()) {
                errors.put(value.name(), String.join("; ", value.errorMessages()));
            }
        }
        return errors;
    }
}
