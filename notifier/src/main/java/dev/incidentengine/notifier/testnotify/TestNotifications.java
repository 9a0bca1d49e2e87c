package dev.incidentengine.notifier.testnotify;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.incidentengine.model.NotificationRequest;
import dev.incidentengine.model.config.ChannelConfig;
import dev.incidentengine.model.config.ContactMethod;
import dev.incidentengine.model.config.UserConfig;
import dev.incidentengine.notifier.channel.Markup;
import dev.incidentengine.notifier.channel.MessageKind;
import dev.incidentengine.notifier.template.Templates;
import dev.incidentengine.service.api.ApiError;

/**
 * What {@code incidentctl test-notify} sends: one {@link MessageKind#TEST} request per chosen contact of a user or channel,
 * rendered with the templates (values escaped per channel like any message) and addressed as a page or news would be, so
 * it goes through the sender's real path. Pure.
 *
 * <p>A run's requests are about the pseudo-incident {@code test:<run id>}: results come back under that id, which no incident
 * has, so the planner (no plan) and everything that reads results by incident (timeline, review, report) pass them by. The
 * delivery id is {@code test:<run id>:<target key>}: the same run asked again is skipped by the sender's ledger.
 */
public final class TestNotifications {

    /** Every run's requests and results are keyed by this prefix and the run id. */
    public static final String INCIDENT_PREFIX = "test:";

    /** Which targets a run tests: one user's contacts, one channel, or everything configured. */
    public record Scope(String user, String channel, boolean all) {
    }

    /**
     * One contact or channel to test.
     *
     * @param key     unique in a run: {@code user:<id>:<channel>:<contact index>} or {@code channel:<id>}
     * @param kind    {@code user} or {@code channel}
     * @param channel the notifier's channel that delivers it (email, sms, slack-webhook, …)
     * @param type    the contact's or channel's configured type (EMAIL, SLACK_WEBHOOK, …)
     * @param index   the contact's index among the user's contacts (0 for channels)
     */
    public record Target(String key, String kind, String id, String name, String channel, String type, String address, String secret,
                         int index) {
    }

    private final Templates templates;
    private final String linkBase;

    /** @param linkBase the engine's public URL (named in the message); null: none */
    public TestNotifications(Templates templates, String linkBase) {
        this.templates = templates;
        this.linkBase = linkBase == null || linkBase.isBlank() ? null : linkBase.replaceAll("/+$", "");
    }

    /** The targets of {@code scope}, users' contacts first, sorted; 404 for an unknown user or channel, 422 for none or too many. */
    public static List<Target> targets(Scope scope, Collection<UserConfig> users, Collection<ChannelConfig> channels, int max) {
        List<Target> targets = new ArrayList<>();
        if (scope.user() != null) {
            UserConfig user = users.stream().filter(u -> u.getId().equals(scope.user())).findFirst()
                    .orElseThrow(() -> new ApiError(404, "user", "no user " + scope.user() + " is configured"));
            contacts(user, targets);
            if (targets.isEmpty()) {
                throw new ApiError(422, "user", "user " + user.getId() + " has no contacts to test");
            }
        } else if (scope.channel() != null) {
            targets.add(channel(channels.stream().filter(c -> c.getId().equals(scope.channel())).findFirst()
                    .orElseThrow(() -> new ApiError(404, "channel", "no channel " + scope.channel() + " is configured"))));
        } else {
            users.stream().sorted(Comparator.comparing(UserConfig::getId)).forEach(user -> contacts(user, targets));
            channels.stream().sorted(Comparator.comparing(ChannelConfig::getId)).forEach(channel -> targets.add(channel(channel)));
            if (targets.isEmpty()) {
                throw new ApiError(422, "all", "no user has a contact and no channel is configured: nothing to test");
            }
        }
        if (targets.size() > max) {
            throw new ApiError(422, scope.all() ? "all" : "user", targets.size() + " contacts and channels to test, more than the "
                    + max + " a run may page (notifier.test.max.targets): test users or channels one at a time");
        }
        return targets;
    }

    private static void contacts(UserConfig user, List<Target> targets) {
        List<ContactMethod> contacts = user.getContacts();
        for (int i = 0; i < contacts.size(); i++) {
            ContactMethod contact = contacts.get(i);
            String channel = contact.getType().name().toLowerCase(Locale.ROOT);
            targets.add(new Target("user:" + user.getId() + ":" + channel + ":" + i, "user", user.getId(), user.getName(), channel,
                    contact.getType().name(), contact.getAddress(), null, i));
        }
    }

    private static Target channel(ChannelConfig channel) {
        String name = channel.getType().name().toLowerCase(Locale.ROOT).replace('_', '-');
        return new Target("channel:" + channel.getId(), "channel", channel.getId(), channel.getName(), name, channel.getType().name(),
                channel.getAddress(), channel.getSecret(), 0);
    }

    /** The delivery id of a target's test in a run. */
    public static String deliveryId(String runId, Target target) {
        return INCIDENT_PREFIX + runId + ":" + target.key();
    }

    /** The rendered, addressed request for one target of run {@code runId}, asked for by {@code requestedBy}. */
    public NotificationRequest request(String runId, Target target, String requestedBy, Instant now) {
        String method = method(target);
        Map<String, Object> test = new HashMap<>();
        test.put("engine", linkBase == null ? "the incident engine" : "the incident engine at " + host(linkBase));
        test.put("runId", runId);
        test.put("requestedBy", requestedBy);
        test.put("target", target.kind() + " " + target.id());
        test.put("targetName", target.name());
        test.put("method", method);
        test.put("at", now.toString());
        if (linkBase != null) {
            test.put("url", linkBase);
        }
        Templates.Rendered rendered = templates.render(target.channel(), MessageKind.TEST, Map.of("test", test), Map.of());
        return NotificationRequest.newBuilder()
                .setDeliveryId(deliveryId(runId, target))
                .setIncidentId(INCIDENT_PREFIX + runId)
                .setEventId(INCIDENT_PREFIX + runId)
                .setKind(MessageKind.TEST.id())
                .setChannel(target.channel())
                .setTarget(target.id())
                .setStep(target.index())
                .setAddress(target.address())
                .setSecret(target.secret())
                .setTitle(rendered.title())
                .setText(rendered.text())
                .setHtml(rendered.html())
                .setUrl(linkBase)
                .setSeverity("TEST")
                // PagerDuty has no test event: a resolve of a dedup key no incident has is accepted (202) and opens nothing,
                // yet proves the routing key and the endpoint; a trigger would page whoever is on call there.
                .setStatus(target.channel().equals("pagerduty") ? "RESOLVED" : "TEST")
                .setService("test-notify")
                .setRequestedAt(now)
                .build();
    }

    /** How a person reads the method: "e-mail", "SMS", "Slack webhook", … */
    private static String method(Target target) {
        return switch (target.channel()) {
            case "email" -> "e-mail";
            case "sms" -> "SMS";
            case "voice" -> "voice call";
            case "slack" -> "Slack";
            case "slack-webhook" -> "Slack webhook";
            case "teams" -> "Microsoft Teams";
            case "pagerduty" -> "PagerDuty";
            default -> "webhook";
        };
    }

    private static String host(String url) {
        String host = URI.create(url).getHost();
        return host == null ? url : host;
    }

    /**
     * The address as the run's table shows it: enough to recognise, not to reuse. URLs (a Slack or Teams webhook URL is itself
     * a credential) keep scheme, host and port; e-mail keeps the first letter and the domain; numbers the country code and the
     * last four digits; Slack ids stay (they are no secret). Null: the channel's default (PagerDuty's Events API).
     */
    public static String masked(Target target) {
        String address = target.address();
        if (address == null || address.isBlank()) {
            return null;
        }
        String link = Markup.httpLink(address);
        if (link != null) {
            URI uri = URI.create(link);
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                    + (uri.getRawPath() == null || uri.getRawPath().length() <= 1 ? "" : "/…");
        }
        if (target.channel().equals("email")) {
            List<String> masked = new ArrayList<>();
            for (String one : address.split(",")) {
                String mail = one.strip();
                int at = mail.lastIndexOf('@');
                masked.add(at <= 0 ? "…" : mail.charAt(0) + "…" + mail.substring(at));
            }
            return String.join(", ", masked);
        }
        if (address.startsWith("+") && address.length() > 7) {
            return address.substring(0, 3) + "…" + address.substring(address.length() - 4);
        }
        return address.length() > 64 ? address.substring(0, 64) + "…" : address;
    }
}
