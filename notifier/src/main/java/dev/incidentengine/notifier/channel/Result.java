package dev.incidentengine.notifier.channel;

import java.time.Duration;

import dev.incidentengine.notifier.delivery.HttpDelivery;

/**
 * How one delivery ended.
 *
 * @param providerMessageId what the receiver calls the message (Slack {@code channel/ts}, Twilio SID, SMTP Message-ID); may be null
 * @param error             why it failed; null when delivered
 */
public record Result(boolean delivered, String providerMessageId, String error, int attempts, Duration took) {

    public static Result of(HttpDelivery.Outcome outcome, String providerMessageId) {
        return new Result(outcome.delivered(), outcome.delivered() ? providerMessageId : null, outcome.error(), outcome.attempts(),
                outcome.took());
    }

    public static Result failed(String error, Duration took) {
        return new Result(false, null, error, 1, took);
    }
}
