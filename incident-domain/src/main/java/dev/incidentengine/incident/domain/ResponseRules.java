package dev.incidentengine.incident.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.incidentengine.incident.routing.AlertMatcher;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.ResponseTarget;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.IncidentTypeConfig;
import dev.incidentengine.model.config.RoleConfig;
import dev.incidentengine.model.config.RunbookConfig;
import dev.incidentengine.model.config.ServiceConfig;
import dev.incidentengine.model.config.TierConfig;
import dev.incidentengine.schemas.RunbookLimits;

/**
 * The response process as configured (config.roles, runbooks, tiers, incident-types and the services' tiers), compiled for
 * the aggregate's decide: which roles and types exist, the runbook an incident opens with, and the response targets it is
 * judged by. Roles and types fall back to the seeds' when none are configured, so a new install has a process.
 */
public final class ResponseRules {

    /** Runbooks an incident follows: each brings a copy of its steps into the incident's state. */
    public static final int MAX_RUNBOOKS_PER_INCIDENT = 5;
    public static final int MAX_NOTE = 2_000;
    public static final int MAX_ID = 64;

    public static final List<RoleConfig> DEFAULT_ROLES = List.of(
            role("commander", "Incident Commander", "Leads the response and decides; owns the incident until it is handed over.",
                    List.of("SEV0", "SEV1"), 5),
            role("communications", "Communications Lead", "Keeps stakeholders and the status page informed on cadence.", List.of(), 5),
            role("technical", "Technical Lead", "Leads diagnosis and the fix.", List.of(), 5),
            role("operations", "Operations Lead", "Runs the changes: rollbacks, failovers, scaling.", List.of(), 5),
            role("scribe", "Scribe", "Keeps the timeline: decisions, actions, who did what.", List.of(), 5));

    public static final List<IncidentTypeConfig> DEFAULT_TYPES = List.of(
            new IncidentTypeConfig("service-outage", "Service outage", null),
            new IncidentTypeConfig("performance-degradation", "Performance degradation", null),
            new IncidentTypeConfig("security-incident", "Security incident", null),
            new IncidentTypeConfig("data-loss", "Data loss or corruption", null),
            new IncidentTypeConfig("third-party-failure", "Third-party dependency failure", null),
            new IncidentTypeConfig("infrastructure-failure", "Infrastructure failure", null),
            new IncidentTypeConfig("deployment-related", "Deployment-related", null));

    public static final ResponseRules DEFAULT = of(List.of(), List.of(), List.of(), List.of(), List.of());

    /** Where an incident's targets come from: its service's tier (null when the service has none) and the targets by severity. */
    public record Targets(String tier, Map<String, ResponseTarget> bySeverity) {
    }

    private record Runbook(RunbookConfig config, AlertMatcher matcher) {
    }

    private final Map<String, RoleConfig> roles;
    private final Map<String, IncidentTypeConfig> types;
    private final List<Runbook> runbooks;
    private final Map<String, Runbook> runbooksById;
    private final Map<String, TierConfig> tiers;
    private final Map<String, ServiceConfig> services;
    private final List<String> problems;

    private ResponseRules(Map<String, RoleConfig> roles, Map<String, IncidentTypeConfig> types, List<Runbook> runbooks,
                          Map<String, TierConfig> tiers, Map<String, ServiceConfig> services, List<String> problems) {
        this.roles = roles;
        this.types = types;
        this.runbooks = runbooks;
        this.runbooksById = new HashMap<>();
        runbooks.forEach(runbook -> runbooksById.put(runbook.config().getId(), runbook));
        this.tiers = tiers;
        this.services = services;
        this.problems = problems;
    }

    /** Invalid runbooks (a bad regular expression, no steps, steps past the bounds) are skipped and reported in {@link #problems()}. */
    public static ResponseRules of(Collection<RoleConfig> roles, Collection<IncidentTypeConfig> types, Collection<RunbookConfig> runbooks,
                                   Collection<TierConfig> tiers, Collection<ServiceConfig> services) {
        List<String> problems = new ArrayList<>();
        List<Runbook> compiled = new ArrayList<>();
        for (RunbookConfig runbook : runbooks) {
            String problem = RunbookLimits.problem(runbook);
            if (problem != null) {
                problems.add("runbook '" + runbook.getId() + "': " + problem);
                continue;
            }
            try {
                compiled.add(new Runbook(runbook, AlertMatcher.of(runbook.getMatchers())));
            } catch (IllegalArgumentException e) {
                problems.add("runbook '" + runbook.getId() + "': " + e.getMessage());
            }
        }
        compiled.sort(Comparator.comparingInt((Runbook runbook) -> runbook.config().getPriority())
                .thenComparing(runbook -> runbook.config().getId()));
        Map<String, RoleConfig> roleMap = new LinkedHashMap<>();
        (roles.isEmpty() ? DEFAULT_ROLES : roles).forEach(role -> roleMap.put(role.getId(), role));
        Map<String, IncidentTypeConfig> typeMap = new LinkedHashMap<>();
        (types.isEmpty() ? DEFAULT_TYPES : types).forEach(type -> typeMap.put(type.getId(), type));
        Map<String, TierConfig> tierMap = new HashMap<>();
        tiers.forEach(tier -> tierMap.put(tier.getId(), tier));
        Map<String, ServiceConfig> serviceMap = new HashMap<>();
        services.forEach(service -> serviceMap.put(service.getId(), service));
        return new ResponseRules(roleMap, typeMap, List.copyOf(compiled), tierMap, serviceMap, List.copyOf(problems));
    }

    public Map<String, RoleConfig> roles() {
        return roles;
    }

    public Optional<RoleConfig> role(String id) {
        return Optional.ofNullable(roles.get(id));
    }

    public Map<String, IncidentTypeConfig> types() {
        return types;
    }

    public boolean knowsType(String id) {
        return types.containsKey(id);
    }

    /** The runbook an incident opening with {@code alert} (on {@code service}, of {@code type}) follows: the first that matches. */
    public Optional<RunbookConfig> runbookFor(Alert alert, String service, String type) {
        for (Runbook runbook : runbooks) {
            RunbookConfig config = runbook.config();
            if ((config.getServices().isEmpty() || config.getServices().contains(service))
                    && (config.getIncidentTypes().isEmpty() || config.getIncidentTypes().contains(type))
                    && runbook.matcher().matches(alert)) {
                return Optional.of(config);
            }
        }
        return Optional.empty();
    }

    public Optional<RunbookConfig> runbook(String id) {
        return Optional.ofNullable(runbooksById.get(id)).map(Runbook::config);
    }

    /**
     * The targets an incident of {@code service} opens with: its tier's, with the service's own over them; severities neither
     * lists are left out (the engine's defaults judge them). An unknown tier gives the service's own targets only.
     */
    public Targets targets(String service) {
        ServiceConfig config = service == null ? null : services.get(service);
        if (config == null) {
            return new Targets(null, Map.of());
        }
        Map<String, ResponseTarget> targets = new HashMap<>();
        TierConfig tier = config.getTier() == null ? null : tiers.get(config.getTier());
        if (tier != null) {
            targets.putAll(tier.getTargets());
        }
        targets.putAll(config.getResponseTargets());
        return new Targets(config.getTier(), Map.copyOf(targets));
    }

    /** The roles an incident of {@code severity} must have taken. */
    public List<RoleConfig> requiredRoles(Severity severity) {
        return roles.values().stream().filter(role -> role.getRequiredSeverities().contains(severity.name())).toList();
    }

    public List<String> problems() {
        return problems;
    }

    private static RoleConfig role(String id, String name, String description, List<String> severities, int minutes) {
        return new RoleConfig(id, name, description, severities, minutes);
    }
}
