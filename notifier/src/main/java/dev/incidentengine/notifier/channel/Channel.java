package dev.incidentengine.notifier.channel;

/** A way to reach people: Slack, Teams, e-mail, webhook, SMS, voice, PagerDuty. */
public interface Channel {

    /** Deliveries to one endpoint share a worker pool, a circuit breaker and a rate limit; a slow endpoint delays only its own. */
    String endpoint(Message message);

    /** Delivers one message, retrying as the channel's policy allows; the endpoint's faults end in a failed {@link Result}, never an exception. */
    Result send(Message message) throws InterruptedException;
}
