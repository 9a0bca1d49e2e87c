package dev.incidentengine.notifier.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.incidentengine.configdata.AvroJson;
import dev.incidentengine.model.DeliveryOutcome;
import dev.incidentengine.model.IncidentAcknowledged;
import dev.incidentengine.model.IncidentClosed;
import dev.incidentengine.model.IncidentEvent;
import dev.incidentengine.model.IncidentReopened;
import dev.incidentengine.model.IncidentResolved;
import dev.incidentengine.model.NotificationPlan;
import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.NotificationResult;
import dev.incidentengine.model.PlannedRunbook;
import dev.incidentengine.model.PagePlan;
import dev.incidentengine.model.PublicUpdateMissed;
import dev.incidentengine.model.ReviewRequired;
import dev.incidentengine.model.RoleRequested;
import dev.incidentengine.model.SeverityChanged;
import dev.incidentengine.model.StatusUpdatePosted;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.notifier.channel.MessageKind;
import dev.incidentengine.notifier.plan.Planner.Send;
import dev.incidentengine.notifier.template.Templates;

/**
 * Turns what the {@link Planner} decided into addressed, rendered requests: a page goes to the
 * paged user's contact of the step's type, news to every channel subscribed to the incident's
 * service, kind and severity. A page that cannot be addressed comes back as a failed result, so
 * the planner moves on to the user's next contact method.
 */
public final class Composer {

    /** The config the notifier reads: users, services and subscribed channels. */
    public interface Directory {
        UserConfig user(String id);

        ServiceConfig service(String id);

        List<ChannelConfig> channels();

        /** A response role's name (Incident Commander); the id for a role the configuration does not know. */
        String roleName(String id);
    }

    /** Requests to send, and pages that could not be addressed. */
    public record Composed(List<NotificationRequest> requests, List<NotificationResult> failures) {
    }

    private final Templates templates;
    private final String linkBase;

    /** @param linkBase the incident API's public base URL (links in messages); null leaves links out */
    public Composer(Templates templates, String linkBase) {
        this.templates = templates;
        this.linkBase = linkBase == null || linkBase.isBlank() ? null : linkBase.replaceAll("/+$", "");
    }

    public Composed compose(Send send, NotificationPlan plan, Directory directory, Instant now) {
        ServiceConfig service = plan.getServiceId() == null ? null : directory.service(plan.getServiceId());
        Map<String, String> overrides = service == null ? Map.of() : service.getNotificationTemplates();
        Map<String, Object> context = context(send, plan, service, directory, now);
        // The same event goes to every subscribed channel: written as JSON once.
        String eventJson = send.event() == null ? null : AvroJson.write(send.event()).toString();
        List<NotificationRequest> requests = new ArrayList<>();
        List<NotificationResult> failures = new ArrayList<>();
        if (send.isPage()) {
            toPerson(send, send.contactType(), send.step(), plan, directory, context, overrides, eventJson, now, requests, failures);
            return new Composed(requests, failures);
        }
        if (send.kind() == MessageKind.PUBLIC_UPDATE_DUE) {
            UserConfig user = directory.user(send.userId());
            List<String> contacts = user == null ? List.of("EMAIL") : PublicUpdateReminders.contacts(user);
            for (int i = 0; i < contacts.size(); i++) {
                toPerson(send, contacts.get(i), i, plan, directory, context, overrides, eventJson, now, requests, failures);
            }
            return new Composed(requests, failures);
        }
        for (ChannelConfig subscribed : directory.channels()) {
            if (subscribes(subscribed, plan, send.kind())) {
                String channel = subscribed.getType().name().toLowerCase(Locale.ROOT).replace('_', '-');
                requests.add(request(deliveryId(send.eventId(), subscribed.getId(), channel, 0), send, 0, plan, channel,
                        subscribed.getId(), subscribed.getAddress(), subscribed.getSecret(), context, overrides, eventJson, now));
            }
        }
        return new Composed(requests, failures);
    }

    /** A message to a person's contact of {@code contactType}; one the person lacks is a failed result at once. */
    private void toPerson(Send send, String contactType, int step, NotificationPlan plan, Directory directory, Map<String, Object> context,
                          Map<String, String> overrides, String eventJson, Instant now, List<NotificationRequest> requests,
                          List<NotificationResult> failures) {
        String channel = contactType.toLowerCase(Locale.ROOT);
        UserConfig user = directory.user(send.userId());
        String address = user == null ? null : user.getContacts().stream()
                .filter(contact -> contact.getType().name().equals(contactType))
                .map(ContactMethod::getAddress).findFirst().orElse(null);
        String deliveryId = deliveryId(send.eventId(), send.userId(), channel, step);
        if (address == null) {
            failures.add(NotificationResult.newBuilder()
                    .setDeliveryId(deliveryId).setIncidentId(plan.getIncidentId()).setEventId(send.eventId())
                    .setChannel(channel).setKind(send.kind().id()).setTarget(send.userId()).setStep(step)
                    .setOutcome(DeliveryOutcome.FAILED).setAttempts(0).setLatencyMillis(0)
                    .setError(user == null ? "user " + send.userId() + " is not configured"
                            : "user " + send.userId() + " has no " + contactType + " contact")
                    .setTimestamp(now).build());
        } else {
            requests.add(request(deliveryId, send, step, plan, channel, send.userId(), address, null, context, overrides, eventJson, now));
        }
    }

    /** The idempotency key of a delivery: event id + target + channel + step. */
    public static String deliveryId(String eventId, String target, String channel, int step) {
        return eventId + ":" + target + ":" + channel + ":" + step;
    }

    private static boolean subscribes(ChannelConfig channel, NotificationPlan plan, MessageKind kind) {
        return (channel.getServices().isEmpty() || channel.getServices().contains(plan.getServiceId()))
                && (channel.getEvents().isEmpty() || channel.getEvents().contains(kind.id()))
                && (channel.getSeverities().isEmpty() || channel.getSeverities().contains(plan.getSeverity()));
    }

    private NotificationRequest request(String deliveryId, Send send, int step, NotificationPlan plan, String channel, String target,
            String address, String secret, Map<String, Object> context, Map<String, String> overrides, String eventJson, Instant now) {
        Templates.Rendered rendered = templates.render(channel, send.kind(), context, overrides);
        return NotificationRequest.newBuilder()
                .setDeliveryId(deliveryId)
                .setIncidentId(plan.getIncidentId())
                .setEventId(send.eventId())
                .setKind(send.kind().id())
                .setChannel(channel)
                .setTarget(target)
                .setStep(step)
                .setAddress(address)
                .setSecret(secret)
                .setTitle(rendered.title())
                .setText(rendered.text())
                .setHtml(rendered.html())
                .setUrl(incidentUrl(plan))
                .setSeverity(plan.getSeverity())
                .setStatus(plan.getStatus())
                .setService(String.valueOf(((Map<?, ?>) context.get("incident")).get("service")))
                .setEventJson(eventJson)
                .setRequestedAt(now)
                .build();
    }

    private Map<String, Object> context(Send send, NotificationPlan plan, ServiceConfig service, Directory directory, Instant now) {
        Map<String, Object> incident = new LinkedHashMap<>();
        incident.put("id", plan.getIncidentId());
        incident.put("title", plan.getTitle());
        incident.put("severity", plan.getSeverity());
        incident.put("status", plan.getStatus());
        incident.put("service", service != null ? service.getName() : plan.getServiceId());
        incident.put("url", incidentUrl(plan));
        incident.put("openedAt", plan.getOpenedAt().toString());
        incident.put("alerts", plan.getAlerts());
        incident.put("drill", plan.getDrill());
        Map<String, Object> context = new HashMap<>();
        context.put("incident", incident);
        List<Map<String, Object>> runbooks = runbooks(plan);
        if (!runbooks.isEmpty()) {
            context.put("runbooks", runbooks);
            context.put("runbook", runbooks.get(0));
        }
        context.put("event", event(send, now));
        if (send.isPage()) {
            UserConfig user = directory.user(send.userId());
            context.put("page", Map.of("userId", send.userId(), "userName", user == null ? send.userId() : user.getName(),
                    "level", send.level() + 1, "contactType", send.contactType()));
        }
        if (send.kind() == MessageKind.ROLE_REQUESTED) {
            PagePlan page = Planner.findPage(plan, send.eventId(), send.userId());
            String role = page == null ? null : page.getRole();
            if (role != null) {
                context.put("role", Map.of("id", role, "name", directory.roleName(role),
                        "command", "incidentctl role " + plan.getIncidentId() + " " + role + " " + send.userId()));
            }
        }
        // How to acknowledge: the CLI. No link yet: acknowledging is a POST, which a link in a message cannot make
        // (one-click links need signed tokens, with the console). A call cannot show a command, so it says none.
        if ((send.isPage() || send.kind() == MessageKind.OPENED) && !"VOICE".equals(send.contactType())) {
            context.put("ack", Map.of("command", "incidentctl ack " + plan.getIncidentId()));
        }
        if (plan.getResolvedAt() != null) {
            Map<String, Object> summary = new HashMap<>();
            if (plan.getAcknowledgedAt() != null) {
                summary.put("timeToAcknowledge", human(Duration.between(plan.getOpenedAt(), plan.getAcknowledgedAt())));
            }
            summary.put("timeToResolve", human(Duration.between(plan.getOpenedAt(), plan.getResolvedAt())));
            summary.put("duration", human(Duration.between(plan.getOpenedAt(), plan.getResolvedAt())));
            context.put("summary", summary);
        }
        return context;
    }

    private static Map<String, Object> event(Send send, Instant now) {
        Map<String, Object> event = new HashMap<>();
        event.put("kind", send.kind().id());
        IncidentEvent source = send.event();
        event.put("at", (source == null ? now : source.getTimestamp()).toString());
        if (source == null) {
            return event;
        }
        event.put("actor", source.getActor().getName() != null ? source.getActor().getName() : source.getActor().getId());
        Object payload = source.getPayload();
        if (payload instanceof IncidentAcknowledged acknowledged && acknowledged.getMessage() != null) {
            event.put("message", acknowledged.getMessage());
        } else if (payload instanceof StatusUpdatePosted update) {
            event.put("message", update.getMessage());
        } else if (payload instanceof IncidentResolved resolved && resolved.getResolution() != null) {
            event.put("message", resolved.getResolution());
        } else if (payload instanceof IncidentReopened reopened && reopened.getReason() != null) {
            event.put("reason", reopened.getReason());
        } else if (payload instanceof IncidentClosed closed && closed.getReason() != null) {
            event.put("reason", closed.getReason());
        } else if (payload instanceof ReviewRequired review) {
            event.put("required", review.getRequired());
            event.put("dueAt", review.getDueAt().toString());
            if (review.getReason() != null) {
                event.put("reason", review.getReason());
            }
        } else if (payload instanceof PublicUpdateMissed missed) {
            event.put("dueAt", missed.getDueAt().toString());
            event.put("lastUpdateAt", missed.getLastUpdateAt().toString());
        } else if (payload instanceof RoleRequested requested) {
            event.put("reason", requested.getReason());
        } else if (payload instanceof SeverityChanged changed) {
            event.put("fromSeverity", changed.getFrom().name());
            event.put("toSeverity", changed.getTo().name());
            if (changed.getReason() != null) {
                event.put("reason", changed.getReason());
            }
        }
        return event;
    }

    /**
     * The incident's runbooks, each linked to its own page when it has one, else to its steps on the incident's console page
     * (where they are marked); no link without either.
     */
    private List<Map<String, Object>> runbooks(NotificationPlan plan) {
        List<Map<String, Object>> runbooks = new ArrayList<>();
        String page = incidentUrl(plan);
        for (PlannedRunbook runbook : plan.getRunbooks()) {
            Map<String, Object> linked = new HashMap<>();
            linked.put("id", runbook.getRunbookId());
            linked.put("title", runbook.getTitle());
            String url = runbook.getUrl() != null ? runbook.getUrl() : page == null ? null : page + "#runbook-" + runbook.getRunbookId();
            if (url != null) {
                linked.put("url", url);
            }
            runbooks.add(linked);
        }
        return runbooks;
    }

    private String incidentUrl(NotificationPlan plan) {
        return linkBase == null ? null : linkBase + "/incidents/" + plan.getIncidentId(); // the console's page of the incident
    }

    /** "4m 12s", "2h 5m", "3d 4h": what a reader takes in at a glance. */
    static String human(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m " + seconds % 60 + "s";
        }
        if (seconds < 86400) {
            return seconds / 3600 + "h " + seconds % 3600 / 60 + "m";
        }
        return seconds / 86400 + "d " + seconds % 86400 / 3600 + "h";
    }
}
