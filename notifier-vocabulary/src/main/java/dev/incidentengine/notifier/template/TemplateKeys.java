package dev.incidentengine.notifier.template;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import dev.incidentengine.notifier.channel.MessageKind;
import dev.incidentengine.schemas.ConfigProblem;

import static dev.incidentengine.schemas.ConfigProblem.require;

/**
 * The keys of message templates, {@code [<channel>/]<kind>.<part>}: the notifier's defaults are named so, and a
 * service's overrides ({@code notificationTemplates}) are checked against them when config is loaded, so a typo fails
 * at load, not in a page.
 */
public final class TemplateKeys {

    /** The channels a template may be written for: the notifier renders these. */
    public static final List<String> CHANNELS = List.of("slack", "slack-webhook", "teams", "email", "webhook", "sms", "voice", "pagerduty");
    public static final List<String> PARTS = List.of("title", "text", "html");
    /** The id of every {@link MessageKind} rendered from templates, in order. */
    public static final List<String> KINDS = Arrays.stream(MessageKind.values()).filter(MessageKind::templated).map(MessageKind::id).toList();

    private static final Pattern KEY = Pattern.compile(
            "((" + String.join("|", CHANNELS) + ")/)?(" + String.join("|", KINDS) + ")\\.(" + String.join("|", PARTS) + ")");

    private TemplateKeys() {
    }

    /**
     * Each override has a known key and compiles.
     *
     * @throws ConfigProblem naming {@code field.key} of the first that does not
     */
    public static void check(Map<String, String> templates, String field) {
        templates.forEach((key, template) -> {
            require(KEY.matcher(key).matches(), field + "." + key,
                    "is not a template key: [<channel>/]<kind>.<part>, kinds " + KINDS + ", parts " + String.join(", ", PARTS));
            try {
                Mustache.compiler().compile(template);
            } catch (MustacheException e) {
                throw new ConfigProblem(field + "." + key, "the template does not compile (" + e.getMessage() + ")");
            }
        });
    }
}
