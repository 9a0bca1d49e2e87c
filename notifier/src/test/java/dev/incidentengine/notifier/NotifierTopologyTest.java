package dev.incidentengine.notifier;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.EscalationTarget;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.RoleAssigned;
import dev.incidentengine.model.RoleRequested;
import dev.incidentengine.model.TargetType;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.PublicUpdateMissed;
import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.ChannelType;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.ContactType;
import dev.incidentengine.model.config.NotificationRule;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.notifier.plan.Composer;
import dev.incidentengine.notifier.plan.Planner;
import dev.incidentengine.notifier.template.Templates;
import dev.incidentengine.schemas.RecordSerdes;
import dev.incidentengine.schemas.Topic;
import dev.incidentengine.service.DeadLetters;
import dev.incidentengine.service.KafkaClients;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
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
import static org.assertj.core.api.Assertions.tuple;

/** The planner in a TopologyTestDriver: events and results in, rendered requests out, contact steps on the driver's wall clock. */
class NotifierTopologyTest {

    private static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");
    private static final String ID = "INC-20261122-0-0001";

    private final RecordSerdes serdes = RecordSerdes.singleObject();
    private final NotifierTopics topics = NotifierTopics.DEFAULT;
    private TopologyTestDriver driver;
    private TestInputTopic<String, IncidentEvent> events;
    private TestInputTopic<String, NotificationResult> resultsIn;
    private TestOutputTopic<String, NotificationRequest> requests;
    private TestOutputTopic<String, NotificationResult> results;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    @BeforeEach
    void setUp() {
        Properties props = KafkaClients.streams(new NotifierConfig(Map.of()), NotifierTopology.APPLICATION_ID, topics.deadLetters());
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/notifier-topology-test-" + System.nanoTime());
        driver = new TopologyTestDriver(topology(), props, T0);
        events = input(topics.events());
        resultsIn = input(topics.results());
        requests = output(topics.requests());
        results = output(topics.results());
        deadLetters = driver.createOutputTopic(topics.deadLetters().name(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        input(topics.users()).pipeInput("alice", new UserConfig("alice", "Alice Example", "Europe/Berlin",
                List.of(new ContactMethod(ContactType.EMAIL, "alice@example.com"), new ContactMethod(ContactType.SMS, "+4915100000001")),
                List.of(new NotificationRule(ContactType.EMAIL, 0), new NotificationRule(ContactType.SMS, 5))));
        input(topics.users()).pipeInput("bob", new UserConfig("bob", "Bob Example", "UTC",
                List.of(new ContactMethod(ContactType.EMAIL, "bob@example.com")), List.of(new NotificationRule(ContactType.EMAIL, 0))));
        input(topics.services()).pipeInput("checkout", new ServiceConfig("checkout", "Checkout", null, "payments", null,
                Map.of("sms/page.text", "Ack with: {{ack.command}}"), null, java.util.Map.of()));
        input(topics.channels()).pipeInput("ops", new ChannelConfig("ops", "Ops room", ChannelType.SLACK_WEBHOOK,
                "https://hooks.slack.example/T1/B1/x", null, List.of("checkout"), List.of(), List.of()));
        input(topics.channels()).pipeInput("execs", new ChannelConfig("execs", "Executives", ChannelType.EMAIL,
                "cto@example.com", null, List.of(), List.of("resolved"), List.of("SEV0", "SEV1")));
        input(topics.channels()).pipeInput("other", new ChannelConfig("other", "Other team", ChannelType.WEBHOOK,
                "https://other.example/hook", "OTHER_SECRET", List.of("search"), List.of(), List.of()));
    }

    private static org.apache.kafka.streams.Topology topology() {
        return NotifierTopology.build(NotifierTopics.DEFAULT, RecordSerdes.singleObject(), new Planner(Duration.ofHours(1)),
                new Composer(Templates.defaults(), "https://incidents.example.com"), Duration.ofSeconds(1));
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void everyProcessorStoreAndSinkIsNamed() {
        assertThat(topology().describe().toString()).doesNotContain("KSTREAM-", "KTABLE-")
                .contains(NotifierTopology.PLAN_STORE, NotifierTopology.TIMER_STORE, "notification-requests-sink");
    }

    @Test
    void anOpenedIncidentIsNewsOnlyForTheChannelsSubscribedToItsServiceKindAndSeverity() {
        events.pipeInput(ID, opened(ID, "e1").setTimestamp(T0).build());

        assertThat(requests.readValuesToList()).singleElement().satisfies(request -> {
            assertThat(request.getDeliveryId()).isEqualTo("e1:ops:slack-webhook:0");
            assertThat(request.getChannel()).isEqualTo("slack-webhook");
            assertThat(request.getKind()).isEqualTo("opened");
            assertThat(request.getAddress()).isEqualTo("https://hooks.slack.example/T1/B1/x");
            assertThat(request.getUrl()).isEqualTo("https://incidents.example.com/incidents/" + ID);
            assertThat(request.getTitle()).contains("High error rate on checkout");
            assertThat(request.getText()).contains(ID);
            assertThat(request.getService()).isEqualTo("Checkout");
        });
    }

    @Test
    void aDrillsPagesAndNewsSayDrill() {
        IncidentEvent opened = opened(ID, "e1").setTimestamp(T0).build();
        ((IncidentOpened) opened.getPayload()).setDrill("database-failover");
        events.pipeInput(ID, opened);
        events.pipeInput(ID, escalated(ID, "e2", T0.plusSeconds(1), 0, plan("alice", "EMAIL", 0)));

        assertThat(requests.readValuesToList()).extracting(NotificationRequest::getDeliveryId, request -> request.getTitle().startsWith("[DRILL] "),
                request -> request.getText().startsWith("[DRILL] ")).containsExactly(tuple("e1:ops:slack-webhook:0", true, true),
                tuple("e2:alice:email:0", true, true));
    }

    @Test
    void aPageGoesToTheUsersFirstContactAtOnce_andTheNextAfterItsDelay() {
        open();
        events.pipeInput(ID, escalated(ID, "e2", T0.plusSeconds(1), 0, plan("alice", "EMAIL", 0, "SMS", 5)));

        assertThat(requests.readValuesToList()).singleElement().satisfies(request -> {
            assertThat(request.getDeliveryId()).isEqualTo("e2:alice:email:0");
            assertThat(request.getAddress()).isEqualTo("alice@example.com");
            assertThat(request.getHtml()).isNotBlank();
            assertThat(request.getEventJson()).contains("\"level\":0");
        });
        driver.advanceWallClockTime(Duration.ofMinutes(4));
        assertThat(requests.readValuesToList()).isEmpty();
        driver.advanceWallClockTime(Duration.ofMinutes(1).plusSeconds(2));
        assertThat(requests.readValuesToList()).singleElement().satisfies(request -> {
            assertThat(request.getDeliveryId()).isEqualTo("e2:alice:sms:1");
            assertThat(request.getAddress()).isEqualTo("+4915100000001");
            assertThat(request.getText()).as("the service's template").isEqualTo("Ack with: incidentctl ack " + ID);
        });
    }

    @Test
    void acknowledgementCancelsTheFollowUps_andTheResolutionIsNews() {
        open();
        events.pipeInput(ID, escalated(ID, "e2", T0.plusSeconds(1), 0, plan("alice", "EMAIL", 0, "SMS", 5)));
        events.pipeInput(ID, event(ID, "e3", T0.plusSeconds(60), new IncidentAcknowledged("on it")));
        driver.advanceWallClockTime(Duration.ofMinutes(10));
        events.pipeInput(ID, event(ID, "e4", T0.plusSeconds(600), new IncidentResolved("rolled back")));

        assertThat(requests.readValuesToList()).extracting(NotificationRequest::getDeliveryId)
                .containsExactly("e2:alice:email:0", "e3:ops:slack-webhook:0", "e4:ops:slack-webhook:0");
    }

    @Test
    void aFailedPageMovesToTheNextContactMethodAtOnce() {
        open();
        events.pipeInput(ID, escalated(ID, "e2", T0.plusSeconds(1), 0, plan("alice", "EMAIL", 0, "SMS", 5)));
        requests.readValuesToList();
        resultsIn.pipeInput(ID, NotificationResult.newBuilder().setDeliveryId("e2:alice:email:0").setIncidentId(ID).setEventId("e2")
                .setChannel("email").setKind("page").setTarget("alice").setStep(0).setOutcome(DeliveryOutcome.FAILED).setAttempts(5)
                .setLatencyMillis(4000).setError("550 mailbox unavailable").setTimestamp(T0.plusSeconds(6)).build());

        assertThat(requests.readValuesToList()).extracting(NotificationRequest::getDeliveryId).containsExactly("e2:alice:sms:1");
        driver.advanceWallClockTime(Duration.ofMinutes(10));
        assertThat(requests.readValuesToList()).as("the SMS step's timer was cancelled").isEmpty();
    }

    @Test
    void aFailedTestNotification_changesNoPlan_andRequestsNothing() {
        open();
        events.pipeInput(ID, escalated(ID, "e2", T0.plusSeconds(1), 0, plan("alice", "EMAIL", 0, "SMS", 5)));
        requests.readValuesToList();
        // incidentctl test-notify's result for alice's e-mail: its own pseudo-incident, kind test.
        resultsIn.pipeInput("test:run-0001", NotificationResult.newBuilder().setDeliveryId("test:run-0001:user:alice:email:0")
                .setIncidentId("test:run-0001").setEventId("test:run-0001").setChannel("email").setKind("test").setTarget("alice")
                .setStep(0).setOutcome(DeliveryOutcome.FAILED).setAttempts(5).setLatencyMillis(4000).setError("550 mailbox unavailable")
                .setTimestamp(T0.plusSeconds(6)).build());

        assertThat(requests.readValuesToList()).as("alice's SMS is not brought forward by a test").isEmpty();
        assertThat(results.readValuesToList()).isEmpty();
        assertThat(driver.getKeyValueStore(NotifierTopology.PLAN_STORE).get("test:run-0001")).isNull();
        driver.advanceWallClockTime(Duration.ofMinutes(5).plusSeconds(2));
        assertThat(requests.readValuesToList()).extracting(NotificationRequest::getDeliveryId).containsExactly("e2:alice:sms:1");
    }

    @Test
    void aStepWithoutAContactFailsAtOnce_soTheUsersNextStepFollows() {
        open();
        events.pipeInput(ID, escalated(ID, "e2", T0.plusSeconds(1), 0, plan("bob", "SMS", 0, "EMAIL", 5)));

        assertThat(results.readValuesToList()).singleElement().satisfies(failure -> {
            assertThat(failure.getDeliveryId()).isEqualTo("e2:bob:sms:0");
            assertThat(failure.getOutcome()).isEqualTo(DeliveryOutcome.FAILED);
            assertThat(failure.getError()).isEqualTo("user bob has no SMS contact");
        });
        // The failure comes back through notification.results.v1, as the real topic would bring it.
        resultsIn.pipeInput(ID, NotificationResult.newBuilder().setDeliveryId("e2:bob:sms:0").setIncidentId(ID).setEventId("e2")
                .setChannel("sms").setKind("page").setTarget("bob").setStep(0).setOutcome(DeliveryOutcome.FAILED).setAttempts(0)
                .setLatencyMillis(0).setError("user bob has no SMS contact").setTimestamp(T0.plusSeconds(1)).build());
        assertThat(requests.readValuesToList()).extracting(NotificationRequest::getDeliveryId).containsExactly("e2:bob:email:1");
    }

    @Test
    void aMissedPublicUpdateRemindsTheAssigneeThroughTheirImmediateRules_elseWhoeverThePlanPages() {
        open();
        events.pipeInput(ID, escalated(ID, "e2", T0.plusSeconds(1), 0, plan("alice", "EMAIL", 0, "SMS", 5)));
        events.pipeInput(ID, event(ID, "e3", T0.plusSeconds(60), new IncidentAcknowledged("on it")));
        requests.readValuesToList();
        Instant due = T0.plus(Duration.ofMinutes(30));

        events.pipeInput(ID, event(ID, "e4", due.plusSeconds(1), new PublicUpdateMissed(due, T0, "bob")));
        assertThat(requests.readValuesToList()).singleElement().satisfies(request -> {
            assertThat(request.getDeliveryId()).isEqualTo("e4:bob:email:0");
            assertThat(request.getKind()).isEqualTo("public-update-due");
            assertThat(request.getAddress()).isEqualTo("bob@example.com");
            assertThat(request.getTitle()).startsWith("[SEV2] Public update due: ");
            assertThat(request.getText()).contains("next public update was due " + due, "incidentctl incident public-update " + ID);
        });

        events.pipeInput(ID, event(ID, "e5", due.plusSeconds(1801), new PublicUpdateMissed(due.plusSeconds(1800), T0, null)));
        assertThat(requests.readValuesToList()).as("alice's immediate rule only: a reminder does not escalate")
                .extracting(NotificationRequest::getDeliveryId).containsExactly("e5:alice:email:0");
        driver.advanceWallClockTime(Duration.ofMinutes(10));
        assertThat(requests.readValuesToList()).isEmpty();
    }

    /** The driver does not pass unreadable records to the DLQ; on a real broker they go there too (NotifierIT). */
    @Test
    void aRoleRequestAsksTheUserToTakeTheRole_byItsName_untilTheRoleIsTaken() {
        open();
        events.pipeInput(ID, event(ID, "e2", T0.plusSeconds(300), new RoleRequested("commander", List.of(new EscalationTarget(
                TargetType.SCHEDULE, "ic-rotation", List.of("alice"), List.of(plan("alice", "EMAIL", 0, "SMS", 5)))),
                "Incident Commander still free 5 minutes into a SEV1 incident")));

        assertThat(requests.readValuesToList()).singleElement().satisfies(request -> {
            assertThat(request.getKind()).isEqualTo("role-requested");
            assertThat(request.getDeliveryId()).isEqualTo("e2:alice:email:0");
            assertThat(request.getTitle()).startsWith("[SEV2] Take Incident Commander: ");
            assertThat(request.getText()).startsWith("Alice Example, you are asked to take Incident Commander for " + ID)
                    .contains("Why: Incident Commander still free 5 minutes", "To take it: incidentctl role " + ID + " commander alice");
            assertThat(request.getHtml()).contains("<strong>Incident Commander</strong>");
        });
        input(topics.roles()).pipeInput("commander", new RoleConfig("commander", "Incident Lead", null, List.of("SEV1"), 5));
        driver.advanceWallClockTime(Duration.ofMinutes(10).plusSeconds(1)); // the request came 5 minutes after T0, the SMS 5 after it
        assertThat(requests.readValuesToList()).singleElement().satisfies(request -> {
            assertThat(request.getDeliveryId()).isEqualTo("e2:alice:sms:1");
            assertThat(request.getText()).as("the configured name").startsWith("Take Incident Lead for " + ID);
        });

        events.pipeInput(ID, event(ID, "e3", T0.plusSeconds(700), new RoleRequested("commander", List.of(new EscalationTarget(
                TargetType.SCHEDULE, "ic-rotation", List.of("alice"), List.of(plan("alice", "EMAIL", 0, "SMS", 5)))), "again")));
        requests.readValuesToList();
        events.pipeInput(ID, event(ID, "e4", T0.plusSeconds(701), new RoleAssigned("commander", "alice", null, null)));
        driver.advanceWallClockTime(Duration.ofMinutes(10));
        assertThat(requests.readValuesToList()).as("taken: the SMS step is cancelled").isEmpty();
    }

    @Test
    void misaddressedRecordsGoToTheDeadLetterQueue_andNeitherThemNorUnreadableOnesStopTheStream() {
        driver.createInputTopic(topics.events().name(), new StringSerializer(), new StringSerializer()).pipeInput(ID, "not avro");
        events.pipeInput("INC-other", opened(ID, "e1").setTimestamp(T0).build());
        events.pipeInput(ID, opened(ID, "e1").setTimestamp(T0).build());

        assertThat(deadLetters.readRecordsToList()).singleElement().satisfies(record -> assertThat(
                new String(record.headers().lastHeader(DeadLetters.ERROR).value(), StandardCharsets.UTF_8))
                .isEqualTo("java.lang.IllegalArgumentException: record key 'INC-other' is not the incident its value is about"));
        assertThat(requests.readValuesToList()).hasSize(1);
    }

    private void open() {
        events.pipeInput(ID, opened(ID, "e1").setTimestamp(T0).build());
        requests.readValuesToList();
    }

    private <V> TestInputTopic<String, V> input(Topic<String, V> topic) {
        return driver.createInputTopic(topic.name(), topic.keySerde(serdes).serializer(), topic.valueSerde(serdes).serializer(), T0,
                Duration.ZERO);
    }

    private <V> TestOutputTopic<String, V> output(Topic<String, V> topic) {
        return driver.createOutputTopic(topic.name(), topic.keySerde(serdes).deserializer(), topic.valueSerde(serdes).deserializer());
    }
}
