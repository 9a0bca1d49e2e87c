package dev.incidentengine.notifier.channel;

/**
 * One notification, rendered and addressed, ready for its channel.
 *
 * @param deliveryId        the idempotency key (event id + target + channel + step); receivers that support one get it
 * @param incidentId        the incident it is about
 * @param kind              what happened
 * @param address           where it goes: e-mail address(es, comma-separated), E.164 phone, Slack channel or member id, URL
 * @param secret            name of the destination's secret (signing secret, routing key, token), resolved by {@link Secrets}; may be null
 * @param title             one line: e-mail subject, card header, first line of an SMS
 * @param text              the plain-text body (Slack/Teams read it as markdown)
 * @param html              the HTML body of an e-mail; null for other channels
 * @param url               link to the incident
 * @param severity          SEV0…SEV4
 * @param status            TRIGGERED, ACKNOWLEDGED, RESOLVED, CLOSED
 * @param service           the service's name
 * @param eventJson         the incident event as JSON (webhook body, PagerDuty custom details)
 * @param previousMessageId what the channel returned for the last message about this incident at this address
 *                          (a Slack message to update in place); null when there was none or it is a page
 */
public record Message(
        String deliveryId,
        String incidentId,
        MessageKind kind,
        String address,
        String secret,
        String title,
        String text,
        String html,
        String url,
        String severity,
        String status,
        String service,
        String eventJson,
        String previousMessageId) {
}
