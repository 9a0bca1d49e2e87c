package dev.incidentengine.notifier.testnotify;

import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.ChannelType;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.ContactType;
import dev.incidentengine.model.config.NotificationRule;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.notifier.channel.MessageKind;
import dev.incidentengine.notifier.template.Templates;
import dev.incidentengine.notifier.testnotify.TestNotifications.Scope;
import dev.incidentengine.notifier.testnotify.TestNotifications.Target;
import dev.incidentengine.service.api.ApiError;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TestNotificationsTest {

    private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
    private static final TestNotifications MESSAGES = new TestNotifications(Templates.defaults(), "https://incidents.example.com/");
    /** A name and a requester as hostile as config and tokens files allow. */
    private static final UserConfig ALICE = new UserConfig("alice", "<@U123> *Alice* <script>x</script> & [co](http://evil)", "UTC",
            List.of(new ContactMethod(ContactType.EMAIL, "alice@example.com"), new ContactMethod(ContactType.SMS, "+4915100000001"),
                    new ContactMethod(ContactType.VOICE, "+4915100000001"), new ContactMethod(ContactType.SLACK, "U0ALICE001"),
                    new ContactMethod(ContactType.TEAMS, "https://example.webhook.office.com/webhookb2/secret-path"),
                    new ContactMethod(ContactType.WEBHOOK, "https://hooks.example.com/alice?token=secret"),
                    new ContactMethod(ContactType.EMAIL, "alice.private@example.org")),
            List.of(new NotificationRule(ContactType.EMAIL, 0)));
    private static final UserConfig BOB = new UserConfig("bob", "Bob", "UTC", List.of(), List.of());
    private static final List<ChannelConfig> CHANNELS = List.of(
            new ChannelConfig("ops", "Ops room", ChannelType.SLACK_WEBHOOK, "https://hooks.slack.com/services/T0/B0/secret", null,
                    List.of(), List.of(), List.of()),
            new ChannelConfig("pd", "PagerDuty", ChannelType.PAGERDUTY, null, "PD_ROUTING_KEY", List.of(), List.of(), List.of()));

    @Test
    void givenAUser_whenTargeted_thenEveryContactIsATargetOfItsOwn_withAStableKey() {
        List<Target> targets = TestNotifications.targets(new Scope("alice", null, false), List.of(ALICE, BOB), CHANNELS, 100);

        assertThat(targets).extracting(Target::key).containsExactly("user:alice:email:0", "user:alice:sms:1", "user:alice:voice:2",
                "user:alice:slack:3", "user:alice:teams:4", "user:alice:webhook:5", "user:alice:email:6");
        assertThat(TestNotifications.deliveryId("run-00000001", targets.get(0))).isEqualTo("test:run-00000001:user:alice:email:0");
    }

    @Test
    void givenAll_whenTargeted_thenUsersContactsThenChannels_andTheLimitHolds() {
        List<Target> all = TestNotifications.targets(new Scope(null, null, true), List.of(BOB, ALICE), CHANNELS, 100);

        assertThat(all).extracting(Target::key).endsWith("channel:ops", "channel:pd").hasSize(9);
        assertThat(all.get(7).channel()).isEqualTo("slack-webhook");
        assertThatThrownBy(() -> TestNotifications.targets(new Scope(null, null, true), List.of(ALICE), CHANNELS, 8))
                .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.status()).isEqualTo(422))
                .hasMessageContaining("9 contacts and channels to test, more than the 8");
    }

    @Test
    void givenUnknownOrEmptyTargets_whenTargeted_thenTheFieldIsNamed() {
        assertThatThrownBy(() -> TestNotifications.targets(new Scope("zed", null, false), List.of(ALICE), CHANNELS, 100))
                .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.status()).isEqualTo(404)).hasMessage("user: no user zed is configured");
        assertThatThrownBy(() -> TestNotifications.targets(new Scope(null, "nope", false), List.of(ALICE), CHANNELS, 100))
                .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.field()).isEqualTo("channel"));
        assertThatThrownBy(() -> TestNotifications.targets(new Scope("bob", null, false), List.of(BOB), CHANNELS, 100))
                .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.status()).isEqualTo(422)).hasMessageContaining("no contacts");
        assertThatThrownBy(() -> TestNotifications.targets(new Scope(null, null, true), List.of(BOB), List.of(), 100))
                .isInstanceOfSatisfying(ApiError.class, error -> assertThat(error.status()).isEqualTo(422));
    }

    @Test
    void givenEveryChannel_whenRendered_thenItIsAClearTestAboutNoIncident_withValuesEscapedForEachMarkup() {
        List<Target> targets = TestNotifications.targets(new Scope(null, null, true), List.of(ALICE), CHANNELS, 100);
        String hostile = "<!channel> @here <b>eve</b>";
        for (Target target : targets) {
            NotificationRequest request = MESSAGES.request("run-00000001", target, hostile, NOW);
            String where = target.key();

            assertThat(request.getKind()).isEqualTo(MessageKind.TEST.id());
            assertThat(request.getIncidentId()).isEqualTo("test:run-00000001");
            assertThat(request.getDeliveryId()).isEqualTo("test:run-00000001:" + target.key());
            assertThat(request.getTitle()).as(where).isEqualTo("Test notification from the incident engine at incidents.example.com — no action needed");
            assertThat(request.getText()).as(where).doesNotContain("{{");
            switch (target.channel()) {
                case "email" -> {
                    assertThat(request.getText()).contains("Nothing is wrong", "run-00000001", "<!channel> @here <b>eve</b>");
                    assertThat(request.getHtml()).startsWith("<!DOCTYPE html>").contains("Test notification", "run-00000001",
                            "&lt;script&gt;", "&lt;b&gt;eve&lt;/b&gt;").doesNotContain("<script>", "<b>eve");
                }
                case "slack-webhook", "slack" -> assertThat(request.getText()).contains("&lt;!channel&gt;",
                        target.kind().equals("user") ? "&lt;@U123&gt;" : "Ops room").doesNotContain("<!channel>", "<@U123>", " @here");
                case "teams" -> assertThat(request.getText()).doesNotContain("[co](http://evil)", "<script>");
                case "sms" -> assertThat(request.getText()).doesNotContain("\n").contains("run-00000001", "Nothing is wrong");
                case "voice" -> assertThat(request.getText()).contains("test call", "no action is needed").doesNotContain("http");
                default -> assertThat(request.getHtml()).isNull();
            }
            assertThat(request.getStatus()).as(where).isEqualTo(target.channel().equals("pagerduty") ? "RESOLVED" : "TEST");
            assertThat(request.getAddress()).isEqualTo(target.address());
        }
        assertThat(MESSAGES.request("run-00000001", targets.get(8), "carol", NOW).getSecret()).isEqualTo("PD_ROUTING_KEY");
    }

    @Test
    void givenAddresses_whenMasked_thenEnoughToRecogniseAndNotToReuse() {
        List<Target> targets = TestNotifications.targets(new Scope(null, null, true), List.of(ALICE), CHANNELS, 100);

        assertThat(IntStream.range(0, targets.size()).mapToObj(i -> TestNotifications.masked(targets.get(i))).toList()).containsExactly(
                "a…@example.com", "+49…0001", "+49…0001", "U0ALICE001", "https://example.webhook.office.com/…",
                "https://hooks.example.com/…", "a…@example.org", "https://hooks.slack.com/…", null);
    }
}
