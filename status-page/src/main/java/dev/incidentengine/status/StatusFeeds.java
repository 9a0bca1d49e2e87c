package dev.incidentengine.status;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.incidentengine.service.Html;
import dev.incidentengine.status.domain.PublicPage;
import dev.incidentengine.status.domain.PublicPage.Incident;
import dev.incidentengine.status.domain.PublicPage.Maintenance;
import dev.incidentengine.status.domain.PublicPage.Update;

/**
 * The page's incidents and maintenance as Atom 1.0 ({@code /status/history.atom}) and RSS 2.0
 * ({@code /status/history.rss}): the {@value PublicPage#RECENT} most recently updated, each with its
 * updates as escaped HTML. Every text is XML-escaped, and characters XML cannot carry are dropped.
 */
final class StatusFeeds {

    private static final DateTimeFormatter RFC_822 = DateTimeFormatter.RFC_1123_DATE_TIME;

    private record Entry(String id, String title, Instant published, Instant updated, List<Update> updates) {
    }

    private final PublicPage page;
    private final List<Entry> entries;

    StatusFeeds(PublicPage page) {
        this.page = page;
        List<Entry> all = new ArrayList<>();
        for (Incident incident : page.recentIncidents()) {
            all.add(new Entry(incident.id(), incident.title(), incident.createdAt(), incident.updatedAt(), incident.updates()));
        }
        for (Maintenance maintenance : page.recentMaintenances()) {
            all.add(new Entry(maintenance.id(), maintenance.title(), maintenance.createdAt(), maintenance.updatedAt(), maintenance.updates()));
        }
        all.sort(Comparator.comparing(Entry::updated).reversed().thenComparing(Entry::id));
        this.entries = List.copyOf(all.subList(0, Math.min(all.size(), PublicPage.RECENT)));
    }

    String atom() {
        String base = StatusLinks.base(page);
        StringBuilder xml = new StringBuilder(32 * 1024);
        xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n")
                .append("<id>").append(xml(tag("history"))).append("</id>\n")
                .append("<title>").append(xml(page.name())).append(" status history</title>\n")
                .append("<updated>").append(rfc3339(page.updatedAt())).append("</updated>\n")
                .append("<author><name>").append(xml(page.name())).append("</name></author>\n")
                .append("<link rel=\"alternate\" type=\"text/html\" href=\"").append(xml(base + "/status")).append("\"/>\n")
                .append("<link rel=\"self\" type=\"application/atom+xml\" href=\"").append(xml(base + "/status/history.atom")).append("\"/>\n");
        for (Entry entry : entries) {
            xml.append("<entry>\n<id>").append(xml(tag("incident/" + StatusLinks.encoded(entry.id())))).append("</id>\n")
                    .append("<title>").append(xml(entry.title())).append("</title>\n")
                    .append("<published>").append(rfc3339(entry.published())).append("</published>\n")
                    .append("<updated>").append(rfc3339(entry.updated())).append("</updated>\n")
                    .append("<link rel=\"alternate\" type=\"text/html\" href=\"").append(xml(StatusLinks.incident(page, entry.id()))).append("\"/>\n")
                    .append("<content type=\"html\">").append(xml(updatesHtml(entry.updates()))).append("</content>\n</entry>\n");
        }
        return xml.append("</feed>\n").toString();
    }

    String rss() {
        String base = StatusLinks.base(page);
        StringBuilder xml = new StringBuilder(32 * 1024);
        xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n")
                .append("<title>").append(xml(page.name())).append(" status history</title>\n")
                .append("<link>").append(xml(base + "/status")).append("</link>\n")
                .append("<description>").append(xml("Incidents and maintenance of " + page.name())).append("</description>\n")
                .append("<atom:link rel=\"self\" type=\"application/rss+xml\" href=\"").append(xml(base + "/status/history.rss")).append("\"/>\n")
                .append("<lastBuildDate>").append(rfc822(page.updatedAt())).append("</lastBuildDate>\n");
        for (Entry entry : entries) {
            xml.append("<item>\n<title>").append(xml(entry.title())).append("</title>\n")
                    .append("<link>").append(xml(StatusLinks.incident(page, entry.id()))).append("</link>\n")
                    .append("<guid isPermaLink=\"false\">").append(xml(tag("incident/" + StatusLinks.encoded(entry.id()))))
                    .append("</guid>\n<pubDate>").append(rfc822(entry.published())).append("</pubDate>\n")
                    .append("<description>").append(xml(updatesHtml(entry.updates()))).append("</description>\n</item>\n");
        }
        return xml.append("</channel>\n</rss>\n").toString();
    }

    /** A stable IRI for the page's feed and entries (RFC 4151 tag URI), the same on every instance. */
    private String tag(String specific) {
        return "tag:incident-engine.dev,2026:status/" + StatusLinks.encoded(page.pageId()) + "/" + specific;
    }

    private String updatesHtml(List<Update> updates) {
        StringBuilder html = new StringBuilder();
        for (Update update : updates) {
            html.append("<p><strong>").append(Html.escape(StatusHtml.capitalized(update.status()))).append("</strong> - ")
                    .append(Html.escape(update.message())).append(" <small>")
                    .append(Html.escape(StatusHtml.TIME.format(update.createdAt().atZone(page.zone()))))
                    .append("</small></p>");
        }
        return html.toString();
    }

    private static String rfc3339(Instant instant) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
    }

    private static String rfc822(Instant instant) {
        return RFC_822.format(instant.atOffset(ZoneOffset.UTC));
    }

    /** Text for XML content and attributes: escaped, without the characters XML 1.0 forbids. */
    static String xml(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    boolean allowed = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
                            || (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1)))
                            || (Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1)));
                    if (allowed) {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
