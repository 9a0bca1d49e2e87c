package dev.incidentengine.notifier.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.incidentengine.model.Actor;
import dev.incidentengine.model.ActorType;
import dev.incidentengine.model.MaintenanceChanged;
import dev.incidentengine.model.MaintenanceStatus;
import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.PublicUpdate;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.model.StatusSubscriber;
import dev.incidentengine.model.SubscriberKind;
import dev.incidentengine.notifier.channel.Message;
import dev.incidentengine.service.api.SubscriberSeal;
import dev.incidentengine.service.api.SubscriberSeal.Purpose;
import org.junit.jupiter.api.Test;

/** What the planner renders for subscribers, and what the sender makes of it just before sending. */
class StatusRecipientsTest {

    private static final Instant T0 = Instant.parse("2026-12-05T04:00:00Z");
    private final SubscriberSeal seal = new SubscriberSeal("0123456789abcdef0123456789abcdef-status".getBytes(StandardCharsets.UTF_8));
    private final StatusMessages messages = new StatusMessages("https://status.example.com/");
    private final Map<String, StatusSubscriber> store = new HashMap<>();
    private final StatusRecipients recipients = new StatusRecipients(seal, "https://status.example.com", store::get);
    private final StatusMessages.Page page = new StatusMessages.Page("public", "Acme & Co", "https://status.example.com/status");

    @Test
    void aMaintenanceMailIsEscapedAndItsLinksAreFilledInOnlyWhenSent() {
        StatusSubscriber ada = subscriber("ada", SubscriberKind.EMAIL, "ada@example.com", true, List.of("db"));
        store.put("ada", ada);
        StatusPageEvent event = maintenance("m1", List.of("db"));
        StatusMessages.News news = StatusMessages.News.of(event);
        assertThat(news.concerns(ada)).isTrue();
        assertThat(news.concerns(subscriber("bob", SubscriberKind.EMAIL, "bob@example.com", true, List.of("web")))).isFalse();
        assertThat(news.concerns(subscriber("cy", SubscriberKind.EMAIL, "cy@example.com", true, List.of()))).isTrue();

        NotificationRequest request = messages.update(event, news, page, ada, T0);
        assertThat(request.getDeliveryId()).isEqualTo("m1:ada");
        assertThat(request.getAddress()).isNull();
        assertThat(request.toString()).doesNotContain("ada@example.com").doesNotContain(seal.token(Purpose.UNSUBSCRIBE, "ada"));
        assertThat(request.getTitle()).isEqualTo("[Acme & Co] DB <upgrade>: In progress");
        assertThat(request.getHtml()).contains("<h1>DB &lt;upgrade&gt;</h1>", "Acme &amp; Co").doesNotContain("<upgrade>");

        Message message = recipients.prepare(request).message();
        String unsubscribe = "https://status.example.com/status/subscriptions/unsubscribe?id=ada&token=" + seal.token(Purpose.UNSUBSCRIBE, "ada");
        assertThat(message.address()).isEqualTo("ada@example.com");
        assertThat(message.url()).as("List-Unsubscribe").isEqualTo(unsubscribe);
        assertThat(message.text()).contains("Unsubscribe: " + unsubscribe).doesNotContain(StatusMessages.UNSUBSCRIBE_URL);
        assertThat(message.html()).contains("href=\"" + unsubscribe.replace("&", "&amp;") + "\"");
        assertThat(message.secret()).isNull();
    }

    @Test
    void aSubscriberDeletedOrUnconfirmedMeanwhileIsSkipped_andAConfirmationOnlyWhileUnconfirmed() {
        StatusSubscriber ada = subscriber("ada", SubscriberKind.WEBHOOK, "https://hooks.example.com/x", true, List.of());
        StatusPageEvent event = maintenance("m1", List.of("db"));
        NotificationRequest request = messages.update(event, StatusMessages.News.of(event), page, ada, T0);
        assertThat(recipients.prepare(request).skipped()).contains("unsubscribed or was removed");
        store.put("ada", subscriber("ada", SubscriberKind.WEBHOOK, "https://hooks.example.com/x", false, List.of()));
        assertThat(recipients.prepare(request).skipped()).contains("not confirmed");
        store.put("ada", ada);
        Message webhook = recipients.prepare(request).message();
        assertThat(webhook.secret()).isEqualTo(seal.webhookSecret("ada"));
        assertThat(webhook.eventJson()).contains("\"unsubscribe\":\"https://status.example.com/status/subscriptions/unsubscribe?id=ada&token=")
                .contains("\"status\":\"in_progress\"", "\"scheduled_for\":\"2026-12-05T06:00:00Z\"");

        StatusSubscriber bob = subscriber("bob", SubscriberKind.EMAIL, "bob@example.com", false, List.of());
        store.put("bob", bob);
        NotificationRequest confirmation = messages.confirmation(bob, 42, page, T0);
        assertThat(confirmation.getDeliveryId()).isEqualTo("confirm:bob:42");
        Message mail = recipients.prepare(confirmation).message();
        assertThat(mail.text()).contains("https://status.example.com/status/subscriptions/confirm?id=bob&token=" + seal.token(Purpose.CONFIRM, "bob"));
        assertThat(mail.url()).as("no List-Unsubscribe before confirmation").isNull();
        store.put("bob", StatusSubscriber.newBuilder(bob).setConfirmed(true).build());
        assertThat(recipients.prepare(confirmation).skipped()).contains("already confirmed");
    }

    private StatusSubscriber subscriber(String id, SubscriberKind kind, String address, boolean confirmed, List<String> components) {
        return new StatusSubscriber(id, "public", kind, ByteBuffer.wrap(seal.seal(address)), seal.keyId(), seal.digest(address), components,
                confirmed, T0, confirmed ? T0 : null);
    }

    private static StatusPageEvent maintenance(String eventId, List<String> components) {
        return new StatusPageEvent(eventId, "public", 5L, T0, new Actor(ActorType.SYSTEM, "engine", null), null,
                new MaintenanceChanged("MW-1", "DB <upgrade>", MaintenanceStatus.IN_PROGRESS, components, T0.plusSeconds(7200),
                        T0.plusSeconds(10800), new PublicUpdate("u1", "in_progress", "Started.", T0, List.of())));
    }
}
