package dev.incidentengine.ticketing.redmine;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plain text in and out of Redmine's Textile. Redmine renders issue descriptions and notes as Textile and links what looks
 * like a URL, an issue ({@code #1}), a wiki page ({@code [[…]]}) or a macro ({@code {{…}}}); an incident's text (a title, a
 * status update a person typed) must show as it was written. Every ASCII punctuation character becomes a numeric character
 * reference ({@code &#34;}), which Redmine keeps as it is, so no Textile or HTML syntax and no link pattern survives, while
 * the page shows the same characters. Letters, digits, spaces and line breaks stay as they are, so the text stays readable.
 */
public final class RedmineText {

    /** Longest plain text sent, in characters: escaped it stays under MySQL's 64 KB TEXT column, which Redmine uses. */
    public static final int MAX_TEXT = 10_000;
    /** What a cut keeps of the end, where the connector's comment marker is. */
    private static final int KEPT_END = 1_000;
    private static final Pattern REFERENCE = Pattern.compile("&#(\\d{1,7});");

    private RedmineText() {
    }

    /** The text as Textile that renders as the text itself. Controls other than line breaks and tabs are dropped. */
    public static String textile(String text) {
        String bounded = bounded(text.replace("\r\n", "\n").replace('\r', '\n'));
        StringBuilder out = new StringBuilder(bounded.length() + bounded.length() / 4);
        bounded.codePoints().forEach(c -> {
            if (c == '\n' || c == '\t') {
                out.append((char) c);
            } else if (Character.isISOControl(c)) {
                return;
            } else if (isAsciiPunctuation(c)) {
                out.append("&#").append(c).append(';');
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    /** A note or description as plain text: the references {@link #textile} made are characters again, line breaks {@code \n}. */
    public static String plain(String textile) {
        String text = textile.replace("\r\n", "\n");
        Matcher matcher = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (matcher.find()) {
            int c = Integer.parseInt(matcher.group(1));
            matcher.appendReplacement(out, Character.isValidCodePoint(c) ? Matcher.quoteReplacement(Character.toString(c))
                    : Matcher.quoteReplacement(matcher.group()));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** A one-line subject (Redmine shows subjects as plain text, at most 255 characters). */
    public static String subject(String text) {
        String line = text.codePoints().map(c -> Character.isISOControl(c) ? ' ' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString().strip();
        return line.length() <= 255 ? line : line.substring(0, 254) + "…";
    }

    private static String bounded(String text) {
        if (text.length() <= MAX_TEXT) {
            return text;
        }
        String cut = "\n… (" + (text.length() - MAX_TEXT) + " characters cut)\n";
        return text.substring(0, MAX_TEXT - KEPT_END - cut.length()) + cut + text.substring(text.length() - KEPT_END);
    }

    private static boolean isAsciiPunctuation(int c) {
        return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
    }
}
