package dev.incidentengine.notifier.channel;

import java.util.Locale;

/** What a notification tells: a page to a person, or news about an incident for a subscribed channel. */
public enum MessageKind {
    PAGE, OPENED, ACKNOWLEDGED, RESOLVED, REOPENED, SEVERITY_CHANGED, STATUS_UPDATE, CLOSED, REVIEW_REQUIRED;

    /** The name templates and channel subscriptions use: {@code page}, {@code severity-changed}, … */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static MessageKind ofId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
