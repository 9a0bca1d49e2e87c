package dev.incidentengine.incident.routing;

import java.time.Instant;
import java.util.List;

import dev.incidentengine.model.config.InhibitRuleConfig;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.model.config.RouteConfig;
import dev.incidentengine.model.config.SilenceConfig;
import dev.incidentengine.model.config.WeeklyWindow;
import dev.incidentengine.schemas.ConfigProblem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Route, silence and inhibit rule checks name the field of the record; the config loader adds file and record. */
class RoutingChecksTest {

    private static final List<LabelMatcher> CHECKOUT = List.of(new LabelMatcher("service", MatchOp.EQUAL, "checkout"));

    @Test
    void routes() {
        RouteConfig route = RouteConfig.newBuilder().setId("r").setMatchers(CHECKOUT).build();
        assertThatCode(() -> RouteChecks.check(route)).doesNotThrowAnyException();

        route.setGroupWindowMinutes(0);
        assertThatThrownBy(() -> RouteChecks.check(route)).isInstanceOf(ConfigProblem.class)
                .hasMessage("groupWindowMinutes: must be at least 1, not 0");
        route.setGroupWindowMinutes(5);
        route.setGroupBy(List.of("service", " "));
        assertThatThrownBy(() -> RouteChecks.check(route)).hasMessage("groupBy[1]: must not be blank");
    }

    @Test
    void silences() {
        SilenceConfig silence = SilenceConfig.newBuilder().setId("s").setAuthor("a").setMatchers(List.of()).build();
        assertThatThrownBy(() -> SilenceChecks.check(silence)).isInstanceOf(ConfigProblem.class).hasMessageStartingWith("matchers: must hold at least one");

        silence.setMatchers(CHECKOUT);
        silence.setStartsAt(Instant.parse("2026-11-22T10:00:00Z"));
        silence.setEndsAt(Instant.parse("2026-11-22T09:00:00Z"));
        assertThatThrownBy(() -> SilenceChecks.check(silence)).hasMessageStartingWith("endsAt: must be after startsAt");

        silence.setEndsAt(null);
        silence.setWeekly(new WeeklyWindow(List.of("monday", "Funday"), "22:00", "06:00", "Europe/Berlin"));
        assertThatThrownBy(() -> SilenceChecks.check(silence)).hasMessage("weekly.days[1]: must be one of MONDAY..SUNDAY, not 'Funday'");
        silence.setWeekly(new WeeklyWindow(List.of("monday"), "22:00", "24:00", "Europe/Berlin"));
        assertThatThrownBy(() -> SilenceChecks.check(silence)).hasMessage("weekly.to: must be a local time HH:mm, not '24:00'");
        silence.setWeekly(new WeeklyWindow(List.of("monday"), "22:00", "06:00", "Europe/Berlin"));
        assertThatCode(() -> SilenceChecks.check(silence)).doesNotThrowAnyException();
    }

    @Test
    void inhibitRules() {
        InhibitRuleConfig rule = InhibitRuleConfig.newBuilder().setId("i").setSourceMatchers(CHECKOUT).setTargetMatchers(List.of()).build();
        assertThatThrownBy(() -> InhibitRuleChecks.check(rule)).isInstanceOf(ConfigProblem.class)
                .hasMessage("targetMatchers: must hold at least one matcher");
        rule.setTargetMatchers(List.of(new LabelMatcher("x", MatchOp.NOT_REGEX, "(")));
        assertThatThrownBy(() -> InhibitRuleChecks.check(rule)).hasMessageStartingWith("targetMatchers[0].value: '(' is not a valid");
    }
}
