package dev.incidentengine.ticketing.github;

/**
 * Text from outside (incident titles, notes, alert text) made inert for GitHub Flavored Markdown, and back.
 *
 * <p>{@link #escape}: a backslash before what would start emphasis, code, links and images, HTML and entities, tables,
 * strikethrough and escapes ({@code \ ` * _ [ ] < > | ~ &}), and before list, quote, heading-underline and ordered-list
 * markers at the start of a line; and an invisible {@code &#8203;} after {@code @} and {@code #}, which GitHub links and
 * notifies from the rendered text, where a backslash no longer is: {@code @someone} pings nobody, {@code #12} links no issue.
 *
 * <p>{@link #plain} reverses it exactly ({@code plain(escape(s)).equals(s)} for every s), so a comment's marker footer is
 * found again in what {@code recentComments} reads back.
 */
final class GitHubMarkdown {

    private static final String ALWAYS = "\\`*_[]<>|~&";
    private static final String LINE_START = "-+=>";
    private static final String INVISIBLE = "&#8203;";

    private GitHubMarkdown() {
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        boolean lineStart = true;
        boolean leadingDigits = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '@' || c == '#') {
                out.append(c).append(INVISIBLE);
            } else if (ALWAYS.indexOf(c) >= 0 || (lineStart && LINE_START.indexOf(c) >= 0)
                    || (leadingDigits && (c == '.' || c == ')'))) {
                out.append('\\').append(c);
            } else {
                out.append(c);
            }
            if (c == '\n') {
                lineStart = true;
                leadingDigits = false;
            } else if (c == ' ' || c == '\t') {
                leadingDigits = false;
            } else if (Character.isDigit(c)) {
                leadingDigits = lineStart || leadingDigits;
                lineStart = false;
            } else {
                lineStart = false;
                leadingDigits = false;
            }
        }
        return out.toString();
    }

    /** What {@link #escape} was given; other markdown (a person's) loses only its backslash escapes. */
    static String plain(String markdown) {
        StringBuilder out = new StringBuilder(markdown.length());
        for (int i = 0; i < markdown.length(); i++) {
            char c = markdown.charAt(i);
            if (c == '\\' && i + 1 < markdown.length() && isEscapable(markdown.charAt(i + 1))) {
                out.append(markdown.charAt(++i));
            } else if ((c == '@' || c == '#') && markdown.startsWith(INVISIBLE, i + 1)) {
                out.append(c);
                i += INVISIBLE.length();
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isEscapable(char c) {
        return ALWAYS.indexOf(c) >= 0 || LINE_START.indexOf(c) >= 0 || c == '.' || c == ')';
    }
}
