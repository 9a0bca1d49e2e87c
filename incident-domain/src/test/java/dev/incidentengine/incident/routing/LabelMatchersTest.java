package dev.incidentengine.incident.routing;

import java.util.List;

import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.schemas.ConfigProblem;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelMatchersTest {

    @Test
    void givenOneStringMatcher_thenParseGivesTheRecord_andErrorsNameNoPlace() {
        assertThat(LabelMatchers.parse("env=~\"dev|test\"")).isEqualTo(new LabelMatcher("env", MatchOp.REGEX, "dev|test"));
        assertThat(LabelMatchers.parse(" service = checkout ")).isEqualTo(new LabelMatcher("service", MatchOp.EQUAL, "checkout"));
        assertThatThrownBy(() -> LabelMatchers.parse("alertname")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'alertname' is not a matcher");
        assertThatThrownBy(() -> LabelMatchers.parse("a=\"x")).hasMessage("matcher value \"x lacks its closing double quote");
        assertThatThrownBy(() -> LabelMatchers.parse("a=\"x\"y\"")).hasMessage("unescaped double quote in matcher value \"x\"y\"");
    }

    @Test
    void givenMatchers_thenCheckNamesTheFirstBadOneByItsField() {
        assertThatCode(() -> LabelMatchers.check(List.of(LabelMatchers.parse("env!~\"dev|test\"")), "matchers")).doesNotThrowAnyException();
        assertThatThrownBy(() -> LabelMatchers.check(List.of(new LabelMatcher("a", MatchOp.EQUAL, "x"), new LabelMatcher(" ", MatchOp.EQUAL, "x")),
                "matchers")).isInstanceOf(ConfigProblem.class).hasMessage("matchers[1].label: must not be blank");
        // RE2, as the engine evaluates it: no backreferences.
        assertThatThrownBy(() -> LabelMatchers.check(List.of(new LabelMatcher("a", MatchOp.REGEX, "(x)\\1")), "sourceMatchers"))
                .hasMessageStartingWith("sourceMatchers[0].value: '(x)\\1' is not a valid regular expression (");
    }
}
