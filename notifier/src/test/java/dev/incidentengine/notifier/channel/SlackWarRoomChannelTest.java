package dev.incidentengine.notifier.channel;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.incidentengine.notifier.delivery.HttpDelivery;
import dev.incidentengine.notifier.delivery.RetryPolicy;
import dev.incidentengine.slack.SlackServer;

import static dev.incidentengine.notifier.channel.ChannelFixtures.SECRETS;
import static dev.incidentengine.notifier.channel.ChannelFixtures.SECRET_VALUES;
import static dev.incidentengine.notifier.channel.ChannelFixtures.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

/** The war room's Slack calls against the Slack-shaped {@link SlackServer}: its documented answers and errors. */
class SlackWarRoomChannelTest {

    private static final String NAME = "incident-inc-20261205-1-0001";

    private final List<Duration> waits = new ArrayList<>();
    private SlackServer slack;
    private SlackWarRoomChannel channel;

    @BeforeEach
    void start() throws Exception {
        slack = SlackServer.start("127.0.0.1", 0, SECRET_VALUES.get("slack-bot-token"));
        // Retry-After is honoured up to the cap: 30 s here, and the waits are recorded, not slept.
        HttpDelivery delivery = new HttpDelivery(HttpClient.newHttpClient(), new RetryPolicy(3, Duration.ofMillis(5), Duration.ofSeconds(30),
                () -> 1.0), waits::add);
        channel = new SlackWarRoomChannel(delivery, SECRETS, TIMEOUT, URI.create(slack.apiUrl()), "slack-bot-token");
    }

    @AfterEach
    void stop() {
        slack.close();
    }

    @Test
    void givenNoChannel_whenOpening_thenItIsCreatedWithTheSummaryPinned() throws Exception {
        Result result = channel.send(open(NAME));

        assertThat(result.delivered()).as(result.error()).isTrue();
        SlackServer.View room = slack.channel(NAME);
        assertThat(result.providerMessageId()).isEqualTo(room.id() + "/" + NAME);
        assertThat(room.creator()).isEqualTo(SlackServer.BOT_USER);
        assertThat(room.pinned()).singleElement().satisfies(summary -> {
            assertThat(summary.text()).isEqualTo("[SEV1] Checkout &lt;down&gt;");
            assertThat(summary.blocks().toString()).contains("War room of incident", "https://console.example/incidents/INC-1");
        });
        assertThat(slack.calls("conversations.create").get(0).args()).containsEntry("name", NAME);
        assertThat(channel.problem()).isEmpty();
    }

    @Test
    void givenOurChannelFromBeforeARestart_whenOpeningAgain_thenNameTakenReusesIt() throws Exception {
        String first = channel.send(open(NAME)).providerMessageId();

        Result again = channel.send(open(NAME));

        assertThat(again.delivered()).as(again.error()).isTrue();
        assertThat(again.providerMessageId()).isEqualTo(first);
        assertThat(slack.channels()).hasSize(1);
        assertThat(slack.calls("auth.test")).hasSize(1);
    }

    @Test
    void givenAPersonsChannelOfThatName_whenOpening_thenTheNextNameIsUsed() throws Exception {
        slack.channelOf("U0HUMAN", NAME);

        Result result = channel.send(open(NAME));

        assertThat(result.delivered()).as(result.error()).isTrue();
        assertThat(result.providerMessageId()).endsWith("/" + NAME + "-2");
        assertThat(slack.channel(NAME).messages()).isEmpty();
        assertThat(slack.channel(NAME + "-2").pinned()).hasSize(1);
    }

    @Test
    void givenRateLimited_whenOpening_thenItWaitsRetryAfterAndSucceeds() throws Exception {
        slack.rateLimitNext("conversations.create", 1, 7);

        Result result = channel.send(open(NAME));

        assertThat(result.delivered()).as(result.error()).isTrue();
        assertThat(waits).containsExactly(Duration.ofSeconds(7));
        assertThat(result.attempts()).isEqualTo(4); // create twice, post, pin
        assertThat(slack.channels()).hasSize(1);
    }

    @Test
    void givenTheBotWasRemoved_whenInviting_thenNotInChannelJoinsAndInvites() throws Exception {
        String id = channel.send(open(NAME)).providerMessageId().split("/")[0];
        slack.removeBot(id);

        Result result = channel.send(step(MessageKind.WAR_ROOM_INVITE, id, "U0ALICE,U0BOB"));

        assertThat(result.delivered()).as(result.error()).isTrue();
        assertThat(slack.channel(NAME).members()).contains(SlackServer.BOT_USER, "U0ALICE", "U0BOB");
        assertThat(slack.calls("conversations.join")).hasSize(1);
    }

    @Test
    void givenSomeoneAlreadyIn_whenInvitingThem_thenThatIsSuccess() throws Exception {
        String id = channel.send(open(NAME)).providerMessageId().split("/")[0];
        channel.send(step(MessageKind.WAR_ROOM_INVITE, id, "U0ALICE"));

        assertThat(channel.send(step(MessageKind.WAR_ROOM_INVITE, id, "U0ALICE")).delivered()).isTrue();
        assertThat(channel.send(step(MessageKind.WAR_ROOM_INVITE, id, "U0ALICE,U0CAROL")).delivered()).isTrue();
        assertThat(slack.channel(NAME).members()).containsExactly(SlackServer.BOT_USER, "U0ALICE", "U0CAROL");
    }

    @Test
    void whenPinningALink_thenItIsPostedAndPinned() throws Exception {
        String id = channel.send(open(NAME)).providerMessageId().split("/")[0];

        Result result = channel.send(step(MessageKind.WAR_ROOM_PIN, id, "<https://runbooks.example/db|Runbook: Database issues>"));

        assertThat(result.delivered()).as(result.error()).isTrue();
        assertThat(slack.channel(NAME).pinned()).hasSize(2);
    }

    @Test
    void whenArchivingTwice_thenAlreadyArchivedIsSuccess() throws Exception {
        String id = channel.send(open(NAME)).providerMessageId().split("/")[0];

        assertThat(channel.send(step(MessageKind.WAR_ROOM_ARCHIVE, id, "archive")).delivered()).isTrue();
        assertThat(channel.send(step(MessageKind.WAR_ROOM_ARCHIVE, id, "archive")).delivered()).isTrue();
        assertThat(slack.channel(NAME).archived()).isTrue();
    }

    @Test
    void givenABadToken_whenOpening_thenInvalidAuthFailsAtOnceAndReadinessShowsIt() throws Exception {
        SlackWarRoomChannel wrongToken = new SlackWarRoomChannel(new HttpDelivery(HttpClient.newHttpClient(), ChannelFixtures.FAST, waits::add),
                SECRETS, TIMEOUT, URI.create(slack.apiUrl()), "slack-other-token");

        Result result = wrongToken.send(open(NAME));

        assertThat(result.delivered()).isFalse();
        assertThat(result.error()).contains("invalid_auth", "not retried").doesNotContain(SECRET_VALUES.get("slack-other-token"));
        assertThat(wrongToken.problem()).hasValueSatisfying(problem -> assertThat(problem).contains("invalid_auth"));
        assertThat(slack.channels()).isEmpty();
    }

    @Test
    void givenSlackDown_whenOpening_thenItFailsAfterTheRetriesUntilSlackAnswersAgain() throws Exception {
        slack.down(true);

        assertThat(channel.send(open(NAME)).error()).contains("HTTP 503", "gave up");
        assertThat(channel.problem()).isPresent();

        slack.down(false);
        assertThat(channel.send(open(NAME)).delivered()).isTrue();
        assertThat(channel.problem()).isEmpty();
    }

    @Test
    void givenOneBadUser_whenInviting_thenItFailsWithoutMarkingSlackUnready() throws Exception {
        String id = channel.send(open(NAME)).providerMessageId().split("/")[0];

        Result result = channel.send(step(MessageKind.WAR_ROOM_INVITE, id, "not-a-user"));

        assertThat(result.error()).contains("user_not_found");
        assertThat(channel.problem()).isEmpty();
    }

    private static Message open(String name) {
        return new Message("warroom|INC-1|war-room-open|1", "INC-1", MessageKind.WAR_ROOM_OPEN, name, null, "[SEV1] Checkout &lt;down&gt;",
                "War room of incident INC-1", null, "https://console.example/incidents/INC-1", "SEV1", "OPEN", "checkout", null, null);
    }

    private static Message step(MessageKind kind, String channelId, String text) {
        return new Message("warroom|INC-1|" + kind.id() + "|x", "INC-1", kind, channelId, null, kind.id(), text, null, null, "SEV1", "OPEN",
                "checkout", null, null);
    }
}
