package dev.incidentengine.notifier.status;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.StatusSubscriber;
import dev.incidentengine.notifier.channel.Message;
import dev.incidentengine.notifier.channel.MessageKind;
import dev.incidentengine.service.Html;
import dev.incidentengine.service.api.SubscriberSeal;
import dev.incidentengine.service.api.SubscriberSeal.Purpose;

/**
 * The sender's side of status page subscribers, just before a request is sent: the subscriber must still be there (and
 * confirmed, for updates; unconfirmed, for a confirmation), its address is opened from the request, and the links and the
 * webhook secret, which no topic holds, are derived from the status secret and filled in.
 */
public final class StatusRecipients {

    /** A message ready for its channel, or why the request is not sent. */
    public record Prepared(Message message, String skipped) {
    }

    private final SubscriberSeal seal;
    private final String statusUrl;
    private final Function<String, StatusSubscriber> subscribers;

    /** @param subscribers the subscriber of an id as the notifier knows it now (null: none), from the planner's global store */
    public StatusRecipients(SubscriberSeal seal, String statusUrl, Function<String, StatusSubscriber> subscribers) {
        this.seal = seal;
        this.statusUrl = statusUrl.replaceAll("/+$", "");
        this.subscribers = subscribers;
    }

    public Prepared prepare(NotificationRequest request) {
        String id = request.getTarget();
        StatusSubscriber current = subscribers.apply(id);
        boolean confirming = request.getKind().equals(StatusMessages.CONFIRM_KIND);
        if (current == null) {
            return new Prepared(null, "not sent: the subscriber unsubscribed or was removed");
        }
        if (current.getConfirmed() == confirming) {
            return new Prepared(null, confirming ? "not sent: already confirmed" : "not sent: the subscription is not confirmed");
        }
        String address;
        try {
            address = seal.open(request.getSealedAddress().array(), request.getSealKeyId());
        } catch (IllegalArgumentException e) {
            return new Prepared(null, "not sent: the address does not open (" + e.getMessage() + ")");
        }
        String unsubscribe = link("/status/subscriptions/unsubscribe", id, seal.token(Purpose.UNSUBSCRIBE, id));
        String confirm = link("/status/subscriptions/confirm", id, seal.token(Purpose.CONFIRM, id));
        boolean webhook = request.getChannel().equals(StatusMessages.WEBHOOK_CHANNEL);
        return new Prepared(new Message(request.getDeliveryId(), request.getIncidentId(), MessageKind.STATUS_UPDATE, address,
                webhook ? seal.webhookSecret(id) : null, request.getTitle(), fill(request.getText(), unsubscribe, confirm),
                request.getHtml() == null ? null : fill(request.getHtml(), Html.escape(unsubscribe), Html.escape(confirm)),
                confirming ? null : unsubscribe, request.getSeverity(), request.getStatus(), request.getService(),
                request.getEventJson() == null ? null : fill(request.getEventJson(), unsubscribe, confirm), null), null);
    }

    private String link(String path, String id, String token) {
        return statusUrl + path + "?id=" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "&token=" + URLEncoder.encode(token,
                StandardCharsets.UTF_8);
    }

    private static String fill(String text, String unsubscribe, String confirm) {
        return text.replace(StatusMessages.UNSUBSCRIBE_URL, unsubscribe).replace(StatusMessages.CONFIRM_URL, confirm);
    }
}
