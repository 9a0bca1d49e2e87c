package dev.incidentengine.notifier.template;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import dev.incidentengine.notifier.channel.Markup;
import dev.incidentengine.notifier.channel.MessageKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mustache templates for every channel and kind of message. Part {@code P} of kind {@code K} on
 * channel {@code C} is the first of: override {@code C/K.P}, override {@code K.P}, default
 * {@code C/K.P}, default {@code K.P}. Defaults live under {@code notifier/templates/} on the
 * classpath; files starting with {@code _} are partials and layouts ({@code {{> _facts.text}}},
 * {@code {{<email/_layout.html}}}), which overrides may use too. Values are escaped for the markup
 * the part ends up in ({@link Format}): html parts as HTML, Slack's title and text as mrkdwn, Teams'
 * as markdown, the rest (plain text, SMS, speech, JSON fields) not at all; a template's own markup
 * stays. A missing variable renders empty. Templates are compiled once per format and shared
 * between threads (JMustache templates are thread-safe).
 */
public final class Templates {

    /** One message's parts; {@code html} only for e-mail, null otherwise. */
    public record Rendered(String title, String text, String html) {
    }

    /** The config loader checks overrides against them too, so they live in notifier-vocabulary. */
    public static final List<String> CHANNELS = TemplateKeys.CHANNELS;
    public static final List<String> PARTS = TemplateKeys.PARTS;

    /** What begins every message of a drill. */
    public static final String DRILL_MARK = "[DRILL]";

    private static final Logger LOG = LoggerFactory.getLogger(Templates.class);
    private static final String ROOT = "notifier/templates/";
    private static final String EMAIL = "email";
    private static final Set<String> KINDS = Arrays.stream(MessageKind.values()).filter(MessageKind::templated).map(MessageKind::id).collect(Collectors.toUnmodifiableSet());
    private static final Pattern KEY = Pattern.compile("(?:([a-z-]+)/)?([a-z-]+)\\.([a-z]+)");
    private static final Pattern PARTIAL = Pattern.compile("(?:[a-z-]+/)?_[a-z0-9_-]+\\.(?:title|text|html)");
    private static final Pattern URL = Pattern.compile("\\b(?:https?|mailto):\\S+", Pattern.CASE_INSENSITIVE);
    private static final Pattern SEVERITY = Pattern.compile("\\bSEV-?(\\d)\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern STATUS = Pattern.compile("\\b(?:TRIGGERED|ACKNOWLEDGED|RESOLVED|CLOSED)\\b");
    private static final Pattern DURATION = Pattern.compile("\\b(\\d+)([dhms])\\b");
    private static final Map<String, String> UNITS = Map.of("d", "day", "h", "hour", "m", "minute", "s", "second");
    /** Overrides come from config, so their number is bounded by it; the cap only guards against a config that keeps changing. */
    private static final int MAX_CACHED_OVERRIDES = 1_000;

    private static final Mustache.Compiler TEXT_COMPILER = Mustache.compiler().escapeHTML(false).defaultValue("").emptyStringIsFalse(true)
            .withLoader(Templates::loadPartial);
    /** Helpers every template may call, looked up after the context: {@code {{#spoken}}…{{/spoken}}}. */
    private static final Map<String, Object> HELPERS = Map.of("spoken", (Mustache.Lambda) (fragment, out) -> out.write(spoken(fragment.execute())));

    /** The markup a rendered part is read as, and so how values in it are escaped. */
    enum Format {
        TEXT(TEXT_COMPILER),
        HTML(TEXT_COMPILER.escapeHTML(true)),
        SLACK(TEXT_COMPILER.withEscaper(Markup::slack)),
        TEAMS(TEXT_COMPILER.withEscaper(Markup::teams));

        private final Mustache.Compiler compiler;

        Format(Mustache.Compiler compiler) {
            this.compiler = compiler;
        }

        static Format of(String channel, String part) {
            if ("html".equals(part)) {
                return HTML;
            }
            return switch (channel == null ? "" : channel) {
                case "slack", "slack-webhook" -> SLACK;
                case "teams" -> TEAMS;
                default -> TEXT;
            };
        }
    }

    private record Source(Format format, String text) {
    }

    /** Default templates' text by key ({@code [channel/]kind.part}). */
    private final Map<String, String> defaults;
    private final ConcurrentMap<Source, Template> compiledDefaults = new ConcurrentHashMap<>();
    private final ConcurrentMap<Source, Optional<Template>> overrides = new ConcurrentHashMap<>();

    private Templates(Map<String, String> defaults) {
        this.defaults = defaults;
    }

    /** The templates shipped with the notifier; fails if a kind lacks its common title or text, or its e-mail html, or one does not compile. */
    public static Templates defaults() {
        Map<String, String> found = new HashMap<>();
        for (String kind : KINDS) {
            for (String part : PARTS) {
                String common = kind + "." + part;
                read(ROOT + common + ".mustache").ifPresent(text -> found.put(common, text));
                for (String channel : CHANNELS) {
                    String specific = channel + "/" + common;
                    read(ROOT + specific + ".mustache").ifPresent(text -> found.put(specific, text));
                }
            }
            for (String required : List.of(kind + ".title", kind + ".text", EMAIL + "/" + kind + ".html")) {
                if (!found.containsKey(required)) {
                    throw new IllegalStateException("default template " + ROOT + required + ".mustache is missing");
                }
            }
        }
        found.forEach((key, text) -> TEXT_COMPILER.compile(text));
        return new Templates(Map.copyOf(found));
    }

    public Rendered render(String channel, MessageKind kind, Map<String, Object> context, Map<String, String> overrides) {
        if (!CHANNELS.contains(channel)) {
            throw new IllegalArgumentException("unknown channel " + channel + "; known: " + CHANNELS);
        }
        Map<String, Object> scope = context == null ? Map.of() : context;
        Map<String, String> custom = overrides == null ? Map.of() : overrides;
        String title = oneLine(execute(template(channel, kind.id(), "title", custom), scope));
        String text = execute(template(channel, kind.id(), "text", custom), scope).strip();
        String html = EMAIL.equals(channel) ? execute(template(channel, kind.id(), "html", custom), scope).strip() : null;
        Object drill = scope.get("incident") instanceof Map<?, ?> incident ? incident.get("drill") : null;
        return drill == null ? new Rendered(title, text, html) : drill(channel, new Rendered(title, text, html));
    }

    /**
     * A drill's message says so first, on every channel and whatever a service's templates say: nobody must take an exercise
     * for an outage, or an outage for an exercise.
     */
    private static Rendered drill(String channel, Rendered rendered) {
        String text = "voice".equals(channel) ? "This is a drill. " + rendered.text() : DRILL_MARK + " " + rendered.text();
        String html = rendered.html();
        if (html != null) {
            // At the top of the body, after the document's head (or first, in a fragment).
            int body = html.indexOf("<body");
            int at = body < 0 ? 0 : html.indexOf('>', body) + 1;
            html = html.substring(0, at) + "<p><strong>" + DRILL_MARK + "</strong> This is a drill, not a real incident.</p>\n"
                    + html.substring(at);
        }
        return new Rendered(DRILL_MARK + " " + rendered.title(), text, html);
    }

    /** Validates an override before it is accepted into config: a known key, and a template that compiles and runs. */
    public static void check(String key, String template) {
        Matcher matcher = KEY.matcher(key == null ? "" : key);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("template key " + key + " is not [<channel>/]<kind>.<part>, e.g. email/page.html or page.title");
        }
        String channel = matcher.group(1);
        String kind = matcher.group(2);
        String part = matcher.group(3);
        if (channel != null && !CHANNELS.contains(channel)) {
            throw new IllegalArgumentException("template key " + key + ": unknown channel " + channel + "; known: " + CHANNELS);
        }
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("template key " + key + ": unknown kind " + kind + "; known: " + KINDS.stream().sorted().toList());
        }
        if (!PARTS.contains(part)) {
            throw new IllegalArgumentException("template key " + key + ": unknown part " + part + "; known: " + PARTS);
        }
        if ("html".equals(part) && channel != null && !EMAIL.equals(channel)) {
            throw new IllegalArgumentException("template key " + key + ": only e-mail has an html part");
        }
        if (template == null) {
            throw new IllegalArgumentException("template " + key + " is empty");
        }
        try {
            // Running it once also finds partials and layouts that do not exist, which compiling leaves for later.
            Format.of(channel, part).compiler.compile(template).execute(Map.of(), HELPERS, new StringWriter());
        } catch (MustacheException e) {
            throw new IllegalArgumentException("template " + key + " is invalid: " + e.getMessage(), e);
        }
    }

    /**
     * Text for text-to-speech: no links (they cannot be followed on a call), {@code SEV1} as
     * "severity 1", statuses as words, and durations like {@code 4m 12s} as "4 minutes 12 seconds".
     */
    static String spoken(String text) {
        String said = URL.matcher(text).replaceAll("");
        said = SEVERITY.matcher(said).replaceAll("severity $1");
        said = STATUS.matcher(said).replaceAll(status -> status.group().toLowerCase(Locale.ROOT));
        said = DURATION.matcher(said).replaceAll(duration -> {
            String unit = UNITS.get(duration.group(2));
            return duration.group(1) + " " + ("1".equals(duration.group(1)) ? unit : unit + "s");
        });
        return said.replaceAll("[ \\t]{2,}", " ").replaceAll(" ([.,])", "$1").replaceAll("([.!?])\\.", "$1");
    }

    private Template template(String channel, String kind, String part, Map<String, String> custom) {
        Format format = Format.of(channel, part);
        String common = kind + "." + part;
        for (String key : List.of(channel + "/" + common, common)) {
            String text = custom.get(key);
            if (text != null) {
                Optional<Template> compiled = compileOverride(key, new Source(format, text));
                if (compiled.isPresent()) {
                    return compiled.get();
                }
            }
        }
        String specific = defaults.get(channel + "/" + common);
        return compiledDefaults.computeIfAbsent(new Source(format, specific != null ? specific : defaults.get(common)),
                source -> source.format().compiler.compile(source.text()));
    }

    /** An override that does not compile (it should have failed {@link #check}) gives way to the default rather than lose the message. */
    private Optional<Template> compileOverride(String key, Source override) {
        if (overrides.size() >= MAX_CACHED_OVERRIDES) {
            overrides.clear();
        }
        return overrides.computeIfAbsent(override, source -> {
            try {
                return Optional.of(source.format().compiler.compile(source.text()));
            } catch (MustacheException e) {
                LOG.warn("Template override {} does not compile, using the default: {}", key, e.getMessage());
                return Optional.empty();
            }
        });
    }

    private static String execute(Template template, Map<String, Object> scope) {
        StringWriter out = new StringWriter();
        template.execute(scope, HELPERS, out);
        return out.toString();
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    private static Reader loadPartial(String name) throws IOException {
        if (!PARTIAL.matcher(name).matches()) {
            throw new FileNotFoundException("no partial " + name + ": partials are named [<channel>/]_<name>.<part>, e.g. _facts.text");
        }
        InputStream in = Templates.class.getClassLoader().getResourceAsStream(ROOT + name + ".mustache");
        if (in == null) {
            throw new FileNotFoundException("no partial " + name);
        }
        return new InputStreamReader(in, StandardCharsets.UTF_8);
    }

    private static Optional<String> read(String resource) {
        try (InputStream in = Templates.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
