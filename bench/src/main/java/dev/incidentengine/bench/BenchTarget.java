package dev.incidentengine.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.incidentengine.model.TicketRef;
import dev.incidentengine.schemas.TicketMarkers;
import dev.incidentengine.testkit.RedmineServer;
import dev.incidentengine.ticketing.TicketConfig;
import dev.incidentengine.ticketing.TicketHttp;
import dev.incidentengine.ticketing.TicketSystem;
import dev.incidentengine.ticketing.jira.JiraContractServer;

/**
 * A ticket system {@code ./bench/ticketing} runs against, started here: a real Redmine (Debian's, on a copy of its sqlite
 * database) or the Jira contract server (Cloud, REST v3). It gives the connector's settings for it, the connector's own
 * client (for the baseline and for reading comments back), and every ticket it holds by marker, read from the system itself.
 */
abstract class BenchTarget implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private TicketSystem client;

    static BenchTarget start(String system, Path dir) throws IOException {
        return switch (system) {
            case "redmine" -> new Redmine(RedmineServer.start(dir));
            case "jira" -> new Jira(new JiraContractServer(3));
            default -> throw new IllegalArgumentException("no benchmark target for " + system + "; known: redmine, jira");
        };
    }

    abstract String system();

    /** The connector's {@code <system>.*} settings. */
    abstract Map<String, String> connectorSettings();

    /** Every ticket whose marker starts with the prefix, by marker ({@code INC-…} or {@code INC-…/AI-n}). */
    abstract Map<String, List<TicketRef>> ticketsByMarker(String prefix) throws Exception;

    /** The connector's client for this system, made as the connector makes it. */
    synchronized TicketSystem client() {
        if (client == null) {
            Map<String, String> props = new HashMap<>(connectorSettings());
            props.put(TicketConfig.SYSTEM, system());
            TicketConfig config = new TicketConfig(TicketConfig.sourceDef(props), props);
            client = config.provider().create(config, TicketHttp.create(system(), config.retry(), config.httpTimeout()));
        }
        return client;
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }

    private static final class Redmine extends BenchTarget {
        private final RedmineServer server;
        private final HttpClient http = HttpClient.newHttpClient();

        Redmine(RedmineServer server) {
            this.server = server;
        }

        @Override
        String system() {
            return "redmine";
        }

        @Override
        Map<String, String> connectorSettings() {
            return Map.of("redmine.url", server.url(), "redmine.api.key", server.adminKey(), "redmine.project", server.project());
        }

        /** Every issue of the project, 100 a page, with its Incident field. */
        @Override
        Map<String, List<TicketRef>> ticketsByMarker(String prefix) throws Exception {
            Map<String, List<TicketRef>> tickets = new HashMap<>();
            String field = Integer.toString(server.incidentFieldId());
            for (int offset = 0; ; offset += 100) {
                HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(server.url() + "/issues.json?project_id="
                                + server.project() + "&status_id=*&sort=id&limit=100&offset=" + offset))
                        .header("X-Redmine-API-Key", server.adminKey()).timeout(Duration.ofSeconds(60)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (page.statusCode() != 200) {
                    throw new IOException("Redmine's issue list: HTTP " + page.statusCode() + " " + page.body());
                }
                JsonNode issues = JSON.readTree(page.body()).path("issues");
                for (JsonNode issue : issues) {
                    for (JsonNode custom : issue.path("custom_fields")) {
                        String marker = custom.path("value").asText("");
                        if (custom.path("id").asText().equals(field) && marker.startsWith(prefix)) {
                            String id = issue.path("id").asText();
                            tickets.computeIfAbsent(marker, m -> new ArrayList<>()).add(new TicketRef("redmine", id,
                                    server.url() + "/issues/" + id, null));
                        }
                    }
                }
                if (issues.size() < 100) {
                    return tickets;
                }
            }
        }

        @Override
        public void close() {
            super.close();
            server.close();
        }
    }

    private static final class Jira extends BenchTarget {
        private final JiraContractServer server;

        Jira(JiraContractServer server) {
            this.server = server;
        }

        @Override
        String system() {
            return "jira";
        }

        @Override
        Map<String, String> connectorSettings() {
            return Map.of("jira.url", server.url().toString(), "jira.api.version", "3", "jira.user", JiraContractServer.USER,
                    "jira.token", JiraContractServer.TOKEN, "jira.project", JiraContractServer.PROJECT);
        }

        @Override
        Map<String, List<TicketRef>> ticketsByMarker(String prefix) {
            Map<String, List<TicketRef>> tickets = new HashMap<>();
            for (JiraContractServer.Issue issue : server.issues()) {
                for (String label : issue.labels()) {
                    Optional<TicketMarkers.Marked> marked = TicketMarkers.parse(label);
                    marked.map(m -> m.actionItemId() == null ? m.incidentId() : m.incidentId() + "/" + m.actionItemId())
                            .filter(marker -> marker.startsWith(prefix))
                            .ifPresent(marker -> tickets.computeIfAbsent(marker, m -> new ArrayList<>()).add(new TicketRef("jira", issue.key,
                                    server.url() + "/browse/" + issue.key, null)));
                }
            }
            return tickets;
        }

        @Override
        public void close() {
            super.close();
            server.close();
        }
    }
}
