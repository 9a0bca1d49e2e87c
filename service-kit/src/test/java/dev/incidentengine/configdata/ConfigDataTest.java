package dev.incidentengine.configdata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.InhibitRuleConfig;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.model.config.RotationUnit;
import dev.incidentengine.model.config.RouteConfig;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.SilenceConfig;
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
                "config.escalation-policies.v1/payments-default", "config.routes.v1/critical");
        ScheduleConfig schedule = (ScheduleConfig) value(entries, "payments-primary");
        assertThat(schedule.getLayers().get(0).getRotationUnit()).isEqualTo(RotationUnit.WEEKS);
        EscalationPolicyConfig policy = (EscalationPolicyConfig) value(entries, "payments-default");
        assertThat(policy.getLevels().get(0).getTargets().get(0).getType()).isEqualTo(TargetType.SCHEDULE);
        assertThat(((UserConfig) value(entries, "alice")).getNotificationRules()).hasSize(2);
        RouteConfig route = (RouteConfig) value(entries, "critical");
        assertThat(route.getMatchers()).containsExactly(new LabelMatcher("severity", MatchOp.REGEX, "SEV0|SEV1"));
    }

    @Test
    void givenTheLocalExample_thenNoSilenceOrInhibitRuleSuppressesTheDemosAlerts() {
        List<ConfigData.Entry> entries = ConfigData.readDirectory(Path.of("../deploy/local"), Map.of());

        assertThat(entries).extracting(ConfigData.Entry::topic)
                .doesNotContain(Topics.CONFIG_SILENCES, Topics.CONFIG_INHIBIT_RULES);
    }

    @Test
    void givenTheCommentedOutRoutingExamples_whenUncommented_thenTheyAreValid() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("../deploy/local/routing.yaml"));
        List<String> examples = lines.subList(lines.indexOf("# silences:"), lines.size()).stream()
                .map(line -> line.replaceFirst("^# ?", "")).toList();
        write("examples.yaml", String.join("\n", examples));

        List<ConfigData.Entry> entries = ConfigData.readDirectory(dir, Map.of());

        assertThat(entries).extracting(ConfigData.Entry::topic).containsExactly(Topics.CONFIG_SILENCES, Topics.CONFIG_INHIBIT_RULES);
        SilenceConfig silence = (SilenceConfig) entries.get(0).value();
        assertThat(silence.getMatchers()).containsExactly(new LabelMatcher("service", MatchOp.EQUAL, "checkout"),
                new LabelMatcher("env", MatchOp.NOT_REGEX, "dev|test"));
        assertThat(silence.getWeekly().getTimeZone()).isEqualTo("Europe/Berlin");
    }

    @Test
    void givenStringMatchers_thenEveryOperatorWithOrWithoutQuotesBecomesAnObject() throws IOException {
        write("r.yaml", """
                routes:
                  - id: r
                    matchers:
                      - alertname="HighLatency"
                      - severity!=info
                      - service=~"check.*"
                      - env!~dev|test
                      - ' team = "a \\"quoted\\" name" '
                      - 'instance=""'
                      - 'path=~"a\\.b\\\\d+"'
                      - {label: zone, op: not_equal, value: eu-1}
                inhibitRules:
                  - id: i
                    sourceMatchers: [alertname=NodeDown]
                    targetMatchers: ['severity=~"SEV3|SEV4"']
                    equal: [instance]
                """);

        List<ConfigData.Entry> entries = ConfigData.readDirectory(dir, Map.of());

        assertThat(((RouteConfig) value(entries, "r")).getMatchers()).containsExactly(
                new LabelMatcher("alertname", MatchOp.EQUAL, "HighLatency"),
                new LabelMatcher("severity", MatchOp.NOT_EQUAL, "info"),
                new LabelMatcher("service", MatchOp.REGEX, "check.*"),
                new LabelMatcher("env", MatchOp.NOT_REGEX, "dev|test"),
                new LabelMatcher("team", MatchOp.EQUAL, "a \"quoted\" name"),
                new LabelMatcher("instance", MatchOp.EQUAL, ""),
                new LabelMatcher("path", MatchOp.REGEX, "a\\.b\\d+"),
                new LabelMatcher("zone", MatchOp.NOT_EQUAL, "eu-1"));
        InhibitRuleConfig rule = (InhibitRuleConfig) value(entries, "i");
        assertThat(rule.getSourceMatchers()).containsExactly(new LabelMatcher("alertname", MatchOp.EQUAL, "NodeDown"));
        assertThat(rule.getTargetMatchers()).containsExactly(new LabelMatcher("severity", MatchOp.REGEX, "SEV3|SEV4"));
    }

    @Test
    void givenSilence_thenWindowsAreRead() throws IOException {
        write("s.yaml", """
                silences:
                  - id: s
                    matchers: [service=checkout]
                    startsAt: "2026-11-22T10:00:00Z"
                    endsAt: "2026-11-29T10:00:00Z"
                    weekly: {days: [monday, FRIDAY], from: "22:00", to: "06:00", timeZone: Europe/Berlin}
                    author: alice
                """);

        SilenceConfig silence = (SilenceConfig) ConfigData.readDirectory(dir, Map.of()).get(0).value();

        assertThat(silence.getStartsAt()).isEqualTo(Instant.parse("2026-11-22T10:00:00Z"));
        assertThat(silence.getWeekly().getDays()).containsExactly("monday", "FRIDAY");
        assertThat(silence.getWeekly().getFrom()).isEqualTo("22:00");
    }

    @Test
    void givenOneStringMatcher_thenParseMatcherGivesTheRecord_andErrorsNameNoPlace() {
        assertThat(ConfigData.parseMatcher("env=~\"dev|test\"")).isEqualTo(new LabelMatcher("env", MatchOp.REGEX, "dev|test"));
        assertThat(ConfigData.parseMatcher(" service = checkout ")).isEqualTo(new LabelMatcher("service", MatchOp.EQUAL, "checkout"));
        assertThatThrownBy(() -> ConfigData.parseMatcher("alertname")).isInstanceOf(ConfigDataException.class)
                .hasMessageStartingWith("'alertname' is not a matcher");
        assertThatThrownBy(() -> ConfigData.parseMatcher("a=\"x")).hasMessage("matcher value \"x lacks its closing double quote");
    }

    @Test
    void badRoutingMatrix_namesFileRecordAndField() throws IOException {
        String silence = "silences: [{id: s, author: a, matchers: [%s]%s}]";
        String weekly = ", weekly: {days: %s, from: '%s', to: '%s', timeZone: %s}";
        assertRejected("routes: [{id: r, matchers: [alertname]}]",
                "routes[0].matchers[0]: 'alertname' is not a matcher such as alertname=\"HighLatency\"");
        assertRejected("routes: [{id: r, matchers: ['=x']}]", "routes[0].matchers[0]: '=x' is not a matcher");
        assertRejected("routes: [{id: r, matchers: ['a=\"x']}]", "routes[0].matchers[0]: matcher value \"x lacks its closing double quote");
        assertRejected("routes: [{id: r, matchers: ['a=\"x\"y\"']}]", "routes[0].matchers[0]: unescaped double quote");
        assertRejected("routes: [{id: r, matchers: ['a=~\"(x\"']}]",
                "routes[0].matchers[0].value: '(x' is not a valid regular expression");
        assertRejected("routes: [{id: r, matchers: [{label: a, op: NOT_REGEX, value: '*'}]}]",
                "routes[0].matchers[0].value: '*' is not a valid regular expression");
        assertRejected("routes: [{id: r, matchers: [{label: ' ', value: x}]}]", "routes[0].matchers[0].label: must not be blank");
        assertRejected("routes: [{id: r, groupWindowMinutes: 0}]", "routes[0].groupWindowMinutes: must be at least 1, not 0");
        assertRejected("routes: [{id: r, groupBy: []}]", "routes[0].groupBy: must name at least one label");
        assertRejected(silence.formatted("", ""), "silences[0].matchers: must hold at least one matcher");
        assertRejected(silence.formatted("a=b", ", startsAt: '2026-11-22T10:00:00Z', endsAt: '2026-11-22T10:00:00Z'"),
                "silences[0].endsAt: must be after startsAt");
        assertRejected(silence.formatted("a=b", weekly.formatted("[MONDAY, Funday]", "09:00", "17:00", "UTC")),
                "silences[0].weekly.days[1]: must be one of MONDAY..SUNDAY, not 'Funday'");
        assertRejected(silence.formatted("a=b", weekly.formatted("[]", "9:00", "17:00", "UTC")),
                "silences[0].weekly.from: must be a local time HH:mm, not '9:00'");
        assertRejected(silence.formatted("a=b", weekly.formatted("[]", "09:00", "24:00", "UTC")),
                "silences[0].weekly.to: must be a local time HH:mm, not '24:00'");
        assertRejected(silence.formatted("a=b", weekly.formatted("[]", "09:00", "17:00", "Mars/Olympus")),
                "silences[0].weekly.timeZone: must be an IANA time zone");
        assertRejected("inhibitRules: [{id: i, sourceMatchers: [a=b], targetMatchers: []}]",
                "inhibitRules[0].targetMatchers: must hold at least one matcher");
        assertRejected("inhibitRules: [{id: i, sourceMatchers: [a=b], targetMatchers: ['b=~[']}]",
                "inhibitRules[0].targetMatchers[0].value: '[' is not a valid regular expression");
        assertRejected("inhibitRules: [{id: i, sourceMatchers: [a=b], targetMatchers: [c=d], matchers: [e=f]}]",
                "inhibitRules[0].matchers: unknown field");
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
                Topics.CONFIG_TEAMS, Topics.CONFIG_SCHEDULES, Topics.CONFIG_ESCALATION_POLICIES, Topics.CONFIG_ROUTES,
                Topics.CONFIG_SILENCES, Topics.CONFIG_INHIBIT_RULES);
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
