package dev.incidentengine.ticketing.jira;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An incident's plain text in Jira's two formats, and back. Cloud (REST v3) takes the Atlassian Document Format, whose text
 * nodes are never parsed for markup, so hostile text stays text by construction
 * (https://developer.atlassian.com/cloud/jira/platform/apis/document/structure/). Server and Data Center (REST v2) take wiki
 * markup, where every character the renderer treats as markup is escaped with a backslash, a backslash itself (which
 * doubled is a line break) is written as its character entity, as pandoc's Jira writer does, and so is the {@code &} of
 * anything that reads as an entity (https://jira.atlassian.com/secure/WikiRendererHelpAction.jspa?section=all):
 * {@code {code}}, {@code [a|http://evil]},
 * {@code h1.} at a line's start and {@code <script>} (the wiki renderer writes no raw HTML) all render as the characters typed.
 */
public final class JiraText {

    /** Jira's default limit for a text field ({@code jira.text.field.character.limit}). */
    public static final int MAX_TEXT = 32_767;
    /** Summaries are one line of at most 255 characters. */
    public static final int MAX_SUMMARY = 255;
    private static final String WIKI_SPECIAL = "{}[]*_-+^~?|!#()";
    private static final String BACKSLASH = "&#92;";
    private static final String AMPERSAND = "&amp;";
    private static final java.util.regex.Pattern ENTITY = java.util.regex.Pattern.compile("&#?[A-Za-z0-9]+;");
    private static final java.util.regex.Pattern BLOCK_START = java.util.regex.Pattern.compile("[ \\t]*(h[1-6]|bq)\\.");
    private static final String CUT = "\n… (cut: the rest is on the incident)";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JiraText() {
    }

    /** A summary Jira accepts: one line, at most {@value #MAX_SUMMARY} characters. */
    public static String summary(String text) {
        String line = text.replaceAll("[\\r\\n\\t]+", " ").strip();
        return cut(line.isEmpty() ? "(no summary)" : line, MAX_SUMMARY, "…");
    }

    /** Text within Jira's field limit, with a note when it was cut; the limit counts the escaped form for wiki markup. */
    static String bounded(String text, int limit) {
        return cut(text, limit, CUT);
    }

    private static String cut(String text, int limit, String note) {
        if (text.length() <= limit) {
            return text;
        }
        int end = limit - note.length();
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + note;
    }

    /** An ADF document: a paragraph per block of lines (blank lines between), line breaks within as hard breaks. */
    public static ObjectNode adf(String text) {
        ObjectNode doc = NODES.objectNode().put("type", "doc").put("version", 1);
        ArrayNode content = doc.putArray("content");
        for (String block : bounded(text, MAX_TEXT).replace("\r\n", "\n").split("\n{2,}")) {
            ObjectNode paragraph = content.addObject().put("type", "paragraph");
            ArrayNode inline = paragraph.putArray("content");
            String[] lines = block.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (i > 0) {
                    inline.addObject().put("type", "hardBreak");
                }
                // ADF refuses empty text nodes.
                if (!lines[i].isEmpty()) {
                    inline.addObject().put("type", "text").put("text", lines[i]);
                }
            }
        }
        return doc;
    }

    /** The plain text of an ADF node: text, mentions and emoji as their text, links as their URL, blocks a blank line apart. */
    public static String plain(JsonNode adf) {
        StringBuilder out = new StringBuilder();
        append(adf, out);
        return out.toString().strip();
    }

    private static void append(JsonNode node, StringBuilder out) {
        if (node == null || !node.isObject()) {
            return;
        }
        switch (node.path("type").asText()) {
            case "text" -> out.append(node.path("text").asText());
            case "hardBreak" -> out.append('\n');
            case "mention", "emoji" -> out.append(node.path("attrs").path("text").asText());
            case "inlineCard", "blockCard" -> out.append(node.path("attrs").path("url").asText());
            default -> {
                boolean block = !node.path("type").asText().equals("doc") && isBlock(node.path("type").asText());
                if (block && !out.isEmpty() && !out.toString().endsWith("\n\n")) {
                    out.append(out.toString().endsWith("\n") ? "\n" : "\n\n");
                }
                node.path("content").forEach(child -> append(child, out));
            }
        }
    }

    private static boolean isBlock(String type) {
        return switch (type) {
            case "paragraph", "heading", "codeBlock", "blockquote", "panel", "listItem", "rule", "table", "tableRow" -> true;
            default -> false;
        };
    }

    /** Wiki markup that renders as the text, within Jira's field limit. */
    public static String wiki(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String piece;
            if ((i == 0 || text.charAt(i - 1) == '\n') && BLOCK_START.matcher(text).region(i, text.length()).lookingAt()) {
                // "h1. " or "bq. " opens a heading or a quote only at a line's start: escape its dot.
                int dot = text.indexOf('.', i);
                piece = text.substring(i, dot) + "\\.";
                i = dot;
            } else if (c == '\\') {
                piece = BACKSLASH;
            } else if (c == '&' && ENTITY.matcher(text).region(i, text.length()).lookingAt()) {
                piece = AMPERSAND;
            } else {
                piece = WIKI_SPECIAL.indexOf(c) >= 0 ? "\\" + c : String.valueOf(c);
            }
            // Escaping may double the length: stop where the escaped form would pass the limit.
            if (out.length() + piece.length() > MAX_TEXT - CUT.length()) {
                return out.append(CUT).toString();
            }
            out.append(piece);
        }
        return out.toString();
    }

    /** The text that {@link #wiki} escaped: what a v2 comment's body says, for matching the connector's own comments. */
    public static String unwiki(String markup) {
        StringBuilder out = new StringBuilder(markup.length());
        for (int i = 0; i < markup.length(); i++) {
            char c = markup.charAt(i);
            // Every backslash wiki() writes escapes the next character (its own backslashes are entities).
            if (c == '\\' && i + 1 < markup.length()) {
                out.append(markup.charAt(++i));
            } else if (markup.startsWith(BACKSLASH, i)) {
                out.append('\\');
                i += BACKSLASH.length() - 1;
            } else if (markup.startsWith(AMPERSAND, i)) {
                out.append('&');
                i += AMPERSAND.length() - 1;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
