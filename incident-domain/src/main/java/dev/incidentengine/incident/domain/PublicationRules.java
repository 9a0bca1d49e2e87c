package dev.incidentengine.incident.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import dev.incidentengine.model.PublicImpact;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.StatusComponentConfig;
import dev.incidentengine.model.config.StatusPageConfig;
import dev.incidentengine.model.config.StatusTemplates;

/**
 * The status page as the incident aggregate sees it (config {@code statusPages}): which components exist and which
 * services they cover, which severities publish themselves, how often a published incident must be updated, and the
 * initial and resolution texts. {@link #NONE} when no page is configured: nothing can be published.
 */
public final class PublicationRules {

    /** The id of the page the engine serves unless configured otherwise. */
    public static final String DEFAULT_ID = "public";
    /** Public texts are plain text: the page escapes them where it shows them. */
    private static final Mustache.Compiler MUSTACHE = Mustache.compiler().escapeHTML(false).defaultValue("");
    private static final StatusTemplates DEFAULTS = StatusTemplates.newBuilder().build();
    public static final PublicationRules NONE = new PublicationRules(null);

    private final StatusPageConfig config;
    private final Map<String, StatusComponentConfig> components = new LinkedHashMap<>();
    private final Map<String, Templates> templates = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final Templates pageTemplates;

    private PublicationRules(StatusPageConfig config) {
        this.config = config;
        if (config == null) {
            pageTemplates = compile("default", DEFAULTS);
            return;
        }
        config.getComponents().forEach(component -> components.putIfAbsent(component.getId(), component));
        pageTemplates = compile("page " + config.getId(), config.getTemplates());
        config.getServiceTemplates().forEach((service, serviceTemplates) ->
                templates.put(service, compile("service " + service, serviceTemplates)));
    }

    /** The page of id {@code pageId} among the configured ones; {@link #NONE} when there is none. */
    public static PublicationRules of(List<StatusPageConfig> configs, String pageId) {
        return configs.stream().filter(config -> config.getId().equals(pageId)).findFirst().map(PublicationRules::new).orElse(NONE);
    }

    public static PublicationRules of(StatusPageConfig config) {
        return config == null ? NONE : new PublicationRules(config);
    }

    /** What is wrong in the config (templates that do not compile fall back to the defaults). */
    public List<String> problems() {
        return problems;
    }

    public boolean exists() {
        return config != null;
    }

    public StatusPageConfig config() {
        return config;
    }

    public boolean hasComponent(String id) {
        return components.containsKey(id);
    }

    /** The components that cover {@code service}: those listing it, or of its own id when they list none. */
    public List<String> componentsOf(String service) {
        if (service == null) {
            return List.of();
        }
        return components.values().stream()
                .filter(component -> component.getServices().isEmpty() ? component.getId().equals(service)
                        : component.getServices().contains(service))
                .map(StatusComponentConfig::getId).toList();
    }

    /** The components' names, as the page shows them, joined by commas; "our services" for none. */
    public String names(List<String> componentIds) {
        List<String> names = componentIds.stream()
                .map(id -> components.containsKey(id) ? components.get(id).getName() : id).toList();
        return names.isEmpty() ? "our services" : String.join(", ", names);
    }

    /** Why a publication cannot name these components (too many, twice, or not on the page); null when it can. */
    public String refuseComponents(List<String> componentIds, int max) {
        if (config == null) {
            return componentIds.isEmpty() ? null : "no status page is configured";
        }
        if (componentIds.size() > max) {
            return "a publication names at most " + max + " components (got " + componentIds.size() + ")";
        }
        Set<String> seen = new HashSet<>();
        for (String id : componentIds) {
            if (!seen.add(id)) {
                return "component " + id + " is named twice";
            }
            if (!components.containsKey(id)) {
                return "no component " + truncate(id, 100) + " on status page " + config.getId() + " (it has: "
                        + truncate(String.join(", ", components.keySet()), 500) + ")";
            }
        }
        return null;
    }

    /** At most {@code max} characters of {@code text}, with an ellipsis when cut. */
    public static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    /** The longest a published incident of {@code severity} may go without a public update; empty: never reminded. */
    public Optional<Duration> cadence(Severity severity) {
        if (config == null) {
            return Optional.empty();
        }
        Integer minutes = config.getUpdateEveryMinutes().get(severity.name());
        return minutes == null || minutes <= 0 ? Optional.empty() : Optional.of(Duration.ofMinutes(minutes));
    }

    /** The page's cadence in minutes per severity name, as a publication keeps it (only positive ones). */
    public Map<String, Integer> cadences() {
        Map<String, Integer> cadences = new LinkedHashMap<>();
        if (config != null) {
            config.getUpdateEveryMinutes().forEach((severity, minutes) -> {
                if (minutes != null && minutes > 0) {
                    cadences.put(severity, minutes);
                }
            });
        }
        return cadences;
    }

    public boolean autoPublishes(Severity severity) {
        return config != null && config.getAutoPublish().contains(severity);
    }

    /** Statuspage's impact for a severity: SEV0 critical, SEV1 major, SEV2 minor, else none. */
    public static PublicImpact impactOf(Severity severity) {
        return switch (severity) {
            case SEV0 -> PublicImpact.CRITICAL;
            case SEV1 -> PublicImpact.MAJOR;
            case SEV2 -> PublicImpact.MINOR;
            default -> PublicImpact.NONE;
        };
    }

    /** The initial text of a publication of {@code service}: the service's template, else the page's. */
    public String initialText(String service, String title, List<String> componentIds, PublicImpact impact, Severity severity) {
        return render(templatesOf(service).initial, service, title, componentIds, impact, severity);
    }

    public String resolutionText(String service, String title, List<String> componentIds, PublicImpact impact, Severity severity) {
        return render(templatesOf(service).resolution, service, title, componentIds, impact, severity);
    }

    private Templates templatesOf(String service) {
        return service == null ? pageTemplates : templates.getOrDefault(service, pageTemplates);
    }

    private String render(Template template, String service, String title, List<String> componentIds, PublicImpact impact,
                          Severity severity) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("title", title);
        context.put("components", names(componentIds));
        context.put("impact", impact.name().toLowerCase());
        context.put("cadence", cadence(severity).map(PublicationRules::words).orElse("due course"));
        context.put("service", service == null ? "" : service);
        return template.execute(context).strip();
    }

    /** A cadence in words: "30 minutes", "2 hours", "1 day". */
    static String words(Duration cadence) {
        long minutes = cadence.toMinutes();
        if (minutes % 1440 == 0) {
            return plural(minutes / 1440, "day");
        }
        return minutes % 60 == 0 ? plural(minutes / 60, "hour") : plural(minutes, "minute");
    }

    private static String plural(long count, String unit) {
        return count + " " + unit + (count == 1 ? "" : "s");
    }

    private Templates compile(String where, StatusTemplates source) {
        return new Templates(compile(where + " initial", source.getInitial(), DEFAULTS.getInitial()),
                compile(where + " resolution", source.getResolution(), DEFAULTS.getResolution()));
    }

    private Template compile(String where, String text, String fallback) {
        try {
            return MUSTACHE.compile(text);
        } catch (RuntimeException e) {
            problems.add("status page template (" + where + ") does not compile, using the default: " + e.getMessage());
            return MUSTACHE.compile(fallback);
        }
    }

    private record Templates(Template initial, Template resolution) {
    }
}
