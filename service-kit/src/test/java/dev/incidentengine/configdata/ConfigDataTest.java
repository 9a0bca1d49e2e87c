package dev.incidentengine.configdata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.model.config.RotationUnit;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.schemas.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigDataTest {

    @TempDir
    Path dir;

    @Test
    void givenTheLocalExample_thenEveryKindIsRead() {
        List<ConfigData.Entry> entries = ConfigData.readDirectory(Path.of("../deploy/local"), Map.of());

        assertThat(entries).extracting(entry -> entry.topic().name() + "/" + entry.id()).contains(
                "config.services.v1/checkout", "config.integrations.v1/demo-generic", "config.users.v1/alice",
                "config.teams.v1/payments", "config.schedules.v1/payments-primary",
                "config.escalation-policies.v1/payments-default");
        ScheduleConfig schedule = (ScheduleConfig) value(entries, "payments-primary");
        assertThat(schedule.getLayers().get(0).getRotationUnit()).isEqualTo(RotationUnit.WEEKS);
        EscalationPolicyConfig policy = (EscalationPolicyConfig) value(entries, "payments-default");
        assertThat(policy.getLevels().get(0).getTargets().get(0).getType()).isEqualTo(TargetType.SCHEDULE);
        assertThat(((UserConfig) value(entries, "alice")).getNotificationRules()).hasSize(2);
    }

    @Test
    void givenIntegrationKey_thenOnlyItsHashIsKept() throws IOException {
        write("i.yaml", """
                integrations:
                  - {id: a, name: A, serviceId: s, key: plain-key}
                  - {id: b, name: B, type: alertmanager, serviceId: s, keyEnv: B_KEY}
                """);

        List<ConfigData.Entry> entries = ConfigData.readDirectory(dir, Map.of("B_KEY", "env-key"));

        assertThat(((IntegrationConfig) value(entries, "a")).getKeySha256()).isEqualTo(ConfigData.sha256("plain-key"));
        assertThat(((IntegrationConfig) value(entries, "b")).getKeySha256()).isEqualTo(ConfigData.sha256("env-key"));
        assertThat(entries.toString()).doesNotContain("plain-key").doesNotContain("env-key");
    }

    @Test
    void givenTimestamps_thenIsoAndEpochMillisAreRead() throws IOException {
        write("s.yaml", """
                schedules:
                  - id: s
                    name: S
                    timeZone: UTC
                    overrides:
                      - {userId: bob, start: "2026-11-22T10:00:00Z", end: 1795428000000}
                """);

        ScheduleConfig schedule = (ScheduleConfig) ConfigData.readDirectory(dir, Map.of()).get(0).value();

        assertThat(schedule.getOverrides().get(0).getStart()).isEqualTo(Instant.parse("2026-11-22T10:00:00Z"));
        assertThat(schedule.getOverrides().get(0).getEnd()).isEqualTo(Instant.ofEpochMilli(1795428000000L));
    }

    @Test
    void badInputMatrix_namesFileRecordAndField() throws IOException {
        assertRejected("services: [{id: s}]", "services[0].name: is required");
        assertRejected("services: [{id: s, name: S, owner: x}]", "services[0].owner: unknown field");
        assertRejected("services: [{id: 7, name: S}]", "services[0].id: must be a string");
        assertRejected("users: [{id: u, name: U, contacts: [{type: PIGEON, address: x}]}]",
                "users[0].contacts[0].type: must be one of");
        assertRejected("escalationPolicies: [{id: p, name: P, levels: [{targets: [], delayMinutes: ten}]}]",
                "escalationPolicies[0].levels[0].delayMinutes: must be an integer");
        assertRejected("widgets: []", "unknown kind 'widgets'");
        assertRejected("services: {id: s}", "services must be a list");
        assertRejected("services: [{id: s, name: S}\n", "not valid YAML/JSON");
        assertRejected("- just a list", "must be a mapping of kinds");
        assertRejected("integrations: [{id: i, name: I, serviceId: s}]", "give exactly one of key, keyEnv, keyFile");
        assertRejected("integrations: [{id: i, name: I, serviceId: s, keyEnv: NOT_SET}]", "keyEnv 'NOT_SET' gives no key");
        assertRejected("schedules: [{id: s, name: S, timeZone: UTC, overrides: [{userId: u, start: tomorrow, end: 1}]}]",
                "schedules[0].overrides[0].start: must be an ISO-8601 instant");
    }

    @Test
    void givenDuplicateIdAcrossFiles_thenRejected() throws IOException {
        write("a.yaml", "services: [{id: s, name: S}]");
        write("b.json", "{\"services\": [{\"id\": \"s\", \"name\": \"Again\"}]}");

        assertThatThrownBy(() -> ConfigData.readDirectory(dir, Map.of()))
                .isInstanceOf(ConfigDataException.class)
                .hasMessageContaining("b.json")
                .hasMessageContaining("id 's' is defined twice");
    }

    @Test
    void configTopicsOfEveryKindAreInTheRegistry() {
        assertThat(Topics.ALL).contains(Topics.CONFIG_SERVICES, Topics.CONFIG_INTEGRATIONS, Topics.CONFIG_USERS,
                Topics.CONFIG_TEAMS, Topics.CONFIG_SCHEDULES, Topics.CONFIG_ESCALATION_POLICIES);
    }

    private void assertRejected(String yaml, String message) throws IOException {
        Path file = write("bad.yaml", yaml);
        assertThatThrownBy(() -> ConfigData.readDirectory(dir, Map.of()))
                .as(yaml)
                .isInstanceOf(ConfigDataException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(message);
        Files.delete(file);
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static Object value(List<ConfigData.Entry> entries, String id) {
        return entries.stream().filter(entry -> entry.id().equals(id)).findFirst().orElseThrow().value();
    }
}
