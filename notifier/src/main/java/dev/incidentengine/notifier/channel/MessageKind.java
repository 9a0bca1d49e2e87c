package dev.incidentengine.notifier.channel;

import java.util.Locale;

/**
 * What a notification tells: a page to a person, news about an incident for a subscribed channel, a reminder to a
 * person that a published incident's public update is due, or a test message that proves a contact or channel works
 * ({@code incidentctl test-notify}; about no incident).
 */
public enum MessageKind {
    PAGE, OPENED, ACKNOWLEDGED, RESOLVED, REOPENED, SEVERITY_CHANGED, STATUS_UPDATE, CLOSED, REVIEW_REQUIRED, PUBLIC_UPDATE_DUE, TEST;

    /** Each one a message of its own (never a channel's card updated in place): a person's, or a test. */
    public boolean toPerson() {
        return this == PAGE || this == PUBLIC_UPDATE_DUE || this == TEST;
    }

    /** The name templates and channel subscriptions use: {@code page}, {@code severity-changed}, … */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static MessageKind ofId(String id) {
        return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
