package dev.incidentengine.notifier.channel;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.incidentengine.slack.SlackServer;

import static dev.incidentengine.notifier.channel.ChannelFixtures.SECRETS;
import static dev.incidentengine.notifier.channel.ChannelFixtures.SECRET_VALUES;
import static dev.incidentengine.notifier.channel.ChannelFixtures.TIMEOUT;
import static dev.incidentengine.notifier.channel.ChannelFixtures.delivery;
import static dev.incidentengine.notifier.channel.ChannelFixtures.message;
import static org.assertj.core.api.Assertions.assertThat;

/** The bot channel against the Slack-shaped server the local engine runs: a page to a member id, a card updated in place. */
class SlackChannelContractTest {

    private final List<Duration> waits = new ArrayList<>();
    private SlackServer slack;
    private SlackChannel channel;

    @BeforeEach
    void start() throws Exception {
        slack = SlackServer.start("127.0.0.1", 0, SECRET_VALUES.get("slack-bot-token"));
        channel = new SlackChannel(delivery(waits), SECRETS, TIMEOUT, URI.create(slack.apiUrl()), "slack-bot-token");
    }

    @AfterEach
    void stop() {
        slack.close();
    }

    @Test
    void aPageToAMemberIdIsADirectMessage() throws Exception {
        Result result = channel.send(message(MessageKind.PAGE, "TRIGGERED", "U0CAROL001", null, null));

        assertThat(result.delivered()).as(result.error()).isTrue();
        assertThat(result.providerMessageId()).startsWith("D");
        assertThat(slack.channel("U0CAROL001").messages()).singleElement()
                .satisfies(message -> assertThat(message.text()).isEqualTo("Checkout latency above SLO"));
    }

    @Test
    void aChannelsCardIsUpdatedInPlace_andPostedAnewWhenItWasDeleted() throws Exception {
        String room = slack.channelOf(SlackServer.BOT_USER, "incidents").id();
        String first = channel.send(message(MessageKind.OPENED, "TRIGGERED", room, null, null)).providerMessageId();

        Result updated = channel.send(message(MessageKind.RESOLVED, "RESOLVED", room, null, first));

        assertThat(updated.providerMessageId()).isEqualTo(first);
        assertThat(slack.channel("incidents").messages()).singleElement()
                .satisfies(message -> assertThat(message.blocks().toString()).contains("RESOLVED"));
        Result again = channel.send(message(MessageKind.CLOSED, "CLOSED", room, null, room + "/1.000001"));
        assertThat(again.delivered()).isTrue();
        assertThat(slack.channel("incidents").messages()).hasSize(2);
    }

    @Test
    void aBadTokenIsInvalidAuth() throws Exception {
        Result result = channel.send(message("U0CAROL001", "slack-other-token"));

        assertThat(result.error()).contains("invalid_auth");
    }
}
