package dev.incidentengine.incident.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.incidentengine.service.api.ApiTokens.ApiUser;
import dev.incidentengine.service.api.ApiTokens.Role;

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

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> FIELDS = Set.of("slackUserId", "user", "role");

    private final Map<String, ApiUser> bySlackId;

    SlackUsers(Map<String, ApiUser> bySlackId) {
        this.bySlackId = Map.copyOf(bySlackId);
    }

    public Optional<ApiUser> user(String slackUserId) {
        return Optional.ofNullable(bySlackId.get(slackUserId));
    }

    public static SlackUsers load(Path path) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(path, StandardCharsets.UTF_8));
        } catch (JacksonException e) {
            throw new IllegalArgumentException(path + ": not valid YAML (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException(path + ": cannot read the Slack users file (" + e.getMessage() + ")");
        }
        if (root == null || !root.isObject() || root.size() != 1 || !root.path("users").isArray()) {
            throw new IllegalArgumentException(path + ": must be a mapping with one key, 'users', holding a list");
        }
        Map<String, ApiUser> users = new HashMap<>();
        JsonNode list = root.get("users");
        for (int i = 0; i < list.size(); i++) {
            JsonNode entry = list.get(i);
            String where = path + ": users[" + i + "]";
            if (!entry.isObject()) {
                throw new IllegalArgumentException(where + ": must be a mapping of slackUserId, user and role");
            }
            entry.fieldNames().forEachRemaining(name -> {
                if (!FIELDS.contains(name)) {
                    throw new IllegalArgumentException(where + "." + name + ": unknown field (known: " + FIELDS.stream().sorted().toList() + ")");
                }
            });
            String slackId = text(entry, "slackUserId", where);
            if (!slackId.matches("[UW][A-Z0-9]{2,}")) {
                throw new IllegalArgumentException(where + ".slackUserId: '" + slackId + "' is not a Slack member id (U… or W…)");
            }
            Role role;
            try {
                role = Role.valueOf(text(entry, "role", where).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ".role: must be viewer, responder or admin");
            }
            if (users.put(slackId, new ApiUser(text(entry, "user", where), role)) != null) {
                throw new IllegalArgumentException(where + ": Slack user " + slackId + " is listed twice");
            }
        }
        return new SlackUsers(users);
    }

    private static String text(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.textValue().isBlank()) {
            throw new IllegalArgumentException(where + "." + field + ": is required, a non-empty string");
        }
        return value.textValue().strip();
    }
}
