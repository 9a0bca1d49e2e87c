package dev.incidentengine.ticketing.github;

import java.util.List;
import java.util.regex.Pattern;

import dev.incidentengine.ticketing.HttpUrlValidator;
import dev.incidentengine.ticketing.TicketHttp;
import dev.incidentengine.ticketing.TicketSystem;
import dev.incidentengine.ticketing.TicketSystemProvider;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/** {@code ticket.system=github}: GitHub Issues (github.com or GitHub Enterprise Server) through REST v3. Not polled: webhooks. */
public final class GitHubProvider implements TicketSystemProvider {

    public static final String URL = "github.url";
    public static final String TOKEN = "github.token";
    public static final String REPOSITORY = "github.repository";
    public static final String LABELS = "github.labels";
    public static final String ASSIGNEES = "github.assignees";

    private static final Pattern LOGIN = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})");
    private static final int MAX_ASSIGNEES = 10;
    private static final String GROUP = "GitHub";

    @Override
    public String system() {
        return GitHubSystem.SYSTEM;
    }

    @Override
    public void define(ConfigDef def) {
        int order = 0;
        def.define(URL, Type.STRING, "https://api.github.com", HttpUrlValidator.INSTANCE, Importance.HIGH,
                        "The REST API's URL: https://api.github.com, or https://<host>/api/v3 for GitHub Enterprise Server.",
                        GROUP, ++order, ConfigDef.Width.LONG, "API URL")
                .define(TOKEN, Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE, (name, value) -> {
                            if (value == null || ((Password) value).value().isBlank()) {
                                throw new ConfigException(name, "[hidden]", "a token is required");
                            }
                        }, Importance.HIGH,
                        "A token with Issues read and write on the repository (a fine-grained token, a GitHub App installation "
                                + "token or a classic token with repo scope), through a config provider.",
                        GROUP, ++order, ConfigDef.Width.LONG, "Token")
                .define(REPOSITORY, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, (name, value) -> {
                            if (value == null || !GitHubSystem.REPOSITORY_NAME.matcher(value.toString().strip()).matches()) {
                                throw new ConfigException(name, value, "expected owner/name");
                            }
                        }, Importance.HIGH, "The repository of the issues, owner/name.", GROUP, ++order, ConfigDef.Width.MEDIUM,
                        "Repository")
                .define(LABELS, Type.LIST, "", (name, value) -> {
                            for (Object label : (List<?>) value) {
                                String text = label.toString();
                                if (text.isBlank() || text.length() > GitHubSystem.MAX_LABEL) {
                                    throw new ConfigException(name, value, "a label has 1 to " + GitHubSystem.MAX_LABEL + " characters: " + text);
                                }
                                if (text.startsWith(GitHubSystem.MARKER_LABEL) || text.startsWith(GitHubSystem.SEVERITY_LABEL)) {
                                    throw new ConfigException(name, value, "labels starting with " + GitHubSystem.MARKER_LABEL + " or "
                                            + GitHubSystem.SEVERITY_LABEL + " are the connector's own: " + text);
                                }
                            }
                        }, Importance.MEDIUM,
                        "Labels of every issue, besides the connector's own: " + GitHubSystem.MARKER_LABEL + "<marker>, and "
                                + GitHubSystem.SEVERITY_LABEL + "<SEVn>, which follows the incident's severity.",
                        GROUP, ++order, ConfigDef.Width.LONG, "Labels")
                .define(ASSIGNEES, Type.LIST, "", (name, value) -> {
                            if (((List<?>) value).size() > MAX_ASSIGNEES) {
                                throw new ConfigException(name, value, "GitHub takes at most " + MAX_ASSIGNEES + " assignees");
                            }
                            for (Object login : (List<?>) value) {
                                if (!LOGIN.matcher(login.toString()).matches()) {
                                    throw new ConfigException(name, value, "not a GitHub login: " + login);
                                }
                            }
                        }, Importance.LOW, "Logins assigned to every new issue (at most " + MAX_ASSIGNEES + ", each with access to the repository).",
                        GROUP, ++order, ConfigDef.Width.LONG, "Assignees");
    }

    @Override
    public TicketSystem create(AbstractConfig config, TicketHttp http) {
        return new GitHubSystem(new GitHubSystem.Settings(HttpUrlValidator.base(config.getString(URL)),
                config.getPassword(TOKEN).value(), config.getString(REPOSITORY).strip(), List.copyOf(config.getList(LABELS)),
                List.copyOf(config.getList(ASSIGNEES))), http);
    }

    @Override
    public boolean polled() {
        return false;
    }
}
