package dev.incidentengine.ticketing.redmine;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.Severity;
import dev.incidentengine.ticketing.TicketHttp;
import dev.incidentengine.ticketing.TicketSystem;
import dev.incidentengine.testkit.RedmineServer;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;

/** The connector's Redmine client for a test Redmine, and what its people do there through the API. */
final class RedmineFixture {

    private static final AtomicInteger INCIDENTS = new AtomicInteger();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private RedmineFixture() {
    }

    /** The connector's settings for the server, as a connector config would give them, with the changes given. */
    static Map<String, String> config(RedmineServer redmine, Map<String, String> changes) {
        Map<String, String> config = new HashMap<>(Map.of(RedmineProvider.URL, redmine.url(), RedmineProvider.API_KEY, redmine.adminKey(),
                RedmineProvider.PROJECT, redmine.project()));
        config.putAll(changes);
        return config;
    }

    static RedmineSystem system(RedmineServer redmine, Map<String, String> changes) {
        ConfigDef def = new ConfigDef();
        new RedmineProvider().define(def);
        TicketHttp http = TicketHttp.create(RedmineSystem.SYSTEM, new TicketHttp.Retry(3, Duration.ofMillis(200), Duration.ofSeconds(1),
                Duration.ofSeconds(5)), Duration.ofSeconds(30));
        return (RedmineSystem) new RedmineProvider().create(new AbstractConfig(def, config(redmine, changes)), http);
    }

    /** An incident id no other test uses. */
    static String incidentId() {
        return "INC-20261205-" + ProcessHandle.current().pid() % 1000 + "-" + String.format("%04d", INCIDENTS.incrementAndGet());
    }

    static TicketSystem.NewTicket ticket(TicketSystem.Subject subject, String summary, String description, Severity severity) {
        return new TicketSystem.NewTicket(subject, summary, description, severity, "checkout", List.of(), null, Map.of());
    }

    /** GET of the API with a key, its JSON. */
    static JsonNode get(RedmineServer redmine, String key, String path) throws IOException, InterruptedException {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(redmine.url() + path)).header("X-Redmine-API-Key", key)
                .build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": HTTP " + answer.statusCode() + " " + answer.body());
        }
        return TicketHttp.JSON.readTree(answer.body());
    }

    /** What a person does to an issue with her key: PUT of the issue's fields ({@code notes}, {@code status_id}). */
    static void update(RedmineServer redmine, String key, String issue, Map<String, Object> fields) throws IOException, InterruptedException {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(redmine.url() + "/issues/" + issue + ".json"))
                .header("X-Redmine-API-Key", key).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(TicketHttp.JSON.writeValueAsString(Map.of("issue", fields)))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 204) {
            throw new IllegalStateException("PUT issue " + issue + ": HTTP " + answer.statusCode() + " " + answer.body());
        }
    }

    static int statusId(RedmineServer redmine, String name) throws IOException, InterruptedException {
        for (JsonNode status : get(redmine, redmine.adminKey(), "/issue_statuses.json").path("issue_statuses")) {
            if (status.path("name").asText().equals(name)) {
                return status.path("id").asInt();
            }
        }
        throw new IllegalArgumentException("no status " + name);
    }
}
