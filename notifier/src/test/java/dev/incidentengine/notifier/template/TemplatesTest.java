package dev.incidentengine.notifier.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.incidentengine.notifier.channel.MessageKind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TemplatesTest {

    private static final Templates TEMPLATES = Templates.defaults();

    static Map<String, Object> context(String incidentId, String title) {
        Map<String, Object> incident = Map.of("id", incidentId, "title", title, "severity", "SEV1", "status", "TRIGGERED",
                "service", "checkout", "url", "https://incidents.example.com/i/" + incidentId, "openedAt", "2026-05-01T10:15:00Z",
                "alerts", 3);
        Map<String, Object> event = Map.of("kind", "page", "actor", "Bob Builder", "at", "2026-05-01T10:20:00Z",
                "message", "Rolled back release 42; error rate falling", "fromSeverity", "SEV2", "toSeverity", "SEV1",
                "reason", "Customer impact confirmed");
        Map<String, Object> page = Map.of("userId", "u-alice", "userName", "Alice Ops", "level", 2, "contactType", "email");
        Map<String, Object> ack = Map.of("url", "https://incidents.example.com/ack/tok123", "command", "reply ACK 4821");
        Map<String, Object> summary = Map.of("timeToAcknowledge", "4m 12s", "timeToResolve", "1h 3m", "duration", "1h 20m");
        Map<String, Object> role = Map.of("id", "commander", "name", "Incident Commander", "command",
                "incidentctl role " + incidentId + " commander u-alice");
        return Map.of("incident", incident, "event", event, "page", page, "ack", ack, "summary", summary, "role", role);
    }

    /** The kinds rendered from templates about an incident (a test message is about none: TestNotificationsTest renders it). */
    private static final List<MessageKind> TEMPLATED = Arrays.stream(MessageKind.values())
            .filter(kind -> kind.templated() && kind != MessageKind.TEST).toList();

    private static final Map<String, Object> FULL = context("INC-20260501-3-0042", "Checkout error rate above 5%");

    @Test
    void givenAFullContext_whenRenderingEveryKindOnEveryChannel_thenTheFactsAreThere() {
        for (String channel : Templates.CHANNELS) {
            for (MessageKind kind : TEMPLATED) {
                Templates.Rendered rendered = TEMPLATES.render(channel, kind, FULL, Map.of());
                String where = channel + "/" + kind.id();

                assertThat(rendered.title()).as(where).isNotBlank().doesNotContain("\n").contains("Checkout error rate above 5%");
                assertThat(rendered.text()).as(where).isNotBlank().doesNotContain("{{");
                String all = rendered.title() + "\n" + rendered.text();
                if (channel.equals("voice")) {
                    assertThat(rendered.text()).as(where).contains("Checkout error rate above 5%", "checkout")
                            .doesNotContain("http", "SEV1", "TRIGGERED");
                    assertThat(rendered.text()).as(where).containsAnyOf("severity 1", "to severity 1");
                } else {
                    // An SMS page links to the acknowledgement page only: two links would not fit.
                    String link = channel.equals("sms") && kind == MessageKind.PAGE ? "https://incidents.example.com/ack/tok123"
                            : "https://incidents.example.com/i/INC-20260501-3-0042";
                    assertThat(all).as(where).contains("INC-20260501-3-0042", "SEV1", "TRIGGERED", "checkout", link);
                }
                if (channel.equals("email")) {
                    assertThat(rendered.html()).as(where).startsWith("<!DOCTYPE html>").contains("INC-20260501-3-0042", "SEV1", "TRIGGERED",
                            "checkout", "Checkout error rate above 5%", "href=\"https://incidents.example.com/i/INC-20260501-3-0042\"")
                            .doesNotContain("{{");
                } else {
                    assertThat(rendered.html()).as(where).isNull();
                }
                if (channel.equals("sms")) {
                    assertThat(rendered.text()).as(where).doesNotContain("\n");
                    assertThat(all.length()).as(where).isLessThanOrEqualTo(300);
                }
            }
        }
    }

    @Test
    void aDrillSaysSoFirst_onEveryChannel_inEveryKind_whateverTheServicesTemplates() {
        Map<String, Object> drill = new HashMap<>(FULL);
        Map<String, Object> incident = new HashMap<>(castMap((Map<?, ?>) FULL.get("incident")));
        incident.put("drill", "database-failover");
        drill.put("incident", incident);
        Map<String, String> terse = Map.of("page.title", "{{incident.id}}", "page.text", "ack", "email/page.html", "<p>ack</p>");
        for (String channel : Templates.CHANNELS) {
            for (MessageKind kind : TEMPLATED) {
                for (Map<String, String> overrides : List.of(Map.<String, String>of(), terse)) {
                    Templates.Rendered rendered = TEMPLATES.render(channel, kind, drill, overrides);
                    Templates.Rendered real = TEMPLATES.render(channel, kind, FULL, overrides);
                    String where = channel + "/" + kind.id() + (overrides.isEmpty() ? "" : " (service's templates)");

                    assertThat(rendered.title()).as(where).isEqualTo("[DRILL] " + real.title());
                    assertThat(rendered.text()).as(where).isEqualTo((channel.equals("voice") ? "This is a drill. " : "[DRILL] ") + real.text());
                    assertThat(real.title() + real.text()).as(where).doesNotContain("DRILL", "drill");
                    if (channel.equals("email")) {
                        assertThat(rendered.html()).as(where).contains("<strong>[DRILL]</strong> This is a drill")
                                .startsWith(real.html().startsWith("<!DOCTYPE") ? "<!DOCTYPE" : "<p><strong>[DRILL]");
                        assertThat(rendered.html().indexOf("[DRILL]")).as(where).isGreaterThan(rendered.html().indexOf("<body"));
                    } else {
                        assertThat(rendered.html()).as(where).isNull();
                    }
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    @Test
    void givenAPage_whenRendered_thenItSaysWhoIsPagedAtWhichLevelAndHowToAcknowledge() {
        for (String channel : List.of("slack", "teams", "email", "webhook", "pagerduty")) {
            Templates.Rendered page = TEMPLATES.render(channel, MessageKind.PAGE, FULL, Map.of());
            assertThat(page.text()).as(channel).contains("Alice Ops", "level 2", "reply ACK 4821", "https://incidents.example.com/ack/tok123");
        }
        assertThat(TEMPLATES.render("email", MessageKind.PAGE, FULL, Map.of()).html())
                .contains("Alice Ops", "level 2", "reply ACK 4821", "href=\"https://incidents.example.com/ack/tok123\"", "Acknowledge</a>");
        assertThat(TEMPLATES.render("sms", MessageKind.PAGE, FULL, Map.of()).text()).contains("level 2", "reply ACK 4821");
        assertThat(TEMPLATES.render("voice", MessageKind.PAGE, FULL, Map.of()).text())
                .contains("Alice Ops", "escalation level 2", "severity 1 incident", "To acknowledge, reply ACK 4821.");
    }

    @Test
    void givenEventsWithNews_whenRendered_thenTheMessageAndSummaryAreShown() {
        assertThat(TEMPLATES.render("slack", MessageKind.STATUS_UPDATE, FULL, Map.of()).text())
                .contains("Rolled back release 42; error rate falling", "Bob Builder");
        assertThat(TEMPLATES.render("email", MessageKind.RESOLVED, FULL, Map.of()).text())
                .contains("Resolution: Rolled back release 42", "Time to acknowledge: 4m 12s", "1h 3m");
        assertThat(TEMPLATES.render("email", MessageKind.CLOSED, FULL, Map.of()).text())
                .contains("Post-incident summary", "4m 12s", "1h 3m", "1h 20m", "post-incident review");
        assertThat(TEMPLATES.render("email", MessageKind.CLOSED, FULL, Map.of()).html())
                .contains("Time to acknowledge", "4m 12s", "1h 20m", "post-incident review");
        assertThat(TEMPLATES.render("voice", MessageKind.CLOSED, FULL, Map.of()).text())
                .contains("It lasted 1 hour 20 minutes.", "post-incident review");
        assertThat(TEMPLATES.render("teams", MessageKind.SEVERITY_CHANGED, FULL, Map.of()).title()).contains("SEV2 to SEV1");
        Map<String, Object> review = new HashMap<>(FULL);
        review.put("event", Map.of("kind", "review-required", "required", true, "dueAt", "2026-05-03T11:23:00Z",
                "reason", "SEV1 incidents are reviewed"));
        assertThat(TEMPLATES.render("slack", MessageKind.REVIEW_REQUIRED, review, Map.of())).satisfies(rendered -> {
            assertThat(rendered.title()).contains("Review required by 2026-05-03T11:23:00Z");
            assertThat(rendered.text()).contains("due 2026-05-03T11:23:00Z", "Why: SEV1 incidents are reviewed",
                    "incidentctl postmortem INC-20260501-3-0042", "incidentctl review publish INC-20260501-3-0042");
        });
        review.put("event", Map.of("kind", "review-required", "required", false, "dueAt", "2026-05-03T11:23:00Z"));
        assertThat(TEMPLATES.render("email", MessageKind.REVIEW_REQUIRED, review, Map.of()).html())
                .contains("Post-incident review recommended", "<strong>2026-05-03T11:23:00Z</strong>");
    }

    @Test
    void everyOverrideKeyConfigAccepts_isRenderedByTheNotifier() {
        for (String kind : TemplateKeys.KINDS) {
            for (String channel : TemplateKeys.CHANNELS) {
                Map<String, String> overrides = Map.of(channel + "/" + kind + ".title", "override {{incident.id}}");
                TemplateKeys.check(overrides, "notificationTemplates");

                assertThat(TEMPLATES.render(channel, MessageKind.ofId(kind), FULL, overrides).title()).as(channel + "/" + kind)
                        .isEqualTo("override INC-20260501-3-0042");
            }
        }
    }

    @Test
    void givenOverrides_whenRendering_thenChannelOverrideThenKindOverrideThenChannelDefaultThenCommonDefault() {
        Map<String, String> both = Map.of("email/page.title", "email {{incident.id}}", "page.title", "any {{incident.id}}");

        assertThat(TEMPLATES.render("email", MessageKind.PAGE, FULL, both).title()).isEqualTo("email INC-20260501-3-0042");
        assertThat(TEMPLATES.render("slack", MessageKind.PAGE, FULL, both).title()).isEqualTo("any INC-20260501-3-0042");
        assertThat(TEMPLATES.render("slack", MessageKind.OPENED, FULL, both).title()).startsWith("[SEV1] Opened:");
        // A kind override beats even a channel's own default.
        assertThat(TEMPLATES.render("sms", MessageKind.PAGE, FULL, Map.of("page.text", "custom")).text()).isEqualTo("custom");
        assertThat(TEMPLATES.render("sms", MessageKind.PAGE, FULL, Map.of()).text())
                .isNotEqualTo(TEMPLATES.render("slack", MessageKind.PAGE, FULL, Map.of()).text());
        assertThat(TEMPLATES.render("email", MessageKind.PAGE, FULL, Map.of("page.html", "<b>{{incident.title}}</b>")).html())
                .isEqualTo("<b>Checkout error rate above 5%</b>");
    }

    @Test
    void givenMissingVariables_whenRendering_thenTheyAreEmpty() {
        for (String channel : Templates.CHANNELS) {
            for (MessageKind kind : TEMPLATED) {
                Templates.Rendered rendered = TEMPLATES.render(channel, kind, Map.of(), Map.of());
                assertThat(rendered.text()).as(channel + "/" + kind.id()).doesNotContain("{{", "null");
            }
        }
        Map<String, String> custom = Map.of("page.text", "a{{nope}}b{{incident.nope.deeper}}c{{#nope}}d{{/nope}}e{{summary.duration}}");
        assertThat(TEMPLATES.render("slack", MessageKind.PAGE, Map.of("incident", Map.of()), custom).text()).isEqualTo("abce");
    }

    @Test
    void givenMarkupInValues_whenRendering_thenOnlyHtmlIsEscaped() {
        Map<String, Object> context = context("INC-1", "<script>alert('x')</script> & co");

        Templates.Rendered rendered = TEMPLATES.render("email", MessageKind.OPENED, context, Map.of());

        assertThat(rendered.title()).contains("<script>alert('x')</script> & co");
        assertThat(rendered.text()).contains("<script>alert('x')</script> & co");
        assertThat(rendered.html()).doesNotContain("<script>").contains("&lt;script&gt;", "&amp; co");
    }

    @Test
    void givenATitleOverMoreLines_whenRendered_thenItIsOneTrimmedLine() {
        Map<String, String> custom = Map.of("page.title", "\n  {{incident.id}}\n\n  {{incident.service}}  \n");

        assertThat(TEMPLATES.render("slack", MessageKind.PAGE, FULL, custom).title()).isEqualTo("INC-20260501-3-0042 checkout");
    }

    @Test
    void givenAnOverrideThatDoesNotCompile_whenRendering_thenTheDefaultIsUsed() {
        Templates.Rendered rendered = TEMPLATES.render("slack", MessageKind.PAGE, FULL, Map.of("page.title", "{{#open}}"));

        assertThat(rendered.title()).startsWith("[SEV1] Page:");
    }

    @Test
    void givenGoodOverrides_whenChecked_thenAccepted() {
        Templates.check("page.title", "{{incident.id}}");
        Templates.check("email/page.html", "{{<email/_layout.html}}{{$intro}}<p>{{event.message}}</p>{{/intro}}{{/email/_layout.html}}");
        Templates.check("page.html", "<p>{{incident.title}}</p>");
        Templates.check("slack-webhook/severity-changed.text", "{{> _facts.text}}");
        Templates.check("voice/status-update.text", "{{#spoken}}{{incident.severity}}{{/spoken}}");
    }

    @Test
    void givenBadKeys_whenChecked_thenTheMessageSaysWhy() {
        assertThatThrownBy(() -> Templates.check("page", "x")).hasMessageContaining("page").hasMessageContaining("[<channel>/]<kind>.<part>");
        assertThatThrownBy(() -> Templates.check("slak/page.title", "x")).hasMessageContaining("unknown channel slak");
        assertThatThrownBy(() -> Templates.check("paged.title", "x")).hasMessageContaining("unknown kind paged");
        assertThatThrownBy(() -> Templates.check("page.body", "x")).hasMessageContaining("unknown part body");
        assertThatThrownBy(() -> Templates.check("slack/page.html", "x")).hasMessageContaining("only e-mail has an html part");
        assertThatThrownBy(() -> Templates.check(null, "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenBadTemplates_whenChecked_thenTheMessageNamesTheKeyAndLine() {
        assertThatThrownBy(() -> Templates.check("email/page.text", "Hello\n{{#incident}}\n{{/event}}\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("email/page.text").hasMessageContaining("line 3");
        assertThatThrownBy(() -> Templates.check("page.text", "Hello\n{{#incident}}\n"))
                .hasMessageContaining("page.text").hasMessageContaining("missing close tag").hasMessageContaining("line 2");
        assertThatThrownBy(() -> Templates.check("page.text", "{{> _nope.text}}")).hasMessageContaining("_nope.text");
        assertThatThrownBy(() -> Templates.check("page.text", "{{> ../../etc/passwd}}")).hasMessageContaining("page.text");
    }

    @Test
    void givenSpeech_thenLinksGoAndCodesAreSpelled() {
        assertThat(Templates.spoken("A SEV1 incident, see https://x.example/i/1 . It took 1m 5s and is TRIGGERED."))
                .isEqualTo("A severity 1 incident, see. It took 1 minute 5 seconds and is triggered.");
        assertThat(Templates.spoken("It reads: all good.. Done.")).isEqualTo("It reads: all good. Done.");
    }

    @Test
    void givenManyThreads_whenRenderingTogether_thenEachGetsItsOwnResult() throws Exception {
        List<Map<String, Object>> contexts = new ArrayList<>();
        Map<String, String> custom = new HashMap<>();
        custom.put("slack/opened.text", "custom {{incident.id}} {{incident.title}}");
        for (int i = 0; i < 40; i++) {
            contexts.add(context("INC-" + i, "Title " + i));
        }
        // Messages about an incident (a test's names none).
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < contexts.size(); i++) {
                    int n = i;
                    results.add(pool.submit(() -> {
                        MessageKind kind = TEMPLATED.get(n % TEMPLATED.size());
                        String channel = Templates.CHANNELS.get(n % Templates.CHANNELS.size());
                        Templates.Rendered rendered = TEMPLATES.render(channel, kind, contexts.get(n), custom);
                        boolean html = !channel.equals("email") || rendered.html().contains("INC-" + n + "<");
                        return rendered.title().contains("Title " + n) && html
                                && TEMPLATES.render("slack", MessageKind.OPENED, contexts.get(n), custom).text().equals("custom INC-" + n + " Title " + n);
                    }));
                }
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
