package dev.incidentengine.notifier.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.NotificationPlan;
import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentOpened;
import dev.incidentengine.model.PlannedRunbook;
import dev.incidentengine.model.RunbookRef;
import dev.incidentengine.model.RunbookAttached;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.ChannelType;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.ContactType;
import dev.incidentengine.model.config.NotificationRule;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.notifier.plan.Planner.Changes;
import dev.incidentengine.notifier.template.Templates;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.testkit.Samples.T0;
import static dev.incidentengine.testkit.Samples.escalated;
import static dev.incidentengine.testkit.Samples.event;
import static dev.incidentengine.testkit.Samples.opened;
import static dev.incidentengine.testkit.Samples.plan;
import static org.assertj.core.api.Assertions.assertThat;

/** Pages and messages link the incident's runbook: the planner keeps what RunbookAttached named, the templates show it. */
class RunbookLinksTest {

    private static final String ID = "INC-20261122-0-0001";
    private static final Instant PAGED = T0.plusSeconds(5);

    private final Planner planner = new Planner(Duration.ofHours(1));
    private final Composer composer = new Composer(Templates.defaults(), "https://incidents.example.com");
    private final Composer.Directory directory = new Composer.Directory() {
        @Override
        public UserConfig user(String id) {
            return new UserConfig(id, "Alice Example", "UTC", List.of(new ContactMethod(ContactType.EMAIL, "alice@example.com"),
                    new ContactMethod(ContactType.SMS, "+4915100000001")), List.of(new NotificationRule(ContactType.EMAIL, 0)));
        }

        @Override
        public ServiceConfig service(String id) {
            return null;
        }

        @Override
        public List<ChannelConfig> channels() {
            return List.of(ChannelConfig.newBuilder().setId("room").setName("Room").setType(ChannelType.EMAIL)
                    .setAddress("oncall@example.com").build());
        }

        @Override
        public String roleName(String id) {
            return id;
        }
    };

    @Test
    void aPageAfterTheOpenLinksTheMatchedRunbookToItsStepsOnTheIncidentsPage() {
        NotificationPlan plan = open();
        plan = planner.onEvent(plan, event(ID, "e1b", T0, new RunbookAttached("high-error-rate", "High error rate", null,
                List.of("Open the dashboard"), true)), T0.plusSeconds(1)).plan();
        assertThat(plan.getRunbooks()).containsExactly(new PlannedRunbook("high-error-rate", "High error rate", null));

        List<NotificationRequest> pages = compose(planner.onEvent(plan, escalated(ID, "e2", PAGED, 0, plan("alice", "EMAIL", 0)),
                PAGED.plusMillis(100)));

        assertThat(pages).singleElement().satisfies(page -> {
            assertThat(page.getText()).contains("Runbook:  High error rate https://incidents.example.com/incidents/" + ID
                    + "#runbook-high-error-rate\n");
            assertThat(page.getHtml()).contains("<a href=\"https://incidents.example.com/incidents/" + ID
                    + "#runbook-high-error-rate\" style=\"color:#0969da;\">High error rate</a>");
        });
    }

    @Test
    void theOpeningMessageLinksTheRunbookMatchedAtOpen_andItsRunbookAttachedAddsItNoSecondTime() {
        IncidentEvent event = opened(ID, "e1").build();
        IncidentOpened matched = IncidentOpened.newBuilder((IncidentOpened) event.getPayload())
                .setRunbook(new RunbookRef("high-error-rate", "High error rate", null)).build();
        Changes changes = planner.onEvent(null, IncidentEvent.newBuilder(event).setPayload(matched).build(), T0.plusSeconds(1));

        assertThat(compose(changes)).singleElement().satisfies(message -> assertThat(message.getText())
                .contains("Runbook:  High error rate https://incidents.example.com/incidents/" + ID + "#runbook-high-error-rate"));
        NotificationPlan plan = planner.onEvent(changes.plan(), event(ID, "e1b", T0, new RunbookAttached("high-error-rate", "High error rate",
                null, List.of("Open the dashboard"), true)), T0.plusSeconds(1)).plan();
        assertThat(plan.getRunbooks()).containsExactly(new PlannedRunbook("high-error-rate", "High error rate", null));
    }

    @Test
    void aRunbookWithAPageOfItsOwnLinksThere_itsTitleEscapedInHtml_andLaterMessagesShowItToo() {
        NotificationPlan plan = open();
        plan = planner.onEvent(plan, event(ID, "e1b", T0, new RunbookAttached("db", "Database <issues>", "https://wiki.example/db?a=1&b=2",
                List.of("Check lag"), false)), T0.plusSeconds(1)).plan();

        List<NotificationRequest> acknowledged = compose(planner.onEvent(plan, event(ID, "e3", PAGED, new IncidentAcknowledged("on it")),
                PAGED.plusMillis(100)));

        assertThat(acknowledged).singleElement().satisfies(message -> {
            assertThat(message.getText()).endsWith("\nRunbook:  Database <issues> https://wiki.example/db?a=1&b=2");
            assertThat(message.getHtml()).contains("href=\"https://wiki.example/db?a&#x3D;1&amp;b&#x3D;2\"", ">Database &lt;issues&gt;</a>")
                    .doesNotContain("<issues>");
        });
    }

    @Test
    void withoutARunbookNoLineIsWritten_andAPlanKeepsEachRunbookOnceAndAtMostFive() {
        NotificationPlan plan = open();
        assertThat(compose(planner.onEvent(plan, escalated(ID, "e2", PAGED, 0, plan("alice", "EMAIL", 0)), PAGED.plusMillis(100))))
                .singleElement().satisfies(page -> assertThat(page.getText()).doesNotContain("Runbook"));

        for (int i = 0; i < 7; i++) {
            RunbookAttached attached = new RunbookAttached("r" + (i % 6), "R" + i, null, List.of("s"), false);
            plan = planner.onEvent(plan, event(ID, "r-" + i, T0, attached), T0.plusSeconds(1)).plan();
        }
        assertThat(plan.getRunbooks()).extracting(PlannedRunbook::getRunbookId).containsExactly("r0", "r1", "r2", "r3", "r4");
    }

    private NotificationPlan open() {
        return planner.onEvent(null, opened(ID, "e1").build(), T0.plusSeconds(1)).plan();
    }

    private List<NotificationRequest> compose(Changes changes) {
        return changes.sends().stream().flatMap(send -> composer.compose(send, changes.plan(), directory, PAGED).requests().stream()).toList();
    }
}
