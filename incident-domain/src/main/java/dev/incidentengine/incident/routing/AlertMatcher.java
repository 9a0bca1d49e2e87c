package dev.incidentengine.incident.routing;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.incidentengine.model.Alert;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;

/**
 * Compiled label matchers (all must match), with Alertmanager's semantics: an absent label has the
 * value {@code ""}, and regular expressions must match the whole value. Regular expressions are
 * RE2's (RE2/J), as in Alertmanager: matching takes time linear in the value, so a responder's
 * pattern such as {@code (.*a){12}} cannot stall the stream thread (java.util.regex backtracks for
 * seconds on it); backreferences and lookaround, which RE2 lacks, are refused.
 */
public final class AlertMatcher {

    private record Compiled(String label, MatchOp op, String value, Pattern pattern) {

        boolean matches(Alert alert) {
            return matches(Objects.requireNonNullElse(labelValue(alert, label), ""));
        }

        boolean matches(String actual) {
            return switch (op) {
                case EQUAL -> actual.equals(value);
                case NOT_EQUAL -> !actual.equals(value);
                case REGEX -> pattern.matcher(actual).matches();
                case NOT_REGEX -> !pattern.matcher(actual).matches();
            };
        }

        @Override
        public String toString() {
            return describe(label, op, value);
        }
    }

    private final List<Compiled> matchers;

    private AlertMatcher(List<Compiled> matchers) {
        this.matchers = matchers;
    }

    /** Compiles the matchers; an empty list matches every alert. */
    public static AlertMatcher of(List<LabelMatcher> matchers) {
        return new AlertMatcher(matchers.stream().map(AlertMatcher::compile).toList());
    }

    private static Compiled compile(LabelMatcher matcher) {
        String label = matcher.getLabel();
        MatchOp op = Objects.requireNonNull(matcher.getOp(), "op");
        String value = Objects.requireNonNull(matcher.getValue(), "value");
        if (label == null || label.isBlank()) {
            throw new IllegalArgumentException("matcher " + describe(label, op, value) + " has no label");
        }
        Pattern pattern = null;
        if (op == MatchOp.REGEX || op == MatchOp.NOT_REGEX) {
            try {
                pattern = Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("matcher " + describe(label, op, value)
                        + " has an invalid regular expression: " + e.getDescription());
            }
        }
        return new Compiled(label, op, value, pattern);
    }

    /**
     * Whether the matcher matches an alert without that label (value {@code ""}); a silence needs at least one
     * matcher that does not, or it would silence every alert (Alertmanager's rule).
     *
     * @throws IllegalArgumentException when the matcher has no label or an invalid regular expression
     */
    public static boolean matchesEmpty(LabelMatcher matcher) {
        return compile(matcher).matches("");
    }

    public boolean matches(Alert alert) {
        for (Compiled matcher : matchers) {
            if (!matcher.matches(alert)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A label's value: alert.labels first; "service" falls back to alert.service, "severity" to the severity name
     * (e.g. "SEV1"), "alertname" to the summary; null when absent.
     */
    public static String labelValue(Alert alert, String label) {
        String value = alert.getLabels().get(label);
        if (value != null) {
            return value;
        }
        return switch (label) {
            case "service" -> alert.getService();
            case "severity" -> alert.getSeverity() == null ? null : alert.getSeverity().name();
            // PagerDuty events and the generic form carry no alertname: their summary names them.
            case "alertname" -> alert.getSummary();
            default -> null;
        };
    }

    /** Alertmanager notation, e.g. {@code {alertname="HighLatency", severity=~"SEV0|SEV1"}}. */
    @Override
    public String toString() {
        return matchers.stream().map(Compiled::toString).collect(Collectors.joining(", ", "{", "}"));
    }

    private static String describe(String label, MatchOp op, String value) {
        String symbol = switch (op) {
            case EQUAL -> "=";
            case NOT_EQUAL -> "!=";
            case REGEX -> "=~";
            case NOT_REGEX -> "!~";
        };
        return label + symbol + "\"" + String.valueOf(value).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
