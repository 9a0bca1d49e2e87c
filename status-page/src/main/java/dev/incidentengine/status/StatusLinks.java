package dev.incidentengine.status;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import dev.incidentengine.status.domain.PublicPage;

/** The public site's links: absolute under the page's configured URL, else relative to the site. */
final class StatusLinks {

    private StatusLinks() {
    }

    /** The page's base URL without a trailing slash; empty when config gives none. */
    static String base(PublicPage page) {
        String url = page.url();
        if (url == null) {
            return "";
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** Where an incident (or maintenance) is shown: its entry on the history page. */
    static String incident(PublicPage page, String id) {
        return base(page) + "/status/history#" + anchor(id);
    }

    /** An element id for an incident (or maintenance): its id URL-encoded, so one id makes one element id and one link. */
    static String anchor(String id) {
        return "incident-" + encoded(id);
    }

    static String encoded(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }
}
