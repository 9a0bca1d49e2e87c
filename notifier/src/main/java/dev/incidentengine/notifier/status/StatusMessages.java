package dev.incidentengine.notifier.status;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.incidentengine.model.AffectedComponent;
import dev.incidentengine.model.MaintenanceChanged;
import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.PageConfigured;
import dev.incidentengine.model.PublicIncidentChanged;
import dev.incidentengine.model.PublicUpdate;
import dev.incidentengine.model.StatusPageEvent;
import dev.incidentengine.model.StatusSubscriber;
import dev.incidentengine.model.SubscriberKind;
import dev.incidentengine.service.Html;

/**
 * What status page subscribers receive, rendered by the planner (pure). An e-mail has a subject, plain text and HTML (every
 * value escaped); a webhook, Statuspage's webhook JSON. The links that hold a token (unsubscribe, confirm) are written as
 * the placeholders {@link #UNSUBSCRIBE_URL} and {@link #CONFIRM_URL}, which the sender fills in just before sending, so no
 * request on a topic holds a working link.
 */
public final class StatusMessages {

    public static final String UNSUBSCRIBE_URL = "%UNSUBSCRIBE_URL%";
    public static final String CONFIRM_URL = "%CONFIRM_URL%";
    public static final String EMAIL_CHANNEL = "status-email";
    public static final String WEBHOOK_CHANNEL = "status-webhook";
    public static final String INCIDENT_KIND = "status-incident";
    public static final String MAINTENANCE_KIND = "status-maintenance";
    public static final String CONFIRM_KIND = "status-confirm";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final String statusUrl;

    /** @param statusUrl the public base URL the status page is served under (its page is {@code /status}) */
    public StatusMessages(String statusUrl) {
        this.statusUrl = statusUrl.replaceAll("/+$", "");
    }

    /** The page's name and address as config has them; a page not yet configured is "Status". */
    record Page(String id, String name, String url) {
        static Page of(String pageId, StatusPageEvent configured, String statusUrl) {
            if (configured != null && configured.getPayload() instanceof PageConfigured page) {
                return new Page(pageId, page.getName(), page.getUrl() != null ? page.getUrl() : statusUrl + "/status");
            }
            return new Page(pageId, "Status", statusUrl + "/status");
        }
    }

    /** The update an event tells subscribers of: a public incident's or a maintenance's, with the update that came with it. */
    record News(String subjectId, String kind, String title, String status, String impact, List<String> components, PublicUpdate update,
                Instant createdAt, Instant resolvedAt, Instant scheduledFor, Instant scheduledUntil) {

        /** Null for events that tell subscribers nothing (no update, the page's own config, component changes). */
        static News of(StatusPageEvent event) {
            if (event.getPayload() instanceof PublicIncidentChanged incident && incident.getUpdate() != null) {
                return new News(incident.getIncidentId(), INCIDENT_KIND, incident.getTitle(), word(incident.getStatus().name()),
                        word(incident.getImpact().name()), incident.getComponents(), incident.getUpdate(), incident.getCreatedAt(),
                        incident.getResolvedAt(), null, null);
            }
            if (event.getPayload() instanceof MaintenanceChanged maintenance && maintenance.getUpdate() != null) {
                return new News(maintenance.getMaintenanceId(), MAINTENANCE_KIND, maintenance.getTitle(), word(maintenance.getStatus().name()),
                        "maintenance", maintenance.getComponents(), maintenance.getUpdate(), maintenance.getScheduledFor(), null,
                        maintenance.getScheduledFor(), maintenance.getScheduledUntil());
            }
            return null;
        }

        /** Subscribers of no component hear of everything; the others of what touches one of theirs. */
        boolean concerns(StatusSubscriber subscriber) {
            return subscriber.getComponents().isEmpty() || subscriber.getComponents().stream().anyMatch(components::contains);
        }
    }

    /** Statuspage's words: {@code IN_PROGRESS} is {@code in_progress}. */
    static String word(String symbol) {
        return symbol.toLowerCase(Locale.ROOT);
    }

    private static String display(String word) {
        String spaced = word.replace('_', ' ');
        return Character.toUpperCase(spaced.charAt(0)) + spaced.substring(1);
    }

    NotificationRequest update(StatusPageEvent event, News news, Page page, StatusSubscriber subscriber, Instant now) {
        // Not the incident's own id: its timeline, review and reports read results by incident id, and a status page's
        // thousands of subscriber deliveries are none of theirs.
        NotificationRequest.Builder request = base(event.getEventId() + ":" + subscriber.getId(), "status:" + news.subjectId(),
                event.getEventId(), news.kind(), subscriber, now)
                .setTitle("[" + page.name() + "] " + news.title() + ": " + display(news.update().getStatus()))
                .setSeverity(news.impact())
                .setStatus(news.status())
                .setService(page.name())
                .setUrl(page.url());
        if (subscriber.getKind() == SubscriberKind.WEBHOOK) {
            return request.setText(news.update().getMessage()).setEventJson(webhook(event, news, page, now)).build();
        }
        String when = WHEN.format(news.update().getCreatedAt());
        String components = String.join(", ", news.components());
        StringBuilder text = new StringBuilder(news.title()).append("\n\n")
                .append(display(news.update().getStatus())).append(" - ").append(news.update().getMessage()).append("\n")
                .append(when).append("\n");
        if (news.scheduledFor() != null) {
            text.append("Scheduled: ").append(WHEN.format(news.scheduledFor())).append(" to ").append(WHEN.format(news.scheduledUntil()))
                    .append("\n");
        }
        if (!components.isEmpty()) {
            text.append("Affected: ").append(components).append("\n");
        }
        text.append("\nStatus page: ").append(page.url()).append("\n\n-- \nYou receive this because you subscribed to ")
                .append(page.name()).append(". Unsubscribe: ").append(UNSUBSCRIBE_URL).append("\n");
        StringBuilder html = new StringBuilder("<!doctype html><html><body><h1>").append(Html.escape(news.title())).append("</h1><p><strong>")
                .append(Html.escape(display(news.update().getStatus()))).append("</strong> - ").append(Html.escape(news.update().getMessage()))
                .append("</p><p>").append(Html.escape(when)).append("</p>");
        if (news.scheduledFor() != null) {
            html.append("<p>Scheduled: ").append(Html.escape(WHEN.format(news.scheduledFor()))).append(" to ")
                    .append(Html.escape(WHEN.format(news.scheduledUntil()))).append("</p>");
        }
        if (!components.isEmpty()) {
            html.append("<p>Affected: ").append(Html.escape(components)).append("</p>");
        }
        html.append("<p><a href=\"").append(Html.escape(page.url())).append("\">View the status page</a></p><hr><p>You receive this because you ")
                .append("subscribed to ").append(Html.escape(page.name())).append(". <a href=\"").append(UNSUBSCRIBE_URL)
                .append("\">Unsubscribe</a></p></body></html>");
        return request.setText(text.toString()).setHtml(html.toString()).build();
    }

    NotificationRequest confirmation(StatusSubscriber subscriber, long offset, Page page, Instant now) {
        String text = "Someone, hopefully you, asked to receive the status updates of " + page.name() + " at this address.\n\n"
                + "Confirm the subscription (the link works for 7 days):\n" + CONFIRM_URL + "\n\n"
                + "If it was not you, ignore this e-mail: nothing is sent to this address unless the link is followed.\n";
        String html = "<!doctype html><html><body><p>Someone, hopefully you, asked to receive the status updates of "
                + Html.escape(page.name()) + " at this address.</p><p><a href=\"" + CONFIRM_URL + "\">Confirm the subscription</a> "
                + "(the link works for 7 days).</p><p>If it was not you, ignore this e-mail: nothing is sent to this address unless the "
                + "link is followed.</p></body></html>";
        return base("confirm:" + subscriber.getId() + ":" + offset, "status-subscriber:" + subscriber.getId(), "confirm:" + offset,
                CONFIRM_KIND, subscriber, now)
                .setTitle("Confirm your subscription to " + page.name())
                .setText(text).setHtml(html)
                .setSeverity("none").setStatus("pending").setService(page.name()).setUrl(page.url())
                .build();
    }

    private static NotificationRequest.Builder base(String deliveryId, String subjectId, String eventId, String kind,
                                                    StatusSubscriber subscriber, Instant now) {
        return NotificationRequest.newBuilder()
                .setDeliveryId(deliveryId)
                .setIncidentId(subjectId)
                .setEventId(eventId)
                .setKind(kind)
                .setChannel(subscriber.getKind() == SubscriberKind.EMAIL ? EMAIL_CHANNEL : WEBHOOK_CHANNEL)
                .setTarget(subscriber.getId())
                .setSealedAddress(ByteBuffer.wrap(subscriber.getSealedAddress().array().clone()))
                .setSealKeyId(subscriber.getKeyId())
                .setRequestedAt(now);
    }

    /** Statuspage's webhook body for an incident update (a maintenance is an incident with a schedule there too). */
    private String webhook(StatusPageEvent event, News news, Page page, Instant now) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("meta")
                .put("unsubscribe", UNSUBSCRIBE_URL)
                .put("documentation", page.url())
                .put("generated_at", now.toString());
        body.putObject("page").put("id", page.id()).put("name", page.name()).put("url", page.url());
        ObjectNode incident = body.putObject("incident")
                .put("id", news.subjectId())
                .put("page_id", page.id())
                .put("name", news.title())
                .put("status", news.status())
                .put("impact", news.kind().equals(MAINTENANCE_KIND) ? "maintenance" : news.impact())
                .put("created_at", news.createdAt().toString())
                .put("updated_at", news.update().getCreatedAt().toString())
                .put("resolved_at", news.resolvedAt() == null ? null : news.resolvedAt().toString())
                .put("scheduled_for", news.scheduledFor() == null ? null : news.scheduledFor().toString())
                .put("scheduled_until", news.scheduledUntil() == null ? null : news.scheduledUntil().toString())
                .put("shortlink", page.url());
        ArrayNode components = incident.putArray("components");
        news.components().forEach(id -> components.addObject().put("id", id));
        ObjectNode update = incident.putArray("incident_updates").addObject()
                .put("id", news.update().getId())
                .put("incident_id", news.subjectId())
                .put("status", news.update().getStatus())
                .put("body", news.update().getMessage())
                .put("created_at", news.update().getCreatedAt().toString())
                .put("updated_at", news.update().getCreatedAt().toString())
                .put("display_at", news.update().getCreatedAt().toString());
        ArrayNode affected = update.putArray("affected_components");
        for (AffectedComponent component : news.update().getComponents()) {
            affected.addObject().put("code", component.getId()).put("old_status", word(component.getOldStatus().name()))
                    .put("new_status", word(component.getNewStatus().name()));
        }
        body.put("event_id", event.getEventId());
        return body.toString();
    }

}
