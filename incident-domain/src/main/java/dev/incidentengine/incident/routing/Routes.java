package dev.incidentengine.incident.routing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.config.RouteConfig;

/** Routes by ascending priority then id; the first whose matchers all match wins, else {@link Route#DEFAULT}. */
public final class Routes {

    private record Candidate(int priority, String id, AlertMatcher matcher, Route route) {
    }

    private final List<Candidate> candidates;
    private final List<String> problems;

    private Routes(List<Candidate> candidates, List<String> problems) {
        this.candidates = candidates;
        this.problems = problems;
    }

    /** Invalid configs (bad regex, window below 1 minute, empty groupBy) are skipped and reported in {@link #problems()}. */
    public static Routes of(Collection<RouteConfig> configs) {
        List<Candidate> candidates = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (RouteConfig config : configs) {
            try {
                candidates.add(compile(config));
            } catch (IllegalArgumentException e) {
                problems.add("route '" + config.getId() + "': " + e.getMessage());
            }
        }
        candidates.sort(Comparator.comparingInt(Candidate::priority).thenComparing(Candidate::id));
        return new Routes(List.copyOf(candidates), List.copyOf(problems));
    }

    private static Candidate compile(RouteConfig config) {
        if (config.getGroupWindowMinutes() < 1) {
            throw new IllegalArgumentException("groupWindowMinutes must be at least 1, not " + config.getGroupWindowMinutes());
        }
        AlertMatcher matcher = AlertMatcher.of(config.getMatchers());
        Route route = new Route(config.getId(), config.getGroupBy(), Duration.ofMinutes(config.getGroupWindowMinutes()),
                config.getAutoResolve(), config.getEscalationPolicyId(), config.getService(), config.getIncidentType());
        return new Candidate(config.getPriority(), config.getId(), matcher, route);
    }

    public Route select(Alert alert) {
        for (Candidate candidate : candidates) {
            if (candidate.matcher().matches(alert)) {
                return candidate.route();
            }
        }
        return Route.DEFAULT;
    }

    public List<String> problems() {
        return problems;
    }
}
