package dev.incidentengine.notifier.channel;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Text from outside (alert summaries, titles, notes, names) made inert for the markup a channel
 * renders, so it shows as written and cannot mention, link or format: Slack mrkdwn and Teams
 * markdown here; HTML is the template engine's own escaping. And links: only http(s) ones are kept.
 */
public final class Markup {

    /** Invisible, and breaks the markup it follows: {@code ](} is no link, {@code <b} no tag, {@code &lt;} no entity. */
    private static final String BREAK = "\u200B";
    private static final Pattern SLACK_BROADCAST = Pattern.compile("@(channel|here|everyone)\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern TEAMS_MARKUP = Pattern.compile("([\\]<&])");

    private Markup() {
    }

    /**
     * Slack mrkdwn: {@code &}, {@code <} and {@code >} as entities, as Slack asks, so {@code <!channel>}, {@code <@U123>} and
     * {@code <http://evil|Acknowledge>} are shown, not obeyed; and {@code @channel}, {@code @here}, {@code @everyone} kept from
     * being parsed as mentions.
     */
    public static String slack(String text) {
        String escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        return SLACK_BROADCAST.matcher(escaped).replaceAll("@" + BREAK + "$1");
    }

    /** What {@link #slack} made of a text, for Slack's plain_text fields, which show text as it is. */
    public static String slackPlain(String mrkdwn) {
        return mrkdwn.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    /**
     * Teams (Adaptive Card) markdown, whose backslash escapes Teams' clients do not agree on: an invisible break after
     * {@code ]}, {@code <} and {@code &} stops markdown links and images, autolinks, HTML tags and entities.
     */
    public static String teams(String text) {
        return TEAMS_MARKUP.matcher(text).replaceAll("$1" + BREAK);
    }

    /** The link if it is an absolute http(s) URL, else null: no javascript:, data: or other schemes reach a message. */
    public static String httpLink(String url) {
        if (url == null) {
            return null;
        }
        try {
            URI uri = new URI(url.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null ? uri.toString() : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }
}
