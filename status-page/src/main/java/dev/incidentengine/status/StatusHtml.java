package dev.incidentengine.status;

import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.incidentengine.model.ComponentStatus;
import dev.incidentengine.service.Html;
import dev.incidentengine.status.domain.ComponentUptime;
import dev.incidentengine.status.domain.ComponentUptime.DayUptime;
import dev.incidentengine.status.domain.PublicPage;
import dev.incidentengine.status.domain.PublicPage.Component;
import dev.incidentengine.status.domain.PublicPage.Incident;
import dev.incidentengine.status.domain.PublicPage.Maintenance;
import dev.incidentengine.status.domain.PublicPage.Update;

/**
 * The public page's HTML, rendered on the server with everything escaped: {@code /status} (banner,
 * incidents, maintenance, components with 90 uptime bars each, the last {@value #PAGE_DAYS} days of
 * history) and {@code /status/history} (all {@value PublicPage#HISTORY_DAYS} days). No inline script
 * or style, so a strict Content-Security-Policy holds; the script module only refreshes what the
 * server renders, and the page works without it.
 */
final class StatusHtml {

    /** Days of history on /status, as on Statuspage's pages. */
    static final int PAGE_DAYS = 15;
    /** The most incidents a day of history shows, and updates per incident there (the newest), so a page stays small. */
    static final int DAY_ENTRIES = 20;
    static final int HISTORY_UPDATES = 5;

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MMM d, uuuu", Locale.ENGLISH);
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MMM d, uuuu HH:mm zzz", Locale.ENGLISH);

    private final PublicPage page;
    private final Instant asOf;
    private final String etag;
    private final List<Component> components;
    private final Map<String, String> names = new LinkedHashMap<>();

    StatusHtml(PublicPage page, Instant asOf, String etag) {
        this.page = page;
        this.asOf = asOf;
        this.etag = etag;
        this.components = page.components();
        components.forEach(component -> names.put(component.id(), component.name()));
    }

    String statusPage() {
        StringBuilder html = head(page.name() + " status");
        html.append("<main id=\"content\" data-etag=\"").append(Html.escape(etag)).append("\">\n");
        PublicPage.Overall overall = page.overall();
        html.append("<section class=\"banner banner-").append(overall.indicator()).append("\" aria-label=\"Overall status\">")
                .append("<p class=\"banner-text\">").append(Html.escape(overall.description())).append("</p></section>\n");
        List<Incident> unresolved = page.unresolvedIncidents();
        if (!unresolved.isEmpty()) {
            html.append("<section class=\"incidents\" aria-labelledby=\"active-incidents\"><h2 id=\"active-incidents\">Active incidents</h2>\n");
            unresolved.forEach(incident -> incident(html, incident, true));
            html.append("</section>\n");
        }
        List<Maintenance> active = page.activeMaintenances();
        if (!active.isEmpty()) {
            html.append("<section class=\"maintenances\" aria-labelledby=\"active-maintenance\"><h2 id=\"active-maintenance\">Maintenance in progress</h2>\n");
            active.forEach(maintenance -> maintenance(html, maintenance, true));
            html.append("</section>\n");
        }
        List<Maintenance> upcoming = page.upcomingMaintenances();
        if (!upcoming.isEmpty()) {
            html.append("<section class=\"maintenances\" aria-labelledby=\"upcoming-maintenance\"><h2 id=\"upcoming-maintenance\">Scheduled maintenance</h2>\n");
            upcoming.forEach(maintenance -> maintenance(html, maintenance, true));
            html.append("</section>\n");
        }
        components(html);
        history(html, PAGE_DAYS, "Past incidents");
        html.append("<p class=\"more\"><a href=\"/status/history\">Incident history (").append(PublicPage.HISTORY_DAYS).append(" days)</a></p>\n");
        return foot(html);
    }

    String historyPage() {
        StringBuilder html = head(page.name() + " incident history");
        html.append("<main id=\"content\" data-etag=\"").append(Html.escape(etag)).append("\">\n");
        history(html, PublicPage.HISTORY_DAYS, "Incident history");
        return foot(html);
    }

    private StringBuilder head(String title) {
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(Html.escape(title)).append("</title>\n")
                .append("<link rel=\"stylesheet\" href=\"").append(PublicSite.CSS_PATH).append("\">\n")
                .append("<link rel=\"icon\" type=\"image/svg+xml\" href=\"").append(PublicSite.ICON_PATH).append("\">\n")
                .append("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"").append(Html.escape(page.name()))
                .append(" incidents (Atom)\" href=\"/status/history.atom\">\n")
                .append("<link rel=\"alternate\" type=\"application/rss+xml\" title=\"").append(Html.escape(page.name()))
                .append(" incidents (RSS)\" href=\"/status/history.rss\">\n")
                .append("<script type=\"module\" src=\"").append(PublicSite.SCRIPT_PATH).append("\"></script>\n")
                .append("</head>\n<body>\n<header class=\"site\"><p class=\"site-name\"><a href=\"/status\">")
                .append(Html.escape(page.name())).append("</a></p>\n<nav aria-label=\"Status page\"><a href=\"/status\">Status</a> ")
                .append("<a href=\"/status/history\">History</a> <a href=\"/status/history.atom\">Atom</a> ")
                .append("<a href=\"/status/history.rss\">RSS</a> <a href=\"/api/v2/summary.json\">API</a></nav></header>\n")
                .append("<h1 class=\"visually-hidden\">").append(Html.escape(title)).append("</h1>\n");
        return html;
    }

    private String foot(StringBuilder html) {
        html.append("</main>\n<footer class=\"site\"><p>Updated <time datetime=\"").append(page.updatedAt()).append("\">")
                .append(Html.escape(time(page.updatedAt()))).append("</time>. Times in ").append(Html.escape(page.zone().getId()))
                .append(".</p></footer>\n</body>\n</html>\n");
        return html.toString();
    }

    private void components(StringBuilder html) {
        html.append("<section class=\"components\" aria-labelledby=\"components\"><h2 id=\"components\">Components</h2>\n")
                .append("<ul class=\"component-list\">\n");
        Map<String, List<Component>> members = new LinkedHashMap<>();
        for (Component component : components) {
            if (component.groupId() != null) {
                members.computeIfAbsent(component.groupId(), id -> new ArrayList<>()).add(component);
            }
        }
        for (Component component : components) {
            if (component.group()) {
                List<Component> shown = members.getOrDefault(component.id(), List.of()).stream().filter(StatusHtml::shown).toList();
                if (shown.isEmpty()) {
                    continue;
                }
                html.append("<li class=\"group\"><details open><summary><span class=\"component-name\">")
                        .append(Html.escape(component.name())).append("</span> ").append(statusLabel(component.status()))
                        .append("</summary>\n<ul class=\"component-list\">\n");
                shown.forEach(member -> component(html, member));
                html.append("</ul></details></li>\n");
            } else if (component.groupId() == null && shown(component)) {
                component(html, component);
            }
        }
        html.append("</ul></section>\n");
    }

    private static boolean shown(Component component) {
        return !component.onlyShowIfDegraded() || component.status() != ComponentStatus.OPERATIONAL;
    }

    private void component(StringBuilder html, Component component) {
        List<DayUptime> days = page.uptime(component.id(), asOf);
        html.append("<li class=\"component\" id=\"component-").append(Html.escape(StatusLinks.encoded(component.id())))
                .append("\"><div class=\"component-head\"><span class=\"component-name\">").append(Html.escape(component.name())).append("</span> ")
                .append(statusLabel(component.status())).append("</div>\n");
        if (component.description() != null) {
            html.append("<p class=\"component-description\">").append(Html.escape(component.description())).append("</p>\n");
        }
        html.append("<ol class=\"bars\" aria-label=\"").append(Html.escape(component.name()))
                .append(": uptime per day, the last ").append(days.size()).append(" days\">");
        for (DayUptime day : days) {
            String label = dayLabel(day);
            html.append("<li class=\"bar ").append(barClass(day)).append("\" title=\"").append(Html.escape(label)).append("\">")
                    .append("<span class=\"visually-hidden\">").append(Html.escape(label)).append("</span></li>");
        }
        html.append("</ol>\n<p class=\"uptime-legend\"><span>").append(days.size()).append(" days ago</span> <span class=\"uptime-total\">")
                .append(percent(ComponentUptime.uptimePercent(days))).append(" % uptime</span> <span>Today</span></p></li>\n");
    }

    static String dayLabel(DayUptime day) {
        String date = DAY.format(day.day());
        if (!day.hasData()) {
            return date + ": no data";
        }
        StringBuilder label = new StringBuilder(date).append(": ").append(percent(day.uptimePercent())).append(" % uptime");
        for (ComponentStatus status : List.of(ComponentStatus.MAJOR_OUTAGE, ComponentStatus.PARTIAL_OUTAGE,
                ComponentStatus.DEGRADED_PERFORMANCE, ComponentStatus.UNDER_MAINTENANCE)) {
            long minutes = (day.ms(status) + 59_999) / 60_000;
            if (minutes > 0) {
                label.append(", ").append(statusText(status).toLowerCase(Locale.ROOT)).append(' ').append(duration(minutes));
            }
        }
        return label.toString();
    }

    private static String duration(long minutes) {
        return minutes < 60 ? minutes + " min" : minutes / 60 + " h " + minutes % 60 + " min";
    }

    /** Two decimals, cut rather than rounded: a day with any downtime never reads 100.00. */
    static String percent(double value) {
        return String.format(Locale.ROOT, "%.2f", Math.floor(value * 100) / 100);
    }

    private static String barClass(DayUptime day) {
        if (!day.hasData()) {
            return "bar-none";
        }
        return "bar-" + StatusJson.word(day.worst()).replace('_', '-');
    }

    private static String statusLabel(ComponentStatus status) {
        return "<span class=\"status status-" + StatusJson.word(status).replace('_', '-') + "\">" + statusText(status) + "</span>";
    }

    static String statusText(ComponentStatus status) {
        return switch (status) {
            case OPERATIONAL -> "Operational";
            case DEGRADED_PERFORMANCE -> "Degraded performance";
            case PARTIAL_OUTAGE -> "Partial outage";
            case MAJOR_OUTAGE -> "Major outage";
            case UNDER_MAINTENANCE -> "Under maintenance";
        };
    }

    private void history(StringBuilder html, int days, String heading) {
        html.append("<section class=\"history\" aria-labelledby=\"history\"><h2 id=\"history\">").append(Html.escape(heading)).append("</h2>\n");
        LocalDate today = page.today(asOf);
        LocalDate first = today.minusDays(days - 1);
        Map<LocalDate, List<Object>> byDay = new LinkedHashMap<>();
        for (Incident incident : page.incidents()) {
            LocalDate day = LocalDate.ofInstant(incident.createdAt(), page.zone());
            if (!day.isBefore(first) && !day.isAfter(today)) {
                byDay.computeIfAbsent(day, d -> new ArrayList<>()).add(incident);
            }
        }
        for (Maintenance maintenance : page.maintenances()) {
            LocalDate day = LocalDate.ofInstant(maintenance.scheduledFor(), page.zone());
            if (maintenance.startedAt() != null && !day.isBefore(first) && !day.isAfter(today)) {
                byDay.computeIfAbsent(day, d -> new ArrayList<>()).add(maintenance);
            }
        }
        for (LocalDate day = today; !day.isBefore(first); day = day.minusDays(1)) {
            html.append("<div class=\"day\"><h3>").append(DAY.format(day)).append("</h3>\n");
            List<Object> entries = byDay.get(day);
            if (entries == null) {
                html.append("<p class=\"quiet\">No incidents reported.</p>\n");
            } else {
                for (Object entry : entries.subList(0, Math.min(entries.size(), DAY_ENTRIES))) {
                    if (entry instanceof Incident incident) {
                        incident(html, incident, false);
                    } else {
                        maintenance(html, (Maintenance) entry, false);
                    }
                }
                if (entries.size() > DAY_ENTRIES) {
                    html.append("<p class=\"quiet\">And ").append(entries.size() - DAY_ENTRIES)
                            .append(" more; the API's incidents.json and the feeds list the most recent.</p>\n");
                }
            }
            html.append("</div>\n");
        }
        html.append("</section>\n");
    }

    /**
     * An incident as the current sections show it ({@code current}: every update) or as a day of history does (the newest
     * {@value #HISTORY_UPDATES}); only the history's carries the id the links point to, so an open one is not named twice.
     */
    private void incident(StringBuilder html, Incident incident, boolean current) {
        String heading = current ? "h3" : "h4";
        html.append("<article class=\"incident impact-").append(incident.impact().name().toLowerCase(Locale.ROOT)).append("\"")
                .append(current ? "" : " id=\"" + Html.escape(StatusLinks.anchor(incident.id())) + "\"")
                .append("><").append(heading).append(" class=\"incident-title\">").append(Html.escape(incident.title())).append("</").append(heading).append(">\n");
        affects(html, incident.components());
        updates(html, incident.updates(), current ? Integer.MAX_VALUE : HISTORY_UPDATES);
        html.append("</article>\n");
    }

    private void maintenance(StringBuilder html, Maintenance maintenance, boolean current) {
        String heading = current ? "h3" : "h4";
        html.append("<article class=\"incident impact-maintenance\"")
                .append(current ? "" : " id=\"" + Html.escape(StatusLinks.anchor(maintenance.id())) + "\"").append("><")
                .append(heading).append(" class=\"incident-title\">").append(Html.escape(maintenance.title())).append("</").append(heading).append(">\n")
                .append("<p class=\"scheduled\">Scheduled for <time datetime=\"").append(maintenance.scheduledFor()).append("\">")
                .append(Html.escape(time(maintenance.scheduledFor()))).append("</time> until <time datetime=\"").append(maintenance.scheduledUntil())
                .append("\">").append(Html.escape(time(maintenance.scheduledUntil()))).append("</time></p>\n");
        affects(html, maintenance.components());
        updates(html, maintenance.updates(), current ? Integer.MAX_VALUE : HISTORY_UPDATES);
        html.append("</article>\n");
    }

    private void affects(StringBuilder html, List<String> ids) {
        List<String> affected = ids.stream().filter(names::containsKey).map(names::get).toList();
        if (!affected.isEmpty()) {
            html.append("<p class=\"affects\">Affects ").append(Html.escape(String.join(", ", affected))).append("</p>\n");
        }
    }

    /** The newest {@code limit} updates, and how many earlier ones are left out. */
    private void updates(StringBuilder html, List<Update> updates, int limit) {
        html.append("<ol class=\"updates\">\n");
        for (Update update : updates.subList(0, Math.min(updates.size(), limit))) {
            html.append("<li><strong class=\"update-status\">").append(Html.escape(capitalized(update.status()))).append("</strong> ")
                    .append("<span class=\"update-body\">").append(Html.escape(update.message())).append("</span> ")
                    .append("<time datetime=\"").append(update.createdAt()).append("\">").append(Html.escape(time(update.createdAt())))
                    .append("</time></li>\n");
        }
        html.append("</ol>\n");
        if (updates.size() > limit) {
            html.append("<p class=\"quiet\">").append(updates.size() - limit).append(" earlier updates</p>\n");
        }
    }

    static String capitalized(String word) {
        String spaced = word.replace('_', ' ');
        return spaced.isEmpty() ? spaced : Character.toUpperCase(spaced.charAt(0)) + spaced.substring(1);
    }

    private String time(Instant instant) {
        return TIME.format(instant.atZone(page.zone()));
    }

}
