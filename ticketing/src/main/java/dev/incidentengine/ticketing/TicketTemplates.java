package dev.incidentengine.ticketing;

import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;

/**
 * The connector's Mustache templates (JMustache, as the notifier's), compiled once. They render plain text: values are not
 * escaped here, each system's client escapes the text for its own markup (Jira ADF or wiki, Redmine Textile, Markdown). A
 * missing variable renders empty; there are no partials.
 */
public final class TicketTemplates {

    private static final Mustache.Compiler COMPILER = Mustache.compiler().escapeHTML(false).defaultValue("").emptyStringIsFalse(true);
    /** Every variable the templates are given, with sample values: a template is checked by running it on them. */
    private static final Map<String, Object> SAMPLE = Map.of(
            "id", "INC-1", "title", "Checkout down", "severity", "SEV1", "service", "checkout", "openedAt", "2026-01-01T00:00:00Z",
            "url", "https://incidents.example.com/incidents/INC-1", "headline", "Note", "text", "text", "actor", "Alice",
            "actionItem", Map.of("id", "AI-1", "title", "Add an alert", "owner", "alice", "dueAt", "2026-01-08T00:00:00Z",
                    "priority", "HIGH", "link", ""));

    private final Template summary;
    private final Template description;
    private final Template comment;
    private final Template resolution;
    private final Template actionSummary;
    private final Template actionDescription;
    private final Template incidentUrl;
    private final Map<String, Template> fields = new LinkedHashMap<>();

    public TicketTemplates(TicketConfig config) {
        this.summary = COMPILER.compile(config.getString(TicketConfig.SUMMARY_TEMPLATE));
        this.description = COMPILER.compile(config.getString(TicketConfig.DESCRIPTION_TEMPLATE));
        this.comment = COMPILER.compile(config.getString(TicketConfig.COMMENT_TEMPLATE));
        this.resolution = COMPILER.compile(config.getString(TicketConfig.RESOLUTION_TEMPLATE));
        this.actionSummary = COMPILER.compile(config.getString(TicketConfig.ACTION_SUMMARY_TEMPLATE));
        this.actionDescription = COMPILER.compile(config.getString(TicketConfig.ACTION_DESCRIPTION_TEMPLATE));
        String url = config.getString(TicketConfig.INCIDENT_URL);
        this.incidentUrl = url.isBlank() ? null : COMPILER.compile(url.trim());
        config.fieldTemplates().forEach((field, text) -> fields.put(field, COMPILER.compile(text)));
    }

    /** Throws IllegalArgumentException saying what is wrong with the template. */
    public static void check(String name, String template) {
        if (template == null) {
            throw new IllegalArgumentException(name + " is empty");
        }
        try {
            COMPILER.compile(template).execute(SAMPLE, new StringWriter());
        } catch (MustacheException e) {
            throw new IllegalArgumentException("not a valid template: " + e.getMessage(), e);
        }
    }

    /** The incident's page in the engine, or null when none is configured. */
    public String incidentUrl(String incidentId) {
        return incidentUrl == null ? null : incidentUrl.execute(Map.of("id", incidentId)).strip();
    }

    public String summary(Map<String, Object> context) {
        return oneLine(summary.execute(context));
    }

    public String description(Map<String, Object> context) {
        return description.execute(context).strip();
    }

    public String comment(Map<String, Object> context) {
        return comment.execute(context).strip();
    }

    public String resolution(Map<String, Object> context) {
        return resolution.execute(context).strip();
    }

    public String actionSummary(Map<String, Object> context) {
        return oneLine(actionSummary.execute(context));
    }

    public String actionDescription(Map<String, Object> context) {
        return actionDescription.execute(context).strip();
    }

    /** The system-specific fields of a new ticket, by field id. */
    public Map<String, String> fields(Map<String, Object> context) {
        Map<String, String> rendered = new LinkedHashMap<>();
        fields.forEach((field, template) -> rendered.put(field, template.execute(context).strip()));
        return rendered;
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
