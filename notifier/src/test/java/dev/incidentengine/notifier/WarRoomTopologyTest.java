package dev.incidentengine.notifier;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentCommand;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.LinkWarRoom;
import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.RecordWarRoomArchived;
import dev.incidentengine.model.RoleAssigned;
import dev.incidentengine.model.RunbookAttached;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.TicketLinked;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.ContactType;
import dev.incidentengine.model.config.NotificationRule;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TeamConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.notifier.channel.Message;
import dev.incidentengine.notifier.channel.MessageKind;
import dev.incidentengine.notifier.channel.Result;
import dev.incidentengine.notifier.channel.Secrets;
import dev.incidentengine.notifier.channel.SlackWarRoomChannel;
import dev.incidentengine.notifier.delivery.HttpDelivery;
import dev.incidentengine.notifier.delivery.RetryPolicy;
import dev.incidentengine.notifier.plan.Composer;
import dev.incidentengine.notifier.plan.Planner;
import dev.incidentengine.notifier.plan.WarRooms;
import dev.incidentengine.notifier.template.Templates;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.CommitPacing;
import dev.incidentengine.service.KafkaClients;
import dev.incidentengine.slack.SlackServer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.testkit.Samples.escalated;
import static dev.incidentengine.testkit.Samples.event;
import static dev.incidentengine.testkit.Samples.opened;
import static dev.incidentengine.testkit.Samples.plan;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * War rooms through the planner's topology, its requests delivered by {@link SlackWarRoomChannel} to the Slack-shaped
 * {@link SlackServer} and their results fed back, as the sender does.
 */
class WarRoomTopologyTest {

    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final String ID = "INC-20261122-0-0001";
    private static final String CHANNEL = "incident-inc-20261122-0-0001";
    private static final String TOKEN = "xoxb-war-room";

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final NotifierTopics topics = NotifierTopics.DEFAULT;
    private final List<Duration> waits = new ArrayList<>();
    private SlackServer slack;
    private SlackWarRoomChannel channel;
    private TopologyTestDriver driver;
    private TestInputTopic<String, IncidentEvent> events;
    private TestInputTopic<String, NotificationResult> resultsIn;
    private TestOutputTopic<String, NotificationRequest> requests;
    private TestOutputTopic<String, IncidentCommand> commands;

    @BeforeEach
    void setUp() throws Exception {
        slack = SlackServer.start("127.0.0.1", 0, TOKEN);
        channel = new SlackWarRoomChannel(new HttpDelivery(HttpClient.newHttpClient(), new RetryPolicy(3, Duration.ofMillis(5),
                Duration.ofSeconds(30), () -> 1.0), waits::add), new Secrets(Map.of(Secrets.variable("slack-warroom"), TOKEN), null),
                Duration.ofSeconds(5), URI.create(slack.apiUrl()), "slack-warroom");
        Properties props = KafkaClients.streams(new NotifierConfig(Map.of()), NotifierTopology.APPLICATION_ID, topics.deadLetters());
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/warroom-topology-test-" + System.nanoTime());
        WarRooms warRooms = new WarRooms(new WarRooms.Settings(Set.of("SEV0", "SEV1"), true, Duration.ofHours(24),
                "https://acme.slack.com/archives/", "https://incidents.example.com"));
        driver = new TopologyTestDriver(NotifierTopology.build(topics, serdes, new Planner(Duration.ofHours(1)),
                new Composer(Templates.defaults(), "https://incidents.example.com"), Duration.ofSeconds(1), null, Duration.ofHours(1), warRooms, CommitPacing.fixed()),
                props, T0);
        events = input(topics.events());
        resultsIn = input(topics.results());
        requests = output(topics.requests());
        commands = output(topics.commands());
        input(topics.users()).pipeInput("alice", user("alice", "U0ALICE"));
        input(topics.users()).pipeInput("bob", user("bob", "U0BOB"));
        input(topics.users()).pipeInput("carol", new UserConfig("carol", "Carol", "UTC", List.of(new ContactMethod(ContactType.EMAIL,
                "carol@example.com")), List.of(new NotificationRule(ContactType.EMAIL, 0))));
        input(topics.services()).pipeInput("checkout", new ServiceConfig("checkout", "Checkout", null, "payments", null, Map.of(), null,
                Map.of()));
        input(topics.services()).pipeInput("search", new ServiceConfig("search", "Search", null, "search-team", null, Map.of(), null, Map.of()));
        input(topics.teams()).pipeInput("search-team", new TeamConfig("search-team", "Search", List.of(), null, Map.of(),
                "https://teams.microsoft.com/l/meetup-join/search-bridge"));
    }

    @AfterEach
    void tearDown() {
        driver.close();
        slack.close();
    }

    @Test
    void aSev1GetsAChannel_itsRespondersInvited_linksPinned_andItIsArchivedADayAfterClose() {
        events.pipeInput(ID, opened(ID, "e1").setTimestamp(T0).setPayload(sev1("Checkout <!channel> down")).build());
        // Paged before Slack answered: invited once the channel exists.
        events.pipeInput(ID, escalated(ID, "e2", T0.plusSeconds(1), 0, plan("alice", "EMAIL", 0), plan("carol", "EMAIL", 0)));
        deliver();

        SlackServer.View room = slack.channel(CHANNEL);
        String id = room.id();
        assertThat(room.members()).containsExactly(SlackServer.BOT_USER, "U0ALICE");
        assertThat(room.pinned()).singleElement().satisfies(summary -> assertThat(summary.blocks().get(1).path("text").path("text").asText())
                .contains("*Checkout &lt;!channel&gt; down*", "<https://incidents.example.com/incidents/" + ID + "|")
                .doesNotContain("<!channel>"));
        assertThat(commands.readRecordsToList()).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo(ID);
            assertThat(record.value().getCommandId()).isEqualTo("warroom-link:" + ID + ":slack:" + id);
            LinkWarRoom link = (LinkWarRoom) record.value().getPayload();
            assertThat(link.getRoom().getSystem()).isEqualTo("slack");
            assertThat(link.getRoom().getId()).isEqualTo(id);
            assertThat(link.getRoom().getName()).isEqualTo("#" + CHANNEL);
            assertThat(link.getRoom().getUrl()).isEqualTo("https://acme.slack.com/archives/" + id);
        });

        events.pipeInput(ID, event(ID, "e3", T0.plusSeconds(60), new RoleAssigned("commander", "bob", null, null)));
        events.pipeInput(ID, event(ID, "e4", T0.plusSeconds(61), new RunbookAttached("db", "Database issues", "https://runbooks.example/db",
                List.of("Check replication"), true)));
        events.pipeInput(ID, event(ID, "e5", T0.plusSeconds(62), new TicketLinked(new TicketRef("jira", "OPS-42",
                "https://jira.example/browse/OPS-42", null))));
        deliver();
        assertThat(slack.channel(CHANNEL).members()).containsExactly(SlackServer.BOT_USER, "U0ALICE", "U0BOB");
        assertThat(slack.channel(CHANNEL).pinned()).extracting(SlackServer.Posted::text).containsExactly("[SEV1] Checkout &lt;!channel&gt; down",
                "Runbook: Database issues", "Ticket OPS-42");

        events.pipeInput(ID, event(ID, "e6", T0.plusSeconds(600), new IncidentClosed(null)));
        driver.advanceWallClockTime(Duration.ofHours(23));
        assertThat(archives()).isEmpty();
        driver.advanceWallClockTime(Duration.ofHours(1).plusMinutes(11));
        slack.removeBot(id); // someone removed the bot meanwhile: not_in_channel, so it joins to archive
        deliver();

        assertThat(slack.channel(CHANNEL).archived()).isTrue();
        assertThat(commands.readValuesToList()).singleElement().satisfies(command -> {
            assertThat(command.getCommandId()).isEqualTo("warroom-archived:" + ID + ":" + id);
            assertThat(((RecordWarRoomArchived) command.getPayload()).getId()).isEqualTo(id);
        });
        assertThat(slack.channels()).hasSize(1);
    }

    @Test
    void aRepeatedOpenedEventMakesNoSecondRoom() {
        IncidentEvent opened = opened(ID, "e1").setTimestamp(T0).setPayload(sev1("Checkout down")).build();
        events.pipeInput(ID, opened);
        deliver();
        events.pipeInput(ID, opened);

        assertThat(requests.readValuesToList()).isEmpty();
        assertThat(slack.channels()).hasSize(1);
    }

    @Test
    void aSev2GetsNone_untilRaisedToSev1() {
        events.pipeInput(ID, opened(ID, "e1").setTimestamp(T0).build());
        deliver();
        assertThat(slack.channels()).isEmpty();

        events.pipeInput(ID, event(ID, "e2", T0.plusSeconds(5), new SeverityChanged(Severity.SEV2, Severity.SEV1, "worse", false)));
        deliver();

        assertThat(slack.channel(CHANNEL)).isNotNull();
        assertThat(commands.readValuesToList()).hasSize(1);
    }

    @Test
    void givenTheNameTakenByAPerson_andSlackRateLimiting_thenTheRoomIsTheNextNameAfterTheWait() {
        slack.channelOf("U0HUMAN", CHANNEL);
        slack.rateLimitNext("conversations.create", 1, 3);

        events.pipeInput(ID, opened(ID, "e1").setTimestamp(T0).setPayload(sev1("Checkout down")).build());
        deliver();

        assertThat(waits).containsExactly(Duration.ofSeconds(3));
        assertThat(slack.channel(CHANNEL + "-2").pinned()).hasSize(1);
        assertThat(((LinkWarRoom) commands.readValuesToList().get(0).getPayload()).getRoom().getName()).isEqualTo("#" + CHANNEL + "-2");
    }

    @Test
    void givenSlackDown_theOpenFails_andTheIncidentsNextNewsTriesAgain() {
        slack.down(true);
        events.pipeInput(ID, opened(ID, "e1").setTimestamp(T0).setPayload(sev1("Checkout down")).build());
        deliver();
        assertThat(commands.readValuesToList()).isEmpty();
        assertThat(channel.problem()).isPresent();

        slack.down(false);
        events.pipeInput(ID, escalated(ID, "e2", T0.plusSeconds(30), 0, plan("alice", "EMAIL", 0)));
        deliver();

        assertThat(slack.channel(CHANNEL).members()).contains("U0ALICE");
        assertThat(commands.readValuesToList()).hasSize(1);
        assertThat(channel.problem()).isEmpty();
    }

    @Test
    void aDrillSaysSo() {
        events.pipeInput(ID, opened(ID, "e1").setTimestamp(T0).setPayload(IncidentOpened.newBuilder(sev1("Checkout down"))
                .setDrill("database-failover").build()).build());
        deliver();

        assertThat(slack.channel(CHANNEL).pinned().get(0).text()).startsWith("DRILL [SEV1]");
        assertThat(slack.channel(CHANNEL).pinned().get(0).blocks().toString()).contains("*DRILL* (scenario database-failover)");
    }

    @Test
    void aTeamWithAWarRoomUrlHasItRecorded_withoutCallingSlack() {
        events.pipeInput(ID, opened(ID, "e1").setTimestamp(T0).setPayload(IncidentOpened.newBuilder(sev1("Search down")).setService("search")
                .build()).build());

        assertThat(requests.readValuesToList()).noneMatch(request -> request.getChannel().equals(SlackWarRoomChannel.NAME));
        assertThat(commands.readValuesToList()).singleElement().satisfies(command -> {
            assertThat(command.getCommandId()).isEqualTo("warroom-link:" + ID + ":teams");
            LinkWarRoom link = (LinkWarRoom) command.getPayload();
            assertThat(link.getRoom().getSystem()).isEqualTo("teams");
            assertThat(link.getRoom().getUrl()).isEqualTo("https://teams.microsoft.com/l/meetup-join/search-bridge");
            assertThat(link.getRoom().getName()).isEqualTo("Search war room");
        });
        assertThat(slack.calls("conversations.create")).isEmpty();
    }

    @Test
    void anOldEventReplayedOpensNoRoom() {
        driver.advanceWallClockTime(Duration.ofHours(2));
        events.pipeInput(ID, opened(ID, "e1").setTimestamp(T0).setPayload(sev1("Checkout down")).build());

        assertThat(requests.readValuesToList()).noneMatch(request -> request.getChannel().equals(SlackWarRoomChannel.NAME));
    }

    private List<NotificationRequest> archives() {
        return requests.readValuesToList().stream().filter(request -> request.getKind().equals(MessageKind.WAR_ROOM_ARCHIVE.id())).toList();
    }

    /** What the sender does: each war room request delivered, its result fed back, until none is left. */
    private void deliver() {
        for (List<NotificationRequest> batch = requests.readValuesToList(); !batch.isEmpty(); batch = requests.readValuesToList()) {
            for (NotificationRequest request : batch) {
                if (!request.getChannel().equals(SlackWarRoomChannel.NAME)) {
                    continue;
                }
                Result result;
                try {
                    result = channel.send(new Message(request.getDeliveryId(), request.getIncidentId(), MessageKind.ofId(request.getKind()),
                            request.getAddress(), request.getSecret(), request.getTitle(), request.getText(), request.getHtml(), request.getUrl(),
                            request.getSeverity(), request.getStatus(), request.getService(), request.getEventJson(), null));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                resultsIn.pipeInput(request.getIncidentId(), new NotificationResult(request.getDeliveryId(), request.getIncidentId(),
                        request.getEventId(), request.getChannel(), request.getKind(), request.getTarget(), request.getStep(),
                        result.delivered() ? DeliveryOutcome.DELIVERED : DeliveryOutcome.FAILED, result.attempts(), result.took().toMillis(),
                        result.providerMessageId(), result.error(), T0));
            }
        }
    }

    private static IncidentOpened sev1(String title) {
        IncidentOpened payload = (IncidentOpened) opened(ID, "x").build().getPayload();
        return IncidentOpened.newBuilder(payload).setSeverity(Severity.SEV1).setTitle(title).build();
    }

    private static UserConfig user(String id, String slackId) {
        return new UserConfig(id, id, "UTC", List.of(new ContactMethod(ContactType.EMAIL, id + "@example.com"),
                new ContactMethod(ContactType.SLACK, slackId)), List.of(new NotificationRule(ContactType.EMAIL, 0)));
    }

    private <V> TestInputTopic<String, V> input(Topic<String, V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde(serdes).serializer(), topic.valueSerde(serdes).serializer(), T0,
                Duration.ZERO);
    }

    private <V> TestOutputTopic<String, V> output(Topic<String, V> topic) {
        return driver.createOutputTopic(topic.name(), topic.keySerde(serdes).deserializer(), topic.valueSerde(serdes).deserializer());
    }
}
