package dev.incidentengine.notifier.channel;

import java.util.Map;

/**
 * A status page e-mail subscriber, through the e-mail channel, with the headers a mailing list owes its readers:
 * {@code List-Unsubscribe} with the subscriber's link ({@link Message#url()} here) and RFC 8058's
 * {@code List-Unsubscribe-Post: List-Unsubscribe=One-Click}, so mail clients offer a one-click unsubscribe. A
 * confirmation mail (no url) has neither: nobody is subscribed yet.
 */
public final class StatusEmailChannel implements Channel {

    private final EmailChannel email;

    public StatusEmailChannel(EmailChannel email) {
        this.email = email;
    }

    /** Threads and a breaker of their own: a fan-out to thousands of subscribers never queues ahead of a page by e-mail. */
    @Override
    public String endpoint(Message message) {
        return "status-" + email.endpoint(message);
    }

    @Override
    public Result send(Message message) throws InterruptedException {
        return email.send(message, message.url() == null ? Map.of()
                : Map.of("List-Unsubscribe", "<" + message.url() + ">", "List-Unsubscribe-Post", "List-Unsubscribe=One-Click",
                        "Precedence", "bulk"));
    }
}
