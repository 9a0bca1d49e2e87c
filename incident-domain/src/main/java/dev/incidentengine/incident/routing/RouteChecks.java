package dev.incidentengine.incident.routing;

import dev.incidentengine.model.config.RouteConfig;

import static dev.incidentengine.schemas.ConfigProblem.require;

/** A route's rules beyond its schema, so the config loader refuses what {@link Routes} would skip. */
public final class RouteChecks {

    private RouteChecks() {
    }

    /** @throws dev.incidentengine.schemas.ConfigProblem naming the first field that breaks them */
    public static void check(RouteConfig route) {
        LabelMatchers.check(route.getMatchers(), "matchers");
        require(route.getGroupWindowMinutes() >= 1, "groupWindowMinutes", "must be at least 1, not " + route.getGroupWindowMinutes());
        require(!route.getGroupBy().isEmpty(), "groupBy", "must name at least one label");
        for (int i = 0; i < route.getGroupBy().size(); i++) {
            require(!route.getGroupBy().get(i).isBlank(), "groupBy[" + i + "]", "must not be blank");
        }
    }
}
