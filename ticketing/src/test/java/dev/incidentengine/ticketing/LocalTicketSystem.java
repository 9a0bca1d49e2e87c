package dev.incidentengine.ticketing;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.TicketRef;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/**
 * The client of {@link LocalTicketServer}: a {@link TicketSystem} as the real ones are, over {@link TicketHttp}, registered
 * as system {@code local} (by {@code META-INF/services} in the tests' jar, which the integration tests put in the plugin's
 * directory). Its settings: {@code local.url} (required) and {@code local.token} (a password).
 */
public final class LocalTicketSystem implements TicketSystem {

    public static final String SYSTEM = "local";
    public static final String URL = "local.url";
    public static final String TOKEN = "local.token";

    /** Registers the system with the connector. */
    public static final class Provider implements TicketSystemProvider {

        @Override
        public String system() {
            return SYSTEM;
        }

        @Override
        public void define(ConfigDef def) {
            def.define(URL, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, (name, value) -> {
                        if (value == null || !value.toString().matches("https?://.+")) {
                            throw new org.apache.kafka.common.config.ConfigException(name, value, "not an http(s) URL");
                        }
                    }, ConfigDef.Importance.HIGH, "The local ticket server's base URL.")
                    .define(TOKEN, ConfigDef.Type.PASSWORD, null, ConfigDef.Importance.HIGH, "Its bearer token.");
        }

        @Override
        public TicketSystem create(AbstractConfig config, TicketHttp http) {
            Password token = config.getPassword(TOKEN);
            return new LocalTicketSystem(http, config.getString(URL), token == null ? null : token.value());
        }

        @Override
        public boolean polled() {
            return true;
        }
    }

    private final TicketHttp http;
    private final String url;
    private final String token;

    public LocalTicketSystem(TicketHttp http, String url, String token) {
        this.http = http;
        this.url = url.replaceAll("/+$", "");
        this.token = token;
    }

    @Override
    public String system() {
        return SYSTEM;
    }

    @Override
    public Optional<TicketRef> find(Subject subject) throws TicketException {
        JsonNode found = http.send("find", request("/api/tickets?marker=" + encode(subject.marker())).GET().build()).json();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        JsonNode first = found.get(0);
        return Optional.of(ref(first.get("key").asText(), first.get("url").asText(), subject));
    }

    @Override
    public TicketRef create(NewTicket ticket) throws TicketException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("marker", ticket.subject().marker());
        body.put("summary", ticket.summary());
        body.put("description", ticket.description());
        body.put("severity", ticket.severity() == null ? null : ticket.severity().name());
        body.put("service", ticket.service());
        body.put("labels", ticket.labels());
        body.put("parent", ticket.parent() == null ? null : ticket.parent().getKey());
        body.put("fields", ticket.fields());
        JsonNode created = http.send("create", request("/api/tickets").POST(TicketHttp.json(body)).build()).json();
        if (!created.hasNonNull("key")) {
            throw TicketException.invalid(SYSTEM, "create", "no key in the answer");
        }
        return ref(created.get("key").asText(), created.get("url").asText(), ticket.subject());
    }

    @Override
    public void comment(TicketRef ticket, String text) throws TicketException {
        http.send("comment", request("/api/tickets/" + ticket.getKey() + "/comments").POST(TicketHttp.json(Map.of("text", text))).build());
    }

    @Override
    public List<String> recentComments(TicketRef ticket, int limit) throws TicketException {
        List<String> texts = new ArrayList<>();
        http.send("recent comments", request("/api/tickets/" + ticket.getKey() + "/comments?limit=" + limit).GET().build())
                .json().forEach(comment -> texts.add(comment.get("text").asText()));
        return texts;
    }

    @Override
    public void transition(TicketRef ticket, Transition transition, String comment) throws TicketException {
        String to = switch (transition) {
            case RESOLVE -> "resolved";
            case CLOSE -> "closed";
            case REOPEN -> "open";
        };
        http.send("transition", request("/api/tickets/" + ticket.getKey() + "/transitions")
                .POST(TicketHttp.json(Map.of("to", to, "comment", comment))).build());
    }

    @Override
    public void changeSeverity(TicketRef ticket, Severity severity) throws TicketException {
        http.send("change severity", request("/api/tickets/" + ticket.getKey() + "/severity")
                .PUT(TicketHttp.json(Map.of("severity", severity.name()))).build());
    }

    @Override
    public ChangePage changesSince(String cursor, int max) throws TicketException {
        JsonNode page = http.send("changes", request("/api/changes?max=" + max + (cursor == null ? "" : "&after=" + encode(cursor))).GET().build()).json();
        List<TicketChange> changes = new ArrayList<>();
        for (JsonNode change : page.get("changes")) {
            String[] marker = change.get("marker").asText().split("/", 2);
            Subject subject = new Subject(marker[0], marker.length > 1 ? marker[1] : null);
            changes.add(new TicketChange(change.get("id").asText(), subject,
                    ref(change.get("key").asText(), url + "/tickets/" + change.get("key").asText(), subject),
                    TicketChange.Kind.valueOf(change.get("kind").asText().toUpperCase(java.util.Locale.ROOT)),
                    change.get("login").asText(), change.path("name").asText(null), Instant.parse(change.get("at").asText()),
                    change.path("text").asText(null)));
        }
        return new ChangePage(changes, page.get("next").asText());
    }

    private java.net.http.HttpRequest.Builder request(String path) {
        java.net.http.HttpRequest.Builder builder = http.request(URI.create(url + path)).header("Content-Type", "application/json");
        return token == null ? builder : builder.header("Authorization", "Bearer " + token);
    }

    private static TicketRef ref(String key, String url, Subject subject) {
        return TicketRef.newBuilder().setSystem(SYSTEM).setKey(key).setUrl(url).setActionItemId(subject.actionItemId()).build();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        // The JDK's client holds nothing that needs closing here.
    }
}
