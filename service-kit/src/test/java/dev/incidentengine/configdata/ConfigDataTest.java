package dev.incidentengine.configdata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.EscalationPolicyConfig;
import dev.incidentengine.model.config.InhibitRuleConfig;
import dev.incidentengine.model.config.IntegrationConfig;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.model.config.RotationUnit;
import dev.incidentengine.model.config.RouteConfig;
import dev.incidentengine.model.config.ScheduleConfig;
import dev.incidentengine.model.config.ScheduleLayer;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.model.config.TierConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.schemas.Topics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigDataTest {

    @TempDir
    Path dir;

    /** What the local engine sets: the URL of its webhook sink. */
    private static final Map<String, String> LOCAL_ENV = Map.of("LOCAL_SINK_URL", "http://127.0.0.1:8089", "LOCAL_ENGINE_URL", "http://127.0.0.1:8080");

    @Test
    void givenTheLocalExample_thenEveryKindIsRead() {
        List<ConfigData.Entry> entries = ConfigData.readDirectory(Path.of("../deploy/local"), LOCAL_ENV);

        assertThat(entries).extracting(entry -> entry.topic().name() + "/" + entry.id()).contains(
                "config.services.v1/checkout", "config.integrations.v1/demo-generic", "config.users.v1/alice",
                "config.users.v1/bob", "config.users.v1/carol", "config.users.v1/dave",
                "config.teams.v1/payments", "config.teams.v1/platform", "config.schedules.v1/payments-primary",
                "config.schedules.v1/platform-follow-the-sun", "config.escalation-policies.v1/payments-default",
                "config.escalation-policies.v1/platform-default", "config.routes.v1/critical", "config.channels.v1/payments-room",
                "config.channels.v1/stakeholders");
        assertThat(((ChannelConfig) value(entries, "payments-room")).getAddress()).isEqualTo("http://127.0.0.1:8089/hooks/payments-room");
        ScheduleConfig schedule = (ScheduleConfig) value(entries, "payments-primary");
        assertThat(schedule.getLayers().get(0).getRotationUnit()).isEqualTo(RotationUnit.WEEKS);
        assertThat(schedule.getLayers()).extracting(ScheduleLayer::getName).containsExactly("weekly", "weekend");
        ScheduleConfig followTheSun = (ScheduleConfig) value(entries, "platform-follow-the-sun");
        assertThat(followTheSun.getTimeZone()).isEqualTo("UTC");
        assertThat(followTheSun.getLayers()).extracting(layer -> layer.getParticipants().get(0) + " "
                + layer.getRestrictions().get(0).getFrom() + "-" + layer.getRestrictions().get(0).getTo())
                .containsExactly("carol 00:00-12:00", "dave 12:00-00:00");
        EscalationPolicyConfig policy = (EscalationPolicyConfig) value(entries, "payments-default");
        assertThat(policy.getLevels().get(0).getTargets().get(0).getType()).isEqualTo(TargetType.SCHEDULE);
        EscalationPolicyConfig platform = (EscalationPolicyConfig) value(entries, "platform-default");
        assertThat(platform.getLevels()).extracting(level -> level.getTargets().get(0).getType() + "/"
                + level.getTargets().get(0).getId() + " " + level.getDelayMinutes())
                .containsExactly("SCHEDULE/platform-follow-the-sun 5", "TEAM/platform 10");
        assertThat(platform.getRepeat()).isEqualTo(2);
        assertThat(platform.getAckTimeoutMinutes()).isEqualTo(60);
        assertThat(((UserConfig) value(entries, "alice")).getNotificationRules())
                .extracting(rule -> rule.getContactType() + " " + rule.getDelayMinutes())
                .containsExactly("EMAIL 0", "WEBHOOK 2", "SMS 5");
        assertThat(((UserConfig) value(entries, "carol")).getNotificationRules())
                .extracting(rule -> rule.getContactType() + " " + rule.getDelayMinutes())
                .containsExactly("SLACK 0", "SMS 5", "VOICE 10");
        assertThat(((TeamConfig) value(entries, "platform")).getMembers()).containsExactly("carol", "dave");
        assertThat(((TeamConfig) value(entries, "payments")).getRoleSchedules()).as("the local IC schedule")
                .containsExactly(java.util.Map.entry("commander", "ic-rotation"));
        RouteConfig route = (RouteConfig) value(entries, "critical");
        assertThat(route.getMatchers()).containsExactly(new LabelMatcher("severity", MatchOp.REGEX, "SEV0|SEV1"));
        assertThat(route.getIncidentType()).isEqualTo("service-outage");
        assertThat(((ServiceConfig) value(entries, "checkout")).getTier()).isEqualTo("core-api");
        assertThat(((TierConfig) value(entries, "core-api")).getTargets()).extracting(targets -> targets.get("SEV1").getResolveMinutes(),
                targets -> targets.get("SEV2").getResolveMinutes(), targets -> targets.get("SEV3").getResolveMinutes())
                .as("the seeds' core API RTOs: 30 min, 2 h, 1 business day").containsExactly(30, 120, 1440);
        assertThat(entries).extracting(entry -> entry.topic().name() + "/" + entry.id()).contains("config.tiers.v1/database",
                "config.tiers.v1/auxiliary", "config.tiers.v1/non-critical");
    }

    @Test
    void givenTheLocalExample_thenNoSilenceOrInhibitRuleSuppressesTheDemosAlerts() {
        List<ConfigData.Entry> entries = ConfigData.readDirectory(Path.of("../deploy/local"), LOCAL_ENV);

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
        assertRejected("routes: [{id: r, matchers: [{label: a, op: REGEX, value: '(a)\\1'}]}]",
                "routes[0].matchers[0].value: '(a)\\1' is not a valid regular expression");
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

        assertThat(((IntegrationConfig) value(entries, "a")).getKeySha256()).isEqualTo(IntegrationKeys.sha256("plain-key"));
        assertThat(((IntegrationConfig) value(entries, "b")).getKeySha256()).isEqualTo(IntegrationKeys.sha256("env-key"));
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
    void badUserMatrix_namesFileRecordAndField() throws IOException {
        String user = "users: [{id: u, name: U, timeZone: %s, contacts: [%s], notificationRules: [%s]}]";
        String email = "{type: EMAIL, address: u@example.com}";
        assertRejected(user.formatted("Mars/Olympus", email, ""),
                "users[0].timeZone: must be an IANA time zone such as Europe/Berlin, not 'Mars/Olympus'");
        assertRejected(user.formatted("UTC", email + ", {type: SLACK, address: ' '}", ""),
                "users[0].contacts[1].address: must not be blank");
        assertRejected(user.formatted("UTC", "{type: EMAIL, address: u.example.com}", ""),
                "users[0].contacts[0].address: must be an e-mail address such as alice@example.com, not 'u.example.com'");
        assertRejected(user.formatted("UTC", "{type: EMAIL, address: '@example.com'}", ""),
                "users[0].contacts[0].address: must be an e-mail address");
        assertRejected(user.formatted("UTC", "{type: EMAIL, address: 'u@'}", ""),
                "users[0].contacts[0].address: must be an e-mail address");
        assertRejected(user.formatted("UTC", email + ", {type: SMS, address: '015100000001'}", ""),
                "users[0].contacts[1].address: must be a phone number in E.164 form such as +4915100000001, not '015100000001'");
        assertRejected(user.formatted("UTC", "{type: VOICE, address: '+49 151 00000001'}", ""),
                "users[0].contacts[0].address: must be a phone number in E.164 form");
        assertRejected(user.formatted("UTC", "{type: SMS, address: '+0151000000'}", ""),
                "users[0].contacts[0].address: must be a phone number in E.164 form");
        assertRejected(user.formatted("UTC", "{type: SMS, address: '+49151000000012345'}", ""),
                "users[0].contacts[0].address: must be a phone number in E.164 form");
        assertRejected(user.formatted("UTC", email, "{contactType: EMAIL, delayMinutes: -1}"),
                "users[0].notificationRules[0].delayMinutes: must be 0 or more, not -1");
        assertRejected(user.formatted("UTC", email, "{contactType: EMAIL}, {contactType: SMS, delayMinutes: 5}"),
                "users[0].notificationRules[1].contactType: SMS but the user has no SMS contact");
    }

    @Test
    void givenValidUsers_thenEveryContactTypeIsAccepted() throws IOException {
        write("u.yaml", """
                users:
                  - id: u
                    name: U
                    timeZone: Asia/Singapore
                    contacts:
                      - {type: EMAIL, address: first.last+oncall@example.co.uk}
                      - {type: SMS, address: "+6580000001"}
                      - {type: VOICE, address: "+12135550101"}
                      - {type: SLACK, address: U0USER0001}
                      - {type: TEAMS, address: u@example.com}
                      - {type: WEBHOOK, address: "https://hooks.example.com/u"}
                    notificationRules:
                      - {contactType: SLACK}
                      - {contactType: SMS, delayMinutes: 5}
                      - {contactType: VOICE, delayMinutes: 10}
                  - {id: v, name: V}
                """);

        List<ConfigData.Entry> entries = ConfigData.readDirectory(dir, Map.of());

        assertThat(((UserConfig) value(entries, "u")).getContacts()).hasSize(6);
        assertThat(((UserConfig) value(entries, "v")).getTimeZone()).isEqualTo("UTC");
    }

    @Test
    void badTeamAndEscalationPolicyMatrix_namesFileRecordAndField() throws IOException {
        String policy = "escalationPolicies: [{id: p, name: P, levels: [%s]%s}]";
        String level = "{targets: [{type: USER, id: u}], delayMinutes: 5}";
        assertRejected("teams: [{id: t, name: T, members: [u, '']}]", "teams[0].members[1]: must not be blank");
        assertRejected(policy.formatted("", ""), "escalationPolicies[0].levels: must hold at least one level");
        assertRejected(policy.formatted(level + ", {targets: [], delayMinutes: 5}", ""),
                "escalationPolicies[0].levels[1].targets: must hold at least one target");
        assertRejected(policy.formatted("{targets: [{type: TEAM, id: t}, {type: USER, id: ' '}], delayMinutes: 5}", ""),
                "escalationPolicies[0].levels[0].targets[1].id: must not be blank");
        assertRejected(policy.formatted("{targets: [{type: USER, id: u}], delayMinutes: 0}", ""),
                "escalationPolicies[0].levels[0].delayMinutes: must be at least 1, not 0"
                        + " (a delay of 0 would page every level at once)");
        assertRejected(policy.formatted(level, ", repeat: -1"), "escalationPolicies[0].repeat: must be between 0 and 9, not -1");
        assertRejected(policy.formatted(level, ", repeat: 10"), "escalationPolicies[0].repeat: must be between 0 and 9, not 10");
        assertRejected(policy.formatted(level, ", ackTimeoutMinutes: 0"),
                "escalationPolicies[0].ackTimeoutMinutes: must be at least 1 when given, not 0");
    }

    @Test
    void environmentReferencesAreSubstituted_andAMissingOneIsRefused() throws IOException {
        write("c.yaml", "channels: [{id: ops, name: Ops, type: WEBHOOK, address: '${SINK_URL}/hooks/ops'}]");

        ConfigData.Entry entry = ConfigData.readDirectory(dir, Map.of("SINK_URL", "http://127.0.0.1:8089")).get(0);
        assertThat(((ChannelConfig) entry.value()).getAddress()).isEqualTo("http://127.0.0.1:8089/hooks/ops");
        assertThatThrownBy(() -> ConfigData.readDirectory(dir, Map.of())).isInstanceOf(ConfigDataException.class)
                .hasMessageContaining("c.yaml: ${SINK_URL} is not set in the environment");
    }

    @Test
    void badChannelAndTemplateMatrix_namesFileRecordAndField() throws IOException {
        String channel = "channels: [{id: c, name: C, type: %s, address: %s%s}]";
        assertRejected(channel.formatted("SLACK", "'#ops'", ""),
                "channels[0].address: must be a Slack channel or member id such as C0123ABCD, not '#ops'");
        assertRejected(channel.formatted("WEBHOOK", "'ftp://example.com/x'", ""),
                "channels[0].address: must be an http(s) URL, not 'ftp://example.com/x'");
        assertRejected(channel.formatted("TEAMS", "null", ""), "channels[0].address: must be an http(s) URL, not 'null'");
        assertRejected(channel.formatted("EMAIL", "'ops@example.com, nobody'", ""),
                "channels[0].address: 'nobody' is not an e-mail address");
        assertRejected(channel.formatted("SMS", "'0151 000'", ""),
                "channels[0].address: must be a phone number in E.164 form such as +4915100000001, not '0151 000'");
        assertRejected(channel.formatted("PAGERDUTY", "null", ""),
                "channels[0].secret: must name the secret holding the PagerDuty routing key");
        assertRejected(channel.formatted("WEBHOOK", "'https://hooks.example.com/x'", ", secret: 'not a name!'"),
                "channels[0].secret: must be the name of a secrets file or INCIDENT_SECRET_ variable ([A-Za-z0-9_.-], not starting with '.'), not its value");
        assertRejected(channel.formatted("WEBHOOK", "'https://hooks.example.com/x'", ", events: [resolved, page]"),
                "channels[0].events[1]: must be one of [opened, acknowledged, resolved, reopened, severity-changed, status-update,"
                        + " closed, review-required], not 'page'");
        assertRejected(channel.formatted("WEBHOOK", "'https://hooks.example.com/x'", ", severities: [SEV9]"),
                "channels[0].severities[0]: must be SEV0…SEV4, not 'SEV9'");
        assertRejected(channel.formatted("WEBHOOK", "'https://hooks.example.com/x'", ", services: [nope]")
                        + "\nservices: [{id: checkout, name: Checkout}]",
                "channels[0] (id c): services[0]: service 'nope' is not defined in any file of this directory");
        String service = "services: [{id: s, name: S, notificationTemplates: {%s: %s}}]";
        assertRejected(service.formatted("resolved.body", "'x'"),
                "services[0].notificationTemplates.resolved.body: is not a template key: [<channel>/]<kind>.<part>, kinds [page,"
                        + " opened, acknowledged, resolved, reopened, severity-changed, status-update, closed, review-required, public-update-due, role-requested, test], parts title, text, html");
        assertRejected(service.formatted("sms/page.text", "'{{#incident}}open'"),
                "services[0].notificationTemplates.sms/page.text: the template does not compile");
    }

    @Test
    void badScheduleMatrix_namesFileRecordAndField() throws IOException {
        String schedule = "schedules: [{id: s, name: S, timeZone: %s, layers: [%s]}]";
        String layer = "{name: l, participants: %s, rotationLength: %d, start: '%s'%s}";
        String restricted = ", restrictions: [{days: %s, from: '%s', to: '%s'}]";
        String good = layer.formatted("[u]", 1, "2026-11-02T09:00:00", "");
        String override = "schedules: [{id: s, name: S, timeZone: UTC, overrides: [{userId: %s, start: %s, end: %s}]}]";
        assertRejected(schedule.formatted("Europe/Nowhere", ""),
                "schedules[0].timeZone: must be an IANA time zone such as Europe/Berlin, not 'Europe/Nowhere'");
        assertRejected(schedule.formatted("UTC", good + ", " + layer.formatted("[]", 1, "2026-11-02T09:00:00", "")),
                "schedules[0].layers[1].participants: must name at least one user");
        assertRejected(schedule.formatted("UTC", layer.formatted("[u, ' ']", 1, "2026-11-02T09:00:00", "")),
                "schedules[0].layers[0].participants[1]: must not be blank");
        assertRejected(schedule.formatted("UTC", layer.formatted("[u]", 0, "2026-11-02T09:00:00", "")),
                "schedules[0].layers[0].rotationLength: must be at least 1, not 0");
        assertRejected(schedule.formatted("UTC", good + ", " + layer.formatted("[u]", 1, "tomorrow", "")),
                "schedules[0].layers[1].start: must be a local date-time such as 2026-11-02T09:00:00, not 'tomorrow'");
        assertRejected(schedule.formatted("UTC", layer.formatted("[u]", 1, "2026-11-02T09:00:00Z", "")),
                "schedules[0].layers[0].start: must be a local date-time such as 2026-11-02T09:00:00,"
                        + " not '2026-11-02T09:00:00Z'");
        assertRejected(schedule.formatted("UTC", layer.formatted("[u]", 1, "2026-11-02T09:00:00",
                        restricted.formatted("[SATURDAY, Caturday]", "09:00", "17:00"))),
                "schedules[0].layers[0].restrictions[0].days[1]: must be one of MONDAY..SUNDAY, not 'Caturday'");
        assertRejected(schedule.formatted("UTC", layer.formatted("[u]", 1, "2026-11-02T09:00:00",
                        restricted.formatted("[]", "9:00", "17:00"))),
                "schedules[0].layers[0].restrictions[0].from: must be a local time HH:mm, not '9:00'");
        assertRejected(schedule.formatted("UTC", layer.formatted("[u]", 1, "2026-11-02T09:00:00",
                        restricted.formatted("[]", "12:00", "24:00"))),
                "schedules[0].layers[0].restrictions[0].to: must be a local time HH:mm, not '24:00'");
        assertRejected(schedule.formatted("UTC", layer.formatted("[u]", 1, "2026-11-02T09:00:00",
                        restricted.formatted("[MONDAY]", "09:00", "09:00"))),
                "schedules[0].layers[0].restrictions[0].to: must differ from from '09:00'");
        assertRejected(override.formatted("' '", "'2026-11-22T10:00:00Z'", "'2026-11-22T12:00:00Z'"),
                "schedules[0].overrides[0].userId: must not be blank");
        assertRejected(override.formatted("u", "'2026-11-22T10:00:00Z'", "'2026-11-22T10:00:00Z'"),
                "schedules[0].overrides[0].end: must be after start 2026-11-22T10:00:00Z, not 2026-11-22T10:00:00Z");
    }

    @Test
    void givenRestrictionsPastMidnight_thenTheScheduleIsRead() throws IOException {
        write("s.yaml", """
                schedules:
                  - id: s
                    name: S
                    timeZone: America/Los_Angeles
                    layers:
                      - name: nights
                        participants: [u, v]
                        rotationLength: 2
                        rotationUnit: DAYS
                        start: "2026-11-02T18:00"
                        restrictions:
                          - {days: [monday, FRIDAY], from: "18:00", to: "06:00"}
                          - {from: "12:00", to: "00:00"}
                """);

        ScheduleConfig schedule = (ScheduleConfig) ConfigData.readDirectory(dir, Map.of()).get(0).value();

        assertThat(schedule.getLayers().get(0).getRestrictions()).hasSize(2);
    }

    @Test
    void givenReferencesToUndefinedIds_thenTheDirectoryIsRejectedNamingFileRecordAndField() throws IOException {
        write("people.yaml", """
                users: [{id: alice, name: A}, {id: bob, name: B}]
                teams: [{id: payments, name: P, members: [alice, bob], escalationPolicyId: default}]
                """);
        write("oncall.yaml", """
                schedules:
                  - id: primary
                    name: P
                    timeZone: UTC
                    layers: [{name: l, participants: [alice], start: "2026-11-02T09:00:00"}]
                escalationPolicies:
                  - id: default
                    name: D
                    levels:
                      - {targets: [{type: SCHEDULE, id: primary}, {type: USER, id: bob}], delayMinutes: 5}
                      - {targets: [{type: TEAM, id: payments}], delayMinutes: 10}
                """);
        write("services.yaml", "services: [{id: checkout, name: C, teamId: payments, escalationPolicyId: default}]");
        assertThat(ConfigData.readDirectory(dir, Map.of())).hasSize(6);

        assertUndefined("teams: [{id: t, name: T, members: [alice, zed]}]",
                "teams[0] (id t): members[1]: user 'zed' is not defined");
        assertUndefined("teams: [{id: t, name: T, escalationPolicyId: nope}]",
                "teams[0] (id t): escalationPolicyId: escalation policy 'nope' is not defined");
        assertUndefined("services: [{id: s, name: S, escalationPolicyId: nope}]",
                "services[0] (id s): escalationPolicyId: escalation policy 'nope' is not defined");
        assertUndefined("schedules: [{id: s, name: S, timeZone: UTC,"
                        + " layers: [{name: l, participants: [alice, zed], start: '2026-11-02T09:00'}]}]",
                "schedules[0] (id s): layers[0].participants[1]: user 'zed' is not defined");
        assertUndefined("schedules: [{id: s, name: S, timeZone: UTC, overrides: [{userId: zed, start: 0, end: 1}]}]",
                "schedules[0] (id s): overrides[0].userId: user 'zed' is not defined");
        String policy = "escalationPolicies: [{id: p, name: P, levels: [{targets: [{type: %s, id: %s}], delayMinutes: 5}]}]";
        assertUndefined(policy.formatted("USER", "zed"),
                "escalationPolicies[0] (id p): levels[0].targets[0].id: user 'zed' is not defined");
        assertUndefined(policy.formatted("SCHEDULE", "nope"),
                "escalationPolicies[0] (id p): levels[0].targets[0].id: schedule 'nope' is not defined");
        assertUndefined(policy.formatted("TEAM", "alice"),
                "escalationPolicies[0] (id p): levels[0].targets[0].id: team 'alice' is not defined");
        assertUndefined("integrations: [{id: i, name: I, serviceId: nope, key: k}]",
                "integrations[0] (id i): serviceId: service 'nope' is not defined");
        assertUndefined("integrations: [{id: i, name: I, serviceId: checkout, allowedServices: [checkout, nope], key: k}]",
                "integrations[0] (id i): allowedServices[1]: service 'nope' is not defined");
    }

    @Test
    void givenIntegrationWithoutAllowedServices_thenItMayNameOnlyItsOwn() throws IOException {
        write("i.yaml", """
                services: [{id: a, name: A}, {id: b, name: B}]
                integrations:
                  - {id: own, name: Own, serviceId: a, key: k1}
                  - {id: shared, name: Shared, serviceId: a, allowedServices: [b], key: k2}
                """);

        List<ConfigData.Entry> entries = ConfigData.readDirectory(dir, Map.of());

        assertThat(((IntegrationConfig) value(entries, "own")).getAllowedServices()).isEmpty();
        assertThat(((IntegrationConfig) value(entries, "shared")).getAllowedServices()).containsExactly("b");
    }

    @Test
    void givenNoRecordOfTheReferencedKind_thenReferencesAreNotChecked() throws IOException {
        assertLoads("""
                services: [{id: s, name: S, teamId: elsewhere, escalationPolicyId: elsewhere}]
                teams: [{id: t, name: T, members: [elsewhere], escalationPolicyId: elsewhere}]
                schedules: [{id: s, name: S, timeZone: UTC, overrides: [{userId: elsewhere, start: 0, end: 1}],
                             layers: [{name: l, participants: [elsewhere], start: '2026-11-02T09:00'}]}]
                """, 3);
        assertLoads("""
                escalationPolicies:
                  - id: p
                    name: P
                    levels: [{targets: [{type: USER, id: a}, {type: SCHEDULE, id: b}, {type: TEAM, id: c}], delayMinutes: 5}]
                """, 1);
        assertLoads("routes: [{id: r, escalationPolicyId: elsewhere}]", 1);
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

    @Test
    void givenAnIntegrationWithoutKey_thenTheMessageNamesTheFileOnceAndTheIntegration() throws IOException {
        Path file = write("integrations.yaml", "integrations: [{id: i, name: I, serviceId: s, keyFile: /nonexistent/key}]");

        assertThatThrownBy(() -> ConfigData.readDirectory(dir, Map.of())).isInstanceOf(ConfigDataException.class)
                .hasMessage(file + ": integration i: cannot read keyFile /nonexistent/key");
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

    private void assertLoads(String yaml, int records) throws IOException {
        Path file = write("only.yaml", yaml);
        assertThat(ConfigData.readDirectory(dir, Map.of())).as(yaml).hasSize(records);
        Files.delete(file);
    }

    /** Adds {@code yaml} as a further file of the (otherwise valid) directory and expects it to be rejected. */
    private void assertUndefined(String yaml, String message) throws IOException {
        Path file = write("zz-bad.yaml", yaml);
        assertThatThrownBy(() -> ConfigData.readDirectory(dir, Map.of()))
                .as(yaml)
                .isInstanceOf(ConfigDataException.class)
                .hasMessage(file + ": " + message + " in any file of this directory");
        Files.delete(file);
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static Object value(List<ConfigData.Entry> entries, String id) {
        return entries.stream().filter(entry -> entry.id().equals(id)).findFirst().orElseThrow().value();
    }
}
