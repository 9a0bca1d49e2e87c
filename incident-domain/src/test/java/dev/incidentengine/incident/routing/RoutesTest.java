package dev.incidentengine.incident.routing;

import java.time.Duration;
import java.util.List;

import dev.incidentengine.model.Alert;
import dev.incidentengine.model.Severity;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.RouteConfig;
import org.junit.jupiter.api.Test;

import static dev.incidentengine.incident.routing.TestAlerts.alert;
import static dev.incidentengine.incident.routing.TestAlerts.eq;
import static dev.incidentengine.incident.routing.TestAlerts.re;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoutesTest {

    private final Alert dbAlert = Alert.newBuilder(alert("a", "alertname", "DiskFull", "team", "db"))
            .setSeverity(Severity.SEV1).setService("checkout").build();

    @Test
    void givenNoRoutes_thenTheDefaultRoute() {
        Route route = Routes.of(List.of()).select(dbAlert);

        assertThat(route).isSameAs(Route.DEFAULT);
        assertThat(route.id()).isEqualTo("default");
        assertThat(route.groupBy()).containsExactly("service", "alertname");
        assertThat(route.groupWindow()).isEqualTo(Duration.ofMinutes(5));
        assertThat(route.autoResolve()).isTrue();
        assertThat(route.escalationPolicyId()).isNull();
        assertThat(route.service()).isNull();
    }

    @Test
    void givenNoRouteMatches_thenTheDefaultRoute() {
        Routes routes = Routes.of(List.of(route("web", 1, eq("team", "web"))));

        assertThat(routes.select(dbAlert)).isSameAs(Route.DEFAULT);
    }

    @Test
    void givenSeveralMatchingRoutes_thenTheLowestPriorityWins_whateverTheOrderGiven() {
        RouteConfig late = route("a-late", 200, eq("team", "db"));
        RouteConfig early = route("z-early", 10, re("severity", "SEV0|SEV1"));
        RouteConfig notMatching = route("b-never", 1, eq("team", "web"));

        assertThat(Routes.of(List.of(late, early, notMatching)).select(dbAlert).id()).isEqualTo("z-early");
        assertThat(Routes.of(List.of(notMatching, early, late)).select(dbAlert).id()).isEqualTo("z-early");
    }

    @Test
    void givenEqualPriorities_thenTheLowestIdWins() {
        RouteConfig b = route("b", 50, eq("team", "db"));
        RouteConfig a = route("a", 50, eq("alertname", "DiskFull"));

        assertThat(Routes.of(List.of(b, a)).select(dbAlert).id()).isEqualTo("a");
    }

    @Test
    void givenRouteWithoutMatchers_thenItTakesEveryAlert() {
        RouteConfig catchAll = route("catch-all", 1000);
        RouteConfig web = route("web", 10, eq("team", "web"));

        assertThat(Routes.of(List.of(catchAll, web)).select(dbAlert).id()).isEqualTo("catch-all");
    }

    @Test
    void givenRouteConfig_thenEveryFieldIsCarriedOver() {
        RouteConfig config = RouteConfig.newBuilder(route("db", 10, eq("team", "db")))
                .setGroupBy(List.of("team", "instance")).setGroupWindowMinutes(15).setAutoResolve(false)
                .setEscalationPolicyId("db-policy").setService("database").setIncidentType("infrastructure-failure").build();

        Route route = Routes.of(List.of(config)).select(dbAlert);

        assertThat(route).isEqualTo(new Route("db", List.of("team", "instance"), Duration.ofMinutes(15), false,
                "db-policy", "database", "infrastructure-failure"));
    }

    @Test
    void givenInvalidRoutes_thenTheyAreSkippedAndReported() {
        RouteConfig badRegex = route("bad-regex", 1, re("team", "d(b"));
        RouteConfig noWindow = RouteConfig.newBuilder(route("no-window", 2)).setGroupWindowMinutes(0).build();
        RouteConfig noGroupBy = RouteConfig.newBuilder(route("no-group-by", 3)).setGroupBy(List.of()).build();
        RouteConfig good = route("good", 4, eq("team", "db"));

        Routes routes = Routes.of(List.of(badRegex, noWindow, noGroupBy, good));

        assertThat(routes.select(dbAlert).id()).isEqualTo("good");
        assertThat(routes.problems()).hasSize(3);
        assertThat(routes.problems().get(0)).contains("route 'bad-regex'", "team=~\"d(b\"");
        assertThat(routes.problems().get(1)).contains("route 'no-window'", "groupWindowMinutes must be at least 1");
        assertThat(routes.problems().get(2)).contains("route 'no-group-by'", "groupBy");
    }

    @Test
    void givenValidRoutes_thenNoProblems() {
        assertThat(Routes.of(List.of(route("a", 1), route("b", 2))).problems()).isEmpty();
    }

    @Test
    void correlationKeyIsRouteIdThenGroupByLabels() {
        Alert latency = Alert.newBuilder(alert("x", "alertname", "HighLatency")).setService("checkout").build();

        assertThat(Route.DEFAULT.correlationKey(latency)).isEqualTo("default|service=checkout|alertname=HighLatency");
    }

    @Test
    void correlationKeyGivesAnAbsentLabelAnEmptyValue_andAlertnameFallsBackToTheSummary() {
        Route route = new Route("r", List.of("alertname", "instance"), Duration.ofMinutes(5), true, null, null, null);

        assertThat(route.correlationKey(alert("x", "alertname", "DiskFull"))).isEqualTo("r|alertname=DiskFull|instance=");
        assertThat(Route.DEFAULT.correlationKey(alert("y"))).isEqualTo("default|service=|alertname=summary of y");
    }

    @Test
    void correlationKeyOfDifferentGroupsDiffers_andOfTheSameGroupIsEqual() {
        Alert one = alert("1", "alertname", "DiskFull", "instance", "db-1");
        Alert sameGroup = alert("2", "alertname", "DiskFull", "instance", "db-2");
        Alert otherGroup = alert("3", "alertname", "HighLatency", "instance", "db-1");

        assertThat(Route.DEFAULT.correlationKey(one)).isEqualTo(Route.DEFAULT.correlationKey(sameGroup));
        assertThat(Route.DEFAULT.correlationKey(one)).isNotEqualTo(Route.DEFAULT.correlationKey(otherGroup));
    }

    @Test
    void correlationKeyEscapesSeparatorsSoThatValuesCannotCollide() {
        Route route = new Route("r", List.of("a", "b"), Duration.ofMinutes(5), true, null, null, null);
        Alert shifted = alert("1", "a", "1|b=2", "b", "");
        Alert plain = alert("2", "a", "1", "b", "2|b=");

        assertThat(route.correlationKey(shifted)).isNotEqualTo(route.correlationKey(plain));
        assertThat(route.correlationKey(shifted)).isEqualTo("r|a=1\\|b=2|b=");
    }

    @Test
    void routeRejectsAnEmptyGroupByOrAWindowBelowOneMinute() {
        assertThatThrownBy(() -> new Route("r", List.of(), Duration.ofMinutes(5), true, null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Route("r", List.of("service"), Duration.ofSeconds(30), true, null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static RouteConfig route(String id, int priority, LabelMatcher... matchers) {
        return RouteConfig.newBuilder().setId(id).setPriority(priority).setMatchers(List.of(matchers)).build();
    }
}
