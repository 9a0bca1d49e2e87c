package dev.incidentengine.incident.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.AlertStatus;
import dev.incidentengine.model.config.InhibitRuleConfig;

/** Alertmanager-style inhibition rules. */
public final class InhibitRules {

    private record Rule(String id, AlertMatcher source, AlertMatcher target, List<String> equal) {

        boolean sameEqualLabels(Alert source, Alert target) {
            for (String label : equal) {
                String a = Objects.requireNonNullElse(AlertMatcher.labelValue(source, label), "");
                String b = Objects.requireNonNullElse(AlertMatcher.labelValue(target, label), "");
                if (!a.equals(b)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Rule> rules;
    private final List<String> problems;

    private InhibitRules(List<Rule> rules, List<String> problems) {
        this.rules = rules;
        this.problems = problems;
    }

    /** Invalid configs (bad regex, no source or no target matchers) are skipped and reported in {@link #problems()}. */
    public static InhibitRules of(Collection<InhibitRuleConfig> configs) {
        List<Rule> rules = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (InhibitRuleConfig config : configs) {
            try {
                rules.add(compile(config));
            } catch (IllegalArgumentException e) {
                problems.add("inhibit rule '" + config.getId() + "': " + e.getMessage());
            }
        }
        rules.sort(Comparator.comparing(Rule::id));
        return new InhibitRules(List.copyOf(rules), List.copyOf(problems));
    }

    private static Rule compile(InhibitRuleConfig config) {
        if (config.getSourceMatchers().isEmpty() || config.getTargetMatchers().isEmpty()) {
            throw new IllegalArgumentException("needs at least one source and one target matcher");
        }
        return new Rule(config.getId(), AlertMatcher.of(config.getSourceMatchers()), AlertMatcher.of(config.getTargetMatchers()),
                List.copyOf(config.getEqual()));
    }

    /**
     * Whether the alert matches the source matchers of any rule (it may inhibit others while it fires). A drill's alert never
     * does: an exercise must not hide a real alert.
     */
    public boolean isSource(Alert alert) {
        if (alert.getDrill() != null) {
            return false;
        }
        for (Rule rule : rules) {
            if (rule.source().matches(alert)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The id of a rule (lowest id first) under which one of the firing source alerts inhibits the target: the target
     * matches the rule's targetMatchers, the source its sourceMatchers, every "equal" label has the same value on both
     * (absent equals absent and "", as in Alertmanager), and the source is not the target itself (same fingerprint).
     * As in Alertmanager, when the target also matches the source matchers, a source that also matches the target
     * matchers does not count, so that two alerts never inhibit each other; resolved sources do not count either.
     */
    public Optional<String> inhibiting(Alert target, Iterable<Alert> firingSources) {
        for (Rule rule : rules) {
            if (!rule.target().matches(target)) {
                continue;
            }
            boolean twoSided = rule.source().matches(target);
            for (Alert source : firingSources) {
                if (source.getStatus() == AlertStatus.RESOLVED || source.getDrill() != null
                        || source.getFingerprint().equals(target.getFingerprint())
                        || !rule.source().matches(source)
                        || (twoSided && rule.target().matches(source))
                        || !rule.sameEqualLabels(source, target)) {
                    continue;
                }
                return Optional.of(rule.id());
            }
        }
        return Optional.empty();
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    public List<String> problems() {
        return problems;
    }
}
