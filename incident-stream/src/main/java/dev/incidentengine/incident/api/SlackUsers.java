package dev.incidentengine.incident.api;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;
import dev.incidentengine.service.api.YamlEntries;

/**
 * Who a Slack user is in the engine, from a YAML file ({@code slack.users.file}):
 * <pre>
 * users:
 *   - slackUserId: U0123ABCD   # the member id (Slack: profile, "Copy member ID")
 *     user: alice              # the engine user: the actor of what they do in Slack
 *     role: responder          # viewer | responder | admin, as an API token's
 * </pre>
 * A Slack user not listed can do nothing. Errors name the file and the entry.
 */
public final class SlackUsers {

    private static final Set<String> FIELDS = Set.of("slackUserId", "user", "role");

    private final Map<String, ApiUser> bySlackId;
    /** An engine user's Slack member id: the lowest, if several Slack users act as one engine user. */
    private final Map<String, String> byUser = new HashMap<>();

    SlackUsers(Map<String, ApiUser> bySlackId) {
        this.bySlackId = Map.copyOf(bySlackId);
        new TreeMap<>(bySlackId).forEach((slackId, user) -> byUser.putIfAbsent(user.user(), slackId));
    }

    public Optional<ApiUser> user(String slackUserId) {
        return Optional.ofNullable(bySlackId.get(slackUserId));
    }

    /** The Slack member id of an engine user, if one is listed. */
    public Optional<String> slackId(String user) {
        return Optional.ofNullable(byUser.get(user));
    }

    public static SlackUsers load(Path path) {
        Map<String, ApiUser> users = new HashMap<>();
        for (YamlEntries.Entry entry : YamlEntries.read(path, "users", FIELDS, "the Slack users file")) {
            String slackId = entry.text("slackUserId");
            if (!slackId.matches("[UW][A-Z0-9]{2,}")) {
                throw new IllegalArgumentException(entry.where() + ".slackUserId: '" + slackId + "' is not a Slack member id (U… or W…)");
            }
            Role role;
            try {
                role = Role.valueOf(entry.text("role").toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(entry.where() + ".role: must be viewer, responder or admin");
            }
            if (users.put(slackId, new ApiUser(entry.text("user"), role)) != null) {
                throw new IllegalArgumentException(entry.where() + ": Slack user " + slackId + " is listed twice");
            }
        }
        return new SlackUsers(users);
    }
}
