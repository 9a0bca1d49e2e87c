package dev.incidentengine.incident.routing;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.re2j.PatternSyntaxException;
import dev.incidentengine.model.config.LabelMatcher;
import dev.incidentengine.model.config.MatchOp;
import dev.incidentengine.schemas.ConfigProblem;

import static dev.incidentengine.schemas.ConfigProblem.require;

/**
 * Label matchers as people write them: Alertmanager strings such as {@code service=~"check.*"} (config files, the
 * silences API) and the rules a list of them must follow before {@link AlertMatcher} evaluates it.
 */
public final class LabelMatchers {

    private static final Pattern STRING_MATCHER = Pattern.compile("\\s*([^\\s=!~\"]+)\\s*(=~|!~|!=|=)\\s*(.*?)\\s*");

    private LabelMatchers() {
    }

    /**
     * One Alertmanager-style string matcher, e.g. {@code alertname="HighLatency"} or {@code env=~"dev|test"}: a label, then
     * {@code =}, {@code !=}, {@code =~} or {@code !~}, then a value, quotes optional. The regular expression is not checked here.
     *
     * @throws IllegalArgumentException saying what is wrong with the text (the caller adds where it was)
     */
    public static LabelMatcher parse(String text) {
        Matcher parts = STRING_MATCHER.matcher(text);
        if (!parts.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a matcher such as alertname=\"HighLatency\""
                    + " (a label, then =, !=, =~ or !~, then a value, quotes optional)");
        }
        MatchOp op = switch (parts.group(2)) {
            case "=" -> MatchOp.EQUAL;
            case "!=" -> MatchOp.NOT_EQUAL;
            case "=~" -> MatchOp.REGEX;
            default -> MatchOp.NOT_REGEX;
        };
        return new LabelMatcher(parts.group(1), op, unquote(parts.group(3)));
    }

    /** Alertmanager's rules: optional double quotes; \", \\ and \n are escapes, any other backslash is kept. */
    private static String unquote(String raw) {
        boolean quoted = raw.startsWith("\"");
        String body = quoted ? raw.substring(1) : raw;
        StringBuilder value = new StringBuilder();
        boolean closed = !quoted;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                char next = body.charAt(++i);
                switch (next) {
                    case 'n' -> value.append('\n');
                    case '"', '\\' -> value.append(next);
                    default -> value.append('\\').append(next);
                }
            } else if (c == '"') {
                if (!quoted || i < body.length() - 1) {
                    throw new IllegalArgumentException("unescaped double quote in matcher value " + raw);
                }
                closed = true;
            } else {
                value.append(c);
            }
        }
        if (!closed) {
            throw new IllegalArgumentException("matcher value " + raw + " lacks its closing double quote");
        }
        return value.toString();
    }

    /** Every matcher has a label, and every regular expression compiles as the engine evaluates it. */
    public static void check(List<LabelMatcher> matchers, String field) {
        for (int i = 0; i < matchers.size(); i++) {
            LabelMatcher matcher = matchers.get(i);
            require(!matcher.getLabel().isBlank(), field + "[" + i + "].label", "must not be blank");
            if (matcher.getOp() == MatchOp.REGEX || matcher.getOp() == MatchOp.NOT_REGEX) {
                try {
                    // RE2 syntax, as the engine evaluates it (linear time) and Alertmanager writes it.
                    com.google.re2j.Pattern.compile(matcher.getValue());
                } catch (PatternSyntaxException e) {
                    throw new ConfigProblem(field + "[" + i + "].value", "'" + matcher.getValue()
                            + "' is not a valid regular expression (" + e.getDescription() + ")");
                }
            }
        }
    }
}
